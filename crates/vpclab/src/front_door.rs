//! Who may use the API port: the policy every request passes before it is routed.
//!
//! vpclab runs next to the user's browser, so no web page may drive it. In order:
//!
//! 1. **Host.** The `Host` must be an IP literal, `localhost`, a name vpclab serves (a load
//!    balancer's DNS name: those requests go to the load balancer before this policy) or an
//!    `--allow-host` name. Any other name is refused (403 `AccessDenied`): a DNS-rebinding page
//!    reaches the server under its own name, and so cannot read the answers.
//! 2. **Reset.** `/_vpclab/reset` and `/moto-api/reset` take POST only (405 otherwise) and never
//!    from a browser: an `Origin` or any `Sec-Fetch-*` header is refused (403).
//! 3. **Origin.** A request with an `Origin` is refused (403, the service's error format)
//!    unless `--allow-origin` lists it or it is the server's own origin (`http://` + the
//!    request's `Host`, for a console served by vpclab itself). CORS preflights are answered
//!    for listed origins, and their answers carry `Access-Control-Allow-Origin`.
//! 4. **Fetch metadata.** A browser's cross-site request without a listed `Origin` (an `<img>`
//!    or a link to a presigned URL: `Sec-Fetch-Site: cross-site` or `same-site`) is refused.
//! 5. **Signature** ([`FrontDoor::authenticate`], once the body is read): every AWS API request
//!    is signed with SigV4, in a header or a presigned URL — an unsigned one gets the service's
//!    answer to a missing signature — and with `--credentials` it is signed by one of the
//!    file's keys, whose `aws_account_id` is the caller's account.

use crate::ServeArgs;
use crate::server::{Response, error_json, reply};
use anyhow::{Context, Result, bail};
use api::Reply;
use codes::Protocol;
use hyper::Method;
use hyper::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ALLOW, AUTHORIZATION, HOST, HeaderMap, HeaderValue, ORIGIN,
    VARY,
};
use hyper::http::request::Parts;
use std::net::IpAddr;
use wire::sigv4::{self, AuthFailure, Credential, HttpRequest, keys::KeyStore};
use wire::{ApiError, QueryMap};

/// The paths that drop all state.
const RESET_PATHS: [&str; 2] = ["/_vpclab/reset", "/moto-api/reset"];

/// The server's admission policy (see the module documentation).
#[derive(Debug, Default)]
pub struct FrontDoor {
    /// `--allow-origin`, lower case, without a trailing `/`.
    origins: Vec<String>,
    /// `--allow-host`, lower case.
    hosts: Vec<String>,
    /// `--credentials`: when set, signatures are verified against these keys.
    keys: Option<KeyStore>,
}

/// The policy's own answer to a request it does not let through (boxed: a response is large).
pub type Answer = Box<Response>;

/// What the policy decided for an admitted request.
#[derive(Debug, Default)]
pub struct Admission {
    /// A listed origin the answer must name in `Access-Control-Allow-Origin`.
    cors_origin: Option<String>,
}

/// Who signed an admitted AWS API request, and the account it acts in.
#[derive(Debug)]
pub struct Caller {
    pub credential: Credential,
    pub account: String,
}

impl FrontDoor {
    /// The policy `vpclab serve` was started with; reads the `--credentials` file.
    pub fn from_args(args: &ServeArgs) -> Result<Self> {
        let keys = match &args.credentials {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading --credentials {}", path.display()))?;
                let keys = KeyStore::parse(&text)
                    .with_context(|| format!("--credentials {}", path.display()))?;
                Some(keys)
            }
        };
        Ok(FrontDoor {
            origins: args.allow_origins.iter().map(|o| origin(o)).collect::<Result<_>>()?,
            hosts: args
                .allow_hosts
                .iter()
                .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
                .collect(),
            keys,
        })
    }

    /// A policy that verifies signatures against `keys` and allows nothing else (benchmarks).
    pub fn verifying(keys: KeyStore) -> Self {
        FrontDoor { keys: Some(keys), ..FrontDoor::default() }
    }

    /// How many keys `--credentials` gave (`None`: signatures are not verified).
    pub fn key_count(&self) -> Option<usize> {
        self.keys.as_ref().map(KeyStore::len)
    }

    /// Steps 1–4 of the policy, before the body is read. `Err` is the answer already: a
    /// refusal, or a CORS preflight's answer. `serves_host` says whether a load balancer has
    /// the name.
    pub fn admit<B>(
        &self,
        req: &hyper::Request<B>,
        serves_host: impl Fn(&str) -> bool,
    ) -> Result<Admission, Answer> {
        let headers = req.headers();
        // 1. Host: DNS rebinding reaches the server under a name of its own.
        let host = host_of(req).unwrap_or_default();
        if !self.host_allowed(host, serves_host) {
            return Err(refusal(
                req,
                forbidden(format!(
                    "vpclab does not answer for the host '{host}': only IP addresses, localhost, load balancer names and --allow-host names (this stops DNS rebinding)"
                )),
            ));
        }
        // 2. Reset: POST only, never from a browser.
        if RESET_PATHS.contains(&req.uri().path()) {
            guard_reset(req)?;
        }
        // 3. Origin: listed, or the server's own; CORS preflights answered.
        let origin = text(headers, ORIGIN.as_str());
        let listed = origin.is_some_and(|o| self.listed(o));
        if let Some(origin) = origin.filter(|o| !listed && !same_origin(o, host)) {
            return Err(refusal(
                req,
                forbidden(format!(
                    "vpclab refuses requests from web pages: the origin '{origin}' is not allowed (start the server with --allow-origin {origin} to allow it)"
                )),
            ));
        }
        if let Some(origin) = origin.filter(|_| is_preflight(req)) {
            return Err(preflight(origin, headers));
        }
        // 4. Fetch metadata: a cross-site request without a listed origin (`<img src=…>`).
        let site = text(headers, "sec-fetch-site");
        if site.is_some_and(|s| !matches!(s, "same-origin" | "none")) && !listed {
            return Err(refusal(req, forbidden(
                "vpclab refuses cross-site requests from web pages (Sec-Fetch-Site) unless their origin is allowed with --allow-origin".to_owned(),
            )));
        }
        Ok(Admission { cors_origin: origin.filter(|_| listed).map(str::to_owned) })
    }

    /// Adds what a listed origin's browser needs to read the answer.
    pub fn finish(&self, response: &mut Response, admission: &Admission) {
        let Some(origin) = admission.cors_origin.as_deref() else { return };
        let h = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(origin) {
            h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        h.insert(VARY, HeaderValue::from_static("Origin"));
        h.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-amzn-requestid, x-amz-request-id, location"),
        );
    }

    /// Step 5: the request's signature, read (and with `--credentials` verified at `now`,
    /// seconds since the Unix epoch), and the caller's account.
    pub fn authenticate(
        &self,
        parts: &Parts,
        body: &[u8],
        now: i64,
    ) -> Result<Caller, AuthFailure> {
        if parts.headers.get(AUTHORIZATION).is_some_and(|h| h.to_str().is_err()) {
            return Err(AuthFailure::Incomplete(
                "The Authorization header is not valid text.".into(),
            ));
        }
        let mut headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?)))
            .collect();
        // HTTP/2 carries the host as the URI's authority.
        if let Some(authority) = parts.uri.authority().filter(|_| !parts.headers.contains_key(HOST))
        {
            headers.push(("host", authority.as_str()));
        }
        let req = HttpRequest {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query().unwrap_or_default(),
            headers: &headers,
            body,
        };
        match &self.keys {
            None => {
                let credential = sigv4::read(&req)?.credential;
                let account =
                    credential.account_override().unwrap_or(api::DEFAULT_ACCOUNT).to_owned();
                Ok(Caller { credential, account })
            }
            Some(keys) => {
                let credential = sigv4::verify(&req, |id| keys.secret(id), now)?;
                let account = keys
                    .get(&credential.access_key_id)
                    .and_then(|k| k.account_id.clone())
                    .unwrap_or_else(|| api::DEFAULT_ACCOUNT.to_owned());
                Ok(Caller { credential, account })
            }
        }
    }

    fn host_allowed(&self, host: &str, serves_host: impl Fn(&str) -> bool) -> bool {
        let name = host_name(host);
        !name.is_empty()
            && (name.parse::<IpAddr>().is_ok()
                || name == "localhost"
                || self.hosts.contains(&name)
                || serves_host(host))
    }

    fn listed(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.origins.iter().any(|o| o.eq_ignore_ascii_case(origin))
    }
}

/// An `--allow-origin` value: `scheme://host[:port]`, nothing more.
fn origin(text: &str) -> Result<String> {
    let o = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let Some((scheme, rest)) = o.split_once("://") else {
        bail!(
            "--allow-origin {text}: an origin is scheme://host[:port], e.g. http://localhost:3000"
        );
    };
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains(['/', '?', '#', '@'])
    {
        bail!("--allow-origin {text}: an origin is http(s)://host[:port], without a path");
    }
    Ok(o)
}

/// The request's `Host` (HTTP/2: the URI's authority).
fn host_of<B>(req: &hyper::Request<B>) -> Option<&str> {
    text(req.headers(), HOST.as_str()).or_else(|| req.uri().authority().map(|a| a.as_str()))
}

/// The host name of a `Host` value: no port, no brackets, no final dot, lower case.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        },
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn same_origin(origin: &str, host: &str) -> bool {
    origin.strip_prefix("http://").is_some_and(|h| h.eq_ignore_ascii_case(host))
}

fn text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn is_preflight<B>(req: &hyper::Request<B>) -> bool {
    req.method() == Method::OPTIONS && req.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// POST only, never from a browser.
fn guard_reset<B>(req: &hyper::Request<B>) -> Result<(), Answer> {
    if req.method() != Method::POST {
        let mut r = error_json(&ApiError::new(
            Protocol::MethodNotAllowed,
            405,
            format!("{} takes POST only", req.uri().path()),
        ));
        r.headers_mut().insert(ALLOW, HeaderValue::from_static("POST"));
        return Err(Box::new(r));
    }
    let from_browser =
        req.headers().keys().any(|name| name == ORIGIN || name.as_str().starts_with("sec-fetch-"));
    if from_browser {
        return Err(Box::new(error_json(&forbidden(
            "reset is refused from a web browser (Origin or Sec-Fetch-* headers), whatever the origin".to_owned(),
        ))));
    }
    Ok(())
}

/// The answer to a listed origin's CORS preflight: the methods the APIs use and the headers
/// SDKs send (`authorization`, `content-type`, `x-amz-*`, `amz-sdk-*`) that it asked for.
fn preflight(origin: &str, headers: &HeaderMap) -> Answer {
    let asked = text(headers, ACCESS_CONTROL_REQUEST_HEADERS.as_str()).unwrap_or_default();
    let allowed: Vec<&str> = asked
        .split(',')
        .map(str::trim)
        .filter(|h| {
            let h = h.to_ascii_lowercase();
            h == "authorization"
                || h == "content-type"
                || h.starts_with("x-amz-")
                || h.starts_with("amz-sdk-")
        })
        .collect();
    let mut r = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::new()));
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    h.insert(ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST, DELETE"));
    if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
        h.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    h.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    h.insert(VARY, HeaderValue::from_static("Origin"));
    Box::new(r)
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(Protocol::AccessDenied, 403, message)
}

/// A refusal in the format of what the request was for: vpclab's JSON for its own endpoints,
/// else the AWS service's error format (`AccessDeniedException` for awsJson).
fn refusal<B>(req: &hyper::Request<B>, error: ApiError) -> Answer {
    let path = req.uri().path();
    if path.starts_with("/_vpclab/") || path.starts_with("/moto-api/") {
        return Box::new(error_json(&error));
    }
    let params =
        QueryMap::parse(req.uri().query().unwrap_or_default().as_bytes()).unwrap_or_default();
    let format =
        api::inbound::claimed_service(header_pairs(req.headers()).as_slice(), path, &params)
            .error_format();
    let error = match format {
        wire::ErrorFormat::Json => {
            ApiError { code: Protocol::AccessDeniedException.into(), ..error }
        }
        _ => error,
    };
    let request_id = wire::request_id();
    Box::new(reply(Reply::error(&error, format, &request_id), &request_id))
}

/// A request's headers as plain pairs (values that are not text left out), as the services
/// read them.
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn door() -> FrontDoor {
        FrontDoor {
            origins: vec!["http://localhost:3000".into()],
            hosts: vec!["vpclab.internal".into()],
            keys: None,
        }
    }

    fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> hyper::Request<()> {
        let mut b = hyper::Request::builder().method(method).uri(path);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(()).unwrap()
    }

    /// The status and body of the policy's answer, or `None` when it lets the request in.
    fn verdict(req: &hyper::Request<()>) -> Option<(u16, String)> {
        use http_body_util::BodyExt;
        let answer = *door().admit(req, |h| h == "my-alb-1.us-east-1.elb.amazonaws.com").err()?;
        let status = answer.status().as_u16();
        let body = block_on_body(answer.into_body().collect());
        Some((status, body))
    }

    fn block_on_body(
        f: impl std::future::Future<
            Output = Result<http_body_util::Collected<bytes::Bytes>, std::convert::Infallible>,
        >,
    ) -> String {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let collected = rt.block_on(f).unwrap().to_bytes();
        String::from_utf8(collected.to_vec()).unwrap()
    }

    #[test]
    fn hosts_are_ip_literals_localhost_balancers_or_allowed() {
        for host in [
            "127.0.0.1:4566",
            "10.1.2.3",
            "[::1]:4566",
            "localhost:4566",
            "LOCALHOST.",
            "vpclab.internal:4566",
            "my-alb-1.us-east-1.elb.amazonaws.com",
        ] {
            let req = request("POST", "/", &[("host", host)]);
            assert_eq!(verdict(&req), None, "{host}");
        }
        for host in
            ["evil.example", "evil.example:4566", "127.0.0.1.nip.io", "", "localhost.evil.example"]
        {
            let (status, body) = verdict(&request("POST", "/", &[("host", host)])).unwrap();
            assert_eq!(status, 403, "{host}");
            assert!(
                body.contains("<Code>AccessDenied</Code>") && body.contains("DNS rebinding"),
                "{body}"
            );
        }
        // vpclab's own endpoints answer in vpclab's JSON.
        let (_, body) =
            verdict(&request("GET", "/_vpclab/health", &[("host", "evil.example")])).unwrap();
        assert!(body.starts_with(r#"{"error":{"code":"AccessDenied""#), "{body}");
    }

    #[test]
    fn foreign_origins_are_refused_in_the_services_format() {
        let evil = [("host", "127.0.0.1:4566"), ("origin", "http://evil.example")];
        let (status, body) = verdict(&request("POST", "/", &evil)).unwrap();
        assert_eq!(status, 403);
        assert!(body.contains("<Response><Errors><Error><Code>AccessDenied</Code>"), "{body}");
        let json = [evil[0], evil[1], ("x-amz-target", "OvertureService.DescribeConnections")];
        let (_, body) = verdict(&request("POST", "/", &json)).unwrap();
        assert!(body.contains(r#""__type":"AccessDeniedException""#), "{body}");
        let (_, body) = verdict(&request("GET", "/2013-04-01/hostedzone", &evil)).unwrap();
        assert!(body.contains("<ErrorResponse") && body.contains("AccessDenied"), "{body}");
        // A listed origin and the server's own origin are let in.
        let listed = [("host", "127.0.0.1:4566"), ("origin", "http://localhost:3000")];
        assert_eq!(verdict(&request("POST", "/", &listed)), None);
        let own = [("host", "127.0.0.1:4566"), ("origin", "http://127.0.0.1:4566")];
        assert_eq!(verdict(&request("POST", "/", &own)), None);
        let null = [("host", "127.0.0.1:4566"), ("origin", "null")];
        assert_eq!(verdict(&request("POST", "/", &null)).unwrap().0, 403);
    }

    #[test]
    fn listed_origins_get_cors_answers() {
        let preflight = request(
            "OPTIONS",
            "/",
            &[
                ("host", "127.0.0.1:4566"),
                ("origin", "http://localhost:3000"),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "authorization,x-amz-date,content-type,x-evil"),
            ],
        );
        let answer = *door().admit(&preflight, |_| false).unwrap_err();
        assert_eq!(answer.status(), 200);
        let h = answer.headers();
        assert_eq!(h[ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:3000");
        assert_eq!(h[ACCESS_CONTROL_ALLOW_HEADERS], "authorization, x-amz-date, content-type");
        let listed = request(
            "POST",
            "/",
            &[("host", "localhost:4566"), ("origin", "http://localhost:3000")],
        );
        let admission = door().admit(&listed, |_| false).unwrap();
        let mut response = crate::server::json(hyper::StatusCode::OK, serde_json::json!({}));
        door().finish(&mut response, &admission);
        assert_eq!(response.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "http://localhost:3000");
        // An unlisted origin's preflight is refused like its requests.
        let other = request(
            "OPTIONS",
            "/",
            &[
                ("host", "127.0.0.1"),
                ("origin", "http://evil.example"),
                ("access-control-request-method", "POST"),
            ],
        );
        assert_eq!(verdict(&other).unwrap().0, 403);
    }

    #[test]
    fn cross_site_browser_requests_are_refused() {
        for site in ["cross-site", "same-site"] {
            let img = request(
                "GET",
                "/?Action=DescribeVpcs",
                &[("host", "127.0.0.1"), ("sec-fetch-site", site)],
            );
            assert_eq!(verdict(&img).unwrap().0, 403, "{site}");
        }
        for site in ["same-origin", "none"] {
            let ok = request(
                "GET",
                "/?Action=DescribeVpcs",
                &[("host", "127.0.0.1"), ("sec-fetch-site", site)],
            );
            assert_eq!(verdict(&ok), None, "{site}");
        }
        let listed = [
            ("host", "127.0.0.1"),
            ("origin", "http://localhost:3000"),
            ("sec-fetch-site", "cross-site"),
        ];
        assert_eq!(verdict(&request("POST", "/", &listed)), None);
    }

    #[test]
    fn reset_is_post_only_and_never_from_a_browser() {
        for path in RESET_PATHS {
            assert_eq!(verdict(&request("POST", path, &[("host", "127.0.0.1")])), None);
            let (status, body) = verdict(&request("GET", path, &[("host", "127.0.0.1")])).unwrap();
            assert_eq!(status, 405);
            assert!(body.contains("MethodNotAllowed"), "{body}");
            for header in [("origin", "http://localhost:3000"), ("sec-fetch-mode", "no-cors")] {
                let (status, body) =
                    verdict(&request("POST", path, &[("host", "127.0.0.1"), header])).unwrap();
                assert_eq!(status, 403, "{header:?}");
                assert!(body.contains("refused from a web browser"), "{body}");
            }
        }
    }

    #[test]
    fn origins_must_be_origins() {
        assert_eq!(origin("HTTP://LocalHost:3000/").unwrap(), "http://localhost:3000");
        for bad in ["localhost:3000", "http://", "http://a/b", "ftp://a", "http://u@a"] {
            assert!(origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_decide_the_account() {
        let keys = KeyStore::parse(
            "[a]\naws_access_key_id=AKIDA\naws_secret_access_key=sa\naws_account_id=111122223333\n\
             [b]\naws_access_key_id=AKIDB\naws_secret_access_key=sb\n",
        )
        .unwrap();
        let door = FrontDoor::verifying(keys);
        let body = b"Action=DescribeVpcs&Version=2016-11-15";
        let signed = |id: &str, secret: &str| {
            let key = crate::bench::SigningKey {
                access_key_id: id.into(),
                secret_access_key: secret.into(),
                region: "eu-west-1".into(),
            };
            let mut req = hyper::Request::post("/").body(()).unwrap();
            for (name, value) in crate::bench::signed_form_headers("127.0.0.1:4566", &key, body) {
                req.headers_mut().insert(name, value.parse().unwrap());
            }
            req.into_parts().0
        };
        let now = wire::time::Timestamp::now().secs();
        let a = door.authenticate(&signed("AKIDA", "sa"), body, now).unwrap();
        assert_eq!(
            (a.account.as_str(), a.credential.region.as_str()),
            ("111122223333", "eu-west-1")
        );
        let b = door.authenticate(&signed("AKIDB", "sb"), body, now).unwrap();
        assert_eq!(b.account, api::DEFAULT_ACCOUNT);
        let wrong = door.authenticate(&signed("AKIDB", "sa"), body, now).unwrap_err();
        assert!(matches!(wrong, AuthFailure::Mismatch(_)));
        let unknown = door.authenticate(&signed("210987654321", "x"), body, now).unwrap_err();
        assert_eq!(unknown, AuthFailure::UnknownKey);
        // Without --credentials, any key goes and twelve digits name the account.
        let open = FrontDoor::default();
        let c = open.authenticate(&signed("210987654321", "x"), body, now).unwrap();
        assert_eq!(c.account, "210987654321");
        let unsigned = hyper::Request::post("/").body(()).unwrap().into_parts().0;
        assert_eq!(open.authenticate(&unsigned, body, now).unwrap_err(), AuthFailure::Missing);
        let mut latin1 = signed("AKIDA", "sa");
        latin1
            .headers
            .insert(AUTHORIZATION, HeaderValue::from_bytes(b"AWS4-HMAC-SHA256 t\xe9st").unwrap());
        assert!(matches!(open.authenticate(&latin1, body, now), Err(AuthFailure::Incomplete(_))));
    }
}
