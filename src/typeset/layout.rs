//! Laid-out pages: plain data, the typesetter's output and the PDF writer's only input.
//!
//! Coordinates are in PostScript points (1/72 in), measured from the **top-left** corner of the
//! page, y growing downwards; a glyph run's `y` is its baseline. The PDF writer flips them.
//! Every glyph carries the text it stands for, so that the PDF's text layer (ToUnicode) copies
//! and searches correctly: a ligature `fi` carries "fi", the following glyphs of a cluster carry
//! "".
//!
//! Glyphs are a book's largest data (about 1.8 million for 1000 pages), so a [`Glyph`] is 16
//! bytes: its text lives once per run, in [`GlyphRun::text`], each glyph owning the next
//! [`Glyph::text_len`] bytes of it. Its x stays an `f64`: in `f32` a glyph at the end of a line
//! moves by up to 1.5e-5 pt, invisible, but enough to change the PDF's `TJ` numbers in their
//! last digit and to make the file 3 % larger (less repetitive to compress).

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
    /// Page size in points: the trim, the page as the reader holds it. Items are placed from
    /// its top-left corner, and may reach past it into the bleed.
    pub width: f64,
    pub height: f64,
    /// The printer's sheet around the trim: bleed and crop marks (none by default, when the
    /// PDF page is the trim).
    pub sheet: Sheet,
    /// What the page shows, in painting order.
    pub items: Vec<PageItem>,
    /// Links on the page.
    pub links: Vec<Link>,
    /// The folio as printed (`"7"`, `"iv"`), also used for PDF page labels.
    pub label: String,
}

/// A length on each edge of a rectangle.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Edges {
    pub top: f64,
    pub bottom: f64,
    pub left: f64,
    pub right: f64,
}

impl Edges {
    pub fn all(v: f64) -> Edges {
        Edges {
            top: v,
            bottom: v,
            left: v,
            right: v,
        }
    }
}

/// How a page sits on the printer's sheet.
///
/// The PDF's page boxes (ISO 32000-1, 14.11.2) follow from it, in PDF coordinates (points from
/// the sheet's bottom-left corner, y up):
/// - TrimBox: the page as cut, `width` × `height`;
/// - BleedBox: the trim grown by [`Sheet::bleed`] on each edge (what is printed);
/// - MediaBox: the bleed box, grown on every edge to [`Sheet::MARKS_REACH`] from the trim when
///   there are crop marks (they are drawn between [`Sheet::MARKS_OFFSET`] and `MARKS_REACH`,
///   outside the bleed).
///
/// With no bleed and no marks the three boxes are one.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sheet {
    /// How far the printing reaches beyond the trim on each edge (0 where it does not).
    pub bleed: Edges,
    /// Crop marks at the trim's corners.
    pub crop_marks: bool,
}

/// A rectangle in PDF coordinates: lower-left and upper-right corners.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdfRect {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Sheet {
    /// Where crop marks begin, from the trim: clear of a 0.125 in bleed.
    pub const MARKS_OFFSET: f64 = 12.0;
    /// Where they end, from the trim (the marks are 18 pt long).
    pub const MARKS_REACH: f64 = 30.0;

    /// How far the sheet (the MediaBox) reaches beyond the trim on each edge.
    pub fn margins(&self) -> Edges {
        if self.crop_marks {
            let reach = |b: f64| b.max(Sheet::MARKS_REACH);
            Edges {
                top: reach(self.bleed.top),
                bottom: reach(self.bleed.bottom),
                left: reach(self.bleed.left),
                right: reach(self.bleed.right),
            }
        } else {
            self.bleed
        }
    }

    /// Whether the sheet is the trim (no bleed, no marks).
    pub fn is_trim(&self) -> bool {
        *self == Sheet::default()
    }
}

impl Page {
    /// Where the trim's top-left corner is in PDF coordinates measured from the sheet's
    /// bottom-left corner: `(x, y)` with `x` the room left of the trim and `y` the room below
    /// it. A point (`px`, `py`) of the page is at (`x + px`, `y + height - py`).
    pub fn trim_origin(&self) -> (f64, f64) {
        let m = self.sheet.margins();
        (m.left, m.bottom)
    }

    /// The MediaBox: the whole sheet.
    pub fn media_box(&self) -> PdfRect {
        let m = self.sheet.margins();
        PdfRect {
            x0: 0.0,
            y0: 0.0,
            x1: m.left + self.width + m.right,
            y1: m.bottom + self.height + m.top,
        }
    }

    /// The BleedBox: the trim and its bleed.
    pub fn bleed_box(&self) -> PdfRect {
        let t = self.trim_box();
        let b = self.sheet.bleed;
        PdfRect {
            x0: t.x0 - b.left,
            y0: t.y0 - b.bottom,
            x1: t.x1 + b.right,
            y1: t.y1 + b.top,
        }
    }

    /// Every item of the page, those inside groups too (after their group), in painting
    /// order.
    pub fn all_items(&self) -> AllItems<'_> {
        AllItems {
            stack: vec![self.items.iter()],
        }
    }

    /// The TrimBox: the page as cut.
    pub fn trim_box(&self) -> PdfRect {
        let (x, y) = self.trim_origin();
        PdfRect {
            x0: x,
            y0: y,
            x1: x + self.width,
            y1: y + self.height,
        }
    }
}

/// The iterator of [`Page::all_items`].
pub struct AllItems<'a> {
    stack: Vec<std::slice::Iter<'a, PageItem>>,
}

impl<'a> Iterator for AllItems<'a> {
    type Item = &'a PageItem;

    fn next(&mut self) -> Option<&'a PageItem> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(item) => {
                    if let PageItem::Group(group) = item {
                        self.stack.push(group.items.iter());
                    }
                    return Some(item);
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
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
    /// A filled rectangle whose top-left corner is (`x`, `y`), in the current colour.
    Rect {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
    },
    /// Items drawn in a frame of their own (a turned spine title, white type on a dark
    /// ground, art clipped to its panel).
    Group(Group),
}

/// A group of items: their own frame, an optional clip and colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Where the group's origin is on the page.
    pub x: f64,
    pub y: f64,
    /// The group's frame turned clockwise about its origin: its x axis runs down the page
    /// with [`Turn::Clockwise`] (a spine title read with the book lying face up, as in the US
    /// and UK), up it with [`Turn::CounterClockwise`].
    pub turn: Turn,
    /// Only what falls inside this rectangle of the group's frame shows
    /// (`x`, `y`, `width`, `height`).
    pub clip: Option<(f64, f64, f64, f64)>,
    /// The colour of the group's text and fills (black when `None`).
    pub color: Option<Color>,
    /// In the group's frame: from its origin, y down.
    pub items: Vec<PageItem>,
}

/// A quarter-turn rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Turn {
    #[default]
    None,
    Clockwise,
    CounterClockwise,
}

/// A colour, each component from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Color {
    Gray(f32),
    Rgb(f32, f32, f32),
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
    /// The glyphs' texts, one after the other (see [`Glyph::text_len`]).
    pub text: String,
}

impl GlyphRun {
    /// Each glyph with the text it stands for, in order.
    pub fn glyph_texts(&self) -> GlyphTexts<'_> {
        GlyphTexts {
            glyphs: self.glyphs.iter(),
            text: &self.text,
        }
    }
}

/// The iterator of [`GlyphRun::glyph_texts`]. A run whose lengths overrun its text (only a
/// hand-made one can) gives the glyphs past the end "".
pub struct GlyphTexts<'a> {
    glyphs: std::slice::Iter<'a, Glyph>,
    text: &'a str,
}

impl<'a> Iterator for GlyphTexts<'a> {
    type Item = (&'a Glyph, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let glyph = self.glyphs.next()?;
        let len = usize::from(glyph.text_len);
        let (text, rest) = match self.text.get(..len) {
            Some(text) => (text, &self.text[len..]),
            None => ("", ""),
        };
        self.text = rest;
        Some((glyph, text))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.glyphs.size_hint()
    }
}

/// A positioned glyph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glyph {
    /// Glyph id in the font (before subsetting).
    pub id: u16,
    /// The length in bytes of the text this glyph stands for, in its run's text (0 for the
    /// second and later glyphs of a cluster).
    pub text_len: u16,
    /// Horizontal position of the glyph's origin, from the run's `x`, in points.
    pub x: f64,
    /// Vertical offset from the baseline, in points (positive = up).
    pub rise: f32,
}

// A book holds millions of glyphs: keep them small.
const _: () = assert!(std::mem::size_of::<Glyph>() == 16);

/// Appends `text` to a run's `texts` and returns its length as a [`Glyph::text_len`]. A
/// cluster longer than 65 535 bytes (a letter with thousands of combining marks) keeps only
/// as many whole characters as fit: it still shows, and extracts as far as it can.
pub fn push_text(texts: &mut String, text: &str) -> u16 {
    let mut len = text.len().min(usize::from(u16::MAX));
    while !text.is_char_boundary(len) {
        len -= 1;
    }
    texts.push_str(&text[..len]);
    len as u16
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

/// `n` as a lower-case roman number (front-matter folios, and how the PDF writer reads
/// them back into page labels).
pub fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}
