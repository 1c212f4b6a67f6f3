//! Helpers shared by unit tests.

/// A tiny deterministic generator (xorshift64) so that randomised tests are reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A value in `lo..hi` with a resolution of 1/10 000 of the range.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() % 10_000) as f64 / 10_000.0 * (hi - lo)
    }
}

/// A book made of `markdown` (a title, English, a fixed identifier); panics on errors.
pub fn book(markdown: &str) -> crate::model::Book {
    use crate::model::{Book, Identifier, Language, Metadata};
    let (parsed, diags, _) = crate::manuscript::parse_text(markdown);
    assert!(!diags.has_errors(), "{diags:?}");
    Book {
        meta: Metadata {
            title: "A Test Book".into(),
            subtitle: None,
            short_title: None,
            creators: Vec::new(),
            language: Language::parse("en").expect("en"),
            identifier: Identifier("urn:uuid:00000000-0000-8000-8000-000000000000".into()),
            date: None,
            modified: 0,
            rights: None,
            source: None,
            publisher: None,
            description: None,
            subjects: Vec::new(),
            slug: "a-test-book".into(),
            version: None,
        },
        front: parsed.front,
        divisions: parsed.divisions,
        notes: parsed.notes,
        assets: parsed.assets,
    }
}
