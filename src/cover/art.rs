//! Cover art from a file: read it within fixed memory bounds, check it against what the
//! stores ask for, normalise it to sRGB RGB pixels, and make the EPUB's JPEG.
//!
//! The steps, in order:
//!
//! 1. **Sniff** the format from the bytes (not the file name): JPEG, PNG, WebP (and GIF, which
//!    the `image` crate reads anyway). SVG and other formats are errors.
//! 2. **Bound** the work before any pixel is decoded: the file is at most [`MAX_FILE`] bytes,
//!    each side at most [`MAX_SIDE`] px (checked from the header), the decoded buffer at most
//!    [`MAX_ALLOC`] bytes (`image::Limits` plus our own check of the decoder's figure, since
//!    not every decoder honours `max_alloc`). A decompression bomb — a 20000 × 20000 PNG of a
//!    few hundred kilobytes — is refused from its header, so quire stays well under 1 GiB
//!    whatever the file.
//! 3. **Decode** and normalise: EXIF orientation applied, transparency flattened onto white,
//!    grey and 16-bit images made 8-bit RGB. A CMYK JPEG with Adobe's APP14 marker (how
//!    Photoshop writes them: inverted CMYK or YCCK) is converted by the decoder, naively
//!    (no colour profile), with a warning; a four-component JPEG without the marker is an
//!    error, since its inks could be stored either way. An embedded colour profile other than
//!    sRGB is reported (see `icc`): the pixels are read as sRGB.
//! 4. **Check** the size (see `check_size`): below KDP's minimum of 625 × 1000 px is an
//!    error; below the 1600 × 2560 px every store takes, or a height-to-width ratio outside
//!    1.4–1.8 (stores show covers at about 1.6), a warning.
//! 5. **Encode** the EPUB's cover (`epub_jpeg`): at most [`EPUB_MAX_HEIGHT`] px tall,
//!    scaled down with Catmull–Rom (a cubic polynomial filter: no `sin`, so the same bytes on
//!    every platform, unlike Lanczos), JPEG quality 90. A baseline RGB JPEG that needs none
//!    of this goes into the EPUB as it is, bytes untouched.
//!
//! Every problem is a [`Problem`] naming the file; the caller places it at the `cover` key.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageError, ImageReader, Limits, RgbImage};

use super::{ArtFormat, Problem, icc, jpeg};

/// The largest side quire decodes, in pixels. Google Play takes up to 7200 px, and the front
/// of the largest print trim (8.5 × 11 in plus bleed) at 300 dpi is 2625 × 3375 px; anything
/// larger is not a cover but an unexported original or a decompression bomb.
pub const MAX_SIDE: u32 = 8000;
/// The most bytes a decoded cover may take before conversion (an 8000 × 8000 16-bit RGBA
/// image). With the RGB copy and the scaled EPUB image, a cover never costs more than about
/// 800 MiB, under the 1 GiB quire promises.
pub const MAX_ALLOC: u64 = 512 * 1024 * 1024;
/// The largest cover file quire reads (Kobo takes 5 MB per image; a cover ten times that is
/// a mistake).
pub const MAX_FILE: u64 = 64 * 1024 * 1024;
/// The EPUB cover's greatest height: the 2560 px of the stores' ideal 1600 × 2560.
pub const EPUB_MAX_HEIGHT: u32 = 2560;
/// The EPUB cover's JPEG quality.
pub const JPEG_QUALITY: u8 = 90;
/// The largest image file Kobo takes (5 MB): a reusable JPEG bigger than this is re-encoded.
pub const MAX_EPUB_IMAGE: usize = 5_000_000;

/// KDP's ebook minimum, width × height in pixels (below it is an error).
pub const MIN_SIZE: (u32, u32) = (625, 1000);
/// The size the stores ask for (KDP's ideal; Apple, Kobo and Google take it too).
pub const IDEAL_SIZE: (u32, u32) = (1600, 2560);

/// Decoded, normalised art and what the EPUB can reuse of its file.
#[derive(Debug)]
pub(crate) struct Decoded {
    pub image: RgbImage,
    pub format: ArtFormat,
    /// The file is a baseline RGB JPEG in sRGB, upright and at most [`EPUB_MAX_HEIGHT`] tall:
    /// the EPUB can carry its bytes as they are.
    pub reusable: bool,
}

/// The bounds of decoding, as a value so tests can tighten them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub max_side: u32,
    pub max_alloc: u64,
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds {
            max_side: MAX_SIDE,
            max_alloc: MAX_ALLOC,
        }
    }
}

/// Decodes and normalises art (steps 1 to 3). `name` is the file as the author wrote it, for
/// messages. Returns the art with its warnings, or the error that stopped it.
pub(crate) fn decode(
    bytes: &[u8],
    name: &str,
    bounds: Bounds,
) -> Result<(Decoded, Vec<Problem>), Problem> {
    let format = sniff(bytes, name)?;
    let mut problems = Vec::new();
    let info = match format {
        ArtFormat::Jpeg => jpeg::scan(bytes),
        _ => None,
    };
    if info.is_some_and(|i| !i.complete) {
        return Err(corrupt(name, "the JPEG is cut off before its end"));
    }
    if info.is_some_and(|i| i.is_cmyk() && i.adobe_transform.is_none()) {
        return Err(Problem::error(
            format!(
                "cover `{name}` is a CMYK JPEG without Adobe's colour marker, so its inks could be stored either way"
            ),
            "export the cover as an sRGB JPEG or PNG (CMYK belongs in the printer's PDF, not in ebooks)",
        ));
    }

    let reader = || -> Result<ImageReader<Cursor<&[u8]>>, Problem> {
        let mut reader = ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| corrupt(name, &e.to_string()))?;
        let mut limits = Limits::default();
        limits.max_image_width = Some(bounds.max_side);
        limits.max_image_height = Some(bounds.max_side);
        limits.max_alloc = Some(bounds.max_alloc);
        reader.limits(limits);
        Ok(reader)
    };
    // The header alone first, so a bomb is refused with its size before anything is allocated.
    let mut unbounded = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| corrupt(name, &e.to_string()))?;
    unbounded.no_limits();
    let (width, height) = unbounded
        .into_dimensions()
        .map_err(|e| decode_error(name, &e))?;
    if width > bounds.max_side || height > bounds.max_side {
        return Err(too_large(name, width, height, bounds));
    }

    let mut decoder = reader()?
        .into_decoder()
        .map_err(|e| decode_error(name, &e))?;
    if decoder.total_bytes() > bounds.max_alloc {
        return Err(too_large(name, width, height, bounds));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let profile = decoder
        .icc_profile()
        .ok()
        .flatten()
        .and_then(|p| icc::read(&p));
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| decode_error(name, &e))?;
    image.apply_orientation(orientation);

    let cmyk = info.is_some_and(|i| i.is_cmyk());
    if cmyk {
        let profile_note = match &profile {
            Some(p) => format!(" (its profile “{}” is not applied)", p.name()),
            None => String::new(),
        };
        problems.push(Problem::warning(
            format!("cover `{name}` is a CMYK JPEG; it was converted to RGB without colour management{profile_note}, so colours may shift"),
            "for exact colours export the cover as an sRGB JPEG or PNG (CMYK belongs in the printer's PDF)",
        ));
    } else if let Some(p) = profile.as_ref().filter(|p| !p.reads_as_srgb()) {
        problems.push(Problem::warning(
            format!(
                "cover `{name}` carries the colour profile “{}”; quire reads its pixels as sRGB, so colours may shift",
                p.name()
            ),
            "export the cover in sRGB (ebook readers assume it)",
        ));
    }

    let (image, transparent) = flatten(image);
    if transparent {
        problems.push(Problem::warning(
            format!("cover `{name}` has transparent parts; they are shown on white"),
            "export the cover without transparency (readers and stores draw it on different backgrounds)",
        ));
    }
    let reusable = info
        .is_some_and(|i| i.components == 3 && !i.progressive && i.adobe_transform.is_none())
        && orientation == image::metadata::Orientation::NoTransforms
        && profile.as_ref().is_none_or(icc::Profile::reads_as_srgb)
        && image.height() <= EPUB_MAX_HEIGHT;
    Ok((
        Decoded {
            image,
            format,
            reusable,
        },
        problems,
    ))
}

/// The format from the bytes; an error for anything but JPEG, PNG, WebP and GIF.
fn sniff(bytes: &[u8], name: &str) -> Result<ArtFormat, Problem> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if head.starts_with("<svg") || (head.starts_with("<?xml") && head.contains("<svg")) {
        return Err(Problem::error(
            format!("cover `{name}` is an SVG drawing; the stores want the cover in pixels"),
            "export the cover as a JPEG or PNG of 1600 × 2560 px",
        ));
    }
    match image::guess_format(bytes) {
        Ok(image::ImageFormat::Jpeg) => Ok(ArtFormat::Jpeg),
        Ok(image::ImageFormat::Png) => Ok(ArtFormat::Png),
        Ok(image::ImageFormat::WebP) => Ok(ArtFormat::Webp),
        Ok(image::ImageFormat::Gif) => Ok(ArtFormat::Gif),
        Ok(other) => Err(Problem::error(
            format!(
                "cover `{name}` is a {} image; quire reads JPEG, PNG and WebP covers",
                other
                    .extensions_str()
                    .first()
                    .unwrap_or(&"other")
                    .to_uppercase()
            ),
            "export the cover as a JPEG or PNG of 1600 × 2560 px",
        )),
        Err(_) => Err(corrupt(name, "it is not a JPEG, PNG or WebP image")),
    }
}

fn corrupt(name: &str, reason: &str) -> Problem {
    let reason = reason.lines().next().unwrap_or(reason).trim();
    Problem::error(
        format!("cover `{name}` cannot be decoded: {reason}"),
        "the file is damaged or not an image; export it again as a JPEG or PNG",
    )
}

fn too_large(name: &str, width: u32, height: u32, bounds: Bounds) -> Problem {
    Problem::error(
        format!(
            "cover `{name}` is {width} × {height} px, more than quire decodes ({} px a side, {} MiB of pixels)",
            bounds.max_side,
            bounds.max_alloc / (1024 * 1024)
        ),
        "export the cover at 1600 × 2560 px (a file this large is an unexported original or a decompression bomb)",
    )
}

fn decode_error(name: &str, e: &ImageError) -> Problem {
    match e {
        ImageError::Limits(_) => Problem::error(
            format!(
                "cover `{name}` needs more memory to decode than quire allows for a cover ({} MiB)",
                MAX_ALLOC / (1024 * 1024)
            ),
            "export the cover at 1600 × 2560 px, 8 bits per channel",
        ),
        ImageError::Unsupported(u) => Problem::error(
            format!("cover `{name}` uses a feature quire cannot decode: {u}"),
            "export it again as a baseline JPEG or an 8-bit PNG",
        ),
        other => corrupt(name, &other.to_string()),
    }
}

/// 8-bit RGB, transparency composited onto white; and whether any pixel was transparent.
fn flatten(image: DynamicImage) -> (RgbImage, bool) {
    if !image.color().has_alpha() {
        return (image.into_rgb8(), false);
    }
    let rgba = image.into_rgba8();
    let mut transparent = false;
    let rgb = RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        if a == 255 {
            return image::Rgb([r, g, b]);
        }
        transparent = true;
        // c·a + 255·(1 − a), rounded, in integers.
        let over =
            |c: u8| ((u32::from(c) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    });
    (rgb, transparent)
}

/// Step 4: the size rules, for art of `width` × `height` px.
pub(crate) fn check_size(name: &str, width: u32, height: u32) -> Vec<Problem> {
    let (min_w, min_h) = MIN_SIZE;
    let (ideal_w, ideal_h) = IDEAL_SIZE;
    if width < min_w || height < min_h {
        return vec![Problem::error(
            format!(
                "cover `{name}` is {width} × {height} px, smaller than the {min_w} × {min_h} px ebook stores accept"
            ),
            format!("export the cover at {ideal_w} × {ideal_h} px, the size every store takes"),
        )];
    }
    let mut problems = Vec::new();
    if width < ideal_w || height < ideal_h {
        problems.push(Problem::warning(
            format!(
                "cover `{name}` is {width} × {height} px, below the {ideal_w} × {ideal_h} px the stores ask for"
            ),
            "export it at 1600 × 2560 px or larger; smaller covers look soft on high-resolution screens",
        ));
    }
    // Height over width outside 1.4–1.8, in integers.
    let (w, h) = (u64::from(width), u64::from(height));
    if 10 * h < 14 * w || 10 * h > 18 * w {
        problems.push(Problem::warning(
            format!(
                "cover `{name}` is {width} × {height} px, {}.{:02} times as tall as wide; stores show covers at about 1.6",
                h / w,
                (h * 100 / w) % 100
            ),
            "crop or extend the art to the proportions of 1600 × 2560 px",
        ));
    }
    problems
}

/// Step 5: the EPUB's cover JPEG: `original` itself when the art is reusable (and no larger
/// than [`MAX_EPUB_IMAGE`]), else the pixels scaled to at most [`EPUB_MAX_HEIGHT`] px tall and
/// encoded at [`JPEG_QUALITY`].
pub(crate) fn epub_jpeg(image: &RgbImage, original: Option<&[u8]>) -> Result<Vec<u8>, String> {
    if let Some(bytes) = original.filter(|b| b.len() <= MAX_EPUB_IMAGE) {
        return Ok(bytes.to_vec());
    }
    let (width, height) = image.dimensions();
    if height > EPUB_MAX_HEIGHT {
        let w = ((u64::from(width) * u64::from(EPUB_MAX_HEIGHT) + u64::from(height) / 2)
            / u64::from(height))
        .max(1) as u32;
        let scaled = image::imageops::resize(
            image,
            w,
            EPUB_MAX_HEIGHT,
            image::imageops::FilterType::CatmullRom,
        );
        return encode_jpeg(&scaled);
    }
    encode_jpeg(image)
}

/// A baseline JPEG of `image` at [`JPEG_QUALITY`] (the same bytes for the same pixels: the
/// encoder works in integers).
pub(crate) fn encode_jpeg(image: &RgbImage) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|e| format!("cannot encode the cover as JPEG: {e}"))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn encoded(image: &DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        image.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn a_baseline_rgb_jpeg_of_the_right_size_is_reused_as_it_is() {
        let art =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(1600, 2560, image::Rgb([90, 20, 30])));
        let bytes = encoded(&art, image::ImageFormat::Jpeg);
        let (decoded, problems) = decode(&bytes, "c.jpg", Bounds::default()).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(decoded.reusable);
        assert_eq!(decoded.image.dimensions(), (1600, 2560));
        assert!(check_size("c.jpg", 1600, 2560).is_empty());
        let epub = epub_jpeg(&decoded.image, Some(&bytes)).unwrap();
        assert_eq!(epub, bytes);
    }

    #[test]
    fn a_tall_png_is_scaled_to_2560_and_made_a_jpeg() {
        let art =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(2000, 3200, image::Rgb([10, 120, 60])));
        let bytes = encoded(&art, image::ImageFormat::Png);
        let (decoded, _) = decode(&bytes, "c.png", Bounds::default()).unwrap();
        assert!(!decoded.reusable);
        assert_eq!(decoded.format, ArtFormat::Png);
        let epub = epub_jpeg(&decoded.image, None).unwrap();
        let back = image::load_from_memory(&epub).unwrap();
        assert_eq!((back.width(), back.height()), (1600, 2560));
        assert_eq!(
            image::guess_format(&epub).unwrap(),
            image::ImageFormat::Jpeg
        );
        // Same pixels, same bytes.
        assert_eq!(epub, epub_jpeg(&decoded.image, None).unwrap());
    }

    #[test]
    fn a_webp_cover_is_read() {
        let art =
            DynamicImage::ImageRgb8(RgbImage::from_pixel(1600, 2560, image::Rgb([30, 60, 90])));
        let bytes = encoded(&art, image::ImageFormat::WebP);
        let (decoded, problems) = decode(&bytes, "c.webp", Bounds::default()).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(decoded.format, ArtFormat::Webp);
        assert_eq!(decoded.image.get_pixel(5, 5).0, [30, 60, 90]);
        assert!(!decoded.reusable);
    }

    #[test]
    fn transparency_is_flattened_onto_white_with_a_warning() {
        let art = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(8, 8, |x, _| {
            image::Rgba([0, 0, 0, if x < 4 { 0 } else { 255 }])
        }));
        let bytes = encoded(&art, image::ImageFormat::Png);
        let (decoded, problems) = decode(&bytes, "c.png", Bounds::default()).unwrap();
        assert_eq!(decoded.image.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(decoded.image.get_pixel(7, 0).0, [0, 0, 0]);
        assert!(problems[0].message.contains("transparent"), "{problems:?}");
    }

    #[test]
    fn adobe_cmyk_is_converted_with_a_warning() {
        // Left block cyan ink, right block magenta, on an 16 × 8 image.
        let bytes = super::super::cmyk_jpeg::encode(16, 8, true, |bx, _| {
            if bx == 0 {
                [255, 0, 0, 0]
            } else {
                [0, 255, 0, 0]
            }
        });
        let (decoded, problems) = decode(&bytes, "c.jpg", Bounds::default()).unwrap();
        assert_eq!(decoded.image.get_pixel(2, 2).0, [0, 255, 255]);
        assert_eq!(decoded.image.get_pixel(12, 2).0, [255, 0, 255]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(problems[0].message.contains("CMYK"));
        assert!(!decoded.reusable);
    }

    #[test]
    fn cmyk_without_the_adobe_marker_is_an_error() {
        let bytes = super::super::cmyk_jpeg::encode(8, 8, false, |_, _| [255, 0, 0, 0]);
        let err = decode(&bytes, "c.jpg", Bounds::default()).unwrap_err();
        assert_eq!(err.severity, Severity::Error);
        assert!(err.message.contains("without Adobe"), "{err:?}");
    }

    #[test]
    fn bounds_refuse_large_images_before_decoding() {
        let art = DynamicImage::ImageRgb8(RgbImage::new(64, 32));
        let bytes = encoded(&art, image::ImageFormat::Png);
        let tight = Bounds {
            max_side: 48,
            max_alloc: MAX_ALLOC,
        };
        let err = decode(&bytes, "c.png", tight).unwrap_err();
        assert!(
            err.message.contains("64 × 32 px, more than quire decodes"),
            "{err:?}"
        );
        let tight = Bounds {
            max_side: 100,
            max_alloc: 1000,
        };
        let err = decode(&bytes, "c.png", tight).unwrap_err();
        assert!(err.message.contains("more than quire decodes"), "{err:?}");
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        let art = DynamicImage::ImageRgb8(RgbImage::from_pixel(700, 1100, image::Rgb([1, 2, 3])));
        for format in [
            image::ImageFormat::Jpeg,
            image::ImageFormat::Png,
            image::ImageFormat::WebP,
        ] {
            let bytes = encoded(&art, format);
            for cut in [bytes.len() / 2, 40, 12] {
                let result = decode(&bytes[..cut], "c", Bounds::default());
                assert!(result.is_err(), "{format:?} cut at {cut}");
            }
        }
        let err = decode(b"hello, world", "c.jpg", Bounds::default()).unwrap_err();
        assert!(err.message.contains("cannot be decoded"), "{err:?}");
        let err = decode(
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "c.svg",
            Bounds::default(),
        )
        .unwrap_err();
        assert!(err.message.contains("SVG"), "{err:?}");
        let bmp = b"BM\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
        let err = decode(bmp, "c.bmp", Bounds::default()).unwrap_err();
        assert!(err.message.contains("BMP"), "{err:?}");
    }

    #[test]
    fn size_rules() {
        let errors = check_size("c", 100, 100);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].severity, Severity::Error);
        assert!(errors[0].message.contains("smaller than the 625 × 1000 px"));
        let small = check_size("c", 1200, 1920);
        assert_eq!(small.len(), 1);
        assert_eq!(small[0].severity, Severity::Warning);
        let square = check_size("c", 2600, 2600);
        assert_eq!(square.len(), 1);
        assert!(
            square[0].message.contains("1.00 times as tall"),
            "{square:?}"
        );
        assert!(check_size("c", 1707, 2560).is_empty());
        assert!(
            check_size("c", 1600, 2400).len() == 1,
            "1.5 is fine, 2400 < 2560 is not"
        );
    }
}
