//! The document model: what a book *is*, independent of Markdown, XHTML and PDF.
//!
//! The manuscript stage builds a [`Book`]; the EPUB writer and the typesetter only read it.
//! Structure, from the top:
//!
//! - [`Metadata`]: title, authors, language, identifier, dates, rights (from `book.toml`, front
//!   matter and command-line flags, already merged and validated).
//! - `front`: blocks that come before the first top-level heading (an epigraph, a dedication).
//! - [`Division`]s: the top-level divisions (`#` headings), parts or chapters. A division has
//!   its own `intro` blocks and its [`Section`]s (`##` headings).
//! - [`Block`]s and [`Inline`]s, each with the [`Span`] of the Markdown that made it.
//! - [`Note`]s, numbered 1, 2, … in order of first reference; [`InlineKind::NoteRef`] points
//!   at them by [`NoteId`], which is the index into [`Book::notes`].
//! - [`Asset`]s: images, loaded and checked, referenced by [`AssetId`].
//!
//! Invariants the writers may rely on:
//! - every [`AnchorId`] (heading ids and explicit anchors) is unique in the book and is a valid
//!   XML `id` (ASCII letters, digits, `-`, `_`, starting with a letter);
//! - every [`LinkTarget::Internal`] names an anchor that exists in the book (unresolved links
//!   were turned into plain text by the manuscript stage, with a warning);
//! - every `NoteRef` points at a note that exists, and every note is referenced at least once;
//! - text holds no raw markup: writers escape it themselves.

mod meta;
mod print;

pub use meta::{
    Creator, CreatorRole, Date, Identifier, Language, Metadata, civil_from_unix, unix_from_civil,
};
pub use print::{PrintPage, TextPosition};

use crate::diag::Span;

/// A whole book, ready for the writers.
#[derive(Debug, Clone, PartialEq)]
pub struct Book {
    pub meta: Metadata,
    /// Blocks before the first top-level division.
    pub front: Vec<Block>,
    pub divisions: Vec<Division>,
    /// The notes, in order of first reference: `notes[i].number == i + 1`.
    pub notes: Vec<Note>,
    /// The images the book uses, in order of first use.
    pub assets: Vec<Asset>,
}

impl Book {
    pub fn note(&self, id: NoteId) -> &Note {
        &self.notes[id.0 as usize]
    }

    pub fn asset(&self, id: AssetId) -> &Asset {
        &self.assets[id.0 as usize]
    }
}

/// A unique, XML-safe identifier of a place in the book (a heading or an explicit anchor).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AnchorId(pub String);

impl AnchorId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AnchorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a top-level division is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivisionKind {
    /// A part (`# Part I`, or a heading with the class `.part`): groups sections, opens on a
    /// page of its own in print.
    Part,
    /// A chapter.
    Chapter,
}

/// A top-level division of the book (`#` heading).
#[derive(Debug, Clone, PartialEq)]
pub struct Division {
    pub kind: DivisionKind,
    pub heading: Heading,
    /// Blocks between the division heading and its first section.
    pub intro: Vec<Block>,
    pub sections: Vec<Section>,
    pub span: Span,
}

/// A section of a division (`##` heading).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: Heading,
    pub blocks: Vec<Block>,
    pub span: Span,
}

/// A heading: its text, its id and the optional short form for running heads and contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// 1 for divisions, 2 for sections, 3–6 for headings inside sections.
    pub level: u8,
    pub id: AnchorId,
    pub content: Vec<Inline>,
    /// A short title given in the manuscript (`{short="…"}`), for running heads.
    pub short_title: Option<String>,
    /// Extra classes given in the manuscript (`{.unnumbered}`), kept for the writers' styles.
    pub classes: Vec<String>,
    pub span: Span,
}

impl Heading {
    /// The heading as plain text (for the contents, outlines and metadata).
    pub fn plain_text(&self) -> String {
        plain_text(&self.content)
    }
}

/// A block-level element, with the span of the Markdown that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    Paragraph(Vec<Inline>),
    /// A heading below section level (`###` to `######`).
    Heading(Heading),
    List(List),
    BlockQuote(Vec<Block>),
    /// A code block: `text` is verbatim, with its final newline removed.
    Code {
        language: Option<String>,
        text: String,
    },
    Table(Table),
    /// A paragraph that holds a single image: a figure, with the image's alt text as its
    /// description and its title (if any) as the caption.
    Figure(Image),
    /// A thematic break (`* * *`): a scene break.
    SceneBreak,
    DefinitionList(Vec<Definition>),
}

/// A list, bulleted or numbered.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// `Some(n)` for a numbered list starting at `n`, `None` for a bulleted one.
    pub start: Option<u64>,
    /// A tight list has no blank lines between its items.
    pub tight: bool,
    pub items: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    pub blocks: Vec<Block>,
    /// `Some(checked)` for a task-list item.
    pub task: Option<bool>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub alignments: Vec<Alignment>,
    /// The header row's cells.
    pub head: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
}

/// A term and its definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub term: Vec<Inline>,
    pub definitions: Vec<Vec<Block>>,
    pub span: Span,
}

/// An inline element, with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub kind: InlineKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InlineKind {
    Text(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Superscript(Vec<Inline>),
    Subscript(Vec<Inline>),
    Code(String),
    Link {
        target: LinkTarget,
        title: Option<String>,
        content: Vec<Inline>,
    },
    Image(Image),
    /// A reference to a note (the mark in the text).
    NoteRef(NoteId),
    /// A hard line break.
    LineBreak,
    /// A line break in the source: a space when the paragraph is set.
    SoftBreak,
    /// An explicit anchor (`<a id="x"></a>` or `<span id="x">`) that links can point at.
    Anchor(AnchorId),
}

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// An absolute URL (`https:`, `mailto:`, …).
    External(String),
    /// A place in this book.
    Internal(AnchorId),
}

/// An image in the text or as a figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    pub asset: AssetId,
    /// The description for readers who cannot see the image.
    pub alt: String,
    pub title: Option<String>,
}

/// Index of a note in [`Book::notes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NoteId(pub u32);

/// A footnote.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// 1-based, in order of first reference.
    pub number: u32,
    /// The label written in the manuscript (`x` for `[^x]`).
    pub label: String,
    pub blocks: Vec<Block>,
    /// The span of the definition.
    pub span: Span,
}

/// Index of an asset in [`Book::assets`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AssetId(pub u32);

/// The image formats quire accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
    Svg,
}

impl ImageFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Webp => "image/webp",
            ImageFormat::Svg => "image/svg+xml",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
            ImageFormat::Svg => "svg",
        }
    }
}

/// A loaded image file.
#[derive(Debug, Clone, PartialEq)]
pub struct Asset {
    /// The path relative to the book's folder, with `/` separators (e.g. `images/map.png`).
    pub path: String,
    pub format: ImageFormat,
    pub bytes: Vec<u8>,
    /// Pixel size (`None` for SVG).
    pub pixels: Option<(u32, u32)>,
}

/// The text of inlines without markup (notes, images and breaks are dropped or become spaces).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(t) | InlineKind::Code(t) => out.push_str(t),
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Strikethrough(c)
            | InlineKind::Superscript(c)
            | InlineKind::Subscript(c)
            | InlineKind::Link { content: c, .. } => push_plain_text(c, out),
            InlineKind::Image(img) => out.push_str(&img.alt),
            InlineKind::LineBreak | InlineKind::SoftBreak => out.push(' '),
            InlineKind::NoteRef(_) | InlineKind::Anchor(_) => {}
        }
    }
}
