//! Notes: numbered in order of first reference, defined anywhere in their file.
//!
//! pulldown-cmark only reports a reference when its file defines the label, so references are
//! per file: `[^1]` in `a.md` and `[^1]` in `b.md` are two different notes.

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::model::{Block, Note, NoteId};
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct NoteTable {
    ids: BTreeMap<(FileId, String), NoteId>,
    /// By note id: the label and the span of the first reference.
    referenced: Vec<(FileId, String, Span)>,
    defined: BTreeMap<(FileId, String), (Vec<Block>, Span)>,
}

impl NoteTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// The id of the note `label`, numbering it if this is its first reference.
    pub fn reference(&mut self, file: FileId, label: &str, span: Span) -> NoteId {
        let key = (file, label.to_string());
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = NoteId(u32::try_from(self.referenced.len()).unwrap_or(u32::MAX));
        self.ids.insert(key, id);
        self.referenced.push((file, label.to_string(), span));
        id
    }

    /// Records a definition; `false` if the label was already defined in this file.
    pub fn define(&mut self, file: FileId, label: &str, blocks: Vec<Block>, span: Span) -> bool {
        let key = (file, label.to_string());
        if self.defined.contains_key(&key) {
            return false;
        }
        self.defined.insert(key, (blocks, span));
        true
    }

    /// The notes in number order. Definitions never referenced are warnings.
    pub fn finish(mut self, diags: &mut Diagnostics) -> Vec<Note> {
        let mut notes = Vec::with_capacity(self.referenced.len());
        for (i, (file, label, ref_span)) in self.referenced.into_iter().enumerate() {
            let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
            match self.defined.remove(&(file, label.clone())) {
                Some((blocks, span)) => notes.push(Note {
                    number,
                    label,
                    blocks,
                    span,
                }),
                None => {
                    diags.push(
                        Diagnostic::error(
                            ref_span,
                            format!("note `[^{label}]` is referenced but never defined"),
                        )
                        .with_hint(format!("add a line `[^{label}]: …` with the note's text")),
                    );
                    notes.push(Note {
                        number,
                        label,
                        blocks: Vec::new(),
                        span: ref_span,
                    });
                }
            }
        }
        for ((_, label), (_, span)) in self.defined {
            let head = Span {
                end: span.start + u32::try_from(label.len() + 3).unwrap_or(0),
                ..span
            };
            diags.push(
                Diagnostic::warning(
                    head,
                    format!("note `[^{label}]` is defined but never referenced; it is left out"),
                )
                .with_hint(format!(
                    "add `[^{label}]` where the note belongs, or delete the note"
                )),
            );
        }
        notes
    }
}
