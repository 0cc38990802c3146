//! Reading a request's signature and checking it.

use super::canonical::{
    HttpRequest, canonical_request, credential_scope, hex_sha256, signing_key, string_to_sign,
};
use super::{ALGORITHM, Credential, parse_authorization, parse_presigned};
use crate::error::{ApiError, ErrorFormat};
use crate::time::Timestamp;
use codes::Protocol;
use ring::hmac;

/// How far (seconds) a signature's time may be from the server's clock, either way: AWS's 15
/// minutes.
pub const MAX_SKEW_SECS: i64 = 15 * 60;
/// The longest a presigned URL may be valid (`X-Amz-Expires`): a week, as AWS allows.
pub const MAX_EXPIRES_SECS: i64 = 7 * 24 * 3600;

/// The query parameter of a presigned URL that carries the signature (not signed itself).
const SIGNATURE_PARAM: &str = "X-Amz-Signature";

/// Why a request's signature is refused. [`AuthFailure::to_api_error`] renders it as the
/// request's service does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthFailure {
    /// No signature at all: no `Authorization` header, no presigned query.
    Missing,
    /// A signature that is not well formed (the message says how).
    Incomplete(String),
    /// The access key id is not one of the server's keys.
    UnknownKey,
    /// The signature (or what it covers: the scope's date, the payload hash) does not match.
    Mismatch(String),
    /// Signed too long ago or too far in the future (the message gives the times).
    Skew(String),
    /// A presigned URL past its `X-Amz-Expires`.
    Expired,
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN: &str = "The security token included in the request is invalid.";
const MISSING_TOKEN: &str = "Request is missing Authentication Token";
const EC2_AUTH_FAILURE: &str = "AWS was not able to validate the provided access credentials";
const EXPIRED: &str = "Request has expired.";

impl AuthFailure {
    /// The error the service answers with: EC2 has codes of its own (`AuthFailure` 401,
    /// `RequestExpired`, and `MissingParameter` for an unsigned request); awsQuery and restXml
    /// services use the common codes with 403; awsJson (Coral) services add `Exception` and
    /// answer 400.
    pub fn to_api_error(&self, format: ErrorFormat) -> ApiError {
        match format {
            ErrorFormat::Ec2 => self.ec2_error(),
            ErrorFormat::Query { .. } | ErrorFormat::RestXml { .. } => self.query_error(),
            ErrorFormat::Json => self.json_error(),
        }
    }

    fn ec2_error(&self) -> ApiError {
        match self {
            AuthFailure::Missing => ApiError::missing_parameter("AWSAccessKeyId"),
            AuthFailure::Incomplete(m) => {
                ApiError::client(Protocol::IncompleteSignature, m.clone())
            }
            AuthFailure::UnknownKey | AuthFailure::Mismatch(_) => {
                ApiError::new(Protocol::AuthFailure, 401, EC2_AUTH_FAILURE)
            }
            AuthFailure::Skew(_) | AuthFailure::Expired => {
                ApiError::client(Protocol::RequestExpired, EXPIRED)
            }
        }
    }

    fn query_error(&self) -> ApiError {
        match self {
            AuthFailure::Missing => {
                ApiError::new(Protocol::MissingAuthenticationToken, 403, MISSING_TOKEN)
            }
            AuthFailure::Incomplete(m) => {
                ApiError::client(Protocol::IncompleteSignature, m.clone())
            }
            AuthFailure::UnknownKey => {
                ApiError::new(Protocol::InvalidClientTokenId, 403, INVALID_TOKEN)
            }
            AuthFailure::Mismatch(m) | AuthFailure::Skew(m) => {
                ApiError::new(Protocol::SignatureDoesNotMatch, 403, m.clone())
            }
            AuthFailure::Expired => ApiError::client(Protocol::RequestExpired, EXPIRED),
        }
    }

    fn json_error(&self) -> ApiError {
        match self {
            AuthFailure::Missing => {
                ApiError::client(Protocol::MissingAuthenticationTokenException, MISSING_TOKEN)
            }
            AuthFailure::Incomplete(m) => {
                ApiError::client(Protocol::IncompleteSignatureException, m.clone())
            }
            AuthFailure::UnknownKey => {
                ApiError::client(Protocol::UnrecognizedClientException, INVALID_TOKEN)
            }
            AuthFailure::Mismatch(m) | AuthFailure::Skew(m) => {
                ApiError::client(Protocol::InvalidSignatureException, m.clone())
            }
            AuthFailure::Expired => ApiError::client(Protocol::RequestExpired, EXPIRED),
        }
    }
}

/// A request's signature as it was read, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    pub credential: Credential,
    /// When it was signed, `YYYYMMDDTHHMMSSZ` (as the string to sign carries it).
    pub amz_date: String,
    /// A presigned URL's `X-Amz-Expires` (seconds); `None` for the `Authorization` header.
    pub expires: Option<i64>,
}

impl Signed {
    fn presigned(&self) -> bool {
        self.expires.is_some()
    }
}

/// The signature a request carries, its syntax checked: the `Authorization` header, else a
/// presigned query string. [`AuthFailure::Missing`] when there is neither.
pub fn read(req: &HttpRequest<'_>) -> Result<Signed, AuthFailure> {
    let presigned = query_params(req.query).any(|(name, _)| {
        matches!(name.as_ref(), "X-Amz-Algorithm" | "X-Amz-Credential" | SIGNATURE_PARAM)
    });
    match (req.header("authorization"), presigned) {
        (Some(_), true) => Err(AuthFailure::Incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified".into(),
        )),
        (Some(header), false) => read_header(req, header),
        (None, true) => read_presigned(req),
        (None, false) => Err(AuthFailure::Missing),
    }
}

fn query_params(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

fn read_header(req: &HttpRequest<'_>, header: &str) -> Result<Signed, AuthFailure> {
    let credential = parse_authorization(header)?;
    if !credential.signed_headers.iter().any(|h| h == "host") {
        return Err(AuthFailure::Incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into(),
        ));
    }
    let amz_date = match (req.header("x-amz-date"), req.header("date")) {
        (Some(date), _) => checked_basic_date(date)?,
        (None, Some(date)) => {
            Timestamp::parse_http_date(date).map(Timestamp::to_basic).ok_or_else(|| {
                AuthFailure::Incomplete(format!("Date header '{date}' is not an HTTP date."))
            })?
        }
        (None, None) => {
            return Err(AuthFailure::Incomplete(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.".into(),
            ));
        }
    };
    Ok(Signed { credential, amz_date, expires: None })
}

fn read_presigned(req: &HttpRequest<'_>) -> Result<Signed, AuthFailure> {
    let param = |name: &str| {
        query_params(req.query).find(|(n, _)| n == name).map(|(_, v)| v.into_owned()).ok_or_else(|| {
            AuthFailure::Incomplete(format!(
                "AWS query-string parameters must include '{name}'. Re-examine the query-string parameters."
            ))
        })
    };
    let algorithm = param("X-Amz-Algorithm")?;
    if algorithm != ALGORITHM {
        return Err(AuthFailure::Incomplete(format!("Unsupported AWS 'algorithm': '{algorithm}'")));
    }
    let credential = parse_presigned(
        &param("X-Amz-Credential")?,
        &param("X-Amz-SignedHeaders")?,
        &param(SIGNATURE_PARAM)?,
    )?;
    let amz_date = checked_basic_date(&param("X-Amz-Date")?)?;
    let expires = match query_params(req.query).find(|(n, _)| n == "X-Amz-Expires") {
        None => MAX_SKEW_SECS,
        Some((_, text)) => expires_secs(&text)?,
    };
    Ok(Signed { credential, amz_date, expires: Some(expires) })
}

fn checked_basic_date(text: &str) -> Result<String, AuthFailure> {
    match Timestamp::parse_basic(text) {
        Some(_) => Ok(text.to_owned()),
        None => Err(AuthFailure::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601"
        ))),
    }
}

fn expires_secs(text: &str) -> Result<i64, AuthFailure> {
    let secs: i64 = text
        .parse()
        .map_err(|_| AuthFailure::Incomplete("X-Amz-Expires should be a number".into()))?;
    if !(1..=MAX_EXPIRES_SECS).contains(&secs) {
        return Err(AuthFailure::Incomplete(format!(
            "X-Amz-Expires must be between 1 and {MAX_EXPIRES_SECS} seconds (a week), not {secs}"
        )));
    }
    Ok(secs)
}

/// Checks a request's signature with the secret `secret_of` gives for its access key id, at
/// `now` (seconds since the Unix epoch). The checks, in order: the signature is well formed
/// ([`read`]); the key is known; the credential scope's date is the request's; the request
/// time is within [`MAX_SKEW_SECS`] of `now` (a presigned URL: not in the future by more, and
/// not past `X-Amz-Expires`); `X-Amz-Content-Sha256`, when sent, is the body's hash; the
/// signature matches, compared in constant time.
///
/// botocore presigns a query-protocol operation (`generate_presigned_url('describe_vpcs')`)
/// for the operation's method, POST, though such a URL is fetched with GET (curl, a browser's
/// address bar): a presigned GET whose signature is right for POST is accepted too. The
/// signature still covers every parameter; only the verb differs.
pub fn verify<'s>(
    req: &HttpRequest<'_>,
    secret_of: impl Fn(&str) -> Option<&'s str>,
    now: i64,
) -> Result<Credential, AuthFailure> {
    let signed = read(req)?;
    let secret = secret_of(&signed.credential.access_key_id).ok_or(AuthFailure::UnknownKey)?;
    check_scope_date(&signed)?;
    check_time(&signed, now)?;
    let payload = payload_hash(req)?;
    let given = decode_hex(&signed.credential.signature)
        .ok_or_else(|| AuthFailure::Mismatch(MISMATCH.into()))?;
    let matches = |method: &str| {
        let as_sent = HttpRequest { method, ..*req };
        signature_matches(&as_sent, &signed, secret, &payload, &given)
    };
    let presigned_get = signed.presigned() && req.method == "GET";
    if matches(req.method) || (presigned_get && matches("POST")) {
        Ok(signed.credential)
    } else {
        Err(AuthFailure::Mismatch(MISMATCH.into()))
    }
}

/// Whether `given` is the signature of `req` with `secret` (constant-time comparison).
fn signature_matches(
    req: &HttpRequest<'_>,
    signed: &Signed,
    secret: &str,
    payload: &str,
    given: &[u8],
) -> bool {
    let c = &signed.credential;
    let leave_out = signed.presigned().then_some(SIGNATURE_PARAM);
    let canonical = canonical_request(req, &c.signed_headers, payload, leave_out);
    let scope = credential_scope(&c.date, &c.region, &c.service);
    let to_sign = string_to_sign(&signed.amz_date, &scope, &canonical);
    let key = signing_key(secret, &c.date, &c.region, &c.service);
    hmac::verify(&key, to_sign.as_bytes(), given).is_ok()
}

fn check_scope_date(signed: &Signed) -> Result<(), AuthFailure> {
    let day = signed.amz_date.get(..8).unwrap_or_default();
    if signed.credential.date == day {
        return Ok(());
    }
    Err(AuthFailure::Mismatch(format!(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{}'.",
        signed.credential.date, signed.amz_date
    )))
}

/// AWS's messages for a request signed too long ago or too far ahead, with the times.
fn check_time(signed: &Signed, now: i64) -> Result<(), AuthFailure> {
    let at = Timestamp::parse_basic(&signed.amz_date).map_or(0, Timestamp::secs);
    let basic = |secs: i64| Timestamp(secs * 1000).to_basic();
    if at > now + MAX_SKEW_SECS {
        return Err(AuthFailure::Skew(format!(
            "Signature not yet current: {} is still later than {} ({} + 15 min.)",
            signed.amz_date,
            basic(now + MAX_SKEW_SECS),
            basic(now)
        )));
    }
    match signed.expires {
        Some(expires) if now > at + expires => Err(AuthFailure::Expired),
        Some(_) => Ok(()),
        None if at < now - MAX_SKEW_SECS => Err(AuthFailure::Skew(format!(
            "Signature expired: {} is now earlier than {} ({} - 15 min.)",
            signed.amz_date,
            basic(now - MAX_SKEW_SECS),
            basic(now)
        ))),
        None => Ok(()),
    }
}

/// The payload hash the canonical request carries: the body's own. A client may send it in
/// `X-Amz-Content-Sha256`; a value that is not the body's hash (`UNSIGNED-PAYLOAD` included:
/// vpclab verifies every payload) is refused.
fn payload_hash(req: &HttpRequest<'_>) -> Result<String, AuthFailure> {
    let actual = hex_sha256(req.body);
    match req.header("x-amz-content-sha256") {
        Some(claimed) if claimed != actual => Err(AuthFailure::Mismatch(format!(
            "The provided 'x-amz-content-sha256' header does not match what was computed ('{claimed}'): every payload is signed and verified."
        ))),
        _ => Ok(actual),
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u32> = text.chars().map(|c| c.to_digit(16)).collect::<Option<_>>()?;
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    Some(digits.chunks(2).map(|pair| pair.iter().fold(0u32, |acc, d| acc * 16 + d) as u8).collect())
}
