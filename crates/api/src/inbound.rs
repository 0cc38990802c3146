//! The protocol half of the front door: what an HTTP request on the API port is, from its
//! request line, headers and body, to the [`Request`] the services take.
//!
//! The binary owns the sockets, the body limits and the signature check (its key store);
//! everything about AWS's protocols is here: which service a request claims before its
//! signature is trusted ([`claimed_service`], which also chooses the format of early errors),
//! how its body is read (form parameters for ec2Query/awsQuery, JSON for awsJson, XML for
//! restXml), and, once the signature names the account, region and service, the decoded
//! request ([`Inbound::into_request`]).

use crate::{Http, Request, Service};
use codes::Ec2;
use model::Scope;
use wire::{ApiError, ErrorFormat, QueryMap};

/// A failure before any service runs, with the format its answer is written in.
pub type Refusal = (ApiError, ErrorFormat);

/// A request's headers, looked up by lower-case name.
pub trait Headers {
    fn header(&self, name: &str) -> Option<&str>;
}

impl Headers for [(String, String)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The service a request is for, as far as it says before it is verified: the credential
/// scope of its signature, else its `X-Amz-Target`, a Route 53 path, an ELBv2 `Version`, STS's
/// `GetCallerIdentity`; EC2 otherwise. It chooses the format of errors found before the
/// signature's own scope can be trusted (and the body format of restXml and awsJson).
pub fn claimed_service(
    headers: &(impl Headers + ?Sized),
    path: &str,
    params: &QueryMap,
) -> Service {
    if let Some(service) = scope_service(headers, params) {
        return service;
    }
    let target = headers.header("x-amz-target").unwrap_or_default();
    if target.starts_with(crate::direct_connect::TARGET_PREFIX) {
        Service::DirectConnect
    } else if target.starts_with(crate::route53_resolver::TARGET_PREFIX) {
        Service::Route53Resolver
    } else if path.starts_with(&format!("/{}/", crate::route53::API_VERSION)) {
        Service::Route53
    } else if params.peek("Version") == Some(crate::elbv2::API_VERSION) {
        Service::Elbv2
    } else if params.action() == Some("GetCallerIdentity") {
        Service::Sts
    } else {
        Service::Ec2
    }
}

/// The service a signature's credential scope (`AKID/date/region/SERVICE/aws4_request`) names.
fn scope_service(headers: &(impl Headers + ?Sized), params: &QueryMap) -> Option<Service> {
    let from_header = headers
        .header("authorization")
        .and_then(|h| h.split("Credential=").nth(1))
        .and_then(|c| c.split(',').next());
    let credential = from_header.or_else(|| params.peek("X-Amz-Credential"))?;
    Service::from_signing_name(credential.trim().split('/').nth(3)?)
}

/// Whether the request's body is JSON (awsJson: `X-Amz-Target` or a JSON content type).
fn is_json(headers: &(impl Headers + ?Sized)) -> bool {
    headers.header("x-amz-target").is_some()
        || headers.header("content-type").is_some_and(|t| t.starts_with("application/x-amz-json"))
}

/// How a request's body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// ec2Query and awsQuery: form parameters, joining the query string's.
    Form,
    /// awsJson: a JSON document, the operation in `X-Amz-Target`.
    Json,
    /// restXml (Route 53): an XML document, the operation in the method and path.
    RestXml,
}

/// A request as its request line and headers describe it, before its body is read.
#[derive(Debug)]
pub struct Inbound {
    http: Http,
    params: QueryMap,
    target: Option<String>,
    body: Body,
    raw: Vec<u8>,
}

impl Inbound {
    /// Reads the request line and headers: the query string's parameters, the operation an
    /// awsJson target names, how the body is to be read.
    pub fn new(
        method: &str,
        path: &str,
        query: Option<&str>,
        headers: Vec<(String, String)>,
    ) -> Result<Self, Refusal> {
        let mut params = QueryMap::default();
        if let Some(query) = query {
            params.extend_from(query.as_bytes()).map_err(|e| (e, ErrorFormat::Ec2))?;
        }
        let body = if is_json(headers.as_slice()) {
            Body::Json
        } else if claimed_service(headers.as_slice(), path, &params) == Service::Route53 {
            Body::RestXml
        } else {
            Body::Form
        };
        let target = headers.as_slice().header("x-amz-target").map(str::to_owned);
        let http = Http { method: method.to_owned(), path: path.to_owned(), headers };
        Ok(Inbound { http, params, target, body, raw: Vec::new() })
    }

    /// The format of an error found while the body is read.
    pub fn body_error_format(&self) -> ErrorFormat {
        match self.body {
            Body::Json => ErrorFormat::Json,
            Body::RestXml => Service::Route53.error_format(),
            Body::Form => ErrorFormat::Ec2,
        }
    }

    /// Takes the body: a form's parameters join the query string's; a document is kept whole.
    pub fn read_body(&mut self, raw: &[u8]) -> Result<(), Refusal> {
        if self.body == Body::Form {
            self.params.extend_from(raw).map_err(|e| (e, ErrorFormat::Ec2))?;
        }
        self.raw = raw.to_vec();
        Ok(())
    }

    /// The service the request claims until its signature is checked (the format of the
    /// signature's own errors).
    pub fn claimed_service(&self) -> Service {
        claimed_service(self.http.headers.as_slice(), &self.http.path, &self.params)
    }

    /// The request for the services, once the signature has named the caller's account and
    /// the region and service it signed for: an unknown service is `UnsupportedService`, a
    /// region AWS does not have `InvalidRegion`; Route 53 is global (clients sign for
    /// us-east-1, but any region is accepted and its resources belong to the account alone).
    pub fn into_request(
        self,
        signing_name: &str,
        account: &str,
        region: &str,
        request_id: &str,
    ) -> Result<Request, Refusal> {
        let service = Service::from_signing_name(signing_name).ok_or_else(|| {
            (
                ApiError::client(
                    Ec2::UnsupportedService,
                    format!("vpclab does not serve the '{signing_name}' service."),
                ),
                self.body_error_format(),
            )
        })?;
        if model::regions::find(region).is_none()
            && matches!(
                service,
                Service::Ec2 | Service::DirectConnect | Service::Elbv2 | Service::Route53Resolver
            )
        {
            return Err((
                ApiError::client(
                    Ec2::InvalidRegion,
                    format!("The region '{region}' is not a commercial AWS region."),
                ),
                service.error_format(),
            ));
        }
        let region = if service == Service::Route53 { crate::DEFAULT_REGION } else { region };
        let body = if self.body == Body::Form { Vec::new() } else { self.raw };
        Ok(Request {
            service,
            scope: Scope::new(account, region),
            request_id: request_id.to_owned(),
            params: self.params,
            target: self.target,
            body,
            http: self.http,
        })
    }
}

/// The name an operation goes by in the server's log: its `Action`, its `X-Amz-Target`, or
/// Route 53's method and path.
pub fn operation_name(request: &Request) -> String {
    match &request.target {
        Some(target) => target.clone(),
        None if request.service == Service::Route53 => {
            format!("{} {}", request.http.method, request.http.path)
        }
        None => request.params.action().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_claimed_service_chooses_how_the_body_is_read() {
        let json = Inbound::new(
            "POST",
            "/",
            None,
            headers(&[("X-Amz-Target", "OvertureService.DescribeConnections")]),
        )
        .unwrap();
        assert_eq!(json.claimed_service(), Service::DirectConnect);
        assert_eq!(json.body_error_format(), ErrorFormat::Json);
        let route53 = Inbound::new("GET", "/2013-04-01/hostedzone", None, Vec::new()).unwrap();
        assert_eq!(route53.claimed_service(), Service::Route53);
        let mut form = Inbound::new("POST", "/", Some("Action=DescribeVpcs"), Vec::new()).unwrap();
        form.read_body(b"Version=2016-11-15").unwrap();
        assert_eq!(form.claimed_service(), Service::Ec2);
        let request = form.into_request("ec2", "123456789012", "eu-west-1", "r").unwrap();
        assert_eq!(request.params.action(), Some("DescribeVpcs"));
        assert!(request.body.is_empty());
    }

    #[test]
    fn unknown_services_and_regions_are_refused_in_their_format() {
        let form = Inbound::new("POST", "/", Some("Action=ListBuckets"), Vec::new()).unwrap();
        let (e, _) = form.into_request("s3", "123456789012", "us-east-1", "r").unwrap_err();
        assert_eq!(e.code, "UnsupportedService");
        let form = Inbound::new("POST", "/", Some("Action=DescribeVpcs"), Vec::new()).unwrap();
        let (e, format) = form.into_request("ec2", "123456789012", "mars-1", "r").unwrap_err();
        assert_eq!((e.code.as_str(), format), ("InvalidRegion", ErrorFormat::Ec2));
        let zone = Inbound::new("GET", "/2013-04-01/hostedzone", None, Vec::new()).unwrap();
        let request = zone.into_request("route53", "123456789012", "mars-1", "r").unwrap();
        assert_eq!(request.scope.region, crate::DEFAULT_REGION);
    }
}
