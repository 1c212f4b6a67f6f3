//! Page makeup, judged from outside (issue "quire 3: book page makeup"): the bundled book and a
//! footnote-heavy fixture book (`tests/fixtures/notes-book`: an invented scholarly essay in two
//! parts with 40 notes, from one-liners to notes longer than half a page, marks in a list item
//! and in a block quote, two marks on one line) are built once per process, and their PDFs are
//! read back the way a reader or a printer would: the word boxes of `pdftotext -bbox-layout`
//! (sizes and baselines), and with lopdf the link annotations, the outline and the page labels.
//!
//! The issue's figures are the assertions, on both books:
//! - every note starts at the foot of the page of its first mark (found in the word boxes as a
//!   superscript number glued to the word the manuscript puts before it), the mark links to
//!   that page and the note's number links back; a note too long for its page continues at the
//!   top of the next page's notes, before that page's own notes, its words in order;
//! - no widows, no orphans, no section heading without two lines of its text below it;
//! - body lines sit on the 14 pt grid from 64.5 pt, never below 582.5 pt, and facing pages
//!   that are both full end on the same baseline;
//! - the outline is the title page, "Contents" and each part with its sections, each at the
//!   page (and height) of its heading; each contents entry links to the page whose label is the
//!   printed number, and that page has the heading;
//! - page labels are roman for the front matter and arabic from a recto, and the printed folios
//!   are the labels; running heads (book title on versos, section on rectos, a short title or a
//!   cut with "…" when the title is too wide) stay inside the text block;
//! - every word of the text in order; `qpdf --check` clean; two builds byte-identical.
//!
//! Numbers of the page (6 × 9 in, its text block, the grid) are those of the issue; the font's
//! ascent and descent (as poppler draws word boxes for Gentium Book Plus) turn a word box into a
//! size and a baseline. The measured figures are printed:
//! `cargo test --release --test integration makeup -- --nocapture`.
//!
//! Tools (`pdftotext`, `qpdf`) come from `PATH`; a missing one skips its test with a note unless
//! `QUIRE_REQUIRE_VALIDATORS=1`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::common::{
    check_with_qpdf, describe, diagnostic_lines, is_furniture_band, quire, repo_root, run, scratch,
    seed, tool, words,
};

// ---------------------------------------------------------------------------------------------
// The page, as the issue describes it
// ---------------------------------------------------------------------------------------------

/// Trim size, points.
const PAGE_WIDTH: f64 = 432.0;
/// Margins: top, gutter (inner) and outside.
const TOP: f64 = 54.0;
const INNER: f64 = 63.0;
const OUTER: f64 = 54.0;
/// The baseline grid: the first body baseline (10.5 pt below the text block's top, 64.5 pt from
/// the page's top) and the step.
const FIRST_BASELINE: f64 = TOP + 10.5;
const GRID: f64 = 14.0;
/// A page's natural last baseline (568.5 pt), and a long spread's (582.5 pt).
const NATURAL_FOOT: f64 = FIRST_BASELINE + 36.0 * GRID;
const LONG_FOOT: f64 = NATURAL_FOOT + GRID;
/// Running heads' baseline, and an opener's folio's.
const HEAD_BASELINE: f64 = 30.0;
const OPENER_FOLIO_BASELINE: f64 = 606.0;
/// Type sizes: body, notes, section headings, block quotes.
const BODY_SIZE: f64 = 11.0;
const NOTE_SIZE: f64 = 9.0;
const HEADING_SIZE: f64 = 13.2;
const QUOTE_SIZE: f64 = 11.0 * 0.92;
/// A paragraph's first-line indent, a note's first-line indent, a block quote's indent on each
/// side and a list item's hang.
const PARAGRAPH_INDENT: f64 = 13.2;
const NOTE_INDENT: f64 = 9.0;
const QUOTE_INDENT: f64 = 16.5;
const LIST_HANG: f64 = 11.0 * 1.6;

/// Gentium Book Plus's ascent and descent, in em, as poppler draws its word boxes (a word box
/// of an 11 pt word on the baseline 64.5 runs from 52.411 to 68.526).
const ASCENT: f64 = 1.099;
const DESCENT: f64 = 0.366;

/// Whether page `index` (0-based) is a recto: PDF page 1, 3, 5 …
fn is_recto(index: usize) -> bool {
    index.is_multiple_of(2)
}

/// The text block's left and right edges on page `index` (0-based): rectos have the gutter on
/// the left.
fn edges(index: usize) -> (f64, f64) {
    if is_recto(index) {
        (INNER, PAGE_WIDTH - OUTER)
    } else {
        (OUTER, PAGE_WIDTH - INNER)
    }
}

fn near(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

// ---------------------------------------------------------------------------------------------
// Building the two books
// ---------------------------------------------------------------------------------------------

/// The footnote-heavy fixture book's folder.
fn notes_book_dir() -> PathBuf {
    repo_root().join("tests/fixtures/notes-book")
}

/// What `quire build` wrote.
#[derive(Debug)]
struct Built {
    pdf: PathBuf,
    epub: Option<PathBuf>,
    output: Output,
}

/// The one file in `dir` whose extension is `ext`.
fn only_file(dir: &Path, ext: &str) -> Result<Option<PathBuf>, String> {
    let mut found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("read {}: {e}", dir.display()))?
        .map(|e| e.expect("read directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    found.sort();
    match found.len() {
        0 => Ok(None),
        1 => Ok(found.pop()),
        _ => Err(format!(
            "more than one .{ext} in {}: {found:?}",
            dir.display()
        )),
    }
}

/// `quire build BOOK --out OUT --format FORMATS`.
fn build(book: &Path, out: &Path, formats: &str) -> Result<Built, String> {
    let output = run(quire()
        .arg("build")
        .arg(book)
        .arg("--out")
        .arg(out)
        .arg("--format")
        .arg(formats));
    let shown = format!(
        "`quire build {} --out {} --format {formats}`",
        book.display(),
        out.display()
    );
    if !output.status.success() {
        return Err(format!("{shown} failed\n{}", describe(&output)));
    }
    let pdf = only_file(out, "pdf")?
        .ok_or_else(|| format!("{shown} wrote no PDF\n{}", describe(&output)))?;
    let epub = only_file(out, "epub")?;
    Ok(Built { pdf, epub, output })
}

/// A book under test: how it was built, what its manuscript says, and its PDF read back.
struct Subject {
    name: &'static str,
    built: Built,
    expected: Expected,
    facts: PdfFacts,
    pages: Vec<PageText>,
    /// What the note checks found (see [`notes_report`]).
    notes: OnceLock<NotesReport>,
}

impl Subject {
    fn load(
        name: &'static str,
        book: &Path,
        formats: &str,
        expected: Expected,
    ) -> Result<Option<Subject>, String> {
        let out = scratch("makeup-").keep();
        let built = build(book, &out, formats)?;
        let Some(pdftotext) = tool("pdftotext", "poppler-utils") else {
            return Ok(None);
        };
        let output = run(Command::new(&pdftotext)
            .args(["-bbox-layout", "-enc", "UTF-8"])
            .arg(&built.pdf)
            .arg("-"));
        if !output.status.success() {
            return Err(format!("pdftotext -bbox-layout\n{}", describe(&output)));
        }
        let xhtml = String::from_utf8(output.stdout).map_err(|e| e.to_string())?;
        let pages = parse_word_boxes(&xhtml);
        let facts = PdfFacts::read(&built.pdf)?;
        if facts.labels.len() != pages.len() {
            return Err(format!(
                "lopdf sees {} pages, pdftotext {}",
                facts.labels.len(),
                pages.len()
            ));
        }
        Ok(Some(Subject {
            name,
            built,
            expected,
            facts,
            pages,
            notes: OnceLock::new(),
        }))
    }

    /// The 0-based index of the first page with an arabic label (the body's first page).
    fn first_body_page(&self) -> usize {
        self.facts
            .labels
            .iter()
            .position(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
            .unwrap_or_else(|| {
                panic!(
                    "{}: no page has an arabic label: {:?}",
                    self.name, self.facts.labels
                )
            })
    }

    /// Page `index` as people name it: `p. 7 (PDF page 13)`.
    fn page_name(&self, index: usize) -> String {
        format!("p. {} (PDF page {})", self.facts.labels[index], index + 1)
    }
}

/// The bundled book (the repository's `book.toml`), built once per process; `None` when
/// pdftotext is missing.
fn bundled() -> Option<&'static Subject> {
    static SUBJECT: OnceLock<Result<Option<Subject>, String>> = OnceLock::new();
    SUBJECT
        .get_or_init(|| {
            let mut expected = Expected::from_book(repo_root())?;
            // The seed (the text as published) is the reference for the bundled book's words.
            expected.body = seed().body.clone();
            Subject::load("the bundled book", repo_root(), "pdf", expected)
        })
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
        .as_ref()
}

/// The footnote-heavy fixture book, built (EPUB and PDF) once per process.
fn notes_book() -> Option<&'static Subject> {
    static SUBJECT: OnceLock<Result<Option<Subject>, String>> = OnceLock::new();
    SUBJECT
        .get_or_init(|| {
            let expected = Expected::from_book(&notes_book_dir())?;
            Subject::load("the notes book", &notes_book_dir(), "epub,pdf", expected)
        })
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
        .as_ref()
}

/// Both books (none when pdftotext is missing).
fn subjects() -> Vec<&'static Subject> {
    [bundled(), notes_book()].into_iter().flatten().collect()
}

/// Asserts that `faults` is empty, listing the first 30 of them.
fn assert_none(what: &str, subject: &Subject, faults: &[String]) {
    assert!(
        faults.is_empty(),
        "{}: {} {what}:\n  {}",
        subject.name,
        faults.len(),
        faults
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// What the manuscript says
// ---------------------------------------------------------------------------------------------

/// A note as the manuscript has it.
#[derive(Debug, Clone, PartialEq)]
struct ExpectedNote {
    /// Numbered in the order of first reference.
    number: u32,
    /// The word the first mark is glued to (`wire.` for `wire.[^rumours]`).
    before: String,
    /// The note's words.
    words: Vec<String>,
}

/// A part or a section heading.
#[derive(Debug, Clone, PartialEq)]
struct ExpectedHeading {
    title: String,
    /// The `{short="…"}` form for running heads.
    short: Option<String>,
}

/// What the manuscript says the book holds.
#[derive(Debug, Clone, Default)]
struct Expected {
    title: String,
    /// Every word of the body in order, headings included, without note marks.
    body: Vec<String>,
    notes: Vec<ExpectedNote>,
    /// Each part with its sections.
    parts: Vec<(ExpectedHeading, Vec<ExpectedHeading>)>,
}

impl Expected {
    /// Reads `book.toml`'s title and its one manuscript file.
    fn from_book(dir: &Path) -> Result<Expected, String> {
        let toml_path = dir.join("book.toml");
        let toml = fs::read_to_string(&toml_path)
            .map_err(|e| format!("read {}: {e}", toml_path.display()))?;
        let value = |key: &str| -> Result<String, String> {
            toml.lines()
                .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
                .and_then(|rest| rest.strip_suffix('"'))
                .map(str::to_owned)
                .ok_or_else(|| format!("{} has no `{key} = \"…\"` line", toml_path.display()))
        };
        let manuscript = dir.join(value("manuscript")?);
        let text = fs::read_to_string(&manuscript)
            .map_err(|e| format!("read {}: {e}", manuscript.display()))?;
        let mut expected = parse_manuscript(&text)?;
        expected.title = value("title")?;
        Ok(expected)
    }
}

/// A word without Markdown's emphasis marks (`*Life,` → `Life,`).
fn plain_word(word: &str) -> String {
    word.replace('*', "")
}

fn plain_words(text: &str) -> Vec<String> {
    words(text)
        .iter()
        .map(|w| plain_word(w))
        .filter(|w| !w.is_empty())
        .collect()
}

/// `[^label]` marks in `line`: (byte offset, label).
fn marks_in(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = line[from..].find("[^") {
        let start = from + at;
        let Some(len) = line[start..].find(']') else {
            break;
        };
        out.push((start, &line[start + 2..start + len]));
        from = start + len + 1;
    }
    out
}

/// A heading's title and its `{short="…"}` attribute.
fn heading(text: &str) -> ExpectedHeading {
    let (title, attrs) = match text.rfind('{') {
        Some(at) if text.trim_end().ends_with('}') => (&text[..at], &text[at..]),
        _ => (text, ""),
    };
    let short = attrs
        .split_once("short=\"")
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(short, _)| short.to_owned());
    ExpectedHeading {
        title: words(title).join(" "),
        short,
    }
}

/// The little Markdown the two manuscripts use: `#` parts, `##` sections (with `{short="…"}`),
/// paragraphs, `- ` list items, `> ` quotes, `* * *`, and footnotes (`[^label]` marks, one-line
/// `[^label]: …` definitions), numbered in the order of first reference.
fn parse_manuscript(text: &str) -> Result<Expected, String> {
    let mut definitions: BTreeMap<&str, &str> = BTreeMap::new();
    let mut body_lines = Vec::new();
    for line in text.lines() {
        match line
            .strip_prefix("[^")
            .and_then(|rest| rest.split_once("]: "))
        {
            Some((label, note)) => {
                definitions.insert(label, note);
            }
            None => body_lines.push(line),
        }
    }
    let mut expected = Expected::default();
    let mut numbers: BTreeMap<&str, u32> = BTreeMap::new();
    for line in body_lines {
        let line = line.trim();
        if line.is_empty() || line == "* * *" {
            continue;
        }
        let content = if let Some(title) = line.strip_prefix("# ") {
            let h = heading(title);
            expected.parts.push((h.clone(), Vec::new()));
            h.title
        } else if let Some(title) = line.strip_prefix("## ") {
            let h = heading(title);
            let (_, sections) = expected
                .parts
                .last_mut()
                .ok_or_else(|| format!("section {:?} before any part", h.title))?;
            sections.push(h.clone());
            h.title
        } else {
            let line = line
                .strip_prefix("- ")
                .or_else(|| line.strip_prefix("> "))
                .unwrap_or(line);
            let mut plain = String::new();
            let mut from = 0;
            for (at, label) in marks_in(line) {
                plain.push_str(&line[from..at]);
                from = at + label.len() + 3;
                if numbers.contains_key(label) {
                    continue;
                }
                let number = numbers.len() as u32 + 1;
                numbers.insert(label, number);
                let before = line[..at]
                    .rsplit(char::is_whitespace)
                    .next()
                    .map(plain_word)
                    .unwrap_or_default();
                let note = definitions
                    .get(label)
                    .ok_or_else(|| format!("note [^{label}] is not defined"))?;
                expected.notes.push(ExpectedNote {
                    number,
                    before,
                    words: plain_words(note),
                });
            }
            plain.push_str(&line[from..]);
            plain
        };
        expected.body.extend(plain_words(&content));
    }
    Ok(expected)
}

// ---------------------------------------------------------------------------------------------
// The PDF's structure, with lopdf: labels, links, outline
// ---------------------------------------------------------------------------------------------

/// A link annotation: its rectangle (points from the page's top-left) and where it goes.
#[derive(Debug, Clone)]
struct LinkBox {
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    /// The page (0-based) and height (from the top) of a `/GoTo` or `/Dest` destination.
    target: Option<(usize, f64)>,
}

impl LinkBox {
    fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x_min - 0.5
            && x <= self.x_max + 0.5
            && y >= self.y_min - 0.5
            && y <= self.y_max + 0.5
    }
}

/// An outline entry.
#[derive(Debug, Clone)]
struct Bookmark {
    title: String,
    /// The destination: page (0-based) and height from the top.
    page: usize,
    y: f64,
    children: Vec<Bookmark>,
}

/// What lopdf reads from the PDF.
struct PdfFacts {
    /// Each page's label (`/PageLabels`; the page number when there are none).
    labels: Vec<String>,
    /// Each page's link annotations.
    links: Vec<Vec<LinkBox>>,
    outline: Vec<Bookmark>,
}

/// A PDF text string: UTF-16BE after a byte-order mark, else PDFDocEncoding (Latin-1 for the
/// characters that matter here).
fn text_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xfe, 0xff]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// One range of the page-label number tree.
#[derive(Debug, Clone, PartialEq)]
struct LabelRange {
    /// The range's first page (0-based).
    start: usize,
    /// `D`, `r`, `R`, `a`, `A`, or empty (prefix only).
    style: String,
    first: i64,
    prefix: String,
}

/// Lower-case roman numerals.
fn roman(mut n: i64) -> String {
    const DIGITS: [(i64, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// Each page's label from the ranges of `/PageLabels` (ISO 32000-1, 12.4.2).
fn labels_of(ranges: &[LabelRange], pages: usize) -> Vec<String> {
    (0..pages)
        .map(|page| {
            let Some(range) = ranges.iter().rev().find(|r| r.start <= page) else {
                return (page + 1).to_string();
            };
            let n = range.first + (page - range.start) as i64;
            let number = match range.style.as_str() {
                "D" => n.to_string(),
                "r" => roman(n),
                "R" => roman(n).to_uppercase(),
                "a" | "A" => {
                    let letter = (b'a' + ((n - 1) % 26) as u8) as char;
                    let s = letter.to_string().repeat(((n - 1) / 26 + 1) as usize);
                    if range.style == "A" {
                        s.to_uppercase()
                    } else {
                        s
                    }
                }
                _ => String::new(),
            };
            format!("{}{number}", range.prefix)
        })
        .collect()
}

impl PdfFacts {
    fn read(path: &Path) -> Result<PdfFacts, String> {
        let pdf = lopdf::Document::load(path)
            .map_err(|e| format!("lopdf cannot read {}: {e}", path.display()))?;
        let page_ids: Vec<lopdf::ObjectId> = pdf.get_pages().into_values().collect();
        let index_of = |id: lopdf::ObjectId| page_ids.iter().position(|&p| p == id);
        let deref = |obj: &'_ lopdf::Object| -> lopdf::Object {
            pdf.dereference(obj)
                .map(|(_, o)| o.clone())
                .unwrap_or(lopdf::Object::Null)
        };
        let height_of = |page: usize| -> f64 {
            pdf.get_dictionary(page_ids[page])
                .ok()
                .and_then(|d| d.get(b"MediaBox").ok())
                .map(&deref)
                .and_then(|b| b.as_array().ok().cloned())
                .and_then(|b| b.get(3).and_then(|h| h.as_float().ok()))
                .map_or(648.0, f64::from)
        };
        // A destination array `[page /XYZ left top zoom]` → (page, height from the top).
        let destination = |dest: &lopdf::Object| -> Option<(usize, f64)> {
            let dest = deref(dest);
            let array = dest.as_array().ok()?;
            let page = index_of(array.first()?.as_reference().ok()?)?;
            let top = array
                .get(3)
                .and_then(|t| t.as_float().ok())
                .map_or(0.0, |t| height_of(page) - f64::from(t));
            Some((page, top))
        };

        let catalog = pdf.catalog().map_err(|e| format!("no catalog: {e}"))?;

        let mut ranges = Vec::new();
        if let Ok(labels) = catalog.get(b"PageLabels") {
            let labels = deref(labels);
            let nums = labels
                .as_dict()
                .ok()
                .and_then(|d| d.get(b"Nums").ok())
                .map(&deref)
                .ok_or("/PageLabels has no /Nums")?;
            let nums = nums.as_array().map_err(|e| e.to_string())?;
            for pair in nums.chunks(2) {
                let start = pair[0].as_i64().map_err(|e| e.to_string())? as usize;
                let dict = deref(pair.get(1).ok_or("odd /Nums")?);
                let dict = dict.as_dict().map_err(|e| e.to_string())?;
                ranges.push(LabelRange {
                    start,
                    style: dict
                        .get(b"S")
                        .and_then(|s| s.as_name())
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .unwrap_or_default(),
                    first: dict.get(b"St").and_then(|s| s.as_i64()).unwrap_or(1),
                    prefix: dict
                        .get(b"P")
                        .and_then(|p| p.as_str())
                        .map(text_string)
                        .unwrap_or_default(),
                });
            }
        }
        let labels = labels_of(&ranges, page_ids.len());

        let mut links = Vec::new();
        for (i, &id) in page_ids.iter().enumerate() {
            let page = pdf.get_dictionary(id).map_err(|e| e.to_string())?;
            let height = height_of(i);
            let mut boxes = Vec::new();
            let annots = page.get(b"Annots").map(&deref).ok();
            for annot in annots
                .as_ref()
                .and_then(|a| a.as_array().ok())
                .into_iter()
                .flatten()
            {
                let annot = deref(annot);
                let Ok(dict) = annot.as_dict() else {
                    continue;
                };
                if dict.get(b"Subtype").and_then(|s| s.as_name()).ok() != Some(&b"Link"[..]) {
                    continue;
                }
                let rect: Vec<f64> = dict
                    .get(b"Rect")
                    .map(&deref)
                    .ok()
                    .and_then(|r| r.as_array().ok().cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| v.as_float().ok().map(f64::from))
                    .collect();
                if rect.len() != 4 {
                    return Err(format!("a link on page {} has the /Rect {rect:?}", i + 1));
                }
                let action = dict.get(b"A").map(&deref).ok();
                let target = match (dict.get(b"Dest"), action.as_ref()) {
                    (Ok(dest), _) => destination(dest),
                    (_, Some(action)) => action
                        .as_dict()
                        .ok()
                        .filter(|a| {
                            a.get(b"S").and_then(|s| s.as_name()).ok() == Some(&b"GoTo"[..])
                        })
                        .and_then(|a| a.get(b"D").ok())
                        .and_then(destination),
                    _ => None,
                };
                boxes.push(LinkBox {
                    x_min: rect[0].min(rect[2]),
                    x_max: rect[0].max(rect[2]),
                    y_min: height - rect[1].max(rect[3]),
                    y_max: height - rect[1].min(rect[3]),
                    target,
                });
            }
            links.push(boxes);
        }

        // The outline, depth first.
        fn entries(
            pdf: &lopdf::Document,
            first: Option<&lopdf::Object>,
            destination: &dyn Fn(&lopdf::Object) -> Option<(usize, f64)>,
            depth: usize,
        ) -> Result<Vec<Bookmark>, String> {
            let mut out = Vec::new();
            let mut next = first.cloned();
            while let Some(reference) = next.take() {
                if depth > 8 || out.len() > 1000 {
                    return Err("the outline is too deep or loops".into());
                }
                let (_, item) = pdf.dereference(&reference).map_err(|e| e.to_string())?;
                let item = item.as_dict().map_err(|e| e.to_string())?;
                let title = item
                    .get(b"Title")
                    .and_then(|t| t.as_str())
                    .map(text_string)
                    .unwrap_or_default();
                let (page, y) = item
                    .get(b"Dest")
                    .ok()
                    .and_then(destination)
                    .ok_or_else(|| format!("the bookmark {title:?} has no page destination"))?;
                let children = entries(pdf, item.get(b"First").ok(), destination, depth + 1)?;
                out.push(Bookmark {
                    title,
                    page,
                    y,
                    children,
                });
                next = item.get(b"Next").ok().cloned();
            }
            Ok(out)
        }
        let outline = match catalog.get(b"Outlines") {
            Ok(root) => {
                let root = deref(root);
                let first = root.as_dict().ok().and_then(|d| d.get(b"First").ok());
                entries(&pdf, first, &destination, 0)?
            }
            Err(_) => Vec::new(),
        };
        Ok(PdfFacts {
            labels,
            links,
            outline,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Word boxes: sizes, baselines, roles
// ---------------------------------------------------------------------------------------------

/// A word of `pdftotext -bbox-layout`, with the size and baseline its box implies.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x_min: f64,
    x_max: f64,
    size: f64,
    baseline: f64,
}

/// What a line is, from its place and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A running head or folio above the text block.
    Head,
    /// A folio below the text block (part openers, the contents).
    Foot,
    /// Body text at 11 pt: paragraphs, list items, ornaments, contents entries.
    Body,
    /// A block quote, a size smaller.
    Quote,
    /// A section heading: 13.2 pt, centred.
    Heading,
    /// A footnote line, 9 pt.
    Note,
    /// Anything else: titles, part titles, the copyright page.
    Display,
}

/// A line of `pdftotext -bbox-layout`.
#[derive(Debug, Clone)]
struct Line {
    /// 0-based page index.
    page: usize,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    /// The size and baseline of its middle word by size (note marks are smaller and raised).
    size: f64,
    baseline: f64,
    role: Role,
    words: Vec<Word>,
}

impl Line {
    fn text(&self) -> String {
        self.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The note marks of the line: superscript numbers glued to the word before them, as
    /// (index of the mark's word, number).
    fn marks(&self) -> Vec<(usize, u32)> {
        (1..self.words.len())
            .filter_map(|i| {
                let (prev, w) = (&self.words[i - 1], &self.words[i]);
                let superscript = w.size < self.size * 0.8 && w.baseline < self.baseline - 1.0;
                let glued = w.x_min - prev.x_max < 0.6;
                let number = w.text.parse::<u32>().ok()?;
                (superscript && glued).then_some((i, number))
            })
            .collect()
    }

    /// The words without note marks.
    fn words_without_marks(&self) -> Vec<String> {
        let marks: Vec<usize> = self.marks().iter().map(|m| m.0).collect();
        self.words
            .iter()
            .enumerate()
            .filter(|(i, _)| !marks.contains(i))
            .map(|(_, w)| w.text.clone())
            .collect()
    }

    /// The note number a note's first line starts with (`12.`, indented by the note indent).
    fn note_start(&self) -> Option<u32> {
        if self.role != Role::Note {
            return None;
        }
        let (left, _) = edges(self.page);
        let first = self.words.first()?;
        let number = first.text.strip_suffix('.')?.parse().ok()?;
        near(self.x_min, left + NOTE_INDENT, 0.6).then_some(number)
    }

    fn is_centred(&self) -> bool {
        let (left, right) = edges(self.page);
        self.x_min > left + 2.0 && near(self.x_min - left, right - self.x_max, 1.0)
    }
}

/// A page of word boxes, its lines sorted top to bottom.
#[derive(Debug)]
struct PageText {
    lines: Vec<Line>,
}

/// What a page is, from its furniture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageKind {
    /// Nothing printed.
    Blank,
    /// Text but no head and no folio: half-title, title page, copyright page.
    Plain,
    /// A folio at the foot and no head: a part title page, the contents.
    Opener,
    /// A running head with the folio.
    Normal,
}

impl PageText {
    fn kind(&self) -> PageKind {
        if self.lines.is_empty() {
            PageKind::Blank
        } else if self.lines.iter().any(|l| l.role == Role::Head) {
            PageKind::Normal
        } else if self.lines.iter().any(|l| l.role == Role::Foot) {
            PageKind::Opener
        } else {
            PageKind::Plain
        }
    }

    /// Lines of the text block above the notes: body, quotes, headings, titles.
    fn text_lines(&self) -> impl Iterator<Item = &Line> {
        self.lines
            .iter()
            .filter(|l| !matches!(l.role, Role::Head | Role::Foot | Role::Note))
    }

    fn note_lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|l| l.role == Role::Note)
    }

    /// The lowest baseline of the text block (body or notes).
    fn foot(&self) -> Option<f64> {
        self.lines
            .iter()
            .filter(|l| !matches!(l.role, Role::Head | Role::Foot))
            .map(|l| l.baseline)
            .max_by(f64::total_cmp)
    }

    fn all_text(&self) -> String {
        self.lines
            .iter()
            .map(Line::text)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn attr(node: roxmltree::Node, name: &str) -> f64 {
    node.attribute(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("<{}> has no number {name}", node.tag_name().name()))
}

fn role_of(size: f64, y_min: f64, y_max: f64) -> Role {
    if is_furniture_band(y_min, y_max) {
        if y_max < 50.0 { Role::Head } else { Role::Foot }
    } else if near(size, BODY_SIZE, 0.3) {
        Role::Body
    } else if near(size, NOTE_SIZE, 0.1) {
        Role::Note
    } else if near(size, QUOTE_SIZE, 0.3) {
        Role::Quote
    } else if near(size, HEADING_SIZE, 0.3) {
        Role::Heading
    } else {
        Role::Display
    }
}

/// Parses `pdftotext -bbox-layout` into pages of lines with sizes, baselines and roles.
fn parse_word_boxes(xhtml: &str) -> Vec<PageText> {
    let doc = crate::common::parse("pdftotext -bbox-layout output", xhtml);
    let mut pages = Vec::new();
    for (p, page) in doc
        .descendants()
        .filter(|n| n.has_tag_name("page"))
        .enumerate()
    {
        let mut lines = Vec::new();
        for line in page.descendants().filter(|n| n.has_tag_name("line")) {
            let words: Vec<Word> = line
                .children()
                .filter(|n| n.has_tag_name("word"))
                .filter_map(|w| {
                    let text = w.text().unwrap_or_default().trim().to_owned();
                    let (y_min, y_max) = (attr(w, "yMin"), attr(w, "yMax"));
                    let size = (y_max - y_min) / (ASCENT + DESCENT);
                    (!text.is_empty()).then(|| Word {
                        text,
                        x_min: attr(w, "xMin"),
                        x_max: attr(w, "xMax"),
                        size,
                        baseline: y_max - DESCENT * size,
                    })
                })
                .collect();
            if words.is_empty() {
                continue;
            }
            let mut by_size: Vec<&Word> = words.iter().collect();
            by_size.sort_by(|a, b| a.size.total_cmp(&b.size));
            let middle = by_size[by_size.len() / 2];
            let (size, baseline) = (middle.size, middle.baseline);
            let (y_min, y_max) = (attr(line, "yMin"), attr(line, "yMax"));
            lines.push(Line {
                page: p,
                x_min: attr(line, "xMin"),
                y_min,
                x_max: attr(line, "xMax"),
                size,
                baseline,
                role: role_of(size, y_min, y_max),
                words,
            });
        }
        lines.sort_by(|a, b| {
            a.baseline
                .total_cmp(&b.baseline)
                .then(a.x_min.total_cmp(&b.x_min))
        });
        // A centred 13.2 pt line is a section heading; a 13.2 pt line that is not centred is
        // something else.
        for line in &mut lines {
            if line.role == Role::Heading && !line.is_centred() {
                line.role = Role::Display;
            }
        }
        pages.push(PageText { lines });
    }
    pages
}

// ---------------------------------------------------------------------------------------------
// Reading words against the expected ones
// ---------------------------------------------------------------------------------------------

/// Reads a stream of printed words against the words expected, joining words the typesetter
/// broke at a line end (`catas-` `trophe`, `self-` `sacrificing`, `1879–` `1914`) when that
/// makes the expected word.
#[derive(Debug, Clone, Default)]
struct Reader {
    /// How many expected words were read.
    at: usize,
    /// The first part of a broken word.
    pending: Option<String>,
}

impl Reader {
    fn done(&self, expected: &[String]) -> bool {
        self.at >= expected.len() && self.pending.is_none()
    }

    /// Reads one printed word; `Err` says what was expected instead.
    fn read(&mut self, expected: &[String], printed: &str) -> Result<(), String> {
        let Some(want) = expected.get(self.at) else {
            return Err(format!("{printed:?} after the last expected word"));
        };
        let candidates: Vec<String> = match self.pending.take() {
            Some(first) => {
                let base = first
                    .strip_suffix('-')
                    .or_else(|| first.strip_suffix('\u{2010}'))
                    .or_else(|| first.strip_suffix('\u{ad}'))
                    .unwrap_or(&first);
                vec![format!("{base}{printed}"), format!("{first}{printed}")]
            }
            None => vec![printed.to_owned()],
        };
        if candidates.iter().any(|c| c == want) {
            self.at += 1;
            return Ok(());
        }
        for c in &candidates {
            let stem = c.trim_end_matches(['-', '\u{2010}', '\u{ad}']);
            let broken = c.ends_with(['-', '\u{2010}', '\u{ad}', '–', '—', '/']);
            if broken && !stem.is_empty() && want.starts_with(stem) {
                self.pending = Some(c.clone());
                return Ok(());
            }
        }
        Err(format!(
            "expected {want:?} (word {} of {}), found {:?}",
            self.at + 1,
            expected.len(),
            candidates[0]
        ))
    }
}

/// `radius` expected words either side of word `at`.
fn around(words: &[String], at: usize, radius: usize) -> String {
    crate::common::context(words, at.min(words.len().saturating_sub(1)), radius)
}

// ---------------------------------------------------------------------------------------------
// 1. Notes at the foot of the page of their mark
// ---------------------------------------------------------------------------------------------

/// Where a note was found.
#[derive(Debug, Clone, Default)]
struct NoteTrace {
    /// The page of the first mark, and the word it is glued to.
    mark_page: Option<usize>,
    mark_before: Option<String>,
    /// The page of the note's first line.
    start_page: Option<usize>,
    /// Every page the note has lines on, and how many.
    lines: Vec<(usize, usize)>,
    reader: Reader,
}

/// Everything the note checks measure, once per book.
#[derive(Debug, Default)]
struct NotesReport {
    notes: BTreeMap<u32, NoteTrace>,
    /// A note that does not start on the page of its mark, or has no mark or no start.
    misplaced: Vec<String>,
    /// A mark or note number whose link does not go where it should.
    bad_links: Vec<String>,
    /// A note's words out of order, missing, or a continuation in the wrong place.
    bad_text: Vec<String>,
    lines_with_two_marks: usize,
    marks_in_quotes: usize,
    marks_in_list_items: usize,
    /// Marks on one of the last three text lines of their page.
    marks_near_the_foot: usize,
}

/// The notes traced, once per book.
fn notes_report(subject: &Subject) -> &NotesReport {
    subject.notes.get_or_init(|| trace_notes(subject))
}

/// Follows every note of the book: its first mark in the text, its first line at a page's foot,
/// its lines page by page, its links.
fn trace_notes(subject: &Subject) -> NotesReport {
    let mut r = NotesReport::default();
    let expected: BTreeMap<u32, &ExpectedNote> = subject
        .expected
        .notes
        .iter()
        .map(|n| (n.number, n))
        .collect();
    for &n in expected.keys() {
        r.notes.insert(n, NoteTrace::default());
    }
    find_marks(subject, &mut r);
    read_note_lines(subject, &expected, &mut r);
    check_traces(subject, &expected, &mut r);
    report_notes(subject, &r);
    r
}

/// The marks: superscript numbers in the text block's lines; each note's first mark must be
/// covered by one link, to its own page (where the note starts).
fn find_marks(subject: &Subject, r: &mut NotesReport) {
    let first_body = subject.first_body_page();
    for (p, page) in subject.pages.iter().enumerate().skip(first_body) {
        let text: Vec<&Line> = page.text_lines().collect();
        for (k, line) in text.iter().enumerate() {
            let marks = line.marks();
            if marks.len() >= 2 {
                r.lines_with_two_marks += 1;
            }
            let (left, _) = edges(p);
            for &(w, number) in &marks {
                let Some(trace) = r.notes.get_mut(&number) else {
                    r.misplaced.push(format!(
                        "{}: a mark {number} after {:?}, but the manuscript has no note {number}",
                        subject.page_name(p),
                        line.words[w - 1].text
                    ));
                    continue;
                };
                if trace.mark_page.is_some() {
                    continue;
                }
                trace.mark_page = Some(p);
                trace.mark_before = Some(line.words[w - 1].text.clone());
                if line.role == Role::Quote {
                    r.marks_in_quotes += 1;
                }
                let first_word = line.words[0].text.as_str();
                if line.role == Role::Body
                    && (first_word == "•" || near(line.x_min, left + LIST_HANG, 0.6))
                {
                    r.marks_in_list_items += 1;
                }
                if k + 3 >= text.len() {
                    r.marks_near_the_foot += 1;
                }
                // The mark links to the page of its note (checked against the note below).
                let word = &line.words[w];
                let (cx, cy) = (
                    (word.x_min + word.x_max) / 2.0,
                    word.baseline - word.size * 0.3,
                );
                let links: Vec<&LinkBox> = subject.facts.links[p]
                    .iter()
                    .filter(|l| l.contains(cx, cy))
                    .collect();
                match links.as_slice() {
                    [link] => match link.target {
                        Some((target, _)) if target == p => {}
                        Some((target, _)) => r.bad_links.push(format!(
                            "mark {number} on {} links to {}, not to its own page",
                            subject.page_name(p),
                            subject.page_name(target)
                        )),
                        None => r.bad_links.push(format!(
                            "mark {number} on {}: its link has no page destination",
                            subject.page_name(p)
                        )),
                    },
                    other => r.bad_links.push(format!(
                        "mark {number} on {} should be covered by one link, found {}",
                        subject.page_name(p),
                        other.len()
                    )),
                }
            }
        }
    }
}

/// The notes: each page's note lines, in order, read against the manuscript's words. A line
/// starting `N.` (at the note indent) starts note N and its number must link back to the mark's
/// page; any other line continues the note before it on the page, or, at the top of a page's
/// notes, the notes carried over from the page before, in order.
fn read_note_lines(
    subject: &Subject,
    expected: &BTreeMap<u32, &ExpectedNote>,
    r: &mut NotesReport,
) {
    let first_body = subject.first_body_page();
    let mut carried: Vec<u32> = Vec::new();
    for (p, page) in subject.pages.iter().enumerate().skip(first_body) {
        let lowest_text = page
            .text_lines()
            .map(|l| l.baseline)
            .max_by(f64::total_cmp)
            .unwrap_or(0.0);
        let mut queue: std::collections::VecDeque<u32> = carried.drain(..).collect();
        let mut current: Option<u32> = None;
        let mut touched: Vec<u32> = Vec::new();
        for line in page.note_lines() {
            if line.baseline < lowest_text {
                r.bad_text.push(format!(
                    "{}: the note line {:?} stands above the text (notes go to the foot)",
                    subject.page_name(p),
                    line.text()
                ));
            }
            let mut tokens: Vec<String> = line.words.iter().map(|w| w.text.clone()).collect();
            if let Some(number) = line.note_start() {
                if let Some(&waiting) = queue.front() {
                    r.bad_text.push(format!(
                        "{}: note {number} starts before the continuation of note {waiting} \
                         from the page before",
                        subject.page_name(p)
                    ));
                    queue.clear();
                }
                tokens.remove(0);
                match r.notes.get_mut(&number) {
                    Some(trace) if trace.start_page.is_none() => {
                        trace.start_page = Some(p);
                        // The note's number links back to its mark.
                        let word = &line.words[0];
                        let (cx, cy) = (
                            (word.x_min + word.x_max) / 2.0,
                            word.baseline - word.size * 0.3,
                        );
                        let link = subject.facts.links[p].iter().find(|l| l.contains(cx, cy));
                        match (link.and_then(|l| l.target), trace.mark_page) {
                            (Some((target, _)), Some(mark)) if target == mark => {}
                            (Some((target, _)), _) => r.bad_links.push(format!(
                                "note {number}'s number on {} links to {}, not to its mark's \
                                 page",
                                subject.page_name(p),
                                subject.page_name(target)
                            )),
                            (None, _) => r.bad_links.push(format!(
                                "note {number}'s number on {} links nowhere",
                                subject.page_name(p)
                            )),
                        }
                    }
                    Some(_) => r.bad_text.push(format!(
                        "{}: note {number} starts a second time",
                        subject.page_name(p)
                    )),
                    None => r.bad_text.push(format!(
                        "{}: a note {number} the manuscript does not have",
                        subject.page_name(p)
                    )),
                }
                current = Some(number);
            } else {
                // The line goes on with the note it follows, unless that note is done or the
                // line's words are not its next ones: then the next note carried over from the
                // page before takes over (two continued notes have no number between them, so
                // their words tell them apart).
                let fits = |n: u32, r: &NotesReport| {
                    let (Some(trace), Some(want)) = (r.notes.get(&n), expected.get(&n)) else {
                        return false;
                    };
                    let mut reader = trace.reader.clone();
                    !reader.done(&want.words)
                        && tokens.iter().all(|t| reader.read(&want.words, t).is_ok())
                };
                if current.is_some_and(|n| fits(n, r)) {
                    // `current` goes on.
                } else if let Some(k) = queue.iter().position(|&n| fits(n, r)) {
                    if k > 0 {
                        r.bad_text.push(format!(
                            "{}: the continuation of note {} comes before that of note {}",
                            subject.page_name(p),
                            queue[k],
                            queue[0]
                        ));
                    }
                    current = queue.remove(k);
                } else {
                    // Nothing fits: read it as the note it follows (or the next carried one),
                    // to report the first wrong word.
                    let open = current.filter(|&n| {
                        expected
                            .get(&n)
                            .is_some_and(|e| !r.notes[&n].reader.done(&e.words))
                    });
                    current = open.or_else(|| queue.pop_front());
                    if current.is_none() {
                        r.bad_text.push(format!(
                            "{}: the note line {:?} belongs to no note (no note is open)",
                            subject.page_name(p),
                            line.text()
                        ));
                    }
                }
            }
            let Some(number) = current else {
                continue;
            };
            if !touched.contains(&number) {
                touched.push(number);
            }
            let (Some(trace), Some(want)) = (r.notes.get_mut(&number), expected.get(&number))
            else {
                continue;
            };
            match trace.lines.last_mut() {
                Some((page, count)) if *page == p => *count += 1,
                _ => trace.lines.push((p, 1)),
            }
            for token in &tokens {
                if let Err(e) = trace.reader.read(&want.words, token) {
                    r.bad_text.push(format!(
                        "note {number} on {}: {e}\n    expected … {} …\n    line: {:?}",
                        subject.page_name(p),
                        around(&want.words, trace.reader.at, 6),
                        line.text()
                    ));
                    // Read on from the next note line rather than report every word after.
                    trace.reader.at = want.words.len();
                    trace.reader.pending = None;
                    break;
                }
            }
        }
        for n in queue {
            r.bad_text.push(format!(
                "note {n} was not finished on the page before {} and does not continue at the \
                 top of its notes",
                subject.page_name(p)
            ));
        }
        carried = touched
            .into_iter()
            .filter(|n| {
                expected
                    .get(n)
                    .is_some_and(|e| !r.notes[n].reader.done(&e.words))
            })
            .collect();
    }
    for n in carried {
        r.bad_text.push(format!("note {n} is never finished"));
    }
}

/// Each note: its mark and its start on one page, after the manuscript's word, its words all
/// read, and its pages consecutive.
fn check_traces(subject: &Subject, expected: &BTreeMap<u32, &ExpectedNote>, r: &mut NotesReport) {
    for (&n, trace) in &r.notes {
        let want = expected[&n];
        match (trace.mark_page, trace.start_page) {
            (None, _) => r.misplaced.push(format!(
                "note {n}: no superscript mark {n} after {:?} in the text",
                want.before
            )),
            (_, None) => r
                .misplaced
                .push(format!("note {n}: no note line starts `{n}.`")),
            (Some(mark), Some(start)) if mark != start => r.misplaced.push(format!(
                "note {n}: the mark (after {:?}) is on {}, the note starts on {}",
                want.before,
                subject.page_name(mark),
                subject.page_name(start)
            )),
            _ => {}
        }
        if let Some(before) = &trace.mark_before
            && *before != want.before
            && !want.before.ends_with(before.as_str())
        {
            r.misplaced.push(format!(
                "note {n}: its mark follows {before:?}, the manuscript puts it after {:?}",
                want.before
            ));
        }
        if trace.start_page.is_some() && !trace.reader.done(&want.words) {
            r.bad_text.push(format!(
                "note {n}: only {} of its {} words were found (next: … {} …)",
                trace.reader.at,
                want.words.len(),
                around(&want.words, trace.reader.at, 6)
            ));
        }
        // A split note goes on to the very next page.
        for pair in trace.lines.windows(2) {
            if pair[1].0 != pair[0].0 + 1 {
                r.bad_text.push(format!(
                    "note {n} jumps from {} to {}",
                    subject.page_name(pair[0].0),
                    subject.page_name(pair[1].0)
                ));
            }
        }
    }
}

fn report_notes(subject: &Subject, r: &NotesReport) {
    let on_mark_page = r
        .notes
        .values()
        .filter(|t| t.mark_page.is_some() && t.mark_page == t.start_page)
        .count();
    let split: Vec<String> = r
        .notes
        .iter()
        .filter(|(_, t)| t.lines.len() > 1)
        .map(|(n, t)| format!("note {n} ({})", spread_of(subject, t)))
        .collect();
    let longest = r
        .notes
        .values()
        .map(|t| t.lines.iter().map(|l| l.1).sum::<usize>())
        .max()
        .unwrap_or(0);
    eprintln!(
        "{}: {} pages; {} notes, {on_mark_page} starting on their mark's page ({:.0} %); \
         longest note {longest} lines; {} split over pages:\n    {}",
        subject.name,
        subject.pages.len(),
        r.notes.len(),
        100.0 * on_mark_page as f64 / r.notes.len().max(1) as f64,
        split.len(),
        split.join("\n    ")
    );
    eprintln!(
        "  marks: {} lines with two or more, {} in block quotes, {} in list items, {} on one of \
         the last three lines of their page",
        r.lines_with_two_marks, r.marks_in_quotes, r.marks_in_list_items, r.marks_near_the_foot
    );
}

#[test]
fn every_note_starts_on_the_page_of_its_mark() {
    for subject in subjects() {
        let r = notes_report(subject);
        assert!(!r.notes.is_empty(), "{}: no notes expected", subject.name);
        assert_none(
            "note(s) not starting at the foot of the page of their mark",
            subject,
            &r.misplaced,
        );
    }
}

#[test]
fn marks_link_to_their_notes_and_notes_link_back() {
    for subject in subjects() {
        assert_none(
            "wrong note link(s)",
            subject,
            &notes_report(subject).bad_links,
        );
    }
}

#[test]
fn split_notes_continue_at_the_top_of_the_next_pages_notes_with_their_words_in_order() {
    for subject in subjects() {
        assert_none(
            "problem(s) with the notes' text",
            subject,
            &notes_report(subject).bad_text,
        );
    }
}

/// The most note lines a page takes beyond the first lines of its notes: 60 % of the text
/// block (522 pt) in lines of 11 pt.
const NOTE_AREA_LINES: usize = 28;

/// How a note's lines fall on pages: `28 lines: 2 on p. 3 + 3 on p. 4 + …`.
fn spread_of(subject: &Subject, trace: &NoteTrace) -> String {
    let total: usize = trace.lines.iter().map(|l| l.1).sum();
    let parts: Vec<String> = trace
        .lines
        .iter()
        .map(|(p, c)| format!("{c} on p. {}", subject.facts.labels[*p]))
        .collect();
    format!("{total} lines: {}", parts.join(" + "))
}

#[test]
fn a_split_note_ends_on_the_next_page_when_its_rest_fits_there() {
    for subject in subjects() {
        let r = notes_report(subject);
        let faults: Vec<String> = r
            .notes
            .iter()
            .filter(|(_, t)| {
                let rest: usize = t.lines.iter().skip(1).map(|l| l.1).sum();
                t.lines.len() > 2 && rest <= NOTE_AREA_LINES
            })
            .map(|(n, t)| {
                format!(
                    "note {n} runs over {} pages ({})",
                    t.lines.len(),
                    spread_of(subject, t)
                )
            })
            .collect();
        assert_none(
            "note(s) continued over more pages than their length needs",
            subject,
            &faults,
        );
    }
}

#[test]
fn a_page_of_notes_alone_fills_its_text_block_before_the_notes_run_on() {
    for subject in subjects() {
        let r = notes_report(subject);
        let mut alone = 0;
        let mut faults = Vec::new();
        for (p, page) in subject
            .pages
            .iter()
            .enumerate()
            .skip(subject.first_body_page())
        {
            let Some(first) = page.note_lines().next() else {
                continue;
            };
            if page.text_lines().next().is_some() {
                continue;
            }
            alone += 1;
            let runs_on = r
                .notes
                .values()
                .any(|t| t.lines.windows(2).any(|w| w[0].0 == p && w[1].0 == p + 1));
            if runs_on && first.baseline > FIRST_BASELINE + 2.0 * GRID {
                faults.push(format!(
                    "{} holds only notes, from the baseline {:.1} down (the text block's first \
                     is {FIRST_BASELINE}), and they run on to the next page",
                    subject.page_name(p),
                    first.baseline
                ));
            }
        }
        eprintln!("{}: {alone} page(s) of notes alone", subject.name);
        assert_none("page(s) of notes alone left part empty", subject, &faults);
    }
}

#[test]
fn the_notes_book_has_the_cases_it_was_written_for() {
    let Some(subject) = notes_book() else {
        return;
    };
    let r = notes_report(subject);
    // Longer than half a page: more than half the text block (522 pt) in lines of 11 pt.
    let long: Vec<u32> = r
        .notes
        .iter()
        .filter(|(_, t)| t.lines.iter().map(|l| l.1).sum::<usize>() * 2 * 11 > 522)
        .map(|(&n, _)| n)
        .collect();
    let split = r.notes.values().filter(|t| t.lines.len() > 1).count();
    assert!(
        r.notes.len() >= 30,
        "the notes book should have 30+ notes, has {}",
        r.notes.len()
    );
    assert!(
        long.len() >= 4,
        "the notes book should have several notes longer than half a page, has {long:?}"
    );
    assert!(split >= 3, "only {split} notes are split over two pages");
    assert!(r.lines_with_two_marks >= 1, "no line has two marks");
    assert!(r.marks_in_quotes >= 1, "no mark in a block quote");
    assert!(r.marks_in_list_items >= 1, "no mark in a list item");
    assert!(
        r.marks_near_the_foot >= 2,
        "only {} marks on the last three lines of a page: the fixture no longer tests notes \
         whose mark is near a page's foot",
        r.marks_near_the_foot
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Widows, orphans, headings at the foot; the grid; facing pages
// ---------------------------------------------------------------------------------------------

/// Which measure a line is set to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Body,
    /// A list item's text, right of its hanging marker.
    List,
    Quote,
}

/// A line of the text block as the widow and orphan detector sees it.
#[derive(Debug, Clone)]
struct Row {
    page: usize,
    heading: bool,
    column: Column,
    /// Starts with a list marker.
    marker: bool,
    /// The line's start, right of its column's left edge (a first-line indent).
    indent: f64,
    /// The room the line leaves at its column's right edge (0 for a justified line).
    room: f64,
    baseline: f64,
    text: String,
}

impl Row {
    fn from_line(line: &Line) -> Row {
        let (left, right) = edges(line.page);
        let first = line.words.first().map_or("", |w| w.text.as_str());
        let marker = line.role == Role::Body
            && line.x_min < left + LIST_HANG - 1.0
            && (matches!(first, "•" | "◦" | "–")
                || (first.ends_with('.') && first[..first.len() - 1].parse::<u32>().is_ok()));
        let (column, col_left, col_right) = if line.role == Role::Quote {
            (Column::Quote, left + QUOTE_INDENT, right - QUOTE_INDENT)
        } else if marker || near(line.x_min, left + LIST_HANG, 0.6) {
            (Column::List, left + LIST_HANG, right)
        } else {
            (Column::Body, left, right)
        };
        Row {
            page: line.page,
            heading: line.role == Role::Heading,
            column,
            marker,
            indent: if marker { 0.0 } else { line.x_min - col_left },
            room: col_right - line.x_max,
            baseline: line.baseline,
            text: line.text(),
        }
    }
}

/// What the detector finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// A paragraph's last line alone at the top of a page.
    Widow,
    /// A paragraph's first line alone at the foot of a page.
    Orphan,
    /// A heading with fewer than two lines of its text below it on its page.
    LoneHeading,
}

/// Whether row `i` starts a paragraph or another block: the first line after a heading, a list
/// item's line with its marker, a change of measure, a first-line indent, the first line after
/// a page without text (a part opener), after a short line (which ended its paragraph), or
/// after more space than a line's.
fn starts(rows: &[Row], i: usize) -> bool {
    let row = &rows[i];
    let Some(prev) = i.checked_sub(1).map(|j| &rows[j]) else {
        return true;
    };
    prev.heading
        || row.marker
        || row.column != prev.column
        || row.indent > 2.0
        || prev.page + 1 < row.page
        || prev.room > 1.0
        || (prev.page == row.page && row.baseline - prev.baseline > 1.6 * GRID)
}

/// Whether row `i` ends its paragraph: a short line, the last line, or the next one starts
/// something.
fn ends(rows: &[Row], i: usize) -> bool {
    rows[i].room > 1.0 || i + 1 == rows.len() || rows[i + 1].heading || starts(rows, i + 1)
}

/// The widows, orphans and lone headings of a sequence of text-block rows (body pages only, in
/// reading order, without notes and furniture).
fn page_faults(rows: &[Row]) -> Vec<(Fault, usize)> {
    let mut faults = Vec::new();
    for i in 0..rows.len() {
        let row = &rows[i];
        let first_on_page = i == 0 || rows[i - 1].page != row.page;
        let last_on_page = i + 1 == rows.len() || rows[i + 1].page != row.page;
        if row.heading {
            if i > 0 && rows[i - 1].heading && !first_on_page {
                continue; // the heading's second line
            }
            let mut j = i;
            while j + 1 < rows.len() && rows[j + 1].heading && rows[j + 1].page == row.page {
                j += 1;
            }
            let following = rows[j + 1..]
                .iter()
                .take_while(|r| r.page == row.page && !r.heading)
                .count();
            if following < 2 {
                faults.push((Fault::LoneHeading, i));
            }
            continue;
        }
        if first_on_page
            && i > 0
            && rows[i - 1].page + 1 == row.page
            && !starts(rows, i)
            && ends(rows, i)
        {
            faults.push((Fault::Widow, i));
        }
        if last_on_page && i + 1 < rows.len() && starts(rows, i) && !ends(rows, i) {
            faults.push((Fault::Orphan, i));
        }
    }
    faults
}

/// The text-block rows of the body's normal pages.
fn body_rows(subject: &Subject) -> Vec<Row> {
    let first = subject.first_body_page();
    subject.pages[first..]
        .iter()
        .filter(|p| p.kind() == PageKind::Normal)
        .flat_map(|p| {
            p.text_lines()
                .filter(|l| matches!(l.role, Role::Body | Role::Quote | Role::Heading))
                .map(Row::from_line)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn widow_and_orphan_detector_finds_hand_made_faults() {
    // A row: page, heading?, first-line indent, room at the right.
    let row = |page: usize, heading: bool, indent: f64, room: f64| Row {
        page,
        heading,
        column: Column::Body,
        marker: false,
        indent,
        room,
        baseline: 0.0,
        text: String::new(),
    };
    let text = |page, indent, room| row(page, false, indent, room);
    let heading = |page| row(page, true, 0.0, 0.0);
    let find = |rows: &[Row]| page_faults(rows);

    // Clean: a heading and its paragraph, a paragraph broken 2/2 over the page turn.
    let clean = [
        heading(0),
        text(0, 0.0, 0.0),
        text(0, 0.0, 80.0),
        text(0, PARAGRAPH_INDENT, 0.0),
        text(0, 0.0, 0.0),
        text(1, 0.0, 0.0),
        text(1, 0.0, 120.0),
        text(1, PARAGRAPH_INDENT, 50.0),
    ];
    assert_eq!(find(&clean), []);

    // An orphan: a paragraph's indented first line is the page's last.
    let orphan = [
        text(0, PARAGRAPH_INDENT, 0.0),
        text(0, 0.0, 90.0),
        text(0, PARAGRAPH_INDENT, 0.0),
        text(1, 0.0, 0.0),
        text(1, 0.0, 30.0),
    ];
    assert_eq!(find(&orphan), [(Fault::Orphan, 2)]);

    // A widow: a paragraph's short last line alone at the top of the page.
    let widow = [
        text(0, PARAGRAPH_INDENT, 0.0),
        text(0, 0.0, 0.0),
        text(1, 0.0, 200.0),
        text(1, PARAGRAPH_INDENT, 0.0),
        text(1, 0.0, 10.0),
    ];
    assert_eq!(find(&widow), [(Fault::Widow, 2)]);

    // A widow that is followed by a heading (a full-width last line is still a last line).
    let widow_before_heading = [
        text(0, PARAGRAPH_INDENT, 0.0),
        text(0, 0.0, 0.0),
        text(1, 0.0, 0.0),
        heading(1),
        text(1, 0.0, 0.0),
        text(1, 0.0, 20.0),
    ];
    assert_eq!(find(&widow_before_heading), [(Fault::Widow, 2)]);

    // A two-line paragraph split over the turn is both.
    let both = [
        text(0, 0.0, 40.0),
        text(0, PARAGRAPH_INDENT, 0.0),
        text(1, 0.0, 100.0),
        text(1, PARAGRAPH_INDENT, 10.0),
    ];
    assert_eq!(find(&both), [(Fault::Orphan, 1), (Fault::Widow, 2)]);

    // A heading at the foot, and a heading with only one line of its text.
    let heading_at_foot = [
        text(0, PARAGRAPH_INDENT, 0.0),
        text(0, 0.0, 30.0),
        heading(0),
        text(1, 0.0, 0.0),
        text(1, 0.0, 30.0),
    ];
    assert_eq!(find(&heading_at_foot), [(Fault::LoneHeading, 2)]);
    let one_line = [
        text(0, 0.0, 30.0),
        heading(0),
        heading(0),
        text(0, 0.0, 0.0),
        text(1, 0.0, 0.0),
        text(1, 0.0, 30.0),
    ];
    assert_eq!(
        find(&one_line),
        [(Fault::LoneHeading, 1), (Fault::Orphan, 3)]
    );

    // After a part opener (a page without rows), a paragraph starts without an indent: no
    // widow, even though the page before ended on a full line.
    let new_part = [
        text(0, PARAGRAPH_INDENT, 0.0),
        text(0, 0.0, 0.0),
        text(3, 0.0, 40.0),
        text(3, PARAGRAPH_INDENT, 0.0),
    ];
    assert_eq!(find(&new_part), []);
}

#[test]
fn no_widows_no_orphans_no_headings_at_a_page_foot() {
    for subject in subjects() {
        let rows = body_rows(subject);
        let faults = page_faults(&rows);
        let headings = rows
            .iter()
            .enumerate()
            .filter(|(i, r)| r.heading && (*i == 0 || !rows[i - 1].heading))
            .count();
        let turns = rows.windows(2).filter(|w| w[0].page != w[1].page).count();
        let broken = rows
            .windows(2)
            .enumerate()
            .filter(|(i, w)| w[0].page + 1 == w[1].page && !starts(&rows, i + 1))
            .count();
        eprintln!(
            "{}: {} text-block lines on body pages, {headings} section headings, {turns} page \
             turns, {broken} of them inside a paragraph; widows {}, orphans {}, lone headings {}",
            subject.name,
            rows.len(),
            faults.iter().filter(|f| f.0 == Fault::Widow).count(),
            faults.iter().filter(|f| f.0 == Fault::Orphan).count(),
            faults.iter().filter(|f| f.0 == Fault::LoneHeading).count(),
        );
        assert!(
            rows.len() > 300 && headings >= 8 && broken >= 5,
            "{}: the detector saw too little ({} lines, {headings} headings, {broken} paragraphs \
             broken over a page)",
            subject.name,
            rows.len()
        );
        let shown: Vec<String> = faults
            .iter()
            .map(|&(fault, i)| {
                format!(
                    "{fault:?} on {}: {:?}",
                    subject.page_name(rows[i].page),
                    rows[i].text
                )
            })
            .collect();
        assert_none("widow(s), orphan(s) or lone heading(s)", subject, &shown);
    }
}

#[test]
fn body_lines_sit_on_the_baseline_grid() {
    for subject in subjects() {
        let first = subject.first_body_page();
        let mut off_grid = Vec::new();
        let mut too_low = Vec::new();
        let mut body_lines = 0;
        let mut feet: BTreeMap<i64, usize> = BTreeMap::new();
        for (p, page) in subject.pages.iter().enumerate().skip(first) {
            if page.kind() != PageKind::Normal {
                continue;
            }
            for line in page.lines.iter().filter(|l| l.role == Role::Body) {
                body_lines += 1;
                let steps = (line.baseline - FIRST_BASELINE) / GRID;
                if !near(steps, steps.round(), 0.05 / GRID) || steps < -0.01 {
                    off_grid.push(format!(
                        "{}: baseline {:.2} ({:?})",
                        subject.page_name(p),
                        line.baseline,
                        line.text()
                    ));
                }
            }
            for line in page
                .lines
                .iter()
                .filter(|l| !matches!(l.role, Role::Head | Role::Foot))
            {
                if line.baseline > LONG_FOOT + 0.05 {
                    too_low.push(format!(
                        "{}: baseline {:.2} ({:?})",
                        subject.page_name(p),
                        line.baseline,
                        line.text()
                    ));
                }
            }
            if let Some(foot) = page.foot() {
                *feet.entry((foot * 10.0).round() as i64).or_default() += 1;
            }
        }
        let shown: Vec<String> = feet
            .iter()
            .rev()
            .take(6)
            .map(|(k, n)| format!("{:.1}: {n}", *k as f64 / 10.0))
            .collect();
        eprintln!(
            "{}: {body_lines} body lines, {} off the grid, {} below {LONG_FOOT}; page feet \
             (lowest first six): {}",
            subject.name,
            off_grid.len(),
            too_low.len(),
            shown.join(", ")
        );
        assert_none("body line(s) off the 14 pt grid", subject, &off_grid);
        assert_none(
            "line(s) below the long page's last baseline",
            subject,
            &too_low,
        );
    }
}

#[test]
fn facing_pages_end_on_the_same_baseline() {
    for subject in subjects() {
        let first = subject.first_body_page();
        let kinds: Vec<PageKind> = subject.pages.iter().map(PageText::kind).collect();
        // A page is full when the text goes on over the page: the next page is a normal page.
        let full = |p: usize| {
            p >= first
                && kinds[p] == PageKind::Normal
                && kinds.get(p + 1) == Some(&PageKind::Normal)
        };
        let mut compared = 0;
        let mut natural = 0;
        let mut long = 0;
        let mut short = 0;
        let mut uneven = Vec::new();
        // Versos are the even pages (1-based): index 1, 3, 5 …; a spread is a verso and the
        // recto after it.
        for verso in (first..subject.pages.len()).filter(|&i| !is_recto(i)) {
            let recto = verso + 1;
            if recto >= subject.pages.len() || !full(verso) || !full(recto) {
                continue;
            }
            compared += 1;
            let (a, b) = (
                subject.pages[verso].foot().unwrap_or(0.0),
                subject.pages[recto].foot().unwrap_or(0.0),
            );
            if !near(a, b, 0.5) {
                uneven.push(format!(
                    "{} ends at {a:.2}, {} at {b:.2}",
                    subject.page_name(verso),
                    subject.page_name(recto)
                ));
            } else if near(a, NATURAL_FOOT, 0.5) {
                natural += 1;
            } else if near(a, LONG_FOOT, 0.5) {
                long += 1;
            } else {
                short += 1;
            }
        }
        eprintln!(
            "{}: {compared} full spreads compared: {natural} end at {NATURAL_FOOT}, {long} run \
             long to {LONG_FOOT}, {short} end shorter, {} uneven",
            subject.name,
            uneven.len()
        );
        assert!(
            compared >= 4,
            "{}: only {compared} full spreads",
            subject.name
        );
        assert_none(
            "spread(s) whose pages end on different baselines",
            subject,
            &uneven,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Outline, contents, page labels
// ---------------------------------------------------------------------------------------------

/// `pdftotext -f N -l N` of one page (1-based), whitespace collapsed.
fn page_text(subject: &Subject, index: usize) -> Option<String> {
    let pdftotext = tool("pdftotext", "poppler-utils")?;
    let n = (index + 1).to_string();
    let output = run(Command::new(pdftotext)
        .args(["-f", &n, "-l", &n, "-enc", "UTF-8"])
        .arg(&subject.built.pdf)
        .arg("-"));
    assert!(output.status.success(), "pdftotext\n{}", describe(&output));
    Some(words(&String::from_utf8_lossy(&output.stdout)).join(" "))
}

/// The first line of the heading `title` (on one line or two) on page `index`.
fn heading_line<'a>(subject: &'a Subject, index: usize, title: &str) -> Option<&'a Line> {
    let lines: Vec<&Line> = subject.pages[index].text_lines().collect();
    (0..lines.len()).find_map(|i| {
        let one = lines[i].text();
        let two = lines
            .get(i + 1)
            .map(|next| format!("{one} {}", next.text()));
        (one == title || two.as_deref() == Some(title)).then_some(lines[i])
    })
}

#[test]
fn outline_has_the_title_contents_and_each_part_with_its_sections_at_their_pages() {
    for subject in subjects() {
        let outline = &subject.facts.outline;
        let expected = &subject.expected;
        let titles: Vec<&str> = outline.iter().map(|b| b.title.as_str()).collect();
        let mut want: Vec<&str> = vec![expected.title.as_str(), "Contents"];
        want.extend(expected.parts.iter().map(|(p, _)| p.title.as_str()));
        assert_eq!(titles, want, "{}: the outline's top level", subject.name);
        let counts: Vec<usize> = outline[2..].iter().map(|b| b.children.len()).collect();
        let want_counts: Vec<usize> = expected.parts.iter().map(|(_, s)| s.len()).collect();
        eprintln!(
            "{}: outline: title page on {}, contents on {}, parts with {counts:?} sections",
            subject.name,
            subject.page_name(outline[0].page),
            subject.page_name(outline[1].page)
        );
        assert_eq!(counts, want_counts, "{}: sections per part", subject.name);
        assert_eq!(
            subject.facts.labels[outline[0].page], "iii",
            "{}: title page",
            subject.name
        );
        assert_eq!(
            subject.facts.labels[outline[1].page], "v",
            "{}: contents",
            subject.name
        );

        let mut wrong = Vec::new();
        for (b, (part, sections)) in outline[2..].iter().zip(&expected.parts) {
            let children: Vec<&str> = b.children.iter().map(|c| c.title.as_str()).collect();
            let want: Vec<&str> = sections.iter().map(|s| s.title.as_str()).collect();
            assert_eq!(
                children, want,
                "{}: the sections of {:?}",
                subject.name, part.title
            );
            for entry in std::iter::once(b).chain(&b.children) {
                let Some(text) = page_text(subject, entry.page) else {
                    return;
                };
                if !text.contains(&entry.title) {
                    wrong.push(format!(
                        "{:?} goes to {}, which does not show it: {}",
                        entry.title,
                        subject.page_name(entry.page),
                        text.chars().take(200).collect::<String>()
                    ));
                    continue;
                }
                // And to the heading's height: its top, within a line.
                match heading_line(subject, entry.page, &entry.title) {
                    Some(line) if entry.y >= line.y_min - 6.0 && entry.y <= line.baseline => {}
                    Some(line) => wrong.push(format!(
                        "{:?} goes to y = {:.1} on {}, its heading's line is at {:.1}..{:.1}",
                        entry.title,
                        entry.y,
                        subject.page_name(entry.page),
                        line.y_min,
                        line.baseline
                    )),
                    None => wrong.push(format!(
                        "{:?}: no line of {} starts the heading",
                        entry.title,
                        subject.page_name(entry.page)
                    )),
                }
            }
        }
        assert_none("outline entries in the wrong place", subject, &wrong);
    }
}

/// An entry of the printed contents: its title, its printed folio and the targets of the links
/// over its lines.
#[derive(Debug)]
struct ContentsEntry {
    page: usize,
    title: String,
    folio: String,
    /// One per line of the entry: the target pages of the links covering it.
    targets: Vec<Vec<usize>>,
    x_min: f64,
}

/// The printed contents: body-size lines of the front pages, each entry ending with its folio
/// after a dot leader.
fn contents_entries(subject: &Subject) -> Vec<ContentsEntry> {
    let first = subject.first_body_page();
    let mut entries = Vec::new();
    for p in 0..first {
        let page = &subject.pages[p];
        if !page.all_text().starts_with("Contents") {
            continue;
        }
        let mut title: Vec<String> = Vec::new();
        let mut targets = Vec::new();
        let mut x_min = f64::INFINITY;
        for line in page.text_lines().filter(|l| l.role == Role::Body) {
            let links: Vec<usize> = subject.facts.links[p]
                .iter()
                .filter(|l| l.y_min <= line.baseline && l.y_max >= line.baseline - 3.0)
                .filter_map(|l| l.target.map(|t| t.0))
                .collect();
            targets.push(links);
            if title.is_empty() {
                x_min = line.x_min;
            }
            let mut ws: Vec<String> = line.words.iter().map(|w| w.text.clone()).collect();
            let folio = ws
                .last()
                .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
                .cloned();
            if folio.is_some() {
                ws.pop();
            }
            title.extend(ws.into_iter().filter(|w| !w.chars().all(|c| c == '.')));
            if let Some(folio) = folio {
                entries.push(ContentsEntry {
                    page: p,
                    title: title.join(" "),
                    folio,
                    targets: std::mem::take(&mut targets),
                    x_min,
                });
                title.clear();
            }
        }
        assert!(
            title.is_empty(),
            "{}: a contents entry without a folio: {title:?}",
            subject.name
        );
    }
    entries
}

#[test]
fn every_contents_entry_links_to_the_page_its_number_names() {
    for subject in subjects() {
        let entries = contents_entries(subject);
        let want: Vec<&str> = subject
            .expected
            .parts
            .iter()
            .flat_map(|(p, s)| std::iter::once(p).chain(s))
            .map(|h| h.title.as_str())
            .collect();
        let got: Vec<&str> = entries.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(got, want, "{}: the contents' entries", subject.name);
        let mut wrong = Vec::new();
        for entry in &entries {
            let targets: Vec<usize> = entry.targets.iter().flatten().copied().collect();
            let covered = entry.targets.iter().all(|t| t.len() == 1);
            let Some(&target) = targets.first() else {
                wrong.push(format!("{:?}: no link", entry.title));
                continue;
            };
            if !covered || targets.iter().any(|&t| t != target) {
                wrong.push(format!(
                    "{:?}: each of its lines should have one link, all to the same page: {:?}",
                    entry.title, entry.targets
                ));
            }
            let label = &subject.facts.labels[target];
            if *label != entry.folio {
                wrong.push(format!(
                    "{:?} prints {} but links to {}",
                    entry.title,
                    entry.folio,
                    subject.page_name(target)
                ));
            }
            if heading_line(subject, target, &entry.title).is_none() {
                wrong.push(format!(
                    "{:?} links to {}, which does not have the heading",
                    entry.title,
                    subject.page_name(target)
                ));
            }
            let outlined = subject
                .facts
                .outline
                .iter()
                .flat_map(|b| std::iter::once(b).chain(&b.children))
                .find(|b| b.title == entry.title)
                .map(|b| b.page);
            if outlined != Some(target) {
                wrong.push(format!(
                    "{:?}: the contents link to {}, the outline to {:?}",
                    entry.title,
                    subject.page_name(target),
                    outlined.map(|p| subject.page_name(p))
                ));
            }
        }
        // Sections are indented under their parts.
        let parts: Vec<&str> = subject
            .expected
            .parts
            .iter()
            .map(|(p, _)| p.title.as_str())
            .collect();
        let part_x = entries
            .iter()
            .filter(|e| parts.contains(&e.title.as_str()))
            .map(|e| e.x_min)
            .fold(f64::INFINITY, f64::min);
        for e in entries
            .iter()
            .filter(|e| !parts.contains(&e.title.as_str()))
        {
            if e.x_min < part_x + 5.0 {
                wrong.push(format!("{:?} is not indented under its part", e.title));
            }
        }
        eprintln!(
            "{}: contents on {}: {} entries, folios {}",
            subject.name,
            subject.page_name(entries.first().map_or(0, |e| e.page)),
            entries.len(),
            entries
                .iter()
                .map(|e| e.folio.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert_none("wrong contents entries", subject, &wrong);
    }
}

#[test]
fn page_labels_are_roman_then_arabic_from_a_recto_and_match_the_printed_folios() {
    for subject in subjects() {
        let labels = &subject.facts.labels;
        let first = subject.first_body_page();
        let front: Vec<String> = (1..=first as i64).map(roman).collect();
        let body: Vec<String> = (1..=(labels.len() - first))
            .map(|n| n.to_string())
            .collect();
        eprintln!(
            "{}: page labels {} … {} ({} front pages, {} body pages)",
            subject.name,
            labels[..first].join(" "),
            labels.last().map_or("", String::as_str),
            first,
            labels.len() - first
        );
        assert_eq!(
            labels[..first],
            front,
            "{}: front matter labels",
            subject.name
        );
        assert_eq!(labels[first..], body, "{}: body labels", subject.name);
        assert!(
            is_recto(first),
            "{}: the body starts on PDF page {}, a verso",
            subject.name,
            first + 1
        );
        // The front matter: half-title, blank, title page, copyright page, contents (an opener
        // with its folio at the foot), then blank pages up to the body's first recto.
        let kinds: Vec<PageKind> = subject.pages.iter().map(PageText::kind).collect();
        assert_eq!(
            kinds[..5],
            [
                PageKind::Plain,
                PageKind::Blank,
                PageKind::Plain,
                PageKind::Plain,
                PageKind::Opener
            ],
            "{}: pages i–v",
            subject.name
        );
        assert!(
            kinds[5..first].iter().all(|k| *k == PageKind::Blank),
            "{}: between the contents and page 1 only blank pages: {:?}",
            subject.name,
            &kinds[5..first]
        );
        assert!(
            subject.pages[0].all_text() == subject.expected.title,
            "{}: the half-title shows {:?}",
            subject.name,
            subject.pages[0].all_text()
        );
        // The body opens with the first part's title page.
        let part = &subject.expected.parts[0].0.title;
        assert!(
            kinds[first] == PageKind::Opener
                && subject.pages[first].all_text().starts_with(part.as_str()),
            "{}: page 1 should be the title page of {part:?}: {:?} {:?}",
            subject.name,
            kinds[first],
            subject.pages[first].all_text()
        );

        // Printed folios are the labels: in the head's outer corner, or centred at an opener's
        // foot; none on the plain and blank pages.
        let mut wrong = Vec::new();
        for (p, page) in subject.pages.iter().enumerate() {
            let (left, right) = edges(p);
            let label = &labels[p];
            match page.kind() {
                PageKind::Normal => {
                    let head: Vec<&Word> = page
                        .lines
                        .iter()
                        .filter(|l| l.role == Role::Head)
                        .flat_map(|l| &l.words)
                        .collect();
                    let outer = if is_recto(p) {
                        head.iter().max_by(|a, b| a.x_max.total_cmp(&b.x_max))
                    } else {
                        head.iter().min_by(|a, b| a.x_min.total_cmp(&b.x_min))
                    };
                    let ok = outer.is_some_and(|w| {
                        w.text == *label
                            && near(w.baseline, HEAD_BASELINE, 0.3)
                            && if is_recto(p) {
                                near(w.x_max, right, 0.5)
                            } else {
                                near(w.x_min, left, 0.5)
                            }
                    });
                    if !ok {
                        wrong.push(format!(
                            "{}: the head's outer word is {:?}",
                            subject.page_name(p),
                            outer.map(|w| (&w.text, w.x_min, w.x_max, w.baseline))
                        ));
                    }
                }
                PageKind::Opener => {
                    let foot: Vec<&Line> =
                        page.lines.iter().filter(|l| l.role == Role::Foot).collect();
                    let ok = matches!(foot.as_slice(), [l] if l.text() == *label
                        && near(l.baseline, OPENER_FOLIO_BASELINE, 0.3)
                        && near((l.x_min + l.x_max) / 2.0, PAGE_WIDTH / 2.0, 0.5));
                    if !ok {
                        wrong.push(format!(
                            "{}: the opener's foot shows {:?}",
                            subject.page_name(p),
                            foot.iter()
                                .map(|l| (l.text(), l.baseline))
                                .collect::<Vec<_>>()
                        ));
                    }
                }
                PageKind::Plain | PageKind::Blank => {}
            }
        }
        assert_none("wrong folio(s)", subject, &wrong);
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Running heads
// ---------------------------------------------------------------------------------------------

/// The words of a running head, without the folio.
fn head_text(page: &PageText, label: &str) -> String {
    page.lines
        .iter()
        .filter(|l| l.role == Role::Head)
        .flat_map(|l| &l.words)
        .map(|w| w.text.as_str())
        .filter(|w| *w != label)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The running form of a heading: its short title when it has one.
fn running_form(subject: &Subject, title: &str) -> String {
    subject
        .expected
        .parts
        .iter()
        .flat_map(|(p, s)| std::iter::once(p).chain(s))
        .find(|h| h.title == title)
        .map(|h| h.short.clone().unwrap_or_else(|| h.title.clone()))
        .unwrap_or_else(|| title.to_owned())
}

/// The heading titles of the book as the pages show them: (page, title) for each part title
/// page and section heading, in order.
fn headings_by_page(subject: &Subject) -> Vec<(usize, String, bool)> {
    let mut out = Vec::new();
    let parts: Vec<&str> = subject
        .expected
        .parts
        .iter()
        .map(|(p, _)| p.title.as_str())
        .collect();
    let sections: Vec<&str> = subject
        .expected
        .parts
        .iter()
        .flat_map(|(_, s)| s)
        .map(|s| s.title.as_str())
        .collect();
    for (p, page) in subject
        .pages
        .iter()
        .enumerate()
        .skip(subject.first_body_page())
    {
        let text = page.all_text();
        if page.kind() == PageKind::Opener {
            if let Some(part) = parts.iter().find(|t| text.starts_with(**t)) {
                out.push((p, part.to_string(), true));
            }
            continue;
        }
        // Section headings: runs of heading lines.
        let mut run = String::new();
        let lines: Vec<&Line> = page.text_lines().collect();
        for (i, line) in lines.iter().enumerate() {
            if line.role == Role::Heading {
                if !run.is_empty() {
                    run.push(' ');
                }
                run.push_str(&line.text());
            }
            let ends = lines.get(i + 1).is_none_or(|n| n.role != Role::Heading);
            if ends && !run.is_empty() {
                if sections.contains(&run.as_str()) {
                    out.push((p, run.clone(), false));
                }
                run.clear();
            }
        }
    }
    out
}

#[test]
fn running_heads_stay_inside_the_text_block_and_name_the_book_and_the_section() {
    for subject in subjects() {
        let first = subject.first_body_page();
        let headings = headings_by_page(subject);
        let mut wrong = Vec::new();
        let mut outside = Vec::new();
        let mut heads: BTreeMap<String, usize> = BTreeMap::new();
        for (p, page) in subject.pages.iter().enumerate() {
            let kind = page.kind();
            let head: Vec<&Line> = page.lines.iter().filter(|l| l.role == Role::Head).collect();
            if kind != PageKind::Normal {
                if !head.is_empty() || (p >= first && kind == PageKind::Plain) {
                    wrong.push(format!(
                        "{} ({kind:?}) should have no running head: {:?}",
                        subject.page_name(p),
                        head.iter().map(|l| l.text()).collect::<Vec<_>>()
                    ));
                }
                continue;
            }
            let (left, right) = edges(p);
            for line in &head {
                if line.x_min < left - 0.5 || line.x_max > right + 0.5 {
                    outside.push(format!(
                        "{}: {:?} spans {:.1}..{:.1}, the text block {left}..{right}",
                        subject.page_name(p),
                        line.text(),
                        line.x_min,
                        line.x_max
                    ));
                }
            }
            let text = head_text(page, &subject.facts.labels[p]);
            *heads.entry(text.clone()).or_default() += 1;
            let want = if !is_recto(p) {
                subject.expected.title.clone()
            } else {
                // The first section that starts on the page, else the one in effect at its
                // top, else the part.
                let on_page = headings.iter().find(|h| h.0 == p && !h.2);
                let before = headings.iter().rev().find(|h| h.0 < p);
                let in_effect = on_page.or(before);
                match in_effect {
                    Some((_, title, _)) => running_form(subject, title),
                    None => String::new(),
                }
            };
            let ok = text == want
                || text.strip_suffix('…').is_some_and(|cut| {
                    let cut = words(cut);
                    let full = words(&want);
                    !cut.is_empty()
                        && cut.len() < full.len()
                        && cut[..cut.len() - 1] == full[..cut.len() - 1]
                        && full[cut.len() - 1].starts_with(cut[cut.len() - 1].as_str())
                });
            if !ok {
                wrong.push(format!(
                    "{}: the head is {text:?}, expected {want:?} (or a cut of it ending with \
                     \"…\")",
                    subject.page_name(p)
                ));
            }
        }
        eprintln!(
            "{}: running heads: {}",
            subject.name,
            heads
                .iter()
                .map(|(h, n)| format!("{h:?} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert_none(
            "running head(s) outside the text block's edges",
            subject,
            &outside,
        );
        assert_none("wrong running head(s)", subject, &wrong);
        // Every short title is used, and no head is the long title it replaces.
        for h in subject
            .expected
            .parts
            .iter()
            .flat_map(|(p, s)| std::iter::once(p).chain(s))
        {
            if let Some(short) = &h.short {
                assert!(
                    heads.contains_key(short),
                    "{}: no running head shows the short title {short:?}",
                    subject.name
                );
                assert!(
                    !heads.keys().any(|k| k.contains(&h.title)),
                    "{}: a running head shows the long title {:?}",
                    subject.name,
                    h.title
                );
            }
        }
    }
}

#[test]
fn the_88_character_heading_runs_as_its_short_title() {
    let Some(subject) = bundled() else {
        return;
    };
    let long = subject
        .expected
        .parts
        .iter()
        .flat_map(|(_, s)| s)
        .find(|s| s.title.chars().count() == 88)
        .unwrap_or_else(|| panic!("the bundled book has no 88-character heading"));
    assert_eq!(
        long.short.as_deref(),
        Some("Bureaucratic Sabotage of Socialist Construction")
    );
    let rectos = subject
        .pages
        .iter()
        .enumerate()
        .filter(|(p, page)| {
            head_text(page, &subject.facts.labels[*p])
                == "Bureaucratic Sabotage of Socialist Construction"
        })
        .count();
    eprintln!(
        "the bundled book: {rectos} recto(s) headed \"Bureaucratic Sabotage of Socialist Construction\""
    );
    assert!(rectos >= 1, "no running head shows the short title");
}

#[test]
fn a_heading_too_wide_for_the_head_is_cut_at_a_word_with_an_ellipsis() {
    let Some(subject) = notes_book() else {
        return;
    };
    let long = "How the Island Station Became the Clearing House for Every Message Between the \
                Coast and Europe";
    let cut: Vec<String> = subject
        .pages
        .iter()
        .enumerate()
        .map(|(p, page)| head_text(page, &subject.facts.labels[p]))
        .filter(|h| h.ends_with('…'))
        .collect();
    eprintln!("the notes book: heads cut with an ellipsis: {cut:?}");
    assert!(
        cut.iter()
            .any(|h| long.starts_with(h.trim_end_matches('…'))),
        "no running head shows {long:?} cut at a word with \"…\": {cut:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. The text, whole; soundness; same bytes
// ---------------------------------------------------------------------------------------------

#[test]
fn every_word_of_the_text_is_in_order() {
    for subject in subjects() {
        let want = &subject.expected.body;
        let mut reader = Reader::default();
        let mut fault = None;
        'pages: for (p, page) in subject
            .pages
            .iter()
            .enumerate()
            .skip(subject.first_body_page())
        {
            for line in page.text_lines() {
                let mut tokens = line.words_without_marks();
                // Furniture of the text: list markers and the scene-break ornament.
                if tokens.first().is_some_and(|t| t == "•") {
                    tokens.remove(0);
                }
                if tokens
                    .iter()
                    .all(|t| t.chars().all(|c| c == '*' || c.is_whitespace()))
                {
                    continue;
                }
                for token in &tokens {
                    if let Err(e) = reader.read(want, token) {
                        fault = Some(format!(
                            "{}: {e}\n  expected … {} …\n  line: {:?}",
                            subject.page_name(p),
                            around(want, reader.at, 8),
                            line.text()
                        ));
                        break 'pages;
                    }
                }
            }
        }
        eprintln!(
            "{}: {} of {} words of the text in order",
            subject.name,
            reader.at,
            want.len()
        );
        if let Some(fault) = fault {
            panic!("{}: {fault}", subject.name);
        }
        assert!(
            reader.done(want),
            "{}: the text stops after word {} of {}: … {} …",
            subject.name,
            reader.at,
            want.len(),
            around(want, reader.at, 8)
        );
    }
}

#[test]
fn notes_book_builds_without_warnings_and_qpdf_check_is_clean() {
    let Some(subject) = notes_book() else {
        return;
    };
    let diagnostics = diagnostic_lines(&subject.built.output.stderr);
    assert!(
        diagnostics.is_empty(),
        "building the notes book printed diagnostics: {diagnostics:?}\n{}",
        describe(&subject.built.output)
    );
    assert!(
        subject.built.epub.is_some(),
        "the notes book's EPUB is missing"
    );
    check_with_qpdf("the notes book", &subject.built.pdf);
}

#[test]
fn two_builds_of_the_notes_book_are_byte_identical() {
    let dir = scratch("makeup-same-");
    let a = build(&notes_book_dir(), &dir.path().join("a"), "epub,pdf")
        .unwrap_or_else(|e| panic!("{e}"));
    let b = build(&notes_book_dir(), &dir.path().join("b"), "epub,pdf")
        .unwrap_or_else(|e| panic!("{e}"));
    for (x, y) in [
        (Some(&a.pdf), Some(&b.pdf)),
        (a.epub.as_ref(), b.epub.as_ref()),
    ] {
        let (x, y) = (x.expect("written"), y.expect("written"));
        let (bx, by) = (fs::read(x).expect("read"), fs::read(y).expect("read"));
        assert!(
            bx == by,
            "two builds of the notes book differ: {} ({} bytes) and {} ({} bytes)",
            x.display(),
            bx.len(),
            y.display(),
            by.len()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The helpers above, on made-up input
// ---------------------------------------------------------------------------------------------

#[test]
fn manuscript_reader_numbers_notes_by_first_reference() {
    let text = "# Part I: Start\n\nIntro with *a* mark.[^b] And two:[^a] here[^b].\n\n\
                ## Section {short=\"Sec\"}\n\n- An item,[^c]\n> A quote[^a]\n\n\
                [^a]: Note *a*.\n[^b]: Note b, longer.\n[^c]: Note c.\n";
    let e = parse_manuscript(text).expect("parses");
    let numbered: Vec<(u32, &str, String)> = e
        .notes
        .iter()
        .map(|n| (n.number, n.before.as_str(), n.words.join(" ")))
        .collect();
    assert_eq!(
        numbered,
        [
            (1, "mark.", "Note b, longer.".to_owned()),
            (2, "two:", "Note a.".to_owned()),
            (3, "item,", "Note c.".to_owned())
        ]
    );
    assert_eq!(
        e.body.join(" "),
        "Part I: Start Intro with a mark. And two: here. Section An item, A quote"
    );
    assert_eq!(e.parts.len(), 1);
    assert_eq!(e.parts[0].1[0].title, "Section");
    assert_eq!(e.parts[0].1[0].short.as_deref(), Some("Sec"));
}

#[test]
fn word_reader_joins_words_broken_at_line_ends() {
    let want: Vec<String> = ["catastrophe", "self-sacrificing", "1879–1914", "end."]
        .map(str::to_owned)
        .to_vec();
    let mut r = Reader::default();
    for token in [
        "catas-",
        "trophe",
        "self-",
        "sacrificing",
        "1879–",
        "1914",
        "end.",
    ] {
        r.read(&want, token).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(r.done(&want));
    let mut r = Reader::default();
    assert!(r.read(&want, "catastrophe").is_ok());
    assert!(
        r.read(&want, "selfish").is_err(),
        "a wrong word is an error"
    );
    let mut r = Reader::default();
    assert!(r.read(&want, "cat-").is_ok());
    assert!(
        r.read(&want, "dog").is_err(),
        "a wrong second half is an error"
    );
}

#[test]
fn page_labels_are_computed_from_the_number_tree() {
    let ranges = [
        LabelRange {
            start: 0,
            style: "r".into(),
            first: 1,
            prefix: String::new(),
        },
        LabelRange {
            start: 6,
            style: "D".into(),
            first: 1,
            prefix: String::new(),
        },
        LabelRange {
            start: 9,
            style: "D".into(),
            first: 20,
            prefix: "A-".into(),
        },
    ];
    assert_eq!(
        labels_of(&ranges, 11),
        [
            "i", "ii", "iii", "iv", "v", "vi", "1", "2", "3", "A-20", "A-21"
        ]
    );
    assert_eq!(labels_of(&[], 2), ["1", "2"]);
    assert_eq!(text_string(&[0xfe, 0xff, 0, b'C', 0x20, 0x26]), "C…");
}
