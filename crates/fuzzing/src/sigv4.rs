//! SigV4: the `Authorization` header and presigned query strings, read and verified, and the
//! errors they give rendered in every service's format. The input is an HTTP request:
//! `METHOD /path?query`, header lines `name: value`, an empty line, the body.
//!
//! Beyond not crashing: the same request signed by vpclab's own [`Signer`] (the input's
//! signature parts removed) must verify — what the signer covers and what the verifier
//! checks cannot disagree.

use wire::sigv4::{self, AuthFailure, HttpRequest, Signer};
use wire::{ErrorFormat, Timestamp};

const KEY: &str = "AKIAFUZZFUZZFUZZFUZZ";
const SECRET: &str = "fuzz/secret/key/with+symbols";
const SIGNED_AT: &str = "20261207T120000Z";

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (head, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let (method, target) = head.split_once(' ').unwrap_or(("POST", head));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (header_text, body) = rest.split_once("\n\n").unwrap_or((rest, ""));
    let headers: Vec<(String, String)> = header_text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.to_owned()))
        .collect();
    let views: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let req = HttpRequest { method, path, query, headers: &views, body: body.as_bytes() };
    let now = Timestamp::parse_basic(SIGNED_AT).map_or(0, Timestamp::secs);

    let read = sigv4::read(&req);
    let verified = sigv4::verify(&req, |id| (id == KEY).then_some(SECRET), now);
    if let Err(failure) = &read {
        rendered(failure);
    }
    match (&read, &verified) {
        (Ok(signed), Ok(credential)) => assert_eq!(&signed.credential, credential),
        (Err(failure), Err(verify_failure)) => assert_eq!(failure, verify_failure),
        (Err(_), Ok(_)) => panic!("verified a signature that does not read"),
        (Ok(_), Err(failure)) => rendered(failure),
    }
    if let Some(authorization) = req.header("authorization") {
        drop(sigv4::parse_authorization(authorization));
    }
    let part = |name: &str| {
        form_urlencoded::parse(query.as_bytes()).find(|(n, _)| n == name).map(|(_, v)| v)
    };
    if let (Some(c), Some(h), Some(s)) =
        (part("X-Amz-Credential"), part("X-Amz-SignedHeaders"), part("X-Amz-Signature"))
    {
        drop(sigv4::parse_presigned(&c, &h, &s));
    }
    signed_by_us_verifies(&req, now);
}

/// Every failure renders as a well-formed document of each format.
fn rendered(failure: &AuthFailure) {
    for format in [
        ErrorFormat::Ec2,
        ErrorFormat::Query { xmlns: "https://example.com/doc/" },
        ErrorFormat::RestXml { xmlns: "https://example.com/doc/" },
        ErrorFormat::Json,
    ] {
        let error = failure.to_api_error(format);
        let reply = api::Reply::error(&error, format, "FUZZ");
        crate::api_requests::check_reply(&reply, format);
    }
}

/// The request without its signature parts, signed as an SDK signs, is accepted.
fn signed_by_us_verifies(req: &HttpRequest<'_>, now: i64) {
    let unsigned = |name: &str| {
        let name = name.to_ascii_lowercase();
        !name.starts_with("x-amz-") && name != "authorization" && name != "host" && name != "date"
    };
    // What hyper would never hand over: header names that are not tokens, values with
    // control characters.
    let sendable = |(name, value): &&(&str, &str)| {
        !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
            && value.bytes().all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
    };
    let mut headers: Vec<(&str, &str)> =
        req.headers.iter().filter(sendable).filter(|(n, _)| unsigned(n)).copied().collect();
    headers.push(("host", "localhost:4566"));
    headers.push(("x-amz-date", SIGNED_AT));
    let query: Vec<&str> = req
        .query
        .split('&')
        .filter(|pair| form_urlencoded::parse(pair.as_bytes()).all(|(name, _)| unsigned(&name)))
        .collect();
    let query = query.join("&");
    let stripped = HttpRequest { query: &query, headers: &headers, ..*req };
    let signer = Signer { access_key_id: KEY, secret: SECRET, region: "us-east-1", service: "ec2" };
    let authorization = signer.authorization(&stripped, SIGNED_AT);
    let mut with_signature = headers.clone();
    with_signature.push(("authorization", &authorization));
    let signed = HttpRequest { headers: &with_signature, ..stripped };
    if let Err(failure) = sigv4::verify(&signed, |id| (id == KEY).then_some(SECRET), now) {
        panic!("a request vpclab signed does not verify: {failure:?}\n{signed:?}");
    }
}
