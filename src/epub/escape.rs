//! Escaping text for XML (XHTML, OPF, NCX): the one place markup characters are handled.
//!
//! Besides `& < > "`, characters that XML 1.0 forbids outright (C0 controls other than tab,
//! newline and carriage return; U+FFFE and U+FFFF) are dropped, so no input can make a
//! document ill-formed.

/// Appends `text` escaped for element content or a double-quoted attribute value.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// `text` escaped for element content or a double-quoted attribute value.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

fn is_xml_char(c: char) -> bool {
    !(c < '\u{20}' || c == '\u{FFFE}' || c == '\u{FFFF}')
}

/// `s` as a piece of a file name or an id: ASCII letters, digits and `_` kept, anything
/// else a `-`, no `-` at either end (`my map.png` → `my-map-png`).
pub(crate) fn name_token(s: &str) -> String {
    let token: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    token.trim_matches('-').to_string()
}

/// One token of a `class` attribute (whitespace removed; still to be escaped).
pub(crate) fn class_token(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("a & b < c > \"d\" 'e'\u{0}\u{c}\tf"),
            "a &amp; b &lt; c &gt; &quot;d&quot; 'e'\tf"
        );
        assert_eq!(class_token("c++ x"), "c++x");
        assert_eq!(name_token(" my map (2).png"), "my-map--2--png");
    }
}
