//! Print production: the interior as a print-on-demand service takes it, and its cover wrap.
//!
//! ```text
//! rules      the services' published figures: minimum margins, KDP's gutter table, page
//!            limits, paper thickness, the cover's safe zone and barcode area
//! margins    the page's margins for a trim, a service and a page count
//! (here)     lay the book out until its page count settles; bleed and crop marks on every
//!            page; warnings about the page count
//! wrap       the cover wrap: back, spine and front on one sheet, sized from the page count
//! ```
//!
//! **The page count and the gutter.** The inside margin depends on the page count (KDP's
//! table), and the page count on the inside margin. [`typeset`] lays the book out with the
//! gutter of the smallest band, reads the page count, and lays it out again with the wider
//! gutter that count asks for, until the gutter it used is at least the one its page count
//! needs. A wider gutter never makes fewer pages in practice, so the gutter only grows, one
//! band at least per extra pass: at most five passes (there are five bands), in practice one
//! for a book of up to 150 pages and two for a longer one.
//!
//! **Bleed and crop marks.** The typesetter places everything relative to the trim; here each
//! page gets its [`Sheet`]: 0.125 in of bleed on the top, bottom and outside edge (the right
//! edge of a recto, the left of a verso, never the spine edge) and, when asked, crop marks
//! outside the bleed. The PDF writer turns the sheet into the MediaBox, BleedBox and TrimBox.
//!
//! **A file for the printer.** A PDF with bleed or crop marks is made to be uploaded, not
//! read: KDP's guidelines ask that such files hold no bookmarks, annotations or invisible
//! objects, so it leaves out the outline, the links and images' invisible alt text. The
//! reading PDF (no bleed, no marks) keeps them.
//!
//! **Warnings** about the page count (under 24 pages, over the service's maximum) are given
//! for a PDF made for a printer — with bleed or marks, or when `book.toml` names the service
//! — and for the cover wrap's interior: a reading PDF of a short text is not a paperback.

pub mod margins;
pub mod rules;
pub mod wrap;

use crate::config::print::PrintSettings;
use crate::diag::Diagnostic;
use crate::model::Book;
use crate::typeset::font::Fonts;
use crate::typeset::layout::{Document, Edges, PageItem, Sheet};
use crate::typeset::{PageGeometry, Typeset, TypesetOptions};
use rules::Service;
use std::sync::Arc;

/// The most layout passes (one per band of KDP's gutter table).
const MAX_PASSES: usize = 5;

/// The book typeset for print, and how its margins were settled.
#[derive(Debug)]
pub struct Printed {
    pub typeset: Typeset,
    /// The pages' trim and margins.
    pub geometry: PageGeometry,
    /// How many times the book was laid out.
    pub passes: usize,
}

impl Printed {
    /// The interior's page count.
    pub fn pages(&self) -> usize {
        self.typeset.document.pages.len()
    }
}

/// The typesetter's options for `settings` at a given page geometry.
pub fn options(
    settings: &PrintSettings,
    fonts: &Option<Arc<Fonts>>,
    page: PageGeometry,
) -> TypesetOptions {
    TypesetOptions {
        page,
        body_size: settings.font_size,
        leading: settings.leading,
        fonts: fonts.clone(),
    }
}

/// Typesets `book` for print: margins for the trim, the service and the settled page count,
/// each page on its sheet, and warnings about the page count among the diagnostics.
pub fn typeset(book: &Book, settings: &PrintSettings, fonts: &Option<Arc<Fonts>>) -> Printed {
    let reach = crate::typeset::furniture_reach(fonts.as_deref().unwrap_or(&Fonts::bundled()));
    let layout = |pages: usize| {
        margins::geometry(
            settings.trim,
            settings.service,
            settings.bleed,
            pages,
            reach,
        )
    };
    // Books with the same font files share one shaper and its word cache.
    let shaper = match fonts {
        Some(fonts) => crate::typeset::shared_shaper(fonts),
        None => crate::typeset::bundled_shaper(),
    };
    let mut geometry = layout(0);
    let mut passes = 0;
    let mut set = loop {
        let set = crate::typeset::typeset_with(book, &options(settings, fonts, geometry), &shaper);
        passes += 1;
        let needed = layout(set.document.pages.len());
        if needed.inner <= geometry.inner || passes == MAX_PASSES {
            break set;
        }
        geometry = needed;
    };
    dress(&mut set.document, settings);
    if settings.for_printer() {
        check_pages(set.document.pages.len(), settings, &mut set.diagnostics);
    }
    Printed {
        typeset: set,
        geometry,
        passes,
    }
}

/// Puts each page on its sheet, and makes a file for the printer of a document with bleed or
/// crop marks (see the module docs).
fn dress(doc: &mut Document, settings: &PrintSettings) {
    let bleed = if settings.bleed { rules::BLEED } else { 0.0 };
    for (i, page) in doc.pages.iter_mut().enumerate() {
        // Page 1 (index 0) is a recto: its outside edge is on the right.
        let recto = i % 2 == 0;
        page.sheet = Sheet {
            bleed: Edges {
                top: bleed,
                bottom: bleed,
                left: if recto { 0.0 } else { bleed },
                right: if recto { bleed } else { 0.0 },
            },
            crop_marks: settings.crop_marks,
        };
    }
    if settings.bleed || settings.crop_marks {
        doc.outline.clear();
        for page in &mut doc.pages {
            page.links.clear();
            for item in &mut page.items {
                if let PageItem::Image { alt, .. } = item {
                    alt.clear();
                }
            }
        }
    }
}

/// Warnings: fewer pages than the services print, more than this one prints on this paper at
/// this trim, crop marks (which the services refuse), an odd count for IngramSpark.
/// [`typeset`] checks a PDF made for a printer ([`PrintSettings::for_printer`]); the cover
/// wrap checks its interior whatever it is.
pub fn check_pages(pages: usize, settings: &PrintSettings, diags: &mut crate::diag::Diagnostics) {
    let service = settings.service;
    if pages < rules::MIN_PAGES {
        diags.push(
            Diagnostic::warning(
                None,
                format!(
                    "the print edition has {pages} pages; {} prints books of at least {}",
                    service.label(),
                    rules::MIN_PAGES
                ),
            )
            .with_hint(
                "a smaller trim or a larger type size (`[print] font-size`) makes more pages",
            ),
        );
    }
    let max = service.max_pages(settings.paper, settings.trim.0);
    if pages > max {
        diags.push(
            Diagnostic::warning(
                None,
                format!(
                    "the print edition has {pages} pages; {} prints at most {max} on {} paper at this trim",
                    service.label(),
                    settings.paper.label()
                ),
            )
            .with_hint("a larger trim or a smaller type size makes fewer pages; or split the book in volumes"),
        );
    }
    if settings.crop_marks {
        diags.push(
            Diagnostic::warning(
                None,
                format!(
                    "the PDF has crop marks; {} asks for files without printer's marks",
                    service.label()
                ),
            )
            .with_hint("crop marks are for printers that want them, and for proofs; build without --crop-marks to upload"),
        );
    }
    if service == Service::IngramSpark && !pages.is_multiple_of(2) {
        diags.push(Diagnostic::warning(
            None,
            format!("the print edition has {pages} pages; IngramSpark asks for an even count"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil;

    #[test]
    fn recto_and_verso_bleed_on_their_outside_edge() {
        let book = testutil::book("# Part\n\n## Section\n\nSome text.\n");
        let settings = PrintSettings {
            bleed: true,
            ..PrintSettings::default()
        };
        assert!(settings.for_printer());
        let printed = typeset(&book, &settings, &None);
        let pages = &printed.typeset.document.pages;
        assert!(pages.len() >= 4);
        for (i, page) in pages.iter().enumerate() {
            let b = page.sheet.bleed;
            assert_eq!((b.top, b.bottom), (9.0, 9.0));
            if i % 2 == 0 {
                assert_eq!((b.left, b.right), (0.0, 9.0), "page {}", i + 1);
            } else {
                assert_eq!((b.left, b.right), (9.0, 0.0), "page {}", i + 1);
            }
            assert!(page.links.is_empty());
        }
        assert!(printed.typeset.document.outline.is_empty());
        assert_eq!(printed.passes, 1);
        // Fewer than 24 pages.
        assert!(
            printed
                .typeset
                .diagnostics
                .iter()
                .any(|d| d.message.contains("at least 24"))
        );
    }

    #[test]
    fn a_long_book_takes_a_second_pass_and_a_wider_gutter() {
        let paragraph = "The bureaucracy's methods of command have been extended to the \
                         economy, and every error of the plan multiplies itself in the \
                         shops, the trusts and the markets of the country. ";
        let mut text = String::from("# A Long Book\n\n");
        for s in 0..90 {
            text.push_str(&format!("## Section {s}\n\n"));
            for _ in 0..8 {
                text.push_str(&paragraph.repeat(3));
                text.push_str("\n\n");
            }
        }
        let book = testutil::book(&text);
        let printed = typeset(&book, &PrintSettings::default(), &None);
        let pages = printed.pages();
        assert!(pages > 150, "{pages} pages");
        assert_eq!(printed.passes, 2);
        assert!(printed.geometry.inner >= 36.0 + rules::kdp_gutter(pages));
    }
}
