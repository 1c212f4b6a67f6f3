//! Book configuration: `book.toml`, the manuscript's front matter and `-M key=value` flags,
//! merged in that order (later wins) and validated into [`model::Metadata`].
//!
//! The same keys are accepted everywhere (`book.toml` uses TOML, front matter YAML between `---`
//! lines or TOML between `+++` lines). Pandoc's names are accepted as aliases (`lang`,
//! `keywords`, `subject`) so that a pandoc manuscript builds as it is. Unknown keys are warnings
//! that point at the key; a value of the wrong type is an error.
//!
//! [`model::Metadata`]: crate::model::Metadata

pub mod print;

use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::model::{Creator, CreatorRole, Date, Identifier, Language, Metadata};
use serde::Deserialize;
use serde::de::IgnoredAny;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One string or a list of strings (`author = "A"` or `author = ["A", "B"]`).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

/// The keys of `book.toml` and of front matter. Every field is optional here; [`resolve`]
/// applies defaults and checks values.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct BookConfig {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub short_title: Option<String>,
    #[serde(alias = "authors")]
    pub author: Option<OneOrMany>,
    #[serde(alias = "editors")]
    pub editor: Option<OneOrMany>,
    #[serde(alias = "translators")]
    pub translator: Option<OneOrMany>,
    #[serde(alias = "illustrators")]
    pub illustrator: Option<OneOrMany>,
    /// The sort form of the (first) author's name: `Trotsky, Leon`.
    pub author_sort: Option<String>,
    #[serde(alias = "lang")]
    pub language: Option<String>,
    pub date: Option<String>,
    pub identifier: Option<String>,
    pub rights: Option<String>,
    pub source: Option<String>,
    pub publisher: Option<String>,
    #[serde(alias = "abstract")]
    pub description: Option<String>,
    #[serde(alias = "keywords", alias = "subject")]
    pub subjects: Option<OneOrMany>,
    /// The manuscript: a Markdown file, a list of them, or a folder of them.
    pub manuscript: Option<OneOrMany>,
    /// The cover art, relative to the book's folder (`covers/front.jpg`).
    pub cover: Option<String>,
    /// Make a typographic cover from the title, subtitle and author when no `cover` is named.
    pub generate_cover: Option<bool>,
    /// The base name of the output files.
    pub slug: Option<String>,
    /// The edition's version, for release file names (`{slug}-{version}.epub`).
    pub version: Option<String>,
    /// `[print]`: trim size and type size of the PDF (or `print = "ingramspark"`).
    #[serde(default, deserialize_with = "print::print_field")]
    pub print: Option<print::PrintConfig>,
    /// `[fonts]`: font files for the PDF.
    pub fonts: Option<print::FontsConfig>,
    /// Keys quire does not know, kept to warn about them.
    #[serde(flatten)]
    pub unknown: BTreeMap<String, IgnoredAny>,
}

/// The keys a user can set, for help texts and `-M` validation.
pub const KNOWN_KEYS: &[&str] = &[
    "title",
    "subtitle",
    "short-title",
    "author",
    "editor",
    "translator",
    "illustrator",
    "author-sort",
    "language",
    "date",
    "identifier",
    "rights",
    "source",
    "publisher",
    "description",
    "subjects",
    "manuscript",
    "cover",
    "generate-cover",
    "slug",
    "version",
    "print",
    "fonts",
];

/// The syntax a config text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Toml,
    Yaml,
}

/// Where a config text sits: a file of its own, or front matter inside a manuscript.
#[derive(Debug, Clone, Copy)]
pub struct ConfigSource {
    pub file: FileId,
    /// Byte offset of the config text in the file.
    pub offset: usize,
    pub syntax: Syntax,
}

/// Which layer a config came from, for messages.
impl ConfigSource {
    fn span_at(&self, local: usize) -> Span {
        Span::point(self.file, self.offset + local)
    }
}

/// Parses one config text. Errors and warnings go to `diags`; on a syntax error the result is
/// an empty config (so that other problems can still be reported).
pub fn parse(text: &str, source: ConfigSource, diags: &mut Diagnostics) -> BookConfig {
    let parsed: Result<BookConfig, (Option<usize>, String)> = match source.syntax {
        Syntax::Toml => {
            toml::from_str(text).map_err(|e| (e.span().map(|s| s.start), e.message().to_string()))
        }
        Syntax::Yaml if text.trim().is_empty() => Ok(BookConfig::default()),
        Syntax::Yaml => serde_saphyr::from_str(text).map_err(|e| {
            let offset = e
                .location()
                .and_then(|loc| offset_of_line_col(text, loc.line(), loc.column()));
            (offset, first_line(&e.to_string()))
        }),
    };
    match parsed {
        Ok(config) => {
            let nested = [
                (
                    "print",
                    config.print.as_ref().map(|p| &p.unknown),
                    print::PRINT_KEYS,
                ),
                (
                    "fonts",
                    config.fonts.as_ref().map(|f| &f.unknown),
                    print::FONT_KEYS,
                ),
            ];
            for (table, unknown, known) in nested {
                for key in unknown.into_iter().flat_map(|u| u.keys()) {
                    let offset = find_table_key(text, table, key).unwrap_or(0);
                    diags.push(
                        Diagnostic::warning(
                            source.span_at(offset),
                            format!("unknown key `{key}` in [{table}]"),
                        )
                        .with_hint(format!(
                            "the key is ignored; [{table}] takes {}",
                            known.join(", ")
                        )),
                    );
                }
            }
            for key in config.unknown.keys() {
                let offset = find_key(text, key, source.syntax).unwrap_or(0);
                let known = closest_key(key);
                let mut d = Diagnostic::warning(
                    source.span_at(offset),
                    format!("unknown metadata key `{key}`"),
                );
                d = match known {
                    Some(k) => d.with_hint(format!("did you mean `{k}`? The key is ignored")),
                    None => d.with_hint(format!(
                        "the key is ignored; known keys: {}",
                        KNOWN_KEYS.join(", ")
                    )),
                };
                diags.push(d);
            }
            config
        }
        Err((offset, message)) => {
            let what = match source.syntax {
                Syntax::Toml => "TOML",
                Syntax::Yaml => "YAML",
            };
            diags.push(
                Diagnostic::error(
                    source.span_at(offset.unwrap_or(0)),
                    format!("invalid {what}: {message}"),
                )
                .with_hint("fix the syntax or the value's type (text in quotes, lists in [ ])"),
            );
            BookConfig::default()
        }
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

fn offset_of_line_col(text: &str, line: u64, column: u64) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(usize::try_from(line).ok()? - 2)
            .map(|(i, _)| i + 1)?
    };
    let rest = &text[line_start..];
    let col = usize::try_from(column.saturating_sub(1)).ok()?;
    Some(line_start + rest.char_indices().nth(col).map_or(rest.len(), |(i, _)| i))
}

/// The byte offset of a top-level key in a config text (`key =` in TOML before the first
/// table, `key:` at the start of a line in YAML).
fn find_key(text: &str, key: &str, syntax: Syntax) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if syntax == Syntax::Toml && trimmed.starts_with('[') {
            return None;
        }
        let bare = trimmed
            .strip_prefix('"')
            .and_then(|t| t.strip_prefix(key))
            .and_then(|t| t.strip_prefix('"'));
        let after = bare.or_else(|| trimmed.strip_prefix(key));
        let sep = if syntax == Syntax::Toml { '=' } else { ':' };
        if let Some(after) = after
            && after.trim_start().starts_with(sep)
            && (syntax == Syntax::Toml || indent == 0)
        {
            return Some(offset + indent);
        }
        offset += line.len();
    }
    None
}

/// The byte offset of `key` inside the TOML table `[table]` (or of the table's header, or of
/// `table:` in YAML), for messages about nested keys.
pub(crate) fn find_table_key(text: &str, table: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    let mut in_table = false;
    let mut header = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('[') {
            in_table = trimmed
                .trim_end()
                .trim_end_matches(']')
                .trim_start_matches('[')
                .trim()
                == table;
            if in_table {
                header = Some(offset + indent);
            }
        } else if trimmed.starts_with(&format!("{table}:")) && indent == 0 {
            in_table = true;
            header = Some(offset);
        } else if in_table && trimmed.starts_with(key) {
            let after = trimmed[key.len()..].trim_start();
            if after.starts_with('=') || after.starts_with(':') {
                return Some(offset + indent);
            }
        }
        offset += line.len();
    }
    header
}

/// A known key close to a misspelt one (same letters but one edit, or a common synonym).
fn closest_key(key: &str) -> Option<&'static str> {
    let synonyms = [
        ("creator", "author"),
        ("isbn", "identifier"),
        ("copyright", "rights"),
        ("year", "date"),
    ];
    if let Some((_, k)) = synonyms.iter().find(|(s, _)| *s == key) {
        return Some(k);
    }
    KNOWN_KEYS
        .iter()
        .copied()
        .find(|k| edit_distance(k, key) <= 2)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A config value with the place it was set, for messages about bad values.
#[derive(Debug, Clone)]
pub struct Layer {
    pub config: BookConfig,
    /// Where the layer's text is (`None` for command-line flags).
    pub source: Option<(ConfigSource, String)>,
}

impl Layer {
    /// The span of `key` in this layer, when it was set in a file.
    fn key_span(&self, key: &str) -> Option<Span> {
        let (source, text) = self.source.as_ref()?;
        find_key(text, key, source.syntax).map(|o| source.span_at(o))
    }
}

/// Applies `-M key=value` flags. An unknown key is an error message for the command line.
pub fn apply_flag(config: &mut BookConfig, key: &str, value: &str) -> Result<(), String> {
    let v = Some(value.to_string());
    let many = Some(OneOrMany::One(value.to_string()));
    match key {
        "title" => config.title = v,
        "subtitle" => config.subtitle = v,
        "short-title" => config.short_title = v,
        "author" | "authors" => config.author = many,
        "editor" => config.editor = many,
        "translator" => config.translator = many,
        "illustrator" => config.illustrator = many,
        "author-sort" => config.author_sort = v,
        "language" | "lang" => config.language = v,
        "date" => config.date = v,
        "identifier" => config.identifier = v,
        "rights" => config.rights = v,
        "source" => config.source = v,
        "publisher" => config.publisher = v,
        "description" => config.description = v,
        "subjects" | "keywords" => config.subjects = many,
        "cover" => config.cover = v,
        "generate-cover" => {
            config.generate_cover = Some(match value.trim() {
                "true" | "yes" => true,
                "false" | "no" => false,
                _ => return Err(format!("generate-cover=`{value}` is not true or false")),
            });
        }
        "slug" => config.slug = v,
        "version" => config.version = v,
        _ => {
            return Err(format!(
                "unknown metadata key `{key}` (known: {})",
                KNOWN_KEYS.join(", ")
            ));
        }
    }
    Ok(())
}

/// Merges layers, later ones winning key by key. Returns the merged config and, for each key,
/// the layer index that set it (to point diagnostics at the right file).
pub fn merge(layers: &[Layer]) -> (BookConfig, BTreeMap<&'static str, usize>) {
    let mut out = BookConfig::default();
    let mut origin = BTreeMap::new();
    macro_rules! take {
        ($($field:ident => $key:literal),* $(,)?) => {
            for (i, layer) in layers.iter().enumerate() {
                $(
                    if layer.config.$field.is_some() {
                        out.$field = layer.config.$field.clone();
                        origin.insert($key, i);
                    }
                )*
            }
        };
    }
    take!(
        title => "title", subtitle => "subtitle", short_title => "short-title", author => "author",
        editor => "editor", translator => "translator", illustrator => "illustrator",
        author_sort => "author-sort", language => "language", date => "date",
        identifier => "identifier", rights => "rights", source => "source",
        publisher => "publisher", description => "description", subjects => "subjects",
        manuscript => "manuscript", cover => "cover", generate_cover => "generate-cover",
        slug => "slug", version => "version",
    );
    // `[print]` and `[fonts]` merge key by key: a workspace's trim survives a book's font size.
    for (i, layer) in layers.iter().enumerate() {
        if let Some(print) = &layer.config.print {
            let merged = out.print.get_or_insert_with(Default::default);
            let print = print.clone();
            merged.trim = print.trim.or(merged.trim.take());
            merged.font_size = print.font_size.or(merged.font_size);
            merged.leading = print.leading.or(merged.leading);
            if print.service.is_some() {
                merged.short_form = print.short_form;
            }
            merged.service = print.service.or(merged.service.take());
            merged.paper = print.paper.or(merged.paper.take());
            merged.bleed = print.bleed.or(merged.bleed);
            merged.crop_marks = print.crop_marks.or(merged.crop_marks);
            origin.insert("print", i);
        }
        if let Some(fonts) = &layer.config.fonts {
            let merged = out.fonts.get_or_insert_with(Default::default);
            let fonts = fonts.clone();
            merged.regular = fonts.regular.or(merged.regular.take());
            merged.italic = fonts.italic.or(merged.italic.take());
            merged.bold = fonts.bold.or(merged.bold.take());
            merged.bold_italic = fonts.bold_italic.or(merged.bold_italic.take());
            merged.mono = fonts.mono.or(merged.mono.take());
            origin.insert("fonts", i);
        }
    }
    (out, origin)
}

/// Everything [`resolve`] needs besides the layers.
pub struct ResolveContext<'a> {
    pub sources: &'a SourceMap,
    /// Used for the title when none is given (a lone `notes.md` is titled `notes`).
    pub fallback_title: &'a str,
    /// `SOURCE_DATE_EPOCH`, when set.
    pub source_date_epoch: Option<i64>,
}

/// Validates the merged config into metadata. Problems are pointed at the layer that set the key.
pub fn resolve(layers: &[Layer], cx: &ResolveContext<'_>, diags: &mut Diagnostics) -> Metadata {
    let (config, origin) = merge(layers);
    let span_of = |key: &str| key_span(layers, &origin, key);
    let _ = cx.sources;

    let title = match config
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        Some(t) => t.to_string(),
        None => {
            diags.push(
                Diagnostic::warning(
                    None,
                    format!("the book has no title; using `{}`", cx.fallback_title),
                )
                .with_hint("set `title` in book.toml or in the manuscript's front matter"),
            );
            cx.fallback_title.to_string()
        }
    };

    let mut creators = Vec::new();
    let roles = [
        (&config.author, CreatorRole::Author),
        (&config.editor, CreatorRole::Editor),
        (&config.translator, CreatorRole::Translator),
        (&config.illustrator, CreatorRole::Illustrator),
    ];
    for (names, role) in roles {
        for name in names.clone().map(OneOrMany::into_vec).unwrap_or_default() {
            let name = name.trim().to_string();
            if !name.is_empty() {
                creators.push(Creator {
                    name,
                    role,
                    file_as: None,
                });
            }
        }
    }
    if let Some(sort) = config
        .author_sort
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match creators.iter_mut().find(|c| c.role == CreatorRole::Author) {
            Some(first) => first.file_as = Some(sort.to_string()),
            None => diags.push(
                Diagnostic::warning(
                    span_of("author-sort"),
                    "`author-sort` is set but the book has no author",
                )
                .with_hint("set `author` too, or remove `author-sort`"),
            ),
        }
    }

    let language = match config.language.as_deref() {
        Some(tag) => Language::parse(tag).unwrap_or_else(|| {
            diags.push(
                Diagnostic::error(
                    span_of("language"),
                    format!("`{tag}` is not a language tag"),
                )
                .with_hint("use a BCP 47 tag such as `en`, `en-GB`, `fr` or `ru`"),
            );
            Language::parse("en").expect("`en` is a valid tag")
        }),
        None => {
            diags.push(
                Diagnostic::warning(
                    None,
                    "the book's language is not set; assuming English (`en`)",
                )
                .with_hint("set `language = \"…\"` in book.toml or `lang:` in front matter"),
            );
            Language::parse("en").expect("`en` is a valid tag")
        }
    };

    let date = config.date.as_deref().and_then(|d| {
        let parsed = Date::parse(d);
        if parsed.is_none() {
            diags.push(
                Diagnostic::error(
                    span_of("date"),
                    format!("`{d}` is not a date quire can use"),
                )
                .with_hint("write it as YYYY, YYYY-MM or YYYY-MM-DD (e.g. `1933` or `1933-03-04`)"),
            );
        }
        parsed
    });

    let modified = cx.source_date_epoch.unwrap_or_else(|| {
        date.as_ref().map_or(0, |d| {
            crate::model::unix_from_civil(
                i64::from(d.year),
                u32::from(d.month.unwrap_or(1)),
                u32::from(d.day.unwrap_or(1)),
            )
        })
    });

    let identifier = match config
        .identifier
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(id) => {
            if id.chars().any(char::is_whitespace) {
                diags.push(
                    Diagnostic::error(
                        span_of("identifier"),
                        format!("identifier `{id}` contains spaces"),
                    )
                    .with_hint("use a URN such as `urn:isbn:9780000000000` or `urn:uuid:…`"),
                );
            }
            Identifier(id.to_string())
        }
        None => derived_identifier(&title, &creators),
    };

    let slug = match config.slug.as_deref() {
        Some(s) => {
            let clean = slugify(s);
            if clean != s {
                diags.push(
                    Diagnostic::warning(
                        span_of("slug"),
                        format!("slug `{s}` is not a plain file name; using `{clean}`"),
                    )
                    .with_hint("use lower-case letters, digits and hyphens"),
                );
            }
            clean
        }
        None => slugify(&title),
    };
    let slug = if slug.is_empty() {
        "book".to_string()
    } else {
        slug
    };

    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    let version = nonempty(&config.version);
    if let Some(v) = &version
        && !v
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | '+'))
    {
        diags.push(
            Diagnostic::error(
                span_of("version"),
                format!("version `{v}` cannot be part of a file name"),
            )
            .with_hint("use letters, digits, dots and hyphens, such as `2.1` or `2024-05`"),
        );
    }
    Metadata {
        title,
        subtitle: nonempty(&config.subtitle),
        short_title: nonempty(&config.short_title),
        creators,
        language,
        identifier,
        date,
        modified,
        rights: nonempty(&config.rights),
        source: nonempty(&config.source),
        publisher: nonempty(&config.publisher),
        description: nonempty(&config.description),
        subjects: config.subjects.map(OneOrMany::into_vec).unwrap_or_default(),
        slug,
        version,
    }
}

/// Where `key` was set, in the layer that won it (see [`merge`]).
pub fn key_span(
    layers: &[Layer],
    origin: &BTreeMap<&'static str, usize>,
    key: &str,
) -> Option<Span> {
    let &i = origin.get(key)?;
    layers[i]
        .key_span(key)
        .or_else(|| layers[i].key_span(alias_of(key)))
}

fn alias_of(key: &str) -> &str {
    match key {
        "language" => "lang",
        "author" => "authors",
        "subjects" => "keywords",
        "description" => "abstract",
        other => other,
    }
}

/// A stable `urn:uuid:` identifier derived from the title and creators (a version-8 UUID made of
/// SHA-256 bits), so that a book without an identifier keeps the same one from build to build.
pub fn derived_identifier(title: &str, creators: &[Creator]) -> Identifier {
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    for c in creators {
        h.update([0]);
        h.update(c.name.as_bytes());
    }
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Identifier(format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

/// A file-name-safe form of a title: ASCII lower-case letters and digits, words joined by `-`.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = fold_latin(c);
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '’' || c == '.' || (!c.is_ascii() && c.is_alphanumeric()) {
            // Apostrophes and dots join (`don't` → `dont`, `U.S.S.R.` → `ussr`); other scripts
            // are left out of file names.
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The unaccented ASCII letter of a common accented Latin letter (`é` → `e`), else `c`.
fn fold_latin(c: char) -> char {
    const FOLDS: [(&str, char); 12] = [
        ("àáâãäåāăą", 'a'),
        ("çćčĉċ", 'c'),
        ("ďđ", 'd'),
        ("èéêëēĕėęě", 'e'),
        ("ìíîïĩīĭįı", 'i'),
        ("ñńņňŉ", 'n'),
        ("òóôõöøōŏő", 'o'),
        ("ùúûüũūŭůűų", 'u'),
        ("ýÿŷ", 'y'),
        ("śŝşšș", 's'),
        ("źżž", 'z'),
        ("ľĺļłŀ", 'l'),
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    FOLDS
        .iter()
        .find(|(set, _)| set.contains(lower))
        .map_or(c, |&(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_layer(text: &str, diags: &mut Diagnostics, map: &mut SourceMap) -> Layer {
        let file = map.add("book.toml", text.to_string());
        let source = ConfigSource {
            file,
            offset: 0,
            syntax: Syntax::Toml,
        };
        Layer {
            config: parse(text, source, diags),
            source: Some((source, text.to_string())),
        }
    }

    #[test]
    fn later_layers_win_and_unknown_keys_warn() {
        let mut map = SourceMap::new();
        let mut diags = Diagnostics::new();
        let base = toml_layer(
            "title = \"A\"\nlanguage = \"en\"\ntitel = \"x\"\n",
            &mut diags,
            &mut map,
        );
        let text = "title: B\nlang: fr\n";
        let file = map.add("book.md", format!("---\n{text}---\n"));
        let source = ConfigSource {
            file,
            offset: 4,
            syntax: Syntax::Yaml,
        };
        let front = Layer {
            config: parse(text, source, &mut diags),
            source: Some((source, text.to_string())),
        };
        let mut flags = BookConfig::default();
        apply_flag(&mut flags, "title", "C").unwrap();
        let cx = ResolveContext {
            sources: &map,
            fallback_title: "x",
            source_date_epoch: None,
        };
        let meta = resolve(
            &[
                base,
                front,
                Layer {
                    config: flags,
                    source: None,
                },
            ],
            &cx,
            &mut diags,
        );
        assert_eq!(meta.title, "C");
        assert_eq!(meta.language.as_str(), "fr");
        let warning = diags
            .iter()
            .find(|d| d.message.contains("titel"))
            .expect("unknown key warned");
        assert_eq!(map.location(warning.span.unwrap()), "book.toml:3:1");
        assert!(warning.hint.as_deref().unwrap().contains("`title`"));
    }

    #[test]
    fn bad_values_point_at_their_key() {
        let mut map = SourceMap::new();
        let mut diags = Diagnostics::new();
        let layer = toml_layer(
            "title = \"A\"\n  date = \"March 1933\"\n",
            &mut diags,
            &mut map,
        );
        let cx = ResolveContext {
            sources: &map,
            fallback_title: "x",
            source_date_epoch: Some(5),
        };
        let meta = resolve(&[layer], &cx, &mut diags);
        let err = diags.iter().find(|d| d.is_error()).expect("date error");
        assert_eq!(map.location(err.span.unwrap()), "book.toml:2:3");
        assert_eq!(meta.modified, 5);
    }

    #[test]
    fn type_errors_are_located() {
        let mut map = SourceMap::new();
        let mut diags = Diagnostics::new();
        toml_layer("title = \"A\"\nsubtitle = 3\n", &mut diags, &mut map);
        let err = diags.iter().find(|d| d.is_error()).expect("type error");
        assert_eq!(map.location(err.span.unwrap()), "book.toml:2:12");
    }

    #[test]
    fn slugs_and_identifiers_are_stable() {
        assert_eq!(slugify("Alarm Signal!"), "alarm-signal");
        assert_eq!(slugify("  Ça va? Oui—non "), "ca-va-oui-non");
        assert_eq!(slugify("Don't panic"), "dont-panic");
        let a = derived_identifier("T", &[]);
        assert_eq!(a, derived_identifier("T", &[]));
        assert!(a.0.starts_with("urn:uuid:") && a.0.len() == 45, "{}", a.0);
    }
}
