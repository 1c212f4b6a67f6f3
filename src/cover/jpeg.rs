//! What a JPEG's markers say about its pixels, read before decoding: how many colour
//! components (3 for YCbCr or RGB, 4 for CMYK or YCCK), whether it is progressive, and Adobe's
//! APP14 colour transform. The `image` crate decodes CMYK into RGB but does not say that it
//! did; this scan is how the cover stage knows to warn.
//!
//! The walk stops at the first scan (`SOS`): every marker that matters here comes before it.
//! Malformed input ends the walk; it never panics (the decoder reports the damage).

/// The frame and colour facts of a JPEG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct JpegInfo {
    /// Colour components of the frame (1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK); 0 if no frame header
    /// was found.
    pub components: u8,
    /// A progressive frame (`SOF2`, `SOF6`, `SOF10`, `SOF14`).
    pub progressive: bool,
    /// The transform byte of Adobe's APP14 segment when there is one: for four components, 0
    /// is CMYK and 2 is YCCK, both stored inverted (Photoshop's convention).
    pub adobe_transform: Option<u8>,
    /// An end-of-image marker follows the first scan. Decoders fill the missing rows of a
    /// truncated file with grey rather than fail, so this is how a cut-off upload is caught.
    pub complete: bool,
}

impl JpegInfo {
    /// Four components: CMYK or YCCK ink values rather than light.
    pub fn is_cmyk(&self) -> bool {
        self.components == 4
    }
}

/// Reads the markers of a JPEG up to its first scan; `None` when `bytes` is not a JPEG.
pub(crate) fn scan(bytes: &[u8]) -> Option<JpegInfo> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut info = JpegInfo::default();
    let mut i = 2;
    while i + 1 < bytes.len() {
        if bytes[i] != 0xFF {
            // Not at a marker: the file is damaged; the decoder will say how.
            break;
        }
        let marker = bytes[i + 1];
        match marker {
            // Fill bytes before a marker.
            0xFF => {
                i += 1;
                continue;
            }
            // Markers without a length: TEM, RSTn, SOI.
            0x01 | 0xD0..=0xD8 => {
                i += 2;
                continue;
            }
            0xD9 => break,
            // Start of scan: nothing more to learn but whether the image ends. In entropy-coded
            // data 0xFF is followed by 0x00 or a restart marker, so 0xFF 0xD9 is the end.
            0xDA => {
                info.complete = bytes[i..].windows(2).any(|w| w == [0xFF, 0xD9]);
                break;
            }
            _ => {}
        }
        let Some(&[hi, lo]) = bytes.get(i + 2..i + 4) else {
            break;
        };
        let length = usize::from(u16::from_be_bytes([hi, lo]));
        if length < 2 {
            break;
        }
        let segment = bytes.get(i + 4..i + 2 + length).unwrap_or(&[]);
        match marker {
            // Start of frame; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                info.components = segment.get(5).copied().unwrap_or(0);
                info.progressive = matches!(marker, 0xC2 | 0xC6 | 0xCA | 0xCE);
            }
            0xEE if segment.starts_with(b"Adobe") => {
                info.adobe_transform = segment.get(11).copied();
            }
            _ => {}
        }
        i += 2 + length;
    }
    Some(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_rgb_jpeg() {
        let mut bytes = Vec::new();
        image::RgbImage::from_pixel(16, 8, image::Rgb([200, 30, 30]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Jpeg,
            )
            .unwrap();
        let info = scan(&bytes).unwrap();
        assert_eq!(info.components, 3);
        assert!(!info.progressive && !info.is_cmyk());
        assert_eq!(info.adobe_transform, None);
        assert!(info.complete);
        assert!(!scan(&bytes[..bytes.len() - 2]).unwrap().complete);
    }

    #[test]
    fn reads_an_adobe_cmyk_jpeg() {
        let bytes = super::super::cmyk_jpeg::encode(16, 8, true, |_, _| [0, 255, 255, 255]);
        let info = scan(&bytes).unwrap();
        assert!(info.is_cmyk());
        assert_eq!(info.adobe_transform, Some(0));
    }

    #[test]
    fn never_panics_on_garbage() {
        assert_eq!(scan(b"GIF89a"), None);
        for bytes in [
            &[0xFF, 0xD8][..],
            &[0xFF, 0xD8, 0xFF],
            &[0xFF, 0xD8, 0xFF, 0xC0],
            &[0xFF, 0xD8, 0xFF, 0xC0, 0x00],
            &[0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x01],
            &[0xFF, 0xD8, 0xFF, 0xC0, 0xFF, 0xFF, 1, 2],
            &[
                0xFF, 0xD8, 0xFF, 0xEE, 0x00, 0x08, b'A', b'd', b'o', b'b', b'e',
            ],
            &[0xFF, 0xD8, 0x00, 0x00],
        ] {
            let info = scan(bytes).unwrap();
            assert_eq!(info.components, 0, "{bytes:?}");
        }
    }
}
