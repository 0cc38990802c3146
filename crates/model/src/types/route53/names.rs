//! Domain names as Route 53 stores and orders them.
//!
//! Route 53 takes names in any case, with or without the trailing dot, with special characters
//! raw (`*`) or as octal escapes (`\052`); it stores and returns them lower-case, fully
//! qualified, with every byte other than `a-z`, `0-9`, `-` and `_` written as an octal escape.
//! It orders names by their labels reversed (`www.example.com.` sorts as `com.example.www.`),
//! comparing the raw characters, so `*` (0x2A) and `-` sort before `.`.

/// Why a name is not one (AWS's problem code and text, as InvalidChangeBatch reports them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameProblem {
    pub code: &'static str,
    pub text: &'static str,
    /// The character AWS names for an unsupported character (it quotes that, not the name).
    pub culprit: Option<char>,
}

impl NameProblem {
    /// AWS's words for the problem with `name`: `FATAL problem: UnsupportedCharacter (Value
    /// contains unsupported characters) encountered with ' '`.
    pub fn describe(&self, name: &str) -> String {
        let what = self.culprit.map_or_else(|| name.to_owned(), String::from);
        format!("FATAL problem: {} ({}) encountered with '{what}'", self.code, self.text)
    }
}

const LABEL_EMPTY: NameProblem =
    NameProblem { code: "DomainLabelEmpty", text: "Domain label is empty", culprit: None };
const LABEL_TOO_LONG: NameProblem =
    NameProblem { code: "DomainLabelTooLong", text: "Domain label is too long", culprit: None };
const NAME_TOO_LONG: NameProblem =
    NameProblem { code: "DomainNameTooLong", text: "Domain name is too long", culprit: None };

/// A character Route 53 does not take in a name (outside printable ASCII), as AWS reports it.
fn unsupported(name: &str, at: usize) -> NameProblem {
    NameProblem {
        code: "UnsupportedCharacter",
        text: "Value contains unsupported characters",
        culprit: name.get(at..).and_then(|rest| rest.chars().next()),
    }
}

/// The raw labels of a name (lower-case bytes, escapes decoded), root excluded.
pub fn labels(name: &str) -> Result<Vec<Vec<u8>>, NameProblem> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return if name == "." { Ok(Vec::new()) } else { Err(LABEL_EMPTY) };
    }
    let bytes = trimmed.as_bytes();
    let mut out = Vec::new();
    let mut label = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        match b {
            b'.' => {
                if label.is_empty() {
                    return Err(LABEL_EMPTY);
                }
                out.push(std::mem::take(&mut label));
            }
            b'\\' => {
                let digits =
                    bytes.get(i..i + 3).filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
                match (digits, bytes.get(i)) {
                    (Some(d), _) => {
                        let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                        label.push(u8::try_from(v).map_err(|_| unsupported(trimmed, i - 1))?);
                        i += 3;
                    }
                    // An escaped character stands for itself, if it is ASCII.
                    (None, Some(&c)) if c.is_ascii() => {
                        label.push(c);
                        i += 1;
                    }
                    (None, Some(_)) => return Err(unsupported(trimmed, i)),
                    (None, None) => return Err(unsupported(trimmed, i - 1)),
                }
            }
            0x21..=0x7e => label.push(b.to_ascii_lowercase()),
            _ => return Err(unsupported(trimmed, i - 1)),
        }
        if label.len() > 63 {
            return Err(LABEL_TOO_LONG);
        }
    }
    if label.is_empty() {
        return Err(LABEL_EMPTY);
    }
    out.push(label);
    // The wire form: a length byte per label, the label, and the root's zero byte.
    if out.iter().map(|l| l.len() + 1).sum::<usize>() + 1 > 255 {
        return Err(NAME_TOO_LONG);
    }
    Ok(out.into_iter().map(|l| l.to_ascii_lowercase()).collect())
}

/// Writes raw labels as Route 53 returns them: `\052.example.com.`.
pub fn render(labels: &[Vec<u8>]) -> String {
    if labels.is_empty() {
        return ".".to_owned();
    }
    let mut out = String::new();
    for label in labels {
        for &b in label {
            if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("\\{b:03o}"));
            }
        }
        out.push('.');
    }
    out
}

/// The name as Route 53 stores it (`*.Example.COM` → `\052.example.com.`).
pub fn normalize(name: &str) -> Result<String, NameProblem> {
    labels(name).map(|l| render(&l))
}

/// The key AWS sorts names by: labels reversed, raw, with the trailing dot
/// (`www.example.com.` → `com.example.www.`). The name should be normalized.
pub fn sort_key(name: &str) -> String {
    let labels = labels(name).unwrap_or_default();
    let mut out = String::new();
    for label in labels.iter().rev() {
        out.push_str(&String::from_utf8_lossy(label));
        out.push('.');
    }
    out
}

/// Whether normalized `name` is normalized `zone` or below it.
pub fn in_zone(name: &str, zone: &str) -> bool {
    name == zone || zone == "." || name.strip_suffix(zone).is_some_and(|head| head.ends_with('.'))
}

/// Whether one of two normalized names is the other or below it.
pub fn overlaps(a: &str, b: &str) -> bool {
    in_zone(a, b) || in_zone(b, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stored_lower_case_qualified_and_escaped() {
        assert_eq!(normalize("*.Example.COM").unwrap(), "\\052.example.com.");
        assert_eq!(normalize("\\052.example.com.").unwrap(), "\\052.example.com.");
        assert_eq!(normalize("_dmarc.example.com").unwrap(), "_dmarc.example.com.");
        assert_eq!(normalize("a@b.example.com").unwrap(), "a\\100b.example.com.");
        assert_eq!(normalize("a..example.com").unwrap_err().code, "DomainLabelEmpty");
        assert_eq!(
            normalize(&format!("{}.com", "a".repeat(64))).unwrap_err().code,
            "DomainLabelTooLong"
        );
        let long = vec!["abcdefghij"; 25].join(".");
        assert_eq!(normalize(&long).unwrap_err().code, "DomainNameTooLong");
        for (name, culprit) in
            [("a b.com", ' '), ("a\tb.com", '\t'), ("国.com", '国'), ("a\\ç.com", 'ç')]
        {
            let p = normalize(name).unwrap_err();
            assert_eq!((p.code, p.culprit), ("UnsupportedCharacter", Some(culprit)), "{name}");
        }
        assert_eq!(
            normalize("i d.e.com.").unwrap_err().describe("i d.e.com."),
            "FATAL problem: UnsupportedCharacter (Value contains unsupported characters) encountered with ' '"
        );
        assert_eq!(normalize("a\\ .com").unwrap(), "a\\040.com.");
    }

    #[test]
    fn names_sort_by_reversed_labels() {
        assert_eq!(sort_key("www.example.com."), "com.example.www.");
        assert_eq!(sort_key("\\052.example.com."), "com.example.*.");
        let mut names = [
            "b.example.com.",
            "example.com.",
            "a-b.example.com.",
            "\\052.example.com.",
            "a.b.example.com.",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            [
                "example.com.",
                "\\052.example.com.",
                "a-b.example.com.",
                "b.example.com.",
                "a.b.example.com."
            ]
        );
    }

    #[test]
    fn zones_contain_their_subdomains_only() {
        assert!(in_zone("www.example.com.", "example.com."));
        assert!(in_zone("example.com.", "example.com."));
        assert!(!in_zone("badexample.com.", "example.com."));
        assert!(!in_zone("com.", "example.com."));
        assert!(overlaps("example.com.", "a.example.com."));
    }
}
