//! The pipeline: the one place where the stages are chained.
//!
//! ```text
//! locate ─> read book.toml + manuscript files ─> manuscript::parse ─> config::resolve
//!        ─> cover::ebook_cover ─> model::Book ─> print::typeset ─┬─> epub::write (with the print pages) ─┬─> output::write_atomic
//!                                                         └─> pdf::write ─────────────────────────┘
//! ```
//!
//! [`load`] does everything up to the [`Book`] and never writes; [`produce`] makes every
//! format in memory; [`build`] writes them as `<slug>.<ext>`. The batch driver
//! ([`crate::batch`]) calls [`produce`] once per book and names and writes the files itself.
//! The book is typeset once, whatever the formats asked for: the EPUB carries the print
//! edition's page numbers, so `--format epub` and `--format epub,pdf` write the same EPUB.
//! The typesetter's diagnostics are the PDF's, reported only when the PDF is made.
//! Both return every diagnostic of the run with the [`SourceMap`] needed to show them.
//! Invariant: when any diagnostic is an error, nothing is written.

use crate::config::{self, BookConfig, ConfigSource, Layer, ResolveContext, Syntax};
use crate::cover;
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::epub;
use crate::manuscript::{self, FileSystem, ManuscriptFile, normalize};
use crate::model::Book;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Epub,
    Pdf,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
        }
    }
}

/// What to load: a book folder (with `book.toml`) or a single Markdown file.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    pub path: PathBuf,
    /// `-M key=value` flags, applied over `book.toml` and front matter.
    pub metadata: Vec<(String, String)>,
    /// `SOURCE_DATE_EPOCH`, when set.
    pub source_date_epoch: Option<i64>,
    /// Defaults shared by a workspace's books (`quire.toml`), under `book.toml`: font paths
    /// in it are absolute.
    pub defaults: Option<BookConfig>,
}

/// What to build.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub load: LoadRequest,
    pub formats: Vec<Format>,
    /// Output folder; default `out/` in the book's folder.
    pub out_dir: Option<PathBuf>,
    /// `--trim`, `--bleed`, `--crop-marks`.
    pub print: config::print::PrintFlags,
}

/// The result of loading: the book (absent when it could not be made at all), its diagnostics
/// and its sources.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    pub book: Option<Book>,
    /// The EPUB's cover: the art named by `cover` in book.toml or front matter, checked and
    /// made a JPEG, or the generated cover when `generate-cover` asks for one.
    pub cover: Option<epub::CoverImage>,
    /// What the config says about the cover (for `quire cover` and the print cover).
    pub cover_settings: cover::Settings,
    /// `[print]` and `[fonts]`.
    pub print: config::print::PrintSettings,
    /// The fonts named in `[fonts]`, loaded (`None`: the bundled ones).
    pub fonts: Option<std::sync::Arc<crate::typeset::font::Fonts>>,
    /// The book's folder.
    pub root: PathBuf,
    pub timings: Vec<(&'static str, Duration)>,
}

/// One file written by a build.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub path: PathBuf,
    pub bytes: u64,
}

#[derive(Debug)]
pub struct Built {
    pub loaded: Loaded,
    pub outputs: Vec<Output>,
}

/// A book made in memory: every requested format's bytes, nothing written yet.
#[derive(Debug)]
pub struct Produced {
    pub loaded: Loaded,
    /// In the order of the request's formats; empty when there are errors.
    pub files: Vec<(Format, Vec<u8>)>,
    /// The print edition's page count (`None` when the book was not typeset).
    pub pages: Option<usize>,
}

/// Loads and checks a book without writing anything.
pub fn load(request: &LoadRequest) -> Loaded {
    load_with(request, true)
}

/// Loads and checks a book like [`load`], except for its cover art: the named file is not
/// read and no cover is generated (`quire cover`, which makes the art, needs the metadata
/// even when the named file does not exist yet).
pub fn load_without_art(request: &LoadRequest) -> Loaded {
    load_with(request, false)
}

fn load_with(request: &LoadRequest, art: bool) -> Loaded {
    let started = Instant::now();
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let mut timings = Vec::new();
    let fail = |sources, diags, root| Loaded {
        sources,
        diagnostics: diags,
        book: None,
        cover: None,
        cover_settings: cover::Settings::default(),
        print: config::print::PrintSettings::default(),
        fonts: None,
        root,
        timings: Vec::new(),
    };

    let cwd = std::env::current_dir().unwrap_or_default();
    let path = normalize(&cwd.join(&request.path));
    let (root, toml_path, manuscript_paths) = match locate(&path) {
        Ok(found) => found,
        Err(d) => {
            diags.push(d);
            return fail(sources, diags, path);
        }
    };
    let show = |p: &Path| -> PathBuf {
        p.strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| p.to_path_buf())
    };

    // book.toml
    let mut layers = Vec::new();
    if let Some(toml_path) = &toml_path {
        match read_text(toml_path, &show(toml_path), &mut sources, &mut diags) {
            Some(file) => {
                let text = sources.get(file).text.clone();
                let source = ConfigSource {
                    file,
                    offset: 0,
                    syntax: Syntax::Toml,
                };
                let config = config::parse(&text, source, &mut diags);
                layers.push(Layer {
                    config,
                    source: Some((source, text)),
                });
            }
            None => return fail(sources, diags, root),
        }
    }

    // Manuscript files: given on the command line, or named by book.toml.
    let manuscript_paths = match manuscript_paths {
        Some(paths) => paths,
        None => {
            let named = layers.first().and_then(|l| l.config.manuscript.clone());
            let toml_span = layers
                .first()
                .and_then(|l| l.source.as_ref())
                .map(|(s, _)| Span::point(s.file, 0));
            match manuscript_files(&root, named, toml_span) {
                Ok(paths) => paths,
                Err(d) => {
                    diags.push(d);
                    return fail(sources, diags, root);
                }
            }
        }
    };
    let mut files = Vec::new();
    for path in &manuscript_paths {
        if let Some(id) = read_text(path, &show(path), &mut sources, &mut diags) {
            files.push(ManuscriptFile {
                id,
                path: path.clone(),
            });
        }
    }
    timings.push(("read", started.elapsed()));

    let parse_started = Instant::now();
    let parsed = manuscript::parse(&files, &sources, &root, &FileSystem, &mut diags);
    timings.push(("parse", parse_started.elapsed()));

    // Front matter (first file only), then command-line flags.
    for (i, fm) in parsed.front_matter.iter().enumerate() {
        let source = ConfigSource {
            file: fm.file,
            offset: fm.offset,
            syntax: fm.syntax,
        };
        if i > 0 || files.first().map(|f| f.id) != Some(fm.file) {
            diags.push(
                Diagnostic::warning(
                    Span::point(fm.file, fm.offset.saturating_sub(4)),
                    "front matter is only read from the first manuscript file; this one is ignored",
                )
                .with_hint("move these keys to book.toml or to the first file"),
            );
            continue;
        }
        let config = config::parse(&fm.text, source, &mut diags);
        if config.manuscript.is_some() {
            diags.push(
                Diagnostic::warning(
                    Span::point(fm.file, fm.offset),
                    "`manuscript` in front matter is ignored",
                )
                .with_hint("name the manuscript files in book.toml"),
            );
        }
        layers.push(Layer {
            config,
            source: Some((source, fm.text.clone())),
        });
    }
    let mut flags = BookConfig::default();
    for (key, value) in &request.metadata {
        if let Err(message) = config::apply_flag(&mut flags, key, value) {
            diags.push(Diagnostic::error(None, message).with_hint("see `quire build --help`"));
        }
    }
    layers.push(Layer {
        config: flags,
        source: None,
    });
    if let Some(defaults) = &request.defaults {
        layers.insert(
            0,
            Layer {
                config: defaults.clone(),
                source: None,
            },
        );
    }

    let fallback_title = manuscript_paths
        .first()
        .and_then(|p| p.file_stem())
        .map_or_else(
            || "Untitled".to_string(),
            |s| s.to_string_lossy().into_owned(),
        );
    let cx = ResolveContext {
        sources: &sources,
        fallback_title: &fallback_title,
        source_date_epoch: request.source_date_epoch,
    };
    let meta = config::resolve(&layers, &cx, &mut diags);
    let cover_settings = cover::settings(&layers, &root, &mut diags);
    let cover = if art {
        cover::ebook_cover(&cover_settings, &meta, &mut diags)
    } else {
        None
    };
    let print = config::print::resolve(&layers, &root, &mut diags);
    let fonts = load_fonts(&print, &mut diags);

    let book = Book {
        meta,
        front: parsed.front,
        divisions: parsed.divisions,
        notes: parsed.notes,
        assets: parsed.assets,
    };
    timings.push(("load", started.elapsed()));
    Loaded {
        sources,
        diagnostics: diags,
        book: Some(book),
        cover,
        cover_settings,
        print,
        fonts,
        root,
        timings,
    }
}

/// Loads a book and writes the requested formats (nothing when there are errors).
pub fn build(request: &BuildRequest) -> Built {
    let Produced {
        mut loaded, files, ..
    } = produce(request);
    let mut outputs = Vec::new();
    let Some(book) = &loaded.book else {
        return Built { loaded, outputs };
    };
    let out_dir = match &request.out_dir {
        Some(dir) => std::env::current_dir().unwrap_or_default().join(dir),
        None => loaded.root.join("out"),
    };
    for (format, bytes) in files {
        let path = out_dir.join(format!("{}.{}", book.meta.slug, format.extension()));
        match crate::output::write_atomic(&path, &bytes) {
            Ok(()) => outputs.push(Output {
                format,
                path,
                bytes: bytes.len() as u64,
            }),
            Err(e) => loaded.diagnostics.push(
                Diagnostic::error(None, format!("cannot write {}: {e}", path.display()))
                    .with_hint("check that the output folder is writable"),
            ),
        }
    }
    Built { loaded, outputs }
}

/// Loads a book and makes the requested formats in memory (none when there are errors).
pub fn produce(request: &BuildRequest) -> Produced {
    let mut loaded = load(&request.load);
    request.print.apply(&mut loaded.print);
    let files = Vec::new();
    if loaded.diagnostics.has_errors() {
        return Produced {
            loaded,
            files,
            pages: None,
        };
    }
    let Some(book) = &loaded.book else {
        return Produced {
            loaded,
            files,
            pages: None,
        };
    };
    // Typeset once, then make every output in memory, the formats in parallel: a failure in
    // one format writes none.
    let started = Instant::now();
    let crate::typeset::Typeset {
        document,
        diagnostics,
        pages,
    } = crate::print::typeset(book, &loaded.print, &loaded.fonts).typeset;
    loaded.timings.push(("typeset", started.elapsed()));
    if request.formats.contains(&Format::Pdf) {
        loaded.diagnostics.extend(diagnostics);
    }
    let print = epub::PrintEdition {
        source: print_edition_name(book, &loaded.print),
        pages,
    };
    let pages = Some(document.pages.len());
    let (cover, document, print) = (&loaded.cover, &document, &print);
    let results: Vec<Made> = crate::parallel::map(&request.formats, |&format| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            make(format, book, cover, print, document)
        }))
        .unwrap_or_else(|_| Made::failed("a writer stopped unexpectedly"))
    });
    let mut made = Vec::new();
    for result in results {
        loaded.timings.extend(result.timings);
        match result.bytes {
            Ok(bytes) => made.push((result.format, bytes)),
            Err(message) => loaded.diagnostics.push(Diagnostic::error(None, message)),
        }
    }
    if loaded.diagnostics.has_errors() {
        made.clear();
    }
    Produced {
        loaded,
        files: made,
        pages,
    }
}

/// What `quire cover --wrap` makes.
#[derive(Debug, Clone)]
pub struct WrapRequest {
    pub load: LoadRequest,
    /// Output folder; default `out/` in the book's folder.
    pub out_dir: Option<PathBuf>,
    /// `--trim`, `--bleed`, `--crop-marks`: the interior the wrap is for.
    pub print: config::print::PrintFlags,
    /// Draw the guide lines.
    pub guides: bool,
}

/// The cover wrap made: what was written and its measurements.
#[derive(Debug)]
pub struct WrapBuilt {
    pub loaded: Loaded,
    pub output: Option<Output>,
    /// The wrap's measurements (`None` when the book could not be typeset).
    pub geometry: Option<crate::print::wrap::WrapGeometry>,
    pub spine_text: bool,
}

/// Typesets the interior (for its page count) and writes the cover wrap as
/// `<slug>-cover.pdf` (nothing when there are errors).
pub fn cover_wrap(request: &WrapRequest) -> WrapBuilt {
    // The art is read (or generated) once, at the front's size, by the wrap.
    let mut loaded = load_without_art(&request.load);
    request.print.apply(&mut loaded.print);
    let mut built = WrapBuilt {
        loaded,
        output: None,
        geometry: None,
        spine_text: false,
    };
    let loaded = &mut built.loaded;
    if loaded.diagnostics.has_errors() {
        return built;
    }
    let Some(book) = &loaded.book else {
        return built;
    };
    let started = Instant::now();
    let printed = crate::print::typeset(book, &loaded.print, &loaded.fonts);
    loaded.timings.push(("typeset", started.elapsed()));
    let pages = printed.pages();
    loaded.diagnostics.extend(printed.typeset.diagnostics);
    if !loaded.print.for_printer() {
        crate::print::check_pages(pages, &loaded.print, &mut loaded.diagnostics);
    }
    let art = crate::print::wrap::front_art(
        book,
        &loaded.cover_settings,
        &loaded.print,
        &mut loaded.diagnostics,
    );
    if loaded.diagnostics.has_errors() {
        return built;
    }
    let wrap = crate::print::wrap::wrap(&crate::print::wrap::WrapInput {
        book,
        settings: &loaded.print,
        fonts: loaded.fonts.clone(),
        pages,
        art: art.as_ref(),
        guides: request.guides,
    });
    loaded.diagnostics.extend(wrap.diagnostics);
    if request.guides {
        loaded.diagnostics.push(
            Diagnostic::warning(
                None,
                "the wrap has guide lines drawn on it: it is for checking, not for upload",
            )
            .with_hint("make the wrap again without --guides to upload it"),
        );
    }
    built.geometry = Some(wrap.geometry);
    built.spine_text = wrap.spine_text;
    let written = Instant::now();
    let bytes = match crate::pdf::write(&wrap.document) {
        Ok(bytes) => bytes,
        Err(e) => {
            loaded
                .diagnostics
                .push(Diagnostic::error(None, e.to_string()));
            return built;
        }
    };
    loaded.timings.push(("wrap", written.elapsed()));
    if loaded.diagnostics.has_errors() {
        return built;
    }
    let out_dir = match &request.out_dir {
        Some(dir) => std::env::current_dir().unwrap_or_default().join(dir),
        None => loaded.root.join("out"),
    };
    let path = out_dir.join(format!("{}-cover.pdf", book.meta.slug));
    match crate::output::write_atomic(&path, &bytes) {
        Ok(()) => {
            built.output = Some(Output {
                format: Format::Pdf,
                path,
                bytes: bytes.len() as u64,
            })
        }
        Err(e) => loaded.diagnostics.push(
            Diagnostic::error(None, format!("cannot write {}: {e}", path.display()))
                .with_hint("check that the output folder is writable"),
        ),
    }
    built
}

/// One format made in memory, and how long it took.
struct Made {
    format: Format,
    bytes: Result<Vec<u8>, String>,
    timings: Vec<(&'static str, Duration)>,
}

impl Made {
    fn failed(message: &str) -> Made {
        Made {
            format: Format::Epub,
            bytes: Err(message.to_string()),
            timings: Vec::new(),
        }
    }
}

/// Writes one format of a typeset book.
fn make(
    format: Format,
    book: &Book,
    cover: &Option<epub::CoverImage>,
    print: &epub::PrintEdition,
    document: &crate::typeset::layout::Document,
) -> Made {
    let started = Instant::now();
    let bytes = match format {
        Format::Epub => {
            let options = epub::EpubOptions {
                generator: format!("quire {}", env!("CARGO_PKG_VERSION")),
                cover: cover.clone(),
                print: Some(print.clone()),
            };
            epub::write(book, &options).map_err(|e| e.to_string())
        }
        Format::Pdf => crate::pdf::write(document).map_err(|e| e.to_string()),
    };
    Made {
        format,
        bytes,
        timings: vec![(format.extension(), started.elapsed())],
    }
}

/// What the EPUB's `pageBreakSource` says the page numbers come from: the print edition
/// quire makes from the same book, told apart from other editions by its trim and type size
/// (another trim paginates differently) and tied to the book by its identifier:
/// "Alarm Signal! by Leon Trotsky, print edition (PDF, 6 × 9 in, 11 pt), urn:uuid:…".
fn print_edition_name(book: &Book, print: &config::print::PrintSettings) -> String {
    fn number(x: f64, decimals: usize) -> String {
        let s = format!("{x:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
    let meta = &book.meta;
    let by = meta
        .author_line()
        .map(|a| format!(" by {a}"))
        .unwrap_or_default();
    format!(
        "{}{by}, print edition (PDF, {} × {} in, {} pt), {}",
        meta.title,
        number(print.trim.0 / 72.0, 2),
        number(print.trim.1 / 72.0, 2),
        number(print.font_size, 1),
        meta.identifier.0
    )
}

/// Loads the font files named in `[fonts]` (the bundled faces stand in for the others).
fn load_fonts(
    print: &config::print::PrintSettings,
    diags: &mut Diagnostics,
) -> Option<std::sync::Arc<crate::typeset::font::Fonts>> {
    if print.fonts.is_empty() {
        return None;
    }
    let f = &print.fonts;
    // The PDF embeds TrueType outlines only: say so now, at [fonts], rather than fail later.
    for path in [&f.regular, &f.italic, &f.bold, &f.bold_italic, &f.mono]
        .into_iter()
        .flatten()
    {
        let cff = std::fs::read(path)
            .ok()
            .and_then(|bytes| {
                ttf_parser::Face::parse(&bytes, 0)
                    .ok()
                    .map(|face| face.tables().glyf.is_none())
            })
            .unwrap_or(false);
        if cff {
            diags.push(
                Diagnostic::error(
                    print.fonts_span,
                    format!(
                        "{} has PostScript (CFF) outlines; quire embeds TrueType fonts only",
                        path.file_name().map_or_else(
                            || path.display().to_string(),
                            |n| n.to_string_lossy().into_owned()
                        )
                    ),
                )
                .with_hint("use the family's .ttf files (TrueType outlines)"),
            );
            return None;
        }
    }
    let files = crate::typeset::font::FontFiles {
        regular: f.regular.clone(),
        italic: f.italic.clone(),
        bold: f.bold.clone(),
        bold_italic: f.bold_italic.clone(),
        mono: f.mono.clone(),
    };
    match crate::typeset::font::Fonts::from_files(&files) {
        Ok(fonts) => Some(std::sync::Arc::new(fonts)),
        Err(message) => {
            diags.push(
                Diagnostic::error(
                    print.fonts_span,
                    format!("cannot use the fonts in [fonts]: {message}"),
                )
                .with_hint("name TrueType (.ttf) files, relative to the book's folder"),
            );
            None
        }
    }
}

/// Finds the book's folder, its `book.toml` (if any) and, for a single file, the manuscript.
#[allow(clippy::type_complexity)]
fn locate(path: &Path) -> Result<(PathBuf, Option<PathBuf>, Option<Vec<PathBuf>>), Diagnostic> {
    if path.is_dir() {
        let toml = path.join("book.toml");
        if toml.is_file() {
            return Ok((path.to_path_buf(), Some(toml), None));
        }
        return Err(Diagnostic::error(None, format!("no book.toml in {}", path.display()))
            .with_hint("run `quire init DIR` to start a book, or pass a Markdown file: `quire build notes.md`"));
    }
    if path.is_file() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name == "book.toml" {
            let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
            return Ok((root, Some(path.to_path_buf()), None));
        }
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        return Ok((root, None, Some(vec![path.to_path_buf()])));
    }
    Err(
        Diagnostic::error(None, format!("{} does not exist", path.display()))
            .with_hint("pass a book folder (with book.toml) or a Markdown file"),
    )
}

/// The manuscript files named by `book.toml` (a file, a folder of `.md` files or a list of
/// either), or `manuscript/` by default. Folders are read in file-name order.
fn manuscript_files(
    root: &Path,
    named: Option<config::OneOrMany>,
    at: Option<Span>,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = named.map_or_else(
        || vec!["manuscript".to_string()],
        config::OneOrMany::into_vec,
    );
    let mut files = Vec::new();
    for entry in entries {
        let path = normalize(&root.join(&entry));
        if !path.starts_with(root) {
            return Err(Diagnostic::error(
                at,
                format!("manuscript `{entry}` is outside the book's folder"),
            )
            .with_hint("keep the manuscript inside the folder of book.toml"));
        }
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| Diagnostic::error(at, format!("cannot read {}: {e}", path.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file() && p.extension().is_some_and(|x| x == "md" || x == "markdown")
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Diagnostic::error(
                    at,
                    format!("the manuscript folder `{entry}` holds no .md file"),
                )
                .with_hint("add a Markdown file, or set `manuscript = \"…\"` in book.toml"));
            }
            files.extend(found);
        } else if path.is_file() {
            files.push(path);
        } else {
            return Err(
                Diagnostic::error(at, format!("manuscript `{entry}` does not exist")).with_hint(
                    "set `manuscript` in book.toml to a Markdown file or a folder of them",
                ),
            );
        }
    }
    Ok(files)
}

/// Reads a text file into the source map. Invalid UTF-8 is an error at the first bad byte.
fn read_text(
    path: &Path,
    shown: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<crate::diag::FileId> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error(None, format!("cannot read {}: {e}", shown.display()))
                    .with_hint("check that the file exists and is readable"),
            );
            return None;
        }
    };
    let bytes = bytes
        .strip_prefix(b"\xef\xbb\xbf")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => Some(sources.add(shown, text)),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let id = sources.add(shown, text);
            diags.push(
                Diagnostic::error(
                    Span::new(id, offset..offset + 1),
                    format!("invalid UTF-8 at byte {offset}"),
                )
                .with_hint(
                    "save the file as UTF-8 (most editors offer it under \"Save with encoding\")",
                ),
            );
            None
        }
    }
}
