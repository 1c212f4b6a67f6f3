//! The breaker against known answers and against brute force.

use super::*;

fn word(w: f64) -> Item {
    Item::Box { width: w }
}

fn space() -> Item {
    Item::Glue {
        width: 4.0,
        stretch: 2.0,
        shrink: 1.5,
    }
}

fn hyphen() -> Item {
    Item::Penalty {
        width: 3.0,
        cost: 50.0,
        flagged: true,
    }
}

fn end() -> [Item; 2] {
    [
        Item::Glue {
            width: 0.0,
            stretch: 1e6,
            shrink: 0.0,
        },
        Item::Penalty {
            width: 0.0,
            cost: -INFINITY,
            flagged: false,
        },
    ]
}

/// A paragraph of words separated by spaces; a word given as (a, b) has a hyphenation point.
fn paragraph(words: &[(f64, Option<f64>)]) -> Vec<Item> {
    let mut items = Vec::new();
    for (i, &(a, b)) in words.iter().enumerate() {
        if i > 0 {
            items.push(space());
        }
        items.push(word(a));
        if let Some(b) = b {
            items.push(hyphen());
            items.push(word(b));
        }
    }
    items.extend(end());
    items
}

/// Width of the line from `start` to the break `b` and its ratio.
fn ratio_of(items: &[Item], start: usize, b: usize, measure: f64) -> f64 {
    let (mut w, mut y, mut z) = (0.0, 0.0, 0.0);
    for item in &items[start..b] {
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
    if let Item::Penalty { width, .. } = items[b] {
        w += width;
    }
    if w < measure {
        if y > 0.0 {
            (measure - w) / y
        } else {
            f64::INFINITY
        }
    } else if w > measure {
        if z > 0.0 {
            (measure - w) / z
        } else {
            f64::NEG_INFINITY
        }
    } else {
        0.0
    }
}

/// Total demerits of a set of breaks under pass-2 rules, or None if infeasible.
fn demerits_of(items: &[Item], breaks: &[usize], measure: f64, p: &Params) -> Option<f64> {
    let mut start = 0;
    let mut prev_fit = 1u8;
    let mut prev_hyphen = false;
    let mut run = 0u8;
    let mut total = 0.0;
    for &b in breaks {
        let r = ratio_of(items, start, b, measure);
        if r < -1.0 {
            return None;
        }
        let badness = if r.is_infinite() {
            f64::INFINITY
        } else {
            100.0 * r.abs().powi(3)
        };
        if badness > p.tolerance {
            return None;
        }
        let (cost, flagged) = match items[b] {
            Item::Penalty { cost, flagged, .. } => (cost, flagged),
            _ => (0.0, false),
        };
        run = if flagged { run + 1 } else { 0 };
        if run > p.max_consecutive_hyphens {
            return None;
        }
        let mut d = (p.line_penalty + badness).powi(2);
        if cost >= 0.0 {
            d += cost * cost;
        } else if cost > -INFINITY {
            d -= cost * cost;
        }
        if flagged && prev_hyphen {
            d += p.double_hyphen_demerits;
        }
        if cost <= -INFINITY && prev_hyphen {
            d += p.final_hyphen_demerits;
        }
        let fit = fitness(r);
        if (i16::from(fit) - i16::from(prev_fit)).abs() > 1 {
            d += p.adj_demerits;
        }
        total += d;
        prev_fit = fit;
        prev_hyphen = flagged;
        start = line_start(items, b);
    }
    Some(total)
}

fn brute_force(items: &[Item], measure: f64, p: &Params) -> Option<f64> {
    let legal: Vec<usize> = (0..items.len() - 1)
        .filter(|&i| {
            is_legal_break(items, i)
                && !matches!(items[i], Item::Glue { stretch, .. } if stretch >= 1e6)
        })
        .collect();
    let last = items.len() - 1;
    let mut best: Option<f64> = None;
    for mask in 0u32..(1 << legal.len()) {
        let mut breaks: Vec<usize> = legal
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, &b)| b)
            .collect();
        breaks.push(last);
        if let Some(d) = demerits_of(items, &breaks, measure, p) {
            best = Some(best.map_or(d, |b: f64| b.min(d)));
        }
    }
    best
}

fn pass2_only() -> Params {
    Params {
        pretolerance: -1.0,
        ..Params::default()
    }
}

#[test]
fn known_optimum_beats_first_fit() {
    // Greedy fills line 1 with "aaaa bbbb cc" and leaves "dddd" nearly alone; the optimum
    // balances the lines.
    let items = paragraph(&[
        (20.0, None),
        (20.0, None),
        (20.0, None),
        (12.0, None),
        (20.0, None),
        (20.0, None),
    ]);
    let measure = 70.0;
    let result = break_lines(&items, &|_| measure, &pass2_only());
    let indices: Vec<usize> = result.breaks.iter().map(|b| b.index).collect();
    let breaks_total = demerits_of(&items, &indices, measure, &pass2_only()).expect("feasible");
    assert_eq!(
        Some(breaks_total),
        brute_force(&items, measure, &pass2_only())
    );
    assert_eq!(result.pass, 2);
    assert_eq!(indices.last(), Some(&(items.len() - 1)));
}

#[test]
fn tight_measure_needs_emergency_and_never_overflows() {
    // The worked example of the module docs.
    let glue = Item::Glue {
        width: 10.0,
        stretch: 5.0,
        shrink: 3.0,
    };
    let mut items = vec![word(30.0), glue, word(30.0), glue, word(30.0)];
    items.extend(end());
    let p = Params {
        emergency_stretch: 20.0,
        ..Params::default()
    };
    let result = break_lines(&items, &|_| 65.0, &p);
    assert_eq!(
        result.pass, 3,
        "the worked example in the module docs needs the emergency pass"
    );
    assert_eq!(result.breaks.len(), 3, "one word per line");
    assert!(result.overfull.is_empty());
    assert!(result.breaks.iter().all(|b| b.ratio >= -1.0));
}

#[test]
fn box_wider_than_the_measure_falls_back_and_reports() {
    let items = paragraph(&[(10.0, None), (200.0, None), (10.0, None)]);
    let result = break_lines(&items, &|_| 50.0, &Params::default());
    assert_eq!(result.pass, 4);
    assert_eq!(result.overfull, vec![1]);
}

#[test]
fn loose_measure_is_feasible_in_the_first_pass() {
    let words: Vec<(f64, Option<f64>)> = (0..30)
        .map(|i| (15.0 + f64::from(i % 5) * 3.0, None))
        .collect();
    let items = paragraph(&words);
    let result = break_lines(&items, &|_| 150.0, &Params::default());
    assert_eq!(result.pass, 1);
    for (n, b) in result.breaks.iter().enumerate() {
        if n + 1 < result.breaks.len() {
            assert!(b.ratio.abs() <= 1.0, "line {n} ratio {}", b.ratio);
        }
    }
}

#[test]
fn looseness_gives_one_line_more_when_possible() {
    let glue = Item::Glue {
        width: 4.0,
        stretch: 4.0,
        shrink: 1.5,
    };
    let mut items = Vec::new();
    for i in 0..40 {
        if i > 0 {
            items.push(glue);
        }
        items.push(word(20.0));
    }
    items.extend(end());
    let normal = break_lines(&items, &|_| 200.0, &Params::default());
    let p = Params {
        looseness: 1,
        tolerance: 1000.0,
        pretolerance: -1.0,
        ..Params::default()
    };
    let looser = break_lines(&items, &|_| 200.0, &p);
    assert_eq!(normal.breaks.len(), 5);
    assert_eq!(looser.breaks.len(), 6);
    let tighter = break_lines(&items, &|_| 200.0, &Params { looseness: -1, ..p });
    assert_eq!(
        tighter.breaks.len(),
        5,
        "no feasible 4-line solution: the closest count wins"
    );
}

use crate::testutil::Rng;

#[test]
fn random_paragraphs_match_brute_force_and_never_overfill() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let p = pass2_only();
    let mut checked = 0;
    for _ in 0..400 {
        let n = 3 + (rng.next() % 7) as usize;
        let words: Vec<(f64, Option<f64>)> = (0..n)
            .map(|_| {
                let a = rng.range(8.0, 30.0);
                let hyph = rng.next().is_multiple_of(3);
                (a, hyph.then(|| rng.range(6.0, 15.0)))
            })
            .collect();
        let items = paragraph(&words);
        let measure = rng.range(40.0, 110.0);
        let result = break_lines(&items, &|_| measure, &p);
        for (line, b) in result.breaks.iter().enumerate() {
            if !result.overfull.contains(&line) {
                assert!(
                    b.ratio >= -1.0 - 1e-9,
                    "line {line} shrinks past its limit: {}",
                    b.ratio
                );
            }
        }
        if result.pass == 2 {
            let indices: Vec<usize> = result.breaks.iter().map(|b| b.index).collect();
            let got = demerits_of(&items, &indices, measure, &p)
                .expect("the breaker's answer is feasible");
            let best = brute_force(&items, measure, &p).expect("brute force finds it too");
            assert!(
                (got - best).abs() < 1e-6 * best.max(1.0),
                "breaker {got} vs optimum {best}"
            );
            checked += 1;
        } else {
            assert!(
                brute_force(&items, measure, &p).is_none(),
                "pass 2 missed a feasible solution"
            );
        }
    }
    assert!(
        checked > 50,
        "enough feasible paragraphs were compared: {checked}"
    );
}
