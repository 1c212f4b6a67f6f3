//! The machine-readable record of a batch (`--json FILE`), and `quire merge-reports`, which
//! joins the records and checksums of CI shards into one release record.
//!
//! ```json
//! { "quire": "0.1.0", "shard": "1/3", "release": "2024.05", "jobs": 2,
//!   "summary": { "books": 8, "built": 7, "up_to_date": 0, "failed": 1, ... },
//!   "books": [ { "path": "books/alarm", "slug": "alarm", "status": "built",
//!                "outputs": [ { "format": "epub", "path": "dist/alarm-2024.05.epub",
//!                               "file": "alarm-2024.05.epub", "bytes": 81234, "sha256": "…" } ],
//!                "pages": 48, "warnings": [], "errors": [ { "message": "…", "hint": "…",
//!                "file": "books/broken/manuscript/book.md", "line": 3, "column": 12 } ],
//!                "stages": [ { "stage": "parse", "ms": 3.1 }, … ], "ms": 812.0 } ],
//!   "checksums": [ { "file": "alarm-2024.05.epub", "sha256": "…" } ] }
//! ```
//!
//! Books are in the order of their paths and checksums in the order of their file names, so two
//! runs over the same books differ only in their times.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The report format's version, bumped when a field changes meaning.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    pub quire: String,
    pub format: u32,
    pub shard: Option<String>,
    pub release: Option<String>,
    pub jobs: usize,
    pub summary: Summary,
    pub books: Vec<BookReport>,
    pub checksums: Vec<Checksum>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub books: usize,
    pub built: usize,
    pub up_to_date: usize,
    pub failed: usize,
    pub warnings: usize,
    pub errors: usize,
    /// Wall-clock time of the run (the longest shard's, after a merge).
    pub ms: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Built,
    UpToDate,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BookReport {
    /// The book's folder or file, as given (relative to where quire ran).
    pub path: String,
    pub slug: Option<String>,
    pub title: Option<String>,
    pub version: Option<String>,
    pub status: Status,
    pub outputs: Vec<OutputReport>,
    pub pages: Option<usize>,
    pub warnings: Vec<Problem>,
    pub errors: Vec<Problem>,
    pub stages: Vec<StageTime>,
    pub ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct OutputReport {
    pub format: String,
    /// Where it was written, relative to where quire ran.
    pub path: String,
    /// Its name in its output folder (as in SHA256SUMS).
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

/// A diagnostic, with its place when it has one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Problem {
    pub message: String,
    pub hint: Option<String>,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StageTime {
    pub stage: String,
    pub ms: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Checksum {
    pub file: String,
    pub sha256: String,
}

impl Summary {
    /// Counts the books of a report.
    pub fn of(books: &[BookReport], ms: f64) -> Summary {
        let count = |s: Status| books.iter().filter(|b| b.status == s).count();
        Summary {
            books: books.len(),
            built: count(Status::Built),
            up_to_date: count(Status::UpToDate),
            failed: count(Status::Failed),
            warnings: books.iter().map(|b| b.warnings.len()).sum(),
            errors: books.iter().map(|b| b.errors.len()).sum(),
            ms,
        }
    }
}

impl Report {
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain data cannot fail; say so rather than panic if it ever does.
            format!("{{\"error\": \"cannot write the report: {e}\"}}")
        });
        text.push('\n');
        text
    }
}

/// `sha256sum` format: the hash, two spaces, the file name; sorted by file name.
pub fn sha256sums(checksums: &[Checksum]) -> String {
    let mut sorted: Vec<&Checksum> = checksums.iter().collect();
    sorted.sort_by(|a, b| a.file.cmp(&b.file));
    sorted
        .iter()
        .map(|c| format!("{}  {}\n", c.sha256, c.file))
        .collect()
}

/// Reads a `SHA256SUMS` text; an error names the 1-based line that is not `HASH  NAME`.
pub fn parse_sha256sums(text: &str) -> Result<Vec<Checksum>, (usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = || (i + 1, format!("`{line}` is not `SHA256  FILE`"));
        let (hash, file) = line.split_once(' ').ok_or_else(bad)?;
        let file = file.strip_prefix([' ', '*']).ok_or_else(bad)?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) || file.is_empty() {
            return Err(bad());
        }
        out.push(Checksum {
            file: file.to_string(),
            sha256: hash.to_ascii_lowercase(),
        });
    }
    Ok(out)
}

/// Joins shard reports (and extra checksum lists) into one record. Errors: a book in two
/// shards, or one file name with two different hashes.
pub fn merge(reports: Vec<Report>, extra_sums: Vec<Checksum>) -> Result<Report, Vec<String>> {
    let mut errors = Vec::new();
    let mut books: Vec<BookReport> = Vec::new();
    let mut by_path: BTreeMap<String, usize> = BTreeMap::new();
    let mut sums: BTreeMap<String, String> = BTreeMap::new();
    let mut add_sum = |c: &Checksum, errors: &mut Vec<String>| match sums.get(&c.file) {
        Some(h) if *h != c.sha256 => errors.push(format!(
            "`{}` has two different SHA-256 hashes ({h} and {})",
            c.file, c.sha256
        )),
        Some(_) => {}
        None => {
            sums.insert(c.file.clone(), c.sha256.clone());
        }
    };
    let mut ms: f64 = 0.0;
    let (mut release, mut jobs, mut quire) = (None, 0, String::new());
    for report in reports {
        ms = ms.max(report.summary.ms);
        jobs = jobs.max(report.jobs);
        if release.is_none() {
            release = report.release.clone();
        }
        if quire.is_empty() {
            quire = report.quire.clone();
        } else if quire != report.quire {
            errors.push(format!(
                "the reports come from different quire versions ({quire} and {})",
                report.quire
            ));
        }
        for c in &report.checksums {
            add_sum(c, &mut errors);
        }
        for book in report.books {
            if by_path.contains_key(&book.path) {
                errors.push(format!(
                    "book {} is in more than one report (were the shards' numbers repeated?)",
                    book.path
                ));
                continue;
            }
            by_path.insert(book.path.clone(), books.len());
            books.push(book);
        }
    }
    for c in &extra_sums {
        add_sum(c, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    books.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Report {
        quire,
        format: FORMAT,
        shard: None,
        release,
        jobs,
        summary: Summary::of(&books, ms),
        books,
        checksums: sums
            .into_iter()
            .map(|(file, sha256)| Checksum { file, sha256 })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(path: &str, status: Status) -> BookReport {
        BookReport {
            path: path.into(),
            slug: Some(path.into()),
            title: None,
            version: None,
            status,
            outputs: Vec::new(),
            pages: None,
            warnings: Vec::new(),
            errors: Vec::new(),
            stages: Vec::new(),
            ms: 1.0,
        }
    }

    fn report(books: Vec<BookReport>, sums: &[(&str, char)]) -> Report {
        Report {
            quire: "0.1.0".into(),
            format: FORMAT,
            shard: Some("1/2".into()),
            release: None,
            jobs: 2,
            summary: Summary::of(&books, 10.0),
            books,
            checksums: sums
                .iter()
                .map(|(f, c)| Checksum {
                    file: f.to_string(),
                    sha256: c.to_string().repeat(64),
                })
                .collect(),
        }
    }

    #[test]
    fn merges_shards_in_path_order() {
        let a = report(vec![book("b", Status::Built)], &[("b.epub", 'b')]);
        let b = report(vec![book("a", Status::Failed)], &[("a.epub", 'a')]);
        let merged = merge(vec![a, b], Vec::new()).unwrap();
        let paths: Vec<&str> = merged.books.iter().map(|b| b.path.as_str()).collect();
        assert_eq!(paths, ["a", "b"]);
        assert_eq!((merged.summary.built, merged.summary.failed), (1, 1));
        assert_eq!(
            sha256sums(&merged.checksums),
            format!("{}  a.epub\n{}  b.epub\n", "a".repeat(64), "b".repeat(64))
        );
        let text = merged.to_json();
        let back: Report = serde_json::from_str(&text).unwrap();
        assert_eq!(back, merged);
    }

    #[test]
    fn refuses_a_book_twice_or_two_hashes_for_a_file() {
        let a = report(vec![book("a", Status::Built)], &[("a.epub", 'a')]);
        let again = report(vec![book("a", Status::Built)], &[("a.epub", 'b')]);
        let errors = merge(vec![a, again], Vec::new()).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
    }

    #[test]
    fn reads_sha256sums() {
        let text = format!("{}  a.epub\n{} *b.pdf\n", "A".repeat(64), "b".repeat(64));
        let sums = parse_sha256sums(&text).unwrap();
        assert_eq!(sums[0].sha256, "a".repeat(64));
        assert_eq!(sums[1].file, "b.pdf");
        assert_eq!(parse_sha256sums("xyz  a").unwrap_err().0, 1);
    }
}
