//! book.toml and front matter.
