//! Rendering diagnostics the way rustc does:
//!
//! ```text
//! error: footnote `[^x]` is never defined
//!   --> manuscript/book.md:3:12
//!    |
//!  3 | A sentence.[^x]
//!    |            ^^^^
//!    = hint: add `[^x]: …` at the end of the chapter, or remove the reference
//! ```

use super::{Diagnostic, SourceMap};
use std::fmt::Write;

/// Renders one diagnostic as plain text (several lines, ending with a newline).
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", diagnostic.severity, diagnostic.message);
    if let Some(span) = diagnostic.span {
        let file = sources.get(span.file);
        let start = file.line_col(span.start as usize);
        let _ = writeln!(
            out,
            "  --> {}:{}:{}",
            file.path.display(),
            start.line,
            start.column
        );
        let line = file.line_text(start.line);
        let gutter = start.line.to_string().len();
        let pad = " ".repeat(gutter);
        // Underline to the end of the span or of the line, whichever comes first.
        let line_end = file.line_start(start.line) + line.len();
        let end = (span.end as usize).clamp(span.start as usize, line_end.max(span.start as usize));
        let width = file
            .text
            .get(span.start as usize..end)
            .map_or(1, |s| s.chars().count().max(1));
        let shown: String = line
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let _ = writeln!(out, " {pad} |");
        let _ = writeln!(out, " {} | {}", start.line, shown);
        let _ = writeln!(
            out,
            " {pad} | {}{}",
            " ".repeat(start.column - 1),
            "^".repeat(
                width.min(
                    shown
                        .chars()
                        .count()
                        .saturating_sub(start.column - 1)
                        .max(1)
                )
            )
        );
        if let Some(hint) = &diagnostic.hint {
            let _ = writeln!(out, " {pad} = hint: {hint}");
        }
    } else if let Some(hint) = &diagnostic.hint {
        let _ = writeln!(out, "  = hint: {hint}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Diagnostic, Span};

    #[test]
    fn shows_location_line_and_caret() {
        let mut map = SourceMap::new();
        let id = map.add("book.md", "Intro.\nA sentence.[^x]\n".to_string());
        let start = "Intro.\nA sentence.".len();
        let d = Diagnostic::error(
            Span::new(id, start..start + 4),
            "footnote `[^x]` is never defined",
        )
        .with_hint("define it");
        let text = render(&d, &map);
        assert!(text.contains("--> book.md:2:12"), "{text}");
        assert!(text.contains(" 2 | A sentence.[^x]"), "{text}");
        assert!(text.contains("   |            ^^^^"), "{text}");
        assert!(text.contains("= hint: define it"), "{text}");
    }
}
