//! Links: each [`Link`] of a page becomes a link annotation, written by printpdf from an
//! `Op::LinkAnnotation`: a `/URI` action for a web address, a `/GoTo` action to
//! `[page /XYZ null top null]` for a place in the book (the view's left edge and zoom are
//! left as the reader has them). No border and no highlight colour: the typesetting shows
//! that a link is a link.
//!
//! printpdf puts the annotation dictionaries directly into `/Annots`; [`make_indirect`]
//! moves them into objects of their own with a `/P` back to the page, as ISO 32000-1
//! (table 30) asks, and drops empty `/Annots` arrays.

use lopdf::{Object, ObjectId};
use printpdf::{Actions, BorderArray, ColorArray, Destination, LinkAnnotation, Pt, Rect};

use super::PdfError;
use crate::typeset::layout::{Document, Link, LinkTarget, Page};

/// The link annotations of `page`, in printpdf's terms.
pub(super) fn links(doc: &Document, page: &Page) -> Result<Vec<LinkAnnotation>, PdfError> {
    page.links
        .iter()
        .map(|link| annotation(doc, page, link))
        .collect()
}

fn annotation(doc: &Document, page: &Page, link: &Link) -> Result<LinkAnnotation, PdfError> {
    let finite = [link.x, link.y, link.width, link.height]
        .iter()
        .all(|v| v.is_finite());
    if !finite || link.width < 0.0 || link.height < 0.0 {
        return Err(PdfError(format!("a link has the rectangle {link:?}")));
    }
    let actions = match &link.target {
        LinkTarget::Uri(uri) => Actions::Uri(uri.clone()),
        LinkTarget::Page { page: target, y } => {
            let dest = doc.pages.get(*target).ok_or_else(|| {
                PdfError(format!(
                    "a link points at page {} of {}",
                    target + 1,
                    doc.pages.len()
                ))
            })?;
            Actions::Goto(Destination::Xyz {
                page: target + 1,
                left: None,
                top: Some((dest.trim_origin().1 + dest.height - y) as f32),
                zoom: None,
            })
        }
    };
    // Links are placed on the trim; the trim sits on its sheet at `trim_origin`.
    let (dx, dy) = page.trim_origin();
    let rect = Rect {
        x: Pt((dx + link.x) as f32),
        y: Pt((dy + page.height - link.y - link.height) as f32),
        width: Pt(link.width as f32),
        height: Pt(link.height as f32),
        mode: None,
        winding_order: None,
    };
    Ok(LinkAnnotation::new(
        rect,
        actions,
        Some(BorderArray::Solid([0.0, 0.0, 0.0])),
        Some(ColorArray::Transparent),
        None,
    ))
}

/// Moves every page's annotation dictionaries into indirect objects with `/P`.
pub(super) fn make_indirect(pdf: &mut lopdf::Document, pages: &[ObjectId]) -> Result<(), PdfError> {
    for &page_id in pages {
        let annots = match pdf.get_dictionary(page_id).map_err(lo)?.get(b"Annots") {
            Ok(Object::Array(a)) => a.clone(),
            _ => continue,
        };
        let mut refs = Vec::with_capacity(annots.len());
        for annot in annots {
            match annot {
                Object::Dictionary(mut dict) => {
                    // An empty /C array is "transparent"; leave it out altogether.
                    if matches!(dict.get(b"C"), Ok(Object::Array(c)) if c.is_empty()) {
                        dict.remove(b"C");
                    }
                    dict.set("P", Object::Reference(page_id));
                    refs.push(Object::Reference(pdf.add_object(dict)));
                }
                other => refs.push(other),
            }
        }
        let page = pdf.get_dictionary_mut(page_id).map_err(lo)?;
        if refs.is_empty() {
            page.remove(b"Annots");
        } else {
            page.set("Annots", Object::Array(refs));
        }
    }
    Ok(())
}

pub(super) fn lo(e: lopdf::Error) -> PdfError {
    PdfError(format!("lopdf: {e}"))
}
