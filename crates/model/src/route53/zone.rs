//! Hosted zones: public and private, their name servers, VPC associations and the
//! authorizations that let another account associate its VPC.

use super::record::{RecordSet, RoutingPolicy};
use super::{Change, Page, bare_id, invalid_input, names, page_after};
use crate::error::{Error, Result};
use crate::references::{Reference, References};
use crate::types::ec2::Tags;
pub use crate::types::route53::zone::{HostedZone, ZoneVpc};
use crate::world::World;
use codes::Route53;

/// CreateHostedZone's inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewHostedZone {
    pub name: String,
    pub caller_reference: String,
    pub comment: Option<String>,
    /// `HostedZoneConfig.PrivateZone`; a VPC makes the zone private too.
    pub private: bool,
    pub vpc: Option<ZoneVpc>,
    pub delegation_set_id: Option<String>,
}

/// A page of ListHostedZonesByName.
#[derive(Debug, Clone, PartialEq)]
pub struct ZonesByNamePage<'a> {
    pub items: Vec<&'a HostedZone>,
    /// `NextDNSName` and `NextHostedZoneId` when truncated.
    pub next: Option<(String, String)>,
}

/// The most hosted zones an account may own (`MAX_HOSTED_ZONES_BY_OWNER`).
pub const MAX_HOSTED_ZONES: usize = 500;
/// The most VPCs one private zone may be associated with (`MAX_VPCS_ASSOCIATED_BY_ZONE`).
pub const MAX_VPCS_PER_ZONE: usize = 300;
/// TTLs of the record sets a new zone starts with.
pub const NS_TTL: u32 = 172_800;
pub const SOA_TTL: u32 = 900;

/// The name servers every private zone reports.
const PRIVATE_NAME_SERVERS: [&str; 4] = [
    "ns-1536.awsdns-00.co.uk.",
    "ns-0.awsdns-00.com.",
    "ns-1024.awsdns-00.org.",
    "ns-512.awsdns-00.net.",
];

/// Four fresh name servers, one per top-level domain, as AWS assigns them: `.com` numbers
/// 0–511, `.net` 512–1023, `.org` 1024–1535, `.co.uk` 1536–2047.
pub(crate) fn new_name_servers() -> Vec<String> {
    ["com", "net", "org", "co.uk"]
        .iter()
        .enumerate()
        .map(|(i, tld)| {
            let n = fastrand::u32(0..512) + 512 * i as u32;
            format!("ns-{n}.awsdns-{:02}.{tld}.", fastrand::u8(0..64))
        })
        .collect()
}

/// The SOA value of a zone whose first name server is `primary`.
fn soa_value(primary: &str) -> String {
    format!("{primary} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400")
}

impl HostedZone {
    /// Whether a record set of this name and type is one the zone was created with.
    pub fn is_apex_default(&self, name: &str, rtype: &str) -> bool {
        name == self.name && (rtype == "SOA" || rtype == "NS")
    }
}

impl World {
    /// A hosted zone by id (bare or `/hostedzone/Z…`) that `account` owns.
    pub(crate) fn r53_zone(&self, account: &str, id: &str) -> Result<&HostedZone> {
        let id = bare_id(id);
        self.r53_hosted_zones
            .get(id)
            .filter(|z| z.account == account)
            .ok_or_else(|| no_such_zone(id))
    }

    /// Records a change (INSYNC at once) and returns it.
    pub(crate) fn r53_record_change(
        &mut self,
        account: &str,
        comment: Option<String>,
        now: i64,
    ) -> Change {
        let id = self.r53_fresh_id('C');
        let change = Change {
            id: id.clone(),
            account: account.to_owned(),
            status: "INSYNC".into(),
            submitted_at: now,
            comment,
        };
        self.r53_changes.insert(id, change.clone());
        change
    }

    /// A fresh `Z…`/`C…`/`N…` id: the letter and 20 upper-case letters and digits.
    pub(crate) fn r53_fresh_id(&self, prefix: char) -> String {
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        loop {
            let mut id = String::from(prefix);
            for _ in 0..20 {
                let i = fastrand::usize(..ALNUM.len());
                id.push(char::from(ALNUM.get(i).copied().unwrap_or(b'0')));
            }
            if !self.r53_hosted_zones.contains(&id)
                && !self.r53_changes.contains(&id)
                && !self.r53_delegation_sets.contains(&id)
            {
                return id;
            }
        }
    }

    /// The VPC named by a zone association, which must exist in its region.
    fn r53_vpc(&self, vpc: &ZoneVpc) -> Result<&crate::types::ec2::Vpc> {
        self.vpcs
            .get(&vpc.vpc_id)
            .filter(|v| v.owner.region == vpc.region)
            .ok_or_else(|| invalid_vpc(vpc))
    }

    /// As [`World::r53_vpc`], a VPC of `account`'s own: another account's is as missing.
    fn r53_own_vpc(&self, account: &str, vpc: &ZoneVpc) -> Result<&crate::types::ec2::Vpc> {
        self.r53_vpc(vpc)?;
        self.vpcs
            .get(&vpc.vpc_id)
            .filter(|v| v.owner.account == account)
            .ok_or_else(|| invalid_vpc(vpc))
    }

    /// CreateHostedZone: the zone with its SOA and NS record sets, and the change.
    pub fn create_hosted_zone(
        &mut self,
        account: &str,
        req: NewHostedZone,
        now: i64,
    ) -> Result<(HostedZone, Change)> {
        let name = names::normalize(&req.name).ok().filter(|n| n != ".").ok_or_else(|| {
            Error::new(
                Route53::InvalidDomainName,
                format!("The domain name is invalid: {}", req.name),
            )
        })?;
        if req.caller_reference.is_empty() || req.caller_reference.len() > 128 {
            return Err(invalid_input(
                "1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 128",
            ));
        }
        if let Some(c) = &req.comment {
            check_comment(c)?;
        }
        if self
            .r53_hosted_zones
            .values()
            .any(|z| z.account == account && z.caller_reference == req.caller_reference)
        {
            return Err(Error::new(
                Route53::HostedZoneAlreadyExists,
                format!(
                    "A hosted zone has already been created with the specified caller reference: {}",
                    req.caller_reference
                ),
            ));
        }
        let private = req.private || req.vpc.is_some();
        if private && req.delegation_set_id.is_some() {
            return Err(invalid_input(
                "A private hosted zone cannot be associated with a reusable delegation set",
            ));
        }
        let vpcs = match (&req.vpc, private) {
            (Some(vpc), _) => {
                self.r53_own_vpc(account, vpc)?;
                if let Some(other) = self
                    .r53_hosted_zones
                    .values()
                    .find(|z| z.private && z.name == name && z.vpcs.contains(vpc))
                {
                    return Err(vpc_conflict(vpc, &other.id));
                }
                vec![vpc.clone()]
            }
            (None, true) => {
                return Err(invalid_input(
                    "When you're creating a private hosted zone, you must specify values for VPCId and VPCRegion.",
                ));
            }
            (None, false) => Vec::new(),
        };
        if self.hosted_zone_count(account) >= MAX_HOSTED_ZONES {
            return Err(too_many_zones());
        }
        let (delegation_set_id, name_servers) = match &req.delegation_set_id {
            Some(ds) => {
                let set = self.get_reusable_delegation_set(account, ds)?.clone();
                let in_set = self
                    .r53_hosted_zones
                    .values()
                    .filter(|z| z.delegation_set_id.as_deref() == Some(set.id.as_str()))
                    .collect::<Vec<_>>();
                if in_set.len() >= super::delegation_set::MAX_ZONES_PER_DELEGATION_SET {
                    return Err(too_many_zones());
                }
                // Zones of one name, or parent and child, must not share name servers.
                if let Some(z) = in_set.iter().find(|z| names::overlaps(&z.name, &name)) {
                    return Err(Error::new(
                        Route53::ConflictingDomainExists,
                        format!(
                            "Cannot create hosted zone with DelegationSetId {} as the DNSName {} conflicts with existing ones sharing the delegation set ({})",
                            set.id, name, z.id
                        ),
                    ));
                }
                (Some(set.id), set.name_servers)
            }
            None if private => {
                (None, PRIVATE_NAME_SERVERS.iter().map(|s| (*s).to_owned()).collect())
            }
            None => (None, new_name_servers()),
        };
        let id = self.r53_fresh_id('Z');
        let zone = HostedZone {
            id: id.clone(),
            account: account.to_owned(),
            name: name.clone(),
            caller_reference: req.caller_reference,
            comment: req.comment,
            private,
            vpcs,
            authorized_vpcs: Vec::new(),
            delegation_set_id,
            name_servers: name_servers.clone(),
            record_count: 2,
            tags: Tags::new(),
        };
        let primary = name_servers.first().cloned().unwrap_or_default();
        for (rtype, ttl, records) in
            [("SOA", SOA_TTL, vec![soa_value(&primary)]), ("NS", NS_TTL, name_servers)]
        {
            let set = RecordSet {
                zone_id: id.clone(),
                name: name.clone(),
                rtype: rtype.to_owned(),
                set_identifier: None,
                ttl: Some(ttl),
                records,
                alias: None,
                policy: RoutingPolicy::Simple,
                health_check_id: None,
            };
            self.r53_record_sets.insert(set.key(), set);
        }
        self.r53_hosted_zones.insert(id, zone.clone());
        let change = self.r53_record_change(account, None, now);
        Ok((zone, change))
    }

    /// GetHostedZone.
    pub fn get_hosted_zone(&self, account: &str, id: &str) -> Result<&HostedZone> {
        self.r53_zone(account, id)
    }

    /// ListHostedZones, by id; optionally only the zones of one delegation set, or of one type
    /// (`Some(true)`: private only).
    pub fn list_hosted_zones(
        &self,
        account: &str,
        marker: Option<&str>,
        max_items: Option<usize>,
        delegation_set_id: Option<&str>,
        private: Option<bool>,
    ) -> Result<Page<&HostedZone>> {
        if let Some(ds) = delegation_set_id {
            self.get_reusable_delegation_set(account, ds)?;
        }
        let ds = delegation_set_id.map(bare_id);
        let zones = self.r53_hosted_zones.values().filter(|z| {
            z.account == account
                && (ds.is_none() || z.delegation_set_id.as_deref() == ds)
                && private.is_none_or(|p| z.private == p)
        });
        Ok(page_after(zones, |z| z.id.clone(), marker.map(bare_id), max_items, 100))
    }

    /// ListHostedZonesByName: in reversed-label order, from `dns_name` (and `hosted_zone_id`).
    pub fn list_hosted_zones_by_name(
        &self,
        account: &str,
        dns_name: Option<&str>,
        hosted_zone_id: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<ZonesByNamePage<'_>> {
        if hosted_zone_id.is_some() && dns_name.is_none() {
            return Err(invalid_input(
                "The DNSName must be specified if the HostedZoneId is specified.",
            ));
        }
        let start = match dns_name {
            Some(n) => {
                let n = names::normalize(n).map_err(|_| {
                    Error::new(
                        Route53::InvalidDomainName,
                        format!("The domain name is invalid: {n}"),
                    )
                })?;
                Some((names::sort_key(&n), hosted_zone_id.map(bare_id).unwrap_or("").to_owned()))
            }
            None => None,
        };
        let mut zones: Vec<(String, &HostedZone)> = self
            .r53_hosted_zones
            .values()
            .filter(|z| z.account == account)
            .map(|z| (names::sort_key(&z.name), z))
            .collect();
        zones.sort_by(|a, b| (&a.0, &a.1.id).cmp(&(&b.0, &b.1.id)));
        let max = clamp_max(max_items, 100);
        let mut rest = zones.into_iter().filter(|(key, z)| match &start {
            Some((k, id)) => (key, &z.id) >= (k, id),
            None => true,
        });
        let items: Vec<&HostedZone> = rest.by_ref().take(max).map(|(_, z)| z).collect();
        let next = rest.next().map(|(_, z)| (z.name.clone(), z.id.clone()));
        Ok(ZonesByNamePage { items, next })
    }

    /// ListHostedZonesByVPC: the private zones (of any account) associated with the VPC.
    pub fn list_hosted_zones_by_vpc(
        &self,
        account: &str,
        vpc: &ZoneVpc,
        next_token: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<Page<&HostedZone>> {
        self.r53_own_vpc(account, vpc)?;
        let zones = self.r53_hosted_zones.values().filter(|z| z.vpcs.contains(vpc));
        Ok(page_after(zones, |z| z.id.clone(), next_token, max_items, 100))
    }

    /// GetHostedZoneCount.
    pub fn hosted_zone_count(&self, account: &str) -> usize {
        self.r53_hosted_zones.values().filter(|z| z.account == account).count()
    }

    /// UpdateHostedZoneComment (`None` clears it).
    pub fn update_hosted_zone_comment(
        &mut self,
        account: &str,
        id: &str,
        comment: Option<String>,
    ) -> Result<&HostedZone> {
        if let Some(c) = &comment {
            check_comment(c)?;
        }
        let id = self.r53_zone(account, id)?.id.clone();
        let zone = self.r53_hosted_zones.get_mut(&id).ok_or_else(|| no_such_zone(&id))?;
        zone.comment = comment.filter(|c| !c.is_empty());
        Ok(zone)
    }

    /// DeleteHostedZone: only with nothing but the apex SOA and NS left.
    pub fn delete_hosted_zone(&mut self, account: &str, id: &str, now: i64) -> Result<Change> {
        let zone = self.r53_zone(account, id)?.clone();
        let keys: Vec<String> = self.record_sets_of_zone(&zone.id).map(RecordSet::key).collect();
        if self.record_sets_of_zone(&zone.id).any(|r| !zone.is_apex_default(&r.name, &r.rtype)) {
            return Err(Error::new(
                Route53::HostedZoneNotEmpty,
                "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
            ));
        }
        for key in keys {
            self.r53_record_sets.remove(&key);
        }
        for q in self.r53_query_logging_configs.ids_where(|q| q.hosted_zone_id == zone.id) {
            self.r53_query_logging_configs.remove(&q);
        }
        self.r53_hosted_zones.remove(&zone.id);
        Ok(self.r53_record_change(account, None, now))
    }

    /// AssociateVPCWithHostedZone, by the zone's owner for its own VPC, or by the owner of the
    /// VPC that the zone's owner authorized.
    pub fn associate_vpc_with_hosted_zone(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: ZoneVpc,
        comment: Option<String>,
        now: i64,
    ) -> Result<Change> {
        let id = bare_id(zone_id);
        // Only the VPC's owner associates it; another account's VPC is as missing.
        self.r53_own_vpc(account, &vpc)?;
        let zone = self.r53_hosted_zones.get(id).ok_or_else(|| no_such_zone(id))?;
        // Another account's zone takes the VPC only if that account authorized it (AWS says
        // so rather than that the zone does not exist).
        if zone.account != account && !zone.authorized_vpcs.contains(&vpc) {
            return Err(not_authorized(&vpc));
        }
        if !zone.private {
            return Err(Error::new(
                Route53::PublicZoneVPCAssociation,
                "You're trying to associate a VPC with a public hosted zone. Amazon Route 53 doesn't support associating a VPC with a public hosted zone.",
            ));
        }
        if let Some(other) = self
            .r53_hosted_zones
            .values()
            .find(|z| z.private && z.name == zone.name && z.vpcs.contains(&vpc))
        {
            return Err(vpc_conflict(&vpc, &other.id));
        }
        if zone.vpcs.len() >= MAX_VPCS_PER_ZONE {
            return Err(Error::new(
                Route53::LimitsExceeded,
                format!(
                    "The hosted zone {id} is associated with the maximum number of VPCs ({MAX_VPCS_PER_ZONE})"
                ),
            ));
        }
        let id = zone.id.clone();
        if let Some(z) = self.r53_hosted_zones.get_mut(&id) {
            z.vpcs.push(vpc);
        }
        Ok(self.r53_record_change(account, comment, now))
    }

    /// DisassociateVPCFromHostedZone, by the zone's owner or the VPC's.
    pub fn disassociate_vpc_from_hosted_zone(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: &ZoneVpc,
        comment: Option<String>,
        now: i64,
    ) -> Result<Change> {
        let id = bare_id(zone_id);
        let zone = self.r53_hosted_zones.get(id).ok_or_else(|| no_such_zone(id))?;
        let associated = zone.vpcs.contains(vpc);
        // The owner of a VPC associated with another account's zone may take it out; any
        // other zone of another account is as missing.
        if zone.account != account && !(associated && self.r53_own_vpc(account, vpc).is_ok()) {
            return Err(no_such_zone(id));
        }
        if !associated {
            // A VPC of another account that is not associated is as missing.
            self.r53_own_vpc(account, vpc)?;
            return Err(Error::new(
                Route53::VPCAssociationNotFound,
                format!(
                    "The specified VPC {} and hosted zone {id} are not currently associated.",
                    vpc.vpc_id
                ),
            ));
        }
        if zone.vpcs.len() == 1 {
            return Err(Error::new(
                Route53::LastVPCAssociation,
                "The VPC that you're trying to disassociate from the private hosted zone is the last VPC that is associated with the hosted zone. Amazon Route 53 doesn't support disassociating the last VPC from a hosted zone.",
            ));
        }
        let id = zone.id.clone();
        if let Some(z) = self.r53_hosted_zones.get_mut(&id) {
            z.vpcs.retain(|v| v != vpc);
        }
        Ok(self.r53_record_change(account, comment, now))
    }

    /// CreateVPCAssociationAuthorization (by the zone's owner).
    pub fn create_vpc_association_authorization(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: ZoneVpc,
    ) -> Result<ZoneVpc> {
        let id = self.r53_zone(account, zone_id)?.id.clone();
        self.r53_vpc(&vpc)?;
        if let Some(z) = self.r53_hosted_zones.get_mut(&id)
            && !z.authorized_vpcs.contains(&vpc)
        {
            z.authorized_vpcs.push(vpc.clone());
        }
        Ok(vpc)
    }

    /// DeleteVPCAssociationAuthorization.
    pub fn delete_vpc_association_authorization(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: &ZoneVpc,
    ) -> Result<()> {
        let zone = self.r53_zone(account, zone_id)?;
        if !zone.authorized_vpcs.contains(vpc) {
            return Err(Error::new(
                Route53::VPCAssociationAuthorizationNotFound,
                format!(
                    "The VPC {} in {} has not been authorized to associate with hosted zone {}.",
                    vpc.vpc_id, vpc.region, zone.id
                ),
            ));
        }
        let id = zone.id.clone();
        if let Some(z) = self.r53_hosted_zones.get_mut(&id) {
            z.authorized_vpcs.retain(|v| v != vpc);
        }
        Ok(())
    }

    /// ListVPCAssociationAuthorizations.
    pub fn list_vpc_association_authorizations(
        &self,
        account: &str,
        zone_id: &str,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<ZoneVpc>> {
        let zone = self.r53_zone(account, zone_id)?;
        let mut vpcs = zone.authorized_vpcs.clone();
        vpcs.sort();
        let token = |v: &ZoneVpc| format!("{}/{}", v.region, v.vpc_id);
        Ok(page_after(vpcs.into_iter(), token, next_token, max_results, 50))
    }
}

/// `MaxItems` as given, at most `limit` (the default when absent or zero).
pub(crate) fn clamp_max(max_items: Option<usize>, limit: usize) -> usize {
    max_items.filter(|m| *m > 0).map_or(limit, |m| m.min(limit))
}

pub(crate) fn no_such_zone(id: &str) -> Error {
    Error::new(Route53::NoSuchHostedZone, format!("No hosted zone found with ID: {id}"))
}

fn too_many_zones() -> Error {
    Error::new(
        Route53::TooManyHostedZones,
        "Limits Exceeded: MAX_HOSTED_ZONES_BY_OWNER - Cannot create more hosted zones.",
    )
}

fn invalid_vpc(vpc: &ZoneVpc) -> Error {
    Error::new(
        Route53::InvalidVPCId,
        format!("The VPC ID '{}' is not valid in region {}", vpc.vpc_id, vpc.region),
    )
}

fn not_authorized(vpc: &ZoneVpc) -> Error {
    Error::new(
        Route53::NotAuthorizedException,
        format!("User is not authorized to perform this operation on VPC {}", vpc.vpc_id),
    )
}

fn vpc_conflict(vpc: &ZoneVpc, zone_id: &str) -> Error {
    Error::new(
        Route53::ConflictingDomainExists,
        format!(
            "The VPC {} in {} region has already been associated with the hosted zone {} with the same domain name.",
            vpc.vpc_id, vpc.region, zone_id
        ),
    )
}

/// A zone comment is at most 256 characters.
fn check_comment(c: &str) -> Result<()> {
    if c.chars().count() > 256 {
        return Err(invalid_input(
            "1 validation error detected: Value at 'hostedZoneConfig.comment' failed to satisfy constraint: Member must have length less than or equal to 256",
        ));
    }
    Ok(())
}

impl References for HostedZone {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if let Some(set) = &self.delegation_set_id {
            each(Reference::new("r53_delegation_set", set, "DelegationSetId"));
        }
    }
}
