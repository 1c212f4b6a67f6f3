//! Lowering: pulldown-cmark's event stream → flat model blocks, with an explicit stack.
//!
//! Every event comes with its byte range (`into_offset_iter`), which becomes the span of the
//! node it makes. Headings of every level stay in the flat block list here; [`super::structure`]
//! groups them into divisions and sections afterwards.
//!
//! What lowering decides:
//! - note references get their [`NoteId`] at first reference (so notes are numbered in reading
//!   order); definitions are collected in the [`NoteTable`];
//! - links are classified: external URLs are kept, `#fragment` and links to other manuscript files
//!   are recorded as pending and checked once the whole book is known, links to other local
//!   files become plain text with a warning;
//! - images are loaded and checked through [`Assets`];
//! - raw HTML is mapped onto the model where it has a meaning (`<em>`, `<br>`, `<sup>`, ids)
//!   and otherwise reduced to its text, with a warning; comments are dropped.

use super::assets::Assets;
use super::html::{self, Token};
use super::ids::IdRegistry;
use super::notes::NoteTable;
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use crate::model::{
    Alignment, AnchorId, Block, BlockKind, Definition, Heading, Image, Inline, InlineKind,
    LinkTarget, List, ListItem, Table,
};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

mod raw_html;

/// The Markdown extensions quire reads (pandoc's common ones).
pub fn options() -> Options {
    Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
}

/// An internal link waiting for the whole book to be known.
#[derive(Debug, Clone)]
pub enum PendingLink {
    /// `#id`
    Fragment(String),
    /// `other.md` (its first heading) or `other.md#id`.
    File {
        file: usize,
        fragment: Option<String>,
    },
}

/// What the lowering of all files shares.
pub struct Context<'a, 'r> {
    pub diags: &'a mut Diagnostics,
    pub ids: &'a mut IdRegistry,
    pub notes: &'a mut NoteTable,
    pub assets: &'a mut Assets<'r>,
    /// Internal links by the span of the link.
    pub pending: &'a mut BTreeMap<(FileId, u32, u32), PendingLink>,
    /// The manuscript files of the book, absolute and normalised, in order.
    pub manuscript_files: &'a [PathBuf],
    /// The book's folder, absolute and normalised.
    pub root: &'a Path,
}

/// The result of lowering one file.
pub struct Lowered {
    pub blocks: Vec<Block>,
    /// Front matter text, its byte offset in the file, and whether it is YAML (else TOML).
    pub front_matter: Option<(String, usize, bool)>,
}

/// Lowers one manuscript file.
pub fn lower(text: &str, file: FileId, file_index: usize, cx: &mut Context<'_, '_>) -> Lowered {
    let mut broken_refs: Vec<(Range<usize>, String)> = Vec::new();
    let mut on_broken = |link: pulldown_cmark::BrokenLink<'_>| {
        broken_refs.push((link.span.clone(), link.reference.to_string()));
        None
    };
    let parser = Parser::new_with_broken_link_callback(text, options(), Some(&mut on_broken));
    let mut lw = Lowerer {
        text,
        file,
        dir: cx
            .manuscript_files
            .get(file_index)
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        cx,
        stack: vec![Frame::Blocks {
            kind: BlocksKind::Root,
            blocks: Vec::new(),
            start: 0,
        }],
        front_matter: None,
        in_metadata: None,
    };
    for (event, range) in parser.into_offset_iter() {
        lw.event(event, range);
    }
    let blocks = lw.finish();
    let front_matter = lw.front_matter.take();
    drop(lw);
    for (range, reference) in broken_refs {
        cx.diags.push(
            Diagnostic::warning(
                Span::new(file, range),
                format!("link reference `[{reference}]` is not defined"),
            )
            .with_hint(format!(
                "add `[{reference}]: https://…` on a line of its own, or escape the brackets"
            )),
        );
    }
    Lowered {
        blocks,
        front_matter,
    }
}

#[derive(Debug)]
enum BlocksKind {
    Root,
    BlockQuote,
    Item { task: Option<bool> },
    Note { label: String },
    Definition,
}

#[derive(Debug)]
enum InlinesKind {
    Paragraph {
        implicit: bool,
    },
    Heading {
        level: u8,
        id: Option<String>,
        classes: Vec<String>,
    },
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    Link {
        dest: String,
        title: String,
        link_type: LinkType,
    },
    Image {
        dest: String,
        title: String,
    },
    Cell,
    Term,
    /// An inline HTML element; `kind` says what it becomes.
    Html {
        name: String,
        kind: HtmlKind,
    },
}

#[derive(Debug, Clone, Copy)]
enum HtmlKind {
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    /// Tags dropped, content kept.
    Transparent,
}

#[derive(Debug)]
enum Frame {
    Blocks {
        kind: BlocksKind,
        blocks: Vec<Block>,
        start: usize,
    },
    List {
        first: Option<u64>,
        items: Vec<ListItem>,
        loose: bool,
        start: usize,
    },
    Inlines {
        kind: InlinesKind,
        inlines: Vec<Inline>,
        start: usize,
    },
    Table {
        alignments: Vec<Alignment>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
        row: Vec<Vec<Inline>>,
        start: usize,
    },
    DefinitionList {
        items: Vec<Definition>,
        start: usize,
    },
    Code {
        language: Option<String>,
        text: String,
        start: usize,
    },
    HtmlBlock {
        text: String,
        start: usize,
    },
}

struct Lowerer<'t, 'c, 'a, 'r> {
    text: &'t str,
    file: FileId,
    dir: PathBuf,
    cx: &'c mut Context<'a, 'r>,
    stack: Vec<Frame>,
    front_matter: Option<(String, usize, bool)>,
    /// Inside a metadata block: (is_yaml, start of the block).
    in_metadata: Option<(bool, usize)>,
}

impl Frame {
    fn inlines(kind: InlinesKind, start: usize) -> Frame {
        Frame::Inlines {
            kind,
            inlines: Vec::new(),
            start,
        }
    }
}

impl Lowerer<'_, '_, '_, '_> {
    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range)
    }

    fn warn(&mut self, range: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::warning(self.span(range), message).with_hint(hint);
        self.cx.diags.push(d);
    }

    fn error(&mut self, range: Range<usize>, message: impl Into<String>, hint: impl Into<String>) {
        let d = Diagnostic::error(self.span(range), message).with_hint(hint);
        self.cx.diags.push(d);
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Some((yaml, start)) = self.in_metadata {
            match event {
                Event::Text(t) if start == 0 && self.front_matter.is_none() => {
                    self.front_matter = Some((t.to_string(), range.start, yaml));
                }
                Event::End(TagEnd::MetadataBlock(_)) => {
                    self.in_metadata = None;
                    if start != 0 {
                        self.warn(
                            start..start + 3,
                            "metadata block not at the start of the file is ignored",
                            "move the front matter to the very top of the first manuscript file",
                        );
                    }
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(t) => {
                if let Some(Frame::Code { text, .. }) | Some(Frame::HtmlBlock { text, .. }) =
                    self.stack.last_mut()
                {
                    text.push_str(&t);
                    return;
                }
                self.check_undefined_note(&t, &range);
                self.push_text(&t, range);
            }
            Event::Code(code) => self.push_inline(InlineKind::Code(code.to_string()), range),
            Event::InlineMath(m) | Event::DisplayMath(m) => self.push_text(&m, range),
            Event::Html(h) => {
                if let Some(Frame::HtmlBlock { text, .. }) = self.stack.last_mut() {
                    text.push_str(&h);
                } else {
                    self.inline_html(&h, range);
                }
            }
            Event::InlineHtml(h) => self.inline_html(&h, range),
            Event::FootnoteReference(label) => {
                let id = self
                    .cx
                    .notes
                    .reference(self.file, &label, self.span(range.clone()));
                self.push_inline(InlineKind::NoteRef(id), range);
            }
            Event::SoftBreak => self.push_inline(InlineKind::SoftBreak, range),
            Event::HardBreak => self.push_inline(InlineKind::LineBreak, range),
            Event::Rule => {
                self.close_implicit_paragraph();
                self.push_block(BlockKind::SceneBreak, range);
            }
            Event::TaskListMarker(checked) => {
                if let Some(Frame::Blocks {
                    kind: BlocksKind::Item { task },
                    ..
                }) = self.item_frame()
                {
                    *task = Some(checked);
                }
            }
        }
    }

    fn item_frame(&mut self) -> Option<&mut Frame> {
        self.stack.iter_mut().rev().find(|f| {
            matches!(
                f,
                Frame::Blocks {
                    kind: BlocksKind::Item { .. },
                    ..
                }
            )
        })
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        let start = range.start;
        let is_inline_tag = matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        );
        if is_inline_tag {
            self.ensure_inline_container(start);
        } else {
            self.close_implicit_paragraph();
        }
        let frame = match tag {
            Tag::Paragraph => {
                if let Some(Frame::Blocks {
                    kind: BlocksKind::Item { .. },
                    ..
                }) = self.stack.last()
                    && let Some(Frame::List { loose, .. }) = self.stack.iter_mut().rev().nth(1)
                {
                    *loose = true;
                }
                Frame::inlines(InlinesKind::Paragraph { implicit: false }, start)
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs: _,
            } => Frame::inlines(
                InlinesKind::Heading {
                    level: heading_level(level),
                    id: id.map(|s| s.to_string()),
                    classes: classes.iter().map(|c| c.to_string()).collect(),
                },
                start,
            ),
            Tag::BlockQuote(_) => Frame::Blocks {
                kind: BlocksKind::BlockQuote,
                blocks: Vec::new(),
                start,
            },
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                    CodeBlockKind::Indented => None,
                };
                Frame::Code {
                    language,
                    text: String::new(),
                    start,
                }
            }
            Tag::HtmlBlock => Frame::HtmlBlock {
                text: String::new(),
                start,
            },
            Tag::List(first) => Frame::List {
                first,
                items: Vec::new(),
                loose: false,
                start,
            },
            Tag::Item => Frame::Blocks {
                kind: BlocksKind::Item { task: None },
                blocks: Vec::new(),
                start,
            },
            Tag::FootnoteDefinition(label) => Frame::Blocks {
                kind: BlocksKind::Note {
                    label: label.to_string(),
                },
                blocks: Vec::new(),
                start,
            },
            Tag::DefinitionList => Frame::DefinitionList {
                items: Vec::new(),
                start,
            },
            Tag::DefinitionListTitle => Frame::inlines(InlinesKind::Term, start),
            Tag::DefinitionListDefinition => Frame::Blocks {
                kind: BlocksKind::Definition,
                blocks: Vec::new(),
                start,
            },
            Tag::Table(aligns) => Frame::Table {
                alignments: aligns.into_iter().map(alignment).collect(),
                head: Vec::new(),
                rows: Vec::new(),
                row: Vec::new(),
                start,
            },
            Tag::TableHead | Tag::TableRow => return,
            Tag::TableCell => Frame::inlines(InlinesKind::Cell, start),
            Tag::Emphasis => Frame::inlines(InlinesKind::Emphasis, start),
            Tag::Strong => Frame::inlines(InlinesKind::Strong, start),
            Tag::Strikethrough => Frame::inlines(InlinesKind::Strikethrough, start),
            Tag::Superscript => Frame::inlines(InlinesKind::Superscript, start),
            Tag::Subscript => Frame::inlines(InlinesKind::Subscript, start),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => Frame::inlines(
                InlinesKind::Link {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    link_type,
                },
                start,
            ),
            Tag::Image {
                dest_url, title, ..
            } => Frame::inlines(
                InlinesKind::Image {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                },
                start,
            ),
            Tag::MetadataBlock(kind) => {
                self.in_metadata = Some((
                    matches!(kind, pulldown_cmark::MetadataBlockKind::YamlStyle),
                    start,
                ));
                return;
            }
        };
        self.stack.push(frame);
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::TableHead => {
                if let Some(Frame::Table { head, row, .. }) = self.stack.last_mut() {
                    *head = std::mem::take(row);
                }
                return;
            }
            TagEnd::TableRow => {
                if let Some(Frame::Table { rows, row, .. }) = self.stack.last_mut() {
                    rows.push(std::mem::take(row));
                }
                return;
            }
            TagEnd::MetadataBlock(_) => return,
            _ => {}
        }
        let is_inline_end = matches!(
            tag,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        );
        if !is_inline_end {
            self.close_implicit_paragraph();
        }
        // Inline HTML elements left open inside this container are closed here, with a warning.
        self.close_open_html();
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let end = range.end;
        match frame {
            Frame::Inlines {
                kind,
                inlines,
                start,
            } => self.finish_inlines(kind, inlines, start..end),
            Frame::Blocks {
                kind,
                blocks,
                start,
            } => match kind {
                BlocksKind::Root => self.stack.push(Frame::Blocks {
                    kind,
                    blocks,
                    start,
                }),
                BlocksKind::BlockQuote => {
                    self.push_block(BlockKind::BlockQuote(blocks), start..end)
                }
                BlocksKind::Item { task } => {
                    if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                        items.push(ListItem {
                            blocks,
                            task,
                            span: Span::new(self.file, start..end),
                        });
                    }
                }
                BlocksKind::Note { label } => {
                    let span = self.span(start..end);
                    if !self.cx.notes.define(self.file, &label, blocks, span) {
                        let here = start..start + label.len() + 3;
                        self.warn(here, format!("note `[^{label}]` is defined twice; the second definition is ignored"), "give each note its own label");
                    }
                }
                BlocksKind::Definition => {
                    if let Some(Frame::DefinitionList { items, .. }) = self.stack.last_mut()
                        && let Some(item) = items.last_mut()
                    {
                        item.definitions.push(blocks);
                    }
                }
            },
            Frame::List {
                first,
                items,
                loose,
                start,
            } => {
                self.push_block(
                    BlockKind::List(List {
                        start: first,
                        tight: !loose,
                        items,
                    }),
                    start..end,
                );
            }
            Frame::Table {
                alignments,
                head,
                rows,
                start,
                ..
            } => {
                self.push_block(
                    BlockKind::Table(Table {
                        alignments,
                        head,
                        rows,
                    }),
                    start..end,
                );
            }
            Frame::DefinitionList { items, start } => {
                self.push_block(BlockKind::DefinitionList(items), start..end)
            }
            Frame::Code {
                language,
                mut text,
                start,
            } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                self.push_block(BlockKind::Code { language, text }, start..end);
            }
            Frame::HtmlBlock { text, start } => self.html_block(&text, start..end),
        }
    }

    fn finish_inlines(&mut self, kind: InlinesKind, inlines: Vec<Inline>, range: Range<usize>) {
        let span = self.span(range.clone());
        match kind {
            InlinesKind::Paragraph { .. } => {
                let is_figure = {
                    let mut non_space = inlines.iter().filter(|i| !is_blank(i));
                    matches!(
                        (non_space.next(), non_space.next()),
                        (
                            Some(Inline {
                                kind: InlineKind::Image(_),
                                ..
                            }),
                            None
                        )
                    )
                };
                if is_figure {
                    let image = inlines.into_iter().find_map(|i| match i.kind {
                        InlineKind::Image(img) => Some(img),
                        _ => None,
                    });
                    if let Some(image) = image {
                        self.push_block(BlockKind::Figure(image), range);
                    }
                } else if !inlines.iter().all(is_blank) {
                    self.push_block(BlockKind::Paragraph(trim_inlines(inlines)), range);
                }
            }
            InlinesKind::Heading { level, id, classes } => {
                let short_title = short_title_attr(&self.text[range.clone()]);
                let heading_text = crate::model::plain_text(&inlines);
                let id = self
                    .cx
                    .ids
                    .heading_id(id.as_deref(), &heading_text, span, self.cx.diags);
                let content = trim_inlines(inlines);
                let heading = Heading {
                    level,
                    id,
                    content,
                    short_title,
                    classes,
                    span,
                };
                self.push_block(BlockKind::Heading(heading), range);
            }
            InlinesKind::Emphasis => self.push_inline(InlineKind::Emphasis(inlines), range),
            InlinesKind::Strong => self.push_inline(InlineKind::Strong(inlines), range),
            InlinesKind::Strikethrough => {
                self.push_inline(InlineKind::Strikethrough(inlines), range)
            }
            InlinesKind::Superscript => self.push_inline(InlineKind::Superscript(inlines), range),
            InlinesKind::Subscript => self.push_inline(InlineKind::Subscript(inlines), range),
            InlinesKind::Html { kind, .. } => {
                let kind = match kind {
                    HtmlKind::Emphasis => InlineKind::Emphasis(inlines),
                    HtmlKind::Strong => InlineKind::Strong(inlines),
                    HtmlKind::Strikethrough => InlineKind::Strikethrough(inlines),
                    HtmlKind::Superscript => InlineKind::Superscript(inlines),
                    HtmlKind::Subscript => InlineKind::Subscript(inlines),
                    HtmlKind::Transparent => {
                        for inline in inlines {
                            self.push_inline_node(inline);
                        }
                        return;
                    }
                };
                self.push_inline(kind, range);
            }
            InlinesKind::Link {
                dest,
                title,
                link_type,
            } => self.finish_link(dest, title, link_type, inlines, range),
            InlinesKind::Image { dest, title } => {
                let alt = crate::model::plain_text(&inlines);
                if alt.trim().is_empty() {
                    self.warn(
                        range.start..range.end,
                        "image has no alternative text",
                        "describe the image between the brackets: ![a map of the Urals](map.png)",
                    );
                }
                let asset =
                    self.cx
                        .assets
                        .load(&dest, &self.dir, span, self.cx.root, self.cx.diags);
                match asset {
                    Some(asset) => {
                        let title = Some(title).filter(|t| !t.is_empty());
                        self.push_inline(InlineKind::Image(Image { asset, alt, title }), range);
                    }
                    // The error is reported; keep the description so nothing is lost.
                    None => self.push_text(&alt, range),
                }
            }
            InlinesKind::Cell => {
                if let Some(Frame::Table { row, .. }) = self.stack.last_mut() {
                    row.push(trim_inlines(inlines));
                }
            }
            InlinesKind::Term => {
                if let Some(Frame::DefinitionList { items, .. }) = self.stack.last_mut() {
                    items.push(Definition {
                        term: trim_inlines(inlines),
                        definitions: Vec::new(),
                        span,
                    });
                }
            }
        }
    }

    fn finish_link(
        &mut self,
        dest: String,
        title: String,
        link_type: LinkType,
        content: Vec<Inline>,
        range: Range<usize>,
    ) {
        let title = Some(title).filter(|t| !t.is_empty());
        match self.link_target(&dest, link_type, range.clone()) {
            Some(target) => self.push_inline(
                InlineKind::Link {
                    target,
                    title,
                    content,
                },
                range,
            ),
            // Reported: the link becomes its plain text.
            None => {
                for inline in content {
                    self.push_inline_node(inline);
                }
            }
        }
    }

    /// Classifies a link's destination. `None` (with a warning) when it cannot be a link in the
    /// book; internal targets are recorded as pending, to be checked once all ids are known.
    fn link_target(
        &mut self,
        dest: &str,
        link_type: LinkType,
        range: Range<usize>,
    ) -> Option<LinkTarget> {
        let span = self.span(range.clone());
        let key = (span.file, span.start, span.end);
        if link_type == LinkType::Email {
            return Some(LinkTarget::External(format!("mailto:{dest}")));
        }
        let dest = dest.trim();
        if dest.is_empty() {
            self.warn(
                range,
                "link has no destination; it is set as plain text",
                "write the address between the parentheses: [text](https://…)",
            );
            return None;
        }
        if let Some(fragment) = dest.strip_prefix('#') {
            self.cx
                .pending
                .insert(key, PendingLink::Fragment(fragment.to_string()));
            return Some(LinkTarget::Internal(AnchorId(fragment.to_string())));
        }
        if let Some(scheme) = url_scheme(dest) {
            if matches!(
                scheme.to_ascii_lowercase().as_str(),
                "javascript" | "vbscript" | "data" | "file"
            ) {
                self.warn(
                    range,
                    format!("`{scheme}:` links cannot be used in a book; it is set as plain text"),
                    "link to an `https:` address instead",
                );
                return None;
            }
            return Some(LinkTarget::External(dest.to_string()));
        }
        // A relative path: another manuscript file, or a local file that is not part of the book.
        let (path_part, fragment) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f.to_string())),
            None => (dest, None),
        };
        let path = normalize(&self.dir.join(percent_decode(path_part)));
        if let Some(file) = self.cx.manuscript_files.iter().position(|f| *f == path) {
            let anchor = AnchorId(fragment.clone().unwrap_or_default());
            self.cx
                .pending
                .insert(key, PendingLink::File { file, fragment });
            return Some(LinkTarget::Internal(anchor));
        }
        let message = if path.starts_with(self.cx.root) {
            format!(
                "link to the local file `{dest}` cannot be followed in the book; it is set as plain text"
            )
        } else {
            format!("link to `{dest}` points outside the book; it is set as plain text")
        };
        self.warn(
            range,
            message,
            "link to a web address, or to a heading in the book with `#id`",
        );
        None
    }

    /// Reports `[^label]` written in the text when no note `label` is defined (pulldown-cmark
    /// leaves such references as plain text).
    fn check_undefined_note(&mut self, text: &str, range: &Range<usize>) {
        if text != "[" {
            return;
        }
        let rest = &self.text[range.start..];
        let Some(body) = rest.strip_prefix("[^") else {
            return;
        };
        let Some(close) = body.find(']') else { return };
        let label = &body[..close];
        if label.is_empty() || label.contains(char::is_whitespace) || label.contains('[') {
            return;
        }
        let end = range.start + close + 3;
        self.error(
            range.start..end,
            format!("note `[^{label}]` is referenced but never defined"),
            format!("add a line `[^{label}]: …` with the note's text, or remove the reference"),
        );
    }

    // ----- building -----

    /// Makes sure the top of the stack takes inlines (tight list items and definitions hold
    /// text without a paragraph: an implicit one is opened).
    fn ensure_inline_container(&mut self, start: usize) {
        if let Some(Frame::Blocks { .. }) = self.stack.last() {
            self.stack.push(Frame::inlines(
                InlinesKind::Paragraph { implicit: true },
                start,
            ));
        }
    }

    fn close_implicit_paragraph(&mut self) {
        if let Some(Frame::Inlines {
            kind: InlinesKind::Paragraph { implicit: true },
            ..
        }) = self.stack.last()
        {
            self.close_open_html();
            if let Some(Frame::Inlines {
                kind,
                inlines,
                start,
            }) = self.stack.pop()
            {
                let end = inlines.last().map_or(start, |i| i.span.end as usize);
                self.finish_inlines(kind, inlines, start..end);
            }
        }
    }

    fn push_text(&mut self, text: &str, range: Range<usize>) {
        self.ensure_inline_container(range.start);
        if let Some(Frame::Inlines { inlines, .. }) = self.stack.last_mut()
            && let Some(Inline {
                kind: InlineKind::Text(prev),
                span,
            }) = inlines.last_mut()
            && span.end as usize <= range.start
        {
            prev.push_str(text);
            span.end = range.end as u32;
            return;
        }
        self.push_inline(InlineKind::Text(text.to_string()), range);
    }

    fn push_inline(&mut self, kind: InlineKind, range: Range<usize>) {
        let span = self.span(range);
        self.push_inline_node(Inline { kind, span });
    }

    fn push_inline_node(&mut self, inline: Inline) {
        self.ensure_inline_container(inline.span.start as usize);
        if let Some(Frame::Inlines { inlines, .. }) = self.stack.last_mut() {
            if let (
                InlineKind::Text(t),
                Some(Inline {
                    kind: InlineKind::Text(prev),
                    span,
                }),
            ) = (&inline.kind, inlines.last_mut())
            {
                prev.push_str(t);
                span.end = span.end.max(inline.span.end);
                return;
            }
            inlines.push(inline);
        }
    }

    fn push_block(&mut self, kind: BlockKind, range: Range<usize>) {
        let block = Block {
            kind,
            span: self.span(range),
        };
        match self.stack.last_mut() {
            Some(Frame::Blocks { blocks, .. }) => blocks.push(block),
            _ => {
                // A block where only inlines can go (never produced by pulldown-cmark's
                // well-nested events): keep it at the nearest block container.
                if let Some(Frame::Blocks { blocks, .. }) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f, Frame::Blocks { .. }))
                {
                    blocks.push(block);
                }
            }
        }
    }

    fn finish(&mut self) -> Vec<Block> {
        self.close_implicit_paragraph();
        // Unwind anything left open (only possible after malformed input), keeping content.
        while self.stack.len() > 1 {
            let end = self.text.len();
            self.close_open_html();
            if self.stack.len() <= 1 {
                break;
            }
            match self.stack.pop() {
                Some(Frame::Inlines {
                    kind,
                    inlines,
                    start,
                }) => self.finish_inlines(kind, inlines, start..end),
                Some(Frame::Blocks { blocks, .. }) => {
                    for b in blocks {
                        let range = b.span.range();
                        self.push_block(b.kind, range);
                    }
                }
                _ => {}
            }
        }
        match self.stack.pop() {
            Some(Frame::Blocks { blocks, .. }) => blocks,
            _ => Vec::new(),
        }
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn alignment(a: pulldown_cmark::Alignment) -> Alignment {
    match a {
        pulldown_cmark::Alignment::None => Alignment::None,
        pulldown_cmark::Alignment::Left => Alignment::Left,
        pulldown_cmark::Alignment::Center => Alignment::Center,
        pulldown_cmark::Alignment::Right => Alignment::Right,
    }
}

fn is_blank(inline: &Inline) -> bool {
    match &inline.kind {
        InlineKind::Text(t) => t.trim().is_empty(),
        InlineKind::SoftBreak => true,
        _ => false,
    }
}

/// Trims leading and trailing whitespace of a run of inlines (from HTML or hard-wrapped text).
fn trim_inlines(mut inlines: Vec<Inline>) -> Vec<Inline> {
    while inlines.last().is_some_and(is_blank) {
        inlines.pop();
    }
    while inlines.first().is_some_and(is_blank) {
        inlines.remove(0);
    }
    if let Some(Inline {
        kind: InlineKind::Text(t),
        ..
    }) = inlines.last_mut()
    {
        let trimmed = t.trim_end().len();
        t.truncate(trimmed);
    }
    if let Some(Inline {
        kind: InlineKind::Text(t),
        ..
    }) = inlines.first_mut()
    {
        *t = t.trim_start().to_string();
    }
    inlines
}

/// The `short="…"` (or `short=word`) attribute of a heading's `{…}` attribute block.
fn short_title_attr(source: &str) -> Option<String> {
    let line = source.lines().next()?.trim_end();
    let attrs = line.strip_suffix('}')?;
    let open = attrs.rfind('{')?;
    let attrs = &attrs[open + 1..];
    let at = attrs.find("short=")?;
    let value = &attrs[at + "short=".len()..];
    let value = match value.chars().next()? {
        q @ ('"' | '\'') => value[1..].split(q).next()?,
        _ => value.split_whitespace().next()?,
    };
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// The scheme of an absolute URL (`https` of `https://…`), if `dest` has one.
fn url_scheme(dest: &str) -> Option<&str> {
    let colon = dest.find(':')?;
    let scheme = &dest[..colon];
    let valid = scheme.len() >= 2
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    valid.then_some(scheme)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_titles() {
        assert_eq!(
            short_title_attr("## Long title {#x short=\"Short one\"}\n").as_deref(),
            Some("Short one")
        );
        assert_eq!(
            short_title_attr("## Long {short=Short}").as_deref(),
            Some("Short")
        );
        assert_eq!(short_title_attr("## Long title").as_deref(), None);
    }

    #[test]
    fn schemes() {
        assert_eq!(url_scheme("https://x"), Some("https"));
        assert_eq!(url_scheme("mailto:a@b"), Some("mailto"));
        assert_eq!(url_scheme("c:/x"), None);
        assert_eq!(url_scheme("a/b:c"), None);
    }

    #[test]
    fn paths_normalise() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            PathBuf::from("/a/c/d")
        );
        assert_eq!(percent_decode("a%20b"), "a b");
    }
}
