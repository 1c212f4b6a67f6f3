//! The typesetter on a manuscript holding every kind of block and inline: nothing is skipped,
//! nothing runs past the measure, and the text of every block reaches the pages.

use super::layout::PageItem;
use super::{TypesetOptions, typeset};
use crate::model::{Book, Identifier, Language, Metadata};

fn book(markdown: &str) -> Book {
    let (parsed, diags, _) = crate::manuscript::parse_text(markdown);
    assert!(!diags.has_errors(), "{diags:?}");
    Book {
        meta: Metadata {
            title: "Every Block".into(),
            subtitle: None,
            short_title: None,
            creators: Vec::new(),
            language: Language::parse("en").unwrap(),
            identifier: Identifier("urn:uuid:00000000-0000-8000-8000-000000000000".into()),
            date: None,
            modified: 0,
            rights: None,
            source: None,
            publisher: None,
            description: None,
            subjects: Vec::new(),
            slug: "every-block".into(),
            version: None,
        },
        front: parsed.front,
        divisions: parsed.divisions,
        notes: parsed.notes,
        assets: parsed.assets,
    }
}

const EVERYTHING: &str = "Epigraph before the first chapter.\n\n\
# Chapter One\n\n\
A paragraph with *emphasis*, **strong**, ~~struck~~, H ~2~ O, x ^2^, `code`, a [link](https://example.org), \
a [cross-reference](#later) and a note.[^a]\n\n\
> A quotation, set narrower and smaller.\n\n\
- a bullet\n- another, with a second line long enough to wrap under its own hanging indent and not under the bullet\n  1. nested one\n  2. nested two\n\n\
- [x] done task\n- [ ] open task\n\n\
```\nfn main() { println!(\"a very long line of code that will certainly not fit in the measure of the page\"); }\n```\n\n\
| Name | Value |\n|:-----|------:|\n| alpha | 1 |\n| beta | 22 |\n\n\
Term\n: Its definition.\n\n\
* * *\n\n\
## Later {#later}\n\n\
### A sub-heading\n\n\
Last words.<br>After a hard break.\n\n\
[^a]: The note's text.\n";

#[test]
fn every_block_reaches_the_pages() {
    let book = book(EVERYTHING);
    let result = typeset(&book, &TypesetOptions::default());
    assert!(result.diagnostics.is_empty(), "{:?}", result.diagnostics);
    let doc = result.document;
    let text: String = doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|i| match i {
            PageItem::Glyphs(run) => Some(run.text.clone() + " "),
            _ => None,
        })
        .collect();
    let squashed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for words in [
        "Epigraph",
        "emphasis",
        "strong",
        "struck",
        "H2O",
        "x2",
        "code",
        "link",
        "cross-reference",
        "Aquotation",
        "abullet",
        "nestedtwo",
        "donetask",
        "fnmain()",
        "alpha",
        "beta",
        "22",
        "Itsdefinition",
        "Later",
        "Asub-heading",
        "Lastwords.",
        "Afterahardbreak.",
        "Thenote’stext.",
        "☒",
        "☐",
        "↪",
        "•",
    ] {
        assert!(
            squashed.contains(words),
            "{words:?} is missing from the pages: {text}"
        );
    }
    // Links: the URL and the cross-reference are clickable; the note mark links to its note.
    let links: Vec<_> = doc.pages.iter().flat_map(|p| &p.links).collect();
    assert!(links.len() >= 3, "{links:?}");
    // Rules: the table's three rules, the note separator.
    let rules = doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter(|i| matches!(i, PageItem::Rule { .. }))
        .count();
    assert!(rules >= 4, "{rules} rules");
}

#[test]
fn no_glyph_runs_past_the_measure() {
    let book = book(EVERYTHING);
    let options = TypesetOptions::default();
    let doc = typeset(&book, &options).document;
    for (p, page) in doc.pages.iter().enumerate() {
        let left = if p % 2 == 0 {
            options.page.inner
        } else {
            options.page.outer
        };
        let right = left + options.page.width - options.page.inner - options.page.outer;
        for item in &page.items {
            if let PageItem::Glyphs(run) = item {
                let last = run.glyphs.last().map_or(0.0, |g| g.x);
                // The last glyph's origin stays inside the text block (its advance is at most a
                // few points for the glyphs concerned).
                assert!(
                    run.x + last <= right + 0.5,
                    "page {} run at {} + {last} beyond {right}",
                    p + 1,
                    run.x
                );
                assert!(
                    run.x >= left - 40.0,
                    "page {} run at {} before {left} (hanging markers excepted)",
                    p + 1,
                    run.x
                );
            }
        }
    }
}

#[test]
fn hostile_manuscripts_typeset_and_write_without_panicking() {
    let pieces = [
        "# ",
        "## ",
        "### ",
        "[^a]",
        "\n\n[^a]: note ",
        "*",
        "**",
        "`",
        "~~",
        "^",
        "~",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "> ",
        "```\n",
        "| a | b |\n|---|---|\n| c | d |\n",
        "* * *\n",
        "Term\n: def\n",
        "word ",
        "averyveryverylongwordwithoutanybreakpointsatalltotestoverfullboxes ",
        "é",
        "—",
        "fi",
        "ﬁ",
        "\u{E000}",
        "\u{1F680}",
        "\t",
        "<br>",
        "&shy;",
        "a-b",
        "1933–1936 ",
        "http://x.y/z ",
    ];
    let mut rng = crate::testutil::Rng(0x1234_5678_9abc_def1);
    for _ in 0..150 {
        let len = (rng.next() % 60) as usize;
        let text: String = (0..len)
            .map(|_| pieces[(rng.next() % pieces.len() as u64) as usize])
            .collect();
        let (parsed, _, _) = crate::manuscript::parse_text(&text);
        let mut b = book("# x\n");
        b.front = parsed.front;
        b.divisions = parsed.divisions;
        b.notes = parsed.notes;
        let result = typeset(&b, &TypesetOptions::default());
        assert!(!result.document.pages.is_empty());
        crate::pdf::write(&result.document).unwrap_or_else(|e| panic!("{e} for {text:?}"));
    }
}

/// Every place where a print page begins names a text node of the book (or a block) and a
/// char boundary inside its text; pages are listed once each, in order.
#[test]
fn print_pages_name_places_in_the_book() {
    use crate::diag::Span;
    use crate::model::{Block, BlockKind, Inline, InlineKind};
    use std::collections::BTreeMap;

    fn inlines(list: &[Inline], out: &mut BTreeMap<(u32, u32), String>) {
        for i in list {
            match &i.kind {
                InlineKind::Text(t) | InlineKind::Code(t) => {
                    out.insert((i.span.start, i.span.end), t.clone());
                }
                InlineKind::Emphasis(c)
                | InlineKind::Strong(c)
                | InlineKind::Strikethrough(c)
                | InlineKind::Superscript(c)
                | InlineKind::Subscript(c)
                | InlineKind::Link { content: c, .. } => inlines(c, out),
                _ => {}
            }
        }
    }
    fn blocks(list: &[Block], out: &mut BTreeMap<(u32, u32), String>) {
        for b in list {
            match &b.kind {
                BlockKind::Paragraph(i) => inlines(i, out),
                BlockKind::Heading(h) => inlines(&h.content, out),
                BlockKind::List(l) => l.items.iter().for_each(|i| blocks(&i.blocks, out)),
                BlockKind::BlockQuote(b) => blocks(b, out),
                BlockKind::Code { text, .. } => {
                    out.insert((b.span.start, b.span.end), text.clone());
                }
                BlockKind::Table(t) => t
                    .head
                    .iter()
                    .chain(t.rows.iter().flatten())
                    .for_each(|c| inlines(c, out)),
                BlockKind::DefinitionList(d) => d.iter().for_each(|d| {
                    inlines(&d.term, out);
                    d.definitions.iter().for_each(|b| blocks(b, out));
                }),
                BlockKind::Figure(_) | BlockKind::SceneBreak => {
                    out.insert((b.span.start, b.span.end), String::new());
                }
            }
        }
    }
    // A long book: the same text many times, so that pages begin mid-paragraph and mid-word.
    let long = EVERYTHING
        .replace("[^a]", "")
        .replace("[^a]: The note's text.\n", "")
        + &"\n\nA paragraph long enough to run over the foot of a page, again and again, with \
            hyphenatable vocabulary: incomprehensibility, internationalization, responsibilities. "
            .repeat(120);
    let book = book(&long);
    let result = typeset(&book, &TypesetOptions::default());
    let mut nodes = BTreeMap::new();
    blocks(&book.front, &mut nodes);
    for d in &book.divisions {
        inlines(&d.heading.content, &mut nodes);
        blocks(&d.intro, &mut nodes);
        for s in &d.sections {
            inlines(&s.heading.content, &mut nodes);
            blocks(&s.blocks, &mut nodes);
        }
    }
    let labels: Vec<&str> = result
        .document
        .pages
        .iter()
        .map(|p| p.label.as_str())
        .collect();
    assert!(
        result.pages.len() >= 3,
        "{} print pages",
        result.pages.len()
    );
    let mut last = 0;
    for page in &result.pages {
        let Span { start, end, .. } = page.at.node;
        let text = nodes
            .get(&(start, end))
            .unwrap_or_else(|| panic!("page {} begins in no text node: {:?}", page.label, page.at));
        let offset = page.at.offset as usize;
        assert!(
            offset <= text.len() && text.is_char_boundary(offset),
            "page {}: offset {offset} in {text:?}",
            page.label
        );
        let index = labels
            .iter()
            .position(|&l| l == page.label)
            .expect("the label of a page");
        assert!(index >= last, "print pages out of order at {}", page.label);
        last = index + 1;
    }
}
