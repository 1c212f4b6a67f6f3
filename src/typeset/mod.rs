//! The typesetter: a [`Book`] → pages of positioned glyphs ([`layout::Document`]).
//!
//! ```text
//! font, shape, hyphenate      the faces, rustybuzz shaping (cached), Liang hyphenation
//! inline                      a paragraph's inlines → styled pieces
//! paragraph                   pieces → boxes/glue/penalties → linebreak (Knuth–Plass) → lines
//! blocks                      every block kind → the vertical list (lines, spaces, breaks)
//! flow                        the vertical list: lines, spaces, breaks, keeps, note marks
//! pages                       the vertical list → pages: grid, keeps, footnotes, spreads
//! compose                     pages → layout::Document: margins, heads, folios, links, outline
//! (here)                      the order: parts in parallel, body pages, contents, front pages
//! ```
//!
//! The shaper is the single source of glyph ids and advances: the line breaker measures with
//! them and the PDF writer emits exactly them. The PDF writer reads only [`layout`].

mod blocks;
mod compose;
pub mod flow;
pub mod font;
pub mod hyphenate;
mod inline;
pub mod layout;
pub mod linebreak;
pub mod pages;
pub mod panel;
mod paragraph;
pub mod shape;

use crate::diag::Diagnostics;
use crate::model::{Book, ImageFormat};
use flow::Flow;
use font::Fonts;
use layout::Document;
use shape::Shaper;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

pub use compose::furniture_reach;

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

/// The process-wide shaper of a set of font files: books that name the same files (a
/// workspace's house fonts) share the parsed faces and the word cache, as books in the bundled
/// fonts share [`bundled_shaper`]. Font sets are told apart by their bytes (identical files
/// share one copy, see `font::keep_alive`); each set's shaper lives for the rest of the process.
pub fn shared_shaper(fonts: &Arc<Fonts>) -> Arc<Shaper> {
    type Shapers = Vec<(Vec<(usize, usize, u32)>, Arc<Shaper>)>;
    static SHAPERS: std::sync::Mutex<Shapers> = std::sync::Mutex::new(Vec::new());
    let identity = fonts.identity();
    let mut shapers = SHAPERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, shaper)) = shapers.iter().find(|(id, _)| *id == identity) {
        return Arc::clone(shaper);
    }
    let shaper = Arc::new(Shaper::new(Arc::clone(fonts)));
    shapers.push((identity, Arc::clone(&shaper)));
    shaper
}

/// Typesets a book (with a fresh shaper for `options.fonts`, or the bundled one).
pub fn typeset(book: &Book, options: &TypesetOptions) -> Typeset {
    let shaper = match &options.fonts {
        Some(fonts) => Arc::new(Shaper::new(Arc::clone(fonts))),
        None => bundled_shaper(),
    };
    typeset_with(book, options, &shaper)
}

/// Typesets a book with the given shaper, whose fonts stand for `options.fonts`.
pub fn typeset_with(book: &Book, options: &TypesetOptions, shaper: &Arc<Shaper>) -> Typeset {
    let shaper = Arc::clone(shaper);
    let missing = std::sync::Mutex::new(BTreeSet::new());
    let images: Vec<Option<(u32, u32)>> = book.assets.iter().map(|a| a.pixels).collect();
    let page = options.page;
    let measure = page.width - page.inner - page.outer;
    let block_height = page.height - page.top - page.bottom;
    let body_style = blocks::Body {
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
    // One part of the book into its vertical list and its notes' lists: `None` for the
    // title pages and front matter, `Some(i)` for division `i`. Parts are independent, so
    // they are set in parallel.
    let set_part = |part: Option<usize>| -> SetPart {
        let mut diags = Diagnostics::new();
        let mut setter = paragraph::Setter {
            shaper: &shaper,
            diags: &mut diags,
            missing_reported: &missing,
            params,
            images: &images,
        };
        let mut b = blocks::Blocks::new(&mut setter, book, body_style, language.clone());
        b.only_notes_of(&homes, part);
        match part {
            None => {
                let author = book.meta.author_line();
                b.title_pages(
                    &book.meta.title,
                    book.meta.subtitle.as_deref(),
                    author.as_deref(),
                );
                b.copyright_page(&copyright(book, &shaper));
                if !book.front.is_empty() {
                    b.front(&book.front);
                }
            }
            Some(i) => b.division(&book.divisions[i]),
        }
        b.set_notes();
        let flow = std::mem::take(&mut b.flow);
        let notes = std::mem::take(&mut b.notes);
        drop(b);
        (flow, notes, diags)
    };
    let parts: Vec<Option<usize>> = std::iter::once(None)
        .chain((0..book.divisions.len()).map(Some))
        .collect();
    let results = crate::parallel::map(&parts, |&part| set_part(part));
    let mut diagnostics = Diagnostics::new();
    let mut front = Vec::new();
    let mut body = Vec::new();
    let mut note_lists: Vec<Vec<Flow>> = vec![Vec::new(); book.notes.len()];
    for (k, (part_flow, notes, diags)) in results.into_iter().enumerate() {
        if k == 0 {
            front = part_flow;
        } else {
            body.extend(part_flow);
        }
        for (number, list) in notes {
            if let Some(slot) = note_lists.get_mut((number as usize).wrapping_sub(1)) {
                *slot = list;
            }
        }
        diagnostics.extend(diags);
    }
    let frame = pages::Frame {
        height: block_height,
        grid: options.leading,
        first_baseline: (options.leading * 0.75).max(options.body_size * 0.8),
        note_skip: options.leading + options.body_size * 0.75,
        note_gap: options.leading * 0.15,
        max_notes: 0.6,
    };
    let notes = pages::Notes::new(&note_lists);
    let mut body_pages = pages::paginate(&body, &notes, frame);
    if !body_pages.len().is_multiple_of(2) {
        // A printed book is made of leaves: the last page is a verso, blank if need be.
        body_pages.push(pages::PageBox {
            blank: true,
            ..pages::PageBox::default()
        });
    }
    // The contents, now that the body's folios are known.
    let entries = contents_entries(&body, &body_pages);
    if !entries.is_empty() {
        let mut setter = paragraph::Setter {
            shaper: &shaper,
            diags: &mut diagnostics,
            missing_reported: &missing,
            params,
            images: &images,
        };
        let mut b = blocks::Blocks::new(&mut setter, book, body_style, language.clone());
        b.contents(contents_title(&book.meta.language.primary()), &entries);
        front.append(&mut b.flow);
    }
    let mut front_pages = pages::paginate(&front, &notes, frame);
    if !front_pages.len().is_multiple_of(2) {
        // The body starts on a recto.
        front_pages.push(pages::PageBox {
            blank: true,
            ..pages::PageBox::default()
        });
    }
    drop(notes);
    let composed = compose::compose(
        book,
        vec![
            compose::Sequence {
                flow: front,
                pages: front_pages,
                numbering: compose::Numbering::Roman,
            },
            compose::Sequence {
                flow: body,
                pages: body_pages,
                numbering: compose::Numbering::Arabic,
            },
        ],
        note_lists,
        &shaper,
        options,
    );
    Typeset {
        document: composed.document,
        diagnostics,
        pages: composed.print_pages,
    }
}

/// A part of the book set: its vertical list, its notes' lists (by number), its problems.
type SetPart = (Vec<Flow>, Vec<(u32, Vec<Flow>)>, Diagnostics);

/// The contents: every division and section heading of the body, with its folio.
fn contents_entries(body: &[Flow], pages: &[pages::PageBox]) -> Vec<blocks::ContentsEntry> {
    let mut entries = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for placed in &page.body {
            if let Some(Flow::Line(line)) = body.get(placed.index)
                && let Some(mark) = &line.heading
                && let Some(anchor) = &mark.anchor
            {
                entries.push(blocks::ContentsEntry {
                    level: mark.level,
                    title: mark.title.clone(),
                    anchor: anchor.clone(),
                    folio: compose::Numbering::Arabic.folio(p + 1),
                });
            }
        }
    }
    entries
}

/// "Contents" in the book's language (English for the languages quire does not know).
fn contents_title(language: &str) -> &'static str {
    match language {
        "de" => "Inhalt",
        "fr" => "Table des matières",
        "es" => "Índice",
        "it" => "Indice",
        "pt" => "Sumário",
        "nl" => "Inhoud",
        "ru" => "Содержание",
        _ => "Contents",
    }
}

/// The copyright page's paragraphs: title and author, rights, source, identifier, date and
/// the typesetter with the body face.
fn copyright(book: &Book, shaper: &Shaper) -> Vec<String> {
    let meta = &book.meta;
    let mut out = Vec::new();
    let mut title = meta.title.clone();
    if let Some(sub) = &meta.subtitle {
        let joint = if title.ends_with(['!', '?', '.']) {
            " "
        } else {
            ": "
        };
        title = format!("{title}{joint}{sub}");
    }
    match meta.author_line() {
        Some(author) => out.push(format!("{title}, by {author}.")),
        None => out.push(format!("{title}.")),
    }
    if let Some(date) = &meta.date {
        out.push(format!("First published {date}."));
    }
    if let Some(rights) = &meta.rights {
        out.push(rights.clone());
    }
    if let Some(source) = &meta.source {
        out.push(format!("Source: {source}."));
    }
    out.push(meta.identifier.0.clone());
    let fonts = shaper.fonts();
    out.push(format!(
        "Typeset with quire {} in {}.",
        env!("CARGO_PKG_VERSION"),
        fonts.family(fonts.face(font::Style::Regular))
    ));
    out
}

/// Whether the PDF can show an image of this format (SVG cannot be drawn yet).
pub fn can_draw(format: ImageFormat) -> bool {
    format != ImageFormat::Svg
}

#[cfg(test)]
mod tests;
