//! The cover wrap: back cover, spine and front cover on one sheet, as print-on-demand
//! services take a paperback's cover.
//!
//! ```text
//!  ←b→←──── W ────→←S→←──── W ────→←b→
//!  ┌──────────────────────────────────┐ ↑ b
//!  │ ┌────────────┬──┬─────────────┐ │ ↑
//!  │ │ back:      │s │ front:      │ │ │
//!  │ │ description│p │ the art,    │ │ H
//!  │ │            │i │ or the title│ │ │
//!  │ │     ┌─────┐│n │ typeset     │ │ │
//!  │ │     │ bar ││e │             │ │ │
//!  │ └─────┴─────┴┴──┴─────────────┘ │ ↓
//!  └──────────────────────────────────┘ ↓ b
//! ```
//!
//! The sheet is `b + W + S + W + b` wide and `b + H + b` high: `W × H` the trim, `b` the
//! 0.125 in bleed, `S` the spine, the interior's real page count times the paper's thickness
//! ([`rules::spine_width`]). The page's TrimBox is the cover as cut (`2W + S` by `H`), its
//! BleedBox and MediaBox the whole sheet.
//!
//! - **Front**: the cover art scaled to fill the front and its bleed (cropped, never
//!   stretched, centred), clipped to that panel; with no art, the title, subtitle and author
//!   typeset on the paper. A warning when the art prints at less than 300 dpi.
//! - **Spine**: title and author in capitals, turned to read from top to bottom (the US and UK
//!   way), only from [`rules::SPINE_TEXT_MIN_PAGES`] pages, sized so that their ink keeps
//!   [`rules::SPINE_CLEARANCE`] from each fold and at most 12 pt; none when that leaves less
//!   than 5 pt type.
//! - **Back**: the book's `description` set with the book's typesetter (justified,
//!   hyphenated, at the body size, smaller when it must be), above KDP's barcode area (2 × 1.2
//!   in at the lower right, 0.25 in from the trim), which stays empty.
//! - The back and spine continue the art's spine-side edge: each stretch of rows of the art's
//!   leftmost twentieth that keeps one colour becomes a band of that colour across the spine
//!   and back (vector fills, so no low-resolution image), and each line of type there is
//!   white or near-black as the band under it asks. With no art, the paper.
//! - Everything but the art and its ground keeps the service's safe distance from the trim
//!   ([`Service::cover_safe`]).
//! - `--guides` draws the trim, the spine's folds, the safe zones and the barcode area in
//!   magenta, for checking; a file with guides is not for upload. `--crop-marks` adds crop
//!   marks outside the bleed, as on the interior (for printers other than KDP and
//!   IngramSpark, which refuse them).

use super::rules::{self, Service};
use crate::config::print::PrintSettings;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Book;
use crate::typeset::font::{Fonts, Style};
use crate::typeset::layout::{
    Color, Document, DocumentInfo, Edges, Group, ImageData, ImageId, Page, PageItem, Sheet, Turn,
};
use crate::typeset::panel::{Align, Panel, TextStyle};
use std::sync::Arc;

/// The largest and smallest spine type, in points.
const SPINE_MAX_SIZE: f64 = 12.0;
const SPINE_MIN_SIZE: f64 = 5.0;

/// The resolution print services ask of images.
const MIN_DPI: f64 = 300.0;

/// The cover art: the encoded image, its size and the colours of its spine-side edge.
#[derive(Debug, Clone)]
pub struct Art {
    pub bytes: Arc<Vec<u8>>,
    pub pixels: (u32, u32),
    /// The art's leftmost twentieth (next to the spine), top to bottom, as bands of rows of
    /// one colour.
    pub edge: Vec<Band>,
}

/// Rows `rows.0..rows.1` of the art, whose spine-side edge is `color` (0–1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub rows: (u32, u32),
    pub color: [f32; 3],
}

/// The most bands the edge is cut into: smooth gradients become steps of about one level.
const MAX_BANDS: usize = 256;

/// Cuts the rows' colours into bands whose rows stay within a tolerance of the band's first
/// row, the tolerance doubling until there are at most [`MAX_BANDS`].
fn bands(rows: &[[f32; 3]]) -> Vec<Band> {
    let mut tolerance = 1.5 / 255.0;
    loop {
        let mut out: Vec<Band> = Vec::new();
        let mut start = 0;
        for i in 1..=rows.len() {
            let close = rows
                .get(i)
                .is_some_and(|row| (0..3).all(|c| (row[c] - rows[start][c]).abs() <= tolerance));
            if !close {
                let n = (i - start) as f32;
                let mut color = [0.0; 3];
                for row in &rows[start..i] {
                    for c in 0..3 {
                        color[c] += row[c] / n;
                    }
                }
                out.push(Band {
                    rows: (start as u32, i as u32),
                    color,
                });
                start = i;
            }
        }
        if out.len() <= MAX_BANDS {
            return out;
        }
        tolerance *= 2.0;
    }
}

impl Art {
    /// The wrap's art from the cover stage's pixels (sRGB): a JPEG of them (the cover stage's
    /// encoder, the same bytes for the same pixels) and the bands of its spine-side edge.
    pub fn from_image(image: &image::RgbImage) -> Result<Art, String> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err("the image is empty".into());
        }
        let strip = (w / 20).max(1);
        let rows: Vec<[f32; 3]> = (0..h)
            .map(|y| {
                let mut sum = [0u32; 3];
                for x in 0..strip {
                    let p = image.get_pixel(x, y).0;
                    for c in 0..3 {
                        sum[c] += u32::from(p[c]);
                    }
                }
                sum.map(|s| s as f32 / (strip as f32 * 255.0))
            })
            .collect();
        Ok(Art {
            bytes: Arc::new(crate::cover::art::encode_jpeg(image)?),
            pixels: (w, h),
            edge: bands(&rows),
        })
    }
}

/// The front's art: the book's cover art ([`crate::cover::front_art`], read within the cover
/// stage's memory bounds) or `None` for a typeset front. quire's own generated cover — asked
/// for with `generate-cover`, or the very file `quire cover` wrote, named by `cover` — is made
/// again at the front's size at 300 dpi, bleed included, rather than stretched from its 1600 ×
/// 2560 px.
pub fn front_art(
    book: &Book,
    cover: &crate::cover::Settings,
    settings: &PrintSettings,
    diags: &mut Diagnostics,
) -> Option<Art> {
    let meta = &book.meta;
    let (w, h) = settings.trim;
    let px = |points: f64| (points / rules::IN * MIN_DPI).ceil() as u32;
    let size = (px(w + rules::BLEED), px(h + 2.0 * rules::BLEED));
    let generated = match &cover.named {
        Some(named) => {
            let file = std::fs::read(&named.path).ok();
            file.is_some()
                && file
                    == crate::cover::generated_jpeg(meta)
                        .ok()
                        .map(|(bytes, _)| bytes)
        }
        None => cover.generate.is_some(),
    };
    let art = if generated {
        let only_generate = crate::cover::Settings {
            named: None,
            generate: Some(cover.named.as_ref().and_then(|n| n.at)),
        };
        crate::cover::front_art(&only_generate, meta, size, diags)?
    } else {
        crate::cover::front_art(cover, meta, size, diags)?
    };
    match Art::from_image(&art.image) {
        Ok(art) => Some(art),
        Err(message) => {
            diags.push(
                Diagnostic::error(cover.named.as_ref().and_then(|n| n.at), message)
                    .with_hint("report this as a bug in quire"),
            );
            None
        }
    }
}

/// The wrap's measurements, in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WrapGeometry {
    /// One cover's trim: width and height.
    pub trim: (f64, f64),
    pub spine: f64,
    pub bleed: f64,
    pub pages: usize,
    pub service: Service,
}

impl WrapGeometry {
    pub fn new(settings: &PrintSettings, pages: usize) -> WrapGeometry {
        WrapGeometry {
            trim: settings.trim,
            spine: rules::spine_width(settings.service, settings.paper, pages),
            bleed: rules::BLEED,
            pages,
            service: settings.service,
        }
    }

    /// The sheet: bleed + back + spine + front + bleed wide, bleed + trim + bleed high.
    pub fn sheet(&self) -> (f64, f64) {
        (
            self.bleed + self.trim.0 + self.spine + self.trim.0 + self.bleed,
            self.bleed + self.trim.1 + self.bleed,
        )
    }

    /// The spine's folds, from the cut cover's left edge.
    pub fn folds(&self) -> (f64, f64) {
        (self.trim.0, self.trim.0 + self.spine)
    }

    /// The barcode area on the back (x, y, width, height from the cut cover's top-left).
    pub fn barcode(&self) -> (f64, f64, f64, f64) {
        (
            self.trim.0 - rules::BARCODE_INSET - rules::BARCODE_WIDTH,
            self.trim.1 - rules::BARCODE_INSET - rules::BARCODE_HEIGHT,
            rules::BARCODE_WIDTH,
            rules::BARCODE_HEIGHT,
        )
    }

    /// The size of the spine's type when its ink is `ink` ems high (top to bottom): `None`
    /// below the page count for spine text, or when the spine leaves room only for type
    /// smaller than 5 pt.
    pub fn spine_type(&self, ink: f64) -> Option<f64> {
        if self.pages < rules::SPINE_TEXT_MIN_PAGES || ink <= 0.0 {
            return None;
        }
        let room = self.spine - 2.0 * rules::SPINE_CLEARANCE;
        let size = (room / ink).min(SPINE_MAX_SIZE);
        (size >= SPINE_MIN_SIZE).then_some(size)
    }
}

/// What the wrap is made of.
pub struct WrapInput<'a> {
    pub book: &'a Book,
    pub settings: &'a PrintSettings,
    /// The book's fonts (`None`: the bundled ones).
    pub fonts: Option<Arc<Fonts>>,
    /// The interior's page count.
    pub pages: usize,
    /// The front's art; `None` for a typeset front.
    pub art: Option<&'a Art>,
    /// Draw the guide lines.
    pub guides: bool,
}

/// The wrap laid out.
#[derive(Debug)]
pub struct Wrap {
    pub document: Document,
    pub geometry: WrapGeometry,
    /// Whether the spine carries the title and author.
    pub spine_text: bool,
    pub diagnostics: Diagnostics,
}

/// Lays out the cover wrap: one page, the cut cover as its trim, the bleed all round.
pub fn wrap(input: &WrapInput<'_>) -> Wrap {
    let book = input.book;
    let meta = &book.meta;
    let geometry = WrapGeometry::new(input.settings, input.pages);
    let (w, h) = geometry.trim;
    let b = geometry.bleed;
    let (_, fold_right) = geometry.folds();
    let safe = geometry.service.cover_safe();
    let mut diags = Diagnostics::new();
    let mut panel = Panel::new(input.fonts.clone(), Some(meta.language.primary()));
    let mut items = Vec::new();
    let mut images = Vec::new();

    // The ground of the back and spine: the art's edge in bands, placed as the front art is.
    let placement = input.art.map(|art| {
        let (px, py) = (f64::from(art.pixels.0), f64::from(art.pixels.1));
        let (pw, ph) = (w + b, h + 2.0 * b);
        let scale = (pw / px).max(ph / py);
        (
            art,
            scale,
            (pw - px * scale) / 2.0,
            -b + (ph - py * scale) / 2.0,
        )
    });
    let mut ground: Vec<(f64, f64, [f32; 3])> = Vec::new();
    if let Some((art, scale, _, top)) = placement {
        let last = art.edge.len().saturating_sub(1);
        for (i, band) in art.edge.iter().enumerate() {
            let y0 = if i == 0 {
                -b
            } else {
                top + f64::from(band.rows.0) * scale
            };
            let y1 = if i == last {
                h + b
            } else {
                top + f64::from(band.rows.1) * scale
            };
            ground.push((y0, y1, band.color));
        }
        items.push(PageItem::Group(Group {
            x: 0.0,
            y: 0.0,
            turn: Turn::None,
            clip: Some((-b, -b, fold_right + w + 2.0 * b, h + 2.0 * b)),
            color: None,
            items: ground
                .iter()
                .map(|&(y0, y1, [r, g, bl])| {
                    PageItem::Group(Group {
                        x: 0.0,
                        y: 0.0,
                        turn: Turn::None,
                        clip: None,
                        color: Some(Color::Rgb(r, g, bl)),
                        // A little overlap, so that no hairline of paper shows between bands,
                        // and under the art too, so that none shows at the fold.
                        items: vec![PageItem::Rect {
                            x: -b,
                            y: y0,
                            width: fold_right + w + 2.0 * b,
                            height: (y1 - y0) + 0.5,
                        }],
                    })
                })
                .collect(),
        }));
    }
    // The colour of type at a height of the back or spine: white on a dark band, near-black
    // on a light one, black on the paper.
    let ink = |y: f64| -> Option<Color> {
        let &(_, _, [r, g, bl]) = ground
            .iter()
            .find(|(y0, y1, _)| y >= *y0 && y < *y1)
            .or(ground.last())?;
        Some(if 0.2126 * r + 0.7152 * g + 0.0722 * bl < 0.55 {
            Color::Gray(1.0)
        } else {
            Color::Gray(0.1)
        })
    };

    // Front.
    match input.art {
        Some(art) => {
            let (px, py) = (f64::from(art.pixels.0), f64::from(art.pixels.1));
            let (pw, ph) = (w + b, h + 2.0 * b);
            let scale = placement.map_or(1.0, |p| p.1);
            let (iw, ih) = (px * scale, py * scale);
            let dpi = px / (iw / rules::IN);
            if dpi < MIN_DPI - 0.5 {
                diags.push(
                    Diagnostic::warning(
                        None,
                        format!(
                            "the cover art prints at {dpi:.0} dpi on the front of the wrap; print services ask for {MIN_DPI:.0}"
                        ),
                    )
                    .with_hint(format!(
                        "supply art of at least {} × {} px for this trim",
                        (pw / rules::IN * MIN_DPI).ceil(),
                        (ph / rules::IN * MIN_DPI).ceil()
                    )),
                );
            }
            images.push(ImageData {
                bytes: Arc::clone(&art.bytes),
                pixels: art.pixels,
            });
            items.push(PageItem::Group(Group {
                x: fold_right,
                y: -b,
                turn: Turn::None,
                clip: Some((0.0, 0.0, pw, ph)),
                color: None,
                items: vec![PageItem::Image {
                    image: ImageId(0),
                    x: (pw - iw) / 2.0,
                    y: (ph - ih) / 2.0,
                    width: iw,
                    height: ih,
                    alt: String::new(),
                }],
            }));
        }
        None => items.extend(typeset_front(&mut panel, book, fold_right, &geometry)),
    }

    // Spine: each run (the title, the author) in the colour its middle asks.
    let spine = spine(&mut panel, book, &geometry);
    let spine_text = spine.is_some();
    if let Some((x, runs)) = spine {
        for run in runs {
            let PageItem::Glyphs(glyphs) = &run else {
                continue;
            };
            let middle = glyphs.x + glyphs.glyphs.last().map_or(0.0, |g| g.x) / 2.0;
            items.push(PageItem::Group(Group {
                x,
                y: 0.0,
                turn: Turn::Clockwise,
                clip: None,
                color: ink(middle),
                items: vec![run],
            }));
        }
    }

    // Back: each line in the colour its x-height asks.
    for run in back(&mut panel, book, input.settings, &geometry, &mut diags) {
        let color = match &run {
            PageItem::Glyphs(glyphs) => ink(glyphs.y - glyphs.size * 0.25),
            _ => None,
        };
        items.push(PageItem::Group(Group {
            x: 0.0,
            y: 0.0,
            turn: Turn::None,
            clip: None,
            color,
            items: vec![run],
        }));
    }

    if input.guides {
        items.push(guides(&geometry, safe));
    }

    let page = Page {
        width: fold_right + w,
        height: h,
        sheet: Sheet {
            bleed: Edges::all(b),
            crop_marks: input.settings.crop_marks,
        },
        items,
        links: Vec::new(),
        label: String::new(),
    };
    let info = DocumentInfo {
        title: format!("{} (cover)", meta.title),
        subtitle: meta.subtitle.clone(),
        author: meta.author_line(),
        subject: meta.description.clone(),
        keywords: meta.subjects.clone(),
        language: meta.language.as_str().to_string(),
        date: meta.modified,
        creator: format!("quire {}", env!("CARGO_PKG_VERSION")),
        identifier: meta.identifier.0.clone(),
    };
    let (mut document, panel_diags) = panel.finish(vec![page], info);
    document.images = images;
    diags.extend(panel_diags);
    Wrap {
        document,
        geometry,
        spine_text,
        diagnostics: diags,
    }
}

/// The front with no art: the title, subtitle and author set on the paper, like the title
/// page, inside the safe zone.
fn typeset_front(
    panel: &mut Panel,
    book: &Book,
    left: f64,
    geometry: &WrapGeometry,
) -> Vec<PageItem> {
    let meta = &book.meta;
    let (w, h) = geometry.trim;
    let margin = (w / 8.0).max(geometry.service.cover_safe());
    let measure = w - 2.0 * margin;
    let mut items = Vec::new();
    let mut top = h * 0.2;
    let centred = |size: f64, style: Style| TextStyle {
        style,
        size,
        leading: size * 1.25,
        align: Align::Center,
        hyphenate: false,
    };
    let title = panel.paragraph(
        &meta.title,
        &centred(30.0, Style::Regular),
        left + margin,
        top,
        measure,
    );
    top += title.height;
    items.extend(title.items);
    if let Some(sub) = &meta.subtitle {
        top += 14.0;
        let set = panel.paragraph(
            sub,
            &centred(15.0, Style::Italic),
            left + margin,
            top,
            measure,
        );
        top += set.height;
        items.extend(set.items);
    }
    if let Some(author) = meta.author_line() {
        let set = panel.paragraph(
            &author,
            &centred(18.0, Style::Regular),
            left + margin,
            top.max(h * 0.62),
            measure,
        );
        items.extend(set.items);
    }
    items
}

/// The spine: title and author in capitals, to be turned clockwise about (x, 0), centred
/// across the spine between its clearances; `None` when the book is too short or the spine
/// too narrow. Returns x and the glyph runs.
fn spine(panel: &mut Panel, book: &Book, geometry: &WrapGeometry) -> Option<(f64, Vec<PageItem>)> {
    let meta = &book.meta;
    let title = meta.title.to_uppercase();
    let author = meta.author_line().map(|a| a.to_uppercase());
    let words = match &author {
        Some(a) => format!("{title} {a}"),
        None => title.clone(),
    };
    let (top, bottom) = panel.ink(&words, Style::Regular);
    let mut size = geometry.spine_type(top - bottom)?;
    // Along the spine: the title from the top, the author to the bottom, inside the safe
    // zone and at least 2 em apart; smaller type when they do not fit.
    let (_, h) = geometry.trim;
    let end = (0.5 * rules::IN).max(geometry.service.cover_safe());
    let room = h - 2.0 * end;
    let length = |size: f64| {
        panel.width(&title, Style::Regular, size)
            + author
                .as_deref()
                .map_or(0.0, |a| 2.0 * size + panel.width(a, Style::Regular, size))
    };
    if length(size) > room {
        size *= room / length(size);
        if size < SPINE_MIN_SIZE {
            return None;
        }
    }
    // In the group's frame x runs down the spine and y across it, towards the back; the
    // baseline sits where the ink's middle falls on the spine's centre line.
    let baseline = (top + bottom) / 2.0 * size;
    let mut items = panel
        .line(&title, Style::Regular, size, end, baseline, Align::Left)
        .0;
    if let Some(author) = &author {
        let width = panel.width(author, Style::Regular, size);
        items.extend(
            panel
                .line(
                    author,
                    Style::Regular,
                    size,
                    h - end - width,
                    baseline,
                    Align::Left,
                )
                .0,
        );
    }
    let (left, right) = geometry.folds();
    Some(((left + right) / 2.0, items))
}

/// The back: the description, justified, its paragraphs (blank-line separated) above the
/// barcode area; a smaller size, down to 8 pt, when it does not fit; lines cut with a warning
/// when even that does not.
fn back(
    panel: &mut Panel,
    book: &Book,
    settings: &PrintSettings,
    geometry: &WrapGeometry,
    diags: &mut Diagnostics,
) -> Vec<PageItem> {
    let Some(description) = book.meta.description.as_deref() else {
        diags.push(
            Diagnostic::warning(None, "the book has no description for the back cover")
                .with_hint("set `description = \"…\"` in book.toml"),
        );
        return Vec::new();
    };
    let (w, _) = geometry.trim;
    let margin = (w / 8.0).max(geometry.service.cover_safe());
    let measure = w - 2.0 * margin;
    let top = margin * 1.5;
    let (_, barcode_top, _, _) = geometry.barcode();
    let limit = barcode_top - settings.leading;
    let paragraphs: Vec<&str> = description
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let mut size = settings.font_size;
    loop {
        let leading = size * settings.leading / settings.font_size;
        let style = TextStyle {
            style: Style::Regular,
            size,
            leading,
            align: Align::Justify,
            hyphenate: true,
        };
        let mut items = Vec::new();
        let mut y = top;
        let mut fits = true;
        for (i, text) in paragraphs.iter().enumerate() {
            if i > 0 {
                y += leading * 0.5;
            }
            let set = panel.paragraph(text, &style, margin, y, measure);
            y += set.height;
            fits &= y <= limit;
            items.extend(set.items);
        }
        if fits || size <= 8.0 {
            if !fits {
                let before = items.len();
                items.retain(|item| !matches!(item, PageItem::Glyphs(run) if run.y > limit));
                if items.len() < before {
                    diags.push(
                        Diagnostic::warning(
                            None,
                            "the description is too long for the back cover; its end is left out",
                        )
                        .with_hint("shorten `description` in book.toml"),
                    );
                }
            }
            return items;
        }
        size -= 0.5;
    }
}

/// Guide lines in magenta, 0.25 pt: the trim, the spine's folds, each panel's safe zone and
/// the barcode area.
fn guides(geometry: &WrapGeometry, safe: f64) -> PageItem {
    let (w, h) = geometry.trim;
    let (left, right) = geometry.folds();
    let c = rules::SPINE_CLEARANCE;
    let mut items = Vec::new();
    let mut outline = |x: f64, y: f64, width: f64, height: f64| {
        const T: f64 = 0.25;
        for (x, y, width, height) in [
            (x, y, width, T),
            (x, y + height - T, width, T),
            (x, y, T, height),
            (x + width - T, y, T, height),
        ] {
            items.push(PageItem::Rect {
                x,
                y,
                width,
                height,
            });
        }
    };
    outline(0.0, 0.0, right + w, h);
    outline(left, 0.0, right - left, h);
    outline(safe, safe, w - 2.0 * safe, h - 2.0 * safe);
    outline(right + safe, safe, w - 2.0 * safe, h - 2.0 * safe);
    if right - left > 2.0 * c {
        outline(left + c, safe, right - left - 2.0 * c, h - 2.0 * safe);
    }
    let (bx, by, bw, bh) = geometry.barcode();
    outline(bx, by, bw, bh);
    PageItem::Group(Group {
        x: 0.0,
        y: 0.0,
        turn: Turn::None,
        clip: None,
        color: Some(Color::Rgb(0.9, 0.0, 0.6)),
        items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::rules::Paper;
    use crate::testutil;

    fn settings(paper: Paper) -> PrintSettings {
        PrintSettings {
            trim: (5.5 * 72.0, 8.5 * 72.0),
            paper,
            ..PrintSettings::default()
        }
    }

    #[test]
    fn the_sheet_follows_the_formula() {
        for (paper, per_page) in [
            (Paper::White, 0.002252),
            (Paper::Cream, 0.0025),
            (Paper::Color, 0.002347),
        ] {
            let g = WrapGeometry::new(&settings(paper), 120);
            let (width, height) = g.sheet();
            let spine = 120.0 * per_page * 72.0;
            assert!((width - (9.0 + 396.0 + spine + 396.0 + 9.0)).abs() < 1e-9);
            assert!((height - (9.0 + 612.0 + 9.0)).abs() < 1e-9);
        }
    }

    #[test]
    fn spine_type_only_from_79_pages_and_when_it_is_legible() {
        let s = settings(Paper::Cream);
        assert_eq!(WrapGeometry::new(&s, 78).spine_type(0.7), None);
        // 79 cream pages: a 14.2 pt spine, 5.2 pt of room.
        let size = WrapGeometry::new(&s, 79).spine_type(0.7).unwrap();
        assert!((size - (79.0 * 0.0025 * 72.0 - 9.0) / 0.7).abs() < 1e-9);
        // 79 white pages leave room for 3.8 pt type only.
        assert_eq!(
            WrapGeometry::new(&settings(Paper::White), 79).spine_type(1.0),
            None
        );
        assert_eq!(WrapGeometry::new(&s, 400).spine_type(0.7), Some(12.0));
    }

    fn book() -> Book {
        let mut book = testutil::book("# One\n\nText.\n");
        book.meta.description = Some(
            "A description of the book, long enough to take a few lines on the back cover \
             of the book, set justified with the book's own typesetter."
                .into(),
        );
        book.meta.creators.push(crate::model::Creator {
            name: "A. N. Author".into(),
            role: crate::model::CreatorRole::Author,
            file_as: None,
        });
        book
    }

    /// The text items of a page, with their x range and baseline, on the cut cover.
    fn runs(doc: &Document) -> Vec<(f64, f64, f64, String)> {
        fn walk(items: &[PageItem], dx: f64, dy: f64, out: &mut Vec<(f64, f64, f64, String)>) {
            for item in items {
                match item {
                    PageItem::Glyphs(run) => {
                        let end = run.x + run.glyphs.last().map_or(0.0, |g| g.x);
                        out.push((dx + run.x, dx + end, dy + run.y, run.text.clone()));
                    }
                    PageItem::Group(g) if g.turn == Turn::None => {
                        walk(&g.items, dx + g.x, dy + g.y, out)
                    }
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&doc.pages[0].items, 0.0, 0.0, &mut out);
        out
    }

    #[test]
    fn a_short_book_has_no_spine_text_and_a_clear_barcode_area() {
        let book = book();
        let s = settings(Paper::White);
        let wrap = wrap(&WrapInput {
            book: &book,
            settings: &s,
            fonts: None,
            pages: 48,
            art: None,
            guides: false,
        });
        assert!(!wrap.spine_text);
        let page = &wrap.document.pages[0];
        let (sw, sh) = wrap.geometry.sheet();
        assert!((page.media_box().x1 - sw).abs() < 1e-9);
        assert!((page.media_box().y1 - sh).abs() < 1e-9);
        assert_eq!(page.trim_box().x0, 9.0);
        let (bx, by, bw, bh) = wrap.geometry.barcode();
        let runs = runs(&wrap.document);
        assert!(runs.iter().any(|r| r.3.contains("description")));
        for (x0, x1, y, text) in &runs {
            let inside = *x1 > bx && *x0 < bx + bw && *y > by && *y - 12.0 < by + bh;
            assert!(!inside, "{text:?} in the barcode area");
            assert!(*x0 >= 9.0 && *y >= 9.0, "{text:?} outside the safe zone");
        }
        // The title on the typeset front.
        assert!(
            runs.iter()
                .any(|r| r.3.contains("Test") && r.0 > wrap.geometry.folds().1)
        );
    }

    #[test]
    fn a_long_book_has_its_title_on_the_spine_inside_the_folds() {
        let book = book();
        let s = settings(Paper::White);
        let wrap = wrap(&WrapInput {
            book: &book,
            settings: &s,
            fonts: None,
            pages: 300,
            art: None,
            guides: true,
        });
        assert!(wrap.spine_text);
        let (left, right) = wrap.geometry.folds();
        let mut texts = String::new();
        for item in &wrap.document.pages[0].items {
            let PageItem::Group(g) = item else { continue };
            if g.turn != Turn::Clockwise {
                continue;
            }
            assert!((g.x - (left + right) / 2.0).abs() < 1e-9);
            for item in &g.items {
                if let PageItem::Glyphs(run) = item {
                    texts.push_str(&run.text);
                    // Across the spine: the ink between the clearances.
                    let size = run.size;
                    assert!((5.0..=12.0).contains(&size));
                    assert!(run.y.abs() < size, "{}", run.y);
                }
            }
        }
        assert!(
            texts.contains("TEST") && texts.contains("AUTHOR"),
            "{texts}"
        );
        assert!(wrap.diagnostics.is_empty(), "{:?}", wrap.diagnostics);
    }

    #[test]
    fn the_edge_is_cut_into_bands_of_one_colour() {
        let dark = [0.1, 0.1, 0.12];
        let light = [0.9, 0.88, 0.8];
        let mut rows = vec![dark; 100];
        rows.extend(vec![light; 50]);
        let b = bands(&rows);
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].rows, (100, 150));
        // A smooth gradient over 2000 rows: at most 256 bands, each about one level.
        let gradient: Vec<[f32; 3]> = (0..2000).map(|i| [i as f32 / 2000.0; 3]).collect();
        let b = bands(&gradient);
        assert!(b.len() <= MAX_BANDS && b.len() > 100, "{}", b.len());
        assert_eq!(b.last().unwrap().rows.1, 2000);
    }

    #[test]
    fn art_is_measured_and_its_edge_colour_taken() {
        let image = image::RgbImage::from_fn(160, 256, |x, _| {
            if x < 20 {
                image::Rgb([200, 0, 0])
            } else {
                image::Rgb([0, 0, 200])
            }
        });
        let art = Art::from_image(&image).unwrap();
        assert_eq!(art.pixels, (160, 256));
        assert!(art.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
        assert_eq!(art.edge.len(), 1);
        assert_eq!(art.edge[0].rows, (0, 256));
        assert!((art.edge[0].color[0] - 200.0 / 255.0).abs() < 1e-4);
        assert_eq!(art.edge[0].color[2], 0.0);
        assert!(Art::from_image(&image::RgbImage::new(0, 0)).is_err());
        let book = book();
        let s = settings(Paper::White);
        let wrap = wrap(&WrapInput {
            book: &book,
            settings: &s,
            fonts: None,
            pages: 48,
            art: Some(&art),
            guides: false,
        });
        // 160 px over 5.625 in: far under 300 dpi.
        assert!(wrap.diagnostics.iter().any(|d| d.message.contains("dpi")));
        assert_eq!(wrap.document.images.len(), 1);
    }
}
