//! The print-on-demand services' published figures, in one place.
//!
//! Every length is in PostScript points (72 to the inch). The figures come from the services'
//! help pages as gathered in `REFERENCE.md` ("Print on demand"); where sources disagree the
//! safer figure is used, and each constant names its source.
//!
//! | | KDP paperback | IngramSpark |
//! |---|---|---|
//! | top, bottom, outside margin | ≥ 0.25 in, ≥ 0.375 in with bleed | ≥ 0.5 in |
//! | inside margin (gutter) | 0.375–0.875 in by page count ([`kdp_gutter`]) | ≥ 0.5 in, and KDP's table |
//! | pages | 24 to 828 (white), 776 (cream), 828 (premium colour); fewer on trims 8.25 in wide or more | 24 (quire's floor; Ingram's is 18) to about 1,200 |
//! | spine, inches per page | white 0.002252, cream 0.0025, premium colour 0.002347 | white 1/440, cream 1/430, colour 1/440 |
//! | spine text | from 79 pages, 0.0625 in clear of each fold | the same (the safer figure) |
//! | cover text from the trim | ≥ 0.125 in | ≥ 0.25 in |
//!
//! Running heads and folios count as content: they too must keep the minimum margins.

/// Points per inch.
pub const IN: f64 = 72.0;

/// The bleed both services ask for: 0.125 in beyond the trim on the top, bottom and outside
/// edges of each interior page and on all four edges of the cover.
pub const BLEED: f64 = 0.125 * IN;

/// The fewest pages quire lets pass without a warning (KDP's minimum; IngramSpark's is 18).
pub const MIN_PAGES: usize = 24;

/// KDP's rule for spine text: the book needs at least 79 pages ("Create a Paperback Cover").
pub const SPINE_TEXT_MIN_PAGES: usize = 79;

/// The clearance spine text keeps from each fold (KDP: 0.0625 in, the binding's variance).
pub const SPINE_CLEARANCE: f64 = 0.0625 * IN;

/// KDP's barcode area on the back cover: 2 × 1.2 in at the lower right, 0.25 in from the trim
/// edges. quire keeps it empty.
pub const BARCODE_WIDTH: f64 = 2.0 * IN;
pub const BARCODE_HEIGHT: f64 = 1.2 * IN;
pub const BARCODE_INSET: f64 = 0.25 * IN;

/// The service a book is printed by: its minimums apply to the margins and the cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Service {
    /// Amazon KDP paperback (the default).
    #[default]
    Kdp,
    IngramSpark,
}

/// The interior paper, which sets the spine's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// Black ink on white paper (the default).
    #[default]
    White,
    /// Black ink on cream paper.
    Cream,
    /// Colour ink on white paper (KDP's premium colour).
    Color,
}

impl Service {
    /// The names `[print] service` accepts.
    pub const NAMES: &[&str] = &["kdp", "ingramspark"];

    pub fn parse(s: &str) -> Option<Service> {
        match s.trim().to_ascii_lowercase().as_str() {
            "kdp" | "amazon" | "amazon-kdp" => Some(Service::Kdp),
            "ingramspark" | "ingram" | "ingram-spark" => Some(Service::IngramSpark),
            _ => None,
        }
    }

    /// The service's name as users know it.
    pub fn label(self) -> &'static str {
        match self {
            Service::Kdp => "KDP",
            Service::IngramSpark => "IngramSpark",
        }
    }

    /// The least distance from the trim to any content — text, running heads, folios — on the
    /// top, bottom and outside edges.
    pub fn min_margin(self, bleed: bool) -> f64 {
        match (self, bleed) {
            (Service::Kdp, false) => 0.25 * IN,
            (Service::Kdp, true) => 0.375 * IN,
            (Service::IngramSpark, _) => 0.5 * IN,
        }
    }

    /// The least inside margin for a book of `pages` pages.
    pub fn min_gutter(self, pages: usize) -> f64 {
        match self {
            Service::Kdp => kdp_gutter(pages),
            Service::IngramSpark => kdp_gutter(pages).max(0.5 * IN),
        }
    }

    /// The most pages the service prints on `paper` at a trim `width` wide (points).
    pub fn max_pages(self, paper: Paper, width: f64) -> usize {
        match self {
            // KDP's "Print Options": 828 white, 776 cream, 828 premium colour; 800 / 750 / 800
            // on the 8.25 in wide trims; 590 / 550 / 590 on the 8.5 in wide ones.
            Service::Kdp => {
                let (white, cream, color) = if width >= 8.5 * IN - 0.01 {
                    (590, 550, 590)
                } else if width >= 8.25 * IN - 0.01 {
                    (800, 750, 800)
                } else {
                    (828, 776, 828)
                };
                match paper {
                    Paper::White => white,
                    Paper::Cream => cream,
                    Paper::Color => color,
                }
            }
            // "Up to 1,200 pages depending on the paper stock."
            Service::IngramSpark => 1200,
        }
    }

    /// The thickness of one page, in points: the spine is `pages × this`.
    pub fn page_thickness(self, paper: Paper) -> f64 {
        let inches = match (self, paper) {
            // KDP, "Create a Paperback Cover": white 0.002252, cream 0.0025 in per page; its
            // premium colour paper 0.002347 (standard colour prints on the white stock).
            (Service::Kdp, Paper::White) => 0.002252,
            (Service::Kdp, Paper::Cream) => 0.0025,
            (Service::Kdp, Paper::Color) => 0.002347,
            // IngramSpark: about 440 pages per inch on its 50 lb white stock (on which its
            // standard colour is printed too), 430 on cream.
            (Service::IngramSpark, Paper::White | Paper::Color) => 1.0 / 440.0,
            (Service::IngramSpark, Paper::Cream) => 1.0 / 430.0,
        };
        inches * IN
    }

    /// The least distance from the cover's trim to its text (KDP: 0.125 in; IngramSpark
    /// 0.25 in, for its 1/16 in manufacturing shift).
    pub fn cover_safe(self) -> f64 {
        match self {
            Service::Kdp => 0.125 * IN,
            Service::IngramSpark => 0.25 * IN,
        }
    }

    /// Whether the service asks for an even page count (IngramSpark does).
    pub fn wants_even_pages(self) -> bool {
        self == Service::IngramSpark
    }
}

impl Paper {
    /// The names `[print] paper` accepts.
    pub const NAMES: &[&str] = &["white", "cream", "color"];

    pub fn parse(s: &str) -> Option<Paper> {
        match s.trim().to_ascii_lowercase().as_str() {
            "white" => Some(Paper::White),
            "cream" | "creme" => Some(Paper::Cream),
            "color" | "colour" | "premium-color" | "premium-colour" => Some(Paper::Color),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Paper::White => "white",
            Paper::Cream => "cream",
            Paper::Color => "colour",
        }
    }
}

/// KDP's least inside margin by page count: 24–150 pages 0.375 in, 151–300 0.5 in, 301–500
/// 0.625 in, 501–700 0.75 in, more 0.875 in ("Set Trim Size, Bleed, and Margins").
pub fn kdp_gutter(pages: usize) -> f64 {
    let inches = match pages {
        0..=150 => 0.375,
        151..=300 => 0.5,
        301..=500 => 0.625,
        501..=700 => 0.75,
        _ => 0.875,
    };
    inches * IN
}

/// The spine's width for `pages` pages on `paper`.
pub fn spine_width(service: Service, paper: Paper, pages: usize) -> f64 {
    pages as f64 * service.page_thickness(paper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gutter_follows_kdps_table_at_its_boundaries() {
        let steps = [
            (24, 27.0),
            (150, 27.0),
            (151, 36.0),
            (300, 36.0),
            (301, 45.0),
            (500, 45.0),
            (501, 54.0),
            (700, 54.0),
            (701, 63.0),
            (828, 63.0),
        ];
        for (pages, gutter) in steps {
            assert_eq!(kdp_gutter(pages), gutter, "{pages} pages");
            assert_eq!(Service::Kdp.min_gutter(pages), gutter);
            assert_eq!(Service::IngramSpark.min_gutter(pages), gutter.max(36.0));
        }
    }

    #[test]
    fn margins_with_and_without_bleed() {
        assert_eq!(Service::Kdp.min_margin(false), 18.0);
        assert_eq!(Service::Kdp.min_margin(true), 27.0);
        assert_eq!(Service::IngramSpark.min_margin(false), 36.0);
        assert_eq!(Service::IngramSpark.min_margin(true), 36.0);
        assert_eq!(BLEED, 9.0);
    }

    #[test]
    fn spines_per_paper() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(close(
            spine_width(Service::Kdp, Paper::White, 100),
            0.2252 * 72.0
        ));
        assert!(close(
            spine_width(Service::Kdp, Paper::Cream, 100),
            0.25 * 72.0
        ));
        assert!(close(
            spine_width(Service::Kdp, Paper::Color, 100),
            0.2347 * 72.0
        ));
        assert!(close(
            spine_width(Service::IngramSpark, Paper::Cream, 430),
            72.0
        ));
    }

    #[test]
    fn names_parse() {
        assert_eq!(Service::parse("KDP"), Some(Service::Kdp));
        assert_eq!(Service::parse("ingramspark"), Some(Service::IngramSpark));
        assert_eq!(Service::parse("lulu"), None);
        assert_eq!(Paper::parse("colour"), Some(Paper::Color));
        assert_eq!(Paper::parse("grey"), None);
        for name in Service::NAMES {
            assert!(Service::parse(name).is_some());
        }
        for name in Paper::NAMES {
            assert!(Paper::parse(name).is_some());
        }
    }

    #[test]
    fn page_limits() {
        assert_eq!(Service::Kdp.max_pages(Paper::White, 6.0 * IN), 828);
        assert_eq!(Service::Kdp.max_pages(Paper::Cream, 6.0 * IN), 776);
        assert_eq!(Service::Kdp.max_pages(Paper::White, 8.5 * IN), 590);
    }
}
