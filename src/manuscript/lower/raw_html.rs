//! Raw HTML inside the manuscript, mapped onto the model: elements with a meaning become typed
//! inlines (`<em>`, `<strong>`, `<sup>`, `<sub>`, `<s>`, `<br>`, `<a href>`), ids become anchors,
//! other elements keep their text and are reported, comments are dropped. Unbalanced tags are
//! closed at the end of their paragraph (with a warning), so nothing broken reaches a writer.

use super::*;

impl Lowerer<'_, '_, '_, '_> {
    pub(super) fn inline_html(&mut self, html: &str, range: Range<usize>) {
        let base = range.start;
        for token in html::tokenize(html) {
            match token {
                Token::Comment { .. } => {}
                Token::Text { text, offset } => {
                    if !text.is_empty() {
                        let at = base + offset;
                        self.push_text(&text, at..at + text.len().min(range.end - at));
                    }
                }
                Token::Broken { raw, offset } => {
                    let at = base + offset;
                    self.warn(
                        at..at + raw.len().min(range.end - at),
                        "malformed HTML is kept as text",
                        "write `&lt;` for a literal `<`",
                    );
                    self.push_text(&raw, at..at + raw.len().min(range.end - at));
                }
                Token::Open {
                    name,
                    attrs,
                    self_closing,
                    offset,
                } => {
                    let at = base + offset;
                    let tag_range = at..range.end;
                    self.html_open(&name, &attrs, self_closing, tag_range);
                }
                Token::Close { name, offset } => {
                    let at = base + offset;
                    self.html_close(&name, at..at + name.len() + 3);
                }
            }
        }
    }

    fn html_open(
        &mut self,
        name: &str,
        attrs: &[(String, String)],
        self_closing: bool,
        range: Range<usize>,
    ) {
        let attr = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        if let Some(id) = attr("id").or_else(|| if name == "a" { attr("name") } else { None }) {
            let span = self.span(range.clone());
            if let Some(anchor) = self.cx.ids.explicit_anchor(id, span, self.cx.diags) {
                self.push_inline(InlineKind::Anchor(anchor), range.start..range.start + 1);
            }
        }
        let kind = match name {
            "br" => {
                self.push_inline(InlineKind::LineBreak, range);
                return;
            }
            "wbr" => return,
            "em" | "i" | "cite" | "dfn" | "var" => HtmlKind::Emphasis,
            "strong" | "b" => HtmlKind::Strong,
            "s" | "del" | "strike" => HtmlKind::Strikethrough,
            "sup" => HtmlKind::Superscript,
            "sub" => HtmlKind::Subscript,
            "a" if attr("href").is_some() => {
                let dest = attr("href").unwrap_or_default().to_string();
                let title = attr("title").unwrap_or_default().to_string();
                if !self_closing {
                    self.ensure_inline_container(range.start);
                    self.stack.push(Frame::inlines(
                        InlinesKind::Link {
                            dest,
                            title,
                            link_type: LinkType::Inline,
                        },
                        range.start,
                    ));
                }
                return;
            }
            "span" | "a" => HtmlKind::Transparent,
            _ if html::is_void(name) => {
                let tag_end = self.text[range.clone()]
                    .find('>')
                    .map_or(range.end, |e| range.start + e + 1);
                self.warn(
                    range.start..tag_end,
                    format!("HTML element `<{name}>` is not supported and is dropped"),
                    if name == "img" {
                        "use Markdown's image syntax: ![description](file.png)"
                    } else {
                        "remove it, or use Markdown instead"
                    },
                );
                return;
            }
            _ => {
                let tag_end = self.text[range.clone()]
                    .find('>')
                    .map_or(range.end, |e| range.start + e + 1);
                self.warn(
                    range.start..tag_end,
                    format!("HTML element `<{name}>` has no equivalent in quire; its tags are dropped, its text kept"),
                    "use Markdown emphasis, or `<em>`, `<strong>`, `<sup>`, `<sub>`, `<br>` and `<span id=…>`",
                );
                HtmlKind::Transparent
            }
        };
        if !self_closing {
            self.ensure_inline_container(range.start);
            self.stack.push(Frame::inlines(
                InlinesKind::Html {
                    name: name.to_string(),
                    kind,
                },
                range.start,
            ));
        }
    }

    fn html_close(&mut self, name: &str, range: Range<usize>) {
        let matches_top = match self.stack.last() {
            Some(Frame::Inlines {
                kind: InlinesKind::Html { name: open, .. },
                ..
            }) => open == name,
            Some(Frame::Inlines {
                kind:
                    InlinesKind::Link {
                        link_type: LinkType::Inline,
                        ..
                    },
                ..
            }) => name == "a",
            _ => false,
        };
        if matches_top {
            if let Some(Frame::Inlines {
                kind,
                inlines,
                start,
            }) = self.stack.pop()
            {
                self.finish_inlines(kind, inlines, start..range.end);
            }
        } else if !html::is_void(name) {
            self.warn(
                range,
                format!("closing tag `</{name}>` has no matching opening tag and is dropped"),
                "check that HTML tags are opened and closed in the same paragraph",
            );
        }
    }

    /// Closes inline HTML elements still open at the end of their container.
    pub(super) fn close_open_html(&mut self) {
        while let Some(Frame::Inlines {
            kind: InlinesKind::Html { name, .. },
            start,
            ..
        }) = self.stack.last()
        {
            let (name, start) = (name.clone(), *start);
            self.warn(
                start..start + name.len() + 1,
                format!("`<{name}>` is never closed; it is closed at the end of the paragraph"),
                format!("add `</{name}>` where the element ends"),
            );
            if let Some(Frame::Inlines {
                kind,
                inlines,
                start,
            }) = self.stack.pop()
            {
                let end = self.text.len();
                self.finish_inlines(kind, inlines, start..end);
            }
        }
    }

    pub(super) fn html_block(&mut self, html: &str, range: Range<usize>) {
        let mut text = String::new();
        let mut markup = false;
        for token in html::tokenize(html) {
            match token {
                Token::Comment { .. } => {}
                Token::Text { text: t, .. } => text.push_str(&t),
                Token::Broken { raw, .. } => text.push_str(&raw),
                Token::Open {
                    name,
                    attrs,
                    offset,
                    ..
                } => {
                    let id = attrs
                        .iter()
                        .find(|(k, _)| k == "id" || (name == "a" && k == "name"))
                        .map(|(_, v)| v.clone());
                    if let Some(id) = id {
                        let at = range.start + offset;
                        let span = self.span(at..at + 1);
                        if let Some(anchor) = self.cx.ids.explicit_anchor(&id, span, self.cx.diags)
                        {
                            let inline = Inline {
                                kind: InlineKind::Anchor(anchor),
                                span,
                            };
                            self.push_block(BlockKind::Paragraph(vec![inline]), at..at + 1);
                        }
                    }
                    if name == "br" || name == "p" || name == "div" {
                        text.push('\n');
                    }
                    if !(name == "a" && attrs.iter().all(|(k, _)| k == "id" || k == "name")) {
                        markup = true;
                    }
                }
                Token::Close { name, .. } => {
                    if name != "a" {
                        markup = true;
                    }
                }
            }
        }
        if markup {
            self.warn(
                range.start..range.start + html.find('>').map_or(1, |e| e + 1),
                "raw HTML block: quire keeps its text but not its markup",
                "write the block in Markdown; raw HTML is not carried into the EPUB or the PDF",
            );
        }
        // Each paragraph of the block's text, whitespace collapsed.
        for para in text.split("\n\n") {
            let words = para.split_whitespace().collect::<Vec<_>>().join(" ");
            if !words.is_empty() {
                let span = self.span(range.clone());
                let inline = Inline {
                    kind: InlineKind::Text(words),
                    span,
                };
                self.push_block(BlockKind::Paragraph(vec![inline]), range.clone());
            }
        }
    }
}
