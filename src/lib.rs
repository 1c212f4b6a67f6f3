//! quire: one Markdown manuscript in, a valid, accessible EPUB 3 and a typeset PDF out.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! config ─┐
//!         ├─> manuscript (pulldown-cmark) ──> model::Book ──┬─> epub (XHTML, OPF, nav, zip)
//! files ──┘                                                  └─> typeset ──> pdf
//! config ───> cover (art checked, or generated) ──> the EPUB's cover image
//!                     print: margins, bleed, passes ─┘       └──> print::wrap (the cover wrap)
//! ```
//!
//! [`pipeline`] is the one place where the stages are chained ([`batch`] drives it over many
//! books); [`diag`] carries every problem
//! found on the way back to `file:line:column`; [`cli`] is the command line.

pub mod batch;
pub mod cli;
pub mod config;
pub mod cover;
pub mod diag;
pub mod epub;
pub mod manuscript;
pub mod model;
pub mod output;
pub mod parallel;
pub mod pdf;
pub mod pipeline;
pub mod print;
pub mod process;
pub mod typeset;

#[cfg(test)]
mod testutil;
