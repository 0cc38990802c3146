//! The model's Route 53 resources as a [`Config`]: what the binary applies after every change.
//!
//! Hosted zones, their record sets, health checks and CIDR collections are copied field by
//! field (record values arrive already parsed, [`model::route53::RecordData`]). What Route 53
//! knows from its own network and vpclab must be told comes in [`Site`]: where the public
//! view listens, where clients are, and the address the load balancers are served on.
//!
//! - One public view answers every public zone. Where several public zones share a name (AWS
//!   would answer from whichever its registrar delegates to), the zone with the lowest id wins.
//! - VPC resolvers (the VPC's `.2`), on the public view's IP: a VPC with DNS support whose
//!   resolver has names of its own — an associated private zone, or a Route 53 Resolver rule —
//!   gets a view and a port of its own, answering its private zones, then the public zones, and
//!   forwarding the names under its rules; it keeps that port while it exists with DNS support.
//!   Every other VPC's resolver answers exactly the public zones, so they all share one view,
//!   [`SHARED_RESOLVER`]: thousands of default VPCs hold two sockets, not two each.
//!
//! [`translate`] is [`translate_zones`] (what is answered) plus [`views`] (where): the binary
//! re-runs each only when the kinds of rows it reads have changed ([`ZONE_KINDS`],
//! [`VIEW_KINDS`], `model::World::stamp`).
//! - Alias targets: another record set of the zone, or an Elastic Load Balancing v2 load
//!   balancer by its DNS name (`dualstack.` accepted), answered with the address its listeners
//!   are served on. Targets vpclab does not run (CloudFront, S3 websites, API Gateway…) are
//!   left out of the answers and reported as problems by [`Plane::apply`](crate::Plane::apply).

use crate::config::{
    Alias, AliasTarget, CheckKind, CidrCollection, ClientLocation, Config, Failover, ForwardRule,
    GeoLocation, GeoproximityLocation, HealthCheck, LocationRule, Policy, RData, RecordSet, Values,
    View, Zone,
};
use crate::wire::rtype;
use model::World;
use model::load_balancer::LoadBalancer;
use model::route53::{self as r53, RecordData, RoutingPolicy};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Route 53's TTL for alias records that point at a load balancer.
const BALANCER_ALIAS_TTL: u32 = 60;

/// What the model does not say: where things are served and where clients are.
#[derive(Debug, Clone)]
pub struct Site {
    /// The public view's address (`--dns-listen`); VPC views listen on its IP, port 0.
    pub listen: SocketAddr,
    /// Where clients are (`--dns-client-location`).
    pub locations: Vec<LocationRule>,
    /// Where unmatched clients are (`--dns-default-client-location`).
    pub default_location: ClientLocation,
    /// The address load balancer listeners are served on (alias answers).
    pub balancer_address: IpAddr,
}

/// The view every VPC resolver without names of its own answers on.
pub const SHARED_RESOLVER: &str = "shared-resolver";

/// The kinds of rows [`translate_zones`] reads (load balancers: alias targets).
pub const ZONE_KINDS: &[&str] = &[
    "r53_hosted_zone",
    "r53_record_set",
    "r53_health_check",
    "r53_cidr_collection",
    "load_balancer",
];

/// The kinds of rows [`views`] reads.
pub const VIEW_KINDS: &[&str] = &["vpc", "r53_hosted_zone", "r53r_rule", "r53r_rule_association"];

/// The configuration for `world`; `balancer_healthy` says whether a load balancer has a
/// healthy target (alias records with `EvaluateTargetHealth`); VPCs with a view in `kept` keep
/// it while they exist with DNS support.
pub fn translate(
    world: &World,
    site: &Site,
    balancer_healthy: &dyn Fn(&LoadBalancer) -> bool,
    kept: &[View],
) -> Config {
    Config { views: views(world, site, kept), ..translate_zones(world, site, balancer_healthy) }
}

/// Everything but the views: zones, health checks, CIDR collections, client locations.
pub fn translate_zones(
    world: &World,
    site: &Site,
    balancer_healthy: &dyn Fn(&LoadBalancer) -> bool,
) -> Config {
    let zones: Vec<Zone> = world
        .r53_hosted_zones
        .values()
        .map(|z| Zone {
            id: z.id.clone(),
            origin: z.name.clone(),
            private: z.private,
            record_sets: world
                .record_sets_of_zone(&z.id)
                .filter_map(|s| record_set(world, site, s, balancer_healthy))
                .collect(),
        })
        .collect();
    Config {
        zones: first_of_each_public_name(zones),
        health_checks: world.r53_health_checks.values().filter_map(health_check).collect(),
        cidr_collections: world.r53_cidr_collections.values().map(cidr_collection).collect(),
        views: Vec::new(),
        locations: site.locations.clone(),
        default_location: site.default_location.clone(),
    }
}

/// Where the zones are served: the public view, the shared VPC resolver, and a view for each
/// VPC with names of its own (or with a view in `kept`) and DNS support.
pub fn views(world: &World, site: &Site, kept: &[View]) -> Vec<View> {
    let resolver_on = SocketAddr::new(site.listen.ip(), 0);
    let mut views = vec![
        View {
            name: "public".into(),
            listen: site.listen,
            private_zones: Vec::new(),
            public_zones: true,
            resolver: false,
            forward: Vec::new(),
        },
        View {
            name: SHARED_RESOLVER.into(),
            listen: resolver_on,
            private_zones: Vec::new(),
            public_zones: true,
            resolver: true,
            forward: Vec::new(),
        },
    ];
    let names = PrivateNames::of(world);
    let kept = kept.iter().map(|v| v.name.as_str()).filter(|name| world.vpcs.contains(name));
    let own: BTreeSet<&str> = names.vpcs().chain(kept).collect();
    for vpc in own.into_iter().filter_map(|id| world.vpcs.get(id)) {
        if !vpc.enable_dns_support {
            continue;
        }
        views.push(View {
            name: vpc.id.clone(),
            listen: resolver_on,
            private_zones: names.zones_of(vpc),
            public_zones: true,
            resolver: true,
            forward: names.rules_of(world, &vpc.id),
        });
    }
    views
}

/// The VPCs whose resolver has names of its own (a private zone or a Resolver rule): each gets
/// a view and a port of its own, once it has DNS support.
pub fn vpcs_with_private_names(world: &World) -> BTreeSet<String> {
    PrivateNames::of(world).vpcs().map(str::to_owned).collect()
}

/// Private zone and Resolver rule associations by VPC, read once per translation.
struct PrivateNames<'w> {
    /// VPC id → (its region as the association names it, zone id).
    zones: BTreeMap<&'w str, Vec<(&'w str, &'w str)>>,
    /// VPC ids with a rule associated.
    ruled: BTreeSet<&'w str>,
}

impl<'w> PrivateNames<'w> {
    fn of(world: &'w World) -> Self {
        let mut zones: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for zone in world.r53_hosted_zones.values().filter(|z| z.private) {
            for a in &zone.vpcs {
                zones.entry(&a.vpc_id).or_default().push((&a.region, &zone.id));
            }
        }
        let ruled = world.r53r_rule_associations.values().map(|a| a.vpc_id.as_str()).collect();
        PrivateNames { zones, ruled }
    }

    fn vpcs(&self) -> impl Iterator<Item = &'w str> + '_ {
        self.zones.keys().copied().chain(self.ruled.iter().copied())
    }

    /// The private zones associated with `vpc` in its own region.
    fn zones_of(&self, vpc: &model::types::ec2::Vpc) -> Vec<String> {
        let associated = self.zones.get(vpc.id.as_str()).into_iter().flatten();
        let mut ids: Vec<String> = associated
            .filter(|(region, _)| *region == vpc.owner.region)
            .map(|(_, zone)| (*zone).to_owned())
            .collect();
        ids.sort();
        ids
    }

    fn rules_of(&self, world: &World, vpc_id: &str) -> Vec<ForwardRule> {
        if !self.ruled.contains(vpc_id) {
            return Vec::new();
        }
        world
            .resolver_rules_of_vpc(vpc_id)
            .into_iter()
            .map(|(domain, targets)| ForwardRule { domain: domain.to_owned(), targets })
            .collect()
    }
}

/// Drops public zones whose name an earlier (lower id) public zone already has.
fn first_of_each_public_name(zones: Vec<Zone>) -> Vec<Zone> {
    let mut seen = std::collections::HashSet::new();
    zones.into_iter().filter(|z| z.private || seen.insert(z.origin.clone())).collect()
}

fn record_set(
    world: &World,
    site: &Site,
    set: &r53::RecordSet,
    balancer_healthy: &dyn Fn(&LoadBalancer) -> bool,
) -> Option<RecordSet> {
    let rtype = type_code(&set.rtype)?;
    let (ttl, values) = match &set.alias {
        Some(alias) => {
            let (ttl, target) = alias_target(world, site, set, alias, balancer_healthy)?;
            (
                ttl,
                Values::Alias(Alias {
                    target,
                    evaluate_target_health: alias.evaluate_target_health,
                }),
            )
        }
        None => {
            (set.ttl.unwrap_or(0), Values::Records(set.data().into_iter().map(rdata).collect()))
        }
    };
    Some(RecordSet {
        name: set.name.clone(),
        rtype,
        ttl,
        values,
        set_identifier: set.set_identifier.clone(),
        policy: policy(&set.policy),
        health_check_id: set.health_check_id.clone(),
    })
}

/// An alias's target and the TTL answers carry; `None` for targets vpclab does not run.
fn alias_target(
    world: &World,
    site: &Site,
    set: &r53::RecordSet,
    alias: &r53::AliasTarget,
    balancer_healthy: &dyn Fn(&LoadBalancer) -> bool,
) -> Option<(u32, AliasTarget)> {
    let name = alias.dns_name.to_ascii_lowercase();
    if r53::bare_id(&alias.hosted_zone_id) == set.zone_id {
        // The target's own TTL applies; the engine reads it from the target set.
        return Some((0, AliasTarget::Record { name }));
    }
    let bare = name.trim_end_matches('.');
    let bare = bare.strip_prefix("dualstack.").unwrap_or(bare);
    let balancer = world.load_balancers.values().find(|b| b.dns_name.eq_ignore_ascii_case(bare))?;
    Some((
        BALANCER_ALIAS_TTL,
        AliasTarget::Addresses {
            addresses: vec![site.balancer_address],
            ttl: BALANCER_ALIAS_TTL,
            healthy: balancer_healthy(balancer),
        },
    ))
}

fn type_code(name: &str) -> Option<u16> {
    Some(match name {
        "A" => rtype::A,
        "AAAA" => rtype::AAAA,
        "CAA" => rtype::CAA,
        "CNAME" => rtype::CNAME,
        "DS" => rtype::DS,
        "MX" => rtype::MX,
        "NAPTR" => rtype::NAPTR,
        "NS" => rtype::NS,
        "PTR" => rtype::PTR,
        "SOA" => rtype::SOA,
        "SPF" => rtype::SPF,
        "SRV" => rtype::SRV,
        "TXT" => rtype::TXT,
        _ => return None,
    })
}

fn rdata(d: RecordData) -> RData {
    match d {
        RecordData::A(a) => RData::A(a),
        RecordData::Aaaa(a) => RData::Aaaa(a),
        RecordData::Caa { flags, tag, value } => RData::Caa { flags, tag, value },
        RecordData::Cname(n) => RData::Cname(n),
        RecordData::Ds { key_tag, algorithm, digest_type, digest } => {
            RData::Ds { key_tag, algorithm, digest_type, digest }
        }
        RecordData::Mx { preference, exchange } => RData::Mx { preference, exchange },
        RecordData::Naptr { order, preference, flags, services, regexp, replacement } => {
            RData::Naptr { order, preference, flags, services, regexp, replacement }
        }
        RecordData::Ns(n) => RData::Ns(n),
        RecordData::Ptr(n) => RData::Ptr(n),
        RecordData::Soa { mname, rname, serial, refresh, retry, expire, minimum } => {
            RData::Soa { mname, rname, serial, refresh, retry, expire, minimum }
        }
        RecordData::Spf(s) => RData::Spf(s),
        RecordData::Srv { priority, weight, port, target } => {
            RData::Srv { priority, weight, port, target }
        }
        RecordData::Txt(s) => RData::Txt(s),
    }
}

fn policy(p: &RoutingPolicy) -> Policy {
    match p {
        RoutingPolicy::Simple => Policy::Simple,
        RoutingPolicy::Weighted { weight } => Policy::Weighted { weight: u32::from(*weight) },
        RoutingPolicy::Latency { region } => Policy::Latency { region: region.clone() },
        RoutingPolicy::Geolocation(g) => Policy::Geolocation(GeoLocation {
            continent: g.continent_code.clone(),
            country: g.country_code.clone(),
            subdivision: g.subdivision_code.clone(),
        }),
        RoutingPolicy::Geoproximity(g) => Policy::Geoproximity {
            location: match (&g.aws_region, &g.local_zone_group, &g.coordinates) {
                (Some(region), ..) => GeoproximityLocation::Region(region.clone()),
                (None, Some(group), _) => GeoproximityLocation::LocalZoneGroup(group.clone()),
                (None, None, Some((lat, lon))) => GeoproximityLocation::Coordinates {
                    latitude: lat.parse().unwrap_or(0.0),
                    longitude: lon.parse().unwrap_or(0.0),
                },
                (None, None, None) => GeoproximityLocation::Region(String::new()),
            },
            bias: g.bias.unwrap_or(0),
        },
        RoutingPolicy::Failover { primary } => {
            Policy::Failover(if *primary { Failover::Primary } else { Failover::Secondary })
        }
        RoutingPolicy::MultiValue => Policy::Multivalue,
        RoutingPolicy::Cidr { collection_id, location_name } => Policy::Cidr {
            collection_id: collection_id.clone(),
            location_name: location_name.clone(),
        },
    }
}

/// A health check the plane can probe; CloudWatch-alarm and recovery-control checks have
/// nothing to probe here and are left out (records naming them count as healthy).
fn health_check(h: &r53::HealthCheck) -> Option<HealthCheck> {
    let c = &h.config;
    Some(HealthCheck {
        id: h.id.clone(),
        kind: CheckKind::parse(&c.check_type)?,
        ip: c.ip_address.as_deref().and_then(|a| a.parse().ok()),
        fqdn: c.fqdn.clone(),
        port: c.port,
        resource_path: c.resource_path.clone(),
        search_string: c.search_string.clone(),
        interval: Duration::from_secs(u64::from(c.request_interval.unwrap_or(30))),
        failure_threshold: c.failure_threshold.unwrap_or(3),
        inverted: c.inverted,
        disabled: c.disabled,
        enable_sni: c.enable_sni.unwrap_or(true),
        children: c.child_health_checks.clone(),
        health_threshold: c.health_threshold.unwrap_or(1),
    })
}

fn cidr_collection(c: &r53::CidrCollection) -> CidrCollection {
    CidrCollection {
        id: c.id.clone(),
        locations: c
            .locations
            .iter()
            .map(|(name, blocks)| (name.clone(), blocks.iter().filter_map(|b| cidr(b)).collect()))
            .collect(),
    }
}

/// `10.0.0.0/8` → (address, prefix length).
pub fn cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = text.split_once('/')?;
    Some((addr.parse().ok()?, len.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::Scope;
    use model::route53::{ChangeAction, NewHostedZone, RecordChange, RecordSetInput, ZoneVpc};
    use model::vpc::NewVpc;

    const ACCOUNT: &str = "123456789012";

    fn site() -> Site {
        Site {
            listen: "127.0.0.1:8053".parse().unwrap(),
            locations: Vec::new(),
            default_location: ClientLocation::default(),
            balancer_address: "127.0.0.1".parse().unwrap(),
        }
    }

    fn zone(w: &mut World, name: &str, vpc: Option<&str>) -> String {
        let new = NewHostedZone {
            name: name.into(),
            caller_reference: format!("ref-{name}-{vpc:?}"),
            private: vpc.is_some(),
            vpc: vpc.map(|v| ZoneVpc { region: "us-east-1".into(), vpc_id: v.into() }),
            ..Default::default()
        };
        w.create_hosted_zone(ACCOUNT, new, 0).unwrap().0.id
    }

    fn create(w: &mut World, zone: &str, record: RecordSetInput) {
        let change = RecordChange { action: ChangeAction::Create, record };
        w.change_resource_record_sets(ACCOUNT, zone, vec![change], None, 0).unwrap();
    }

    fn a(name: &str, value: &str) -> RecordSetInput {
        RecordSetInput {
            name: name.into(),
            rtype: "A".into(),
            ttl: Some(300),
            records: vec![value.into()],
            ..Default::default()
        }
    }

    #[test]
    fn zones_records_and_vpc_views_are_translated() {
        let mut w = World::default();
        let scope = Scope::new(ACCOUNT, "us-east-1");
        w.ensure_scope(&scope).unwrap();
        let vpc = w
            .create_vpc(&scope, NewVpc { cidr: Some("10.0.0.0/16".into()), ..Default::default() })
            .unwrap();
        let public = zone(&mut w, "example.com", None);
        let private = zone(&mut w, "corp.internal", Some(&vpc));
        create(&mut w, &public, a("www.example.com", "192.0.2.10"));
        let weighted = RecordSetInput {
            set_identifier: Some("blue".into()),
            weight: Some(3),
            ..a("api.example.com", "192.0.2.20")
        };
        create(&mut w, &public, weighted);
        let alias = RecordSetInput {
            ttl: None,
            records: vec![],
            alias: Some(model::route53::AliasTarget {
                hosted_zone_id: public.clone(),
                dns_name: "www.example.com.".into(),
                evaluate_target_health: false,
            }),
            ..a("example.com", "")
        };
        create(&mut w, &public, alias);

        let config = translate(&w, &site(), &|_| true, &[]);
        let zone = config.zones.iter().find(|z| z.id == public).unwrap();
        assert_eq!(zone.origin, "example.com.");
        let www = zone.record_sets.iter().find(|s| s.name == "www.example.com.").unwrap();
        assert_eq!((www.rtype, www.ttl), (rtype::A, 300));
        assert_eq!(www.values, Values::Records(vec![RData::A("192.0.2.10".parse().unwrap())]));
        let api = zone.record_sets.iter().find(|s| s.name == "api.example.com.").unwrap();
        assert_eq!(api.policy, Policy::Weighted { weight: 3 });
        let apex =
            zone.record_sets.iter().find(|s| s.name == "example.com." && s.rtype == rtype::A);
        assert!(matches!(
            &apex.unwrap().values,
            Values::Alias(Alias { target: AliasTarget::Record { name }, .. }) if name == "www.example.com."
        ));
        // The apex SOA and NS come with the zone, for negative answers and referrals.
        assert!(zone.record_sets.iter().any(|s| s.rtype == rtype::SOA));
        assert!(zone.record_sets.iter().any(|s| s.rtype == rtype::NS));

        // The public view serves public zones only; the VPC's resolver gets its private zone.
        let public_view = config.views.iter().find(|v| v.name == "public").unwrap();
        assert!(public_view.private_zones.is_empty() && !public_view.resolver);
        let vpc_view = config.views.iter().find(|v| v.name == vpc).unwrap();
        assert_eq!(vpc_view.private_zones, vec![private]);
        assert!(vpc_view.resolver && vpc_view.listen.port() == 0);
        // The default VPC's resolver has no names of its own: it answers on the shared view.
        let names: Vec<&str> = config.views.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["public", SHARED_RESOLVER, vpc.as_str()]);
        let shared = config.views.iter().find(|v| v.name == SHARED_RESOLVER).unwrap();
        assert!(shared.resolver && shared.public_zones && shared.private_zones.is_empty());
    }

    #[test]
    fn only_vpcs_with_names_of_their_own_get_a_view_and_keep_it() {
        let mut w = World::default();
        let scope = Scope::new(ACCOUNT, "us-east-1");
        w.ensure_scope(&scope).unwrap();
        let mut vpcs = Vec::new();
        for n in 0..3 {
            let cidr = Some(format!("10.{n}.0.0/16"));
            vpcs.push(w.create_vpc(&scope, NewVpc { cidr, ..Default::default() }).unwrap());
        }
        let names = |views: &[View]| views.iter().map(|v| v.name.clone()).collect::<Vec<_>>();
        let plain = views(&w, &site(), &[]);
        assert_eq!(names(&plain), ["public", SHARED_RESOLVER], "four VPCs, one shared view");

        let private = zone(&mut w, "corp.internal", Some(&vpcs[1]));
        let with_zone = views(&w, &site(), &plain);
        assert_eq!(names(&with_zone), ["public", SHARED_RESOLVER, vpcs[1].as_str()]);
        assert_eq!(vpcs_with_private_names(&w).into_iter().collect::<Vec<_>>(), [vpcs[1].clone()]);

        // Its last private zone gone, the VPC keeps its port; deleted, it loses it.
        w.delete_hosted_zone(ACCOUNT, &private, 0).unwrap();
        let kept = views(&w, &site(), &with_zone);
        assert_eq!(names(&kept), names(&with_zone));
        assert!(kept.iter().all(|v| v.private_zones.is_empty()));
        assert!(vpcs_with_private_names(&w).is_empty());
        w.delete_vpc(&scope, &vpcs[1]).unwrap();
        assert_eq!(names(&views(&w, &site(), &kept)), ["public", SHARED_RESOLVER]);
    }
}
