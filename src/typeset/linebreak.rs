//! Optimal line breaking: Knuth and Plass, "Breaking Paragraphs into Lines" (1981).
//!
//! A paragraph is a list of [`Item`]s: boxes (glyph runs, fixed width), glue (interword space
//! that can stretch and shrink) and penalties (possible breaks with a cost; a *flagged* penalty
//! is a hyphen). A line may end at a glue that follows a box, or at a penalty below infinity.
//! The breaker chooses the set of breaks that minimises the total *demerits* over the whole
//! paragraph, where each line costs
//!
//! ```text
//! demerits = (line_penalty + badness)² ± penalty² (+ double-hyphen, final-hyphen, fitness terms)
//! badness  = 100 · |r|³,  r = (line width − natural width) / (stretch or shrink)
//! ```
//!
//! `r` is the adjustment ratio: how much of its glue's stretch (r > 0) or shrink (r < 0) the
//! line uses. A line is feasible when `r ≥ −1` (glue never shrinks below its minimum) and its
//! badness is within the tolerance.
//!
//! Worked example: three words of width 30 separated by glue (10, stretch 5, shrink 3) on a
//! measure of 65. Breaking after two words gives a natural width of 70: r = (65 − 70)/3 = −1.67,
//! infeasible (it would shrink past its limit). One word per line gives 30 on 65 with no glue
//! to stretch: infeasible too, except on the last line, whose `parfillskip` glue stretches
//! without bound. So only an overfull or an underfull solution exists, and the emergency pass
//! (extra stretch on every line) is what sets it.
//!
//! Passes, as in TeX: (1) `pretolerance`, hyphen breaks not used; (2) `tolerance` with
//! hyphens; (3) emergency: extra stretch on every line and any badness accepted. Should even
//! that fail (a box wider than the measure, which the paragraph builder avoids by splitting
//! words), the lines are cut first-fit and the overfull ones are reported to the caller.
//!
//! Invariants: breaks are returned in increasing item order, the last one is the paragraph's
//! final forced break, and no more than `max_consecutive_hyphens` lines in a row end with a
//! flagged penalty except in the last-resort fallback.

/// One element of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// Something of fixed width (a word or part of one).
    Box { width: f64 },
    /// Space that can stretch and shrink; a possible break when it follows a box.
    Glue {
        width: f64,
        stretch: f64,
        shrink: f64,
    },
    /// A possible break costing `cost` (`≥ INFINITY` forbids, `≤ -INFINITY` forces); `width`
    /// is added to the line when the break is taken (a hyphen's width).
    Penalty {
        width: f64,
        cost: f64,
        flagged: bool,
    },
}

/// A penalty at or above this value forbids a break; at or below its negation forces one.
pub const INFINITY: f64 = 10_000.0;

/// The parameters of the breaker, with TeX's defaults.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub pretolerance: f64,
    pub tolerance: f64,
    pub line_penalty: f64,
    pub double_hyphen_demerits: f64,
    pub final_hyphen_demerits: f64,
    pub adj_demerits: f64,
    /// Extra stretch per line in the emergency pass.
    pub emergency_stretch: f64,
    /// The most lines in a row that may end with a hyphen.
    pub max_consecutive_hyphens: u8,
    /// Ask for this many lines more (positive) or fewer (negative) than the optimum, when a
    /// feasible solution with that count exists (TeX's `\looseness`).
    pub looseness: i32,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            pretolerance: 100.0,
            tolerance: 200.0,
            line_penalty: 10.0,
            double_hyphen_demerits: 10_000.0,
            final_hyphen_demerits: 5_000.0,
            adj_demerits: 10_000.0,
            emergency_stretch: 0.0,
            max_consecutive_hyphens: 2,
            looseness: 0,
        }
    }
}

/// A chosen break.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    /// Index of the item where the line ends (a glue or a penalty).
    pub index: usize,
    /// The line's adjustment ratio: the fraction of stretch (> 0) or shrink (< 0) used.
    /// Ragged and last lines report their ratio too; callers decide whether to apply it.
    pub ratio: f64,
    /// The line ends with a hyphen (a flagged penalty).
    pub hyphen: bool,
}

/// The outcome of breaking a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Breaks {
    pub breaks: Vec<Break>,
    /// Which pass found the solution: 1, 2, 3 (emergency) or 4 (first-fit fallback).
    pub pass: u8,
    /// Lines wider than their measure (only from the fallback), by line number.
    pub overfull: Vec<usize>,
}

/// Breaks `items` into lines; `measure(n)` is the width of line `n` (0-based).
/// The items must end with a forced break (the builder ends every paragraph with
/// `Glue(0, ∞ stretch)` and `Penalty(−∞)`).
pub fn break_lines(items: &[Item], measure: &dyn Fn(usize) -> f64, params: &Params) -> Breaks {
    let sums = Sums::new(items);
    let passes: [(f64, bool, f64, u8); 3] = [
        (params.pretolerance, false, 0.0, 1),
        (params.tolerance, true, 0.0, 2),
        (INFINITY, true, params.emergency_stretch, 3),
    ];
    for (tolerance, hyphens, extra, pass) in passes {
        if tolerance < 0.0 {
            continue;
        }
        let setup = Pass {
            items,
            sums: &sums,
            measure,
            params,
            tolerance,
            hyphens,
            extra_stretch: extra,
        };
        if let Some(breaks) = setup.run() {
            return Breaks {
                breaks,
                pass,
                overfull: Vec::new(),
            };
        }
    }
    first_fit(items, &sums, measure)
}

/// Running totals of width, stretch and shrink, so that any line's sums are a subtraction.
struct Sums {
    width: Vec<f64>,
    stretch: Vec<f64>,
    shrink: Vec<f64>,
}

impl Sums {
    fn new(items: &[Item]) -> Self {
        let n = items.len() + 1;
        let (mut width, mut stretch, mut shrink) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        let (mut w, mut y, mut z) = (0.0, 0.0, 0.0);
        for item in items {
            width.push(w);
            stretch.push(y);
            shrink.push(z);
            match *item {
                Item::Box { width } => w += width,
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    w += width;
                    y += stretch;
                    z += shrink;
                }
                Item::Penalty { .. } => {}
            }
        }
        width.push(w);
        stretch.push(y);
        shrink.push(z);
        Self {
            width,
            stretch,
            shrink,
        }
    }
}

/// Where a line starts after a break at `index`: glue and non-forced penalties after a break
/// are discarded, up to the next box or forced break.
pub fn line_start(items: &[Item], index: usize) -> usize {
    let mut i = index + 1;
    while i < items.len() {
        match items[i] {
            Item::Box { .. } => break,
            Item::Penalty { cost, .. } if cost <= -INFINITY && i > index + 1 => break,
            _ => i += 1,
        }
    }
    i
}

fn is_legal_break(items: &[Item], i: usize) -> bool {
    match items[i] {
        Item::Penalty { cost, .. } => cost < INFINITY,
        Item::Glue { .. } => i > 0 && matches!(items[i - 1], Item::Box { .. }),
        Item::Box { .. } => false,
    }
}

fn fitness(ratio: f64) -> u8 {
    if ratio < -0.5 {
        0
    } else if ratio <= 0.5 {
        1
    } else if ratio <= 1.0 {
        2
    } else {
        3
    }
}

#[derive(Debug, Clone)]
struct Node {
    /// The break item (for the start node: usize::MAX, meaning "before item 0").
    index: usize,
    /// Number of lines up to this break.
    line: usize,
    fitness: u8,
    hyphen_run: u8,
    hyphen: bool,
    demerits: f64,
    ratio: f64,
    prev: Option<usize>,
    /// First item of the line after this break.
    start: usize,
}

struct Pass<'a> {
    items: &'a [Item],
    sums: &'a Sums,
    measure: &'a dyn Fn(usize) -> f64,
    params: &'a Params,
    tolerance: f64,
    hyphens: bool,
    extra_stretch: f64,
}

impl Pass<'_> {
    fn run(&self) -> Option<Vec<Break>> {
        let items = self.items;
        let mut nodes: Vec<Node> = vec![Node {
            index: usize::MAX,
            line: 0,
            fitness: 1,
            hyphen_run: 0,
            hyphen: false,
            demerits: 0.0,
            ratio: 0.0,
            prev: None,
            start: 0,
        }];
        let mut active: Vec<usize> = vec![0];
        let mut finals: Vec<usize> = Vec::new();
        for b in 0..items.len() {
            if !is_legal_break(items, b) {
                continue;
            }
            let (pen_width, cost, flagged) = match items[b] {
                Item::Penalty {
                    width,
                    cost,
                    flagged,
                } => (width, cost, flagged),
                _ => (0.0, 0.0, false),
            };
            if flagged && !self.hyphens && cost > -INFINITY {
                continue;
            }
            let forced = cost <= -INFINITY;
            // Best candidate per (fitness, line, hyphen_run) reaching this break.
            let mut candidates: Vec<Node> = Vec::new();
            let mut keep = Vec::with_capacity(active.len());
            for &a in &active {
                let node = &nodes[a];
                let start = node.start;
                if start > b {
                    keep.push(a);
                    continue;
                }
                let width = self.sums.width[b] - self.sums.width[start] + pen_width;
                let stretch = self.sums.stretch[b] - self.sums.stretch[start] + self.extra_stretch;
                let shrink = self.sums.shrink[b] - self.sums.shrink[start];
                let target = (self.measure)(node.line);
                let ratio = if width < target {
                    if stretch > 0.0 {
                        (target - width) / stretch
                    } else {
                        f64::INFINITY
                    }
                } else if width > target {
                    if shrink > 0.0 {
                        (target - width) / shrink
                    } else {
                        f64::NEG_INFINITY
                    }
                } else {
                    0.0
                };
                // A line too long now only gets longer: the node can no longer start a line
                // that reaches any later break.
                if ratio < -1.0 || forced {
                    // keep it out of the active list (forced breaks end every line)
                } else {
                    keep.push(a);
                }
                if ratio < -1.0 {
                    continue;
                }
                let badness = if ratio.is_infinite() {
                    f64::INFINITY
                } else {
                    100.0 * ratio.abs().powi(3)
                };
                if badness > self.tolerance {
                    continue;
                }
                let hyphen_run = if flagged { node.hyphen_run + 1 } else { 0 };
                if hyphen_run > self.params.max_consecutive_hyphens {
                    continue;
                }
                let mut demerits = (self.params.line_penalty + badness).powi(2);
                if cost >= 0.0 {
                    demerits += cost * cost;
                } else if cost > -INFINITY {
                    demerits -= cost * cost;
                }
                if flagged && node.hyphen {
                    demerits += self.params.double_hyphen_demerits;
                }
                if forced && node.hyphen {
                    demerits += self.params.final_hyphen_demerits;
                }
                let fit = fitness(ratio);
                if (i16::from(fit) - i16::from(node.fitness)).abs() > 1 {
                    demerits += self.params.adj_demerits;
                }
                let total = node.demerits + demerits;
                let candidate = Node {
                    index: b,
                    line: node.line + 1,
                    fitness: fit,
                    hyphen_run,
                    hyphen: flagged,
                    demerits: total,
                    ratio,
                    prev: Some(a),
                    start: line_start(items, b),
                };
                match candidates.iter_mut().find(|c| {
                    c.fitness == candidate.fitness
                        && c.hyphen_run == candidate.hyphen_run
                        && (self.params.looseness == 0 || c.line == candidate.line)
                }) {
                    Some(existing) if existing.demerits <= candidate.demerits => {}
                    Some(existing) => *existing = candidate,
                    None => candidates.push(candidate),
                }
            }
            active = keep;
            for c in candidates {
                nodes.push(c);
                let id = nodes.len() - 1;
                if forced && b == items.len() - 1 {
                    finals.push(id);
                } else {
                    active.push(id);
                }
            }
            if active.is_empty() && !finals.is_empty() {
                break;
            }
            if active.is_empty() {
                return None;
            }
        }
        let best = self.choose(&nodes, &finals)?;
        let mut breaks = Vec::new();
        let mut cur = Some(best);
        while let Some(i) = cur {
            let n = &nodes[i];
            if n.index != usize::MAX {
                breaks.push(Break {
                    index: n.index,
                    ratio: n.ratio,
                    hyphen: n.hyphen,
                });
            }
            cur = n.prev;
        }
        breaks.reverse();
        Some(breaks)
    }

    /// The final node with the fewest demerits, or with the line count closest to the
    /// optimum plus `looseness`.
    fn choose(&self, nodes: &[Node], finals: &[usize]) -> Option<usize> {
        let best = *finals
            .iter()
            .min_by(|&&a, &&b| nodes[a].demerits.total_cmp(&nodes[b].demerits))?;
        if self.params.looseness == 0 {
            return Some(best);
        }
        let wanted = nodes[best].line as i64 + i64::from(self.params.looseness);
        finals.iter().copied().min_by(|&a, &b| {
            let da = (nodes[a].line as i64 - wanted).abs();
            let db = (nodes[b].line as i64 - wanted).abs();
            da.cmp(&db)
                .then(nodes[a].demerits.total_cmp(&nodes[b].demerits))
        })
    }
}

/// Last resort: fill each line as far as it goes; a box wider than the line makes it overfull.
fn first_fit(items: &[Item], sums: &Sums, measure: &dyn Fn(usize) -> f64) -> Breaks {
    let mut breaks = Vec::new();
    let mut overfull = Vec::new();
    let mut start = 0;
    let mut last_fit: Option<usize> = None;
    let mut b = 0;
    while b < items.len() {
        let legal = is_legal_break(items, b);
        let forced = matches!(items[b], Item::Penalty { cost, .. } if cost <= -INFINITY);
        if legal {
            let pen_width = match items[b] {
                Item::Penalty { width, .. } => width,
                _ => 0.0,
            };
            let width = sums.width[b] - sums.width[start] + pen_width;
            let shrink = sums.shrink[b] - sums.shrink[start];
            let target = measure(breaks.len());
            let fits = width - shrink <= target;
            if !fits {
                // Break at the last break that fitted, or here if none did (overfull).
                let at = last_fit.unwrap_or(b);
                if last_fit.is_none() {
                    overfull.push(breaks.len());
                }
                breaks.push(make_break(items, sums, start, at, target));
                start = line_start(items, at);
                last_fit = None;
                b = start;
                continue;
            }
            if forced {
                breaks.push(make_break(items, sums, start, b, target));
                start = line_start(items, b);
                last_fit = None;
            } else {
                last_fit = Some(b);
            }
        }
        b += 1;
    }
    Breaks {
        breaks,
        pass: 4,
        overfull,
    }
}

fn make_break(items: &[Item], sums: &Sums, start: usize, at: usize, target: f64) -> Break {
    let (pen_width, hyphen) = match items[at] {
        Item::Penalty { width, flagged, .. } => (width, flagged),
        _ => (0.0, false),
    };
    let width = sums.width[at] - sums.width[start] + pen_width;
    let stretch = sums.stretch[at] - sums.stretch[start];
    let shrink = sums.shrink[at] - sums.shrink[start];
    let ratio = if width < target && stretch > 0.0 {
        (target - width) / stretch
    } else if width > target && shrink > 0.0 {
        ((target - width) / shrink).max(-1.0)
    } else {
        0.0
    };
    Break {
        index: at,
        ratio,
        hyphen,
    }
}

#[cfg(test)]
mod tests;
