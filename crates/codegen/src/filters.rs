//! The filter names an EC2 operation's botocore documentation lists for its `Filters` member.
//!
//! Each name opens an item of the member's documentation list (`<li> <p> <code>name</code> -
//! …`, a few operations write it bare: `<li> <p>name - …`); an item may give alternate
//! spellings ("You can also use <code>x</code> as the filter name"). Only the names are taken,
//! never the text around them.

use anyhow::Result;
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The list members that carry filters (NAT gateways and flow logs say `Filter`).
const MEMBERS: &[&str] = &["Filters", "Filter"];

/// Writes `DOCUMENTED_FILTERS`: for each operation of `ops` (in that order) with a filters
/// member, the names its documentation lists, in the order listed, each once.
pub fn write(
    out: &mut String,
    ops: &[String],
    operations: &Map<String, Value>,
    shapes: &Map<String, Value>,
) -> Result<()> {
    writeln!(
        out,
        "/// The filter names each operation's botocore documentation lists for its filters,"
    )?;
    writeln!(out, "/// with the alternate spellings it gives, by operation.")?;
    writeln!(out, "pub const DOCUMENTED_FILTERS: &[(&str, &[&str])] = &[")?;
    for op in ops {
        let input =
            operations.get(op).and_then(|d| d.pointer("/input/shape")).and_then(Value::as_str);
        let Some(members) = input
            .and_then(|i| shapes.get(i))
            .and_then(|s| s.get("members"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        let Some(doc) = MEMBERS
            .iter()
            .find_map(|m| members.get(*m))
            .map(|m| m.get("documentation").and_then(Value::as_str).unwrap_or_default())
        else {
            continue;
        };
        let names: Vec<String> = documented(doc).iter().map(|n| format!("{n:?}")).collect();
        writeln!(out, "    ({op:?}, &[{}]),", names.join(", "))?;
    }
    writeln!(out, "];\n")?;
    Ok(())
}

/// The names of a filters member's documentation, each once.
pub fn documented(doc: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = doc;
    // An item runs from `<li>` to the first `</li>`: a list nested in an item (its values) is
    // skipped with it.
    while let Some(start) = rest.find("<li>") {
        let item = &rest[start + "<li>".len()..];
        let end = item.find("</li>").unwrap_or(item.len());
        rest = &item[end..];
        let item = &item[..end];
        let mut found: Vec<String> = first_name(item).into_iter().collect();
        if found.is_empty() {
            continue;
        }
        if let Some(also) = item.split_once("You can also use ").map(|(_, a)| a)
            && let Some((spellings, _)) = also.split_once(" as the filter name")
        {
            found.extend(codes(spellings));
        }
        for name in found {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// The name an item opens with: `<p> <code>name</code>` or `<p>name - `.
fn first_name(item: &str) -> Option<String> {
    let p = item.trim_start().strip_prefix("<p>")?.trim_start();
    let name = match p.strip_prefix("<code>") {
        Some(code) => code.split_once("</code>")?.0,
        None => p.split_once(" - ")?.0,
    }
    .trim();
    let plain = !name.is_empty() && !name.contains(|c: char| c.is_whitespace() || c == '<');
    plain.then(|| name.to_owned())
}

/// The `<code>` spans of `text`.
fn codes(text: &str) -> Vec<String> {
    text.split("<code>")
        .skip(1)
        .filter_map(|c| c.split_once("</code>"))
        .map(|(name, _)| name.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_their_spellings_are_read() {
        let doc = "<p>The filters.</p> <ul> <li> <p> <code>cidr-block</code> - The block. You \
                   can also use <code>cidr</code> or <code>cidrBlock</code> as the filter \
                   names.</p> </li> <li> <p> <code>state</code> - (<code>a</code> | \
                   <code>b</code>).</p> <ul> <li> <p> <code>nested</code> </p> </li> </ul> \
                   </li> <li> <p>path-found - A flag.</p> </li> <li> <p> <code>tag</code>:&lt;key&gt; \
                   </p></li> <li> <p>The free text.</p> </li> </ul>";
        assert_eq!(
            documented(doc),
            ["cidr-block", "cidr", "cidrBlock", "state", "path-found", "tag"]
        );
    }
}
