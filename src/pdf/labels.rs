//! Page labels (ISO 32000-1, 12.4.2): viewers show the printed folio ("iv", "17") instead of
//! the page's position. Each page's label is read as a lower-case roman number, an
//! upper-case roman number or an arabic number; a page whose number continues the previous
//! page's in the same style joins its range, any other page starts a new range
//! (`/S /r`, `/S /R` or `/S /D`, with `/St` when the range does not start at 1). A label that
//! is none of these becomes a range of its own with the label as its literal prefix `/P`
//! (an empty label gives an empty range: the viewer shows nothing, not a number).

use lopdf::{Dictionary, Object};

use super::metadata::text_string;
use crate::typeset::layout::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Arabic,
    RomanLower,
    RomanUpper,
}

impl Style {
    fn name(self) -> &'static [u8] {
        match self {
            Style::Arabic => b"D",
            Style::RomanLower => b"r",
            Style::RomanUpper => b"R",
        }
    }
}

/// The `/PageLabels` number tree, or `None` when every page's label is its page number (the
/// viewer's default).
pub(super) fn page_labels(pages: &[Page]) -> Option<Object> {
    let mut nums = Vec::new();
    let mut prev: Option<(Style, u32)> = None;
    for (i, page) in pages.iter().enumerate() {
        let parsed = parse(&page.label);
        let continues =
            matches!((prev, parsed), (Some((ps, pn)), Some((s, n))) if ps == s && n == pn + 1);
        if !continues {
            let mut range = Dictionary::new();
            match parsed {
                Some((style, n)) => {
                    range.set("S", Object::Name(style.name().to_vec()));
                    if n != 1 {
                        range.set("St", Object::Integer(i64::from(n)));
                    }
                }
                None if page.label.is_empty() => {}
                None => range.set("P", text_string(&page.label)),
            }
            nums.push(Object::Integer(i as i64));
            nums.push(Object::Dictionary(range));
        }
        prev = parsed;
    }
    let default = pages
        .iter()
        .enumerate()
        .all(|(i, p)| p.label == (i + 1).to_string());
    (!default)
        .then(|| Object::Dictionary(Dictionary::from_iter(vec![("Nums", Object::Array(nums))])))
}

fn parse(label: &str) -> Option<(Style, u32)> {
    if !label.is_empty()
        && label.len() <= 9
        && label.bytes().all(|b| b.is_ascii_digit())
        && !label.starts_with('0')
    {
        return label.parse().ok().map(|n| (Style::Arabic, n));
    }
    let lower = label.to_ascii_lowercase();
    let n = roman_value(&lower)?;
    if label == lower {
        Some((Style::RomanLower, n))
    } else if label == lower.to_ascii_uppercase() {
        Some((Style::RomanUpper, n))
    } else {
        None
    }
}

/// The value of a canonical lower-case roman number (`"xiv"` → 14), `None` for anything
/// else (`"iiii"`, `"ic"`).
fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 15 {
        return None;
    }
    let chars: Vec<u32> = s
        .chars()
        .map(|c| match c {
            'i' => Some(1),
            'v' => Some(5),
            'x' => Some(10),
            'l' => Some(50),
            'c' => Some(100),
            'd' => Some(500),
            'm' => Some(1000),
            _ => None,
        })
        .collect::<Option<_>>()?;
    // Straightforward evaluation, then a round trip to reject non-canonical spellings.
    let mut total = 0u32;
    let mut i = 0;
    while i < chars.len() {
        let v = chars[i];
        match chars.get(i + 1) {
            Some(&next) if next > v => {
                total += next - v;
                i += 2;
            }
            _ => {
                total += v;
                i += 1;
            }
        }
    }
    (total > 0 && crate::typeset::layout::roman(total as usize) == s).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numbers_round_trip_and_reject_odd_spellings() {
        assert_eq!(roman_value("xiv"), Some(14));
        assert_eq!(roman_value("mcmxcix"), Some(1999));
        assert_eq!(roman_value("iiii"), None);
        assert_eq!(roman_value("ic"), None);
        assert_eq!(parse("IV"), Some((Style::RomanUpper, 4)));
        assert_eq!(parse("Iv"), None);
        assert_eq!(parse("07"), None);
        assert_eq!(parse("12"), Some((Style::Arabic, 12)));
    }
}
