//! Page makeup on made-up vertical lists: the rules hold whatever the list.

use super::*;
use crate::testutil::Rng;
use crate::typeset::flow::{HeadingMark, Line};

const FRAME: Frame = Frame {
    height: 140.0,
    grid: 14.0,
    first_baseline: 10.5,
    note_skip: 22.0,
    note_gap: 2.0,
    max_notes: 0.6,
};

fn line(keep: usize) -> Flow {
    Flow::Line(Line {
        leading: 14.0,
        ascent: 10.0,
        depth: 3.0,
        keep_with_next: keep,
        grid: true,
        ..Line::default()
    })
}

fn note_line() -> Flow {
    Flow::Line(Line {
        leading: 11.0,
        ascent: 8.0,
        depth: 2.5,
        ..Line::default()
    })
}

/// A paragraph of `n` lines with the keeps `blocks` gives it (no orphan, no widow).
fn paragraph(n: usize, notes: &[u32]) -> Vec<Flow> {
    (0..n)
        .map(|i| {
            let keep = usize::from(n >= 2 && (i == 0 || i == n - 2));
            let mut l = line(keep);
            if i == n / 2
                && let Flow::Line(l) = &mut l
            {
                l.notes = notes.to_vec();
            }
            l
        })
        .collect()
}

fn heading() -> Vec<Flow> {
    vec![
        Flow::Space(12.0),
        Flow::Line(Line {
            leading: 16.0,
            ascent: 11.0,
            depth: 3.0,
            keep_with_next: 2,
            heading: Some(HeadingMark {
                level: 2,
                title: "H".into(),
                running: "H".into(),
                anchor: None,
            }),
            ..Line::default()
        }),
        Flow::Space(3.0),
    ]
}

fn below(rng: &mut Rng, n: usize) -> usize {
    (rng.next() % n as u64) as usize
}

fn pages_of(flow: &[Flow], notes: &[Vec<Flow>]) -> Vec<PageBox> {
    paginate(flow, &Notes::new(notes), FRAME)
}

/// (page, index) of every body line, in page order.
fn body_lines(pages: &[PageBox]) -> Vec<(usize, usize)> {
    pages
        .iter()
        .enumerate()
        .flat_map(|(p, page)| page.body.iter().map(move |l| (p, l.index)))
        .collect()
}

#[test]
fn every_line_lands_once_in_order_on_the_grid() {
    let flow: Vec<Flow> = (0..5).flat_map(|_| paragraph(7, &[])).collect();
    let pages = pages_of(&flow, &[]);
    let lines = body_lines(&pages);
    let indices: Vec<usize> = lines.iter().map(|l| l.1).collect();
    assert_eq!(indices, (0..35).collect::<Vec<_>>());
    for page in &pages {
        for l in &page.body {
            let steps = (l.baseline - FRAME.first_baseline) / FRAME.grid;
            assert!(
                (steps - steps.round()).abs() < 1e-9,
                "{l:?} is off the grid"
            );
            assert!(l.baseline <= FRAME.bottom() + FRAME.grid + 1e-9);
        }
    }
}

#[test]
fn a_heading_moves_with_two_lines_of_its_text() {
    // The page holds 10 lines: 8 lines, then a heading that needs 3 more grid lines.
    let mut flow = paragraph(8, &[]);
    flow.extend(heading());
    flow.extend(paragraph(6, &[]));
    let pages = pages_of(&flow, &[]);
    let heading_page = pages
        .iter()
        .position(|p| p.body.iter().any(|l| l.index == 9))
        .unwrap();
    let page = &pages[heading_page];
    let after = page.body.iter().filter(|l| l.index > 9).count();
    assert!(
        after >= 2,
        "the heading is followed by {after} lines on its page"
    );
    assert_ne!(page.body.last().unwrap().index, 9);
}

#[test]
fn a_note_starts_on_the_page_of_its_mark_and_continues_on_the_next() {
    // A 9-line paragraph with a 12-line note marked on its 5th line.
    let flow = paragraph(9, &[1]);
    let note: Vec<Flow> = (0..12).map(|_| note_line()).collect();
    let pages = pages_of(&flow, &[note]);
    let mark_page = pages
        .iter()
        .position(|p| p.body.iter().any(|l| l.index == 4))
        .unwrap();
    let on_mark_page: Vec<usize> = pages[mark_page]
        .notes
        .iter()
        .map(|n| n.line.index)
        .collect();
    assert!(
        on_mark_page.len() >= 2 && on_mark_page[0] == 0,
        "{on_mark_page:?}"
    );
    assert!(pages[mark_page].rule.is_some());
    let all: Vec<usize> = pages
        .iter()
        .flat_map(|p| p.notes.iter().map(|n| n.line.index))
        .collect();
    assert_eq!(
        all,
        (0..12).collect::<Vec<_>>(),
        "every note line once, in order"
    );
    // The notes stay inside the block and below the body.
    for page in &pages {
        let body = page.body.last().map_or(0.0, |l| l.baseline);
        for n in &page.notes {
            assert!(n.line.baseline > body + FRAME.note_skip - 1e-9);
            assert!(n.line.baseline <= FRAME.bottom() + FRAME.grid + 1e-9);
        }
    }
}

#[test]
fn a_recto_break_leaves_a_blank_verso() {
    let mut flow = paragraph(3, &[]);
    flow.push(Flow::Break { recto: true });
    flow.extend(paragraph(3, &[]));
    let pages = pages_of(&flow, &[]);
    assert_eq!(pages.len(), 3);
    assert!(pages[1].blank);
    assert_eq!(pages[2].body[0].index, 4);
}

/// Random lists of paragraphs, headings and notes: no orphan, no widow, no heading at a
/// page foot, every note from the page of its mark, facing pages ending together.
#[test]
fn random_lists_keep_every_rule() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..300 {
        let mut flow = Vec::new();
        let mut notes: Vec<Vec<Flow>> = Vec::new();
        let mut paragraphs: Vec<(usize, usize)> = Vec::new(); // (first index, lines)
        for _ in 0..below(&mut rng, 12) + 1 {
            if below(&mut rng, 4) == 0 {
                flow.extend(heading());
            }
            let n = below(&mut rng, 9) + 1;
            let marks: Vec<u32> = if below(&mut rng, 3) == 0 {
                notes.push((0..below(&mut rng, 14) + 1).map(|_| note_line()).collect());
                vec![notes.len() as u32]
            } else {
                Vec::new()
            };
            paragraphs.push((flow.len(), n));
            flow.extend(paragraph(n, &marks));
            flow.push(Flow::Space(below(&mut rng, 2) as f64 * 7.0));
        }
        let pages = pages_of(&flow, &notes);
        let page_of = |index: usize| {
            pages
                .iter()
                .position(|p| p.body.iter().any(|l| l.index == index))
                .unwrap_or_else(|| panic!("case {case}: line {index} is on no page"))
        };
        for &(first, n) in &paragraphs {
            if n >= 2 {
                assert_eq!(page_of(first), page_of(first + 1), "case {case}: orphan");
                assert_eq!(
                    page_of(first + n - 2),
                    page_of(first + n - 1),
                    "case {case}: widow"
                );
            }
        }
        for page in &pages {
            if let Some(last) = page.body.last()
                && let Flow::Line(line) = &flow[last.index]
            {
                assert!(line.heading.is_none(), "case {case}: a heading ends a page");
            }
        }
        for (k, list) in notes.iter().enumerate() {
            let number = k as u32 + 1;
            let mark = flow
                .iter()
                .position(|f| matches!(f, Flow::Line(l) if l.notes.contains(&number)))
                .unwrap();
            let first = pages
                .iter()
                .position(|p| {
                    p.notes
                        .iter()
                        .any(|n| n.note == number && n.line.index == 0)
                })
                .unwrap_or_else(|| panic!("case {case}: note {number} is not set"));
            assert_eq!(
                first,
                page_of(mark),
                "case {case}: note {number} starts elsewhere"
            );
            let lines: Vec<usize> = pages
                .iter()
                .flat_map(|p| p.notes.iter().filter(|n| n.note == number))
                .map(|n| n.line.index)
                .collect();
            assert_eq!(lines.len(), list.len(), "case {case}: note {number} lines");
        }
    }
}
