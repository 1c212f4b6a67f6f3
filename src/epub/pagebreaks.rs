//! Step 2c: the print edition's page numbers in the EPUB — a page-break marker where each
//! printed page begins, and the `page-list` that lists them.
//!
//! The typesetter reports where each PDF page begins as a [`TextPosition`]: the span of a
//! model node and a byte offset in it. While a document is written ([`super::xhtml`]), every
//! node asks for the positions that name it, and an empty, labelled marker is written there:
//!
//! ```text
//! <span epub:type="pagebreak" role="doc-pagebreak" id="page-17" aria-label="17"/>
//! ```
//!
//! (DPUB-ARIA's `doc-pagebreak` with its label, as the DAISY Knowledge Base shows it: nothing
//! a sighted reader sees, a page number a screen reader announces.)
//!
//! Where a marker goes:
//! - a `Text` or `Code` inline, or a code block: its text is split at the byte offset, so a
//!   page that begins with the second half of a hyphenated word gets its marker inside the
//!   word (`catas<span …/>trophe`);
//! - any block, offset 0: just before the block;
//! - a position inside a heading or a link is written just before that heading or link: their
//!   accessible name is their content, and a labelled marker inside would be read as part of
//!   it ("17 The Balance Sheet");
//! - a position inside a note goes into the note's `aside`, where the note is set.
//!
//! Each position is used once, by the first node in reading order that can take it (a block
//! and its first inline may share a span: the block takes offset 0). A position that matches
//! no node (a span that is in no document, an offset past the end or inside a UTF-8 sequence)
//! or whose page has no label is left out: no marker, no `page-list` entry — a reader cannot
//! cite a page without its number, and nothing a typesetter says may make the writer fail.
//!
//! The `page-list` lists the pages in page order, and EPUBCheck requires it to be in reading
//! order too (NAV-011). Should the two disagree (a page whose position lies before an earlier
//! page's in the EPUB), the longest run of pages that is in both orders is kept and the other
//! pages' markers are not written: the documents are written a second time with those only.
//!
//! Ids are `page-` and the label reduced to XML name characters (`page-17`, `page-iv`), with a
//! prefix when a book's own anchor starts with `page-` and a `-2`, `-3`, … when two labels
//! reduce to the same id.

use std::collections::{BTreeMap, BTreeSet};

use super::escape::name_token;
use super::plan::Plan;
use crate::diag::Span;
use crate::model::PrintPage;

/// The key of a node: its span, compared whole.
type NodeKey = (u32, u32, u32);

fn key(span: Span) -> NodeKey {
    (span.file.0, span.start, span.end)
}

/// The page breaks not yet written, and where the written ones went.
pub(crate) struct PageBreaks {
    /// Each page's label (the `aria-label` and the `page-list` entry) and marker id.
    labels: Vec<String>,
    ids: Vec<String>,
    /// The positions still to place: node → (offset, page index), sorted.
    waiting: BTreeMap<NodeKey, Vec<(u32, usize)>>,
    /// For each page, where its marker was written: (document index, rank in reading order).
    placed: Vec<Option<(usize, usize)>>,
    written: usize,
}

impl PageBreaks {
    /// The page breaks of `pages` whose index `keep` accepts.
    pub fn new(plan: &Plan, pages: &[PrintPage], keep: impl Fn(usize) -> bool) -> PageBreaks {
        let mut waiting: BTreeMap<NodeKey, Vec<(u32, usize)>> = BTreeMap::new();
        let labels: Vec<String> = pages.iter().map(|p| p.label.trim().to_string()).collect();
        for (i, page) in pages.iter().enumerate() {
            if keep(i) && !labels[i].is_empty() {
                waiting
                    .entry(key(page.at.node))
                    .or_default()
                    .push((page.at.offset, i));
            }
        }
        for list in waiting.values_mut() {
            list.sort_unstable();
        }
        PageBreaks {
            ids: marker_ids(&plan.page_id_prefix, &labels),
            labels,
            waiting,
            placed: vec![None; pages.len()],
            written: 0,
        }
    }

    /// No page breaks at all (a book without a print edition).
    pub fn none() -> PageBreaks {
        PageBreaks {
            labels: Vec::new(),
            ids: Vec::new(),
            waiting: BTreeMap::new(),
            placed: Vec::new(),
            written: 0,
        }
    }

    /// The pages that begin just before the block with this span (offset 0).
    pub fn take_block(&mut self, span: Span) -> Vec<usize> {
        self.take(span, |offset| offset == 0)
            .into_iter()
            .map(|(_, page)| page)
            .collect()
    }

    /// The pages that begin inside `text`, the text of the node with this span: (byte offset,
    /// page index), by offset. Offsets are on `char` boundaries, at most `text.len()`.
    pub fn take_text(&mut self, span: Span, text: &str) -> Vec<(usize, usize)> {
        self.take(span, |offset| text.is_char_boundary(offset as usize))
            .into_iter()
            .map(|(offset, page)| (offset as usize, page))
            .collect()
    }

    fn take(&mut self, span: Span, fits: impl Fn(u32) -> bool) -> Vec<(u32, usize)> {
        if self.waiting.is_empty() {
            return Vec::new();
        }
        let Some(list) = self.waiting.get_mut(&key(span)) else {
            return Vec::new();
        };
        let (taken, left): (Vec<_>, Vec<_>) = list.iter().partition(|(offset, _)| fits(*offset));
        if left.is_empty() {
            self.waiting.remove(&key(span));
        } else {
            *list = left;
        }
        taken
    }

    /// Notes that the marker of `page` is written now, in document `doc`.
    pub fn written(&mut self, page: usize, doc: usize) {
        if let Some(slot) = self.placed.get_mut(page) {
            *slot = Some((doc, self.written));
            self.written += 1;
        }
    }

    pub fn label(&self, page: usize) -> &str {
        &self.labels[page]
    }

    pub fn id(&self, page: usize) -> &str {
        &self.ids[page]
    }

    /// The placed pages to keep so that page order is reading order: the longest run of
    /// pages, in page order, whose markers are in reading order too.
    pub fn in_reading_order(&self) -> BTreeSet<usize> {
        let placed: Vec<(usize, usize)> = self
            .placed
            .iter()
            .enumerate()
            .filter_map(|(page, p)| p.map(|(_, rank)| (page, rank)))
            .collect();
        longest_increasing(&placed.iter().map(|&(_, r)| r).collect::<Vec<_>>())
            .into_iter()
            .map(|i| placed[i].0)
            .collect()
    }

    /// Whether every placed page is in `keep`, and only those.
    pub fn placed_exactly(&self, keep: &BTreeSet<usize>) -> bool {
        self.placed
            .iter()
            .enumerate()
            .all(|(page, p)| p.is_some() == keep.contains(&page))
    }

    /// The `page-list`, in page order: each placed page's label and link.
    pub fn page_list(&self, plan: &Plan) -> Vec<PageEntry> {
        self.placed
            .iter()
            .enumerate()
            .filter_map(|(page, p)| {
                let (doc, _) = (*p)?;
                Some(PageEntry {
                    label: self.labels[page].clone(),
                    href: format!("{}#{}", plan.docs[doc].file, self.ids[page]),
                })
            })
            .collect()
    }
}

/// One entry of the `page-list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageEntry {
    pub label: String,
    /// `d01-part-i.xhtml#page-3`.
    pub href: String,
}

/// The print edition's pages as the EPUB carries them.
#[derive(Debug, Clone)]
pub(crate) struct PageList {
    /// What `pageBreakSource` names.
    pub source: String,
    /// Never empty.
    pub entries: Vec<PageEntry>,
}

/// `page-<label>`, the label reduced to ASCII letters, digits, `-` and `_`, unique.
fn marker_ids(prefix: &str, labels: &[String]) -> Vec<String> {
    let mut taken = BTreeSet::new();
    labels
        .iter()
        .map(|label| {
            let base = format!("{prefix}page-{}", name_token(label));
            let mut id = base.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            id
        })
        .collect()
}

/// The indices of a longest strictly increasing subsequence of `values` (patience sorting,
/// O(n log n)); among equally long ones, the one whose last value is smallest.
fn longest_increasing(values: &[usize]) -> Vec<usize> {
    // tails[k]: the index of the smallest value that ends an increasing run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut before: Vec<Option<usize>> = vec![None; values.len()];
    for (i, &v) in values.iter().enumerate() {
        let k = tails.partition_point(|&t| values[t] < v);
        before[i] = k.checked_sub(1).map(|k| tails[k]);
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut run = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied();
    while let Some(i) = at {
        run.push(i);
        at = before[i];
    }
    run.reverse();
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_increasing_run() {
        assert_eq!(longest_increasing(&[]), Vec::<usize>::new());
        assert_eq!(longest_increasing(&[0, 1, 2]), vec![0, 1, 2]);
        // Page 2's marker landed far ahead: pages 1, 3, 4 are kept.
        assert_eq!(longest_increasing(&[0, 9, 1, 2]), vec![0, 2, 3]);
        assert_eq!(longest_increasing(&[3, 2, 1]), vec![2]);
    }

    #[test]
    fn ids_are_xml_names_and_unique() {
        let labels: Vec<String> = ["17", "iv", "A 1", "A-1", "17"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            marker_ids("", &labels),
            ["page-17", "page-iv", "page-A-1", "page-A-1-2", "page-17-2"]
        );
        assert_eq!(marker_ids("quire-", &labels[..1]), ["quire-page-17"]);
    }
}
