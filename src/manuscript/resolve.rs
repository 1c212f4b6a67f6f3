//! Resolving internal links once the whole book is known.
//!
//! A link to `#id` must name a heading or an anchor somewhere in the book; a link to another
//! manuscript file goes to that file's first heading (or to `#id` in it). A link that resolves to
//! nothing becomes its plain text, with a warning, so that the EPUB never holds a dangling link.

use super::lower::PendingLink;
use crate::diag::{Diagnostic, Diagnostics, FileId};
use crate::model::{AnchorId, Block, BlockKind, Division, Inline, InlineKind, LinkTarget, Note};
use std::collections::BTreeMap;

pub struct LinkResolver<'a> {
    pub pending: &'a BTreeMap<(FileId, u32, u32), PendingLink>,
    pub exists: &'a dyn Fn(&str) -> bool,
    /// The first heading id of each manuscript file.
    pub file_starts: &'a [Option<AnchorId>],
    pub file_names: &'a [String],
}

impl LinkResolver<'_> {
    pub fn book(
        &self,
        front: &mut [Block],
        divisions: &mut [Division],
        notes: &mut [Note],
        diags: &mut Diagnostics,
    ) {
        self.blocks(front, diags);
        for division in divisions {
            self.inlines(&mut division.heading.content, diags);
            self.blocks(&mut division.intro, diags);
            for section in &mut division.sections {
                self.inlines(&mut section.heading.content, diags);
                self.blocks(&mut section.blocks, diags);
            }
        }
        for note in notes {
            self.blocks(&mut note.blocks, diags);
        }
    }

    fn blocks(&self, blocks: &mut [Block], diags: &mut Diagnostics) {
        for block in blocks {
            match &mut block.kind {
                BlockKind::Paragraph(inlines) => self.inlines(inlines, diags),
                BlockKind::Heading(h) => self.inlines(&mut h.content, diags),
                BlockKind::List(list) => {
                    for item in &mut list.items {
                        self.blocks(&mut item.blocks, diags);
                    }
                }
                BlockKind::BlockQuote(inner) => self.blocks(inner, diags),
                BlockKind::Table(table) => {
                    for cell in table.head.iter_mut().chain(table.rows.iter_mut().flatten()) {
                        self.inlines(cell, diags);
                    }
                }
                BlockKind::DefinitionList(items) => {
                    for item in items {
                        self.inlines(&mut item.term, diags);
                        for d in &mut item.definitions {
                            self.blocks(d, diags);
                        }
                    }
                }
                BlockKind::Code { .. } | BlockKind::Figure(_) | BlockKind::SceneBreak => {}
            }
        }
    }

    fn inlines(&self, inlines: &mut Vec<Inline>, diags: &mut Diagnostics) {
        let mut i = 0;
        while i < inlines.len() {
            let inline = &mut inlines[i];
            match &mut inline.kind {
                InlineKind::Emphasis(c)
                | InlineKind::Strong(c)
                | InlineKind::Strikethrough(c)
                | InlineKind::Superscript(c)
                | InlineKind::Subscript(c) => self.inlines(c, diags),
                InlineKind::Link {
                    target, content, ..
                } => {
                    self.inlines(content, diags);
                    let key = (inline.span.file, inline.span.start, inline.span.end);
                    if let (LinkTarget::Internal(_), Some(pending)) =
                        (&*target, self.pending.get(&key))
                    {
                        match self.target(pending) {
                            Ok(id) => *target = LinkTarget::Internal(id),
                            Err(message) => {
                                diags.push(
                                    Diagnostic::warning(inline.span, message)
                                        .with_hint("link to a heading's id (shown by `quire check --verbose`) or add `{#id}` to the heading"),
                                );
                                let content = std::mem::take(content);
                                let n = content.len();
                                inlines.splice(i..=i, content);
                                i += n;
                                continue;
                            }
                        }
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }

    fn target(&self, pending: &PendingLink) -> Result<AnchorId, String> {
        match pending {
            PendingLink::Fragment(f) if (self.exists)(f) => Ok(AnchorId(f.clone())),
            PendingLink::Fragment(f) => Err(format!(
                "link to `#{f}` matches no heading or anchor in the book; it is set as plain text"
            )),
            PendingLink::File {
                fragment: Some(f), ..
            } if (self.exists)(f) => Ok(AnchorId(f.clone())),
            PendingLink::File {
                file,
                fragment: Some(f),
            } => Err(format!(
                "link to `{}#{f}` matches no heading or anchor; it is set as plain text",
                self.file_names.get(*file).map_or("?", String::as_str)
            )),
            PendingLink::File {
                file,
                fragment: None,
            } => self
                .file_starts
                .get(*file)
                .cloned()
                .flatten()
                .ok_or_else(|| {
                    format!(
                        "link to `{}`, which has no heading to link to; it is set as plain text",
                        self.file_names.get(*file).map_or("?", String::as_str)
                    )
                }),
        }
    }
}
