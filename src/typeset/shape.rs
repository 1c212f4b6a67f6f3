//! Shaping: text in a style → glyphs with advances, via `rustybuzz` (HarfBuzz's algorithm).
//!
//! The shaper is the single source of glyph ids and advances: the line breaker measures with
//! them and the PDF writer emits exactly them.
//!
//! - Kerning and standard ligatures are on (`kern`, `liga`, `clig`, the font's defaults);
//!   [`Style::Mono`] turns ligatures off (`liga`, `clig`, `dlig`, `calt`) so code keeps one glyph
//!   per character.
//! - **Fallback**: the text is split into runs by face. A character the styled face lacks is
//!   set in the fallback face ([`Fonts::fallback`]) as its own run; a character no face has is
//!   left out of the glyphs and listed in [`Shaped::missing`] (once per call, in order of first
//!   appearance), for the caller to report with the manuscript position. Combining marks,
//!   variation selectors and other default-ignorable characters stay with the preceding
//!   character's run when its face lacks them, so they never start a run of their own or get
//!   reported.
//! - Each glyph carries the text of its cluster ([`ShapedGlyph::text`]): a ligature `fi` is
//!   one glyph with text `"fi"`; a cluster of several glyphs gives its text to the first (in
//!   visual order) and `""` to the others. The PDF's ToUnicode map relies on this.
//! - All lengths are in **ems**; multiply by the font size in points.
//! - **Cache**: each distinct (style, text) is shaped once per [`Shaper`]; runs are shared as
//!   `Arc`s. Shape plans (the compiled feature lookups) are made once per face and script.
//!   The shaper is `Send + Sync`, for batch builds sharing one across threads.

use std::sync::{Arc, RwLock};

use rustc_hash::FxHashMap;
use rustybuzz::{Direction, Feature, Script, ShapePlan, UnicodeBuffer, ttf_parser::Tag};

use super::font::{FaceId, Fonts, Style};

/// One shaped glyph; lengths in ems.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedGlyph {
    /// Glyph id in the face.
    pub id: u16,
    /// How far the pen moves after this glyph.
    pub advance: f64,
    /// Offset of the glyph from the pen position (positive y = up).
    pub x_offset: f64,
    pub y_offset: f64,
    /// The cluster's text on its first glyph, `""` on the others.
    pub text: compact_str::CompactString,
}

/// A run of glyphs in one face.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    pub face: FaceId,
    pub glyphs: Vec<ShapedGlyph>,
    /// Sum of the advances, in ems.
    pub width: f64,
}

/// Shaped text: runs in visual order.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    pub runs: Vec<Arc<ShapedRun>>,
    /// Characters no face has, in order of first appearance, each once; they are not in `runs`.
    pub missing: Vec<char>,
    /// Sum of the run widths, in ems.
    pub width: f64,
}

/// A compiled shape plan for one face, direction and script.
struct Plan {
    face: FaceId,
    direction: Direction,
    script: Option<Script>,
    /// Without `ccmp` (see [`is_simple`]).
    simple: bool,
    plan: Arc<ShapePlan>,
}

/// Shapes text with a set of fonts, caching the results.
pub struct Shaper {
    fonts: Arc<Fonts>,
    /// One cache per style, keyed by the text.
    cache: [RwLock<FxHashMap<Box<str>, Shaped>>; 5],
    plans: RwLock<Vec<Plan>>,
    /// The words' hyphenation points, cached like their shapes.
    hyphens: super::hyphenate::Cache,
}

impl std::fmt::Debug for Shaper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shaper")
            .field("fonts", &self.fonts)
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// A shaping buffer reused between calls on one thread.
    static BUFFER: std::cell::Cell<Option<UnicodeBuffer>> = const { std::cell::Cell::new(None) };
}

/// Ligatures off, for code.
const NO_LIGATURES: [&[u8; 4]; 4] = [b"liga", b"clig", b"dlig", b"calt"];

impl Shaper {
    pub fn new(fonts: Arc<Fonts>) -> Self {
        Shaper {
            fonts,
            cache: Default::default(),
            plans: RwLock::new(Vec::new()),
            hyphens: Default::default(),
        }
    }

    pub fn fonts(&self) -> &Fonts {
        &self.fonts
    }

    /// The shared fonts (for handing to the PDF stage).
    pub fn fonts_arc(&self) -> &Arc<Fonts> {
        &self.fonts
    }

    /// Shapes `text` (a word or part of one, no line breaks) in `style`. See the module docs
    /// for ligatures, kerning, fallback and missing characters. Cached per (style, text).
    pub fn shape(&self, text: &str, style: Style) -> Shaped {
        let cache = &self.cache[style.index()];
        if let Some(hit) = cache.read().unwrap_or_else(|e| e.into_inner()).get(text) {
            return hit.clone();
        }
        let shaped = self.shape_uncached(text, style);
        cache
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(text.into())
            .or_insert(shaped)
            .clone()
    }

    /// Where `word` may be hyphenated in `lang` ([`super::hyphenate::hyphenate`], cached).
    pub fn hyphenate(&self, word: &str, lang: &str) -> Vec<usize> {
        self.hyphens.hyphenate(word, lang)
    }

    /// Width of `text` in `style`, in ems (uses the cache).
    pub fn width(&self, text: &str, style: Style) -> f64 {
        let cache = &self.cache[style.index()];
        if let Some(hit) = cache.read().unwrap_or_else(|e| e.into_inner()).get(text) {
            return hit.width;
        }
        self.shape(text, style).width
    }

    /// How many distinct (style, text) pairs have been shaped.
    pub fn cached(&self) -> usize {
        self.cache
            .iter()
            .map(|c| c.read().unwrap_or_else(|e| e.into_inner()).len())
            .sum()
    }

    fn shape_uncached(&self, text: &str, style: Style) -> Shaped {
        let styled = self.fonts.face(style);
        // The common case: the styled face has every character. Shape the whole text in it and
        // only split it by face when a glyph comes out as .notdef.
        let run = self.shape_run(text, styled, style);
        if run.glyphs.iter().all(|g| g.id != 0) {
            let width = run.width;
            let runs = if run.glyphs.is_empty() {
                Vec::new()
            } else {
                vec![Arc::new(run)]
            };
            return Shaped {
                runs,
                missing: Vec::new(),
                width,
            };
        }
        let mut runs = Vec::new();
        let mut missing = Vec::new();
        for (face, range) in self.segment(text, styled, &mut missing) {
            let run = self.shape_run(&text[range], face, style);
            if !run.glyphs.is_empty() {
                runs.push(Arc::new(run));
            }
        }
        let width = runs.iter().map(|r| r.width).sum();
        Shaped {
            runs,
            missing,
            width,
        }
    }

    /// Splits `text` into maximal ranges set in one face, leaving out characters no face has
    /// (pushed onto `missing`).
    fn segment(
        &self,
        text: &str,
        styled: FaceId,
        missing: &mut Vec<char>,
    ) -> Vec<(FaceId, std::ops::Range<usize>)> {
        let fonts = &*self.fonts;
        let fallback = fonts.fallback();
        let mut segments: Vec<(FaceId, std::ops::Range<usize>)> = Vec::new();
        for (i, c) in text.char_indices() {
            let end = i + c.len_utf8();
            let face = if fonts.has_char(styled, c) {
                Some(styled)
            } else if let Some(last) = segments.last().filter(|s| s.1.end == i && clings(c)) {
                // A mark or an invisible character stays with what it modifies.
                Some(last.0)
            } else if clings(c) && segments.is_empty() {
                Some(styled)
            } else if fonts.has_char(fallback, c) {
                Some(fallback)
            } else {
                None
            };
            match face {
                Some(face) => match segments.last_mut() {
                    Some(last) if last.0 == face && last.1.end == i => last.1.end = end,
                    _ => segments.push((face, i..end)),
                },
                None => {
                    if !missing.contains(&c) {
                        missing.push(c);
                    }
                }
            }
        }
        segments
    }

    fn shape_run(&self, text: &str, face_id: FaceId, style: Style) -> ShapedRun {
        self.shape_run_with(text, face_id, style, true)
    }

    /// [`Shaper::shape_run`], optionally never skipping `ccmp` (for the tests).
    fn shape_run_with(
        &self,
        text: &str,
        face_id: FaceId,
        style: Style,
        allow_simple: bool,
    ) -> ShapedRun {
        let face = self.fonts.get(face_id);
        let mut buffer = BUFFER.with(|b| b.take()).unwrap_or_default();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let simple = allow_simple && is_simple(text, buffer.script());
        let plan = self.plan(face_id, style, buffer.direction(), buffer.script(), simple);
        let mut output = rustybuzz::shape_with_plan(&face.rb, &plan, buffer);
        if simple && splits_a_cluster(&output) {
            // The face lacks a precomposed letter and normalisation decomposed it: `ccmp` may
            // be needed after all (e.g. a dotless i under a mark), so shape with it.
            let mut buffer = output.clear();
            buffer.push_str(text);
            buffer.guess_segment_properties();
            let plan = self.plan(face_id, style, buffer.direction(), buffer.script(), false);
            output = rustybuzz::shape_with_plan(&face.rb, &plan, buffer);
        }
        let run = self.collect(text, face_id, &output);
        BUFFER.with(|b| b.set(Some(output.clear())));
        run
    }

    /// The glyphs of a shaped run, each with its cluster's text.
    fn collect(&self, text: &str, face_id: FaceId, output: &rustybuzz::GlyphBuffer) -> ShapedRun {
        let face = self.fonts.get(face_id);

        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        // Cluster starts in logical order, to find where each cluster's text ends.
        let mut starts: Vec<usize> = infos.iter().map(|g| g.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let scale = face.scale;
        let mut glyphs = Vec::with_capacity(infos.len());
        let mut width = 0.0;
        let mut seen: Vec<usize> = Vec::new();
        for (info, pos) in infos.iter().zip(positions) {
            let start = info.cluster as usize;
            let text = if seen.contains(&start) {
                compact_str::CompactString::default()
            } else {
                seen.push(start);
                let k = starts.partition_point(|&s| s <= start);
                let end = starts.get(k).copied().unwrap_or(text.len());
                compact_str::CompactString::from(text.get(start..end).unwrap_or(""))
            };
            let advance = f64::from(pos.x_advance) * scale;
            width += advance;
            glyphs.push(ShapedGlyph {
                id: u16::try_from(info.glyph_id).unwrap_or(0),
                advance,
                x_offset: f64::from(pos.x_offset) * scale,
                y_offset: f64::from(pos.y_offset) * scale,
                text,
            });
        }
        ShapedRun {
            face: face_id,
            glyphs,
            width,
        }
    }

    /// The shape plan for a face, direction and script, made on first use.
    fn plan(
        &self,
        face: FaceId,
        style: Style,
        direction: Direction,
        script: Script,
        simple: bool,
    ) -> Arc<ShapePlan> {
        let script = Some(script);
        let find = |plans: &[Plan]| {
            plans
                .iter()
                .find(|p| {
                    p.face == face
                        && p.direction == direction
                        && p.script == script
                        && p.simple == simple
                })
                .map(|p| Arc::clone(&p.plan))
        };
        if let Some(plan) = find(&self.plans.read().unwrap_or_else(|e| e.into_inner())) {
            return plan;
        }
        let mut plans = self.plans.write().unwrap_or_else(|e| e.into_inner());
        if let Some(plan) = find(&plans) {
            return plan;
        }
        let mut features: Vec<Feature> = if style == Style::Mono {
            NO_LIGATURES
                .iter()
                .map(|tag| Feature::new(Tag::from_bytes(tag), 0, ..))
                .collect()
        } else {
            vec![
                Feature::new(Tag::from_bytes(b"kern"), 1, ..),
                Feature::new(Tag::from_bytes(b"liga"), 1, ..),
            ]
        };
        if simple {
            features.push(Feature::new(Tag::from_bytes(b"ccmp"), 0, ..));
        }
        let plan = Arc::new(ShapePlan::new(
            &self.fonts.get(face).rb,
            direction,
            script,
            None,
            &features,
        ));
        plans.push(Plan {
            face,
            direction,
            script,
            simple,
            plan: Arc::clone(&plan),
        });
        plan
    }
}

/// Whether `text` can be shaped without the `ccmp` feature (glyph composition and
/// decomposition): Latin, Greek or Cyrillic (or script-neutral) text with no combining marks
/// or other clinging characters, where `ccmp` has nothing to compose (if the face lacks a
/// precomposed letter, normalisation decomposes it and the text is shaped again with `ccmp`,
/// see [`splits_a_cluster`]). Skipping it halves
/// the shaping time of Gentium, whose `ccmp` lookups are long; the tests check that the
/// output is unchanged on the bundled manuscript and alphabets.
fn is_simple(text: &str, script: Script) -> bool {
    use rustybuzz::script;
    [
        script::LATIN,
        script::GREEK,
        script::CYRILLIC,
        script::COMMON,
    ]
    .contains(&script)
        && text.chars().all(|c| !clings(c))
}

/// Whether some cluster has more than one glyph (clusters are contiguous in the output).
fn splits_a_cluster(output: &rustybuzz::GlyphBuffer) -> bool {
    output
        .glyph_infos()
        .windows(2)
        .any(|w| w[0].cluster == w[1].cluster)
}

/// Whether `c` attaches to the preceding character: combining marks, variation selectors,
/// joiners and other default-ignorable code points.
fn clings(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'   // combining diacritical marks
        | '\u{1AB0}'..='\u{1AFF}' // … extended
        | '\u{1DC0}'..='\u{1DFF}' // … supplement
        | '\u{20D0}'..='\u{20FF}' // … for symbols
        | '\u{0483}'..='\u{0489}' // Cyrillic combining marks
        | '\u{FE20}'..='\u{FE2F}' // combining half marks
        | '\u{00AD}'              // soft hyphen
        | '\u{180B}'..='\u{180F}' // Mongolian variation selectors
        | '\u{200B}'..='\u{200F}' // zero-width space, joiners, direction marks
        | '\u{202A}'..='\u{202E}' // bidi embedding controls
        | '\u{2060}'..='\u{206F}' // word joiner, invisible operators
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}'              // zero-width no-break space
        | '\u{E0000}'..='\u{E0FFF}' // tags, variation selectors supplement
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shaper() -> Shaper {
        Shaper::new(Fonts::bundled())
    }

    fn texts(s: &Shaped) -> Vec<&str> {
        s.runs
            .iter()
            .flat_map(|r| r.glyphs.iter().map(|g| g.text.as_str()))
            .collect()
    }

    #[test]
    fn shaper_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Shaper>();
        check::<Fonts>();
    }

    #[test]
    fn fi_and_fl_ligatures_are_one_glyph_carrying_both_letters() {
        let s = shaper();
        let shaped = s.shape("final", Style::Regular);
        assert_eq!(texts(&shaped), ["fi", "n", "a", "l"]);
        let shaped = s.shape("flow", Style::Italic);
        assert_eq!(texts(&shaped), ["fl", "o", "w"]);
        // Code keeps one glyph per letter.
        let shaped = s.shape("final", Style::Mono);
        assert_eq!(texts(&shaped), ["f", "i", "n", "a", "l"]);
    }

    #[test]
    fn kerning_narrows_av() {
        let s = shaper();
        let fonts = s.fonts();
        let face = fonts.face(Style::Regular);
        let shaped = s.shape("AV", Style::Regular);
        let plain: f64 = ['A', 'V']
            .iter()
            .map(|&c| fonts.advance(face, fonts.glyph(face, c).unwrap()))
            .sum();
        assert!(
            shaped.width < plain - 0.02,
            "AV {} vs {plain}",
            shaped.width
        );
        assert!((s.width("A", Style::Regular) + s.width("V", Style::Regular) - plain).abs() < 1e-9);
    }

    #[test]
    fn cyrillic_and_greek_shape_in_the_body_face() {
        let s = shaper();
        for word in ["Пролетарии", "всех", "стран", "λόγος", "Ἀθῆναι"]
        {
            for style in [
                Style::Regular,
                Style::Italic,
                Style::Bold,
                Style::BoldItalic,
            ] {
                let shaped = s.shape(word, style);
                assert!(shaped.missing.is_empty(), "{word} {style:?}");
                assert_eq!(shaped.runs.len(), 1, "{word} {style:?}");
                assert_eq!(shaped.runs[0].face, s.fonts().face(style));
                assert!(shaped.runs[0].glyphs.iter().all(|g| g.id != 0));
                assert_eq!(texts(&shaped).concat(), word);
            }
        }
    }

    #[test]
    fn characters_the_face_lacks_come_from_the_fallback() {
        let s = shaper();
        let shaped = s.shape("a☞b", Style::Regular);
        let faces: Vec<FaceId> = shaped.runs.iter().map(|r| r.face).collect();
        let body = s.fonts().face(Style::Regular);
        assert_eq!(faces, [body, s.fonts().fallback(), body]);
        assert_eq!(texts(&shaped), ["a", "☞", "b"]);
        assert!(shaped.missing.is_empty());
        let sum: f64 = shaped.runs.iter().map(|r| r.width).sum();
        assert!((shaped.width - sum).abs() < 1e-12);
    }

    #[test]
    fn characters_no_face_has_are_missing_and_skipped() {
        let s = shaper();
        let shaped = s.shape("a\u{1F680}b\u{E000}\u{1F680}", Style::Regular);
        assert_eq!(shaped.missing, ['\u{1F680}', '\u{E000}']);
        assert_eq!(texts(&shaped), ["a", "b"]);
        let body = s.fonts().face(Style::Regular);
        assert!(shaped.runs.iter().all(|r| r.face == body));
        let only = s.shape("\u{1F680}", Style::Bold);
        assert!(only.runs.is_empty());
        assert_eq!(only.width, 0.0);
    }

    #[test]
    fn marks_stay_with_their_base() {
        let s = shaper();
        // e + combining acute: one run in the body face, nothing missing.
        let shaped = s.shape("cafe\u{301}", Style::Regular);
        assert!(shaped.missing.is_empty());
        assert_eq!(shaped.runs.len(), 1);
        assert_eq!(texts(&shaped).concat(), "cafe\u{301}");
        // A zero-width joiner or variation selector never shows up as missing.
        let shaped = s.shape("a\u{200D}b\u{FE0F}", Style::Regular);
        assert!(shaped.missing.is_empty(), "{:?}", shaped.missing);
    }

    #[test]
    fn cache_shares_runs() {
        let s = shaper();
        let a = s.shape("workers", Style::Regular);
        let b = s.shape("workers", Style::Regular);
        assert!(Arc::ptr_eq(&a.runs[0], &b.runs[0]));
        let c = s.shape("workers", Style::Italic);
        assert!(!Arc::ptr_eq(&a.runs[0], &c.runs[0]));
        assert_eq!(s.cached(), 2);
        assert_eq!(s.width("workers", Style::Regular), a.width);
    }

    /// Skipping `ccmp` for simple text changes nothing, in the bundled faces, on the bundled
    /// manuscript and on Latin, Greek and Cyrillic letters alone, and ASCII letter pairs.
    #[test]
    fn simple_plan_gives_the_same_glyphs() {
        let s = shaper();
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/manuscript/alarm-signal.md"
        ))
        .unwrap();
        let mut words: Vec<String> = text.split_whitespace().map(str::to_string).collect();
        let letters: Vec<char> = ('\u{21}'..='\u{24F}')
            .chain('\u{370}'..='\u{3FF}')
            .chain('\u{400}'..='\u{4FF}')
            .chain('\u{1E00}'..='\u{1FFF}')
            .chain('\u{2010}'..='\u{205E}')
            .filter(|&c| !clings(c))
            .collect();
        words.extend(letters.iter().map(|c| c.to_string()));
        for a in ('A'..='Z').chain('a'..='z') {
            for b in 'a'..='z' {
                words.push(format!("{a}{b}"));
            }
        }
        words.sort();
        words.dedup();
        for style in [Style::Regular, Style::BoldItalic, Style::Mono] {
            let face = s.fonts().face(style);
            for w in &words {
                let fast = s.shape_run_with(w, face, style, true);
                let full = s.shape_run_with(w, face, style, false);
                assert_eq!(fast, full, "{w:?} in {style:?}");
            }
        }
    }

    #[test]
    fn empty_text() {
        let shaped = shaper().shape("", Style::Regular);
        assert!(shaped.runs.is_empty() && shaped.missing.is_empty());
        assert_eq!(shaped.width, 0.0);
    }

    #[test]
    fn shared_across_threads() {
        let s = shaper();
        let words = ["one", "two", "three", "four"];
        let widths: Vec<f64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..4)
                .map(|_| scope.spawn(|| words.iter().map(|w| s.width(w, Style::Regular)).sum()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(widths.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(s.cached(), 4);
    }

    /// Shapes every word of the bundled manuscript cold and warm; run with
    /// `cargo test --release -- --ignored --nocapture shape_manuscript_timing`.
    #[test]
    #[ignore]
    fn shape_manuscript_timing() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/manuscript/alarm-signal.md"
        ))
        .unwrap();
        let words: Vec<&str> = text.split_whitespace().collect();
        let t = std::time::Instant::now();
        let fonts = Fonts::bundled();
        let parse = t.elapsed();
        let s = Shaper::new(fonts);
        let t = std::time::Instant::now();
        let mut missing = 0;
        for w in &words {
            missing += s.shape(w, Style::Regular).missing.len();
        }
        let cold = t.elapsed();
        let t = std::time::Instant::now();
        for w in &words {
            s.shape(w, Style::Regular);
        }
        let warm = t.elapsed();
        println!(
            "{} words, {} distinct, {missing} missing; parse fonts {parse:?}, cold {cold:?}, warm {warm:?}",
            words.len(),
            s.cached()
        );
    }
}
