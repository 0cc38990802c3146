//! Client-supplied text in the server's log.
//!
//! What a request names (its `Action`, `X-Amz-Target`, a path) is written to stderr when it
//! fails oddly. Written raw, a newline would forge a log line and an ANSI escape would recolour
//! or rewrite the operator's terminal, so such text goes through [`escape`] first.

use std::borrow::Cow;

/// The most characters of one client-supplied value a log line carries.
const MAX_CHARS: usize = 200;

/// `text` safe for one log line: control characters (newline, carriage return, ESC, DEL, the
/// C1 controls…) and backslashes written as Rust escapes (`\n`, `\u{1b}`, `\\`), and anything
/// past [`MAX_CHARS`] cut off with `…`.
pub fn escape(text: &str) -> Cow<'_, str> {
    let clean = text.chars().all(|c| !c.is_control() && c != '\\');
    if clean && text.chars().count() <= MAX_CHARS {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CHARS {
            out.push('…');
            break;
        }
        if c.is_control() || c == '\\' {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept() {
        assert!(matches!(escape("DescribeVpcs"), Cow::Borrowed("DescribeVpcs")));
        assert_eq!(
            escape("Route53 GET /2013-04-01/hostedzone"),
            "Route53 GET /2013-04-01/hostedzone"
        );
    }

    #[test]
    fn control_characters_cannot_forge_lines_or_colours() {
        let forged = "X\nvpclab 0.1.0 listening on http://0.0.0.0:1\r\u{1b}[31mred\u{7f}\u{9b}2J\\";
        let line = escape(forged);
        assert!(!line.chars().any(char::is_control), "{line}");
        assert_eq!(
            line,
            "X\\nvpclab 0.1.0 listening on http://0.0.0.0:1\\r\\u{1b}[31mred\\u{7f}\\u{9b}2J\\\\"
        );
    }

    #[test]
    fn long_text_is_cut() {
        let long = "a".repeat(10_000);
        let line = escape(&long);
        assert_eq!(line.chars().count(), MAX_CHARS + 1);
        assert!(line.ends_with('…'));
    }
}
