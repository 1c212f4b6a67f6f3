//! Covers: the front art of a book, from the author's file or generated, and the EPUB's
//! cover image made from it.
//!
//! ```text
//! book.toml ─> settings ─┬─ cover = "covers/…"  ─> art::decode ─> checks ─┐
//!                        └─ generate-cover       ─> generate ─────────────┴─> Art ─> EPUB JPEG
//! ```
//!
//! - [`settings`] reads what the config says: `cover` (a JPEG, PNG or WebP inside the book's
//!   folder) and `generate-cover` (make a typographic cover when no art is named).
//! - [`art`] reads the file within fixed memory bounds, converts it to sRGB RGB and checks it
//!   against the stores' sizes; [`generate`] sets title, subtitle and author in the bundled
//!   fonts, painted by `paint`. Both give an [`Art`]: RGB pixels and where they came from —
//!   what the print cover wrap will scale onto the front of its sheet ([`front_art`]).
//! - [`ebook_cover`] makes the EPUB's cover: a JPEG at most 2560 px tall, its alt text
//!   ("Cover of TITLE by AUTHOR"); the EPUB writer gives it the first page of the spine, the
//!   `cover-image` property and the `cover` landmark.
//!
//! Invariants:
//! - every problem is a diagnostic at the `cover` (or `generate-cover`) key with a one-line
//!   message and a hint; art below KDP's 625 × 1000 px minimum, undecodable, too large to
//!   decode or outside the book is an error, art below the 1600 × 2560 px the stores ask for
//!   (or far from their 1.6 proportions, or CMYK, or in another colour space) a warning;
//! - no user file can panic the stage or make it allocate more than about 800 MiB;
//! - the same input gives the same bytes: the generated cover's pixels are computed without
//!   clock, randomness or platform-dependent floating point, and JPEG encoding is integer.
//!
//! Figures from the stores' published rules (see `shared/REFERENCE.md`): 1600 × 2560 px RGB
//! JPEG satisfies KDP, Apple, Kobo and Google; KDP's minimum is 625 × 1000 px; Kobo takes at
//! most 5 MB per image.

pub mod art;
pub mod generate;
mod icc;
mod jpeg;
mod paint;

#[cfg(test)]
#[path = "../../tests/integration/cmyk_jpeg.rs"]
mod cmyk_jpeg;

use std::path::{Path, PathBuf};

use image::RgbImage;

use crate::config::{self, Layer};
use crate::diag::{Diagnostic, Diagnostics, Severity, Span};
use crate::epub::CoverImage;
use crate::model::{ImageFormat, Metadata};

pub use generate::{CoverText, Palette};
pub use paint::Rgb;

/// The generated cover's size: what the stores ask for.
pub const GENERATED_SIZE: (u32, u32) = art::IDEAL_SIZE;

/// A cover's front art: RGB pixels in sRGB, and where they came from.
#[derive(Debug, Clone)]
pub struct Art {
    pub image: RgbImage,
    pub source: ArtSource,
}

/// Where an [`Art`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtSource {
    /// The file named by `cover`, in the book's folder.
    File { path: PathBuf, format: ArtFormat },
    /// Generated from the title, subtitle and author.
    Generated,
}

/// The formats cover art may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
}

/// One problem with a cover, before it is placed at a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
    pub hint: String,
}

impl Problem {
    pub(crate) fn error(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Error,
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn warning(message: impl Into<String>, hint: impl Into<String>) -> Problem {
        Problem {
            severity: Severity::Warning,
            message: message.into(),
            hint: hint.into(),
        }
    }

    fn at(self, span: Option<Span>) -> Diagnostic {
        let d = match self.severity {
            Severity::Error => Diagnostic::error(span, self.message),
            Severity::Warning => Diagnostic::warning(span, self.message),
        };
        d.with_hint(self.hint)
    }
}

/// What the config says about the cover.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `cover = "…"`, when set (and inside the book's folder).
    pub named: Option<Named>,
    /// `generate-cover = true`: where it was set, to place messages.
    pub generate: Option<Option<Span>>,
}

/// The art named by `cover`.
#[derive(Debug, Clone)]
pub struct Named {
    /// As written in the config (`covers/front.jpg`), for messages.
    pub name: String,
    pub path: PathBuf,
    /// Where the `cover` key is.
    pub at: Option<Span>,
}

/// Reads `cover` and `generate-cover` from the config layers. A cover outside the book's
/// folder is an error; `generate-cover` beside a named cover is a warning (the art wins).
pub fn settings(layers: &[Layer], root: &Path, diags: &mut Diagnostics) -> Settings {
    let (config, origin) = config::merge(layers);
    let generate_at = config::key_span(layers, &origin, "generate-cover");
    let mut settings = Settings {
        named: None,
        generate: (config.generate_cover == Some(true)).then_some(generate_at),
    };
    let Some(name) = config
        .cover
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return settings;
    };
    let at = config::key_span(layers, &origin, "cover");
    let path = crate::manuscript::normalize(&root.join(name));
    if !path.starts_with(root) {
        diags.push(
            Diagnostic::error(at, format!("cover `{name}` is outside the book's folder"))
                .with_hint("put the cover in the book's covers/ folder"),
        );
        return settings;
    }
    if let Some(generate_at) = settings.generate.take() {
        diags.push(
            Diagnostic::warning(
                generate_at,
                format!("`generate-cover` is ignored: the book's cover is `{name}`"),
            )
            .with_hint("remove `generate-cover`, or remove `cover` to use a generated cover"),
        );
    }
    settings.named = Some(Named {
        name: name.to_string(),
        path,
        at,
    });
    settings
}

/// The front art of a book: the named file, or the generated cover at `size` when the
/// config asks for one; `None` when there is neither, or the art has errors (reported).
pub fn front_art(
    settings: &Settings,
    meta: &Metadata,
    size: (u32, u32),
    diags: &mut Diagnostics,
) -> Option<Art> {
    if let Some(named) = &settings.named {
        return read_named(named, diags).map(|(art, _)| art);
    }
    let at = settings.generate?;
    Some(generated(meta, size, at, diags))
}

/// The EPUB's cover: the named art or the generated cover as a JPEG at most 2560 px tall,
/// with its alt text; `None` when the book has no cover or its art has errors (reported).
pub fn ebook_cover(
    settings: &Settings,
    meta: &Metadata,
    diags: &mut Diagnostics,
) -> Option<CoverImage> {
    let (image, original, at) = if let Some(named) = &settings.named {
        let (art, original) = read_named(named, diags)?;
        (art.image, original, named.at)
    } else {
        let at = settings.generate?;
        let art = generated(meta, GENERATED_SIZE, at, diags);
        (art.image, None, at)
    };
    match art::epub_jpeg(&image, original.as_deref()) {
        Ok(bytes) => Some(CoverImage {
            bytes,
            format: ImageFormat::Jpeg,
            alt: alt_text(meta),
        }),
        Err(message) => {
            diags.push(Diagnostic::error(at, message).with_hint("report this as a bug in quire"));
            None
        }
    }
}

/// The generated cover of a book as the JPEG `quire cover` writes (1600 × 2560 px), and the
/// characters it had to leave out.
pub fn generated_jpeg(meta: &Metadata) -> Result<(Vec<u8>, Vec<char>), String> {
    let (w, h) = GENERATED_SIZE;
    let (image, missing) =
        generate::generate(&cover_text(meta), &generate::palette_for(&meta.title), w, h);
    Ok((art::encode_jpeg(&image)?, missing))
}

/// Where `quire cover` puts a book's generated cover, relative to the book's folder.
pub fn generated_file_name(meta: &Metadata) -> String {
    format!("covers/{}.jpg", meta.slug)
}

/// The cover's description for readers who cannot see it.
pub fn alt_text(meta: &Metadata) -> String {
    match meta.author_line() {
        Some(author) => format!("Cover of {} by {author}", meta.title),
        None => format!("Cover of {}", meta.title),
    }
}

fn cover_text(meta: &Metadata) -> CoverText {
    CoverText {
        title: meta.title.clone(),
        subtitle: meta.subtitle.clone(),
        author: meta.author_line(),
    }
}

fn generated(meta: &Metadata, size: (u32, u32), at: Option<Span>, diags: &mut Diagnostics) -> Art {
    let (image, missing) = generate::generate(
        &cover_text(meta),
        &generate::palette_for(&meta.title),
        size.0,
        size.1,
    );
    report_missing(&missing, at, diags);
    Art {
        image,
        source: ArtSource::Generated,
    }
}

/// A warning for characters of the title, subtitle or author that the generated cover left out.
pub fn report_missing(missing: &[char], at: Option<Span>, diags: &mut Diagnostics) {
    if missing.is_empty() {
        return;
    }
    let list: Vec<String> = missing
        .iter()
        .map(|c| format!("`{c}` (U+{:04X})", u32::from(*c)))
        .collect();
    diags.push(
        Diagnostic::warning(
            at,
            format!(
                "the generated cover leaves out {}: no bundled font has it",
                list.join(", ")
            ),
        )
        .with_hint("name cover art with `cover = \"covers/…\"`, or change the title's characters"),
    );
}

/// Reads, decodes and checks the named art; the art and, when the EPUB can reuse them, the
/// file's bytes.
fn read_named(named: &Named, diags: &mut Diagnostics) -> Option<(Art, Option<Vec<u8>>)> {
    let Named { name, path, at } = named;
    let bytes = match read_bounded(path, art::MAX_FILE) {
        Ok(bytes) => bytes,
        Err(problem) => {
            diags.push(problem_for(name, problem).at(*at));
            return None;
        }
    };
    let (decoded, problems) = match art::decode(&bytes, name, art::Bounds::default()) {
        Ok(found) => found,
        Err(problem) => {
            diags.push(problem.at(*at));
            return None;
        }
    };
    let (w, h) = decoded.image.dimensions();
    let problems: Vec<Problem> = problems
        .into_iter()
        .chain(art::check_size(name, w, h))
        .collect();
    let failed = problems.iter().any(|p| p.severity == Severity::Error);
    for problem in problems {
        diags.push(problem.at(*at));
    }
    if failed {
        return None;
    }
    let original = decoded.reusable.then_some(bytes);
    Some((
        Art {
            image: decoded.image,
            source: ArtSource::File {
                path: path.clone(),
                format: decoded.format,
            },
        },
        original,
    ))
}

/// Why a cover file could not be read.
enum ReadProblem {
    Missing,
    Folder,
    TooBig(u64),
    Io(std::io::Error),
}

fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, ReadProblem> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadProblem::Missing,
        _ => ReadProblem::Io(e),
    })?;
    if meta.is_dir() {
        return Err(ReadProblem::Folder);
    }
    if meta.len() > max {
        return Err(ReadProblem::TooBig(meta.len()));
    }
    std::fs::read(path).map_err(ReadProblem::Io)
}

fn problem_for(name: &str, problem: ReadProblem) -> Problem {
    match problem {
        ReadProblem::Missing => Problem::error(
            format!("cover `{name}` does not exist"),
            "check the path in `cover = \"…\"` (relative to the book's folder), or run `quire cover` to generate one",
        ),
        ReadProblem::Folder => Problem::error(
            format!("cover `{name}` is a folder"),
            "name the cover's image file, e.g. `cover = \"covers/front.jpg\"`",
        ),
        ReadProblem::TooBig(len) => Problem::error(
            format!(
                "cover `{name}` is a {} MiB file, more than quire reads for a cover ({} MiB)",
                len / (1024 * 1024),
                art::MAX_FILE / (1024 * 1024)
            ),
            "export the cover as a JPEG of 1600 × 2560 px (a few hundred KB)",
        ),
        ReadProblem::Io(e) => Problem::error(
            format!("cover `{name}` cannot be read: {e}"),
            "check that the file is readable",
        ),
    }
}
