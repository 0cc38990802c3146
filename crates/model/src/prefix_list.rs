//! Prefix lists: named sets of CIDR blocks that routes and security group rules can refer to.
//!
//! The AWS-managed lists of each region (S3, DynamoDB, CloudFront's origin-facing servers) are
//! static data: the same in every account, with ids derived from their names so they never
//! change between runs.
//!
//! Customer-managed lists ([`CustomerPrefixList`]) belong to one account and region and are
//! versioned: every change of their entries stores a new version, and a modification may name
//! the version it expects ([`World::modify_managed_prefix_list`]). A route or security group
//! rule that references a list counts as many routes or rules as the list's `MaxEntries`
//! ([`World::prefix_list_weight`]), so resizing a referenced list can fail, as deleting one
//! does: AWS accepts both calls and leaves the list `modify-failed` / `delete-failed` with a
//! state message naming the resources in the way.

use crate::cidr::{Cidr, Ipv4Cidr, Ipv6Cidr};
use crate::error::{Error, Result};
use crate::kinds;
pub use crate::types::ec2::prefix_list::*;
use crate::types::ec2::{RouteDestination, RouteOrigin, RulePeer};
use crate::world::{Scope, World};
use codes::Ec2;

/// The owner AWS reports for its own lists.
pub const AWS_OWNER: &str = "AWS";

/// `pl-` and eight hex digits of the FNV-1a hash of the list's name.
pub fn id_for(name: &str) -> String {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("pl-{h:08x}")
}

/// A second, independent hash of a name, for picking per-region address ranges.
fn spread(name: &str) -> u32 {
    name.bytes().fold(5381u32, |h, b| h.wrapping_mul(33) ^ u32::from(b))
}

fn cidrs(list: &[&str]) -> Vec<Ipv4Cidr> {
    list.iter().filter_map(|c| Ipv4Cidr::parse(c, true)).collect()
}

/// Blocks of the S3 list: the published us-east-1 ranges there, elsewhere blocks drawn from
/// Amazon's 52.92.0.0/14 and 3.5.0.0/16 space by region.
fn s3_cidrs(region: &str) -> Vec<Ipv4Cidr> {
    if region == "us-east-1" {
        return cidrs(&[
            "3.5.0.0/19",
            "16.182.0.0/16",
            "18.34.0.0/19",
            "52.216.0.0/15",
            "54.231.0.0/16",
        ]);
    }
    let n = spread(region);
    let a = format!("52.{}.{}.0/22", 92 + (n % 4), ((n >> 2) % 64) * 4);
    let b = format!("3.5.{}.0/21", ((n >> 8) % 32) * 8);
    let c = format!("16.{}.0.0/16", 12 + ((n >> 13) % 16));
    cidrs(&[a.as_str(), b.as_str(), c.as_str()])
}

/// Blocks of the DynamoDB list, as for S3 but from 52.94.0.0/16 and 3.218.0.0/16.
fn dynamodb_cidrs(region: &str) -> Vec<Ipv4Cidr> {
    if region == "us-east-1" {
        return cidrs(&["3.218.180.0/22", "3.218.184.0/22", "52.94.0.0/22", "52.119.224.0/20"]);
    }
    let n = spread(region);
    let a = format!("52.94.{}.0/22", 8 + ((n % 60) * 4));
    let b = format!("3.218.{}.0/22", ((n >> 6) % 44) * 4);
    cidrs(&[a.as_str(), b.as_str()])
}

/// CloudFront's origin-facing servers (a global list).
const CLOUDFRONT_ORIGIN_FACING: &[&str] = &[
    "13.32.0.0/15",
    "18.160.0.0/15",
    "54.192.0.0/16",
    "99.86.0.0/16",
    "108.156.0.0/14",
    "130.176.0.0/17",
    "204.246.168.0/22",
    "205.251.252.0/23",
];

/// The AWS-managed prefix lists visible in `region`, in id order.
pub fn aws_managed(region: &str) -> Vec<ManagedPrefixList> {
    let make = |name: String, cidrs: Vec<Ipv4Cidr>, weight: usize| ManagedPrefixList {
        id: id_for(&name),
        name,
        address_family: "IPv4",
        cidrs,
        weight,
    };
    let mut lists = vec![
        make(format!("com.amazonaws.{region}.s3"), s3_cidrs(region), 1),
        make(format!("com.amazonaws.{region}.dynamodb"), dynamodb_cidrs(region), 1),
        make(
            "com.amazonaws.global.cloudfront.origin-facing".into(),
            cidrs(CLOUDFRONT_ORIGIN_FACING),
            55,
        ),
    ];
    lists.sort_by(|a, b| a.id.cmp(&b.id));
    lists
}

/// One AWS-managed list of `region` by id.
pub fn find_aws_managed(region: &str, id: &str) -> Option<ManagedPrefixList> {
    aws_managed(region).into_iter().find(|p| p.id == id)
}

/// The most entries a list may be sized for, and the most changes one request may carry.
pub const MAX_ENTRIES: i32 = 1000;
pub const MAX_ENTRIES_PER_REQUEST: usize = 100;

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::missing_parameter("PrefixListName"));
    }
    if name.chars().count() > 255 {
        return Err(Error::invalid_parameter_value(
            "The prefix list name cannot be longer than 255 characters.",
        ));
    }
    if name.starts_with("com.amazonaws") {
        return Err(Error::invalid_parameter_value(format!(
            "The prefix list name '{name}' is not valid. Names that start with com.amazonaws are reserved."
        )));
    }
    Ok(())
}

fn check_max_entries(n: i32) -> Result<usize> {
    if (1..=MAX_ENTRIES).contains(&n) {
        usize::try_from(n).map_err(|_| Error::internal("max entries"))
    } else {
        Err(Error::invalid_parameter_value(format!(
            "Must specify a max size between 1 and {MAX_ENTRIES}"
        )))
    }
}

fn too_many_changes() -> Error {
    Error::invalid_parameter_value(format!(
        "The number of entries per request cannot exceeds limit ({MAX_ENTRIES_PER_REQUEST})."
    ))
}

fn max_entries_exceeded(max: usize) -> Error {
    Error::new(
        Ec2::PrefixListMaxEntriesExceeded,
        format!("The prefix list has exceeded its maximum number of entries ({max})."),
    )
}

fn parse_cidr(family: AddressFamily, c: &str) -> Result<Cidr> {
    let parsed = match family {
        AddressFamily::IPv4 => Ipv4Cidr::parse(c, false).map(Cidr::V4),
        AddressFamily::IPv6 => Ipv6Cidr::parse(c, false).map(Cidr::V6),
    };
    parsed.ok_or_else(|| {
        let other = match family {
            AddressFamily::IPv4 => Ipv6Cidr::parse(c, false).is_some(),
            AddressFamily::IPv6 => Ipv4Cidr::parse(c, false).is_some(),
        };
        if other {
            Error::invalid_parameter_value(format!(
                "The CIDR {c} does not match the address family ({}) of the prefix list.",
                family.as_str()
            ))
        } else {
            Error::invalid_parameter_value(format!("The CIDR {c} is not valid."))
        }
    })
}

/// Parses entries to add; duplicates within the request are refused.
fn parse_entries(family: AddressFamily, given: &[(String, Option<String>)]) -> Result<Vec<Entry>> {
    let mut out: Vec<Entry> = Vec::with_capacity(given.len());
    for (c, description) in given {
        let cidr = parse_cidr(family, c)?;
        if let Some(d) = description
            && d.chars().count() > 255
        {
            return Err(Error::invalid_parameter_value(
                "The prefix list entry description cannot be longer than 255 characters.",
            ));
        }
        if out.iter().any(|e| e.cidr == cidr) {
            return Err(Error::invalid_parameter_value(format!(
                "Request cannot contain duplicate Cidr {cidr}"
            )));
        }
        out.push(Entry { cidr, description: description.clone().filter(|d| !d.is_empty()) });
    }
    Ok(out)
}

impl World {
    /// A customer-managed list of `scope`, with AWS's Malformed and NotFound errors; an
    /// AWS-managed list cannot be changed by its users.
    pub fn find_customer_prefix_list(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&CustomerPrefixList> {
        if find_aws_managed(&scope.region, id).is_some() {
            return Err(Error::new(
                Ec2::InvalidPrefixListModification,
                format!("The prefix list {id} is managed by AWS and cannot be modified."),
            ));
        }
        self.prefix_lists.find(&kinds::PREFIX_LIST, scope, id)
    }

    fn customer_prefix_list_mut(
        &mut self,
        scope: &Scope,
        id: &str,
    ) -> Result<&mut CustomerPrefixList> {
        self.find_customer_prefix_list(scope, id)?;
        self.prefix_lists.find_mut(&kinds::PREFIX_LIST, scope, id)
    }

    /// The list `id` as `scope` may use it in a route or rule: one of its own lists or an
    /// AWS-managed list of its region.
    pub fn resolve_prefix_list(&self, scope: &Scope, id: &str) -> Option<Resolved> {
        if let Some(p) = find_aws_managed(&scope.region, id) {
            return Some(Resolved {
                cidrs: p.cidrs.into_iter().map(Cidr::V4).collect(),
                weight: p.weight,
            });
        }
        let p = self.prefix_lists.get(id).filter(|p| &p.owner == scope)?;
        Some(Resolved { cidrs: p.cidrs().collect(), weight: p.max_entries })
    }

    /// How many routes or rules a reference to the list counts as: a customer list's
    /// `MaxEntries`, an AWS-managed list's published weight (1 for a list not known).
    pub fn prefix_list_weight(&self, scope: &Scope, id: &str) -> usize {
        self.resolve_prefix_list(scope, id).map_or(1, |p| p.weight)
    }

    /// CreateManagedPrefixList. A repeated client token answers with the list it created.
    pub fn create_managed_prefix_list(
        &mut self,
        scope: &Scope,
        req: NewPrefixList,
    ) -> Result<String> {
        if let Some(token) = &req.client_token
            && let Some(p) =
                self.prefix_lists.in_scope(scope).find(|p| p.client_token.as_ref() == Some(token))
        {
            return Ok(p.id.clone());
        }
        crate::tags::validate(&req.tags)?;
        check_name(&req.name)?;
        let family = AddressFamily::parse(&req.address_family).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "Value ({}) for parameter addressFamily is invalid. Valid values are IPv4 and IPv6.",
                req.address_family
            ))
        })?;
        let max_entries = check_max_entries(req.max_entries)?;
        if req.entries.len() > MAX_ENTRIES_PER_REQUEST {
            return Err(too_many_changes());
        }
        let entries = parse_entries(family, &req.entries)?;
        if entries.len() > max_entries {
            return Err(max_entries_exceeded(max_entries));
        }
        if self.prefix_lists.reaches(scope, self.quotas.prefix_lists_per_region) {
            return Err(Error::quota(
                "prefix_lists_per_region",
                Ec2::PrefixListLimitExceeded,
                "The maximum number of prefix lists has been reached.",
            ));
        }
        let id = self.fresh_id("pl");
        let mut list = CustomerPrefixList {
            id: id.clone(),
            owner: scope.clone(),
            name: req.name,
            address_family: family,
            max_entries,
            state: State::CreateComplete,
            state_message: None,
            versions: vec![],
            client_token: req.client_token,
            tags: req.tags.into_iter().collect(),
        };
        list.push_version(entries);
        self.prefix_lists.insert(id.clone(), list);
        Ok(id)
    }

    /// ModifyManagedPrefixList: a new name, or a new size, or entries added and removed (a
    /// new version). Growing a list that a route table or group cannot hold at the new size
    /// fails the way AWS fails it: the list is left `modify-failed`, unchanged.
    pub fn modify_managed_prefix_list(
        &mut self,
        scope: &Scope,
        id: &str,
        change: PrefixListChange,
    ) -> Result<()> {
        let list = self.find_customer_prefix_list(scope, id)?;
        if let Some(v) = change.current_version
            && v != list.version()
        {
            return Err(Error::new(
                Ec2::PrefixListVersionMismatch,
                "The prefix list has the incorrect version number.",
            ));
        }
        let changes_entries = !change.add.is_empty() || !change.remove.is_empty();
        if changes_entries && change.max_entries.is_some() {
            return Err(Error::invalid_combination(
                "You cannot modify the entries and the maximum entries for the prefix list in the same request.",
            ));
        }
        if let Some(name) = &change.name {
            check_name(name)?;
        }
        if change.add.len() > MAX_ENTRIES_PER_REQUEST
            || change.remove.len() > MAX_ENTRIES_PER_REQUEST
        {
            return Err(too_many_changes());
        }
        let family = list.address_family;
        let added = parse_entries(family, &change.add)?;
        let mut removed = Vec::with_capacity(change.remove.len());
        for c in &change.remove {
            let cidr = parse_cidr(family, c)?;
            if added.iter().any(|e| e.cidr == cidr) {
                return Err(Error::invalid_parameter_value(format!(
                    "Request cannot contain Cidr {cidr} in both AddPrefixListEntries and RemovePrefixListEntries"
                )));
            }
            if !list.entries().iter().any(|e| e.cidr == cidr) {
                return Err(Error::new(
                    Ec2::InvalidPrefixListModification,
                    format!("The prefix list entry {cidr} does not exist."),
                ));
            }
            removed.push(cidr);
        }
        if let Some(e) = added.iter().find(|e| list.entries().iter().any(|x| x.cidr == e.cidr)) {
            return Err(Error::new(
                Ec2::InvalidPrefixListModification,
                format!("The prefix list entry {} already exists.", e.cidr),
            ));
        }
        let new_max = change.max_entries.map(check_max_entries).transpose()?;
        if let Some(max) = new_max
            && max < list.entries().len()
        {
            return Err(Error::invalid_parameter_value(format!(
                "The maximum number of entries ({max}) cannot be less than the number of entries in the prefix list ({}).",
                list.entries().len()
            )));
        }
        let entries: Vec<Entry> = list
            .entries()
            .iter()
            .filter(|e| !removed.contains(&e.cidr))
            .cloned()
            .chain(added)
            .collect();
        if entries.len() > list.max_entries {
            return Err(max_entries_exceeded(list.max_entries));
        }
        let blocked = match new_max {
            Some(max) if max > list.max_entries => self.cannot_hold(scope, id, max),
            _ => vec![],
        };
        let list = self.customer_prefix_list_mut(scope, id)?;
        if !blocked.is_empty() {
            list.state = State::ModifyFailed;
            list.state_message = Some(format!(
                "The following resources cannot support the new maximum number of entries: {}",
                blocked.join(", ")
            ));
            return Ok(());
        }
        if let Some(name) = change.name {
            list.name = name;
        }
        if let Some(max) = new_max {
            list.max_entries = max;
        }
        if changes_entries {
            list.push_version(entries);
        }
        list.state = State::ModifyComplete;
        list.state_message = None;
        Ok(())
    }

    /// RestoreManagedPrefixListVersion: the entries of `previous` become a new version.
    pub fn restore_managed_prefix_list_version(
        &mut self,
        scope: &Scope,
        id: &str,
        previous: i64,
        current: i64,
    ) -> Result<()> {
        let list = self.find_customer_prefix_list(scope, id)?;
        if current != list.version() {
            return Err(Error::new(
                Ec2::PrefixListVersionMismatch,
                "The prefix list has the incorrect version number.",
            ));
        }
        if previous >= current {
            return Err(Error::invalid_parameter_value(format!(
                "The previous version ({previous}) must be lower than the current version ({current})."
            )));
        }
        let entries = list.entries_at(previous).map(<[Entry]>::to_vec).ok_or_else(|| {
            Error::invalid_parameter_value(format!(
                "The prefix list {id} has no version {previous}."
            ))
        })?;
        if entries.len() > list.max_entries {
            return Err(max_entries_exceeded(list.max_entries));
        }
        let list = self.customer_prefix_list_mut(scope, id)?;
        list.push_version(entries);
        list.state = State::RestoreComplete;
        list.state_message = None;
        Ok(())
    }

    /// DeleteManagedPrefixList. A list still referenced by a route or a rule is not deleted:
    /// as on AWS the call is accepted and the list is left `delete-failed`, naming (up to ten
    /// of) the resources that reference it. Returns the list as the answer shows it.
    pub fn delete_managed_prefix_list(
        &mut self,
        scope: &Scope,
        id: &str,
    ) -> Result<CustomerPrefixList> {
        self.find_customer_prefix_list(scope, id)?;
        let users = self.prefix_list_associations(scope, id);
        if users.is_empty() {
            let mut gone =
                self.prefix_lists.remove(id).ok_or_else(|| kinds::PREFIX_LIST.not_found(id))?;
            gone.state = State::DeleteComplete;
            return Ok(gone);
        }
        let list = self.customer_prefix_list_mut(scope, id)?;
        list.state = State::DeleteFailed;
        list.state_message = Some(format!(
            "The prefix list is referenced by the following resources: {}",
            users.iter().take(10).cloned().collect::<Vec<_>>().join(", ")
        ));
        Ok(list.clone())
    }

    /// The route tables and security groups of `scope` that reference the list, in id order.
    pub fn prefix_list_associations(&self, scope: &Scope, id: &str) -> Vec<String> {
        let tables = self
            .route_tables
            .in_scope(scope)
            .filter(|t| {
                t.routes
                    .iter()
                    .any(|r| matches!(&r.destination, RouteDestination::PrefixList(p) if p == id))
            })
            .map(|t| t.id.clone());
        let groups = self
            .security_groups
            .in_scope(scope)
            .filter(|g| {
                g.ingress
                    .iter()
                    .chain(&g.egress)
                    .any(|r| matches!(&r.peer, RulePeer::PrefixList(p) if p == id))
            })
            .map(|g| g.id.clone());
        let tgw_tables = self
            .transit_gateway_route_tables
            .in_scope(scope)
            .filter(|t| {
                t.is_live() && t.prefix_list_references.iter().any(|r| r.prefix_list_id == id)
            })
            .map(|t| t.id.clone());
        let mut out: Vec<String> = tables.chain(groups).chain(tgw_tables).collect();
        out.sort();
        out
    }

    /// The resources referencing list `id` that could not hold it at `max` entries: route
    /// tables over their route quota, groups over their rule quota in a direction.
    fn cannot_hold(&self, scope: &Scope, id: &str, max: usize) -> Vec<String> {
        let old = self.prefix_list_weight(scope, id);
        let grown = |weight: usize, references: usize| weight - references * old + references * max;
        let mut out = Vec::new();
        for t in self.route_tables.in_scope(scope) {
            let references = t
                .routes
                .iter()
                .filter(|r| matches!(&r.destination, RouteDestination::PrefixList(p) if p == id))
                .filter(|r| r.origin == RouteOrigin::CreateRoute)
                .count();
            if references > 0
                && grown(self.route_table_weight(t), references)
                    > self.quotas.routes_per_route_table
            {
                out.push(t.id.clone());
            }
        }
        for g in self.security_groups.in_scope(scope) {
            let fits = [&g.ingress, &g.egress].into_iter().all(|rules| {
                let references = rules
                    .iter()
                    .filter(|r| matches!(&r.peer, RulePeer::PrefixList(p) if p == id))
                    .count();
                references == 0
                    || [false, true].into_iter().all(|v6| {
                        grown(self.rules_weight(scope, rules.iter(), v6), references)
                            <= self.quotas.rules_per_security_group
                    })
            });
            if !fits {
                out.push(g.id.clone());
            }
        }
        out.sort();
        out.truncate(10);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(id_for("com.amazonaws.us-east-1.s3"), id_for("com.amazonaws.us-east-1.s3"));
        assert!(crate::ids::is_well_formed("pl", &id_for("x")));
        let east = aws_managed("us-east-1");
        let west = aws_managed("us-west-2");
        assert_eq!(east.len(), 3);
        assert!(east.iter().all(|p| !p.cidrs.is_empty()));
        // Regional lists differ by region; the CloudFront list is the same everywhere.
        let ids = |l: &[ManagedPrefixList]| l.iter().map(|p| p.id.clone()).collect::<Vec<_>>();
        let shared: Vec<String> =
            ids(&east).into_iter().filter(|id| ids(&west).contains(id)).collect();
        assert_eq!(shared, vec![id_for("com.amazonaws.global.cloudfront.origin-facing")]);
        assert!(find_aws_managed("eu-west-1", &id_for("com.amazonaws.eu-west-1.s3")).is_some());
        for region in ["eu-west-1", "ap-south-1", "sa-east-1"] {
            assert!(aws_managed(region).iter().all(|p| !p.cidrs.is_empty()), "{region}");
        }
    }
}

#[cfg(test)]
mod customer_tests {
    use super::*;
    use crate::route_table::{DestinationSpec, TargetSpec};
    use crate::security_group::{Direction, PeerRequest, RuleRequest};

    fn new(name: &str, max: i32, entries: &[&str]) -> NewPrefixList {
        NewPrefixList {
            name: name.into(),
            max_entries: max,
            address_family: "IPv4".into(),
            entries: entries.iter().map(|c| (c.to_string(), None)).collect(),
            ..Default::default()
        }
    }

    fn add(cidrs: &[&str]) -> PrefixListChange {
        PrefixListChange {
            add: cidrs.iter().map(|c| (c.to_string(), Some("d".into()))).collect(),
            ..Default::default()
        }
    }

    fn cidrs(p: &CustomerPrefixList) -> Vec<String> {
        p.cidrs().map(|c| c.to_string()).collect()
    }

    #[test]
    fn create_validates_and_is_idempotent() {
        let (mut w, scope, _) = crate::testkit::world_with_vpc();
        let id = w.create_managed_prefix_list(&scope, new("corp", 5, &["10.1.0.9/16"])).unwrap();
        let p = w.prefix_lists.get(&id).unwrap();
        assert!(crate::ids::is_well_formed("pl", &id));
        assert_eq!((p.version(), p.state), (1, State::CreateComplete));
        assert_eq!(cidrs(p), ["10.1.0.0/16"], "entries are canonicalised");
        assert_eq!(p.arn(), format!("arn:aws:ec2:us-east-1:123456789012:prefix-list/{id}"));

        let code = |w: &mut World, req| w.create_managed_prefix_list(&scope, req).unwrap_err().code;
        assert_eq!(code(&mut w, new("com.amazonaws.x", 5, &[])), "InvalidParameterValue");
        assert_eq!(code(&mut w, new("x", 0, &[])), "InvalidParameterValue");
        assert_eq!(code(&mut w, new("x", 1001, &[])), "InvalidParameterValue");
        assert_eq!(
            code(&mut w, new("x", 1, &["10.0.0.0/8", "11.0.0.0/8"])),
            "PrefixListMaxEntriesExceeded"
        );
        assert_eq!(code(&mut w, new("x", 5, &["2001:db8::/32"])), "InvalidParameterValue");
        assert_eq!(
            code(&mut w, new("x", 5, &["10.0.0.0/8", "10.0.0.0/8"])),
            "InvalidParameterValue"
        );
        let mut v6 = new("v6", 5, &["2001:db8::/32"]);
        v6.address_family = "IPv6".into();
        assert!(w.create_managed_prefix_list(&scope, v6).is_ok());
        let mut bad = new("x", 5, &[]);
        bad.address_family = "ipv4".into();
        assert_eq!(code(&mut w, bad), "InvalidParameterValue");

        let mut tok = new("t", 5, &[]);
        tok.client_token = Some("tok".into());
        let a = w.create_managed_prefix_list(&scope, tok.clone()).unwrap();
        assert_eq!(w.create_managed_prefix_list(&scope, tok).unwrap(), a);
    }

    #[test]
    fn modifications_make_versions_and_check_the_current_one() {
        let (mut w, scope, _) = crate::testkit::world_with_vpc();
        let id = w.create_managed_prefix_list(&scope, new("corp", 3, &["10.1.0.0/16"])).unwrap();
        // Renaming keeps the version.
        let rename = PrefixListChange { name: Some("corp2".into()), ..Default::default() };
        w.modify_managed_prefix_list(&scope, &id, rename).unwrap();
        assert_eq!(w.prefix_lists.get(&id).unwrap().version(), 1);

        let mut change = add(&["10.2.0.0/16"]);
        change.current_version = Some(1);
        w.modify_managed_prefix_list(&scope, &id, change.clone()).unwrap();
        let p = w.prefix_lists.get(&id).unwrap();
        assert_eq!((p.version(), p.state, p.name.as_str()), (2, State::ModifyComplete, "corp2"));
        assert_eq!(cidrs(p), ["10.1.0.0/16", "10.2.0.0/16"]);
        let err = |w: &mut World, c| w.modify_managed_prefix_list(&scope, &id, c).unwrap_err().code;
        assert_eq!(err(&mut w, change), "PrefixListVersionMismatch");
        assert_eq!(err(&mut w, add(&["10.2.0.0/16"])), "InvalidPrefixListModification");
        assert_eq!(
            err(&mut w, add(&["10.3.0.0/16", "10.4.0.0/16"])),
            "PrefixListMaxEntriesExceeded"
        );
        let remove_missing =
            PrefixListChange { remove: vec!["10.9.0.0/16".into()], ..Default::default() };
        assert_eq!(err(&mut w, remove_missing), "InvalidPrefixListModification");
        let both = PrefixListChange { remove: vec!["10.1.0.0/16".into()], ..add(&["10.1.0.0/16"]) };
        assert_eq!(err(&mut w, both), "InvalidParameterValue");
        let resize_and_add = PrefixListChange { max_entries: Some(10), ..add(&["10.5.0.0/16"]) };
        assert_eq!(err(&mut w, resize_and_add), "InvalidParameterCombination");
        let shrink = PrefixListChange { max_entries: Some(1), ..Default::default() };
        assert_eq!(err(&mut w, shrink), "InvalidParameterValue");

        // Remove one, then restore version 2.
        let remove = PrefixListChange { remove: vec!["10.1.0.0/16".into()], ..Default::default() };
        w.modify_managed_prefix_list(&scope, &id, remove).unwrap();
        let p = w.prefix_lists.get(&id).unwrap();
        assert_eq!((p.version(), cidrs(p)), (3, vec!["10.2.0.0/16".to_string()]));
        assert_eq!(
            w.restore_managed_prefix_list_version(&scope, &id, 2, 2).unwrap_err().code,
            "PrefixListVersionMismatch"
        );
        assert_eq!(
            w.restore_managed_prefix_list_version(&scope, &id, 9, 3).unwrap_err().code,
            "InvalidParameterValue"
        );
        w.restore_managed_prefix_list_version(&scope, &id, 2, 3).unwrap();
        let p = w.prefix_lists.get(&id).unwrap();
        assert_eq!((p.version(), p.state), (4, State::RestoreComplete));
        assert_eq!(cidrs(p), ["10.1.0.0/16", "10.2.0.0/16"]);
        assert_eq!(p.entries_at(1).unwrap().len(), 1);

        // AWS-managed lists are not the caller's to change.
        let s3 = id_for("com.amazonaws.us-east-1.s3");
        assert_eq!(
            w.modify_managed_prefix_list(&scope, &s3, add(&["1.0.0.0/8"])).unwrap_err().code,
            "InvalidPrefixListModification"
        );
        assert_eq!(
            w.delete_managed_prefix_list(&scope, "pl-0123456789abcdef0").unwrap_err().code,
            "InvalidPrefixListID.NotFound"
        );
        assert_eq!(
            w.delete_managed_prefix_list(&scope, "x-1").unwrap_err().code,
            "InvalidPrefixListId.Malformed"
        );
    }

    #[test]
    fn references_weigh_max_entries_and_block_resizing_and_deleting() {
        let (mut w, scope, vpc) = crate::testkit::world_with_vpc();
        w.quotas.routes_per_route_table = 9;
        w.quotas.rules_per_security_group = 10;
        let id = w.create_managed_prefix_list(&scope, new("corp", 8, &["10.1.0.0/16"])).unwrap();
        let rtb = w.create_route_table(&scope, &vpc, &[]).unwrap();
        let dest = DestinationSpec { prefix_list_id: Some(id.clone()), ..Default::default() };
        // (A target of a kind that is only shape-checked, so no gateway has to exist.)
        let pcx = TargetSpec {
            local_gateway_id: Some("lgw-0123456789abcdef0".into()),
            ..Default::default()
        };
        w.create_route(&scope, &rtb, &dest, &pcx).unwrap();
        assert_eq!(w.route_table_weight(w.route_tables.get(&rtb).unwrap()), 8);
        for (i, c) in ["10.7.0.0/16", "10.8.0.0/16"].iter().enumerate() {
            let d = DestinationSpec { cidr: Some(c.to_string()), ..Default::default() };
            let r = w.create_route(&scope, &rtb, &d, &pcx);
            assert_eq!(r.is_ok(), i == 0, "8 + 1 fits in 9, 8 + 2 does not");
        }

        let sg = w.create_security_group(&scope, "web", "web", Some(&vpc), &[]).unwrap();
        let rule = |peer| RuleRequest {
            protocol: "tcp".into(),
            from_port: Some(443),
            to_port: Some(443),
            peer,
            description: None,
        };
        w.authorize_security_group_rules(
            &scope,
            &sg,
            Direction::Ingress,
            &[rule(PeerRequest::PrefixList(id.clone()))],
            &[],
        )
        .unwrap();
        assert_eq!(
            w.authorize_security_group_rules(
                &scope,
                &sg,
                Direction::Ingress,
                &[
                    rule(PeerRequest::CidrV4("1.0.0.0/8".into())),
                    rule(PeerRequest::CidrV4("2.0.0.0/8".into())),
                    rule(PeerRequest::CidrV4("3.0.0.0/8".into()))
                ],
                &[]
            )
            .unwrap_err()
            .code,
            "RulesPerSecurityGroupLimitExceeded"
        );
        assert_eq!(
            w.authorize_security_group_rules(
                &scope,
                &sg,
                Direction::Ingress,
                &[rule(PeerRequest::PrefixList("pl-0123456789abcdef0".into()))],
                &[]
            )
            .unwrap_err()
            .code,
            "InvalidPrefixListID.NotFound"
        );
        assert_eq!(w.prefix_list_associations(&scope, &id), {
            let mut v = vec![rtb.clone(), sg.clone()];
            v.sort();
            v
        });

        // Growing to 9 no longer fits the table (9 + 1 route): modify-failed, unchanged.
        let grow = PrefixListChange { max_entries: Some(9), ..Default::default() };
        w.modify_managed_prefix_list(&scope, &id, grow).unwrap();
        let p = w.prefix_lists.get(&id).unwrap();
        assert_eq!((p.state, p.max_entries), (State::ModifyFailed, 8));
        assert!(p.state_message.as_deref().unwrap().contains(&rtb));
        w.quotas.routes_per_route_table = 10;
        let grow = PrefixListChange { max_entries: Some(9), ..Default::default() };
        w.modify_managed_prefix_list(&scope, &id, grow).unwrap();
        let p = w.prefix_lists.get(&id).unwrap();
        assert_eq!((p.state, p.max_entries), (State::ModifyComplete, 9));

        // Deleting while referenced leaves the list delete-failed.
        let shown = w.delete_managed_prefix_list(&scope, &id).unwrap();
        assert_eq!(shown.state, State::DeleteFailed);
        assert!(w.prefix_lists.get(&id).is_some());
        w.delete_route(&scope, &rtb, &dest).unwrap();
        w.revoke_security_group_rules(
            &scope,
            &sg,
            Direction::Ingress,
            &[rule(PeerRequest::PrefixList(id.clone()))],
        )
        .unwrap();
        assert_eq!(w.delete_managed_prefix_list(&scope, &id).unwrap().state, State::DeleteComplete);
        assert!(w.prefix_lists.get(&id).is_none());
        assert!(!w.prefix_list_exists(&scope, &id));
    }

    #[test]
    fn lists_resolve_only_in_their_scope() {
        let (mut w, scope, _) = crate::testkit::world_with_vpc();
        let id = w.create_managed_prefix_list(&scope, new("corp", 4, &["10.1.0.0/16"])).unwrap();
        let got = w.resolve_prefix_list(&scope, &id).unwrap();
        assert_eq!((got.weight, got.cidrs.len()), (4, 1));
        assert!(w.resolve_prefix_list(&Scope::new("210987654321", "us-east-1"), &id).is_none());
        assert!(w.resolve_prefix_list(&Scope::new("123456789012", "eu-west-1"), &id).is_none());
        let cf = id_for("com.amazonaws.global.cloudfront.origin-facing");
        assert_eq!(w.prefix_list_weight(&scope, &cf), 55);
        assert_eq!(w.tags_of(&id).map(|t| t.0), Some("prefix-list"));
    }
}
