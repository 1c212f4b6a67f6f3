//! Where the pages of the print edition begin, as places in the book's text.
//!
//! The typesetter reports, for every PDF page that starts with text of the book, the place in
//! the model where that page begins; the EPUB writer puts an invisible page-break marker there
//! and lists the pages in its `page-list`, so that a reader of the ebook can cite the printed
//! page. The type lives in the model because it names model nodes: neither writer reaches into
//! the other.

use crate::diag::Span;

/// A place in the book's text.
///
/// `node` is the [`Span`] of the model node the place is in, compared whole (file, start and
/// end):
/// - an [`InlineKind::Text`](super::InlineKind::Text) or
///   [`InlineKind::Code`](super::InlineKind::Code) inline, with `offset` a byte offset into its
///   string (always on a `char` boundary, possibly inside a word when the page begins with the
///   second half of a hyphenated word);
/// - a [`BlockKind::Code`](super::BlockKind::Code) block, with `offset` a byte offset into its
///   `text`;
/// - any other [`Block`](super::Block) (a figure, a table, a scene break), with `offset` 0:
///   the place just before the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextPosition {
    pub node: Span,
    pub offset: u32,
}

/// A page of the print edition that begins with the book's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintPage {
    /// The folio as printed and as the PDF's page label shows it (`"17"`, `"iv"`).
    pub label: String,
    /// Where the page's first line of text begins.
    pub at: TextPosition,
}
