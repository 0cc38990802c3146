//! STS: just enough for clients to start (`GetCallerIdentity`).

use crate::{Reply, Request};
use shapes::sts::{GetCallerIdentityRequest, GetCallerIdentityResponse};
use wire::query::FromQuery;
use wire::{ApiError, ToXml, XmlWriter};

pub const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

pub fn handle(request: &Request) -> Result<Reply, ApiError> {
    let q = &request.params;
    let action = q.action().unwrap_or_default().to_owned();
    let response = match action.as_str() {
        "GetCallerIdentity" => {
            GetCallerIdentityRequest::from_query(q, "")?;
            q.reject_unused()?;
            let account = &request.scope.account;
            GetCallerIdentityResponse {
                account: Some(account.clone()),
                arn: Some(format!("arn:aws:iam::{account}:root")),
                user_id: Some(account.clone()),
            }
        }
        "" => return Err(ApiError::missing_parameter("Action")),
        other => return Err(ApiError::invalid_action(other)),
    };
    Ok(render_query(&action, XMLNS, &response, &request.request_id))
}

/// The awsQuery success document: `<XResponse><XResult>…</XResult><ResponseMetadata>…`.
pub fn render_query(
    action: &str,
    xmlns: &str,
    result: &(impl ToXml + ?Sized),
    request_id: &str,
) -> Reply {
    let mut w = XmlWriter::document();
    w.open_with_xmlns(&format!("{action}Response"), xmlns);
    w.open(&format!("{action}Result"));
    result.write_xml(&mut w);
    w.close(&format!("{action}Result"));
    w.open("ResponseMetadata");
    w.leaf("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close(&format!("{action}Response"));
    Reply::ok("text/xml", w.finish())
}
