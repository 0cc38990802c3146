//! The error that reaches the wire, and its renderings.

use crate::xml::escape;
use codes::{Code, Protocol};
use std::fmt;

/// An AWS error as a client sees it: the exact error code, the HTTP status and a message.
///
/// Every failure inside vpclab ends as one of these at the wire edge, so clients branch on the
/// same codes they see from AWS (`InvalidVpcID.NotFound`, `DependencyViolation`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    pub status: u16,
    pub message: String,
}

impl ApiError {
    pub fn new(code: impl Into<Code>, status: u16, message: impl Into<String>) -> Self {
        Self { code: code.into(), status, message: message.into() }
    }

    /// A client error (HTTP 400), the status of nearly every AWS validation failure.
    pub fn client(code: impl Into<Code>, message: impl Into<String>) -> Self {
        Self::new(code, 400, message)
    }

    pub fn invalid_parameter_value(message: impl Into<String>) -> Self {
        Self::client(Protocol::InvalidParameterValue, message)
    }

    pub fn missing_parameter(name: &str) -> Self {
        Self::client(
            Protocol::MissingParameter,
            format!("The request must contain the parameter {name}"),
        )
    }

    pub fn invalid_action(action: &str) -> Self {
        Self::client(
            Protocol::InvalidAction,
            format!("The action {action} is not valid for this web service."),
        )
    }

    /// The answer to a request whose `DryRun` flag is set and which would have succeeded.
    pub fn dry_run() -> Self {
        Self::new(
            Protocol::DryRunOperation,
            412,
            "Request would have succeeded, but DryRun flag is set.",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Protocol::InternalError, 500, message)
    }

    /// Whether the fault lies with the caller (AWS's `Sender`) rather than the service.
    pub fn is_client_fault(&self) -> bool {
        self.status < 500
    }

    /// The error body in the given format, with the request id.
    pub fn render(&self, format: ErrorFormat, request_id: &str) -> String {
        let code = escape(self.code.as_str());
        let message = escape(&self.message);
        match format {
            ErrorFormat::Ec2 => format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
            ),
            ErrorFormat::Query { xmlns } | ErrorFormat::RestXml { xmlns } => {
                let kind = if self.is_client_fault() { "Sender" } else { "Receiver" };
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ErrorResponse xmlns=\"{xmlns}\"><Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
                )
            }
            ErrorFormat::Json => {
                let mut out = String::from("{\"__type\":");
                json_string(&mut out, self.code.as_str());
                out.push_str(",\"message\":");
                json_string(&mut out, &self.message);
                out.push('}');
                out
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

/// How a service renders its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    /// EC2's `<Response><Errors><Error>…` document.
    Ec2,
    /// The awsQuery and restXml `<ErrorResponse>` document, with the service's namespace.
    Query { xmlns: &'static str },
    /// restXml's `<ErrorResponse>` (Route 53): the awsQuery document, which botocore's
    /// RestXMLParser reads as `Error.Code`/`Error.Message` with the `RequestId` beside it.
    RestXml { xmlns: &'static str },
    /// awsJson's `{"__type": …, "message": …}`.
    Json,
}

impl ErrorFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ErrorFormat::Ec2 | ErrorFormat::Query { .. } | ErrorFormat::RestXml { .. } => {
                "text/xml"
            }
            ErrorFormat::Json => "application/x-amz-json-1.1",
        }
    }
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ec2_errors_render_as_aws_does() {
        let e =
            ApiError::client(codes::Ec2::InvalidVpcIDNotFound, "The vpc ID 'vpc-1' does not exist");
        let body = e.render(ErrorFormat::Ec2, "rid");
        assert!(body.contains("<Code>InvalidVpcID.NotFound</Code>"));
        assert!(body.contains("<Message>The vpc ID &apos;vpc-1&apos; does not exist</Message>"));
        assert!(body.ends_with("<RequestID>rid</RequestID></Response>"));
    }

    #[test]
    fn query_errors_say_who_is_at_fault() {
        let body = ApiError::internal("boom").render(ErrorFormat::Query { xmlns: "ns" }, "r");
        assert!(body.contains("<Type>Receiver</Type>"));
        let body = ApiError::missing_parameter("X").render(ErrorFormat::Query { xmlns: "ns" }, "r");
        assert!(body.contains("<Type>Sender</Type>"));
    }

    #[test]
    fn rest_xml_errors_are_error_responses() {
        let e = ApiError::new(
            codes::Route53::NoSuchHostedZone,
            404,
            "No hosted zone found with ID: Z1",
        );
        let body = e.render(
            ErrorFormat::RestXml { xmlns: "https://route53.amazonaws.com/doc/2013-04-01/" },
            "r",
        );
        assert!(body.contains("<ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Error><Type>Sender</Type><Code>NoSuchHostedZone</Code><Message>No hosted zone found with ID: Z1</Message></Error><RequestId>r</RequestId></ErrorResponse>"));
    }

    #[test]
    fn json_errors_escape() {
        let body = ApiError::client(Protocol::ValidationError, "a \"quoted\"\nline")
            .render(ErrorFormat::Json, "r");
        assert_eq!(body, r#"{"__type":"ValidationError","message":"a \"quoted\"\nline"}"#);
    }
}
