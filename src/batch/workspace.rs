//! `quire.toml`: a workspace of books with shared defaults.
//!
//! ```toml
//! books = ["books/*", "extra/essay.md"]   # folders with book.toml, .md files, globs
//! exclude = ["books/draft-*"]             # optional, globs
//! out = "dist"                            # optional: one folder for every book's outputs
//! formats = ["epub", "pdf"]               # optional
//! names = "{slug}-{version}"              # optional: output file names
//!
//! [print]                                 # defaults under each book.toml's [print]
//! trim = "5.5x8.5"
//! [fonts]                                 # relative to quire.toml's folder
//! regular = "fonts/House-Regular.ttf"
//! ```
//!
//! Paths are relative to the folder of `quire.toml`. `[print]` and `[fonts]` are merged key
//! by key under each book's own, so a book that sets `font-size` keeps the workspace's trim.
//! Unknown keys are errors here (a typo in a file that governs many books should stop them all).

use super::names::NamePattern;
use crate::config::print::{self, FontsConfig, PrintConfig};
use crate::config::{BookConfig, ConfigSource, Layer, Syntax};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::pipeline::Format;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A parsed and checked `quire.toml`.
#[derive(Debug)]
pub struct Workspace {
    /// The folder of `quire.toml`; workspace paths are relative to it.
    pub root: PathBuf,
    /// The `books` entries, with where each is written (for messages).
    pub books: Vec<(String, Span)>,
    pub exclude: Vec<glob::Pattern>,
    pub out: Option<PathBuf>,
    pub formats: Option<Vec<Format>>,
    pub names: Option<NamePattern>,
    /// `[print]` and `[fonts]` (font paths made absolute), the layer under each book.toml.
    pub defaults: BookConfig,
    /// A digest of the defaults and of the font files they name: part of each book's inputs.
    pub fingerprint: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WorkspaceToml {
    books: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    out: Option<String>,
    formats: Option<Vec<Spanned<String>>>,
    names: Option<Spanned<String>>,
    print: Option<PrintConfig>,
    fonts: Option<FontsConfig>,
}

/// Reads `quire.toml` at `file`. Problems go to `diags` with their place in the file; `None`
/// when the workspace cannot be used.
pub fn read(
    file: &Path,
    shown: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Workspace> {
    let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(e) => {
            diags.push(
                Diagnostic::error(None, format!("cannot read {}: {e}", shown.display()))
                    .with_hint("check that the file exists and is readable"),
            );
            return None;
        }
    };
    let id = sources.add(shown, text.clone());
    let at = |offset: usize| Span::point(id, offset);
    let parsed: WorkspaceToml = match toml::from_str(&text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            diags.push(
                Diagnostic::error(at(offset), format!("invalid quire.toml: {}", e.message()))
                    .with_hint(
                        "quire.toml takes books, exclude, out, formats, names, [print] and [fonts]",
                    ),
            );
            return None;
        }
    };
    let errors_before = diags.error_count();

    let spanned = |s: &Spanned<String>| (s.get_ref().clone(), at(s.span().start));
    let books: Vec<(String, Span)> = parsed.books.iter().map(spanned).collect();
    if books.is_empty() {
        diags.push(
            Diagnostic::error(at(0), "quire.toml lists no books")
                .with_hint("add `books = [\"books/*\"]`: book folders, .md files or globs"),
        );
    }
    let mut exclude = Vec::new();
    for entry in &parsed.exclude {
        match glob::Pattern::new(entry.get_ref()) {
            Ok(p) => exclude.push(p),
            Err(e) => diags.push(
                Diagnostic::error(
                    at(entry.span().start),
                    format!("`{}` is not a glob: {e}", entry.get_ref()),
                )
                .with_hint("use * and ? as in a shell, e.g. \"books/draft-*\""),
            ),
        }
    }
    let formats = parsed.formats.as_ref().map(|list| {
        let mut formats = Vec::new();
        for f in list {
            match f.get_ref().as_str() {
                "epub" => formats.push(Format::Epub),
                "pdf" => formats.push(Format::Pdf),
                other => diags.push(
                    Diagnostic::error(
                        at(f.span().start),
                        format!("`{other}` is not an output format"),
                    )
                    .with_hint("formats are \"epub\" and \"pdf\""),
                ),
            }
        }
        formats.sort();
        formats.dedup();
        formats
    });
    let names = parsed
        .names
        .as_ref()
        .and_then(|n| match NamePattern::parse(n.get_ref()) {
            Ok(p) => Some(p),
            Err(message) => {
                diags.push(
                    Diagnostic::error(at(n.span().start), message)
                        .with_hint("for example names = \"{slug}-{version}\""),
                );
                None
            }
        });

    // [print] and [fonts] are checked the way book.toml's are, pointing into quire.toml.
    let layer = Layer {
        config: BookConfig {
            print: parsed.print.clone(),
            fonts: parsed.fonts.clone(),
            ..BookConfig::default()
        },
        source: Some((
            ConfigSource {
                file: id,
                offset: 0,
                syntax: Syntax::Toml,
            },
            text.clone(),
        )),
    };
    for (table, unknown, known) in [
        (
            "print",
            parsed.print.as_ref().map(|p| &p.unknown),
            print::PRINT_KEYS,
        ),
        (
            "fonts",
            parsed.fonts.as_ref().map(|f| &f.unknown),
            print::FONT_KEYS,
        ),
    ] {
        for key in unknown.into_iter().flat_map(|u| u.keys()) {
            diags.push(
                Diagnostic::error(
                    at(crate::config::find_table_key(&text, table, key).unwrap_or(0)),
                    format!("unknown key `{key}` in [{table}]"),
                )
                .with_hint(format!("[{table}] takes {}", known.join(", "))),
            );
        }
    }
    let settings = print::resolve(std::slice::from_ref(&layer), &root, diags);
    let mut fingerprint = Sha256::new();
    fingerprint.update(format!("{:?}\n{:?}\n", parsed.print, parsed.fonts).as_bytes());
    let mut fonts = parsed.fonts.clone();
    if let Some(fonts) = &mut fonts {
        let f = &settings.fonts;
        for (named, path) in [
            (&mut fonts.regular, &f.regular),
            (&mut fonts.italic, &f.italic),
            (&mut fonts.bold, &f.bold),
            (&mut fonts.bold_italic, &f.bold_italic),
            (&mut fonts.mono, &f.mono),
        ] {
            let (Some(name), Some(path)) = (named.as_mut(), path) else {
                continue;
            };
            match std::fs::read(path) {
                Ok(bytes) => fingerprint.update(Sha256::digest(&bytes)),
                Err(e) => diags.push(
                    Diagnostic::error(
                        at(crate::config::find_table_key(&text, "fonts", "regular").unwrap_or(0)),
                        format!("font `{name}` cannot be read: {e}"),
                    )
                    .with_hint("font paths in quire.toml are relative to its folder"),
                ),
            }
            *name = path.to_string_lossy().into_owned();
        }
    }
    let out = parsed
        .out
        .as_ref()
        .map(|o| crate::manuscript::normalize(&root.join(o)));
    if diags.error_count() > errors_before {
        return None;
    }
    Some(Workspace {
        root,
        books,
        exclude,
        out,
        formats,
        names,
        defaults: BookConfig {
            print: parsed.print,
            fonts,
            ..BookConfig::default()
        },
        fingerprint: hex(&fingerprint.finalize()),
    })
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The id of a file in a source map, for tests.
#[cfg(test)]
fn first(sources: &SourceMap) -> &crate::diag::SourceFile {
    sources.get(crate::diag::FileId(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (Option<Workspace>, Diagnostics, SourceMap) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("quire.toml");
        std::fs::write(&file, text).unwrap();
        let (mut sources, mut diags) = (SourceMap::new(), Diagnostics::new());
        let ws = read(&file, Path::new("quire.toml"), &mut sources, &mut diags);
        (ws, diags, sources)
    }

    #[test]
    fn reads_defaults() {
        let (ws, diags, _) = read_text(
            "books = [\"books/*\"]\nout = \"dist\"\nformats = [\"epub\"]\nnames = \"{slug}-{version}\"\n[print]\ntrim = \"5x8\"\n",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let ws = ws.unwrap();
        assert_eq!(ws.formats, Some(vec![Format::Epub]));
        assert!(ws.out.unwrap().ends_with("dist"));
        assert_eq!(
            ws.defaults.print.unwrap().trim.as_deref(),
            Some("5x8"),
            "the trim is a default for every book"
        );
    }

    #[test]
    fn bad_values_point_into_the_file() {
        let (ws, diags, sources) = read_text(
            "books = [\"a\"]\nformats = [\"epub\", \"mobi\"]\n[print]\ntrim = \"huge\"\n",
        );
        assert!(ws.is_none());
        let located: Vec<String> = diags
            .iter()
            .map(|d| sources.location(d.span.unwrap()))
            .collect();
        assert_eq!(located, vec!["quire.toml:2:20", "quire.toml:4:1"]);
        assert_eq!(first(&sources).path, Path::new("quire.toml"));
    }

    #[test]
    fn unknown_keys_are_errors() {
        let (ws, diags, sources) = read_text("books = [\"a\"]\nouput = \"dist\"\n");
        assert!(ws.is_none());
        let d = diags.iter().next().unwrap();
        assert!(d.message.contains("ouput"), "{}", d.message);
        assert_eq!(sources.location(d.span.unwrap()), "quire.toml:2:1");
    }
}
