//! The PDF writer: laid-out pages ([`Document`]) → PDF 1.7 bytes. A pure function: the
//! same document gives the same bytes, in any process, at any time.
//!
//! printpdf writes the document's skeleton (catalog, page tree, page dictionaries and their
//! resources), the fonts, the images and the link annotations; quire writes the pages'
//! content streams itself, and lopdf (the version printpdf builds on) adds what printpdf has
//! no words for. The steps, in order:
//!
//! 1. [`fonts`]: collect every glyph the pages show (and the glyphs of image alt text), then
//!    subset each font to them with `subsetter`; printpdf embeds the subsets as Type0 /
//!    CIDFontType2 fonts (Identity-H).
//! 2. [`content`]: each page's items become the bytes of its content stream — glyph runs
//!    placed exactly, rules as filled rectangles, images with their alt text as invisible
//!    text — compressed at once, every page on its own thread. A page's glyphs are the bulk
//!    of a book, and printpdf would need them all as `Op`s at once and serialise them on one
//!    thread ([`content`] says more).
//! 3. [`images`] and [`annotations`]: one image XObject per used image (JPEG as it is, others
//!    decoded to samples); each page's links become printpdf link annotations.
//! 4. printpdf converts the document (pages with their links only) to a `lopdf::Document`
//!    (never its `save`, which adds a random `/ID`).
//! 5. [`finish`]: the content streams, page boxes, exact font widths and `/ToUnicode`, the
//!    nested [`outline`], page [`labels`], [`metadata`] (`/Info`, XMP, `/Lang`), compression,
//!    `%PDF-1.7` and a trailer `/ID` hashed from the file.
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

use printpdf::{Op, PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Pt, Rect};

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

    // Pages are independent once the fonts are subset: write and compress each page's
    // content on every core, keeping only its compressed bytes and its links.
    let pages = crate::parallel::map(&doc.pages, |page| -> Result<_, PdfError> {
        let content = content::page_content(doc, page, &fonts)?;
        let content = finish::compressed(content)?;
        Ok((content, annotations::links(doc, page)?))
    });

    let mut pdf = PdfDocument::new(&doc.info.title);
    for subset in fonts.subsets() {
        pdf.resources.fonts.map.insert(
            printpdf::FontId(subset.resource.clone()),
            subset.to_printpdf(),
        );
    }
    pdf.resources.xobjects.map = images::xobjects(doc)?;
    let mut contents = Vec::with_capacity(pages.len());
    for (i, (page, built)) in doc.pages.iter().zip(pages).enumerate() {
        let (content, links) = built?;
        contents.push(content);
        let mut ops: Vec<Op> = links
            .into_iter()
            .map(|link| Op::LinkAnnotation { link })
            .collect();
        if i == 0 {
            ops.extend(fonts::declare(&fonts));
        }
        let rect = Rect::from_wh(Pt(page.width as f32), Pt(page.height as f32));
        pdf.pages.push(PdfPage {
            media_box: rect.clone(),
            trim_box: rect.clone(),
            crop_box: rect,
            ops,
        });
    }

    let opts = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let lopdf_doc = pdf.to_lopdf_document(&opts, &mut warnings);
    drop(pdf);
    if let Some(w) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(PdfError(format!("printpdf: {}", w.msg)));
    }
    finish::finish(lopdf_doc, doc, &fonts, contents)
}
