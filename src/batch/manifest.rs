//! The build manifest: what each book was last built from, and what it wrote.
//!
//! One file per output folder, `.quire/manifest.json`, keyed by the book's path relative to
//! that folder (so that a checkout moved elsewhere, or restored from a CI cache, still matches).
//! An entry records the book's input hash and each output's name, size and SHA-256.
//!
//! A book is up to date when its entry's input hash equals the hash of its inputs now and every
//! output it lists is still there with the same SHA-256. The inputs are:
//! - every file under the book's folder, by relative path and content, except hidden entries,
//!   output folders, cache folders (those with a `CACHEDIR.TAG`, such as Cargo's `target/`) and
//!   other books' folders; for a single-file book, its Markdown file and the other folder's
//!   non-Markdown files (images, covers, fonts: a sibling manuscript is another book);
//! - files the last build read from outside the folder (fonts named with `../`), listed in the
//!   entry and hashed again;
//! - the options: quire's version, formats, `-M` flags, `SOURCE_DATE_EPOCH`, the name pattern,
//!   the release version and the workspace's defaults with their font files.
//!
//! A hash over too much only costs a rebuild; missing an input would skip a book that changed,
//! so the folder is taken whole rather than guessing which files the manuscript uses.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the manifest lives in an output folder.
pub const FILE: &str = ".quire/manifest.json";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Book key (its path relative to the output folder) → entry.
    pub books: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Entry {
    /// The input hash of the build that wrote the outputs.
    pub inputs: String,
    /// Input files outside the book's folder, relative to it.
    #[serde(default)]
    pub extra_inputs: Vec<String>,
    pub slug: String,
    pub title: String,
    pub version: Option<String>,
    pub pages: Option<usize>,
    pub outputs: Vec<OutputEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutputEntry {
    pub format: String,
    /// The file name, in the output folder.
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

/// Reads the manifest of an output folder; a missing or unreadable one is empty (every book
/// rebuilds, which is always safe).
pub fn read(out_dir: &Path) -> Manifest {
    std::fs::read(out_dir.join(FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Writes the manifest atomically.
pub fn write(out_dir: &Path, manifest: &Manifest) -> std::io::Result<()> {
    let mut text = serde_json::to_string_pretty(manifest).map_err(std::io::Error::other)?;
    text.push('\n');
    crate::output::write_atomic(&out_dir.join(FILE), text.as_bytes())
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    super::workspace::hex(&Sha256::digest(bytes))
}

/// Whether every output of an entry is in `out_dir` with its recorded SHA-256.
pub fn outputs_intact(out_dir: &Path, entry: &Entry) -> bool {
    !entry.outputs.is_empty()
        && entry.outputs.iter().all(|o| {
            std::fs::read(out_dir.join(&o.file))
                .is_ok_and(|bytes| bytes.len() as u64 == o.bytes && sha256_hex(&bytes) == o.sha256)
        })
}

/// The digest of a book's own files (see the module docs). `skip` are output folders.
pub fn tree_digest(path: &Path, single_file: bool, skip: &[PathBuf]) -> std::io::Result<String> {
    let root = if single_file {
        path.parent().unwrap_or(Path::new("/"))
    } else {
        path
    };
    let mut files = Vec::new();
    walk(root, root, skip, &mut files)?;
    if single_file {
        files.retain(|f| f == path || !f.extension().is_some_and(|x| x == "md" || x == "markdown"));
        if !files.iter().any(|f| f == path) {
            files.push(path.to_path_buf());
        }
    }
    files.sort();
    let mut h = Sha256::new();
    for file in &files {
        let rel = file.strip_prefix(root).unwrap_or(file);
        h.update(rel.to_string_lossy().replace('\\', "/").as_bytes());
        h.update([0]);
        h.update(Sha256::digest(std::fs::read(file)?));
    }
    Ok(super::workspace::hex(&h.finalize()))
}

fn walk(root: &Path, dir: &Path, skip: &[PathBuf], out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            let nested_book = path.join("book.toml").is_file() && path != root;
            if skip.contains(&path) || path.join("CACHEDIR.TAG").is_file() || nested_book {
                continue;
            }
            walk(root, &path, skip, out)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

/// The digest of the files a build read from outside the book's folder.
pub fn extras_digest(root: &Path, extras: &[String]) -> std::io::Result<String> {
    let mut h = Sha256::new();
    for extra in extras {
        h.update(extra.as_bytes());
        h.update([0]);
        h.update(Sha256::digest(std::fs::read(root.join(extra))?));
    }
    Ok(super::workspace::hex(&h.finalize()))
}

/// The input hash: options, own files and outside files together.
pub fn input_hash(options: &str, tree: &str, extras: &str) -> String {
    sha256_hex(format!("{options}\n{tree}\n{extras}").as_bytes())
}

/// `to` relative to the folder `from` (both absolute and normalised), with `/` separators:
/// `relative("/w/dist", "/w/books/a") == "../books/a"`.
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to_parts: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to_parts[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative(Path::new("/w/dist"), Path::new("/w/books/a")),
            "../books/a"
        );
        assert_eq!(relative(Path::new("/w/a/out"), Path::new("/w/a")), "..");
        assert_eq!(relative(Path::new("/w"), Path::new("/w")), ".");
    }

    #[test]
    fn the_tree_digest_sees_inputs_and_ignores_outputs() {
        let tmp = tempfile::tempdir().unwrap();
        let book = tmp.path().join("book");
        fs::create_dir_all(book.join("manuscript")).unwrap();
        fs::create_dir_all(book.join("out")).unwrap();
        fs::write(book.join("book.toml"), "title = \"A\"").unwrap();
        fs::write(book.join("manuscript/a.md"), "# One").unwrap();
        let skip = [book.join("out")];
        let first = tree_digest(&book, false, &skip).unwrap();
        fs::write(book.join("out/a.epub"), "output").unwrap();
        fs::create_dir_all(book.join(".git")).unwrap();
        fs::write(book.join(".git/HEAD"), "ref").unwrap();
        assert_eq!(tree_digest(&book, false, &skip).unwrap(), first);
        fs::write(book.join("manuscript/a.md"), "# Two").unwrap();
        assert_ne!(tree_digest(&book, false, &skip).unwrap(), first);
    }

    #[test]
    fn a_single_file_book_ignores_its_sibling_manuscripts() {
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a.md");
        fs::write(&a, "# A").unwrap();
        fs::write(tmp.path().join("b.md"), "# B").unwrap();
        let first = tree_digest(&a, true, &[]).unwrap();
        fs::write(tmp.path().join("b.md"), "# B, changed").unwrap();
        assert_eq!(tree_digest(&a, true, &[]).unwrap(), first);
        fs::write(tmp.path().join("cover.png"), "png").unwrap();
        assert_ne!(tree_digest(&a, true, &[]).unwrap(), first);
    }

    #[test]
    fn outputs_must_match_their_hashes() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("a.epub"), "bytes").unwrap();
        let mut entry = Entry {
            inputs: String::new(),
            extra_inputs: Vec::new(),
            slug: "a".into(),
            title: "A".into(),
            version: None,
            pages: None,
            outputs: vec![OutputEntry {
                format: "epub".into(),
                file: "a.epub".into(),
                bytes: 5,
                sha256: sha256_hex(b"bytes"),
            }],
        };
        assert!(outputs_intact(tmp.path(), &entry));
        fs::write(tmp.path().join("a.epub"), "BYTES").unwrap();
        assert!(!outputs_intact(tmp.path(), &entry));
        entry.outputs[0].file = "gone.epub".into();
        assert!(!outputs_intact(tmp.path(), &entry));
    }
}
