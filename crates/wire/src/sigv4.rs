//! Signature Version 4: who signed a request, for which service and region — and whether the
//! signature is right.
//!
//! - [`read`] finds a request's signature — the `Authorization` header or a presigned query
//!   string (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
//!   `X-Amz-SignedHeaders`, `X-Amz-Signature`) — and checks its syntax as strictly as AWS does.
//!   Its credential scope routes the request (service), places it (region) and, without
//!   `--credentials`, picks the account (an access key id of twelve digits names it).
//! - [`verify`] also recomputes the signature with the caller's secret ([`canonical`]: one
//!   canonical request for signing and verifying), compares it in constant time and refuses
//!   requests signed more than 15 minutes away from the server's clock and expired presigned
//!   URLs. It is a pure function of the request, a key lookup and the time.
//! - [`keys`] reads the AWS shared-credentials file `vpclab serve --credentials` takes.
//! - [`AuthFailure`] is why a request is refused; [`AuthFailure::to_api_error`] says it as each
//!   service's error format does (EC2 `AuthFailure`, awsQuery and restXml
//!   `SignatureDoesNotMatch`, awsJson `InvalidSignatureException`…).

mod canonical;
pub mod keys;
#[cfg(test)]
mod vectors;
mod verify;

pub use canonical::{
    ALGORITHM, HttpRequest, Signer, canonical_request, credential_scope, hex_sha256, signing_key,
    string_to_sign,
};
pub use verify::{AuthFailure, MAX_EXPIRES_SECS, MAX_SKEW_SECS, Signed, read, verify};

/// The parsed credential of a signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key_id: String,
    /// `YYYYMMDD`.
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

impl Credential {
    /// The account the access key id selects: itself when it is twelve digits.
    pub fn account_override(&self) -> Option<&str> {
        let key = self.access_key_id.as_str();
        (key.len() == 12 && key.bytes().all(|b| b.is_ascii_digit())).then_some(key)
    }
}

fn incomplete(message: impl Into<String>) -> AuthFailure {
    AuthFailure::Incomplete(message.into())
}

/// Parses an `Authorization` header value:
/// `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex>`.
pub fn parse_authorization(header: &str) -> Result<Credential, AuthFailure> {
    let header = header.trim();
    let Some(rest) = header.strip_prefix(ALGORITHM) else {
        let algorithm = header.split_whitespace().next().unwrap_or_default();
        return Err(incomplete(format!("Unsupported AWS 'algorithm': '{algorithm}'")));
    };
    if !rest.starts_with(' ') {
        return Err(incomplete("Authorization header requires a space after the algorithm."));
    }
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        let Some((key, value)) = part.split_once('=') else {
            return Err(incomplete(format!(
                "Authorization header requires each component to be of the form key=value: '{part}'"
            )));
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            other => {
                return Err(incomplete(format!(
                    "Unknown Authorization header component '{other}'."
                )));
            }
        };
        if slot.replace(value).is_some() {
            return Err(incomplete(format!("Authorization header repeats '{key}'.")));
        }
    }
    let missing =
        |name: &str| incomplete(format!("Authorization header requires '{name}' parameter."));
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed_headers = signed_headers.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    build(credential, signed_headers, signature)
}

/// Parses presigned query parameters (`X-Amz-Credential`, `X-Amz-SignedHeaders`, `X-Amz-Signature`).
pub fn parse_presigned(
    credential: &str,
    signed_headers: &str,
    signature: &str,
) -> Result<Credential, AuthFailure> {
    build(credential, signed_headers, signature)
}

fn build(
    credential: &str,
    signed_headers: &str,
    signature: &str,
) -> Result<Credential, AuthFailure> {
    let parts: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(incomplete(format!(
            "Credential should be scoped to a valid region, not '{credential}'. Expected 'ACCESS_KEY/YYYYMMDD/region/service/aws4_request'."
        )));
    };
    if access_key_id.is_empty() || !access_key_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AuthFailure::UnknownKey);
    }
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(incomplete(format!("Credential date '{date}' is not of the form YYYYMMDD.")));
    }
    let valid_label =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !valid_label(region) {
        return Err(incomplete(format!(
            "Credential should be scoped to a valid region, not '{region}'."
        )));
    }
    if !valid_label(service) {
        return Err(incomplete(format!(
            "Credential should be scoped to a valid service, not '{service}'."
        )));
    }
    if *terminator != "aws4_request" {
        return Err(incomplete(format!(
            "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )));
    }
    let headers: Vec<String> = signed_headers.split(';').map(str::to_owned).collect();
    if headers.iter().any(|h| {
        h.is_empty() || h.bytes().any(|b| b.is_ascii_uppercase() || b.is_ascii_whitespace())
    }) {
        return Err(incomplete(format!(
            "SignedHeaders '{signed_headers}' is not a lower-case ';'-separated list."
        )));
    }
    if signature.len() != 64 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(incomplete("Signature must be 64 hexadecimal characters."));
    }
    Ok(Credential {
        access_key_id: (*access_key_id).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        signed_headers: headers,
        signature: signature.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

    #[test]
    fn parses_botocore_headers() {
        let h = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/ec2/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={SIG}"
        );
        let c = parse_authorization(&h).unwrap();
        assert_eq!((c.region.as_str(), c.service.as_str()), ("eu-west-1", "ec2"));
        assert_eq!(c.signed_headers, vec!["content-type", "host", "x-amz-date"]);
        assert_eq!(c.account_override(), None);
    }

    #[test]
    fn twelve_digit_keys_select_accounts() {
        let h = format!(
            "AWS4-HMAC-SHA256 Credential=210987654321/20240101/us-east-1/sts/aws4_request,SignedHeaders=host,Signature={SIG}"
        );
        assert_eq!(parse_authorization(&h).unwrap().account_override(), Some("210987654321"));
    }

    #[test]
    fn rejects_malformed_headers() {
        for bad in [
            "".to_owned(),
            "Basic abc".to_owned(),
            "AWS4-HMAC-SHA256".to_owned(),
            "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x".to_owned(),
            format!(
                "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/ec2/aws4_request, Signature={SIG}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=AK/2024/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature={SIG}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/ec2/aws4_request, SignedHeaders=Host, Signature={SIG}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature={SIG}, Extra=1"
            ),
        ] {
            let err = parse_authorization(&bad).unwrap_err();
            assert!(
                matches!(err, AuthFailure::Incomplete(_) | AuthFailure::UnknownKey),
                "{bad}: {err:?}"
            );
        }
    }
}
