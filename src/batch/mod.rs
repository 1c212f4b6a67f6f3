//! The batch driver: many books, in parallel, incremental, for CI and release day.
//!
//! ```text
//! discover (paths, globs, quire.toml) ─> shard ─> plan each book (out folder, formats, names)
//!   ─> on N workers, per book: up to date? (manifest) ─┬─ yes: reuse its record
//!                                                     └─ no:  pipeline::produce ─> name ─> write
//!   ─> manifests, SHA256SUMS per output folder ─> report (summary, --json)
//! ```
//!
//! The single-book build ([`crate::pipeline::produce`]) stays the unit of work; this module
//! only decides which books to build, where their files go and what to say about them.
//!
//! Invariants:
//! - One failing book never stops the others; the report lists every book, in path order.
//! - Outputs depend only on inputs: the same books give the same bytes (EPUB, PDF, manifest,
//!   `SHA256SUMS`) whatever `-j` and whichever book finishes first.
//! - At most `-j` threads work at once, books and the parts inside them together (see
//!   [`crate::parallel`]); a worker holds one book at a time, so memory grows with the jobs,
//!   not with the number of books.
//! - A failed book writes nothing: its last good outputs (and their manifest entry) stay.

mod discover;
mod manifest;
mod names;
pub mod progress;
pub mod report;
mod shard;
mod workspace;

pub use discover::{BookSource, Discovery, discover, is_single_book};
pub use names::NamePattern;
pub use shard::Shard;

use crate::diag::{Diagnostics, SourceMap, render};
use crate::parallel::Slots;
use crate::pipeline::{self, BuildRequest, Format, LoadRequest};
use manifest::{Entry, Manifest, OutputEntry};
use progress::{Mode, Progress, Rendered};
use report::{BookReport, Checksum, OutputReport, Problem, Report, StageTime, Status, Summary};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The validated plan of a batch: what the command line asked for.
#[derive(Debug, Clone)]
pub struct BatchRequest {
    /// `-M key=value`, for every book.
    pub metadata: Vec<(String, String)>,
    pub source_date_epoch: Option<i64>,
    /// `--trim`, `--bleed`, `--crop-marks`, for every book.
    pub print: crate::config::print::PrintFlags,
    /// `--format`; else the workspace's; else EPUB and PDF.
    pub formats: Option<Vec<Format>>,
    /// `--out`, absolute; else the workspace's `out`; else each book's `out/`.
    pub out_dir: Option<PathBuf>,
    /// Threads at once (`-j`).
    pub jobs: usize,
    /// Rebuild even the books that are up to date.
    pub force: bool,
    /// `--release VERSION`: the version of books that have none, and release file names.
    pub release: Option<String>,
    /// `--names`; else the workspace's; else `{slug}` (`{slug}-{version}` with `--release`).
    pub names: Option<NamePattern>,
    pub shard: Option<Shard>,
    pub mode: Mode,
    /// Where quire runs: paths in messages and in the report are relative to it.
    pub cwd: PathBuf,
}

/// Builds the books and returns the report (also written to the manifests and SHA256SUMS).
pub fn run(request: &BatchRequest, books: Vec<BookSource>) -> Report {
    let started = Instant::now();
    let books: Vec<BookSource> = match request.shard {
        Some(shard) => books
            .into_iter()
            .filter(|b| shard.contains(&shard::key(&b.path, b.single_file)))
            .collect(),
        None => books,
    };
    let plans: Vec<Plan> = books.into_iter().map(|b| Plan::new(b, request)).collect();
    let mut manifests: BTreeMap<PathBuf, Manifest> = BTreeMap::new();
    for plan in &plans {
        manifests
            .entry(plan.out_dir.clone())
            .or_insert_with(|| manifest::read(&plan.out_dir));
    }

    let progress = Progress::new(request.mode, plans.len());
    let claims = Mutex::new(BTreeMap::new());
    let outcomes = {
        let previous = crate::parallel::set_threads(request.jobs);
        let manifests = &manifests;
        // Writers take made books from the workers, so that typesetting goes on while the
        // disk flushes. They wait on the disk, not on a core: the thread budget leaves them
        // out. The queue is short, so memory still depends on the jobs, not on the books.
        let (queue, made) = std::sync::mpsc::sync_channel::<Made>(request.jobs.max(1));
        let made = Mutex::new(made);
        let done: Mutex<Vec<Option<Outcome>>> = Mutex::new(plans.iter().map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..request.jobs.clamp(1, 4) {
                scope.spawn(|| {
                    loop {
                        let next = lock(&made).recv();
                        let Ok(Made {
                            index,
                            mut outcome,
                            files,
                        }) = next
                        else {
                            break;
                        };
                        write_files(&mut outcome, files);
                        progress.finished(index, &outcome.report, &outcome.rendered);
                        if let Some(slot) = lock(&done).get_mut(index) {
                            *slot = Some(outcome);
                        }
                    }
                });
            }
            run_all(&plans, request.jobs, |index, plan| {
                progress.started(index, &plan.source.shown);
                let entry = manifests
                    .get(&plan.out_dir)
                    .and_then(|m| m.books.get(&plan.key));
                let (outcome, files) =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        build_one(plan, entry, request, &claims)
                    }))
                    .unwrap_or_else(|_| {
                        let failed =
                            Outcome::failed(plan, "quire stopped unexpectedly on this book");
                        (failed, Vec::new())
                    });
                let _ = queue.send(Made {
                    index,
                    outcome,
                    files,
                });
            });
            drop(queue);
        });
        crate::parallel::set_threads(previous);
        let done = done
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        plans
            .iter()
            .zip(done)
            .map(|(plan, outcome)| {
                outcome
                    .unwrap_or_else(|| Outcome::failed(plan, "the book's files were not written"))
            })
            .collect::<Vec<_>>()
    };
    progress.finish();

    // Manifests and checksums, folder by folder, in book order.
    let mut sums: BTreeMap<PathBuf, Vec<Checksum>> = BTreeMap::new();
    let mut write_errors = Vec::new();
    for (plan, outcome) in plans.iter().zip(&outcomes) {
        if let Some(entry) = &outcome.entry
            && let Some(m) = manifests.get_mut(&plan.out_dir)
        {
            m.books.insert(plan.key.clone(), entry.clone());
        }
        if outcome.report.status != Status::Failed {
            let folder = sums.entry(plan.out_dir.clone()).or_default();
            folder.extend(outcome.report.outputs.iter().map(|o| Checksum {
                file: o.file.clone(),
                sha256: o.sha256.clone(),
            }));
        }
    }
    for (dir, manifest) in &manifests {
        let changed = plans
            .iter()
            .zip(&outcomes)
            .any(|(p, o)| &p.out_dir == dir && o.entry.is_some());
        if changed && let Err(e) = manifest::write(dir, manifest) {
            write_errors.push(format!(
                "cannot write {}: {e}",
                dir.join(manifest::FILE).display()
            ));
        }
    }
    for (dir, checksums) in &sums {
        if checksums.is_empty() {
            continue;
        }
        let text = report::sha256sums(checksums);
        let path = dir.join("SHA256SUMS");
        if std::fs::read(&path).ok().as_deref() != Some(text.as_bytes())
            && let Err(e) = crate::output::write_atomic(&path, text.as_bytes())
        {
            write_errors.push(format!("cannot write {}: {e}", path.display()));
        }
    }
    for message in &write_errors {
        eprintln!("error: {message}\n  = hint: check that the output folder is writable");
    }

    let books: Vec<BookReport> = outcomes.into_iter().map(|o| o.report).collect();
    let mut checksums: Vec<Checksum> = sums.into_values().flatten().collect();
    checksums.sort();
    checksums.dedup();
    let mut summary = Summary::of(&books, ms(started.elapsed()));
    summary.errors += write_errors.len();
    Report {
        quire: env!("CARGO_PKG_VERSION").to_string(),
        format: report::FORMAT,
        shard: request.shard.map(|s| s.to_string()),
        release: request.release.clone(),
        jobs: request.jobs,
        summary,
        books,
        checksums,
    }
}

/// A book made in memory, on its way to a writer.
struct Made {
    index: usize,
    outcome: Outcome,
    /// Where each file goes, and its bytes.
    files: Vec<(PathBuf, Vec<u8>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `f` on every plan, in order of index, on up to `jobs` workers (the calling thread is
/// one of them).
fn run_all<F>(plans: &[Plan], jobs: usize, f: F)
where
    F: Fn(usize, &Plan) + Sync,
{
    let next = AtomicUsize::new(0);
    let work = |_slot: Slots| {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(plan) = plans.get(i) else { break };
            f(i, plan);
        }
        // The worker's slot goes back here, for the books still running to use.
    };
    let running = crate::parallel::Helpers::default();
    std::thread::scope(|scope| {
        let workers = jobs.clamp(1, plans.len().max(1));
        let mut helpers = Slots::take(workers - 1);
        let work = &work;
        while let Some(slot) = helpers.split_one() {
            let guard = running.start();
            scope.spawn(move || {
                let _guard = guard;
                work(slot);
            });
        }
        work(Slots::take(0));
        // Out of books: lend this thread's slot to the books still being built.
        running.wait();
    });
}

/// Writes a made book's files, each atomically; a failure fails the book (its other files may
/// be new, but no manifest entry vouches for them, so the next run builds it again).
fn write_files(outcome: &mut Outcome, files: Vec<(PathBuf, Vec<u8>)>) {
    if files.is_empty() {
        return;
    }
    let started = Instant::now();
    for (path, bytes) in files {
        if let Err(e) = crate::output::write_atomic(&path, &bytes) {
            let message = format!("cannot write {}: {e}", path.display());
            let hint = "check that the output folder is writable";
            outcome.rendered.push(Rendered {
                is_error: true,
                text: format!(
                    "error: {}: {message}\n  = hint: {hint}\n",
                    outcome.report.path
                ),
            });
            outcome.report.errors.push(Problem {
                message,
                hint: Some(hint.to_string()),
                file: None,
                line: None,
                column: None,
            });
            outcome.report.status = Status::Failed;
            outcome.report.outputs.clear();
            outcome.entry = None;
            break;
        }
    }
    let took = started.elapsed();
    outcome.report.stages.push(StageTime {
        stage: "write".to_string(),
        ms: ms(took),
    });
    outcome.report.ms += ms(took);
}

/// One book's settings for this run.
struct Plan {
    source: BookSource,
    out_dir: PathBuf,
    formats: Vec<Format>,
    names: NamePattern,
    /// The book's name in its output folder's manifest.
    key: String,
    /// Everything besides the book's files that its outputs depend on.
    options: String,
}

impl Plan {
    fn new(source: BookSource, request: &BatchRequest) -> Plan {
        let ws = source.workspace.as_deref();
        let out_dir = request
            .out_dir
            .clone()
            .or_else(|| ws.and_then(|w| w.out.clone()))
            .unwrap_or_else(|| source.root().join("out"));
        let formats = request
            .formats
            .clone()
            .or_else(|| ws.and_then(|w| w.formats.clone()))
            .unwrap_or_else(|| vec![Format::Epub, Format::Pdf]);
        let names = request
            .names
            .clone()
            .or_else(|| ws.and_then(|w| w.names.clone()))
            .unwrap_or_else(|| {
                if request.release.is_some() {
                    NamePattern::release()
                } else {
                    NamePattern::slug()
                }
            });
        let key = manifest::relative(&out_dir, &source.path);
        let options = format!(
            "quire {}\nformats {formats:?}\nmetadata {:?}\nepoch {:?}\nprint {:?}\nnames {names}\nrelease {:?}\nworkspace {}",
            env!("CARGO_PKG_VERSION"),
            request.metadata,
            request.source_date_epoch,
            request.print,
            request.release,
            ws.map_or("", |w| w.fingerprint.as_str()),
        );
        Plan {
            source,
            out_dir,
            formats,
            names,
            key,
            options,
        }
    }

    /// Folders whose files are outputs, not inputs.
    fn skip(&self) -> Vec<PathBuf> {
        vec![self.out_dir.clone(), self.source.root().join("out")]
    }
}

/// A finished book: its report, what to print, and its new manifest entry when it was built.
struct Outcome {
    report: BookReport,
    rendered: Vec<Rendered>,
    entry: Option<Entry>,
}

impl Outcome {
    fn failed(plan: &Plan, message: &str) -> Outcome {
        let problem = Problem {
            message: message.to_string(),
            hint: Some("this is a bug in quire: please report it with the book".into()),
            file: None,
            line: None,
            column: None,
        };
        Outcome {
            rendered: vec![Rendered {
                is_error: true,
                text: format!("error: {}: {message}", plan.source.shown),
            }],
            report: BookReport {
                path: plan.source.shown.clone(),
                slug: None,
                title: None,
                version: None,
                status: Status::Failed,
                outputs: Vec::new(),
                pages: None,
                warnings: Vec::new(),
                errors: vec![problem],
                stages: Vec::new(),
                ms: 0.0,
            },
            entry: None,
        }
    }
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// Checks whether the book is up to date; builds it if not.
fn build_one(
    plan: &Plan,
    previous: Option<&Entry>,
    request: &BatchRequest,
    claims: &Mutex<BTreeMap<PathBuf, String>>,
) -> (Outcome, Vec<(PathBuf, Vec<u8>)>) {
    let started = Instant::now();
    let source = &plan.source;
    let root = source.root().to_path_buf();
    let mut stages = Vec::new();
    let mut report = BookReport {
        path: source.shown.clone(),
        slug: None,
        title: None,
        version: None,
        status: Status::Failed,
        outputs: Vec::new(),
        pages: None,
        warnings: Vec::new(),
        errors: Vec::new(),
        stages: Vec::new(),
        ms: 0.0,
    };

    // Up to date?
    let check = Instant::now();
    let tree = manifest::tree_digest(&source.path, source.single_file, &plan.skip()).ok();
    let up_to_date = match (previous, &tree) {
        (Some(entry), Some(tree)) if !request.force => {
            manifest::extras_digest(&root, &entry.extra_inputs).is_ok_and(|extras| {
                manifest::input_hash(&plan.options, tree, &extras) == entry.inputs
            }) && manifest::outputs_intact(&plan.out_dir, entry)
                && claim(claims, plan, entry.outputs.iter().map(|o| o.file.as_str())).is_ok()
        }
        _ => false,
    };
    stages.push(("check", check.elapsed()));
    if let (true, Some(entry)) = (up_to_date, previous) {
        report.status = Status::UpToDate;
        report.slug = Some(entry.slug.clone());
        report.title = Some(entry.title.clone());
        report.version = entry.version.clone();
        report.pages = entry.pages;
        report.outputs = entry
            .outputs
            .iter()
            .map(|o| output_report(plan, &request.cwd, o))
            .collect();
        report.stages = stage_times(&stages);
        report.ms = ms(started.elapsed());
        let outcome = Outcome {
            report,
            rendered: Vec::new(),
            entry: None,
        };
        return (outcome, Vec::new());
    }

    // Build.
    let pipeline::Produced {
        loaded,
        files,
        pages,
    } = pipeline::produce(&BuildRequest {
        load: LoadRequest {
            path: source.path.clone(),
            metadata: request.metadata.clone(),
            source_date_epoch: request.source_date_epoch,
            defaults: source.workspace.as_ref().map(|w| w.defaults.clone()),
        },
        formats: plan.formats.clone(),
        out_dir: Some(plan.out_dir.clone()),
        print: request.print,
    });
    stages.extend(loaded.timings.iter().copied());
    let mut diagnostics = loaded.diagnostics.clone();
    let meta = loaded.book.as_ref().map(|b| &b.meta);
    report.slug = meta.map(|m| m.slug.clone());
    report.title = meta.map(|m| m.title.clone());
    let version = meta
        .and_then(|m| m.version.clone())
        .or_else(|| request.release.clone());
    report.version = version.clone();
    report.pages = pages;

    let mut entry = None;
    let mut to_write = Vec::new();
    if let (false, Some(meta)) = (diagnostics.has_errors(), meta) {
        match name_outputs(plan, &meta.slug, version.as_deref(), files, claims) {
            Ok((outputs, files)) => {
                to_write = files;
                report.outputs = outputs
                    .iter()
                    .map(|o| output_report(plan, &request.cwd, o))
                    .collect();
                report.status = Status::Built;
                entry = tree.and_then(|tree| {
                    let extras = extra_inputs(&root, &loaded);
                    let digest = manifest::extras_digest(&root, &extras).ok()?;
                    Some(Entry {
                        inputs: manifest::input_hash(&plan.options, &tree, &digest),
                        extra_inputs: extras,
                        slug: meta.slug.clone(),
                        title: meta.title.clone(),
                        version: version.clone(),
                        pages,
                        outputs,
                    })
                });
            }
            Err(d) => diagnostics.push(d),
        }
    }

    let rendered = problems(&diagnostics, &loaded.sources, &mut report);
    report.stages = stage_times(&stages);
    report.ms = ms(started.elapsed());
    let outcome = Outcome {
        report,
        rendered,
        entry,
    };
    (outcome, to_write)
}

/// Names a book's files, hashes them and claims their paths.
#[allow(clippy::type_complexity)]
fn name_outputs(
    plan: &Plan,
    slug: &str,
    version: Option<&str>,
    files: Vec<(Format, Vec<u8>)>,
    claims: &Mutex<BTreeMap<PathBuf, String>>,
) -> Result<(Vec<OutputEntry>, Vec<(PathBuf, Vec<u8>)>), crate::diag::Diagnostic> {
    use crate::diag::Diagnostic;
    let Some(name) = plan.names.render(slug, version) else {
        return Err(Diagnostic::error(
            None,
            format!(
                "the book has no version for the file names `{}`",
                plan.names
            ),
        )
        .with_hint("set `version = \"…\"` in book.toml, or pass --release VERSION"));
    };
    let names: Vec<String> = files
        .iter()
        .map(|(format, _)| format!("{name}.{}", format.extension()))
        .collect();
    claim(claims, plan, names.iter().map(String::as_str)).map_err(|(file, other)| {
        Diagnostic::error(
            None,
            format!("{other} also writes {file} in the same folder"),
        )
        .with_hint("give one of the books another `slug` in its book.toml")
    })?;
    let mut outputs = Vec::new();
    let mut to_write = Vec::new();
    for ((format, bytes), file) in files.into_iter().zip(names) {
        outputs.push(OutputEntry {
            format: format.extension().to_string(),
            file: file.clone(),
            bytes: bytes.len() as u64,
            sha256: manifest::sha256_hex(&bytes),
        });
        to_write.push((plan.out_dir.join(file), bytes));
    }
    Ok((outputs, to_write))
}

/// Claims output files for a book; another book's claim is an error (file, other book).
fn claim<'a>(
    claims: &Mutex<BTreeMap<PathBuf, String>>,
    plan: &Plan,
    files: impl Iterator<Item = &'a str>,
) -> Result<(), (String, String)> {
    let mut claims = claims
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let files: Vec<&str> = files.collect();
    for file in &files {
        if let Some(other) = claims.get(&plan.out_dir.join(file))
            && *other != plan.source.shown
        {
            return Err((file.to_string(), other.clone()));
        }
    }
    for file in files {
        claims.insert(plan.out_dir.join(file), plan.source.shown.clone());
    }
    Ok(())
}

/// Files the build read from outside the book's folder (fonts named with `../`), relative to it.
fn extra_inputs(root: &Path, loaded: &pipeline::Loaded) -> Vec<String> {
    let f = &loaded.print.fonts;
    let mut extras: Vec<String> = [&f.regular, &f.italic, &f.bold, &f.bold_italic, &f.mono]
        .into_iter()
        .flatten()
        .filter(|p| !p.starts_with(root))
        .map(|p| manifest::relative(root, p))
        .collect();
    extras.sort();
    extras.dedup();
    extras
}

fn output_report(plan: &Plan, cwd: &Path, o: &OutputEntry) -> OutputReport {
    OutputReport {
        format: o.format.clone(),
        path: discover::show(&plan.out_dir.join(&o.file), cwd),
        file: o.file.clone(),
        bytes: o.bytes,
        sha256: o.sha256.clone(),
    }
}

fn stage_times(stages: &[(&'static str, Duration)]) -> Vec<StageTime> {
    stages
        .iter()
        .map(|(stage, d)| StageTime {
            stage: (*stage).to_string(),
            ms: ms(*d),
        })
        .collect()
}

/// Fills the report's warnings and errors and renders them for the terminal, in source order.
fn problems(diags: &Diagnostics, sources: &SourceMap, report: &mut BookReport) -> Vec<Rendered> {
    let mut rendered = Vec::new();
    for d in diags.sorted() {
        let (file, line, column) = match d.span {
            Some(span) => {
                let f = sources.get(span.file);
                let lc = f.line_col(span.start as usize);
                (
                    Some(f.path.to_string_lossy().replace('\\', "/")),
                    Some(lc.line),
                    Some(lc.column),
                )
            }
            None => (None, None, None),
        };
        let mut message = d.message.clone();
        if d.span.is_none() {
            // Without a place, say which book it is about.
            message = format!("{}: {message}", report.path);
        }
        let problem = Problem {
            message: d.message.clone(),
            hint: d.hint.clone(),
            file,
            line,
            column,
        };
        let mut shown = d.clone();
        shown.message = message;
        rendered.push(Rendered {
            is_error: d.is_error(),
            text: render(&shown, sources),
        });
        if d.is_error() {
            report.errors.push(problem);
        } else {
            report.warnings.push(problem);
        }
    }
    rendered
}
