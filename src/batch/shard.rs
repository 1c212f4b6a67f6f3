//! `--shard K/N`: a stable share of the books, for spreading a backlist over N CI runners.
//!
//! A book belongs to shard `1 + h mod N`, where `h` is the first eight bytes (big-endian) of
//! the SHA-256 of its shard key. The key is the book's slug as its `book.toml` gives it (`slug`,
//! or the title made into a slug), else the name of its folder or file: it is read without
//! loading the manuscript, so every shard computes the same share from the same files. A hash
//! rather than a round-robin over sorted slugs keeps every other book on its runner when one is
//! added or removed (its outputs stay cached there).

use sha2::{Digest, Sha256};
use std::path::Path;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not K/N (e.g. 2/3)"))?;
        let (index, count): (u64, u64) = (
            k.trim()
                .parse()
                .map_err(|_| format!("`{k}` is not a shard number"))?,
            n.trim()
                .parse()
                .map_err(|_| format!("`{n}` is not a shard count"))?,
        );
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard `{s}` is out of range: K must be 1 to N"));
        }
        Ok(Shard { index, count })
    }

    /// Whether the book with this key is in the shard.
    pub fn contains(&self, key: &str) -> bool {
        let digest = Sha256::digest(key.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % self.count == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard key of a book folder or Markdown file (see the module docs).
pub fn key(path: &Path, single_file: bool) -> String {
    let fallback = || {
        let name = if single_file {
            path.file_stem()
        } else {
            path.file_name()
        };
        name.map_or_else(String::new, |n| {
            crate::config::slugify(&n.to_string_lossy())
        })
    };
    if single_file {
        return fallback();
    }
    let Ok(text) = std::fs::read_to_string(path.join("book.toml")) else {
        return fallback();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return fallback();
    };
    let field = |k: &str| {
        table
            .get(k)
            .and_then(toml::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    field("slug")
        .or_else(|| field("title").map(|t| crate::config::slugify(&t)))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_exactly_one_shard() {
        let keys: Vec<String> = (0..100).map(|i| format!("book-{i}")).collect();
        let shards: Vec<Shard> = (1..=3).map(|k| Shard { index: k, count: 3 }).collect();
        let mut sizes = [0; 3];
        for key in &keys {
            let owners: Vec<usize> = (0..3).filter(|&i| shards[i].contains(key)).collect();
            assert_eq!(owners.len(), 1, "{key}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 20), "{sizes:?}");
    }

    #[test]
    fn parses() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_stable_values() {
        // Pinned: a change of hash would move every book to another runner.
        assert!(
            Shard { index: 1, count: 2 }.contains("alarm-signal")
                ^ Shard { index: 2, count: 2 }.contains("alarm-signal")
        );
        assert_eq!(key(Path::new("/nowhere/my-book.md"), true), "my-book");
    }
}
