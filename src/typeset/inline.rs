//! Collecting a paragraph's inlines into styled pieces of text.
//!
//! The model's nested inlines (emphasis in a link in strong …) become a flat list of
//! [`Piece`]s, each with its face style, size, baseline rise, link and source span: what the
//! paragraph builder needs to shape words and to point diagnostics at the manuscript.

use super::flow::LinkGoal;
use super::font::Style;
use crate::diag::Span;
use crate::model::{AnchorId, Book, Inline, InlineKind, LinkTarget};

/// One styled stretch of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub kind: PieceKind,
    pub style: Style,
    /// Font size in points.
    pub size: f64,
    /// Baseline shift in points (superscripts up).
    pub rise: f64,
    pub link: Option<LinkGoal>,
    pub strike: bool,
    pub span: Span,
    /// The piece's text is the whole text of the model node at `span` (a text or code
    /// inline), so that byte offsets into it are [`TextPosition`](crate::model::TextPosition)s.
    pub locatable: bool,
}

impl Piece {
    /// A piece in `style` at `size`, on the baseline, not linked, not struck.
    pub fn plain(kind: PieceKind, style: Style, size: f64, span: Span) -> Piece {
        Piece {
            kind,
            style,
            size,
            rise: 0.0,
            link: None,
            strike: false,
            span,
            locatable: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PieceKind {
    Text(String),
    /// A forced line break.
    LineBreak,
    /// An id declared here.
    Anchor(AnchorId),
    /// The first mark of note `n`: declares its anchor and anchors the note on this line.
    NoteMark(u32),
    /// An inline image: asset index and alt text.
    Image {
        asset: usize,
        alt: String,
        pixels: Option<(u32, u32)>,
    },
}

/// The style of the surrounding text.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub style: Style,
    pub size: f64,
}

/// The anchor of note `number` (where the note's text is set) and of its first mark.
pub fn note_anchor(number: u32) -> AnchorId {
    AnchorId(format!("note-{number}"))
}

pub fn noteref_anchor(number: u32) -> AnchorId {
    AnchorId(format!("noteref-{number}"))
}

/// Flattens inlines into pieces. `seen_notes` records which note marks were already set, so
/// that only the first mark of a note declares its anchor.
pub fn collect(
    inlines: &[Inline],
    cx: Context,
    book: &Book,
    seen_notes: &mut Vec<u32>,
) -> Vec<Piece> {
    let mut out = Vec::new();
    let state = State {
        style: cx.style,
        size: cx.size,
        rise: 0.0,
        link: None,
        strike: false,
    };
    walk(inlines, &state, book, seen_notes, &mut out);
    out
}

#[derive(Clone)]
struct State {
    style: Style,
    size: f64,
    rise: f64,
    link: Option<LinkGoal>,
    strike: bool,
}

impl State {
    fn piece(&self, kind: PieceKind, span: Span) -> Piece {
        Piece {
            kind,
            style: self.style,
            size: self.size,
            rise: self.rise,
            link: self.link.clone(),
            strike: self.strike,
            span,
            locatable: false,
        }
    }
}

fn italic(style: Style) -> Style {
    match style {
        Style::Regular => Style::Italic,
        Style::Italic => Style::Regular,
        Style::Bold => Style::BoldItalic,
        Style::BoldItalic => Style::Bold,
        Style::Mono => Style::Mono,
    }
}

fn bold(style: Style) -> Style {
    match style {
        Style::Regular | Style::Bold => Style::Bold,
        Style::Italic | Style::BoldItalic => Style::BoldItalic,
        Style::Mono => Style::Mono,
    }
}

fn walk(inlines: &[Inline], state: &State, book: &Book, seen: &mut Vec<u32>, out: &mut Vec<Piece>) {
    for inline in inlines {
        let span = inline.span;
        match &inline.kind {
            InlineKind::Text(t) => out.push(Piece {
                locatable: true,
                ..state.piece(PieceKind::Text(t.clone()), span)
            }),
            InlineKind::SoftBreak => out.push(state.piece(PieceKind::Text(" ".into()), span)),
            InlineKind::LineBreak => out.push(state.piece(PieceKind::LineBreak, span)),
            InlineKind::Anchor(id) => out.push(state.piece(PieceKind::Anchor(id.clone()), span)),
            InlineKind::Emphasis(c) => walk(
                c,
                &State {
                    style: italic(state.style),
                    ..state.clone()
                },
                book,
                seen,
                out,
            ),
            InlineKind::Strong(c) => walk(
                c,
                &State {
                    style: bold(state.style),
                    ..state.clone()
                },
                book,
                seen,
                out,
            ),
            InlineKind::Strikethrough(c) => walk(
                c,
                &State {
                    strike: true,
                    ..state.clone()
                },
                book,
                seen,
                out,
            ),
            InlineKind::Superscript(c) => {
                let s = State {
                    size: state.size * 0.7,
                    rise: state.rise + state.size * 0.35,
                    ..state.clone()
                };
                walk(c, &s, book, seen, out);
            }
            InlineKind::Subscript(c) => {
                let s = State {
                    size: state.size * 0.7,
                    rise: state.rise - state.size * 0.15,
                    ..state.clone()
                };
                walk(c, &s, book, seen, out);
            }
            InlineKind::Code(text) => {
                let s = State {
                    style: Style::Mono,
                    size: state.size * 0.88,
                    ..state.clone()
                };
                out.push(Piece {
                    locatable: true,
                    ..s.piece(PieceKind::Text(text.clone()), span)
                });
            }
            InlineKind::Link {
                target, content, ..
            } => {
                let goal = match target {
                    LinkTarget::External(url) => LinkGoal::Uri(url.clone()),
                    LinkTarget::Internal(id) => LinkGoal::Anchor(id.clone()),
                };
                walk(
                    content,
                    &State {
                        link: Some(goal),
                        ..state.clone()
                    },
                    book,
                    seen,
                    out,
                );
            }
            InlineKind::Image(image) => {
                let asset = book.assets.get(image.asset.0 as usize);
                if asset.is_some_and(|a| !super::can_draw(a.format)) {
                    // SVG cannot be drawn yet: its description stands in its place.
                    out.push(state.piece(PieceKind::Text(format!("[{}]", image.alt)), span));
                    continue;
                }
                let pixels = asset.and_then(|a| a.pixels);
                out.push(state.piece(
                    PieceKind::Image {
                        asset: image.asset.0 as usize,
                        alt: image.alt.clone(),
                        pixels,
                    },
                    span,
                ));
            }
            InlineKind::NoteRef(id) => {
                let Some(note) = book.notes.get(id.0 as usize) else {
                    continue;
                };
                let number = note.number;
                if !seen.contains(&number) {
                    seen.push(number);
                    out.push(state.piece(PieceKind::NoteMark(number), span));
                }
                let s = State {
                    size: state.size * 0.68,
                    rise: state.rise + state.size * 0.36,
                    link: Some(LinkGoal::Anchor(note_anchor(number))),
                    style: if state.style == Style::Mono {
                        Style::Regular
                    } else {
                        state.style
                    },
                    ..state.clone()
                };
                out.push(s.piece(PieceKind::Text(number.to_string()), span));
            }
        }
    }
}
