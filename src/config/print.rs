//! `[print]` and `[fonts]`: how the PDF is made.
//!
//! ```toml
//! [print]
//! trim = "6x9"          # a named size (6x9, 5.5x8.5, a5, demy, …) or WxH with a unit: 148x210mm
//! font-size = 11        # body text, in points
//! leading = 14          # baseline to baseline, in points
//! service = "kdp"       # or "ingramspark": whose minimum margins and spine figures apply
//! paper = "white"       # or "cream", "color": the spine's width on the cover wrap
//! bleed = false         # 0.125 in beyond the trim on the top, bottom and outside edges
//! crop-marks = false    # marks at the trim's corners, outside the bleed
//!
//! [fonts]               # TrueType files, relative to the book's folder; any may be left out
//! regular = "fonts/MyBook-Regular.ttf"
//! italic = "fonts/MyBook-Italic.ttf"
//! bold = "fonts/MyBook-Bold.ttf"
//! bold-italic = "fonts/MyBook-BoldItalic.ttf"
//! mono = "fonts/MyMono.ttf"
//! ```
//!
//! `print = "ingramspark"` on its own (a string where the table would be) is short for
//! `[print] service = "ingramspark"`: the issue that asked for the profile wrote it so, but a
//! book that also sets a trim needs the table.

use super::{Layer, find_table_key};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::print::rules::{Paper, Service};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const PRINT_KEYS: &[&str] = &[
    "trim",
    "font-size",
    "leading",
    "service",
    "paper",
    "bleed",
    "crop-marks",
];
pub const FONT_KEYS: &[&str] = &["regular", "italic", "bold", "bold-italic", "mono"];

/// `[print]` as written: a table, or the short form `print = "ingramspark"` (a service name).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct PrintConfig {
    pub trim: Option<String>,
    pub font_size: Option<f64>,
    pub leading: Option<f64>,
    pub service: Option<String>,
    pub paper: Option<String>,
    pub bleed: Option<bool>,
    pub crop_marks: Option<bool>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, IgnoredAny>,
    /// Written as `print = "…"` (the service only).
    #[serde(skip)]
    pub short_form: bool,
}

/// Reads `print`: the table, or a service name for the short form.
pub(super) fn print_field<'de, D>(deserializer: D) -> Result<Option<PrintConfig>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Field;
    impl<'de> serde::de::Visitor<'de> for Field {
        type Value = Option<PrintConfig>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a [print] table, or a print service such as \"ingramspark\"")
        }

        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Self::Value, E> {
            Ok(Some(PrintConfig {
                service: Some(s.to_string()),
                short_form: true,
                ..PrintConfig::default()
            }))
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            PrintConfig::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    deserializer.deserialize_any(Field)
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct FontsConfig {
    pub regular: Option<String>,
    pub italic: Option<String>,
    pub bold: Option<String>,
    pub bold_italic: Option<String>,
    pub mono: Option<String>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, IgnoredAny>,
}

/// The print settings, validated. Lengths in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PrintSettings {
    /// Trim width and height.
    pub trim: (f64, f64),
    pub font_size: f64,
    pub leading: f64,
    /// Whose rules the margins and the cover follow.
    pub service: Service,
    /// The interior paper (the cover's spine width).
    pub paper: Paper,
    /// Pages extend 0.125 in beyond the trim on the top, bottom and outside edges.
    pub bleed: bool,
    /// Crop marks at the trim's corners, outside the bleed.
    pub crop_marks: bool,
    /// `[print] service` was named: the book is made for that service.
    pub service_named: bool,
    /// Font files named in `[fonts]`, absolute.
    pub fonts: FontPaths,
    /// Where `[fonts]` was set, for messages about the files.
    pub fonts_span: Option<Span>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FontPaths {
    pub regular: Option<PathBuf>,
    pub italic: Option<PathBuf>,
    pub bold: Option<PathBuf>,
    pub bold_italic: Option<PathBuf>,
    pub mono: Option<PathBuf>,
}

impl FontPaths {
    pub fn is_empty(&self) -> bool {
        *self == FontPaths::default()
    }
}

impl PrintSettings {
    /// Whether the PDF is made for a printer: it has bleed or crop marks, or `book.toml` names
    /// the service. Only then are the page count's limits worth a warning (a reading PDF of a
    /// short text is not a paperback).
    pub fn for_printer(&self) -> bool {
        self.bleed || self.crop_marks || self.service_named
    }
}

impl Default for PrintSettings {
    fn default() -> Self {
        Self {
            trim: (432.0, 648.0),
            font_size: 11.0,
            leading: 14.0,
            service: Service::Kdp,
            paper: Paper::White,
            bleed: false,
            crop_marks: false,
            service_named: false,
            fonts: FontPaths::default(),
            fonts_span: None,
        }
    }
}

const MM: f64 = 72.0 / 25.4;

/// The named trim sizes, in points (US trade sizes in inches, the others in millimetres).
pub const TRIMS: &[(&str, f64, f64)] = &[
    ("5x8", 5.0 * 72.0, 8.0 * 72.0),
    ("5.25x8", 5.25 * 72.0, 8.0 * 72.0),
    ("5.5x8.5", 5.5 * 72.0, 8.5 * 72.0),
    ("6x9", 6.0 * 72.0, 9.0 * 72.0),
    ("6.14x9.21", 6.14 * 72.0, 9.21 * 72.0),
    ("7x10", 7.0 * 72.0, 10.0 * 72.0),
    ("8.5x11", 8.5 * 72.0, 11.0 * 72.0),
    ("a5", 148.0 * MM, 210.0 * MM),
    ("b-format", 129.0 * MM, 198.0 * MM),
    ("demy", 138.0 * MM, 216.0 * MM),
];

/// A trim size: a name from [`TRIMS`], or `WxH` with an optional unit (`in` by default, `mm`,
/// `cm`, `pt`). `None` when it is neither, or outside 2–20 in.
pub fn parse_trim(s: &str) -> Option<(f64, f64)> {
    let s = s.trim().to_ascii_lowercase();
    if let Some(&(_, w, h)) = TRIMS.iter().find(|(name, _, _)| *name == s) {
        return Some((w, h));
    }
    let number = s.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = if number.len() == s.len() {
        "in"
    } else {
        &s[number.len()..]
    };
    let factor = match unit.trim() {
        "in" => 72.0,
        "mm" => MM,
        "cm" => 10.0 * MM,
        "pt" => 1.0,
        _ => return None,
    };
    let (w, h) = number.split_once(['x', '×'])?;
    let (w, h): (f64, f64) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    let (w, h) = (w * factor, h * factor);
    let ok = |v: f64| (2.0 * 72.0..=20.0 * 72.0).contains(&v);
    (ok(w) && ok(h)).then_some((w, h))
}

/// The command line's print flags (`--trim`, `--bleed`, `--crop-marks`), over `[print]`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PrintFlags {
    pub trim: Option<(f64, f64)>,
    pub bleed: bool,
    pub crop_marks: bool,
}

impl PrintFlags {
    /// `settings` with the flags applied (a flag only ever turns bleed or marks on).
    pub fn apply(&self, settings: &mut PrintSettings) {
        if let Some(trim) = self.trim {
            settings.trim = trim;
        }
        settings.bleed |= self.bleed;
        settings.crop_marks |= self.crop_marks;
    }
}

/// What to write instead of an unknown trim: the names, or a size with a unit.
pub fn trim_hint() -> String {
    format!(
        "use one of {} or WxH with a unit, such as 148x210mm",
        trim_names()
    )
}

/// The named trims, comma-separated.
pub fn trim_names() -> String {
    TRIMS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
}

/// Validates `[print]` and `[fonts]` of the merged layers. Font paths are relative to `root`.
pub fn resolve(layers: &[Layer], root: &Path, diags: &mut Diagnostics) -> PrintSettings {
    let (config, origin) = super::merge(layers);
    let mut settings = PrintSettings::default();
    let table_span = |table: &str, key: &str| -> Option<Span> {
        let &i = origin.get(table)?;
        let (source, text) = layers[i].source.as_ref()?;
        find_table_key(text, table, key).map(|o| Span::point(source.file, source.offset + o))
    };
    if let Some(print) = &config.print {
        let service_span = || {
            if print.short_form {
                let &i = origin.get("print")?;
                layers[i].key_span("print")
            } else {
                table_span("print", "service")
            }
        };
        if let Some(name) = &print.service {
            match Service::parse(name) {
                Some(service) => {
                    settings.service = service;
                    settings.service_named = true;
                }
                None => diags.push(
                    Diagnostic::error(
                        service_span(),
                        format!("`{name}` is not a print service quire knows"),
                    )
                    .with_hint(format!(
                        "use one of {}; the service sets the minimum margins and the spine's width",
                        Service::NAMES.join(", ")
                    )),
                ),
            }
        }
        if let Some(name) = &print.paper {
            match Paper::parse(name) {
                Some(paper) => settings.paper = paper,
                None => diags.push(
                    Diagnostic::error(
                        table_span("print", "paper"),
                        format!("`{name}` is not a paper quire knows"),
                    )
                    .with_hint(format!(
                        "use one of {}; the paper sets the spine's width on the cover wrap",
                        Paper::NAMES.join(", ")
                    )),
                ),
            }
        }
        settings.bleed = print.bleed.unwrap_or(false);
        settings.crop_marks = print.crop_marks.unwrap_or(false);
        if let Some(trim) = &print.trim {
            match parse_trim(trim) {
                Some(t) => settings.trim = t,
                None => diags.push(
                    Diagnostic::error(
                        table_span("print", "trim"),
                        format!("`{trim}` is not a trim size"),
                    )
                    .with_hint(trim_hint()),
                ),
            }
        }
        if let Some(size) = print.font_size {
            if (6.0..=24.0).contains(&size) {
                settings.font_size = size;
                settings.leading = size * 14.0 / 11.0;
            } else {
                diags.push(
                    Diagnostic::error(
                        table_span("print", "font-size"),
                        format!("a font size of {size} pt is not usable for a book"),
                    )
                    .with_hint("body text is usually set at 9 to 13 pt"),
                );
            }
        }
        if let Some(leading) = print.leading {
            if leading >= settings.font_size && leading <= settings.font_size * 3.0 {
                settings.leading = leading;
            } else {
                diags.push(
                    Diagnostic::error(
                        table_span("print", "leading"),
                        format!("a leading of {leading} pt does not suit {} pt type", settings.font_size),
                    )
                    .with_hint("the leading (baseline to baseline) is usually 1.2 to 1.4 times the font size"),
                );
            }
        }
    }
    if let Some(fonts) = &config.fonts {
        settings.fonts_span = table_span("fonts", "regular");
        let path = |p: &Option<String>| {
            p.as_deref()
                .map(|p| crate::manuscript::normalize(&root.join(p)))
        };
        settings.fonts = FontPaths {
            regular: path(&fonts.regular),
            italic: path(&fonts.italic),
            bold: path(&fonts.bold),
            bold_italic: path(&fonts.bold_italic),
            mono: path(&fonts.mono),
        };
    }
    settings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims() {
        assert_eq!(parse_trim("6x9"), Some((432.0, 648.0)));
        assert_eq!(parse_trim("432x648pt"), Some((432.0, 648.0)));
        let (w, h) = parse_trim("148x210mm").unwrap();
        assert!((w - 419.527).abs() < 0.01 && (h - 595.276).abs() < 0.01);
        assert_eq!(parse_trim("A5"), parse_trim("148x210mm"));
        assert_eq!(parse_trim("huge"), None);
        assert_eq!(parse_trim("1x1"), None);
    }
}
