//! The manuscript stage on small texts: structure, notes, links, and no panics on any input.

use super::parse_text;
use crate::diag::render;
use crate::model::{BlockKind, DivisionKind, InlineKind, LinkTarget};

#[test]
fn parts_sections_and_notes() {
    let (parsed, diags, _) = parse_text(
        "Epigraph.\n\n# Part One\n\nIntro.[^b]\n\n## Sec A\n\nText.[^a] Again.[^b]\n\n# Chapter Two {.chapter}\n\n### Deep\n\n[^a]: Note A.\n[^b]: Note B.\n",
    );
    assert_eq!(parsed.front.len(), 1);
    assert_eq!(parsed.divisions.len(), 2);
    assert_eq!(parsed.divisions[0].kind, DivisionKind::Part);
    assert_eq!(parsed.divisions[1].kind, DivisionKind::Chapter);
    assert_eq!(parsed.divisions[0].sections[0].heading.id.as_str(), "sec-a");
    // Numbered by first reference: `b` (in the intro) is note 1.
    assert_eq!(parsed.notes.len(), 2);
    assert_eq!(
        (parsed.notes[0].label.as_str(), parsed.notes[0].number),
        ("b", 1)
    );
    assert_eq!(
        (parsed.notes[1].label.as_str(), parsed.notes[1].number),
        ("a", 2)
    );
    // `#` then `###` jumps a level.
    assert_eq!(diags.warning_count(), 1, "{:?}", diags);
}

#[test]
fn links_resolve_or_become_text() {
    let (parsed, diags, _) =
        parse_text("# One {#one}\n\n[ok](#one) [bad](#nope) [web](https://example.org)\n");
    let BlockKind::Paragraph(inlines) = &parsed.divisions[0].intro[0].kind else {
        panic!("paragraph")
    };
    let links: Vec<&LinkTarget> = inlines
        .iter()
        .filter_map(|i| match &i.kind {
            InlineKind::Link { target, .. } => Some(target),
            _ => None,
        })
        .collect();
    assert_eq!(links.len(), 2);
    assert!(matches!(links[0], LinkTarget::Internal(id) if id.as_str() == "one"));
    assert!(matches!(links[1], LinkTarget::External(u) if u == "https://example.org"));
    assert_eq!(crate::model::plain_text(inlines), "ok bad web");
    assert_eq!(diags.warning_count(), 1);
}

#[test]
fn tight_lists_and_tables_and_code() {
    let (parsed, diags, _) = parse_text(
        "# One\n\n- a\n- b *c*\n\n1. x\n\n   y\n2. z\n\n| h | i |\n|---|--:|\n| 1 | 2 |\n\n```rust\nfn x() {}\n```\n",
    );
    assert!(diags.is_empty(), "{diags:?}");
    let blocks = &parsed.divisions[0].intro;
    let BlockKind::List(bullets) = &blocks[0].kind else {
        panic!("{:?}", blocks[0])
    };
    assert!(bullets.tight && bullets.start.is_none() && bullets.items.len() == 2);
    let BlockKind::List(numbered) = &blocks[1].kind else {
        panic!()
    };
    assert!(!numbered.tight && numbered.start == Some(1) && numbered.items[0].blocks.len() == 2);
    let BlockKind::Table(table) = &blocks[2].kind else {
        panic!()
    };
    assert_eq!((table.head.len(), table.rows.len()), (2, 1));
    assert!(
        matches!(&blocks[3].kind, BlockKind::Code { language: Some(l), text } if l == "rust" && text == "fn x() {}")
    );
}

#[test]
fn html_becomes_model_or_text() {
    let (parsed, diags, _) =
        parse_text("# One\n\nA <em>b</em> c<br>d <span id=\"here\">e</span> <u>f</u>\n");
    let BlockKind::Paragraph(inlines) = &parsed.divisions[0].intro[0].kind else {
        panic!()
    };
    assert!(
        inlines
            .iter()
            .any(|i| matches!(i.kind, InlineKind::Emphasis(_)))
    );
    assert!(
        inlines
            .iter()
            .any(|i| matches!(i.kind, InlineKind::LineBreak))
    );
    assert!(
        inlines
            .iter()
            .any(|i| matches!(&i.kind, InlineKind::Anchor(a) if a.as_str() == "here"))
    );
    assert_eq!(crate::model::plain_text(inlines), "A b c d e f");
    assert_eq!(diags.warning_count(), 1, "only <u> is reported: {diags:?}");
}

use crate::testutil::Rng;

#[test]
fn never_panics_on_hostile_markdown() {
    let pieces = [
        "# ",
        "## ",
        "###### ",
        "[^",
        "]",
        "[^a]: ",
        "[^a]",
        "<em>",
        "</em>",
        "<span id=\"x\">",
        "</span>",
        "<!--",
        "-->",
        "<div>",
        "</div>",
        "![",
        "](",
        ")",
        "[",
        "](#",
        "* * *",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "> ",
        "```",
        "|",
        "|---|",
        "{#id .part short=\"s\"}",
        "é",
        "—",
        "\t",
        "  ",
        "**",
        "_",
        "~",
        "^",
        "&amp;",
        "&#0;",
        "---\n",
        "+++\n",
        "<",
        ">",
        "\\",
        "`",
        "<br>",
        "<a href=\"#x\">",
        "</a>",
        "Term\n: def\n",
        "[x]: /u\n",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = (rng.next() % 40) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
            .collect();
        let (_parsed, diags, sources) = parse_text(&text);
        for d in diags.iter() {
            let _ = render(d, &sources);
        }
    }
}
