//! Images: found relative to the manuscript file, kept inside the book's folder, read once,
//! recognised by their bytes (not their extension), and sized.

use super::Resources;
use super::lower::normalize;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Asset, AssetId, ImageFormat};
use std::path::{Path, PathBuf};

pub struct Assets<'r> {
    resources: &'r dyn Resources,
    loaded: Vec<(PathBuf, Asset)>,
}

impl<'r> Assets<'r> {
    pub fn new(resources: &'r dyn Resources) -> Self {
        Self {
            resources,
            loaded: Vec::new(),
        }
    }

    /// Loads the image `dest` (as written in the manuscript, relative to `dir`). Problems are
    /// errors at `span`; the result is `None` then.
    pub fn load(
        &mut self,
        dest: &str,
        dir: &Path,
        span: Span,
        root: &Path,
        diags: &mut Diagnostics,
    ) -> Option<AssetId> {
        let dest = dest.trim();
        if dest.contains("://") || dest.starts_with("data:") {
            diags.push(
                Diagnostic::error(span, format!("image `{dest}` is not a local file")).with_hint(
                    "download the image into the book's folder and refer to it by its path",
                ),
            );
            return None;
        }
        if dest.is_empty() {
            diags.push(Diagnostic::error(span, "image has no file name").with_hint(
                "write the path between the parentheses: ![description](images/map.png)",
            ));
            return None;
        }
        let path = normalize(&dir.join(dest));
        if !path.starts_with(root) {
            diags.push(
                Diagnostic::error(span, format!("image `{dest}` is outside the book's folder"))
                    .with_hint("copy the image into the book's folder (for example `images/`) and refer to it there"),
            );
            return None;
        }
        if let Some(i) = self.loaded.iter().position(|(p, _)| *p == path) {
            return Some(AssetId(u32::try_from(i).unwrap_or(u32::MAX)));
        }
        let bytes = match self.resources.read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                diags.push(
                    Diagnostic::error(span, format!("image `{dest}` does not exist")).with_hint(
                        format!(
                            "looked for {}; check the file name and its folder",
                            path.display()
                        ),
                    ),
                );
                return None;
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(span, format!("image `{dest}` cannot be read: {e}"))
                        .with_hint("check the file's permissions"),
                );
                return None;
            }
        };
        let (format, pixels) = match sniff(&bytes) {
            Some(found) => found,
            None => {
                diags.push(
                    Diagnostic::error(
                        span,
                        format!(
                            "image `{dest}` is not a readable JPEG, PNG, GIF, WebP or SVG file"
                        ),
                    )
                    .with_hint("re-export the image as PNG or JPEG"),
                );
                return None;
            }
        };
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        self.loaded.push((
            path,
            Asset {
                path: rel,
                format,
                bytes,
                pixels,
            },
        ));
        Some(AssetId(
            u32::try_from(self.loaded.len() - 1).unwrap_or(u32::MAX),
        ))
    }

    pub fn finish(self) -> Vec<Asset> {
        self.loaded.into_iter().map(|(_, a)| a).collect()
    }
}

/// The format and pixel size of an image, from its bytes; `None` if it is not a readable image.
pub fn sniff(bytes: &[u8]) -> Option<(ImageFormat, Option<(u32, u32)>)> {
    let head = &bytes[..bytes.len().min(512)];
    let text_head = String::from_utf8_lossy(head);
    let trimmed = text_head.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("<svg") || (trimmed.starts_with("<?xml") && text_head.contains("<svg")) {
        return Some((ImageFormat::Svg, None));
    }
    let format = match image::guess_format(bytes).ok()? {
        image::ImageFormat::Png => ImageFormat::Png,
        image::ImageFormat::Jpeg => ImageFormat::Jpeg,
        image::ImageFormat::Gif => ImageFormat::Gif,
        image::ImageFormat::WebP => ImageFormat::Webp,
        _ => return None,
    };
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    let dims = reader.into_dimensions().ok()?;
    Some((format, Some(dims)))
}
