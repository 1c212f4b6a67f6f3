//! The typesetter: model → pages of positioned glyphs ([`layout::Document`]).
//!
//! Stages (being written): fonts and shaping, hyphenation, paragraph items (boxes, glue,
//! penalties), [`linebreak`] (Knuth–Plass), lines, page flow. The PDF writer reads only
//! [`layout`].

pub mod font;
pub mod hyphenate;
pub mod layout;
pub mod linebreak;
pub mod shape;
