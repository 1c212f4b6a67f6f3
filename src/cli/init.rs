//! `quire init DIR`: a new book that builds at once, to be filled in.

use crate::config::derived_identifier;
use crate::model::{Creator, CreatorRole, Language};
use std::fs;
use std::path::Path;

pub fn run(dir: &Path, title: Option<String>, author: Option<String>, language: &str) -> i32 {
    if Language::parse(language).is_none() {
        eprintln!(
            "error: `{language}` is not a language tag\n  = hint: use a BCP 47 tag such as `en`, `fr` or `pt-BR`"
        );
        return 2;
    }
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !dir.is_dir() || !empty {
            eprintln!(
                "error: {} already exists and is not an empty folder; nothing was written",
                dir.display()
            );
            eprintln!("  = hint: choose a new folder name, e.g. `quire init my-book`");
            return 1;
        }
    }
    let name = dir.file_name().map_or_else(
        || "My Book".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let title = title.unwrap_or_else(|| title_from_folder(&name));
    let author = author.unwrap_or_else(|| "Your Name".to_string());
    let identifier = derived_identifier(
        &title,
        &[Creator {
            name: author.clone(),
            role: CreatorRole::Author,
            file_as: None,
        }],
    );
    let book_toml = format!(
        "# The book's metadata. Front matter in the manuscript overrides it, -M key=value overrides both.\n\
         title = {title:?}\n\
         # subtitle = \"…\"\n\
         author = {author:?}\n\
         language = {language:?}\n\
         # date = \"2025-01-31\"\n\
         identifier = {id:?}\n\
         rights = \"© {author}. All rights reserved.\"\n\
         # description = \"One paragraph for the stores and the back cover.\"\n\
         manuscript = \"manuscript\"\n\
         # cover = \"covers/front.jpg\"  # 1600 × 2560 px; or `generate-cover = true`, or run `quire cover`\n",
        id = identifier.0
    );
    let manuscript = "# Chapter One\n\n\
        This is the first paragraph of your book. Write it in Markdown: *emphasis*, **strong**,\n\
        and notes that pop up in e-readers and sit at the foot of the page in print.[^first]\n\n\
        Each paragraph after the first is indented, as in a printed book.\n\n\
        ## A Section\n\n\
        Sections are `##` headings; `#` headings open chapters (or parts: `# Part One`).\n\n\
        * * *\n\n\
        Three asterisks make a scene break.\n\n\
        [^first]: Notes are numbered in the order they are referenced.\n";
    let result = (|| -> std::io::Result<()> {
        fs::create_dir_all(dir.join("manuscript"))?;
        fs::create_dir_all(dir.join("covers"))?;
        fs::write(dir.join("book.toml"), book_toml)?;
        fs::write(dir.join("manuscript/book.md"), manuscript)?;
        fs::write(dir.join(".gitignore"), "/out\n")?;
        Ok(())
    })();
    match result {
        Ok(()) => {
            eprintln!(
                "created {}: edit book.toml and manuscript/book.md, then run `quire build {}`",
                dir.display(),
                dir.display()
            );
            0
        }
        Err(e) => {
            eprintln!("error: cannot create {}: {e}", dir.display());
            1
        }
    }
}

/// `my-first-book` → `My First Book`.
fn title_from_folder(name: &str) -> String {
    name.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_uppercase().collect::<String>() + c.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}
