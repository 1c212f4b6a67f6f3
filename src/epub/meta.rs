//! The package metadata beyond what epub-builder writes itself, in the EPUB 3 property form
//! (`<meta property="…">`): creators with roles, subtitle, date, source, publisher and the
//! EPUB Accessibility 1.1 set.
//!
//! With a page-list, `printPageNumbers` joins the accessibility features and
//! `<meta property="pageBreakSource">` names the print edition. The property is unprefixed:
//! it belongs to the package's meta properties vocabulary (EPUB 3.4, replacing `dc:source`
//! refined by `source-of`; EPUBCheck accepts it since 5.1 and Ace 1.4 reads exactly this
//! name — an `a11y:pageBreakSource` would leave Ace's `epub-pagesource` check failing).
//!
//! `MetadataOpfV3` does not escape its content and its `add_refines()` sets `id` instead of
//! `refines`, so contents are escaped here and the public `refines` field is set directly.
//! Creators are written here, not through epub-builder's `add_author`, whose template gives a
//! book with a language and an author two elements with the id `epub-creator-0` and calls
//! every creator an author.

use epub_builder::MetadataOpfV3;

use super::escape::escape;
use super::pagebreaks::PageList;
use super::plan::Plan;

/// The id epub-builder's `dc:title` gets while re-packing (see `repack`).
pub(crate) const TITLE_ID: &str = "title";
const SUBTITLE_ID: &str = "subtitle";

/// A Dublin Core element, escaped.
fn dc(out: &mut String, name: &str, id: Option<&str>, content: &str) {
    let id = id
        .map(|id| format!(" id=\"{}\"", escape(id)))
        .unwrap_or_default();
    out.push_str(&format!("    <{name}{id}>{}</{name}>\n", escape(content)));
}

fn property(property: &str, content: &str) -> MetadataOpfV3 {
    MetadataOpfV3::new(property.to_string(), escape(content))
}

fn refine(id: &str, property: &str, content: &str, scheme: Option<&str>) -> MetadataOpfV3 {
    let mut meta = MetadataOpfV3::new(property.to_string(), escape(content));
    meta.refines = Some(format!("#{id}"));
    meta.scheme = scheme.map(str::to_string);
    meta
}

/// Whether the book has images (the cover counts: it has alt text too).
pub(crate) fn has_images(plan: &Plan) -> bool {
    !plan.book.assets.is_empty() || plan.cover_image.is_some()
}

/// The Dublin Core elements epub-builder has no setter for (its `MetadataRenderer` trait is
/// private), inserted while re-packing: subtitle, creators, date, publisher, source.
pub(crate) fn dc_elements(plan: &Plan) -> String {
    let meta = &plan.book.meta;
    let mut out = String::new();
    if let Some(subtitle) = &meta.subtitle {
        dc(&mut out, "dc:title", Some(SUBTITLE_ID), subtitle);
    }
    for (i, creator) in meta.creators.iter().enumerate() {
        dc(&mut out, "dc:creator", Some(&creator_id(i)), &creator.name);
    }
    if let Some(date) = &meta.date {
        dc(&mut out, "dc:date", None, &date.to_string());
    }
    if let Some(publisher) = &meta.publisher {
        dc(&mut out, "dc:publisher", None, publisher);
    }
    if let Some(source) = &meta.source {
        dc(&mut out, "dc:source", None, source);
    }
    out
}

fn creator_id(i: usize) -> String {
    format!("creator-{}", i + 1)
}

/// The `<meta property>` elements, in a fixed order: refinements of the titles and
/// creators, then the accessibility set.
pub(crate) fn properties(plan: &Plan, page_list: Option<&PageList>) -> Vec<MetadataOpfV3> {
    let meta = &plan.book.meta;
    let mut out = Vec::new();
    if meta.subtitle.is_some() {
        out.push(refine(TITLE_ID, "title-type", "main", None));
        out.push(refine(SUBTITLE_ID, "title-type", "subtitle", None));
    }
    for (i, creator) in meta.creators.iter().enumerate() {
        let id = creator_id(i);
        out.push(refine(
            &id,
            "role",
            creator.role.marc_code(),
            Some("marc:relators"),
        ));
        if let Some(file_as) = &creator.file_as {
            out.push(refine(&id, "file-as", file_as, None));
        }
    }

    // EPUB Accessibility 1.1.
    let images = has_images(plan);
    out.push(property("schema:accessMode", "textual"));
    if images {
        out.push(property("schema:accessMode", "visual"));
    }
    out.push(property("schema:accessModeSufficient", "textual"));
    let mut features = vec!["structuralNavigation", "tableOfContents", "readingOrder"];
    if images {
        features.push("alternativeText");
    }
    if page_list.is_some() {
        features.push("printPageNumbers");
    }
    for feature in features {
        out.push(property("schema:accessibilityFeature", feature));
    }
    if let Some(list) = page_list {
        out.push(property("pageBreakSource", &list.source));
    }
    out.push(property("schema:accessibilityHazard", "none"));
    out.push(property(
        "schema:accessibilitySummary",
        &summary(plan, images, page_list.is_some()),
    ));
    out.push(property(
        "dcterms:conformsTo",
        "EPUB Accessibility 1.1 - WCAG 2.1 Level AA",
    ));
    out
}

fn summary(plan: &Plan, images: bool, page_numbers: bool) -> String {
    let mut s = String::from(
        "This publication meets WCAG 2.1 Level AA. It has a table of contents, structured \
         headings and a logical reading order",
    );
    if !plan.book.notes.is_empty() {
        s.push_str("; footnotes are linked to and from their references");
    }
    if images {
        s.push_str("; every image has a text description");
    }
    if page_numbers {
        s.push_str("; the page numbers of the print edition are marked and listed");
    }
    s.push_str(". It has no hazards.");
    s
}
