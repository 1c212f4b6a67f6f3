//! Laid-out pages: plain data, the typesetter's output and the PDF writer's only input.
//!
//! Coordinates are in PostScript points (1/72 in), measured from the **top-left** corner of the
//! page, y growing downwards; a glyph run's `y` is its baseline. The PDF writer flips them.
//! Every glyph carries the text it stands for, so that the PDF's text layer (ToUnicode) copies
//! and searches correctly: a ligature `fi` carries "fi", the following glyphs of a cluster carry
//! "".

use std::sync::Arc;

/// A whole typeset document.
#[derive(Debug, Clone)]
pub struct Document {
    pub pages: Vec<Page>,
    /// The fonts the pages use, indexed by [`FontId`].
    pub fonts: Vec<FontData>,
    /// The images the pages use, indexed by [`ImageId`].
    pub images: Vec<ImageData>,
    pub info: DocumentInfo,
    /// The outline (bookmarks), in document order.
    pub outline: Vec<OutlineEntry>,
}

/// Metadata for the PDF's document information and XMP.
#[derive(Debug, Clone, Default)]
pub struct DocumentInfo {
    pub title: String,
    pub subtitle: Option<String>,
    pub author: Option<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
    /// BCP 47 language tag, for `/Lang`.
    pub language: String,
    /// Seconds since the Unix epoch: the creation and modification date (never the clock).
    pub date: i64,
    /// `quire 0.1.0`.
    pub creator: String,
    /// The book's identifier, for the XMP and the trailer `/ID` seed.
    pub identifier: String,
}

/// One page.
#[derive(Debug, Clone)]
pub struct Page {
    /// Page size in points.
    pub width: f64,
    pub height: f64,
    /// What the page shows, in painting order.
    pub items: Vec<PageItem>,
    /// Links on the page.
    pub links: Vec<Link>,
    /// The folio as printed (`"7"`, `"iv"`), also used for PDF page labels.
    pub label: String,
}

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum PageItem {
    Glyphs(GlyphRun),
    /// A horizontal rule: from (`x`, `y`) to (`x + width`, `y`), `thickness` thick.
    Rule {
        x: f64,
        y: f64,
        width: f64,
        thickness: f64,
    },
    /// An image scaled into the box whose top-left corner is (`x`, `y`).
    Image {
        image: ImageId,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        alt: String,
    },
}

/// Index into [`Document::fonts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FontId(pub u32);

/// Index into [`Document::images`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageId(pub u32);

/// A run of glyphs of one font and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    pub font: FontId,
    /// Font size in points.
    pub size: f64,
    /// Origin of the run: left end, on the baseline.
    pub x: f64,
    pub y: f64,
    pub glyphs: Vec<Glyph>,
}

/// A positioned glyph.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Glyph id in the font (before subsetting).
    pub id: u16,
    /// Horizontal position of the glyph's origin, from the run's `x`, in points.
    pub x: f64,
    /// Vertical offset from the baseline, in points (positive = up).
    pub rise: f64,
    /// The text this glyph stands for ("" for the second and later glyphs of a cluster).
    pub text: compact_str::CompactString,
}

/// A font as the PDF writer needs it: the whole font file, which it subsets.
#[derive(Debug, Clone)]
pub struct FontData {
    /// The PostScript name (`GentiumBookPlus-Regular`).
    pub name: String,
    /// Fonts live as long as the process (compiled in, or read once and kept), so the
    /// writer borrows them instead of copying megabytes per book.
    pub bytes: &'static [u8],
    /// Index of the face in a collection (0 for a plain TTF/OTF).
    pub index: u32,
}

/// An image as the PDF writer needs it.
#[derive(Debug, Clone)]
pub struct ImageData {
    /// The encoded file (JPEG, PNG, …), decoded by the writer.
    pub bytes: Arc<Vec<u8>>,
    pub pixels: (u32, u32),
}

/// A clickable area.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// Top-left corner and size, in points.
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub target: LinkTarget,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    Uri(String),
    /// A place in the document: page index (0-based) and the y of the top of the view.
    Page {
        page: usize,
        y: f64,
    },
}

/// A bookmark in the PDF outline.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    /// 0-based page index and the y of the heading's top.
    pub page: usize,
    pub y: f64,
    pub children: Vec<OutlineEntry>,
}
