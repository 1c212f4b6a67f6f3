//! Pages of the makeup → the laid-out [`Document`]: margins, running heads, folios, footnote
//! rules, links, the outline and the places where pages begin.
//!
//! - Rectos (odd pages) have the gutter on the left, versos on the right.
//! - A normal page has its running head centred above the text block (the book's title on
//!   versos, the current section, or part, on rectos) with the folio in the outer corner; an
//!   opener has no head and its folio centred at the foot; a plain page and a blank page
//!   have neither. A head too wide for its line is cut at a word with an ellipsis.

use super::flow::{Flow, Line, LineItem, LinkGoal, PageStyle};
use super::font::{FaceId, Style};
use super::layout::{
    Document, DocumentInfo, FontId, GlyphRun, ImageData, ImageId, Link, LinkTarget, OutlineEntry,
    Page, PageItem,
};
use super::pages::PageBox;
use super::shape::Shaper;
use super::{PageGeometry, TypesetOptions};
use crate::model::{AnchorId, Book, PrintPage};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Size of running heads and folios.
const FURNITURE_SIZE: f64 = 9.5;

/// The running head's baseline, above the text block's top.
const HEAD_RAISE: f64 = 24.0;

/// An opener's folio's baseline, below the text block's bottom.
const FOOT_DROP: f64 = 30.0;

/// How far running heads and folios reach beyond the text block: above its top (the head's
/// baseline and its ascent) and below its bottom (an opener's folio and its descent). Margins
/// must hold them, as print services count them as content.
pub fn furniture_reach(fonts: &super::font::Fonts) -> (f64, f64) {
    let ascent = [Style::Regular, Style::Italic]
        .into_iter()
        .map(|s| fonts.metrics(fonts.face(s)).ascender)
        .fold(0.0, f64::max);
    let descent = -fonts.metrics(fonts.face(Style::Regular)).descender;
    (
        HEAD_RAISE + ascent * FURNITURE_SIZE,
        FOOT_DROP + descent * FURNITURE_SIZE,
    )
}

/// One run of pages: its vertical list, its pages and how its folios are numbered.
pub struct Sequence {
    pub flow: Vec<Flow>,
    pub pages: Vec<PageBox>,
    pub numbering: Numbering,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// i, ii, iii …
    Roman,
    /// 1, 2, 3 …
    Arabic,
}

impl Numbering {
    pub fn folio(self, n: usize) -> String {
        match self {
            Numbering::Arabic => n.to_string(),
            Numbering::Roman => super::layout::roman(n),
        }
    }
}

/// What composing gives: the document and where its text pages begin.
pub struct Composed {
    pub document: Document,
    pub print_pages: Vec<PrintPage>,
}

struct Composer<'a> {
    book: &'a Book,
    shaper: &'a Shaper,
    geometry: PageGeometry,
    fonts: Vec<FaceId>,
    images: Vec<usize>,
    anchors: BTreeMap<AnchorId, (usize, f64)>,
    pending_links: Vec<(usize, Link, AnchorId)>,
    outline: Vec<OutlineEntry>,
    pages: Vec<Page>,
    print_pages: Vec<PrintPage>,
    /// The running-head titles in effect: the division's and the section's.
    division_head: Option<String>,
    section_head: Option<String>,
}

/// Places the sequences' pages one after the other.
pub fn compose(
    book: &Book,
    sequences: Vec<Sequence>,
    mut notes: Vec<Vec<Flow>>,
    shaper: &Shaper,
    options: &TypesetOptions,
) -> Composed {
    let mut c = Composer {
        book,
        shaper,
        geometry: options.page,
        fonts: Vec::new(),
        images: Vec::new(),
        anchors: BTreeMap::new(),
        pending_links: Vec::new(),
        outline: Vec::new(),
        pages: Vec::new(),
        print_pages: Vec::new(),
        division_head: None,
        section_head: None,
    };
    for mut seq in sequences {
        for (k, page) in seq.pages.iter().enumerate() {
            let label = seq.numbering.folio(k + 1);
            c.page(page, &label, &mut seq.flow, &mut notes);
        }
    }
    c.finish()
}

impl Composer<'_> {
    fn font_id(&mut self, face: FaceId) -> FontId {
        let i = self
            .fonts
            .iter()
            .position(|&f| f == face)
            .unwrap_or_else(|| {
                self.fonts.push(face);
                self.fonts.len() - 1
            });
        FontId(i as u32)
    }

    fn page(&mut self, layout: &PageBox, label: &str, flow: &mut [Flow], notes: &mut [Vec<Flow>]) {
        let g = self.geometry;
        let p = self.pages.len();
        let recto = p.is_multiple_of(2);
        let left = if recto { g.inner } else { g.outer };
        let mut page = Page {
            width: g.width,
            height: g.height,
            sheet: Default::default(),
            items: Vec::new(),
            links: Vec::new(),
            label: label.to_string(),
        };
        if layout.blank {
            self.pages.push(page);
            return;
        }
        let at_top = self.section_head.clone().or(self.division_head.clone());
        let mut first_section: Option<String> = None;
        let mut start = None;
        for placed in &layout.body {
            let Some(Flow::Line(line)) = flow.get_mut(placed.index) else {
                continue;
            };
            let line = std::mem::take(line);
            if start.is_none() {
                start = line.start;
            }
            if let Some(mark) = &line.heading {
                match mark.level {
                    1 => {
                        self.division_head = Some(mark.running.clone());
                        self.section_head = None;
                    }
                    _ => {
                        self.section_head = Some(mark.running.clone());
                        first_section.get_or_insert(mark.running.clone());
                    }
                }
            }
            self.line(&mut page, line, left, g.top + placed.baseline);
        }
        if let Some(y) = layout.rule {
            let measure = g.width - g.inner - g.outer;
            page.items.push(PageItem::Rule {
                x: left,
                y: g.top + y,
                width: (measure * 0.3).min(90.0),
                thickness: 0.4,
            });
        }
        for placed in &layout.notes {
            let list = notes.get_mut((placed.note as usize).wrapping_sub(1));
            let Some(Flow::Line(line)) = list.and_then(|l| l.get_mut(placed.line.index)) else {
                continue;
            };
            let line = std::mem::take(line);
            self.line(&mut page, line, left, g.top + placed.line.baseline);
        }
        if let Some(at) = start {
            self.print_pages.push(PrintPage {
                label: label.to_string(),
                at,
            });
        }
        match layout.style {
            PageStyle::Normal => {
                let head = if recto {
                    first_section.or(at_top).or(self.division_head.clone())
                } else {
                    Some(self.book.meta.title.clone())
                };
                self.running_head(&mut page, head.as_deref(), label, recto);
            }
            PageStyle::Opener => {
                let y = g.height - g.bottom + FOOT_DROP;
                self.text(
                    &mut page,
                    label,
                    Style::Regular,
                    g.width / 2.0,
                    y,
                    Align::Center,
                );
            }
            PageStyle::Plain => {}
        }
        self.pages.push(page);
    }

    /// The head line of a normal page: the title centred over the text block, the folio in
    /// the outer corner.
    fn running_head(&mut self, page: &mut Page, head: Option<&str>, folio: &str, recto: bool) {
        let g = self.geometry;
        let (left, right) = if recto {
            (g.inner, g.width - g.outer)
        } else {
            (g.outer, g.width - g.inner)
        };
        let y = g.top - HEAD_RAISE;
        let folio_room = self.shaper.width("0000", Style::Regular) * FURNITURE_SIZE + 12.0;
        if let Some(head) = head {
            let room = right - left - 2.0 * folio_room;
            let head = fit(head, room, |t| {
                self.shaper.width(t, Style::Italic) * FURNITURE_SIZE
            });
            self.text(
                page,
                &head,
                Style::Italic,
                (left + right) / 2.0,
                y,
                Align::Center,
            );
        }
        if recto {
            self.text(page, folio, Style::Regular, right, y, Align::Right);
        } else {
            self.text(page, folio, Style::Regular, left, y, Align::Left);
        }
    }

    /// Sets a short text at (`x`, `y`) (baseline), aligned on `x`.
    fn text(&mut self, page: &mut Page, text: &str, style: Style, x: f64, y: f64, align: Align) {
        let shaped = self.shaper.shape(text, style);
        let width = shaped.width * FURNITURE_SIZE;
        let mut x = match align {
            Align::Left => x,
            Align::Center => x - width / 2.0,
            Align::Right => x - width,
        };
        for run in &shaped.runs {
            let (glyphs, text, advance) = super::flow::place_glyphs(&run.glyphs, FURNITURE_SIZE);
            let font = self.font_id(run.face);
            page.items.push(PageItem::Glyphs(GlyphRun {
                font,
                size: FURNITURE_SIZE,
                x,
                y,
                glyphs,
                text,
            }));
            x += advance;
        }
    }

    /// Places a line whose left edge is `left` (before its indent) and baseline `baseline`.
    fn line(&mut self, page: &mut Page, line: Line, left: f64, baseline: f64) {
        let p = self.pages.len();
        let x0 = left + line.indent;
        let top = baseline - line.ascent;
        for id in &line.anchors {
            self.anchors.entry(id.clone()).or_insert((p, top));
        }
        if let Some(mark) = &line.heading {
            let entry = OutlineEntry {
                title: mark.title.clone(),
                page: p,
                y: top,
                children: Vec::new(),
            };
            match (mark.level, self.outline.last_mut()) {
                (2, Some(parent)) => parent.children.push(entry),
                _ => self.outline.push(entry),
            }
        }
        for item in line.items {
            page.items.push(match item {
                LineItem::Glyphs {
                    x,
                    rise,
                    face,
                    size,
                    glyphs,
                    text,
                } => PageItem::Glyphs(GlyphRun {
                    font: self.font_id(face),
                    size,
                    x: x0 + x,
                    y: baseline - rise,
                    glyphs,
                    text,
                }),
                LineItem::Rule {
                    x,
                    dy,
                    width,
                    thickness,
                } => PageItem::Rule {
                    x: x0 + x,
                    y: baseline - dy,
                    width,
                    thickness,
                },
                LineItem::Image {
                    asset,
                    x,
                    width,
                    height,
                    alt,
                } => {
                    let i = self
                        .images
                        .iter()
                        .position(|&a| a == asset)
                        .unwrap_or_else(|| {
                            self.images.push(asset);
                            self.images.len() - 1
                        });
                    PageItem::Image {
                        image: ImageId(i as u32),
                        x: x0 + x,
                        y: baseline - height,
                        width,
                        height,
                        alt,
                    }
                }
            });
        }
        for link in &line.links {
            let rect = Link {
                x: x0 + link.x,
                y: top,
                width: link.width,
                height: line.ascent + line.depth,
                target: LinkTarget::Uri(String::new()),
            };
            match &link.goal {
                LinkGoal::Uri(uri) => page.links.push(Link {
                    target: LinkTarget::Uri(uri.clone()),
                    ..rect
                }),
                LinkGoal::Anchor(id) => self.pending_links.push((p, rect, id.clone())),
            }
        }
    }

    fn finish(mut self) -> Composed {
        for (p, link, id) in std::mem::take(&mut self.pending_links) {
            if let Some(&(page, y)) = self.anchors.get(&id) {
                self.pages[p].links.push(Link {
                    target: LinkTarget::Page { page, y },
                    ..link
                });
            }
        }
        let book = self.book;
        let meta = &book.meta;
        let document = Document {
            pages: self.pages,
            fonts: self
                .fonts
                .iter()
                .map(|&f| self.shaper.fonts().data(f))
                .collect(),
            images: self
                .images
                .iter()
                .map(|&a| {
                    let asset = &book.assets[a];
                    ImageData {
                        bytes: Arc::new(asset.bytes.clone()),
                        pixels: asset.pixels.unwrap_or((1, 1)),
                    }
                })
                .collect(),
            info: DocumentInfo {
                title: meta.title.clone(),
                subtitle: meta.subtitle.clone(),
                author: meta.author_line(),
                subject: meta.description.clone(),
                keywords: meta.subjects.clone(),
                language: meta.language.as_str().to_string(),
                date: meta.modified,
                creator: format!("quire {}", env!("CARGO_PKG_VERSION")),
                identifier: meta.identifier.0.clone(),
            },
            outline: self.outline,
        };
        Composed {
            document,
            print_pages: self.print_pages,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// `text` if it is at most `room` wide, else cut after a word with an ellipsis.
pub fn fit(text: &str, room: f64, width: impl Fn(&str) -> f64) -> String {
    if width(text) <= room {
        return text.to_string();
    }
    let words: Vec<&str> = text.split(' ').collect();
    for n in (1..words.len()).rev() {
        let cut = words[..n]
            .join(" ")
            .trim_end_matches([',', ';', ':', '.', '–', '—', '-'])
            .to_string()
            + "…";
        if width(&cut) <= room {
            return cut;
        }
    }
    // Not even one word fits: cut inside it.
    let mut cut = String::new();
    for c in text.chars() {
        let mut next = cut.clone();
        next.push(c);
        if width(&format!("{next}…")) > room {
            break;
        }
        cut = next;
    }
    cut + "…"
}
