//! Which books a batch builds: the command line's paths, globs and workspaces, turned into a
//! sorted list of book sources without duplicates.
//!
//! A path is, in this order of checks:
//! - a glob (`books/*`, `'notes/*.md'`): every folder with `book.toml` it matches, and the
//!   Markdown files it matches when the pattern itself ends in `.md` or `.markdown`;
//! - `quire.toml`, or a folder holding one: a workspace, whose `books` are read the same way
//!   relative to its folder, less its `exclude` globs;
//! - `book.toml`, or a folder holding one: a book;
//! - a `.md` or `.markdown` file: a single-file book;
//! - a folder whose sub-folders hold books: those books (a "folder of books").
//!
//! Anything else is an error at that path (or at the workspace entry that named it), and the
//! batch stops before building: a typo in a release command should not release half the list.

use super::workspace::{self, Workspace};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, Span};
use crate::manuscript::normalize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One book to build.
#[derive(Debug, Clone)]
pub struct BookSource {
    /// The folder with `book.toml`, or the Markdown file, absolute.
    pub path: PathBuf,
    /// A lone Markdown file (its folder is the book's folder).
    pub single_file: bool,
    /// The path as shown: relative to the current folder when inside it, `/`-separated.
    pub shown: String,
    /// The workspace that listed the book, with its defaults.
    pub workspace: Option<Arc<Workspace>>,
}

impl BookSource {
    /// The book's folder.
    pub fn root(&self) -> &Path {
        if self.single_file {
            self.path.parent().unwrap_or(Path::new("/"))
        } else {
            &self.path
        }
    }
}

/// The books found, and the problems met on the way (with the workspace files to show them).
#[derive(Debug, Default)]
pub struct Discovery {
    pub books: Vec<BookSource>,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
}

/// Whether a command-line path is a glob pattern rather than a path.
pub fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// Whether a single path names one book the way `quire build PATH` always has (a folder with
/// `book.toml` and no `quire.toml`, `book.toml` itself, a Markdown file, or something that does
/// not exist, reported as before), rather than a workspace, a glob or a folder of books.
pub fn is_single_book(path: &Path) -> bool {
    if is_glob(&path.to_string_lossy()) && !path.exists() {
        return false;
    }
    if path.is_dir() {
        return !path.join("quire.toml").is_file()
            && (path.join("book.toml").is_file() || child_books(path).is_empty());
    }
    path.file_name().is_none_or(|n| n != "quire.toml")
}

/// Finds the books named by `paths` (relative to `cwd`).
pub fn discover(paths: &[PathBuf], cwd: &Path) -> Discovery {
    let mut found = Discovery::default();
    for arg in paths {
        let text = arg.to_string_lossy();
        if is_glob(&text) && !cwd.join(arg).exists() {
            let pattern = cwd.join(arg).to_string_lossy().into_owned();
            let books = expand_glob(&pattern, cwd, None, &mut found);
            if books == 0 {
                found.diagnostics.push(
                    Diagnostic::error(None, format!("`{text}` matches no book")).with_hint(
                        "a glob matches folders with book.toml (and .md files when it ends in .md)",
                    ),
                );
            }
            continue;
        }
        let path = normalize(&cwd.join(arg));
        add_path(&path, cwd, None, &mut found);
    }
    found.books.sort_by(|a, b| a.shown.cmp(&b.shown));
    found.books.dedup_by(|a, b| a.path == b.path);
    found
}

/// Adds the book or books at `path`; `listed` is the workspace and entry that named it.
fn add_path(
    path: &Path,
    cwd: &Path,
    listed: Option<(&Arc<Workspace>, Span)>,
    found: &mut Discovery,
) {
    let shown = show(path, cwd);
    let at = listed.map(|(_, span)| span);
    let workspace = listed.map(|(ws, _)| ws);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.is_file() && file_name == "quire.toml" && workspace.is_none() {
        add_workspace(path, cwd, found);
    } else if path.is_file() && file_name == "book.toml" {
        let folder = path.parent().unwrap_or(path).to_path_buf();
        push_book(folder, false, cwd, workspace, found);
    } else if path.is_file() && is_markdown(path) {
        push_book(path.to_path_buf(), true, cwd, workspace, found);
    } else if path.is_file() {
        found.diagnostics.push(
            Diagnostic::error(at, format!("{shown} is not a book"))
                .with_hint("name a folder with book.toml, a .md file or a quire.toml"),
        );
    } else if path.is_dir() && workspace.is_none() && path.join("quire.toml").is_file() {
        add_workspace(&path.join("quire.toml"), cwd, found);
    } else if path.is_dir() && path.join("book.toml").is_file() {
        push_book(path.to_path_buf(), false, cwd, workspace, found);
    } else if path.is_dir() {
        let children = child_books(path);
        if children.is_empty() {
            found.diagnostics.push(
                Diagnostic::error(at, format!("no book.toml in {shown}")).with_hint(
                    "pass book folders, .md files, or a folder with quire.toml listing books",
                ),
            );
        }
        for child in children {
            push_book(child, false, cwd, workspace, found);
        }
    } else {
        found.diagnostics.push(
            Diagnostic::error(at, format!("{shown} does not exist"))
                .with_hint("pass a book folder (with book.toml), a Markdown file or a quire.toml"),
        );
    }
}

/// Reads a workspace and adds its books.
fn add_workspace(file: &Path, cwd: &Path, found: &mut Discovery) {
    let shown = PathBuf::from(show(file, cwd));
    let Some(ws) = workspace::read(file, &shown, &mut found.sources, &mut found.diagnostics) else {
        return;
    };
    let ws = Arc::new(ws);
    let first = found.books.len();
    for (entry, span) in &ws.books {
        if is_glob(entry) {
            let pattern = ws.root.join(entry).to_string_lossy().into_owned();
            if expand_glob(&pattern, cwd, Some((&ws, *span)), found) == 0 {
                found.diagnostics.push(
                    Diagnostic::warning(*span, format!("`{entry}` matches no book")).with_hint(
                        "a glob matches folders with book.toml (and .md files when it ends in .md)",
                    ),
                );
            }
        } else {
            add_path(
                &normalize(&ws.root.join(entry)),
                cwd,
                Some((&ws, *span)),
                found,
            );
        }
    }
    // Exclusions apply to paths relative to the workspace's folder.
    let mut kept = found.books.split_off(first);
    kept.retain(|book| {
        let rel = book.path.strip_prefix(&ws.root).unwrap_or(&book.path);
        !ws.exclude.iter().any(|p| p.matches_path(rel))
    });
    found.books.extend(kept);
}

/// Adds the books a glob matches; returns how many.
fn expand_glob(
    pattern: &str,
    cwd: &Path,
    listed: Option<(&Arc<Workspace>, Span)>,
    found: &mut Discovery,
) -> usize {
    let at = listed.map(|(_, span)| span);
    let paths = match glob::glob(pattern) {
        Ok(paths) => paths,
        Err(e) => {
            found.diagnostics.push(
                Diagnostic::error(at, format!("`{pattern}` is not a glob: {e}"))
                    .with_hint("use * and ? as in a shell, e.g. books/*"),
            );
            return 0;
        }
    };
    let markdown = pattern.ends_with(".md") || pattern.ends_with(".markdown");
    let mut matched: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
    matched.sort();
    let mut count = 0;
    for path in matched {
        let path = normalize(&path);
        let workspace = listed.map(|(ws, _)| ws);
        if path.is_dir() && path.join("book.toml").is_file() {
            push_book(path, false, cwd, workspace, found);
            count += 1;
        } else if markdown && path.is_file() && is_markdown(&path) {
            push_book(path, true, cwd, workspace, found);
            count += 1;
        }
    }
    count
}

fn push_book(
    path: PathBuf,
    single_file: bool,
    cwd: &Path,
    workspace: Option<&Arc<Workspace>>,
    found: &mut Discovery,
) {
    found.books.push(BookSource {
        shown: show(&path, cwd),
        path,
        single_file,
        workspace: workspace.cloned(),
    });
}

/// The sub-folders of `dir` that hold a `book.toml`, sorted.
fn child_books(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut books: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.join("book.toml").is_file())
        .collect();
    books.sort();
    books
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x == "md" || x == "markdown")
}

/// `path` relative to `cwd` when inside it, with `/` separators.
pub fn show(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() { ".".to_string() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn book(dir: &Path, name: &str) {
        fs::create_dir_all(dir.join(name)).unwrap();
        fs::write(dir.join(name).join("book.toml"), "title = \"T\"\n").unwrap();
    }

    #[test]
    fn globs_workspaces_and_folders_of_books() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for name in ["books/b", "books/a", "books/draft-c", "other/d"] {
            book(root, name);
        }
        fs::write(root.join("books/README.md"), "not a book").unwrap();
        fs::write(root.join("essay.md"), "# An essay").unwrap();
        fs::write(
            root.join("quire.toml"),
            "books = [\"books/*\", \"essay.md\"]\nexclude = [\"books/draft-*\"]\n",
        )
        .unwrap();
        let shown = |d: &Discovery| d.books.iter().map(|b| b.shown.clone()).collect::<Vec<_>>();

        let ws = discover(&[PathBuf::from(".")], root);
        assert!(ws.diagnostics.is_empty(), "{:?}", ws.diagnostics);
        assert_eq!(shown(&ws), ["books/a", "books/b", "essay.md"]);
        assert!(ws.books.iter().all(|b| b.workspace.is_some()));

        let globbed = discover(&[PathBuf::from("books/*"), PathBuf::from("other")], root);
        assert_eq!(
            shown(&globbed),
            ["books/a", "books/b", "books/draft-c", "other/d"]
        );

        let twice = discover(&[PathBuf::from("books"), PathBuf::from("books/a")], root);
        assert_eq!(shown(&twice), ["books/a", "books/b", "books/draft-c"]);
    }

    #[test]
    fn missing_paths_and_empty_globs_are_errors() {
        let tmp = tempfile::tempdir().unwrap();
        let found = discover(&[PathBuf::from("nope"), PathBuf::from("x/*")], tmp.path());
        let messages: Vec<&str> = found
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages, ["nope does not exist", "`x/*` matches no book"]);
    }

    #[test]
    fn single_book_paths_keep_the_old_behaviour() {
        let tmp = tempfile::tempdir().unwrap();
        book(tmp.path(), "a");
        assert!(is_single_book(&tmp.path().join("a")));
        assert!(is_single_book(&tmp.path().join("missing")));
        assert!(!is_single_book(tmp.path()), "a folder of books");
        fs::write(tmp.path().join("a/quire.toml"), "books = [\".\"]").unwrap();
        assert!(!is_single_book(&tmp.path().join("a")), "a workspace");
    }
}
