//! The PDF writer: laid-out pages → PDF bytes. (Being written.)

use crate::typeset::layout::Document;

/// Why a PDF could not be written (an internal failure; manuscript problems are diagnostics).
#[derive(Debug)]
pub struct PdfError(pub String);

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "could not write the PDF: {}", self.0)
    }
}

impl std::error::Error for PdfError {}

/// Writes the document as PDF bytes, byte-identical for identical input.
pub fn write(_doc: &Document) -> Result<Vec<u8>, PdfError> {
    Err(PdfError("not written yet".into()))
}
