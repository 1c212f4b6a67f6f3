//! Output file names from a pattern: `{slug}` (default), or `{slug}-{version}` for a release.
//!
//! The pattern names the file without its extension; `.epub` and `.pdf` are added. It must
//! contain `{slug}`, so that two books never share a name, and no path separator, so that
//! every output stays in its output folder.

use std::fmt;

/// A parsed name pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slug,
    Version,
}

impl NamePattern {
    /// `{slug}`: the single-book default.
    pub fn slug() -> NamePattern {
        NamePattern {
            pieces: vec![Piece::Slug],
        }
    }

    /// `{slug}-{version}`: the release default.
    pub fn release() -> NamePattern {
        NamePattern {
            pieces: vec![Piece::Slug, Piece::Text("-".into()), Piece::Version],
        }
    }

    pub fn parse(s: &str) -> Result<NamePattern, String> {
        let mut pieces = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| format!("name pattern `{s}` has an unclosed `{{`"))?;
                    pieces.push(match &rest[1..end] {
                        "slug" => Piece::Slug,
                        "version" => Piece::Version,
                        other => {
                            return Err(format!(
                                "name pattern `{s}` has an unknown placeholder `{{{other}}}` (known: {{slug}}, {{version}})"
                            ));
                        }
                    });
                    rest = &rest[end + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    pieces.push(Piece::Text(rest[..end].to_string()));
                    rest = &rest[end..];
                }
            }
        }
        if !pieces.contains(&Piece::Slug) {
            return Err(format!(
                "name pattern `{s}` has no `{{slug}}`, so every book would get the same name"
            ));
        }
        let bad = |t: &str| t.contains(['/', '\\', '}']) || t.contains('\0');
        if pieces.iter().any(|p| matches!(p, Piece::Text(t) if bad(t))) {
            return Err(format!(
                "name pattern `{s}` holds a path separator or a stray `}}`"
            ));
        }
        Ok(NamePattern { pieces })
    }

    pub fn needs_version(&self) -> bool {
        self.pieces.contains(&Piece::Version)
    }

    /// The file name (without extension) of a book.
    pub fn render(&self, slug: &str, version: Option<&str>) -> Option<String> {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Slug => out.push_str(slug),
                Piece::Version => out.push_str(version?),
            }
        }
        Some(out)
    }
}

impl fmt::Display for NamePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => f.write_str(t)?,
                Piece::Slug => f.write_str("{slug}")?,
                Piece::Version => f.write_str("{version}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_and_round_trips() {
        let p = NamePattern::parse("{slug}-v{version}").unwrap();
        assert_eq!(
            p.render("alarm", Some("2.1")).as_deref(),
            Some("alarm-v2.1")
        );
        assert_eq!(p.render("alarm", None), None);
        assert!(p.needs_version());
        assert_eq!(p.to_string(), "{slug}-v{version}");
        assert_eq!(
            NamePattern::release(),
            NamePattern::parse("{slug}-{version}").unwrap()
        );
    }

    #[test]
    fn rejects_bad_patterns() {
        for bad in ["{title}", "{slug", "book", "out/{slug}", "{slug}}"] {
            assert!(NamePattern::parse(bad).is_err(), "{bad}");
        }
    }
}
