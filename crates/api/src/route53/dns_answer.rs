//! TestDNSAnswer: the request is checked here as AWS checks it (the zone exists and is
//! public, the addresses and the mask are valid), and the question is put to a
//! [`DnsAnswerer`] the binary wires in — the DNS engine itself, so the answer is what a
//! resolver asking over UDP would get. The api crate answers no DNS itself. The zone is read
//! under the read lock; the engine is asked once the lock is released.

use super::Handler;
use crate::Outcome;
use crate::registry::{Ctx, read_then};
use codes::Route53;
use model::World;
use shapes::route53 as s;
use std::net::{IpAddr, Ipv4Addr};
use wire::ApiError;
use wire::rest::invalid_input;

/// The resolver a question comes from when the request names none. AWS uses one of its
/// resolvers in us-east-1; vpclab's stand-in is this machine, which the DNS engine places in
/// its default location (us-east-1).
pub const DEFAULT_RESOLVER: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// One question, as TestDNSAnswer simulates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuestion {
    /// The hosted zone's id (bare, `Z…`).
    pub zone_id: String,
    /// The zone's name, lower case with the trailing dot (`example.com.`).
    pub zone_origin: String,
    /// The name asked, as the request gave it.
    pub name: String,
    /// The type asked (`A`, `MX`…).
    pub rtype: String,
    /// Where the query comes from: `ResolverIP`, else [`DEFAULT_RESOLVER`].
    pub resolver: IpAddr,
    /// The EDNS0 client subnet to send (`EDNS0ClientSubnetIP`/`EDNS0ClientSubnetMask`).
    pub client_subnet: Option<(IpAddr, u8)>,
}

/// What the name server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsAnswer {
    /// `NOERROR`, `NXDOMAIN`, `REFUSED`…
    pub response_code: String,
    /// The answer section's values in Route 53's presentation form.
    pub record_data: Vec<String>,
    /// `UDP`, or `TCP` when the UDP answer was truncated.
    pub protocol: String,
}

/// The DNS engine's answers. Without one wired, TestDNSAnswer answers 501.
pub trait DnsAnswerer: Send + Sync {
    /// Answers `question` from the public view.
    fn answer(&self, question: &DnsQuestion) -> DnsAnswer;
}

impl std::fmt::Debug for dyn DnsAnswerer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DnsAnswerer")
    }
}

fn address(value: &str, parameter: &str) -> Result<IpAddr, ApiError> {
    value.parse().map_err(|_| invalid_input(format!("Invalid IP address {value} for {parameter}")))
}

/// `EDNS0ClientSubnetIP` with its mask (default 24 bits for IPv4, 64 for IPv6).
fn client_subnet(ip: Option<&str>, mask: Option<&str>) -> Result<Option<(IpAddr, u8)>, ApiError> {
    let Some(ip) = ip else { return Ok(None) };
    let ip = address(ip, "edns0clientsubnetip")?;
    let (default, max) = if ip.is_ipv4() { (24, 32) } else { (64, 128) };
    let bits = match mask {
        None => default,
        Some(m) => m.parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(|| {
            invalid_input(format!(
                "Invalid value {m} for edns0clientsubnetmask: specify a value between 0 and {max}"
            ))
        })?,
    };
    Ok(Some((ip, bits)))
}

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![("TestDNSAnswer", read_then(zone_asked, test_dns_answer))]
}

/// The zone asked about, which must be public: its origin and its first name server.
fn zone_asked(
    ctx: &Ctx,
    w: &World,
    r: &s::TestDNSAnswerRequest,
) -> Outcome<(String, Option<String>)> {
    let zone_id = model::route53::bare_id(&r.hosted_zone_id);
    let z = w.get_hosted_zone(&ctx.scope.account, zone_id)?;
    if z.private {
        // AWS documents that only public hosted zones can be queried; the error is the one
        // TestDNSAnswer models for a bad request.
        return Err(invalid_input(format!(
            "TestDNSAnswer supports only public hosted zones; {zone_id} is private"
        ))
        .into());
    }
    Ok((z.name.clone(), z.name_servers.first().cloned()))
}

fn test_dns_answer(
    ctx: &Ctx,
    r: s::TestDNSAnswerRequest,
    (zone_origin, name_server): (String, Option<String>),
) -> Outcome<s::TestDNSAnswerResponse> {
    let zone_id = model::route53::bare_id(&r.hosted_zone_id).to_owned();
    model::route53::names::normalize(&r.record_name)
        .map_err(|_| invalid_input(format!("Invalid domain name {}", r.record_name)))?;
    let resolver = r.resolver_ip.as_deref().map(|ip| address(ip, "resolverip")).transpose()?;
    let question = DnsQuestion {
        zone_id,
        zone_origin,
        name: r.record_name.clone(),
        rtype: r.record_type.clone(),
        resolver: resolver.unwrap_or(DEFAULT_RESOLVER),
        client_subnet: client_subnet(
            r.edns0_client_subnet_ip.as_deref(),
            r.edns0_client_subnet_mask.as_deref(),
        )?,
    };
    let Some(answerer) = ctx.api.dns_answerer() else {
        return Err(ApiError::new(
            Route53::NotImplemented,
            501,
            "TestDNSAnswer needs the DNS server, which this vpclab is not running.",
        )
        .into());
    };
    let answer = answerer.answer(&question);
    Ok(s::TestDNSAnswerResponse {
        // The name server that answered, as AWS names it: the zone's first name server
        // (without the trailing dot). vpclab's DNS server answers for every name server of
        // every public zone, so the name is true of the server that answered.
        nameserver: name_server.map(|n| n.trim_end_matches('.').to_owned()).unwrap_or_default(),
        record_name: r.record_name,
        record_type: r.record_type,
        record_data: answer.record_data,
        response_code: answer.response_code,
        protocol: answer.protocol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_subnets_default_their_mask_and_refuse_bad_ones() {
        let v4 = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 44));
        assert_eq!(client_subnet(None, Some("24")).unwrap(), None);
        assert_eq!(client_subnet(Some("192.0.2.44"), None).unwrap(), Some((v4, 24)));
        assert_eq!(client_subnet(Some("192.0.2.44"), Some("0")).unwrap(), Some((v4, 0)));
        let v6 = client_subnet(Some("2001:db8::1"), None).unwrap().unwrap();
        assert_eq!(v6.1, 64);
        assert!(client_subnet(Some("2001:db8::1"), Some("128")).is_ok());
        for (ip, mask) in [("192.0.2.44", "33"), ("2001:db8::1", "129"), ("192.0.2.44", "x")] {
            assert_eq!(client_subnet(Some(ip), Some(mask)).unwrap_err().code, "InvalidInput");
        }
        assert_eq!(client_subnet(Some("192.0.2.300"), None).unwrap_err().code, "InvalidInput");
    }
}
