//! The vertical list and its pagination.
//!
//! Blocks become a list of [`Flow`] elements: lines (with everything on them already placed
//! horizontally), vertical spaces and forced page breaks. [`paginate`] pours them into pages of
//! the text block: a space at the top of a page is dropped, a line that does not fit starts a
//! new page, and a heading line marked `keep_with_next` is moved to the next page together
//! with the lines it keeps (so that a heading is never the last line of a page).
//!
//! Invariants: every line lands on exactly one page, in order; no line's baseline is below
//! the text block's bottom; pages are numbered 1, 2, … in order.

use super::font::FaceId;
use crate::model::AnchorId;

/// Something placed on a line, relative to the line's left edge and baseline.
#[derive(Debug, Clone)]
pub enum LineItem {
    Glyphs {
        x: f64,
        rise: f64,
        face: FaceId,
        size: f64,
        glyphs: Vec<PlacedGlyph>,
    },
    /// A rule whose left end is at `x`, `dy` above the baseline.
    Rule {
        x: f64,
        dy: f64,
        width: f64,
        thickness: f64,
    },
    /// An image whose bottom-left corner is at `x` on the baseline.
    Image {
        asset: usize,
        x: f64,
        width: f64,
        height: f64,
        alt: String,
    },
}

/// A glyph on a line: the layout's glyph (position from the run's x, rise, text), so that
/// composing pages moves glyph runs instead of copying them.
pub type PlacedGlyph = super::layout::Glyph;

/// Places shaped glyphs (lengths in ems) at `size` points, from x = 0; returns the glyphs and
/// their total advance.
pub fn place_glyphs(shaped: &[super::shape::ShapedGlyph], size: f64) -> (Vec<PlacedGlyph>, f64) {
    let mut x = 0.0;
    let glyphs = shaped
        .iter()
        .map(|g| {
            let placed = PlacedGlyph {
                id: g.id,
                x: x + g.x_offset * size,
                rise: g.y_offset * size,
                text: g.text.clone(),
            };
            x += g.advance * size;
            placed
        })
        .collect();
    (glyphs, x)
}

/// Where a link on a line goes.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkGoal {
    Uri(String),
    Anchor(AnchorId),
}

/// A clickable stretch of a line: from `x` to `x + width`, covering the line's height.
#[derive(Debug, Clone)]
pub struct LineLink {
    pub x: f64,
    pub width: f64,
    pub goal: LinkGoal,
}

/// One line of the vertical list, already set horizontally.
#[derive(Debug, Clone, Default)]
pub struct Line {
    /// Distance from the previous baseline to this one.
    pub leading: f64,
    /// Height above the baseline (for the first line of a page).
    pub ascent: f64,
    /// Depth below the baseline (positive).
    pub depth: f64,
    /// Horizontal offset of the line in the text block.
    pub indent: f64,
    /// Right end of the line's content, from its left edge.
    pub width: f64,
    pub items: Vec<LineItem>,
    pub links: Vec<LineLink>,
    /// Ids declared on this line (headings, anchors, note marks).
    pub anchors: Vec<AnchorId>,
    /// Keep this line on the same page as the next `keep_with_next` lines.
    pub keep_with_next: usize,
    /// An outline entry starts here: (level, title).
    pub outline: Option<(u8, String)>,
}

/// An element of the vertical list.
#[derive(Debug, Clone)]
pub enum Flow {
    Line(Line),
    /// Vertical space, dropped at the top of a page.
    Space(f64),
    /// Start a new page (unless the current one is empty).
    PageBreak,
}

/// The text block of a page.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    pub top: f64,
    pub height: f64,
}

/// A line placed on a page: its index in the vertical list and its baseline's y from the top
/// of the text block.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub index: usize,
    pub baseline: f64,
}

/// Pours the vertical list into pages. Returns, for each page, its placed lines.
pub fn paginate(flow: &[Flow], block: Block) -> Vec<Vec<Placed>> {
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = 0.0; // baseline of the last line on the current page
    let mut pending_space = 0.0;
    let mut i = 0;
    while i < flow.len() {
        match &flow[i] {
            Flow::PageBreak => {
                if !pages.last().is_some_and(Vec::is_empty) {
                    pages.push(Vec::new());
                }
                y = 0.0;
                pending_space = 0.0;
            }
            Flow::Space(s) => {
                if !pages.last().is_some_and(Vec::is_empty) {
                    pending_space += s;
                }
            }
            Flow::Line(line) => {
                let page_empty = pages.last().is_some_and(Vec::is_empty);
                let baseline = if page_empty {
                    line.ascent.max(line.leading * 0.75)
                } else {
                    y + pending_space + line.leading
                };
                // The height this line needs together with the lines it keeps with.
                let needed = keep_group_bottom(flow, i, baseline);
                if !page_empty && needed > block.height {
                    pages.push(Vec::new());
                    y = 0.0;
                    pending_space = 0.0;
                    continue; // place the same line again, at the top of the new page
                }
                pages
                    .last_mut()
                    .expect("at least one page")
                    .push(Placed { index: i, baseline });
                y = baseline;
                pending_space = 0.0;
            }
        }
        i += 1;
    }
    if pages.last().is_some_and(Vec::is_empty) && pages.len() > 1 {
        pages.pop();
    }
    pages
}

/// The bottom (baseline + depth) of the last line kept with the line at `i`, if that line's
/// baseline is at `baseline`.
fn keep_group_bottom(flow: &[Flow], i: usize, baseline: f64) -> f64 {
    let Flow::Line(first) = &flow[i] else {
        return baseline;
    };
    let mut bottom = baseline + first.depth;
    let mut y = baseline;
    let mut remaining = first.keep_with_next;
    let mut space = 0.0;
    let mut j = i + 1;
    while remaining > 0 && j < flow.len() {
        match &flow[j] {
            Flow::Line(line) => {
                y += space + line.leading;
                space = 0.0;
                bottom = y + line.depth;
                remaining = remaining.saturating_sub(1).max(line.keep_with_next);
            }
            Flow::Space(s) => space += s,
            Flow::PageBreak => break,
        }
        j += 1;
    }
    bottom
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(keep: usize) -> Flow {
        Flow::Line(Line {
            leading: 14.0,
            ascent: 10.0,
            depth: 3.0,
            keep_with_next: keep,
            ..Line::default()
        })
    }

    #[test]
    fn lines_fill_pages_and_spaces_vanish_at_the_top() {
        // 10 lines of 14 pt in a 70 pt block: the first baseline is at 10.5, then 24.5, … 66.5.
        let mut flow: Vec<Flow> = (0..10).map(|_| line(0)).collect();
        flow.insert(5, Flow::Space(100.0));
        let pages = paginate(
            &flow,
            Block {
                top: 0.0,
                height: 70.0,
            },
        );
        let counts: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(counts, vec![5, 5]);
        assert!(
            (pages[1][0].baseline - 10.5).abs() < 1e-9,
            "space dropped at the top of page 2"
        );
    }

    #[test]
    fn a_heading_moves_with_the_lines_it_keeps() {
        let mut flow: Vec<Flow> = (0..4).map(|_| line(0)).collect();
        flow.push(line(2)); // heading on the 5th line, keeps two more
        flow.extend((0..3).map(|_| line(0)));
        let pages = paginate(
            &flow,
            Block {
                top: 0.0,
                height: 70.0,
            },
        );
        assert_eq!(pages[0].len(), 4, "the heading does not end page 1");
        assert_eq!(pages[1].len(), 4);
    }

    #[test]
    fn forced_breaks_start_pages() {
        let flow = vec![line(0), Flow::PageBreak, Flow::PageBreak, line(0)];
        assert_eq!(
            paginate(
                &flow,
                Block {
                    top: 0.0,
                    height: 500.0
                }
            )
            .len(),
            2
        );
    }
}
