//! `quire build PATH...` as a batch, and `quire merge-reports`: flags become a
//! [`BatchRequest`], the results a summary, a JSON report and an exit code (0 every book built
//! or up to date, 1 any book failed, 2 usage).

use super::CommonArgs;
use crate::batch::progress::{self, Mode};
use crate::batch::report::{self, Report, Status};
use crate::batch::{self as driver, BatchRequest, NamePattern, Shard};
use crate::pipeline::Format;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub(super) struct BatchArgs {
    /// Books built at once, and threads in all [default: the number of cores].
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// Rebuild books even when nothing changed since their last build.
    #[arg(long)]
    force: bool,
    /// Release VERSION: the version of books without `version` in book.toml; names the files
    /// {slug}-{version}.epub unless --names says otherwise.
    #[arg(long, value_name = "VERSION")]
    release: Option<String>,
    /// Output file names, without extension: {slug} and {version} [default: {slug}].
    #[arg(long, value_name = "PATTERN")]
    names: Option<String>,
    /// Write a JSON report of every book to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Build only shard K of N (1-based), a stable share of the books by slug, for CI runners.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
}

impl BatchArgs {
    /// Whether a flag that only a batch has was given (then even one book is built as a batch).
    pub(super) fn is_batch(&self) -> bool {
        self.jobs.is_some()
            || self.force
            || self.release.is_some()
            || self.names.is_some()
            || self.json.is_some()
            || self.shard.is_some()
    }
}

#[derive(Debug, clap::Args)]
pub(super) struct MergeArgs {
    /// The shards' JSON reports (from --json), and any SHA256SUMS files to check and join.
    #[arg(required = true, value_name = "FILE")]
    inputs: Vec<PathBuf>,
    /// Write the merged release record to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE", default_value = "-")]
    json: PathBuf,
    /// Write the merged checksums to FILE, in sha256sum format.
    #[arg(long, value_name = "FILE")]
    sums: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

/// Builds a batch; returns the exit code.
pub(super) fn build(
    paths: &[PathBuf],
    common: &CommonArgs,
    formats: Option<Vec<Format>>,
    out: Option<PathBuf>,
    args: &BatchArgs,
    print: crate::config::print::PrintFlags,
    epoch: Option<i64>,
) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_default();
    let names = match args.names.as_deref().map(NamePattern::parse).transpose() {
        Ok(names) => names,
        Err(message) => {
            eprintln!("error: {message}\n  = hint: for example --names '{{slug}}-{{version}}'");
            return 2;
        }
    };
    if let Some(release) = &args.release
        && (release.is_empty()
            || !release
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+')))
    {
        eprintln!(
            "error: --release `{release}` cannot be part of a file name\n  = hint: use letters, digits, dots and hyphens, such as 2.1 or 2024-05"
        );
        return 2;
    }
    if args.jobs == Some(0) {
        eprintln!(
            "error: -j 0 builds nothing\n  = hint: give at least 1, or leave -j out to use every core"
        );
        return 2;
    }
    let found = driver::discover(paths, &cwd);
    super::report(&found.diagnostics, &found.sources, common.quiet);
    if found.diagnostics.has_errors() {
        eprintln!("error: the batch was not started; nothing was built");
        return 1;
    }
    let mode = if common.quiet {
        Mode::Quiet
    } else if std::io::stderr().is_terminal() {
        Mode::Live
    } else {
        Mode::Plain
    };
    let request = BatchRequest {
        metadata: common.metadata.clone(),
        source_date_epoch: epoch,
        print,
        formats,
        out_dir: out.map(|o| crate::manuscript::normalize(&cwd.join(o))),
        jobs: args.jobs.unwrap_or_else(crate::parallel::cores),
        force: args.force,
        release: args.release.clone(),
        names,
        shard: args.shard,
        mode,
        cwd,
    };
    let report = driver::run(&request, found.books);
    if !common.quiet {
        summary(&report, common.verbose);
    }
    let mut code = i32::from(report.summary.failed > 0 || report.summary.errors > 0);
    if let Some(json) = &args.json
        && let Err(message) = write_json(json, &report)
    {
        eprintln!("error: {message}\n  = hint: check that the folder exists and is writable");
        code = 1;
    }
    if report.summary.failed > 0 {
        let failed: Vec<&str> = report
            .books
            .iter()
            .filter(|b| b.status == Status::Failed)
            .map(|b| b.path.as_str())
            .collect();
        eprintln!(
            "error: {} of {} books failed: {}",
            failed.len(),
            report.books.len(),
            failed.join(", ")
        );
    }
    code
}

/// The end of a batch: one line per book in book order, then the totals.
fn summary(report: &Report, verbose: bool) {
    let s = &report.summary;
    if report.books.is_empty() {
        let shard = report
            .shard
            .as_ref()
            .map(|k| format!(" in shard {k}"))
            .unwrap_or_default();
        eprintln!("no books to build{shard}");
        return;
    }
    eprintln!("summary:");
    let width = report.books.iter().map(|b| b.path.len()).max().unwrap_or(0);
    for book in &report.books {
        let status = match book.status {
            Status::Built => "built",
            Status::UpToDate => "up to date",
            Status::Failed => "FAILED",
        };
        let detail = match book.status {
            Status::Failed => {
                let first = book
                    .errors
                    .first()
                    .map(|e| match (&e.file, e.line, e.column) {
                        (Some(f), Some(l), Some(c)) => format!(" ({f}:{l}:{c}: {})", e.message),
                        _ => format!(" ({})", e.message),
                    });
                format!(
                    "{} error{}{}",
                    book.errors.len(),
                    if book.errors.len() == 1 { "" } else { "s" },
                    first.unwrap_or_default()
                )
            }
            _ => book
                .outputs
                .iter()
                .map(|o| format!("{} ({})", o.file, progress::human_size(o.bytes)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        eprintln!("  {status:<10}  {:<width$}  {detail}", book.path);
        if verbose {
            for stage in &book.stages {
                eprintln!("  {:>14}: {:.1} ms", stage.stage, stage.ms);
            }
        }
    }
    eprintln!(
        "{} book{}: {} built, {} up to date, {} failed, {} warning{} in {:.1} s",
        s.books,
        if s.books == 1 { "" } else { "s" },
        s.built,
        s.up_to_date,
        s.failed,
        s.warnings,
        if s.warnings == 1 { "" } else { "s" },
        s.ms / 1000.0
    );
}

fn write_json(path: &Path, report: &Report) -> Result<(), String> {
    let text = report.to_json();
    if path == Path::new("-") {
        print!("{text}");
        return Ok(());
    }
    crate::output::write_atomic(path, text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `quire merge-reports`; returns the exit code.
pub(super) fn merge_reports(args: &MergeArgs) -> i32 {
    let mut reports = Vec::new();
    let mut sums = Vec::new();
    let mut failed = false;
    for input in &args.inputs {
        let text = match std::fs::read_to_string(input) {
            Ok(text) => text,
            Err(e) => {
                eprintln!(
                    "error: cannot read {}: {e}\n  = hint: pass the shards' --json reports and SHA256SUMS files",
                    input.display()
                );
                failed = true;
                continue;
            }
        };
        if text.trim_start().starts_with('{') {
            match serde_json::from_str::<Report>(&text) {
                Ok(r) if r.format == report::FORMAT => reports.push(r),
                Ok(r) => {
                    eprintln!(
                        "error: {} is a report of format {}; this quire reads format {}\n  = hint: merge reports made by the same quire version",
                        input.display(),
                        r.format,
                        report::FORMAT
                    );
                    failed = true;
                }
                Err(e) => {
                    eprintln!(
                        "error: {}:{}:{}: not a quire report: {e}\n  = hint: pass the files written by `quire build --json FILE`",
                        input.display(),
                        e.line(),
                        e.column()
                    );
                    failed = true;
                }
            }
        } else {
            match report::parse_sha256sums(&text) {
                Ok(list) => sums.extend(list),
                Err((line, message)) => {
                    eprintln!(
                        "error: {}:{line}:1: {message}\n  = hint: pass JSON reports or SHA256SUMS files (sha256sum format)",
                        input.display()
                    );
                    failed = true;
                }
            }
        }
    }
    if failed {
        return 1;
    }
    let merged = match report::merge(reports, sums) {
        Ok(merged) => merged,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            eprintln!("  = hint: each book must be built by exactly one shard (1/N … N/N)");
            return 1;
        }
    };
    if let Err(message) = write_json(&args.json, &merged) {
        eprintln!("error: {message}");
        return 1;
    }
    if let Some(path) = &args.sums
        && let Err(e) =
            crate::output::write_atomic(path, report::sha256sums(&merged.checksums).as_bytes())
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return 1;
    }
    let s = &merged.summary;
    if !args.quiet {
        eprintln!(
            "merged {} report{}: {} books, {} built, {} up to date, {} failed, {} checksums",
            args.inputs.len(),
            if args.inputs.len() == 1 { "" } else { "s" },
            s.books,
            s.built,
            s.up_to_date,
            s.failed,
            merged.checksums.len()
        );
    }
    if s.failed > 0 {
        eprintln!(
            "error: {} of {} books failed in the shards",
            s.failed, s.books
        );
        return 1;
    }
    0
}
