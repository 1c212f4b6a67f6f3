//! Print production, judged from outside (issue "quire 4", the print half): the PDFs the binary
//! writes are read back with lopdf (page boxes, content streams, catalog), `pdftotext -bbox`
//! (where the text is), `pdftoppm` (what the barcode area shows), `qpdf` and `pdffonts`.
//!
//! - every trim preset's MediaBox, to 0.01 pt; with `--bleed`, the BleedBox and a TrimBox 9 pt
//!   inside the MediaBox on the top, bottom and outside edge (right on rectos, left on versos)
//!   and 0 on the spine edge; `--crop-marks` enlarging the MediaBox, its marks outside the bleed;
//! - all text (running heads and folios included) at least the service's minimum inside the
//!   trim: KDP 0.25 in, 0.375 in with bleed; IngramSpark 0.5 in; the gutter growing with the
//!   page count (a generated 158-page book gets KDP's 0.5 in band);
//! - unknown trims, services and papers: a usage error listing the names, or a diagnostic at
//!   the key in book.toml;
//! - the cover wrap: its size by the formula for the interior's page count and each paper, to
//!   0.01 pt; spine text only for a book with enough pages; an empty barcode area;
//! - the bundled book at `--trim 5.5x8.5 --bleed` and its wrap, against KDP's published rules
//!   (printed with `-- --nocapture`).
//!
//! Tools come from `PATH`; a missing one skips its check with a note unless
//! `QUIRE_REQUIRE_VALIDATORS=1`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::common::{
    check_with_qpdf, copy_bundled_book, describe, quire, repo_root, run, scratch, tool,
};

/// KDP's white paper, inches per page.
const WHITE: f64 = 0.002252;
const CREAM: f64 = 0.0025;
const COLOR: f64 = 0.002347;

// ---------------------------------------------------------------------------------------------
// Building and reading
// ---------------------------------------------------------------------------------------------

/// `quire ARGS…`, expected to succeed.
fn quire_ok(args: &[&str]) -> Output {
    let output = run(quire().args(args));
    assert!(
        output.status.success(),
        "quire {args:?}\n{}",
        describe(&output)
    );
    output
}

/// Builds the PDF of `book` into `out` with extra flags; returns its path.
fn build_pdf(book: &Path, out: &Path, flags: &[&str]) -> PathBuf {
    let mut args = vec![
        "build",
        book.to_str().unwrap(),
        "--format",
        "pdf",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    quire_ok(&args);
    only_file(out, ".pdf", "-cover.pdf")
}

/// Makes the cover wrap of `book` into `out` with extra flags; returns its path.
fn build_wrap(book: &Path, out: &Path, flags: &[&str]) -> (PathBuf, Output) {
    let mut args = vec![
        "cover",
        "--wrap",
        book.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(flags);
    let output = quire_ok(&args);
    (only_file(out, "-cover.pdf", "\0"), output)
}

fn only_file(dir: &Path, suffix: &str, not: &str) -> PathBuf {
    let found: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(suffix) && !name.ends_with(not)
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one *{suffix} in {}: {found:?}",
        dir.display()
    );
    found[0].clone()
}

/// A rectangle in PDF coordinates: x0, y0, x1, y1.
type Rect = [f64; 4];

/// The boxes of one page.
#[derive(Debug, Clone, Copy)]
struct Boxes {
    media: Rect,
    bleed: Option<Rect>,
    trim: Rect,
}

fn rect(obj: &lopdf::Object) -> Rect {
    let v: Vec<f64> = obj
        .as_array()
        .expect("a box is an array")
        .iter()
        .map(|o| o.as_float().expect("a number") as f64)
        .collect();
    [v[0], v[1], v[2], v[3]]
}

fn load(pdf: &Path) -> lopdf::Document {
    lopdf::Document::load(pdf).unwrap_or_else(|e| panic!("lopdf reads {}: {e}", pdf.display()))
}

fn boxes(pdf: &Path) -> Vec<Boxes> {
    let doc = load(pdf);
    doc.get_pages()
        .into_values()
        .map(|id| {
            let page = doc.get_dictionary(id).unwrap();
            Boxes {
                media: rect(page.get(b"MediaBox").expect("a MediaBox")),
                bleed: page.get(b"BleedBox").ok().map(rect),
                trim: rect(page.get(b"TrimBox").expect("a TrimBox")),
            }
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.01
}

fn close_rect(a: Rect, b: Rect) -> bool {
    a.iter().zip(b).all(|(x, y)| close(*x, y))
}

/// A word of `pdftotext -bbox`: its text and box, in points from the page's top-left corner.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// The words of each page (`None` when pdftotext is missing).
fn words(pdf: &Path) -> Option<Vec<Vec<Word>>> {
    let pdftotext = tool("pdftotext", "poppler-utils")?;
    let output = run(Command::new(pdftotext).arg("-bbox").arg(pdf).arg("-"));
    assert!(output.status.success(), "{}", describe(&output));
    let html = String::from_utf8_lossy(&output.stdout);
    let attr = |line: &str, name: &str| -> f64 {
        line.split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line}"))
    };
    let mut pages = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page") {
            pages.push(Vec::new());
        } else if line.starts_with("<word") {
            let text = line
                .split('>')
                .nth(1)
                .and_then(|s| s.split('<').next())
                .unwrap_or_default()
                .replace("&apos;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&");
            pages.last_mut().expect("a word on a page").push(Word {
                text,
                x0: attr(line, "xMin"),
                y0: attr(line, "yMin"),
                x1: attr(line, "xMax"),
                y1: attr(line, "yMax"),
            });
        }
    }
    Some(pages)
}

/// A copy of the bundled book with `extra` appended to its book.toml.
fn bundled_copy(prefix: &str, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = scratch(prefix);
    let book = dir.path().join("book");
    copy_bundled_book(&book);
    let toml = book.join("book.toml");
    let mut text = fs::read_to_string(&toml).unwrap();
    text.push_str(extra);
    fs::write(&toml, text).unwrap();
    (dir, book)
}

/// A book five times the bundled essay (one manuscript file per copy), with an author and a
/// description: 158 pages at 6 × 9 in, past KDP's first gutter band and past 79 pages.
fn long_book() -> &'static Path {
    static BOOK: OnceLock<PathBuf> = OnceLock::new();
    BOOK.get_or_init(|| {
        let book = scratch("long-book-").keep().join("book");
        let manuscript = book.join("manuscript");
        fs::create_dir_all(&manuscript).unwrap();
        let essay = fs::read_to_string(repo_root().join("manuscript/alarm-signal.md")).unwrap();
        for i in 1..=5 {
            fs::write(manuscript.join(format!("part{i}.md")), &essay).unwrap();
        }
        fs::write(
            book.join("book.toml"),
            "title = \"A Long Book\"\nauthor = \"A. N. Author\"\nlanguage = \"en\"\n\
             date = \"2024\"\n\
             description = \"Five times the essay, to make a book long enough for a wider gutter \
             and a spine with its title.\"\nmanuscript = \"manuscript\"\n",
        )
        .unwrap();
        book
    })
}

fn page_count(pdf: &Path) -> usize {
    load(pdf).get_pages().len()
}

// ---------------------------------------------------------------------------------------------
// The interior's page boxes
// ---------------------------------------------------------------------------------------------

#[test]
fn every_trim_preset_gives_its_media_box_and_bleed_a_trim_box_9_pt_inside() {
    let dir = scratch("trims-");
    let mut counts = Vec::new();
    for &(name, w, h) in quire::config::print::TRIMS {
        let plain = build_pdf(repo_root(), &dir.path().join(name), &["--trim", name]);
        let pages = boxes(&plain);
        for (i, b) in pages.iter().enumerate() {
            assert!(
                close_rect(b.media, [0.0, 0.0, w, h]),
                "{name}, page {}: MediaBox {:?}, not {w} × {h}",
                i + 1,
                b.media
            );
            assert!(close_rect(b.trim, b.media), "{name}: TrimBox {:?}", b.trim);
            assert!(b.bleed.is_none(), "{name}: a BleedBox without bleed");
        }

        let bled = build_pdf(
            repo_root(),
            &dir.path().join(format!("{name}-bleed")),
            &["--trim", name, "--bleed"],
        );
        // (Bleed asks for wider margins, which may change the page count.)
        let bled_pages = boxes(&bled);
        for (i, b) in bled_pages.iter().enumerate() {
            let recto = i % 2 == 0;
            let what = format!(
                "{name}, page {} ({})",
                i + 1,
                if recto { "recto" } else { "verso" }
            );
            assert!(
                close_rect(b.media, [0.0, 0.0, w + 9.0, h + 18.0]),
                "{what}: MediaBox {:?}",
                b.media
            );
            assert_eq!(
                b.bleed.map(|r| close_rect(r, b.media)),
                Some(true),
                "{what}"
            );
            let t = b.trim;
            assert!(
                close(t[2] - t[0], w) && close(t[3] - t[1], h),
                "{what}: TrimBox {t:?}"
            );
            // Inset: top, bottom, outside edge 9 pt, spine edge 0.
            assert!(close(b.media[3] - t[3], 9.0), "{what}: top inset of {t:?}");
            assert!(
                close(t[1] - b.media[1], 9.0),
                "{what}: bottom inset of {t:?}"
            );
            let (outside, spine) = if recto {
                (b.media[2] - t[2], t[0] - b.media[0])
            } else {
                (t[0] - b.media[0], b.media[2] - t[2])
            };
            assert!(close(outside, 9.0), "{what}: outside inset of {t:?}");
            assert!(close(spine, 0.0), "{what}: spine inset of {t:?}");
        }
        counts.push(format!(
            "{name} {} ({} with bleed)",
            pages.len(),
            bled_pages.len()
        ));
    }
    eprintln!("page counts of the bundled book: {}", counts.join(", "));
}

#[test]
fn a_file_with_bleed_has_no_bookmarks_links_or_crop_marks() {
    let dir = scratch("bleed-file-");
    let pdf = build_pdf(repo_root(), dir.path(), &["--trim", "5.5x8.5", "--bleed"]);
    let doc = load(&pdf);
    assert!(doc.catalog().unwrap().get(b"Outlines").is_err());
    for id in doc.get_pages().into_values() {
        let page = doc.get_dictionary(id).unwrap();
        assert!(page.get(b"Annots").is_err(), "a page with annotations");
        let content = String::from_utf8_lossy(&doc.get_page_content(id)).into_owned();
        assert!(
            !content.contains("CSReg"),
            "crop marks without --crop-marks"
        );
    }
}

#[test]
fn crop_marks_enlarge_the_media_box_and_sit_outside_the_bleed() {
    let dir = scratch("marks-");
    let mut cmd = quire();
    cmd.args([
        "build",
        repo_root().to_str().unwrap(),
        "--format",
        "pdf",
        "--out",
    ])
    .arg(dir.path())
    .args(["--trim", "6x9", "--bleed", "--crop-marks"]);
    let output = run(&mut cmd);
    assert!(output.status.success(), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("crop marks") && stderr.contains("KDP"),
        "no warning that KDP refuses marks:\n{stderr}"
    );
    let pdf = only_file(dir.path(), ".pdf", "-cover.pdf");
    let doc = load(&pdf);
    for (i, (id, b)) in doc.get_pages().into_values().zip(boxes(&pdf)).enumerate() {
        let t = b.trim;
        let bleed = b.bleed.expect("a BleedBox");
        assert!(
            close_rect(b.media, [0.0, 0.0, 432.0 + 60.0, 648.0 + 60.0]),
            "{:?}",
            b.media
        );
        assert!(close_rect(t, [30.0, 30.0, 462.0, 678.0]), "{t:?}");
        let content = String::from_utf8_lossy(&doc.get_page_content(id)).into_owned();
        let marks = content
            .split_once("CSReg CS")
            .unwrap_or_else(|| panic!("page {}: no crop marks", i + 1))
            .1;
        let mut segments = 0;
        for line in marks.lines().filter(|l| l.ends_with(" l S")) {
            let n: Vec<f64> = line
                .split_whitespace()
                .filter_map(|w| w.parse().ok())
                .collect();
            let (a, z) = ((n[0], n[1]), (n[2], n[3]));
            segments += 1;
            for (x, y) in [a, z] {
                let inside_media =
                    x >= -0.01 && y >= -0.01 && x <= b.media[2] + 0.01 && y <= b.media[3] + 0.01;
                assert!(
                    inside_media,
                    "page {}: a mark at ({x}, {y}) off the sheet",
                    i + 1
                );
            }
            // Outside the bleed: the segment's span on one axis misses the BleedBox's.
            let misses_x = a.0.max(z.0) <= bleed[0] + 0.01 || a.0.min(z.0) >= bleed[2] - 0.01;
            let misses_y = a.1.max(z.1) <= bleed[1] + 0.01 || a.1.min(z.1) >= bleed[3] - 0.01;
            assert!(
                misses_x || misses_y,
                "page {}: the mark {line:?} enters the bleed {bleed:?}",
                i + 1
            );
            // On the prolongation of a trim edge.
            let on_edge = [t[0], t[2]].iter().any(|&x| close(a.0, x) && close(z.0, x))
                || [t[1], t[3]].iter().any(|&y| close(a.1, y) && close(z.1, y));
            assert!(
                on_edge,
                "page {}: the mark {line:?} is off the trim's edges {t:?}",
                i + 1
            );
        }
        assert_eq!(segments, 8, "page {}: eight marks", i + 1);
    }
    check_with_qpdf("the PDF with crop marks", &pdf);
}

// ---------------------------------------------------------------------------------------------
// Margins
// ---------------------------------------------------------------------------------------------

/// The least distance from the trim to any word, per edge: (top, bottom, outside, inside).
fn least_distances(pdf: &Path) -> Option<(f64, f64, f64, f64)> {
    let pages = words(pdf)?;
    let boxes = boxes(pdf);
    let mut least = (f64::MAX, f64::MAX, f64::MAX, f64::MAX);
    for (i, (words, b)) in pages.iter().zip(&boxes).enumerate() {
        let recto = i % 2 == 0;
        // pdftotext measures from the MediaBox's top-left corner.
        let (left, top) = (b.trim[0] - b.media[0], b.media[3] - b.trim[3]);
        let (right, bottom) = (left + b.trim[2] - b.trim[0], top + b.trim[3] - b.trim[1]);
        for w in words {
            let (to_left, to_right) = (w.x0 - left, right - w.x1);
            let (outside, inside) = if recto {
                (to_right, to_left)
            } else {
                (to_left, to_right)
            };
            least.0 = least.0.min(w.y0 - top);
            least.1 = least.1.min(bottom - w.y1);
            least.2 = least.2.min(outside);
            least.3 = least.3.min(inside);
        }
    }
    Some(least)
}

#[test]
fn all_text_keeps_the_services_minimums_with_and_without_bleed() {
    // (book.toml addition, flags, least top/bottom/outside, least inside)
    let cases: [(&str, &[&str], f64, f64); 5] = [
        ("", &["--trim", "5.5x8.5"], 18.0, 27.0),
        ("", &["--trim", "5.5x8.5", "--bleed"], 27.0, 27.0),
        (
            "\n[print]\nservice = \"ingramspark\"\n",
            &["--trim", "5.5x8.5"],
            36.0,
            36.0,
        ),
        (
            "\n[print]\nservice = \"ingramspark\"\n",
            &["--trim", "5x8", "--bleed"],
            36.0,
            36.0,
        ),
        // The short form of the issue: print = "ingramspark", before any table.
        ("", &["--trim", "a5"], 36.0, 36.0),
    ];
    let mut report = Vec::new();
    for (k, (extra, flags, least, gutter)) in cases.iter().enumerate() {
        let (dir, book) = bundled_copy("margins-", extra);
        if k == 4 {
            let toml = book.join("book.toml");
            let text = fs::read_to_string(&toml).unwrap();
            fs::write(&toml, format!("print = \"ingramspark\"\n{text}")).unwrap();
        }
        let pdf = build_pdf(&book, &dir.path().join("out"), flags);
        let Some((top, bottom, outside, inside)) = least_distances(&pdf) else {
            return;
        };
        let what = format!("{extra:?} {flags:?}");
        assert!(top >= *least, "{what}: a word {top:.2} pt from the top");
        assert!(
            bottom >= *least,
            "{what}: a word {bottom:.2} pt from the bottom"
        );
        assert!(
            outside >= *least,
            "{what}: a word {outside:.2} pt from the outside edge"
        );
        assert!(
            inside >= *gutter,
            "{what}: a word {inside:.2} pt from the spine"
        );
        report.push(format!(
            "{what}: top {top:.1}, bottom {bottom:.1}, outside {outside:.1}, inside {inside:.1}"
        ));
    }
    eprintln!(
        "least distance from the trim to any word:\n  {}",
        report.join("\n  ")
    );
}

/// The inside margin of the body text, measured: the leftmost word on rectos and the rightmost
/// on versos (pages with at least 100 words).
fn measured_gutter(pdf: &Path) -> Option<f64> {
    let pages = words(pdf)?;
    let boxes = boxes(pdf);
    let mut gutter = f64::MAX;
    for (i, (words, b)) in pages.iter().zip(&boxes).enumerate() {
        if words.len() < 100 {
            continue;
        }
        let width = b.trim[2] - b.trim[0];
        let g = if i % 2 == 0 {
            words.iter().map(|w| w.x0).fold(f64::MAX, f64::min)
        } else {
            width - words.iter().map(|w| w.x1).fold(0.0, f64::max)
        };
        gutter = gutter.min(g);
    }
    Some(gutter)
}

#[test]
fn the_gutter_grows_with_the_page_count() {
    let dir = scratch("gutter-");
    let short = build_pdf(repo_root(), &dir.path().join("short"), &[]);
    let long = build_pdf(long_book(), &dir.path().join("long"), &[]);
    let (short_pages, long_pages) = (page_count(&short), page_count(&long));
    assert!(
        short_pages <= 150 && long_pages > 150,
        "{short_pages} and {long_pages} pages"
    );
    let (Some(short_gutter), Some(long_gutter)) = (measured_gutter(&short), measured_gutter(&long))
    else {
        return;
    };
    // 6 × 9 in: a third of an inch and a half of white, plus KDP's 0.375 in up to 150 pages,
    // 0.5 in from 151.
    assert!(
        (short_gutter - 63.0).abs() < 0.5,
        "{short_pages} pages: gutter {short_gutter}"
    );
    assert!(
        (long_gutter - 72.0).abs() < 0.5,
        "{long_pages} pages: gutter {long_gutter}"
    );
    eprintln!(
        "inside margin: {short_gutter:.2} pt at {short_pages} pages, {long_gutter:.2} pt at {long_pages}"
    );
}

// ---------------------------------------------------------------------------------------------
// Unknown values
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_trim_is_a_usage_error_listing_the_names() {
    let output = run(quire().args(["build", repo_root().to_str().unwrap(), "--trim", "4x4x4"]));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for &(name, _, _) in quire::config::print::TRIMS {
        assert!(stderr.contains(name), "{name} not listed:\n{stderr}");
    }
    assert!(stderr.contains("148x210mm"), "{stderr}");
}

#[test]
fn unknown_print_values_are_errors_at_their_key() {
    let cases = [
        (
            "\n[print]\ntrim = \"A7\"\n",
            "`A7` is not a trim size",
            "b-format",
        ),
        (
            "\n[print]\nservice = \"lulu\"\n",
            "`lulu` is not a print service",
            "kdp, ingramspark",
        ),
        (
            "\n[print]\npaper = \"grey\"\n",
            "`grey` is not a paper",
            "white, cream, color",
        ),
    ];
    for (extra, message, hint) in cases {
        let (dir, book) = bundled_copy("bad-print-", extra);
        let output = run(quire()
            .args(["build", book.to_str().unwrap(), "--out"])
            .arg(dir.path().join("out")));
        assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines = fs::read_to_string(book.join("book.toml"))
            .unwrap()
            .lines()
            .count();
        let at = format!("book.toml:{lines}:1");
        assert!(stderr.contains(message), "{message:?} not in\n{stderr}");
        assert!(stderr.contains(&at), "not pointed at {at}:\n{stderr}");
        assert!(stderr.contains(hint), "{hint:?} not in\n{stderr}");
        assert!(
            !dir.path().join("out").exists(),
            "a failed build wrote something"
        );
    }
    // The short form, pointed at its key.
    let (dir, book) = bundled_copy("bad-print-", "");
    let toml = book.join("book.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(&toml, format!("print = \"lulu\"\n{text}")).unwrap();
    let output = run(quire().args(["check", book.to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("book.toml:1:1") && stderr.contains("`lulu`"),
        "{stderr}"
    );
    drop(dir);
}

// ---------------------------------------------------------------------------------------------
// The cover wrap
// ---------------------------------------------------------------------------------------------

/// The wrap's sheet for an interior of `pages` pages at `trim`: width and height.
fn wrap_size(trim: (f64, f64), pages: usize, per_page: f64) -> (f64, f64) {
    let spine = pages as f64 * per_page * 72.0;
    (9.0 + trim.0 + spine + trim.0 + 9.0, 9.0 + trim.1 + 9.0)
}

/// The words of a wrap between its folds (spine text).
fn spine_words(wrap: &Path, trim_width: f64, spine: f64) -> Option<Vec<Word>> {
    let pages = words(wrap)?;
    let (left, right) = (9.0 + trim_width, 9.0 + trim_width + spine);
    Some(
        pages[0]
            .iter()
            .filter(|w| w.x1 > left && w.x0 < right)
            .cloned()
            .collect(),
    )
}

#[test]
fn the_wrap_follows_the_formula_for_each_paper() {
    for (paper, per_page) in [("white", WHITE), ("cream", CREAM), ("color", COLOR)] {
        let (dir, book) = bundled_copy("wrap-paper-", &format!("\n[print]\npaper = \"{paper}\"\n"));
        let interior = build_pdf(&book, &dir.path().join("interior"), &["--trim", "5.5x8.5"]);
        let pages = page_count(&interior);
        let (wrap, output) = build_wrap(&book, &dir.path().join("wrap"), &["--trim", "5.5x8.5"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("{pages} pages")), "{stderr}");
        let b = boxes(&wrap);
        assert_eq!(b.len(), 1, "the wrap is one page");
        let (width, height) = wrap_size((396.0, 612.0), pages, per_page);
        let b = b[0];
        assert!(
            close_rect(b.media, [0.0, 0.0, width, height]),
            "{paper}, {pages} pages: MediaBox {:?}, not {width:.3} × {height}",
            b.media
        );
        assert_eq!(b.bleed.map(|r| close_rect(r, b.media)), Some(true));
        assert!(
            close_rect(b.trim, [9.0, 9.0, width - 9.0, height - 9.0]),
            "{:?}",
            b.trim
        );
        eprintln!(
            "{paper}: {pages} pages, spine {:.4} in, wrap {:.4} × {:.4} in",
            pages as f64 * per_page,
            width / 72.0,
            height / 72.0
        );
        // The bundled book is too short for spine text.
        assert!(pages < 79);
        if let Some(spine) = spine_words(&wrap, 396.0, pages as f64 * per_page * 72.0) {
            assert!(
                spine.is_empty(),
                "{paper}: text on a {pages}-page spine: {spine:?}"
            );
        }
    }
}

#[test]
fn the_spine_carries_title_and_author_from_79_pages() {
    let dir = scratch("wrap-long-");
    let interior = build_pdf(long_book(), &dir.path().join("interior"), &[]);
    let pages = page_count(&interior);
    assert!(pages >= 79);
    let (wrap, _) = build_wrap(long_book(), &dir.path().join("wrap"), &[]);
    let (width, height) = wrap_size((432.0, 648.0), pages, WHITE);
    assert!(close_rect(boxes(&wrap)[0].media, [0.0, 0.0, width, height]));
    let spine = pages as f64 * WHITE * 72.0;
    let Some(words) = spine_words(&wrap, 432.0, spine) else {
        return;
    };
    let text: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    for word in ["LONG", "BOOK", "AUTHOR"] {
        assert!(text.contains(&word), "{word} not on the spine: {text:?}");
    }
    // Turned text: tall, narrow boxes centred on the spine, inside its folds.
    let (left, right) = (9.0 + 432.0, 9.0 + 432.0 + spine);
    for w in &words {
        assert!(
            w.y1 - w.y0 > w.x1 - w.x0 || w.text.len() <= 2,
            "{w:?} is not turned"
        );
        assert!(
            ((w.x0 + w.x1) / 2.0 - (left + right) / 2.0).abs() < 2.0,
            "{w:?} off centre"
        );
        assert!(
            w.x0 > left && w.x1 < right,
            "{w:?} crosses a fold ({left}, {right})"
        );
        assert!(
            w.y0 > 9.0 + 9.0 && w.y1 < height - 18.0,
            "{w:?} outside the safe zone"
        );
    }
    check_with_qpdf("the long book's wrap", &wrap);

    // With crop marks, the sheet grows to 30 pt around the cut cover.
    let (marked, _) = build_wrap(long_book(), &dir.path().join("marked"), &["--crop-marks"]);
    let b = boxes(&marked)[0];
    assert!(close_rect(
        b.media,
        [0.0, 0.0, width - 18.0 + 60.0, height - 18.0 + 60.0]
    ));
    assert!(close_rect(
        b.trim,
        [30.0, 30.0, width - 18.0 + 30.0, height - 18.0 + 30.0]
    ));
}

/// A PNG cover: 1700 × 2650 px (over 300 dpi on a 5.5 × 8.5 in front and its bleed), dark
/// above and light below, a stripe down its middle.
fn test_art() -> Vec<u8> {
    let image = image::RgbImage::from_fn(1700, 2650, |x, y| {
        if (800..900).contains(&x) {
            image::Rgb([200, 40, 40])
        } else if y < 1800 {
            image::Rgb([30, 35, 50])
        } else {
            image::Rgb([235, 228, 210])
        }
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

/// Whether every pixel of a rectangle (in points) of a page rendered at 72 dpi is one colour.
fn uniform(png: &Path, (x, y, w, h): (f64, f64, f64, f64)) -> Result<(), String> {
    let image = image::open(png).map_err(|e| e.to_string())?.into_rgb8();
    let (x0, y0) = (x.ceil() as u32 + 1, y.ceil() as u32 + 1);
    let (x1, y1) = ((x + w).floor() as u32 - 1, (y + h).floor() as u32 - 1);
    let first = image.get_pixel(x0, y0).0;
    for py in y0..y1 {
        for px in x0..x1 {
            let p = image.get_pixel(px, py).0;
            if (0..3).any(|c| p[c].abs_diff(first[c]) > 2) {
                return Err(format!("pixel ({px}, {py}) is {p:?}, not {first:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn the_barcode_area_stays_empty_and_the_art_fills_the_front() {
    let (dir, book) = bundled_copy("wrap-art-", "");
    // book.toml has no table: a top-level key can be appended (over any `cover` it names).
    let toml = book.join("book.toml");
    let text: String = fs::read_to_string(&toml)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("cover"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&toml, text + "cover = \"covers/test.png\"\n").unwrap();
    fs::create_dir_all(book.join("covers")).unwrap();
    fs::write(book.join("covers/test.png"), test_art()).unwrap();
    let (wrap, output) = build_wrap(&book, &dir.path().join("wrap"), &["--trim", "5.5x8.5"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("dpi"), "{stderr}");
    let b = boxes(&wrap)[0];
    let width = b.media[2];
    // The barcode area: 2 × 1.2 in at the back's lower right, 0.25 in inside the trim.
    let area = (
        9.0 + 396.0 - 18.0 - 144.0,
        9.0 + 612.0 - 18.0 - 86.4,
        144.0,
        86.4,
    );
    if let Some(pages) = words(&wrap) {
        for w in &pages[0] {
            let inside =
                w.x1 > area.0 && w.x0 < area.0 + area.2 && w.y1 > area.1 && w.y0 < area.1 + area.3;
            assert!(!inside, "{w:?} in the barcode area");
        }
        assert!(
            pages[0].iter().any(|w| w.text == "Trotsky's"),
            "no description on the back"
        );
    }
    let Some(pdftoppm) = tool("pdftoppm", "poppler-utils") else {
        return;
    };
    let prefix = dir.path().join("wrap");
    let out = run(Command::new(pdftoppm)
        .args(["-r", "72", "-png", "-singlefile"])
        .arg(&wrap)
        .arg(&prefix));
    assert!(out.status.success(), "{}", describe(&out));
    let png = prefix.with_extension("png");
    uniform(&png, area).unwrap_or_else(|e| panic!("the barcode area is not empty: {e}"));
    // Same input, same bytes.
    let (again, _) = build_wrap(&book, &dir.path().join("again"), &["--trim", "5.5x8.5"]);
    assert!(
        fs::read(&wrap).unwrap() == fs::read(&again).unwrap(),
        "two wraps differ"
    );
    // The art reaches the front's trim and bleed: its stripe is at the middle of the front
    // panel and bleed (the art is 1700 px over 405 pt; the stripe 800-900 px).
    let image = image::open(&png).unwrap().into_rgb8();
    let front = width - 9.0 - 396.0;
    let stripe = front + (396.0 + 9.0) * 850.0 / 1700.0;
    let p = image.get_pixel(stripe as u32, 100).0;
    assert!(
        p[0] > 150 && p[1] < 100,
        "no red stripe at x = {stripe}: {p:?}"
    );
    // The back continues the art's spine-side edge: dark above, light below.
    let dark = image.get_pixel(100, 100).0;
    let light = image.get_pixel(100, 600).0;
    assert!(dark[0] < 60 && light[0] > 200, "{dark:?} {light:?}");
    check_with_qpdf("the wrap with art", &wrap);
}

// ---------------------------------------------------------------------------------------------
// The bundled book against KDP's published rules
// ---------------------------------------------------------------------------------------------

/// `pdffonts`' rows: every font embedded.
fn fonts_embedded(pdf: &Path) -> Option<Result<usize, String>> {
    let pdffonts = tool("pdffonts", "poppler-utils")?;
    let output = run(Command::new(pdffonts).arg(pdf));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let rows: Vec<&str> = text.lines().skip(2).collect();
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let n = cols.len();
        if n < 5 || cols[n - 5] != "yes" {
            return Some(Err(format!("not embedded: {row}")));
        }
    }
    Some(Ok(rows.len()))
}

/// `pdfimages -list`: each image's resolution as placed (x and y pixels per inch).
fn image_resolutions(pdf: &Path) -> Option<Vec<(f64, f64)>> {
    let pdfimages = tool("pdfimages", "poppler-utils")?;
    let output = run(Command::new(pdfimages).arg("-list").arg(pdf));
    assert!(output.status.success(), "{}", describe(&output));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    Some(
        text.lines()
            .skip(2)
            .map(|row| {
                let cols: Vec<&str> = row.split_whitespace().collect();
                let n = cols.len();
                (cols[n - 4].parse().unwrap(), cols[n - 3].parse().unwrap())
            })
            .collect(),
    )
}

#[test]
fn the_bundled_book_at_5_5_by_8_5_with_bleed_and_its_wrap_pass_kdps_rules() {
    let dir = scratch("kdp-");
    let flags = ["--trim", "5.5x8.5", "--bleed"];
    let out = dir.path().join("interior");
    let mut args = vec![
        "build",
        repo_root().to_str().unwrap(),
        "--format",
        "pdf",
        "--out",
    ];
    args.push(out.to_str().unwrap());
    args.extend_from_slice(&flags);
    let built = quire_ok(&args);
    let interior = only_file(&out, ".pdf", "-cover.pdf");
    let (wrap, wrapped) = build_wrap(repo_root(), &dir.path().join("wrap"), &flags);
    let (w, h) = (396.0, 612.0);
    let doc = load(&interior);
    let pages = doc.get_pages().len();
    let mut checked: Vec<String> = Vec::new();
    let mut check = |rule: &str, ok: bool, detail: String| {
        assert!(ok, "KDP rule failed: {rule}: {detail}");
        checked.push(format!("ok  {rule}: {detail}"));
    };

    // Interior ("Set Trim Size, Bleed, and Margins"; "Save Your Manuscript File").
    let b = boxes(&interior);
    check(
        "page size with bleed = trim + 0.125 in wide, + 0.25 in high",
        b.iter()
            .all(|b| close_rect(b.media, [0.0, 0.0, w + 9.0, h + 18.0])),
        format!("{} × {} pt on all {pages} pages", w + 9.0, h + 18.0),
    );
    check(
        "the bleed on the top, bottom and outside edges only (TrimBox)",
        b.iter().enumerate().all(|(i, b)| {
            let x0 = if i % 2 == 0 { 0.0 } else { 9.0 };
            close_rect(b.trim, [x0, 9.0, x0 + w, 9.0 + h])
        }),
        "rectos [0 9 396 621], versos [9 9 405 621]".into(),
    );
    check(
        "24 to 828 pages (white paper)",
        (24..=828).contains(&pages),
        format!("{pages} pages"),
    );
    if let Some((top, bottom, outside, inside)) = least_distances(&interior) {
        check(
            "outside margins ≥ 0.375 in with bleed, folios and heads included",
            top >= 27.0 && bottom >= 27.0 && outside >= 27.0,
            format!("least: top {top:.1}, bottom {bottom:.1}, outside {outside:.1} pt"),
        );
        check(
            "inside margin ≥ 0.375 in for 24–150 pages",
            inside >= 27.0,
            format!("least {inside:.1} pt"),
        );
    }
    if let Some(fonts) = fonts_embedded(&interior) {
        let fonts = fonts.unwrap_or_else(|e| panic!("{e}"));
        check(
            "all fonts embedded",
            true,
            format!("{fonts} fonts, all embedded (pdffonts)"),
        );
    }
    let catalog = doc.catalog().unwrap();
    let annotations = doc
        .get_pages()
        .into_values()
        .filter(|&id| doc.get_dictionary(id).unwrap().get(b"Annots").is_ok())
        .count();
    check(
        "no bookmarks, annotations or crop marks",
        catalog.get(b"Outlines").is_err() && annotations == 0,
        "no /Outlines, no /Annots, no marks".into(),
    );
    check(
        "not encrypted",
        doc.trailer.get(b"Encrypt").is_err(),
        "no /Encrypt".into(),
    );
    let size = fs::metadata(&interior).unwrap().len();
    check(
        "at most 650 MB",
        size < 650 << 20,
        format!("{} KB", size / 1024),
    );
    check_with_qpdf("the interior", &interior);
    let said = String::from_utf8_lossy(&built.stderr).into_owned()
        + &String::from_utf8_lossy(&wrapped.stderr);
    check(
        "quire has nothing to warn about (page count, marks, art resolution)",
        !said.contains("warning"),
        "no warning from build or cover --wrap".into(),
    );

    // Cover ("Create a Paperback Cover").
    let cover = boxes(&wrap);
    let (cw, ch) = wrap_size((w, h), pages, WHITE);
    check(
        "one page: back, spine and front",
        cover.len() == 1,
        "1 page".into(),
    );
    check(
        "cover = 0.125 + W + spine + W + 0.125 in by H + 0.25 in, spine = pages × 0.002252 in",
        close_rect(cover[0].media, [0.0, 0.0, cw, ch]),
        format!(
            "{:.4} × {:.4} in, spine {:.4} in for {pages} pages",
            cw / 72.0,
            ch / 72.0,
            pages as f64 * WHITE
        ),
    );
    if let Some(words) = words(&wrap) {
        let words = &words[0];
        let inside = words
            .iter()
            .map(|w| {
                (w.x0 - 9.0)
                    .min(w.y0 - 9.0)
                    .min(cw - 9.0 - w.x1)
                    .min(ch - 9.0 - w.y1)
            })
            .fold(f64::MAX, f64::min);
        check(
            "cover text ≥ 0.125 in inside the trim",
            inside >= 9.0,
            format!("least {inside:.1} pt"),
        );
        let spine = pages as f64 * WHITE * 72.0;
        let on_spine = words
            .iter()
            .filter(|word| word.x1 > 9.0 + w && word.x0 < 9.0 + w + spine)
            .count();
        check(
            "no spine text under 79 pages",
            pages >= 79 || on_spine == 0,
            format!("{pages} pages, {on_spine} words on the spine"),
        );
        let area = (9.0 + w - 18.0 - 144.0, 9.0 + h - 18.0 - 86.4);
        let in_area = words
            .iter()
            .filter(|w| {
                w.x1 > area.0 && w.x0 < area.0 + 144.0 && w.y1 > area.1 && w.y0 < area.1 + 86.4
            })
            .count();
        check(
            "barcode area 2 × 1.2 in kept free",
            in_area == 0,
            "no text in it".into(),
        );
    }
    if let Some(pdftoppm) = tool("pdftoppm", "poppler-utils") {
        let prefix = dir.path().join("wrap-72dpi");
        let out = run(Command::new(pdftoppm)
            .args(["-r", "72", "-png", "-singlefile"])
            .arg(&wrap)
            .arg(&prefix));
        assert!(out.status.success(), "{}", describe(&out));
        let area = (9.0 + w - 18.0 - 144.0, 9.0 + h - 18.0 - 86.4, 144.0, 86.4);
        let uniform = uniform(&prefix.with_extension("png"), area);
        check(
            "barcode area free of images too",
            uniform.is_ok(),
            format!("one colour when rendered (pdftoppm) {uniform:?}"),
        );
    }
    if let Some(fonts) = fonts_embedded(&wrap) {
        let fonts = fonts.unwrap_or_else(|e| panic!("{e}"));
        check(
            "cover fonts embedded",
            true,
            format!("{fonts} fonts, all embedded"),
        );
    }
    if let Some(images) = image_resolutions(&wrap) {
        check(
            "images at least 300 dpi (the front art)",
            !images.is_empty() && images.iter().all(|&(x, y)| x >= 299.5 && y >= 299.5),
            format!("{images:?} pixels per inch (pdfimages -list)"),
        );
    }
    if let Some(images) = image_resolutions(&interior) {
        check(
            "interior images at least 300 dpi",
            images.is_empty(),
            "no images".into(),
        );
    }
    let cover_doc = load(&wrap);
    let size = fs::metadata(&wrap).unwrap().len();
    check(
        "cover under 40 MB, not encrypted, no marks",
        size < 40 << 20 && cover_doc.trailer.get(b"Encrypt").is_err(),
        format!("{} KB", size / 1024),
    );
    check_with_qpdf("the cover wrap", &wrap);
    eprintln!("KDP's rules, checked:\n  {}", checked.join("\n  "));
}

#[test]
fn a_short_book_is_warned_only_when_it_is_made_for_a_printer() {
    let dir = scratch("short-");
    let book = dir.path().join("short");
    quire_ok(&["init", book.to_str().unwrap()]);
    let stderr = |flags: &[&str]| {
        let mut args = vec!["build", book.to_str().unwrap(), "--format", "pdf"];
        args.extend_from_slice(flags);
        String::from_utf8_lossy(&quire_ok(&args).stderr).into_owned()
    };
    let reading = stderr(&[]);
    assert!(!reading.contains("warning"), "{reading}");
    let printing = stderr(&["--bleed"]);
    assert!(
        printing.contains("warning: the print edition has") && printing.contains("at least 24"),
        "{printing}"
    );
    let out = dir.path().join("wrap");
    let (_, wrap) = build_wrap(&book, &out, &[]);
    let wrap = String::from_utf8_lossy(&wrap.stderr);
    assert!(wrap.contains("at least 24"), "{wrap}");
}

#[test]
fn a_batch_takes_the_print_flags_and_rebuilds_when_they_change() {
    let dir = scratch("print-batch-");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    copy_bundled_book(&a);
    copy_bundled_book(&b);
    let out = dir.path().join("out");
    let batch = |flags: &[&str]| {
        let mut args = vec![
            "build",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "pdf",
            "--names",
            "{slug}",
            "--quiet",
        ];
        args.extend_from_slice(flags);
        let output = run(quire().args(&args).current_dir(&out));
        assert!(output.status.success(), "{}", describe(&output));
    };
    fs::create_dir_all(&out).unwrap();
    batch(&["--trim", "5x8", "--bleed"]);
    for book in [&a, &b] {
        let pdf = book.join("out/alarm-signal.pdf");
        let b = boxes(&pdf);
        assert!(
            close_rect(b[0].media, [0.0, 0.0, 369.0, 594.0]),
            "{:?}",
            b[0].media
        );
    }
    // The same books without the flags: their inputs changed, so they are built again.
    batch(&[]);
    for book in [&a, &b] {
        let b = boxes(&book.join("out/alarm-signal.pdf"));
        assert!(
            close_rect(b[0].media, [0.0, 0.0, 432.0, 648.0]),
            "{:?}",
            b[0].media
        );
    }
}
