//! Shared helpers for the integration tests.
//!
//! The tests drive the real `quire` binary and then read the EPUB the way a reading system does,
//! trusting nothing the writer says about itself: `META-INF/container.xml` names the package
//! document, the package's manifest and spine name the content documents, and every XHTML file is
//! parsed as XML. The bundled book and the `quire init` skeleton are each built once per test
//! process; a failed build is remembered, so every test that needs it fails with the same message.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub const OPS_NS: &str = "http://www.idpf.org/2007/ops";
pub const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";
pub const OPF_NS: &str = "http://www.idpf.org/2007/opf";
pub const DC_NS: &str = "http://purl.org/dc/elements/1.1/";
pub const NCX_NS: &str = "http://www.daisy.org/z3986/2005/ncx/";
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// The repository root: the bundled book's folder (`book.toml`, `manuscript/`, ...).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `quire` binary, with `SOURCE_DATE_EPOCH` removed so results do not depend on the caller.
pub fn quire() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quire"));
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Runs a command to completion, panicking only if it cannot be started.
pub fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// A readable account of a finished command, for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "exit status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh directory under Cargo's target tmp dir (removed when dropped).
pub fn scratch(prefix: &str) -> tempfile::TempDir {
    fs::create_dir_all(env!("CARGO_TARGET_TMPDIR")).expect("create CARGO_TARGET_TMPDIR");
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a scratch directory")
}

/// Lines of stderr that are diagnostics (`warning: ...`, `error[E..]: ...`), rustc style.
pub fn diagnostic_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim_start)
        .filter(|line| {
            let lower = line.to_lowercase();
            lower.starts_with("warning") || lower.starts_with("error")
        })
        .map(str::to_owned)
        .collect()
}

/// The `.epub` files directly inside `dir`, sorted.
pub fn epubs_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.expect("read directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "epub"))
        .collect();
    found.sort();
    found
}

/// Every file and directory below `dir` (relative paths, sorted), with file sizes and contents'
/// lengths: a snapshot to prove that a command wrote nothing.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Option<Vec<u8>>)>) {
        let mut entries: Vec<_> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.expect("read directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path.strip_prefix(root).expect("below root").to_path_buf();
            if path.is_dir() {
                out.push((rel, None));
                walk(root, &path, out);
            } else {
                out.push((rel, Some(fs::read(&path).expect("read file"))));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("create {}: {e}", to.display()));
    for entry in fs::read_dir(from).unwrap_or_else(|e| panic!("read {}: {e}", from.display())) {
        let path = entry.expect("read directory entry").path();
        let target = to.join(path.file_name().expect("file name"));
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target)
                .unwrap_or_else(|e| panic!("copy {} -> {}: {e}", path.display(), target.display()));
        }
    }
}

/// Copies the bundled book (its `book.toml` and the folders it reads) into `to`.
pub fn copy_bundled_book(to: &Path) {
    fs::create_dir_all(to).expect("create the copy's folder");
    fs::copy(repo_root().join("book.toml"), to.join("book.toml")).expect("copy book.toml");
    for dir in ["manuscript", "covers", "fonts"] {
        let from = repo_root().join(dir);
        if from.is_dir() {
            copy_dir(&from, &to.join(dir));
        }
    }
}

/// A book built by the binary: where it went and what the binary said.
#[derive(Debug)]
pub struct Built {
    /// The book's folder.
    pub book: PathBuf,
    /// The EPUB written.
    pub epub: PathBuf,
    /// The `quire build` process's output.
    pub output: Output,
}

impl Built {
    pub fn read(&self) -> Epub {
        Epub::open(&self.epub)
    }
}

/// Builds the book in `book` into `out` and expects exactly one EPUB there.
pub fn build_into(book: &Path, out: &Path, epoch: Option<&str>) -> Result<Built, String> {
    let mut cmd = quire();
    cmd.arg("build").arg(book).arg("--out").arg(out);
    if let Some(epoch) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch);
    }
    let output = run(&mut cmd);
    if !output.status.success() {
        return Err(format!(
            "`quire build {} --out {}` failed\n{}",
            book.display(),
            out.display(),
            describe(&output)
        ));
    }
    let epubs = epubs_in(out);
    match epubs.as_slice() {
        [epub] => Ok(Built {
            book: book.to_path_buf(),
            epub: epub.clone(),
            output,
        }),
        other => Err(format!(
            "`quire build {}` should write exactly one .epub into {}, found {other:?}\n{}",
            book.display(),
            out.display(),
            describe(&output)
        )),
    }
}

/// Directories that live as long as the test process (statics are never dropped).
fn keep(dir: tempfile::TempDir) -> PathBuf {
    dir.keep()
}

/// The bundled book (the repository root), built once per test process.
pub fn bundled() -> &'static Built {
    static BUILT: OnceLock<Result<Built, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let out = keep(scratch("bundled-out-"));
        let built = build_into(repo_root(), &out, None)?;
        let expected = out.join("alarm-signal.epub");
        if built.epub != expected {
            return Err(format!(
                "the bundled book should be written to {}, got {}",
                expected.display(),
                built.epub.display()
            ));
        }
        Ok(built)
    });
    built.as_ref().unwrap_or_else(|e| panic!("{e}"))
}

/// A book skeleton made by `quire init`, once per test process.
pub struct Skeleton {
    /// The new book's folder.
    pub book: PathBuf,
    /// The `quire init` process's output.
    pub init: Output,
}

pub fn skeleton() -> &'static Skeleton {
    static SKELETON: OnceLock<Result<Skeleton, String>> = OnceLock::new();
    let skeleton = SKELETON.get_or_init(|| {
        let book = keep(scratch("skeleton-")).join("newbook");
        let init = run(quire().arg("init").arg(&book));
        if !init.status.success() {
            return Err(format!(
                "`quire init {}` failed\n{}",
                book.display(),
                describe(&init)
            ));
        }
        Ok(Skeleton { book, init })
    });
    skeleton.as_ref().unwrap_or_else(|e| panic!("{e}"))
}

/// The `quire init` skeleton, built once per test process (into a folder beside the book).
pub fn skeleton_built() -> &'static Built {
    static BUILT: OnceLock<Result<Built, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let book = &skeleton().book;
        let out = book.parent().expect("the skeleton's parent").join("out");
        build_into(book, &out, None)
    });
    built.as_ref().unwrap_or_else(|e| panic!("{e}"))
}

/// One item of the package manifest.
#[derive(Debug, Clone)]
pub struct Item {
    pub id: String,
    /// Path inside the archive (resolved against the package document's folder).
    pub path: String,
    pub media_type: String,
    pub properties: Vec<String>,
}

/// An EPUB archive read into memory.
pub struct Epub {
    pub raw: Vec<u8>,
    /// Entry names in archive order.
    pub names: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
}

impl Epub {
    pub fn open(path: &Path) -> Epub {
        let raw = fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        Epub::from_bytes(raw)
    }

    pub fn from_bytes(raw: Vec<u8>) -> Epub {
        let mut archive =
            zip::ZipArchive::new(Cursor::new(raw.clone())).expect("the EPUB is a zip archive");
        let mut names = Vec::new();
        let mut files = BTreeMap::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).expect("read a zip entry");
            let name = entry.name().expect("zip entry name").into_owned();
            let mut data = Vec::new();
            entry
                .read_to_end(&mut data)
                .unwrap_or_else(|e| panic!("decompress {name}: {e}"));
            names.push(name.clone());
            files.insert(name, data);
        }
        Epub { raw, names, files }
    }

    pub fn has(&self, name: &str) -> bool {
        self.files.contains_key(name)
    }

    pub fn bytes(&self, name: &str) -> &[u8] {
        self.files
            .get(name)
            .unwrap_or_else(|| panic!("the EPUB has no entry {name:?}; entries: {:?}", self.names))
    }

    pub fn text(&self, name: &str) -> &str {
        std::str::from_utf8(self.bytes(name)).unwrap_or_else(|e| panic!("{name} is not UTF-8: {e}"))
    }

    /// The package document's path, from `META-INF/container.xml`.
    pub fn opf_path(&self) -> String {
        let container = self.text("META-INF/container.xml");
        let doc = parse("META-INF/container.xml", container);
        let rootfile = doc
            .descendants()
            .find(|n| n.has_tag_name("rootfile"))
            .expect("container.xml has a rootfile");
        rootfile
            .attribute("full-path")
            .expect("rootfile has full-path")
            .to_owned()
    }

    pub fn opf(&self) -> &str {
        self.text(&self.opf_path())
    }

    pub fn manifest(&self) -> Vec<Item> {
        let opf_path = self.opf_path();
        let doc = parse(&opf_path, self.opf());
        doc.descendants()
            .filter(|n| n.has_tag_name((OPF_NS, "item")))
            .map(|n| Item {
                id: n.attribute("id").expect("manifest item id").to_owned(),
                path: resolve(&opf_path, n.attribute("href").expect("manifest item href")),
                media_type: n.attribute("media-type").unwrap_or_default().to_owned(),
                properties: n
                    .attribute("properties")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
            })
            .collect()
    }

    /// The spine's documents, in reading order, as archive paths.
    pub fn spine(&self) -> Vec<String> {
        let opf_path = self.opf_path();
        let doc = parse(&opf_path, self.opf());
        let manifest = self.manifest();
        doc.descendants()
            .filter(|n| n.has_tag_name((OPF_NS, "itemref")))
            .map(|n| {
                let idref = n.attribute("idref").expect("itemref idref");
                manifest
                    .iter()
                    .find(|item| item.id == idref)
                    .unwrap_or_else(|| panic!("spine idref {idref:?} is not in the manifest"))
                    .path
                    .clone()
            })
            .collect()
    }

    /// The EPUB 3 navigation document's path.
    pub fn nav_path(&self) -> String {
        self.manifest()
            .into_iter()
            .find(|item| item.properties.iter().any(|p| p == "nav"))
            .expect("the manifest has an item with properties=\"nav\"")
            .path
    }

    /// The EPUB 2 NCX's path.
    pub fn ncx_path(&self) -> String {
        self.manifest()
            .into_iter()
            .find(|item| item.media_type == "application/x-dtbncx+xml")
            .expect("the manifest has an NCX (application/x-dtbncx+xml)")
            .path
    }

    /// All XHTML content documents of the manifest.
    pub fn xhtml_paths(&self) -> Vec<String> {
        self.manifest()
            .into_iter()
            .filter(|item| item.media_type == "application/xhtml+xml")
            .map(|item| item.path)
            .collect()
    }
}

/// Parses XML (DTDs allowed, as XHTML files may carry a doctype), naming the file on failure.
pub fn parse<'a>(name: &str, text: &'a str) -> roxmltree::Document<'a> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"))
}

/// Resolves `href` (relative to the file `base`, inside the archive) to an archive path, without
/// its fragment.
pub fn resolve(base: &str, href: &str) -> String {
    let href = href.split('#').next().unwrap_or_default();
    let href = percent_decode(href);
    if href.is_empty() {
        return base.to_owned();
    }
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The fragment of an href (`a.xhtml#x` → `Some("x")`).
pub fn fragment(href: &str) -> Option<&str> {
    href.split_once('#').map(|(_, f)| f)
}

/// Whitespace-separated tokens of an attribute (`epub:type`, `role`).
pub fn tokens<'a>(node: roxmltree::Node<'a, '_>, name: (&str, &str)) -> Vec<&'a str> {
    node.attribute(name)
        .unwrap_or_default()
        .split_whitespace()
        .collect()
}

pub fn epub_types<'a>(node: roxmltree::Node<'a, '_>) -> Vec<&'a str> {
    tokens(node, (OPS_NS, "type"))
}

pub fn roles<'a>(node: roxmltree::Node<'a, '_>) -> Vec<&'a str> {
    node.attribute("role")
        .unwrap_or_default()
        .split_whitespace()
        .collect()
}

pub fn has_epub_type(node: roxmltree::Node, wanted: &str) -> bool {
    epub_types(node).contains(&wanted)
}

pub fn has_role(node: roxmltree::Node, wanted: &str) -> bool {
    roles(node).contains(&wanted)
}

pub fn is_xhtml(node: roxmltree::Node, local: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == local
        && node.tag_name().namespace() == Some(XHTML_NS)
}

/// The document's `body` element.
pub fn body<'a, 'input>(doc: &'a roxmltree::Document<'input>) -> roxmltree::Node<'a, 'input> {
    doc.descendants()
        .find(|n| is_xhtml(*n, "body"))
        .expect("an XHTML body")
}

/// Whether a node is (part of) a note rather than running text: footnote and endnote containers
/// and note marks. Their words are checked separately.
pub fn is_note_furniture(node: roxmltree::Node) -> bool {
    const TYPES: [&str; 8] = [
        "footnote",
        "endnote",
        "rearnote",
        "note",
        "footnotes",
        "endnotes",
        "rearnotes",
        "noteref",
    ];
    const ROLES: [&str; 4] = ["doc-footnote", "doc-endnote", "doc-endnotes", "doc-noteref"];
    epub_types(node).iter().any(|t| TYPES.contains(t))
        || roles(node).iter().any(|r| ROLES.contains(r))
}

const BLOCKS: [&str; 33] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// The text of `node`, with a space at every block boundary, skipping subtrees for which `skip`
/// says so.
pub fn text_of(node: roxmltree::Node, skip: &dyn Fn(roxmltree::Node) -> bool) -> String {
    fn walk(node: roxmltree::Node, skip: &dyn Fn(roxmltree::Node) -> bool, out: &mut String) {
        if node.is_text() {
            out.push_str(node.text().unwrap_or_default());
            return;
        }
        if !node.is_element() || skip(node) {
            return;
        }
        let block = BLOCKS.contains(&node.tag_name().name());
        if block {
            out.push(' ');
        }
        for child in node.children() {
            walk(child, skip, out);
        }
        if block {
            out.push(' ');
        }
    }
    let mut out = String::new();
    walk(node, skip, &mut out);
    out
}

/// Splits text into words: whitespace-separated tokens, without soft hyphens and zero-width
/// characters (invisible in a reader).
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| {
                    !matches!(
                        c,
                        '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
                    )
                })
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// The seed text of the bundled book, split the way the tests need it.
pub struct Seed {
    /// The title line (`Alarm Signal! Danger Draws Closer in USSR`).
    pub title: Vec<String>,
    /// Every word from `PART I` to the closing sentence, without the wiki furniture, the note
    /// mark and the note.
    pub body: Vec<String>,
    /// The note's text, without its number.
    pub note: Vec<String>,
    /// Titles of the divisions (`PART I`, `PART II`), in order.
    pub parts: Vec<String>,
    /// Section titles under each part.
    pub sections: Vec<Vec<String>>,
    /// The `•` slogans, in order.
    pub slogans: Vec<String>,
    /// The last words before the scene break and the first words after it.
    pub before_break: Vec<String>,
    pub after_break: Vec<String>,
    /// The words just before the note mark `[1]`.
    pub before_note_mark: Vec<String>,
}

pub fn seed() -> &'static Seed {
    static SEED: OnceLock<Seed> = OnceLock::new();
    SEED.get_or_init(|| {
        let path = repo_root().join("tests/fixtures/alarm-signal.txt");
        let text =
            fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        assert!(lines.len() > 20, "the seed looks truncated");

        let title = words(lines[0]);
        let (note_line, body_lines) = lines[1..].split_last().expect("seed has lines");
        let note = words(
            note_line
                .strip_prefix("1.")
                .expect("the seed ends with the numbered note `1. ...`"),
        );

        assert_eq!(text.matches("[1]").count(), 1, "the seed has one note mark");
        assert_eq!(
            text.matches("[edit source]").count(),
            13,
            "13 headings in the seed"
        );

        let mut body = Vec::new();
        let mut parts = Vec::new();
        let mut sections: Vec<Vec<String>> = Vec::new();
        let mut slogans = Vec::new();
        let mut before_break = Vec::new();
        let mut after_break = Vec::new();
        let mut before_note_mark = Vec::new();
        let mut after_break_pending = false;
        for line in body_lines {
            if *line == "From Marxists-en" || *line == "Jump to navigation Jump to search" {
                continue;
            }
            if *line == "* * *" {
                before_break = body[body.len() - 6..].to_vec();
                after_break_pending = true;
                continue;
            }
            let mut line = line.to_string();
            if let Some(heading) = line.strip_suffix("[edit source]") {
                let heading = words(heading).join(" ");
                if heading.starts_with("PART ") {
                    parts.push(heading.clone());
                    sections.push(Vec::new());
                } else {
                    sections
                        .last_mut()
                        .expect("sections come after a PART")
                        .push(heading.clone());
                }
                line = heading;
            }
            if let Some(slogan) = line.strip_prefix('•') {
                let slogan = words(slogan).join(" ");
                slogans.push(slogan.clone());
                line = slogan;
            }
            if let Some((before, _)) = line.split_once("[1]") {
                let before = words(before);
                before_note_mark = before[before.len() - 6..].to_vec();
                line = line.replace("[1]", "");
            }
            let line_words = words(&line);
            if after_break_pending {
                after_break = line_words[..6].to_vec();
                after_break_pending = false;
            }
            body.extend(line_words);
        }
        assert_eq!(parts, ["PART I", "PART II"], "the seed's parts");
        assert_eq!(slogans.len(), 4, "the seed's slogans");
        assert!(body.len() > 8000, "the seed's body has about 8,800 words");
        Seed {
            title,
            body,
            note,
            parts,
            sections,
            slogans,
            before_break,
            after_break,
            before_note_mark,
        }
    })
}

/// How many words of running heads, folios or furniture may stand between two seed words.
pub const MAX_GAP: usize = 16;

/// Aligns `seed` with `stream` word by word from each of `starts` (positions where the seed's
/// first word stands), allowing up to `max_gap` extra words between consecutive seed words, and
/// returns the best alignment: how many seed words matched in order, and the stream position of
/// the last one.
pub fn longest_in_order(
    seed: &[String],
    stream: &[String],
    starts: &[usize],
    max_gap: usize,
) -> (usize, usize) {
    let mut best: Option<(usize, usize)> = None;
    for &start in starts {
        let mut pos = start;
        let mut matched = 1;
        for word in &seed[1..] {
            let window = pos + 1..(pos + 2 + max_gap).min(stream.len());
            match stream[window.clone()].iter().position(|w| w == word) {
                Some(offset) => {
                    pos = window.start + offset;
                    matched += 1;
                }
                None => break,
            }
        }
        if best.is_none_or(|(m, _)| matched > m) {
            best = Some((matched, pos));
        }
    }
    best.expect("at least one start")
}

/// `radius` words either side of `words[at]`, with that word marked `[[…]]`, for failure messages.
pub fn context(words: &[String], at: usize, radius: usize) -> String {
    let start = at.saturating_sub(radius);
    let end = (at + radius + 1).min(words.len());
    words[start..end]
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if start + i == at {
                format!("[[{w}]]")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Outside tools (qpdf, poppler-utils) and the print page's furniture
// ---------------------------------------------------------------------------------------------

/// Panics if the tools are required, else prints why the test is skipped.
pub fn missing(tool: &str, why: &str) {
    if std::env::var("QUIRE_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1") {
        panic!("{tool} is required (QUIRE_REQUIRE_VALIDATORS=1) but {why}");
    }
    eprintln!(
        "note: skipping a check that needs {tool}: {why} (set QUIRE_REQUIRE_VALIDATORS=1 to fail \
         instead)"
    );
}

/// An executable on `PATH`, or `None` after reporting it missing (see [`missing`]).
pub fn tool(name: &str, package: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        missing(
            name,
            &format!("it is not on PATH (apt-get install {package})"),
        );
    }
    found
}

/// `qpdf --check`: exit 0, no warning, and the words qpdf prints for a sound file.
pub fn check_with_qpdf(what: &str, pdf: &Path) {
    let Some(qpdf) = tool("qpdf", "qpdf") else {
        return;
    };
    let output = run(Command::new(qpdf).arg("--check").arg(pdf));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // qpdf's sentence for a sound file mentions errors too.
    let all = all.replace(
        "No syntax or stream encoding errors found; the file may still contain\nerrors that qpdf \
         cannot detect",
        "OK",
    );
    let complaints: Vec<&str> = all
        .lines()
        .filter(|l| {
            let lower = l.to_lowercase();
            lower.contains("warning") || lower.contains("error") || lower.contains("damaged")
        })
        .collect();
    assert!(
        output.status.success() && complaints.is_empty(),
        "qpdf --check is not clean for {what} ({}): {complaints:?}\n{}",
        pdf.display(),
        describe(&output)
    );
    assert!(
        all.lines().any(|l| l == "OK"),
        "qpdf --check did not confirm {what} ({}) is sound\n{}",
        pdf.display(),
        describe(&output)
    );
}

/// Whether a line of `pdftotext -bbox-layout` (its top and bottom, points from the page's top)
/// is a running head or a folio rather than text-block text: above the text block (6 × 9 in:
/// top margin 54 pt) or in the foot margin below the last line a page may run to (a long
/// page's last baseline is at 582.5 pt; an opener's folio at 606 pt).
pub fn is_furniture_band(y_min: f64, y_max: f64) -> bool {
    y_max < 50.0 || y_min > 592.0
}
