//! Each diagnostic of the manuscript stage fires on a small bad manuscript, at the right
//! `file:line:column` (1-based, columns in characters, at the first character of the construct).

use std::path::Path;
use std::process::Command;

/// A book in a temporary folder: `book.toml` plus files, checked with `quire check`.
struct Run {
    code: i32,
    stderr: String,
    _dir: tempfile::TempDir,
}

fn book(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let has_toml = files.iter().any(|(name, _)| *name == "book.toml");
    if !has_toml {
        std::fs::write(
            dir.path().join("book.toml"),
            "title = \"T\"\nauthor = \"A\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\n",
        )
        .unwrap();
    }
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

fn quire(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run quire");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(files: &[(&str, &[u8])]) -> Run {
    let dir = book(files);
    let (code, stderr) = quire(dir.path(), &["check", "."]);
    Run {
        code,
        stderr,
        _dir: dir,
    }
}

impl Run {
    /// Asserts a diagnostic of `severity` whose message contains `needle`, located at `at`
    /// (`file:line:column`).
    fn expect(&self, severity: &str, needle: &str, at: &str) -> &Self {
        let blocks: Vec<&str> = self.stderr.split("\n\n").collect();
        let found = blocks.iter().any(|b| {
            let mut lines = b.trim_start().lines();
            let head = lines.next().unwrap_or("");
            head.starts_with(&format!("{severity}: "))
                && head.contains(needle)
                && b.contains(&format!("--> {at}\n"))
        });
        assert!(
            found,
            "expected {severity} containing {needle:?} at {at}, got:\n{}",
            self.stderr
        );
        self
    }

    fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        self
    }
}

#[test]
fn undefined_note_is_an_error_at_its_bracket() {
    check(&[("book.md", "# One\n\nA sentence.[^x] And more.\n".as_bytes())])
        .code(1)
        .expect(
            "error",
            "`[^x]` is referenced but never defined",
            "book.md:3:12",
        );
}

#[test]
fn unreferenced_note_is_a_warning() {
    check(&[(
        "book.md",
        "# One\n\nText.[^a]\n\n[^a]: Used.\n\n[^b]: Never used.\n".as_bytes(),
    )])
    .code(0)
    .expect(
        "warning",
        "`[^b]` is defined but never referenced",
        "book.md:7:1",
    );
}

#[test]
fn heading_level_jump_is_a_warning() {
    check(&[(
        "book.md",
        "# One\n\nText.\n\n### Too deep\n\nMore.\n".as_bytes(),
    )])
    .code(0)
    .expect("warning", "heading level jumps from 1 to 3", "book.md:5:1");
}

#[test]
fn missing_image_is_an_error() {
    check(&[(
        "book.md",
        "# One\n\nSee  ![a map](images/map.png) here.\n".as_bytes(),
    )])
    .code(1)
    .expect("error", "`images/map.png` does not exist", "book.md:3:6");
}

#[test]
fn image_outside_the_book_is_an_error() {
    check(&[(
        "book.md",
        "# One\n\n![secret](../../etc/passwd.png)\n".as_bytes(),
    )])
    .code(1)
    .expect("error", "outside the book's folder", "book.md:3:1");
}

#[test]
fn unreadable_image_is_an_error() {
    check(&[
        (
            "book.md",
            "# One\n\n![broken](images/broken.png)\n".as_bytes(),
        ),
        ("images/broken.png", b"this is not a PNG at all"),
    ])
    .code(1)
    .expect(
        "error",
        "is not a readable JPEG, PNG, GIF, WebP or SVG file",
        "book.md:3:1",
    );
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let mut text = b"# One\n\nGood line.\nBad \xff byte.\n".to_vec();
    text.extend_from_slice(b"\n");
    check(&[("book.md", &text)])
        .code(1)
        .expect("error", "invalid UTF-8 at byte 22", "book.md:4:5");
}

#[test]
fn broken_raw_html_is_a_warning_and_comments_are_silent() {
    let run = check(&[(
        "book.md",
        "# One\n\nSome <em>unclosed text <!-- a comment --> here.\n\nAnd a </b> stray close.\n"
            .as_bytes(),
    )]);
    run.code(0)
        .expect("warning", "`<em>` is never closed", "book.md:3:6")
        .expect(
            "warning",
            "`</b>` has no matching opening tag",
            "book.md:5:7",
        );
    let headers: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:") || l.starts_with("error:"))
        .collect();
    assert_eq!(
        headers.len(),
        2,
        "only the two HTML problems are reported, comments are dropped silently:\n{}",
        run.stderr
    );
}

#[test]
fn dangling_internal_link_is_a_warning() {
    check(&[(
        "book.md",
        "# One {#one}\n\nGo [to one](#one) or [nowhere](#nope).\n".as_bytes(),
    )])
    .code(0)
    .expect(
        "warning",
        "`#nope` matches no heading or anchor",
        "book.md:3:22",
    );
}

#[test]
fn link_to_a_file_outside_the_book_is_a_warning() {
    check(&[(
        "book.md",
        "# One\n\nRead [this](../other/notes.md).\n".as_bytes(),
    )])
    .code(0)
    .expect("warning", "points outside the book", "book.md:3:6");
}

#[test]
fn unknown_metadata_keys_are_warnings_at_the_key() {
    check(&[
        (
            "book.toml",
            b"title = \"T\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\nsubtitel = \"x\"\n",
        ),
        (
            "book.md",
            "---\nauthor: A\ncolour: blue\n---\n\n# One\n\nText.\n".as_bytes(),
        ),
    ])
    .code(0)
    .expect(
        "warning",
        "unknown metadata key `subtitel`",
        "book.toml:4:1",
    )
    .expect("warning", "unknown metadata key `colour`", "book.md:3:1");
}

#[test]
fn bad_metadata_values_are_errors() {
    check(&[
        (
            "book.toml",
            b"title = \"T\"\nlanguage = \"english\"\nmanuscript = \"book.md\"\n",
        ),
        (
            "book.md",
            "+++\ndate = \"March 1933\"\n+++\n\n# One\n\nText.\n".as_bytes(),
        ),
    ])
    .code(1)
    .expect("error", "`english` is not a language tag", "book.toml:2:1")
    .expect("error", "`March 1933` is not a date", "book.md:2:1");
}

#[test]
fn errors_write_nothing_and_keep_the_last_good_output() {
    let dir = book(&[("book.md", "# One\n\nFine.\n".as_bytes())]);
    let (code, stderr) = quire(dir.path(), &["build", "."]);
    assert_eq!(code, 0, "{stderr}");
    let epub = dir.path().join("out/t.epub");
    let good = std::fs::read(&epub).expect("first build writes out/t.epub");
    std::fs::write(dir.path().join("book.md"), "# One\n\nBroken.[^missing]\n").unwrap();
    let (code, stderr) = quire(dir.path(), &["build", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        std::fs::read(&epub).unwrap(),
        good,
        "the last good EPUB is intact"
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary files left: {leftovers:?}"
    );
}

#[test]
fn single_markdown_file_with_front_matter_builds_without_book_toml() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("essay.md"),
        "---\ntitle: A Short Essay\nauthor: [Ann Author, Bob Writer]\nlang: fr\n---\n\n# Un\n\nTexte.[^n]\n\n[^n]: Note.\n",
    )
    .unwrap();
    let (code, stderr) = quire(
        dir.path(),
        &["build", "essay.md", "-M", "subtitle=Flags win"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    assert!(
        dir.path().join("out/a-short-essay.epub").is_file(),
        "{stderr}"
    );
}

#[test]
fn missing_cover_is_an_error_at_its_key() {
    check(&[
        ("book.toml", b"title = \"T\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\ncover = \"covers/none.jpg\"\n"),
        ("book.md", "# One\n\nText.\n".as_bytes()),
    ])
    .code(1)
    .expect("error", "cover `covers/none.jpg` does not exist", "book.toml:4:1");
}

#[test]
fn named_cover_goes_into_the_epub() {
    let mut png = Vec::new();
    image::RgbImage::from_pixel(1600, 2560, image::Rgb([120, 20, 20]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let dir = book(&[
        ("book.toml", b"title = \"T\"\nauthor = \"A\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\ncover = \"covers/front.png\"\n"),
        ("book.md", "# One\n\nText.\n".as_bytes()),
        ("covers/front.png", &png),
    ]);
    let (code, stderr) = quire(dir.path(), &["build", "."]);
    assert_eq!(code, 0, "{stderr}");
    let file = std::fs::File::open(dir.path().join("out/t.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let opf_name = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .find(|n| n.ends_with(".opf"))
        .unwrap();
    let mut opf = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(&opf_name).unwrap(), &mut opf).unwrap();
    assert!(opf.contains("properties=\"cover-image\""), "{opf}");
    // Made a JPEG, as the stores want it.
    assert!(opf.contains("media-type=\"image/jpeg\""), "{opf}");
}

#[test]
fn print_settings_are_checked_at_their_keys() {
    check(&[
        (
            "book.toml",
            b"title = \"T\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\n\n[print]\ntrim = \"9x6x3\"\nfont-size = 40\ncolour = \"red\"\n\n[fonts]\nregular = \"fonts/none.ttf\"\n",
        ),
        ("book.md", "# One\n\nText.\n".as_bytes()),
    ])
    .code(1)
    .expect("error", "`9x6x3` is not a trim size", "book.toml:6:1")
    .expect("error", "a font size of 40 pt", "book.toml:7:1")
    .expect("warning", "unknown key `colour` in [print]", "book.toml:8:1")
    .expect("error", "cannot use the fonts in [fonts]", "book.toml:11:1");
}

#[test]
fn trim_size_and_font_files_reach_the_pdf() {
    let font = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/DejaVuSans.ttf")).unwrap();
    let dir = book(&[
        (
            "book.toml",
            b"title = \"T\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\n\n[print]\ntrim = \"148x210mm\"\n\n[fonts]\nregular = \"fonts/Body.ttf\"\n",
        ),
        ("book.md", "# One\n\nText in another face.\n".as_bytes()),
        ("fonts/Body.ttf", &font),
    ]);
    let (code, stderr) = quire(dir.path(), &["build", ".", "--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    let pdf = lopdf::Document::load(dir.path().join("out/t.pdf")).expect("a PDF lopdf can read");
    let pages = pdf.get_pages();
    let first = pdf.get_dictionary(*pages.values().next().unwrap()).unwrap();
    let media: Vec<f64> = first
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            o.as_float()
                .map(f64::from)
                .or_else(|_| o.as_i64().map(|i| i as f64))
                .unwrap()
        })
        .collect();
    assert!(
        (media[2] - 419.53).abs() < 0.01 && (media[3] - 595.28).abs() < 0.01,
        "{media:?}"
    );
    let bytes = std::fs::read(dir.path().join("out/t.pdf")).unwrap();
    assert!(
        bytes.windows(11).any(|w| w == b"+DejaVuSans"),
        "the body font is the one named in [fonts]"
    );
}

#[test]
fn a_character_in_no_font_is_reported_once_at_its_place() {
    let run = check(&[(
        "book.md",
        "# One\n\nA mark \u{E000} here and \u{E000} there.\n".as_bytes(),
    )]);
    let (code, stderr) = quire(run._dir.path(), &["build", ".", "--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    let reports = stderr.matches("is in none of the book's fonts").count();
    assert_eq!(reports, 1, "reported once per character:\n{stderr}");
    assert!(
        stderr.contains("--> book.md:3:8\n"),
        "at the character:\n{stderr}"
    );
}

#[test]
fn a_cff_font_is_refused_at_the_fonts_table() {
    let otf = "/usr/share/fonts/opentype/linux-libertine/LinLibertine_R.otf";
    let Ok(font) = std::fs::read(otf) else {
        assert!(
            std::env::var("QUIRE_REQUIRE_VALIDATORS").is_err(),
            "{otf} is missing: .ci/run installs fonts-linuxlibertine"
        );
        eprintln!(
            "skipped: no CFF font at {otf} on this machine (apt-get install fonts-linuxlibertine)"
        );
        return;
    };
    check(&[
        ("book.toml", b"title = \"T\"\nlanguage = \"en\"\nmanuscript = \"book.md\"\n[fonts]\nregular = \"Body.otf\"\n"),
        ("book.md", "# One\n\nText.\n".as_bytes()),
        ("Body.otf", &font),
    ])
    .code(1)
    .expect("error", "Body.otf has PostScript (CFF) outlines", "book.toml:5:1");
}

#[test]
fn a_word_wider_than_the_line_is_broken_with_a_warning_at_the_word() {
    // Digits are never hyphenated: 120 of them make a word twice as wide as the line.
    let long = "0123456789".repeat(12);
    let dir = book(&[(
        "book.md",
        format!("# One\n\nA word: {long} ends here.\n").as_bytes(),
    )]);
    let (code, stderr) = quire(dir.path(), &["build", ".", "--format", "pdf"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("wider than the"), "{stderr}");
    assert!(
        stderr.contains("--> book.md:3:9\n"),
        "the warning points at the word:\n{stderr}"
    );
}
