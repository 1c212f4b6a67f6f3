//! The outline (bookmarks): the nested [`OutlineEntry`] tree as a PDF outline (ISO 32000-1,
//! 12.3.3), every entry open, each going to `[page /XYZ null top null]`. printpdf's own
//! bookmarks are a flat list sorted by page, so this is written with lopdf.

use lopdf::{Dictionary, Object, ObjectId};

use super::PdfError;
use super::metadata::text_string;
use crate::typeset::layout::{Document, OutlineEntry};

/// Adds the outline to `pdf` and returns the outline dictionary's id, or `None` when the
/// document has no outline.
pub(super) fn write(
    pdf: &mut lopdf::Document,
    doc: &Document,
    pages: &[ObjectId],
) -> Result<Option<ObjectId>, PdfError> {
    if doc.outline.is_empty() {
        return Ok(None);
    }
    let root = pdf.new_object_id();
    let (first, last, count) = level(pdf, doc, pages, &doc.outline, root)?;
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Outlines".to_vec())),
        ("First", Object::Reference(first)),
        ("Last", Object::Reference(last)),
        ("Count", Object::Integer(count)),
    ]);
    pdf.objects.insert(root, Object::Dictionary(dict));
    Ok(Some(root))
}

/// Writes one level of siblings under `parent`; returns the first and last ids and the
/// number of visible entries (all of them, as every entry is open).
fn level(
    pdf: &mut lopdf::Document,
    doc: &Document,
    pages: &[ObjectId],
    entries: &[OutlineEntry],
    parent: ObjectId,
) -> Result<(ObjectId, ObjectId, i64), PdfError> {
    let ids: Vec<ObjectId> = entries.iter().map(|_| pdf.new_object_id()).collect();
    let mut count = 0;
    for (i, entry) in entries.iter().enumerate() {
        let page = pages.get(entry.page).ok_or_else(|| {
            PdfError(format!(
                "outline entry {:?} points at page {} of {}",
                entry.title,
                entry.page + 1,
                pages.len()
            ))
        })?;
        // The heading's top on the sheet (the trim may sit inside a larger sheet).
        let target = &doc.pages[entry.page];
        let top = target.trim_origin().1 + target.height - entry.y;
        let mut dict = Dictionary::from_iter(vec![
            ("Title", text_string(&entry.title)),
            ("Parent", Object::Reference(parent)),
            (
                "Dest",
                Object::Array(vec![
                    Object::Reference(*page),
                    Object::Name(b"XYZ".to_vec()),
                    Object::Null,
                    Object::Real(top as f32),
                    Object::Null,
                ]),
            ),
        ]);
        if i > 0 {
            dict.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            dict.set("Next", Object::Reference(*next));
        }
        count += 1;
        if !entry.children.is_empty() {
            let (first, last, n) = level(pdf, doc, pages, &entry.children, ids[i])?;
            dict.set("First", Object::Reference(first));
            dict.set("Last", Object::Reference(last));
            dict.set("Count", Object::Integer(n));
            count += n;
        }
        pdf.objects.insert(ids[i], Object::Dictionary(dict));
    }
    // `entries` is not empty: the caller checks the top level, and children are only
    // written when there are some.
    let (first, last) = (ids[0], ids[ids.len() - 1]);
    Ok((first, last, count))
}
