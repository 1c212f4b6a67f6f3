//! Images: each used image becomes one image XObject (`Im0`, `Im1`, … by [`ImageId`]),
//! handed to printpdf as an external stream so that its bytes are exactly ours.
//!
//! - A baseline or progressive JPEG in grey or RGB is embedded as it is (`/DCTDecode`): no
//!   re-encoding, no loss.
//! - Everything else (PNG, GIF, WebP, CMYK JPEG) is decoded with the `image` crate into 8-bit
//!   grey or RGB samples, compressed with Flate when the document is compressed, with an 8-bit
//!   grey `/SMask` when the image has an alpha channel that is not fully opaque.

use std::collections::BTreeMap;
use std::io::Cursor;

use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageFormat, ImageReader};
use printpdf::{DictItem, ExternalStream, ExternalXObject, XObject, XObjectId};

use super::PdfError;
use crate::typeset::layout::{Document, ImageId, PageItem};

/// The resource name of an image in the pages' `/XObject` dictionary.
pub(super) fn resource(image: ImageId) -> String {
    format!("Im{}", image.0)
}

/// The XObjects of every image a page shows.
pub(super) fn xobjects(doc: &Document) -> Result<BTreeMap<XObjectId, XObject>, PdfError> {
    let mut out = BTreeMap::new();
    for page in &doc.pages {
        for item in page.all_items() {
            let PageItem::Image { image, .. } = item else {
                continue;
            };
            let id = XObjectId(resource(*image));
            if out.contains_key(&id) {
                continue;
            }
            let data = doc.images.get(image.0 as usize).ok_or_else(|| {
                PdfError(format!(
                    "an image item uses image {} of {}",
                    image.0,
                    doc.images.len()
                ))
            })?;
            let stream =
                encode(&data.bytes).map_err(|e| PdfError(format!("image {}: {e}", image.0)))?;
            out.insert(
                id,
                XObject::External(ExternalXObject {
                    stream,
                    width: None,
                    height: None,
                    dpi: None,
                }),
            );
        }
    }
    Ok(out)
}

fn encode(bytes: &[u8]) -> Result<ExternalStream, String> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    if reader.format() == Some(ImageFormat::Jpeg) {
        let decoder = reader.into_decoder().map_err(|e| e.to_string())?;
        let (w, h) = decoder.dimensions();
        let space = match decoder.original_color_type() {
            ExtendedColorType::L8 => Some("DeviceGray"),
            ExtendedColorType::Rgb8 => Some("DeviceRGB"),
            _ => None,
        };
        if let Some(space) = space {
            return Ok(stream(
                image_dict(w, h, space, Some("DCTDecode")),
                bytes.to_vec(),
                false,
            ));
        }
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let decoded = reader.decode().map_err(|e| e.to_string())?;
    Ok(from_pixels(decoded))
}

fn from_pixels(img: DynamicImage) -> ExternalStream {
    let (w, h) = (img.width(), img.height());
    let color = img.color();
    let (space, samples) = if color.has_color() {
        ("DeviceRGB", img.to_rgb8().into_raw())
    } else {
        ("DeviceGray", img.to_luma8().into_raw())
    };
    let mut dict = image_dict(w, h, space, None);
    if color.has_alpha() {
        let mask: Vec<u8> = if color.has_color() {
            img.to_rgba8().pixels().map(|p| p.0[3]).collect()
        } else {
            img.to_luma_alpha8().pixels().map(|p| p.0[1]).collect()
        };
        if mask.iter().any(|&a| a != 255) {
            let smask = stream(image_dict(w, h, "DeviceGray", None), mask, true);
            dict.insert("SMask".into(), DictItem::Stream { stream: smask });
        }
    }
    stream(dict, samples, true)
}

fn image_dict(w: u32, h: u32, space: &str, filter: Option<&str>) -> BTreeMap<String, DictItem> {
    let mut d = BTreeMap::new();
    d.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
    d.insert("Subtype".into(), DictItem::Name(b"Image".to_vec()));
    d.insert("Width".into(), DictItem::Int(i64::from(w)));
    d.insert("Height".into(), DictItem::Int(i64::from(h)));
    d.insert(
        "ColorSpace".into(),
        DictItem::Name(space.as_bytes().to_vec()),
    );
    d.insert("BitsPerComponent".into(), DictItem::Int(8));
    if let Some(f) = filter {
        d.insert("Filter".into(), DictItem::Name(f.as_bytes().to_vec()));
    }
    d
}

fn stream(dict: BTreeMap<String, DictItem>, content: Vec<u8>, compress: bool) -> ExternalStream {
    ExternalStream {
        dict,
        content,
        compress,
    }
}
