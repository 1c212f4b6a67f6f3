//! `cargo bench --bench typeset`: how long quire takes, stage by stage, on the bundled book and
//! on the bundled text repeated 10 and 40 times, and how that compares with pandoc.
//!
//! Issue 3's figures: the cost per page stays flat from 1× to 40×; the 40× book needs well under
//! a second and 150 MiB; `quire build` of the bundled book (EPUB and PDF together) takes at most a
//! quarter of the time pandoc takes to make the EPUB alone.
//!
//! Plain `std::time::Instant`, medians of several runs (the machine is noisy). Each typeset run
//! gets a fresh shaper, so every run shapes its words from scratch as one `quire build` process
//! does; the fonts themselves are parsed once per process, as in the binary. The peak memory of
//! the 40× book is measured in a child process (this benchmark run again with
//! `QUIRE_BENCH_PEAK=<book>`), which loads, typesets and writes it once and reads its own
//! `VmHWM`. pandoc is optional: without it the comparison is skipped.

/// The allocator the `quire` binary uses, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use quire::epub::{self, EpubOptions};
use quire::pipeline::{self, LoadRequest};
use quire::typeset::{self, TypesetOptions, font::Fonts};

/// A fixed date, so that every run makes the same bytes.
const EPOCH: i64 = 1_700_000_000;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One book's stage times (medians) and sizes.
struct Row {
    name: String,
    runs: usize,
    pages: usize,
    glyphs: usize,
    load: Duration,
    typeset: Duration,
    pdf: Duration,
    epub: Duration,
    pdf_bytes: usize,
    epub_bytes: usize,
}

impl Row {
    fn total(&self) -> Duration {
        self.load + self.typeset + self.pdf + self.epub
    }

    /// Load, typeset and PDF per page: the print path's cost per page.
    fn per_page(&self) -> f64 {
        ms(self.load + self.typeset + self.pdf) / self.pages.max(1) as f64
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Times `f`, returning its result too.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = f();
    (value, started.elapsed())
}

/// The outputs of one pass through every stage.
struct Pass {
    pages: usize,
    glyphs: usize,
    pdf_bytes: usize,
    epub_bytes: usize,
    times: [Duration; 4],
}

/// Loads, typesets and writes the book at `path` once.
fn pass(path: &Path) -> Pass {
    let request = LoadRequest {
        path: path.to_path_buf(),
        metadata: Vec::new(),
        source_date_epoch: Some(EPOCH),
        defaults: None,
    };
    let (loaded, load) = timed(|| pipeline::load(&request));
    assert!(
        !loaded.diagnostics.has_errors(),
        "{} does not load without errors: {:?}",
        path.display(),
        loaded.diagnostics.iter().collect::<Vec<_>>()
    );
    let book = loaded.book.expect("a loaded book");
    let options = TypesetOptions {
        // A fresh shaper (and word cache) per run, as in one `quire build` process.
        fonts: Some(Fonts::bundled()),
        ..TypesetOptions::default()
    };
    let (set, typeset_time) = timed(|| typeset::typeset(&book, &options));
    let (pdf, pdf_time) = timed(|| quire::pdf::write(&set.document));
    let pdf = pdf.unwrap_or_else(|e| panic!("{e}"));
    let (epub, epub_time) = timed(|| epub::write(&book, &EpubOptions::default()));
    let epub = epub.unwrap_or_else(|e| panic!("{e}"));
    let glyphs = set
        .document
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|item| match item {
            typeset::layout::PageItem::Glyphs(run) => run.glyphs.len(),
            _ => 0,
        })
        .sum();
    Pass {
        pages: set.document.pages.len(),
        glyphs,
        pdf_bytes: pdf.len(),
        epub_bytes: epub.len(),
        times: [load, typeset_time, pdf_time, epub_time],
    }
}

/// Runs every stage `runs` times (after one warm-up) and keeps the medians; also returns the
/// warm-up pass itself.
fn bench_book(name: &str, path: &Path, runs: usize) -> (Row, Row) {
    let first = pass(path);
    let mut samples: [Vec<Duration>; 4] = Default::default();
    for _ in 0..runs {
        let p = pass(path);
        assert_eq!(
            p.pdf_bytes, first.pdf_bytes,
            "{name}: the PDF changes from run to run"
        );
        for (stage, time) in p.times.into_iter().enumerate() {
            samples[stage].push(time);
        }
    }
    let row = |name: String, runs: usize, [load, typeset, pdf, epub]: [Duration; 4]| Row {
        name,
        runs,
        pages: first.pages,
        glyphs: first.glyphs,
        load,
        typeset,
        pdf,
        epub,
        pdf_bytes: first.pdf_bytes,
        epub_bytes: first.epub_bytes,
    };
    (
        row(format!("{name}, 1st"), 1, first.times),
        row(name.to_owned(), runs, samples.map(median)),
    )
}

/// A book folder holding the bundled manuscript `copies` times: each part title gets the copy's
/// number (`# PART I (3)`) and each note label its own name (`[^1]` → `[^c3-1]`), so the book
/// stays valid; section ids are made unique by quire (`money-inflation-2`, …).
fn repeated_book(dir: &Path, copies: usize) -> PathBuf {
    let root = repo_root();
    let manuscript =
        fs::read_to_string(root.join("manuscript/alarm-signal.md")).expect("read the manuscript");
    let mut text = String::new();
    for copy in 1..=copies {
        for line in manuscript.lines() {
            let line = line.replace("[^", &format!("[^c{copy}-"));
            match line.strip_prefix("# ") {
                Some(title) => text.push_str(&format!("# {title} ({copy})")),
                None => text.push_str(&line),
            }
            text.push('\n');
        }
        text.push('\n');
    }
    let book = dir.join(format!("alarm-signal-x{copies}"));
    fs::create_dir_all(book.join("manuscript")).expect("create the book's folder");
    fs::write(book.join("manuscript/alarm-signal.md"), text).expect("write the manuscript");
    let toml = fs::read_to_string(root.join("book.toml")).expect("read book.toml");
    fs::write(book.join("book.toml"), toml).expect("write book.toml");
    book
}

/// The peak resident set of this process, from `/proc/self/status` (`VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Peak memory of one load + typeset + PDF + EPUB of `book`, in a fresh process.
fn peak_rss_of(book: &Path) -> Result<u64, String> {
    let exe = env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .env("QUIRE_BENCH_PEAK", book)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|e| format!("the child printed no peak: {e}"))
}

/// The command line: `quire build` vs `pandoc`, alternating, medians.
fn compare_with_pandoc(book: &Path, runs: usize) {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let quire_bin = env!("CARGO_BIN_EXE_quire");
    let quire_run = |formats: &str| {
        let started = Instant::now();
        let status = Command::new(quire_bin)
            .args(["build", "--quiet", "--format", formats, "--out"])
            .arg(scratch.path().join("quire"))
            .arg(book)
            .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
            .status()
            .expect("run quire");
        (status.success(), started.elapsed())
    };
    // EPUB and PDF together, unless this quire cannot make PDFs yet.
    let formats = if quire_run("epub,pdf").0 {
        "epub,pdf"
    } else {
        println!("note: `quire build --format epub,pdf` fails; timing --format epub alone");
        "epub"
    };
    let pandoc = Command::new("pandoc").arg("--version").output();
    let pandoc_version = match pandoc {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("pandoc")
            .to_owned(),
        _ => {
            println!("\npandoc not found: skipping the comparison");
            let times = (0..runs).map(|_| quire_run(formats).1).collect();
            println!(
                "quire build --format {formats}: median {:.1} ms",
                ms(median(times))
            );
            return;
        }
    };
    let pandoc_run = || {
        let started = Instant::now();
        let status = Command::new("pandoc")
            .arg(book.join("manuscript/alarm-signal.md"))
            .arg("-o")
            .arg(scratch.path().join("pandoc.epub"))
            .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
            // Its warning about the missing <title> is expected: the command is the issue's.
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run pandoc");
        assert!(status.success(), "pandoc failed");
        started.elapsed()
    };
    pandoc_run(); // warm the page cache
    let (mut quire_times, mut epub_times, mut pandoc_times) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (ok, t) = quire_run(formats);
        assert!(ok, "quire build failed");
        quire_times.push(t);
        pandoc_times.push(pandoc_run());
        let (ok, t) = quire_run("epub");
        assert!(ok, "quire build --format epub failed");
        epub_times.push(t);
    }
    let (q, p) = (median(quire_times), median(pandoc_times));
    let ratio = q.as_secs_f64() / p.as_secs_f64();
    println!("\n{pandoc_version} vs quire, {runs} alternating runs each, medians:");
    println!("  pandoc alarm-signal.md -o book.epub    {:8.1} ms", ms(p));
    println!("  quire build --format {formats:<9}       {:8.1} ms", ms(q));
    println!(
        "  quire build --format epub               {:8.1} ms",
        ms(median(epub_times))
    );
    println!(
        "  ratio quire / pandoc: {ratio:.3} (target ≤ 0.25: {})",
        if ratio <= 0.25 { "met" } else { "NOT met" }
    );
}

fn main() {
    // As the binary does (and its child too, for the peak).
    quire::process::no_huge_pages();
    // The child of `peak_rss_of`: one pass, then the peak.
    if let Some(book) = env::var_os("QUIRE_BENCH_PEAK") {
        pass(Path::new(&book));
        println!("{}", peak_rss_kib().expect("VmHWM in /proc/self/status"));
        return;
    }
    // `cargo test --benches` runs benchmarks with `--test`: do nothing then.
    if env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }

    let (_, fonts) = timed(Fonts::bundled);
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let books = [
        ("bundled (1×)", repo_root().to_path_buf(), 15),
        ("10×", repeated_book(scratch.path(), 10), 7),
        ("40×", repeated_book(scratch.path(), 40), 5),
    ];

    println!(
        "quire {} — stage medians per book",
        env!("CARGO_PKG_VERSION")
    );
    println!(
        "(the bundled fonts are parsed once per process, before the stages: {:.1} ms)",
        ms(fonts)
    );
    println!("(typeset: a fresh shaper per run; ms/page = (load + typeset + PDF) / pages)\n");
    println!(
        "{:<17} {:>4} {:>6} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8} {:>9} {:>9}",
        "book",
        "runs",
        "pages",
        "glyphs",
        "load+parse",
        "typeset",
        "PDF",
        "EPUB",
        "total",
        "ms/page",
        "PDF KB",
        "EPUB KB"
    );
    let mut rows = Vec::new();
    let print = |row: &Row| {
        println!(
            "{:<17} {:>4} {:>6} {:>7} {:>7.1} ms {:>6.1} ms {:>6.1} ms {:>6.1} ms {:>6.1} ms {:>8.3} \
             {:>9.1} {:>9.1}",
            row.name,
            row.runs,
            row.pages,
            row.glyphs,
            ms(row.load),
            ms(row.typeset),
            ms(row.pdf),
            ms(row.epub),
            ms(row.total()),
            row.per_page(),
            row.pdf_bytes as f64 / 1000.0,
            row.epub_bytes as f64 / 1000.0,
        )
    };
    for (i, (name, path, runs)) in books.iter().enumerate() {
        let (first, row) = bench_book(name, path, *runs);
        if i == 0 {
            // The process's first pass: cold caches, as in one `quire build`.
            print(&first);
        }
        print(&row);
        rows.push(row);
    }
    let base = rows[0].per_page();
    println!(
        "\ncost per page relative to the bundled book: {}",
        rows.iter()
            .map(|r| format!("{} {:.2}", r.name, r.per_page() / base))
            .collect::<Vec<_>>()
            .join(", ")
    );
    // Issue 3's figures for the print path: flat cost per page from 10× on, and the 40× book
    // loaded, typeset and written in well under a second.
    let (ten, forty) = (&rows[1], &rows[2]);
    println!(
        "cost per page, 40× / 10×: {:.2} (target: flat, about 1)",
        forty.per_page() / ten.per_page()
    );
    let print_path = forty.load + forty.typeset + forty.pdf;
    println!(
        "40×: load + typeset + PDF = {:.0} ms (target < 750 ms: {})",
        ms(print_path),
        if ms(print_path) < 750.0 {
            "met"
        } else {
            "NOT met"
        }
    );

    println!("\npeak RSS of one load + typeset + PDF + EPUB, each in a fresh process:");
    for (name, path, _) in &books {
        match peak_rss_of(path) {
            Ok(kib) => println!("  {name:<13} {:7.1} MiB", kib as f64 / 1024.0),
            Err(e) => println!("  {name:<13} not measured ({e})"),
        }
    }
    println!("  (target for the 40× book: < 150 MiB)");

    compare_with_pandoc(repo_root(), 11);
}
