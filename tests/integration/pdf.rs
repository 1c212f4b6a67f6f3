//! The print PDF, judged from outside: what `quire build --format pdf` writes for the bundled book
//! and for the `quire init` skeleton, read back with qpdf and poppler's tools the way a printer or
//! a reader would, trusting nothing the writer says about itself.
//!
//! The figures of issue 3 ("Figures to reach on the bundled book") are the assertions here:
//! - `qpdf --check` is clean; `pdffonts` shows every font embedded, subset and with a ToUnicode
//!   map; the file is under 250 KB; `pdfinfo` shows the title, author, 6 × 9 in pages and PDF 1.7;
//!   the catalog has `/Lang` and an outline naming every part and section.
//! - `pdftotext`'s text, with line-end hyphens joined, holds every word of the seed in order, the
//!   note, the four slogans in order and an ornament at the scene break.
//! - The word boxes of `pdftotext -bbox-layout` show justified lines: at least 98 % of the body
//!   lines that do not end a paragraph end within 0.5 pt of the right margin, none runs past it,
//!   and no more than two consecutive lines end in a hyphen (the measured figures are printed:
//!   `cargo test --release --test integration pdf -- --nocapture`).
//! - Same input, same bytes; a failed build leaves the previous PDF in place.
//!
//! The tools (`qpdf`, and `pdfinfo`, `pdffonts`, `pdftotext` from poppler-utils) are taken from
//! `PATH`. A missing tool skips its test with a note on stderr, unless
//! `QUIRE_REQUIRE_VALIDATORS=1` (set by `.ci/run`), which turns the skip into a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::common::{
    check_with_qpdf, describe, diagnostic_lines, quire, repo_root, run, scratch, seed, skeleton,
    snapshot, tool, words,
};

// ---------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------

/// A PDF written by the binary.
#[derive(Debug)]
struct BuiltPdf {
    pdf: PathBuf,
    output: Output,
}

/// The files directly inside `dir` whose extension is `ext`, sorted.
fn files_in(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.expect("read directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    found.sort();
    found
}

/// `quire build BOOK --out OUT --format FORMATS`, expecting exactly one PDF in `out`.
fn build_pdf_into(
    book: &Path,
    out: &Path,
    formats: &str,
    epoch: Option<&str>,
) -> Result<BuiltPdf, String> {
    let mut cmd = quire();
    cmd.arg("build")
        .arg(book)
        .arg("--out")
        .arg(out)
        .arg("--format")
        .arg(formats);
    if let Some(epoch) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch);
    }
    let output = run(&mut cmd);
    let shown = format!(
        "`quire build {} --out {} --format {formats}`",
        book.display(),
        out.display()
    );
    if !output.status.success() {
        return Err(format!("{shown} failed\n{}", describe(&output)));
    }
    match files_in(out, "pdf").as_slice() {
        [pdf] => Ok(BuiltPdf {
            pdf: pdf.clone(),
            output,
        }),
        other => Err(format!(
            "{shown} should write exactly one .pdf, found {other:?}\n{}",
            describe(&output)
        )),
    }
}

/// The bundled book's PDF, built once per test process.
fn bundled_pdf() -> &'static BuiltPdf {
    static BUILT: OnceLock<Result<BuiltPdf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let out = scratch("bundled-pdf-").keep();
        let built = build_pdf_into(repo_root(), &out, "pdf", None)?;
        let expected = out.join("alarm-signal.pdf");
        if built.pdf != expected {
            return Err(format!(
                "the bundled book's PDF should be {}, got {}",
                expected.display(),
                built.pdf.display()
            ));
        }
        Ok(built)
    });
    built.as_ref().unwrap_or_else(|e| panic!("{e}"))
}

fn read_pdf(built: &BuiltPdf) -> Vec<u8> {
    fs::read(&built.pdf).unwrap_or_else(|e| panic!("read {}: {e}", built.pdf.display()))
}

// ---------------------------------------------------------------------------------------------
// The tools
// ---------------------------------------------------------------------------------------------

/// Runs a tool on `pdf`; panics with its output if it fails.
fn run_tool(tool: &Path, args: &[&str], pdf: &Path) -> Output {
    let output = run(Command::new(tool).args(args).arg(pdf));
    assert!(
        output.status.success(),
        "`{} {} {}` failed\n{}",
        tool.display(),
        args.join(" "),
        pdf.display(),
        describe(&output)
    );
    output
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("the tool's output is UTF-8")
}

/// The bundled PDF's text, once per process (`None`: pdftotext is missing): the lines of
/// `pdftotext -bbox-layout`, one per line, pages separated by a form feed.
///
/// Not plain `pdftotext`: in reading order, poppler drops every line-end hyphen and joins the
/// lines itself (`all-` `embracing,` → `allembracing,`), losing the difference between the
/// typesetter's hyphen and the author's; its word boxes keep the lines as set.
fn bundled_text() -> Option<&'static str> {
    static TEXT: OnceLock<Option<String>> = OnceLock::new();
    TEXT.get_or_init(|| {
        let pages = bundled_boxes()?;
        let mut text = String::new();
        for page in pages {
            for line in page.lines.iter().filter(|l| !is_furniture(l)) {
                text.push_str(&line.text());
                text.push('\n');
            }
            text.push('\u{c}');
        }
        Some(text)
    })
    .as_deref()
}

// ---------------------------------------------------------------------------------------------
// 1. Structure, fonts, size and metadata
// ---------------------------------------------------------------------------------------------

#[test]
fn qpdf_check_is_clean_for_the_bundled_book() {
    check_with_qpdf("the bundled book", &bundled_pdf().pdf);
}

#[test]
fn bundled_build_prints_no_warnings() {
    let built = bundled_pdf();
    let diagnostics = diagnostic_lines(&built.output.stderr);
    assert!(
        diagnostics.is_empty(),
        "building the bundled book's PDF should print no diagnostics, printed {diagnostics:?}\n{}",
        describe(&built.output)
    );
}

/// One row of `pdffonts`.
#[derive(Debug)]
struct FontRow {
    name: String,
    kind: String,
    emb: String,
    sub: String,
    uni: String,
}

/// Parses `pdffonts`' table by the columns of its dashed rule (names may hold spaces).
fn pdffonts(text: &str) -> Vec<FontRow> {
    let lines: Vec<&str> = text.lines().collect();
    let rule = lines
        .iter()
        .position(|l| l.starts_with("---"))
        .unwrap_or_else(|| panic!("pdffonts printed no table:\n{text}"));
    let mut columns = Vec::new();
    let mut start = 0;
    for field in lines[rule].split(' ') {
        columns.push(start..start + field.len());
        start += field.len() + 1;
    }
    assert!(
        columns.len() >= 7,
        "unexpected pdffonts header:\n{}",
        lines[..=rule].join("\n")
    );
    let cell = |line: &str, i: usize| -> String {
        let range = columns[i].clone();
        let end = if i + 1 == columns.len() {
            line.len()
        } else {
            range.end.min(line.len())
        };
        line.get(range.start.min(line.len())..end)
            .unwrap_or_default()
            .trim()
            .to_owned()
    };
    lines[rule + 1..]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|line| FontRow {
            name: cell(line, 0),
            kind: cell(line, 1),
            emb: cell(line, 3),
            sub: cell(line, 4),
            uni: cell(line, 5),
        })
        .collect()
}

/// A subset font's name: six capital letters, `+`, the PostScript name.
fn has_subset_tag(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 7 && bytes[..6].iter().all(u8::is_ascii_uppercase) && bytes[6] == b'+'
}

#[test]
fn fonts_are_embedded_subset_and_have_tounicode() {
    let Some(pdffonts_tool) = tool("pdffonts", "poppler-utils") else {
        return;
    };
    let output = run_tool(&pdffonts_tool, &[], &bundled_pdf().pdf);
    let text = stdout(&output);
    let rows = pdffonts(&text);
    assert!(!rows.is_empty(), "pdffonts lists no font:\n{text}");
    let bad: Vec<String> = rows
        .iter()
        .filter(|r| r.emb != "yes" || r.sub != "yes" || r.uni != "yes" || !has_subset_tag(&r.name))
        .map(|r| {
            format!(
                "{} ({}): emb {}, sub {}, uni {}{}",
                r.name,
                r.kind,
                r.emb,
                r.sub,
                r.uni,
                if has_subset_tag(&r.name) {
                    ""
                } else {
                    ", no ABCDEF+ subset tag"
                }
            )
        })
        .collect();
    eprintln!(
        "pdffonts: {} font(s): {}",
        rows.len(),
        rows.iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(
        bad.is_empty(),
        "every font must be embedded, subset (ABCDEF+Name) and have a ToUnicode map; not so:\n{}\n\
         pdffonts:\n{text}",
        bad.join("\n")
    );
}

#[test]
fn pdf_is_under_250_kb() {
    let bytes = read_pdf(bundled_pdf()).len();
    eprintln!("PDF size: {bytes} bytes ({:.1} KB)", bytes as f64 / 1000.0);
    assert!(
        bytes < 250_000,
        "the bundled book's PDF is {bytes} bytes, more than 250 KB (fonts not subset?)"
    );
}

/// `pdfinfo`'s `Key: value` lines.
fn pdfinfo(args: &[&str], pdf: &Path) -> Option<Vec<(String, String)>> {
    let pdfinfo = tool("pdfinfo", "poppler-utils")?;
    let output = run_tool(&pdfinfo, args, pdf);
    Some(
        stdout(&output)
            .lines()
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect(),
    )
}

#[test]
fn pdfinfo_shows_title_author_page_size_and_version() {
    let pdf = &bundled_pdf().pdf;
    let Some(info) = pdfinfo(&["-enc", "UTF-8"], pdf) else {
        return;
    };
    let get = |key: &str| {
        info.iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("pdfinfo shows no {key:?}: {info:?}"))
    };
    assert_eq!(get("Title"), "Alarm Signal!", "pdfinfo Title");
    assert_eq!(get("Author"), "Leon Trotsky", "pdfinfo Author");
    assert_eq!(get("PDF version"), "1.7", "pdfinfo PDF version");
    let pages: usize = get("Pages").parse().expect("pdfinfo Pages is a number");
    eprintln!("PDF pages: {pages}");
    assert!(pages > 1, "the bundled book has {pages} page(s)");

    // Every page, not only the first, is 6 × 9 in.
    let last = pages.to_string();
    let per_page = pdfinfo(&["-f", "1", "-l", &last], pdf).expect("pdfinfo ran above");
    let sizes: Vec<(String, String)> = per_page
        .into_iter()
        .filter(|(k, _)| k.starts_with("Page") && k.ends_with("size"))
        .collect();
    assert_eq!(
        sizes.len(),
        pages,
        "pdfinfo -f 1 -l {pages}: one size per page"
    );
    let wrong: Vec<_> = sizes
        .iter()
        .filter(|(_, v)| !v.starts_with("432 x 648 pts"))
        .collect();
    assert!(
        wrong.is_empty(),
        "every page should be 432 x 648 pts (6 x 9 in); these are not: {wrong:?}"
    );
}

/// The PDF with its objects uncompressed (`qpdf --qdf --object-streams=disable`), as text.
fn expanded(pdf: &Path) -> Option<String> {
    let qpdf = tool("qpdf", "qpdf")?;
    let dir = scratch("qdf-");
    let out = dir.path().join("expanded.pdf");
    let output = run(Command::new(qpdf)
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg(&out));
    assert!(output.status.success(), "qpdf --qdf\n{}", describe(&output));
    Some(String::from_utf8_lossy(&fs::read(&out).expect("read the expanded PDF")).into_owned())
}

/// A PDF text string as written: `(literal)` or `<FEFF…>` (UTF-16BE in hex).
fn pdf_string_forms(text: &str) -> [String; 2] {
    let literal = text
        .replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)");
    let hex: String = std::iter::once(0xfeff)
        .chain(text.encode_utf16())
        .map(|u| format!("{u:04X}"))
        .collect();
    [format!("({literal})"), format!("<{hex}>")]
}

#[test]
fn catalog_has_the_language_and_an_outline_of_parts_and_sections() {
    let Some(pdf) = expanded(&bundled_pdf().pdf) else {
        return;
    };
    assert!(
        pdf.contains("/Lang (en)") || pdf.contains("/Lang <FEFF0065006E>"),
        "the catalog should say /Lang (en)"
    );
    assert!(pdf.contains("/Outlines "), "the catalog has no /Outlines");
    let seed = seed();
    let titles = seed.parts.iter().chain(seed.sections.iter().flatten());
    let missing: Vec<&String> = titles
        .filter(|title| {
            !pdf_string_forms(title).iter().any(|form| {
                pdf.contains(&format!("/Title {form}")) || pdf.contains(&format!("/Title{form}"))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "the outline has no bookmark titled {missing:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. The text layer: every word of the seed, in order
// ---------------------------------------------------------------------------------------------

/// How many extra tokens the PDF's text may have between two consecutive seed words: a page turn
/// brings a folio and a running head (the book title, or a section title), a division end its
/// "Notes" heading and note label (the note's text itself is taken out first).
use crate::common::MAX_GAP;

/// Every word the PDF may legitimately hold: the seed's title, body and note.
fn vocabulary() -> &'static BTreeSet<String> {
    static VOCAB: OnceLock<BTreeSet<String>> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let seed = seed();
        seed.title
            .iter()
            .chain(&seed.body)
            .chain(&seed.note)
            .cloned()
            .collect()
    })
}

/// A word of the PDF's text, and whether a line ends after it.
#[derive(Debug, Clone)]
struct Token {
    text: String,
    line_end: bool,
}

/// Characters a reader does not see (and pdftotext may still print).
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}'
    )
}

/// A hyphen the typesetter may have put at a line end (a discretionary hyphen can extract as
/// U+002D, U+2010 or U+00AD).
fn strip_line_end_hyphen(word: &str) -> Option<&str> {
    let base = word
        .strip_suffix('-')
        .or_else(|| word.strip_suffix('\u{2010}'))
        .or_else(|| word.strip_suffix('\u{ad}'))?;
    (!base.is_empty()).then_some(base)
}

/// Words of `pdftotext` output, line by line.
fn raw_tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for line in text.lines() {
        let mut line_words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.chars().filter(|c| !invisible(*c)).collect::<String>())
            .filter(|w| !w.is_empty())
            .collect();
        let Some(last) = line_words.pop() else {
            continue;
        };
        tokens.extend(line_words.into_iter().map(|text| Token {
            text,
            line_end: false,
        }));
        tokens.push(Token {
            text: last,
            line_end: true,
        });
    }
    tokens
}

/// The word that `first` (ending a line) and `second` (starting a later line) make together, if
/// they were split by a line break. With a hyphen: the hyphenated form when the seed has it
/// (`self-` + `sacrificing`), else the joined one (`catas-` + `trophe`). After a dash or slash
/// inside a word (`1918–` + `1919?`): the two glued, when the seed has that.
fn joined(first: &str, second: &str, next_line: bool) -> Option<String> {
    let vocab = vocabulary();
    if let Some(base) = strip_line_end_hyphen(first) {
        let hyphenated = format!("{base}-{second}");
        if vocab.contains(&hyphenated) {
            return Some(hyphenated);
        }
        let plain = format!("{base}{second}");
        if vocab.contains(&plain) {
            return Some(plain);
        }
        // Words outside the seed (a running head): join only across one line break and before a
        // lower-case letter, as a reader would.
        if next_line && second.starts_with(char::is_lowercase) && !base.ends_with('-') {
            return Some(plain);
        }
        return None;
    }
    if first.chars().count() > 1 && first.ends_with(['–', '—', '/']) {
        let glued = format!("{first}{second}");
        if vocab.contains(&glued) {
            return Some(glued);
        }
    }
    None
}

/// Note marks set as superscript digits glued to the word before them (`cent.1`): the word
/// without them, when only that is a seed word.
fn without_note_mark(word: &str) -> Option<&str> {
    let vocab = vocabulary();
    if vocab.contains(word) {
        return None;
    }
    let base = word.trim_end_matches(|c: char| c.is_ascii_digit() || "¹²³⁴⁵⁶⁷⁸⁹⁰".contains(c));
    (base.len() < word.len() && vocab.contains(base)).then_some(base)
}

/// The PDF's words in reading order, with words broken across lines (and across a page turn,
/// over the folio and running head in between) put back together, and note marks taken off.
fn pdf_words(text: &str) -> Vec<String> {
    /// How far a broken word's second half may be from its first: a page turn puts a folio and a
    /// running head between them.
    const TURN: usize = 12;
    let mut tokens = raw_tokens(text);
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].line_end {
            let limit = (i + 1 + TURN).min(tokens.len());
            for j in i + 1..limit {
                if !tokens[j - 1].line_end {
                    continue;
                }
                if let Some(word) = joined(&tokens[i].text, &tokens[j].text, j == i + 1) {
                    tokens[i] = Token {
                        text: word,
                        line_end: tokens[j].line_end,
                    };
                    tokens.remove(j);
                    break;
                }
            }
            // A word may be broken twice (`coun-` `ter-` `revolution`): look again.
            if strip_line_end_hyphen(&tokens[i].text).is_some()
                && tokens[i].line_end
                && i + 1 < tokens.len()
                && joined(&tokens[i].text, &tokens[i + 1].text, true).is_some()
            {
                continue;
            }
        }
        i += 1;
    }
    tokens
        .into_iter()
        .map(|t| match without_note_mark(&t.text) {
            Some(base) => base.to_owned(),
            None => t.text,
        })
        .collect()
}

/// The positions of `needle`'s words in `stream`, in order, from `from` on: the first word
/// anywhere, each next one within `gap` extra tokens of the previous.
fn find_in_order(
    stream: &[String],
    needle: &[String],
    from: usize,
    gap: usize,
) -> Option<Vec<usize>> {
    let (first, rest) = needle.split_first()?;
    'start: for start in (from..stream.len()).filter(|&p| stream[p] == *first) {
        let mut found = vec![start];
        for word in rest {
            let last = *found.last().expect("at least the first");
            let window = last + 1..(last + 2 + gap).min(stream.len());
            match stream[window.clone()].iter().position(|w| w == word) {
                Some(offset) => found.push(window.start + offset),
                None => continue 'start,
            }
        }
        return Some(found);
    }
    None
}

#[test]
fn text_contains_every_seed_word_in_order() {
    let Some(text) = bundled_text() else {
        return;
    };
    let seed = seed();
    let mut stream = pdf_words(text);

    // The note is set at the end of its division, between the seed's words: take it out (it is
    // checked by `note_text_and_mark_are_in_the_text`).
    if let Some(note) = find_in_order(&stream, &seed.note, 0, 2) {
        for &at in note.iter().rev() {
            stream.remove(at);
        }
    }

    // Start at every place where the body's first words stand together (a contents page may
    // name `PART I` too), and keep the alignment that gets furthest.
    let lead = 5;
    let starts: Vec<usize> = (0..stream.len())
        .filter(|&p| stream[p..].starts_with(&seed.body[..lead]))
        .collect();
    assert!(
        !starts.is_empty(),
        "the PDF's text never has the body's first words {:?} together; it begins: {}",
        &seed.body[..lead],
        stream
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (matched, pos) = crate::common::longest_in_order(&seed.body, &stream, &starts, MAX_GAP);
    eprintln!(
        "PDF text: {matched} of {} seed words in order",
        seed.body.len()
    );
    assert!(
        matched == seed.body.len(),
        "seed word #{matched} {:?} of {} is missing from the PDF's text (or comes more than \
         {MAX_GAP} words late)\n  seed:  … {} …\n  PDF, after its word #{pos}:  … {} …",
        seed.body[matched],
        seed.body.len(),
        crate::common::context(&seed.body, matched, 10),
        crate::common::context(&stream, pos, 10),
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Glyphs never lost: note, slogans, scene break
// ---------------------------------------------------------------------------------------------

#[test]
fn note_text_and_mark_are_in_the_text() {
    let Some(text) = bundled_text() else {
        return;
    };
    let seed = seed();
    let stream = pdf_words(text);
    let note = find_in_order(&stream, &seed.note, 0, 2);
    assert!(
        note.is_some(),
        "the PDF's text does not hold the note {:?}",
        seed.note.join(" ")
    );
    // The note mark follows its words: a digit glued on (`cent.1`) or a word of its own.
    let raw: Vec<String> = words(text);
    let before = &seed.before_note_mark;
    let last = before.last().expect("words before the mark");
    let marked = raw.windows(2).any(|w| {
        let glued = w[0].strip_prefix(last.as_str()).is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || "¹²³⁴⁵⁶⁷⁸⁹⁰".contains(c))
        });
        glued
            || (w[0] == *last
                && w[1]
                    .chars()
                    .all(|c| c.is_ascii_digit() || "¹²³⁴⁵⁶⁷⁸⁹⁰".contains(c)))
    });
    assert!(
        marked,
        "no note mark (a number) follows {:?} in the PDF's text",
        before.join(" ")
    );
}

#[test]
fn four_slogans_are_in_the_text_in_order() {
    let Some(text) = bundled_text() else {
        return;
    };
    let stream = pdf_words(text);
    let mut from = 0;
    for slogan in &seed().slogans {
        let needle = words(slogan);
        // The slogans' words stand together (a page turn may still come between them).
        match find_in_order(&stream, &needle, from, 3) {
            Some(found) => from = *found.last().expect("found") + 1,
            None => panic!(
                "the slogan {slogan:?} is not in the PDF's text after the previous one; the text \
                 after it: {}",
                stream[from.min(stream.len())..]
                    .iter()
                    .take(40)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Word boxes: justified lines, the margin, hyphens
// ---------------------------------------------------------------------------------------------

/// A line of `pdftotext -bbox-layout`.
#[derive(Debug, Clone)]
struct Line {
    /// 0-based page index.
    page: usize,
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    /// Median height of its words' boxes (a stand-in for the font size).
    word_height: f64,
    words: Vec<String>,
}

impl Line {
    fn text(&self) -> String {
        self.words.join(" ")
    }

    fn last_word(&self) -> &str {
        self.words.last().map(String::as_str).unwrap_or_default()
    }

    fn first_word(&self) -> &str {
        self.words.first().map(String::as_str).unwrap_or_default()
    }

    fn ends_with_hyphen(&self) -> bool {
        let last = self.last_word();
        strip_line_end_hyphen(last).is_some()
    }
}

/// A page of `pdftotext -bbox-layout`.
#[derive(Debug)]
struct BoxPage {
    width: f64,
    height: f64,
    lines: Vec<Line>,
}

fn number(node: roxmltree::Node, name: &str) -> f64 {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
        .parse()
        .unwrap_or_else(|e| panic!("<{}> {name}: {e}", node.tag_name().name()))
}

fn parse_bbox(xhtml: &str) -> Vec<BoxPage> {
    let doc = crate::common::parse("pdftotext -bbox-layout output", xhtml);
    let mut pages = Vec::new();
    for (p, page) in doc
        .descendants()
        .filter(|n| n.has_tag_name("page"))
        .enumerate()
    {
        let mut lines = Vec::new();
        for block in page.descendants().filter(|n| n.has_tag_name("block")) {
            for line in block.children().filter(|n| n.has_tag_name("line")) {
                let word_nodes: Vec<_> =
                    line.children().filter(|n| n.has_tag_name("word")).collect();
                let words: Vec<String> = word_nodes
                    .iter()
                    .map(|w| w.text().unwrap_or_default().trim().to_owned())
                    .collect();
                if words.iter().all(String::is_empty) {
                    continue;
                }
                let mut heights: Vec<f64> = word_nodes
                    .iter()
                    .map(|w| number(*w, "yMax") - number(*w, "yMin"))
                    .collect();
                heights.sort_by(f64::total_cmp);
                lines.push(Line {
                    page: p,
                    x_min: number(line, "xMin"),
                    y_min: number(line, "yMin"),
                    x_max: number(line, "xMax"),
                    y_max: number(line, "yMax"),
                    word_height: heights[heights.len() / 2],
                    words,
                });
            }
        }
        pages.push(BoxPage {
            width: number(page, "width"),
            height: number(page, "height"),
            lines,
        });
    }
    pages
}

/// `pdftotext -bbox-layout` of the bundled PDF, parsed, once per process.
fn bundled_boxes() -> Option<&'static [BoxPage]> {
    static BOXES: OnceLock<Option<Vec<BoxPage>>> = OnceLock::new();
    BOXES
        .get_or_init(|| {
            let pdftotext = tool("pdftotext", "poppler-utils")?;
            let output = run(Command::new(&pdftotext)
                .args(["-bbox-layout", "-enc", "UTF-8"])
                .arg(&bundled_pdf().pdf)
                .arg("-"));
            assert!(
                output.status.success(),
                "pdftotext -bbox-layout\n{}",
                describe(&output)
            );
            Some(parse_bbox(&stdout(&output)))
        })
        .as_deref()
}

/// A running head or folio (see [`crate::common::is_furniture_band`]).
fn is_furniture(line: &Line) -> bool {
    crate::common::is_furniture_band(line.y_min, line.y_max)
}

/// Rounds to 0.1 pt, as an integer key.
fn tenths(x: f64) -> i64 {
    (x * 10.0).round() as i64
}

/// The most common value (to 0.1 pt) and how often it occurs; ties go to the larger value.
fn mode(values: impl IntoIterator<Item = f64>) -> Option<(f64, usize)> {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(tenths(v)).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(k, n)| (n, k))
        .map(|(k, n)| (k as f64 / 10.0, n))
}

/// List markers a list item's first line may start with.
fn is_list_marker(word: &str) -> bool {
    let numbered = (word.ends_with('.') || word.ends_with(')'))
        && word.len() > 1
        && word[..word.len() - 1].chars().all(|c| c.is_ascii_digit());
    numbered || matches!(word, "•" | "◦" | "‣" | "▪" | "·")
}

/// A line's role in the text block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Running text (paragraphs, notes, list items).
    Body,
    /// Centred: a heading, a title, an ornament.
    Centred,
}

/// The text block's lines, classified, and the margins found.
struct TextBlock {
    /// The text block's top and bottom (points from the page's top).
    top: f64,
    bottom: f64,
    /// Per page: left and right margin (the mode of its lines' xMin and xMax).
    margins: Vec<Option<(f64, f64)>>,
    /// Lines inside the text block, in reading order, with their role.
    lines: Vec<(Line, Role)>,
    /// Lines above or below it (running heads, folios).
    furniture: Vec<Line>,
}

/// How the lines of the book are sorted out:
///
/// - **Text block.** A *full* line has at least six words and spans at least 90 % of the widest
///   line (the measure), which no running head does; on each page the topmost full line's
///   yMin is taken, and the highest of these that two pages share is the text block's top
///   (pages that open a part start lower); the bottom is the lowest yMax of any full
///   line. Lines entirely above the top or below the bottom are running heads and folios.
/// - **Margins.** On each page, the left margin is the most common xMin (to 0.1 pt) of its
///   text-block lines and the right margin the most common xMax: most lines of a justified page
///   start and end there. A page with fewer than three lines sharing the mode takes the margins
///   of the other pages of its parity (mirrored margins).
/// - **Centred lines** (headings, ornaments) start right of the left margin and leave as much
///   room on the right as on the left (within 1 pt).
fn text_block(pages: &[BoxPage]) -> TextBlock {
    let measure = pages
        .iter()
        .flat_map(|p| &p.lines)
        .map(|l| l.x_max - l.x_min)
        .max_by(f64::total_cmp)
        .expect("the PDF has text");
    let full = |l: &Line| l.words.len() >= 6 && l.x_max - l.x_min >= 0.9 * measure;
    let tops: Vec<f64> = pages
        .iter()
        .filter_map(|p| {
            p.lines
                .iter()
                .filter(|l| full(l))
                .map(|l| l.y_min)
                .min_by(f64::total_cmp)
        })
        .collect();
    // Pages that open a part start lower: take the highest first-line position that at least
    // two pages share (a page's own oddity cannot set it), else the highest.
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for t in &tops {
        *counts.entry(tenths(*t)).or_default() += 1;
    }
    let top = counts
        .iter()
        .find(|&(_, &n)| n >= 2)
        .or_else(|| counts.iter().next())
        .map(|(&k, _)| k as f64 / 10.0)
        .expect("some page has a full line of text");
    let bottom = pages
        .iter()
        .flat_map(|p| p.lines.iter().filter(|l| full(l)).map(|l| l.y_max))
        .max_by(f64::total_cmp)
        .expect("some page has a full line of text");

    let mut lines = Vec::new();
    let mut furniture = Vec::new();
    let mut margins: Vec<Option<(f64, f64)>> = Vec::new();
    let mut by_page: Vec<Vec<Line>> = Vec::new();
    for page in pages {
        let mut inside = Vec::new();
        for line in &page.lines {
            if line.y_max < top - 0.5 || line.y_min > bottom + 0.5 {
                furniture.push(line.clone());
            } else {
                inside.push(line.clone());
            }
        }
        let left = mode(inside.iter().map(|l| l.x_min));
        let right = mode(inside.iter().map(|l| l.x_max));
        margins.push(match (left, right) {
            (Some((l, nl)), Some((r, nr))) if nl >= 3 && nr >= 3 => Some((l, r)),
            _ => None,
        });
        by_page.push(inside);
    }
    // Pages without margins of their own take those of their parity.
    for parity in 0..2 {
        let known: Vec<(f64, f64)> = margins
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .filter_map(|(_, m)| *m)
            .collect();
        let left = mode(known.iter().map(|m| m.0));
        let right = mode(known.iter().map(|m| m.1));
        if let (Some((l, _)), Some((r, _))) = (left, right) {
            for (i, m) in margins.iter_mut().enumerate() {
                if i % 2 == parity && m.is_none() {
                    *m = Some((l, r));
                }
            }
        }
    }
    for (page, inside) in by_page.into_iter().enumerate() {
        let Some((left, right)) = margins[page] else {
            // No margins anywhere for this parity: nothing to measure against.
            lines.extend(inside.into_iter().map(|l| (l, Role::Centred)));
            continue;
        };
        for line in inside {
            let room_left = line.x_min - left;
            let room_right = right - line.x_max;
            let role = if room_left > 2.0 && (room_left - room_right).abs() <= 1.0 {
                Role::Centred
            } else {
                Role::Body
            };
            lines.push((line, role));
        }
    }
    TextBlock {
        top,
        bottom,
        margins,
        lines,
        furniture,
    }
}

/// Whether body line `i` of `block.lines` ends its paragraph (or list item, or heading's text):
///
/// - it is the last line of the book, or
/// - the next line is centred (a heading or an ornament follows), or starts right of the left
///   margin (a first-line indent: a new paragraph), or starts with a list marker, or
/// - it starts a list item (with its marker) and the next line does not start right of the
///   marker (as the item's own next line would): the list item ends, or
/// - the next line is set in another size (word boxes differ by more than 1 pt: notes, headings),
///   or
/// - on the same page, the next line is further down than 1.6 line pitches (space before a
///   heading, a list, a block).
///
/// A paragraph that ends exactly at a page's foot followed by a paragraph that starts without an
/// indent (after a heading there would be a heading line between) is the one case this misses.
/// Lines of an indented block (a quotation, a list item's second line) count as paragraph ends,
/// so they are not measured; the bundled book has none.
fn ends_paragraph(block: &TextBlock, i: usize, pitch: f64) -> bool {
    let (line, _) = &block.lines[i];
    let Some((next, next_role)) = block.lines.get(i + 1) else {
        return true;
    };
    if *next_role == Role::Centred {
        return true;
    }
    let Some((left, _)) = block.margins[next.page] else {
        return true;
    };
    next.x_min > left + 2.0
        || is_list_marker(next.first_word())
        || (is_list_marker(line.first_word()) && next.x_min <= line.x_min + 0.5)
        || (next.word_height - line.word_height).abs() > 1.0
        || (next.page == line.page && next.y_min - line.y_min > 1.6 * pitch)
}

/// The most common distance between consecutive lines of a page: the leading.
fn line_pitch(block: &TextBlock) -> f64 {
    let gaps = block.lines.windows(2).filter_map(|w| {
        let (a, b) = (&w[0].0, &w[1].0);
        (a.page == b.page && b.y_min > a.y_min).then_some(b.y_min - a.y_min)
    });
    mode(gaps).map_or(14.0, |(p, _)| p)
}

/// What the word boxes show, for the test's report.
struct Measures {
    pages: usize,
    text_lines: usize,
    furniture_lines: usize,
    body_lines: usize,
    /// Body lines that do not end a paragraph.
    inner_lines: usize,
    /// … and of those, how many end within 0.5 pt of the right margin.
    justified: usize,
    short: Vec<String>,
    overfull: Vec<String>,
    hyphenated: usize,
    longest_hyphen_run: usize,
    hyphen_runs: Vec<String>,
}

fn measure(pages: &[BoxPage]) -> (TextBlock, Measures) {
    let block = text_block(pages);
    let pitch = line_pitch(&block);
    let mut m = Measures {
        pages: pages.len(),
        text_lines: block.lines.len(),
        furniture_lines: block.furniture.len(),
        body_lines: 0,
        inner_lines: 0,
        justified: 0,
        short: Vec::new(),
        overfull: Vec::new(),
        hyphenated: 0,
        longest_hyphen_run: 0,
        hyphen_runs: Vec::new(),
    };
    let mut run: Vec<String> = Vec::new();
    for (i, (line, role)) in block.lines.iter().enumerate() {
        let Some((_, right)) = block.margins[line.page] else {
            continue;
        };
        let shown = || {
            format!(
                "page {} ({:.1}..{:.1}, margin {right:.1}): {:?}",
                line.page + 1,
                line.x_min,
                line.x_max,
                line.text()
            )
        };
        if line.x_max > right + 0.5 {
            m.overfull.push(shown());
        }
        if *role != Role::Body {
            run.clear();
            continue;
        }
        m.body_lines += 1;
        if !ends_paragraph(&block, i, pitch) {
            m.inner_lines += 1;
            if (line.x_max - right).abs() <= 0.5 {
                m.justified += 1;
            } else {
                m.short.push(shown());
            }
        }
        if line.ends_with_hyphen() {
            m.hyphenated += 1;
            run.push(shown());
            m.longest_hyphen_run = m.longest_hyphen_run.max(run.len());
            if run.len() == 3 {
                m.hyphen_runs.push(run.join("\n    "));
            }
        } else {
            run.clear();
        }
    }
    (block, m)
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Prints the figures the closing note quotes (`--nocapture` shows them).
fn report(block: &TextBlock, m: &Measures) {
    eprintln!(
        "word boxes: {} pages; text block {:.1}..{:.1} pt from the top; {} text-block lines, {} \
         running-head/folio lines",
        m.pages, block.top, block.bottom, m.text_lines, m.furniture_lines
    );
    eprintln!(
        "  body lines {}; not ending a paragraph {}; of those within 0.5 pt of the right margin: \
         {} ({:.2} %)",
        m.body_lines,
        m.inner_lines,
        m.justified,
        percent(m.justified, m.inner_lines)
    );
    eprintln!(
        "  lines past the right margin (+0.5 pt): {}; lines ending in a hyphen: {} ({:.2} % of \
         body lines); longest run of hyphenated lines: {}",
        m.overfull.len(),
        m.hyphenated,
        percent(m.hyphenated, m.body_lines),
        m.longest_hyphen_run
    );
    for line in m.short.iter().take(5) {
        eprintln!("  short: {line}");
    }
}

fn bundled_measures() -> Option<&'static (TextBlock, Measures)> {
    static MEASURES: OnceLock<Option<(TextBlock, Measures)>> = OnceLock::new();
    MEASURES
        .get_or_init(|| {
            let pages = bundled_boxes()?;
            let (block, m) = measure(pages);
            report(&block, &m);
            Some((block, m))
        })
        .as_ref()
}

#[test]
fn word_boxes_show_the_pages_and_a_text_block() {
    let Some(pages) = bundled_boxes() else {
        return;
    };
    let wrong: Vec<String> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| (p.width - 432.0).abs() > 0.01 || (p.height - 648.0).abs() > 0.01)
        .map(|(i, p)| format!("page {}: {} x {}", i + 1, p.width, p.height))
        .collect();
    assert!(wrong.is_empty(), "pages not 432 x 648 pt: {wrong:?}");
    let (block, m) = bundled_measures().expect("measured");
    assert!(
        m.inner_lines > 300,
        "only {} body lines that do not end a paragraph were found: the text block ({:.1}..{:.1}) \
         or the margins were not recognised",
        m.inner_lines,
        block.top,
        block.bottom
    );
    // Running heads and folios are there (page numbers on every page), outside the text block.
    let folios = block
        .furniture
        .iter()
        .filter(|l| {
            l.words
                .iter()
                .any(|w| w.chars().all(|c| c.is_ascii_digit()))
        })
        .map(|l| l.page)
        .collect::<BTreeSet<_>>();
    eprintln!(
        "  pages with a numeric folio outside the text block: {} of {}",
        folios.len(),
        pages.len()
    );
}

#[test]
fn lines_that_do_not_end_a_paragraph_reach_the_right_margin() {
    let Some((_, m)) = bundled_measures() else {
        return;
    };
    let share = percent(m.justified, m.inner_lines);
    assert!(
        share >= 98.0,
        "{:.2} % of the {} body lines that do not end a paragraph end within 0.5 pt of the right \
         margin, fewer than 98 %; short lines ({}), first 20:\n  {}",
        share,
        m.inner_lines,
        m.short.len(),
        m.short
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn no_line_runs_past_the_right_margin() {
    let Some((_, m)) = bundled_measures() else {
        return;
    };
    assert!(
        m.overfull.is_empty(),
        "{} line(s) end more than 0.5 pt past their page's right margin, first 20:\n  {}",
        m.overfull.len(),
        m.overfull
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn never_more_than_two_consecutive_hyphenated_lines() {
    let Some((_, m)) = bundled_measures() else {
        return;
    };
    assert!(
        m.longest_hyphen_run <= 2,
        "{} consecutive lines end in a hyphen; runs of three or more:\n  {}",
        m.longest_hyphen_run,
        m.hyphen_runs.join("\n  ")
    );
}

#[test]
fn scene_break_ornament_stands_between_its_paragraphs() {
    let Some(_) = bundled_boxes() else {
        return;
    };
    let (block, _) = bundled_measures().expect("measured");
    let seed = seed();
    let last_before = seed.before_break.last().expect("words before the break");
    let first_after = &seed.after_break[..3];
    // The line that ends the paragraph before the break, and the one that starts the next.
    let before = block
        .lines
        .iter()
        .position(|(l, _)| {
            l.last_word() == last_before
                && l.words.len() >= 2
                && l.words[l.words.len() - 2] == seed.before_break[seed.before_break.len() - 2]
        })
        .unwrap_or_else(|| {
            panic!(
                "no text-block line ends with {:?}",
                seed.before_break[seed.before_break.len() - 2..].join(" ")
            )
        });
    let after = block.lines[before + 1..]
        .iter()
        .position(|(l, _)| l.words.starts_with(first_after))
        .map(|p| before + 1 + p)
        .unwrap_or_else(|| {
            panic!(
                "no text-block line after the break starts with {:?}",
                first_after.join(" ")
            )
        });
    let between: Vec<&(Line, Role)> = block.lines[before + 1..after].iter().collect();
    let shown: Vec<String> = between
        .iter()
        .map(|(l, r)| format!("{r:?} {:?} at {:.1}..{:.1}", l.text(), l.x_min, l.x_max))
        .collect();
    eprintln!("scene break: {shown:?}");
    assert!(
        !between.is_empty(),
        "nothing is printed between {:?} and {:?}: the scene-break ornament is missing from the \
         text (page {} → page {})",
        seed.before_break.join(" "),
        seed.after_break.join(" "),
        block.lines[before].0.page + 1,
        block.lines[after].0.page + 1
    );
    assert!(
        between.iter().all(|(_, role)| *role == Role::Centred),
        "the scene-break ornament should be centred in the text block: {shown:?}"
    );
    // The text after the break starts without a first-line indent.
    let (next, _) = &block.lines[after];
    let (left, _) = block.margins[next.page].expect("margins");
    assert!(
        (next.x_min - left).abs() <= 0.5,
        "the paragraph after the scene break should not be indented: starts at {:.1}, margin \
         {left:.1}",
        next.x_min
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Same input, same bytes; atomic writes
// ---------------------------------------------------------------------------------------------

/// The first byte offset at which two files differ, with a little context.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let show = |bytes: &[u8]| {
        String::from_utf8_lossy(&bytes[at.saturating_sub(40)..(at + 40).min(bytes.len())])
            .into_owned()
    };
    format!(
        "sizes {} and {}; first difference at byte {at}: {:?} vs {:?}",
        a.len(),
        b.len(),
        show(a),
        show(b)
    )
}

fn build_bundled_pdf(out: &Path, formats: &str, epoch: Option<&str>) -> Vec<u8> {
    let built = build_pdf_into(repo_root(), out, formats, epoch).unwrap_or_else(|e| panic!("{e}"));
    read_pdf(&built)
}

#[test]
fn two_pdf_builds_with_the_same_epoch_are_byte_identical() {
    let dir = scratch("pdf-same-epoch-");
    let first = build_bundled_pdf(&dir.path().join("a"), "pdf", Some("1700000000"));
    let second = build_bundled_pdf(&dir.path().join("b"), "pdf", Some("1700000000"));
    assert!(
        first == second,
        "two PDF builds with SOURCE_DATE_EPOCH=1700000000 differ: {}",
        first_difference(&first, &second)
    );
    let other = build_bundled_pdf(&dir.path().join("c"), "pdf", Some("946684800"));
    assert!(
        other != first,
        "SOURCE_DATE_EPOCH should set the PDF's dates, but builds with two epochs are identical"
    );
}

#[test]
fn pdf_builds_do_not_depend_on_the_clock() {
    let dir = scratch("pdf-no-clock-");
    let first = build_bundled_pdf(&dir.path().join("a"), "pdf", None);
    // PDF dates have a resolution of one second.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = build_bundled_pdf(&dir.path().join("b"), "pdf", None);
    assert!(
        first == second,
        "two PDF builds 1 s apart differ (the clock leaks in): {}",
        first_difference(&first, &second)
    );
}

#[test]
fn epub_and_pdf_are_written_together_and_the_pdf_is_the_same() {
    let dir = scratch("pdf-both-");
    let out = dir.path().join("out");
    let both = build_bundled_pdf(&out, "epub,pdf", Some("1700000000"));
    assert!(
        out.join("alarm-signal.epub").is_file() && out.join("alarm-signal.pdf").is_file(),
        "`--format epub,pdf` should write alarm-signal.epub and alarm-signal.pdf, wrote {:?}",
        snapshot(&out)
            .into_iter()
            .map(|(p, _)| p)
            .collect::<Vec<_>>()
    );
    let alone = build_bundled_pdf(&dir.path().join("alone"), "pdf", Some("1700000000"));
    assert!(
        both == alone,
        "the PDF depends on which other formats are built: {}",
        first_difference(&both, &alone)
    );
}

#[test]
fn a_failed_build_leaves_the_previous_pdf_untouched() {
    let root = scratch("pdf-atomic-");
    let book = root.path().join("book");
    let init = run(quire().arg("init").arg(&book));
    assert!(
        init.status.success(),
        "quire init failed\n{}",
        describe(&init)
    );
    let out = root.path().join("out");
    let good = build_pdf_into(&book, &out, "epub,pdf", None).unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(&out);

    let manuscript = book.join("manuscript/book.md");
    let mut text = fs::read_to_string(&manuscript).expect("read manuscript/book.md");
    text.push_str("\n\nThis sentence cites a note that does not exist.[^nope]\n");
    fs::write(&manuscript, text).expect("write manuscript/book.md");

    for formats in ["pdf", "epub,pdf"] {
        let failed = run(quire()
            .arg("build")
            .arg(&book)
            .arg("--out")
            .arg(&out)
            .arg("--format")
            .arg(formats));
        assert_eq!(
            failed.status.code(),
            Some(1),
            "a build (--format {formats}) with an undefined note must exit 1\n{}",
            describe(&failed)
        );
        assert!(
            snapshot(&out) == before,
            "the failed build (--format {formats}) changed {} (previous PDF: {})",
            out.display(),
            good.pdf.display()
        );
    }

    let fresh = root.path().join("fresh");
    let failed = run(quire()
        .arg("build")
        .arg(&book)
        .arg("--out")
        .arg(&fresh)
        .arg("--format")
        .arg("pdf"));
    assert_eq!(failed.status.code(), Some(1), "{}", describe(&failed));
    assert!(
        files_in(&fresh, "pdf").is_empty(),
        "a build with errors must write no PDF, found {:?}",
        files_in(&fresh, "pdf")
    );
}

// ---------------------------------------------------------------------------------------------
// 5. The `quire init` skeleton
// ---------------------------------------------------------------------------------------------

#[test]
fn init_skeleton_builds_a_sound_pdf() {
    let book = &skeleton().book;
    let out = book
        .parent()
        .expect("the skeleton's parent")
        .join("out-pdf");
    let built = build_pdf_into(book, &out, "pdf", None).unwrap_or_else(|e| panic!("{e}"));
    let diagnostics = diagnostic_lines(&built.output.stderr);
    assert!(
        diagnostics.is_empty(),
        "the skeleton's PDF build printed diagnostics: {diagnostics:?}\n{}",
        describe(&built.output)
    );
    check_with_qpdf("the quire init skeleton", &built.pdf);
    if let Some(pdffonts_tool) = tool("pdffonts", "poppler-utils") {
        let text = stdout(&run_tool(&pdffonts_tool, &[], &built.pdf));
        let rows = pdffonts(&text);
        assert!(
            !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| r.emb == "yes" && r.sub == "yes" && r.uni == "yes"),
            "the skeleton's fonts must be embedded, subset, with ToUnicode:\n{text}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The helpers above, on made-up input
// ---------------------------------------------------------------------------------------------

#[test]
fn pdf_words_join_broken_words_the_way_the_seed_spells_them() {
    // `self-sacrificing` keeps its hyphen (the seed has it); `catas-trophe` loses it; a word
    // broken over a page turn is joined over the folio and running head; `cent.1` loses its
    // note mark.
    let text = "looms over the self-\nsacrificing struggle catas-\ntrophe looms\nover the \
                Commu-\n\u{c}17\nAlarm Signal!\nnist Party ten per cent.1\n";
    let got = pdf_words(text);
    let expected: Vec<String> = [
        "looms",
        "over",
        "the",
        "self-sacrificing",
        "struggle",
        "catastrophe",
        "looms",
        "over",
        "the",
        "Communist",
        "17",
        "Alarm",
        "Signal!",
        "Party",
        "ten",
        "per",
        "cent.",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(got, expected);
}

#[test]
fn pdffonts_table_is_read_by_its_columns() {
    let text = "name                                 type              encoding         emb sub uni object ID\n\
                ------------------------------------ ----------------- ---------------- --- --- --- ---------\n\
                ABCDEF+GentiumBookPlus-Regular       CID TrueType      Identity-H       yes yes yes      5  0\n\
                Helvetica                            Type 1            Custom           no  no  no       9  0\n";
    let rows = pdffonts(text);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].name, "ABCDEF+GentiumBookPlus-Regular");
    assert_eq!(rows[0].kind, "CID TrueType");
    assert_eq!(
        (
            rows[0].emb.as_str(),
            rows[0].sub.as_str(),
            rows[0].uni.as_str()
        ),
        ("yes", "yes", "yes")
    );
    assert!(has_subset_tag(&rows[0].name));
    assert_eq!(rows[1].emb, "no");
    assert!(!has_subset_tag(&rows[1].name));
}
