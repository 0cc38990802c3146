#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]
//! The AWS wire protocols, and nothing about resources.
//!
//! Every request vpclab serves arrives in one of AWS's wire formats and every answer leaves in one.
//! This crate turns bytes into typed values and back:
//!
//! - [`sigv4`] reads a request's signature (the `Authorization` header or a presigned query
//!   string) into a [`sigv4::Credential`] — its credential scope names the service, the region
//!   and, through the access key id, the key — and verifies it against a key of a
//!   shared-credentials file ([`sigv4::keys`]); the same canonical request signs vpclab's own
//!   requests ([`sigv4::Signer`]).
//! - [`query`] decodes form-encoded bodies into a [`query::QueryMap`] and provides the
//!   [`query::FromQuery`] trait the generated request shapes implement, for both the `ec2` dialect
//!   (`Filter.1.Value.1`) and the `query` dialect (`Names.member.1`). Every parameter a shape does
//!   not consume is reported, so unknown parameters get AWS's `UnknownParameter`.
//! - [`xml`] writes response documents; the generated response shapes implement [`xml::ToXml`].
//! - [`error`] holds [`ApiError`], the one error type that reaches the wire: an AWS error code,
//!   an HTTP status and a message, rendered in the service's error format.
//! - [`json`] reads awsJson request bodies and writes their answers ([`json::FromJson`],
//!   [`json::ToJson`]); errors render as `{"__type", "message"}`.
//! - [`rest`] is restXml (Route 53): routes by method and path, request bodies parsed into an
//!   [`rest::Element`] tree read by the generated [`rest::FromRest`] / [`rest::FromXml`] shapes,
//!   header members of outputs ([`rest::RestOutput`]).
//! - [`time`] formats and parses the ISO 8601 timestamps of the query protocols.

pub mod error;
pub mod json;
pub mod query;
pub mod rest;
pub mod sigv4;
pub mod time;
pub mod xml;

pub use error::{ApiError, ErrorFormat};
pub use query::{FromQuery, QueryMap};
pub use time::Timestamp;
pub use xml::{ToXml, XmlWriter};

/// A fresh request id in the UUID form AWS uses (`8f1c…-…`).
pub fn request_id() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_ids_look_like_uuids() {
        let id = super::request_id();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12]);
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    }
}
