//! Structure: the flat list of blocks becomes front matter, divisions and sections.
//!
//! The book's top heading level is the smallest one it uses (usually `#`): headings of that
//! level open divisions, the next level opens sections, deeper headings stay inside sections
//! (renumbered so that a section's sub-heading is level 3). A heading more than one level below
//! the previous one is a warning (`#` followed by `###`), as is a section before any division.
//!
//! A division is a part when its heading has the class `.part` or its text starts with
//! "Part"; `.chapter` forces a chapter.

use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{Block, BlockKind, Division, DivisionKind, Heading, Section};

pub struct Structured {
    pub front: Vec<Block>,
    pub divisions: Vec<Division>,
}

pub fn structure(blocks: Vec<Block>, diags: &mut Diagnostics) -> Structured {
    let top = blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading(h) => Some(h.level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut front = Vec::new();
    let mut divisions: Vec<Division> = Vec::new();
    let mut previous_level = 0u8;
    for block in blocks {
        let span = block.span;
        let BlockKind::Heading(mut heading) = block.kind else {
            push_content(&mut front, &mut divisions, block);
            continue;
        };
        let level = heading.level - top + 1;
        heading.level = level;
        if level > previous_level + 1 {
            let written = "#".repeat(usize::from(level + top - 1));
            let expected = "#".repeat(usize::from(previous_level + top));
            diags.push(
                Diagnostic::warning(
                    heading.span,
                    format!("heading level jumps from {previous_level} to {level}"),
                )
                .with_hint(format!(
                    "use `{expected}` instead of `{written}`, or add the missing level above it"
                )),
            );
        }
        previous_level = level;
        match level {
            1 => {
                let kind = division_kind(&heading);
                divisions.push(Division {
                    kind,
                    heading,
                    intro: Vec::new(),
                    sections: Vec::new(),
                    span,
                });
            }
            2 => match divisions.last_mut() {
                Some(division) => division.sections.push(Section {
                    heading,
                    blocks: Vec::new(),
                    span,
                }),
                None => front.push(Block {
                    kind: BlockKind::Heading(heading),
                    span,
                }),
            },
            _ => push_content(
                &mut front,
                &mut divisions,
                Block {
                    kind: BlockKind::Heading(heading),
                    span,
                },
            ),
        }
    }
    // Spans of divisions and sections run to the end of their last block.
    for division in &mut divisions {
        for section in &mut division.sections {
            section.span = extend(section.span, section.blocks.last().map(|b| b.span));
        }
        let last = division
            .sections
            .last()
            .map(|s| s.span)
            .or_else(|| division.intro.last().map(|b| b.span));
        division.span = extend(division.span, last);
    }
    Structured { front, divisions }
}

fn push_content(front: &mut Vec<Block>, divisions: &mut [Division], block: Block) {
    match divisions.last_mut() {
        None => front.push(block),
        Some(division) => match division.sections.last_mut() {
            Some(section) => section.blocks.push(block),
            None => division.intro.push(block),
        },
    }
}

fn extend(span: Span, last: Option<Span>) -> Span {
    match last {
        Some(l) if l.file == span.file && l.end > span.end => Span { end: l.end, ..span },
        _ => span,
    }
}

fn division_kind(heading: &Heading) -> DivisionKind {
    if heading.classes.iter().any(|c| c == "chapter") {
        return DivisionKind::Chapter;
    }
    if heading.classes.iter().any(|c| c == "part") {
        return DivisionKind::Part;
    }
    let text = heading.plain_text();
    let first = text.split_whitespace().next().unwrap_or("").to_lowercase();
    if first == "part" {
        DivisionKind::Part
    } else {
        DivisionKind::Chapter
    }
}
