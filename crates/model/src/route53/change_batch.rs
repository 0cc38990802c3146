//! ChangeResourceRecordSets and ListResourceRecordSets.
//!
//! A batch is applied to a working copy of the names it touches: each change is checked
//! against the state the earlier changes of the batch left (a DELETE then CREATE of one set is
//! a replacement), then the final state of every touched name is checked as a whole (CNAME
//! exclusivity, one routing policy per name and type, alias targets). Problems with the record
//! sets are collected and reported together as one `InvalidChangeBatch`, in AWS's list form
//! `[msg1, msg2]`; malformed requests (a missing TTL, a weight out of range, an unknown health
//! check, a name that does not parse, a batch over its limits) fail at once with their own
//! messages. Nothing is written until the whole batch passes.

use super::record::{self, AliasTarget, RoutingPolicy, name_prefix, record_key};
use super::zone::{HostedZone, clamp_max};
use super::{Change, RecordSet, RecordSetInput, bare_id, geo, invalid_input, names};
use crate::error::{Error, Result};
use crate::world::World;
use codes::Route53;
use std::collections::BTreeMap;

/// The most `ResourceRecord` elements one request may hold.
pub const MAX_RECORDS_PER_BATCH: usize = 1000;
/// The most characters the `Value`s of one request may hold together.
pub const MAX_VALUE_CHARS_PER_BATCH: usize = 32_000;
/// The most record sets a zone may hold (`MAX_RRSETS_BY_ZONE`).
pub const MAX_RRSETS_PER_ZONE: usize = 10_000;
/// ListResourceRecordSets' page size ceiling and default.
pub const MAX_LIST_ITEMS: usize = 300;

/// `CREATE`, `DELETE` or `UPSERT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    Create,
    Delete,
    Upsert,
}

impl ChangeAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "CREATE" => Some(ChangeAction::Create),
            "DELETE" => Some(ChangeAction::Delete),
            "UPSERT" => Some(ChangeAction::Upsert),
            _ => None,
        }
    }
}

/// One change of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordChange {
    pub action: ChangeAction,
    pub record: RecordSetInput,
}

/// Where ListResourceRecordSets starts: `StartRecordName`, `StartRecordType`,
/// `StartRecordIdentifier`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordStart {
    pub name: Option<String>,
    pub rtype: Option<String>,
    pub identifier: Option<String>,
}

/// A page of ListResourceRecordSets.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage<'a> {
    pub records: Vec<&'a RecordSet>,
    pub max_items: usize,
    /// Where the next page starts (`NextRecordName`, `NextRecordType`,
    /// `NextRecordIdentifier`) when `IsTruncated`.
    pub next: Option<RecordStart>,
}

impl ChangeAction {
    pub fn name(self) -> &'static str {
        match self {
            ChangeAction::Create => "CREATE",
            ChangeAction::Delete => "DELETE",
            ChangeAction::Upsert => "UPSERT",
        }
    }
}

/// `InvalidChangeBatch` with AWS's list of messages.
pub fn invalid_change_batch(messages: &[String]) -> Error {
    Error::new(Route53::InvalidChangeBatch, format!("[{}]", messages.join(", ")))
}

/// A limit on the whole request: one message, not a list of record set problems.
fn batch_limit(what: &str, limit: usize) -> Error {
    Error::new(Route53::InvalidChangeBatch, format!("Number of {what} limit of {limit} exceeded."))
}

/// Schema-style validation error for one field of one change.
fn field_error(
    index: usize,
    field: &str,
    value: impl std::fmt::Display,
    constraint: &str,
) -> Error {
    invalid_input(format!(
        "1 validation error detected: Value '{value}' at 'changeBatch.changes.{index}.member.resourceRecordSet.{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// `Change with [Action=…, Name=…, Type=…, SetIdentifier=…]`, as InvalidInput names a change.
fn change_ref(action: ChangeAction, r: &RecordSetInput) -> String {
    format!(
        "Change with [Action={}, Name={}, Type={}, SetIdentifier={}]",
        action.name(),
        r.name,
        r.rtype,
        r.set_identifier.as_deref().unwrap_or("null")
    )
}

impl World {
    /// The record sets of one name of a zone, as stored.
    fn r53_sets_at(&self, zone_id: &str, name: &str) -> Vec<RecordSet> {
        self.r53_record_sets
            .with_prefix(&name_prefix(zone_id, name))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The stored set a change describes, checked field by field. `Err(Ok(messages))` for
    /// problems that belong in the InvalidChangeBatch list, `Err(Err(e))` for a request that
    /// fails at once.
    fn r53_build_set(
        &self,
        zone: &HostedZone,
        index: usize,
        action: ChangeAction,
        input: &RecordSetInput,
    ) -> std::result::Result<RecordSet, std::result::Result<Vec<String>, Error>> {
        let fail = |e: Error| Err(Err(e));
        let name = match names::normalize(&input.name) {
            Ok(n) => n,
            // A name that does not parse fails the request at once, its problem unbracketed
            // ("InvalidChangeBatch: FATAL problem: DomainLabelEmpty (Domain label is empty)
            // encountered with 'a..example.com'", as AWS answers Terraform).
            Err(p) => {
                return fail(Error::new(Route53::InvalidChangeBatch, p.describe(&input.name)));
            }
        };
        if !record::TYPES.contains(&input.rtype.as_str()) {
            return fail(field_error(
                index,
                "type",
                &input.rtype,
                "Member must satisfy enum value set: [SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA, DS]",
            ));
        }
        // TTL and ResourceRecords count only together: either alone is "none" (AWS's wording).
        let has_records = input.ttl.is_some() && !input.records.is_empty();
        let partial = input.ttl.is_some() || !input.records.is_empty();
        let found = match (&input.alias, has_records, partial) {
            (Some(_), _, true) => Some("more than one"),
            (None, false, _) => Some("none"),
            _ => None,
        };
        if let Some(found) = found {
            return fail(invalid_input(format!(
                "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found {found} in {}",
                change_ref(action, input)
            )));
        }
        let ttl = match input.ttl {
            Some(t) if !(0..=2_147_483_647).contains(&t) => {
                return fail(field_error(
                    index,
                    "tTL",
                    t,
                    "Member must have value between 0 and 2147483647",
                ));
            }
            t => t.and_then(|t| u32::try_from(t).ok()),
        };
        if let Some(id) = &input.set_identifier
            && (id.is_empty() || id.chars().count() > 128)
        {
            return fail(field_error(
                index,
                "setIdentifier",
                id,
                "Member must have length between 1 and 128",
            ));
        }
        let policy = self.r53_policy(&zone.account, index, action, input)?;
        if (policy == RoutingPolicy::Simple) == input.set_identifier.is_some() {
            let msg = if input.set_identifier.is_some() {
                format!(
                    "Invalid request: Unexpected field 'SetIdentifier' for a record set without a routing policy in {}",
                    change_ref(action, input)
                )
            } else {
                format!(
                    "Invalid request: Missing field 'SetIdentifier' in {}",
                    change_ref(action, input)
                )
            };
            return fail(invalid_input(msg));
        }
        if let Some(hc) = &input.health_check_id
            && self.r53_health_checks.get(hc).is_none_or(|h| h.account != zone.account)
        {
            return fail(Error::new(
                Route53::NoSuchHealthCheck,
                format!("No health check exists with the specified ID {hc}"),
            ));
        }
        let mut problems = Vec::new();
        if !names::in_zone(&name, &zone.name) {
            problems
                .push(format!("RRSet with DNS name {name} is not permitted in zone {}", zone.name));
        }
        for v in &input.records {
            if let Err(m) = record::check_value(&input.rtype, v) {
                problems.push(m);
            }
        }
        if matches!(input.rtype.as_str(), "CNAME" | "SOA") && input.records.len() > 1 {
            problems.push(format!(
                "RRSet of type {} with DNS name {name} must contain exactly one resource record",
                input.rtype
            ));
        }
        let alias = match &input.alias {
            Some(a) => match names::normalize(&a.dns_name) {
                Ok(dns_name) => Some(AliasTarget {
                    hosted_zone_id: bare_id(&a.hosted_zone_id).to_owned(),
                    dns_name,
                    evaluate_target_health: a.evaluate_target_health,
                }),
                Err(p) => {
                    problems.push(p.describe(&a.dns_name));
                    None
                }
            },
            None => None,
        };
        if !problems.is_empty() {
            return Err(Ok(problems));
        }
        Ok(RecordSet {
            zone_id: zone.id.clone(),
            name,
            rtype: input.rtype.clone(),
            set_identifier: input.set_identifier.clone(),
            ttl,
            records: input.records.iter().map(|v| v.trim().to_owned()).collect(),
            alias,
            policy,
            health_check_id: input.health_check_id.clone(),
        })
    }

    /// The routing policy a change to a zone of `account`'s names, checked.
    fn r53_policy(
        &self,
        account: &str,
        index: usize,
        action: ChangeAction,
        input: &RecordSetInput,
    ) -> std::result::Result<RoutingPolicy, std::result::Result<Vec<String>, Error>> {
        let fail = |e: Error| Err(Err(e));
        let given = [
            input.weight.is_some(),
            input.region.is_some(),
            input.geo_location.is_some(),
            input.geo_proximity.is_some(),
            input.failover.is_some(),
            input.multi_value_answer == Some(true),
            input.cidr_routing.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            return fail(invalid_input(format!(
                "Invalid request: A record set can have only one routing policy in {}",
                change_ref(action, input)
            )));
        }
        if let Some(w) = input.weight {
            return match u8::try_from(w) {
                Ok(weight) => Ok(RoutingPolicy::Weighted { weight }),
                Err(_) => fail(field_error(
                    index,
                    "weight",
                    w,
                    "Member must have value between 0 and 255",
                )),
            };
        }
        if let Some(r) = &input.region {
            if crate::regions::find(r).is_none() {
                return fail(field_error(index, "region", r, "Member must satisfy enum value set"));
            }
            return Ok(RoutingPolicy::Latency { region: r.clone() });
        }
        if let Some(g) = &input.geo_location {
            if let Err(e) = geo::check_location(g) {
                return fail(e);
            }
            return Ok(RoutingPolicy::Geolocation(g.clone()));
        }
        if let Some(g) = &input.geo_proximity {
            let places =
                [g.aws_region.is_some(), g.local_zone_group.is_some(), g.coordinates.is_some()];
            if places.iter().filter(|p| **p).count() != 1 {
                return fail(invalid_input(format!(
                    "Invalid request: A geoproximity location needs exactly one of AWSRegion, LocalZoneGroup or Coordinates in {}",
                    change_ref(action, input)
                )));
            }
            if let Some(r) = g.aws_region.as_deref().filter(|r| crate::regions::find(r).is_none()) {
                return fail(invalid_input(format!(
                    "Invalid request: '{r}' is not a valid AWS region"
                )));
            }
            if let Some((lat, lon)) = &g.coordinates {
                let ok =
                    |s: &str, max: f64| s.parse::<f64>().is_ok_and(|v| (-max..=max).contains(&v));
                if !ok(lat, 90.0) || !ok(lon, 180.0) {
                    return fail(invalid_input(format!(
                        "Invalid request: coordinates ({lat}, {lon}) are not valid"
                    )));
                }
            }
            if let Some(b) = g.bias.filter(|b| !(-99..=99).contains(b)) {
                return fail(field_error(
                    index,
                    "geoProximityLocation.bias",
                    b,
                    "Member must have value between -99 and 99",
                ));
            }
            return Ok(RoutingPolicy::Geoproximity(g.clone()));
        }
        if let Some(f) = &input.failover {
            return match f.as_str() {
                "PRIMARY" => Ok(RoutingPolicy::Failover { primary: true }),
                "SECONDARY" => Ok(RoutingPolicy::Failover { primary: false }),
                _ => fail(field_error(
                    index,
                    "failover",
                    f,
                    "Member must satisfy enum value set: [PRIMARY, SECONDARY]",
                )),
            };
        }
        if input.multi_value_answer == Some(true) {
            return Ok(RoutingPolicy::MultiValue);
        }
        if let Some((collection_id, location_name)) = &input.cidr_routing {
            let mine =
                self.r53_cidr_collections.get(collection_id).filter(|c| c.account == account);
            let c = mine.ok_or_else(|| {
                Err(Error::new(
                    Route53::NoSuchCidrCollectionException,
                    format!("The CIDR collection {collection_id} does not exist"),
                ))
            })?;
            if location_name != "*" && !c.locations.contains_key(location_name) {
                return fail(Error::new(
                    Route53::NoSuchCidrLocationException,
                    format!(
                        "The CIDR location {location_name} does not exist in collection {collection_id}"
                    ),
                ));
            }
            return Ok(RoutingPolicy::Cidr {
                collection_id: collection_id.clone(),
                location_name: location_name.clone(),
            });
        }
        Ok(RoutingPolicy::Simple)
    }

    /// ChangeResourceRecordSets: applies the batch atomically, or fails with every error of it.
    pub fn change_resource_record_sets(
        &mut self,
        account: &str,
        zone_id: &str,
        changes: Vec<RecordChange>,
        comment: Option<String>,
        now: i64,
    ) -> Result<Change> {
        let zone = self.r53_zone(account, zone_id)?.clone();
        check_batch_size(&changes)?;
        let mut errors: Vec<String> = Vec::new();
        // The sets of every touched name, as the batch leaves them.
        let mut state: BTreeMap<String, Vec<RecordSet>> = BTreeMap::new();
        let mut written: Vec<(String, String, Option<String>)> = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            let set = match self.r53_build_set(&zone, i + 1, change.action, &change.record) {
                Ok(s) => s,
                Err(Ok(messages)) => {
                    errors.extend(messages);
                    continue;
                }
                Err(Err(e)) => return Err(e),
            };
            let sets = state
                .entry(set.name.clone())
                .or_insert_with(|| self.r53_sets_at(&zone.id, &set.name));
            let pos = sets
                .iter()
                .position(|r| r.rtype == set.rtype && r.set_identifier == set.set_identifier);
            let apex_default = zone.is_apex_default(&set.name, &set.rtype);
            match change.action {
                ChangeAction::Create if pos.is_some() => errors.push(format!(
                    "Tried to create resource record set {} but it already exists",
                    set.describe()
                )),
                ChangeAction::Create | ChangeAction::Upsert if set.rtype == "SOA" && set.name != zone.name => {
                    errors.push(format!("RRSet of type SOA with DNS name {} is not permitted because a SOA record is only allowed at the apex of zone {}", set.name, zone.name))
                }
                ChangeAction::Create | ChangeAction::Upsert
                    if apex_default && (set.alias.is_some() || set.set_identifier.is_some()) =>
                {
                    errors.push(format!(
                        "RRSet of type {} with DNS name {} must be a simple, non-alias record set at the apex of zone {}",
                        set.rtype, set.name, zone.name
                    ))
                }
                ChangeAction::Create => {
                    written.push((set.name.clone(), set.rtype.clone(), set.set_identifier.clone()));
                    sets.push(set);
                }
                ChangeAction::Upsert => {
                    written.push((set.name.clone(), set.rtype.clone(), set.set_identifier.clone()));
                    match pos.and_then(|p| sets.get_mut(p)) {
                        Some(slot) => *slot = set,
                        None => sets.push(set),
                    }
                }
                ChangeAction::Delete => match pos {
                    None => errors.push(format!(
                        "Tried to delete resource record set {} but it was not found",
                        set.describe()
                    )),
                    Some(_) if apex_default && set.rtype == "SOA" => {
                        errors.push("A HostedZone must contain exactly one SOA record.".into())
                    }
                    Some(_) if apex_default => errors.push(
                        "A HostedZone must contain at least one NS record for the zone itself.".into(),
                    ),
                    Some(p) if sets.get(p).is_some_and(|cur| !same_set(cur, &set)) => {
                        errors.push(format!(
                            "Tried to delete resource record set {} but the values provided do not match the current values",
                            set.describe()
                        ))
                    }
                    Some(p) => {
                        sets.remove(p);
                    }
                },
            }
        }
        for (name, sets) in &state {
            let changed = |s: &RecordSet| {
                written
                    .iter()
                    .any(|(n, t, id)| n == name && *t == s.rtype && *id == s.set_identifier)
            };
            errors.extend(check_name(&zone, name, sets, &changed));
        }
        for (name, rtype, set_id) in &written {
            let set = state
                .get(name)
                .and_then(|s| s.iter().find(|r| &r.rtype == rtype && &r.set_identifier == set_id));
            if let Some(alias) = set.and_then(|s| s.alias.as_ref())
                && let Err(m) = self.r53_check_alias(&zone, &state, rtype, alias)
            {
                errors.push(m);
            }
        }
        if !errors.is_empty() {
            errors.dedup();
            return Err(invalid_change_batch(&errors));
        }
        let before: usize = state.keys().map(|n| self.r53_sets_at(&zone.id, n).len()).sum();
        let after: usize = state.values().map(Vec::len).sum();
        let count = (zone.record_count as usize + after).saturating_sub(before);
        if count > MAX_RRSETS_PER_ZONE && after > before {
            return Err(invalid_change_batch(&[format!(
                "The hosted zone {} has reached the limit of {MAX_RRSETS_PER_ZONE} resource record sets",
                zone.id
            )]));
        }
        self.r53_write_sets(&zone.id, state);
        if let Some(z) = self.r53_hosted_zones.get_mut(&zone.id) {
            z.record_count = count as u64;
        }
        Ok(self.r53_record_change(account, comment, now))
    }

    /// Stores the sets of every touched name as a checked batch leaves them.
    fn r53_write_sets(&mut self, zone_id: &str, state: BTreeMap<String, Vec<RecordSet>>) {
        for (name, sets) in state {
            let old: Vec<String> = self
                .r53_record_sets
                .with_prefix(&name_prefix(zone_id, &name))
                .map(|(k, _)| k.clone())
                .collect();
            for key in old {
                if !sets.iter().any(|s| s.key() == key) {
                    self.r53_record_sets.remove(&key);
                }
            }
            for set in sets {
                let key = set.key();
                if self.r53_record_sets.get(&key) != Some(&set) {
                    self.r53_record_sets.insert(key, set);
                }
            }
        }
    }

    /// Where an alias may point: a set of the same zone (and type), or a load balancer with
    /// the hosted zone of its region; other AWS targets are taken on trust.
    fn r53_check_alias(
        &self,
        zone: &HostedZone,
        state: &BTreeMap<String, Vec<RecordSet>>,
        rtype: &str,
        alias: &AliasTarget,
    ) -> std::result::Result<(), String> {
        let not_found = || {
            format!(
                "Tried to create an alias that targets {}, type {rtype} in zone {}, but that target was not found",
                alias.dns_name, alias.hosted_zone_id
            )
        };
        if alias.hosted_zone_id == zone.id {
            if !names::in_zone(&alias.dns_name, &zone.name) {
                return Err(format!(
                    "Tried to create an alias that targets {}, type {rtype} in zone {}, but the alias target name does not lie within the target zone",
                    alias.dns_name, alias.hosted_zone_id
                ));
            }
            let sets = match state.get(&alias.dns_name) {
                Some(s) => s.clone(),
                None => self.r53_sets_at(&zone.id, &alias.dns_name),
            };
            return if sets.iter().any(|s| s.rtype == rtype) { Ok(()) } else { Err(not_found()) };
        }
        if self.r53_hosted_zones.contains(&alias.hosted_zone_id) {
            return Err(not_found());
        }
        if alias.dns_name.ends_with(".elb.amazonaws.com.") {
            let target = alias.dns_name.strip_prefix("dualstack.").unwrap_or(&alias.dns_name);
            let lb = self
                .load_balancers
                .values()
                .find(|lb| names::normalize(&lb.dns_name).is_ok_and(|n| n == target));
            return match lb {
                Some(lb) if lb.canonical_hosted_zone_id() == alias.hosted_zone_id => Ok(()),
                _ => Err(not_found()),
            };
        }
        Ok(())
    }

    /// ListResourceRecordSets: AWS's order (reversed-label name, then type, then set id),
    /// `max_items` ≤ 300 (default 300).
    pub fn list_resource_record_sets(
        &self,
        account: &str,
        zone_id: &str,
        start: &RecordStart,
        max_items: Option<usize>,
    ) -> Result<RecordPage<'_>> {
        let zone = self.r53_zone(account, zone_id)?;
        if start.rtype.is_some() && start.name.is_none() {
            // AWS answers this InvalidInput with an empty message.
            return Err(invalid_input(""));
        }
        if start.identifier.is_some() && start.rtype.is_none() {
            return Err(invalid_input(
                "The input is not valid: StartRecordIdentifier requires StartRecordType",
            ));
        }
        if let Some(t) = start.rtype.as_deref().filter(|t| !record::TYPES.contains(t)) {
            return Err(invalid_input(format!("Invalid type: {t}")));
        }
        let zone_prefix = format!("{} ", zone.id);
        let from = match &start.name {
            None => zone_prefix.clone(),
            Some(n) => {
                let n = names::normalize(n).map_err(|p| invalid_input(p.describe(n)))?;
                match &start.rtype {
                    None => name_prefix(&zone.id, &n),
                    Some(t) => record_key(&zone.id, &n, t, start.identifier.as_deref()),
                }
            }
        };
        let max = clamp_max(max_items, MAX_LIST_ITEMS);
        let mut rest = self
            .r53_record_sets
            .from_id(&from)
            .take_while(|(k, _)| k.starts_with(&zone_prefix))
            .map(|(_, v)| v);
        let records: Vec<&RecordSet> = rest.by_ref().take(max).collect();
        let next = rest.next().map(|r| RecordStart {
            name: Some(r.name.clone()),
            rtype: Some(r.rtype.clone()),
            identifier: r.set_identifier.clone(),
        });
        Ok(RecordPage { records, max_items: max, next })
    }

    /// Every record set of a zone in list order (for the DNS answerer).
    pub fn record_sets_of_zone<'a>(
        &'a self,
        zone_id: &str,
    ) -> impl Iterator<Item = &'a RecordSet> + use<'a> {
        let prefix = format!("{} ", bare_id(zone_id));
        self.r53_record_sets.with_prefix(&prefix).map(|(_, v)| v)
    }
}

/// Whether a DELETE names the stored set exactly (values in any order).
fn same_set(current: &RecordSet, given: &RecordSet) -> bool {
    let sorted = |r: &RecordSet| {
        let mut v: Vec<String> = r.records.iter().map(|s| s.to_ascii_lowercase()).collect();
        v.sort();
        v
    };
    current.ttl == given.ttl
        && sorted(current) == sorted(given)
        && current.alias == given.alias
        && current.policy == given.policy
        && current.health_check_id == given.health_check_id
}

/// The rules over all the sets of one name: CNAME alone and not at the apex, one routing
/// policy per type, one PRIMARY and one SECONDARY, distinct geolocations. `changed` tells the
/// sets this batch wrote, which the messages name.
fn check_name(
    zone: &HostedZone,
    name: &str,
    sets: &[RecordSet],
    changed: &dyn Fn(&RecordSet) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if sets.iter().any(|s| s.rtype == "CNAME") {
        if name == zone.name {
            out.push(format!(
                "RRSet of type CNAME with DNS name {name} is not permitted at apex in zone {}",
                zone.name
            ));
        } else if sets.iter().any(|s| s.rtype != "CNAME") {
            out.push(format!(
                "RRSet of type CNAME with DNS name {name} is not permitted as it conflicts with other records with the same DNS name in zone {}",
                zone.name
            ));
        }
    }
    let mut by_type: BTreeMap<&str, Vec<&RecordSet>> = BTreeMap::new();
    for s in sets {
        by_type.entry(s.rtype.as_str()).or_default().push(s);
    }
    for (rtype, group) in by_type {
        let Some(first) = group.first() else { continue };
        if let Some(other) = group.iter().find(|s| s.policy.kind() != first.policy.kind()) {
            // AWS names the set being written, against the ones already there.
            let new = group.iter().find(|s| changed(s)).unwrap_or(other);
            out.push(match &new.set_identifier {
                Some(id) => format!(
                    "RRSet with DNS name {name}, type {rtype}, SetIdentifier {id} cannot be created as a non-{} set exists with the same name and type.",
                    new.policy.kind()
                ),
                None => format!(
                    "RRSet with DNS name {name}, type {rtype} cannot be created as other RRSets exist with the same name and type."
                ),
            });
            continue;
        }
        for primary in [true, false] {
            let n =
                group.iter().filter(|s| s.policy == RoutingPolicy::Failover { primary }).count();
            if n > 1 {
                let which = if primary { "PRIMARY" } else { "SECONDARY" };
                out.push(format!(
                    "RRSet with DNS name {name}, type {rtype} has more than one {which} failover record set"
                ));
            }
        }
        let mut seen = Vec::new();
        for s in &group {
            if let RoutingPolicy::Geolocation(g) = &s.policy {
                if seen.contains(&g) {
                    out.push(format!(
                        "RRSet with DNS name {name}, type {rtype}, SetIdentifier {} has a geolocation that another record set of the same name and type uses",
                        s.set_identifier.as_deref().unwrap_or("")
                    ));
                }
                seen.push(g);
            }
        }
    }
    out
}

/// A batch holds one change at least, and AWS's limits of records and characters (an UPSERT's
/// count twice: AWS's Route 53 quotas, "When the value of the Action element is UPSERT, each
/// ResourceRecord element is counted twice").
fn check_batch_size(changes: &[RecordChange]) -> Result<()> {
    if changes.is_empty() {
        return Err(invalid_input(
            "1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    let weight = |c: &RecordChange| if c.action == ChangeAction::Upsert { 2 } else { 1 };
    let records: usize = changes.iter().map(|c| weight(c) * c.record.records.len()).sum();
    if records > MAX_RECORDS_PER_BATCH {
        return Err(batch_limit("records", MAX_RECORDS_PER_BATCH));
    }
    let chars: usize = changes
        .iter()
        .map(|c| weight(c) * c.record.records.iter().map(|v| v.chars().count()).sum::<usize>())
        .sum();
    if chars > MAX_VALUE_CHARS_PER_BATCH {
        return Err(batch_limit("characters", MAX_VALUE_CHARS_PER_BATCH));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scope;
    use crate::route53::{NewHostedZone, ZoneVpc};
    use crate::testkit::world_with_vpc;

    const ACCOUNT: &str = "123456789012";

    fn zone(w: &mut World) -> String {
        let req = NewHostedZone {
            name: "Example.com".into(),
            caller_reference: "ref-1".into(),
            ..Default::default()
        };
        let id = w.create_hosted_zone(ACCOUNT, req, 1).unwrap().0.id;
        w.take_changes().unwrap();
        id
    }

    fn a(name: &str, values: &[&str]) -> RecordSetInput {
        RecordSetInput {
            name: name.into(),
            rtype: "A".into(),
            ttl: Some(300),
            records: values.iter().map(|v| (*v).to_owned()).collect(),
            ..Default::default()
        }
    }

    fn change(action: ChangeAction, record: RecordSetInput) -> RecordChange {
        RecordChange { action, record }
    }

    fn apply(w: &mut World, z: &str, changes: Vec<RecordChange>) -> Result<Change> {
        let r = w.change_resource_record_sets(ACCOUNT, z, changes, None, 2);
        match &r {
            Ok(_) => drop(w.take_changes().unwrap()),
            Err(_) => w.rollback(),
        }
        r
    }

    fn names_and_types(w: &World, z: &str) -> Vec<(String, String)> {
        w.record_sets_of_zone(z).map(|r| (r.name.clone(), r.rtype.clone())).collect()
    }

    #[test]
    fn a_new_zone_has_its_soa_and_ns_and_four_name_servers() {
        let mut w = World::default();
        let z = zone(&mut w);
        let hz = w.get_hosted_zone(ACCOUNT, &format!("/hostedzone/{z}")).unwrap();
        assert_eq!(hz.name, "example.com.");
        assert_eq!(hz.record_count, 2);
        assert_eq!(hz.name_servers.len(), 4);
        assert!(hz.name_servers[3].ends_with(".co.uk."));
        let sets: Vec<&RecordSet> = w.record_sets_of_zone(&z).collect();
        assert_eq!(sets[0].rtype, "NS");
        assert_eq!(sets[0].ttl, Some(172_800));
        assert_eq!(sets[1].rtype, "SOA");
        assert!(
            sets[1].records[0].ends_with(" awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400")
        );
        assert_eq!(
            w.get_change(ACCOUNT, &format!("/change/{}", "nope")).unwrap_err().code,
            "NoSuchChange"
        );
    }

    #[test]
    fn create_then_create_again_fails_with_aws_message() {
        let mut w = World::default();
        let z = zone(&mut w);
        let c = apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Create, a("www.example.com", &["192.0.2.1"]))],
        )
        .unwrap();
        assert_eq!(w.get_change(ACCOUNT, &c.id).unwrap().status, "INSYNC");
        let e = apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Create, a("WWW.example.com.", &["192.0.2.2"]))],
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidChangeBatch");
        assert_eq!(
            e.message,
            "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"
        );
        assert_eq!(w.get_hosted_zone(ACCOUNT, &z).unwrap().record_count, 3);
    }

    #[test]
    fn a_batch_is_all_or_nothing_and_reports_every_error() {
        let mut w = World::default();
        let z = zone(&mut w);
        w.take_changes().unwrap();
        let e = apply(
            &mut w,
            &z,
            vec![
                change(ChangeAction::Create, a("ok.example.com", &["192.0.2.1"])),
                change(ChangeAction::Create, a("bad.example.com", &["192.0.2.300"])),
                change(ChangeAction::Create, a("www.other.com", &["192.0.2.1"])),
                change(ChangeAction::Delete, a("gone.example.com", &["192.0.2.1"])),
            ],
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "[Invalid Resource Record: FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '192.0.2.300', \
             RRSet with DNS name www.other.com. is not permitted in zone example.com., \
             Tried to delete resource record set [name='gone.example.com.', type='A'] but it was not found]"
        );
        assert_eq!(names_and_types(&w, &z).len(), 2, "nothing was written");
    }

    #[test]
    fn delete_must_match_and_delete_then_create_replaces() {
        let mut w = World::default();
        let z = zone(&mut w);
        apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Create, a("x.example.com", &["192.0.2.1", "192.0.2.2"]))],
        )
        .unwrap();
        let e = apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Delete, a("x.example.com", &["192.0.2.1"]))],
        )
        .unwrap_err();
        assert!(
            e.message.contains("but the values provided do not match the current values"),
            "{}",
            e.message
        );
        apply(
            &mut w,
            &z,
            vec![
                change(ChangeAction::Delete, a("x.example.com", &["192.0.2.2", "192.0.2.1"])),
                change(ChangeAction::Create, a("x.example.com", &["192.0.2.9"])),
            ],
        )
        .unwrap();
        let set = w.record_sets_of_zone(&z).find(|r| r.name == "x.example.com.").unwrap();
        assert_eq!(set.records, ["192.0.2.9"]);
        assert_eq!(set.data(), [record::RecordData::A("192.0.2.9".parse().unwrap())]);
    }

    #[test]
    fn cname_rules() {
        let mut w = World::default();
        let z = zone(&mut w);
        let cname = |name: &str| RecordSetInput {
            name: name.into(),
            rtype: "CNAME".into(),
            ttl: Some(60),
            records: vec!["target.example.net".into()],
            ..Default::default()
        };
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, cname("example.com"))])
            .unwrap_err();
        assert_eq!(
            e.message,
            "[RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com.]"
        );
        apply(&mut w, &z, vec![change(ChangeAction::Create, a("w.example.com", &["192.0.2.1"]))])
            .unwrap();
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, cname("w.example.com"))])
            .unwrap_err();
        assert_eq!(
            e.message,
            "[RRSet of type CNAME with DNS name w.example.com. is not permitted as it conflicts with other records with the same DNS name in zone example.com.]"
        );
    }

    #[test]
    fn apex_soa_and_ns_can_be_upserted_not_deleted() {
        let mut w = World::default();
        let z = zone(&mut w);
        let soa = w.record_sets_of_zone(&z).find(|r| r.rtype == "SOA").unwrap().clone();
        let input = RecordSetInput {
            name: soa.name.clone(),
            rtype: "SOA".into(),
            ttl: Some(60),
            records: soa.records.clone(),
            ..Default::default()
        };
        let e = apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Delete, RecordSetInput { ttl: Some(900), ..input.clone() })],
        )
        .unwrap_err();
        assert_eq!(e.message, "[A HostedZone must contain exactly one SOA record.]");
        apply(&mut w, &z, vec![change(ChangeAction::Upsert, input)]).unwrap();
        assert_eq!(w.record_sets_of_zone(&z).find(|r| r.rtype == "SOA").unwrap().ttl, Some(60));
    }

    #[test]
    fn malformed_changes_fail_at_once_with_invalid_input() {
        let mut w = World::default();
        let z = zone(&mut w);
        let no_ttl = RecordSetInput { ttl: None, records: vec![], ..a("x.example.com", &[]) };
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, no_ttl)]).unwrap_err();
        assert_eq!(e.code, "InvalidInput");
        assert!(e.message.contains("but found none in Change with [Action=CREATE, Name=x.example.com, Type=A, SetIdentifier=null]"));
        let weighted = RecordSetInput { weight: Some(10), ..a("x.example.com", &["192.0.2.1"]) };
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, weighted)]).unwrap_err();
        assert!(e.message.contains("Missing field 'SetIdentifier'"), "{}", e.message);
        let heavy = RecordSetInput {
            weight: Some(256),
            set_identifier: Some("a".into()),
            ..a("x.example.com", &["192.0.2.1"])
        };
        assert_eq!(
            apply(&mut w, &z, vec![change(ChangeAction::Create, heavy)]).unwrap_err().code,
            "InvalidInput"
        );
        let checked = RecordSetInput {
            health_check_id: Some("nope".into()),
            ..a("x.example.com", &["192.0.2.1"])
        };
        assert_eq!(
            apply(&mut w, &z, vec![change(ChangeAction::Create, checked)]).unwrap_err().code,
            "NoSuchHealthCheck"
        );
    }

    #[test]
    fn routing_policies_must_agree_per_name_and_type() {
        let mut w = World::default();
        let z = zone(&mut w);
        let weighted = |id: &str, weight| RecordSetInput {
            weight: Some(weight),
            set_identifier: Some(id.into()),
            ..a("w.example.com", &["192.0.2.1"])
        };
        apply(
            &mut w,
            &z,
            vec![
                change(ChangeAction::Create, weighted("one", 1)),
                change(ChangeAction::Create, weighted("two", 3)),
            ],
        )
        .unwrap();
        let e = apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Create, a("w.example.com", &["192.0.2.3"]))],
        )
        .unwrap_err();
        assert!(
            e.message.contains(
                "type A cannot be created as other RRSets exist with the same name and type."
            ),
            "{}",
            e.message
        );
        let failover = |id: &str| RecordSetInput {
            failover: Some("PRIMARY".into()),
            set_identifier: Some(id.into()),
            ..a("f.example.com", &["192.0.2.1"])
        };
        let e = apply(
            &mut w,
            &z,
            vec![
                change(ChangeAction::Create, failover("p1")),
                change(ChangeAction::Create, failover("p2")),
            ],
        )
        .unwrap_err();
        assert!(e.message.contains("more than one PRIMARY"), "{}", e.message);
        let geo = RecordSetInput {
            geo_location: Some(record::GeoLocation {
                country_code: Some("XX".into()),
                ..Default::default()
            }),
            set_identifier: Some("g".into()),
            ..a("g.example.com", &["192.0.2.1"])
        };
        assert_eq!(
            apply(&mut w, &z, vec![change(ChangeAction::Create, geo)]).unwrap_err().code,
            "InvalidInput"
        );
    }

    #[test]
    fn aliases_need_their_target() {
        let mut w = World::default();
        let z = zone(&mut w);
        let alias = |target: &str| RecordSetInput {
            name: "alias.example.com".into(),
            rtype: "A".into(),
            alias: Some(AliasTarget {
                hosted_zone_id: z.clone(),
                dns_name: target.into(),
                evaluate_target_health: false,
            }),
            ..Default::default()
        };
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, alias("www.example.com"))])
            .unwrap_err();
        assert_eq!(
            e.message,
            format!(
                "[Tried to create an alias that targets www.example.com., type A in zone {z}, but that target was not found]"
            )
        );
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, alias("www.example.org"))])
            .unwrap_err();
        assert!(e.message.contains("does not lie within the target zone"));
        apply(
            &mut w,
            &z,
            vec![
                change(ChangeAction::Create, alias("www.example.com")),
                change(ChangeAction::Create, a("www.example.com", &["192.0.2.1"])),
            ],
        )
        .unwrap();
        let elb = RecordSetInput {
            alias: Some(AliasTarget {
                hosted_zone_id: "Z35SXDOTRQ7X7K".into(),
                dns_name: "dualstack.missing-1.us-east-1.elb.amazonaws.com".into(),
                evaluate_target_health: true,
            }),
            ..alias("")
        };
        let e = apply(&mut w, &z, vec![change(ChangeAction::Upsert, elb)]).unwrap_err();
        assert!(e.message.contains("but that target was not found"));
    }

    #[test]
    fn listing_follows_reversed_names_then_types_and_pages() {
        let mut w = World::default();
        let z = zone(&mut w);
        let mut changes = vec![];
        for name in ["b.example.com", "a.b.example.com", "*.example.com", "z.example.com"] {
            changes.push(change(ChangeAction::Create, a(name, &["192.0.2.1"])));
        }
        changes.push(change(
            ChangeAction::Create,
            RecordSetInput {
                rtype: "TXT".into(),
                records: vec!["\"hi\"".into()],
                ..a("b.example.com", &[])
            },
        ));
        apply(&mut w, &z, changes).unwrap();
        let all: Vec<(String, String)> = names_and_types(&w, &z);
        let expected = [
            ("example.com.", "NS"),
            ("example.com.", "SOA"),
            ("\\052.example.com.", "A"),
            ("b.example.com.", "A"),
            ("b.example.com.", "TXT"),
            ("a.b.example.com.", "A"),
            ("z.example.com.", "A"),
        ];
        assert_eq!(all, expected.map(|(n, t)| (n.to_owned(), t.to_owned())));
        let page =
            w.list_resource_record_sets(ACCOUNT, &z, &RecordStart::default(), Some(3)).unwrap();
        assert_eq!(page.records.len(), 3);
        let next = page.next.unwrap();
        assert_eq!(
            (next.name.as_deref(), next.rtype.as_deref()),
            (Some("b.example.com."), Some("A"))
        );
        let page = w.list_resource_record_sets(ACCOUNT, &z, &next, Some(3)).unwrap();
        assert_eq!(page.records[1].rtype, "TXT");
        let from_type = RecordStart {
            name: Some("b.example.com".into()),
            rtype: Some("TXT".into()),
            identifier: None,
        };
        let page = w.list_resource_record_sets(ACCOUNT, &z, &from_type, None).unwrap();
        assert_eq!(page.records.len(), 3);
        assert!(page.next.is_none());
        assert_eq!(page.max_items, 300);
    }

    #[test]
    fn a_zone_with_records_cannot_be_deleted() {
        let mut w = World::default();
        let z = zone(&mut w);
        apply(&mut w, &z, vec![change(ChangeAction::Create, a("x.example.com", &["192.0.2.1"]))])
            .unwrap();
        assert_eq!(w.delete_hosted_zone(ACCOUNT, &z, 3).unwrap_err().code, "HostedZoneNotEmpty");
        apply(&mut w, &z, vec![change(ChangeAction::Delete, a("x.example.com", &["192.0.2.1"]))])
            .unwrap();
        w.delete_hosted_zone(ACCOUNT, &z, 3).unwrap();
        assert_eq!(w.get_hosted_zone(ACCOUNT, &z).unwrap_err().code, "NoSuchHostedZone");
        assert_eq!(w.record_sets_of_zone(&z).count(), 0);
    }

    #[test]
    fn zones_are_idempotent_by_caller_reference_and_listed_by_name() {
        let mut w = World::default();
        zone(&mut w);
        let again = NewHostedZone {
            name: "other.com".into(),
            caller_reference: "ref-1".into(),
            ..Default::default()
        };
        assert_eq!(
            w.create_hosted_zone(ACCOUNT, again, 1).unwrap_err().code,
            "HostedZoneAlreadyExists"
        );
        for (name, r) in [("a.example.com", "r2"), ("example.net", "r3"), ("example.com", "r4")] {
            let req = NewHostedZone {
                name: name.into(),
                caller_reference: r.into(),
                ..Default::default()
            };
            w.create_hosted_zone(ACCOUNT, req, 1).unwrap();
        }
        let page = w.list_hosted_zones_by_name(ACCOUNT, None, None, Some(3)).unwrap();
        let names: Vec<&str> = page.items.iter().map(|z| z.name.as_str()).collect();
        assert_eq!(names, ["example.com.", "example.com.", "a.example.com."]);
        let (next_name, next_id) = page.next.unwrap();
        assert_eq!(next_name, "example.net.");
        let rest =
            w.list_hosted_zones_by_name(ACCOUNT, Some(&next_name), Some(&next_id), None).unwrap();
        assert_eq!(rest.items.len(), 1);
        assert_eq!(w.hosted_zone_count(ACCOUNT), 4);
        let page = w.list_hosted_zones(ACCOUNT, None, Some(2), None, None).unwrap();
        let next = page.next_marker.clone().unwrap();
        let rest = w.list_hosted_zones(ACCOUNT, Some(&next), Some(2), None, None).unwrap();
        assert_eq!(rest.items.len(), 2);
        assert!(!rest.is_truncated());
    }

    #[test]
    fn private_zones_need_an_existing_vpc_and_keep_one() {
        let (mut w, scope, vpc) = world_with_vpc();
        let zv = ZoneVpc { region: scope.region.clone(), vpc_id: vpc.clone() };
        let private = |r: &str, v: Option<ZoneVpc>| NewHostedZone {
            name: "internal.example".into(),
            caller_reference: r.into(),
            private: true,
            vpc: v,
            ..Default::default()
        };
        assert_eq!(
            w.create_hosted_zone(ACCOUNT, private("p0", None), 1).unwrap_err().code,
            "InvalidInput"
        );
        let wrong = ZoneVpc { region: "eu-west-1".into(), vpc_id: vpc.clone() };
        assert_eq!(
            w.create_hosted_zone(ACCOUNT, private("p1", Some(wrong)), 1).unwrap_err().code,
            "InvalidVPCId"
        );
        let (z, _) = w.create_hosted_zone(ACCOUNT, private("p2", Some(zv.clone())), 1).unwrap();
        assert!(z.private);
        assert_eq!(z.name_servers[0], "ns-1536.awsdns-00.co.uk.");
        let e = w.create_hosted_zone(ACCOUNT, private("p3", Some(zv.clone())), 1).unwrap_err();
        assert_eq!(e.code, "ConflictingDomainExists");
        assert_eq!(
            w.disassociate_vpc_from_hosted_zone(ACCOUNT, &z.id, &zv, None, 2).unwrap_err().code,
            "LastVPCAssociation"
        );
        let listed = w.list_hosted_zones_by_vpc(ACCOUNT, &zv, None, None).unwrap();
        assert_eq!(listed.items.len(), 1);
        let public = zone(&mut w);
        assert_eq!(
            w.associate_vpc_with_hosted_zone(ACCOUNT, &public, zv.clone(), None, 2)
                .unwrap_err()
                .code,
            "PublicZoneVPCAssociation"
        );
        // Only the VPC's owner associates it: to another account, the VPC is as missing.
        assert_eq!(
            w.associate_vpc_with_hosted_zone("111111111111", &z.id, zv, None, 2).unwrap_err().code,
            "InvalidVPCId"
        );
    }

    #[test]
    fn another_accounts_vpc_joins_a_private_zone_only_when_authorized() {
        let (mut w, scope, vpc) = world_with_vpc();
        let other = Scope::new("111111111111", scope.region.clone());
        w.ensure_scope(&other).unwrap();
        let theirs = w
            .create_vpc(
                &other,
                crate::vpc::NewVpc { cidr: Some("10.9.0.0/16".into()), ..Default::default() },
            )
            .unwrap();
        let zv = |id: &str| ZoneVpc { region: scope.region.clone(), vpc_id: id.into() };
        let req = NewHostedZone {
            name: "internal.example".into(),
            caller_reference: "p".into(),
            private: true,
            vpc: Some(zv(&vpc)),
            ..Default::default()
        };
        let (z, _) = w.create_hosted_zone(ACCOUNT, req, 1).unwrap();
        let code = |r: Result<Change>| r.unwrap_err().code;
        // Unauthorized: AWS says so (rather than that the zone does not exist).
        let e = w.associate_vpc_with_hosted_zone(&other.account, &z.id, zv(&theirs), None, 2);
        assert_eq!(code(e), "NotAuthorizedException");
        // The zone's owner cannot associate the other account's VPC itself.
        let e = w.associate_vpc_with_hosted_zone(ACCOUNT, &z.id, zv(&theirs), None, 2);
        assert_eq!(code(e), "InvalidVPCId");
        // Not associated: to the zone's owner the other account's VPC is as missing, and to
        // the VPC's owner the zone is.
        let e = w.disassociate_vpc_from_hosted_zone(ACCOUNT, &z.id, &zv(&theirs), None, 2);
        assert_eq!(code(e), "InvalidVPCId");
        let e = w.disassociate_vpc_from_hosted_zone(&other.account, &z.id, &zv(&theirs), None, 2);
        assert_eq!(code(e), "NoSuchHostedZone");

        w.create_vpc_association_authorization(ACCOUNT, &z.id, zv(&theirs)).unwrap();
        w.associate_vpc_with_hosted_zone(&other.account, &z.id, zv(&theirs), None, 2).unwrap();
        let listed = w.list_hosted_zones_by_vpc(&other.account, &zv(&theirs), None, None).unwrap();
        assert_eq!(listed.items.iter().map(|z| z.id.as_str()).collect::<Vec<_>>(), [z.id.as_str()]);
        // The zone itself stays its owner's.
        assert_eq!(w.get_hosted_zone(&other.account, &z.id).unwrap_err().code, "NoSuchHostedZone");
        // Either side may take the association apart.
        w.disassociate_vpc_from_hosted_zone(&other.account, &z.id, &zv(&theirs), None, 3).unwrap();
        w.associate_vpc_with_hosted_zone(&other.account, &z.id, zv(&theirs), None, 4).unwrap();
        w.disassociate_vpc_from_hosted_zone(ACCOUNT, &z.id, &zv(&theirs), None, 5).unwrap();
        // Listing by another account's VPC: as missing.
        let e = w.list_hosted_zones_by_vpc(ACCOUNT, &zv(&theirs), None, None).unwrap_err();
        assert_eq!(e.code, "InvalidVPCId");
    }

    #[test]
    fn a_change_is_shown_to_its_account_only() {
        let mut w = World::default();
        let z = zone(&mut w);
        let c = apply(
            &mut w,
            &z,
            vec![change(ChangeAction::Create, a("www.example.com", &["192.0.2.1"]))],
        )
        .unwrap();
        assert_eq!(w.get_change(ACCOUNT, &c.id).unwrap().id, c.id);
        assert_eq!(w.get_change("111111111111", &c.id).unwrap_err().code, "NoSuchChange");
    }

    #[test]
    fn records_route_by_cidr_collections_of_their_own_account_only() {
        let mut w = World::default();
        let z = zone(&mut w);
        let theirs = w.create_cidr_collection("111111111111", "offices", "cc").unwrap().id;
        let mut set = a("www.example.com", &["192.0.2.1"]);
        set.set_identifier = Some("hq".into());
        set.cidr_routing = Some((theirs, "*".into()));
        let e = apply(&mut w, &z, vec![change(ChangeAction::Create, set)]).unwrap_err();
        assert_eq!(e.code, "NoSuchCidrCollectionException");
    }
}
