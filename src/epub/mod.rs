//! The EPUB writer: [`Book`] → EPUB 3.3 bytes (with an EPUB 2 NCX for old readers).
//!
//! The steps, in order:
//!
//! 1. [`plan`]: decide the documents (cover, title page, front matter, one per top-level
//!    division, colophon), their file names, which document every anchor lives in, which
//!    document each note is set in (the one of its first reference), and the image file names.
//! 2. [`xhtml`] and [`pages`]: serialise each document as XHTML (every text and attribute
//!    escaped here; the model holds no markup). [`style.css`](style.css) is the stylesheet.
//!    When the book has a print edition, [`pagebreaks`] puts a page-break marker where each
//!    printed page begins (and keeps the page-list in reading order).
//! 3. [`package`]: hand the documents, images and metadata to `epub-builder` (the only place
//!    that crate is used), which writes the OPF manifest, spine and guide.
//! 4. [`nav`]: our own `nav.xhtml` (nested contents, landmarks, the print edition's
//!    page-list, `xml:lang`) and `toc.ncx` (nested, `dtb:uid` = the book's identifier),
//!    replacing epub-builder's.
//! 5. [`repack`]: fix what epub-builder gets wrong in the OPF (its random UUID identifier, the
//!    clock in `dcterms:modified`, no `xml:lang` on the package, no id on the title, the
//!    contents page missing from the spine) and write a new zip: `mimetype` first and stored,
//!    then the other entries in a fixed order, all with one fixed timestamp and fixed
//!    permissions.
//!
//! Invariants of the output:
//! - byte-identical for identical input: no clock, no random ids, no hash-map order, the zip
//!   timestamp derived from [`Metadata::modified`](crate::model::Metadata::modified);
//! - every XHTML file is well-formed, has `xml:lang` and `lang` on `html`, and every
//!   `epub:type` that has an ARIA counterpart carries the matching `role`;
//! - with a print edition, every page-list entry links to a marker
//!   (`epub:type="pagebreak"`, `role="doc-pagebreak"`, `aria-label` = the folio) and every
//!   marker is listed, in page order which is also reading order; `printPageNumbers` and
//!   `pageBreakSource` are in the metadata exactly when there is a page-list;
//! - footnotes follow the pop-up pattern: `<sup><a epub:type="noteref" role="doc-noteref">N</a></sup>`
//!   (only text inside the link) pointing at an `<aside epub:type="footnote" role="doc-footnote">`
//!   in the document of the note's first reference, whose backlink comes first.
//!
//! It follows EPUB 3.3 (<https://www.w3.org/TR/epub-33/>), EPUB Accessibility 1.1 and the
//! checks of EPUBCheck 5.3 and Ace by DAISY 1.4.

mod escape;
mod meta;
mod nav;
mod package;
mod pagebreaks;
mod pages;
mod plan;
mod repack;
mod xhtml;

#[cfg(test)]
mod tests;

use crate::model::{Book, ImageFormat, PrintPage};
use pagebreaks::{PageBreaks, PageList};

/// The stylesheet of every document (book typography that degrades to plain text).
pub(crate) const STYLESHEET: &str = include_str!("style.css");

/// What the EPUB writer needs besides the book.
#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Version string of quire written into the documents' generator metadata and the
    /// colophon ("Made with quire 0.1.0"). Empty: just "quire".
    pub generator: String,
    /// The ebook cover, if any: shown first (its own page in the spine and the `cover`
    /// landmark) and marked with the `cover-image` property.
    pub cover: Option<CoverImage>,
    /// The print edition of the same build, whose page numbers the EPUB carries: a
    /// page-break marker where each printed page begins, a `page-list`, and the
    /// `printPageNumbers` and `pageBreakSource` metadata. `None`: none of these.
    pub print: Option<PrintEdition>,
}

/// The print edition as the EPUB writer takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrintEdition {
    /// What `pageBreakSource` says: the print edition's identifier (`urn:isbn:…`) or, without
    /// one, a name that tells it from other editions (title, format). Empty: "TITLE, print
    /// edition".
    pub source: String,
    /// Where each page begins, in page order (the typesetter's [`PrintPage`]s). A position
    /// that names no node of the book, or a page without a label, is left out.
    pub pages: Vec<PrintPage>,
}

/// A cover image as the EPUB writer takes it: already loaded and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverImage {
    pub bytes: Vec<u8>,
    pub format: ImageFormat,
    /// The description for readers who cannot see it ("Cover of Alarm Signal! by Leon
    /// Trotsky"). Must not be empty.
    pub alt: String,
}

/// Why an EPUB could not be written (never a problem of the manuscript: those are diagnostics).
#[derive(Debug)]
pub struct EpubError(pub String);

impl EpubError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        EpubError(message.into())
    }
}

impl std::fmt::Display for EpubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not write the EPUB: {}", self.0)
    }
}

impl std::error::Error for EpubError {}

impl From<epub_builder::Error> for EpubError {
    fn from(e: epub_builder::Error) -> Self {
        EpubError(format!("epub-builder: {e}"))
    }
}

impl From<zip::result::ZipError> for EpubError {
    fn from(e: zip::result::ZipError) -> Self {
        EpubError(format!("zip: {e}"))
    }
}

impl From<std::io::Error> for EpubError {
    fn from(e: std::io::Error) -> Self {
        EpubError(format!("i/o in memory: {e}"))
    }
}

/// Writes the book as an EPUB 3 file, byte-identical for identical input.
pub fn write(book: &Book, options: &EpubOptions) -> Result<Vec<u8>, EpubError> {
    let plan = plan::Plan::new(book, options)?;
    let (documents, page_list) = render(&plan, options)?;
    let built = package::build(&plan, options, &documents, page_list.as_ref())?;
    let nav = nav::nav_xhtml(&plan, options, page_list.as_ref());
    let ncx = nav::toc_ncx(&plan, &documents, page_list.as_ref());
    repack::repack(&plan, &built, &nav, &ncx)
}

/// The documents, with the print edition's page breaks and its page-list (`None` when no
/// page could be placed). Written twice only when page order and reading order disagree.
fn render(
    plan: &plan::Plan,
    options: &EpubOptions,
) -> Result<(Vec<pages::Rendered>, Option<PageList>), EpubError> {
    let Some(print) = &options.print else {
        let documents = pages::render_all(plan, options, &mut PageBreaks::none())?;
        return Ok((documents, None));
    };
    let mut breaks = PageBreaks::new(plan, &print.pages, |_| true);
    let mut documents = pages::render_all(plan, options, &mut breaks)?;
    let keep = breaks.in_reading_order();
    if !breaks.placed_exactly(&keep) {
        breaks = PageBreaks::new(plan, &print.pages, |page| keep.contains(&page));
        documents = pages::render_all(plan, options, &mut breaks)?;
    }
    let entries = breaks.page_list(plan);
    let source = match print.source.trim() {
        "" => format!("{}, print edition", plan.book.meta.title),
        source => source.to_string(),
    };
    let list = (!entries.is_empty()).then_some(PageList { source, entries });
    Ok((documents, list))
}
