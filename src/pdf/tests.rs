//! Tests of the PDF writer on a hand-built document: four pages labelled i, ii, 1, 2, with
//! text in two faces (an `fi` ligature, a decomposed accent, a raised note mark), a rule, a
//! PNG with alpha, a JPEG, a web link, a link inside the book and a two-level outline.
//! The structure is checked with lopdf; `qpdf`, `pdffonts` and `pdftotext` check the file
//! when they are installed (required when `QUIRE_REQUIRE_VALIDATORS=1`).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use lopdf::Object;
use ttf_parser::Face;

use super::write;
use crate::typeset::layout::*;

const W: f64 = 432.0;
const H: f64 = 648.0;

fn font(file: &str, name: &str) -> FontData {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fonts")
        .join(file);
    FontData {
        name: name.into(),
        bytes: Box::leak(std::fs::read(path).unwrap().into_boxed_slice()),
        index: 0,
    }
}

/// Crude shaping: cmap and advances, `fi` as the font's U+FB01 ligature, `é` as `e` plus a
/// combining acute (the acute carrying "" like a cluster's later glyph), spaces as gaps of
/// `space` points instead of glyphs.
fn shape(data: &FontData, text: &str, size: f64, space: f64) -> (Vec<Glyph>, String) {
    let face = Face::parse(data.bytes, 0).unwrap();
    let scale = size / f64::from(face.units_per_em());
    let mut glyphs = Vec::new();
    let mut texts = String::new();
    let mut x = 0.0;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' {
            x += space;
            i += 1;
            continue;
        }
        let mut push = |gid: ttf_parser::GlyphId, text: &str, x: &mut f64| {
            glyphs.push(Glyph {
                id: gid.0,
                text_len: push_text(&mut texts, text),
                x: *x,
                rise: 0.0,
            });
            *x += f64::from(face.glyph_hor_advance(gid).unwrap()) * scale;
        };
        if c == 'f'
            && chars.get(i + 1) == Some(&'i')
            && let Some(lig) = face.glyph_index('\u{FB01}')
        {
            push(lig, "fi", &mut x);
            i += 2;
            continue;
        }
        if c == 'é' {
            push(face.glyph_index('e').unwrap(), "é", &mut x);
            let acute = face.glyph_index('\u{301}').unwrap();
            let before = x;
            push(acute, "", &mut x);
            x = before; // a mark takes no room
            i += 1;
            continue;
        }
        push(face.glyph_index(c).unwrap(), &c.to_string(), &mut x);
        i += 1;
    }
    (glyphs, texts)
}

fn run(font: u32, data: &FontData, text: &str, size: f64, x: f64, y: f64) -> GlyphRun {
    let (glyphs, text) = shape(data, text, size, size * 0.3);
    GlyphRun {
        font: FontId(font),
        size,
        x,
        y,
        glyphs,
        text,
    }
}

fn png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(40, 20, |x, y| {
        image::Rgba([
            (x * 6) as u8,
            (y * 12) as u8,
            128,
            if x < 20 { 255 } else { 128 },
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(32, 16, |x, y| {
        image::Rgb([(x * 8) as u8, (y * 16) as u8, 60])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

/// The first line of the body page, with the x of each word, for the position checks.
pub(super) const BODY_LINE: &str = "The first office of a café was justified";

fn sample() -> Document {
    let regular = font("GentiumBookPlus-Regular.ttf", "GentiumBookPlus-Regular");
    let italic = font("GentiumBookPlus-Italic.ttf", "GentiumBookPlus-Italic");
    let mono = font("DejaVuSansMono.ttf", "DejaVuSansMono");
    let page = |items, links, label: &str| Page {
        width: W,
        height: H,
        sheet: Default::default(),
        items,
        links,
        label: label.into(),
    };

    let title = run(1, &italic, "Alarm Signal", 24.0, 72.0, 150.0);
    let contents = run(
        0,
        &regular,
        "Contents: the Balance Sheet",
        11.0,
        72.0,
        200.0,
    );
    let link_to_body = Link {
        x: 72.0,
        y: 190.0,
        width: 150.0,
        height: 14.0,
        target: LinkTarget::Page { page: 3, y: 72.0 },
    };
    let p1 = page(
        vec![PageItem::Glyphs(title), PageItem::Glyphs(contents)],
        vec![link_to_body],
        "i",
    );

    let caption = run(0, &regular, "A figure and a web address", 11.0, 72.0, 100.0);
    let code = run(2, &mono, "https://example.org/", 9.0, 72.0, 300.0);
    let uri = Link {
        x: 72.0,
        y: 291.0,
        width: 110.0,
        height: 11.0,
        target: LinkTarget::Uri("https://example.org/".into()),
    };
    let p2 = page(
        vec![
            PageItem::Glyphs(caption),
            PageItem::Image {
                image: ImageId(0),
                x: 72.0,
                y: 120.0,
                width: 160.0,
                height: 80.0,
                alt: "A gradient".into(),
            },
            PageItem::Image {
                image: ImageId(1),
                x: 250.0,
                y: 120.0,
                width: 96.0,
                height: 48.0,
                alt: "Stripes ✓".into(),
            },
            PageItem::Rule {
                x: 72.0,
                y: 250.0,
                width: 288.0,
                thickness: 0.5,
            },
            PageItem::Glyphs(code),
        ],
        vec![uri],
        "ii",
    );

    // A justified line: each word shaped alone, the gaps 0.731 pt wider than a space.
    let mut body = GlyphRun {
        font: FontId(0),
        size: 11.0,
        x: 72.0,
        y: 90.0,
        glyphs: vec![],
        text: String::new(),
    };
    let mut x = 0.0;
    for word in BODY_LINE.split(' ') {
        let (glyphs, text) = shape(&regular, word, 11.0, 0.0);
        let face = Face::parse(regular.bytes, 0).unwrap();
        let last = glyphs.last().unwrap();
        let end = last.x
            + f64::from(
                face.glyph_hor_advance(ttf_parser::GlyphId(last.id))
                    .unwrap(),
            ) * 11.0
                / 2048.0;
        body.glyphs
            .extend(glyphs.into_iter().map(|g| Glyph { x: g.x + x, ..g }));
        body.text.push_str(&text);
        x += end + 3.3 + 0.731;
    }
    let mut mark = run(0, &regular, "1", 7.0, 72.0 + 300.0, 90.0);
    mark.glyphs[0].rise = 3.5;
    let second = run(
        0,
        &regular,
        "Several times ten per cent.",
        11.0,
        72.0,
        104.0,
    );
    let p3 = page(
        vec![
            PageItem::Glyphs(body),
            PageItem::Glyphs(mark),
            PageItem::Glyphs(second),
        ],
        vec![],
        "1",
    );
    let p4 = page(
        vec![PageItem::Glyphs(run(
            0,
            &regular,
            "Upon all of you",
            11.0,
            72.0,
            90.0,
        ))],
        vec![],
        "2",
    );

    Document {
        pages: vec![p1, p2, p3, p4],
        fonts: vec![regular, italic, mono],
        images: vec![
            ImageData {
                bytes: Arc::new(png()),
                pixels: (40, 20),
            },
            ImageData {
                bytes: Arc::new(jpeg()),
                pixels: (32, 16),
            },
        ],
        info: DocumentInfo {
            title: "Alarm Signal".into(),
            subtitle: Some("A test".into()),
            author: Some("Anton Ciliga".into()),
            subject: None,
            keywords: vec!["economy".into(), "plan".into()],
            language: "en-GB".into(),
            date: 1_700_000_000,
            creator: "quire 0.1.0".into(),
            identifier: "urn:uuid:00000000-0000-4000-8000-000000000000".into(),
        },
        outline: vec![
            OutlineEntry {
                title: "Contents".into(),
                page: 0,
                y: 190.0,
                children: vec![],
            },
            OutlineEntry {
                title: "Part I — Plan".into(),
                page: 2,
                y: 72.0,
                children: vec![OutlineEntry {
                    title: "Balance".into(),
                    page: 3,
                    y: 80.0,
                    children: vec![],
                }],
            },
        ],
    }
}

fn load(bytes: &[u8]) -> lopdf::Document {
    lopdf::Document::load_mem(bytes).expect("lopdf parses the output")
}

fn deref<'a>(pdf: &'a lopdf::Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(id) => pdf.get_object(*id).unwrap(),
        other => other,
    }
}

fn dict<'a>(pdf: &'a lopdf::Document, obj: &'a Object) -> &'a lopdf::Dictionary {
    deref(pdf, obj).as_dict().unwrap()
}

/// Every Type0 font: (BaseFont, the font dictionary).
fn fonts(pdf: &lopdf::Document) -> BTreeMap<String, lopdf::Dictionary> {
    pdf.objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Type0"))
        .map(|d| {
            (
                String::from_utf8(d.get(b"BaseFont").unwrap().as_name().unwrap().to_vec()).unwrap(),
                d.clone(),
            )
        })
        .collect()
}

#[test]
fn fonts_are_subset_cid_fonts_with_tounicode_and_tagged_names() {
    let bytes = write(&sample()).unwrap();
    let pdf = load(&bytes);
    let fonts = fonts(&pdf);
    assert_eq!(fonts.len(), 3, "{:?}", fonts.keys());
    for (name, font) in &fonts {
        let (tag, ps) = name.split_once('+').unwrap();
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{name}"
        );
        assert!(
            [
                "GentiumBookPlus-Regular",
                "GentiumBookPlus-Italic",
                "DejaVuSansMono"
            ]
            .contains(&ps)
        );
        assert_eq!(
            font.get(b"Encoding").unwrap().as_name().unwrap(),
            b"Identity-H"
        );
        let to_unicode = deref(&pdf, font.get(b"ToUnicode").unwrap())
            .as_stream()
            .unwrap();
        let cmap = String::from_utf8(to_unicode.decompressed_content().unwrap()).unwrap();
        assert!(cmap.contains("beginbfchar"));
        let descendants = font.get(b"DescendantFonts").unwrap().as_array().unwrap();
        let cid_font = dict(&pdf, &descendants[0]);
        assert_eq!(
            cid_font.get(b"Subtype").unwrap().as_name().unwrap(),
            b"CIDFontType2"
        );
        assert!(!cid_font.get(b"W").unwrap().as_array().unwrap().is_empty());
        let descriptor = dict(&pdf, cid_font.get(b"FontDescriptor").unwrap());
        let program = deref(&pdf, descriptor.get(b"FontFile2").unwrap())
            .as_stream()
            .unwrap();
        // Subset: a small fraction of the 300–900 KB originals.
        assert!(
            program.content.len() < 40_000,
            "{name}: {} bytes",
            program.content.len()
        );
        if ps == "GentiumBookPlus-Regular" {
            // The ligature maps back to its two letters.
            assert!(cmap.contains("<00660069>"), "no fi mapping in\n{cmap}");
        }
    }
}

#[test]
fn subset_tag_depends_on_the_glyph_set_only() {
    let with_last_page = |text: &str| {
        let mut doc = sample();
        let regular = doc.fonts[0].clone();
        doc.pages[3].items = vec![PageItem::Glyphs(run(0, &regular, text, 11.0, 72.0, 90.0))];
        fonts(&load(&write(&doc).unwrap()))
    };
    let name = |m: &BTreeMap<String, lopdf::Dictionary>, face: &str| {
        m.keys().find(|k| k.ends_with(face)).cloned().unwrap()
    };
    // "office" and "The office" add no glyph of their own; "Upon" adds U.
    let (a, b, c) = (
        with_last_page("office"),
        with_last_page("The office"),
        with_last_page("Upon"),
    );
    assert_eq!(name(&a, "Regular"), name(&b, "Regular"));
    assert_ne!(name(&a, "Regular"), name(&c, "Regular"));
    assert_eq!(name(&a, "Italic"), name(&c, "Italic"));
}

#[test]
fn catalog_has_lang_labels_outline_metadata_and_version() {
    let bytes = write(&sample()).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7\n"));
    let pdf = load(&bytes);
    let catalog = pdf.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"en-GB");
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    let pages = sample().pages.len();
    let layout: &[u8] = if pages > 1 {
        b"TwoPageRight"
    } else {
        b"SinglePage"
    };
    assert_eq!(
        catalog.get(b"PageLayout").unwrap().as_name().unwrap(),
        layout
    );

    let labels = dict(&pdf, catalog.get(b"PageLabels").unwrap());
    let nums = labels.get(b"Nums").unwrap().as_array().unwrap();
    assert_eq!(nums.len(), 4);
    assert_eq!(nums[0].as_i64().unwrap(), 0);
    assert_eq!(
        dict(&pdf, &nums[1]).get(b"S").unwrap().as_name().unwrap(),
        b"r"
    );
    assert_eq!(nums[2].as_i64().unwrap(), 2);
    assert_eq!(
        dict(&pdf, &nums[3]).get(b"S").unwrap().as_name().unwrap(),
        b"D"
    );
    assert!(dict(&pdf, &nums[3]).get(b"St").is_err());

    let outlines = dict(&pdf, catalog.get(b"Outlines").unwrap());
    assert_eq!(outlines.get(b"Count").unwrap().as_i64().unwrap(), 3);
    let first = dict(&pdf, outlines.get(b"First").unwrap());
    assert_eq!(first.get(b"Title").unwrap().as_str().unwrap(), b"Contents");
    let part = dict(&pdf, first.get(b"Next").unwrap());
    assert!(part.get(b"Next").is_err());
    assert_eq!(part.get(b"Count").unwrap().as_i64().unwrap(), 1);
    let child = dict(&pdf, part.get(b"First").unwrap());
    assert_eq!(child.get(b"Title").unwrap().as_str().unwrap(), b"Balance");
    let pages: Vec<_> = pdf.get_pages().into_values().collect();
    let dest = child.get(b"Dest").unwrap().as_array().unwrap();
    assert_eq!(dest[0].as_reference().unwrap(), pages[3]);
    assert_eq!(dest[3].as_float().unwrap(), (H - 80.0) as f32);

    let xmp = deref(&pdf, catalog.get(b"Metadata").unwrap())
        .as_stream()
        .unwrap();
    let xmp = String::from_utf8(xmp.content.clone()).unwrap();
    for needle in [
        "<dc:language><rdf:Bag><rdf:li>en-GB",
        "Anton Ciliga",
        "2023-11-14T22:13:20Z",
        "quire 0.1.0",
    ] {
        assert!(xmp.contains(needle), "{needle} missing from\n{xmp}");
    }
    let info = dict(&pdf, pdf.trailer.get(b"Info").unwrap());
    assert_eq!(
        info.get(b"CreationDate").unwrap().as_str().unwrap(),
        b"D:20231114221320Z"
    );
    assert_eq!(
        info.get(b"Creator").unwrap().as_str().unwrap(),
        b"quire 0.1.0"
    );
    assert_eq!(info.get(b"Subject").unwrap().as_str().unwrap(), b"A test");

    let page = pdf.get_dictionary(pages[0]).unwrap();
    let media_box: Vec<f32> = page
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert_eq!(media_box, [0.0, 0.0, W as f32, H as f32]);
    assert!(page.get(b"TrimBox").is_ok());
}

#[test]
fn links_are_borderless_uri_and_goto_annotations() {
    let pdf = load(&write(&sample()).unwrap());
    let pages: Vec<_> = pdf.get_pages().into_values().collect();
    let annots = |i: usize| -> Vec<lopdf::Dictionary> {
        match pdf.get_dictionary(pages[i]).unwrap().get(b"Annots") {
            Ok(a) => a
                .as_array()
                .unwrap()
                .iter()
                .map(|r| dict(&pdf, r).clone())
                .collect(),
            Err(_) => vec![],
        }
    };
    let goto = &annots(0)[0];
    assert_eq!(goto.get(b"Subtype").unwrap().as_name().unwrap(), b"Link");
    let border: Vec<f32> = goto
        .get(b"Border")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect();
    assert_eq!(border, [0.0, 0.0, 0.0]);
    assert_eq!(goto.get(b"P").unwrap().as_reference().unwrap(), pages[0]);
    let action = dict(&pdf, goto.get(b"A").unwrap());
    assert_eq!(action.get(b"S").unwrap().as_name().unwrap(), b"GoTo");
    let dest = action.get(b"D").unwrap().as_array().unwrap();
    assert_eq!(dest[0].as_reference().unwrap(), pages[3]);
    assert_eq!(dest[3].as_float().unwrap(), (H - 72.0) as f32);

    let uri = &annots(1)[0];
    let action = dict(&pdf, uri.get(b"A").unwrap());
    assert_eq!(
        action.get(b"URI").unwrap().as_str().unwrap(),
        b"https://example.org/"
    );
    assert!(annots(2).is_empty());
}

#[test]
fn images_jpeg_passes_through_png_gets_a_soft_mask() {
    let doc = sample();
    let pdf = load(&write(&doc).unwrap());
    let images: Vec<&lopdf::Stream> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| {
            s.dict.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Image")
                && s.dict.get(b"SMask").is_ok()
                || s.dict.get(b"Filter").and_then(Object::as_name).ok() == Some(b"DCTDecode")
        })
        .collect();
    assert_eq!(images.len(), 2);
    let jpeg = images
        .iter()
        .find(|s| s.dict.get(b"Filter").unwrap().as_name().unwrap() == b"DCTDecode")
        .unwrap();
    assert_eq!(jpeg.content, *doc.images[1].bytes);
}

#[test]
fn same_document_same_bytes() {
    let a = write(&sample()).unwrap();
    let b = write(&sample()).unwrap();
    assert!(a == b, "two writes differ");
    let trailer = String::from_utf8_lossy(&a[a.len() - 300..]).into_owned();
    assert!(
        !trailer.contains(&"0".repeat(32)),
        "placeholder /ID left in\n{trailer}"
    );
    let mut other = sample();
    other.info.title.push('!');
    assert_ne!(a, write(&other).unwrap());
}

#[test]
fn bad_references_are_errors_not_panics() {
    let mut doc = sample();
    doc.pages[0].links[0].target = LinkTarget::Page { page: 9, y: 0.0 };
    assert!(write(&doc).is_err());

    let mut doc = sample();
    doc.outline[1].children[0].page = 4;
    assert!(write(&doc).is_err());

    let mut doc = sample();
    if let PageItem::Glyphs(run) = &mut doc.pages[0].items[0] {
        run.font = FontId(7);
    }
    assert!(write(&doc).is_err());

    let mut doc = sample();
    if let PageItem::Glyphs(run) = &mut doc.pages[0].items[0] {
        run.glyphs[0].id = 65_000;
    }
    assert!(write(&doc).is_err());

    let mut doc = sample();
    doc.images[0].bytes = Arc::new(b"not an image".to_vec());
    assert!(write(&doc).is_err());

    let mut doc = sample();
    doc.pages.clear();
    assert!(write(&doc).is_err());

    let mut doc = sample();
    doc.fonts[0].bytes = &[0; 100];
    assert!(write(&doc).is_err());
}

/// Runs a tool when it is installed; `None` (with a note) when it is not, unless
/// `QUIRE_REQUIRE_VALIDATORS=1`.
fn tool(name: &str, args: &[&str]) -> Option<std::process::Output> {
    match Command::new(name).args(args).output() {
        Ok(out) => Some(out),
        Err(e) => {
            assert!(
                std::env::var("QUIRE_REQUIRE_VALIDATORS").as_deref() != Ok("1"),
                "{name} is required: {e}"
            );
            eprintln!("note: {name} not run ({e})");
            None
        }
    }
}

#[test]
fn validators_accept_the_file_and_text_lands_where_it_was_put() {
    let doc = sample();
    let bytes = write(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.pdf");
    std::fs::write(&path, &bytes).unwrap();
    if let Ok(keep) = std::env::var("QUIRE_PDF_SAMPLE") {
        std::fs::write(keep, &bytes).unwrap();
    }
    let file = path.to_str().unwrap();

    if let Some(out) = tool("qpdf", &["--check", file]) {
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && !text.to_lowercase().contains("warning"),
            "{text}"
        );
        assert!(
            text.contains("No syntax or stream encoding errors found"),
            "{text}"
        );
    }

    if let Some(out) = tool("pdffonts", &[file]) {
        let text = String::from_utf8_lossy(&out.stdout);
        let rows: Vec<&str> = text.lines().skip(2).collect();
        assert_eq!(rows.len(), 3, "{text}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type(2 words) encoding emb sub uni object id
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
            assert!(
                row.contains("CID TrueType") && row.contains("Identity-H"),
                "{row}"
            );
        }
    }

    if let Some(out) = tool("pdftotext", &["-layout", file, "-"]) {
        let text = String::from_utf8(out.stdout).unwrap();
        for needle in [
            BODY_LINE,
            "Alarm Signal",
            "Several times ten per cent.",
            "https://example.org/",
            "A gradient",
            "Stripes ✓",
        ] {
            assert!(text.contains(needle), "{needle:?} not in\n{text}");
        }
    }

    if let Some(out) = tool("pdftotext", &["-f", "3", "-l", "3", "-bbox", file, "-"]) {
        let html = String::from_utf8(out.stdout).unwrap();
        // The words of the body line and where the layout put their first glyphs.
        let PageItem::Glyphs(run) = &doc.pages[2].items[0] else {
            unreachable!()
        };
        let mut expected = Vec::new();
        let mut glyph = 0;
        for word in BODY_LINE.split(' ') {
            expected.push((word.to_string(), run.x + run.glyphs[glyph].x));
            glyph += word
                .chars()
                .map(|c| usize::from(c == 'é') + 1)
                .sum::<usize>()
                - word.matches("fi").count();
        }
        let words: Vec<(String, f64)> = html
            .lines()
            .filter(|l| l.contains("<word"))
            .map(|l| {
                let x = l
                    .split("xMin=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                let w = l
                    .split('>')
                    .nth(1)
                    .unwrap()
                    .split('<')
                    .next()
                    .unwrap()
                    .to_string();
                (w, x)
            })
            .collect();
        for (word, x) in &expected {
            let found = words
                .iter()
                .find(|(w, _)| w == word)
                .unwrap_or_else(|| panic!("{word} not in {words:?}"));
            assert!((found.1 - x).abs() < 0.05, "{word}: at {} not {x}", found.1);
        }
    }
}

#[test]
fn glyphs_with_no_adjustment_between_them_share_one_hex_string() {
    let doc = sample();
    let pdf = load(&write(&doc).unwrap());
    for (n, (&number, &page_id)) in pdf.get_pages().iter().enumerate() {
        let content = lopdf::content::Content::decode(&pdf.get_page_content(page_id))
            .unwrap_or_else(|e| panic!("page {number}: {e}"));
        let mut codes = 0;
        for op in content.operations.iter().filter(|op| op.operator == "TJ") {
            let array = op.operands[0].as_array().unwrap();
            for pair in array.windows(2) {
                assert!(
                    !matches!(pair, [Object::String(..), Object::String(..)]),
                    "page {number}: two hex strings side by side in {array:?}"
                );
            }
            codes += array
                .iter()
                .filter_map(|o| o.as_str().ok())
                .map(|s| s.len() / 2)
                .sum::<usize>();
        }
        // Every glyph shown once (an image's invisible alt text adds its own).
        let shown: usize = doc.pages[n]
            .items
            .iter()
            .map(|item| match item {
                PageItem::Glyphs(run) => run.glyphs.len(),
                _ => 0,
            })
            .sum();
        let has_alt = doc.pages[n]
            .items
            .iter()
            .any(|item| matches!(item, PageItem::Image { alt, .. } if !alt.trim().is_empty()));
        if has_alt {
            assert!(
                codes > shown,
                "page {number}: {codes} codes for {shown} glyphs"
            );
        } else {
            assert_eq!(codes, shown, "page {number}");
        }
    }
}

fn numbers(obj: &Object) -> Vec<f32> {
    obj.as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_float().unwrap())
        .collect()
}

#[test]
fn a_page_on_a_larger_sheet_has_its_boxes_and_moves_content_links_and_outline() {
    let mut doc = sample();
    // Page 1, a recto, bleeds on the right; page 4, a verso, on the left, with crop marks.
    doc.pages[0].sheet = Sheet {
        bleed: Edges {
            top: 9.0,
            bottom: 9.0,
            left: 0.0,
            right: 9.0,
        },
        crop_marks: false,
    };
    doc.pages[3].sheet = Sheet {
        bleed: Edges {
            top: 9.0,
            bottom: 9.0,
            left: 9.0,
            right: 0.0,
        },
        crop_marks: true,
    };
    let bytes = write(&doc).unwrap();
    let pdf = load(&bytes);
    let pages: Vec<_> = pdf.get_pages().into_values().collect();
    let page = |i: usize| pdf.get_dictionary(pages[i]).unwrap();
    let (w, h) = (W as f32, H as f32);
    assert_eq!(
        numbers(page(0).get(b"MediaBox").unwrap()),
        [0.0, 0.0, w + 9.0, h + 18.0]
    );
    assert_eq!(
        numbers(page(0).get(b"BleedBox").unwrap()),
        [0.0, 0.0, w + 9.0, h + 18.0]
    );
    assert_eq!(
        numbers(page(0).get(b"TrimBox").unwrap()),
        [0.0, 9.0, w, h + 9.0]
    );
    // Crop marks: the sheet reaches 30 pt beyond the trim on every edge.
    assert_eq!(
        numbers(page(3).get(b"MediaBox").unwrap()),
        [0.0, 0.0, w + 60.0, h + 60.0]
    );
    assert_eq!(
        numbers(page(3).get(b"BleedBox").unwrap()),
        [21.0, 21.0, w + 30.0, h + 39.0]
    );
    assert_eq!(
        numbers(page(3).get(b"TrimBox").unwrap()),
        [30.0, 30.0, w + 30.0, h + 30.0]
    );
    // A page on its trim has no BleedBox.
    assert!(page(1).get(b"BleedBox").is_err());
    assert_eq!(numbers(page(1).get(b"TrimBox").unwrap()), [0.0, 0.0, w, h]);

    // The registration colour the marks are drawn in.
    let resources = dict(&pdf, page(3).get(b"Resources").unwrap());
    let spaces = dict(&pdf, resources.get(b"ColorSpace").unwrap());
    let reg = spaces.get(b"CSReg").unwrap().as_array().unwrap();
    assert_eq!(reg[1].as_name().unwrap(), b"All");
    let content = String::from_utf8(pdf.get_page_content(pages[3])).unwrap();
    assert!(content.starts_with("q\n1 0 0 1 30 30 cm\n"), "{content}");
    assert!(content.contains("/CSReg CS 1 SCN 0.25 w"), "{content}");
    // The bottom-left corner's marks: 12 to 30 pt beyond the trim.
    assert!(content.contains("18 30 m 0 30 l S"), "{content}");
    assert!(content.contains("30 18 m 30 0 l S"), "{content}");

    // The link on page 1 and its destination on page 4 moved with their trims.
    let annot = dict(
        &pdf,
        &page(0).get(b"Annots").unwrap().as_array().unwrap()[0],
    );
    let rect = numbers(annot.get(b"Rect").unwrap());
    assert_eq!(rect[0], 72.0);
    assert_eq!(rect[1], (9.0 + H - 190.0 - 14.0) as f32);
    let action = dict(&pdf, annot.get(b"A").unwrap());
    let dest = action.get(b"D").unwrap().as_array().unwrap();
    assert_eq!(dest[3].as_float().unwrap(), (30.0 + H - 72.0) as f32);
    let outlines = dict(&pdf, pdf.catalog().unwrap().get(b"Outlines").unwrap());
    let part = dict(
        &pdf,
        dict(&pdf, outlines.get(b"First").unwrap())
            .get(b"Next")
            .unwrap(),
    );
    let child = dict(&pdf, part.get(b"First").unwrap());
    let dest = child.get(b"Dest").unwrap().as_array().unwrap();
    assert_eq!(dest[3].as_float().unwrap(), (30.0 + H - 80.0) as f32);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, &bytes).unwrap();
    let file = path.to_str().unwrap();
    if let Some(out) = tool("qpdf", &["--check", file]) {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    if let Some(out) = tool("pdftotext", &["-f", "4", "-l", "4", "-bbox", file, "-"]) {
        let html = String::from_utf8(out.stdout).unwrap();
        let upon = html
            .lines()
            .find(|l| l.contains(">Upon<"))
            .unwrap_or_else(|| panic!("{html}"));
        let x: f64 = upon
            .split("xMin=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!((x - (30.0 + 72.0)).abs() < 0.05, "{upon}");
    }
}

#[test]
fn groups_turn_clip_and_colour_their_items() {
    let mut doc = sample();
    let PageItem::Glyphs(run) = doc.pages[3].items[0].clone() else {
        unreachable!()
    };
    doc.pages[3].items = vec![
        PageItem::Group(Group {
            x: 200.0,
            y: 100.0,
            turn: Turn::Clockwise,
            clip: Some((0.0, -20.0, 300.0, 30.0)),
            color: Some(Color::Rgb(1.0, 0.0, 0.0)),
            items: vec![PageItem::Glyphs(GlyphRun {
                x: 0.0,
                y: 0.0,
                ..run
            })],
        }),
        PageItem::Rect {
            x: 10.0,
            y: 20.0,
            width: 30.0,
            height: 40.0,
        },
    ];
    let bytes = write(&doc).unwrap();
    let pdf = load(&bytes);
    let pages: Vec<_> = pdf.get_pages().into_values().collect();
    let content = String::from_utf8(pdf.get_page_content(pages[3])).unwrap();
    let expected = format!(
        "q\n0 -1 1 0 200 {} cm\n0 -10 300 30 re W n\n1 0 0 rg\nBT",
        H - 100.0
    );
    assert!(content.starts_with(&expected), "{content}");
    assert!(
        content.contains(&format!("10 {} 30 40 re\nf", H - 60.0)),
        "{content}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("group.pdf");
    std::fs::write(&path, &bytes).unwrap();
    if let Some(out) = tool(
        "pdftotext",
        &["-f", "4", "-l", "4", path.to_str().unwrap(), "-"],
    ) {
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Upon all of you"), "{text}");
    }
}
