//! Page content: the items of a [`Page`] as printpdf operations.
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
//! along a line. (The scaled matrix also keeps printpdf from merging segments with its own
//! integer-width arithmetic.) A glyph whose text differs from its canonical text (the later
//! glyphs of a cluster carry "") gets a segment of its own inside a `/Span` with
//! `/ActualText`.
//!
//! Images are drawn with `cm` + `Do`; their alt text is laid over them as invisible text
//! (render mode 3), so it is found, selected and copied like the text around it.

use printpdf::{
    Codepoint, DictItem, LinkAnnotation, Op, PaintMode, PdfFontHandle, Pt, Rect, TextItem,
    TextMatrix, TextRenderingMode, XObjectId, XObjectTransform,
};

use super::PdfError;
use super::fonts::{FontSet, Subset, alt_glyphs};
use crate::typeset::layout::{Document, Glyph, GlyphRun, Page, PageItem};

/// Offsets smaller than this (thousandths of an em) are not written: at 100 pt they move a
/// glyph by 0.00005 pt.
const NEGLIGIBLE: f32 = 0.0005;

/// The operations that draw `page`, followed by its link annotations.
pub(super) fn page_ops(
    doc: &Document,
    page: &Page,
    fonts: &FontSet,
    links: Vec<LinkAnnotation>,
) -> Result<Vec<Op>, PdfError> {
    let mut ops = Vec::new();
    let mut in_text = false;
    // The font resource the last `Tf` set, so that it is set only when it changes.
    let mut current: Option<&str> = None;
    let mut items = page.items.iter().peekable();
    while let Some(item) = items.next() {
        let is_text = matches!(item, PageItem::Glyphs(_));
        if is_text != in_text {
            ops.push(if is_text {
                Op::StartTextSection
            } else {
                Op::EndTextSection
            });
            in_text = is_text;
        }
        match item {
            PageItem::Glyphs(run) => {
                // Runs of one font and size on one baseline (a line's words) are shown
                // together: one text matrix, one TJ.
                let mut line = vec![run];
                while let Some(PageItem::Glyphs(next)) = items.peek() {
                    if next.font != run.font || next.size != run.size || next.y != run.y {
                        break;
                    }
                    line.push(next);
                    items.next();
                }
                glyph_line(&mut ops, page, &line, fonts, &mut current)?;
            }
            PageItem::Rule {
                x,
                y,
                width,
                thickness,
            } => {
                ops.push(Op::DrawRectangle {
                    rectangle: Rect {
                        x: pt(*x),
                        y: pt(page.height - y - thickness / 2.0),
                        width: pt(*width),
                        height: pt(*thickness),
                        mode: Some(PaintMode::Fill),
                        winding_order: None,
                    },
                });
            }
            PageItem::Image {
                image,
                x,
                y,
                width,
                height,
                alt,
            } => {
                if image.0 as usize >= doc.images.len() {
                    return Err(PdfError(format!(
                        "an image item uses image {} of {}",
                        image.0,
                        doc.images.len()
                    )));
                }
                let bottom = page.height - y - height;
                ops.push(Op::UseXobject {
                    id: XObjectId(super::images::resource(*image)),
                    transform: XObjectTransform {
                        translate_x: Some(pt(*x)),
                        translate_y: Some(pt(bottom)),
                        scale_x: Some(*width as f32),
                        scale_y: Some(*height as f32),
                        ..Default::default()
                    },
                });
                alt_text(&mut ops, doc, fonts, alt, *x, bottom, *width)?;
                // The alt text's font was set inside q … Q.
                current = None;
            }
        }
    }
    if in_text {
        ops.push(Op::EndTextSection);
    }
    ops.extend(links.into_iter().map(|link| Op::LinkAnnotation { link }));
    Ok(ops)
}

fn pt(v: f64) -> Pt {
    Pt(v as f32)
}

/// Shows the glyphs of `runs` (same font, size and baseline, in order).
fn glyph_line<'f>(
    ops: &mut Vec<Op>,
    page: &Page,
    runs: &[&GlyphRun],
    fonts: &'f FontSet,
    current: &mut Option<&'f str>,
) -> Result<(), PdfError> {
    let run = runs[0];
    let glyphs: Vec<(&Glyph, &str, f64)> = runs
        .iter()
        .flat_map(|r| r.glyph_texts().map(move |(g, text)| (g, text, r.x + g.x)))
        .collect();
    if glyphs.is_empty() {
        return Ok(());
    }
    if !(run.size.is_finite() && run.size > 0.0) {
        return Err(PdfError(format!("a glyph run has font size {}", run.size)));
    }
    let font = fonts.subset(run.font)?;
    if *current != Some(font.resource.as_str()) {
        ops.push(set_font(font));
        *current = Some(font.resource.as_str());
    }

    let mut start = 0;
    while start < glyphs.len() {
        let (first, first_text, first_x) = glyphs[start];
        let canonical = font.glyph(first.id)?.text == first_text;
        let mut end = start + 1;
        if canonical {
            while end < glyphs.len() {
                let (g, text, _) = glyphs[end];
                if g.rise != first.rise || font.glyph(g.id)?.text != text {
                    break;
                }
                end += 1;
            }
        }
        let segment_glyphs: Vec<(u16, f64)> = glyphs[start..end]
            .iter()
            .map(|(g, _, x)| (g.id, *x))
            .collect();
        let origin = (first_x, page.height - run.y + f64::from(first.rise));
        if !canonical {
            ops.push(actual_text(first_text));
        }
        segment(ops, font, run.size, origin, &segment_glyphs)?;
        if !canonical {
            ops.push(Op::EndMarkedContentWithProperties);
        }
        start = end;
    }
    Ok(())
}

fn set_font(font: &Subset) -> Op {
    Op::SetFont {
        font: PdfFontHandle::External(printpdf::FontId(font.resource.clone())),
        size: Pt(1.0),
    }
}

/// Shows `glyphs` (original id, x on any common scale) with the first glyph's origin at
/// `origin` (PDF coordinates).
fn segment(
    ops: &mut Vec<Op>,
    font: &Subset,
    size: f64,
    origin: (f64, f64),
    glyphs: &[(u16, f64)],
) -> Result<(), PdfError> {
    let Some(&(_, x0)) = glyphs.first() else {
        return Ok(());
    };
    let size32 = size as f32;
    ops.push(Op::SetTextMatrix {
        matrix: TextMatrix::Raw([size32, 0.0, 0.0, size32, origin.0 as f32, origin.1 as f32]),
    });
    // The pen, in thousandths of an em from the segment origin, as the viewer computes it.
    let mut pen = 0.0f64;
    let mut items = Vec::with_capacity(glyphs.len());
    for (i, &(gid, _)) in glyphs.iter().enumerate() {
        let g = font.glyph(gid)?;
        pen += f64::from(g.width);
        let mut offset = 0.0f32;
        if let Some(&(_, next_x)) = glyphs.get(i + 1) {
            let target = (next_x - x0) * 1000.0 / size;
            let wanted = ((pen - target) * 1000.0).round() / 1000.0;
            if (wanted as f32).abs() >= NEGLIGIBLE {
                offset = wanted as f32;
                pen -= f64::from(offset);
            }
        }
        // No text here: `finish` writes each font's /ToUnicode from its glyphs' canonical text.
        items.push(Codepoint {
            gid: g.cid,
            offset,
            cid: None,
        });
    }
    ops.push(Op::ShowText {
        items: vec![TextItem::GlyphIds(items)],
    });
    Ok(())
}

/// `/Span << /ActualText (text) >> BDC`.
fn actual_text(text: &str) -> Op {
    let mut data = vec![0xFE, 0xFF];
    for unit in text.encode_utf16() {
        data.extend_from_slice(&unit.to_be_bytes());
    }
    let map = [(
        "ActualText".to_owned(),
        DictItem::String {
            data,
            literal: false,
        },
    )]
    .into_iter()
    .collect();
    Op::BeginMarkedContentWithProperties {
        tag: "Span".into(),
        properties: DictItem::Dict { map },
    }
}

/// The alt text of an image, invisible, along the image's bottom edge and no wider than it.
fn alt_text(
    ops: &mut Vec<Op>,
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
    ops.push(Op::SaveGraphicsState);
    if !whole {
        ops.push(actual_text(alt));
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
            let placed: Vec<(u16, f64)> = placed
                .into_iter()
                .map(|(g, a)| (g, a * size / 1000.0))
                .collect();
            ops.push(Op::StartTextSection);
            ops.push(Op::SetTextRenderingMode {
                mode: TextRenderingMode::Invisible,
            });
            ops.push(set_font(font));
            segment(ops, font, size, (x, bottom), &placed)?;
            ops.push(Op::EndTextSection);
        }
    }
    if !whole {
        ops.push(Op::EndMarkedContentWithProperties);
    }
    ops.push(Op::RestoreGraphicsState);
    Ok(())
}
