//! Step 1: the documents of the EPUB and where everything lives.
//!
//! Reading order (spine): cover (when there is one), title page, contents (`nav.xhtml`),
//! front matter (when `book.front` is not empty), one document per top-level division,
//! colophon. File names are stable: they depend only on the book's structure and ids.
//!
//! A note is set at the end of the document of its first reference (in reading order), so its
//! pop-up works there; later references from other documents link across
//! (`d02-part-ii.xhtml#note-3`). A note referenced only from another note's text lives with
//! that note.

use std::collections::{BTreeMap, BTreeSet};

use super::EpubError;
use super::EpubOptions;
use super::escape::name_token;
use crate::model::{Block, BlockKind, Book, Inline, InlineKind, NoteId};

/// The navigation document (also shown as the contents page).
pub(crate) const NAV_FILE: &str = "nav.xhtml";
/// The NCX for EPUB 2 readers.
pub(crate) const NCX_FILE: &str = "toc.ncx";
/// The stylesheet, as epub-builder names it.
pub(crate) const CSS_FILE: &str = "stylesheet.css";

/// The words the writer adds to the book (English for now: see the report on localisation).
pub(crate) mod labels {
    pub const COVER: &str = "Cover";
    pub const TITLE_PAGE: &str = "Title page";
    pub const CONTENTS: &str = "Contents";
    pub const LANDMARKS: &str = "Landmarks";
    pub const START: &str = "Start of text";
    pub const COLOPHON: &str = "Colophon";
    pub const NOTES: &str = "Notes";
    pub const PAGES: &str = "Pages";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocKind {
    Cover,
    TitlePage,
    Front,
    /// The index into `book.divisions`.
    Division(usize),
    Colophon,
}

/// One XHTML content document.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    pub kind: DocKind,
    /// The file name inside `OEBPS/` (all documents sit side by side).
    pub file: String,
    /// The document's `<title>` and its label in the guide.
    pub title: String,
}

/// The ids the writer generates for notes, chosen so they cannot clash with the book's own
/// anchors (a heading "Note 1" has the id `note-1`).
#[derive(Debug, Clone)]
pub(crate) struct NoteIds {
    prefix: String,
}

impl NoteIds {
    fn choose(anchors: &BTreeMap<&str, usize>) -> NoteIds {
        NoteIds {
            prefix: free_prefix(anchors, &["note-", "noteref-"]),
        }
    }

    /// The id of note `number`'s aside.
    pub fn note(&self, number: u32) -> String {
        format!("{}note-{number}", self.prefix)
    }

    /// The id of the `nth` (1-based) reference to note `number`.
    pub fn noteref(&self, number: u32, nth: u32) -> String {
        if nth <= 1 {
            format!("{}noteref-{number}", self.prefix)
        } else {
            format!("{}noteref-{number}-{nth}", self.prefix)
        }
    }
}

/// The first of "", "quire-", "quire2-", … such that no anchor of the book starts with the
/// prefix followed by one of `stems`.
fn free_prefix(anchors: &BTreeMap<&str, usize>, stems: &[&str]) -> String {
    let clashes = |prefix: &str| {
        stems.iter().any(|stem| {
            let start = format!("{prefix}{stem}");
            anchors.keys().any(|a| a.starts_with(&start))
        })
    };
    let mut prefix = String::new();
    let mut n = 1;
    while clashes(&prefix) {
        prefix = if n == 1 {
            "quire-".to_string()
        } else {
            format!("quire{n}-")
        };
        n += 1;
    }
    prefix
}

/// Everything the later steps need to know about where things go.
#[derive(Debug)]
pub(crate) struct Plan<'b> {
    pub book: &'b Book,
    /// The content documents in reading order (the nav is not among them: it is read right
    /// after the title page).
    pub docs: Vec<Doc>,
    /// The anchor → index into `docs`.
    anchors: BTreeMap<&'b str, usize>,
    /// For each note, the index into `docs` of the document it is set in.
    pub note_home: Vec<usize>,
    pub note_ids: NoteIds,
    /// What the ids of page-break markers start with before `page-` (see `pagebreaks`).
    pub page_id_prefix: String,
    /// For each asset, its path inside `OEBPS/` (`images/map.png`).
    pub images: Vec<String>,
    /// The cover image's path inside `OEBPS/`.
    pub cover_image: Option<String>,
    /// The index into `docs` where the body starts (the first division).
    pub body_start: usize,
    /// The book's final list, when it closes the book (styled as its coda).
    pub coda: Option<&'b Block>,
}

impl<'b> Plan<'b> {
    pub fn new(book: &'b Book, options: &EpubOptions) -> Result<Plan<'b>, EpubError> {
        let mut docs = Vec::new();
        if options.cover.is_some() {
            docs.push(Doc {
                kind: DocKind::Cover,
                file: "cover.xhtml".into(),
                title: labels::COVER.into(),
            });
        }
        docs.push(Doc {
            kind: DocKind::TitlePage,
            file: "titlepage.xhtml".into(),
            title: book.meta.title.clone(),
        });
        if !book.front.is_empty() {
            docs.push(Doc {
                kind: DocKind::Front,
                file: "front.xhtml".into(),
                title: book.meta.title.clone(),
            });
        }
        let width = book.divisions.len().to_string().len().max(2);
        for (i, division) in book.divisions.iter().enumerate() {
            let id: String = division.heading.id.as_str().chars().take(40).collect();
            let title = division.heading.plain_text();
            docs.push(Doc {
                kind: DocKind::Division(i),
                file: format!("d{:0width$}-{id}.xhtml", i + 1),
                title: if title.trim().is_empty() {
                    book.meta.title.clone()
                } else {
                    title
                },
            });
        }
        docs.push(Doc {
            kind: DocKind::Colophon,
            file: "colophon.xhtml".into(),
            title: labels::COLOPHON.into(),
        });
        let body_start = docs
            .iter()
            .position(|d| matches!(d.kind, DocKind::Division(_)))
            .or_else(|| docs.iter().position(|d| d.kind == DocKind::Front))
            .unwrap_or(docs.len() - 1);

        // Where anchors and notes live: walk the documents in reading order.
        let mut anchors = BTreeMap::new();
        let mut home: Vec<Option<usize>> = vec![None; book.notes.len()];
        for (d, doc) in docs.iter().enumerate() {
            let mut visit = |event: Event<'b>| match event {
                Event::Anchor(id) => {
                    anchors.entry(id).or_insert(d);
                }
                Event::NoteRef(n) => {
                    if let Some(slot) = home.get_mut(n.0 as usize) {
                        slot.get_or_insert(d);
                    }
                }
            };
            match doc.kind {
                DocKind::Front => walk_blocks(&book.front, &mut visit),
                DocKind::Division(i) => {
                    let division = &book.divisions[i];
                    visit(Event::Anchor(division.heading.id.as_str()));
                    walk_inlines(&division.heading.content, &mut visit);
                    walk_blocks(&division.intro, &mut visit);
                    for section in &division.sections {
                        visit(Event::Anchor(section.heading.id.as_str()));
                        walk_inlines(&section.heading.content, &mut visit);
                        walk_blocks(&section.blocks, &mut visit);
                    }
                }
                DocKind::Cover | DocKind::TitlePage | DocKind::Colophon => {}
            }
        }
        // Notes referenced only from other notes live with them; anchors in notes too.
        let mut settled = BTreeSet::new();
        loop {
            let mut changed = false;
            for (i, note) in book.notes.iter().enumerate() {
                let Some(d) = home[i] else { continue };
                if !settled.insert(i) {
                    continue;
                }
                changed = true;
                walk_blocks(&note.blocks, &mut |event| match event {
                    Event::Anchor(id) => {
                        anchors.entry(id).or_insert(d);
                    }
                    Event::NoteRef(n) => {
                        if let Some(slot) = home.get_mut(n.0 as usize) {
                            slot.get_or_insert(d);
                        }
                    }
                });
            }
            if !changed {
                break;
            }
        }
        let note_home = home
            .iter()
            .enumerate()
            .map(|(i, h)| {
                h.ok_or_else(|| {
                    EpubError::new(format!(
                        "note {} is never referenced (the manuscript stage should have dropped it)",
                        i + 1
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (i, note) in book.notes.iter().enumerate() {
            if note.number as usize != i + 1 {
                return Err(EpubError::new(format!(
                    "note {} is numbered {} (notes must be numbered in order)",
                    i + 1,
                    note.number
                )));
            }
        }

        let note_ids = NoteIds::choose(&anchors);
        let page_id_prefix = free_prefix(&anchors, &["page-"]);
        let (images, cover_image) = image_names(book, options);
        Ok(Plan {
            book,
            docs,
            anchors,
            note_home,
            note_ids,
            page_id_prefix,
            images,
            cover_image,
            body_start,
            coda: find_coda(book),
        })
    }

    /// The document an anchor lives in.
    pub fn anchor_doc(&self, id: &str) -> Option<usize> {
        self.anchors.get(id).copied()
    }

    /// A link to `fragment` in document `target`, as written from document `from`.
    pub fn href(&self, from: usize, target: usize, fragment: &str) -> String {
        if from == target {
            format!("#{fragment}")
        } else {
            format!("{}#{fragment}", self.docs[target].file)
        }
    }

    pub fn lang(&self) -> &str {
        self.book.meta.language.as_str()
    }
}

/// What the walk over a document reports.
pub(crate) enum Event<'b> {
    Anchor(&'b str),
    NoteRef(NoteId),
}

pub(crate) fn walk_blocks<'b>(blocks: &'b [Block], f: &mut impl FnMut(Event<'b>)) {
    for block in blocks {
        match &block.kind {
            BlockKind::Paragraph(inlines) => walk_inlines(inlines, f),
            BlockKind::Heading(h) => {
                f(Event::Anchor(h.id.as_str()));
                walk_inlines(&h.content, f);
            }
            BlockKind::List(list) => {
                for item in &list.items {
                    walk_blocks(&item.blocks, f);
                }
            }
            BlockKind::BlockQuote(blocks) => walk_blocks(blocks, f),
            BlockKind::Code { .. } | BlockKind::SceneBreak | BlockKind::Figure(_) => {}
            BlockKind::Table(table) => {
                for cell in table.head.iter().chain(table.rows.iter().flatten()) {
                    walk_inlines(cell, f);
                }
            }
            BlockKind::DefinitionList(defs) => {
                for def in defs {
                    walk_inlines(&def.term, f);
                    for blocks in &def.definitions {
                        walk_blocks(blocks, f);
                    }
                }
            }
        }
    }
}

pub(crate) fn walk_inlines<'b>(inlines: &'b [Inline], f: &mut impl FnMut(Event<'b>)) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Anchor(id) => f(Event::Anchor(id.as_str())),
            InlineKind::NoteRef(n) => f(Event::NoteRef(*n)),
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Strikethrough(c)
            | InlineKind::Superscript(c)
            | InlineKind::Subscript(c)
            | InlineKind::Link { content: c, .. } => walk_inlines(c, f),
            InlineKind::Text(_)
            | InlineKind::Code(_)
            | InlineKind::Image(_)
            | InlineKind::LineBreak
            | InlineKind::SoftBreak => {}
        }
    }
}

/// The book's final list, when it is among the last three blocks of the book.
fn find_coda(book: &Book) -> Option<&Block> {
    let last = book.divisions.last()?;
    let blocks = match last.sections.last() {
        Some(section) => &section.blocks,
        None => &last.intro,
    };
    let tail = &blocks[blocks.len().saturating_sub(3)..];
    tail.iter()
        .rev()
        .find(|b| matches!(b.kind, BlockKind::List(_)))
}

/// Stable image paths: `images/<basename>.<ext>` (letters, digits, `-`, `_`), made unique
/// (ignoring case) with the asset's number; the cover takes `images/cover.<ext>` first.
fn image_names(book: &Book, options: &EpubOptions) -> (Vec<String>, Option<String>) {
    let mut taken = BTreeSet::new();
    let cover = options.cover.as_ref().map(|c| {
        taken.insert("cover".to_string());
        format!("images/cover.{}", c.format.extension())
    });
    let images = book
        .assets
        .iter()
        .enumerate()
        .map(|(i, asset)| {
            let file = asset.path.rsplit(['/', '\\']).next().unwrap_or("");
            let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
            let mut stem = name_token(stem);
            if stem.is_empty() {
                stem = format!("asset-{}", i + 1);
            }
            if taken.contains(&stem.to_ascii_lowercase()) {
                stem = format!("{stem}-{}", i + 1);
            }
            while taken.contains(&stem.to_ascii_lowercase()) {
                stem.push('_');
            }
            taken.insert(stem.to_ascii_lowercase());
            format!("images/{stem}.{}", asset.format.extension())
        })
        .collect();
    (images, cover)
}
