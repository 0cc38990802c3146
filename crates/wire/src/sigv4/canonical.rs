//! The canonical request and the signature over it.
//!
//! One implementation serves both sides: the server recomputes what a client signed
//! ([`super::verify`]) and vpclab's own commands sign their requests ([`Signer`]), so the two
//! cannot disagree. The rules are botocore's (`botocore/auth.py`, `SigV4Auth`), which every
//! client vpclab serves follows for the query, JSON and restXml protocols:
//!
//! - the URI is the path as sent, with dot segments and empty segments removed, then
//!   percent-encoded once more (so `%2F` in a path is signed as `%252F`);
//! - the query string's pairs are decoded, re-encoded with AWS's rules (only `A-Z a-z 0-9 - _
//!   . ~` left alone, uppercase hex) and sorted by name, then value;
//! - each signed header is `name:value`, the values of a repeated header joined by `,`, runs of
//!   white space in a value squeezed to one space;
//! - the payload is the hex SHA-256 of the body.

use crate::rest::percent_decode_bytes;
use ring::{digest, hmac};

/// The signing algorithm, the only one SigV4 has.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The parts of an HTTP request a SigV4 signature covers, as they arrived.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    pub method: &'a str,
    /// The path as sent, still percent-encoded.
    pub path: &'a str,
    /// The query string as sent (what follows `?`), empty when there is none.
    pub query: &'a str,
    /// The headers in the order they arrived, names in lower case; a repeated header repeats.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
}

impl<'a> HttpRequest<'a> {
    /// The first value of a header (`name` in lower case).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }
}

/// The lowercase hex SHA-256 of `bytes` (the payload hash).
pub fn hex_sha256(bytes: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b & 0x0f));
    }
    out
}

/// The lowercase hex digit of a nibble.
fn hex_digit(nibble: u8) -> char {
    char::from_digit(u32::from(nibble), 16).unwrap_or('0')
}

/// The canonical request: method, URI, query, signed headers, their names, payload hash.
/// `leave_out` names a query parameter not covered (a presigned URL's `X-Amz-Signature`).
pub fn canonical_request(
    req: &HttpRequest<'_>,
    signed_headers: &[String],
    payload_hash: &str,
    leave_out: Option<&str>,
) -> String {
    let mut out = String::with_capacity(256 + req.query.len());
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path));
    out.push('\n');
    out.push_str(&canonical_query(req.query, leave_out));
    out.push('\n');
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        push_header_values(&mut out, req, name);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// The values of header `name`, joined by commas, white space squeezed.
fn push_header_values(out: &mut String, req: &HttpRequest<'_>, name: &str) {
    let values = req.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
    for (i, (_, value)) in values.enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, word) in value.split_whitespace().enumerate() {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
}

/// The path with dot segments and empty segments removed (botocore's `remove_dot_segments`),
/// percent-encoded once more.
pub(crate) fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut normalized = String::with_capacity(path.len() + 1);
    normalized.push('/');
    normalized.push_str(&segments.join("/"));
    if path.ends_with('/') && !segments.is_empty() {
        normalized.push('/');
    }
    uri_encode(normalized.as_bytes(), true)
}

/// The query's pairs decoded, re-encoded and sorted; `leave_out` is skipped.
pub(crate) fn canonical_query(query: &str, leave_out: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                uri_encode(&percent_decode_bytes(name), false),
                uri_encode(&percent_decode_bytes(value), false),
            )
        })
        .filter(|(name, _)| Some(name.as_str()) != leave_out)
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(query.len() + 16);
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(name);
        out.push('=');
        out.push_str(value);
    }
    out
}

/// AWS's URI encoding: unreserved characters (and `/` when `keep_slash`) as they are, every
/// other byte as `%XX` with uppercase hex.
fn uri_encode(bytes: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else if b == b'/' && keep_slash {
            out.push('/');
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4).to_ascii_uppercase());
            out.push(hex_digit(b & 0x0f).to_ascii_uppercase());
        }
    }
    out
}

/// `date/region/service/aws4_request`.
pub fn credential_scope(date: &str, region: &str, service: &str) -> String {
    format!("{date}/{region}/{service}/aws4_request")
}

/// The string to sign: algorithm, request time, credential scope, hash of the canonical request.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", hex_sha256(canonical_request.as_bytes()))
}

/// The key derived from the secret for one day, region and service.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> hmac::Key {
    let step = |key: &[u8], data: &str| {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
    };
    let k_date = step(format!("AWS4{secret}").as_bytes(), date);
    let k_region = step(k_date.as_ref(), region);
    let k_service = step(k_region.as_ref(), service);
    let k_signing = step(k_service.as_ref(), "aws4_request");
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

/// Signs requests as an SDK does, for vpclab's own commands (`vpclab bench …`).
#[derive(Clone, Copy)]
pub struct Signer<'a> {
    pub access_key_id: &'a str,
    pub secret: &'a str,
    pub region: &'a str,
    pub service: &'a str,
}

impl std::fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("service", &self.service)
            .finish_non_exhaustive()
    }
}

impl Signer<'_> {
    /// The `Authorization` header for `req`, signing every header it carries (which must
    /// include `host` and `x-amz-date` = `amz_date`).
    pub fn authorization(&self, req: &HttpRequest<'_>, amz_date: &str) -> String {
        let mut names: Vec<String> =
            req.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        names.sort_unstable();
        names.dedup();
        let date = amz_date.get(..8).unwrap_or_default();
        let scope = credential_scope(date, self.region, self.service);
        let canonical = canonical_request(req, &names, &hex_sha256(req.body), None);
        let key = signing_key(self.secret, date, self.region, self.service);
        let signature = hmac::sign(&key, string_to_sign(amz_date, &scope, &canonical).as_bytes());
        format!(
            "{ALGORITHM} Credential={}/{scope}, SignedHeaders={}, Signature={}",
            self.access_key_id,
            names.join(";"),
            hex(signature.as_ref())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_normalized_then_encoded_again() {
        assert_eq!(canonical_uri(""), "/");
        assert_eq!(canonical_uri("/"), "/");
        assert_eq!(canonical_uri("//example//"), "/example/");
        assert_eq!(canonical_uri("/example1/example2/../.."), "/");
        assert_eq!(canonical_uri("/./a/./b/"), "/a/b/");
        assert_eq!(canonical_uri("/example space/"), "/example%20space/");
        assert_eq!(
            canonical_uri("/2013-04-01/hostedzone/Z1%2Fx"),
            "/2013-04-01/hostedzone/Z1%252Fx"
        );
    }

    #[test]
    fn queries_are_decoded_reencoded_and_sorted() {
        assert_eq!(canonical_query("", None), "");
        assert_eq!(canonical_query("b=2&a=1&a=0", None), "a=0&a=1&b=2");
        assert_eq!(canonical_query("name=%2a.example.com&x", None), "name=%2A.example.com&x=");
        assert_eq!(canonical_query("a=b c+d", None), "a=b%20c%2Bd");
        assert_eq!(canonical_query("a=%zz&%", None), "%25=&a=%25zz");
        assert_eq!(canonical_query("X-Amz-Signature=00&a=1", Some("X-Amz-Signature")), "a=1");
    }

    #[test]
    fn header_values_are_trimmed_and_joined() {
        let headers = [("my-header1", "  a   b  "), ("host", "h"), ("my-header1", "c")];
        let req = HttpRequest { method: "GET", path: "/", query: "", headers: &headers, body: b"" };
        let names = vec!["host".to_owned(), "my-header1".to_owned()];
        let canonical = canonical_request(&req, &names, "x", None);
        assert_eq!(canonical, "GET\n/\n\nhost:h\nmy-header1:a b,c\n\nhost;my-header1\nx");
    }
}
