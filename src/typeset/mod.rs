//! The typesetter: a [`Book`] → pages of positioned glyphs ([`layout::Document`]).
//!
//! ```text
//! font, shape, hyphenate      the faces, rustybuzz shaping (cached), Liang hyphenation
//! inline                      a paragraph's inlines → styled pieces
//! paragraph                   pieces → boxes/glue/penalties → linebreak (Knuth–Plass) → lines
//! blocks                      every block kind → the vertical list (lines, spaces, breaks)
//! flow                        the vertical list → pages
//! (here)                      pages → layout::Document: margins, folios, links, outline
//! ```
//!
//! The shaper is the single source of glyph ids and advances: the line breaker measures with
//! them and the PDF writer emits exactly them. The PDF writer reads only [`layout`].

mod blocks;
pub mod flow;
pub mod font;
pub mod hyphenate;
mod inline;
pub mod layout;
pub mod linebreak;
mod paragraph;
pub mod shape;

use crate::diag::Diagnostics;
use crate::model::{AnchorId, Book, ImageFormat};
use flow::{LineItem, LinkGoal};
use font::{FaceId, Fonts, Style};
use layout::{
    Document, DocumentInfo, FontId, GlyphRun, ImageData, ImageId, Link, LinkTarget, OutlineEntry,
    Page, PageItem,
};
use shape::Shaper;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

/// Page size and margins, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageGeometry {
    pub width: f64,
    pub height: f64,
    pub top: f64,
    pub bottom: f64,
    /// The gutter side: left on right-hand (odd) pages, right on left-hand pages.
    pub inner: f64,
    pub outer: f64,
}

impl PageGeometry {
    /// A page of the given trim size with the default margins (¾ in top and outside, ⅞ in
    /// inside, 1 in at the foot).
    pub fn for_trim(width: f64, height: f64) -> Self {
        Self {
            width,
            height,
            ..Self::default()
        }
    }
}

impl Default for PageGeometry {
    /// 6 × 9 in (US trade), with margins of ¾ in top and outside, ⅞ in inside, 1 in at the
    /// foot (where the folio sits): a 315 pt measure, about 65 characters of 11 pt text.
    fn default() -> Self {
        Self {
            width: 432.0,
            height: 648.0,
            top: 54.0,
            bottom: 72.0,
            inner: 63.0,
            outer: 54.0,
        }
    }
}

/// What to typeset with.
#[derive(Debug, Clone)]
pub struct TypesetOptions {
    pub page: PageGeometry,
    /// Body text size and baseline-to-baseline distance, in points.
    pub body_size: f64,
    pub leading: f64,
    /// The fonts; `None` for the bundled ones (shared by the whole process).
    pub fonts: Option<Arc<Fonts>>,
}

impl Default for TypesetOptions {
    fn default() -> Self {
        Self {
            page: PageGeometry::default(),
            body_size: 11.0,
            leading: 14.0,
            fonts: None,
        }
    }
}

/// The result: the document, and the problems found while setting it.
#[derive(Debug)]
pub struct Typeset {
    pub document: Document,
    pub diagnostics: Diagnostics,
    /// Where each page that begins with the book's text begins, in page order (for the
    /// EPUB's page-list).
    pub pages: Vec<crate::model::PrintPage>,
}

/// The process-wide shaper of the bundled fonts: fonts are parsed and words shaped once per
/// process, whatever the number of books built.
pub fn bundled_shaper() -> Arc<Shaper> {
    static SHAPER: OnceLock<Arc<Shaper>> = OnceLock::new();
    Arc::clone(SHAPER.get_or_init(|| Arc::new(Shaper::new(Fonts::bundled()))))
}

/// Typesets a book.
pub fn typeset(book: &Book, options: &TypesetOptions) -> Typeset {
    let shaper = match &options.fonts {
        Some(fonts) => Arc::new(Shaper::new(Arc::clone(fonts))),
        None => bundled_shaper(),
    };
    let missing = std::sync::Mutex::new(BTreeSet::new());
    let images: Vec<Option<(u32, u32)>> = book.assets.iter().map(|a| a.pixels).collect();
    let page = options.page;
    let measure = page.width - page.inner - page.outer;
    let block_height = page.height - page.top - page.bottom;
    let body = blocks::Body {
        size: options.body_size,
        leading: options.leading,
        measure,
        indent: options.body_size * 1.2,
        block_height,
    };
    let params = linebreak::Params {
        emergency_stretch: options.body_size * 1.5,
        ..linebreak::Params::default()
    };
    let language = Some(book.meta.language.primary());
    let homes = blocks::note_homes(book);
    // One part of the book into the vertical list: `None` for the title page and front
    // matter, `Some(i)` for division `i`. Parts are independent, so they are set in parallel.
    let set_part = |part: Option<usize>| -> (Vec<flow::Flow>, Diagnostics) {
        let mut diags = Diagnostics::new();
        let mut setter = paragraph::Setter {
            shaper: &shaper,
            diags: &mut diags,
            missing_reported: &missing,
            params,
            images: &images,
        };
        let mut b = blocks::Blocks::new(&mut setter, book, body, language.clone());
        b.only_notes_of(&homes, part);
        match part {
            None => {
                let author = book.meta.author_line();
                b.title_page(
                    &book.meta.title,
                    book.meta.subtitle.as_deref(),
                    author.as_deref(),
                );
                if !book.front.is_empty() {
                    b.front(&book.front);
                    b.front_notes(&book.front);
                }
            }
            Some(i) => b.division(&book.divisions[i]),
        }
        let flow = std::mem::take(&mut b.flow);
        drop(b);
        (flow, diags)
    };
    let parts: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..book.divisions.len()).map(Some))
        .collect();
    let results = crate::parallel::map(&parts, |&part| set_part(part));
    let mut diagnostics = Diagnostics::new();
    let mut flow = Vec::new();
    for (part_flow, diags) in results {
        flow.extend(part_flow);
        diagnostics.extend(diags);
    }
    let pages = flow::paginate(
        &flow,
        flow::Block {
            top: page.top,
            height: block_height,
        },
    );
    let document = compose(book, flow, &pages, &shaper, options);
    Typeset {
        document,
        diagnostics,
        pages: Vec::new(),
    }
}

/// Places the paginated lines on pages with their margins, folios, links and outline.
fn compose(
    book: &Book,
    mut flow: Vec<flow::Flow>,
    pages: &[Vec<flow::Placed>],
    shaper: &Shaper,
    options: &TypesetOptions,
) -> Document {
    let geometry = options.page;
    let mut fonts: Vec<FaceId> = Vec::new();
    let mut font_id = |face: FaceId| -> FontId {
        let i = fonts.iter().position(|&f| f == face).unwrap_or_else(|| {
            fonts.push(face);
            fonts.len() - 1
        });
        FontId(i as u32)
    };
    let mut images: Vec<usize> = Vec::new();
    let mut anchors: BTreeMap<AnchorId, (usize, f64)> = BTreeMap::new();
    let mut pending_links: Vec<(usize, Link, AnchorId)> = Vec::new();
    let mut outline: Vec<OutlineEntry> = Vec::new();
    let mut out_pages = Vec::with_capacity(pages.len());
    for (p, placed) in pages.iter().enumerate() {
        let number = p + 1;
        let left = if number % 2 == 1 {
            geometry.inner
        } else {
            geometry.outer
        };
        let mut page = Page {
            width: geometry.width,
            height: geometry.height,
            items: Vec::new(),
            links: Vec::new(),
            label: number.to_string(),
        };
        for pl in placed {
            let flow::Flow::Line(line) =
                std::mem::replace(&mut flow[pl.index], flow::Flow::Space(0.0))
            else {
                continue;
            };
            let x0 = left + line.indent;
            let baseline = geometry.top + pl.baseline;
            let top = baseline - line.ascent;
            for id in &line.anchors {
                anchors.entry(id.clone()).or_insert((p, top));
            }
            if let Some((level, title)) = &line.outline {
                let entry = OutlineEntry {
                    title: title.clone(),
                    page: p,
                    y: top,
                    children: Vec::new(),
                };
                match (level, outline.last_mut()) {
                    (2, Some(parent)) => parent.children.push(entry),
                    _ => outline.push(entry),
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
                    } => PageItem::Glyphs(GlyphRun {
                        font: font_id(face),
                        size,
                        x: x0 + x,
                        y: baseline - rise,
                        glyphs,
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
                        let i = images.iter().position(|&a| a == asset).unwrap_or_else(|| {
                            images.push(asset);
                            images.len() - 1
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
                    LinkGoal::Anchor(id) => pending_links.push((p, rect, id.clone())),
                }
            }
        }
        // The folio, centred at the foot.
        folio(
            &mut page,
            &number.to_string(),
            shaper,
            &mut font_id,
            geometry,
        );
        out_pages.push(page);
    }
    for (p, link, id) in pending_links {
        if let Some(&(page, y)) = anchors.get(&id) {
            out_pages[p].links.push(Link {
                target: LinkTarget::Page { page, y },
                ..link
            });
        }
    }
    let meta = &book.meta;
    Document {
        pages: out_pages,
        fonts: fonts.iter().map(|&f| shaper.fonts().data(f)).collect(),
        images: images
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
        outline,
    }
}

fn folio(
    page: &mut Page,
    text: &str,
    shaper: &Shaper,
    font_id: &mut impl FnMut(FaceId) -> FontId,
    geometry: PageGeometry,
) {
    let size = 9.5;
    let shaped = shaper.shape(text, Style::Regular);
    let width = shaped.width * size;
    let mut x = (geometry.width - width) / 2.0;
    let y = geometry.height - geometry.bottom + 30.0;
    for run in &shaped.runs {
        let (glyphs, gx) = flow::place_glyphs(&run.glyphs, size);
        page.items.push(PageItem::Glyphs(GlyphRun {
            font: font_id(run.face),
            size,
            x,
            y,
            glyphs,
        }));
        x += gx;
    }
}

/// Whether the PDF can show an image of this format (SVG cannot be drawn yet).
pub fn can_draw(format: ImageFormat) -> bool {
    format != ImageFormat::Svg
}

#[cfg(test)]
mod tests;
