//! Describe filters: `Filter.N.Name` / `Filter.N.Value.M`.
//!
//! Filters are ANDed, the values of one filter ORed; values may use `*` and `?` wildcards.
//! `tag:<key>`, `tag-key` and `tag-value` work on every taggable resource; other names must be
//! in the operation's filter table ([`Table`]), or the request fails as on AWS. A table pairs
//! each name with the function giving a row's values, so no name can be accepted without them.

use model::types::ec2::Tags;
use model::{Scope, World};
use shapes::ec2::Filter;
use std::ops::Deref;
use wire::ApiError;

/// What a filter's values are read from: the item, with the world and scope it is seen in, and
/// `extra` — what else its values depend on (the resource that holds it, or the moment it is
/// seen at).
#[derive(Debug)]
pub struct Row<'a, T, P = ()> {
    pub world: &'a World,
    pub scope: &'a Scope,
    pub item: &'a T,
    pub extra: &'a P,
}

impl<'a, T> Row<'a, T> {
    pub fn new(world: &'a World, scope: &'a Scope, item: &'a T) -> Self {
        Row { world, scope, item, extra: &() }
    }
}

impl<'a, T, P> Row<'a, T, P> {
    pub fn with(world: &'a World, scope: &'a Scope, item: &'a T, extra: &'a P) -> Self {
        Row { world, scope, item, extra }
    }
}

impl<T, P> Deref for Row<'_, T, P> {
    type Target = T;
    fn deref(&self) -> &T {
        self.item
    }
}

/// One filter name and the values a row has for it. Alternate spellings AWS documents
/// (`availabilityZone` beside `availability-zone`) are separate entries sharing a function.
#[derive(Debug)]
pub struct Field<T: 'static, P: 'static = ()> {
    pub name: &'static str,
    pub values: fn(&Row<'_, T, P>) -> Vec<String>,
}

/// An operation's filters: every name it accepts besides the tag filters.
pub type Table<T, P = ()> = &'static [Field<T, P>];

/// The names a table accepts.
pub fn names<T, P>(table: Table<T, P>) -> impl Iterator<Item = &'static str> {
    table.iter().map(|f| f.name)
}

/// A table, written `name => fn` (several names may share one fn).
macro_rules! table {
    ($($name:literal => $values:expr),* $(,)?) => {
        &[$($crate::ec2::filter::Field { name: $name, values: $values }),*]
    };
}
pub(crate) use table;

enum Source<T: 'static, P: 'static> {
    Tag(String),
    TagKey,
    TagValue,
    Field(fn(&Row<'_, T, P>) -> Vec<String>),
}

pub struct Filters<T: 'static, P: 'static = ()> {
    filters: Vec<(String, Source<T, P>, Vec<String>)>,
}

impl<T, P> std::fmt::Debug for Filters<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.filters.iter().map(|(name, _, values)| (name, values))).finish()
    }
}

impl<T, P> Filters<T, P> {
    /// Checks the names against `table` (the operation's documented filters).
    pub fn new(raw: &[Filter], table: Table<T, P>) -> Result<Self, ApiError> {
        let mut filters = Vec::with_capacity(raw.len());
        for f in raw {
            let name = f.name.clone().ok_or_else(|| ApiError::missing_parameter("Filter.Name"))?;
            let source = if let Some(key) = name.strip_prefix("tag:") {
                Source::Tag(key.to_owned())
            } else if name == "tag-key" {
                Source::TagKey
            } else if name == "tag-value" {
                Source::TagValue
            } else if let Some(field) = table.iter().find(|f| f.name == name) {
                Source::Field(field.values)
            } else {
                return Err(ApiError::invalid_parameter_value(format!(
                    "The filter '{name}' is invalid"
                )));
            };
            filters.push((name, source, f.values.clone()));
        }
        Ok(Filters { filters })
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// The values given for the filter `name`, across every filter of that name.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.filters
            .iter()
            .filter(move |(n, _, _)| n == name)
            .flat_map(|(_, _, v)| v.iter().map(String::as_str))
    }

    /// Whether a row passes every filter; `tags` are the ones the caller sees on it.
    pub fn matches(&self, row: &Row<'_, T, P>, tags: &Tags) -> bool {
        self.filters.iter().all(|(_, source, patterns)| {
            let values: Vec<String> = match source {
                Source::Tag(key) => tags.get(key).cloned().into_iter().collect(),
                Source::TagKey => tags.keys().cloned().collect(),
                Source::TagValue => tags.values().cloned().collect(),
                Source::Field(values) => values(row),
            };
            patterns.iter().any(|p| values.iter().any(|v| glob(p, v)))
        })
    }
}

/// AWS filter wildcards: `*` any run of characters, `?` one character, `\` escapes.
pub fn glob(pattern: &str, value: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let v: Vec<char> = value.chars().collect();
    // Iterative matching with backtracking to the last `*`.
    let (mut pi, mut vi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while vi < v.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, vi));
                pi += 1;
                continue;
            }
            Some('?') => {
                pi += 1;
                vi += 1;
                continue;
            }
            Some('\\') if p.get(pi + 1).is_some_and(|c| Some(c) == v.get(vi)) => {
                pi += 2;
                vi += 1;
                continue;
            }
            Some(c) if *c != '\\' && Some(c) == v.get(vi) => {
                pi += 1;
                vi += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, sv)) => {
                pi = sp + 1;
                vi = sv + 1;
                star = Some((sp, sv + 1));
            }
            None => return false,
        }
    }
    p.get(pi..).is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// A boolean as filters compare it.
pub fn flag(b: bool) -> Vec<String> {
    vec![if b { "true" } else { "false" }.to_owned()]
}

/// One value.
pub fn one(s: impl ToString) -> Vec<String> {
    vec![s.to_string()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(glob("web-*", "web-1"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*-prod-*", "app-prod-east"));
        assert!(!glob("web", "web-1"));
        assert!(glob("10.0.*", "10.0.1.0/24"));
        assert!(glob("a\\*", "a*"));
        assert!(!glob("a\\*", "ab"));
    }

    #[test]
    fn unknown_filter_names_are_refused() {
        let known: Table<String> = table!["vpc-id" => |r| one(r.item)];
        let f = Filter { name: Some("no-such".into()), values: vec!["x".into()] };
        assert_eq!(Filters::new(&[f], known).unwrap_err().code, "InvalidParameterValue");
        let t = Filter { name: Some("tag:Name".into()), values: vec!["web*".into()] };
        let filters = Filters::new(&[t], known).unwrap();
        let (w, scope) = (World::default(), Scope::new("123456789012", "us-east-1"));
        let id = "vpc-1".to_owned();
        let row = Row::new(&w, &scope, &id);
        let mut tags = Tags::new();
        tags.insert("Name".into(), "web-1".into());
        assert!(filters.matches(&row, &tags));
        assert!(!filters.matches(&row, &Tags::new()));
        let v = Filter { name: Some("vpc-id".into()), values: vec!["vpc-*".into()] };
        assert!(Filters::new(&[v], known).unwrap().matches(&row, &Tags::new()));
    }
}
