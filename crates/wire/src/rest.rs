//! The restXml protocol (Route 53): operations named by HTTP method and path, inputs from URI
//! labels, the query string, headers and an XML body; outputs as XML documents plus headers.
//!
//! A request body is parsed once into an owned [`Element`] tree ([`parse_body`]), with limits on
//! size and depth so hostile input costs little and never panics. Generated request shapes read
//! it through [`FromRest`] (the top-level input: labels, query, headers, body) and [`FromXml`]
//! (nested structures); every element a shape does not know is refused as Route 53 refuses it,
//! with `InvalidInput` and the schema validator's wording. Response shapes implement
//! [`crate::ToXml`] for the body and [`RestOutput`] for the members AWS sends as headers
//! (`Location` on creates). [`Route`] is one row of the generated operation table; [`match_route`]
//! finds an operation from a method and a path.

use crate::error::ApiError;
use crate::query::QueryMap;
use crate::xml::ToXml;
use codes::Protocol;

/// Elements nested deeper than this are refused (Route 53's documents nest about 6 deep).
pub const MAX_DEPTH: usize = 32;
/// More XML nodes than this in one body is refused.
pub const MAX_NODES: u32 = 200_000;
/// Text longer than this in one element is refused, whatever the model's own limit.
pub const MAX_TEXT: usize = 64 * 1024;

/// One element of a request body: its local name (namespaces are not checked), its text and
/// its child elements in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

/// The element read when a request has no body: no children.
static EMPTY: Element = Element { name: String::new(), text: String::new(), children: Vec::new() };

/// `InvalidInput`, Route 53's code for a body or parameter that does not fit the schema.
pub fn invalid_input(message: impl Into<String>) -> ApiError {
    ApiError::client(Protocol::InvalidInput, message)
}

/// Parses a request body; `None` when it is empty.
pub fn parse_body(body: &[u8]) -> Result<Option<Element>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| invalid_input("Invalid XML ; the request body is not UTF-8."))?;
    // roxmltree recurses per nested element while parsing: refuse deep nesting before it does.
    if markup_depth(body) > MAX_DEPTH + 1 {
        return Err(too_deep());
    }
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_NODES };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .map_err(|e| invalid_input(format!("Invalid XML ; {e}")))?;
    convert(doc.root_element(), 0).map(Some)
}

fn too_deep() -> ApiError {
    invalid_input(format!("Invalid XML ; elements are nested more than {MAX_DEPTH} deep."))
}

/// The deepest element nesting of `body`, read off its tags alone (`<a>` opens, `</a>` and
/// `<a/>` close; `<?…>` and `<!…>` are neither). Only a guard: text holds no raw `<`, and a
/// comment or CDATA that does can only make the count larger, never smaller.
fn markup_depth(body: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut i = 0;
    while let Some(offset) = body.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'<')) {
        let start = i + offset;
        let end = body
            .get(start..)
            .and_then(|rest| rest.iter().position(|&b| b == b'>'))
            .map_or(body.len(), |n| start + n);
        match body.get(start + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            _ if end > start && body.get(end - 1) == Some(&b'/') => {}
            _ => {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        i = end + 1;
    }
    deepest
}

fn convert(node: roxmltree::Node<'_, '_>, depth: usize) -> Result<Element, ApiError> {
    if depth > MAX_DEPTH {
        return Err(too_deep());
    }
    let mut element = Element { name: node.tag_name().name().to_owned(), ..Element::default() };
    for child in node.children() {
        if child.is_element() {
            element.children.push(convert(child, depth + 1)?);
        } else if let Some(t) = child.text().filter(|_| child.is_text()) {
            element.text.push_str(t);
        }
    }
    if element.text.len() > MAX_TEXT {
        return Err(invalid_input(format!(
            "Invalid XML ; the value of element '{}' is longer than {MAX_TEXT} characters.",
            element.name
        )));
    }
    Ok(element)
}

/// A value read from element text, a URI label, a query parameter or a header.
pub trait RestScalar: Sized {
    /// The XML Schema type named in errors.
    const XSD: &'static str;
    fn from_text(text: &str) -> Option<Self>;
}

impl RestScalar for String {
    const XSD: &'static str = "string";
    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

impl RestScalar for bool {
    const XSD: &'static str = "boolean";
    fn from_text(text: &str) -> Option<Self> {
        match text.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }
}

macro_rules! parsed_scalar {
    ($($t:ty => $xsd:literal),*) => {$(
        impl RestScalar for $t {
            const XSD: &'static str = $xsd;
            fn from_text(text: &str) -> Option<Self> {
                text.trim().parse().ok()
            }
        }
    )*};
}
parsed_scalar!(i32 => "integer", i64 => "long", f64 => "double");

fn not_valid<T: RestScalar>(raw: &str) -> ApiError {
    invalid_input(format!(
        "Invalid XML ; cvc-datatype-valid.1.2.1: '{raw}' is not a valid value for '{}'.",
        T::XSD
    ))
}

fn not_in_enum(raw: &str, allowed: &[&str]) -> ApiError {
    invalid_input(format!(
        "Invalid XML ; cvc-enumeration-valid: Value '{raw}' is not facet-valid with respect to enumeration '[{}]'. It must be a value from the enumeration.",
        allowed.join(", ")
    ))
}

impl Element {
    /// Refuses any child element not named in `known`, as Route 53's schema check does.
    pub fn expect_children(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.children.iter().find(|c| !known.contains(&c.name.as_str())) {
            None => Ok(()),
            Some(c) => Err(invalid_input(format!(
                "Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element '{}'. One of '{{{}}}' is expected.",
                c.name,
                known.join(", ")
            ))),
        }
    }

    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// This element's text as a scalar.
    pub fn value<T: RestScalar>(&self) -> Result<T, ApiError> {
        T::from_text(&self.text).ok_or_else(|| not_valid::<T>(&self.text))
    }

    /// This element's text, which must be one of `allowed`.
    pub fn enum_value(&self, allowed: &[&str]) -> Result<String, ApiError> {
        if allowed.contains(&self.text.as_str()) {
            Ok(self.text.clone())
        } else {
            Err(not_in_enum(&self.text, allowed))
        }
    }

    /// A scalar child; `None` when absent.
    pub fn scalar<T: RestScalar>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.child(name).map(Element::value).transpose()
    }

    /// An enum child; `None` when absent.
    pub fn enum_scalar(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        self.child(name).map(|c| c.enum_value(allowed)).transpose()
    }

    /// A structure child; `None` when absent.
    pub fn structure<T: FromXml>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.child(name).map(T::from_xml).transpose()
    }

    /// A wrapped list child (`<name><item>…</item>…</name>`); empty when absent. A `required`
    /// list must be present with at least one item.
    pub fn list<T>(
        &self,
        name: &str,
        item: &str,
        required: bool,
        read: impl Fn(&Element) -> Result<T, ApiError>,
    ) -> Result<Vec<T>, ApiError> {
        let Some(wrapper) = self.child(name) else {
            return if required { Err(self.incomplete(name)) } else { Ok(Vec::new()) };
        };
        wrapper.expect_children(&[item])?;
        if required && wrapper.children.is_empty() {
            return Err(wrapper.incomplete(item));
        }
        wrapper.children.iter().map(read).collect()
    }

    /// A required child: its absence is the schema's "not complete" `InvalidInput`.
    pub fn required<T>(&self, value: Option<T>, name: &str) -> Result<T, ApiError> {
        value.ok_or_else(|| self.incomplete(name))
    }

    fn incomplete(&self, missing: &str) -> ApiError {
        invalid_input(format!(
            "Invalid XML ; cvc-complex-type.2.4.b: The content of element '{}' is not complete. One of '{{{missing}}}' is expected.",
            self.name
        ))
    }
}

/// A structure read from an XML element.
pub trait FromXml: Sized {
    fn from_xml(element: &Element) -> Result<Self, ApiError>;
}

/// Everything a restXml request carries, for a top-level input shape to read.
#[derive(Debug, Default)]
pub struct RestInput<'a> {
    /// URI labels by name (`Id`), percent-decoded.
    pub labels: &'a [(String, String)],
    /// The query string.
    pub query: Option<&'a QueryMap>,
    /// Request headers.
    pub headers: &'a [(String, String)],
    /// The parsed body, if there was one.
    pub body: Option<&'a Element>,
}

fn parse_param<T: RestScalar>(raw: Option<&str>, name: &str) -> Result<Option<T>, ApiError> {
    match raw {
        None => Ok(None),
        Some(raw) => T::from_text(raw).map(Some).ok_or_else(|| {
            invalid_input(format!(
                "The value '{raw}' of parameter '{name}' is not a valid {}.",
                T::XSD
            ))
        }),
    }
}

fn check_param_enum(
    value: Option<String>,
    name: &str,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    match value {
        Some(v) if !allowed.contains(&v.as_str()) => Err(invalid_input(format!(
            "1 validation error detected: Value '{v}' at '{name}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            allowed.join(", ")
        ))),
        v => Ok(v),
    }
}

impl RestInput<'_> {
    /// A URI label.
    pub fn label<T: RestScalar>(&self, name: &str) -> Result<Option<T>, ApiError> {
        let raw = self.labels.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        parse_param(raw, name)
    }

    /// A URI label that must be one of `allowed`.
    pub fn label_enum(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        check_param_enum(self.label(name)?, name, allowed)
    }

    /// A query-string parameter.
    pub fn query<T: RestScalar>(&self, name: &str) -> Result<Option<T>, ApiError> {
        parse_param(self.query.and_then(|q| q.get(name)), name)
    }

    /// A query-string parameter that must be one of `allowed`.
    pub fn query_enum(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        check_param_enum(self.query(name)?, name, allowed)
    }

    /// A header (name matched without regard to case).
    pub fn header<T: RestScalar>(&self, name: &str) -> Result<Option<T>, ApiError> {
        let raw = self
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        parse_param(raw, name)
    }

    /// The body's root element, which must be named `root`; an element without children when
    /// the request has no body.
    pub fn body(&self, root: &str) -> Result<&Element, ApiError> {
        match self.body {
            None => Ok(&EMPTY),
            Some(e) if e.name == root => Ok(e),
            Some(e) => Err(ApiError::client(
                Protocol::MalformedInput,
                format!("{} is not valid, expected {root}", e.name),
            )),
        }
    }
}

/// A required label, query parameter or header: its absence is AWS's "must not be null".
pub fn required_param<T>(value: Option<T>, name: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| {
        invalid_input(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_camel(name)
        ))
    })
}

/// A top-level input shape, read from a whole request.
pub trait FromRest: Sized {
    fn from_rest(input: &RestInput<'_>) -> Result<Self, ApiError>;
}

/// A top-level output shape: its body members through [`ToXml`], its header members here.
pub trait RestOutput: ToXml {
    fn headers(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// Refuses a string whose length (in characters) lies outside `min..=max`, in the words AWS's
/// validators use.
pub fn check_len(
    value: Option<String>,
    name: &str,
    min: Option<usize>,
    max: Option<usize>,
) -> Result<Option<String>, ApiError> {
    if let Some(v) = &value {
        let n = v.chars().count();
        if let Some(max) = max.filter(|m| n > *m) {
            return Err(constraint(v, name, &format!("have length less than or equal to {max}")));
        }
        if let Some(min) = min.filter(|m| n < *m) {
            return Err(constraint(
                v,
                name,
                &format!("have length greater than or equal to {min}"),
            ));
        }
    }
    Ok(value)
}

/// Refuses a number outside `min..=max`.
pub fn check_range<T: Copy + PartialOrd + std::fmt::Display>(
    value: Option<T>,
    name: &str,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<Option<T>, ApiError>
where
    i64: TryInto<T>,
{
    if let Some(v) = value {
        if let Some(max) = max.and_then(|m| m.try_into().ok()).filter(|m| v > *m) {
            return Err(constraint(&v, name, &format!("have value less than or equal to {max}")));
        }
        if let Some(min) = min.and_then(|m| m.try_into().ok()).filter(|m| v < *m) {
            return Err(constraint(
                &v,
                name,
                &format!("have value greater than or equal to {min}"),
            ));
        }
    }
    Ok(value)
}

fn constraint(value: &dyn std::fmt::Display, name: &str, rule: &str) -> ApiError {
    invalid_input(format!(
        "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: Member must {rule}",
        lower_camel(name)
    ))
}

fn lower_camel(name: &str) -> String {
    let mut c = name.chars();
    c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
}

/// One operation of a restXml service: how it is addressed and how it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub operation: &'static str,
    pub method: &'static str,
    /// The model's `requestUri`: literal segments and `{Label}`s.
    pub uri: &'static str,
    /// The status of a successful answer (201 for creates).
    pub status: u16,
}

impl Route {
    pub const fn new(
        operation: &'static str,
        method: &'static str,
        uri: &'static str,
        status: u16,
    ) -> Self {
        Route { operation, method, uri, status }
    }
}

/// What a method and path name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch<'r> {
    /// The operation, with its URI labels percent-decoded.
    Found(&'r Route, Vec<(String, String)>),
    /// The path is an operation's, but not for this method.
    WrongMethod,
    NotFound,
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_matches('/').split('/').collect()
}

/// Finds the operation for `method` and `path` (without the query string). Trailing slashes do
/// not matter (`…/rrset/` and `…/rrset` differ only by method); a literal segment beats a label.
pub fn match_route<'r>(routes: &'r [Route], method: &str, path: &str) -> RouteMatch<'r> {
    let parts = segments(path);
    let mut best: Option<(&Route, usize)> = None;
    let mut path_known = false;
    for route in routes {
        let pattern = segments(route.uri);
        if pattern.len() != parts.len() {
            continue;
        }
        let mut literals = 0;
        let fits = pattern.iter().zip(&parts).all(|(p, s)| {
            if p.starts_with('{') {
                !s.is_empty()
            } else {
                literals += 1;
                p == s
            }
        });
        if !fits {
            continue;
        }
        path_known = true;
        if route.method == method && best.is_none_or(|(_, n)| literals > n) {
            best = Some((route, literals));
        }
    }
    let Some((route, _)) = best else {
        return if path_known { RouteMatch::WrongMethod } else { RouteMatch::NotFound };
    };
    let labels = segments(route.uri)
        .iter()
        .zip(&parts)
        .filter_map(|(p, s)| {
            let name = p.strip_prefix('{')?.strip_suffix('}')?;
            Some((name.trim_end_matches('+').to_owned(), percent_decode(s)))
        })
        .collect();
    RouteMatch::Found(route, labels)
}

/// Decodes `%XX` escapes (a malformed escape is kept as written).
pub fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(s)).into_owned()
}

/// The bytes `%XX` escapes stand for; anything else (`+`, a stray `%`) kept as it is. SigV4's
/// canonical query and restXml's labels decode alike.
pub fn percent_decode_bytes(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |j: usize| bytes.get(j).and_then(|c| char::from(*c).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUTES: &[Route] = &[
        Route { operation: "Get", method: "GET", uri: "/v/zone/{Id}", status: 200 },
        Route { operation: "Change", method: "POST", uri: "/v/zone/{Id}/rrset/", status: 200 },
        Route { operation: "List", method: "GET", uri: "/v/zone/{Id}/rrset", status: 200 },
        Route { operation: "Count", method: "GET", uri: "/v/zone/count", status: 200 },
        Route { operation: "Create", method: "POST", uri: "/v/zone", status: 201 },
    ];

    fn op(method: &str, path: &str) -> Option<(&'static str, Vec<(String, String)>)> {
        match match_route(ROUTES, method, path) {
            RouteMatch::Found(r, labels) => Some((r.operation, labels)),
            _ => None,
        }
    }

    #[test]
    fn routes_by_method_and_path() {
        let (name, labels) = op("GET", "/v/zone/Z1").unwrap();
        assert_eq!(name, "Get");
        assert_eq!(labels, vec![("Id".to_owned(), "Z1".to_owned())]);
        assert_eq!(op("POST", "/v/zone/Z1/rrset/").unwrap().0, "Change");
        assert_eq!(op("GET", "/v/zone/Z1/rrset").unwrap().0, "List");
        assert_eq!(op("POST", "/v/zone").unwrap().0, "Create");
        // A literal segment beats a label.
        assert_eq!(op("GET", "/v/zone/count").unwrap().0, "Count");
        assert_eq!(match_route(ROUTES, "DELETE", "/v/zone/Z1"), RouteMatch::WrongMethod);
        assert_eq!(match_route(ROUTES, "GET", "/v/nothing"), RouteMatch::NotFound);
        assert_eq!(match_route(ROUTES, "GET", "/v/zone//rrset"), RouteMatch::NotFound);
    }

    #[test]
    fn labels_are_percent_decoded() {
        let (_, labels) = op("GET", "/v/zone/%2Fhostedzone%2FZ1").unwrap();
        assert_eq!(labels[0].1, "/hostedzone/Z1");
        assert_eq!(percent_decode("a%zzb%4"), "a%zzb%4");
    }

    #[test]
    fn parses_bodies_into_elements() {
        let body = br#"<?xml version="1.0"?><R xmlns="urn:x"><Name>a&amp;b</Name><L><I>1</I><I>2</I></L></R>"#;
        let root = parse_body(body).unwrap().unwrap();
        assert_eq!(root.name, "R");
        root.expect_children(&["Name", "L"]).unwrap();
        assert_eq!(root.scalar::<String>("Name").unwrap().as_deref(), Some("a&b"));
        assert_eq!(root.list("L", "I", true, Element::value::<i64>).unwrap(), vec![1, 2]);
        assert!(root.list("M", "I", false, Element::value::<i64>).unwrap().is_empty());
        let e = root.list("M", "I", true, Element::value::<i64>).unwrap_err();
        assert!(e.message.contains("content of element 'R' is not complete"), "{}", e.message);
        assert!(root.required::<i32>(None, "Name").is_err());
        assert_eq!(parse_body(b"  \n").unwrap(), None);
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        // 100,000 levels would overflow the parser's stack; the guard refuses them first.
        let deep = format!("<R>{}{}</R>", "<a>".repeat(100_000), "</a>".repeat(100_000));
        let e = parse_body(deep.as_bytes()).unwrap_err();
        assert_eq!(e.code, "InvalidInput");
        assert!(e.message.contains("nested more than"), "{}", e.message);
        // Self-closing tags, declarations and comments do not count as nesting.
        let flat = format!("<?xml version=\"1.0\"?><!-- c --><R>{}</R>", "<a/>".repeat(1000));
        assert_eq!(parse_body(flat.as_bytes()).unwrap().unwrap().children.len(), 1000);
        assert_eq!(markup_depth(b"<R><A><B>x</B></A><C/></R>"), 3);
    }

    #[test]
    fn refuses_bad_documents_with_aws_codes() {
        let code = |body: &[u8]| parse_body(body).unwrap_err().code;
        assert_eq!(code(b"<R><open></R>"), "InvalidInput");
        assert_eq!(code(b"\xff\xfe"), "InvalidInput");
        assert_eq!(code(b"<!DOCTYPE R [<!ENTITY a 'aaaa'>]><R>&a;</R>"), "InvalidInput");
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(code(deep.as_bytes()), "InvalidInput");
        let huge = format!("<R>{}</R>", "x".repeat(MAX_TEXT + 1));
        assert_eq!(code(huge.as_bytes()), "InvalidInput");

        let root = parse_body(b"<R><Extra/><TTL>abc</TTL><E>no</E></R>").unwrap().unwrap();
        let e = root.expect_children(&["TTL"]).unwrap_err();
        assert!(e.message.contains("starting with element 'Extra'"), "{}", e.message);
        assert!(root.scalar::<i64>("TTL").unwrap_err().message.contains("'abc'"));
        assert_eq!(root.enum_scalar("E", &["yes"]).unwrap_err().code, "InvalidInput");
    }

    #[test]
    fn a_wrong_root_is_malformed_input() {
        let body = parse_body(b"<Other/>").unwrap();
        let input = RestInput { body: body.as_ref(), ..RestInput::default() };
        let e = input.body("CreateHostedZoneRequest").unwrap_err();
        assert_eq!(e.code, "MalformedInput");
        assert_eq!(e.message, "Other is not valid, expected CreateHostedZoneRequest");
        assert!(RestInput::default().body("X").unwrap().children.is_empty());
    }

    #[test]
    fn constraints_use_aws_words() {
        let e = check_len(Some("abcd".into()), "Comment", None, Some(3)).unwrap_err();
        assert_eq!(
            e.message,
            "1 validation error detected: Value 'abcd' at 'comment' failed to satisfy constraint: Member must have length less than or equal to 3"
        );
        assert!(check_range(Some(300i64), "Weight", Some(0), Some(255)).is_err());
        assert_eq!(check_range(Some(5i32), "Port", Some(1), Some(65535)).unwrap(), Some(5));
    }
}
