//! Fonts: the faces a book is set in, parsed once and shared.
//!
//! A [`Fonts`] holds six faces, addressed by [`FaceId`]: one per [`Style`] (body regular,
//! italic, bold, bold italic, and a monospace face for code) and a **fallback** face (DejaVu
//! Sans) for characters the styled face lacks. The bundled set ([`Fonts::bundled`]) is compiled
//! into the binary from `fonts/` (Gentium Book Plus, DejaVu Sans Mono, DejaVu Sans), so a fresh
//! clone builds with no setup; `book.toml` may replace any styled face with a file
//! ([`Fonts::from_files`]), the rest staying bundled.
//!
//! Invariants:
//! - `FaceId(n)` indexes the faces in a fixed order: the five [`Style`]s in declaration order,
//!   then the fallback. [`Fonts::faces`] yields them in that order, so anything derived from it
//!   (the PDF's font list) is deterministic.
//! - Each face is parsed once: its `rustybuzz` face (with the OpenType tables the shaper needs)
//!   lives as long as the `Fonts`. Font bytes therefore have the `'static` lifetime: bundled
//!   bytes are, and bytes read from files are kept alive for the rest of the process, once per
//!   distinct file content (a batch build that loads the same font for many books keeps one copy).
//! - All lengths are in **ems** (fractions of the font size): multiply by the size in points.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustybuzz::ttf_parser;

use super::layout::FontData;

/// A face in a [`Fonts`] (an index into its faces).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaceId(pub u16);

/// The styles text is set in; each has its own face.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Regular,
    Italic,
    Bold,
    BoldItalic,
    Mono,
}

impl Style {
    /// All styles, in [`FaceId`] order.
    pub const ALL: [Style; 5] = [
        Style::Regular,
        Style::Italic,
        Style::Bold,
        Style::BoldItalic,
        Style::Mono,
    ];

    /// The index of this style's face and of its slot in per-style tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// This style with italic added (`Bold` → `BoldItalic`); `Mono` stays `Mono`.
    pub fn italic(self) -> Style {
        match self {
            Style::Regular | Style::Italic => Style::Italic,
            Style::Bold | Style::BoldItalic => Style::BoldItalic,
            Style::Mono => Style::Mono,
        }
    }

    /// This style with bold added (`Italic` → `BoldItalic`); `Mono` stays `Mono`.
    pub fn bold(self) -> Style {
        match self {
            Style::Regular | Style::Bold => Style::Bold,
            Style::Italic | Style::BoldItalic => Style::BoldItalic,
            Style::Mono => Style::Mono,
        }
    }
}

/// Vertical metrics of a face, in ems (fractions of the font size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceMetrics {
    /// Height above the baseline (positive).
    pub ascender: f64,
    /// Depth below the baseline (negative).
    pub descender: f64,
    /// Extra space the font suggests between lines.
    pub line_gap: f64,
    /// Height of capitals (`H`).
    pub cap_height: f64,
    /// Height of lowercase letters (`x`).
    pub x_height: f64,
}

/// Font files named in `book.toml`; each is optional and falls back to the bundled face.
#[derive(Debug, Clone, Default)]
pub struct FontFiles {
    pub regular: Option<PathBuf>,
    pub italic: Option<PathBuf>,
    pub bold: Option<PathBuf>,
    pub bold_italic: Option<PathBuf>,
    pub mono: Option<PathBuf>,
}

impl FontFiles {
    fn get(&self, style: Style) -> Option<&Path> {
        match style {
            Style::Regular => self.regular.as_deref(),
            Style::Italic => self.italic.as_deref(),
            Style::Bold => self.bold.as_deref(),
            Style::BoldItalic => self.bold_italic.as_deref(),
            Style::Mono => self.mono.as_deref(),
        }
    }
}

/// The bundled font files: (file name, bytes), in [`FaceId`] order (styles, then fallback).
const BUNDLED: [(&str, &[u8]); 6] = [
    (
        "GentiumBookPlus-Regular.ttf",
        include_bytes!("../../fonts/GentiumBookPlus-Regular.ttf"),
    ),
    (
        "GentiumBookPlus-Italic.ttf",
        include_bytes!("../../fonts/GentiumBookPlus-Italic.ttf"),
    ),
    (
        "GentiumBookPlus-Bold.ttf",
        include_bytes!("../../fonts/GentiumBookPlus-Bold.ttf"),
    ),
    (
        "GentiumBookPlus-BoldItalic.ttf",
        include_bytes!("../../fonts/GentiumBookPlus-BoldItalic.ttf"),
    ),
    (
        "DejaVuSansMono.ttf",
        include_bytes!("../../fonts/DejaVuSansMono.ttf"),
    ),
    (
        "DejaVuSans.ttf",
        include_bytes!("../../fonts/DejaVuSans.ttf"),
    ),
];

/// Index of the fallback face.
const FALLBACK: usize = 5;

/// Where a face's bytes come from; both live for the rest of the process.
enum Source {
    /// Compiled in; copied into an `Arc` only if the PDF writer asks for it.
    Static(&'static [u8]),
    /// Read from a file and kept alive (see [`keep_alive`]).
    Shared(Arc<Vec<u8>>),
}

/// One parsed face.
pub(crate) struct Face {
    /// The shaper's view of the face (borrows the `'static` bytes).
    pub(crate) rb: rustybuzz::Face<'static>,
    /// The whole font file, for the PDF writer.
    bytes: &'static [u8],
    index: u32,
    name: String,
    /// The family name for people (`Gentium Book Plus`).
    family: String,
    metrics: FaceMetrics,
    /// 1 / units per em: multiply font units by this to get ems.
    pub(crate) scale: f64,
}

impl Face {
    fn parse(source: Source, index: u32, label: &str) -> Result<Face, String> {
        let bytes: &'static [u8] = match &source {
            Source::Static(b) => b,
            Source::Shared(arc) => keep_alive(arc),
        };
        let rb = rustybuzz::Face::from_slice(bytes, index)
            .ok_or_else(|| format!("{label}: not a TrueType or OpenType font"))?;
        let upem = f64::from(rb.units_per_em());
        if upem <= 0.0 {
            return Err(format!("{label}: the font has no units per em"));
        }
        let scale = 1.0 / upem;
        let name = postscript_name(&rb).unwrap_or_else(|| fallback_name(label));
        let family = family_name(&rb).unwrap_or_else(|| name.clone());
        let metrics = face_metrics(&rb, scale);
        Ok(Face {
            rb,
            bytes,
            index,
            name,
            family,
            metrics,
            scale,
        })
    }
}

/// Returns a `'static` view of bytes read from a file, keeping them alive for the rest of the
/// process. Identical contents share one copy, so loading the same font for many books keeps
/// one copy.
fn keep_alive(bytes: &Arc<Vec<u8>>) -> &'static [u8] {
    static KEPT: Mutex<Vec<&'static Arc<Vec<u8>>>> = Mutex::new(Vec::new());
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = kept.iter().find(|k| k.as_slice() == bytes.as_slice()) {
        return k.as_slice();
    }
    // A leaked clone of the Arc: its count never reaches zero, so the heap buffer (which an
    // Arc<Vec> never moves or mutates) lives for the rest of the process.
    let leaked: &'static Arc<Vec<u8>> = Box::leak(Box::new(Arc::clone(bytes)));
    kept.push(leaked);
    leaked.as_slice()
}

fn postscript_name(face: &ttf_parser::Face<'_>) -> Option<String> {
    face.names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .map(|s| {
            s.chars()
                .filter(|c| c.is_ascii_graphic())
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
}

/// The typographic family name (name id 16), else the family name (id 1).
fn family_name(face: &ttf_parser::Face<'_>) -> Option<String> {
    [
        ttf_parser::name_id::TYPOGRAPHIC_FAMILY,
        ttf_parser::name_id::FAMILY,
    ]
    .iter()
    .find_map(|&id| {
        face.names()
            .into_iter()
            .filter(|n| n.name_id == id)
            .find_map(|n| n.to_string())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

/// A PostScript-safe name from a file name, for fonts without one.
fn fallback_name(label: &str) -> String {
    let stem = Path::new(label)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("Font");
    let name: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if name.is_empty() {
        "Font".to_string()
    } else {
        name
    }
}

fn face_metrics(face: &ttf_parser::Face<'_>, scale: f64) -> FaceMetrics {
    let glyph_top = |c: char| {
        face.glyph_index(c)
            .and_then(|g| face.glyph_bounding_box(g))
            .map(|b| b.y_max)
    };
    let ascender = f64::from(face.ascender()) * scale;
    let descender = f64::from(face.descender()) * scale;
    let cap_height = face
        .capital_height()
        .filter(|&h| h > 0)
        .or_else(|| glyph_top('H'))
        .map_or(0.7, |h| f64::from(h) * scale);
    let x_height = face
        .x_height()
        .filter(|&h| h > 0)
        .or_else(|| glyph_top('x'))
        .map_or(0.5, |h| f64::from(h) * scale);
    FaceMetrics {
        ascender,
        descender: descender.min(0.0),
        line_gap: f64::from(face.line_gap()) * scale,
        cap_height,
        x_height,
    }
}

/// The faces a book is set in: one per [`Style`] and a fallback.
pub struct Fonts {
    faces: Vec<Face>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.faces.iter().map(|face| &face.name))
            .finish()
    }
}

impl Fonts {
    /// The fonts compiled into quire (`fonts/`: Gentium Book Plus regular, italic, bold and bold
    /// italic, DejaVu Sans Mono for [`Style::Mono`], DejaVu Sans as the fallback), parsed once
    /// per process and shared.
    pub fn bundled() -> Arc<Fonts> {
        static BUNDLED_FONTS: OnceLock<Arc<Fonts>> = OnceLock::new();
        BUNDLED_FONTS
            .get_or_init(|| {
                let faces = BUNDLED
                    .iter()
                    .map(|&(name, bytes)| {
                        Face::parse(Source::Static(bytes), 0, name)
                            .expect("the bundled fonts are valid")
                    })
                    .collect();
                Arc::new(Fonts { faces })
            })
            .clone()
    }

    /// Fonts from files named in `book.toml`, each optional, the others bundled. A file that
    /// cannot be read or parsed is an error (a message naming the file, for a diagnostic).
    pub fn from_files(files: &FontFiles) -> Result<Fonts, String> {
        let mut faces = Vec::with_capacity(BUNDLED.len());
        let mut errors = Vec::new();
        for (i, &(name, bytes)) in BUNDLED.iter().enumerate() {
            let path = Style::ALL.get(i).and_then(|&s| files.get(s));
            let face = match path {
                Some(path) => load_file(path),
                None => Face::parse(Source::Static(bytes), 0, name),
            };
            match face {
                Ok(face) => faces.push(face),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(Fonts { faces })
        } else {
            Err(errors.join("; "))
        }
    }

    /// What tells this set of faces from another: each face's bytes (address and length:
    /// identical files share one copy) and index.
    pub(crate) fn identity(&self) -> Vec<(usize, usize, u32)> {
        self.faces
            .iter()
            .map(|f| (f.bytes.as_ptr() as usize, f.bytes.len(), f.index))
            .collect()
    }

    /// The face for `style`.
    pub fn face(&self, style: Style) -> FaceId {
        FaceId(style.index() as u16)
    }

    /// The fallback face (DejaVu Sans), used for characters the styled face lacks.
    pub fn fallback(&self) -> FaceId {
        FaceId(FALLBACK as u16)
    }

    /// Vertical metrics of `face`, in ems.
    pub fn metrics(&self, face: FaceId) -> FaceMetrics {
        self.get(face).metrics
    }

    /// Whether `face` has a glyph for `c`.
    pub fn has_char(&self, face: FaceId, c: char) -> bool {
        self.get(face).rb.glyph_index(c).is_some_and(|g| g.0 != 0)
    }

    /// The face's glyph for `c`, if it has one.
    pub fn glyph(&self, face: FaceId, c: char) -> Option<u16> {
        self.get(face)
            .rb
            .glyph_index(c)
            .map(|g| g.0)
            .filter(|&g| g != 0)
    }

    /// The horizontal advance of glyph `id` in `face`, in ems (0 for an unknown glyph).
    pub fn advance(&self, face: FaceId, id: u16) -> f64 {
        let face = self.get(face);
        face.rb
            .glyph_hor_advance(ttf_parser::GlyphId(id))
            .map_or(0.0, |a| f64::from(a) * face.scale)
    }

    /// Draws the outline of glyph `id` in `face` into `builder`, in font units with y up
    /// (multiply by [`Fonts::em_per_unit`] for ems). `false` when the glyph has no outline
    /// (a space) or no such glyph exists. For painters of glyphs other than the PDF (covers).
    pub fn outline(
        &self,
        face: FaceId,
        id: u16,
        builder: &mut dyn ttf_parser::OutlineBuilder,
    ) -> bool {
        self.get(face)
            .rb
            .outline_glyph(ttf_parser::GlyphId(id), builder)
            .is_some()
    }

    /// The size of one font unit of `face` in ems (1 / units per em).
    pub fn em_per_unit(&self, face: FaceId) -> f64 {
        self.get(face).scale
    }

    /// How far glyph `id` of `face` reaches above and below the baseline, in ems (its
    /// bounding box's top and bottom, the bottom negative below the baseline); `None` for a
    /// glyph that draws nothing (a space).
    pub fn ink(&self, face: FaceId, id: u16) -> Option<(f64, f64)> {
        let face = self.get(face);
        let bbox = face.rb.glyph_bounding_box(ttf_parser::GlyphId(id))?;
        Some((
            f64::from(bbox.y_max) * face.scale,
            f64::from(bbox.y_min) * face.scale,
        ))
    }

    /// The PostScript name of `face` (`GentiumBookPlus-Regular`).
    pub fn name(&self, face: FaceId) -> &str {
        &self.get(face).name
    }

    /// The family name of `face` (`Gentium Book Plus`), for the colophon.
    pub fn family(&self, face: FaceId) -> &str {
        &self.get(face).family
    }

    /// What the PDF writer needs for this face: PostScript name, the whole font file, index.
    pub fn data(&self, face: FaceId) -> FontData {
        let face = self.get(face);
        FontData {
            name: face.name.clone(),
            bytes: face.bytes,
            index: face.index,
        }
    }

    /// All faces, in [`FaceId`] order.
    pub fn faces(&self) -> impl Iterator<Item = FaceId> + '_ {
        (0..self.faces.len()).map(|i| FaceId(i as u16))
    }

    /// The parsed face. Panics for an id not from this `Fonts` (an internal error).
    pub(crate) fn get(&self, face: FaceId) -> &Face {
        &self.faces[usize::from(face.0)]
    }
}

fn load_file(path: &Path) -> Result<Face, String> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read font {label}: {e}"))?;
    Face::parse(Source::Shared(Arc::new(bytes)), 0, &label)
        .map_err(|e| format!("cannot use font {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_faces_are_named_and_ordered() {
        let fonts = Fonts::bundled();
        let names: Vec<&str> = fonts.faces().map(|f| fonts.name(f)).collect();
        assert_eq!(
            names,
            [
                "GentiumBookPlus",
                "GentiumBookPlus-Italic",
                "GentiumBookPlus-Bold",
                "GentiumBookPlus-BoldItalic",
                "DejaVuSansMono",
                "DejaVuSans",
            ]
        );
        assert_eq!(fonts.face(Style::Mono), FaceId(4));
        assert_eq!(fonts.fallback(), FaceId(5));
        assert!(Arc::ptr_eq(&fonts, &Fonts::bundled()));
    }

    #[test]
    fn metrics_are_plausible_ems() {
        let fonts = Fonts::bundled();
        for face in fonts.faces() {
            let m = fonts.metrics(face);
            assert!(m.ascender > 0.6 && m.ascender < 1.3, "{face:?} {m:?}");
            assert!(m.descender < -0.1 && m.descender > -0.6, "{face:?} {m:?}");
            assert!(m.line_gap >= 0.0, "{face:?} {m:?}");
            assert!(
                m.x_height > 0.3 && m.x_height < m.cap_height,
                "{face:?} {m:?}"
            );
            assert!(m.cap_height < m.ascender, "{face:?} {m:?}");
        }
    }

    #[test]
    fn coverage() {
        let fonts = Fonts::bundled();
        let gentium = fonts.face(Style::Regular);
        for c in ['a', 'Ж', 'ω', 'é', '—', '’'] {
            assert!(fonts.has_char(gentium, c), "{c}");
        }
        assert!(!fonts.has_char(gentium, '☞'));
        assert!(fonts.has_char(fonts.fallback(), '☞'));
        assert!(!fonts.has_char(fonts.fallback(), '\u{1F680}'));
    }

    #[test]
    fn data_shares_bytes() {
        let fonts = Fonts::bundled();
        let a = fonts.data(fonts.face(Style::Regular));
        let b = fonts.data(fonts.face(Style::Regular));
        assert!(std::ptr::eq(a.bytes, b.bytes));
        assert_eq!(a.index, 0);
        assert_eq!(a.bytes.len(), BUNDLED[0].1.len());
    }

    #[test]
    fn from_files_replaces_one_face_and_reports_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mono.ttf");
        std::fs::write(&path, BUNDLED[FALLBACK].1).unwrap();
        let files = FontFiles {
            mono: Some(path),
            ..FontFiles::default()
        };
        let fonts = Fonts::from_files(&files).unwrap();
        assert_eq!(fonts.name(fonts.face(Style::Mono)), "DejaVuSans");
        assert_eq!(fonts.name(fonts.face(Style::Regular)), "GentiumBookPlus");

        let bad = dir.path().join("bad.ttf");
        std::fs::write(&bad, b"not a font").unwrap();
        let files = FontFiles {
            italic: Some(bad),
            bold: Some(dir.path().join("absent.ttf")),
            ..FontFiles::default()
        };
        let err = Fonts::from_files(&files).unwrap_err();
        assert!(
            err.contains("bad.ttf") && err.contains("absent.ttf"),
            "{err}"
        );
    }
}
