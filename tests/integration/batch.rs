//! Batch builds (`quire build PATH...`, workspaces, `--shard`, `quire merge-reports`) on
//! workspaces of generated books: sections of the bundled text under other titles, each a few
//! pages, so that two dozen books build in a few seconds.

use crate::common::{describe, quire, run, scratch, snapshot};
use crate::json::{self, Json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The bundled text's `##` sections, with note marks and note texts removed.
fn sections() -> Vec<String> {
    let text = fs::read_to_string(crate::common::repo_root().join("manuscript/alarm-signal.md"))
        .expect("the bundled manuscript");
    let mut sections = Vec::new();
    for part in text.split("\n## ").skip(1) {
        let mut clean = String::new();
        for line in part.lines() {
            if line.starts_with("[^") || line.starts_with('#') {
                break;
            }
            let mut rest = line;
            while let Some(start) = rest.find("[^") {
                clean.push_str(&rest[..start]);
                rest = rest[start..]
                    .find(']')
                    .map_or("", |end| &rest[start + end + 1..]);
            }
            clean.push_str(rest);
            clean.push('\n');
        }
        sections.push(format!("## {clean}"));
    }
    assert!(sections.len() >= 8, "the bundled text has its sections");
    sections
}

/// Writes `books/book-NN` (NN from 0 to `count - 1`) into `dir`: a `book.toml` with a title,
/// a version and the manuscript: one section of the bundled text.
fn write_books(dir: &Path, count: usize) {
    let sections = sections();
    for i in 0..count {
        let book = dir.join(format!("books/book-{i:02}"));
        fs::create_dir_all(book.join("manuscript")).unwrap();
        fs::write(
            book.join("book.toml"),
            format!(
                "title = \"Signal {i}\"\nauthor = \"Leon Trotsky\"\nlanguage = \"en\"\ndate = \"1933\"\nversion = \"1.{i}\"\n"
            ),
        )
        .unwrap();
        fs::write(
            book.join("manuscript/book.md"),
            format!("# Signal {i}\n\n{}", sections[i % sections.len()]),
        )
        .unwrap();
    }
}

/// A book whose manuscript references a note it never defines (an error at 3:12).
fn write_broken(dir: &Path) {
    let book = dir.join("books/broken");
    fs::create_dir_all(book.join("manuscript")).unwrap();
    fs::write(
        book.join("book.toml"),
        "title = \"Broken\"\nlanguage = \"en\"\n",
    )
    .unwrap();
    fs::write(
        book.join("manuscript/book.md"),
        "# Broken\n\nA sentence.[^x] And more.\n",
    )
    .unwrap();
}

fn workspace(dir: &Path, extra: &str) {
    fs::write(
        dir.join("quire.toml"),
        format!("books = [\"books/*\"]\nout = \"dist\"\n{extra}"),
    )
    .unwrap();
}

fn quire_in(dir: &Path, args: &[&str]) -> Output {
    run(quire().current_dir(dir).args(args))
}

fn report(path: &Path) -> Json {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    json::parse(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()))
}

/// Book path → status, from a report.
fn statuses(report: &Json) -> Vec<(String, String)> {
    report
        .get("books")
        .items()
        .iter()
        .map(|b| (b.get("path").show(), b.get("status").show()))
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks every line of a SHA256SUMS file against the files beside it; returns the names.
fn check_sums(dir: &Path) -> Vec<String> {
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).expect("SHA256SUMS");
    sums.lines()
        .map(|line| {
            let (hash, name) = line.split_once("  ").expect("sha256sum format");
            let bytes = fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(sha256(&bytes), hash, "{name} matches SHA256SUMS");
            name.to_string()
        })
        .collect()
}

#[test]
fn a_workspace_of_24_books_builds_every_good_book_and_reports_the_broken_one() {
    let dir = scratch("batch-24");
    write_books(dir.path(), 23);
    write_broken(dir.path());
    workspace(dir.path(), "");
    let out = quire_in(dir.path(), &["build", "-j", "2", "--json", "report.json"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--> books/broken/manuscript/book.md:3:12"),
        "the broken book's error points at its manuscript:\n{stderr}"
    );
    assert!(
        stderr.contains("error: 1 of 24 books failed: books/broken"),
        "{stderr}"
    );

    let dist = dir.path().join("dist");
    let names = check_sums(&dist);
    assert_eq!(
        names.len(),
        46,
        "an EPUB and a PDF for each good book: {names:?}"
    );
    for i in 0..23 {
        for ext in ["epub", "pdf"] {
            assert!(
                names.contains(&format!("signal-{i}.{ext}")),
                "signal-{i}.{ext}"
            );
        }
    }

    let report = report(&dir.path().join("report.json"));
    let summary = report.get("summary");
    assert_eq!(summary.get("books").as_f64(), Some(24.0));
    assert_eq!(summary.get("built").as_f64(), Some(23.0));
    assert_eq!(summary.get("failed").as_f64(), Some(1.0));
    let books = report.get("books").items();
    let broken = books
        .iter()
        .find(|b| b.get("path").as_str() == Some("books/broken"))
        .expect("the broken book is in the report");
    assert_eq!(broken.get("status").as_str(), Some("failed"));
    let error = &broken.get("errors").items()[0];
    assert_eq!(
        error.get("file").as_str(),
        Some("books/broken/manuscript/book.md")
    );
    assert_eq!(
        (error.get("line").as_f64(), error.get("column").as_f64()),
        (Some(3.0), Some(12.0))
    );
    assert!(
        error
            .get("hint")
            .as_str()
            .is_some_and(|h| h.contains("[^x]"))
    );
    let first = &books[0];
    assert_eq!(first.get("path").as_str(), Some("books/book-00"));
    assert_eq!(first.get("status").as_str(), Some("built"));
    assert!(first.get("pages").as_f64().is_some_and(|p| p >= 2.0));
    let epub = &first.get("outputs").items()[0];
    let bytes = fs::read(dist.join("signal-0.epub")).unwrap();
    assert_eq!(epub.get("sha256").as_str(), Some(sha256(&bytes).as_str()));
    assert_eq!(epub.get("bytes").as_f64(), Some(bytes.len() as f64));
    assert_eq!(epub.get("path").as_str(), Some("dist/signal-0.epub"));
    let stages: Vec<String> = first
        .get("stages")
        .items()
        .iter()
        .map(|s| s.get("stage").show())
        .collect();
    for stage in ["parse", "typeset", "epub", "pdf", "write"] {
        assert!(stages.iter().any(|s| s == stage), "{stage} in {stages:?}");
    }
}

#[test]
fn a_second_run_rebuilds_nothing_and_a_change_rebuilds_only_that_book() {
    let dir = scratch("batch-incremental");
    write_books(dir.path(), 6);
    workspace(dir.path(), "formats = [\"epub\"]\n");
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--json", "report.json"];
        args.extend_from_slice(extra);
        let out = quire_in(dir.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        statuses(&report(&dir.path().join("report.json")))
    };
    let built_only = |statuses: &[(String, String)]| -> Vec<String> {
        statuses
            .iter()
            .filter(|(_, s)| s == "built")
            .map(|(p, _)| p.clone())
            .collect()
    };
    assert_eq!(built_only(&build(&[])).len(), 6);
    let dist = dir.path().join("dist");
    let before = snapshot(&dist);

    let again = build(&[]);
    assert!(again.iter().all(|(_, s)| s == "up-to-date"), "{again:?}");
    assert_eq!(snapshot(&dist), before, "a no-op run writes nothing");

    let manuscript = dir.path().join("books/book-03/manuscript/book.md");
    let mut text = fs::read_to_string(&manuscript).unwrap();
    text.push_str("\nOne more sentence.\n");
    fs::write(&manuscript, text).unwrap();
    assert_eq!(built_only(&build(&[])), ["books/book-03"]);

    fs::remove_file(dist.join("signal-1.epub")).unwrap();
    fs::write(dist.join("signal-4.epub"), "tampered").unwrap();
    assert_eq!(built_only(&build(&[])), ["books/book-01", "books/book-04"]);

    // Workspace defaults and options are inputs too.
    workspace(
        dir.path(),
        "formats = [\"epub\"]\n[print]\ntrim = \"5x8\"\n",
    );
    assert_eq!(
        built_only(&build(&[])).len(),
        6,
        "a new trim changes every book"
    );
    assert_eq!(built_only(&build(&["-M", "date=1934"])).len(), 6);
    assert_eq!(built_only(&build(&["-M", "date=1934"])).len(), 0);
    assert_eq!(built_only(&build(&["-M", "date=1934", "--force"])).len(), 6);

    // A failed build keeps the last good output, and the book is built again once fixed.
    let good = fs::read(dist.join("signal-2.epub")).unwrap();
    let manuscript = dir.path().join("books/book-02/manuscript/book.md");
    let text = fs::read_to_string(&manuscript).unwrap();
    fs::write(&manuscript, format!("{text}\nA mark.[^missing]\n")).unwrap();
    let out = quire_in(dir.path(), &["build", "-M", "date=1934"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert_eq!(fs::read(dist.join("signal-2.epub")).unwrap(), good);
    assert!(
        String::from_utf8_lossy(&fs::read(dist.join("SHA256SUMS")).unwrap())
            .lines()
            .all(|l| !l.ends_with("signal-2.epub")),
        "a failed book's old file is not vouched for"
    );
    // Put back, the manuscript is what the kept output was made from: nothing to build.
    fs::write(&manuscript, text).unwrap();
    let fixed = build(&["-M", "date=1934"]);
    assert!(fixed.iter().all(|(_, s)| s == "up-to-date"), "{fixed:?}");
}

#[test]
fn one_and_two_jobs_give_byte_identical_outputs() {
    let outputs: Vec<_> = ["1", "2"]
        .iter()
        .map(|jobs| {
            let dir = scratch("batch-jobs");
            write_books(dir.path(), 6);
            write_broken(dir.path());
            workspace(dir.path(), "");
            let out = quire_in(dir.path(), &["build", "-j", jobs, "--release", "2024.05"]);
            assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
            let files = snapshot(&dir.path().join("dist"));
            (dir, files)
        })
        .collect();
    let names: Vec<&PathBuf> = outputs[0].1.iter().map(|(p, _)| p).collect();
    assert!(
        names.contains(&&PathBuf::from("signal-3-1.3.pdf")),
        "the book's own version names its files: {names:?}"
    );
    assert!(names.contains(&&PathBuf::from("SHA256SUMS")));
    assert!(names.contains(&&PathBuf::from(".quire/manifest.json")));
    assert!(
        outputs[0].1 == outputs[1].1,
        "-j 1 and -j 2 wrote different files or bytes"
    );
}

#[test]
fn shards_build_every_book_exactly_once_and_merge_reports_joins_them() {
    let dir = scratch("batch-shards");
    write_books(dir.path(), 24);
    workspace(dir.path(), "formats = [\"epub\"]\n");
    let mut seen = BTreeSet::new();
    for k in 1..=3 {
        let shard = format!("{k}/3");
        let json = format!("shard-{k}.json");
        let out_dir = format!("dist-{k}");
        let out = quire_in(
            dir.path(),
            &[
                "build", "--shard", &shard, "--out", &out_dir, "--json", &json,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        let books = statuses(&report(&dir.path().join(&json)));
        assert!(
            books.len() < 24,
            "shard {shard} has a share, not all: {books:?}"
        );
        for (path, status) in books {
            assert_eq!(status, "built");
            assert!(seen.insert(path.clone()), "{path} is in two shards");
        }
        check_sums(&dir.path().join(&out_dir));
    }
    assert_eq!(seen.len(), 24, "every book in some shard");

    let out = quire_in(
        dir.path(),
        &[
            "merge-reports",
            "shard-1.json",
            "shard-2.json",
            "shard-3.json",
            "dist-1/SHA256SUMS",
            "dist-2/SHA256SUMS",
            "dist-3/SHA256SUMS",
            "--json",
            "release.json",
            "--sums",
            "SHA256SUMS",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let merged = report(&dir.path().join("release.json"));
    assert_eq!(merged.get("summary").get("built").as_f64(), Some(24.0));
    let paths: Vec<String> = statuses(&merged).into_iter().map(|(p, _)| p).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "the release record is in book order");
    let sums = fs::read_to_string(dir.path().join("SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 24);
    assert_eq!(merged.get("checksums").items().len(), 24);

    // The same shard twice is refused.
    let out = quire_in(
        dir.path(),
        &[
            "merge-reports",
            "shard-1.json",
            "shard-1.json",
            "--json",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in more than one report"));
}

#[test]
fn release_names_versions_and_workspace_defaults() {
    let dir = scratch("batch-release");
    write_books(dir.path(), 2);
    // book-01 has its own trim; book-00 takes the workspace's.
    let toml = dir.path().join("books/book-01/book.toml");
    let own = fs::read_to_string(&toml)
        .unwrap()
        .replace("version = \"1.1\"\n", "");
    fs::write(&toml, format!("{own}\n[print]\ntrim = \"6x9\"\n")).unwrap();
    workspace(dir.path(), "formats = [\"pdf\"]\n[print]\ntrim = \"5x8\"\n");

    // A name pattern with {version} and a book without one: an error with a hint.
    let out = quire_in(dir.path(), &["build", "--names", "{slug}-v{version}"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("books/book-01: the book has no version"),
        "{stderr}"
    );
    assert!(stderr.contains("--release VERSION"), "{stderr}");

    let out = quire_in(dir.path(), &["build", "--release", "2.0"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let dist = dir.path().join("dist");
    assert_eq!(check_sums(&dist), ["signal-0-1.0.pdf", "signal-1-2.0.pdf"]);
    let width = |name: &str| {
        let pdf = lopdf::Document::load(dist.join(name)).expect("a PDF");
        let first = *pdf.get_pages().values().next().unwrap();
        let media = pdf
            .get_dictionary(first)
            .unwrap()
            .get(b"MediaBox")
            .unwrap()
            .clone();
        let w = &media.as_array().unwrap()[2];
        w.as_float()
            .map(f64::from)
            .or_else(|_| w.as_i64().map(|i| i as f64))
            .unwrap()
    };
    assert_eq!(width("signal-0-1.0.pdf"), 360.0, "the workspace's 5x8");
    assert_eq!(width("signal-1-2.0.pdf"), 432.0, "the book's own 6x9");

    for (args, message) in [
        (&["build", "--shard", "4/3"][..], "out of range"),
        (&["build", "--names", "{title}"][..], "unknown placeholder"),
        (&["build", "nowhere/*"][..], "`nowhere/*` matches no book"),
    ] {
        let out = quire_in(dir.path(), args);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[test]
fn a_bad_workspace_file_stops_the_batch_with_its_place() {
    let dir = scratch("batch-bad-ws");
    write_books(dir.path(), 1);
    fs::write(
        dir.path().join("quire.toml"),
        "books = [\"books/*\", \"missing\"]\n[print]\ntrim = \"huge\"\n",
    )
    .unwrap();
    let out = quire_in(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`huge` is not a trim size"), "{stderr}");
    assert!(stderr.contains("--> quire.toml:3:1"), "{stderr}");
    assert!(
        !dir.path().join("books/book-00/out").exists(),
        "nothing was built"
    );
}

/// The `BaseFont` names of a PDF's fonts.
fn base_fonts(pdf: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(pdf).expect("a PDF lopdf can read");
    let mut names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter_map(|d| d.get(b"BaseFont").ok())
        .filter_map(|n| n.as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn workspace_fonts_reach_every_book_and_are_inputs() {
    let dir = scratch("batch-fonts");
    write_books(dir.path(), 2);
    let fonts = crate::common::repo_root().join("fonts");
    fs::create_dir_all(dir.path().join("fonts")).unwrap();
    fs::copy(
        fonts.join("DejaVuSansMono.ttf"),
        dir.path().join("fonts/Body.ttf"),
    )
    .unwrap();
    workspace(
        dir.path(),
        "formats = [\"pdf\"]\n[fonts]\nregular = \"fonts/Body.ttf\"\n",
    );
    let build = || {
        let out = quire_in(dir.path(), &["build", "--json", "report.json"]);
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        statuses(&report(&dir.path().join("report.json")))
    };
    assert!(build().iter().all(|(_, s)| s == "built"));
    for i in 0..2 {
        let names = base_fonts(&dir.path().join(format!("dist/signal-{i}.pdf")));
        assert!(
            names.iter().any(|n| n.ends_with("+DejaVuSansMono")),
            "the workspace's regular face sets book {i}: {names:?}"
        );
    }
    assert!(build().iter().all(|(_, s)| s == "up-to-date"));
    fs::copy(
        fonts.join("DejaVuSans.ttf"),
        dir.path().join("fonts/Body.ttf"),
    )
    .unwrap();
    assert!(
        build().iter().all(|(_, s)| s == "built"),
        "a new font file is a new input of every book"
    );
}
