//! Step 2b: the content documents as whole XHTML files: cover, title page, front matter,
//! divisions and colophon.
//!
//! Every document is XHTML 5 in its XML serialisation with `xml:lang` and `lang` on `html`.
//! A division is one `section` (`epub:type="part"`/`role="doc-part"` or
//! `epub:type="chapter"`/`role="doc-chapter"`) labelled by its `h1`; each of its sections is a
//! nested `section` labelled by its `h2`; the notes set in the document close it.

use super::escape::{escape, push_escaped};
use super::pagebreaks::PageBreaks;
use super::plan::{CSS_FILE, DocKind, Plan};
use super::xhtml::Body;
use super::{EpubError, EpubOptions};
use crate::model::DivisionKind;

/// A finished content document.
pub(crate) struct Rendered {
    pub file: String,
    pub xhtml: String,
}

/// Renders every document of the plan, in reading order, with the page breaks in `breaks`.
pub(crate) fn render_all(
    plan: &Plan,
    options: &EpubOptions,
    breaks: &mut PageBreaks,
) -> Result<Vec<Rendered>, EpubError> {
    let mut refs = vec![0u32; plan.book.notes.len()];
    let mut out = Vec::with_capacity(plan.docs.len());
    for (d, doc) in plan.docs.iter().enumerate() {
        let mut body = Body::new(plan, d, &mut refs, breaks);
        match doc.kind {
            DocKind::Cover => cover(&mut body, plan, options),
            DocKind::TitlePage => title_page(&mut body, plan),
            DocKind::Front => {
                body.raw("<section class=\"front\">\n");
                body.blocks(&plan.book.front);
                body.raw("</section>\n");
            }
            DocKind::Division(i) => division(&mut body, plan, i),
            DocKind::Colophon => colophon(&mut body, plan, options),
        }
        body.notes();
        let inner = body.finish()?;
        out.push(Rendered {
            file: doc.file.clone(),
            xhtml: document(plan, &doc.title, body_class(doc.kind), &inner, options),
        });
    }
    Ok(out)
}

fn body_class(kind: DocKind) -> Option<&'static str> {
    match kind {
        DocKind::Cover => Some("cover"),
        DocKind::TitlePage => Some("titlepage"),
        DocKind::Colophon => Some("colophon"),
        DocKind::Front | DocKind::Division(_) => None,
    }
}

/// The generator's name for `<meta name="generator">` and the colophon.
pub(crate) fn generator(options: &EpubOptions) -> String {
    let g = options.generator.trim();
    if g.is_empty() {
        "quire".to_string()
    } else if g.to_ascii_lowercase().starts_with("quire") {
        g.to_string()
    } else {
        format!("quire {g}")
    }
}

/// Wraps a body in the XHTML document shell.
pub(crate) fn document(
    plan: &Plan,
    title: &str,
    body_class: Option<&str>,
    body: &str,
    options: &EpubOptions,
) -> String {
    let lang = escape(plan.lang());
    let mut out = String::with_capacity(body.len() + 600);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    out.push_str(&format!(
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">\n"
    ));
    out.push_str("<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"generator\" content=\"");
    push_escaped(&mut out, &generator(options));
    out.push_str("\"/>\n<title>");
    push_escaped(&mut out, title);
    out.push_str(&format!(
        "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"{CSS_FILE}\"/>\n</head>\n"
    ));
    match body_class {
        Some(class) => out.push_str(&format!("<body class=\"{class}\">\n")),
        None => out.push_str("<body>\n"),
    }
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    out
}

fn cover(body: &mut Body, plan: &Plan, options: &EpubOptions) {
    let (Some(src), Some(cover)) = (&plan.cover_image, &options.cover) else {
        return;
    };
    body.raw("<section class=\"cover\">\n<img epub:type=\"cover\" role=\"doc-cover\"");
    body.attr("src", src);
    let alt = if cover.alt.trim().is_empty() {
        format!("{} {}", super::plan::labels::COVER, plan.book.meta.title)
    } else {
        cover.alt.clone()
    };
    body.attr("alt", &alt);
    body.raw("/>\n</section>\n");
}

fn title_page(body: &mut Body, plan: &Plan) {
    let meta = &plan.book.meta;
    body.raw("<section class=\"titlepage\" epub:type=\"titlepage\"");
    body.attr("aria-label", super::plan::labels::TITLE_PAGE);
    body.raw(">\n<h1 class=\"title\">");
    body.text(&meta.title);
    body.raw("</h1>\n");
    if let Some(subtitle) = &meta.subtitle {
        body.raw("<p class=\"subtitle\" epub:type=\"subtitle\" role=\"doc-subtitle\">");
        body.text(subtitle);
        body.raw("</p>\n");
    }
    if let Some(authors) = meta.author_line() {
        body.raw("<p class=\"author\">");
        body.text(&authors);
        body.raw("</p>\n");
    }
    for creator in meta
        .creators
        .iter()
        .filter(|c| c.role != crate::model::CreatorRole::Author)
    {
        body.raw("<p class=\"contributor\">");
        body.text(&format!("{} {}", role_phrase(creator.role), creator.name));
        body.raw("</p>\n");
    }
    if let Some(publisher) = &meta.publisher {
        body.raw("<p class=\"publisher\">");
        body.text(publisher);
        body.raw("</p>\n");
    }
    body.raw("</section>\n");
}

fn role_phrase(role: crate::model::CreatorRole) -> &'static str {
    use crate::model::CreatorRole::*;
    match role {
        Author => "By",
        Editor => "Edited by",
        Translator => "Translated by",
        Illustrator => "Illustrated by",
    }
}

fn division(body: &mut Body, plan: &Plan, i: usize) {
    let division = &plan.book.divisions[i];
    let (epub_type, role) = match division.kind {
        DivisionKind::Part => ("part", "doc-part"),
        DivisionKind::Chapter => ("chapter", "doc-chapter"),
    };
    body.raw(&format!(
        "<section epub:type=\"{epub_type}\" role=\"{role}\""
    ));
    body.attr("aria-labelledby", division.heading.id.as_str());
    body.raw(">\n");
    body.heading(&division.heading, 1);
    body.blocks(&division.intro);
    for section in &division.sections {
        body.raw("<section class=\"section\"");
        body.attr("aria-labelledby", section.heading.id.as_str());
        body.raw(">\n");
        body.heading(&section.heading, 2);
        body.blocks(&section.blocks);
        body.raw("</section>\n");
    }
    body.raw("</section>\n");
}

fn colophon(body: &mut Body, plan: &Plan, options: &EpubOptions) {
    let meta = &plan.book.meta;
    body.raw(
        "<section class=\"colophon\" epub:type=\"colophon\" role=\"doc-colophon\" aria-labelledby=\"colophon-title\">\n",
    );
    body.raw("<h1 id=\"colophon-title\">");
    body.text(super::plan::labels::COLOPHON);
    body.raw("</h1>\n<p><cite>");
    body.text(&meta.title);
    if let Some(subtitle) = &meta.subtitle {
        // "Alarm Signal! Danger Draws Closer", but "Capital: A Critique".
        let ends_in_stop = meta.title.trim_end().ends_with(['.', '!', '?', ':', ';']);
        body.text(if ends_in_stop { " " } else { ": " });
        body.text(subtitle);
    }
    body.raw("</cite>");
    if let Some(authors) = meta.author_line() {
        body.text(" by ");
        body.text(&authors);
    }
    if let Some(date) = &meta.date {
        body.text(&format!(" ({date})"));
    }
    body.raw(".</p>\n");
    let line = |body: &mut Body, label: Option<&str>, text: &str| {
        body.raw("<p>");
        if let Some(label) = label {
            body.text(label);
            body.text(": ");
        }
        body.text(text);
        body.raw("</p>\n");
    };
    if let Some(rights) = &meta.rights {
        line(body, None, rights);
    }
    if let Some(source) = &meta.source {
        line(body, Some("Source"), source);
    }
    if let Some(publisher) = &meta.publisher {
        line(body, Some("Publisher"), publisher);
    }
    line(body, Some("Identifier"), &meta.identifier.0);
    body.raw("<p class=\"made-with\">");
    body.text(&format!("Made with {}.", generator(options)));
    body.raw("</p>\n</section>\n");
}
