//! The manuscript stage: Markdown files → the parts of a [`model::Book`].
//!
//! pulldown-cmark lives only here. The stage runs in four steps, one file each:
//!
//! 1. [`lower`]: each file's events become flat blocks (headings included), with spans; notes,
//!    ids, links and images are collected on the way;
//! 2. [`structure`]: the flat blocks of all files become front matter, divisions and sections;
//! 3. [`notes`]: notes are numbered in order of first reference, unused ones reported;
//! 4. [`resolve`]: internal links are checked against every id of the book.
//!
//! Every problem is a diagnostic with a span; the stage never stops at the first one.
//!
//! [`model::Book`]: crate::model::Book

mod assets;
mod html;
mod ids;
mod lower;
mod notes;
mod resolve;
mod structure;

pub use assets::sniff as sniff_image;
pub use lower::normalize;

use crate::config::Syntax;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap};
use crate::model::{AnchorId, Asset, Block, BlockKind, Division, Note};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The one door to the outside world: how the stage reads files (images).
pub trait Resources {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
}

/// Reads from the file system.
pub struct FileSystem;

impl Resources for FileSystem {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }
}

/// One manuscript file, already loaded into the source map.
#[derive(Debug, Clone)]
pub struct ManuscriptFile {
    pub id: FileId,
    /// Absolute, normalised path.
    pub path: PathBuf,
}

/// Front matter found at the top of a manuscript file.
#[derive(Debug, Clone)]
pub struct FrontMatter {
    pub file: FileId,
    pub text: String,
    /// Byte offset of `text` in the file.
    pub offset: usize,
    pub syntax: Syntax,
}

/// The book's content, without its metadata (which the front matter helps decide).
#[derive(Debug)]
pub struct Parsed {
    /// Front matter of each file that has some, in file order.
    pub front_matter: Vec<FrontMatter>,
    pub front: Vec<Block>,
    pub divisions: Vec<Division>,
    pub notes: Vec<Note>,
    pub assets: Vec<Asset>,
}

/// Parses the manuscript files of one book. `root` is the book's folder (absolute, normalised):
/// images and links must stay inside it.
pub fn parse(
    files: &[ManuscriptFile],
    sources: &SourceMap,
    root: &Path,
    resources: &dyn Resources,
    diags: &mut Diagnostics,
) -> Parsed {
    let mut ids = ids::IdRegistry::new();
    let mut note_table = notes::NoteTable::new();
    let mut asset_table = assets::Assets::new(resources);
    let mut pending = BTreeMap::new();
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let mut all_blocks = Vec::new();
    let mut front_matter = Vec::new();
    let mut file_starts = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let text = &sources.get(file.id).text;
        let mut cx = lower::Context {
            diags,
            ids: &mut ids,
            notes: &mut note_table,
            assets: &mut asset_table,
            pending: &mut pending,
            manuscript_files: &paths,
            root,
        };
        let lowered = lower::lower(text, file.id, index, &mut cx);
        if let Some((text, offset, yaml)) = lowered.front_matter {
            let syntax = if yaml { Syntax::Yaml } else { Syntax::Toml };
            front_matter.push(FrontMatter {
                file: file.id,
                text,
                offset,
                syntax,
            });
        }
        file_starts.push(lowered.blocks.iter().find_map(|b| match &b.kind {
            BlockKind::Heading(h) => Some(h.id.clone()),
            _ => None,
        }));
        all_blocks.extend(lowered.blocks);
    }
    let structured = structure::structure(all_blocks, diags);
    let mut notes = note_table.finish(diags);
    let (mut front, mut divisions) = (structured.front, structured.divisions);
    let exists = |id: &str| ids.contains(id);
    let file_names: Vec<String> = files
        .iter()
        .map(|f| {
            f.path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        })
        .collect();
    let resolver = resolve::LinkResolver {
        pending: &pending,
        exists: &exists,
        file_starts: &file_starts,
        file_names: &file_names,
    };
    resolver.book(&mut front, &mut divisions, &mut notes, diags);
    if divisions.is_empty()
        && front.is_empty()
        && let Some(first) = files.first()
    {
        diags.push(
            Diagnostic::warning(
                crate::diag::Span::point(first.id, 0),
                "the manuscript is empty",
            )
            .with_hint("write some Markdown: `# Chapter One` and a paragraph"),
        );
    }
    Parsed {
        front_matter,
        front,
        divisions,
        notes,
        assets: asset_table.finish(),
    }
}

/// The heading ids of a parsed book, for `quire check --verbose`.
pub fn heading_ids(divisions: &[Division]) -> Vec<(u8, AnchorId, String)> {
    let mut out = Vec::new();
    for d in divisions {
        out.push((1, d.heading.id.clone(), d.heading.plain_text()));
        for s in &d.sections {
            out.push((2, s.heading.id.clone(), s.heading.plain_text()));
        }
    }
    out
}

/// Resources that hold nothing: every image is missing. For fuzzing and tests.
pub struct NoResources;

impl Resources for NoResources {
    fn read(&self, _path: &Path) -> std::io::Result<Vec<u8>> {
        Err(std::io::ErrorKind::NotFound.into())
    }
}

/// Parses one in-memory Markdown text as a whole book (for fuzzing and tests).
pub fn parse_text(text: &str) -> (Parsed, Diagnostics, SourceMap) {
    let mut sources = SourceMap::new();
    let root = PathBuf::from("/book");
    let id = sources.add("/book/book.md", text.to_string());
    let files = [ManuscriptFile {
        id,
        path: root.join("book.md"),
    }];
    let mut diags = Diagnostics::new();
    let parsed = parse(&files, &sources, &root, &NoResources, &mut diags);
    (parsed, diags, sources)
}

#[cfg(test)]
mod tests;
