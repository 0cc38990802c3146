//! awsJson 1.1 bodies (`X-Amz-Target: OvertureService.CreateConnection`, a JSON object in, a JSON
//! object out).
//!
//! Generated request shapes implement [`FromJson`] over a [`JsonIn`] (one object of the request
//! and its path, for error messages); generated response shapes implement [`ToJson`] through a
//! [`JsonOut`]. The member names are the model's, worked out by the code generator. Members the
//! shape does not know are ignored, as AWS's JSON services ignore them. Timestamps travel as epoch
//! seconds.

use crate::error::ApiError;
use crate::time::Timestamp;
use codes::Protocol;
pub use serde_json::Value;
use serde_json::{Map, Number};

fn serialization(message: String) -> ApiError {
    ApiError::client(Protocol::SerializationException, message)
}

fn validation(message: String) -> ApiError {
    ApiError::client(Protocol::ValidationException, message)
}

/// Parses a request body: empty means `{}`.
pub fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| serialization(format!("The request body is not valid JSON: {e}")))?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(serialization("The request body must be a JSON object.".into()))
    }
}

/// A shape read from a JSON value.
pub trait FromJson: Sized {
    fn from_json(input: JsonIn<'_>) -> Result<Self, ApiError>;

    /// Reads the whole request body.
    fn from_body(body: &Value) -> Result<Self, ApiError> {
        Self::from_json(JsonIn::object(body, "")?)
    }
}

/// A shape written as a JSON value.
pub trait ToJson {
    fn write_json(&self, out: &mut JsonOut);

    fn to_json(&self) -> Value {
        let mut out = JsonOut::default();
        self.write_json(&mut out);
        Value::Object(out.0)
    }
}

/// One JSON object of a request, with where it sits (`newPrivateVirtualInterface.tags[0]`).
#[derive(Debug, Clone, Copy)]
pub struct JsonIn<'a> {
    object: &'a Map<String, Value>,
    path: &'a str,
}

fn member_path(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

/// A scalar type a member may hold.
pub trait JsonScalar: Sized {
    const EXPECTED: &'static str;
    fn from_value(v: &Value) -> Option<Self>;
    fn to_value(&self) -> Value;
}

impl JsonScalar for String {
    const EXPECTED: &'static str = "a string";
    fn from_value(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_owned)
    }
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl JsonScalar for i32 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(v: &Value) -> Option<Self> {
        v.as_i64().and_then(|n| i32::try_from(n).ok())
    }
    fn to_value(&self) -> Value {
        Value::from(*self)
    }
}

impl JsonScalar for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_value(v: &Value) -> Option<Self> {
        v.as_i64()
    }
    fn to_value(&self) -> Value {
        Value::from(*self)
    }
}

impl JsonScalar for bool {
    const EXPECTED: &'static str = "a boolean";
    fn from_value(v: &Value) -> Option<Self> {
        v.as_bool()
    }
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl JsonScalar for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_value(v: &Value) -> Option<Self> {
        v.as_f64()
    }
    fn to_value(&self) -> Value {
        Number::from_f64(*self).map_or(Value::Null, Value::Number)
    }
}

/// Epoch seconds (with a fraction for milliseconds), as awsJson carries timestamps.
impl JsonScalar for Timestamp {
    const EXPECTED: &'static str = "a timestamp (epoch seconds)";
    fn from_value(v: &Value) -> Option<Self> {
        v.as_f64().map(|s| Timestamp((s * 1000.0).round() as i64))
    }
    fn to_value(&self) -> Value {
        if self.0 % 1000 == 0 {
            Value::from(self.0 / 1000)
        } else {
            (self.0 as f64 / 1000.0).to_value()
        }
    }
}

impl<'a> JsonIn<'a> {
    /// The object `value` at `path`, or a `SerializationException`.
    pub fn object(value: &'a Value, path: &'a str) -> Result<Self, ApiError> {
        match value.as_object() {
            Some(object) => Ok(JsonIn { object, path }),
            None => Err(serialization(format!("Expected an object at {}.", shown(path)))),
        }
    }

    fn member(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|v| !v.is_null())
    }

    /// A scalar member, if present.
    pub fn scalar<T: JsonScalar>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.member(name).map(|v| read_scalar(v, &member_path(self.path, name))).transpose()
    }

    /// A string member that must be one of `allowed`, if present.
    pub fn enum_scalar(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        self.member(name).map(|v| read_enum(v, &member_path(self.path, name), allowed)).transpose()
    }

    /// A structure member, if present.
    pub fn structure<T: FromJson>(&self, name: &str) -> Result<Option<T>, ApiError> {
        let Some(v) = self.member(name) else { return Ok(None) };
        let path = member_path(self.path, name);
        T::from_json(JsonIn::object(v, &path)?).map(Some)
    }

    /// A list member (empty when absent), each element read by `element`.
    pub fn list<T>(
        &self,
        name: &str,
        element: impl Fn(&Value, &str) -> Result<T, ApiError>,
    ) -> Result<Vec<T>, ApiError> {
        let Some(v) = self.member(name) else { return Ok(Vec::new()) };
        let path = member_path(self.path, name);
        read_list(v, &path, element)
    }
}

fn shown(path: &str) -> &str {
    if path.is_empty() { "the top level" } else { path }
}

/// Reads a scalar at `path`.
pub fn read_scalar<T: JsonScalar>(v: &Value, path: &str) -> Result<T, ApiError> {
    T::from_value(v).ok_or_else(|| serialization(format!("Expected {} at {path}.", T::EXPECTED)))
}

/// Reads an enum value at `path`.
pub fn read_enum(v: &Value, path: &str, allowed: &[&str]) -> Result<String, ApiError> {
    let s: String = read_scalar(v, path)?;
    if allowed.contains(&s.as_str()) {
        Ok(s)
    } else {
        Err(validation(format!(
            "Value '{s}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        )))
    }
}

/// Reads a structure at `path`.
pub fn read_structure<T: FromJson>(v: &Value, path: &str) -> Result<T, ApiError> {
    T::from_json(JsonIn::object(v, path)?)
}

/// Reads a list at `path`.
pub fn read_list<T>(
    v: &Value,
    path: &str,
    element: impl Fn(&Value, &str) -> Result<T, ApiError>,
) -> Result<Vec<T>, ApiError> {
    let items = v.as_array().ok_or_else(|| serialization(format!("Expected a list at {path}.")))?;
    if items.len() > crate::query::MAX_LIST_LEN {
        return Err(serialization(format!("The list at {path} is too long.")));
    }
    items.iter().enumerate().map(|(i, item)| element(item, &format!("{path}[{i}]"))).collect()
}

/// A required member: its absence is a validation error.
pub fn required<T>(value: Option<T>, input: &JsonIn<'_>, name: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        validation(format!(
            "Value null at '{}' failed to satisfy constraint: Member must not be null",
            member_path(input.path, name)
        ))
    })
}

/// A required list: absent or empty is a validation error.
pub fn required_list<T>(
    values: Vec<T>,
    input: &JsonIn<'_>,
    name: &str,
) -> Result<Vec<T>, ApiError> {
    if values.is_empty() {
        Err(validation(format!(
            "Value at '{}' failed to satisfy constraint: Member must have length greater than or equal to 1",
            member_path(input.path, name)
        )))
    } else {
        Ok(values)
    }
}

/// A JSON object being written.
#[derive(Debug, Default)]
pub struct JsonOut(Map<String, Value>);

/// An element of a list being written.
pub trait JsonElement {
    fn element(&self) -> Value;
}

impl<T: JsonScalar> JsonElement for T {
    fn element(&self) -> Value {
        self.to_value()
    }
}

impl JsonOut {
    /// A present scalar member.
    pub fn value<T: JsonScalar>(&mut self, name: &str, v: &T) {
        self.0.insert(name.to_owned(), v.to_value());
    }

    /// An optional scalar member, left out when absent.
    pub fn scalar<T: JsonScalar>(&mut self, name: &str, v: &Option<T>) {
        if let Some(v) = v {
            self.value(name, v);
        }
    }

    /// A present structure member.
    pub fn object<T: ToJson>(&mut self, name: &str, v: &T) {
        self.0.insert(name.to_owned(), v.to_json());
    }

    /// An optional structure member, left out when absent.
    pub fn structure<T: ToJson>(&mut self, name: &str, v: &Option<T>) {
        if let Some(v) = v {
            self.object(name, v);
        }
    }

    /// A list member of already-converted elements; left out when empty unless `always`.
    pub fn list(&mut self, name: &str, items: Vec<Value>, always: bool) {
        if always || !items.is_empty() {
            self.0.insert(name.to_owned(), Value::Array(items));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq)]
    struct Peer {
        asn: Option<i32>,
        family: Option<String>,
        name: String,
        tags: Vec<String>,
        at: Option<Timestamp>,
    }

    impl FromJson for Peer {
        fn from_json(input: JsonIn<'_>) -> Result<Self, ApiError> {
            Ok(Peer {
                asn: input.scalar("asn")?,
                family: input.enum_scalar("addressFamily", &["ipv4", "ipv6"])?,
                name: required(input.scalar("name")?, &input, "name")?,
                tags: input.list("tags", read_scalar::<String>)?,
                at: input.scalar("at")?,
            })
        }
    }

    impl ToJson for Peer {
        fn write_json(&self, out: &mut JsonOut) {
            out.scalar("asn", &self.asn);
            out.scalar("addressFamily", &self.family);
            out.value("name", &self.name);
            out.list("tags", self.tags.iter().map(JsonElement::element).collect(), false);
            out.scalar("at", &self.at);
        }
    }

    #[test]
    fn reads_members_by_model_name_and_ignores_unknown_ones() {
        let body = parse_body(
            br#"{"asn": 65000, "addressFamily": "ipv4", "name": "x", "tags": ["a"], "at": 1700000000, "other": 1}"#,
        )
        .unwrap();
        let p = Peer::from_body(&body).unwrap();
        assert_eq!(p.asn, Some(65000));
        assert_eq!(p.tags, vec!["a".to_owned()]);
        assert_eq!(p.at, Some(Timestamp(1_700_000_000_000)));
        let back = p.to_json();
        assert_eq!(back["at"], Value::from(1_700_000_000_i64));
        assert!(back.get("other").is_none());
    }

    #[test]
    fn bad_bodies_get_aws_codes() {
        assert_eq!(parse_body(b"[1]").unwrap_err().code, "SerializationException");
        assert_eq!(parse_body(b"{").unwrap_err().code, "SerializationException");
        let missing = Peer::from_body(&parse_body(b"").unwrap()).unwrap_err();
        assert_eq!(missing.code, "ValidationException");
        assert!(missing.message.contains("'name'"), "{}", missing.message);
        let wrong = Peer::from_body(&parse_body(br#"{"name": 3}"#).unwrap()).unwrap_err();
        assert_eq!(wrong.code, "SerializationException");
        let bad_enum =
            Peer::from_body(&parse_body(br#"{"name": "n", "addressFamily": "ipx"}"#).unwrap())
                .unwrap_err();
        assert_eq!(bad_enum.code, "ValidationException");
        let nested =
            Peer::from_body(&parse_body(br#"{"name": "n", "tags": [1]}"#).unwrap()).unwrap_err();
        assert!(nested.message.contains("tags[0]"), "{}", nested.message);
    }
}
