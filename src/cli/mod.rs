//! The command line. clap lives only here: raw flags become a [`pipeline`] request, and the
//! results become messages on stderr and an exit code (0 success, 1 errors in the book, 2 usage).
//!
//! [`pipeline`]: crate::pipeline

mod batch;
mod cover;
mod init;

use crate::diag::{Diagnostics, SourceMap, render};
use crate::pipeline::{self, BuildRequest, Format, LoadRequest};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// quire turns a Markdown manuscript into a valid, accessible EPUB 3 and a typeset PDF.
#[derive(Debug, Parser)]
#[command(
    name = "quire",
    version,
    about,
    after_help = "Start a book with `quire init my-book`, write in my-book/manuscript/book.md, then run `quire build my-book`.\nThe EPUB is written to my-book/out/. Run `quire help build` for the options."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build books: write out/<slug>.epub and out/<slug>.pdf.
    #[command(
        after_help = "PATH is a folder with book.toml (default: the current folder) or a single Markdown file with front matter.\nSeveral PATHs, globs, a folder of books or a workspace (quire.toml) make a batch: books build in parallel,\nup-to-date books are skipped, and each output folder gets SHA256SUMS (see docs/batch.md).\nExamples:\n  quire build                      # the book in the current folder\n  quire build notes.md --out dist  # a single file\n  quire build -M date=2024-05-01    # override metadata\n  quire build books/* -j 4          # a batch\n  quire build --release 2024.05 --json report.json --shard 1/3   # one CI runner's share"
    )]
    Build {
        /// Book folders (with book.toml), Markdown files, globs, or a workspace (quire.toml).
        #[arg(value_name = "PATH", default_value = ".")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
        /// Formats to write, comma-separated [default: epub,pdf].
        #[arg(long, value_delimiter = ',')]
        format: Option<Vec<FormatArg>>,
        /// Folder for the outputs (default: out/ in the book's folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        batch: batch::BatchArgs,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Merge the JSON reports (and SHA256SUMS files) of CI shards into one release record.
    #[command(
        name = "merge-reports",
        after_help = "Example:\n  quire merge-reports shard-*/report.json --json release.json --sums dist/SHA256SUMS"
    )]
    MergeReports(batch::MergeArgs),
    /// Check the manuscript and report problems; write nothing.
    Check {
        #[command(flatten)]
        book: BookArgs,
    },
    /// Generate the book's typographic cover into covers/<slug>.jpg; with --wrap, make the print cover wrap (back, spine and front on one sheet) into out/<slug>-cover.pdf.
    #[command(
        after_help = "The cover (1600 × 2560 px) sets the title, subtitle and author in the bundled fonts; the same book gives the same bytes.\nName it in book.toml to use it: cover = \"covers/<slug>.jpg\". Or set generate-cover = true to make it at every build.\nThe wrap's spine comes from the interior's page count (typeset with the same --trim and --bleed) and [print] paper in book.toml.\nExamples:\n  quire cover                              # covers/<slug>.jpg\n  quire cover --wrap --trim 5.5x8.5        # out/<slug>-cover.pdf\n  quire cover --wrap --guides              # with the trim, folds, safe zones and barcode area drawn"
    )]
    Cover {
        #[command(flatten)]
        book: BookArgs,
        /// Replace a different file of the same name (it may be your own art).
        #[arg(long, conflicts_with = "wrap")]
        force: bool,
        /// Write the print cover wrap (out/<slug>-cover.pdf) instead.
        #[arg(long)]
        wrap: bool,
        /// Draw the trim, the spine's folds, the safe zones and the barcode area (for checking, not for upload).
        #[arg(long)]
        guides: bool,
        /// Folder for the wrap (default: out/ in the book's folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        #[command(flatten)]
        print: PrintArgs,
    },
    /// Create a new book skeleton in DIR.
    Init {
        /// The folder to create (must not exist, or be empty).
        dir: PathBuf,
        /// The book's title (default: from the folder name).
        #[arg(long)]
        title: Option<String>,
        /// The author's name.
        #[arg(long)]
        author: Option<String>,
        /// The book's language (BCP 47 tag).
        #[arg(long, default_value = "en")]
        language: String,
    },
}

#[derive(Debug, clap::Args)]
struct BookArgs {
    /// A book folder (with book.toml) or a Markdown file.
    #[arg(default_value = ".")]
    path: PathBuf,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, clap::Args)]
struct CommonArgs {
    /// Set metadata, over book.toml and front matter (e.g. -M title="A Title"). Repeatable.
    #[arg(short = 'M', long = "metadata", value_name = "KEY=VALUE", value_parser = parse_key_value)]
    metadata: Vec<(String, String)>,
    /// Print nothing but errors.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Print each stage's time and the book's structure.
    #[arg(short, long)]
    verbose: bool,
}

/// The print options of `build` and `cover`, over `[print]` in book.toml.
#[derive(Debug, clap::Args)]
struct PrintArgs {
    /// Trim size: 5x8, 5.25x8, 5.5x8.5, 6x9, 6.14x9.21, 7x10, 8.5x11, a5, b-format, demy, or WxH with a unit (148x210mm, 6x9in, 432x648pt).
    #[arg(long, value_name = "SIZE", value_parser = parse_trim)]
    trim: Option<(f64, f64)>,
    /// Extend the pages 0.125 in beyond the trim on the top, bottom and outside edges: a file for the printer (no bookmarks or links).
    #[arg(long)]
    bleed: bool,
    /// Add crop marks outside the bleed (for printers that want them: KDP and IngramSpark do not).
    #[arg(long)]
    crop_marks: bool,
}

impl PrintArgs {
    /// Whether any print flag was given.
    fn is_set(&self) -> bool {
        self.trim.is_some() || self.bleed || self.crop_marks
    }

    fn flags(&self) -> crate::config::print::PrintFlags {
        crate::config::print::PrintFlags {
            trim: self.trim,
            bleed: self.bleed,
            crop_marks: self.crop_marks,
        }
    }
}

fn parse_trim(s: &str) -> Result<(f64, f64), String> {
    crate::config::print::parse_trim(s).ok_or_else(|| {
        format!(
            "`{s}` is not a trim size: use one of {}, or WxH with a unit (148x210mm, 6x9in, 432x648pt)",
            crate::config::print::trim_names()
        )
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FormatArg {
    Epub,
    Pdf,
}

fn parse_key_value(s: &str) -> Result<(String, String), String> {
    let (key, value) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not KEY=VALUE"))?;
    let key = key.trim().to_string();
    if !crate::config::KNOWN_KEYS.contains(&key.as_str())
        && !["lang", "authors", "keywords"].contains(&key.as_str())
    {
        return Err(format!(
            "unknown metadata key `{key}` (known: {})",
            crate::config::KNOWN_KEYS.join(", ")
        ));
    }
    Ok((key, value.to_string()))
}

/// Runs quire with the process's arguments; returns the exit code.
pub fn main() -> i32 {
    run(std::env::args_os())
}

/// Runs quire with the given arguments (the first is the program name).
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let epoch = match source_date_epoch() {
        Ok(epoch) => epoch,
        Err(message) => {
            eprintln!("error: {message}");
            return 2;
        }
    };
    match cli.command {
        Command::Build {
            paths,
            common,
            format,
            out,
            batch,
            print,
        } => {
            let formats = format.map(|format| {
                let mut formats: Vec<Format> = format
                    .iter()
                    .map(|f| match f {
                        FormatArg::Epub => Format::Epub,
                        FormatArg::Pdf => Format::Pdf,
                    })
                    .collect();
                formats.sort();
                formats.dedup();
                formats
            });
            let cwd = std::env::current_dir().unwrap_or_default();
            let single = match paths.as_slice() {
                [path] => crate::batch::is_single_book(&cwd.join(path)),
                _ => false,
            };
            if !single || batch.is_batch() {
                return batch::build(&paths, &common, formats, out, &batch, print.flags(), epoch);
            }
            let book = BookArgs {
                path: paths
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| PathBuf::from(".")),
                common,
            };
            let request = BuildRequest {
                load: load_request(&book, epoch),
                formats: formats.unwrap_or_else(|| vec![Format::Epub, Format::Pdf]),
                out_dir: out,
                print: print.flags(),
            };
            let started = std::time::Instant::now();
            let built = pipeline::build(&request);
            report(
                &built.loaded.diagnostics,
                &built.loaded.sources,
                book.common.quiet,
            );
            if book.common.verbose {
                verbose(&built.loaded);
            }
            if built.loaded.diagnostics.has_errors() {
                summary_failed(&built.loaded.diagnostics);
                return 1;
            }
            if !book.common.quiet {
                for output in &built.outputs {
                    let shown = shown(&output.path);
                    eprintln!("wrote {} ({})", shown.display(), human_size(output.bytes));
                }
                eprintln!("built in {} ms", started.elapsed().as_millis());
            }
            0
        }
        Command::Check { book } => {
            let loaded = pipeline::load(&load_request(&book, epoch));
            report(&loaded.diagnostics, &loaded.sources, book.common.quiet);
            if book.common.verbose {
                verbose(&loaded);
            }
            if loaded.diagnostics.has_errors() {
                summary_failed(&loaded.diagnostics);
                return 1;
            }
            if !book.common.quiet {
                let w = loaded.diagnostics.warning_count();
                eprintln!(
                    "checked: no errors, {w} warning{}",
                    if w == 1 { "" } else { "s" }
                );
            }
            0
        }
        Command::Cover {
            book,
            force,
            wrap,
            guides,
            out,
            print,
        } => {
            if !wrap {
                if guides || out.is_some() || print.is_set() {
                    eprintln!(
                        "error: --guides, --out, --trim, --bleed and --crop-marks are options of the print cover wrap\n  = hint: add --wrap"
                    );
                    return 2;
                }
                return cover::run(&load_request(&book, epoch), force, book.common.quiet);
            }
            let request = pipeline::WrapRequest {
                load: load_request(&book, epoch),
                out_dir: out,
                print: print.flags(),
                guides,
            };
            let built = pipeline::cover_wrap(&request);
            report(
                &built.loaded.diagnostics,
                &built.loaded.sources,
                book.common.quiet,
            );
            if book.common.verbose {
                verbose(&built.loaded);
            }
            if built.loaded.diagnostics.has_errors() {
                summary_failed(&built.loaded.diagnostics);
                return 1;
            }
            if !book.common.quiet
                && let (Some(output), Some(g)) = (&built.output, &built.geometry)
            {
                let shown = shown(&output.path);
                let (w, h) = g.sheet();
                eprintln!(
                    "wrote {} ({}): {:.3} × {:.3} in, {} pages, spine {:.4} in{}",
                    shown.display(),
                    human_size(output.bytes),
                    w / 72.0,
                    h / 72.0,
                    g.pages,
                    g.spine / 72.0,
                    if built.spine_text {
                        " with its title"
                    } else {
                        ", no spine text"
                    }
                );
            }
            0
        }
        Command::Init {
            dir,
            title,
            author,
            language,
        } => init::run(&dir, title, author, &language),
        Command::MergeReports(args) => batch::merge_reports(&args),
    }
}

fn load_request(book: &BookArgs, epoch: Option<i64>) -> LoadRequest {
    LoadRequest {
        path: book.path.clone(),
        metadata: book.common.metadata.clone(),
        source_date_epoch: epoch,
        defaults: None,
    }
}

/// `SOURCE_DATE_EPOCH` (reproducible-builds.org): seconds since 1970, or unset.
fn source_date_epoch() -> Result<Option<i64>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => v
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| format!("SOURCE_DATE_EPOCH=`{v}` is not a number of seconds")),
        Err(_) => Ok(None),
    }
}

pub(crate) fn report(diags: &Diagnostics, sources: &SourceMap, quiet: bool) {
    for d in diags.sorted() {
        if quiet && !d.is_error() {
            continue;
        }
        eprint!("{}", render(d, sources));
        eprintln!();
    }
}

fn summary_failed(diags: &Diagnostics) {
    let (e, w) = (diags.error_count(), diags.warning_count());
    eprintln!(
        "error: the build failed with {e} error{} and {w} warning{}; nothing was written",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" }
    );
}

fn verbose(loaded: &pipeline::Loaded) {
    for (stage, time) in &loaded.timings {
        eprintln!("  {stage:>6}: {:.1} ms", time.as_secs_f64() * 1000.0);
    }
    if let Some(book) = &loaded.book {
        eprintln!(
            "  {} divisions, {} notes, {} images",
            book.divisions.len(),
            book.notes.len(),
            book.assets.len()
        );
        for (level, id, title) in crate::manuscript::heading_ids(&book.divisions) {
            eprintln!("  {}#{id}  {title}", "  ".repeat(usize::from(level - 1)));
        }
    }
}

/// A path as the user would type it: relative to the current folder when inside it.
fn shown(path: &std::path::Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    path.strip_prefix(&cwd).unwrap_or(path).to_path_buf()
}

fn human_size(bytes: u64) -> String {
    if bytes < 10 * 1024 {
        format!("{bytes} bytes")
    } else if bytes < 10 * 1024 * 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
    }
}
