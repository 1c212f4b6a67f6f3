//! Golden facts about the bundled book (`book.toml` + `manuscript/alarm-signal.md`), checked on the
//! EPUB that `quire build` writes, against the seed text in `tests/fixtures/alarm-signal.txt`.

use std::fs;
use std::path::Path;

use crate::common::{
    self, DC_NS, Epub, NCX_NS, OPF_NS, XML_NS, body, bundled, describe, diagnostic_lines, epubs_in,
    fragment, has_epub_type, has_role, is_note_furniture, is_xhtml, parse, quire, resolve, run,
    scratch, seed, snapshot, text_of, words,
};

/// How many extra words the EPUB may have between two consecutive words of the seed (a
/// "Notes" heading, a note label, an ornament): more than this and a seed word counts as missing.
use crate::common::MAX_GAP;

/// The words of a document's body, skipping notes and note marks (checked separately).
fn running_words(epub: &Epub, path: &str) -> Vec<String> {
    let doc = parse(path, epub.text(path));
    words(&text_of(body(&doc), &is_note_furniture))
}

/// The text of the text nodes under `root` that lie inside the byte `range` of the document,
/// skipping note furniture.
fn text_in(root: roxmltree::Node, range: std::ops::Range<usize>) -> String {
    let inside = |n: roxmltree::Node| n.range().start >= range.start && n.range().end <= range.end;
    let skip = |n: roxmltree::Node| {
        is_note_furniture(n) || n.range().end <= range.start || n.range().start >= range.end
    };
    let mut out = String::new();
    for child in root.children() {
        if child.is_text() {
            if inside(child) {
                out.push_str(child.text().unwrap_or_default());
            }
        } else if !skip(child) {
            if inside(child) {
                out.push_str(&text_of(child, &is_note_furniture));
            } else {
                out.push(' ');
                out.push_str(&text_in(child, range.clone()));
                out.push(' ');
            }
        }
    }
    out
}

/// The heading element (`h1`–`h6`) whose text is `title`, searched in every spine document.
fn find_headings(epub: &Epub, title: &str) -> Vec<(String, usize, Option<String>)> {
    let nav = epub.nav_path();
    let mut found = Vec::new();
    for path in epub.spine() {
        if path == nav {
            continue;
        }
        let doc = parse(&path, epub.text(&path));
        for node in doc.descendants() {
            let level = match node.tag_name().name() {
                "h1" => 1,
                "h2" => 2,
                "h3" => 3,
                "h4" => 4,
                "h5" => 5,
                "h6" => 6,
                _ => continue,
            };
            if is_xhtml(node, node.tag_name().name())
                && words(&text_of(node, &is_note_furniture)).join(" ") == title
            {
                found.push((path.clone(), level, node.attribute("id").map(str::to_owned)));
            }
        }
    }
    found
}

/// The one heading titled `title`: its document, level and id.
fn heading(epub: &Epub, title: &str) -> (String, usize, Option<String>) {
    let mut found = find_headings(epub, title);
    assert_eq!(
        found.len(),
        1,
        "expected exactly one heading {title:?} in the spine documents, found {found:?}"
    );
    found.pop().expect("one heading")
}

#[test]
fn text_contains_every_seed_word_in_order() {
    let epub = bundled().read();
    let seed = seed();

    let mut stream: Vec<String> = Vec::new();
    let mut owner: Vec<String> = Vec::new();
    for path in epub.spine() {
        let doc_words = running_words(&epub, &path);
        owner.extend(std::iter::repeat_n(path.clone(), doc_words.len()));
        stream.extend(doc_words);
    }

    // Start at every place where the first words of the body stand together (the contents page
    // may name `PART I` too), and keep the alignment that gets furthest.
    let lead = 5;
    let starts: Vec<usize> = (0..stream.len())
        .filter(|&p| stream[p..].starts_with(&seed.body[..lead]))
        .collect();
    assert!(
        !starts.is_empty(),
        "the EPUB's text never has the body's first words {:?} together",
        &seed.body[..lead]
    );
    let (matched, pos) = crate::common::longest_in_order(&seed.body, &stream, &starts, MAX_GAP);
    assert!(
        matched == seed.body.len(),
        "seed word #{matched} of {} is missing from the EPUB (or comes more than {MAX_GAP} words \
         late)\n  seed:  … {} …\n  EPUB, after its word #{pos} in {}:  … {} …",
        seed.body.len(),
        crate::common::context(&seed.body, matched, 10),
        owner[pos],
        crate::common::context(&stream, pos, 10),
    );
}

#[test]
fn title_page_precedes_the_text_with_title_subtitle_and_author() {
    let epub = bundled().read();
    let (part_one_doc, _, _) = heading(&epub, "PART I");
    let spine = epub.spine();
    let body_index = spine
        .iter()
        .position(|p| *p == part_one_doc)
        .expect("in spine");
    let title = words("Alarm Signal!");
    let subtitle = words("Danger Draws Closer in USSR");
    let author = words("Leon Trotsky");
    let title_page = spine[..body_index].iter().find(|path| {
        let w = running_words(&epub, path);
        [&title, &subtitle, &author]
            .iter()
            .all(|needle| w.windows(needle.len()).any(|win| win == needle.as_slice()))
    });
    assert!(
        title_page.is_some(),
        "no spine document before {part_one_doc} shows {:?}, {:?} and {:?}; documents before \
         the text: {:?}",
        title.join(" "),
        subtitle.join(" "),
        author.join(" "),
        &spine[..body_index]
    );
    // The seed's title line is exactly the title and the subtitle.
    assert_eq!(seed().title, [title, subtitle].concat());
}

#[test]
fn each_part_is_its_own_document_with_sections_below_it() {
    let epub = bundled().read();
    let seed = seed();
    let mut part_docs = Vec::new();
    for (part, sections) in seed.parts.iter().zip(&seed.sections) {
        let (doc, level, id) = heading(&epub, part);
        assert!(
            id.is_some_and(|id| !id.is_empty()),
            "heading {part:?} has no id"
        );
        for section in sections {
            let (section_doc, section_level, section_id) = heading(&epub, section);
            assert_eq!(
                section_doc, doc,
                "section {section:?} should be in the document of {part:?}"
            );
            assert!(
                section_level > level,
                "section {section:?} is h{section_level}, not below its part's h{level}"
            );
            assert!(
                section_id.is_some_and(|id| !id.is_empty()),
                "heading {section:?} has no id"
            );
        }
        part_docs.push(doc);
    }
    assert_ne!(
        part_docs[0], part_docs[1],
        "PART I and PART II share a document"
    );
}

#[test]
fn note_text_is_in_its_footnote() {
    let epub = bundled().read();
    let note = &seed().note;
    let mut found = Vec::new();
    for path in epub.spine() {
        let doc = parse(&path, epub.text(&path));
        for aside in doc.descendants().filter(|n| has_epub_type(*n, "footnote")) {
            let w = words(&text_of(aside, &|n| has_role(n, "doc-backlink")));
            found.push(w.join(" "));
            if w.windows(note.len()).any(|win| win == note.as_slice()) {
                return;
            }
        }
    }
    panic!(
        "no footnote holds the note's text {:?}; footnotes found: {found:?}",
        note.join(" ")
    );
}

#[test]
fn note_mark_links_to_its_aside_and_back() {
    let epub = bundled().read();
    let mut marks = Vec::new();
    for path in epub.spine() {
        let doc = parse(&path, epub.text(&path));
        let count = doc
            .descendants()
            .filter(|n| is_xhtml(*n, "a") && has_epub_type(*n, "noteref"))
            .count();
        for _ in 0..count {
            marks.push(path.clone());
        }
    }
    assert_eq!(
        marks.len(),
        1,
        "the book has exactly one note mark, found {marks:?}"
    );
    let path = &marks[0];
    let doc = parse(path, epub.text(path));
    let mark = doc
        .descendants()
        .find(|n| is_xhtml(*n, "a") && has_epub_type(*n, "noteref"))
        .expect("the mark");

    assert!(
        has_role(mark, "doc-noteref"),
        "the mark has no role=\"doc-noteref\""
    );
    assert!(
        mark.children().all(|c| c.is_text()),
        "the mark must hold only text (an element inside breaks Apple's pop-ups): {}",
        &epub.text(path)[mark.range()]
    );
    assert!(
        !mark.text().unwrap_or_default().trim().is_empty(),
        "the mark has no text"
    );

    // It stands exactly where `[1]` stood in the seed.
    let block = mark
        .ancestors()
        .find(|n| is_xhtml(*n, "p"))
        .expect("the mark is inside a paragraph");
    let before = words(&text_in(block, block.range().start..mark.range().start));
    let expected = &seed().before_note_mark;
    assert!(
        before.ends_with(expected),
        "the mark should follow {:?}, but follows {:?}",
        expected.join(" "),
        before[before.len().saturating_sub(expected.len())..].join(" ")
    );

    // Its target: an aside in the same document.
    let href = mark.attribute("href").expect("the mark has an href");
    assert_eq!(
        resolve(path, href),
        *path,
        "the mark must point into its own document, points to {href:?}"
    );
    let target_id = fragment(href).expect("the mark's href has a fragment");
    let aside = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(target_id))
        .unwrap_or_else(|| panic!("no element has the mark's target id {target_id:?}"));
    assert!(
        is_xhtml(aside, "aside"),
        "the mark points to <{}>, not <aside>",
        aside.tag_name().name()
    );
    assert!(
        has_epub_type(aside, "footnote"),
        "the aside lacks epub:type=\"footnote\""
    );
    assert!(
        has_role(aside, "doc-footnote"),
        "the aside lacks role=\"doc-footnote\""
    );

    // The backlink comes first and points back to the mark.
    let backlink = aside
        .descendants()
        .find(|n| is_xhtml(*n, "a"))
        .expect("the aside has a link");
    assert!(
        has_role(backlink, "doc-backlink"),
        "the aside's first link is not the backlink (role=\"doc-backlink\"): {}",
        &epub.text(path)[backlink.range()]
    );
    let leading = text_in(aside, aside.range().start..backlink.range().start);
    assert!(
        leading.trim().is_empty(),
        "the backlink must come before the note's text, but {leading:?} precedes it"
    );
    let back_href = backlink
        .attribute("href")
        .expect("the backlink has an href");
    assert_eq!(
        resolve(path, back_href),
        *path,
        "the backlink leaves the document"
    );
    let back_id = fragment(back_href).expect("the backlink's href has a fragment");
    let back_target = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(back_id))
        .unwrap_or_else(|| panic!("the backlink points to a missing id {back_id:?}"));
    assert!(
        back_target == mark
            || (back_target.is_element()
                && !is_xhtml(back_target, "p")
                && back_target.descendants().any(|n| n == mark)
                && text_of(back_target, &|_| false).trim()
                    == mark.text().unwrap_or_default().trim()),
        "the backlink points to #{back_id}, which is neither the mark nor a wrapper of it"
    );
}

/// The document that holds the heading of `PART II`.
fn part_two(epub: &Epub) -> String {
    heading(epub, "PART II").0
}

#[test]
fn last_list_holds_the_four_slogans_then_the_closing_sentence() {
    let epub = bundled().read();
    let path = part_two(&epub);
    let doc = parse(&path, epub.text(&path));
    let list = doc
        .descendants()
        .rfind(|n| {
            (is_xhtml(*n, "ul") || is_xhtml(*n, "ol"))
                && !n
                    .ancestors()
                    .any(|a| is_note_furniture(a) || is_xhtml(a, "nav"))
        })
        .expect("PART II has a list");
    assert!(
        is_xhtml(list, "ul"),
        "the slogans should be a bulleted list (ul)"
    );
    let items: Vec<String> = list
        .children()
        .filter(|n| is_xhtml(*n, "li"))
        .map(|li| words(&text_of(li, &is_note_furniture)).join(" "))
        .collect();
    assert_eq!(items, seed().slogans, "the last list's items");

    let after = words(&text_in(
        body(&doc),
        list.range().end..doc.root().range().end,
    ));
    let closing = words(
        "Upon all of you, upon all of us, there is placed the incommensurate responsibility before history.",
    );
    assert!(
        after.starts_with(&closing),
        "the closing sentence should follow the slogans; after the list comes {:?}",
        after.iter().take(20).cloned().collect::<Vec<_>>().join(" ")
    );
}

#[test]
fn scene_break_is_an_hr_in_part_two_at_the_seed_break() {
    let epub = bundled().read();
    let path = part_two(&epub);
    let doc = parse(&path, epub.text(&path));
    let seed = seed();
    let root = body(&doc);
    let mut seen = Vec::new();
    for hr in doc.descendants().filter(|n| is_xhtml(*n, "hr")) {
        let before = words(&text_in(root, root.range().start..hr.range().start));
        let after = words(&text_in(root, hr.range().end..root.range().end));
        if before.ends_with(&seed.before_break) && after.starts_with(&seed.after_break) {
            return;
        }
        seen.push(format!(
            "an <hr> after {:?} and before {:?}",
            before[before.len().saturating_sub(6)..].join(" "),
            after.iter().take(6).cloned().collect::<Vec<_>>().join(" ")
        ));
    }
    panic!(
        "{path} has no <hr> between {:?} and {:?}; found: {seen:?}",
        seed.before_break.join(" "),
        seed.after_break.join(" ")
    );
}

/// A table-of-contents entry: its label, link, and children.
#[derive(Debug)]
struct Entry {
    title: String,
    href: String,
    children: Vec<Entry>,
}

fn nav_entries(ol: roxmltree::Node) -> Vec<Entry> {
    ol.children()
        .filter(|n| is_xhtml(*n, "li"))
        .map(|li| {
            let label = li
                .children()
                .find(|n| is_xhtml(*n, "a") || is_xhtml(*n, "span"))
                .expect("a nav li starts with a or span");
            Entry {
                title: words(&text_of(label, &|_| false)).join(" "),
                href: label.attribute("href").unwrap_or_default().to_owned(),
                children: li
                    .children()
                    .find(|n| is_xhtml(*n, "ol"))
                    .map(nav_entries)
                    .unwrap_or_default(),
            }
        })
        .collect()
}

fn ncx_entries(parent: roxmltree::Node) -> Vec<Entry> {
    parent
        .children()
        .filter(|n| n.has_tag_name((NCX_NS, "navPoint")))
        .map(|point| {
            let label = point
                .children()
                .find(|n| n.has_tag_name((NCX_NS, "navLabel")))
                .expect("navPoint has navLabel");
            let content = point
                .children()
                .find(|n| n.has_tag_name((NCX_NS, "content")))
                .expect("navPoint has content");
            Entry {
                title: words(&text_of(label, &|_| false)).join(" "),
                href: content.attribute("src").unwrap_or_default().to_owned(),
                children: ncx_entries(point),
            }
        })
        .collect()
}

/// Checks the two-level outline (2 parts with 4 and 7 sections) and that every link lands on
/// an element that starts with the entry's title.
fn check_outline(epub: &Epub, base: &str, what: &str, top: &[Entry]) {
    let seed = seed();
    let parents: Vec<&Entry> = top.iter().filter(|e| !e.children.is_empty()).collect();
    let part_titles: Vec<&str> = parents.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(
        part_titles,
        seed.parts,
        "{what}: the entries with children should be exactly the two parts; top level: {:?}",
        top.iter().map(|e| &e.title).collect::<Vec<_>>()
    );
    for (part, sections) in parents.iter().zip(&seed.sections) {
        let titles: Vec<&str> = part.children.iter().map(|e| e.title.as_str()).collect();
        assert_eq!(
            titles, *sections,
            "{what}: the sections under {:?}",
            part.title
        );
        assert!(
            part.children.iter().all(|e| e.children.is_empty()),
            "{what}: sections under {:?} should have no children",
            part.title
        );
    }

    let spine = epub.spine();
    let mut all: Vec<&Entry> = Vec::new();
    let mut stack: Vec<&Entry> = top.iter().collect();
    while let Some(e) = stack.pop() {
        all.push(e);
        stack.extend(e.children.iter());
    }
    for entry in all {
        let target = resolve(base, &entry.href);
        assert!(
            spine.contains(&target),
            "{what}: {:?} links to {:?}, which is not a spine document",
            entry.title,
            entry.href
        );
        let doc = parse(&target, epub.text(&target));
        let node = match fragment(&entry.href) {
            Some(id) => doc
                .descendants()
                .find(|n| n.attribute("id") == Some(id))
                .unwrap_or_else(|| {
                    panic!(
                        "{what}: {:?} links to a missing id {:?}",
                        entry.title, entry.href
                    )
                }),
            None => body(&doc),
        };
        let text = words(&text_of(node, &is_note_furniture));
        let title = words(&entry.title);
        if seed.parts.contains(&entry.title)
            || seed.sections.iter().flatten().any(|s| *s == entry.title)
        {
            assert!(
                text.starts_with(&title),
                "{what}: {:?} links to {:?}, where the text begins {:?}",
                entry.title,
                entry.href,
                text.iter().take(12).cloned().collect::<Vec<_>>().join(" ")
            );
        }
    }
}

#[test]
fn nav_has_two_parts_with_four_and_seven_sections() {
    let epub = bundled().read();
    let nav_path = epub.nav_path();
    let doc = parse(&nav_path, epub.text(&nav_path));
    let toc = doc
        .descendants()
        .find(|n| is_xhtml(*n, "nav") && has_epub_type(*n, "toc"))
        .expect("nav.xhtml has <nav epub:type=\"toc\">");
    let ol = toc
        .children()
        .find(|n| is_xhtml(*n, "ol"))
        .expect("the toc nav has an ol");
    check_outline(&epub, &nav_path, "nav", &nav_entries(ol));
}

#[test]
fn ncx_has_the_same_outline() {
    let epub = bundled().read();
    let ncx_path = epub.ncx_path();
    let doc = parse(&ncx_path, epub.text(&ncx_path));
    let nav_map = doc
        .descendants()
        .find(|n| n.has_tag_name((NCX_NS, "navMap")))
        .expect("the NCX has a navMap");
    check_outline(&epub, &ncx_path, "NCX", &ncx_entries(nav_map));
}

#[test]
fn landmarks_and_guide_point_at_title_page_toc_and_body() {
    let epub = bundled().read();
    let nav_path = epub.nav_path();
    let doc = parse(&nav_path, epub.text(&nav_path));
    let landmarks = doc
        .descendants()
        .find(|n| is_xhtml(*n, "nav") && has_epub_type(*n, "landmarks"))
        .expect("nav.xhtml has <nav epub:type=\"landmarks\">");
    let (part_one_doc, _, _) = heading(&epub, "PART I");
    let mut types = Vec::new();
    for a in landmarks.descendants().filter(|n| is_xhtml(*n, "a")) {
        let href = a.attribute("href").unwrap_or_default();
        let target = resolve(&nav_path, href);
        assert!(
            epub.has(&target),
            "landmark {href:?} points to a missing file"
        );
        if has_epub_type(a, "bodymatter") {
            assert_eq!(
                target, part_one_doc,
                "the bodymatter landmark should open PART I"
            );
        }
        if has_epub_type(a, "titlepage") {
            let w = running_words(&epub, &target);
            assert!(
                w.windows(2).any(|p| p == ["Alarm", "Signal!"]),
                "the titlepage landmark points to {target}, which does not show the title"
            );
        }
        types.extend(common::epub_types(a).into_iter().map(str::to_owned));
    }
    for wanted in ["titlepage", "toc", "bodymatter"] {
        assert!(
            types.iter().any(|t| t == wanted),
            "landmarks lack {wanted:?}; found {types:?}"
        );
    }

    let opf_path = epub.opf_path();
    let opf = parse(&opf_path, epub.opf());
    let references: Vec<_> = opf
        .descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "reference")))
        .map(|n| {
            (
                n.attribute("type").unwrap_or_default().to_owned(),
                resolve(&opf_path, n.attribute("href").unwrap_or_default()),
            )
        })
        .collect();
    assert!(
        references.iter().any(|(_, target)| *target == part_one_doc),
        "the OPF <guide> needs a reference to the start of the text ({part_one_doc}) for Kindle; \
         references: {references:?}"
    );
}

#[test]
fn every_xhtml_document_is_english() {
    let epub = bundled().read();
    let paths = epub.xhtml_paths();
    assert!(
        paths.len() >= 4,
        "expected title page, two parts, nav...: {paths:?}"
    );
    for path in paths {
        let doc = parse(&path, epub.text(&path));
        let html = doc.root_element();
        assert!(
            is_xhtml(html, "html"),
            "{path}: the root is not XHTML <html>"
        );
        assert_eq!(
            html.attribute((XML_NS, "lang")),
            Some("en"),
            "{path}: xml:lang"
        );
        assert_eq!(html.attribute("lang"), Some("en"), "{path}: lang");
    }
}

#[test]
fn ids_are_unique_in_every_xml_file() {
    let epub = bundled().read();
    for name in &epub.names {
        if !(name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx")) {
            continue;
        }
        let doc = parse(name, epub.text(name));
        let mut ids: Vec<&str> = doc
            .descendants()
            .filter_map(|n| n.attribute("id"))
            .collect();
        ids.sort_unstable();
        let dupes: Vec<_> = ids
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        assert!(dupes.is_empty(), "{name}: duplicate ids {dupes:?}");
    }
}

/// Text of the metadata elements `(ns, name)`.
fn dc<'a>(opf: &'a roxmltree::Document, name: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    opf.descendants()
        .filter(|n| n.has_tag_name((DC_NS, name)))
        .collect()
}

fn meta_values(opf: &roxmltree::Document, property: &str) -> Vec<String> {
    opf.descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "meta")) && n.attribute("property") == Some(property))
        .filter(|n| n.attribute("refines").is_none())
        .map(|n| n.text().unwrap_or_default().trim().to_owned())
        .collect()
}

fn refinement(opf: &roxmltree::Document, node: roxmltree::Node, property: &str) -> Option<String> {
    let id = node.attribute("id")?;
    let refines = format!("#{id}");
    opf.descendants()
        .find(|n| {
            n.has_tag_name((OPF_NS, "meta"))
                && n.attribute("refines") == Some(refines.as_str())
                && n.attribute("property") == Some(property)
        })
        .map(|n| n.text().unwrap_or_default().trim().to_owned())
}

fn is_w3c_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn package_metadata_is_complete_and_accessible() {
    let epub = bundled().read();
    let text = epub.opf();
    let opf = parse("the OPF", text);
    let package = opf.root_element();

    // The identifier comes from book.toml.
    let book: toml::Table = fs::read_to_string(common::repo_root().join("book.toml"))
        .expect("read book.toml")
        .parse()
        .expect("book.toml is TOML");
    let expected_id = book["identifier"].as_str().expect("book.toml identifier");
    let unique = package
        .attribute("unique-identifier")
        .expect("package@unique-identifier");
    let identifier = dc(&opf, "identifier")
        .into_iter()
        .find(|n| n.attribute("id") == Some(unique))
        .expect("the dc:identifier named by unique-identifier");
    assert_eq!(
        identifier.text().map(str::trim),
        Some(expected_id),
        "package identifier"
    );

    // Title, subtitle (refined), author with role, language, date, rights.
    let titles = dc(&opf, "title");
    let main = titles
        .iter()
        .find(|n| n.text().map(str::trim) == Some("Alarm Signal!"))
        .expect("dc:title \"Alarm Signal!\"");
    assert!(
        matches!(
            refinement(&opf, *main, "title-type").as_deref(),
            None | Some("main")
        ),
        "the main title is refined as something else than main"
    );
    let subtitle = titles
        .iter()
        .find(|n| n.text().map(str::trim) == Some("Danger Draws Closer in USSR"))
        .expect("a dc:title for the subtitle");
    assert_eq!(
        refinement(&opf, *subtitle, "title-type").as_deref(),
        Some("subtitle"),
        "the subtitle's title-type refinement"
    );
    let creator = dc(&opf, "creator")
        .into_iter()
        .find(|n| n.text().map(str::trim) == Some("Leon Trotsky"))
        .expect("dc:creator Leon Trotsky");
    assert_eq!(
        refinement(&opf, creator, "role").as_deref(),
        Some("aut"),
        "the creator's role"
    );
    let languages: Vec<_> = dc(&opf, "language")
        .iter()
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(languages, ["en"], "dc:language");
    assert!(
        dc(&opf, "date")
            .iter()
            .any(|n| n.text().unwrap_or_default().starts_with("1933")),
        "dc:date 1933"
    );
    assert!(
        dc(&opf, "rights")
            .iter()
            .any(|n| !n.text().unwrap_or_default().trim().is_empty()),
        "dc:rights"
    );

    let modified = meta_values(&opf, "dcterms:modified");
    assert_eq!(
        modified.len(),
        1,
        "one dcterms:modified, found {modified:?}"
    );
    assert!(
        is_w3c_datetime(&modified[0]),
        "dcterms:modified {:?} is not CCYY-MM-DDThh:mm:ssZ",
        modified[0]
    );

    // EPUB Accessibility 1.1, in property form.
    let has = |property: &str, value: &str| meta_values(&opf, property).iter().any(|v| v == value);
    assert!(
        has("schema:accessMode", "textual"),
        "schema:accessMode textual"
    );
    assert!(
        has("schema:accessModeSufficient", "textual"),
        "schema:accessModeSufficient textual"
    );
    for feature in ["structuralNavigation", "tableOfContents", "readingOrder"] {
        assert!(
            has("schema:accessibilityFeature", feature),
            "schema:accessibilityFeature {feature}"
        );
    }
    assert!(
        has("schema:accessibilityHazard", "none"),
        "schema:accessibilityHazard none"
    );
    let summary = meta_values(&opf, "schema:accessibilitySummary");
    assert!(
        summary.len() == 1 && summary[0].len() > 20,
        "one schema:accessibilitySummary sentence, found {summary:?}"
    );
    assert!(
        has(
            "dcterms:conformsTo",
            "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
        ),
        "dcterms:conformsTo EPUB Accessibility 1.1 - WCAG 2.1 Level AA; found {:?}",
        meta_values(&opf, "dcterms:conformsTo")
    );
    let old_style: Vec<_> = opf
        .descendants()
        .filter(|n| n.has_tag_name((OPF_NS, "meta")))
        .filter_map(|n| n.attribute("name"))
        .filter(|name| name.starts_with("schema:") || name.starts_with("dcterms:"))
        .collect();
    assert!(
        old_style.is_empty(),
        "EPUB 2 style <meta name=…> for {old_style:?}"
    );
}

#[test]
fn mimetype_is_the_first_entry_stored_without_extra_field() {
    let epub = bundled().read();
    assert_eq!(
        epub.names.first().map(String::as_str),
        Some("mimetype"),
        "first entry"
    );
    assert_eq!(epub.bytes("mimetype"), b"application/epub+zip");
    let raw = &epub.raw;
    assert_eq!(
        &raw[0..4],
        b"PK\x03\x04",
        "the file starts with a local file header"
    );
    let method = u16::from_le_bytes([raw[8], raw[9]]);
    let name_len = u16::from_le_bytes([raw[26], raw[27]]) as usize;
    let extra_len = u16::from_le_bytes([raw[28], raw[29]]) as usize;
    assert_eq!(method, 0, "mimetype must be stored, not compressed");
    assert_eq!(&raw[30..30 + name_len], b"mimetype");
    assert_eq!(extra_len, 0, "mimetype must have no extra field");
    assert_eq!(
        &raw[30 + name_len..30 + name_len + 20],
        b"application/epub+zip"
    );
}

fn build_bundled(out: &Path, epoch: Option<&str>) -> Vec<u8> {
    let built =
        common::build_into(common::repo_root(), out, epoch).unwrap_or_else(|e| panic!("{e}"));
    fs::read(&built.epub).expect("read the EPUB")
}

/// Names the entries in which two EPUBs differ.
fn differences(a: &Epub, b: &Epub) -> Vec<String> {
    let mut out = Vec::new();
    if a.names != b.names {
        out.push(format!("entry order: {:?} vs {:?}", a.names, b.names));
    }
    for name in &a.names {
        if b.has(name) && a.bytes(name) != b.bytes(name) {
            out.push(name.clone());
        }
    }
    out
}

#[test]
fn two_builds_with_the_same_epoch_are_byte_identical() {
    let dir = scratch("same-epoch-");
    let first = build_bundled(&dir.path().join("a"), Some("1700000000"));
    let second = build_bundled(&dir.path().join("b"), Some("1700000000"));
    let (a, b) = (
        Epub::from_bytes(first.clone()),
        Epub::from_bytes(second.clone()),
    );
    assert!(
        first == second,
        "two builds differ; differing entries: {:?}",
        differences(&a, &b)
    );
    let opf = parse("the OPF", a.opf());
    assert_eq!(
        meta_values(&opf, "dcterms:modified"),
        ["2023-11-14T22:13:20Z"],
        "SOURCE_DATE_EPOCH=1700000000 sets dcterms:modified"
    );
}

#[test]
fn builds_do_not_depend_on_the_clock() {
    let dir = scratch("no-clock-");
    let first = build_bundled(&dir.path().join("a"), None);
    // Zip timestamps have a resolution of two seconds.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let second = build_bundled(&dir.path().join("b"), None);
    assert!(
        first == second,
        "two builds 2 s apart differ (the clock leaks in); differing entries: {:?}",
        differences(
            &Epub::from_bytes(first.clone()),
            &Epub::from_bytes(second.clone())
        )
    );
}

#[test]
fn a_different_epoch_changes_only_the_modified_date() {
    let dir = scratch("other-epoch-");
    let a = Epub::from_bytes(build_bundled(&dir.path().join("a"), Some("1700000000")));
    let b = Epub::from_bytes(build_bundled(&dir.path().join("b"), Some("946684800")));
    let opf_path = a.opf_path();
    let b_opf = parse("the OPF", b.opf());
    assert_eq!(
        meta_values(&b_opf, "dcterms:modified"),
        ["2000-01-01T00:00:00Z"]
    );
    let differing = differences(&a, &b);
    assert_eq!(
        differing,
        std::slice::from_ref(&opf_path),
        "only the OPF should differ"
    );
    assert_eq!(
        a.opf().replace("2023-11-14T22:13:20Z", "DATE"),
        b.opf().replace("2000-01-01T00:00:00Z", "DATE"),
        "the OPFs should differ only in the modification date"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_epub_untouched() {
    let root = scratch("atomic-");
    let book = root.path().join("book");
    let init = run(quire().arg("init").arg(&book));
    assert!(
        init.status.success(),
        "quire init failed\n{}",
        describe(&init)
    );
    let out = root.path().join("out");
    let good = common::build_into(&book, &out, None).unwrap_or_else(|e| panic!("{e}"));
    let before = snapshot(&out);

    let manuscript = book.join("manuscript/book.md");
    let mut text = fs::read_to_string(&manuscript).expect("read manuscript/book.md");
    text.push_str("\n\nThis sentence cites a note that does not exist.[^nope]\n");
    fs::write(&manuscript, text).expect("write manuscript/book.md");

    let failed = run(quire().arg("build").arg(&book).arg("--out").arg(&out));
    assert_eq!(
        failed.status.code(),
        Some(1),
        "a build with an undefined note must exit 1\n{}",
        describe(&failed)
    );
    assert!(
        diagnostic_lines(&failed.stderr)
            .iter()
            .any(|l| l.to_lowercase().starts_with("error")),
        "the failed build should print an error\n{}",
        describe(&failed)
    );
    assert!(
        String::from_utf8_lossy(&failed.stderr).contains("nope"),
        "the error should name the note `nope`\n{}",
        describe(&failed)
    );
    assert!(
        snapshot(&out) == before,
        "the failed build changed {} (previous EPUB: {})",
        out.display(),
        good.epub.display()
    );

    let fresh = root.path().join("fresh");
    let failed = run(quire().arg("build").arg(&book).arg("--out").arg(&fresh));
    assert_eq!(failed.status.code(), Some(1), "{}", describe(&failed));
    assert!(
        epubs_in(&fresh).is_empty(),
        "a build with errors must write no EPUB, found {:?}",
        epubs_in(&fresh)
    );
}
