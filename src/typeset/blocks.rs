//! Blocks → the vertical list: every kind of block the model holds, set with the conventions
//! of a printed book.
//!
//! - Paragraphs are justified and hyphenated, with a first-line indent except after a heading,
//!   a scene break, a list, a quotation, or at the start of a division.
//! - Parts open on a right-hand page of their own (their text starts on the next recto);
//!   chapters open a new page; section headings keep their two following lines.
//! - No orphans or widows: a paragraph's first line keeps its second, its penultimate its
//!   last; a short tight list stays whole and keeps the line after it.
//! - Block quotes are indented on both sides and set a size smaller.
//! - List items hang their bullet or number in the left margin of the item.
//! - Code is set in the monospace face, ragged and unhyphenated; a line too long for the
//!   measure is cut and continued on the next line after a `↪` mark.
//! - Tables are a grid with a rule above, below the header and below the body (booktabs);
//!   columns take their natural width, shrunk in proportion when the measure is too narrow.
//! - Figures are scaled to the measure, never beyond their pixels at 300 dpi.
//! - Notes are set each in a list of its own, at 9/11, for [`super::pages`] to put at the
//!   foot of the page of their first mark (the lines carry the marks' note numbers).
//! - Every line that begins with the book's text says where ([`Line::start`]); lines of a
//!   block without text begin "at" the block.
//!
//! Nothing in the model is skipped: every block and inline kind has a rendering here.

mod front;

pub use front::ContentsEntry;

use super::flow::{Flow, HeadingMark, Line, LineItem, PageStyle};
use super::font::Style;
use super::inline::{self, Context as InlineContext, Piece, PieceKind, note_anchor};
use super::paragraph::{self, Align, ParagraphStyle, Setter};
use crate::diag::Span;
use crate::model::{
    Alignment, Block, BlockKind, Book, Division, DivisionKind, Heading, Inline, InlineKind, List,
    Note, Table, TextPosition,
};

/// A tight list of at most this many lines is kept on one page.
const SHORT_LIST_LINES: usize = 10;

/// Sizes and measures of the body text.
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub size: f64,
    pub leading: f64,
    pub measure: f64,
    pub indent: f64,
    /// Height of the text block (for scaling figures).
    pub block_height: f64,
}

/// Where and how blocks are set: a measure, a left offset, a size.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: f64,
    measure: f64,
    size: f64,
    leading: f64,
    style: Style,
}

pub struct Blocks<'s, 'a> {
    pub setter: &'s mut Setter<'a>,
    pub book: &'s Book,
    pub body: Body,
    pub language: Option<String>,
    pub flow: Vec<Flow>,
    /// The notes this instance set: (number, the note's own vertical list).
    pub notes: Vec<(u32, Vec<Flow>)>,
    seen_notes: Vec<u32>,
    /// The notes this instance sets (those first referenced in its part of the book).
    own_notes: Vec<u32>,
    /// The next paragraph is not indented.
    no_indent: bool,
}

impl<'s, 'a> Blocks<'s, 'a> {
    pub fn new(
        setter: &'s mut Setter<'a>,
        book: &'s Book,
        body: Body,
        language: Option<String>,
    ) -> Self {
        Self {
            setter,
            book,
            body,
            language,
            flow: Vec::new(),
            notes: Vec::new(),
            seen_notes: Vec::new(),
            own_notes: Vec::new(),
            no_indent: true,
        }
    }

    fn frame(&self) -> Frame {
        Frame {
            left: 0.0,
            measure: self.body.measure,
            size: self.body.size,
            leading: self.body.leading,
            style: Style::Regular,
        }
    }

    /// Marks the line at `index` of the list as the start of a heading.
    fn mark_heading(
        &mut self,
        index: usize,
        level: u8,
        title: &str,
        running: &str,
        anchor: Option<&crate::model::AnchorId>,
    ) {
        if let Some(Flow::Line(line)) = self.flow.get_mut(index) {
            line.heading = Some(HeadingMark {
                level,
                title: title.to_string(),
                running: running.to_string(),
                anchor: anchor.cloned(),
            });
        }
    }

    /// A centred line (or lines) of plain text.
    fn display(
        &mut self,
        text: &str,
        style: Style,
        size: f64,
        leading: f64,
        frame: Frame,
        keep: usize,
    ) -> usize {
        let span = crate::diag::Span::point(crate::diag::FileId(0), 0);
        let piece = Piece::plain(PieceKind::Text(text.to_string()), style, size, span);
        self.set_lines(
            &[piece],
            Align::Center,
            None,
            0.0,
            Frame {
                size,
                leading,
                ..frame
            },
            keep,
            None,
        )
    }

    /// Chooses the notes this instance sets: those whose home (see [`note_homes`]) is
    /// `part` (`None`: the front matter). Divisions are set in parallel, each with its notes.
    pub fn only_notes_of(&mut self, homes: &[Option<usize>], part: Option<usize>) {
        self.own_notes = homes
            .iter()
            .enumerate()
            .filter(|(_, home)| **home == part)
            .map(|(i, _)| i as u32 + 1)
            .collect();
    }

    pub fn front(&mut self, blocks: &[Block]) {
        let frame = self.frame();
        self.blocks(blocks, frame);
    }

    pub fn division(&mut self, division: &Division) {
        let frame = self.frame();
        match division.kind {
            DivisionKind::Part => {
                // A part title page on a recto; the part's text starts on the next recto.
                self.flow.push(Flow::Break { recto: true });
                self.flow.push(Flow::Style(PageStyle::Opener));
                self.flow.push(Flow::Skip(self.body.block_height * 0.3));
                self.heading(&division.heading, Style::Regular, 20.0, 26.0, frame, 0);
                self.flow.push(Flow::Break { recto: true });
            }
            DivisionKind::Chapter => {
                self.flow.push(Flow::Break { recto: false });
                self.flow.push(Flow::Style(PageStyle::Opener));
                self.flow.push(Flow::Skip(self.body.leading * 4.0));
                self.heading(&division.heading, Style::Regular, 17.0, 22.0, frame, 2);
                self.flow.push(Flow::Space(self.body.leading * 2.0));
            }
        }
        self.no_indent = true;
        self.blocks(&division.intro, frame);
        for section in &division.sections {
            // Space, heading and space come to two grid lines above the heading's baseline
            // and two below it: the text after it stays on the baseline grid.
            let size = self.body.size * 1.2;
            let leading = self.body.size * 1.45;
            self.flow
                .push(Flow::Space(self.body.leading * 2.0 - leading));
            self.heading(&section.heading, Style::Italic, size, leading, frame, 2);
            self.flow.push(Flow::Space(self.body.leading * 0.2));
            self.no_indent = true;
            self.blocks(&section.blocks, frame);
        }
    }

    /// A division or section heading: centred, unhyphenated, kept with the `keep` lines
    /// that follow it, and marked for the outline and the running heads.
    fn heading(
        &mut self,
        heading: &Heading,
        style: Style,
        size: f64,
        leading: f64,
        frame: Frame,
        keep: usize,
    ) {
        let cx = InlineContext { style, size };
        let mut pieces = vec![Piece::plain(
            PieceKind::Anchor(heading.id.clone()),
            style,
            size,
            heading.span,
        )];
        pieces.extend(inline::collect(
            &heading.content,
            cx,
            self.book,
            &mut self.seen_notes,
        ));
        let first = self.flow.len();
        self.set_lines(
            &pieces,
            Align::Center,
            None,
            0.0,
            Frame {
                size,
                leading,
                style,
                ..frame
            },
            keep,
            None,
        );
        let title = heading.plain_text();
        let running = heading.short_title.clone().unwrap_or_else(|| title.clone());
        self.mark_heading(
            first,
            heading.level.min(2),
            &title,
            &running,
            Some(&heading.id),
        );
    }

    fn blocks(&mut self, blocks: &[Block], frame: Frame) {
        for block in blocks {
            self.block(block, frame);
        }
    }

    fn block(&mut self, block: &Block, frame: Frame) {
        let first = self.flow.len();
        self.block_kind(block, frame);
        // A block whose first line does not begin with the book's text (a figure, a table's
        // rule, a scene break) begins "at" the block.
        let first_line = self.flow[first..].iter_mut().find_map(|f| match f {
            Flow::Line(line) => Some(line),
            _ => None,
        });
        if let Some(line) = first_line
            && line.start.is_none()
        {
            line.start = Some(TextPosition {
                node: block.span,
                offset: 0,
            });
        }
    }

    fn block_kind(&mut self, block: &Block, frame: Frame) {
        match &block.kind {
            BlockKind::Paragraph(inlines) => self.paragraph(inlines, frame, Align::Justify),
            BlockKind::Heading(h) => {
                self.flow.push(Flow::Space(frame.leading * 0.8));
                let style = if h.level <= 3 {
                    Style::Bold
                } else {
                    Style::BoldItalic
                };
                let cx = InlineContext {
                    style,
                    size: frame.size,
                };
                let mut pieces = vec![Piece::plain(
                    PieceKind::Anchor(h.id.clone()),
                    style,
                    frame.size,
                    h.span,
                )];
                pieces.extend(inline::collect(
                    &h.content,
                    cx,
                    self.book,
                    &mut self.seen_notes,
                ));
                self.set_lines(&pieces, Align::Left, None, 0.0, frame, 2, None);
                self.flow.push(Flow::Space(frame.leading * 0.25));
                self.no_indent = true;
            }
            BlockKind::SceneBreak => {
                self.flow.push(Flow::Space(frame.leading * 0.5));
                self.display(
                    "*\u{2003}*\u{2003}*",
                    Style::Regular,
                    frame.size,
                    frame.leading,
                    frame,
                    1,
                );
                self.flow.push(Flow::Space(frame.leading * 0.5));
                self.no_indent = true;
            }
            BlockKind::BlockQuote(inner) => {
                let indent = frame.size * 1.5;
                let inner_frame = Frame {
                    left: frame.left + indent,
                    measure: frame.measure - 2.0 * indent,
                    size: frame.size * 0.92,
                    leading: frame.leading * 0.92,
                    ..frame
                };
                self.flow.push(Flow::Space(frame.leading * 0.5));
                self.no_indent = true;
                self.blocks(inner, inner_frame);
                self.flow.push(Flow::Space(frame.leading * 0.5));
                self.no_indent = true;
            }
            BlockKind::List(list) => self.list(list, frame),
            BlockKind::Code { text, .. } => self.code(text, block.span, frame),
            BlockKind::Table(table) => self.table(table, frame),
            BlockKind::Figure(image) => {
                self.flow.push(Flow::Space(frame.leading * 0.5));
                let drawable = self
                    .book
                    .assets
                    .get(image.asset.0 as usize)
                    .is_some_and(|a| super::can_draw(a.format));
                if drawable {
                    self.figure(image.asset.0 as usize, &image.alt, frame);
                } else {
                    self.setter.diags.push(
                        crate::diag::Diagnostic::warning(block.span, "SVG images cannot be drawn in the PDF yet; the image's description is set instead")
                            .with_hint("export the image as PNG for the print edition"),
                    );
                    self.display(
                        &format!("[{}]", image.alt),
                        Style::Italic,
                        frame.size,
                        frame.leading,
                        frame,
                        0,
                    );
                }
                if let Some(title) = &image.title {
                    self.flow.push(Flow::Space(frame.leading * 0.3));
                    self.display(
                        title,
                        Style::Italic,
                        frame.size * 0.9,
                        frame.leading * 0.9,
                        frame,
                        0,
                    );
                }
                self.flow.push(Flow::Space(frame.leading * 0.5));
                self.no_indent = true;
            }
            BlockKind::DefinitionList(items) => {
                for item in items {
                    let cx = InlineContext {
                        style: bold_of(frame.style),
                        size: frame.size,
                    };
                    let pieces = inline::collect(&item.term, cx, self.book, &mut self.seen_notes);
                    self.flow.push(Flow::Space(frame.leading * 0.3));
                    self.set_lines(
                        &pieces,
                        Align::Left,
                        self.language.clone(),
                        0.0,
                        frame,
                        1,
                        None,
                    );
                    let indent = frame.size * 1.5;
                    let inner = Frame {
                        left: frame.left + indent,
                        measure: frame.measure - indent,
                        ..frame
                    };
                    for definition in &item.definitions {
                        self.no_indent = true;
                        self.blocks(definition, inner);
                    }
                }
                self.no_indent = true;
            }
        }
    }

    fn paragraph(&mut self, inlines: &[Inline], frame: Frame, align: Align) {
        let cx = InlineContext {
            style: frame.style,
            size: frame.size,
        };
        let pieces = inline::collect(inlines, cx, self.book, &mut self.seen_notes);
        let indent = if self.no_indent {
            0.0
        } else {
            self.body.indent * frame.size / self.body.size
        };
        self.set_lines(
            &pieces,
            align,
            self.language.clone(),
            indent,
            frame,
            0,
            None,
        );
        self.no_indent = false;
    }

    /// Sets pieces as a paragraph and appends its lines; `keep` is how many following lines the
    /// last line keeps with it. Returns the number of lines.
    #[allow(clippy::too_many_arguments)]
    fn set_lines(
        &mut self,
        pieces: &[Piece],
        align: Align,
        hyphenate: Option<String>,
        indent: f64,
        frame: Frame,
        keep: usize,
        first_line_marker: Option<(Vec<Piece>, f64)>,
    ) -> usize {
        let style = ParagraphStyle {
            measure: frame.measure,
            left: frame.left,
            indent,
            align,
            hyphenate,
            leading: frame.leading,
        };
        let mut lines = paragraph::set(pieces, &style, self.setter);
        if let (Some((marker, gap)), Some(first)) = (first_line_marker, lines.first_mut()) {
            self.hang_marker(first, &marker, gap);
        }
        let n = lines.len();
        let grid = frame.leading == self.body.leading;
        for (i, mut line) in lines.drain(..).enumerate() {
            line.grid = grid;
            if keep > 0 {
                line.keep_with_next = n - i - 1 + keep;
            } else if n >= 2 && (i == 0 || i == n - 2) {
                // No orphan (the first line alone at the foot of a page), no widow (the last
                // line alone at the top of one).
                line.keep_with_next = 1;
            }
            self.flow.push(Flow::Line(line));
        }
        n
    }

    /// Puts a list marker in the hanging indent, `gap` before the line's start.
    fn hang_marker(&mut self, line: &mut Line, marker: &[Piece], gap: f64) {
        let style = ParagraphStyle {
            measure: 1e6,
            left: 0.0,
            indent: 0.0,
            align: Align::Left,
            hyphenate: None,
            leading: 0.0,
        };
        let set = paragraph::set(marker, &style, self.setter);
        let Some(marker_line) = set.into_iter().next() else {
            return;
        };
        let width = line_width(&marker_line);
        for mut item in marker_line.items {
            if let LineItem::Glyphs { x, .. } = &mut item {
                *x += -gap - width;
            }
            line.items.push(item);
        }
    }

    fn list(&mut self, list: &List, frame: Frame) {
        let hang = frame.size * 1.6;
        let inner = Frame {
            left: frame.left + hang,
            measure: frame.measure - hang,
            ..frame
        };
        self.flow.push(Flow::Space(frame.leading * 0.4));
        let first = self.flow.len();
        for (i, item) in list.items.iter().enumerate() {
            if i > 0 && !list.tight {
                self.flow.push(Flow::Space(frame.leading * 0.4));
            }
            let marker_text = match (list.start, item.task) {
                (_, Some(true)) => "☒".to_string(),
                (_, Some(false)) => "☐".to_string(),
                (Some(start), None) => format!("{}.", start + i as u64),
                (None, None) => "•".to_string(),
            };
            let marker = vec![Piece::plain(
                PieceKind::Text(marker_text),
                frame.style,
                frame.size,
                item.span,
            )];
            let mut marker = Some((marker, frame.size * 0.45));
            for block in &item.blocks {
                if let (BlockKind::Paragraph(inlines), Some(m)) = (&block.kind, marker.take()) {
                    let cx = InlineContext {
                        style: inner.style,
                        size: inner.size,
                    };
                    let pieces = inline::collect(inlines, cx, self.book, &mut self.seen_notes);
                    self.set_lines(
                        &pieces,
                        Align::Justify,
                        self.language.clone(),
                        0.0,
                        inner,
                        0,
                        Some(m),
                    );
                } else {
                    self.no_indent = true;
                    self.block(block, inner);
                }
            }
            if let Some(m) = marker {
                // An item without a paragraph: the marker alone.
                self.set_lines(&m.0, Align::Left, None, 0.0, frame, 0, None);
            }
        }
        // A short tight list (the slogans closing a text) stays whole, with the line after it.
        let lines: Vec<usize> = (first..self.flow.len())
            .filter(|&i| matches!(self.flow[i], Flow::Line(_)))
            .collect();
        if list.tight && lines.len() <= SHORT_LIST_LINES {
            for &i in &lines {
                if let Flow::Line(line) = &mut self.flow[i] {
                    line.keep_with_next = line.keep_with_next.max(1);
                }
            }
        }
        self.flow.push(Flow::Space(frame.leading * 0.4));
        self.no_indent = true;
    }

    fn code(&mut self, text: &str, span: Span, frame: Frame) {
        let size = frame.size * 0.82;
        let leading = frame.leading * 0.85;
        let shaper = self.setter.shaper;
        let advance = shaper.width("0", Style::Mono) * size;
        let per_line = ((frame.measure / advance).floor() as usize).max(8);
        self.flow.push(Flow::Space(frame.leading * 0.4));
        let mut line_offset = 0;
        for source_line in text.split('\n') {
            let chars: Vec<char> = source_line.chars().collect();
            let bytes: Vec<usize> = source_line.char_indices().map(|(i, _)| i).collect();
            let line_start = line_offset;
            line_offset += source_line.len() + 1;
            let mut start = 0;
            let mut first = true;
            loop {
                let take = if first { per_line } else { per_line - 2 };
                let mut end = (start + take).min(chars.len());
                // Wrap after a space when there is one in the second half of the line.
                if end < chars.len()
                    && let Some(space) =
                        chars[start + take / 2..end].iter().rposition(|c| *c == ' ')
                {
                    end = start + take / 2 + space + 1;
                }
                let chunk: String = chars[start..end].iter().collect();
                let mut line = Line {
                    leading,
                    indent: frame.left,
                    start: Some(TextPosition {
                        node: span,
                        offset: (line_start + bytes.get(start).copied().unwrap_or(0)) as u32,
                    }),
                    ..Line::default()
                };
                let x0 = if first { 0.0 } else { 2.0 * advance };
                if !first {
                    self.code_glyphs(&mut line, "↪", 0.0, size);
                }
                self.code_glyphs(&mut line, &chunk, x0, size);
                line.ascent = line.ascent.max(size * 0.8);
                line.depth = line.depth.max(size * 0.25);
                self.flow.push(Flow::Line(line));
                first = false;
                start = end;
                if start >= chars.len() {
                    break;
                }
            }
        }
        self.flow.push(Flow::Space(frame.leading * 0.4));
        self.no_indent = true;
    }

    fn code_glyphs(&mut self, line: &mut Line, text: &str, x: f64, size: f64) {
        if text.is_empty() {
            return;
        }
        let shaped = self.setter.shaper.shape(text, Style::Mono);
        let mut run_x = x;
        for run in &shaped.runs {
            let (glyphs, text, gx) = super::flow::place_glyphs(&run.glyphs, size);
            line.items.push(LineItem::Glyphs {
                x: run_x,
                rise: 0.0,
                face: run.face,
                size,
                glyphs,
                text,
            });
            run_x += gx;
        }
        line.width = line.width.max(run_x);
    }

    fn table(&mut self, table: &Table, frame: Frame) {
        let columns = table
            .alignments
            .len()
            .max(table.head.len())
            .max(table.rows.iter().map(Vec::len).max().unwrap_or(0));
        if columns == 0 {
            return;
        }
        let size = frame.size * 0.9;
        let leading = frame.leading * 0.9;
        let gap = size;
        // Natural widths: each cell set on one line.
        let natural = |this: &mut Self, cells: &[Inline], style: Style| -> f64 {
            let cx = InlineContext { style, size };
            let pieces = inline::collect(cells, cx, this.book, &mut Vec::new());
            let st = ParagraphStyle {
                measure: 1e6,
                left: 0.0,
                indent: 0.0,
                align: Align::Left,
                hyphenate: None,
                leading,
            };
            paragraph::set(&pieces, &st, this.setter)
                .first()
                .map_or(0.0, line_width)
        };
        let mut widths = vec![0.0f64; columns];
        for (c, cell) in table.head.iter().enumerate() {
            widths[c] = widths[c].max(natural(self, cell, bold_of(frame.style)));
        }
        for row in &table.rows {
            for (c, cell) in row.iter().enumerate() {
                widths[c] = widths[c].max(natural(self, cell, frame.style));
            }
        }
        let available = frame.measure - gap * (columns as f64 - 1.0);
        let total: f64 = widths.iter().sum();
        if total > available {
            // Columns under their fair share keep their width; the others share the rest.
            let fair = available / columns as f64;
            let small: f64 = widths.iter().filter(|&&w| w <= fair).sum();
            let large: f64 = widths.iter().filter(|&&w| w > fair).sum();
            let scale = ((available - small) / large.max(1.0)).max(0.1);
            for w in &mut widths {
                if *w > fair {
                    *w *= scale;
                }
            }
        }
        let table_width: f64 = widths.iter().sum::<f64>() + gap * (columns as f64 - 1.0);
        let left = frame.left + ((frame.measure - table_width) / 2.0).max(0.0);
        self.flow.push(Flow::Space(frame.leading * 0.5));
        self.rule(left, table_width, 0.6, leading * 0.5);
        let head_style = bold_of(frame.style);
        let row_frame = Frame {
            size,
            leading,
            ..frame
        };
        let head = table.head.clone();
        self.table_row(
            &head,
            &widths,
            &table.alignments,
            left,
            gap,
            Frame {
                style: head_style,
                ..row_frame
            },
        );
        self.rule(left, table_width, 0.4, leading * 0.4);
        for row in &table.rows {
            self.table_row(row, &widths, &table.alignments, left, gap, row_frame);
        }
        self.rule(left, table_width, 0.6, leading * 0.4);
        self.flow.push(Flow::Space(frame.leading * 0.5));
        self.no_indent = true;
    }

    fn rule(&mut self, left: f64, width: f64, thickness: f64, leading: f64) {
        self.flow.push(Flow::Line(Line {
            leading,
            ascent: thickness,
            depth: 0.0,
            indent: left,
            items: vec![LineItem::Rule {
                x: 0.0,
                dy: 0.0,
                width,
                thickness,
            }],
            keep_with_next: 1,
            ..Line::default()
        }));
    }

    fn table_row(
        &mut self,
        cells: &[Vec<Inline>],
        widths: &[f64],
        aligns: &[Alignment],
        left: f64,
        gap: f64,
        frame: Frame,
    ) {
        let mut cell_lines: Vec<Vec<Line>> = Vec::new();
        let mut x = 0.0;
        for (c, width) in widths.iter().enumerate() {
            let empty = Vec::new();
            let cell = cells.get(c).unwrap_or(&empty);
            let cx = InlineContext {
                style: frame.style,
                size: frame.size,
            };
            let pieces = inline::collect(cell, cx, self.book, &mut self.seen_notes);
            let align = match aligns.get(c) {
                Some(Alignment::Center) => Align::Center,
                _ => Align::Left,
            };
            let st = ParagraphStyle {
                measure: *width,
                left: 0.0,
                indent: 0.0,
                align,
                hyphenate: self.language.clone(),
                leading: frame.leading,
            };
            let mut lines = paragraph::set(&pieces, &st, self.setter);
            let shift = if aligns.get(c) == Some(&Alignment::Right) {
                lines
                    .iter()
                    .map(|l| width - line_width(l))
                    .fold(f64::INFINITY, f64::min)
                    .max(0.0)
            } else {
                0.0
            };
            for line in &mut lines {
                offset_line(line, x + shift);
                line.width += x + shift;
            }
            cell_lines.push(lines);
            x += width + gap;
        }
        let rows = cell_lines.iter().map(Vec::len).max().unwrap_or(0);
        for r in 0..rows {
            let mut line = Line {
                leading: frame.leading,
                indent: left,
                ..Line::default()
            };
            for lines in &mut cell_lines {
                if let Some(l) = lines.get_mut(r) {
                    line.ascent = line.ascent.max(l.ascent);
                    line.depth = line.depth.max(l.depth);
                    line.width = line.width.max(l.width);
                    line.items.append(&mut l.items);
                    line.links.append(&mut l.links);
                    line.anchors.append(&mut l.anchors);
                    line.notes.append(&mut l.notes);
                    if line.start.is_none() {
                        line.start = l.start;
                    }
                }
            }
            line.keep_with_next = rows - r - 1;
            self.flow.push(Flow::Line(line));
        }
    }

    fn figure(&mut self, asset: usize, alt: &str, frame: Frame) {
        let pixels = self
            .setter
            .images
            .get(asset)
            .copied()
            .flatten()
            .unwrap_or((300, 300));
        let natural_w = f64::from(pixels.0) / 300.0 * 72.0;
        let natural_h = f64::from(pixels.1) / 300.0 * 72.0;
        let max_h = self.body.block_height * 0.7;
        let scale = (frame.measure / natural_w).min(max_h / natural_h).min(1.0);
        let (w, h) = (natural_w * scale, natural_h * scale);
        let x = (frame.measure - w) / 2.0;
        self.flow.push(Flow::Line(Line {
            leading: h + frame.leading * 0.3,
            ascent: h,
            depth: 0.0,
            indent: frame.left,
            items: vec![LineItem::Image {
                asset,
                x,
                width: w,
                height: h,
                alt: alt.to_string(),
            }],
            ..Line::default()
        }));
    }

    /// Sets this instance's notes (see [`Self::only_notes_of`]), each in a list of its own,
    /// in number order, into [`Self::notes`].
    pub fn set_notes(&mut self) {
        let size = self.body.size * 9.0 / 11.0;
        let leading = self.body.leading * 11.0 / 14.0;
        let frame = Frame {
            size,
            leading,
            ..self.frame()
        };
        let numbers = std::mem::take(&mut self.own_notes);
        let saved = std::mem::take(&mut self.flow);
        for &number in &numbers {
            let Some(note) = self.book.notes.get(number as usize - 1) else {
                continue;
            };
            self.note(note, frame);
            let list = std::mem::take(&mut self.flow);
            self.notes.push((number, list));
        }
        self.flow = saved;
        self.own_notes = numbers;
    }

    /// One note: its number (linking back to the mark) and its text, then its other blocks.
    fn note(&mut self, note: &Note, frame: Frame) {
        let mut pieces = vec![Piece::plain(
            PieceKind::Anchor(note_anchor(note.number)),
            Style::Regular,
            frame.size,
            note.span,
        )];
        pieces.push(Piece {
            link: Some(super::flow::LinkGoal::Anchor(inline::noteref_anchor(
                note.number,
            ))),
            ..Piece::plain(
                PieceKind::Text(format!("{}.\u{a0}", note.number)),
                Style::Regular,
                frame.size,
                note.span,
            )
        });
        let mut rest = note.blocks.iter();
        if let Some(Block {
            kind: BlockKind::Paragraph(inlines),
            ..
        }) = note.blocks.first()
        {
            rest.next();
            let cx = InlineContext {
                style: Style::Regular,
                size: frame.size,
            };
            pieces.extend(inline::collect(
                inlines,
                cx,
                self.book,
                &mut self.seen_notes,
            ));
        }
        let indent = frame.size;
        self.set_lines(
            &pieces,
            Align::Justify,
            self.language.clone(),
            indent,
            frame,
            0,
            None,
        );
        for block in rest {
            self.no_indent = false;
            self.block(block, frame);
        }
    }
}

/// Where each note is set: the division of its first reference (`None`: the front matter),
/// indexed like [`Book::notes`]. Notes referenced only from other notes go with those notes.
pub fn note_homes(book: &Book) -> Vec<Option<usize>> {
    let mut homes: Vec<Option<Option<usize>>> = vec![None; book.notes.len()];
    let assign = |ids: Vec<u32>, home: Option<usize>, homes: &mut Vec<Option<Option<usize>>>| {
        let mut queue = ids;
        let mut i = 0;
        while i < queue.len() {
            let id = queue[i] as usize;
            if let Some(slot) = homes.get_mut(id)
                && slot.is_none()
            {
                *slot = Some(home);
                for b in &book.notes[id].blocks {
                    block_note_ids(b, &mut queue);
                }
            }
            i += 1;
        }
    };
    let mut front = Vec::new();
    for b in &book.front {
        block_note_ids(b, &mut front);
    }
    assign(front, None, &mut homes);
    for (d, division) in book.divisions.iter().enumerate() {
        let mut ids = Vec::new();
        collect_note_ids(&division.heading.content, &mut ids);
        for b in &division.intro {
            block_note_ids(b, &mut ids);
        }
        for s in &division.sections {
            collect_note_ids(&s.heading.content, &mut ids);
            for b in &s.blocks {
                block_note_ids(b, &mut ids);
            }
        }
        assign(ids, Some(d), &mut homes);
    }
    homes.into_iter().map(Option::flatten).collect()
}

fn bold_of(style: Style) -> Style {
    match style {
        Style::Italic | Style::BoldItalic => Style::BoldItalic,
        Style::Mono => Style::Mono,
        _ => Style::Bold,
    }
}

fn line_width(line: &Line) -> f64 {
    line.width
}

fn offset_line(line: &mut Line, dx: f64) {
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

fn collect_note_ids(inlines: &[Inline], out: &mut Vec<u32>) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::NoteRef(id) if !out.contains(&id.0) => {
                out.push(id.0);
            }
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Strikethrough(c)
            | InlineKind::Superscript(c)
            | InlineKind::Subscript(c)
            | InlineKind::Link { content: c, .. } => collect_note_ids(c, out),
            _ => {}
        }
    }
}

fn block_note_ids(block: &Block, out: &mut Vec<u32>) {
    match &block.kind {
        BlockKind::Paragraph(i) => collect_note_ids(i, out),
        BlockKind::Heading(h) => collect_note_ids(&h.content, out),
        BlockKind::List(l) => l
            .items
            .iter()
            .flat_map(|i| &i.blocks)
            .for_each(|b| block_note_ids(b, out)),
        BlockKind::BlockQuote(b) => b.iter().for_each(|b| block_note_ids(b, out)),
        BlockKind::Table(t) => t
            .head
            .iter()
            .chain(t.rows.iter().flatten())
            .for_each(|c| collect_note_ids(c, out)),
        BlockKind::DefinitionList(items) => {
            for item in items {
                collect_note_ids(&item.term, out);
                item.definitions
                    .iter()
                    .flatten()
                    .for_each(|b| block_note_ids(b, out));
            }
        }
        BlockKind::Code { .. } | BlockKind::Figure(_) | BlockKind::SceneBreak => {}
    }
}
