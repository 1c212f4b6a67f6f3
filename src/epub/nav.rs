//! Step 4: the navigation document (`nav.xhtml`) and the EPUB 2 NCX (`toc.ncx`), written by
//! us instead of epub-builder's fixed templates (no `xml:lang`, flat NCX without `dtb:uid`).
//!
//! Both carry the same two-level contents: each division, with its sections nested under it,
//! then the colophon. The nav also holds the landmarks (cover, title page, contents, start of
//! the body), hidden from the page, and is read as the contents page right after the title
//! page. With a print edition it holds the `page-list` too (hidden as well): one link per
//! printed page, in page order, to its marker (see [`super::pagebreaks`]).
//!
//! The NCX carries the same pages as a `pageList` for EPUB 2 reading systems (EPUB 3 ones
//! read the nav's). Its `playOrder` numbers every target, contents entries and pages
//! together, in reading order: where each target's id stands in its rendered document.

use std::collections::{BTreeMap, BTreeSet};

use super::EpubOptions;
use super::escape::{escape, push_escaped};
use super::pagebreaks::PageList;
use super::pages::{Rendered, document};
use super::plan::{DocKind, NAV_FILE, Plan, labels};

/// One entry of the contents.
struct Entry {
    label: String,
    href: String,
    children: Vec<Entry>,
}

fn non_empty(label: String, fallback: &str) -> String {
    if label.trim().is_empty() {
        fallback.to_string()
    } else {
        label
    }
}

fn contents(plan: &Plan) -> Vec<Entry> {
    let mut entries = Vec::new();
    for doc in &plan.docs {
        match doc.kind {
            DocKind::Division(i) => {
                let division = &plan.book.divisions[i];
                let children = division
                    .sections
                    .iter()
                    .map(|s| Entry {
                        label: non_empty(s.heading.plain_text(), s.heading.id.as_str()),
                        href: format!("{}#{}", doc.file, s.heading.id),
                        children: Vec::new(),
                    })
                    .collect();
                entries.push(Entry {
                    label: non_empty(division.heading.plain_text(), &doc.title),
                    href: doc.file.clone(),
                    children,
                });
            }
            DocKind::Colophon => entries.push(Entry {
                label: doc.title.clone(),
                href: doc.file.clone(),
                children: Vec::new(),
            }),
            DocKind::Cover | DocKind::TitlePage | DocKind::Front => {}
        }
    }
    entries
}

fn push_ol(out: &mut String, entries: &[Entry]) {
    out.push_str("<ol>\n");
    for entry in entries {
        out.push_str("<li><a href=\"");
        push_escaped(out, &entry.href);
        out.push_str("\">");
        push_escaped(out, &entry.label);
        out.push_str("</a>");
        if !entry.children.is_empty() {
            out.push('\n');
            push_ol(out, &entry.children);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

/// `nav.xhtml`: the contents (`doc-toc`), the landmarks and the page-list.
pub(crate) fn nav_xhtml(
    plan: &Plan,
    options: &EpubOptions,
    page_list: Option<&PageList>,
) -> String {
    let mut body = String::new();
    body.push_str(
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n",
    );
    body.push_str("<h1 id=\"toc-title\">");
    push_escaped(&mut body, labels::CONTENTS);
    body.push_str("</h1>\n");
    push_ol(&mut body, &contents(plan));
    body.push_str("</nav>\n");

    let mut landmarks = Vec::new();
    for (d, doc) in plan.docs.iter().enumerate() {
        match doc.kind {
            DocKind::Cover => landmarks.push(("cover", doc.file.clone(), labels::COVER)),
            DocKind::TitlePage => {
                landmarks.push(("titlepage", doc.file.clone(), labels::TITLE_PAGE));
                landmarks.push(("toc", format!("{NAV_FILE}#toc"), labels::CONTENTS));
            }
            _ => {}
        }
        if d == plan.body_start {
            landmarks.push(("bodymatter", doc.file.clone(), labels::START));
        }
    }
    body.push_str("<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n<h2>");
    push_escaped(&mut body, labels::LANDMARKS);
    body.push_str("</h2>\n<ol>\n");
    for (epub_type, href, label) in landmarks {
        body.push_str(&format!(
            "<li><a epub:type=\"{epub_type}\" href=\"{}\">{}</a></li>\n",
            escape(&href),
            escape(label)
        ));
    }
    body.push_str("</ol>\n</nav>\n");
    if let Some(list) = page_list {
        body.push_str(
            "<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" aria-labelledby=\"page-list-title\" hidden=\"hidden\">\n<h2 id=\"page-list-title\">",
        );
        push_escaped(&mut body, labels::PAGES);
        body.push_str("</h2>\n<ol>\n");
        for entry in &list.entries {
            body.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                escape(&entry.href),
                escape(&entry.label)
            ));
        }
        body.push_str("</ol>\n</nav>\n");
    }
    document(plan, labels::CONTENTS, Some("contents"), &body, options)
}

/// Where a link's target stands in reading order: (document, byte offset of its id there;
/// 0 for the document itself). A target not found comes last.
fn reading_place(plan: &Plan, documents: &[Rendered], href: &str) -> (usize, usize) {
    let (file, id) = href.split_once('#').unwrap_or((href, ""));
    let Some(d) = plan.docs.iter().position(|doc| doc.file == file) else {
        return (usize::MAX, 0);
    };
    let offset = if id.is_empty() {
        0
    } else {
        documents
            .get(d)
            .and_then(|r| r.xhtml.find(&format!(" id=\"{}\"", escape(id))))
            .unwrap_or(usize::MAX)
    };
    (d, offset)
}

/// The `playOrder` of every target (contents and pages): 1, 2, … in reading order.
fn play_orders<'e>(
    plan: &Plan,
    documents: &[Rendered],
    hrefs: impl Iterator<Item = &'e str>,
) -> BTreeMap<&'e str, usize> {
    let mut placed: Vec<((usize, usize), &str)> = hrefs
        .map(|href| (reading_place(plan, documents, href), href))
        .collect();
    placed.sort();
    placed.dedup_by(|a, b| a.1 == b.1);
    let mut orders = BTreeMap::new();
    for (_, href) in placed {
        let next = orders.len() + 1;
        orders.entry(href).or_insert(next);
    }
    orders
}

fn all_hrefs<'e>(entries: &'e [Entry], out: &mut Vec<&'e str>) {
    for entry in entries {
        out.push(&entry.href);
        all_hrefs(&entry.children, out);
    }
}

/// `toc.ncx`: the same contents (and page-list) for EPUB 2 readers, with `dtb:uid` = the
/// book's identifier.
pub(crate) fn toc_ncx(plan: &Plan, documents: &[Rendered], page_list: Option<&PageList>) -> String {
    let meta = &plan.book.meta;
    let entries = contents(plan);
    let pages = page_list.map_or(&[][..], |list| &list.entries[..]);
    let mut hrefs = Vec::new();
    all_hrefs(&entries, &mut hrefs);
    hrefs.extend(pages.iter().map(|p| p.href.as_str()));
    let orders = play_orders(plan, documents, hrefs.into_iter());
    let numbers: Vec<Option<u32>> = pages.iter().map(|p| arabic(&p.label)).collect();
    let max_page = numbers.iter().flatten().max().copied().unwrap_or(0);
    let depth = if entries.iter().any(|e| !e.children.is_empty()) {
        2
    } else {
        1
    };
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n",
        escape(plan.lang())
    ));
    out.push_str("<head>\n");
    out.push_str(&format!(
        "<meta name=\"dtb:uid\" content=\"{}\"/>\n",
        escape(&meta.identifier.0)
    ));
    out.push_str(&format!("<meta name=\"dtb:depth\" content=\"{depth}\"/>\n"));
    out.push_str(&format!(
        "<meta name=\"dtb:totalPageCount\" content=\"{}\"/>\n",
        pages.len()
    ));
    out.push_str(&format!(
        "<meta name=\"dtb:maxPageNumber\" content=\"{max_page}\"/>\n</head>\n"
    ));
    out.push_str(&format!(
        "<docTitle><text>{}</text></docTitle>\n",
        escape(&meta.title)
    ));
    if let Some(authors) = meta.author_line() {
        out.push_str(&format!(
            "<docAuthor><text>{}</text></docAuthor>\n",
            escape(&authors)
        ));
    }
    out.push_str("<navMap>\n");
    let mut n = 0;
    push_nav_points(&mut out, &entries, &orders, &mut n);
    out.push_str("</navMap>\n");
    if !pages.is_empty() {
        out.push_str(&format!(
            "<pageList>\n<navLabel><text>{}</text></navLabel>\n",
            escape(labels::PAGES)
        ));
        let mut values = BTreeSet::new();
        for (i, (page, number)) in pages.iter().zip(&numbers).enumerate() {
            // `normal` pages are numbered; the type and value of a page are unique.
            let (kind, value) = match number {
                Some(n) if values.insert(*n) => ("normal", format!(" value=\"{n}\"")),
                Some(_) => ("normal", String::new()),
                None if is_roman(&page.label) => ("front", String::new()),
                None => ("special", String::new()),
            };
            out.push_str(&format!(
                "<pageTarget id=\"pagetarget-{}\" type=\"{kind}\"{value} playOrder=\"{}\">\n<navLabel><text>{}</text></navLabel>\n<content src=\"{}\"/>\n</pageTarget>\n",
                i + 1,
                orders.get(page.href.as_str()).copied().unwrap_or(0),
                escape(&page.label),
                escape(&page.href)
            ));
        }
        out.push_str("</pageList>\n");
    }
    out.push_str("</ncx>\n");
    out
}

fn push_nav_points(
    out: &mut String,
    entries: &[Entry],
    orders: &BTreeMap<&str, usize>,
    n: &mut u32,
) {
    for entry in entries {
        *n += 1;
        out.push_str(&format!(
            "<navPoint id=\"navpoint-{n}\" playOrder=\"{}\">\n<navLabel><text>{}</text></navLabel>\n<content src=\"{}\"/>\n",
            orders.get(entry.href.as_str()).copied().unwrap_or(0),
            escape(&entry.label),
            escape(&entry.href)
        ));
        push_nav_points(out, &entry.children, orders, n);
        out.push_str("</navPoint>\n");
    }
}

/// A folio written in arabic numerals (`17`), as a number.
fn arabic(label: &str) -> Option<u32> {
    let numeric = !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit());
    (numeric && !label.starts_with('0'))
        .then(|| label.parse().ok())
        .flatten()
}

/// A folio in roman numerals (`iv`, `XII`): front matter.
fn is_roman(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    (label == lower || label == label.to_ascii_uppercase())
        && !lower.is_empty()
        && lower.chars().all(|c| "ivxlcdm".contains(c))
}
