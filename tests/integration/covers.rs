//! Covers: the bundled book's EPUB cover, the generated cover's bytes, and every kind of bad
//! cover art giving its diagnostic at the `cover` key without a crash or a runaway allocation.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmyk_jpeg;
use crate::common::{
    self, Epub, bundled, copy_bundled_book, describe, parse, quire, repo_root, resolve, run,
    scratch,
};
use crate::validators::{check_with_ace, check_with_epubcheck};

/// The shipped generated cover of the bundled book.
fn shipped_cover() -> Vec<u8> {
    fs::read(repo_root().join("covers/alarm-signal.jpg"))
        .expect("the bundled book ships covers/alarm-signal.jpg")
}

/// The manifest item with the `cover-image` property, and its bytes.
fn cover_image(epub: &Epub) -> (common::Item, Vec<u8>) {
    let item = epub
        .manifest()
        .into_iter()
        .find(|i| i.properties.iter().any(|p| p == "cover-image"))
        .expect("a manifest item with properties=\"cover-image\"");
    let bytes = epub.bytes(&item.path).to_vec();
    (item, bytes)
}

fn pixels(bytes: &[u8]) -> (u32, u32) {
    let img = image::load_from_memory(bytes).expect("the cover image decodes");
    (img.width(), img.height())
}

#[test]
fn the_bundled_epub_opens_on_its_cover() {
    let epub = bundled().read();
    let (item, bytes) = cover_image(&epub);
    assert_eq!(item.media_type, "image/jpeg");
    assert_eq!(
        image::guess_format(&bytes).unwrap(),
        image::ImageFormat::Jpeg
    );
    assert_eq!(pixels(&bytes), (1600, 2560));
    // The shipped JPEG is already what the EPUB needs: it goes in untouched.
    assert!(
        bytes == shipped_cover(),
        "the EPUB's cover is not covers/alarm-signal.jpg"
    );

    // The cover page comes first in the spine and shows the image with its alt text.
    let spine = epub.spine();
    let first = &spine[0];
    let doc = parse(first, epub.text(first));
    let img = doc
        .descendants()
        .find(|n| n.has_tag_name((common::XHTML_NS, "img")))
        .unwrap_or_else(|| panic!("the first spine document {first} has no img"));
    assert_eq!(
        resolve(first, img.attribute("src").unwrap_or_default()),
        item.path
    );
    assert_eq!(
        img.attribute("alt"),
        Some("Cover of Alarm Signal! by Leon Trotsky")
    );
    assert_eq!(img.attribute((common::OPS_NS, "type")), Some("cover"));
    assert_eq!(img.attribute("role"), Some("doc-cover"));

    // The cover landmark and the EPUB 2 guide point at it.
    let nav_path = epub.nav_path();
    let nav = parse(&nav_path, epub.text(&nav_path));
    let landmark = nav
        .descendants()
        .filter(|n| n.has_tag_name((common::XHTML_NS, "a")))
        .find(|a| a.attribute((common::OPS_NS, "type")) == Some("cover"))
        .expect("a cover landmark");
    assert_eq!(
        resolve(&nav_path, landmark.attribute("href").unwrap()),
        *first
    );
    let opf = epub.opf();
    assert!(
        opf.contains("<reference type=\"cover\""),
        "no cover in the guide"
    );
}

/// A copy of the bundled book without its cover file.
fn bundled_copy_without_cover(dir: &Path) -> PathBuf {
    let book = dir.join("book");
    copy_bundled_book(&book);
    let _ = fs::remove_file(book.join("covers/alarm-signal.jpg"));
    book
}

#[test]
fn quire_cover_regenerates_the_shipped_cover_byte_for_byte() {
    let dir = scratch("cover-regenerate-");
    let book = bundled_copy_without_cover(dir.path());
    let target = book.join("covers/alarm-signal.jpg");
    let first = run(quire().arg("cover").arg(&book));
    assert!(first.status.success(), "{}", describe(&first));
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("1600 × 2560 px"),
        "{}",
        describe(&first)
    );
    let made = fs::read(&target).expect("quire cover wrote covers/alarm-signal.jpg");
    assert!(
        made == shipped_cover(),
        "the generated cover differs from the shipped covers/alarm-signal.jpg: regenerate it with \
         `cargo run --release -- cover --force` if the design changed on purpose"
    );
    assert_eq!(pixels(&made), (1600, 2560));

    // A second run in a new process: the same bytes, nothing rewritten.
    let second = run(quire().arg("cover").arg(&book));
    assert!(second.status.success(), "{}", describe(&second));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("up to date"),
        "{}",
        describe(&second)
    );
    assert!(fs::read(&target).unwrap() == made);
}

#[test]
fn quire_cover_keeps_a_different_file_unless_forced() {
    let dir = scratch("cover-force-");
    let book = bundled_copy_without_cover(dir.path());
    let target = book.join("covers/alarm-signal.jpg");
    fs::write(&target, b"the author's own art").unwrap();
    let refused = run(quire().arg("cover").arg(&book));
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--force"),
        "{}",
        describe(&refused)
    );
    assert_eq!(fs::read(&target).unwrap(), b"the author's own art");
    let forced = run(quire().arg("cover").arg("--force").arg(&book));
    assert!(forced.status.success(), "{}", describe(&forced));
    assert!(fs::read(&target).unwrap() == shipped_cover());
}

/// A one-chapter book whose `cover` key is on line 4 and names `covers/<file>`.
fn book_with_cover(file: &str, bytes: Option<&[u8]>) -> tempfile::TempDir {
    let dir = scratch("cover-case-");
    fs::write(
        dir.path().join("book.toml"),
        format!(
            "title = \"A Book of Covers\"\nauthor = \"A. Writer\"\nlanguage = \"en\"\ncover = \"covers/{file}\"\nmanuscript = \"book.md\"\n"
        ),
    )
    .unwrap();
    fs::write(dir.path().join("book.md"), "# One\n\nText.\n").unwrap();
    fs::create_dir_all(dir.path().join("covers")).unwrap();
    if let Some(bytes) = bytes {
        fs::write(dir.path().join("covers").join(file), bytes).unwrap();
    }
    dir
}

/// What one run of quire said.
struct Said {
    code: Option<i32>,
    stderr: String,
}

fn quire_in(dir: &Path, args: &[&str]) -> Said {
    let output = run(quire().args(args).current_dir(dir));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        !stderr.contains("panicked"),
        "quire panicked:\n{}",
        describe(&output)
    );
    Said {
        code: output.status.code(),
        stderr,
    }
}

impl Said {
    /// Asserts a diagnostic of `severity` containing `needle`, at the `cover` key.
    fn expect(&self, severity: &str, needle: &str) -> &Self {
        let found = self.stderr.split("\n\n").any(|block| {
            let head = block.trim_start().lines().next().unwrap_or("");
            head.starts_with(&format!("{severity}: "))
                && head.contains(needle)
                && block.contains("--> book.toml:4:1\n")
                && block.contains("= hint: ")
        });
        assert!(
            found,
            "expected {severity} containing {needle:?} at book.toml:4:1 with a hint, got:\n{}",
            self.stderr
        );
        self
    }

    fn code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "exit code; stderr:\n{}", self.stderr);
        self
    }
}

fn png(image: &image::DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[test]
fn a_missing_cover_is_an_error() {
    let dir = book_with_cover("front.jpg", None);
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "cover `covers/front.jpg` does not exist");
}

#[test]
fn a_corrupt_cover_is_an_error() {
    let dir = book_with_cover("front.jpg", Some(b"\xFF\xD8\xFF\xE0 this is no picture"));
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "cover `covers/front.jpg` cannot be decoded");
    let dir = book_with_cover("front.png", Some(b"PNG? no, a letter"));
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "cannot be decoded");
    // Half a JPEG: decoders would fill the rest with grey.
    let half = &shipped_cover()[..shipped_cover().len() / 2];
    let dir = book_with_cover("front.jpg", Some(half));
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "cut off before its end");
}

#[test]
fn a_tiny_cover_is_an_error_and_a_small_one_a_warning() {
    let tiny = png(&image::DynamicImage::ImageRgb8(
        image::RgbImage::from_pixel(100, 100, image::Rgb([200, 200, 200])),
    ));
    let dir = book_with_cover("front.png", Some(&tiny));
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "is 100 × 100 px, smaller than the 625 × 1000 px");

    let small = png(&image::DynamicImage::ImageRgb8(
        image::RgbImage::from_pixel(1200, 1920, image::Rgb([200, 200, 200])),
    ));
    let dir = book_with_cover("front.png", Some(&small));
    quire_in(dir.path(), &["build", ".", "--format", "epub"])
        .code(0)
        .expect("warning", "is 1200 × 1920 px, below the 1600 × 2560 px");
    let epub = Epub::open(&dir.path().join("out/a-book-of-covers.epub"));
    let (item, bytes) = cover_image(&epub);
    assert_eq!(item.media_type, "image/jpeg");
    assert_eq!(pixels(&bytes), (1200, 1920));
}

/// PNG pixel kinds: (bit depth, colour type, bytes per pixel).
const GREY8: (u8, u8, usize) = (8, 0, 1);
const RGBA16: (u8, u8, usize) = (16, 6, 8);

/// A `width` × `height` PNG of zeros, written row by row: a few hundred kilobytes that
/// decode to `width × height × bytes per pixel` bytes.
fn png_bomb(width: u32, height: u32, (depth, colour, bytes): (u8, u8, usize)) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(kind);
        out.extend(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend(crc.sum().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([depth, colour, 0, 0, 0]); // deflate, no filter method, no interlace
    chunk(&mut out, b"IHDR", &ihdr);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let row = vec![0u8; width as usize * bytes + 1]; // filter byte 0, then the samples
    for _ in 0..height {
        z.write_all(&row).unwrap();
    }
    let idat = z.finish().unwrap();
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The peak resident memory of a command in KiB, from `/usr/bin/time -v`; `None` without it.
fn peak_kib(dir: &Path, args: &[&str]) -> Option<(u64, String)> {
    let time = Path::new("/usr/bin/time");
    if !time.is_file() {
        common::missing(
            "/usr/bin/time",
            "it is not installed (apt-get install time)",
        );
        return None;
    }
    let output = run(Command::new(time)
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let kib = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in /usr/bin/time's output:\n{stderr}"));
    Some((kib, stderr))
}

#[test]
fn a_png_bomb_is_refused_from_its_header_in_little_memory() {
    let bomb = png_bomb(20_000, 20_000, GREY8);
    assert!(
        bomb.len() < 1024 * 1024,
        "the bomb should be small: {} bytes",
        bomb.len()
    );
    let dir = book_with_cover("front.png", Some(&bomb));
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "is 20000 × 20000 px, more than quire decodes");
    quire_in(dir.path(), &["build", "."]).code(1);
    assert!(
        !dir.path().join("out").exists(),
        "a failed build wrote out/"
    );
    if let Some((kib, stderr)) = peak_kib(dir.path(), &["build", "."]) {
        eprintln!(
            "note: a 20000 × 20000 PNG bomb ({} KiB): quire build peaked at {} MiB",
            bomb.len() / 1024,
            kib / 1024
        );
        assert!(
            kib < 1024 * 1024,
            "quire used {kib} KiB (over 1 GiB):\n{stderr}"
        );
        assert!(stderr.contains("Exit status: 1"), "{stderr}");
    }
}

#[test]
fn the_largest_cover_quire_decodes_stays_under_a_gibibyte() {
    // 8000 × 8000 px of 16-bit RGBA, the most quire reads (512 MiB of samples): decoded,
    // flattened to 8-bit RGB and scaled for the EPUB.
    let big = png_bomb(8000, 8000, RGBA16);
    let dir = book_with_cover("front.png", Some(&big));
    let Some((kib, stderr)) = peak_kib(dir.path(), &["check", "."]) else {
        return;
    };
    eprintln!(
        "note: an 8000 × 8000 16-bit RGBA PNG cover: quire check peaked at {} MiB",
        kib / 1024
    );
    assert!(
        kib < 1024 * 1024,
        "quire used {kib} KiB (over 1 GiB):\n{stderr}"
    );
    // A square, transparent cover: warnings, and no error.
    assert!(stderr.contains("Exit status: 0"), "{stderr}");
    assert!(stderr.contains("times as tall as wide"), "{stderr}");
    assert!(stderr.contains("transparent parts"), "{stderr}");
}

#[test]
fn a_cmyk_jpeg_is_converted_with_a_warning() {
    // Photoshop's kind: Adobe's marker, inverted inks. Cyan ink above, black ink below.
    let cmyk = cmyk_jpeg::encode(1600, 2560, true, |_, by| {
        if by < 160 {
            [255, 0, 0, 0]
        } else {
            [0, 0, 0, 255]
        }
    });
    let dir = book_with_cover("front.jpg", Some(&cmyk));
    quire_in(dir.path(), &["build", ".", "--format", "epub"])
        .code(0)
        .expect("warning", "is a CMYK JPEG; it was converted to RGB");
    let epub = Epub::open(&dir.path().join("out/a-book-of-covers.epub"));
    let (_, bytes) = cover_image(&epub);
    let rgb = image::load_from_memory(&bytes).unwrap().into_rgb8();
    assert_eq!(rgb.dimensions(), (1600, 2560));
    let near = |p: [u8; 3], q: [u8; 3]| p.iter().zip(q).all(|(a, b)| a.abs_diff(b) <= 8);
    assert!(
        near(rgb.get_pixel(800, 400).0, [0, 255, 255]),
        "{:?}",
        rgb.get_pixel(800, 400)
    );
    assert!(
        near(rgb.get_pixel(800, 2000).0, [0, 0, 0]),
        "{:?}",
        rgb.get_pixel(800, 2000)
    );

    // Without the marker the inks could be stored either way: an error.
    let plain = cmyk_jpeg::encode(1600, 2560, false, |_, _| [0, 0, 0, 255]);
    let dir = book_with_cover("front.jpg", Some(&plain));
    quire_in(dir.path(), &["check", "."])
        .code(1)
        .expect("error", "CMYK JPEG without Adobe's colour marker");
}

#[test]
fn build_generates_the_cover_when_book_toml_asks() {
    let dir = scratch("cover-generate-");
    let book = dir.path().join("book");
    copy_bundled_book(&book);
    let toml = fs::read_to_string(book.join("book.toml")).unwrap();
    let toml: String = toml
        .lines()
        .filter(|l| !l.starts_with("cover ="))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "generate-cover = true\n";
    fs::write(book.join("book.toml"), toml).unwrap();
    fs::remove_dir_all(book.join("covers")).unwrap();
    let out = dir.path().join("out");
    let built = common::build_into(&book, &out, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        common::diagnostic_lines(&built.output.stderr).is_empty(),
        "{}",
        describe(&built.output)
    );
    let epub = built.read();
    let (item, bytes) = cover_image(&epub);
    assert_eq!(item.media_type, "image/jpeg");
    assert!(
        bytes == shipped_cover(),
        "the generated cover differs from `quire cover`'s"
    );
    assert!(!book.join("covers").exists(), "build writes only to out/");
    check_with_epubcheck("a book with a generated cover", &built.epub);
    check_with_ace("a book with a generated cover", &built.epub);
}
