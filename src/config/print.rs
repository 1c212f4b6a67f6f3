//! `[print]` and `[fonts]`: how the PDF is made.
//!
//! ```toml
//! [print]
//! trim = "6x9"          # a named size (6x9, 5.5x8.5, a5, demy, …) or WxH with a unit: 148x210mm
//! font-size = 11        # body text, in points
//! leading = 14          # baseline to baseline, in points
//!
//! [fonts]               # TrueType files, relative to the book's folder; any may be left out
//! regular = "fonts/MyBook-Regular.ttf"
//! italic = "fonts/MyBook-Italic.ttf"
//! bold = "fonts/MyBook-Bold.ttf"
//! bold-italic = "fonts/MyBook-BoldItalic.ttf"
//! mono = "fonts/MyMono.ttf"
//! ```

use super::{Layer, find_table_key};
use crate::diag::{Diagnostic, Diagnostics, Span};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const PRINT_KEYS: &[&str] = &["trim", "font-size", "leading"];
pub const FONT_KEYS: &[&str] = &["regular", "italic", "bold", "bold-italic", "mono"];

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct PrintConfig {
    pub trim: Option<String>,
    pub font_size: Option<f64>,
    pub leading: Option<f64>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, IgnoredAny>,
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

impl Default for PrintSettings {
    fn default() -> Self {
        Self {
            trim: (432.0, 648.0),
            font_size: 11.0,
            leading: 14.0,
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
        if let Some(trim) = &print.trim {
            match parse_trim(trim) {
                Some(t) => settings.trim = t,
                None => diags.push(
                    Diagnostic::error(
                        table_span("print", "trim"),
                        format!("`{trim}` is not a trim size"),
                    )
                    .with_hint(format!(
                        "use one of {} or WxH with a unit, such as 148x210mm",
                        TRIMS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
                    )),
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
