//! Anchor ids: every heading and explicit anchor gets a unique, XML-safe id.
//!
//! An id written in the manuscript (`{#money}`, `<span id="x">`) is kept when it is valid and
//! unique; otherwise (and for headings without one) an id is made from the text: ASCII letters
//! and digits, words joined by `-` (`Money Inflation` → `money-inflation`), with `-2`, `-3`, …
//! added on a clash. Ids therefore depend only on the manuscript: they are stable from build to
//! build and can be linked to from outside.

use crate::config::slugify;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::model::AnchorId;
use std::collections::BTreeSet;

/// Ids reserved by the writers for their own elements.
const RESERVED_PREFIXES: &[&str] = &["note-", "noteref-", "page-", "quire-"];

#[derive(Debug, Default)]
pub struct IdRegistry {
    taken: BTreeSet<String>,
}

impl IdRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn contains(&self, id: &str) -> bool {
        self.taken.contains(id)
    }

    /// The id of a heading: the one written, else one made from its text.
    pub fn heading_id(
        &mut self,
        written: Option<&str>,
        text: &str,
        span: Span,
        diags: &mut Diagnostics,
    ) -> AnchorId {
        if let Some(id) = written.and_then(|w| self.explicit_anchor(w, span, diags)) {
            return id;
        }
        let base = slugify(text);
        let base = if base.is_empty() || !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            format!(
                "section{}",
                if base.is_empty() {
                    String::new()
                } else {
                    format!("-{base}")
                }
            )
        } else {
            base
        };
        let base = if RESERVED_PREFIXES.iter().any(|p| base.starts_with(p)) {
            format!("h-{base}")
        } else {
            base
        };
        self.unique(base)
    }

    /// Registers an id written in the manuscript. Returns `None` (with a warning) when it is
    /// invalid or already used.
    pub fn explicit_anchor(
        &mut self,
        id: &str,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<AnchorId> {
        if !is_valid_id(id) || RESERVED_PREFIXES.iter().any(|p| id.starts_with(p)) {
            diags.push(
                Diagnostic::warning(span, format!("`{id}` cannot be used as an id; it is ignored"))
                    .with_hint("ids start with a letter and use only letters, digits, `-` and `_` (and must not start with `note-`, `noteref-`, `page-` or `quire-`)"),
            );
            return None;
        }
        if !self.taken.insert(id.to_string()) {
            diags.push(
                Diagnostic::warning(
                    span,
                    format!("id `{id}` is used twice; this one is ignored"),
                )
                .with_hint("give each heading and anchor its own id"),
            );
            return None;
        }
        Some(AnchorId(id.to_string()))
    }

    fn unique(&mut self, base: String) -> AnchorId {
        let mut candidate = base.clone();
        let mut n = 2;
        while self.taken.contains(&candidate) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        self.taken.insert(candidate.clone());
        AnchorId(candidate)
    }
}

/// An id that is safe in XML, in URLs and in CSS selectors.
pub fn is_valid_id(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_alphabetic())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    #[test]
    fn ids_are_unique_and_safe() {
        let mut ids = IdRegistry::new();
        let mut d = Diagnostics::new();
        let span = Span::point(FileId(0), 0);
        assert_eq!(
            ids.heading_id(None, "Money Inflation", span, &mut d).0,
            "money-inflation"
        );
        assert_eq!(
            ids.heading_id(None, "Money Inflation", span, &mut d).0,
            "money-inflation-2"
        );
        assert_eq!(ids.heading_id(None, "1933", span, &mut d).0, "section-1933");
        assert_eq!(ids.heading_id(None, "Введение", span, &mut d).0, "section");
        assert_eq!(ids.heading_id(Some("intro"), "x", span, &mut d).0, "intro");
        assert!(d.is_empty());
        assert_eq!(
            ids.heading_id(Some("intro"), "Intro", span, &mut d).0,
            "intro-2"
        );
        assert_eq!(d.warning_count(), 1);
    }
}
