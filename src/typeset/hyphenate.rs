//! Hyphenation: where a word may be broken across lines.
//!
//! Two kinds of break opportunity inside a word:
//! - [`hyphenate`]: **discretionary** breaks, found with Liang's patterns (F. M. Liang, *Word
//!   Hy-phen-a-tion by Com-put-er*, 1983, as in TeX) through typst's `hypher` crate, in the
//!   book's language. A hyphen is added when the line breaks there.
//! - [`explicit_breaks`]: after a hyphen or dash already in the word (`self-|sacrificing`,
//!   `1917–|1936`). Nothing is added when the line breaks there.
//!
//! The rules [`hyphenate`] applies:
//! - Leading and trailing punctuation (quotes, brackets, commas, full stops) is not part of
//!   the word; apostrophes and hyphens split it into parts, each hyphenated on its own, and
//!   parts are never broken at their edges.
//! - At least [`LEFT_MIN`] (2) letters before and [`RIGHT_MIN`] (3) after each break, counted
//!   within the part (or more if the language's patterns ask for more).
//! - No breaks in words with digits, in URL- or e-mail-like tokens (any other non-letter inside
//!   the word: `@`, `/`, `.`, `:`, `_`, …) or in all-capital words (acronyms such as `NATO`).
//! - **Soft hyphens** (U+00AD): when a word has any, they are its only discretionary breaks.
//!   Offsets are then into the word **with the soft hyphens removed** — in fact all offsets
//!   [`hyphenate`] returns are into [`strip_soft_hyphens`]`(word)`, which is the word itself
//!   when it has none. Callers set the stripped text and break at the returned offsets.
//! - A language without patterns (or an unknown one) gives no breaks; [`supports`] tells.
//!
//! All offsets are byte offsets, strictly inside the word, in increasing order.

/// Letters required before a break.
pub const LEFT_MIN: usize = 2;
/// Letters required after a break.
pub const RIGHT_MIN: usize = 3;

const SOFT_HYPHEN: char = '\u{00AD}';

/// [`hyphenate`] with a memory: a book repeats its words (the bundled essay has 8 800 words
/// of which 2 600 differ), so each (language, word) is hyphenated once per cache. Shared by
/// the threads that set one book ([`super::shape::Shaper`] holds it beside its word cache).
#[derive(Debug, Default)]
pub struct Cache {
    /// Language tag → word → break offsets.
    words: std::sync::RwLock<rustc_hash::FxHashMap<Box<str>, WordBreaks>>,
}

type WordBreaks = rustc_hash::FxHashMap<Box<str>, Box<[usize]>>;

impl Cache {
    /// [`hyphenate`]`(word, lang)`, computed once per (language, word).
    pub fn hyphenate(&self, word: &str, lang: &str) -> Vec<usize> {
        let read = self.words.read().unwrap_or_else(|e| e.into_inner());
        if let Some(breaks) = read.get(lang).and_then(|words| words.get(word)) {
            return breaks.to_vec();
        }
        drop(read);
        let breaks = hyphenate(word, lang);
        self.words
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(lang.into())
            .or_default()
            .entry(word.into())
            .or_insert_with(|| breaks.clone().into_boxed_slice());
        breaks
    }
}

/// Where `word` may be hyphenated, as byte offsets into [`strip_soft_hyphens`]`(word)` (the
/// word itself when it has no soft hyphens); a hyphen is inserted there when broken. `lang` is
/// a BCP 47 tag (`en`, `en-GB`, `ru`); only its primary subtag is used. See the module docs.
pub fn hyphenate(word: &str, lang: &str) -> Vec<usize> {
    if word.contains(SOFT_HYPHEN) {
        return soft_hyphen_breaks(word);
    }
    let Some(lang) = language(lang) else {
        return Vec::new();
    };
    let (lang_left, lang_right) = lang.bounds();
    let (left, right) = (LEFT_MIN.max(lang_left), RIGHT_MIN.max(lang_right));

    // The word proper, without leading and trailing punctuation.
    let start = word
        .char_indices()
        .find(|&(_, c)| c.is_alphanumeric())
        .map_or(word.len(), |(i, _)| i);
    let end = word
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_alphanumeric())
        .map_or(start, |(i, c)| i + c.len_utf8());
    let core = &word[start..end.max(start)];
    if core.is_empty()
        || core
            .chars()
            .any(|c| c.is_numeric() || !(c.is_alphabetic() || is_joiner(c) || is_mark(c)))
    {
        return Vec::new();
    }

    let mut breaks = Vec::new();
    let mut part_start = 0;
    for (i, c) in core.char_indices().chain([(core.len(), ' ')]) {
        if i < core.len() && !is_joiner(c) {
            continue;
        }
        let part = &core[part_start..i];
        if part.chars().count() >= left + right && !is_acronym(part) {
            let mut offset = part_start;
            let mut syllables = hypher::hyphenate_bounded(part, lang, left, right).peekable();
            while let Some(s) = syllables.next() {
                offset += s.len();
                if syllables.peek().is_some() {
                    breaks.push(start + offset);
                }
            }
        }
        part_start = i + c.len_utf8();
    }
    breaks
}

/// `word` without its soft hyphens (U+00AD).
pub fn strip_soft_hyphens(word: &str) -> String {
    word.chars().filter(|&c| c != SOFT_HYPHEN).collect()
}

/// Whether [`hyphenate`] has patterns for `lang` (a BCP 47 tag).
pub fn supports(lang: &str) -> bool {
    language(lang).is_some()
}

/// Explicit break opportunities after hyphens and dashes inside a word (`self-sacrificing` →
/// after `-`, `1917–1936` → after `–`), as byte offsets into `word` just after the dash; no
/// hyphen is added when breaking there. A dash breaks only with a letter or digit somewhere
/// before it and right after it (never after a leading dash, before a trailing one or inside
/// `--`); the non-breaking hyphen U+2011 never breaks. Soft hyphens are ignored (pass the
/// stripped word to get offsets comparable with [`hyphenate`]'s).
pub fn explicit_breaks(word: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut seen_alnum = false;
    let mut chars = word.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            seen_alnum = true;
        } else if is_dash(c)
            && seen_alnum
            && chars
                .peek()
                .is_some_and(|&(_, next)| next.is_alphanumeric())
        {
            breaks.push(i + c.len_utf8());
        }
    }
    breaks
}

/// An all-capital word (`NATO`, `UNESCO`): never hyphenated.
fn is_acronym(part: &str) -> bool {
    part.chars().all(|c| !c.is_lowercase()) && part.chars().filter(|c| c.is_uppercase()).count() > 1
}

/// Hyphens and dashes that allow a break after them.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
    )
}

/// Characters that join parts of one word: apostrophes and hyphens/dashes.
fn is_joiner(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}' | '\u{2011}') || is_dash(c)
}

/// Combining marks (kept inside a word, e.g. a decomposed accent).
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

/// Offsets of the soft hyphens in the stripped word, excluding its ends.
fn soft_hyphen_breaks(word: &str) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut offset = 0;
    for c in word.chars() {
        if c == SOFT_HYPHEN {
            if offset > 0 && breaks.last() != Some(&offset) {
                breaks.push(offset);
            }
        } else {
            offset += c.len_utf8();
        }
    }
    if breaks.last() == Some(&offset) {
        breaks.pop();
    }
    breaks
}

/// The patterns for a BCP 47 tag's primary subtag.
fn language(tag: &str) -> Option<hypher::Lang> {
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    let code: [u8; 2] = match primary.as_str() {
        // Norwegian Bokmål and Nynorsk share the Norwegian patterns (when compiled in).
        "nb" | "nn" => *b"no",
        p => p.as_bytes().try_into().ok()?,
    };
    hypher::Lang::from_iso(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_gives_what_hyphenate_gives_per_language() {
        let cache = Cache::default();
        for _ in 0..2 {
            for (word, lang) in [
                ("international", "en"),
                ("international", "de"),
                ("Staatsangehörigkeit", "de"),
                ("co\u{AD}operate", "en"),
                ("NATO", "en"),
                ("international", "xx"),
            ] {
                assert_eq!(
                    cache.hyphenate(word, lang),
                    hyphenate(word, lang),
                    "{word} {lang}"
                );
            }
        }
    }

    /// The word with `-` at each break.
    fn show(word: &str, lang: &str) -> String {
        let stripped = strip_soft_hyphens(word);
        let mut out = String::new();
        let mut last = 0;
        for b in hyphenate(word, lang) {
            out.push_str(&stripped[last..b]);
            out.push('-');
            last = b;
        }
        out.push_str(&stripped[last..]);
        out
    }

    #[test]
    fn english() {
        assert_eq!(show("hyphenation", "en"), "hy-phen-ation");
        assert_eq!(show("hyphenation", "en-GB"), "hy-phen-ation");
        assert_eq!(show("revolutionary", "en"), "rev-o-lu-tion-ary");
        assert_eq!(hyphenate("hyphenation", "en"), [2, 6]);
    }

    #[test]
    fn two_before_three_after() {
        for word in [
            "hyphenation",
            "revolutionary",
            "workers",
            "capitalism",
            "ideology",
            "proletarian",
            "bourgeoisie",
            "exploitation",
            "alarm",
            "signal",
            "among",
            "every",
            "steady",
            "ugly",
        ] {
            let n = word.chars().count();
            for b in hyphenate(word, "en") {
                let before = word[..b].chars().count();
                assert!(
                    before >= 2 && n - before >= 3,
                    "{word}: {}",
                    show(word, "en")
                );
            }
        }
        // Short words never break.
        assert!(hyphenate("also", "en").is_empty());
    }

    #[test]
    fn punctuation_is_not_letters() {
        // Offsets stay into the word as given.
        let word = "“hyphenation,”";
        let breaks = hyphenate(word, "en");
        assert_eq!(breaks, [3 + 2, 3 + 6]);
        assert_eq!(show(word, "en"), "“hy-phen-ation,”");
        // Two letters of a word plus a quote are still too few before a break.
        assert!(hyphenate("(ab)", "en").is_empty());
        // A possessive: the part after the apostrophe is not broken.
        assert_eq!(show("revolution’s", "en"), "rev-o-lu-tion’s");
    }

    #[test]
    fn no_breaks_in_digits_urls_acronyms() {
        for word in [
            "1917th",
            "abc123definition",
            "https://example.org/hyphenation",
            "hyphenation@example.org",
            "www.hyphenation.org",
            "hyphen_ation",
            "UNESCO",
            "NATO’s",
            "UNESCO’s",
        ] {
            assert!(hyphenate(word, "en").is_empty(), "{word}");
        }
        // Capitalised words are words.
        assert_eq!(show("Hyphenation", "en"), "Hy-phen-ation");
    }

    #[test]
    fn compounds_are_hyphenated_per_part() {
        let word = "self-sacrificing";
        let shown = show(word, "en");
        assert!(shown.starts_with("self-sac"), "{shown}");
        for b in hyphenate(word, "en") {
            assert!(b > 5 + 1, "{shown}");
        }
        assert_eq!(explicit_breaks(word), [5]);
    }

    #[test]
    fn explicit() {
        assert_eq!(explicit_breaks("self-sacrificing"), [5]);
        let years = "1917–1936";
        assert_eq!(explicit_breaks(years), [4 + '–'.len_utf8()]);
        assert_eq!(&years[explicit_breaks(years)[0]..], "1936");
        assert_eq!(explicit_breaks("word—word—word"), [7, 14]);
        assert!(explicit_breaks("—and").is_empty());
        assert!(explicit_breaks("and—").is_empty());
        assert!(explicit_breaks("-").is_empty());
        assert_eq!(explicit_breaks("a--b"), [3]);
        assert!(explicit_breaks("non\u{2011}breaking").is_empty());
        assert_eq!(explicit_breaks("“well-known”"), [3 + 5]);
    }

    #[test]
    fn soft_hyphens_are_the_only_breaks() {
        let word = "hy\u{AD}phenation";
        assert_eq!(strip_soft_hyphens(word), "hyphenation");
        assert_eq!(hyphenate(word, "en"), [2]);
        // Even in a short word, and in a language without patterns.
        assert_eq!(hyphenate("a\u{AD}bc", "xx"), [1]);
        assert_eq!(
            show("super\u{AD}cali\u{AD}fragilistic", "en"),
            "super-cali-fragilistic"
        );
        // Never at the ends, never twice at one place.
        assert!(hyphenate("\u{AD}word\u{AD}", "en").is_empty());
        assert_eq!(hyphenate("ab\u{AD}\u{AD}cd", "en"), [2]);
    }

    #[test]
    fn other_languages() {
        assert!(supports("de") && supports("fr") && supports("ru") && supports("en-US"));
        assert!(!supports("xx") && !supports("") && !supports("eng"));
        assert!(hyphenate("hyphenation", "xx").is_empty());
        assert!(hyphenate("hyphenation", "").is_empty());
        assert_eq!(show("Silbentrennung", "de"), "Sil-ben-tren-nung");
        let ru = show("пролетариат", "ru");
        assert!(ru.contains('-'), "{ru}");
        for (word, lang) in [
            ("пролетариат", "ru"),
            ("Silbentrennung", "de"),
            ("révolutionnaire", "fr"),
        ] {
            let n = word.chars().count();
            for b in hyphenate(word, lang) {
                let before = word[..b].chars().count();
                assert!(
                    before >= 2 && n - before >= 3,
                    "{word}: {}",
                    show(word, lang)
                );
            }
        }
    }
}
