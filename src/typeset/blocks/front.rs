//! The front matter of the print edition: half-title, title page, copyright page and the
//! contents with dot leaders and page numbers.

use super::{Blocks, Frame};
use crate::diag::{FileId, Span};
use crate::model::AnchorId;
use crate::typeset::flow::{Flow, LineItem, LineLink, LinkGoal, PageStyle};
use crate::typeset::font::Style;
use crate::typeset::inline::{Piece, PieceKind};
use crate::typeset::paragraph::{self, Align, ParagraphStyle};

/// One line of the contents: a part or a section, and the folio of its first page.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentsEntry {
    /// 1 for parts and chapters, 2 for sections.
    pub level: u8,
    pub title: String,
    pub anchor: AnchorId,
    pub folio: String,
}

/// Distance between the dots of a leader.
const LEADER_STEP: f64 = 5.5;

impl Blocks<'_, '_> {
    /// The half-title (recto), the title page (recto) and the copyright page (its verso).
    pub fn title_pages(&mut self, title: &str, subtitle: Option<&str>, author: Option<&str>) {
        let frame = self.frame();
        self.flow.push(Flow::Style(PageStyle::Plain));
        self.flow.push(Flow::Skip(self.body.block_height * 0.22));
        self.display(title, Style::Regular, 15.0, 19.0, frame, 0);
        self.flow.push(Flow::Break { recto: true });
        self.flow.push(Flow::Style(PageStyle::Plain));
        self.flow.push(Flow::Skip(self.body.block_height * 0.22));
        let first = self.flow.len();
        self.display(title, Style::Regular, 24.0, 30.0, frame, 0);
        self.mark_heading(first, 1, title, title, None);
        if let Some(sub) = subtitle {
            self.flow.push(Flow::Space(10.0));
            self.display(sub, Style::Italic, 14.0, 18.0, frame, 0);
        }
        if let Some(author) = author {
            self.flow.push(Flow::Space(36.0));
            self.display(author, Style::Regular, 13.0, 16.0, frame, 0);
        }
        self.flow.push(Flow::Break { recto: false });
    }

    /// The copyright page: `lines` (paragraphs of small text) set at the foot of a verso.
    pub fn copyright_page(&mut self, paragraphs: &[String]) {
        let frame = Frame {
            size: self.body.size * 0.8,
            leading: self.body.leading * 0.8,
            ..self.frame()
        };
        let saved = std::mem::take(&mut self.flow);
        for text in paragraphs {
            let span = Span::point(FileId(0), 0);
            let piece = Piece::plain(
                PieceKind::Text(text.clone()),
                Style::Regular,
                frame.size,
                span,
            );
            self.set_lines(&[piece], Align::Left, None, 0.0, frame, 0, None);
            self.flow.push(Flow::Space(frame.leading * 0.5));
        }
        let lines = std::mem::replace(&mut self.flow, saved);
        let height: f64 = lines
            .iter()
            .map(|f| match f {
                Flow::Line(l) => l.leading,
                Flow::Space(s) | Flow::Skip(s) => *s,
                _ => 0.0,
            })
            .sum();
        self.flow.push(Flow::Style(PageStyle::Plain));
        self.flow.push(Flow::Skip(
            (self.body.block_height - height - self.body.leading).max(0.0),
        ));
        // The page's only content: nothing of it may move to another page.
        let n = lines.iter().filter(|f| matches!(f, Flow::Line(_))).count();
        let mut k = 0;
        for mut item in lines {
            if let Flow::Line(line) = &mut item {
                k += 1;
                line.keep_with_next = n - k;
            }
            self.flow.push(item);
        }
        self.flow.push(Flow::Break { recto: true });
    }

    /// The contents, opening on a recto: one entry per part and section, the title set
    /// ragged with dot leaders running to its folio, the whole entry a link to its page.
    pub fn contents(&mut self, title: &str, entries: &[ContentsEntry]) {
        let frame = self.frame();
        self.flow.push(Flow::Break { recto: true });
        self.flow.push(Flow::Style(PageStyle::Opener));
        self.flow.push(Flow::Skip(self.body.leading * 4.0));
        let first = self.flow.len();
        self.display(title, Style::Regular, 17.0, 22.0, frame, 2);
        self.mark_heading(first, 1, title, title, None);
        self.flow.push(Flow::Space(self.body.leading * 2.0));
        let shaper = self.setter.shaper;
        let size = frame.size;
        let folio_column = shaper.width("0000", Style::Regular) * size;
        let dot = shaper.shape(".", Style::Regular);
        for (k, entry) in entries.iter().enumerate() {
            let indent = if entry.level <= 1 { 0.0 } else { size * 1.5 };
            if entry.level <= 1 && k > 0 {
                self.flow.push(Flow::Space(self.body.leading * 0.5));
            }
            let style = ParagraphStyle {
                measure: frame.measure - indent - folio_column - 2.0 * LEADER_STEP,
                left: indent,
                indent: 0.0,
                align: Align::Left,
                hyphenate: None,
                leading: frame.leading,
            };
            let span = Span::point(FileId(0), 0);
            let piece = Piece::plain(
                PieceKind::Text(entry.title.clone()),
                Style::Regular,
                size,
                span,
            );
            let mut lines = paragraph::set(&[piece], &style, self.setter);
            let goal = LinkGoal::Anchor(entry.anchor.clone());
            let n = lines.len();
            for (i, line) in lines.iter_mut().enumerate() {
                line.grid = true;
                line.keep_with_next = n - i - 1;
                line.links = vec![LineLink {
                    x: 0.0,
                    width: frame.measure - indent,
                    goal: goal.clone(),
                }];
            }
            if let Some(last) = lines.last_mut() {
                // The folio, flush right.
                let folio = shaper.shape(&entry.folio, Style::Regular);
                let mut x = frame.measure - indent - folio.width * size;
                let folio_left = x;
                for run in &folio.runs {
                    let (glyphs, text, advance) =
                        crate::typeset::flow::place_glyphs(&run.glyphs, size);
                    last.items.push(LineItem::Glyphs {
                        x,
                        rise: 0.0,
                        face: run.face,
                        size,
                        glyphs,
                        text,
                    });
                    x += advance;
                }
                // Dots on a grid of the whole measure, so that leaders line up down the page.
                let dot_width = dot.width * size;
                let from = last.width + LEADER_STEP;
                let mut k = ((from + indent) / LEADER_STEP).ceil();
                while k * LEADER_STEP - indent + dot_width + LEADER_STEP * 0.5 <= folio_left {
                    let x = k * LEADER_STEP - indent;
                    for run in &dot.runs {
                        let (glyphs, text, _) =
                            crate::typeset::flow::place_glyphs(&run.glyphs, size);
                        last.items.push(LineItem::Glyphs {
                            x,
                            rise: 0.0,
                            face: run.face,
                            size,
                            glyphs,
                            text,
                        });
                    }
                    k += 1.0;
                }
                last.width = frame.measure - indent;
            }
            self.flow.extend(lines.into_iter().map(Flow::Line));
        }
    }
}
