//! The typesetter: model → pages of positioned glyphs. (Being written: the line breaker first.)

pub mod linebreak;
