//! What a batch shows while it runs, on stderr.
//!
//! - [`Mode::Live`] (stderr is a terminal): an indicatif display, one spinner line per book
//!   being built and an overall bar under them; finished books and their diagnostics scroll
//!   above it.
//! - [`Mode::Plain`] (a pipe, a CI log): one line per finished book, diagnostics before it.
//! - [`Mode::Quiet`] (`--quiet`): only errors.
//!
//! Lines are printed as books finish, so their order can vary; the summary at the end and the
//! JSON report are in book order.

use super::report::{BookReport, Status};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Plain,
    Quiet,
}

/// One diagnostic rendered for the terminal.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub is_error: bool,
    pub text: String,
}

pub struct Progress {
    mode: Mode,
    live: Option<Live>,
    /// Serialises plain output, so that a book's lines stay together.
    out: Mutex<()>,
}

struct Live {
    multi: MultiProgress,
    overall: ProgressBar,
    running: Mutex<Vec<Option<ProgressBar>>>,
    failed: Mutex<usize>,
}

impl Progress {
    pub fn new(mode: Mode, books: usize) -> Progress {
        let live = (mode == Mode::Live).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{elapsed_precise:.dim} [{bar:32}] {pos}/{len} books {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let overall = multi.add(ProgressBar::new(books as u64).with_style(style));
            overall.enable_steady_tick(Duration::from_millis(250));
            Live {
                multi,
                overall,
                running: Mutex::new(vec![None; books]),
                failed: Mutex::new(0),
            }
        });
        Progress {
            mode,
            live,
            out: Mutex::new(()),
        }
    }

    pub fn started(&self, index: usize, name: &str) {
        let Some(live) = &self.live else { return };
        let style = ProgressStyle::with_template("{spinner:.cyan} {prefix} {wide_msg:.dim}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        let line = live.multi.insert_before(
            &live.overall,
            ProgressBar::new_spinner()
                .with_style(style)
                .with_prefix(name.to_string()),
        );
        line.set_message("building");
        line.enable_steady_tick(Duration::from_millis(120));
        if let Some(slot) = lock(&live.running).get_mut(index) {
            *slot = Some(line);
        }
    }

    /// A book is done: shows its diagnostics and one line about it.
    pub fn finished(&self, index: usize, book: &BookReport, diagnostics: &[Rendered]) {
        let shown: Vec<&Rendered> = diagnostics
            .iter()
            .filter(|d| d.is_error || self.mode != Mode::Quiet)
            .collect();
        let mut text = String::new();
        for d in &shown {
            text.push_str(&d.text);
            text.push('\n');
        }
        if self.mode != Mode::Quiet {
            text.push_str(&line(book));
            text.push('\n');
        }
        match &self.live {
            Some(live) => {
                if let Some(Some(bar)) = lock(&live.running).get_mut(index).map(Option::take) {
                    bar.finish_and_clear();
                    live.multi.remove(&bar);
                }
                if book.status == Status::Failed {
                    let mut failed = lock(&live.failed);
                    *failed += 1;
                    live.overall.set_message(format!("({} failed)", *failed));
                }
                if !text.is_empty() {
                    let _ = live.multi.println(text.trim_end());
                }
                live.overall.inc(1);
            }
            None => {
                if !text.is_empty() {
                    let _guard = lock(&self.out);
                    eprint!("{text}");
                }
            }
        }
    }

    /// Removes the live display before the summary.
    pub fn finish(&self) {
        if let Some(live) = &self.live {
            live.overall.finish_and_clear();
            let _ = live.multi.clear();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One line about a finished book: `built books/a: a.epub (80 KiB), a.pdf (310 KiB), 48 pages, 1.2 s`.
pub fn line(book: &BookReport) -> String {
    match book.status {
        Status::Built => {
            let files: Vec<String> = book
                .outputs
                .iter()
                .map(|o| format!("{} ({})", o.path, human_size(o.bytes)))
                .collect();
            let pages = book
                .pages
                .map(|p| format!(", {p} pages"))
                .unwrap_or_default();
            format!(
                "built {}: {}{pages}, {:.1} s",
                book.path,
                files.join(", "),
                book.ms / 1000.0
            )
        }
        Status::UpToDate => format!("up to date: {}", book.path),
        Status::Failed => {
            let n = book.errors.len();
            format!(
                "failed {}: {n} error{}",
                book.path,
                if n == 1 { "" } else { "s" }
            )
        }
    }
}

pub fn human_size(bytes: u64) -> String {
    if bytes < 10 * 1024 {
        format!("{bytes} bytes")
    } else if bytes < 10 * 1024 * 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}
