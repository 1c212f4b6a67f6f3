//! Fonts: collect the glyphs each font shows, subset the font to them with `subsetter`, and
//! describe the subset to printpdf as a CID-keyed TrueType font (Type0 + CIDFontType2,
//! Identity-H), so that printpdf writes the font dictionaries, `/FontFile2` and `/ToUnicode`.
//!
//! Invariants:
//! - the content stream shows **subset** glyph ids (= CIDs, Identity-H); [`FontSet::glyph`]
//!   is the one place that translates an original glyph id;
//! - a glyph has one canonical text for `/ToUnicode`: the first non-empty text it carries in
//!   document order. Occurrences that carry another text (a cluster's later glyphs carry "")
//!   are wrapped in an `/ActualText` span by the content writer, so extraction stays right;
//! - the `/W` width of a glyph is its exact advance in thousandths of an em
//!   ([`Subset::width`]), written by [`crate::pdf::finish`] over printpdf's truncated
//!   integers. The content writer computes its `TJ` adjustments against these same numbers,
//!   so glyphs land exactly where the layout put them, with no drift along a line;
//! - `/BaseFont` is `TAG+PostScriptName`, the six-letter tag a hash of the name and the glyph
//!   set: same glyphs, same name, in every process.

use std::collections::BTreeMap;

use printpdf::{FontMetrics, FontType, ParsedFont, PdfFont, PdfFontMetricsStub};
use sha2::{Digest, Sha256};
use ttf_parser::{Face, GlyphId};

use super::PdfError;
use crate::typeset::layout::{Document, FontId, PageItem};

/// Every used font of a document, subset.
pub(super) struct FontSet {
    /// Indexed by [`FontId`]; `None` for fonts no page shows.
    fonts: Vec<Option<Subset>>,
    /// The font that carries image alt text (invisible), if the document has a font.
    pub alt_font: Option<FontId>,
}

/// One font, subset to the glyphs the document shows.
pub(super) struct Subset {
    /// The resource name in the pages' `/Font` dictionary (`F0`, `F1`, …).
    pub resource: String,
    /// `ABCDEF+PostScriptName`.
    pub base_font: String,
    /// Original glyph id → 1 + index into `glyphs` (0: not collected), for the content
    /// writer's lookup of every glyph it shows.
    index: Vec<u32>,
    /// The collected glyphs by original id, which is also subset id order (the
    /// renumbering is monotone).
    glyphs: Vec<SubsetGlyph>,
    program: Vec<u8>,
    upem: u16,
    metrics: PdfFontMetricsStub,
    ascent: i16,
    descent: i16,
}

/// One collected glyph of a subset.
struct SubsetGlyph {
    cid: u16,
    /// Advance in thousandths of an em, for `/W`.
    width: f32,
    /// The canonical text, for `/ToUnicode`.
    text: String,
}

/// A glyph as the content stream shows it.
pub(super) struct PdfGlyph<'a> {
    /// The subset glyph id (the CID).
    pub cid: u16,
    /// Advance in thousandths of an em, exactly as written in `/W`.
    pub width: f32,
    /// The text `/ToUnicode` maps this glyph to.
    pub text: &'a str,
}

/// The glyphs one font shows, collected in document order: a table by glyph id (a book
/// shows millions of glyphs of a few hundred kinds).
#[derive(Default)]
struct Used {
    /// Original glyph id → 1 + index into `glyphs` (0: not seen yet).
    slot: Vec<u32>,
    /// Original glyph id and canonical text, in order of first appearance.
    glyphs: Vec<(u16, String)>,
}

impl Used {
    /// Notes that glyph `gid` shows `text`: the first non-empty text becomes canonical.
    fn add(&mut self, gid: u16, text: &str) {
        if self.slot.is_empty() {
            self.slot = vec![0; usize::from(u16::MAX) + 1];
        }
        match self.slot[usize::from(gid)] {
            0 => {
                self.glyphs.push((gid, text.to_owned()));
                self.slot[usize::from(gid)] = self.glyphs.len() as u32;
            }
            i => {
                let canonical = &mut self.glyphs[i as usize - 1].1;
                if canonical.is_empty() {
                    canonical.push_str(text);
                }
            }
        }
    }

    /// The glyphs by original id.
    fn into_sorted(mut self) -> Vec<(u16, String)> {
        self.glyphs.sort_unstable_by_key(|(gid, _)| *gid);
        self.glyphs
    }
}

impl FontSet {
    /// Collects the used glyphs of every font and subsets the fonts.
    pub fn build(doc: &Document) -> Result<Self, PdfError> {
        let alt_font = alt_font(doc);
        let mut used: Vec<Used> = (0..doc.fonts.len()).map(|_| Used::default()).collect();
        for page in &doc.pages {
            for item in page.all_items() {
                match item {
                    PageItem::Glyphs(run) => {
                        let glyphs = used.get_mut(run.font.0 as usize).ok_or_else(|| {
                            PdfError(format!(
                                "a glyph run uses font {} of {}",
                                run.font.0,
                                doc.fonts.len()
                            ))
                        })?;
                        for (g, text) in run.glyph_texts() {
                            glyphs.add(g.id, text);
                        }
                    }
                    PageItem::Image { alt, .. } => {
                        if let Some(font) = alt_font {
                            let mut buf = [0; 4];
                            for (gid, c) in alt_glyphs(doc, font, alt)? {
                                used[font.0 as usize].add(gid, c.encode_utf8(&mut buf));
                            }
                        }
                    }
                    PageItem::Rule { .. } | PageItem::Rect { .. } | PageItem::Group(_) => {}
                }
            }
        }
        // Each font is subset on its own (fonts are few, subsetting one takes milliseconds).
        let fonts = used
            .into_iter()
            .enumerate()
            .map(|(i, used)| {
                let glyphs = used.into_sorted();
                if glyphs.is_empty() {
                    Ok(None)
                } else {
                    Subset::new(&doc.fonts[i], i, glyphs).map(Some)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FontSet { fonts, alt_font })
    }

    /// The used fonts, in [`FontId`] order.
    pub fn subsets(&self) -> impl Iterator<Item = &Subset> {
        self.fonts.iter().flatten()
    }

    pub fn subset(&self, font: FontId) -> Result<&Subset, PdfError> {
        self.fonts
            .get(font.0 as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| PdfError(format!("font {} is not in the document", font.0)))
    }
}

impl Subset {
    fn new(
        data: &crate::typeset::layout::FontData,
        index: usize,
        used: Vec<(u16, String)>,
    ) -> Result<Self, PdfError> {
        let font_err = |what: &str| PdfError(format!("font {} ({}): {what}", index, data.name));
        let face = Face::parse(data.bytes, data.index).map_err(|e| font_err(&e.to_string()))?;
        if face.tables().glyf.is_none() {
            return Err(font_err("only TrueType (glyf) outlines can be embedded"));
        }
        let upem = face.units_per_em();

        // Monotone renumbering (original order), .notdef first.
        let ids: Vec<u16> = used.iter().map(|(gid, _)| *gid).collect();
        let remapper = subsetter::GlyphRemapper::new_from_glyphs_sorted(&ids);
        let program = subsetter::subset(data.bytes, data.index, &remapper)
            .map_err(|e| font_err(&format!("cannot subset: {e}")))?;

        let mut by_gid = vec![0u32; usize::from(ids.last().copied().unwrap_or(0)) + 1];
        let mut glyphs = Vec::with_capacity(used.len());
        let mut hash = Sha256::new();
        hash.update(data.name.as_bytes());
        for (gid, text) in used {
            let cid = remapper
                .get(gid)
                .ok_or_else(|| font_err(&format!("glyph {gid} lost in subsetting")))?;
            let advance = face
                .glyph_hor_advance(GlyphId(gid))
                .ok_or_else(|| font_err(&format!("glyph {gid} is not in the font")))?;
            hash.update(gid.to_be_bytes());
            glyphs.push(SubsetGlyph {
                cid,
                width: (f64::from(advance) * 1000.0 / f64::from(upem)) as f32,
                text,
            });
            by_gid[usize::from(gid)] = glyphs.len() as u32;
        }
        let tag: String = hash.finalize()[..6]
            .iter()
            .map(|b| char::from(b'A' + b % 26))
            .collect();
        let ps_name: String = data
            .name
            .chars()
            .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
            .collect();

        let bbox = face.global_bounding_box();
        // printpdf derives /ItalicAngle from an hhea-style caret slope (rise, run).
        let slant = -f64::from(face.italic_angle()).to_radians().tan();
        let metrics = PdfFontMetricsStub {
            units_per_em: upem,
            x_min: bbox.x_min,
            y_min: bbox.y_min,
            x_max: bbox.x_max,
            y_max: bbox.y_max,
            caret_slope_rise: 1000,
            caret_slope_run: (slant * 1000.0).round() as i16,
            us_weight_class: face.weight().to_number(),
        };
        Ok(Subset {
            resource: format!("F{index}"),
            base_font: format!("{tag}+{ps_name}"),
            index: by_gid,
            glyphs,
            program,
            upem,
            metrics,
            ascent: face.ascender(),
            descent: face.descender(),
        })
    }

    /// The glyph `gid` (an original id) as the content stream shows it.
    pub fn glyph(&self, gid: u16) -> Result<PdfGlyph<'_>, PdfError> {
        let slot = self.index.get(usize::from(gid)).copied().unwrap_or(0);
        let glyph = (slot as usize)
            .checked_sub(1)
            .and_then(|i| self.glyphs.get(i))
            .ok_or_else(|| {
                PdfError(format!(
                    "glyph {gid} of {} was not collected",
                    self.base_font
                ))
            })?;
        Ok(PdfGlyph {
            cid: glyph.cid,
            width: glyph.width,
            text: &glyph.text,
        })
    }

    /// The `/W` array: `[first [w w w …] first [w …] …]` over runs of consecutive CIDs.
    /// The `/ToUnicode` CMap of the subset: each CID to the text its glyph stands for
    /// (several characters for a ligature). quire writes it itself, so that the content
    /// stream's glyphs need not carry their text through printpdf one string per glyph.
    pub fn to_unicode_cmap(&self) -> Vec<u8> {
        let mut entries: Vec<(u16, &str)> = self
            .glyphs
            .iter()
            .filter(|g| !g.text.is_empty())
            .map(|g| (g.cid, g.text.as_str()))
            .collect();
        entries.sort_unstable();
        let mut out = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for chunk in entries.chunks(100) {
            out.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (cid, text) in chunk {
                out.push_str(&format!("<{cid:04X}> <"));
                for unit in text.encode_utf16() {
                    out.push_str(&format!("{unit:04X}"));
                }
                out.push_str(">\n");
            }
            out.push_str("endbfchar\n");
        }
        out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        out.into_bytes()
    }

    pub fn widths_array(&self) -> Vec<lopdf::Object> {
        let mut out = Vec::new();
        let mut run: Vec<lopdf::Object> = Vec::new();
        let mut first = 0u16;
        let mut last: Option<u16> = None;
        for &SubsetGlyph { cid, width: w, .. } in &self.glyphs {
            if last.is_some_and(|l| l + 1 != cid) {
                out.push(lopdf::Object::Integer(i64::from(first)));
                out.push(lopdf::Object::Array(std::mem::take(&mut run)));
            }
            if run.is_empty() {
                first = cid;
            }
            run.push(width_object(w));
            last = Some(cid);
        }
        if !run.is_empty() {
            out.push(lopdf::Object::Integer(i64::from(first)));
            out.push(lopdf::Object::Array(run));
        }
        out
    }

    /// The subset as printpdf's font type: the program, names and metrics, with a
    /// codepoint map left empty (content shows glyph ids, never text).
    pub fn to_printpdf(&self) -> PdfFont {
        let glyph_widths = self
            .glyphs
            .iter()
            .map(|g| {
                (
                    g.cid,
                    (f64::from(g.width) * f64::from(self.upem) / 1000.0).round() as u16,
                )
            })
            .collect();
        PdfFont::new(ParsedFont {
            original_bytes: self.program.clone(),
            font_index: 0,
            font_name: Some(self.base_font.clone()),
            codepoint_to_glyph: BTreeMap::new(),
            glyph_widths,
            units_per_em: self.upem,
            font_metrics: FontMetrics {
                ascent: self.ascent,
                descent: self.descent,
            },
            font_type: FontType::TrueType,
            pdf_font_metrics: self.metrics.clone(),
        })
    }
}

/// The operations that make printpdf embed every subset: it writes only the fonts that some
/// page's operations show, and the pages it gets carry no text (quire writes their content
/// itself). One glyph of each font, shown on the first page; [`super::finish`] then replaces
/// that page's content and the fonts' `/W` and `/ToUnicode` with the real ones.
pub(super) fn declare(fonts: &FontSet) -> Vec<printpdf::Op> {
    use printpdf::{Codepoint, Op, PdfFontHandle, Pt, TextItem};
    let mut ops = Vec::new();
    for subset in fonts.subsets() {
        let Some(first) = subset.glyphs.first() else {
            continue;
        };
        ops.push(Op::StartTextSection);
        ops.push(Op::SetFont {
            font: PdfFontHandle::External(printpdf::FontId(subset.resource.clone())),
            size: Pt(1.0),
        });
        ops.push(Op::ShowText {
            items: vec![TextItem::GlyphIds(vec![Codepoint {
                gid: first.cid,
                offset: 0.0,
                cid: None,
            }])],
        });
        ops.push(Op::EndTextSection);
    }
    ops
}

/// A width as a PDF number: an integer when it is one (the common 1000-unit em).
fn width_object(w: f32) -> lopdf::Object {
    if w.fract() == 0.0 && w.abs() < 1e9 {
        lopdf::Object::Integer(w as i64)
    } else {
        lopdf::Object::Real(w)
    }
}

/// The font that carries alt text: the first font a page shows, else font 0.
fn alt_font(doc: &Document) -> Option<FontId> {
    let first_run = doc
        .pages
        .iter()
        .flat_map(|p| p.all_items())
        .find_map(|item| match item {
            PageItem::Glyphs(run) => Some(run.font),
            _ => None,
        });
    first_run.or((!doc.fonts.is_empty()).then_some(FontId(0)))
}

/// The glyphs of `text` in `font` by its cmap (no shaping: alt text is invisible, only its
/// characters matter). Characters the font lacks are left out here; the content writer
/// then wraps the text in `/ActualText` so it still extracts whole.
pub(super) fn alt_glyphs(
    doc: &Document,
    font: FontId,
    text: &str,
) -> Result<Vec<(u16, char)>, PdfError> {
    let data = doc
        .fonts
        .get(font.0 as usize)
        .ok_or_else(|| PdfError(format!("font {} is not in the document", font.0)))?;
    let face = Face::parse(data.bytes, data.index)
        .map_err(|e| PdfError(format!("font {} ({}): {e}", font.0, data.name)))?;
    Ok(text
        .chars()
        .filter_map(|c| face.glyph_index(c).filter(|g| g.0 != 0).map(|g| (g.0, c)))
        .collect())
}
