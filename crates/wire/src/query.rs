//! Form-encoded requests (`Action=CreateVpc&CidrBlock=10.0.0.0%2F16&TagSpecification.1.…`).
//!
//! A [`QueryMap`] holds the flat key/value pairs. Generated request shapes read it through
//! [`FromQuery`]; the serialized names (`Filter.1.Value.1` in the ec2 dialect,
//! `Names.member.1` in the query dialect) are worked out by the code generator, so this runtime
//! only answers "what is at this key" and "which list indices exist under this prefix".
//! Every key read is remembered: what no shape consumed is an unknown parameter.

use crate::error::ApiError;
use crate::time::Timestamp;
use codes::Protocol;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, MutexGuard};

/// More parameters than this in one request is refused outright.
pub const MAX_PARAMETERS: usize = 20_000;
/// More elements than this in one list is refused outright.
pub const MAX_LIST_LEN: usize = 10_000;

/// Parameters that describe the request itself rather than the operation's input.
fn is_envelope_key(key: &str) -> bool {
    matches!(key, "Action" | "Version") || key.starts_with("X-Amz-") || key.starts_with("x-amz-")
}

/// The decoded parameters of one request.
#[derive(Debug, Default)]
pub struct QueryMap {
    params: BTreeMap<String, String>,
    used: Mutex<BTreeSet<String>>,
}

impl QueryMap {
    /// Decodes an `application/x-www-form-urlencoded` body or query string.
    /// Later duplicates of a key replace earlier ones.
    pub fn parse(input: &[u8]) -> Result<Self, ApiError> {
        let mut map = QueryMap::default();
        map.extend_from(input)?;
        Ok(map)
    }

    /// Adds the pairs of another encoded string (e.g. the URL's query to a POST body's).
    pub fn extend_from(&mut self, input: &[u8]) -> Result<(), ApiError> {
        for (k, v) in form_urlencoded::parse(input) {
            if k.is_empty() {
                continue;
            }
            if self.params.len() >= MAX_PARAMETERS {
                return Err(ApiError::client(
                    Protocol::InvalidParameterValue,
                    format!("The request has more than {MAX_PARAMETERS} parameters."),
                ));
            }
            self.params.insert(k.into_owned(), v.into_owned());
        }
        Ok(())
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        QueryMap {
            params: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            used: Mutex::default(),
        }
    }

    fn used(&self) -> MutexGuard<'_, BTreeSet<String>> {
        self.used.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The raw value at `key`, marking it consumed.
    pub fn get(&self, key: &str) -> Option<&str> {
        let value = self.params.get(key)?;
        self.used().insert(key.to_owned());
        Some(value.as_str())
    }

    /// The raw value at `key` without marking it consumed (for routing decisions).
    pub fn peek(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    pub fn action(&self) -> Option<&str> {
        self.peek("Action")
    }

    /// Reads and converts a scalar.
    pub fn scalar<T: QueryScalar>(&self, key: &str) -> Result<Option<T>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) => T::from_param(raw).map(Some).ok_or_else(|| {
                ApiError::invalid_parameter_value(format!(
                    "Value ({raw}) for parameter {key} is invalid. Expected {}.",
                    T::EXPECTED
                ))
            }),
        }
    }

    /// Reads a string that must be one of `allowed`.
    pub fn enum_scalar(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) if allowed.contains(&raw) => Ok(Some(raw.to_owned())),
            Some(raw) => Err(ApiError::invalid_parameter_value(format!(
                "Value ({raw}) for parameter {key} is invalid. Valid values are: {}",
                allowed.join(", ")
            ))),
        }
    }

    /// Reads a string that must be one of `allowed`, failing as the awsQuery services'
    /// validation framework does: `ValidationError` "1 validation error detected: Value 'x' at
    /// 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4,
    /// dualstack]", the member named by its [`validation_path`].
    pub fn enum_member(&self, key: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) if allowed.contains(&raw) => Ok(Some(raw.to_owned())),
            Some(raw) => Err(ApiError::client(
                Protocol::ValidationError,
                format!(
                    "1 validation error detected: Value '{raw}' at '{}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                    validation_path(key),
                    allowed.join(", ")
                ),
            )),
        }
    }

    /// As [`QueryMap::enum_scalar`], accepting the allowed values in any case; the value is
    /// returned as given.
    pub fn enum_scalar_ignoring_case(
        &self,
        key: &str,
        allowed: &[&str],
    ) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            Some(raw) if !allowed.iter().any(|a| a.eq_ignore_ascii_case(raw)) => {
                Err(ApiError::invalid_parameter_value(format!(
                    "Value ({raw}) for parameter {key} is invalid. Valid values are: {}",
                    allowed.join(", ")
                )))
            }
            raw => Ok(raw.map(str::to_owned)),
        }
    }

    /// Whether any parameter lies at `prefix` or below it (`prefix.…`).
    pub fn has_any(&self, prefix: &str) -> bool {
        if self.params.contains_key(prefix) {
            return true;
        }
        let start = format!("{prefix}.");
        self.params.range(start.clone()..).next().is_some_and(|(k, _)| k.starts_with(&start))
    }

    /// The 1-based indices present under `items` (`items.1`, `items.2.Name`, …), ascending.
    /// Segments that are not positive integers are left alone and end up as unknown parameters.
    pub fn indices(&self, items: &str) -> Result<Vec<u32>, ApiError> {
        let start = format!("{items}.");
        let mut found = BTreeSet::new();
        for (key, _) in self.params.range(start.clone()..) {
            let Some(rest) = key.strip_prefix(&start) else { break };
            let segment = rest.split('.').next().unwrap_or_default();
            if let Ok(i) = segment.parse::<u32>()
                && i > 0
                && !segment.starts_with('0')
            {
                found.insert(i);
                if found.len() > MAX_LIST_LEN {
                    return Err(ApiError::invalid_parameter_value(format!(
                        "The list {items} has more than {MAX_LIST_LEN} elements."
                    )));
                }
            }
        }
        // An empty list is sent as `items=` by the query dialect; consume it.
        if self.params.contains_key(items) {
            self.get(items);
        }
        Ok(found.into_iter().collect())
    }

    /// Reads a list whose elements sit at `items.N`.
    pub fn list<T>(
        &self,
        items: &str,
        mut element: impl FnMut(&QueryMap, &str) -> Result<T, ApiError>,
    ) -> Result<Vec<T>, ApiError> {
        self.indices(items)?.into_iter().map(|i| element(self, &format!("{items}.{i}"))).collect()
    }

    /// Reads a list of the query dialect, its elements at `key.item.N`. botocore sends an empty
    /// list as the bare key with an empty value (`Names=`): that is consumed as no elements.
    pub fn member_list<T>(
        &self,
        key: &str,
        item: &str,
        element: impl FnMut(&QueryMap, &str) -> Result<T, ApiError>,
    ) -> Result<Vec<T>, ApiError> {
        if self.peek(key) == Some("") {
            self.get(key);
        }
        self.list(&format!("{key}.{item}"), element)
    }

    /// Reads a string map of the query dialect: its entries at `key.entry.N.<key_name>` and
    /// `key.entry.N.<value_name>`, both required, in the order of their indices.
    pub fn string_map(
        &self,
        key: &str,
        key_name: &str,
        value_name: &str,
    ) -> Result<Vec<(String, String)>, ApiError> {
        self.member_list(key, "entry", |q, entry| {
            let part = |name: &str| {
                let at = join(entry, name);
                required(q.scalar::<String>(&at)?, &at)
            };
            Ok((part(key_name)?, part(value_name)?))
        })
    }

    /// Reads a list of scalars at `items.N`.
    pub fn scalar_list<T: QueryScalar>(&self, items: &str) -> Result<Vec<T>, ApiError> {
        self.list(items, |q, key| {
            q.scalar::<T>(key)?.ok_or_else(|| ApiError::missing_parameter(key))
        })
    }

    /// Reads an optional structure member: present when anything lies below `prefix`.
    pub fn structure<T: FromQuery>(&self, prefix: &str) -> Result<Option<T>, ApiError> {
        if self.has_any(prefix) {
            // A structure given a plain value (`Placement=x`) has that value unconsumed.
            T::from_query(self, prefix).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Keys no shape consumed (the envelope keys `Action`, `Version`, `X-Amz-*` excepted).
    pub fn unused(&self) -> Vec<String> {
        let used = self.used();
        self.params.keys().filter(|k| !is_envelope_key(k) && !used.contains(*k)).cloned().collect()
    }

    /// Fails with AWS's `UnknownParameter` if anything was not consumed.
    pub fn reject_unused(&self) -> Result<(), ApiError> {
        match self.unused().first() {
            None => Ok(()),
            Some(key) => Err(ApiError::client(
                Protocol::UnknownParameter,
                format!("The parameter {key} is not recognized"),
            )),
        }
    }
}

/// A parameter as AWS's validation framework names it in messages: members in lowerCamel, a
/// list element's index before its item name (`DefaultActions.member.1.Type` →
/// `defaultActions.1.member.type`).
pub fn validation_path(key: &str) -> String {
    let mut segments: Vec<String> = Vec::new();
    for segment in key.split('.') {
        let is_index = !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit());
        match segments.pop() {
            Some(item) if is_index => {
                segments.push(segment.to_owned());
                segments.push(item);
            }
            previous => {
                segments.extend(previous);
                let mut chars = segment.chars();
                let first = chars.next().map(|c| c.to_ascii_lowercase().to_string());
                segments.push(first.unwrap_or_default() + chars.as_str());
            }
        }
    }
    segments.join(".")
}

/// `prefix.name`, or `name` at the top level.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

/// A required member: its absence is AWS's `MissingParameter`.
pub fn required<T>(value: Option<T>, key: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::missing_parameter(key))
}

/// A required list: an empty one is AWS's `MissingParameter`.
pub fn required_list<T>(values: Vec<T>, key: &str) -> Result<Vec<T>, ApiError> {
    if values.is_empty() { Err(ApiError::missing_parameter(key)) } else { Ok(values) }
}

/// A shape that can be read from a [`QueryMap`] at a key prefix (`""` for the top level).
pub trait FromQuery: Sized {
    fn from_query(q: &QueryMap, prefix: &str) -> Result<Self, ApiError>;
}

/// A scalar parameter type.
pub trait QueryScalar: Sized {
    /// What a valid value looks like, for error messages.
    const EXPECTED: &'static str;
    fn from_param(raw: &str) -> Option<Self>;
}

impl QueryScalar for String {
    const EXPECTED: &'static str = "a string";
    fn from_param(raw: &str) -> Option<Self> {
        Some(raw.to_owned())
    }
}

impl QueryScalar for bool {
    const EXPECTED: &'static str = "true or false";
    fn from_param(raw: &str) -> Option<Self> {
        if raw.eq_ignore_ascii_case("true") {
            Some(true)
        } else if raw.eq_ignore_ascii_case("false") {
            Some(false)
        } else {
            None
        }
    }
}

impl QueryScalar for i32 {
    const EXPECTED: &'static str = "an integer";
    fn from_param(raw: &str) -> Option<Self> {
        raw.trim().parse().ok()
    }
}

impl QueryScalar for i64 {
    const EXPECTED: &'static str = "a long integer";
    fn from_param(raw: &str) -> Option<Self> {
        raw.trim().parse().ok()
    }
}

impl QueryScalar for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_param(raw: &str) -> Option<Self> {
        raw.trim().parse::<f64>().ok().filter(|f| f.is_finite())
    }
}

impl QueryScalar for Timestamp {
    const EXPECTED: &'static str = "an ISO 8601 timestamp";
    fn from_param(raw: &str) -> Option<Self> {
        Timestamp::parse_iso8601(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_forms_and_finds_list_indices() {
        let q = QueryMap::parse(b"Action=DescribeVpcs&Filter.1.Name=cidr&Filter.1.Value.1=10.0.0.0%2F16&Filter.2.Name=x&Filter.10.Name=y").unwrap();
        assert_eq!(q.indices("Filter").unwrap(), vec![1, 2, 10]);
        assert_eq!(q.get("Filter.1.Value.1"), Some("10.0.0.0/16"));
        assert!(q.has_any("Filter.1"));
        assert!(!q.has_any("Filte"));
    }

    #[test]
    fn reports_unconsumed_parameters() {
        let q = QueryMap::parse(b"Action=X&Version=1&A=1&B=2").unwrap();
        q.get("A");
        assert_eq!(q.unused(), vec!["B".to_owned()]);
        assert_eq!(q.reject_unused().unwrap_err().code, "UnknownParameter");
    }

    #[test]
    fn an_empty_query_list_is_its_bare_key() {
        let q = QueryMap::parse(b"Names=&Arns.member.1=a&Other=x").unwrap();
        let read = |q: &QueryMap, k: &str| -> Result<Vec<String>, ApiError> {
            q.member_list(k, "member", |q, k| required(q.scalar::<String>(k)?, k))
        };
        assert!(read(&q, "Names").unwrap().is_empty());
        assert_eq!(read(&q, "Arns").unwrap(), vec!["a"]);
        // a bare key with a value is no list: left for `reject_unused`
        assert!(read(&q, "Other").unwrap().is_empty());
        assert_eq!(q.unused(), vec!["Other".to_owned()]);
    }

    #[test]
    fn a_query_map_is_read_from_its_entries() {
        let q = QueryMap::parse(
            b"P.entry.2.key=b&P.entry.2.value=2&P.entry.1.key=a&P.entry.1.value=1&E=&H.entry.1.key=k",
        )
        .unwrap();
        let pairs = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            q.string_map("P", "key", "value").unwrap(),
            vec![pairs("a", "1"), pairs("b", "2")]
        );
        assert!(q.string_map("E", "key", "value").unwrap().is_empty());
        assert!(q.string_map("Absent", "key", "value").unwrap().is_empty());
        assert_eq!(q.string_map("H", "key", "value").unwrap_err().code, "MissingParameter");
    }

    #[test]
    fn bad_scalars_are_client_errors() {
        let q = QueryMap::parse(b"MaxResults=abc&Big=99999999999999999999&Flag=yes").unwrap();
        assert_eq!(q.scalar::<i32>("MaxResults").unwrap_err().code, "InvalidParameterValue");
        assert_eq!(q.scalar::<i32>("Big").unwrap_err().status, 400);
        assert!(q.scalar::<bool>("Flag").is_err());
        assert_eq!(q.scalar::<i32>("Missing").unwrap(), None);
    }

    #[test]
    fn enums_match_exactly_unless_aws_ignores_their_case() {
        let q = QueryMap::parse(b"Protocol=TCP").unwrap();
        assert_eq!(q.enum_scalar("Protocol", &["tcp"]).unwrap_err().code, "InvalidParameterValue");
        assert_eq!(
            q.enum_scalar_ignoring_case("Protocol", &["tcp"]).unwrap().as_deref(),
            Some("TCP")
        );
        let q = QueryMap::parse(b"Protocol=icmp").unwrap();
        assert!(q.enum_scalar_ignoring_case("Protocol", &["tcp", "udp"]).is_err());
    }

    #[test]
    fn query_enums_fail_in_the_validation_framework_words() {
        let q = QueryMap::parse(b"IpAddressType=x&DefaultActions.member.1.Type=y").unwrap();
        let e = q.enum_member("IpAddressType", &["ipv4", "dualstack"]).unwrap_err();
        assert_eq!((e.code.as_str(), e.status), ("ValidationError", 400));
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'x' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"
        );
        let e = q.enum_member("DefaultActions.member.1.Type", &["forward"]).unwrap_err();
        assert!(e.message.contains("at 'defaultActions.1.member.type'"), "{}", e.message);
        assert_eq!(validation_path("Tags.member.12.Key"), "tags.12.member.key");
    }

    #[test]
    fn odd_indices_are_not_list_elements() {
        let q = QueryMap::parse(b"L.0=a&L.01=b&L.x=c&L.99999999999=d&L.3=e").unwrap();
        assert_eq!(q.indices("L").unwrap(), vec![3]);
        let values: Vec<String> = q.scalar_list("L").unwrap();
        assert_eq!(values, vec!["e"]);
        assert_eq!(q.unused().len(), 4);
    }

    #[test]
    fn tolerates_bad_percent_encoding_and_binary() {
        let q = QueryMap::parse(b"A=%zz%&B=\xff\xfe").unwrap();
        assert_eq!(q.get("A"), Some("%zz%"));
        assert!(q.get("B").is_some());
    }
}
