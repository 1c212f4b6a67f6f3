//! Step 5: fix epub-builder's OPF and write the final, reproducible zip.
//!
//! epub-builder 0.8 is not reproducible (random UUID identifier, `dcterms:modified` = now,
//! zip entries stamped with the clock) and its OPF lacks a few things. Each fix below is an
//! exact text edit of its template's output that must apply exactly once; if an upgrade of
//! the crate changes the template, the edit fails with an error instead of silently writing a
//! wrong book:
//!
//! 1. `dc:identifier` holds the book's identifier (`unique-identifier` already points at it);
//! 2. `dcterms:modified` is `meta.modified` (from `SOURCE_DATE_EPOCH` or the book's date);
//! 3. the package carries `xml:lang`;
//! 4. the main `dc:title` gets the id its `title-type` refinement points at;
//! 5. the Dublin Core elements epub-builder cannot write (subtitle, creators, date,
//!    publisher, source: see `meta::dc_elements`) are added, and `dc:language` ids no longer use the `epub-creator-` prefix of its creators;
//! 6. the contents page (`nav.xhtml`) is read right after the title page;
//! 7. no two elements share an id.
//!
//! The new archive: `mimetype` first and stored (no extra fields), then `META-INF`, the OPF,
//! nav, NCX, stylesheet, documents in reading order, images, anything else by name; all
//! deflated at level 9 with permissions 0644, Unix as the host system, and one timestamp:
//! `meta.modified` in UTC, clamped to the zip range (1980-01-01 to 2107-12-31) and rounded
//! down to an even second. The bundled book (dated 1933) gets 1980-01-01 00:00:00.

use std::collections::BTreeSet;
use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipArchive, ZipWriter};

use super::EpubError;
use super::escape::escape;
use super::meta::TITLE_ID;
use super::plan::{CSS_FILE, DocKind, NAV_FILE, NCX_FILE, Plan};

const MIMETYPE: &[u8] = b"application/epub+zip";
const OPF_PATH: &str = "OEBPS/content.opf";

/// Re-packs epub-builder's archive with our nav and NCX and a fixed OPF.
pub(crate) fn repack(
    plan: &Plan,
    built: &[u8],
    nav: &str,
    ncx: &str,
) -> Result<Vec<u8>, EpubError> {
    let mut archive = ZipArchive::new(Cursor::new(built))?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let mut file = archive.by_index(i)?;
        if file.is_dir() {
            continue;
        }
        let name = file.name()?.to_string();
        let mut bytes = Vec::with_capacity(file.size() as usize);
        file.read_to_end(&mut bytes)?;
        entries.push((name, bytes));
    }

    let mut seen = BTreeSet::new();
    for (name, bytes) in &mut entries {
        if !seen.insert(name.clone()) {
            return Err(EpubError::new(format!("two zip entries named {name}")));
        }
        if name == OPF_PATH {
            let opf = String::from_utf8(std::mem::take(bytes))
                .map_err(|_| EpubError::new("epub-builder's OPF is not UTF-8"))?;
            *bytes = fix_opf(plan, &opf)?.into_bytes();
        } else if *name == format!("OEBPS/{NAV_FILE}") {
            *bytes = nav.as_bytes().to_vec();
        } else if *name == format!("OEBPS/{NCX_FILE}") {
            *bytes = ncx.as_bytes().to_vec();
        }
    }
    for required in [
        "mimetype".to_string(),
        OPF_PATH.to_string(),
        format!("OEBPS/{NAV_FILE}"),
        format!("OEBPS/{NCX_FILE}"),
    ] {
        if !seen.contains(&required) {
            return Err(EpubError::new(format!("epub-builder wrote no {required}")));
        }
    }
    entries.retain(|(name, _)| name != "mimetype");
    entries.sort_by_cached_key(|(name, _)| order_key(plan, name));

    let options = SimpleFileOptions::default()
        .last_modified_time(timestamp(&plan.book.meta.modified_iso()))
        .unix_permissions(0o644)
        .system(System::Unix)
        .large_file(false);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file(
        "mimetype",
        options.compression_method(CompressionMethod::Stored),
    )?;
    zip.write_all(MIMETYPE)?;
    let deflated = options
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(9));
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), deflated)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// The place of an entry in the archive.
fn order_key(plan: &Plan, name: &str) -> (u8, usize, String) {
    let in_oebps = name.strip_prefix("OEBPS/");
    let (rank, index) = if name == "META-INF/container.xml" {
        (0, 0)
    } else if name.starts_with("META-INF/") {
        (1, 0)
    } else if name == OPF_PATH {
        (2, 0)
    } else if in_oebps == Some(NAV_FILE) {
        (3, 0)
    } else if in_oebps == Some(NCX_FILE) {
        (4, 0)
    } else if in_oebps == Some(CSS_FILE) {
        (5, 0)
    } else if let Some(d) = plan
        .docs
        .iter()
        .position(|d| Some(d.file.as_str()) == in_oebps)
    {
        (6, d)
    } else if in_oebps.is_some() && in_oebps == plan.cover_image.as_deref() {
        (7, 0)
    } else if let Some(i) = plan
        .images
        .iter()
        .position(|p| Some(p.as_str()) == in_oebps)
    {
        (8, i)
    } else {
        (9, 0)
    };
    (rank, index, name.to_string())
}

/// The zip timestamp for `meta.modified`, clamped to the zip range (read back from its ISO
/// form `YYYY-MM-DDThh:mm:ssZ`, so the calendar arithmetic stays in the model).
fn timestamp(iso: &str) -> DateTime {
    let field = |range: std::ops::Range<usize>| iso.get(range).and_then(|s| s.parse::<u16>().ok());
    let parsed = (|| {
        Some((
            field(0..4)?,
            field(5..7)?,
            field(8..10)?,
            field(11..13)?,
            field(14..16)?,
            field(17..19)?,
        ))
    })();
    let earliest = DateTime::default(); // 1980-01-01 00:00:00
    match parsed {
        Some((y, ..)) if iso.len() != 20 || y < 1980 => earliest,
        Some((y, ..)) if y > 2107 => {
            DateTime::from_date_and_time(2107, 12, 31, 23, 59, 58).unwrap_or(earliest)
        }
        Some((y, m, d, hh, mm, ss)) => DateTime::from_date_and_time(
            y,
            m as u8,
            d as u8,
            hh as u8,
            mm as u8,
            (ss - ss % 2) as u8,
        )
        .unwrap_or(earliest),
        None => earliest,
    }
}

/// Replaces the single occurrence of `from` with `to`, or fails naming `what`.
fn replace_once(text: &str, from: &str, to: &str, what: &str) -> Result<String, EpubError> {
    match text.matches(from).count() {
        1 => Ok(text.replacen(from, to, 1)),
        n => Err(EpubError::new(format!(
            "cannot fix the OPF's {what}: expected `{from}` once, found it {n} times"
        ))),
    }
}

/// Replaces the content of the single element that starts with `open` (up to `close`).
fn replace_content(
    text: &str,
    open: &str,
    close: &str,
    content: &str,
    what: &str,
) -> Result<String, EpubError> {
    if text.matches(open).count() != 1 {
        return Err(EpubError::new(format!(
            "cannot fix the OPF's {what}: expected one `{open}`"
        )));
    }
    let start = text.find(open).map(|i| i + open.len());
    let end = start.and_then(|s| text[s..].find(close).map(|e| s + e));
    match (start, end) {
        (Some(s), Some(e)) => Ok(format!("{}{content}{}", &text[..s], &text[e..])),
        _ => Err(EpubError::new(format!(
            "cannot fix the OPF's {what}: no `{close}` after `{open}`"
        ))),
    }
}

fn fix_opf(plan: &Plan, opf: &str) -> Result<String, EpubError> {
    let meta = &plan.book.meta;
    let mut opf = replace_content(
        opf,
        "<dc:identifier id=\"epub-id-1\">",
        "</dc:identifier>",
        &escape(&meta.identifier.0),
        "identifier",
    )?;
    // A check rather than an edit: the package must name the identifier just filled in.
    opf = replace_once(
        &opf,
        "unique-identifier=\"epub-id-1\"",
        "unique-identifier=\"epub-id-1\"",
        "unique-identifier",
    )?;
    opf = replace_content(
        &opf,
        "<meta property=\"dcterms:modified\">",
        "</meta>",
        &meta.modified_iso(),
        "modification date",
    )?;
    opf = replace_once(
        &opf,
        "<package version=\"3.0\" ",
        &format!(
            "<package version=\"3.0\" xml:lang=\"{}\" ",
            escape(plan.lang())
        ),
        "package language",
    )?;
    opf = replace_once(
        &opf,
        "<dc:title>",
        &format!("<dc:title id=\"{TITLE_ID}\">"),
        "title id",
    )?;
    opf = replace_once(
        &opf,
        "<dc:language id=\"epub-creator-0\">",
        "<dc:language id=\"language\">",
        "language id",
    )?;
    if let Some(title_page) = plan.docs.iter().find(|d| d.kind == DocKind::TitlePage) {
        let itemref = format!("<itemref idref=\"{}\"/>", manifest_id(&title_page.file));
        opf = replace_once(
            &opf,
            &itemref,
            &format!("{itemref}\n    <itemref idref=\"nav\"/>"),
            "spine (contents page)",
        )?;
    }
    opf = replace_once(
        &opf,
        "</dc:language>\n",
        &format!("</dc:language>\n{}", super::meta::dc_elements(plan)),
        "Dublin Core elements",
    )?;
    check_unique_ids(&opf)?;
    // The template leaves blank lines where its optional parts were empty.
    let mut tidy: String = opf
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    tidy.push('\n');
    Ok(tidy)
}

/// The manifest id epub-builder gives a file (its private `to_id`, for our ASCII names).
fn manifest_id(file: &str) -> String {
    let safe: String = file
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("id_{safe}")
}

fn check_unique_ids(opf: &str) -> Result<(), EpubError> {
    let mut ids = BTreeSet::new();
    for part in opf.split(" id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or("");
        if !ids.insert(id) {
            return Err(EpubError::new(format!(
                "the OPF has two elements with id {id}"
            )));
        }
    }
    Ok(())
}
