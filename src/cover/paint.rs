//! Painting: rectangles and shaped text onto an RGB canvas, with `tiny-skia` (the only place
//! that crate is used).
//!
//! Glyphs are the shaper's glyphs (ids, advances and offsets from rustybuzz), drawn from their
//! TrueType outlines (ttf-parser) as filled paths, non-zero winding, anti-aliased. tiny-skia is
//! built without its `simd` feature: every pixel is computed by the same scalar code (its
//! integer anti-aliasing scan converter and the 16-bit "lowp" blending of solid colours) on
//! every machine, so the same cover comes out as the same bytes everywhere.

use image::RgbImage;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Transform};

use crate::typeset::font::Fonts;
use crate::typeset::shape::Shaped;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A canvas being painted.
pub(super) struct Canvas {
    pixmap: Pixmap,
}

impl Canvas {
    /// A canvas of `width` × `height` px filled with `ground`; `None` for a zero or absurd size.
    pub fn new(width: u32, height: u32, ground: Rgb) -> Option<Canvas> {
        let mut pixmap = Pixmap::new(width, height)?;
        pixmap.fill(tiny_skia::Color::from_rgba8(
            ground.0, ground.1, ground.2, 255,
        ));
        Some(Canvas { pixmap })
    }

    /// Fills the rectangle at (`x`, `y`) (top left, px) of `w` × `h` px.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, color: Rgb) {
        if let Some(rect) = Rect::from_xywh(x as f32, y as f32, w as f32, h as f32) {
            self.pixmap
                .fill_rect(rect, &paint(color), Transform::identity(), None);
        }
    }

    /// Draws shaped text with its pen starting at `x` on the baseline `baseline` (px from the
    /// top), at `size` px per em, with `tracking` px added after every glyph but the last.
    pub fn text(
        &mut self,
        fonts: &Fonts,
        shaped: &Shaped,
        (x, baseline): (f64, f64),
        size: f64,
        tracking: f64,
        color: Rgb,
    ) {
        let mut path = PathBuilder::new();
        let mut pen = x;
        let count: usize = shaped.runs.iter().map(|r| r.glyphs.len()).sum();
        let mut drawn = 0;
        for run in &shaped.runs {
            let unit = fonts.em_per_unit(run.face) * size;
            for glyph in &run.glyphs {
                let mut outline = Outline {
                    path: &mut path,
                    x: pen + glyph.x_offset * size,
                    y: baseline - glyph.y_offset * size,
                    unit,
                };
                fonts.outline(run.face, glyph.id, &mut outline);
                pen += glyph.advance * size;
                drawn += 1;
                if drawn < count {
                    pen += tracking;
                }
            }
        }
        if let Some(path) = path.finish() {
            self.pixmap.fill_path(
                &path,
                &paint(color),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    /// The pixels, as 8-bit RGB (every pixel is opaque).
    pub fn into_rgb(self) -> RgbImage {
        let (width, height) = (self.pixmap.width(), self.pixmap.height());
        let rgb: Vec<u8> = self
            .pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        RgbImage::from_raw(width, height, rgb).expect("the buffer holds width × height pixels")
    }
}

fn paint(color: Rgb) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(color.0, color.1, color.2, 255);
    paint.anti_alias = true;
    paint
}

/// A glyph outline in font units (y up) added to a path in pixels (y down), at a pen position.
struct Outline<'p> {
    path: &'p mut PathBuilder,
    x: f64,
    y: f64,
    /// Pixels per font unit.
    unit: f64,
}

impl Outline<'_> {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (self.x + f64::from(x) * self.unit) as f32,
            (self.y - f64::from(y) * self.unit) as f32,
        )
    }
}

impl ttf_parser::OutlineBuilder for Outline<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.line_to(x, y);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x, y) = self.at(x, y);
        self.path.quad_to(x1, y1, x, y);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let (x1, y1) = self.at(x1, y1);
        let (x2, y2) = self.at(x2, y2);
        let (x, y) = self.at(x, y);
        self.path.cubic_to(x1, y1, x2, y2, x, y);
    }

    fn close(&mut self) {
        self.path.close();
    }
}
