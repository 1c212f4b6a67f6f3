//! The typographic cover: title, subtitle and author set in the bundled Gentium Book Plus on a
//! two-tone ground, for books without cover art.
//!
//! The design, in fractions of the cover's width `w` and height `h` (1600 × 2560 px for the
//! EPUB; any size for print, the layout scales):
//!
//! ```text
//!  ┌──────────────────────┐
//!  │                      │  ground colour, from the top to 0.70 h
//!  │        TITLE         │  Gentium Book Plus, as large as fits (0.13 w down), balanced
//!  │        title         │  lines, at most 4 (more only when the title needs them)
//!  │        ─────         │  a short rule in the accent colour
//!  │   subtitle, italic   │  Gentium Book Plus Italic, 0.048 w down, at most 3 lines
//!  │                      │
//!  ├══════════════════════┤  a band of the accent colour at 0.70 h
//!  │   AUTHOR IN CAPS     │  paper colour below; the author in letter-spaced capitals
//!  └──────────────────────┘
//! ```
//!
//! All text stays inside 0.1 w of every edge: 160 px on a 1600 px cover, where the print
//! safe zone (0.125 in inside the trim) is 33 px at the 6 × 9 in trim's 267 px per inch.
//!
//! **Balanced lines.** A title is broken where it needs the fewest lines at the largest size
//! that fits, and among those breaks the one whose longest line is shortest (then the most
//! even), so "The Revolution Betrayed: What Is the Soviet Union and Where Is It Going?" sets
//! as lines of similar length rather than a full line and a widow. The search is exact (a
//! dynamic program over the words), cheap for any real title.
//!
//! **Determinism.** The palette is chosen from the title's SHA-256 (no randomness); lengths
//! are computed in `f64` with only `+ − × ÷` (no `sin`, `pow` or other functions whose results
//! differ between platforms); painting is integer (see `paint`). Same text, same size:
//! same pixels.

use image::RgbImage;
use sha2::{Digest, Sha256};

use super::paint::{Canvas, Rgb};
use crate::typeset::font::{Fonts, Style};
use crate::typeset::shape::Shaper;

/// What the cover says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverText {
    pub title: String,
    pub subtitle: Option<String>,
    /// The authors as one line ("A, B and C").
    pub author: Option<String>,
}

/// The colours of a generated cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Behind the title.
    pub ground: Rgb,
    /// Behind the author.
    pub paper: Rgb,
    pub title: Rgb,
    pub subtitle: Rgb,
    /// The rule under the title and the band between the two grounds.
    pub accent: Rgb,
    pub author: Rgb,
}

/// Dark grounds with light type above, paper with dark type below: contrast ratios above 7:1
/// (WCAG AAA) for every text colour on its ground.
pub const PALETTES: [Palette; 5] = [
    // Oxblood and gold.
    Palette {
        ground: Rgb(0x6B, 0x1E, 0x23),
        paper: Rgb(0xF2, 0xE9, 0xD8),
        title: Rgb(0xF7, 0xF0, 0xE1),
        subtitle: Rgb(0xEB, 0xD3, 0xB4),
        accent: Rgb(0xC9, 0xA2, 0x5B),
        author: Rgb(0x3A, 0x10, 0x14),
    },
    // Navy.
    Palette {
        ground: Rgb(0x1C, 0x2B, 0x45),
        paper: Rgb(0xEF, 0xEA, 0xDE),
        title: Rgb(0xF5, 0xF1, 0xE6),
        subtitle: Rgb(0xCB, 0xD5, 0xE3),
        accent: Rgb(0xC6, 0xA0, 0x55),
        author: Rgb(0x1C, 0x2B, 0x45),
    },
    // Forest.
    Palette {
        ground: Rgb(0x22, 0x3D, 0x2D),
        paper: Rgb(0xEE, 0xEB, 0xDC),
        title: Rgb(0xF4, 0xF1, 0xE3),
        subtitle: Rgb(0xD2, 0xDE, 0xC9),
        accent: Rgb(0xB9, 0x8B, 0x4C),
        author: Rgb(0x22, 0x3D, 0x2D),
    },
    // Charcoal and vermilion.
    Palette {
        ground: Rgb(0x27, 0x27, 0x2B),
        paper: Rgb(0xEC, 0xE6, 0xD8),
        title: Rgb(0xF5, 0xF0, 0xE4),
        subtitle: Rgb(0xD6, 0xCF, 0xC0),
        accent: Rgb(0xC0, 0x4A, 0x2E),
        author: Rgb(0x27, 0x27, 0x2B),
    },
    // Plum.
    Palette {
        ground: Rgb(0x45, 0x22, 0x42),
        paper: Rgb(0xF0, 0xE8, 0xE0),
        title: Rgb(0xF7, 0xF0, 0xEC),
        subtitle: Rgb(0xE0, 0xC8, 0xDA),
        accent: Rgb(0xC4, 0x9A, 0x5E),
        author: Rgb(0x45, 0x22, 0x42),
    },
];

/// The palette for a title: one of [`PALETTES`], by the title's SHA-256.
pub fn palette_for(title: &str) -> Palette {
    let digest = Sha256::digest(title.as_bytes());
    PALETTES[usize::from(digest[0]) % PALETTES.len()]
}

/// Where the ground gives way to the paper, as a fraction of the height.
const SPLIT: f64 = 0.70;
/// The side margins, as a fraction of the width.
const MARGIN: f64 = 0.10;

/// The cover, and the characters of its text that no bundled font has (left out).
pub fn generate(
    text: &CoverText,
    palette: &Palette,
    width: u32,
    height: u32,
) -> (RgbImage, Vec<char>) {
    let shaper = crate::typeset::bundled_shaper();
    let fonts = shaper.fonts();
    let (w, h) = (f64::from(width), f64::from(height));
    let measure = w * (1.0 - 2.0 * MARGIN);
    let split = (h * SPLIT).round();
    let mut missing = Vec::new();
    let Some(mut canvas) = Canvas::new(width.max(1), height.max(1), palette.ground) else {
        return (RgbImage::new(width, height), missing);
    };
    canvas.rect(0.0, split, w, h - split, palette.paper);
    let band = (w * 0.012).round().max(1.0);
    canvas.rect(0.0, split - band / 2.0, w, band, palette.accent);

    // The upper block: title, rule, subtitle, centred in the ground with room above and below.
    let area = (h * 0.10, split - h * 0.10);
    let title = Block::fit(
        &shaper,
        &words(&text.title),
        Style::Regular,
        Fit {
            sizes: (w * 0.13, w * 0.06),
            measure,
            max_lines: 4,
            leading: 1.12,
            tracking: 0.0,
            room: (area.1 - area.0) * 0.72,
        },
    );
    let subtitle = text.subtitle.as_deref().map(|s| {
        Block::fit(
            &shaper,
            &words(s),
            Style::Italic,
            Fit {
                sizes: (w * 0.048, w * 0.03),
                measure,
                max_lines: 3,
                leading: 1.3,
                tracking: 0.0,
                room: (area.1 - area.0) * 0.24,
            },
        )
    });
    let rule_gap = w * 0.05;
    let rule = (w * 0.12, (w * 0.004).max(1.0));
    let mut stack = title.height(fonts, Style::Regular);
    if let Some(sub) = &subtitle {
        stack += 2.0 * rule_gap + rule.1 + sub.height(fonts, Style::Italic);
    }
    let top = area.0 + ((area.1 - area.0) - stack) / 2.0;
    let mut y = top + title.cap(fonts, Style::Regular);
    title.draw(
        &mut canvas,
        &shaper,
        Style::Regular,
        y,
        w,
        palette.title,
        &mut missing,
    );
    y += title.leading_px() * (title.lines.len().saturating_sub(1)) as f64;
    if let Some(sub) = &subtitle {
        let rule_y = y + title.descent(fonts, Style::Regular) + rule_gap;
        canvas.rect((w - rule.0) / 2.0, rule_y, rule.0, rule.1, palette.accent);
        let sub_top = rule_y + rule.1 + rule_gap;
        sub.draw(
            &mut canvas,
            &shaper,
            Style::Italic,
            sub_top + sub.cap(fonts, Style::Italic),
            w,
            palette.subtitle,
            &mut missing,
        );
    }

    // The author, in letter-spaced capitals, centred on the paper.
    if let Some(author) = text.author.as_deref() {
        let caps: Vec<String> = words(author).iter().map(|w| w.to_uppercase()).collect();
        let block = Block::fit(
            &shaper,
            &caps,
            Style::Regular,
            Fit {
                sizes: (w * 0.05, w * 0.025),
                measure,
                max_lines: 2,
                leading: 1.4,
                tracking: 0.12,
                room: (h - split) * 0.6,
            },
        );
        let height_px = block.height(fonts, Style::Regular);
        let top = split + band / 2.0 + ((h - split - band / 2.0) - height_px) / 2.0;
        block.draw(
            &mut canvas,
            &shaper,
            Style::Regular,
            top + block.cap(fonts, Style::Regular),
            w,
            palette.author,
            &mut missing,
        );
    }
    (canvas.into_rgb(), missing)
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// How a block of text may be set.
#[derive(Debug, Clone, Copy)]
struct Fit {
    /// The largest and the smallest size to try, px per em.
    sizes: (f64, f64),
    /// The widest a line may be, px.
    measure: f64,
    /// The most lines at or above the smallest size.
    max_lines: usize,
    /// Baseline to baseline, in ems.
    leading: f64,
    /// Space added after each glyph, in ems.
    tracking: f64,
    /// The most height the block may take, px (cap height of the first line to the last
    /// baseline).
    room: f64,
}

/// Lines of text at one size.
#[derive(Debug, Clone)]
struct Block {
    lines: Vec<String>,
    size: f64,
    fit: Fit,
}

impl Block {
    /// The largest size at which the words break into balanced lines that fit; below the
    /// smallest size, as many lines as the room holds, shrinking until they fit.
    fn fit(shaper: &Shaper, words: &[String], style: Style, fit: Fit) -> Block {
        let cap = shaper
            .fonts()
            .metrics(shaper.fonts().face(style))
            .cap_height;
        // Widths in ems at size 1, with the tracking of every glyph.
        let em_widths: Vec<f64> = words
            .iter()
            .map(|w| shaper.width(w, style) + fit.tracking * w.chars().count() as f64)
            .collect();
        let space = shaper.width(" ", style) + fit.tracking;
        let mut size = fit.sizes.0;
        loop {
            let widths: Vec<f64> = em_widths.iter().map(|w| w * size).collect();
            let lines_allowed = if size >= fit.sizes.1 {
                fit.max_lines
            } else {
                words.len().max(1)
            };
            if let Some(breaks) = balance(&widths, space * size, fit.measure, lines_allowed) {
                let height = cap * size + fit.leading * size * (breaks.len() - 1) as f64;
                if height <= fit.room || size < 1.0 {
                    let lines = breaks.iter().map(|r| words[r.clone()].join(" ")).collect();
                    return Block { lines, size, fit };
                }
            }
            if size < 1.0 {
                // Nothing fits even at one pixel per em: give up on the text.
                return Block {
                    lines: Vec::new(),
                    size,
                    fit,
                };
            }
            size *= 0.96;
        }
    }

    fn leading_px(&self) -> f64 {
        self.fit.leading * self.size
    }

    /// The cap height, px: from the block's top to its first baseline.
    fn cap(&self, fonts: &Fonts, style: Style) -> f64 {
        fonts.metrics(fonts.face(style)).cap_height * self.size
    }

    /// Depth below the last baseline, px.
    fn descent(&self, fonts: &Fonts, style: Style) -> f64 {
        -fonts.metrics(fonts.face(style)).descender * self.size
    }

    /// From the cap height of the first line to the last baseline, px.
    fn height(&self, fonts: &Fonts, style: Style) -> f64 {
        if self.lines.is_empty() {
            return 0.0;
        }
        self.cap(fonts, style) + self.leading_px() * (self.lines.len() - 1) as f64
    }

    /// Draws the lines centred across `width`, the first baseline at `baseline`.
    #[allow(clippy::too_many_arguments)]
    fn draw(
        &self,
        canvas: &mut Canvas,
        shaper: &Shaper,
        style: Style,
        baseline: f64,
        width: f64,
        color: Rgb,
        missing: &mut Vec<char>,
    ) {
        let tracking = self.fit.tracking * self.size;
        for (i, line) in self.lines.iter().enumerate() {
            let shaped = shaper.shape(line, style);
            for &c in &shaped.missing {
                if !missing.contains(&c) {
                    missing.push(c);
                }
            }
            let glyphs: usize = shaped.runs.iter().map(|r| r.glyphs.len()).sum();
            let line_width = shaped.width * self.size + tracking * glyphs.saturating_sub(1) as f64;
            let x = (width - line_width) / 2.0;
            let y = baseline + self.leading_px() * i as f64;
            canvas.text(shaper.fonts(), &shaped, (x, y), self.size, tracking, color);
        }
    }
}

/// Breaks words of `widths` (separated by `space`) into at most `max_lines` lines no wider
/// than `measure`, using the fewest lines possible and, among those breaks, the one whose
/// longest line is shortest, then whose squared line widths sum least (the most even).
/// Returns the lines as ranges of words; `None` if no break fits (or there are no words:
/// then one empty line).
///
/// Worked example: widths 5, 3, 4, 6 with space 1 and measure 12 need two lines; the breaks
/// are `5|3 4 6` (14, too wide), `5 3|4 6` (9 and 11) and `5 3 4|6` (14, too wide), so the
/// answer is `[0..2, 2..4]`.
#[allow(clippy::single_range_in_vec_init)] // a Vec of line ranges, one line here
fn balance(
    widths: &[f64],
    space: f64,
    measure: f64,
    max_lines: usize,
) -> Option<Vec<std::ops::Range<usize>>> {
    let n = widths.len();
    if n == 0 {
        return Some(vec![0..0]);
    }
    let line = |i: usize, j: usize| widths[i..j].iter().sum::<f64>() + space * (j - i - 1) as f64;
    // best[k][j]: the best (longest line, sum of squares, previous break) setting the first j
    // words in k lines.
    type Cell = Option<(f64, f64, usize)>;
    let mut best: Vec<Vec<Cell>> = vec![vec![None; n + 1]; max_lines.min(n) + 1];
    best[0][0] = Some((0.0, 0.0, 0));
    for k in 1..best.len() {
        for j in 1..=n {
            for i in 0..j {
                let Some((longest, squares, _)) = best[k - 1][i] else {
                    continue;
                };
                let width = line(i, j);
                if width > measure {
                    continue;
                }
                let candidate = (longest.max(width), squares + width * width, i);
                let better = match best[k][j] {
                    None => true,
                    Some((l, s, _)) => (candidate.0, candidate.1) < (l, s),
                };
                if better {
                    best[k][j] = Some(candidate);
                }
            }
        }
        if best[k][n].is_some() {
            let mut ranges = Vec::with_capacity(k);
            let mut j = n;
            for lines in (1..=k).rev() {
                let (_, _, i) = best[lines][j].expect("a break leads here");
                ranges.push(i..j);
                j = i;
            }
            ranges.reverse();
            return Some(ranges);
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    #[test]
    fn balance_matches_the_worked_example() {
        assert_eq!(
            balance(&[5.0, 3.0, 4.0, 6.0], 1.0, 12.0, 4),
            Some(vec![0..2, 2..4])
        );
        assert_eq!(balance(&[5.0, 3.0], 1.0, 12.0, 4), Some(vec![0..2]));
        assert_eq!(balance(&[13.0], 1.0, 12.0, 4), None);
        assert_eq!(balance(&[5.0, 5.0, 5.0], 1.0, 6.0, 2), None);
        assert_eq!(balance(&[], 1.0, 6.0, 2), Some(vec![0..0]));
    }

    #[test]
    fn balance_prefers_even_lines_to_a_widow() {
        // Greedy would give 4 4 4 | 4; balanced is 4 4 | 4 4.
        assert_eq!(
            balance(&[4.0, 4.0, 4.0, 4.0], 1.0, 14.0, 3),
            Some(vec![0..2, 2..4])
        );
    }

    fn sample() -> CoverText {
        CoverText {
            title: "Alarm Signal!".into(),
            subtitle: Some("Danger Draws Closer in USSR".into()),
            author: Some("Leon Trotsky".into()),
        }
    }

    #[test]
    fn the_same_text_gives_the_same_pixels() {
        let palette = palette_for("Alarm Signal!");
        let (a, missing) = generate(&sample(), &palette, 400, 640);
        let (b, _) = generate(&sample(), &palette, 400, 640);
        assert!(missing.is_empty());
        assert_eq!(a.as_raw(), b.as_raw());
        assert_eq!(a.dimensions(), (400, 640));
    }

    /// Ink (pixels far from their ground) only inside the 10 % margins; the title's ink in the
    /// upper part, the author's in the lower.
    #[test]
    fn text_stays_inside_the_margins() {
        let palette = palette_for("x");
        let long = CoverText {
            title: "The Revolution Betrayed: What Is the Soviet Union and Where Is It Going? A Study in Many Words Indeed".into(),
            subtitle: Some("With a long subtitle that must wrap onto more than one line of italic".into()),
            author: Some("Leon Trotsky, Natalia Sedova and Max Shachtman".into()),
        };
        for text in [sample(), long] {
            let (img, _) = generate(&text, &palette, 400, 640);
            let split = (640.0 * SPLIT) as u32;
            let mut author_ink = false;
            let mut title_ink = false;
            for (x, y, p) in img.enumerate_pixels() {
                let ground = if y < split - 4 {
                    palette.ground
                } else if y > split + 4 {
                    palette.paper
                } else {
                    continue;
                };
                let far =
                    p.0.iter()
                        .zip([ground.0, ground.1, ground.2])
                        .any(|(&a, b)| a.abs_diff(b) > 24);
                if far {
                    assert!(
                        (40..360).contains(&x),
                        "ink at x = {x}, y = {y}: {:?}",
                        text.title
                    );
                    if y < split {
                        title_ink = true;
                    } else {
                        author_ink = true;
                    }
                }
            }
            assert!(title_ink && author_ink, "{:?}", text.title);
        }
    }

    #[test]
    fn a_character_in_no_font_is_reported() {
        let text = CoverText {
            title: "Snow \u{1F328}".into(),
            subtitle: None,
            author: None,
        };
        let (_, missing) = generate(&text, &palette_for("x"), 200, 320);
        assert_eq!(missing, ['\u{1F328}']);
    }
}
