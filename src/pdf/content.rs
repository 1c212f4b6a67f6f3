//! Page content: the items of a [`Page`] as the bytes of its content stream.
//!
//! quire writes content streams itself rather than through printpdf's `Op`s: a book's pages
//! are its bulk (a thousand pages are almost two million glyphs), and building an `Op` per
//! segment and a `Codepoint` per glyph, keeping them all and serialising them on one thread
//! cost more than the rest of the PDF. Here each page becomes bytes on its own thread, in
//! one buffer, and is compressed at once ([`super::write`]); nothing per glyph outlives its
//! page. The operators and the number formatting are those printpdf (through lopdf) writes —
//! `f32` numbers in Rust's shortest form, one operator a line — except that glyphs with no
//! adjustment between them share one hex string (`[<00040026> 23.926<0019>] TJ`), which
//! makes the raw content a quarter smaller and quicker to compress.
//!
//! Coordinates: the layout measures from the top-left corner with y growing downwards; PDF
//! from the bottom-left with y growing upwards, so every y becomes `height - y`.
//!
//! Text. Consecutive glyph runs of one font and size on one baseline (a line's words) are
//! shown together, and the font is set (`Tf`) only when it changes. The glyphs are cut into
//! *segments*: maximal stretches of glyphs on the same rise whose text is their glyph's
//! canonical `/ToUnicode` text. Each segment is placed with its
//! own text matrix `[size 0 0 size x y]` (the font is set at size 1), then shown with one
//! `TJ` whose numbers move every following glyph from where the viewer's pen will be — the
//! `/W` advance of the glyph before it — to the glyph's exact position. The pen is tracked
//! with the very numbers written (`f32`, as the file holds them), so errors never accumulate
//! along a line. A glyph whose text differs from its canonical text (the later glyphs of a
//! cluster carry "") gets a segment of its own inside a `/Span` with `/ActualText`.
//!
//! Rules and rects are filled rectangles (`re f`). Images are drawn with `cm` + `Do`; their alt
//! text is laid over them as invisible text (render mode 3), so it is found, selected and
//! copied like the text around it. A group is drawn inside `q … Q` with a `cm` that turns its
//! frame a quarter turn when asked, its clip (`re W n`) and its fill colour (`g`, `rg`).
//!
//! The sheet: a page with bleed or crop marks is larger than its trim; its items (placed on
//! the trim) are drawn inside `q 1 0 0 1 x y cm … Q` that moves them to the trim's place on
//! the sheet, and its crop marks after them, in sheet coordinates. A page on its trim is
//! written exactly as before: no `cm` at all.

use std::io::Write;

use super::PdfError;
use super::fonts::{FontSet, Subset, alt_glyphs};
use crate::typeset::layout::{Color, Document, GlyphRun, Group, Page, PageItem, Sheet, Turn};

/// Offsets smaller than this (thousandths of an em) are not written: at 100 pt they move a
/// glyph by 0.00005 pt.
const NEGLIGIBLE: f32 = 0.0005;

/// The content stream of `page`, uncompressed. A page on a sheet larger than its trim (bleed,
/// crop marks) is drawn moved to the trim's place on the sheet, and its crop marks after it.
pub(super) fn page_content(
    doc: &Document,
    page: &Page,
    fonts: &FontSet,
) -> Result<Vec<u8>, PdfError> {
    let mut out = Content::default();
    let (dx, dy) = page.trim_origin();
    let moved = dx != 0.0 || dy != 0.0;
    if moved {
        out.op("q");
        out.start();
        out.reals(&[1.0, 0.0, 0.0, 1.0, dx as f32, dy as f32]);
        out.raw(b"cm");
    }
    items(&mut out, doc, &page.items, page.height, fonts)?;
    if moved {
        out.op("Q");
    }
    if page.sheet.crop_marks {
        crop_marks(&mut out, page);
    }
    Ok(out.bytes)
}

/// Writes `items`, in a frame whose y axis is flipped about `height` (the page's height; 0
/// inside a group, whose own `cm` places it).
fn items(
    out: &mut Content,
    doc: &Document,
    items: &[PageItem],
    height: f64,
    fonts: &FontSet,
) -> Result<(), PdfError> {
    let mut in_text = false;
    // The font resource the last `Tf` set, so that it is set only when it changes.
    let mut current: Option<&str> = None;
    // The glyphs of the line being shown, reused from line to line.
    let mut line = Vec::new();
    let mut items = items.iter().peekable();
    while let Some(item) = items.next() {
        let is_text = matches!(item, PageItem::Glyphs(_));
        if is_text != in_text {
            out.op(if is_text { "BT" } else { "ET" });
            in_text = is_text;
        }
        match item {
            PageItem::Glyphs(run) => {
                // Runs of one font and size on one baseline (a line's words) are shown
                // together.
                line.clear();
                push_glyphs(&mut line, run);
                while let Some(PageItem::Glyphs(next)) = items.peek() {
                    if next.font != run.font || next.size != run.size || next.y != run.y {
                        break;
                    }
                    push_glyphs(&mut line, next);
                    items.next();
                }
                glyph_line(out, height, run, &line, fonts, &mut current)?;
            }
            PageItem::Rule {
                x,
                y,
                width,
                thickness,
            } => {
                out.start();
                out.reals(&[
                    *x as f32,
                    (height - y - thickness / 2.0) as f32,
                    *width as f32,
                    *thickness as f32,
                ]);
                out.raw(b"re");
                out.op("f");
            }
            PageItem::Rect {
                x,
                y,
                width,
                height: h,
            } => {
                out.start();
                out.reals(&[*x as f32, (height - y - h) as f32, *width as f32, *h as f32]);
                out.raw(b"re");
                out.op("f");
            }
            PageItem::Image {
                image,
                x,
                y,
                width,
                height: h,
                alt,
            } => {
                if image.0 as usize >= doc.images.len() {
                    return Err(PdfError(format!(
                        "an image item uses image {} of {}",
                        image.0,
                        doc.images.len()
                    )));
                }
                let bottom = height - y - h;
                out.op("q");
                out.start();
                out.reals(&[*width as f32, 0.0, 0.0, *h as f32, *x as f32, bottom as f32]);
                out.raw(b"cm");
                out.start();
                out.name(&super::images::resource(*image));
                out.raw(b"Do");
                out.op("Q");
                alt_text(out, doc, fonts, alt, *x, bottom, *width)?;
                // The alt text's font was set inside q … Q.
                current = None;
            }
            PageItem::Group(group) => {
                self::group(out, doc, group, height, fonts)?;
                // Whatever the group set is undone by its Q.
                current = None;
            }
        }
    }
    if in_text {
        out.op("ET");
    }
    Ok(())
}

/// A group: `q`, the `cm` that maps its frame onto the page (written, like the page, with
/// y flipped — about 0 here), its clip and colour, its items, `Q`.
fn group(
    out: &mut Content,
    doc: &Document,
    group: &Group,
    height: f64,
    fonts: &FontSet,
) -> Result<(), PdfError> {
    let (x, y) = (group.x as f32, (height - group.y) as f32);
    let matrix = match group.turn {
        Turn::None => [1.0, 0.0, 0.0, 1.0, x, y],
        // The group's x axis runs down the page, its (flipped) y axis to the right.
        Turn::Clockwise => [0.0, -1.0, 1.0, 0.0, x, y],
        Turn::CounterClockwise => [0.0, 1.0, -1.0, 0.0, x, y],
    };
    out.op("q");
    out.start();
    out.reals(&matrix);
    out.raw(b"cm");
    if let Some((cx, cy, cw, ch)) = group.clip {
        out.start();
        out.reals(&[cx as f32, (-cy - ch) as f32, cw as f32, ch as f32]);
        out.raw(b"re W n");
    }
    match group.color {
        Some(Color::Gray(g)) => {
            out.start();
            out.reals(&[g]);
            out.raw(b"g");
        }
        Some(Color::Rgb(r, g, b)) => {
            out.start();
            out.reals(&[r, g, b]);
            out.raw(b"rg");
        }
        None => {}
    }
    items(out, doc, &group.items, 0.0, fonts)?;
    out.op("Q");
    Ok(())
}

/// The resource name of the registration colour (a `/Separation /All` space), which crop
/// marks are drawn in so that they print on every plate.
pub(super) const REGISTRATION: &str = "CSReg";

/// Crop marks: at each corner of the trim, a 0.25 pt line on the prolongation of each of its
/// two edges, from [`Sheet::MARKS_OFFSET`] to [`Sheet::MARKS_REACH`] beyond the trim — outside
/// the bleed — in registration colour.
fn crop_marks(out: &mut Content, page: &Page) {
    let t = page.trim_box();
    let (near, far) = (Sheet::MARKS_OFFSET, Sheet::MARKS_REACH);
    out.op("q");
    out.start();
    out.name(REGISTRATION);
    out.raw(b"CS 1 SCN 0.25 w 0 J");
    for (x, sx) in [(t.x0, -1.0), (t.x1, 1.0)] {
        for (y, sy) in [(t.y0, -1.0), (t.y1, 1.0)] {
            // Horizontal: on the line of the trim's top or bottom edge, beyond its side.
            line(out, (x + sx * near, y), (x + sx * far, y));
            // Vertical: on the line of its side, beyond its top or bottom.
            line(out, (x, y + sy * near), (x, y + sy * far));
        }
    }
    out.op("Q");
}

/// A stroked line.
fn line(out: &mut Content, from: (f64, f64), to: (f64, f64)) {
    out.start();
    out.reals(&[from.0 as f32, from.1 as f32]);
    out.raw(b"m ");
    out.reals(&[to.0 as f32, to.1 as f32]);
    out.raw(b"l S");
}

/// A glyph of a line as the writer needs it: original id, rise, text, x from the page's left.
type LineGlyph<'a> = (u16, f32, &'a str, f64);

fn push_glyphs<'a>(line: &mut Vec<LineGlyph<'a>>, run: &'a GlyphRun) {
    line.extend(
        run.glyph_texts()
            .map(|(g, text)| (g.id, g.rise, text, run.x + g.x)),
    );
}

/// Shows the glyphs of a line (runs of `run`'s font, size and baseline, in order).
fn glyph_line<'f>(
    out: &mut Content,
    height: f64,
    run: &GlyphRun,
    glyphs: &[LineGlyph],
    fonts: &'f FontSet,
    current: &mut Option<&'f str>,
) -> Result<(), PdfError> {
    if glyphs.is_empty() {
        return Ok(());
    }
    if !(run.size.is_finite() && run.size > 0.0) {
        return Err(PdfError(format!("a glyph run has font size {}", run.size)));
    }
    let font = fonts.subset(run.font)?;
    if *current != Some(font.resource.as_str()) {
        set_font(out, font);
        *current = Some(font.resource.as_str());
    }

    let mut start = 0;
    while start < glyphs.len() {
        let (id, rise, text, x) = glyphs[start];
        let canonical = font.glyph(id)?.text == text;
        let mut end = start + 1;
        if canonical {
            while end < glyphs.len() {
                let (id, next_rise, text, _) = glyphs[end];
                if next_rise != rise || font.glyph(id)?.text != text {
                    break;
                }
                end += 1;
            }
        }
        let origin = (x, height - run.y + f64::from(rise));
        if !canonical {
            actual_text(out, text);
        }
        segment(
            out,
            font,
            run.size,
            origin,
            glyphs[start..end].iter().map(|&(id, _, _, x)| (id, x)),
        )?;
        if !canonical {
            out.op("EMC");
        }
        start = end;
    }
    Ok(())
}

/// `/F0 1 Tf`: the font at size 1 (each segment's text matrix scales it).
fn set_font(out: &mut Content, font: &Subset) {
    out.start();
    out.name(&font.resource);
    out.raw(b"1 Tf");
}

/// Shows `glyphs` (original id, x on any common scale) with the first glyph's origin at
/// `origin` (PDF coordinates).
fn segment(
    out: &mut Content,
    font: &Subset,
    size: f64,
    origin: (f64, f64),
    glyphs: impl Iterator<Item = (u16, f64)>,
) -> Result<(), PdfError> {
    let mut glyphs = glyphs.peekable();
    let Some(&(_, x0)) = glyphs.peek() else {
        return Ok(());
    };
    let size32 = size as f32;
    out.start();
    out.reals(&[size32, 0.0, 0.0, size32, origin.0 as f32, origin.1 as f32]);
    out.raw(b"Tm");
    out.start();
    out.raw(b"[<");
    // The pen, in thousandths of an em from the segment origin, as the viewer computes it.
    let mut pen = 0.0f64;
    // Glyphs with no adjustment between them share one hex string.
    let mut open = true;
    while let Some((gid, _)) = glyphs.next() {
        let g = font.glyph(gid)?;
        pen += f64::from(g.width);
        if !open {
            out.raw(b"<");
            open = true;
        }
        out.hex_glyph(g.cid);
        if let Some(&(_, next_x)) = glyphs.peek() {
            let target = (next_x - x0) * 1000.0 / size;
            let wanted = ((pen - target) * 1000.0).round() / 1000.0;
            if (wanted as f32).abs() >= NEGLIGIBLE {
                let offset = wanted as f32;
                pen -= f64::from(offset);
                out.raw(b"> ");
                out.real(offset);
                open = false;
            }
        }
    }
    out.raw(b">] TJ");
    Ok(())
}

/// `/Span <</ActualText <FEFF…>>> BDC`.
fn actual_text(out: &mut Content, text: &str) {
    out.start();
    out.raw(b"/Span <</ActualText<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out.bytes, "{:02X}{:02X}", unit >> 8, unit & 0xFF);
    }
    out.raw(b">>> BDC");
}

/// The alt text of an image, invisible, along the image's bottom edge and no wider than it.
fn alt_text(
    out: &mut Content,
    doc: &Document,
    fonts: &FontSet,
    alt: &str,
    x: f64,
    bottom: f64,
    width: f64,
) -> Result<(), PdfError> {
    if alt.trim().is_empty() {
        return Ok(());
    }
    let glyphs = match fonts.alt_font {
        Some(font) => alt_glyphs(doc, font, alt)?,
        None => Vec::new(),
    };
    let whole = glyphs.len() == alt.chars().count();
    out.op("q");
    if !whole {
        actual_text(out, alt);
    }
    if let (Some(font), false) = (fonts.alt_font, glyphs.is_empty()) {
        let font = fonts.subset(font)?;
        let mut advance = 0.0;
        let mut placed = Vec::with_capacity(glyphs.len());
        for &(gid, _) in &glyphs {
            placed.push((gid, advance));
            advance += f64::from(font.glyph(gid)?.width);
        }
        // Size so that the text spans the image width (at most 10 pt).
        let size = if advance > 0.0 {
            (width * 1000.0 / advance).min(10.0)
        } else {
            10.0
        };
        if size > 0.0 && size.is_finite() {
            out.op("BT");
            out.op("3 Tr");
            set_font(out, font);
            segment(
                out,
                font,
                size,
                (x, bottom),
                placed.into_iter().map(|(g, a)| (g, a * size / 1000.0)),
            )?;
            out.op("ET");
        }
    }
    if !whole {
        out.op("EMC");
    }
    out.op("Q");
    Ok(())
}

/// A content stream being written: operators one a line, operands before them, each
/// followed by a space (lopdf's `Content::encode`, which printpdf uses).
#[derive(Default)]
struct Content {
    bytes: Vec<u8>,
}

impl Content {
    /// Starts an operation: a line break unless it is the first.
    fn start(&mut self) {
        if !self.bytes.is_empty() {
            self.bytes.push(b'\n');
        }
    }

    /// A whole operation given as text (`BT`, `3 Tr`).
    fn op(&mut self, op: &str) {
        self.start();
        self.raw(op.as_bytes());
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// A number as lopdf writes a real: `f32`'s shortest form (`11`, `542.54803`).
    fn real(&mut self, v: f32) {
        let _ = write!(self.bytes, "{v}");
    }

    /// Numbers, each followed by a space.
    fn reals(&mut self, values: &[f32]) {
        for &v in values {
            self.real(v);
            self.bytes.push(b' ');
        }
    }

    /// A resource name (`/F0`, `/Im1`: letters and digits, nothing to escape) and a space.
    fn name(&mut self, name: &str) {
        self.bytes.push(b'/');
        self.raw(name.as_bytes());
        self.bytes.push(b' ');
    }

    /// A two-byte glyph code in hex (`002E`), inside a hex string.
    fn hex_glyph(&mut self, cid: u16) {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let [hi, lo] = cid.to_be_bytes();
        self.raw(&[
            HEX[usize::from(hi >> 4)],
            HEX[usize::from(hi & 15)],
            HEX[usize::from(lo >> 4)],
            HEX[usize::from(lo & 15)],
        ]);
    }
}
