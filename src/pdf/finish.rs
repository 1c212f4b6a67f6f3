//! The finishing pass over printpdf's output, with lopdf: what printpdf cannot express or
//! gets wrong, then compression, the header version and the trailer `/ID`.
//!
//! - page boxes: printpdf writes rectangles as `[x y w h]`; here `/MediaBox`, `/BleedBox` (when
//!   the page has bleed or crop marks) and `/TrimBox` are written as [`Page`]'s sheet gives
//!   them, `[x0 y0 x1 y1]`, and the needless `/CropBox` goes (with crop marks, the page's
//!   resources gain the registration colour they are drawn in);
//! - `/W` of every font: exact advances (see [`super::fonts`]) over printpdf's truncated ones;
//! - link annotations as indirect objects ([`super::annotations`]);
//! - the nested outline, page labels, `/Lang`, `/PageMode`, `/PageLayout` (spreads), `/Info`
//!   and XMP metadata;
//! - `%PDF-1.7`, Flate on every stream that allows it, and a trailer `/ID` that is a
//!   SHA-256 of the written file (with a zero placeholder where the `/ID` goes), so identical
//!   documents give identical bytes in any process.

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};
use sha2::{Digest, Sha256};

use super::PdfError;
use super::annotations::{lo, make_indirect};
use super::fonts::FontSet;
use super::{labels, metadata, outline};
#[cfg(doc)]
use crate::typeset::layout::Page;
use crate::typeset::layout::{Document, PdfRect};

pub(super) fn finish(
    mut pdf: lopdf::Document,
    doc: &Document,
    fonts: &FontSet,
    contents: Vec<Packed>,
) -> Result<Vec<u8>, PdfError> {
    let pages: Vec<ObjectId> = pdf.get_pages().into_values().collect();
    if pages.len() != doc.pages.len() {
        return Err(PdfError(format!(
            "printpdf wrote {} pages of {}",
            pages.len(),
            doc.pages.len()
        )));
    }
    for ((&id, page), content) in pages.iter().zip(&doc.pages).zip(contents) {
        let dict = pdf.get_dictionary_mut(id).map_err(lo)?;
        dict.set("MediaBox", pdf_rect(page.media_box()));
        if !page.sheet.is_trim() {
            dict.set("BleedBox", pdf_rect(page.bleed_box()));
        }
        dict.set("TrimBox", pdf_rect(page.trim_box()));
        dict.remove(b"CropBox");
        if page.sheet.crop_marks {
            add_registration(&mut pdf, id)?;
        }
        let dict = pdf.get_dictionary_mut(id).map_err(lo)?;
        // The page's own content stream, in the object printpdf made for its (empty) one.
        let contents = dict
            .get(b"Contents")
            .and_then(Object::as_reference)
            .map_err(|_| PdfError("printpdf wrote a page without /Contents".into()))?;
        pdf.objects
            .insert(contents, Object::Stream(content.into_stream()));
    }
    set_widths(&mut pdf, pages.first().copied(), fonts)?;
    make_indirect(&mut pdf, &pages)?;

    let catalog_id = pdf
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(lo)?;
    let outline = outline::write(&mut pdf, doc, &pages)?;
    let xmp = Stream::new(
        Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Metadata".to_vec())),
            ("Subtype", Object::Name(b"XML".to_vec())),
        ]),
        metadata::xmp(&doc.info)?.into_bytes(),
    )
    .with_compression(false);
    let xmp_id = pdf.add_object(xmp);
    let info = metadata::info(&doc.info)?;
    let info_id = pdf.add_object(info);
    pdf.trailer.set("Info", Object::Reference(info_id));

    let catalog = pdf.get_dictionary_mut(catalog_id).map_err(lo)?;
    catalog.remove(b"Outlines");
    catalog.set("Metadata", Object::Reference(xmp_id));
    if !doc.info.language.is_empty() {
        catalog.set("Lang", metadata::text_string(&doc.info.language));
    }
    match outline {
        Some(id) => {
            catalog.set("Outlines", Object::Reference(id));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        None => catalog.set("PageMode", Object::Name(b"UseNone".to_vec())),
    }
    if let Some(labels) = labels::page_labels(&doc.pages) {
        catalog.set("PageLabels", labels);
    }
    // A book is read in spreads: page 1 is a recto, alone on the right.
    let layout: &[u8] = if doc.pages.len() > 1 {
        b"TwoPageRight"
    } else {
        b"SinglePage"
    };
    catalog.set("PageLayout", Object::Name(layout.to_vec()));
    catalog.set(
        "ViewerPreferences",
        Object::Dictionary(Dictionary::from_iter(vec![(
            "DisplayDocTitle",
            Object::Boolean(true),
        )])),
    );

    // printpdf's own /Info and anything else no longer referenced.
    pdf.prune_objects();
    pdf.renumber_objects();
    pdf.version = "1.7".into();
    compress(&mut pdf)?;
    let placeholder = vec![0u8; 16];
    pdf.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(placeholder.clone(), StringFormat::Hexadecimal),
            Object::String(placeholder, StringFormat::Hexadecimal),
        ]),
    );
    let mut bytes = Vec::new();
    pdf.save_to(&mut bytes)
        .map_err(|e| PdfError(format!("cannot save: {e}")))?;
    set_id(&mut bytes, &doc.info.identifier)?;
    Ok(bytes)
}

/// A page box: `[x0 y0 x1 y1]`, zeros as integers.
fn pdf_rect(r: PdfRect) -> Object {
    let number = |v: f64| {
        if v == 0.0 {
            Object::Integer(0)
        } else {
            Object::Real(v as f32)
        }
    };
    Object::Array(vec![number(r.x0), number(r.y0), number(r.x1), number(r.y1)])
}

/// Adds the registration colour space ([`super::content::REGISTRATION`]: `/Separation /All`,
/// every colorant at the tint) to a page's resources, for its crop marks.
fn add_registration(pdf: &mut lopdf::Document, page: ObjectId) -> Result<(), PdfError> {
    let tint = Dictionary::from_iter(vec![
        ("FunctionType", Object::Integer(2)),
        ("Domain", Object::Array(vec![0.into(), 1.into()])),
        (
            "C0",
            Object::Array(vec![0.into(), 0.into(), 0.into(), 0.into()]),
        ),
        (
            "C1",
            Object::Array(vec![1.into(), 1.into(), 1.into(), 1.into()]),
        ),
        ("N", Object::Integer(1)),
    ]);
    let space = Object::Array(vec![
        Object::Name(b"Separation".to_vec()),
        Object::Name(b"All".to_vec()),
        Object::Name(b"DeviceCMYK".to_vec()),
        Object::Dictionary(tint),
    ]);
    let resources = pdf
        .get_dictionary(page)
        .map_err(lo)?
        .get(b"Resources")
        .map_err(lo)?
        .clone();
    let resources = match resources {
        Object::Reference(id) => pdf.get_dictionary_mut(id).map_err(lo)?,
        Object::Dictionary(_) => match pdf
            .get_dictionary_mut(page)
            .map_err(lo)?
            .get_mut(b"Resources")
        {
            Ok(Object::Dictionary(d)) => d,
            _ => return Err(PdfError("a page without resources".into())),
        },
        _ => return Err(PdfError("a page without resources".into())),
    };
    let mut spaces = match resources.get(b"ColorSpace") {
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    spaces.set(super::content::REGISTRATION, space);
    resources.set("ColorSpace", Object::Dictionary(spaces));
    Ok(())
}

/// Flate-compresses every stream that allows it and has no filter yet, at zlib's default
/// level (lopdf's own `compress` uses the slowest level for a percent or two).
fn compress(pdf: &mut lopdf::Document) -> Result<(), PdfError> {
    let mut streams: Vec<&mut lopdf::Stream> = pdf
        .objects
        .values_mut()
        .filter_map(|object| match object {
            Object::Stream(stream)
                if stream.allows_compression && stream.dict.get(b"Filter").is_err() =>
            {
                Some(stream)
            }
            _ => None,
        })
        .collect();
    // Streams are independent: compress them on the cores the thread budget has spare (the
    // bytes do not depend on it).
    let helpers = crate::parallel::Slots::take(crate::parallel::cores() - 1);
    let threads = 1 + helpers.count();
    let chunk = streams.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = streams
            .chunks_mut(chunk)
            .map(|part| scope.spawn(move || part.iter_mut().try_for_each(|s| compress_stream(s))))
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    })
}

fn compress_stream(stream: &mut lopdf::Stream) -> Result<(), PdfError> {
    let packed = deflate(&stream.content)?;
    if packed.len() < stream.content.len() {
        stream
            .dict
            .set("Filter", Object::Name(b"FlateDecode".to_vec()));
        stream.set_content(packed);
    }
    Ok(())
}

fn deflate(bytes: &[u8]) -> Result<Vec<u8>, PdfError> {
    use std::io::Write;
    let mut encoder = flate2::write::ZlibEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::default(),
    );
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| PdfError(format!("cannot compress a stream: {e}")))
}

/// A stream's bytes, Flate-compressed when that makes them smaller (as [`compress`] would).
pub(super) struct Packed {
    bytes: Vec<u8>,
    flate: bool,
}

/// Compresses `content` now, so that only the compressed bytes are kept.
pub(super) fn compressed(content: Vec<u8>) -> Result<Packed, PdfError> {
    let packed = deflate(&content)?;
    Ok(if packed.len() < content.len() {
        Packed {
            bytes: packed,
            flate: true,
        }
    } else {
        Packed {
            bytes: content,
            flate: false,
        }
    })
}

impl Packed {
    fn into_stream(self) -> lopdf::Stream {
        let mut stream = lopdf::Stream::new(Dictionary::new(), self.bytes);
        if self.flate {
            stream
                .dict
                .set("Filter", Object::Name(b"FlateDecode".to_vec()));
        }
        // Compressed already, or no smaller compressed.
        stream.with_compression(false)
    }
}

/// Writes each font's exact `/W` into its descendant CIDFont.
fn set_widths(
    pdf: &mut lopdf::Document,
    first_page: Option<ObjectId>,
    fonts: &FontSet,
) -> Result<(), PdfError> {
    let Some(page) = first_page else {
        return Ok(());
    };
    let resources = match pdf
        .get_dictionary(page)
        .map_err(lo)?
        .get(b"Resources")
        .map_err(lo)?
    {
        Object::Reference(id) => pdf.get_dictionary(*id).map_err(lo)?.clone(),
        Object::Dictionary(d) => d.clone(),
        _ => return Err(PdfError("a page without resources".into())),
    };
    let font_dict = match resources.get(b"Font") {
        Ok(Object::Reference(id)) => pdf.get_dictionary(*id).map_err(lo)?.clone(),
        Ok(Object::Dictionary(d)) => d.clone(),
        _ => Dictionary::new(),
    };
    for subset in fonts.subsets() {
        let font_id = font_dict
            .get(subset.resource.as_bytes())
            .and_then(Object::as_reference)
            .map_err(|_| PdfError(format!("printpdf did not write font {}", subset.resource)))?;
        // Our own /ToUnicode: the content carries no per-glyph text for printpdf to map.
        let to_unicode = pdf
            .get_dictionary(font_id)
            .map_err(lo)?
            .get(b"ToUnicode")
            .and_then(Object::as_reference)
            .map_err(|_| {
                PdfError(format!(
                    "printpdf wrote no /ToUnicode for font {}",
                    subset.resource
                ))
            })?;
        pdf.objects.insert(
            to_unicode,
            Object::Stream(lopdf::Stream::new(
                Dictionary::new(),
                subset.to_unicode_cmap(),
            )),
        );
        let type0 = pdf.get_dictionary_mut(font_id).map_err(lo)?;
        let Ok(Object::Array(descendants)) = type0.get_mut(b"DescendantFonts") else {
            return Err(PdfError(format!(
                "font {} has no descendant font",
                subset.resource
            )));
        };
        match descendants.first_mut() {
            Some(Object::Dictionary(cid_font)) => {
                cid_font.set("W", Object::Array(subset.widths_array()))
            }
            _ => {
                return Err(PdfError(format!(
                    "font {} has no descendant font",
                    subset.resource
                )));
            }
        }
    }
    Ok(())
}

/// Replaces the zero placeholder `/ID` in the trailer with a hash of the file and the book's
/// identifier. The trailer follows the cross-reference table, so no offset moves.
fn set_id(bytes: &mut [u8], identifier: &str) -> Result<(), PdfError> {
    let trailer =
        find_last(bytes, b"trailer").ok_or_else(|| PdfError("no trailer written".into()))?;
    let mut placeholder = vec![b'<'];
    placeholder.extend_from_slice(&[b'0'; 32]);
    placeholder.push(b'>');
    let mut hash = Sha256::new();
    hash.update(identifier.as_bytes());
    hash.update(&*bytes);
    let hex: String = hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let mut replaced = 0;
    let mut from = trailer;
    while let Some(i) = bytes[from..]
        .windows(placeholder.len())
        .position(|w| w == placeholder)
    {
        let at = from + i + 1;
        bytes[at..at + 32].copy_from_slice(hex.as_bytes());
        from = at + 32;
        replaced += 1;
    }
    if replaced != 2 {
        return Err(PdfError(format!(
            "found {replaced} /ID placeholders in the trailer, not 2"
        )));
    }
    Ok(())
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
