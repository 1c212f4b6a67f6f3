//! Book metadata, validated: the writers take these values as they are.

/// A BCP 47 language tag (`en`, `en-GB`, `ru`), checked for shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Language(String);

impl Language {
    /// Checks the shape of a BCP 47 tag: subtags of 1–8 ASCII letters or digits separated by
    /// `-`, the first 2–3 letters (or `i`/`x` for the old private forms).
    pub fn parse(tag: &str) -> Option<Language> {
        let tag = tag.trim();
        let mut parts = tag.split('-');
        let first = parts.next()?;
        let first_ok = (2..=3).contains(&first.len())
            && first.bytes().all(|b| b.is_ascii_alphabetic())
            || matches!(first, "i" | "x");
        let rest_ok = parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        (first_ok && rest_ok).then(|| Language(tag.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The primary language subtag, lower-cased (`en` for `en-GB`).
    pub fn primary(&self) -> String {
        self.0.split('-').next().unwrap_or("").to_ascii_lowercase()
    }
}

/// A publication date in the W3C date-time profile: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let mut parts = s.split('-');
        let year_str = parts.next()?;
        if year_str.len() != 4 || !year_str.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = year_str.parse().ok()?;
        let num = |p: Option<&str>, max: u8| -> Option<Option<u8>> {
            match p {
                None => Some(None),
                Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                    let n: u8 = p.parse().ok()?;
                    (1..=max).contains(&n).then_some(Some(n))
                }
                Some(_) => None,
            }
        };
        let month = num(parts.next(), 12)?;
        let day = num(parts.next(), 31)?;
        if parts.next().is_some() || (month.is_none() && day.is_some()) {
            return None;
        }
        Some(Date { year, month, day })
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// The book's unique identifier (`urn:uuid:…`, `urn:isbn:…`, or any other URI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier(pub String);

/// What a contributor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatorRole {
    Author,
    Editor,
    Translator,
    Illustrator,
}

impl CreatorRole {
    /// The MARC relator code used in EPUB metadata.
    pub fn marc_code(self) -> &'static str {
        match self {
            CreatorRole::Author => "aut",
            CreatorRole::Editor => "edt",
            CreatorRole::Translator => "trl",
            CreatorRole::Illustrator => "ill",
        }
    }
}

/// A person or body credited for the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Creator {
    pub name: String,
    pub role: CreatorRole,
    /// The sort form (`Trotsky, Leon`), when given.
    pub file_as: Option<String>,
}

/// The merged, validated metadata of a book.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub title: String,
    pub subtitle: Option<String>,
    /// A short title for running heads and the like.
    pub short_title: Option<String>,
    pub creators: Vec<Creator>,
    pub language: Language,
    pub identifier: Identifier,
    /// The publication date (the book's own date: 1933 for the bundled book).
    pub date: Option<Date>,
    /// The moment of the build, as seconds since the Unix epoch: from `SOURCE_DATE_EPOCH` when
    /// set, else derived from `date`, else 0. Never the wall clock.
    pub modified: i64,
    pub rights: Option<String>,
    pub source: Option<String>,
    pub publisher: Option<String>,
    pub description: Option<String>,
    pub subjects: Vec<String>,
    /// The short name used for output files (`alarm-signal`).
    pub slug: String,
    /// The edition's version (`version` in book.toml), for release file names.
    pub version: Option<String>,
}

impl Metadata {
    /// The authors' names joined for display ("A, B and C").
    pub fn author_line(&self) -> Option<String> {
        let names: Vec<&str> = self
            .creators
            .iter()
            .filter(|c| c.role == CreatorRole::Author)
            .map(|c| c.name.as_str())
            .collect();
        match names.as_slice() {
            [] => None,
            [one] => Some(one.to_string()),
            [init @ .., last] => Some(format!("{} and {}", init.join(", "), last)),
        }
    }

    /// `modified` as `YYYY-MM-DDThh:mm:ssZ`.
    pub fn modified_iso(&self) -> String {
        let (y, m, d, hh, mm, ss) = civil_from_unix(self.modified);
        format!("{y:04}-{m:02}-{d:02}T{hh:02}:{mm:02}:{ss:02}Z")
    }
}

/// Converts seconds since the Unix epoch to a UTC civil date and time (Howard Hinnant's
/// `civil_from_days` algorithm).
pub fn civil_from_unix(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// Seconds since the Unix epoch of midnight UTC on a civil date (inverse of
/// [`civil_from_unix`]).
pub fn unix_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages() {
        assert!(Language::parse("en").is_some());
        assert!(Language::parse("en-GB").is_some());
        assert!(Language::parse("zh-Hant-TW").is_some());
        assert!(Language::parse("english").is_none());
        assert!(Language::parse("").is_none());
        assert!(Language::parse("en_GB").is_none());
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("1933").unwrap().to_string(), "1933");
        assert_eq!(Date::parse("1933-03-04").unwrap().to_string(), "1933-03-04");
        assert!(Date::parse("1933-13").is_none());
        assert!(Date::parse("March 1933").is_none());
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(civil_from_unix(0), (1970, 1, 1, 0, 0, 0));
        assert_eq!(civil_from_unix(1_700_000_000), (2023, 11, 14, 22, 13, 20));
        let t = unix_from_civil(1933, 1, 1);
        assert_eq!(civil_from_unix(t), (1933, 1, 1, 0, 0, 0));
    }
}
