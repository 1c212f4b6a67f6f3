//! Setting a paragraph: pieces → boxes, glue and penalties → optimal breaks → placed lines.
//!
//! Words are shaped whole (so kerning and ligatures inside a word survive) and cut into boxes
//! at their hyphenation points, which must fall between glyph clusters. Between words:
//! justified text gets TeX's interword glue (stretch ½, shrink ⅓ of the space); ragged text
//! gets Knuth's ragged-right construction (`glue(0, +3em) penalty(0) glue(space, −3em)`), so
//! that the same optimal breaker balances ragged lines too. Every paragraph ends with
//! `glue(0, fil) penalty(−∞)`.
//!
//! A word wider than the measure cannot be set without running past the margin: it is cut
//! between glyph clusters into pieces that fit, with a warning pointing at the word.

use super::flow::{Line, LineItem, LineLink, LinkGoal, PlacedGlyph};
use super::font::Style;
use super::hyphenate;
use super::inline::{Piece, PieceKind};
use super::linebreak::{self, INFINITY, Item, Params};
use super::shape::{ShapedRun, Shaper};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::{AnchorId, TextPosition};
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

/// The cost of breaking at a hyphenation point. TeX's `\hyphenpenalty` is 50; quire asks
/// for more, trading slightly looser lines for fewer hyphens at a 65-character measure.
const HYPHEN_PENALTY: f64 = 100.0;

/// The cost of breaking after an explicit hyphen or dash (TeX's `\exhyphenpenalty`).
const EXPLICIT_HYPHEN_PENALTY: f64 = 50.0;

/// How lines are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
}

/// The shape of a paragraph.
#[derive(Debug, Clone)]
pub struct ParagraphStyle {
    /// Line width in points.
    pub measure: f64,
    /// Left offset of every line in the text block.
    pub left: f64,
    /// First-line indent.
    pub indent: f64,
    pub align: Align,
    /// Language for hyphenation (`None`: no hyphenation).
    pub hyphenate: Option<String>,
    /// Baseline-to-baseline distance.
    pub leading: f64,
}

/// What setting needs besides the paragraph: the shaper and where to report problems.
pub struct Setter<'a> {
    pub shaper: &'a Shaper,
    pub diags: &'a mut Diagnostics,
    /// Characters already reported as missing from every font (reported once each).
    pub missing_reported: &'a std::sync::Mutex<BTreeSet<char>>,
    /// Line-breaking parameters (emergency stretch, looseness, …).
    pub params: Params,
    pub images: &'a [Option<(u32, u32)>],
}

/// A part of a box: a range of a shaped run at a size.
#[derive(Debug, Clone)]
struct Part {
    run: Arc<ShapedRun>,
    range: Range<usize>,
    size: f64,
    rise: f64,
    link: Option<LinkGoal>,
    strike: bool,
    width: f64,
}

/// What a box (or a penalty, when it is taken) shows.
#[derive(Debug, Clone)]
enum Content {
    None,
    /// Glyphs, and where in the book's text they begin (when they are the book's text).
    Parts(Vec<Part>, Option<TextPosition>),
    Anchor(AnchorId),
    /// The first mark of a note.
    NoteMark(u32),
    Image {
        asset: usize,
        alt: String,
        width: f64,
        height: f64,
        link: Option<LinkGoal>,
    },
}

struct Builder<'s, 'a> {
    setter: &'s mut Setter<'a>,
    style: &'s ParagraphStyle,
    items: Vec<Item>,
    contents: Vec<Content>,
}

/// Sets a paragraph into lines.
pub fn set(pieces: &[Piece], style: &ParagraphStyle, setter: &mut Setter<'_>) -> Vec<Line> {
    // About one item (box, glue, hyphenation point) per two bytes of text: allocate the
    // lists once instead of growing them word by word.
    let estimate = 4 + pieces
        .iter()
        .map(|p| match &p.kind {
            PieceKind::Text(text) => text.len() / 2,
            _ => 2,
        })
        .sum::<usize>();
    let mut b = Builder {
        setter,
        style,
        items: Vec::with_capacity(estimate),
        contents: Vec::with_capacity(estimate),
    };
    if style.indent > 0.0 {
        b.push(
            Item::Box {
                width: style.indent,
            },
            Content::None,
        );
    }
    // The segments of the current word: text, piece, byte offset of the text in the piece.
    let mut word: Vec<(String, usize, usize)> = Vec::new();
    for (pi, piece) in pieces.iter().enumerate() {
        match &piece.kind {
            PieceKind::Text(text) => {
                let mut offset = 0;
                for (i, part) in text.split([' ', '\n', '\t']).enumerate() {
                    if i > 0 {
                        b.flush_word(&mut word, pieces);
                        b.space(piece);
                        offset += 1;
                    }
                    if !part.is_empty() {
                        word.push((part.to_string(), pi, offset));
                    }
                    offset += part.len();
                }
            }
            PieceKind::LineBreak => {
                b.flush_word(&mut word, pieces);
                b.forced_break();
            }
            PieceKind::Anchor(id) => {
                b.flush_word(&mut word, pieces);
                b.push(Item::Box { width: 0.0 }, Content::Anchor(id.clone()));
            }
            PieceKind::NoteMark(number) => {
                b.flush_word(&mut word, pieces);
                b.push(Item::Box { width: 0.0 }, Content::NoteMark(*number));
            }
            PieceKind::Image { asset, alt, pixels } => {
                b.flush_word(&mut word, pieces);
                let height = piece.size;
                let (pw, ph) = pixels.unwrap_or((1, 1));
                let width = (height * f64::from(pw) / f64::from(ph.max(1))).min(style.measure);
                b.push(
                    Item::Box { width },
                    Content::Image {
                        asset: *asset,
                        alt: alt.clone(),
                        width,
                        height,
                        link: piece.link.clone(),
                    },
                );
            }
        }
    }
    b.flush_word(&mut word, pieces);
    // The end of the paragraph: no break before the final glue, then TeX's \parfillskip.
    b.trim_trailing_glue();
    b.push(
        Item::Penalty {
            width: 0.0,
            cost: INFINITY,
            flagged: false,
        },
        Content::None,
    );
    b.forced_break();
    b.lines()
}

impl Builder<'_, '_> {
    fn push(&mut self, item: Item, content: Content) {
        self.items.push(item);
        self.contents.push(content);
    }

    /// Ends the line here: trailing space removed, the rest of the line left empty.
    fn forced_break(&mut self) {
        self.trim_trailing_glue();
        self.push(
            Item::Glue {
                width: 0.0,
                stretch: 1e5,
                shrink: 0.0,
            },
            Content::None,
        );
        self.push(
            Item::Penalty {
                width: 0.0,
                cost: -INFINITY,
                flagged: false,
            },
            Content::None,
        );
    }

    fn trim_trailing_glue(&mut self) {
        while matches!(
            self.items.last(),
            Some(Item::Glue { .. }) | Some(Item::Penalty { cost: 0.0, .. })
        ) {
            self.items.pop();
            self.contents.pop();
        }
    }

    /// Interword space after `piece`'s text.
    fn space(&mut self, piece: &Piece) {
        if self.items.is_empty() || matches!(self.items.last(), Some(Item::Glue { .. })) {
            return; // no space at the start of a paragraph, nor twice
        }
        let w = self.setter.shaper.width(" ", piece.style) * piece.size;
        match self.style.align {
            // Gentium's space is narrow (0.22 em): it may grow to about 0.45 em and shrink to
            // 0.15 em, the range TeX allows Computer Modern's wider space.
            Align::Justify => self.push(
                Item::Glue {
                    width: w,
                    stretch: w * 0.9,
                    shrink: w * 0.3,
                },
                Content::None,
            ),
            Align::Left | Align::Center => {
                let rag = 3.0 * piece.size;
                self.push(
                    Item::Glue {
                        width: 0.0,
                        stretch: rag,
                        shrink: 0.0,
                    },
                    Content::None,
                );
                self.push(
                    Item::Penalty {
                        width: 0.0,
                        cost: 0.0,
                        flagged: false,
                    },
                    Content::None,
                );
                self.push(
                    Item::Glue {
                        width: w,
                        stretch: -rag,
                        shrink: 0.0,
                    },
                    Content::None,
                );
            }
        }
    }

    /// Turns the segments of one word (text between spaces, maybe in several styles) into
    /// boxes and break opportunities.
    fn flush_word(&mut self, word: &mut Vec<(String, usize, usize)>, pieces: &[Piece]) {
        if word.is_empty() {
            return;
        }
        let single = word.len() == 1;
        for (text, pi, word_offset) in word.drain(..) {
            let piece = &pieces[pi];
            let clean = hyphenate::strip_soft_hyphens(&text);
            let shaped = self.setter.shaper.shape(&clean, piece.style);
            if !shaped.missing.is_empty() {
                self.report_missing(&shaped.missing, piece, &text, word_offset);
            }
            let hyphens = match &self.style.hyphenate {
                Some(lang) if single && piece.style != Style::Mono && shaped.missing.is_empty() => {
                    self.setter.shaper.hyphenate(&text, lang)
                }
                _ => Vec::new(),
            };
            let explicit = if piece.style == Style::Mono {
                Vec::new()
            } else {
                hyphenate::explicit_breaks(&clean)
            };
            // Break offsets: (byte offset, needs a hyphen).
            let mut breaks: Vec<(usize, bool)> = hyphens
                .iter()
                .map(|&o| (o, true))
                .chain(explicit.iter().map(|&o| (o, false)))
                .collect();
            breaks.sort_unstable();
            breaks.dedup_by_key(|b| b.0);
            breaks.retain(|&(o, _)| o > 0 && o < clean.len());

            // Glyph clusters with their byte offsets, across the runs.
            let mut clusters: Vec<(usize, usize, usize)> = Vec::new(); // (run, glyph, byte offset)
            let mut offset = 0;
            for (r, run) in shaped.runs.iter().enumerate() {
                for (g, glyph) in run.glyphs.iter().enumerate() {
                    if !glyph.text.is_empty() || g == 0 {
                        clusters.push((r, g, offset));
                    }
                    offset += glyph.text.len();
                }
            }
            let mut cut_points: Vec<(usize, usize, bool)> = Vec::new(); // (run, glyph, hyphen)
            for (o, hyphen) in breaks {
                if let Some(&(r, g, _)) = clusters.iter().find(|c| c.2 == o) {
                    cut_points.push((r, g, hyphen));
                }
            }
            // Boxes between cut points.
            let mut start = (0usize, 0usize);
            let mut cuts = cut_points.into_iter().peekable();
            loop {
                let next = cuts.next();
                let end = next.map_or((shaped.runs.len(), 0), |(r, g, _)| (r, g));
                let parts = parts_between(&shaped.runs, start, end, piece);
                let at = piece.locatable.then(|| {
                    let clean_offset = clusters
                        .iter()
                        .find(|c| (c.0, c.1) == start)
                        .map_or(0, |c| c.2);
                    TextPosition {
                        node: piece.span,
                        offset: (word_offset + source_offset(&text, clean_offset)) as u32,
                    }
                });
                self.push_box(parts, at, span_in(piece, word_offset, text.len()));
                match next {
                    Some((_, _, hyphen)) => {
                        let (width, content) = if hyphen {
                            self.hyphen(piece)
                        } else {
                            (0.0, Content::None)
                        };
                        let cost = if hyphen {
                            HYPHEN_PENALTY
                        } else {
                            EXPLICIT_HYPHEN_PENALTY
                        };
                        self.push(
                            Item::Penalty {
                                width,
                                cost,
                                flagged: true,
                            },
                            content,
                        );
                        start = end;
                    }
                    None => break,
                }
            }
        }
    }

    /// Pushes a box of parts, cutting it (with a warning) if it is wider than the measure.
    /// `word` is where the word is in the manuscript, for the warning.
    fn push_box(&mut self, parts: Vec<Part>, at: Option<TextPosition>, word: Span) {
        let width: f64 = parts.iter().map(|p| p.width).sum();
        if parts.is_empty() {
            return;
        }
        if width <= self.style.measure {
            self.push(Item::Box { width }, Content::Parts(parts, at));
            return;
        }
        self.setter.diags.push(
            Diagnostic::warning(
                word,
                format!(
                    "a word is {:.0} pt wide, wider than the {:.0} pt line; it is broken to fit",
                    width, self.style.measure
                ),
            )
            .with_hint("add a soft hyphen (&shy;) or a space where the word may break"),
        );
        let mut line: Vec<Part> = Vec::new();
        let mut line_width = 0.0;
        let mut at = at;
        for part in parts {
            for g in part.range.clone() {
                let gw = part.run.glyphs[g].advance * part.size;
                if line_width + gw > self.style.measure && line_width > 0.0 {
                    let done = std::mem::take(&mut line);
                    self.push(
                        Item::Box { width: line_width },
                        Content::Parts(done, at.take()),
                    );
                    self.push(
                        Item::Penalty {
                            width: 0.0,
                            cost: 0.0,
                            flagged: false,
                        },
                        Content::None,
                    );
                    line_width = 0.0;
                }
                match line.last_mut() {
                    Some(last) if Arc::ptr_eq(&last.run, &part.run) && last.range.end == g => {
                        last.range.end = g + 1;
                        last.width += gw;
                    }
                    _ => line.push(Part {
                        range: g..g + 1,
                        width: gw,
                        ..part.clone()
                    }),
                }
                line_width += gw;
            }
        }
        if !line.is_empty() {
            self.push(Item::Box { width: line_width }, Content::Parts(line, at));
        }
    }

    /// The hyphen inserted at a hyphenation break, in the style of the word.
    fn hyphen(&mut self, piece: &Piece) -> (f64, Content) {
        let shaped = self.setter.shaper.shape("-", piece.style);
        let parts = parts_between(
            &shaped.runs,
            (0, 0),
            (shaped.runs.len(), 0),
            &Piece {
                link: None,
                strike: false,
                ..piece.clone()
            },
        );
        (
            parts.iter().map(|p| p.width).sum(),
            Content::Parts(parts, None),
        )
    }

    /// Reports characters no font has, once per character per book, at the character.
    fn report_missing(&mut self, missing: &[char], piece: &Piece, word: &str, offset: usize) {
        for &c in missing {
            let span = match word.find(c) {
                Some(at) => span_in(piece, offset + at, c.len_utf8()),
                None => piece.span,
            };
            let first = self
                .setter
                .missing_reported
                .lock()
                .map_or(true, |mut seen| seen.insert(c));
            if first {
                self.setter.diags.push(
                    Diagnostic::warning(span, format!("character {c:?} (U+{:04X}) is in none of the book's fonts and is left out of the PDF", c as u32))
                        .with_hint("name a font that has it in book.toml, or replace the character"),
                );
            }
        }
    }

    /// Breaks the items into lines and places them.
    fn lines(self) -> Vec<Line> {
        let measure = self.style.measure;
        let result = linebreak::break_lines(&self.items, &|_| measure, &self.setter.params);
        let mut lines = Vec::with_capacity(result.breaks.len());
        let mut start = 0;
        for brk in &result.breaks {
            lines.push(self.place(start, brk.index));
            start = linebreak::line_start(&self.items, brk.index);
        }
        lines
    }

    /// The adjustment ratio that sets the line `start..end` to the measure with its real glue
    /// (the emergency pass measured with extra stretch; the line is set with what it has).
    /// Lines with infinite stretch (the last line) are set at their natural width.
    fn set_ratio(&self, start: usize, end: usize) -> f64 {
        let (mut width, mut stretch, mut shrink) = (0.0, 0.0, 0.0);
        for item in &self.items[start..end] {
            match *item {
                Item::Box { width: w } => width += w,
                Item::Glue {
                    width: w,
                    stretch: y,
                    shrink: z,
                } => {
                    width += w;
                    stretch += y;
                    shrink += z;
                }
                Item::Penalty { .. } => {}
            }
        }
        if let Item::Penalty { width: w, .. } = self.items[end] {
            width += w;
        }
        let target = self.style.measure;
        if width > target && shrink > 0.0 {
            ((target - width) / shrink).max(-1.0)
        } else if width < target && stretch > 0.0 && stretch < 1e5 {
            (target - width) / stretch
        } else {
            0.0
        }
    }

    fn place(&self, start: usize, end: usize) -> Line {
        let justify = self.style.align == Align::Justify;
        let ratio = if justify {
            self.set_ratio(start, end)
        } else {
            0.0
        };
        let mut line = Line {
            leading: self.style.leading,
            indent: self.style.left,
            ..Line::default()
        };
        let mut x = 0.0;
        let place_content = |content: &Content, x: f64, line: &mut Line| match content {
            Content::None => {}
            Content::Anchor(id) => line.anchors.push(id.clone()),
            Content::NoteMark(number) => {
                line.anchors.push(super::inline::noteref_anchor(*number));
                line.notes.push(*number);
            }
            Content::Parts(parts, at) => {
                if line.start.is_none() && line.items.is_empty() {
                    line.start = *at;
                }
                let mut px = x;
                for part in parts {
                    place_part(part, px, line, self.setter.shaper);
                    px += part.width;
                }
            }
            Content::Image {
                asset,
                alt,
                width,
                height,
                link,
            } => {
                line.items.push(LineItem::Image {
                    asset: *asset,
                    x,
                    width: *width,
                    height: *height,
                    alt: alt.clone(),
                });
                line.ascent = line.ascent.max(*height);
                if let Some(goal) = link {
                    line.links.push(LineLink {
                        x,
                        width: *width,
                        goal: goal.clone(),
                    });
                }
            }
        };
        for i in start..end {
            match self.items[i] {
                Item::Box { width } => {
                    place_content(&self.contents[i], x, &mut line);
                    x += width;
                }
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    let stretch_by = if !justify || stretch >= 1e5 {
                        0.0
                    } else if ratio >= 0.0 {
                        ratio * stretch
                    } else {
                        ratio * shrink
                    };
                    x += width + stretch_by;
                }
                Item::Penalty { .. } => {}
            }
        }
        if let Item::Penalty { width, .. } = self.items[end]
            && width > 0.0
        {
            place_content(&self.contents[end], x, &mut line);
            x += width;
        }
        line.width = x;
        if self.style.align == Align::Center {
            let shift = ((self.style.measure - x) / 2.0).max(0.0);
            shift_line(&mut line, shift);
            line.width += shift;
        }
        merge_links(&mut line.links);
        merge_runs(&mut line.items);
        line
    }
}

/// The byte offset in `text` of the byte `clean` of `text` with its soft hyphens removed.
fn source_offset(text: &str, clean: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= clean {
            return i;
        }
        if c != '\u{ad}' {
            seen += c.len_utf8();
        }
    }
    text.len()
}

/// The span of `len` bytes at `offset` in a piece's text, when the piece's text is the
/// manuscript's text as written (same length as its span); else the piece's whole span.
fn span_in(piece: &Piece, offset: usize, len: usize) -> Span {
    match &piece.kind {
        PieceKind::Text(text) if (piece.span.end - piece.span.start) as usize == text.len() => {
            let start = piece.span.start as usize + offset;
            Span::new(piece.span.file, start..start + len)
        }
        _ => piece.span,
    }
}

/// The parts of `runs` from (run, glyph) `start` to `end` (exclusive).
fn parts_between(
    runs: &[Arc<ShapedRun>],
    start: (usize, usize),
    end: (usize, usize),
    piece: &Piece,
) -> Vec<Part> {
    let mut parts = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        if r < start.0 || r > end.0 || (r == end.0 && end.1 == 0) {
            continue;
        }
        let from = if r == start.0 { start.1 } else { 0 };
        let to = if r == end.0 { end.1 } else { run.glyphs.len() };
        if from >= to {
            continue;
        }
        let width = run.glyphs[from..to].iter().map(|g| g.advance).sum::<f64>() * piece.size;
        parts.push(Part {
            run: Arc::clone(run),
            range: from..to,
            size: piece.size,
            rise: piece.rise,
            link: piece.link.clone(),
            strike: piece.strike,
            width,
        });
    }
    parts
}

fn place_part(part: &Part, x: f64, line: &mut Line, shaper: &Shaper) {
    let (glyphs, text, _) =
        super::flow::place_glyphs(&part.run.glyphs[part.range.clone()], part.size);
    let metrics = shaper.fonts().metrics(part.run.face);
    line.ascent = line.ascent.max(metrics.ascender * part.size + part.rise);
    line.depth = line.depth.max(-metrics.descender * part.size - part.rise);
    line.items.push(LineItem::Glyphs {
        x,
        rise: part.rise,
        face: part.run.face,
        size: part.size,
        glyphs,
        text,
    });
    if part.strike {
        line.items.push(LineItem::Rule {
            x,
            dy: part.rise + 0.28 * part.size,
            width: part.width,
            thickness: 0.05 * part.size,
        });
    }
    if let Some(goal) = &part.link {
        line.links.push(LineLink {
            x,
            width: part.width,
            goal: goal.clone(),
        });
    }
}

fn shift_line(line: &mut Line, dx: f64) {
    for item in &mut line.items {
        match item {
            LineItem::Glyphs { x, .. } | LineItem::Rule { x, .. } | LineItem::Image { x, .. } => {
                *x += dx
            }
        }
    }
    for link in &mut line.links {
        link.x += dx;
    }
}

/// Joins consecutive glyph runs of the same face, size and rise into one run (a line of
/// justified text is then one run per style, not one per word).
fn merge_runs(items: &mut Vec<LineItem>) {
    let same = |a: &LineItem, b: &LineItem| match (a, b) {
        (
            LineItem::Glyphs {
                rise: r0,
                face: f0,
                size: s0,
                ..
            },
            LineItem::Glyphs {
                rise, face, size, ..
            },
        ) => f0 == face && s0 == size && r0 == rise,
        _ => false,
    };
    // Lines live until their page is composed: allocate the merged list at its exact length
    // (a line of ten words is one or two runs, not ten).
    let groups = items.len() - items.windows(2).filter(|w| same(&w[0], &w[1])).count();
    let mut merged: Vec<LineItem> = Vec::with_capacity(groups);
    let mut rest = std::mem::take(items).into_iter().peekable();
    while let Some(mut item) = rest.next() {
        if rest.peek().is_some_and(|next| same(&item, next)) {
            let mut group = Vec::new();
            let mut x0 = 0.0;
            if let LineItem::Glyphs {
                x, glyphs, text, ..
            } = &mut item
            {
                x0 = *x;
                group.push((0.0, std::mem::take(glyphs), std::mem::take(text)));
            }
            // Collect the whole group first, then allocate the run once at its exact length
            // (a book's glyphs are its largest data: no doubling slack).
            while let Some(next) = rest.next_if(|next| same(&item, next)) {
                if let LineItem::Glyphs {
                    x, glyphs, text, ..
                } = next
                {
                    group.push((x - x0, glyphs, text));
                }
            }
            let mut joined = Vec::with_capacity(group.iter().map(|(_, g, _)| g.len()).sum());
            let mut joined_text =
                String::with_capacity(group.iter().map(|(_, _, t)| t.len()).sum());
            for (dx, glyphs, text) in group {
                joined.extend(glyphs.into_iter().map(|g| PlacedGlyph { x: g.x + dx, ..g }));
                joined_text.push_str(&text);
            }
            if let LineItem::Glyphs { glyphs, text, .. } = &mut item {
                *glyphs = joined;
                *text = joined_text;
            }
        }
        merged.push(item);
    }
    *items = merged;
}

/// Joins the link areas of one link on a line (word by word) into one area.
fn merge_links(links: &mut Vec<LineLink>) {
    let mut merged: Vec<LineLink> = Vec::with_capacity(links.len());
    for link in links.drain(..) {
        match merged.last_mut() {
            Some(last) if last.goal == link.goal && link.x - (last.x + last.width) < 8.0 => {
                last.width = link.x + link.width - last.x;
            }
            _ => merged.push(link),
        }
    }
    *links = merged;
}
