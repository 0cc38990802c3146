//! Describe filters: `Filter.N.Name` / `Filter.N.Value.M`.
//!
//! Filters are ANDed, the values of one filter ORed; values may use `*` and `?` wildcards.
//! `tag:<key>`, `tag-key` and `tag-value` work on every taggable resource; other names must be
//! among those the operation documents, or the request fails as on AWS.

use model::resources::Tags;
use shapes::ec2::Filter;
use wire::ApiError;

#[derive(Debug, Clone, Default)]
pub struct Filters {
    filters: Vec<(String, Vec<String>)>,
}

impl Filters {
    /// Checks the names against `known` (the operation's documented filters).
    pub fn new(raw: &[Filter], known: &[&str]) -> Result<Self, ApiError> {
        let mut filters = Vec::with_capacity(raw.len());
        for f in raw {
            let name = f.name.clone().ok_or_else(|| ApiError::missing_parameter("Filter.Name"))?;
            let generic = name.starts_with("tag:") || name == "tag-key" || name == "tag-value";
            if !generic && !known.contains(&name.as_str()) {
                return Err(ApiError::invalid_parameter_value(format!(
                    "The filter '{name}' is invalid"
                )));
            }
            filters.push((name, f.values.clone()));
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
            .filter(move |(n, _)| n == name)
            .flat_map(|(_, v)| v.iter().map(String::as_str))
    }

    /// Whether a resource passes every filter. `field` gives the values of a named filter.
    pub fn matches(&self, tags: &Tags, field: impl Fn(&str) -> Vec<String>) -> bool {
        self.filters.iter().all(|(name, patterns)| {
            let values: Vec<String> = if let Some(key) = name.strip_prefix("tag:") {
                tags.get(key).cloned().into_iter().collect()
            } else if name == "tag-key" {
                tags.keys().cloned().collect()
            } else if name == "tag-value" {
                tags.values().cloned().collect()
            } else {
                field(name)
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
        let f = Filter { name: Some("no-such".into()), values: vec!["x".into()] };
        assert_eq!(Filters::new(&[f], &["vpc-id"]).unwrap_err().code, "InvalidParameterValue");
        let t = Filter { name: Some("tag:Name".into()), values: vec!["web*".into()] };
        let filters = Filters::new(&[t], &[]).unwrap();
        let mut tags = Tags::new();
        tags.insert("Name".into(), "web-1".into());
        assert!(filters.matches(&tags, |_| vec![]));
        assert!(!filters.matches(&Tags::new(), |_| vec![]));
    }
}
