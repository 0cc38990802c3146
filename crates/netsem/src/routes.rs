//! Route lookup: the most specific route wins.
//!
//! Among routes equally specific, AWS prefers the local route, then static routes to a CIDR,
//! then routes to a prefix list, then routes propagated from a virtual private gateway.

use crate::header::{Family, Span, v4_span, v6_span};
use crate::prefix_lists::PrefixLists;
use model::cidr::Cidr;
use model::types::ec2::{Route, RouteDestination, RouteOrigin, RouteTable, RouteTarget};
use std::net::IpAddr;

/// The route a destination takes, with how specific its match was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteMatch<'a> {
    pub route: &'a Route,
    /// Prefix length of the matching block (for a prefix list: of its matching entry).
    pub prefix_len: u8,
}

/// Rank of a route among equally specific ones: lower wins.
fn preference(route: &Route) -> u8 {
    match (&route.target, &route.destination, &route.origin) {
        (RouteTarget::Local, _, _) => 0,
        (_, _, RouteOrigin::EnableVgwRoutePropagation) => 3,
        (_, RouteDestination::PrefixList(_), _) => 2,
        _ => 1,
    }
}

/// The prefix length with which a block matches `destination`, if it does.
fn block_matches(block: &Cidr, destination: IpAddr) -> Option<u8> {
    match (block, destination) {
        (Cidr::V4(c), IpAddr::V4(a)) => c.contains_addr(a).then(|| c.prefix_len()),
        (Cidr::V6(c), IpAddr::V6(a)) => c.contains_addr(a).then(|| c.prefix_len()),
        _ => None,
    }
}

/// The prefix length with which a route of `table` matches `destination`, if it does; a
/// route to a prefix list matches with its most specific matching entry.
fn matches(
    table: &RouteTable,
    route: &Route,
    destination: IpAddr,
    lists: &PrefixLists,
) -> Option<u8> {
    match &route.destination {
        RouteDestination::V4(c) => block_matches(&Cidr::V4(*c), destination),
        RouteDestination::V6(c) => block_matches(&Cidr::V6(*c), destination),
        RouteDestination::PrefixList(id) => lists
            .blocks(&table.owner, id)
            .iter()
            .filter_map(|c| block_matches(c, destination))
            .max(),
    }
}

/// The route `destination` takes in `table`, or `None` when no route covers it.
pub fn lookup<'t>(
    table: &'t RouteTable,
    destination: IpAddr,
    lists: &PrefixLists,
) -> Option<RouteMatch<'t>> {
    table
        .routes
        .iter()
        .filter_map(|route| {
            matches(table, route, destination, lists)
                .map(|prefix_len| RouteMatch { route, prefix_len })
        })
        .max_by(|a, b| {
            a.prefix_len
                .cmp(&b.prefix_len)
                .then_with(|| preference(b.route).cmp(&preference(a.route)))
        })
}

/// The route the lowest address of `span` takes in `table` (`None`: no route covers it), and the
/// part of `span` from that address on that takes the same choice — the most that one decision
/// covers. The choice changes only where some route's block starts or ends, so the part runs to
/// the nearest such edge.
pub fn lookup_span<'t>(
    table: &'t RouteTable,
    family: Family,
    span: Span,
    lists: &PrefixLists,
) -> (Option<RouteMatch<'t>>, Span) {
    let found = lookup(table, family.address(span.lo), lists);
    let mut last = span.hi;
    let mut edge = |block: Span| {
        if block.lo > span.lo {
            last = last.min(block.lo - 1);
        }
        if block.hi >= span.lo && block.hi < last {
            last = block.hi;
        }
    };
    for route in &table.routes {
        match &route.destination {
            RouteDestination::V4(c) if family == Family::V4 => edge(v4_span(*c)),
            RouteDestination::V6(c) if family == Family::V6 => edge(v6_span(*c)),
            RouteDestination::PrefixList(id) => {
                for block in lists.blocks(&table.owner, id) {
                    match (block, family) {
                        (Cidr::V4(c), Family::V4) => edge(v4_span(*c)),
                        (Cidr::V6(c), Family::V6) => edge(v6_span(*c)),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (found, Span::new(span.lo, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Scope;
    use model::cidr::Ipv4Cidr;

    fn route(dest: &str, target: RouteTarget) -> Route {
        Route {
            destination: RouteDestination::V4(Ipv4Cidr::parse(dest, true).unwrap()),
            target,
            origin: RouteOrigin::CreateRoute,
        }
    }

    fn table(routes: Vec<Route>) -> RouteTable {
        RouteTable {
            id: "rtb-1".into(),
            owner: Scope::new("123456789012", "us-east-1"),
            vpc_id: "vpc-1".into(),
            routes,
            associations: vec![],
            propagating_vgws: vec![],
            tags: Default::default(),
        }
    }

    #[test]
    fn longest_prefix_wins_and_local_wins_ties() {
        let t = table(vec![
            route("10.0.0.0/16", RouteTarget::Local),
            route("0.0.0.0/0", RouteTarget::Gateway("igw-1".into())),
            route("10.0.5.0/24", RouteTarget::NetworkInterface("eni-fw".into())),
            route("192.168.0.0/16", RouteTarget::VpcPeeringConnection("pcx-1".into())),
        ]);
        let hop = |a: &str| {
            lookup(&t, a.parse().unwrap(), &PrefixLists::default()).map(|m| m.route.target.clone())
        };
        assert_eq!(hop("10.0.1.9"), Some(RouteTarget::Local));
        assert_eq!(hop("10.0.5.9"), Some(RouteTarget::NetworkInterface("eni-fw".into())));
        assert_eq!(hop("192.168.3.3"), Some(RouteTarget::VpcPeeringConnection("pcx-1".into())));
        assert_eq!(hop("8.8.8.8"), Some(RouteTarget::Gateway("igw-1".into())));
        assert_eq!(hop("::1"), None);

        let tie = table(vec![
            route("10.0.0.0/16", RouteTarget::Gateway("igw-1".into())),
            route("10.0.0.0/16", RouteTarget::Local),
        ]);
        assert_eq!(
            lookup(&tie, "10.0.0.1".parse().unwrap(), &PrefixLists::default())
                .unwrap()
                .route
                .target,
            RouteTarget::Local
        );
    }

    #[test]
    fn no_default_route_means_no_route() {
        let t = table(vec![route("10.0.0.0/16", RouteTarget::Local)]);
        assert!(lookup(&t, "1.1.1.1".parse().unwrap(), &PrefixLists::default()).is_none());
    }

    #[test]
    fn prefix_list_routes_match_their_entries() {
        let s3 = model::prefix_list::aws_managed("us-east-1")
            .into_iter()
            .find(|p| p.name.ends_with(".s3"))
            .unwrap();
        let inside = s3.cidrs.first().unwrap().nth(1).unwrap();
        let t = table(vec![Route {
            destination: RouteDestination::PrefixList(s3.id.clone()),
            target: RouteTarget::Gateway("vpce-1".into()),
            origin: RouteOrigin::CreateRoute,
        }]);
        let mut lists = PrefixLists::default();
        assert!(
            lookup(&t, IpAddr::V4(inside), &lists).is_none(),
            "an unresolved list matches nothing"
        );
        lists.insert(&t.owner, &s3.id, s3.cidrs.iter().map(|c| Cidr::V4(*c)).collect());
        assert!(lookup(&t, IpAddr::V4(inside), &lists).is_some());
        assert!(lookup(&t, "10.9.9.9".parse().unwrap(), &lists).is_none());
    }

    #[test]
    fn a_span_is_routed_in_parts_each_one_decision() {
        let route = |cidr: &str, target: RouteTarget| Route {
            destination: RouteDestination::V4(model::cidr::Ipv4Cidr::parse(cidr, true).unwrap()),
            target,
            origin: RouteOrigin::CreateRoute,
        };
        let t = table(vec![
            route("10.0.0.0/16", RouteTarget::Local),
            route("0.0.0.0/0", RouteTarget::Gateway("igw-1".into())),
        ]);
        let lists = PrefixLists::default();
        let all = Family::V4.all();
        let (m, part) = lookup_span(&t, Family::V4, all, &lists);
        assert_eq!(m.unwrap().route.target, RouteTarget::Gateway("igw-1".into()));
        assert_eq!(part, Span::new(0, 0x0A00_0000 - 1));
        let rest = Span::new(0x0A00_0000, all.hi);
        let (m, part) = lookup_span(&t, Family::V4, rest, &lists);
        assert_eq!(m.unwrap().route.target, RouteTarget::Local);
        assert_eq!(part, Span::new(0x0A00_0000, 0x0A00_FFFF));
        let empty = table(vec![route("10.0.0.0/16", RouteTarget::Local)]);
        let (m, part) = lookup_span(&empty, Family::V4, Span::new(0, 0x0A00_00FF), &lists);
        assert!(m.is_none());
        assert_eq!(part, Span::new(0, 0x09FF_FFFF));
    }
}
