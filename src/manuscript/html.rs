//! A small, forgiving tokenizer for the raw HTML found in Markdown manuscripts.
//!
//! quire never passes raw HTML through to its outputs: the lowering step maps the elements it
//! knows onto the typed model (`<em>`, `<br>`, `<sup>`, anchors with an `id`, …), keeps the
//! text of everything else, drops comments, and warns about what it had to drop. This module
//! only cuts HTML text into tokens and decodes character references.

/// One piece of raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// Text between tags, with character references decoded.
    Text { text: String, offset: usize },
    /// `<name attr="v">`; `self_closing` for `<name/>`.
    Open {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
        offset: usize,
    },
    /// `</name>`.
    Close { name: String, offset: usize },
    /// `<!-- … -->`, `<!DOCTYPE …>`, `<?…?>`: dropped by the callers.
    Comment { offset: usize },
    /// A `<` that does not start a well-formed tag, or an unterminated comment.
    Broken { raw: String, offset: usize },
}

/// Elements that never have content.
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Cuts `html` into tokens. Offsets are byte offsets into `html`.
pub fn tokenize(html: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    let flush = |out: &mut Vec<Token>, from: usize, to: usize| {
        if to > from {
            out.push(Token::Text {
                text: decode_entities(&html[from..to]),
                offset: from,
            });
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &html[i..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            flush(&mut out, text_start, i);
            match comment.find("-->") {
                Some(end) => {
                    out.push(Token::Comment { offset: i });
                    i += 4 + end + 3;
                }
                None => {
                    out.push(Token::Broken {
                        raw: rest.to_string(),
                        offset: i,
                    });
                    i = bytes.len();
                }
            }
            text_start = i;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            flush(&mut out, text_start, i);
            let end = rest.find('>').map_or(bytes.len(), |e| i + e + 1);
            out.push(Token::Comment { offset: i });
            i = end;
            text_start = i;
            continue;
        }
        match parse_tag(rest) {
            Some((token_len, token)) => {
                flush(&mut out, text_start, i);
                out.push(match token {
                    TagToken::Open {
                        name,
                        attrs,
                        self_closing,
                    } => Token::Open {
                        name,
                        attrs,
                        self_closing,
                        offset: i,
                    },
                    TagToken::Close { name } => Token::Close { name, offset: i },
                });
                i += token_len;
                text_start = i;
            }
            None => {
                flush(&mut out, text_start, i);
                out.push(Token::Broken {
                    raw: "<".into(),
                    offset: i,
                });
                i += 1;
                text_start = i;
            }
        }
    }
    flush(&mut out, text_start, bytes.len());
    out
}

enum TagToken {
    Open {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    Close {
        name: String,
    },
}

/// Parses a tag at the start of `s`; returns its length and the token.
fn parse_tag(s: &str) -> Option<(usize, TagToken)> {
    let b = s.as_bytes();
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => {
                let tag = if closing {
                    TagToken::Close { name }
                } else {
                    TagToken::Open {
                        name,
                        attrs,
                        self_closing: false,
                    }
                };
                return Some((i + 1, tag));
            }
            b'/' if b.get(i + 1) == Some(&b'>') && !closing => {
                return Some((
                    i + 2,
                    TagToken::Open {
                        name,
                        attrs,
                        self_closing: true,
                    },
                ));
            }
            _ if closing => return None,
            _ => {}
        }
        let attr_start = i;
        while i < b.len()
            && !b[i].is_ascii_whitespace()
            && !matches!(b[i], b'=' | b'>' | b'/' | b'"' | b'\'')
        {
            i += 1;
        }
        if i == attr_start {
            return None;
        }
        let attr = s[attr_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i)? {
                q @ (b'"' | b'\'') => {
                    let end = s[i + 1..].find(*q as char)?;
                    value = decode_entities(&s[i + 1..i + 1 + end]);
                    i += end + 2;
                }
                _ => {
                    let v_start = i;
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(&s[v_start..i]);
                }
            }
        }
        attrs.push((attr, value));
    }
}

/// Decodes the character references of HTML text (`&amp;`, `&#8212;`, `&#x2014;`, and the
/// common named ones); anything unknown is kept as it is.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[1..].find(';').map(|e| e + 1).filter(|&e| e <= 32);
        let decoded = end.and_then(|e| decode_one(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_one(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "shy" => '\u{ad}',
        "thinsp" => '\u{2009}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "deg" => '°',
        "sect" => '§',
        "para" => '¶',
        "middot" => '·',
        "bull" => '•',
        "times" => '×',
        "dagger" => '†',
        "Dagger" => '‡',
        "frac12" => '½',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_text_comments() {
        let t = tokenize(r#"a <span id="x" class=y>b</span><br/><!-- c --> &amp; <3"#);
        assert!(matches!(&t[0], Token::Text { text, .. } if text == "a "));
        assert!(
            matches!(&t[1], Token::Open { name, attrs, .. } if name == "span" && attrs[0] == ("id".into(), "x".into()) && attrs[1].1 == "y")
        );
        assert!(matches!(&t[3], Token::Close { name, .. } if name == "span"));
        assert!(matches!(&t[4], Token::Open { name, self_closing: true, .. } if name == "br"));
        assert!(matches!(&t[5], Token::Comment { .. }));
        assert!(matches!(&t[6], Token::Text { text, .. } if text == " & "));
        assert!(matches!(&t[7], Token::Broken { .. }));
    }

    #[test]
    fn entities() {
        assert_eq!(
            decode_entities("a&mdash;b &#x41;&#66; &bogus; & x"),
            "a—b AB &bogus; & x"
        );
    }
}
