//! The PDF writer: laid-out pages ([`Document`]) → PDF 1.7 bytes. A pure function: the
//! same document gives the same bytes, in any process, at any time.
//!
//! printpdf writes the pages, their content streams, the fonts and the images; lopdf (the
//! version printpdf builds on) adds what printpdf has no words for. The steps, in order:
//!
//! 1. [`fonts`]: collect every glyph the pages show (and the glyphs of image alt text), then
//!    subset each font to them with `subsetter`; printpdf embeds the subsets as Type0 /
//!    CIDFontType2 fonts (Identity-H) with a `/ToUnicode` map built from the glyphs' text.
//! 2. [`images`]: one image XObject per used image (JPEG as it is, others decoded to samples).
//! 3. [`content`] and [`annotations`]: each page's items become printpdf operations — glyph
//!    runs placed exactly, rules as filled rectangles, images with their alt text as
//!    invisible text — and its links become link annotations.
//! 4. printpdf converts the document to a `lopdf::Document` (never its `save`, which adds a
//!    random `/ID`).
//! 5. [`finish`]: page boxes, exact font widths, the nested [`outline`], page [`labels`],
//!    [`metadata`] (`/Info`, XMP, `/Lang`), compression, `%PDF-1.7` and a trailer `/ID`
//!    hashed from the file.
//!
//! Errors are [`PdfError`]s, never panics: a document that points at a font, image or page
//! it does not have, or a font that cannot be subset, is reported.

mod annotations;
mod content;
mod finish;
mod fonts;
mod images;
mod labels;
mod metadata;
mod outline;
#[cfg(test)]
mod tests;

use printpdf::{PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Pt, Rect};

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
pub fn write(doc: &Document) -> Result<Vec<u8>, PdfError> {
    if doc.pages.is_empty() {
        return Err(PdfError("the document has no pages".into()));
    }
    for (i, page) in doc.pages.iter().enumerate() {
        if !(page.width.is_finite()
            && page.height.is_finite()
            && page.width > 0.0
            && page.height > 0.0)
        {
            return Err(PdfError(format!(
                "page {} is {} × {} pt",
                i + 1,
                page.width,
                page.height
            )));
        }
    }
    let fonts = fonts::FontSet::build(doc)?;

    let mut pdf = PdfDocument::new(&doc.info.title);
    for subset in fonts.subsets() {
        pdf.resources.fonts.map.insert(
            printpdf::FontId(subset.resource.clone()),
            subset.to_printpdf(),
        );
    }
    pdf.resources.xobjects.map = images::xobjects(doc)?;
    // Pages are independent once the fonts are subset: build their content on every core.
    let pages = crate::parallel::map(&doc.pages, |page| -> Result<PdfPage, PdfError> {
        let links = annotations::links(doc, page)?;
        let ops = content::page_ops(doc, page, &fonts, links)?;
        let rect = Rect::from_wh(Pt(page.width as f32), Pt(page.height as f32));
        Ok(PdfPage {
            media_box: rect.clone(),
            trim_box: rect.clone(),
            crop_box: rect,
            ops,
        })
    });
    for page in pages {
        pdf.pages.push(page?);
    }

    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let lopdf_doc = pdf.to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(PdfError(format!("printpdf: {}", w.msg)));
    }
    finish::finish(lopdf_doc, doc, &fonts)
}
