//! One build, two editions, linked: the EPUB carries the PDF's page numbers.
//!
//! What is checked, reading both files from outside:
//! - every entry of the EPUB's `page-list` links to an invisible marker (`epub:type="pagebreak"`,
//!   `role="doc-pagebreak"`, `aria-label` = the entry's label), every marker is listed, and the
//!   words right after a marker (markup skipped, up to the next marker) are the first words of
//!   the PDF page of that label, after its running head and folio (the label found through the
//!   PDF's `/PageLabels`, read with `qpdf --json`; the page's text with `pdftotext`);
//! - the entries are in page order, and every PDF page of the body (from the first part on)
//!   that has text has one;
//! - the package says `printPageNumbers` and names the print edition in `pageBreakSource`;
//! - EPUBCheck and Ace report nothing (for the bundled book: `validators.rs`).
//!
//! [`made_up_print_pages_give_markers_a_page_list_and_a_valid_epub`] checks the EPUB's side
//! alone: print pages made up from the model (headings, the second half of a long word, the
//! scene break, the note, one that names no node) written through the library, read back and
//! judged by EPUBCheck and Ace.

use std::collections::{BTreeMap, BTreeSet};
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use quire::model::{BlockKind, Book, Inline, InlineKind, PrintPage, TextPosition};

use crate::common::{
    Epub, OPF_NS, XHTML_NS, bundled, describe, fragment, has_epub_type, parse, repo_root, resolve,
    run, scratch, words,
};
use crate::json;
use crate::validators::{check_with_ace, check_with_epubcheck};

// ---------------------------------------------------------------------------------------------
// The EPUB's side: page-list entries and the words after their markers
// ---------------------------------------------------------------------------------------------

/// A page-list entry, followed to its marker.
#[derive(Debug)]
struct Mark {
    label: String,
    /// The archive path of the document the marker is in, and its id.
    doc: String,
    id: String,
    /// The first words after the marker in its document, up to the next marker (at most
    /// [`AFTER`]): the words of that page.
    after: Vec<String>,
}

/// How many words after a marker are compared with the PDF page.
const AFTER: usize = 5;

/// Elements read as part of a line; every other element separates words.
const INLINE: [&str; 13] = [
    "a", "abbr", "b", "cite", "code", "em", "i", "s", "small", "span", "strong", "sub", "sup",
];

/// A content document's text in reading order (markup skipped, note marks left out, a space
/// at every block boundary) and where each page-break marker stands in it.
struct DocText {
    text: String,
    /// id → (byte offset in `text`, `aria-label`, `role`).
    markers: BTreeMap<String, (usize, String, String)>,
    /// Every marker's offset, in order.
    stops: Vec<usize>,
}

fn doc_text(name: &str, xhtml: &str) -> DocText {
    fn walk(node: roxmltree::Node, out: &mut DocText) {
        if node.is_text() {
            out.text.push_str(node.text().unwrap_or_default());
            return;
        }
        if !node.is_element() || has_epub_type(node, "noteref") {
            return;
        }
        if has_epub_type(node, "pagebreak") {
            let attribute = |name| node.attribute(name).unwrap_or_default().to_owned();
            out.markers.insert(
                attribute("id"),
                (out.text.len(), attribute("aria-label"), attribute("role")),
            );
            out.stops.push(out.text.len());
        }
        let separates = !INLINE.contains(&node.tag_name().name());
        if separates {
            out.text.push(' ');
        }
        for child in node.children() {
            walk(child, out);
        }
        if separates {
            out.text.push(' ');
        }
    }
    let doc = parse(name, xhtml);
    let mut out = DocText {
        text: String::new(),
        markers: BTreeMap::new(),
        stops: Vec::new(),
    };
    walk(crate::common::body(&doc), &mut out);
    out
}

/// The `page-list` nav's entries (label, href as written), asserting its markup.
fn page_list(epub: &Epub) -> Vec<(String, String)> {
    let nav_path = epub.nav_path();
    let doc = parse(&nav_path, epub.text(&nav_path));
    let lists: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "nav")) && has_epub_type(*n, "page-list"))
        .collect();
    assert!(
        lists.len() == 1,
        "the nav should have one page-list, it has {}",
        lists.len()
    );
    let nav = lists[0];
    assert_eq!(
        nav.attribute("role"),
        Some("doc-pagelist"),
        "the page-list's role"
    );
    assert!(
        nav.attribute("hidden").is_some(),
        "the page-list is hidden (the nav is read as the contents page)"
    );
    nav.descendants()
        .filter(|n| n.has_tag_name((XHTML_NS, "a")))
        .map(|a| {
            let label: String = a
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            let href = a.attribute("href").expect("a page-list link has an href");
            (label.trim().to_owned(), href.to_owned())
        })
        .collect()
}

/// The page-list entries followed to their markers, asserting that every entry has its marker
/// (with the right role and label) and every marker its entry.
fn marks(epub: &Epub) -> Vec<Mark> {
    let nav_path = epub.nav_path();
    let mut texts: BTreeMap<String, DocText> = epub
        .xhtml_paths()
        .into_iter()
        .filter(|path| *path != nav_path)
        .map(|path| {
            let text = doc_text(&path, epub.text(&path));
            (path, text)
        })
        .collect();
    let mut marks = Vec::new();
    for (label, href) in page_list(epub) {
        let doc = resolve(&nav_path, &href);
        let id = fragment(&href)
            .unwrap_or_else(|| panic!("page-list entry {label} links to {href}, not a marker"))
            .to_owned();
        let text = texts
            .get_mut(&doc)
            .unwrap_or_else(|| panic!("page-list entry {label} links into {doc}, no document"));
        let (at, aria_label, role) = text
            .markers
            .remove(&id)
            .unwrap_or_else(|| panic!("page-list entry {label}: no pagebreak #{id} in {doc}"));
        assert_eq!(role, "doc-pagebreak", "the role of marker #{id} in {doc}");
        assert_eq!(aria_label, label, "the aria-label of marker #{id} in {doc}");
        let end = text.stops.iter().find(|&&stop| stop > at);
        let page_text = &text.text[at..end.copied().unwrap_or(text.text.len())];
        let after = words(page_text).into_iter().take(AFTER).collect();
        marks.push(Mark {
            label,
            doc,
            id,
            after,
        });
    }
    let unlisted: Vec<String> = texts
        .iter()
        .flat_map(|(doc, t)| t.markers.keys().map(move |id| format!("{doc}#{id}")))
        .collect();
    assert!(
        unlisted.is_empty(),
        "page-break markers missing from the page-list: {unlisted:?}"
    );
    marks
}

/// The package's `printPageNumbers` and `pageBreakSource`.
fn check_package(epub: &Epub) {
    let opf_path = epub.opf_path();
    let doc = parse(&opf_path, epub.opf());
    let metas: Vec<(String, String)> = doc
        .descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "meta")) && n.attribute("refines").is_none())
        .filter_map(|n| {
            let property = n.attribute("property")?;
            Some((property.to_owned(), n.text().unwrap_or_default().to_owned()))
        })
        .collect();
    assert!(
        metas
            .iter()
            .any(|(p, v)| p == "schema:accessibilityFeature" && v == "printPageNumbers"),
        "the package should list printPageNumbers among its accessibility features"
    );
    let sources: Vec<&String> = metas
        .iter()
        .filter(|(p, _)| p == "pageBreakSource")
        .map(|(_, v)| v)
        .collect();
    assert!(
        sources.len() == 1 && !sources[0].trim().is_empty(),
        "the package should name the print edition in one pageBreakSource, found {sources:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// The PDF's side: page labels and the words of a page
// ---------------------------------------------------------------------------------------------

/// Panics if the tools are required, else prints why the check is skipped.
fn missing(tool: &str) {
    let why = format!("{tool} is not on PATH (apt-get install qpdf poppler-utils)");
    if env::var("QUIRE_REQUIRE_VALIDATORS").is_ok_and(|v| v == "1") {
        panic!("{tool} is required (QUIRE_REQUIRE_VALIDATORS=1) but {why}");
    }
    eprintln!("note: skipping the page-list check: {why}");
}

fn which(name: &str) -> Option<PathBuf> {
    env::split_paths(&env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// A PDF as the checks read it.
struct Pdf {
    /// Each page's label, as a viewer shows it.
    labels: Vec<String>,
    /// The 0-based index of the body's first page: the one the outline's entry for the first
    /// part opens.
    body_start: usize,
    /// Each page's words (`pdftotext`, one page at a time).
    words: Vec<Vec<String>>,
}

/// Reads `pdf` with qpdf and pdftotext (`None`, after a note, when they are missing).
fn read_pdf(pdf: &Path) -> Option<Pdf> {
    let (Some(qpdf), Some(pdftotext)) = (which("qpdf"), which("pdftotext")) else {
        missing("qpdf or pdftotext");
        return None;
    };
    let output = run(Command::new(qpdf)
        .args([
            "--json",
            "--json-key=pages",
            "--json-key=pagelabels",
            "--json-key=outlines",
        ])
        .arg(pdf));
    assert!(
        output.status.success(),
        "qpdf --json\n{}",
        describe(&output)
    );
    let report = json::parse(&String::from_utf8_lossy(&output.stdout))
        .unwrap_or_else(|e| panic!("qpdf --json: {e}"));
    let count = report.get("pages").items().len();
    assert!(count > 0, "qpdf finds no pages in {}", pdf.display());
    let ranges: Vec<(usize, &json::Json)> = report
        .get("pagelabels")
        .items()
        .iter()
        .map(|r| {
            (
                r.get("index").as_f64().unwrap_or(0.0) as usize,
                r.get("label"),
            )
        })
        .collect();
    let labels = (0..count)
        .map(
            |page| match ranges.iter().rev().find(|(start, _)| *start <= page) {
                Some((start, range)) => page_label(range, page - start),
                None => (page + 1).to_string(),
            },
        )
        .collect();
    // The body opens with its first part; the outline's entries before it (title page,
    // contents) are the typesetter's furniture, not text of the book.
    let first_part = &crate::common::seed().parts[0];
    let body_start = report
        .get("outlines")
        .items()
        .iter()
        .find(|o| o.get("title").as_str() == Some(first_part.as_str()))
        .and_then(|o| o.get("destpageposfrom1").as_f64())
        .map_or(0, |p| p as usize - 1);
    let words = (1..=count)
        .map(|n| {
            let n = n.to_string();
            let output = run(Command::new(&pdftotext)
                .args(["-f", &n, "-l", &n, "-enc", "UTF-8"])
                .arg(pdf)
                .arg("-"));
            assert!(output.status.success(), "pdftotext\n{}", describe(&output));
            words(&String::from_utf8_lossy(&output.stdout))
        })
        .collect();
    Some(Pdf {
        labels,
        body_start,
        words,
    })
}

/// The label of the page `nth` (0-based) in a `/PageLabels` range (ISO 32000-1, 12.4.2).
fn page_label(range: &json::Json, nth: usize) -> String {
    let prefix = range.get("/P").as_str().unwrap_or_default().to_owned();
    let start = range.get("/St").as_f64().unwrap_or(1.0) as usize;
    let n = start + nth;
    let number = match range.get("/S").as_str() {
        Some("/D") => n.to_string(),
        Some("/r") => roman(n),
        Some("/R") => roman(n).to_uppercase(),
        Some("/a") => letters(n),
        Some("/A") => letters(n).to_uppercase(),
        _ => String::new(),
    };
    prefix + &number
}

fn roman(mut n: usize) -> String {
    const DIGITS: [(usize, &str); 13] = [
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

/// a, b, …, z, aa, bb, … (the PDF's letter numbering).
fn letters(n: usize) -> String {
    let n = n.max(1) - 1;
    let letter = char::from(b'a' + (n % 26) as u8);
    letter.to_string().repeat(n / 26 + 1)
}

/// A word as both texts can be compared: without hyphens (pdftotext joins a word broken at a
/// line end and drops its hyphen) and without a note mark glued to its end (`cent.1`).
fn comparable(word: &str) -> String {
    let word: String = word
        .chars()
        .filter(|c| !matches!(c, '-' | '\u{2010}' | '\u{ad}'))
        .collect();
    let bare = word.trim_end_matches(|c: char| c.is_ascii_digit() || "¹²³⁴⁵⁶⁷⁸⁹⁰".contains(c));
    if bare.is_empty() || !bare.chars().any(char::is_alphabetic) {
        word
    } else {
        bare.to_owned()
    }
}

/// How many words at the top of a page may come before its text (a running head).
const HEAD: usize = 12;

/// Whether `page` begins (after at most [`HEAD`] words of running head) with `after`.
fn begins_with(page: &[String], after: &[String]) -> bool {
    let after: Vec<String> = after.iter().map(|w| comparable(w)).collect();
    let page: Vec<String> = page.iter().map(|w| comparable(w)).collect();
    !after.is_empty()
        && (0..=HEAD.min(page.len())).any(|skip| {
            let n = after.len().min(page.len() - skip);
            n > 0 && page[skip..skip + n] == after[..n]
        })
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

/// The page-list of `epub` against the pages of `pdf`: each entry at its page's first words,
/// entries in page order, and (when `complete`) every body page with text listed.
fn check_linked(epub: &Epub, pdf: &Pdf, complete: bool) {
    let marks = marks(epub);
    assert!(!marks.is_empty(), "the page-list is empty");
    check_package(epub);
    let mut previous: Option<usize> = None;
    let mut wrong = Vec::new();
    let mut listed = BTreeSet::new();
    for mark in &marks {
        let page = pdf
            .labels
            .iter()
            .position(|l| *l == mark.label)
            .unwrap_or_else(|| {
                panic!(
                    "page-list entry {} names no page of the PDF (its labels: {:?})",
                    mark.label, pdf.labels
                )
            });
        assert!(
            previous.is_none_or(|p| p < page),
            "page-list entry {} (PDF page {}) comes after PDF page {}: not in page order",
            mark.label,
            page + 1,
            previous.map_or(0, |p| p + 1)
        );
        previous = Some(page);
        listed.insert(page);
        if !begins_with(&pdf.words[page], &mark.after) {
            wrong.push(format!(
                "page {} ({}#{}): the EPUB reads on with {:?}, the PDF page begins {:?}",
                mark.label,
                mark.doc,
                mark.id,
                mark.after,
                pdf.words[page].iter().take(AFTER + 4).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} page-break markers do not stand where their PDF page begins:\n{}",
        wrong.len(),
        marks.len(),
        wrong.join("\n")
    );
    if complete {
        let unlisted: Vec<&String> = (pdf.body_start..pdf.labels.len())
            .filter(|&p| !listed.contains(&p))
            .filter(|&p| pdf.words[p].iter().any(|w| *w != pdf.labels[p]))
            .map(|p| &pdf.labels[p])
            .collect();
        assert!(
            unlisted.is_empty(),
            "PDF pages of the body with text but no page-list entry: {unlisted:?}"
        );
    }
}

/// The bundled book's PDF, from the same build as `bundled()`'s EPUB.
fn bundled_pdf() -> Option<&'static Pdf> {
    static PDF: OnceLock<Option<Pdf>> = OnceLock::new();
    PDF.get_or_init(|| {
        let path = bundled().epub.with_extension("pdf");
        assert!(
            path.is_file(),
            "`quire build` (EPUB and PDF by default) wrote no {}",
            path.display()
        );
        read_pdf(&path)
    })
    .as_ref()
}

#[test]
fn bundled_epub_page_list_matches_the_pdf_pages() {
    let Some(pdf) = bundled_pdf() else {
        return;
    };
    check_linked(&bundled().read(), pdf, true);
}

#[test]
fn the_epub_is_the_same_whichever_formats_are_built() {
    let dir = scratch("epub-alone-");
    let built = crate::common::run(
        crate::common::quire()
            .arg("build")
            .arg(repo_root())
            .arg("--out")
            .arg(dir.path())
            .args(["--format", "epub"]),
    );
    assert!(built.status.success(), "{}", describe(&built));
    let alone = std::fs::read(dir.path().join("alarm-signal.epub")).expect("read the EPUB");
    let both = std::fs::read(&bundled().epub).expect("read the bundled EPUB");
    assert!(
        alone == both,
        "`--format epub` and `--format epub,pdf` write different EPUBs"
    );
}

// ---------------------------------------------------------------------------------------------
// The EPUB's side alone, with print pages made up from the model
// ---------------------------------------------------------------------------------------------

/// The first Text inline in `inlines` (depth first).
fn first_text(inlines: &[Inline]) -> Option<(&Inline, &str)> {
    inlines.iter().find_map(|inline| match &inline.kind {
        InlineKind::Text(t) if !t.trim().is_empty() => Some((inline, t.as_str())),
        InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Link { content: c, .. } => {
            first_text(c)
        }
        _ => None,
    })
}

fn refers_to_a_note(inlines: &[Inline]) -> bool {
    inlines.iter().any(|inline| match &inline.kind {
        InlineKind::NoteRef(_) => true,
        InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Link { content: c, .. } => {
            refers_to_a_note(c)
        }
        _ => false,
    })
}

/// A made-up page: where it begins, and the words the EPUB should read on with.
fn made_up(at: &Inline, text: &str, offset: usize) -> (TextPosition, Vec<String>) {
    let position = TextPosition {
        node: at.span,
        offset: offset as u32,
    };
    (
        position,
        words(&text[offset..]).into_iter().take(3).collect(),
    )
}

/// Plausible print pages, in reading order: each section's heading; inside the first long word
/// of each section's first paragraph (the second half of a hyphenated word); the scene break;
/// inside the note's first word, after the division that refers to it.
fn made_up_pages(book: &Book) -> Vec<(TextPosition, Vec<String>)> {
    let mut pages = Vec::new();
    let mut note_placed = false;
    for division in &book.divisions {
        let mut refers = false;
        for section in &division.sections {
            if let Some((inline, text)) = first_text(&section.heading.content) {
                pages.push(made_up(inline, text, 0));
            }
            for block in &section.blocks {
                match &block.kind {
                    BlockKind::Paragraph(inlines) => refers |= refers_to_a_note(inlines),
                    BlockKind::SceneBreak => pages.push((
                        TextPosition {
                            node: block.span,
                            offset: 0,
                        },
                        crate::common::seed().after_break[..3].to_vec(),
                    )),
                    _ => {}
                }
            }
            let paragraph = section.blocks.iter().find_map(|b| match &b.kind {
                BlockKind::Paragraph(inlines) => first_text(inlines),
                _ => None,
            });
            if let Some((inline, text)) = paragraph {
                // The middle of the first word of eight letters or more.
                let word_start = text
                    .split_whitespace()
                    .find(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 8)
                    .map(|w| w.as_ptr() as usize - text.as_ptr() as usize);
                if let Some(start) = word_start {
                    let mut middle = start + 4;
                    while !text.is_char_boundary(middle) {
                        middle += 1;
                    }
                    // Before the scene break when both are in this section: keep reading order.
                    let at = pages.len()
                        - usize::from(
                            section
                                .blocks
                                .iter()
                                .any(|b| matches!(b.kind, BlockKind::SceneBreak)),
                        );
                    pages.insert(at, made_up(inline, text, middle));
                }
            }
        }
        if refers
            && !note_placed
            && let Some(note) = book.notes.first()
            && let Some(BlockKind::Paragraph(inlines)) = note.blocks.first().map(|b| &b.kind)
            && let Some((inline, text)) = first_text(inlines)
        {
            let first_word = text.trim_start();
            let start = text.len() - first_word.len();
            let middle = (start + 2..=text.len())
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(start);
            pages.push(made_up(inline, text, middle));
            note_placed = true;
        }
    }
    pages
}

#[test]
fn made_up_print_pages_give_markers_a_page_list_and_a_valid_epub() {
    let loaded = quire::pipeline::load(&quire::pipeline::LoadRequest {
        path: repo_root().to_path_buf(),
        metadata: Vec::new(),
        source_date_epoch: None,
        defaults: None,
    });
    let book = loaded.book.as_ref().expect("the bundled book loads");
    let made_up = made_up_pages(book);
    assert!(made_up.len() >= 15, "{} pages made up", made_up.len());
    let mut pages: Vec<PrintPage> = made_up
        .iter()
        .enumerate()
        .map(|(i, (at, _))| PrintPage {
            label: (i + 1).to_string(),
            at: *at,
        })
        .collect();
    // A page the writer cannot place is left out, not an error.
    pages.push(PrintPage {
        label: "999".into(),
        at: TextPosition {
            node: quire::diag::Span::new(quire::diag::FileId(77), 1..2),
            offset: 0,
        },
    });
    let options = quire::epub::EpubOptions {
        generator: "quire test".into(),
        cover: loaded.cover.clone(),
        print: Some(quire::epub::PrintEdition {
            source: "Alarm Signal!, print edition (test)".into(),
            pages,
        }),
    };
    let bytes = quire::epub::write(book, &options).expect("write the EPUB");
    let dir = scratch("made-up-pages-");
    let path = dir.path().join("made-up.epub");
    std::fs::write(&path, &bytes).expect("write made-up.epub");
    let epub = Epub::from_bytes(bytes);
    check_package(&epub);
    let marks = marks(&epub);
    let labels: Vec<&str> = marks.iter().map(|m| m.label.as_str()).collect();
    let expected: Vec<String> = (1..=made_up.len()).map(|n| n.to_string()).collect();
    assert_eq!(
        labels, expected,
        "the page-list: every made-up page, in order"
    );
    for (mark, (_, words)) in marks.iter().zip(&made_up) {
        assert!(
            mark.after.starts_with(words),
            "page {} ({}#{}): the EPUB reads on with {:?}, the page begins {:?}",
            mark.label,
            mark.doc,
            mark.id,
            mark.after,
            words
        );
    }
    assert!(
        made_up.iter().any(|(at, _)| at.offset > 0),
        "a made-up page begins inside a word"
    );
    check_with_epubcheck("the EPUB with made-up print pages", &path);
    check_with_ace("the EPUB with made-up print pages", &path);
}
