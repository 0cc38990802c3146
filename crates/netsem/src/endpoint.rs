//! The two ends of a question: where a packet starts and where it is going.

use std::fmt;
use std::net::IpAddr;

/// A source or destination as a user names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// A resource by id: an instance (`i-`), a network interface (`eni-`), an internet gateway
    /// (`igw-`, meaning "the internet, through this gateway"), and later kinds as they join.
    Resource(String),
    /// An address: inside a VPC it is resolved to the interface that holds it; outside, it is a
    /// host somewhere beyond a gateway.
    Address(IpAddr),
    /// Any host on the internet.
    Internet,
}

impl Endpoint {
    /// Reads an endpoint as users write it: `internet`, an IP address, or a resource id.
    pub fn parse(text: &str) -> Option<Endpoint> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("internet") {
            return Some(Endpoint::Internet);
        }
        if let Ok(address) = text.parse::<IpAddr>() {
            return Some(Endpoint::Address(address));
        }
        // Resources without an EC2 id are named by ARN (load balancers).
        if text.starts_with("arn:") && text.len() <= 2048 && !text.contains(char::is_whitespace) {
            return Some(Endpoint::Resource(text.to_owned()));
        }
        // Prefixes may have several words: `tgw-attach-0abc…`, `vpce-svc-0abc…`.
        let (prefix, rest) = text.rsplit_once('-')?;
        let well_formed = !prefix.is_empty()
            && prefix
                .split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
            && !rest.is_empty()
            && !rest.ends_with('-')
            && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        well_formed.then(|| Endpoint::Resource(text.to_owned()))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Resource(id) => f.write_str(id),
            Endpoint::Address(a) => write!(f, "{a}"),
            Endpoint::Internet => f.write_str("internet"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_name_ends_by_id_address_or_internet() {
        assert_eq!(Endpoint::parse("Internet"), Some(Endpoint::Internet));
        assert_eq!(
            Endpoint::parse("10.0.1.5"),
            Some(Endpoint::Address("10.0.1.5".parse().unwrap()))
        );
        assert_eq!(Endpoint::parse("i-0abc12"), Some(Endpoint::Resource("i-0abc12".into())));
        assert_eq!(Endpoint::parse("nonsense"), None);
        assert_eq!(Endpoint::parse("i-"), None);
        assert_eq!(
            Endpoint::parse("cvpn-endpoint-0abc12"),
            Some(Endpoint::Resource("cvpn-endpoint-0abc12".into()))
        );
    }
}
