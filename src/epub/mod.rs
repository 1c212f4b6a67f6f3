//! The EPUB writer: model::Book -> EPUB 3 bytes. (Being written.)

use crate::model::Book;

/// What the EPUB writer needs besides the book.
#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// Version string of quire written into the package's generator metadata.
    pub generator: String,
}

/// Why an EPUB could not be written (never a problem of the manuscript: those are diagnostics).
#[derive(Debug)]
pub struct EpubError(pub String);

impl std::fmt::Display for EpubError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not write the EPUB: {}", self.0)
    }
}

impl std::error::Error for EpubError {}

/// Writes the book as an EPUB 3 file, byte-identical for identical input.
pub fn write(_book: &Book, _options: &EpubOptions) -> Result<Vec<u8>, EpubError> {
    Err(EpubError("not written yet".into()))
}
