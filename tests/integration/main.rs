//! The one integration-test binary: it drives the `quire` executable on the bundled book, on a
//! `quire init` skeleton and on small bad manuscripts, and reads what it writes.

mod batch;
mod bundled_book;
mod cmyk_jpeg;
mod common;
mod covers;
mod diagnostics;
mod init;
mod json;
mod makeup;
mod page_list;
mod pdf;
mod print;
mod validators;
