//! Listener rule matching, as ALB documents it: pure functions over what a request says.
//!
//! A rule matches when all its conditions do; a condition matches when any of its values does.
//! Rules are tried by ascending priority; when none matches, the listener's default actions
//! apply. Wildcards: `*` matches any run of characters (also none), `?` exactly one.

use std::net::IpAddr;

use hyper::HeaderMap;

use crate::config::{Action, Condition, Rule};

/// What rule conditions look at in one request.
#[derive(Debug, Clone, Copy)]
pub struct RequestFacts<'a> {
    /// The method, as sent (`GET`).
    pub method: &'a str,
    /// The host name from `Host` (HTTP/1) or `:authority` (HTTP/2), with any port.
    pub host: Option<&'a str>,
    /// The path, without the query string.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The client's address.
    pub source: IpAddr,
}

/// Does `text` match `pattern`, where `*` matches any run of bytes and `?` exactly one?
/// `fold` compares ASCII letters case-insensitively.
pub fn wildcard_match(pattern: &str, text: &str, fold: bool) -> bool {
    let (pattern, text) = (pattern.as_bytes(), text.as_bytes());
    let same = |a: u8, b: u8| if fold { a.eq_ignore_ascii_case(&b) } else { a == b };
    let (mut p, mut t) = (0usize, 0usize);
    // Where the last `*` was, and how much text it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    loop {
        match (pattern.get(p), text.get(t)) {
            (Some(b'*'), _) => {
                star = Some((p, t));
                p += 1;
            }
            (Some(&pc), Some(&tc)) if pc == b'?' || same(pc, tc) => {
                p += 1;
                t += 1;
            }
            (None, None) => return true,
            _ => match star {
                Some((sp, st)) if st < text.len() => {
                    star = Some((sp, st + 1));
                    p = sp + 1;
                    t = st + 1;
                }
                _ => return false,
            },
        }
    }
}

/// The host name without a port (`example.com:8080` → `example.com`, `[::1]:80` → `[::1]`).
pub fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => host.get(..=end).unwrap_or(host),
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Is `address` in the block `network/prefix`? IPv4-mapped IPv6 addresses count as IPv4.
pub fn cidr_contains(network: IpAddr, prefix: u8, address: IpAddr) -> bool {
    match (network.to_canonical(), address.to_canonical()) {
        (IpAddr::V4(n), IpAddr::V4(a)) => {
            let bits = u32::from(prefix.min(32));
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(n) & mask == u32::from(a) & mask
        }
        (IpAddr::V6(n), IpAddr::V6(a)) => {
            let bits = u32::from(prefix.min(128));
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(n) & mask == u128::from(a) & mask
        }
        _ => false,
    }
}

/// Percent-decodes (and turns `+` into a space), lossily; malformed escapes stay as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match b {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b),
            },
            b'+' => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Does the request satisfy one condition?
pub fn condition_matches(condition: &Condition, facts: &RequestFacts<'_>) -> bool {
    match condition {
        Condition::HostHeader(patterns) => {
            let Some(host) = facts.host.map(host_without_port) else { return false };
            patterns.iter().any(|p| wildcard_match(p, host, true))
        }
        Condition::PathPattern(patterns) => {
            patterns.iter().any(|p| wildcard_match(p, facts.path, false))
        }
        Condition::HttpHeader { name, values } => facts
            .headers
            .get_all(name.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| values.iter().any(|p| wildcard_match(p, v, true))),
        Condition::HttpRequestMethod(methods) => methods.iter().any(|m| m == facts.method),
        Condition::QueryString(pairs) => {
            let Some(query) = facts.query else { return false };
            query.split('&').filter(|s| !s.is_empty()).any(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                let (dkey, dvalue) = (percent_decode(key), percent_decode(value));
                pairs.iter().any(|(pk, pv)| {
                    let key_ok = pk.as_deref().is_none_or(|pk| {
                        wildcard_match(pk, key, true) || wildcard_match(pk, &dkey, true)
                    });
                    key_ok && (wildcard_match(pv, value, true) || wildcard_match(pv, &dvalue, true))
                })
            })
        }
        Condition::SourceIp(blocks) => {
            blocks.iter().any(|(net, prefix)| cidr_contains(*net, *prefix, facts.source))
        }
    }
}

/// Does the request satisfy all of a rule's conditions?
pub fn rule_matches(rule: &Rule, facts: &RequestFacts<'_>) -> bool {
    rule.conditions.iter().all(|c| condition_matches(c, facts))
}

/// The actions that apply: those of the first matching rule (`rules` sorted by ascending
/// priority), else the defaults.
pub fn select_actions<'a>(
    rules: &'a [Rule],
    default_actions: &'a [Action],
    facts: &RequestFacts<'_>,
) -> &'a [Action] {
    rules.iter().find(|r| rule_matches(r, facts)).map_or(default_actions, |r| r.actions.as_slice())
}

/// A health check `Matcher` (`"200"`, `"200-299"`, `"200,202"`), parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMatcher(Vec<(u16, u16)>);

impl CodeMatcher {
    /// Parses a matcher; unparsable parts are ignored, and an empty result means `200`.
    pub fn parse(text: &str) -> CodeMatcher {
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let range = match part.split_once('-') {
                Some((lo, hi)) => lo.trim().parse().ok().zip(hi.trim().parse().ok()),
                None => part.parse().ok().map(|c| (c, c)),
            };
            ranges.extend(range);
        }
        if ranges.is_empty() {
            ranges.push((200, 200));
        }
        CodeMatcher(ranges)
    }

    /// Does this status code mean healthy?
    pub fn matches(&self, code: u16) -> bool {
        self.0.iter().any(|(lo, hi)| (*lo..=*hi).contains(&code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Action;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn facts<'a>(
        headers: &'a HeaderMap,
        path: &'a str,
        query: Option<&'a str>,
    ) -> RequestFacts<'a> {
        RequestFacts {
            method: "GET",
            host: Some("api.Example.com:8080"),
            path,
            query,
            headers,
            source: IpAddr::V4(Ipv4Addr::new(10, 0, 1, 7)),
        }
    }

    #[test]
    fn star_matches_any_run_including_none() {
        assert!(wildcard_match("/img/*", "/img/", false));
        assert!(wildcard_match("/img/*", "/img/a/b.png", false));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("*.png", "/a.png", false));
        assert!(wildcard_match("/a*b*c", "/aXbYbZc", false));
        assert!(!wildcard_match("/img/*", "/images", false));
        assert!(!wildcard_match("/a*b", "/aXbc", false));
    }

    #[test]
    fn question_mark_matches_exactly_one() {
        assert!(wildcard_match("/v?/x", "/v1/x", false));
        assert!(!wildcard_match("/v?/x", "/v/x", false));
        assert!(!wildcard_match("/v?/x", "/v12/x", false));
        assert!(wildcard_match("/v??", "/v12", false));
    }

    #[test]
    fn exact_patterns_match_only_themselves() {
        assert!(wildcard_match("/health", "/health", false));
        assert!(!wildcard_match("/health", "/healthz", false));
        assert!(!wildcard_match("/health", "/healt", false));
    }

    #[test]
    fn path_patterns_are_case_sensitive() {
        let h = HeaderMap::new();
        let c = Condition::PathPattern(vec!["/API/*".into()]);
        assert!(!condition_matches(&c, &facts(&h, "/api/users", None)));
        assert!(condition_matches(&c, &facts(&h, "/API/users", None)));
    }

    #[test]
    fn path_patterns_ignore_the_query_string() {
        let h = HeaderMap::new();
        let c = Condition::PathPattern(vec!["/search".into()]);
        assert!(condition_matches(&c, &facts(&h, "/search", Some("q=1"))));
    }

    #[test]
    fn host_headers_are_case_insensitive_without_port_and_with_wildcards() {
        let h = HeaderMap::new();
        let f = facts(&h, "/", None);
        assert!(condition_matches(&Condition::HostHeader(vec!["api.example.com".into()]), &f));
        assert!(condition_matches(&Condition::HostHeader(vec!["*.EXAMPLE.com".into()]), &f));
        assert!(condition_matches(&Condition::HostHeader(vec!["ap?.example.com".into()]), &f));
        assert!(!condition_matches(&Condition::HostHeader(vec!["example.com".into()]), &f));
        let no_host = RequestFacts { host: None, ..f };
        assert!(!condition_matches(&Condition::HostHeader(vec!["*".into()]), &no_host));
    }

    #[test]
    fn hosts_lose_their_port() {
        assert_eq!(host_without_port("a.b:80"), "a.b");
        assert_eq!(host_without_port("a.b"), "a.b");
        assert_eq!(host_without_port("[::1]:80"), "[::1]");
        assert_eq!(host_without_port("[::1]"), "[::1]");
    }

    #[test]
    fn http_header_names_and_values_are_case_insensitive() {
        let mut h = HeaderMap::new();
        h.insert("user-agent", "Mozilla/5.0 (iPhone)".parse().unwrap());
        h.append("x-tag", "one".parse().unwrap());
        h.append("x-tag", "Two".parse().unwrap());
        let f = facts(&h, "/", None);
        let c = |name: &str, v: &str| Condition::HttpHeader {
            name: name.into(),
            values: vec![v.into()],
        };
        assert!(condition_matches(&c("User-Agent", "*iphone*"), &f));
        assert!(!condition_matches(&c("User-Agent", "*android*"), &f));
        assert!(condition_matches(&c("X-Tag", "two"), &f), "any of the header's values");
        assert!(!condition_matches(&c("X-Missing", "*"), &f));
    }

    #[test]
    fn methods_are_exact_and_case_sensitive() {
        let h = HeaderMap::new();
        let f = facts(&h, "/", None);
        assert!(condition_matches(
            &Condition::HttpRequestMethod(vec!["POST".into(), "GET".into()]),
            &f
        ));
        assert!(!condition_matches(&Condition::HttpRequestMethod(vec!["get".into()]), &f));
        assert!(!condition_matches(&Condition::HttpRequestMethod(vec!["G*".into()]), &f));
    }

    #[test]
    fn query_strings_match_pairs_or_values_with_wildcards() {
        let h = HeaderMap::new();
        let f = facts(&h, "/", Some("version=V2&lang=en%20us&flag"));
        let q =
            |k: Option<&str>, v: &str| Condition::QueryString(vec![(k.map(Into::into), v.into())]);
        assert!(condition_matches(&q(Some("version"), "v2"), &f), "case-insensitive");
        assert!(condition_matches(&q(Some("VERSION"), "v*"), &f));
        assert!(condition_matches(&q(None, "en us"), &f), "decoded value, any key");
        assert!(condition_matches(&q(None, "en%20us"), &f), "encoded value");
        assert!(condition_matches(&q(Some("flag"), ""), &f));
        assert!(!condition_matches(&q(Some("version"), "v3"), &f));
        assert!(!condition_matches(&q(Some("lang"), "v2"), &f), "key and value of one pair");
        let none = facts(&h, "/", None);
        assert!(!condition_matches(&q(None, "*"), &none));
    }

    #[test]
    fn source_ips_match_cidr_blocks() {
        let h = HeaderMap::new();
        let f = facts(&h, "/", None);
        let s = |ip: IpAddr, p: u8| Condition::SourceIp(vec![(ip, p)]);
        assert!(condition_matches(&s(Ipv4Addr::new(10, 0, 0, 0).into(), 16), &f));
        assert!(condition_matches(&s(Ipv4Addr::new(10, 0, 1, 7).into(), 32), &f));
        assert!(condition_matches(&s(Ipv4Addr::UNSPECIFIED.into(), 0), &f));
        assert!(!condition_matches(&s(Ipv4Addr::new(10, 0, 2, 0).into(), 24), &f));
        assert!(!condition_matches(&s(Ipv6Addr::UNSPECIFIED.into(), 0), &f));
        let mapped = RequestFacts { source: "::ffff:10.0.1.7".parse().unwrap(), ..f };
        assert!(condition_matches(&s(Ipv4Addr::new(10, 0, 1, 0).into(), 24), &mapped));
        let v6 = RequestFacts { source: "2001:db8::5".parse().unwrap(), ..f };
        assert!(condition_matches(&s("2001:db8::".parse().unwrap(), 32), &v6));
    }

    fn fixed(code: &str) -> Vec<Action> {
        vec![Action::FixedResponse { status_code: code.into(), content_type: None, body: None }]
    }

    #[test]
    fn first_matching_rule_wins_else_defaults() {
        let h = HeaderMap::new();
        let rule = |p: u32, path: &str, code: &str| Rule {
            arn: format!("r{p}"),
            priority: p,
            conditions: vec![Condition::PathPattern(vec![path.into()])],
            actions: fixed(code),
        };
        let rules = vec![rule(1, "/a/b", "201"), rule(2, "/a/*", "202")];
        let defaults = fixed("404");
        assert_eq!(select_actions(&rules, &defaults, &facts(&h, "/a/b", None)), fixed("201"));
        assert_eq!(select_actions(&rules, &defaults, &facts(&h, "/a/c", None)), fixed("202"));
        assert_eq!(select_actions(&rules, &defaults, &facts(&h, "/z", None)), fixed("404"));
    }

    #[test]
    fn all_conditions_of_a_rule_must_match() {
        let h = HeaderMap::new();
        let rule = Rule {
            arn: "r".into(),
            priority: 1,
            conditions: vec![
                Condition::PathPattern(vec!["/a".into()]),
                Condition::HttpRequestMethod(vec!["POST".into()]),
            ],
            actions: fixed("200"),
        };
        assert!(!rule_matches(&rule, &facts(&h, "/a", None)));
        let post = RequestFacts { method: "POST", ..facts(&h, "/a", None) };
        assert!(rule_matches(&rule, &post));
    }

    #[test]
    fn matchers_take_codes_lists_and_ranges() {
        let m = CodeMatcher::parse("200,202");
        assert!(m.matches(200) && m.matches(202) && !m.matches(201));
        let r = CodeMatcher::parse("200-299");
        assert!(r.matches(200) && r.matches(299) && !r.matches(300));
        assert!(CodeMatcher::parse("").matches(200));
        assert!(CodeMatcher::parse("junk").matches(200));
    }

    #[test]
    fn percent_decoding_is_lossy_but_safe() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
