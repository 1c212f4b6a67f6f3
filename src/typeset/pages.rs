//! Page makeup: the vertical list → pages, with footnotes at the foot of the page.
//!
//! The rules are those of a printed book (LaTeX's book classes, Vellum, InDesign):
//!
//! - **Baseline grid.** Body lines sit on a grid of the body leading, so that the lines of
//!   facing pages (and of the two sides of a leaf) line up; anything else (headings, quotes,
//!   code, figures) sits between grid lines and the next body line snaps down to the grid.
//! - **Keeps.** A line keeps its `keep_with_next` followers on its page: headings keep two
//!   lines of their text, a paragraph's first line keeps its second (no orphan), its
//!   penultimate keeps its last (no widow), short lists stay whole. A group that does not
//!   fit moves to the next page; a group taller than a page is split line by line.
//! - **Footnotes** sit at the foot of the page that carries their mark, below a short rule.
//!   A line whose notes cannot start on its page (at least two lines of each, or the whole
//!   note when it has three lines or fewer) moves to the next page with its keep group; a note
//!   too long for the space left continues at the foot of the next page, before that page's
//!   own notes, and never leaves a single line behind when it can help it.
//! - **Spreads.** When a verso and its recto would end at different heights (a keep moved
//!   lines), the spread is run one line long, or both pages are run equally short, so that
//!   facing pages always end on the same line.
//! - **Breaks.** `Break { recto: true }` starts a right-hand page, inserting a blank verso.
//!
//! Invariants: every line of the list lands on exactly one page, in order; every note's lines
//! land on pages in order, its first line on the page of its mark when the page has room;
//! page `n` (1-based) is a recto when `n` is odd.

use super::flow::{Flow, Line, PageStyle};

/// The text block and the rules of the page.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    /// Height of the text block.
    pub height: f64,
    /// The body leading: the baseline grid's step.
    pub grid: f64,
    /// The first grid line, from the top of the text block.
    pub first_baseline: f64,
    /// From the last body baseline to the first note baseline (the rule sits between).
    pub note_skip: f64,
    /// Extra space between two notes.
    pub note_gap: f64,
    /// The most of the text block that note lines beyond their required first lines may take.
    pub max_notes: f64,
}

impl Frame {
    /// The last grid line whose descenders stay in the block: the natural foot of a page.
    pub fn bottom(&self) -> f64 {
        let depth = self.grid * 0.25;
        let n = ((self.height - self.first_baseline - depth) / self.grid)
            .floor()
            .max(0.0);
        self.first_baseline + n * self.grid
    }
}

/// A line placed on a page: its index in its list and its baseline from the top of the block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    pub index: usize,
    pub baseline: f64,
}

/// A footnote line placed on a page: the note's number, the line's index in the note's list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedNote {
    pub note: u32,
    pub line: Placed,
}

/// One page of the makeup.
#[derive(Debug, Clone, Default)]
pub struct PageBox {
    pub body: Vec<Placed>,
    pub notes: Vec<PlacedNote>,
    /// The footnote rule's y (from the top of the block), when the page has notes.
    pub rule: Option<f64>,
    pub style: PageStyle,
    /// A blank page (inserted so that the next starts on a recto).
    pub blank: bool,
}

impl PageBox {
    /// The lowest baseline on the page (0 for an empty page).
    fn foot(&self) -> f64 {
        let body = self.body.last().map_or(0.0, |p| p.baseline);
        let notes = self.notes.last().map_or(0.0, |p| p.line.baseline);
        body.max(notes)
    }
}

/// The footnotes' vertical lists, indexed by note number − 1 (empty for notes not set).
pub struct Notes<'a> {
    lists: Vec<NoteLines<'a>>,
}

struct NoteLines<'a> {
    flow: &'a [Flow],
    /// The lines: index in `flow`, leading, and the advance from the previous line (spaces
    /// included).
    lines: Vec<(usize, f64, f64)>,
}

impl<'a> Notes<'a> {
    pub fn new(lists: &'a [Vec<Flow>]) -> Self {
        let lists = lists
            .iter()
            .map(|flow| {
                let mut lines = Vec::new();
                let mut space = 0.0;
                for (i, item) in flow.iter().enumerate() {
                    match item {
                        Flow::Line(line) => {
                            lines.push((i, line.leading, space + line.leading));
                            space = 0.0;
                        }
                        Flow::Space(s) | Flow::Skip(s) if !lines.is_empty() => space += s,
                        _ => {}
                    }
                }
                NoteLines { flow, lines }
            })
            .collect();
        Notes { lists }
    }

    fn len(&self, note: u32) -> usize {
        self.get(note).map_or(0, |n| n.lines.len())
    }

    fn get(&self, note: u32) -> Option<&NoteLines<'a>> {
        self.lists.get((note as usize).checked_sub(1)?)
    }

    fn line(&self, note: u32, k: usize) -> Option<&'a Line> {
        let n = self.get(note)?;
        let &(index, ..) = n.lines.get(k)?;
        match &n.flow[index] {
            Flow::Line(line) => Some(line),
            _ => None,
        }
    }

    /// The lines a note needs on the page of its mark.
    fn required(&self, note: u32, from: usize) -> usize {
        let left = self.len(note).saturating_sub(from);
        if from == 0 && left <= 3 {
            left
        } else {
            left.min(2)
        }
    }
}

/// A stretch of one note on a page: lines `from..from + count`.
#[derive(Debug, Clone, Copy)]
struct Segment {
    note: u32,
    from: usize,
    count: usize,
}

/// Where the makeup stands between pages.
#[derive(Debug, Clone, Default)]
struct State {
    /// The next element of the list.
    next: usize,
    /// Notes that continue on the next page: (number, first line left).
    carry: Vec<(u32, usize)>,
}

/// Why a page ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The next line did not fit.
    Full,
    /// A page break, the end of the list, or a blank page.
    Other,
}

/// Makes up pages from the list; page 1 is a recto.
pub fn paginate(flow: &[Flow], notes: &Notes<'_>, frame: Frame) -> Vec<PageBox> {
    let maker = Maker { flow, notes, frame };
    let bottom = frame.bottom();
    let mut pages: Vec<PageBox> = Vec::new();
    let mut state = State::default();
    let mut placed_notes = vec![false; notes.lists.len()];
    while state.next < flow.len() || !state.carry.is_empty() {
        let number = pages.len() + 1;
        let (verso, after_verso, end) = maker.fill(&state, number, bottom);
        if !number.is_multiple_of(2) || end != End::Full || verso.blank {
            pages.push(verso);
            state = after_verso;
            continue;
        }
        // A verso that is full: make its recto, and give both the same foot.
        let (recto, after_recto, recto_end) = maker.fill(&after_verso, number + 1, bottom);
        let mut spread = (verso, recto, after_recto);
        if recto_end == End::Full && !spread.1.blank && !same_foot(&spread.0, &spread.1) {
            // First run the spread one line long; else both pages as short as the shorter,
            // then shorter still if that moves a keep (at most two lines short).
            let attempt = |limit: f64| {
                let (v, s, e) = maker.fill(&state, number, limit);
                let (r, s2, e2) = maker.fill(&s, number + 1, limit);
                let balanced = e == End::Full && e2 == End::Full && same_foot(&v, &r);
                (balanced, (v, r, s2))
            };
            let (balanced, long) = attempt(bottom + frame.grid);
            if balanced {
                spread = long;
            } else {
                let mut limit = spread.0.foot().min(spread.1.foot());
                while bottom - limit <= 2.0 * frame.grid + 0.5 {
                    let (balanced, short) = attempt(limit);
                    let lower = short.0.foot().min(short.1.foot());
                    if balanced {
                        spread = short;
                        break;
                    }
                    if lower >= limit - 0.5 {
                        break;
                    }
                    limit = lower;
                }
            }
        }
        pages.push(spread.0);
        pages.push(spread.1);
        state = spread.2;
    }
    for page in &pages {
        for n in &page.notes {
            if let Some(p) = placed_notes.get_mut((n.note as usize).wrapping_sub(1)) {
                *p = true;
            }
        }
    }
    // A note marked in this list but never set (which the rules above do not allow): set it
    // after the last page rather than lose it.
    let mut lost: Vec<(u32, usize)> = Vec::new();
    for item in flow {
        if let Flow::Line(line) = item {
            for &note in &line.notes {
                let placed = placed_notes
                    .get((note as usize).wrapping_sub(1))
                    .copied()
                    .unwrap_or(true);
                if !placed && notes.len(note) > 0 && !lost.iter().any(|l| l.0 == note) {
                    lost.push((note, 0));
                }
            }
        }
    }
    if !lost.is_empty() {
        let mut state = State {
            next: flow.len(),
            carry: lost,
        };
        while !state.carry.is_empty() {
            let (page, next, _) = maker.fill(&state, pages.len() + 1, bottom);
            pages.push(page);
            state = next;
        }
    }
    // Breaks at the end of the list (a part with no text) leave no empty pages behind.
    while pages
        .last()
        .is_some_and(|p| p.body.is_empty() && p.notes.is_empty())
    {
        pages.pop();
    }
    if pages.is_empty() {
        pages.push(PageBox::default());
    }
    pages
}

fn same_foot(a: &PageBox, b: &PageBox) -> bool {
    (a.foot() - b.foot()).abs() < 0.5
}

struct Maker<'f, 'n> {
    flow: &'f [Flow],
    notes: &'n Notes<'n>,
    frame: Frame,
}

impl Maker<'_, '_> {
    /// Fills page `number` from `state`, with body baselines no lower than `limit`.
    fn fill(&self, state: &State, number: usize, limit: f64) -> (PageBox, State, End) {
        let mut page = PageBox::default();
        let segments = self.carried(state);
        let mut segments = segments;
        let mut next = state.next;
        let mut y: Option<f64> = None;
        let mut space = 0.0;
        let mut end = End::Other;
        while next < self.flow.len() {
            match &self.flow[next] {
                Flow::Style(style) => {
                    page.style = page.style.max(*style);
                    next += 1;
                }
                Flow::Space(s) => {
                    if y.is_some() {
                        space += s;
                    }
                    next += 1;
                }
                Flow::Skip(s) => {
                    space += s;
                    next += 1;
                }
                Flow::Break { recto } => {
                    if y.is_some() || !segments.is_empty() {
                        break; // the break is taken by the next page
                    }
                    if *recto && number.is_multiple_of(2) {
                        page.blank = true;
                        return (page, state.clone(), End::Other);
                    }
                    next += 1;
                }
                Flow::Line(_) => {
                    let group = self.group(next, y, space);
                    let mut with_notes = segments.clone();
                    for &note in &group.notes {
                        if self.notes.len(note) > 0 && !with_notes.iter().any(|s| s.note == note) {
                            with_notes.push(Segment {
                                note,
                                from: 0,
                                count: self.notes.required(note, 0),
                            });
                        }
                    }
                    let last = group.lines.last().map_or(0.0, |p| p.baseline);
                    if y.is_none() && !self.fits(last, &with_notes, limit) {
                        // At the top of a page, continued notes give way to a whole keep
                        // group: they keep their required lines and grow into what is left.
                        for (seg, carried) in with_notes.iter_mut().zip(&state.carry) {
                            seg.count = self.notes.required(seg.note, carried.1);
                        }
                    }
                    if self.fits(last, &with_notes, limit) {
                        page.body.extend(group.lines);
                        segments = with_notes;
                        y = Some(last);
                        space = 0.0;
                        next = group.end;
                        continue;
                    }
                    end = End::Full;
                    if y.is_none() {
                        // A group taller than the page (or whose notes cannot fit anywhere):
                        // split it after the last line that fits and keeps nothing of its
                        // own, or else after the last line that fits (one line at least).
                        let mut trial = segments.clone();
                        let mut fit = Vec::new();
                        for (k, placed) in group.lines.iter().enumerate() {
                            let mut with = trial.clone();
                            for note in self.line_notes(placed.index) {
                                if self.notes.len(note) > 0 && !with.iter().any(|s| s.note == note)
                                {
                                    with.push(Segment {
                                        note,
                                        from: 0,
                                        count: self.notes.required(note, 0),
                                    });
                                }
                            }
                            if k > 0 && !self.fits(placed.baseline, &with, limit) {
                                break;
                            }
                            trial = with;
                            fit.push(trial.clone());
                        }
                        let free = (1..=fit.len())
                            .rev()
                            .find(|&j| self.keep_of(group.lines[j - 1].index) == 0)
                            .unwrap_or(fit.len());
                        page.body.extend_from_slice(&group.lines[..free]);
                        segments = fit[free - 1].clone();
                        y = Some(group.lines[free - 1].baseline);
                        next = group.lines[free - 1].index + 1;
                    }
                    break;
                }
            }
        }
        // The notes may take more than their share when no more text comes on this page.
        let text_follows = end == End::Full;
        let carry = self.set_notes(&mut page, segments, y, limit, text_follows);
        (page, State { next, carry }, end)
    }

    /// The notes continued from the previous page, which come first: as much of each as the
    /// note area holds (so that a long note ends on the next page instead of trickling over
    /// many, a few lines each), never leaving a single line for the page after.
    fn carried(&self, state: &State) -> Vec<Segment> {
        let cap = self.frame.height * self.frame.max_notes;
        let mut segments: Vec<Segment> = Vec::new();
        for &(note, from) in &state.carry {
            let left = self.notes.len(note).saturating_sub(from);
            let required = self.notes.required(note, from);
            segments.push(Segment {
                note,
                from,
                count: required,
            });
            let s = segments.len() - 1;
            while segments[s].count < left {
                segments[s].count += 1;
                if self.area(&segments) > cap {
                    segments[s].count -= 1;
                    break;
                }
            }
            let count = segments[s].count;
            if left > count && left - count == 1 && count > required.max(2) {
                segments[s].count -= 1;
            }
        }
        segments
    }

    /// Whether body text down to `last` and the required lines of `segments` fit above `limit`.
    fn fits(&self, last: f64, segments: &[Segment], limit: f64) -> bool {
        if segments.is_empty() {
            return last <= limit + 0.01;
        }
        last + self.frame.note_skip + self.area(segments) <= limit + 0.01
    }

    /// The height of the notes' lines from the first baseline to the last.
    fn area(&self, segments: &[Segment]) -> f64 {
        let mut height = 0.0;
        let mut first = true;
        for seg in segments {
            let Some(list) = self.notes.get(seg.note) else {
                continue;
            };
            for (k, &(_, leading, advance)) in
                list.lines.iter().enumerate().skip(seg.from).take(seg.count)
            {
                if first {
                    first = false;
                } else if k == seg.from {
                    height += leading + self.frame.note_gap;
                } else {
                    height += advance;
                }
            }
        }
        height
    }

    /// Sets the notes at the foot of the page: the required lines, then as many more as fit,
    /// in order. Returns what continues on the next page.
    fn set_notes(
        &self,
        page: &mut PageBox,
        mut segments: Vec<Segment>,
        body_foot: Option<f64>,
        limit: f64,
        text_follows: bool,
    ) -> Vec<(u32, usize)> {
        if segments.is_empty() {
            return Vec::new();
        }
        let top = match body_foot {
            Some(y) => y + self.frame.note_skip,
            None => self.frame.first_baseline + self.frame.note_skip,
        };
        let room = if text_follows {
            (limit - top).min(self.frame.height * self.frame.max_notes)
        } else {
            limit - top
        };
        // Grow the segments in order while they fit.
        'grow: for s in 0..segments.len() {
            let total = self.notes.len(segments[s].note) - segments[s].from;
            while segments[s].count < total {
                segments[s].count += 1;
                if self.area(&segments) > room {
                    segments[s].count -= 1;
                    break 'grow;
                }
            }
        }
        // Never leave one line of a note for the next page when two can go.
        for seg in &mut segments {
            let total = self.notes.len(seg.note) - seg.from;
            let min = self.notes.required(seg.note, seg.from).max(2);
            if total > seg.count && total - seg.count == 1 && seg.count > min {
                seg.count -= 1;
            }
        }
        let mut y = limit - self.area(&segments);
        page.rule = Some(y - self.frame.note_skip * 0.55);
        let mut carry = Vec::new();
        let mut nested = Vec::new();
        let mut first = true;
        for seg in &segments {
            let Some(list) = self.notes.get(seg.note) else {
                continue;
            };
            for (k, &(index, leading, advance)) in
                list.lines.iter().enumerate().skip(seg.from).take(seg.count)
            {
                if first {
                    first = false;
                } else if k == seg.from {
                    y += leading + self.frame.note_gap;
                } else {
                    y += advance;
                }
                page.notes.push(PlacedNote {
                    note: seg.note,
                    line: Placed { index, baseline: y },
                });
                if let Some(line) = self.notes.line(seg.note, k) {
                    nested.extend(line.notes.iter().copied());
                }
            }
            if seg.from + seg.count < list.lines.len() {
                carry.push((seg.note, seg.from + seg.count));
            }
        }
        // Notes marked inside notes follow on the next page if they are not set yet.
        for note in nested {
            let set = page.notes.iter().any(|p| p.note == note);
            if !set && self.notes.len(note) > 0 && !carry.iter().any(|c| c.0 == note) {
                carry.push((note, 0));
            }
        }
        carry
    }

    fn keep_of(&self, index: usize) -> usize {
        match &self.flow[index] {
            Flow::Line(line) => line.keep_with_next,
            _ => 0,
        }
    }

    fn line_notes(&self, index: usize) -> Vec<u32> {
        match &self.flow[index] {
            Flow::Line(line) => line.notes.clone(),
            _ => Vec::new(),
        }
    }

    /// The keep group that starts with the line at `start`, placed after the baseline `y`
    /// (`None`: at the top of the page) and `space`.
    fn group(&self, start: usize, y: Option<f64>, space: f64) -> Group {
        let mut lines = Vec::new();
        let mut notes = Vec::new();
        let mut remaining = 0usize;
        let mut y = y;
        let mut space = space;
        let mut i = start;
        while i < self.flow.len() {
            match &self.flow[i] {
                Flow::Line(line) => {
                    if !lines.is_empty() && remaining == 0 {
                        break;
                    }
                    let baseline = self.baseline(line, y, space);
                    lines.push(Placed { index: i, baseline });
                    notes.extend(line.notes.iter().copied());
                    y = Some(baseline);
                    space = 0.0;
                    remaining = remaining.saturating_sub(1).max(line.keep_with_next);
                }
                Flow::Space(s) | Flow::Skip(s) => {
                    if remaining == 0 {
                        break;
                    }
                    space += s;
                }
                Flow::Break { .. } | Flow::Style(_) => break,
            }
            i += 1;
        }
        Group {
            end: i,
            lines,
            notes,
        }
    }

    /// Where a line's baseline goes after the baseline `y` and `space`.
    fn baseline(&self, line: &Line, y: Option<f64>, space: f64) -> f64 {
        let f = &self.frame;
        let natural = match y {
            None if line.grid => space + f.first_baseline,
            None => space + line.ascent.max(line.leading * 0.75),
            Some(y) => y + space + line.leading,
        };
        if !line.grid {
            return natural;
        }
        let steps = ((natural - f.first_baseline - 0.01) / f.grid)
            .ceil()
            .max(0.0);
        f.first_baseline + steps * f.grid
    }
}

struct Group {
    /// The element after the group.
    end: usize,
    lines: Vec<Placed>,
    notes: Vec<u32>,
}

#[cfg(test)]
mod tests;
