//! Blocks → the vertical list: every kind of block the model holds, set with the conventions
//! of a printed book.
//!
//! - Paragraphs are justified and hyphenated, with a first-line indent except after a heading,
//!   a scene break, a list, a quotation, or at the start of a division.
//! - Division headings open a new page; section headings keep their two following lines.
//! - Block quotes are indented on both sides and set a size smaller.
//! - List items hang their bullet or number in the left margin of the item.
//! - Code is set in the monospace face, ragged and unhyphenated; a line too long for the
//!   measure is cut and continued on the next line after a `↪` mark.
//! - Tables are a grid with a rule above, below the header and below the body (booktabs);
//!   columns take their natural width, shrunk in proportion when the measure is too narrow.
//! - Figures are scaled to the measure, never beyond their pixels at 300 dpi.
//! - Notes are set at the end of the division of their first reference (quire 3 moves them to
//!   the foot of the page).
//!
//! Nothing in the model is skipped: every block and inline kind has a rendering here.

use super::flow::{Flow, Line, LineItem};
use super::font::Style;
use super::inline::{self, Context as InlineContext, Piece, PieceKind, note_anchor};
use super::paragraph::{self, Align, ParagraphStyle, Setter};
use crate::model::{
    Alignment, Block, BlockKind, Book, Division, DivisionKind, Heading, Inline, InlineKind, List,
    Note, Table,
};

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
    seen_notes: Vec<u32>,
    /// Notes already set (each is set once, after the division of its first reference).
    placed_notes: Vec<u32>,
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
            seen_notes: Vec::new(),
            placed_notes: Vec::new(),
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

    /// The title page: title, subtitle and author, centred on a page of their own.
    pub fn title_page(&mut self, title: &str, subtitle: Option<&str>, author: Option<&str>) {
        let frame = self.frame();
        self.flow.push(Flow::Space(self.body.block_height * 0.25));
        self.display(title, Style::Regular, 24.0, 30.0, frame, 0);
        if let Some(sub) = subtitle {
            self.flow.push(Flow::Space(10.0));
            self.display(sub, Style::Italic, 14.0, 18.0, frame, 0);
        }
        if let Some(author) = author {
            self.flow.push(Flow::Space(36.0));
            self.display(author, Style::Regular, 13.0, 16.0, frame, 0);
        }
        self.flow.push(Flow::PageBreak);
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

    /// Leaves out, from the notes this instance sets, those that belong elsewhere (divisions
    /// are set in parallel, each with its own notes; see [`note_homes`]).
    pub fn only_notes_of(&mut self, homes: &[Option<usize>], division: Option<usize>) {
        self.placed_notes = homes
            .iter()
            .enumerate()
            .filter(|(_, home)| **home != division)
            .map(|(i, _)| i as u32 + 1)
            .collect();
    }

    pub fn front(&mut self, blocks: &[Block]) {
        let frame = self.frame();
        self.blocks(blocks, frame);
    }

    pub fn division(&mut self, division: &Division) {
        let frame = self.frame();
        self.flow.push(Flow::PageBreak);
        self.flow.push(Flow::Space(self.body.leading * 4.0));
        let size = match division.kind {
            DivisionKind::Part => 20.0,
            DivisionKind::Chapter => 17.0,
        };
        let title = division.heading.plain_text();
        self.heading(
            &division.heading,
            Style::Regular,
            size,
            size * 1.3,
            frame,
            1,
            &title,
        );
        self.flow.push(Flow::Space(self.body.leading * 2.0));
        self.no_indent = true;
        self.blocks(&division.intro, frame);
        for section in &division.sections {
            self.flow.push(Flow::Space(self.body.leading * 1.5));
            let title = section.heading.plain_text();
            self.heading(
                &section.heading,
                Style::Italic,
                self.body.size * 1.2,
                self.body.size * 1.45,
                frame,
                2,
                &title,
            );
            self.flow.push(Flow::Space(self.body.leading * 0.5));
            self.no_indent = true;
            self.blocks(&section.blocks, frame);
        }
        let notes = self.notes_of(division);
        self.notes(&notes, frame);
    }

    /// A heading: centred, unhyphenated, kept with the two lines that follow it.
    #[allow(clippy::too_many_arguments)]
    fn heading(
        &mut self,
        heading: &Heading,
        style: Style,
        size: f64,
        leading: f64,
        frame: Frame,
        level: u8,
        title: &str,
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
            2,
            None,
        );
        if let Some(Flow::Line(line)) = self.flow.get_mut(first) {
            line.outline = Some((level, title.to_string()));
        }
    }

    fn blocks(&mut self, blocks: &[Block], frame: Frame) {
        for block in blocks {
            self.block(block, frame);
        }
    }

    fn block(&mut self, block: &Block, frame: Frame) {
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
            BlockKind::Code { text, .. } => self.code(text, frame),
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
        for (i, mut line) in lines.drain(..).enumerate() {
            if keep > 0 {
                line.keep_with_next = n - i - 1 + keep;
            } else if n >= 2 && i == 0 {
                // Never a paragraph's first line alone at the foot of a page (quire 3 does the rest).
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
        self.flow.push(Flow::Space(frame.leading * 0.4));
        self.no_indent = true;
    }

    fn code(&mut self, text: &str, frame: Frame) {
        let size = frame.size * 0.82;
        let leading = frame.leading * 0.85;
        let shaper = self.setter.shaper;
        let advance = shaper.width("0", Style::Mono) * size;
        let per_line = ((frame.measure / advance).floor() as usize).max(8);
        self.flow.push(Flow::Space(frame.leading * 0.4));
        for source_line in text.split('\n') {
            let chars: Vec<char> = source_line.chars().collect();
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
            let (glyphs, gx) = super::flow::place_glyphs(&run.glyphs, size);
            line.items.push(LineItem::Glyphs {
                x: run_x,
                rise: 0.0,
                face: run.face,
                size,
                glyphs,
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

    /// The notes whose first reference is in `division`, in number order, with notes
    /// referenced only from those notes after them.
    fn notes_of(&self, division: &Division) -> Vec<&'s Note> {
        let mut ids = Vec::new();
        let mut blocks: Vec<&Block> = division.intro.iter().collect();
        for s in &division.sections {
            collect_note_ids(&s.heading.content, &mut ids);
            blocks.extend(s.blocks.iter());
        }
        collect_note_ids(&division.heading.content, &mut ids);
        for b in blocks {
            block_note_ids(b, &mut ids);
        }
        let mut notes: Vec<&Note> = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            if let Some(note) = self.book.notes.get(ids[i] as usize)
                && !self.placed_notes.contains(&note.number)
                && !notes.iter().any(|n| n.number == note.number)
            {
                notes.push(note);
                for b in &note.blocks {
                    block_note_ids(b, &mut ids);
                }
            }
            i += 1;
        }
        notes.sort_by_key(|n| n.number);
        notes
    }

    fn notes(&mut self, notes: &[&Note], frame: Frame) {
        if notes.is_empty() {
            return;
        }
        let size = self.body.size * 0.82;
        let leading = self.body.leading * 0.8;
        let note_frame = Frame {
            size,
            leading,
            ..frame
        };
        self.flow.push(Flow::Space(self.body.leading * 1.5));
        self.rule(frame.left, frame.measure * 0.3, 0.4, leading);
        self.flow.push(Flow::Space(leading * 0.3));
        for note in notes {
            self.placed_notes.push(note.number);
            let mut pieces = vec![Piece::plain(
                PieceKind::Anchor(note_anchor(note.number)),
                Style::Regular,
                size,
                note.span,
            )];
            pieces.push(Piece {
                kind: PieceKind::Text(format!("{}.\u{a0}", note.number)),
                style: Style::Regular,
                size,
                rise: 0.0,
                link: Some(super::flow::LinkGoal::Anchor(inline::noteref_anchor(
                    note.number,
                ))),
                strike: false,
                span: note.span,
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
                    size,
                };
                pieces.extend(inline::collect(
                    inlines,
                    cx,
                    self.book,
                    &mut self.seen_notes,
                ));
            }
            self.set_lines(
                &pieces,
                Align::Justify,
                self.language.clone(),
                0.0,
                note_frame,
                0,
                None,
            );
            for block in rest {
                self.no_indent = false;
                self.block(block, note_frame);
            }
            self.flow.push(Flow::Space(leading * 0.2));
        }
    }

    /// Notes referenced from the front matter, set after it.
    pub fn front_notes(&mut self, front: &[Block]) {
        let mut ids = Vec::new();
        for b in front {
            block_note_ids(b, &mut ids);
        }
        let notes: Vec<&Note> = ids
            .iter()
            .filter_map(|&i| self.book.notes.get(i as usize))
            .filter(|n| !self.placed_notes.contains(&n.number))
            .collect();
        let frame = self.frame();
        self.notes(&notes, frame);
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
