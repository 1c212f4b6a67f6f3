//! Step 2a: model blocks and inlines → XHTML, escaped and well-formed.
//!
//! One [`Body`] writes the content of one document. It escapes every text and attribute
//! (the model holds plain text), numbers the references to each note across the whole book
//! (the first reference to note N has the id `noteref-N`, later ones `noteref-N-2`, …), and
//! sets the notes whose home is this document at its end, in order.
//!
//! It also writes the print edition's page-break markers where the nodes they name are
//! written (see [`super::pagebreaks`]).
//!
//! Problems that mean the model broke its own invariants (a link to an unknown anchor, a
//! reference to a missing note or image) do not panic: the first one is kept and returned by
//! [`Body::finish`].

use super::EpubError;
use super::escape::{class_token, push_escaped};
use super::pagebreaks::PageBreaks;
use super::plan::Plan;
use crate::diag::Span;
use crate::model::{
    Alignment, Block, BlockKind, Heading, Image, Inline, InlineKind, LinkTarget, List, Table,
};

/// The XHTML body of one document, being written.
pub(crate) struct Body<'a, 'b> {
    plan: &'a Plan<'b>,
    /// The index into `plan.docs` of the document being written.
    doc: usize,
    out: String,
    /// For each note, how many references to it have been written so far (whole book).
    refs: &'a mut Vec<u32>,
    /// The print edition's page breaks still to write (whole book).
    breaks: &'a mut PageBreaks,
    error: Option<EpubError>,
}

impl<'a, 'b> Body<'a, 'b> {
    pub fn new(
        plan: &'a Plan<'b>,
        doc: usize,
        refs: &'a mut Vec<u32>,
        breaks: &'a mut PageBreaks,
    ) -> Self {
        Body {
            plan,
            doc,
            out: String::new(),
            refs,
            breaks,
            error: None,
        }
    }

    /// The written markup, or the first internal error met.
    pub fn finish(self) -> Result<String, EpubError> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(self.out),
        }
    }

    fn fail(&mut self, message: String) {
        if self.error.is_none() {
            self.error = Some(EpubError(message));
        }
    }

    /// Raw markup (the caller guarantees it is well-formed).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// Escaped text.
    pub fn text(&mut self, text: &str) {
        push_escaped(&mut self.out, text);
    }

    /// ` name="value"`, escaped.
    pub fn attr(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        push_escaped(&mut self.out, value);
        self.out.push('"');
    }

    /// The markers of these pages (see [`super::pagebreaks`] for the markup).
    fn page_breaks(&mut self, pages: impl IntoIterator<Item = usize>) {
        for page in pages {
            let id = self.breaks.id(page).to_string();
            let label = self.breaks.label(page).to_string();
            self.raw("<span epub:type=\"pagebreak\" role=\"doc-pagebreak\"");
            self.attr("id", &id);
            self.attr("aria-label", &label);
            self.raw("/>");
            self.breaks.written(page, self.doc);
        }
    }

    /// The markers of the pages that begin just before `block`.
    fn breaks_before(&mut self, block: &Block) {
        let pages = self.breaks.take_block(block.span);
        self.page_breaks(pages);
    }

    /// Escaped text (of the node with this span) with the markers of the pages that begin in it.
    fn text_at(&mut self, span: Span, text: &str) {
        let mut from = 0;
        for (offset, page) in self.breaks.take_text(span, text) {
            self.text(&text[from..offset]);
            self.page_breaks([page]);
            from = offset;
        }
        self.text(&text[from..]);
    }

    /// The markers of every page that begins inside these inlines, written here: before a
    /// heading or a link, whose accessible name is its content.
    fn breaks_before_inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match &inline.kind {
                InlineKind::Text(t) | InlineKind::Code(t) => {
                    let pages = self.breaks.take_text(inline.span, t);
                    self.page_breaks(pages.into_iter().map(|(_, page)| page));
                }
                InlineKind::Emphasis(c)
                | InlineKind::Strong(c)
                | InlineKind::Strikethrough(c)
                | InlineKind::Superscript(c)
                | InlineKind::Subscript(c)
                | InlineKind::Link { content: c, .. } => self.breaks_before_inlines(c),
                InlineKind::Image(_)
                | InlineKind::NoteRef(_)
                | InlineKind::LineBreak
                | InlineKind::SoftBreak
                | InlineKind::Anchor(_) => {}
            }
        }
    }

    /// A heading element (`h1`–`h6`) with its id and classes.
    pub fn heading(&mut self, heading: &Heading, level: u8) {
        self.breaks_before_inlines(&heading.content);
        let level = level.clamp(1, 6);
        self.out.push_str(&format!("<h{level}"));
        self.attr("id", heading.id.as_str());
        self.classes(heading.classes.iter().map(String::as_str));
        self.out.push('>');
        self.inlines(&heading.content);
        self.out.push_str(&format!("</h{level}>\n"));
    }

    fn classes<'c>(&mut self, classes: impl Iterator<Item = &'c str>) {
        let tokens: Vec<String> = classes.map(class_token).filter(|t| !t.is_empty()).collect();
        if !tokens.is_empty() {
            self.attr("class", &tokens.join(" "));
        }
    }

    pub fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    pub fn block(&mut self, block: &Block) {
        self.breaks_before(block);
        match &block.kind {
            BlockKind::Paragraph(inlines) => {
                self.raw("<p>");
                self.inlines(inlines);
                self.raw("</p>\n");
            }
            BlockKind::Heading(h) => self.heading(h, h.level.max(3)),
            BlockKind::List(list) => {
                let coda = self.plan.coda.is_some_and(|c| std::ptr::eq(c, block));
                self.list(list, coda);
            }
            BlockKind::BlockQuote(blocks) => {
                self.raw("<blockquote>\n");
                self.blocks(blocks);
                self.raw("</blockquote>\n");
            }
            BlockKind::Code { language, text } => {
                self.raw("<pre><code");
                if let Some(lang) = language.as_deref().map(class_token)
                    && !lang.is_empty()
                {
                    self.attr("class", &format!("language-{lang}"));
                }
                self.raw(">");
                self.text_at(block.span, text);
                self.raw("</code></pre>\n");
            }
            BlockKind::Table(table) => self.table(table),
            BlockKind::Figure(image) => {
                self.raw("<figure>\n");
                self.image(image, None);
                self.raw("\n");
                if let Some(title) = image.title.as_deref().filter(|t| !t.trim().is_empty()) {
                    self.raw("<figcaption>");
                    self.text(title);
                    self.raw("</figcaption>\n");
                }
                self.raw("</figure>\n");
            }
            BlockKind::SceneBreak => self.raw("<hr class=\"scene-break\"/>\n"),
            BlockKind::DefinitionList(defs) => {
                self.raw("<dl>\n");
                for def in defs {
                    self.raw("<dt>");
                    self.inlines(&def.term);
                    self.raw("</dt>\n");
                    for blocks in &def.definitions {
                        self.raw("<dd>");
                        self.tight_or_loose(blocks, blocks.len() <= 1, None);
                        self.raw("</dd>\n");
                    }
                }
                self.raw("</dl>\n");
            }
        }
    }

    fn list(&mut self, list: &List, coda: bool) {
        let tag = if list.start.is_some() { "ol" } else { "ul" };
        self.out.push('<');
        self.out.push_str(tag);
        if let Some(start) = list.start.filter(|&s| s != 1) {
            self.attr("start", &start.to_string());
        }
        let mut classes = Vec::new();
        if coda {
            classes.push("coda");
        }
        if list.items.iter().any(|i| i.task.is_some()) {
            classes.push("tasks");
        }
        self.classes(classes.into_iter());
        self.raw(">\n");
        for item in &list.items {
            self.raw("<li>");
            let mark = item.task.map(|done| if done { "☑ " } else { "☐ " });
            self.tight_or_loose(&item.blocks, list.tight, mark);
            self.raw("</li>\n");
        }
        self.out.push_str(&format!("</{tag}>\n"));
    }

    /// The blocks of a list item or definition: in a tight one, paragraphs lose their `<p>`.
    /// `mark` (a task's box) opens the first paragraph, or stands before the blocks.
    fn tight_or_loose(&mut self, blocks: &[Block], tight: bool, mark: Option<&str>) {
        let mut mark = mark;
        let first_is_paragraph = matches!(
            blocks.first().map(|b| &b.kind),
            Some(BlockKind::Paragraph(_))
        );
        if !first_is_paragraph && let Some(m) = mark.take() {
            self.text(m);
        }
        for (i, block) in blocks.iter().enumerate() {
            match &block.kind {
                BlockKind::Paragraph(inlines) if tight => {
                    if i > 0 {
                        self.raw("\n");
                    }
                    self.breaks_before(block);
                    if let Some(m) = mark.take() {
                        self.text(m);
                    }
                    self.inlines(inlines);
                }
                BlockKind::Paragraph(inlines) => {
                    self.breaks_before(block);
                    self.raw("<p>");
                    if let Some(m) = mark.take() {
                        self.text(m);
                    }
                    self.inlines(inlines);
                    self.raw("</p>");
                }
                _ => {
                    if i > 0 || !tight {
                        self.raw("\n");
                    }
                    self.block(block);
                }
            }
        }
    }

    fn table(&mut self, table: &Table) {
        let align = |i: usize| match table.alignments.get(i) {
            Some(Alignment::Left) => Some("align-left"),
            Some(Alignment::Center) => Some("align-center"),
            Some(Alignment::Right) => Some("align-right"),
            Some(Alignment::None) | None => None,
        };
        self.raw("<table>\n");
        if !table.head.is_empty() {
            self.raw("<thead>\n<tr>");
            for (i, cell) in table.head.iter().enumerate() {
                self.raw("<th");
                self.classes(align(i).into_iter());
                self.raw(">");
                self.inlines(cell);
                self.raw("</th>");
            }
            self.raw("</tr>\n</thead>\n");
        }
        if !table.rows.is_empty() {
            self.raw("<tbody>\n");
            for row in &table.rows {
                self.raw("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    self.raw("<td");
                    self.classes(align(i).into_iter());
                    self.raw(">");
                    self.inlines(cell);
                    self.raw("</td>");
                }
                self.raw("</tr>\n");
            }
            self.raw("</tbody>\n");
        }
        self.raw("</table>\n");
    }

    fn image(&mut self, image: &Image, class: Option<&str>) {
        let Some(src) = self.plan.images.get(image.asset.0 as usize).cloned() else {
            self.fail(format!("image asset {} does not exist", image.asset.0));
            return;
        };
        self.raw("<img");
        self.attr("src", &src);
        self.attr("alt", &image.alt);
        if let Some(title) = &image.title {
            self.attr("title", title);
        }
        if let Some(class) = class {
            self.attr("class", class);
        }
        self.raw("/>");
    }

    pub fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn wrapped(&mut self, tag: &str, content: &[Inline]) {
        self.out.push_str(&format!("<{tag}>"));
        self.inlines(content);
        self.out.push_str(&format!("</{tag}>"));
    }

    fn inline(&mut self, inline: &Inline) {
        match &inline.kind {
            InlineKind::Text(t) => self.text_at(inline.span, t),
            InlineKind::Emphasis(c) => self.wrapped("em", c),
            InlineKind::Strong(c) => self.wrapped("strong", c),
            InlineKind::Strikethrough(c) => self.wrapped("s", c),
            InlineKind::Superscript(c) => self.wrapped("sup", c),
            InlineKind::Subscript(c) => self.wrapped("sub", c),
            InlineKind::Code(t) => {
                self.raw("<code>");
                self.text_at(inline.span, t);
                self.raw("</code>");
            }
            InlineKind::Link {
                target,
                title,
                content,
            } => {
                let href = match target {
                    LinkTarget::External(url) => url.clone(),
                    LinkTarget::Internal(id) => match self.plan.anchor_doc(id.as_str()) {
                        Some(d) => self.plan.href(self.doc, d, id.as_str()),
                        None => {
                            self.fail(format!("link to unknown anchor #{id}"));
                            return;
                        }
                    },
                };
                self.breaks_before_inlines(content);
                self.raw("<a");
                self.attr("href", &href);
                if let Some(title) = title.as_deref().filter(|t| !t.is_empty()) {
                    self.attr("title", title);
                }
                self.raw(">");
                self.inlines(content);
                self.raw("</a>");
            }
            InlineKind::Image(image) => self.image(image, Some("inline")),
            InlineKind::NoteRef(id) => {
                let i = id.0 as usize;
                let (Some(note), Some(&home)) =
                    (self.plan.book.notes.get(i), self.plan.note_home.get(i))
                else {
                    self.fail(format!("reference to note {} which does not exist", i + 1));
                    return;
                };
                let Some(count) = self.refs.get_mut(i) else {
                    self.fail(format!("note {} has no reference counter", i + 1));
                    return;
                };
                *count += 1;
                let nth = *count;
                let ids = &self.plan.note_ids;
                let href = self.plan.href(self.doc, home, &ids.note(note.number));
                let id = ids.noteref(note.number, nth);
                // Only text inside the link: an element in it breaks Apple's pop-ups.
                self.raw("<sup><a epub:type=\"noteref\" role=\"doc-noteref\"");
                self.attr("id", &id);
                self.attr("href", &href);
                self.raw(">");
                self.text(&note.number.to_string());
                self.raw("</a></sup>");
            }
            InlineKind::LineBreak => self.raw("<br/>\n"),
            InlineKind::SoftBreak => self.raw("\n"),
            InlineKind::Anchor(id) => {
                self.raw("<span");
                self.attr("id", id.as_str());
                self.raw("></span>");
            }
        }
    }

    /// The notes set in this document, in order: each an `aside` whose backlink (to the
    /// first reference) comes first.
    pub fn notes(&mut self) {
        let plan = self.plan;
        let here: Vec<usize> = (0..plan.book.notes.len())
            .filter(|&i| plan.note_home[i] == self.doc)
            .collect();
        if here.is_empty() {
            return;
        }
        self.raw("<section class=\"footnotes\"");
        self.attr("aria-label", super::plan::labels::NOTES);
        self.raw(">\n");
        for i in here {
            let note = &plan.book.notes[i];
            let ids = &plan.note_ids;
            self.raw("<aside epub:type=\"footnote\" role=\"doc-footnote\"");
            self.attr("id", &ids.note(note.number));
            self.raw(">\n<p class=\"note\"><a role=\"doc-backlink\"");
            self.attr("href", &format!("#{}", ids.noteref(note.number, 1)));
            self.raw(">");
            self.text(&format!("{}.", note.number));
            self.raw("</a>");
            let rest = match note.blocks.first() {
                Some(
                    first @ Block {
                        kind: BlockKind::Paragraph(inlines),
                        ..
                    },
                ) => {
                    self.raw(" ");
                    self.breaks_before(first);
                    self.inlines(inlines);
                    &note.blocks[1..]
                }
                _ => &note.blocks[..],
            };
            self.raw("</p>\n");
            self.blocks(rest);
            self.raw("</aside>\n");
        }
        self.raw("</section>\n");
    }
}
