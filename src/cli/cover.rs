//! `quire cover [BOOK]`: write the book's generated typographic cover into its `covers/`
//! folder as `<slug>.jpg`, the file `cover = "covers/<slug>.jpg"` then names.
//!
//! A different file already there is kept unless `--force` (it may be the author's art);
//! the same bytes are left alone. Exit codes as for `build`: 0 written or up to date, 1
//! errors in the book or a file in the way, 2 usage.

use crate::diag::{Diagnostics, SourceMap};
use crate::pipeline::{self, LoadRequest};

pub fn run(request: &LoadRequest, force: bool, quiet: bool) -> i32 {
    let loaded = pipeline::load_without_art(request);
    let mut diags = loaded.diagnostics;
    let Some(book) = &loaded.book else {
        return fail(&diags, &loaded.sources, quiet);
    };
    let meta = &book.meta;
    let (bytes, missing) = match crate::cover::generated_jpeg(meta) {
        Ok(made) => made,
        Err(message) => {
            eprintln!("error: {message}");
            return 1;
        }
    };
    let generate_at = loaded.cover_settings.generate.flatten();
    crate::cover::report_missing(&missing, generate_at, &mut diags);
    if diags.has_errors() {
        return fail(&diags, &loaded.sources, quiet);
    }
    super::report(&diags, &loaded.sources, quiet);

    let name = crate::cover::generated_file_name(meta);
    let path = loaded.root.join(&name);
    let shown = super::shown(&path);
    match std::fs::read(&path) {
        Ok(existing) if existing == bytes => {
            if !quiet {
                eprintln!("{} is up to date", shown.display());
            }
            return 0;
        }
        Ok(_) if !force => {
            eprintln!(
                "error: {} exists and is not the generated cover; nothing was written",
                shown.display()
            );
            eprintln!("  = hint: pass --force to replace it, or move it away first");
            return 1;
        }
        _ => {}
    }
    if let Err(e) = crate::output::write_atomic(&path, &bytes) {
        eprintln!("error: cannot write {}: {e}", shown.display());
        eprintln!("  = hint: check that the book's covers/ folder is writable");
        return 1;
    }
    if !quiet {
        let (w, h) = crate::cover::GENERATED_SIZE;
        eprintln!(
            "wrote {} ({w} × {h} px, {})",
            shown.display(),
            super::human_size(bytes.len() as u64)
        );
        let named = loaded
            .cover_settings
            .named
            .as_ref()
            .map(|n| n.path.as_path());
        if named != Some(path.as_path()) {
            eprintln!("  = note: to use it, set `cover = \"{name}\"` in book.toml");
        }
    }
    0
}

fn fail(diags: &Diagnostics, sources: &SourceMap, quiet: bool) -> i32 {
    super::report(diags, sources, quiet);
    let (e, w) = (diags.error_count(), diags.warning_count());
    eprintln!(
        "error: no cover was made: {e} error{} and {w} warning{}",
        if e == 1 { "" } else { "s" },
        if w == 1 { "" } else { "s" }
    );
    1
}
