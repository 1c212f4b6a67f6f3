//! The page's margins for a trim, a service and a page count.
//!
//! quire's margins are those of its 6 × 9 in page, scaled with the page: top 1/12 of the
//! height (54 pt at 6 × 9), bottom 1/9 (72 pt, where the opener folios sit), outside 1/8 of the
//! width (54 pt), inside 1/12 of the width (36 pt) **plus the gutter** KDP's table asks for the
//! book's page count (27 pt up to 150 pages: 63 pt in all at 6 × 9, the margins quire has
//! always had). The gutter is what the binding swallows, so it grows with the book's
//! thickness whatever the service, by KDP's steps.
//!
//! Then no margin may fall below the service's minimum ([`Service::min_margin`] on the top,
//! bottom and outside, [`Service::min_gutter`] inside), counting running heads and folios as
//! content: the top margin holds the running head's ascent above the text block, the bottom
//! margin the opener folio's descent below it ([`crate::typeset::furniture_reach`]).
//!
//! Worked example, 6 × 9 in with KDP and bleed (27 pt minimum): the head reaches 34.4 pt above
//! the text block (baseline 24 pt up, Gentium's 1.099 em ascent at 9.5 pt), so the top margin
//! grows from 54 to 27 + 34.4 + 0.5 = 61.9 pt (the half point for readers' rounding of the
//! font's ascent); the bottom needs 27 + 33.5 + 0.5 pt, less than its 72.

use super::rules::Service;
use crate::typeset::PageGeometry;

/// Room kept beyond the furniture's reach: PDF readers measure text with the font's ascent
/// and descent rounded to thousandths of an em, a few hundredths of a point more.
const SLACK: f64 = 0.5;

/// The margins of a `trim` page (width, height in points) of a book of `pages` pages printed
/// by `service`, with or without bleed. `reach` is how far running heads and folios reach
/// above and below the text block.
pub fn geometry(
    trim: (f64, f64),
    service: Service,
    bleed: bool,
    pages: usize,
    reach: (f64, f64),
) -> PageGeometry {
    let (width, height) = trim;
    let least = service.min_margin(bleed);
    PageGeometry {
        width,
        height,
        top: (height / 12.0).max(least + reach.0 + SLACK),
        bottom: (height / 9.0).max(least + reach.1 + SLACK),
        inner: (width / 12.0 + super::rules::kdp_gutter(pages)).max(service.min_gutter(pages)),
        outer: (width / 8.0).max(least),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::font::Fonts;

    fn reach() -> (f64, f64) {
        crate::typeset::furniture_reach(&Fonts::bundled())
    }

    #[test]
    fn six_by_nine_keeps_its_margins_up_to_150_pages() {
        let g = geometry((432.0, 648.0), Service::Kdp, false, 40, reach());
        assert_eq!(g, PageGeometry::default());
        let g = geometry((432.0, 648.0), Service::Kdp, false, 151, reach());
        assert_eq!(g.inner, 72.0);
        let g = geometry((432.0, 648.0), Service::Kdp, false, 828, reach());
        assert_eq!(g.inner, 36.0 + 63.0);
    }

    #[test]
    fn every_margin_holds_the_minimum_with_its_furniture() {
        let (above, below) = reach();
        // Gentium's ascent, as pdftotext reads it, is 1.099 em.
        assert!((above - (24.0 + 1.099 * 9.5)).abs() < 0.05, "{above}");
        for &(_, w, h) in crate::config::print::TRIMS {
            for service in [Service::Kdp, Service::IngramSpark] {
                for bleed in [false, true] {
                    for pages in [24, 200, 400, 600, 800] {
                        let g = geometry((w, h), service, bleed, pages, (above, below));
                        let least = service.min_margin(bleed);
                        assert!(g.top - above >= least - 1e-9, "{g:?}");
                        assert!(g.bottom - below >= least - 1e-9, "{g:?}");
                        assert!(g.outer >= least && g.inner >= service.min_gutter(pages));
                        assert!(g.width - g.inner - g.outer > 150.0, "{g:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn bleed_and_ingramspark_push_the_head_down() {
        let (above, _) = reach();
        let g = geometry((432.0, 648.0), Service::Kdp, true, 40, reach());
        assert!((g.top - (27.0 + above + SLACK)).abs() < 1e-9);
        let g = geometry((432.0, 648.0), Service::IngramSpark, false, 40, reach());
        assert!((g.top - (36.0 + above + SLACK)).abs() < 1e-9);
        assert_eq!(g.inner, 63.0);
    }
}
