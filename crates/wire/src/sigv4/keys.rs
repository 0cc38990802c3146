//! The keys `vpclab serve --credentials FILE` accepts, read from an AWS shared-credentials file
//! (the format of `~/.aws/credentials`):
//!
//! ```ini
//! # comment (or ; comment)
//! [default]
//! aws_access_key_id = AKIAEXAMPLE
//! aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
//! aws_account_id = 111122223333
//! ```
//!
//! A profile with a key has both `aws_access_key_id` and `aws_secret_access_key`;
//! `aws_account_id` (twelve digits) is the account its requests act in. Other settings
//! (`region`, `aws_session_token`…) are allowed and ignored; profiles without a key are skipped.
//! Anything else — a line that is neither a section, a setting nor a comment, a repeated
//! section or setting, one key id with two secrets — is an error naming its line.

use std::collections::HashMap;
use std::fmt;

/// One access key of the file.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub secret: String,
    /// The account the key's requests act in, when the profile names one.
    pub account_id: Option<String>,
    /// The profile it came from.
    pub profile: String,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("secret", &"…")
            .field("account_id", &self.account_id)
            .field("profile", &self.profile)
            .finish()
    }
}

/// The access keys of a shared-credentials file, by access key id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyStore {
    keys: HashMap<String, AccessKey>,
}

/// A shared-credentials file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|n| format!("line {n}: ")).unwrap_or_default())]
pub struct KeyFileError {
    /// 1-based; `None` for a problem of the whole file.
    pub line: Option<usize>,
    pub message: String,
}

fn error_at(line: usize, message: impl Into<String>) -> KeyFileError {
    KeyFileError { line: Some(line), message: message.into() }
}

/// A `[profile]` section as read: where it starts and its settings with their lines.
struct Section<'a> {
    name: &'a str,
    line: usize,
    settings: HashMap<&'a str, (&'a str, usize)>,
}

impl KeyStore {
    /// Reads the text of a shared-credentials file.
    pub fn parse(text: &str) -> Result<Self, KeyFileError> {
        let mut store = KeyStore::default();
        for section in sections(text)? {
            store.add(section)?;
        }
        if store.keys.is_empty() {
            return Err(KeyFileError {
                line: None,
                message: "no profile has both aws_access_key_id and aws_secret_access_key".into(),
            });
        }
        Ok(store)
    }

    /// The key with this id.
    pub fn get(&self, access_key_id: &str) -> Option<&AccessKey> {
        self.keys.get(access_key_id)
    }

    /// The secret of the key with this id (what [`super::verify`] asks).
    pub fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.get(access_key_id).map(|k| k.secret.as_str())
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn add(&mut self, section: Section<'_>) -> Result<(), KeyFileError> {
        let setting = |name: &str| section.settings.get(name).copied();
        let (id, secret) = match (setting("aws_access_key_id"), setting("aws_secret_access_key")) {
            (None, None) => return Ok(()),
            (Some(id), Some(secret)) => (id, secret),
            (Some(_), None) | (None, Some(_)) => {
                return Err(error_at(
                    section.line,
                    format!(
                        "profile [{}] needs both aws_access_key_id and aws_secret_access_key",
                        section.name
                    ),
                ));
            }
        };
        if !id.0.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(error_at(id.1, "an access key id is letters and digits only"));
        }
        let account_id = match setting("aws_account_id") {
            Some((a, line)) if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(error_at(line, format!("aws_account_id '{a}' is not twelve digits")));
            }
            account => account.map(|(a, _)| a.to_owned()),
        };
        let key =
            AccessKey { secret: secret.0.to_owned(), account_id, profile: section.name.to_owned() };
        match self.keys.get(id.0) {
            Some(earlier)
                if earlier.secret != key.secret || earlier.account_id != key.account_id =>
            {
                Err(error_at(
                    id.1,
                    format!(
                        "access key id {} is also in profile [{}] with another secret or account",
                        id.0, earlier.profile
                    ),
                ))
            }
            Some(_) => Ok(()),
            None => {
                self.keys.insert(id.0.to_owned(), key);
                Ok(())
            }
        }
    }
}

/// The sections of the file, each setting with its line.
fn sections(text: &str) -> Result<Vec<Section<'_>>, KeyFileError> {
    let mut sections: Vec<Section<'_>> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let content = raw.trim();
        if content.is_empty() || content.starts_with('#') || content.starts_with(';') {
            continue;
        }
        if let Some(name) = content.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .ok_or_else(|| error_at(line, "a section header is [profile-name]"))?;
            if let Some(earlier) = sections.iter().find(|s| s.name == name) {
                return Err(error_at(
                    line,
                    format!("profile [{name}] is already defined on line {}", earlier.line),
                ));
            }
            sections.push(Section { name, line, settings: HashMap::new() });
            continue;
        }
        let (name, value) = content
            .split_once(['=', ':'])
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| error_at(line, "expected [profile] or name = value"))?;
        let section = sections
            .last_mut()
            .ok_or_else(|| error_at(line, format!("{name} is outside any [profile] section")))?;
        if value.is_empty() {
            return Err(error_at(line, format!("{name} has no value")));
        }
        if section.settings.insert(name, (value, line)).is_some() {
            return Err(error_at(
                line,
                format!("{name} is repeated in profile [{}]", section.name),
            ));
        }
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_profiles_with_keys_and_accounts() {
        let store = KeyStore::parse(
            "# keys for the lab\n[default]\naws_access_key_id = AKIDONE\naws_secret_access_key=s3cret/One+x\n\
             region = eu-west-1\n\n; second\n[other]\r\naws_access_key_id=AKIDTWO\r\n\
             aws_secret_access_key = two\r\naws_account_id = 111122223333\r\n[no-key]\nregion=us-east-1\n",
        )
        .unwrap();
        assert_eq!(store.len(), 2);
        assert_eq!(store.secret("AKIDONE"), Some("s3cret/One+x"));
        assert_eq!(store.get("AKIDONE").unwrap().account_id, None);
        assert_eq!(store.get("AKIDTWO").unwrap().account_id.as_deref(), Some("111122223333"));
        assert_eq!(store.secret("AKIDTHREE"), None);
        assert!(!format!("{store:?}").contains("s3cret"), "secrets stay out of Debug");
    }

    #[test]
    fn bad_files_name_the_line() {
        let cases = [
            ("aws_access_key_id = A\n", Some(1), "outside any [profile]"),
            ("[a]\naws_access_key_id = A\n", Some(1), "needs both"),
            ("[a]\njunk\n", Some(2), "expected [profile]"),
            ("[a]\naws_access_key_id = A\naws_access_key_id = B\n", Some(3), "repeated"),
            ("[a]\n[a]\n", Some(2), "already defined on line 1"),
            ("[]\n", Some(1), "[profile-name]"),
            (
                "[a]\naws_access_key_id=A\naws_secret_access_key=s\naws_account_id=12\n",
                Some(4),
                "twelve digits",
            ),
            (
                "[a]\naws_access_key_id=A-1\naws_secret_access_key=s\n",
                Some(2),
                "letters and digits",
            ),
            ("[a]\naws_access_key_id=\n", Some(2), "no value"),
            (
                "[a]\naws_access_key_id=A\naws_secret_access_key=s\n[b]\naws_access_key_id=A\naws_secret_access_key=t\n",
                Some(5),
                "also in profile [a]",
            ),
            ("# nothing\n[a]\nregion=x\n", None, "no profile has both"),
        ];
        for (text, line, words) in cases {
            let e = KeyStore::parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.to_string().contains(words), "{text}: {e}");
        }
    }

    #[test]
    fn the_same_key_may_appear_twice_unchanged() {
        let text = "[a]\naws_access_key_id=A\naws_secret_access_key=s\n[b]\naws_access_key_id=A\naws_secret_access_key=s\n";
        assert_eq!(KeyStore::parse(text).unwrap().len(), 1);
    }
}
