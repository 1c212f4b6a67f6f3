//! The vertical list: what blocks become before they are cut into pages.
//!
//! Blocks become a list of [`Flow`] elements: lines (with everything on them already placed
//! horizontally), vertical spaces, page breaks and page styles. Each line says how many of
//! the following lines it must share a page with (headings, orphans, widows), which notes
//! are anchored on it and where in the book's text it begins. [`super::pages`] pours the
//! list into pages.

use super::font::FaceId;
use crate::model::{AnchorId, TextPosition};

/// Something placed on a line, relative to the line's left edge and baseline.
#[derive(Debug, Clone)]
pub enum LineItem {
    Glyphs {
        x: f64,
        rise: f64,
        face: FaceId,
        size: f64,
        glyphs: Vec<PlacedGlyph>,
        /// The glyphs' texts, one after the other ([`super::layout::Glyph::text_len`]).
        text: String,
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

/// Places shaped glyphs (lengths in ems) at `size` points, from x = 0; returns the glyphs,
/// their texts and their total advance.
pub fn place_glyphs(
    shaped: &[super::shape::ShapedGlyph],
    size: f64,
) -> (Vec<PlacedGlyph>, String, f64) {
    let mut x = 0.0;
    let mut text = String::with_capacity(shaped.iter().map(|g| g.text.len()).sum());
    let glyphs = shaped
        .iter()
        .map(|g| {
            let placed = PlacedGlyph {
                id: g.id,
                text_len: super::layout::push_text(&mut text, &g.text),
                x: x + g.x_offset * size,
                rise: (g.y_offset * size) as f32,
            };
            x += g.advance * size;
            placed
        })
        .collect();
    (glyphs, text, x)
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
    /// A line of body text: its baseline sits on the page's baseline grid.
    pub grid: bool,
    /// The notes (by number) whose first mark is on this line: each must start on this
    /// line's page.
    pub notes: Vec<u32>,
    /// Where in the book's text the line begins, when it begins with the book's text.
    pub start: Option<TextPosition>,
    /// A heading starts here.
    pub heading: Option<HeadingMark>,
}

/// What pages need to know about a heading: its outline entry and its running head.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadingMark {
    /// 1 for divisions (and front-matter pages), 2 for sections.
    pub level: u8,
    /// The full title, for the PDF outline.
    pub title: String,
    /// The title for running heads: the manuscript's short title when it gives one.
    pub running: String,
    /// The heading's id, for the contents' links.
    pub anchor: Option<AnchorId>,
}

/// An element of the vertical list. (Most elements are lines: boxing them would only add
/// an allocation per line.)
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Flow {
    Line(Line),
    /// Vertical space, dropped at the top of a page.
    Space(f64),
    /// Vertical space kept even at the top of a page (the sink of a title or an opener).
    Skip(f64),
    /// Start a new page (unless the current one is empty); with `recto`, a right-hand one,
    /// leaving a blank page when needed.
    Break {
        recto: bool,
    },
    /// The page this element falls on shows the style (an opener has no running head and
    /// its folio at the foot).
    Style(PageStyle),
}

/// How a page is dressed: running head and folio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum PageStyle {
    /// Running head, folio in the outer corner of the head line.
    #[default]
    Normal,
    /// An opening page (part title, contents): no running head, folio centred at the foot.
    Opener,
    /// No head, no folio (half-title, title page, copyright page).
    Plain,
}
