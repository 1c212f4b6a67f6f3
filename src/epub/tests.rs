//! Tests of the whole writer on a small hand-made book: well-formed XHTML, the footnote
//! pattern, links across documents, determinism and the zip layout.

use std::io::{Cursor, Read};

use super::{CoverImage, EpubOptions, write};
use crate::diag::{FileId, Span};
use crate::model::*;

fn sp() -> Span {
    Span::new(FileId(0), 0..0)
}

fn text(s: &str) -> Inline {
    Inline {
        kind: InlineKind::Text(s.into()),
        span: sp(),
    }
}

fn inline(kind: InlineKind) -> Inline {
    Inline { kind, span: sp() }
}

fn block(kind: BlockKind) -> Block {
    Block { kind, span: sp() }
}

fn para(inlines: Vec<Inline>) -> Block {
    block(BlockKind::Paragraph(inlines))
}

fn heading(level: u8, id: &str, title: &str) -> Heading {
    Heading {
        level,
        id: AnchorId(id.into()),
        content: vec![text(title)],
        short_title: None,
        classes: vec![],
        span: sp(),
    }
}

fn note_ref(i: u32) -> Inline {
    inline(InlineKind::NoteRef(NoteId(i)))
}

fn list(items: &[&str]) -> Block {
    block(BlockKind::List(List {
        start: None,
        tight: true,
        items: items
            .iter()
            .map(|t| ListItem {
                blocks: vec![para(vec![text(t)])],
                task: None,
                span: sp(),
            })
            .collect(),
    }))
}

/// A part with two sections and a chapter: notes (one referenced twice, from both
/// divisions), a scene break, lists, a table, code, links, an image and awkward characters.
pub(crate) fn sample_book() -> Book {
    let part = Division {
        kind: DivisionKind::Part,
        heading: heading(1, "part-i", "Part I"),
        intro: vec![para(vec![text("An intro & a <tag>.")])],
        sections: vec![
            Section {
                heading: heading(2, "the-plan", "The \"Plan\""),
                blocks: vec![
                    para(vec![
                        text("Several times ten per cent."),
                        note_ref(0),
                        inline(InlineKind::SoftBreak),
                        inline(InlineKind::Emphasis(vec![text("Emphasis")])),
                        text(" and "),
                        inline(InlineKind::Strong(vec![text("strong")])),
                        text(", "),
                        inline(InlineKind::Strikethrough(vec![text("gone")])),
                        text(", H"),
                        inline(InlineKind::Subscript(vec![text("2")])),
                        text("O, x"),
                        inline(InlineKind::Superscript(vec![text("2")])),
                        text(", "),
                        inline(InlineKind::Code("a < b".into())),
                        inline(InlineKind::LineBreak),
                        inline(InlineKind::Anchor(AnchorId("here".into()))),
                        text("Anchored."),
                    ]),
                    para(vec![text("Second paragraph, indented.")]),
                    block(BlockKind::SceneBreak),
                    para(vec![text("After the break.")]),
                    block(BlockKind::Heading(heading(3, "inner", "Inner heading"))),
                    block(BlockKind::Code {
                        language: Some("rust".into()),
                        text: "fn main() { if a < b && c > d {} }".into(),
                    }),
                    block(BlockKind::Figure(Image {
                        asset: AssetId(0),
                        alt: "A map of \"places\"".into(),
                        title: Some("The map".into()),
                    })),
                ],
                span: sp(),
            },
            Section {
                heading: heading(2, "tables", "Tables"),
                blocks: vec![
                    block(BlockKind::Table(Table {
                        alignments: vec![Alignment::Left, Alignment::Right],
                        head: vec![vec![text("Year")], vec![text("Output")]],
                        rows: vec![vec![vec![text("1932")], vec![text("100%")]]],
                    })),
                    block(BlockKind::List(List {
                        start: Some(3),
                        tight: false,
                        items: vec![ListItem {
                            blocks: vec![para(vec![text("Done")])],
                            task: Some(true),
                            span: sp(),
                        }],
                    })),
                    block(BlockKind::BlockQuote(vec![para(vec![text("Quoted.")])])),
                    block(BlockKind::DefinitionList(vec![Definition {
                        term: vec![text("Term")],
                        definitions: vec![vec![para(vec![text("Meaning.")])]],
                        span: sp(),
                    }])),
                ],
                span: sp(),
            },
        ],
        span: sp(),
    };
    let chapter = Division {
        kind: DivisionKind::Chapter,
        heading: heading(1, "part-ii", "Part II"),
        intro: vec![],
        sections: vec![Section {
            heading: heading(2, "last", "Last"),
            blocks: vec![
                para(vec![
                    text("Again"),
                    note_ref(0),
                    text(", another"),
                    note_ref(1),
                    text(". See "),
                    inline(InlineKind::Link {
                        target: LinkTarget::Internal(AnchorId("the-plan".into())),
                        title: None,
                        content: vec![text("the plan")],
                    }),
                    text(" and "),
                    inline(InlineKind::Link {
                        target: LinkTarget::External("https://example.org/?a=1&b=2".into()),
                        title: Some("Example".into()),
                        content: vec![text("the web")],
                    }),
                    text(" and "),
                    inline(InlineKind::Link {
                        target: LinkTarget::Internal(AnchorId("last".into())),
                        title: None,
                        content: vec![text("here")],
                    }),
                    text("."),
                ]),
                list(&["Slogan one!", "Slogan two!"]),
                para(vec![text("The closing sentence.")]),
            ],
            span: sp(),
        }],
        span: sp(),
    };
    Book {
        meta: Metadata {
            title: "Alarm & Signal!".into(),
            subtitle: Some("Danger <Draws> Closer".into()),
            short_title: None,
            creators: vec![Creator {
                name: "Leon Trotsky".into(),
                role: CreatorRole::Author,
                file_as: Some("Trotsky, Leon".into()),
            }],
            language: Language::parse("en").unwrap(),
            identifier: Identifier("urn:uuid:0b8f1f0e-3b5e-4d1e-9a0e-1e2d3c4b5a69".into()),
            date: Date::parse("1933"),
            modified: -1_167_609_600,
            rights: Some("Public domain & free".into()),
            source: Some("https://www.marxists.org/".into()),
            publisher: None,
            description: Some("An essay <about> danger.".into()),
            subjects: vec!["Politics".into()],
            slug: "alarm-signal".into(),
            version: None,
        },
        front: vec![para(vec![text("An epigraph.")])],
        divisions: vec![part, chapter],
        notes: vec![
            Note {
                number: 1,
                label: "1".into(),
                blocks: vec![para(vec![text("The note & its text.")])],
                span: sp(),
            },
            Note {
                number: 2,
                label: "x".into(),
                blocks: vec![
                    para(vec![text("Second note.")]),
                    para(vec![text("Its second paragraph.")]),
                ],
                span: sp(),
            },
        ],
        assets: vec![Asset {
            path: "images/my map.png".into(),
            format: ImageFormat::Png,
            bytes: tiny_png(),
            pixels: Some((1, 1)),
        }],
    }
}

/// A valid 1 × 1 PNG.
fn tiny_png() -> Vec<u8> {
    vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]
}

fn options() -> EpubOptions {
    EpubOptions {
        generator: "quire 0.1.0".into(),
        cover: None,
        print: None,
    }
}

/// The entries of an EPUB, in archive order.
fn entries(epub: &[u8]) -> Vec<(String, Vec<u8>, zip::CompressionMethod)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(epub)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes, f.compression())
        })
        .collect()
}

fn entry(epub: &[u8], name: &str) -> String {
    let (_, bytes, _) = entries(epub)
        .into_iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"));
    String::from_utf8(bytes).unwrap()
}

#[test]
fn every_xml_file_is_well_formed_and_has_its_language() {
    let epub = write(&sample_book(), &options()).unwrap();
    for (name, bytes, _) in entries(&epub) {
        if !(name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx")) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        let doc = roxmltree::Document::parse_with_options(
            &text,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}\n{text}"));
        let root = doc.root_element();
        let xml_lang = root.attribute(("http://www.w3.org/XML/1998/namespace", "lang"));
        assert_eq!(xml_lang, Some("en"), "{name} lacks xml:lang");
        if name.ends_with(".xhtml") {
            assert_eq!(root.attribute("lang"), Some("en"), "{name} lacks lang");
        }
        // Every epub:type that has an ARIA role carries it.
        for node in doc.descendants().filter(|n| n.is_element()) {
            let Some(t) = node.attribute(("http://www.idpf.org/2007/ops", "type")) else {
                continue;
            };
            let in_landmarks = node.ancestors().any(|a| {
                a.attribute(("http://www.idpf.org/2007/ops", "type")) == Some("landmarks")
            });
            let expected = match t {
                "noteref" => Some("doc-noteref"),
                "footnote" => Some("doc-footnote"),
                "chapter" => Some("doc-chapter"),
                "part" => Some("doc-part"),
                "colophon" => Some("doc-colophon"),
                "subtitle" => Some("doc-subtitle"),
                "toc" => Some("doc-toc"),
                "cover" => Some("doc-cover"),
                _ => None,
            };
            if let Some(role) = expected
                && !in_landmarks
            {
                assert_eq!(node.attribute("role"), Some(role), "{name}: epub:type {t}");
            }
        }
    }
}

#[test]
fn notes_pop_up_and_link_back() {
    let epub = write(&sample_book(), &options()).unwrap();
    let part = entry(&epub, "OEBPS/d01-part-i.xhtml");
    let chapter = entry(&epub, "OEBPS/d02-part-ii.xhtml");
    // The mark: only text inside the link, sup outside.
    assert!(part.contains(
        "<sup><a epub:type=\"noteref\" role=\"doc-noteref\" id=\"noteref-1\" href=\"#note-1\">1</a></sup>"
    ));
    // The note is in the document of its first reference, backlink first.
    assert!(part.contains(
        "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"note-1\">\n<p class=\"note\"><a role=\"doc-backlink\" href=\"#noteref-1\">1.</a> The note &amp; its text.</p>"
    ));
    // A second reference from another document links across, with its own id.
    assert!(chapter.contains("id=\"noteref-1-2\" href=\"d01-part-i.xhtml#note-1\">1</a>"));
    assert!(!chapter.contains("id=\"note-1\""));
    // Note 2 lives in the chapter, with both paragraphs.
    assert!(chapter.contains("id=\"note-2\""));
    assert!(chapter.contains("<p>Its second paragraph.</p>"));
    // Notes come after the division's text.
    assert!(part.find("id=\"note-1\"").unwrap() > part.find("Tables").unwrap());
}

#[test]
fn blocks_and_inlines_are_rendered() {
    let epub = write(&sample_book(), &options()).unwrap();
    let part = entry(&epub, "OEBPS/d01-part-i.xhtml");
    let chapter = entry(&epub, "OEBPS/d02-part-ii.xhtml");
    for expected in [
        "<section epub:type=\"part\" role=\"doc-part\" aria-labelledby=\"part-i\">",
        "<h1 id=\"part-i\">Part I</h1>",
        "<h2 id=\"the-plan\">The &quot;Plan&quot;</h2>",
        "<h3 id=\"inner\">Inner heading</h3>",
        "<p>An intro &amp; a &lt;tag&gt;.</p>",
        "<hr class=\"scene-break\"/>",
        "<pre><code class=\"language-rust\">fn main() { if a &lt; b &amp;&amp; c &gt; d {} }</code></pre>",
        "<img src=\"images/my-map.png\" alt=\"A map of &quot;places&quot;\" title=\"The map\"/>",
        "<figcaption>The map</figcaption>",
        "<th class=\"align-left\">Year</th><th class=\"align-right\">Output</th>",
        "<ol start=\"3\" class=\"tasks\">",
        "<li><p>☑ Done</p></li>",
        "<blockquote>",
        "<dt>Term</dt>",
        "<em>Emphasis</em>",
        "<s>gone</s>",
        "<sub>2</sub>",
        "<code>a &lt; b</code><br/>",
        "<span id=\"here\"></span>Anchored.",
    ] {
        assert!(part.contains(expected), "missing {expected}\n{part}");
    }
    for expected in [
        "<section epub:type=\"chapter\" role=\"doc-chapter\" aria-labelledby=\"part-ii\">",
        "<a href=\"d01-part-i.xhtml#the-plan\">the plan</a>",
        "<a href=\"https://example.org/?a=1&amp;b=2\" title=\"Example\">the web</a>",
        "<a href=\"#last\">here</a>",
        "<ul class=\"coda\">\n<li>Slogan one!</li>",
    ] {
        assert!(chapter.contains(expected), "missing {expected}\n{chapter}");
    }
}

#[test]
fn navigation_is_nested_and_has_landmarks() {
    let epub = write(&sample_book(), &options()).unwrap();
    let nav = entry(&epub, "OEBPS/nav.xhtml");
    assert!(nav.contains(
        "<li><a href=\"d01-part-i.xhtml\">Part I</a>\n<ol>\n<li><a href=\"d01-part-i.xhtml#the-plan\">The &quot;Plan&quot;</a></li>"
    ));
    assert!(nav.contains("<a epub:type=\"bodymatter\" href=\"d01-part-i.xhtml\">"));
    assert!(nav.contains("<a epub:type=\"titlepage\" href=\"titlepage.xhtml\">"));
    let ncx = entry(&epub, "OEBPS/toc.ncx");
    assert!(ncx.contains(
        "<meta name=\"dtb:uid\" content=\"urn:uuid:0b8f1f0e-3b5e-4d1e-9a0e-1e2d3c4b5a69\"/>"
    ));
    assert!(ncx.contains("<content src=\"d02-part-ii.xhtml#last\"/>"));
}

#[test]
fn package_metadata_is_ours_and_escaped() {
    let epub = write(&sample_book(), &options()).unwrap();
    let opf = entry(&epub, "OEBPS/content.opf");
    for expected in [
        "unique-identifier=\"epub-id-1\"",
        "<dc:identifier id=\"epub-id-1\">urn:uuid:0b8f1f0e-3b5e-4d1e-9a0e-1e2d3c4b5a69</dc:identifier>",
        "<package version=\"3.0\" xml:lang=\"en\" ",
        "<dc:title id=\"title\">Alarm &amp; Signal!</dc:title>",
        "<dc:title id=\"subtitle\">Danger &lt;Draws&gt; Closer</dc:title>",
        "<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>",
        "<dc:creator id=\"creator-1\">Leon Trotsky</dc:creator>",
        "<meta refines=\"#creator-1\" scheme=\"marc:relators\" property=\"role\">aut</meta>",
        "<meta refines=\"#creator-1\" property=\"file-as\">Trotsky, Leon</meta>",
        "<dc:date>1933</dc:date>",
        "<meta property=\"dcterms:modified\">1933-01-01T00:00:00Z</meta>",
        "<meta property=\"schema:accessMode\">visual</meta>",
        "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>",
        "<meta property=\"schema:accessibilityHazard\">none</meta>",
        "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>",
        "<itemref idref=\"id_titlepage.xhtml\"/>\n    <itemref idref=\"nav\"/>",
        "type=\"text\"",
    ] {
        assert!(opf.contains(expected), "missing {expected}\n{opf}");
    }
    assert!(!opf.contains("epub-creator-"));
    assert!(!opf.contains("urn:uuid:") || opf.matches("urn:uuid:").count() == 1);
}

#[test]
fn identical_input_gives_identical_bytes() {
    let book = sample_book();
    let a = write(&book, &options()).unwrap();
    let b = write(&book, &options()).unwrap();
    assert!(a == b, "two builds differ");
}

#[test]
fn mimetype_comes_first_and_stored() {
    let epub = write(&sample_book(), &options()).unwrap();
    // The OCF rule: the very first bytes name the mimetype entry, uncompressed.
    assert_eq!(&epub[30..38], b"mimetype");
    assert_eq!(&epub[38..58], b"application/epub+zip");
    let all = entries(&epub);
    assert_eq!(all[0].0, "mimetype");
    assert_eq!(all[0].2, zip::CompressionMethod::Stored);
    assert_eq!(all[1].0, "META-INF/container.xml");
    assert!(
        all[1..]
            .iter()
            .all(|e| e.2 == zip::CompressionMethod::Deflated)
    );
    let mut archive = zip::ZipArchive::new(Cursor::new(&epub[..])).unwrap();
    for i in 0..archive.len() {
        let f = archive.by_index(i).unwrap();
        let t = f.last_modified().unwrap();
        assert_eq!(
            (t.year(), t.month(), t.day()),
            (1980, 1, 1),
            "{}",
            f.name().unwrap()
        );
    }
}

#[test]
fn a_cover_comes_first() {
    let mut opts = options();
    opts.cover = Some(CoverImage {
        bytes: tiny_png(),
        format: ImageFormat::Png,
        alt: "Cover of Alarm Signal!".into(),
    });
    let epub = write(&sample_book(), &opts).unwrap();
    let opf = entry(&epub, "OEBPS/content.opf");
    assert!(opf.contains("properties=\"cover-image\""));
    let spine = &opf[opf.find("<spine").unwrap()..];
    assert!(spine.find("id_cover.xhtml").unwrap() < spine.find("id_titlepage.xhtml").unwrap());
    let cover = entry(&epub, "OEBPS/cover.xhtml");
    assert!(cover.contains("alt=\"Cover of Alarm Signal!\""));
    let nav = entry(&epub, "OEBPS/nav.xhtml");
    assert!(nav.contains("<a epub:type=\"cover\" href=\"cover.xhtml\">"));
}

#[test]
fn generated_ids_avoid_the_books_anchors() {
    let mut book = sample_book();
    book.divisions[0].sections[1].heading.id = AnchorId("note-1".into());
    let epub = write(&book, &options()).unwrap();
    let part = entry(&epub, "OEBPS/d01-part-i.xhtml");
    assert!(part.contains("id=\"quire-note-1\""));
}

#[test]
fn a_write_path_for_epubcheck() {
    // Leaves the sample book where a person can run EPUBCheck and Ace on it.
    if let Ok(dir) = std::env::var("QUIRE_EPUB_SAMPLE_DIR") {
        let epub = write(&sample_book(), &options()).unwrap();
        std::fs::write(format!("{dir}/sample.epub"), epub).unwrap();
        let mut opts = options();
        opts.cover = Some(CoverImage {
            bytes: tiny_png(),
            format: ImageFormat::Png,
            alt: "Cover of Alarm Signal!".into(),
        });
        let epub = write(&sample_book(), &opts).unwrap();
        std::fs::write(format!("{dir}/sample-cover.epub"), epub).unwrap();
    }
}

/// A book with front matter only: no divisions, no optional metadata, a note referenced from
/// the front and a second note referenced only from inside the first.
fn front_only_book() -> Book {
    let mut book = sample_book();
    book.meta.subtitle = None;
    book.meta.creators.clear();
    book.meta.date = None;
    book.meta.rights = None;
    book.meta.source = None;
    book.meta.description = None;
    book.meta.subjects.clear();
    book.divisions.clear();
    book.assets.clear();
    book.front = vec![para(vec![text("Only a preface"), note_ref(0), text(".")])];
    book.notes[0].blocks = vec![
        block(BlockKind::Code {
            language: None,
            text: "code first".into(),
        }),
        para(vec![text("See also"), note_ref(1), text(".")]),
    ];
    book
}

#[test]
fn a_book_without_divisions_keeps_its_notes_in_the_front() {
    let epub = write(&front_only_book(), &options()).unwrap();
    let front = entry(&epub, "OEBPS/front.xhtml");
    assert!(front.contains("id=\"note-1\""));
    assert!(front.contains("id=\"note-2\""));
    assert!(front.contains("id=\"noteref-2\" href=\"#note-2\""));
    // A note that does not open with a paragraph still has its backlink first.
    assert!(front.contains(
        "<p class=\"note\"><a role=\"doc-backlink\" href=\"#noteref-1\">1.</a></p>\n<pre><code>code first</code></pre>"
    ));
    let nav = entry(&epub, "OEBPS/nav.xhtml");
    assert!(nav.contains("<a epub:type=\"bodymatter\" href=\"front.xhtml\">"));
    let opf = entry(&epub, "OEBPS/content.opf");
    assert!(!opf.contains("visual"));
    if let Ok(dir) = std::env::var("QUIRE_EPUB_SAMPLE_DIR") {
        std::fs::write(format!("{dir}/front-only.epub"), &epub).unwrap();
    }
}

#[test]
fn broken_model_invariants_are_errors_not_panics() {
    let mut book = sample_book();
    book.notes.push(Note {
        number: 3,
        label: "orphan".into(),
        blocks: vec![],
        span: sp(),
    });
    assert!(write(&book, &options()).is_err());
    let mut book = sample_book();
    book.front.push(para(vec![note_ref(7)]));
    assert!(write(&book, &options()).is_err());
    let mut book = sample_book();
    book.front.push(block(BlockKind::Figure(Image {
        asset: AssetId(9),
        alt: String::new(),
        title: None,
    })));
    assert!(write(&book, &options()).is_err());
}

// ---------------------------------------------------------------------------------------------
// The print edition's page breaks
// ---------------------------------------------------------------------------------------------

/// A span of its own for each node of the page-break book (file 1, `n..n + 1`).
fn node(n: u32) -> Span {
    Span::new(FileId(1), n as usize..n as usize + 1)
}

fn text_at(n: u32, s: &str) -> Inline {
    Inline {
        kind: InlineKind::Text(s.into()),
        span: node(n),
    }
}

fn block_at(n: u32, kind: BlockKind) -> Block {
    Block {
        kind,
        span: node(n),
    }
}

/// One part with one section: a paragraph with a note, a code block, a scene break, a link
/// and a word with a non-ASCII letter; every node has its own span.
fn paged_book() -> Book {
    let mut book = sample_book();
    book.front.clear();
    book.assets.clear();
    let mut heading_1 = heading(1, "part-i", "");
    heading_1.content = vec![text_at(1, "Part I")];
    let mut heading_2 = heading(2, "the-plan", "");
    heading_2.content = vec![text_at(2, "The Plan")];
    book.divisions = vec![Division {
        kind: DivisionKind::Part,
        heading: heading_1,
        intro: vec![],
        sections: vec![Section {
            heading: heading_2,
            blocks: vec![
                block_at(
                    10,
                    BlockKind::Paragraph(vec![
                        text_at(11, "Several times ten per cent."),
                        note_ref(0),
                        text_at(12, " and catastrophe follows, surely."),
                    ]),
                ),
                block_at(
                    20,
                    BlockKind::Code {
                        language: None,
                        text: "fn main() {}".into(),
                    },
                ),
                block_at(30, BlockKind::SceneBreak),
                block_at(
                    40,
                    BlockKind::Paragraph(vec![
                        inline(InlineKind::Link {
                            target: LinkTarget::External("https://example.org/".into()),
                            title: None,
                            content: vec![text_at(41, "a link")],
                        }),
                        text_at(42, " Über alles."),
                    ]),
                ),
            ],
            span: sp(),
        }],
        span: sp(),
    }];
    book.notes = vec![Note {
        number: 1,
        label: "1".into(),
        blocks: vec![block_at(
            50,
            BlockKind::Paragraph(vec![text_at(51, "The note & its text.")]),
        )],
        span: sp(),
    }];
    book
}

fn page(label: &str, node_at: u32, offset: u32) -> PrintPage {
    PrintPage {
        label: label.into(),
        at: TextPosition {
            node: node(node_at),
            offset,
        },
    }
}

fn paged_options(pages: Vec<PrintPage>) -> EpubOptions {
    EpubOptions {
        print: Some(super::PrintEdition {
            source: "Alarm & Signal!, print edition (6 × 9 in)".into(),
            pages,
        }),
        ..options()
    }
}

fn marker(label: &str) -> String {
    format!(
        "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{label}\" aria-label=\"{label}\"/>"
    )
}

/// The pages of `paged_book` that have a place, in page and reading order.
fn good_pages() -> Vec<PrintPage> {
    vec![
        page("1", 2, 0),   // a section heading's text: before the h2
        page("2", 10, 0),  // a paragraph: before the p
        page("3", 11, 8),  // inside a text: "Several |times"
        page("4", 12, 10), // inside a word: " and catas|trophe"
        page("5", 12, 26), // a second mark in the same text: "|surely"
        page("6", 20, 3),  // inside a code block: "fn |main"
        page("7", 30, 0),  // before a scene break
        page("8", 41, 2),  // inside a link's text: before the link
        page("9", 51, 4),  // inside the note: "The |note"
    ]
}

#[test]
fn page_breaks_stand_where_the_printed_pages_begin() {
    let epub = write(&paged_book(), &paged_options(good_pages())).unwrap();
    let part = entry(&epub, "OEBPS/d01-part-i.xhtml");
    for expected in [
        format!("{}<h2 id=\"the-plan\">The Plan</h2>", marker("1")),
        format!(
            "{}<p>Several {}times ten per cent.",
            marker("2"),
            marker("3")
        ),
        format!(
            " and catas{}trophe follows, {}surely.</p>",
            marker("4"),
            marker("5")
        ),
        format!("<pre><code>fn {}main() {{}}</code></pre>", marker("6")),
        format!("{}<hr class=\"scene-break\"/>", marker("7")),
        format!(
            "<p>{}<a href=\"https://example.org/\">a link</a> Über alles.</p>",
            marker("8")
        ),
        format!(
            "<a role=\"doc-backlink\" href=\"#noteref-1\">1.</a> The {}note &amp; its text.</p>",
            marker("9")
        ),
    ] {
        assert!(part.contains(&expected), "missing {expected}\n{part}");
    }
    // The h1 is not preceded by a marker; the words are intact once the markup is skipped.
    assert!(part.contains("<h1 id=\"part-i\">Part I</h1>"));
    assert_eq!(part.matches("epub:type=\"pagebreak\"").count(), 9);

    let nav = entry(&epub, "OEBPS/nav.xhtml");
    let list_at = nav
        .find("<nav epub:type=\"page-list\"")
        .expect("a page-list");
    let list = &nav[list_at..];
    assert!(list.starts_with(
        "<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" aria-labelledby=\"page-list-title\" hidden=\"hidden\">\n<h2 id=\"page-list-title\">Pages</h2>\n<ol>\n<li><a href=\"d01-part-i.xhtml#page-1\">1</a></li>\n<li><a href=\"d01-part-i.xhtml#page-2\">2</a></li>"
    ));
    let hrefs: Vec<&str> = list
        .split("<a href=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    let expected: Vec<String> = (1..=9)
        .map(|n| format!("d01-part-i.xhtml#page-{n}"))
        .collect();
    assert_eq!(hrefs, expected);

    // The NCX lists the pages too; playOrder runs through contents and pages in reading order:
    // the part (1), page 1 before the section heading (2), the section (3), pages 2–9, the
    // colophon (12).
    let ncx = entry(&epub, "OEBPS/toc.ncx");
    for expected in [
        "<meta name=\"dtb:totalPageCount\" content=\"9\"/>",
        "<meta name=\"dtb:maxPageNumber\" content=\"9\"/>",
        "<navPoint id=\"navpoint-1\" playOrder=\"1\">",
        "<navPoint id=\"navpoint-2\" playOrder=\"3\">\n<navLabel><text>The Plan</text></navLabel>",
        "<navPoint id=\"navpoint-3\" playOrder=\"12\">\n<navLabel><text>Colophon</text></navLabel>",
        "<pageList>\n<navLabel><text>Pages</text></navLabel>\n<pageTarget id=\"pagetarget-1\" type=\"normal\" value=\"1\" playOrder=\"2\">\n<navLabel><text>1</text></navLabel>\n<content src=\"d01-part-i.xhtml#page-1\"/>\n</pageTarget>",
        "<pageTarget id=\"pagetarget-9\" type=\"normal\" value=\"9\" playOrder=\"11\">",
    ] {
        assert!(ncx.contains(expected), "missing {expected}\n{ncx}");
    }

    let opf = entry(&epub, "OEBPS/content.opf");
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">printPageNumbers</meta>"));
    assert!(opf.contains(
        "<meta property=\"pageBreakSource\">Alarm &amp; Signal!, print edition (6 × 9 in)</meta>"
    ));
    assert!(opf.contains("the page numbers of the print edition are marked and listed"));
    if let Ok(dir) = std::env::var("QUIRE_EPUB_SAMPLE_DIR") {
        std::fs::write(format!("{dir}/paged.epub"), &epub).unwrap();
    }
}

#[test]
fn page_breaks_without_a_place_are_left_out() {
    let mut pages = good_pages();
    pages.push(page("99", 1, 0)); // the h1 comes before page 1 in the EPUB: out of order
    pages.push(page("10", 999, 0)); // a span that is no node of the book
    pages.push(page("11", 11, 1000)); // past the end of its text
    pages.push(page("12", 42, 2)); // inside the two bytes of "Ü"
    pages.push(page("13", 10, 1)); // a block takes offset 0 only
    pages.push(page(" ", 42, 0)); // no label
    let epub = write(&paged_book(), &paged_options(pages)).unwrap();
    let part = entry(&epub, "OEBPS/d01-part-i.xhtml");
    let nav = entry(&epub, "OEBPS/nav.xhtml");
    // The same book as with the good pages only: page 99 was written once, then dropped.
    let good = write(&paged_book(), &paged_options(good_pages())).unwrap();
    assert_eq!(part, entry(&good, "OEBPS/d01-part-i.xhtml"));
    assert_eq!(nav, entry(&good, "OEBPS/nav.xhtml"));
    assert!(epub == good);
}

#[test]
fn without_page_breaks_there_is_no_page_list_and_no_claim() {
    let none = write(&paged_book(), &options()).unwrap();
    let unplaced = write(&paged_book(), &paged_options(vec![page("1", 999, 0)])).unwrap();
    let empty = write(&paged_book(), &paged_options(vec![])).unwrap();
    assert!(none == unplaced && none == empty);
    let opf = entry(&none, "OEBPS/content.opf");
    assert!(!opf.contains("printPageNumbers") && !opf.contains("pageBreakSource"));
    assert!(!entry(&none, "OEBPS/nav.xhtml").contains("page-list"));
    assert!(!entry(&none, "OEBPS/d01-part-i.xhtml").contains("pagebreak"));
    let ncx = entry(&none, "OEBPS/toc.ncx");
    assert!(!ncx.contains("pageList") && ncx.contains("dtb:totalPageCount\" content=\"0\""));
}

#[test]
fn page_ids_avoid_the_books_anchors_and_labels_are_escaped() {
    let mut book = paged_book();
    book.divisions[0].sections[0].heading.id = AnchorId("page-1".into());
    let epub = write(
        &book,
        &paged_options(vec![page("1", 11, 0), page("<ii>", 12, 0)]),
    )
    .unwrap();
    let part = entry(&epub, "OEBPS/d01-part-i.xhtml");
    assert!(part.contains("id=\"quire-page-1\" aria-label=\"1\"/>Several"));
    assert!(part.contains("id=\"quire-page-ii\" aria-label=\"&lt;ii&gt;\"/> and"));
    let nav = entry(&epub, "OEBPS/nav.xhtml");
    assert!(nav.contains("<li><a href=\"d01-part-i.xhtml#quire-page-ii\">&lt;ii&gt;</a></li>"));
    let ncx = entry(&epub, "OEBPS/toc.ncx");
    assert!(ncx.contains("type=\"special\" playOrder=\"4\">\n<navLabel><text>&lt;ii&gt;</text>"));
}
