//! Text set outside the book's pages: the cover wrap's back text, spine and plain front.
//!
//! A [`Panel`] sets text with the same shaper, hyphenation and Knuth–Plass breaker as the
//! book's pages, without page makeup: a paragraph set to a measure becomes glyph runs placed
//! from a given top-left corner, a single line becomes glyph runs on a given baseline. The
//! faces it uses are numbered as it goes ([`FontId`]s), so that [`Panel::finish`] gives a
//! [`Document`] the PDF writer takes like any other.

use super::flow::{Line, LineItem};
use super::font::{FaceId, Fonts, Style};
use super::layout::{Document, DocumentInfo, FontId, GlyphRun, Page, PageItem};
use super::linebreak;
use super::paragraph::{self, ParagraphStyle, Setter};
use super::shape::Shaper;
use crate::diag::{Diagnostics, FileId, Span};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

pub use super::paragraph::Align;

/// How a paragraph is set.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle {
    pub style: Style,
    pub size: f64,
    /// Baseline to baseline.
    pub leading: f64,
    pub align: Align,
    /// Hyphenate in the panel's language.
    pub hyphenate: bool,
}

/// A paragraph set: its items and its extent.
#[derive(Debug, Clone)]
pub struct SetText {
    pub items: Vec<PageItem>,
    /// How many lines.
    pub lines: usize,
    /// From the given top to the last line's baseline.
    pub last_baseline: f64,
    /// From the given top to the bottom of the last line's descent.
    pub height: f64,
}

/// Free-standing text and the faces it uses.
pub struct Panel {
    shaper: Arc<Shaper>,
    faces: Vec<FaceId>,
    diags: Diagnostics,
    missing: Mutex<BTreeSet<char>>,
    language: Option<String>,
}

impl Panel {
    /// A panel set in `fonts` (`None`: the bundled ones), hyphenated in `language` (a primary
    /// language subtag such as `en`).
    pub fn new(fonts: Option<Arc<Fonts>>, language: Option<String>) -> Panel {
        let shaper = match fonts {
            Some(fonts) => Arc::new(Shaper::new(fonts)),
            None => super::bundled_shaper(),
        };
        Panel {
            shaper,
            faces: Vec::new(),
            diags: Diagnostics::new(),
            missing: Mutex::new(BTreeSet::new()),
            language,
        }
    }

    pub fn shaper(&self) -> &Shaper {
        &self.shaper
    }

    fn font_id(&mut self, face: FaceId) -> FontId {
        let i = self
            .faces
            .iter()
            .position(|&f| f == face)
            .unwrap_or_else(|| {
                self.faces.push(face);
                self.faces.len() - 1
            });
        FontId(i as u32)
    }

    /// Sets `text` as one paragraph `measure` wide, its lines' left edge at `x` and the top of
    /// its first line at `top`.
    pub fn paragraph(
        &mut self,
        text: &str,
        style: &TextStyle,
        x: f64,
        top: f64,
        measure: f64,
    ) -> SetText {
        let lines = self.lines(text, style, measure);
        let mut items = Vec::new();
        let mut baseline = top;
        let mut height = 0.0;
        for (i, line) in lines.iter().enumerate() {
            baseline += if i == 0 { line.ascent } else { style.leading };
            height = baseline - top + line.depth;
            self.place(&mut items, line, x, baseline);
        }
        SetText {
            items,
            lines: lines.len(),
            last_baseline: baseline - top,
            height,
        }
    }

    /// The lines of `text` set `measure` wide (unplaced).
    fn lines(&mut self, text: &str, style: &TextStyle, measure: f64) -> Vec<Line> {
        let span = Span::point(FileId(0), 0);
        let piece = super::inline::Piece::plain(
            super::inline::PieceKind::Text(text.to_string()),
            style.style,
            style.size,
            span,
        );
        let paragraph_style = ParagraphStyle {
            measure,
            left: 0.0,
            indent: 0.0,
            align: style.align,
            hyphenate: if style.hyphenate {
                self.language.clone()
            } else {
                None
            },
            leading: style.leading,
        };
        let mut setter = Setter {
            shaper: &self.shaper,
            diags: &mut self.diags,
            missing_reported: &self.missing,
            params: linebreak::Params {
                emergency_stretch: style.size * 1.5,
                ..linebreak::Params::default()
            },
            images: &[],
        };
        paragraph::set(&[piece], &paragraph_style, &mut setter)
    }

    /// Sets `text` on one line (never broken) with its baseline at `y`: starting at `x`,
    /// centred on it or ending at it. Returns the items and the line's width.
    pub fn line(
        &mut self,
        text: &str,
        style: Style,
        size: f64,
        x: f64,
        y: f64,
        align: Align,
    ) -> (Vec<PageItem>, f64) {
        let shaped = self.shaper.shape(text, style);
        let width = shaped.width * size;
        let mut x = match align {
            Align::Left | Align::Justify => x,
            Align::Center => x - width / 2.0,
        };
        let mut items = Vec::new();
        for run in &shaped.runs {
            let (glyphs, text, advance) = super::flow::place_glyphs(&run.glyphs, size);
            items.push(PageItem::Glyphs(GlyphRun {
                font: self.font_id(run.face),
                size,
                x,
                y,
                glyphs,
                text,
            }));
            x += advance;
        }
        (items, width)
    }

    /// How far the ink of `text` reaches above and below its baseline, in ems: (top, bottom),
    /// the bottom negative below the baseline; (0, 0) for text that draws nothing.
    pub fn ink(&self, text: &str, style: Style) -> (f64, f64) {
        let shaped = self.shaper.shape(text, style);
        let fonts = self.shaper.fonts();
        let mut extent: Option<(f64, f64)> = None;
        for run in &shaped.runs {
            for g in &run.glyphs {
                if let Some((top, bottom)) = fonts.ink(run.face, g.id) {
                    let (top, bottom) = (top + g.y_offset, bottom + g.y_offset);
                    extent = Some(match extent {
                        Some((t, b)) => (t.max(top), b.min(bottom)),
                        None => (top, bottom),
                    });
                }
            }
        }
        extent.unwrap_or((0.0, 0.0))
    }

    /// The width of `text` on one line at `size`.
    pub fn width(&self, text: &str, style: Style, size: f64) -> f64 {
        self.shaper.width(text, style) * size
    }

    fn place(&mut self, items: &mut Vec<PageItem>, line: &Line, x: f64, baseline: f64) {
        let x0 = x + line.indent;
        for item in &line.items {
            match item {
                LineItem::Glyphs {
                    x,
                    rise,
                    face,
                    size,
                    glyphs,
                    text,
                } => {
                    let font = self.font_id(*face);
                    items.push(PageItem::Glyphs(GlyphRun {
                        font,
                        size: *size,
                        x: x0 + x,
                        y: baseline - rise,
                        glyphs: glyphs.clone(),
                        text: text.clone(),
                    }));
                }
                LineItem::Rule {
                    x,
                    dy,
                    width,
                    thickness,
                } => items.push(PageItem::Rule {
                    x: x0 + x,
                    y: baseline - dy,
                    width: *width,
                    thickness: *thickness,
                }),
                // Plain text has no images.
                LineItem::Image { .. } => {}
            }
        }
    }

    /// The document of `pages`, with the faces the panel used; and the problems found (a
    /// character in no font).
    pub fn finish(self, pages: Vec<Page>, info: DocumentInfo) -> (Document, Diagnostics) {
        let fonts = self
            .faces
            .iter()
            .map(|&f| self.shaper.fonts().data(f))
            .collect();
        let document = Document {
            pages,
            fonts,
            images: Vec::new(),
            info,
            outline: Vec::new(),
        };
        (document, self.diags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paragraph_fills_its_measure_and_stays_inside_it() {
        let mut panel = Panel::new(None, Some("en".into()));
        let style = TextStyle {
            style: Style::Regular,
            size: 11.0,
            leading: 14.0,
            align: Align::Justify,
            hyphenate: true,
        };
        let text = "Trotsky's March 1933 warning that the Stalinist regime is leading the \
                    Soviet Union towards catastrophe, with the programme of the Left \
                    Opposition for economic retreat and party democracy.";
        let set = panel.paragraph(text, &style, 50.0, 100.0, 200.0);
        assert!(set.lines >= 3, "{} lines", set.lines);
        assert!((set.last_baseline - (set.lines - 1) as f64 * 14.0 - 11.0).abs() < 3.0);
        for item in &set.items {
            let PageItem::Glyphs(run) = item else {
                continue;
            };
            assert!(run.x >= 50.0 - 1e-9);
            let end = run.x + run.glyphs.last().map_or(0.0, |g| g.x);
            assert!(end <= 250.0, "a glyph starts at {end}");
            assert!(run.y > 100.0 && run.y <= 100.0 + set.height);
        }
        let (doc, diags) = panel.finish(Vec::new(), DocumentInfo::default());
        assert!(diags.is_empty());
        assert_eq!(doc.fonts.len(), 1);
    }

    #[test]
    fn a_centred_line_is_centred() {
        let mut panel = Panel::new(None, None);
        let (items, width) = panel.line(
            "Alarm Signal!",
            Style::Regular,
            20.0,
            100.0,
            50.0,
            Align::Center,
        );
        let PageItem::Glyphs(run) = &items[0] else {
            panic!("glyphs");
        };
        assert!((run.x - (100.0 - width / 2.0)).abs() < 1e-9);
        assert_eq!(run.y, 50.0);
    }
}
