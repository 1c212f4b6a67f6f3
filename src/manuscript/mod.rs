//! Markdown -> model.
