//! `cargo bench --bench batch`: issue 5's figures for batch builds, on a workspace of books
//! that are each the bundled book under another title (EPUB and PDF).
//!
//! - the first run of 24 books (`-j` = the cores), and a second run with nothing changed as a
//!   share of it (target: under 5 %);
//! - `-j 2` against `-j 1` on the same 24 books, both with `--force` (target: at least 1.7× on
//!   two cores); medians of alternating runs, since the machine is noisy;
//! - the peak memory of a whole batch of 8 and of 24 books at `-j 2`, each in a fresh process
//!   (this benchmark run again with `QUIRE_BENCH_BATCH=<workspace>`, which builds in-process and
//!   reads its own `VmHWM`): it should depend on the jobs, not on the number of books.
//!
//! The runs go through the real `quire` binary (or `quire::cli::run` for the memory), so they
//! include process start, discovery, hashing and writing.

/// The allocator the `quire` binary uses, so that the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::env;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const EPOCH: &str = "1700000000";

/// Writes a workspace of `count` books: the bundled manuscript under other titles.
fn workspace(dir: &Path, count: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = fs::read_to_string(root.join("manuscript/alarm-signal.md")).expect("manuscript");
    for i in 0..count {
        let book = dir.join(format!("books/book-{i:02}"));
        fs::create_dir_all(book.join("manuscript")).expect("create a book");
        fs::write(
            book.join("book.toml"),
            format!(
                "title = \"Alarm Signal {i}\"\nauthor = \"Leon Trotsky\"\nlanguage = \"en\"\ndate = \"1933\"\nversion = \"1.0\"\n"
            ),
        )
        .expect("write book.toml");
        fs::write(book.join("manuscript/book.md"), &text).expect("write the manuscript");
    }
    fs::write(
        dir.join("quire.toml"),
        "books = [\"books/*\"]\nout = \"dist\"\n",
    )
    .expect("write quire.toml");
}

/// CPU time (user + system) of this process's finished children so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we pass and reads nothing else.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.max(0) as u64) + Duration::from_micros(t.tv_usec.max(0) as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `quire build` in `dir` with `args`; returns the wall time.
fn build(dir: &Path, args: &[&str]) -> Duration {
    timed_build(dir, args).0
}

/// Runs `quire build` in `dir` with `args`; returns the wall time and the CPU time.
fn timed_build(dir: &Path, args: &[&str]) -> (Duration, Duration) {
    let cpu = children_cpu();
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_quire"))
        .current_dir(dir)
        .arg("build")
        .arg("--quiet")
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("run quire");
    let took = started.elapsed();
    let cpu = children_cpu().saturating_sub(cpu);
    assert!(
        output.status.success(),
        "quire build {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (took, cpu)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

/// The peak resident set of this process (`VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Peak memory of a whole batch over `dir` at `-j 2`, in a fresh process.
fn peak_rss_of(dir: &Path) -> Result<u64, String> {
    let output = Command::new(env::current_exe().map_err(|e| e.to_string())?)
        .env("QUIRE_BENCH_BATCH", dir)
        .env("SOURCE_DATE_EPOCH", EPOCH)
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

fn main() {
    // What the binary does first (see `quire::process`), so that the figures are the binary's.
    quire::process::no_huge_pages();
    // The child of `peak_rss_of`: one batch in this process, then the peak.
    if let Some(dir) = env::var_os("QUIRE_BENCH_BATCH") {
        let dir = Path::new(&dir);
        let code = quire::cli::run([
            "quire".as_ref(),
            "build".as_ref(),
            "--quiet".as_ref(),
            "--force".as_ref(),
            "-j".as_ref(),
            "2".as_ref(),
            dir.as_os_str(),
        ]);
        assert_eq!(code, 0, "the batch failed");
        println!("{}", peak_rss_kib().expect("VmHWM in /proc/self/status"));
        return;
    }
    if env::args().any(|a| a == "--list") {
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("batch builds of the bundled book under other titles, EPUB + PDF, {cores} cores\n");

    let scratch = tempfile::tempdir().expect("a scratch directory");
    let ws = scratch.path().join("ws24");
    workspace(&ws, 24);

    let first = build(&ws, &[]);
    let noop = median((0..5).map(|_| build(&ws, &[])).collect());
    println!("24 books, first run (-j {cores}):      {}", secs(first));
    println!(
        "24 books, nothing changed:          {} ({:.1} % of the first run; target < 5 %)",
        secs(noop),
        100.0 * noop.as_secs_f64() / first.as_secs_f64()
    );
    let manuscript = ws.join("books/book-07/manuscript/book.md");
    let mut text = fs::read_to_string(&manuscript).expect("read a manuscript");
    text.push_str("\nOne more sentence.\n");
    fs::write(&manuscript, text).expect("change a manuscript");
    let one = build(&ws, &[]);
    println!("24 books, one manuscript changed:   {}", secs(one));

    let (mut j1, mut j2, mut cpu1, mut cpu2) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let (wall, cpu) = timed_build(&ws, &["--force", "-j", "1"]);
        j1.push(wall);
        cpu1.push(cpu);
        let (wall, cpu) = timed_build(&ws, &["--force", "-j", "2"]);
        j2.push(wall);
        cpu2.push(cpu);
    }
    let (j1, j2) = (median(j1), median(j2));
    println!(
        "24 books, --force -j 1 / -j 2:     {} / {}: {:.2}× (target ≥ 1.7× on 2 cores)",
        secs(j1),
        secs(j2),
        j1.as_secs_f64() / j2.as_secs_f64()
    );
    println!(
        "  per book at -j 2:                 {:.0} ms",
        j2.as_secs_f64() * 1000.0 / 24.0
    );
    // On a machine shared with other work the wall times say little; the CPU time shows what
    // running two books at once costs in extra work (the speed-up on an idle machine is at
    // most 2 × cpu(-j 1) / cpu(-j 2)).
    let (cpu1, cpu2) = (median(cpu1), median(cpu2));
    println!(
        "  CPU time -j 1 / -j 2:             {} / {} (load average now {})",
        secs(cpu1),
        secs(cpu2),
        fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|l| l.split_whitespace().next().map(str::to_string))
            .unwrap_or_else(|| "unknown".into())
    );

    println!("\npeak RSS of a whole batch at -j 2, in a fresh process:");
    let ws8 = scratch.path().join("ws8");
    workspace(&ws8, 8);
    for (books, dir) in [(8, &ws8), (24, &ws)] {
        match peak_rss_of(dir) {
            Ok(kib) => println!("  {books:>2} books: {:.1} MiB", kib as f64 / 1024.0),
            Err(e) => println!("  {books:>2} books: not measured ({e})"),
        }
    }
}
