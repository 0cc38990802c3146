//! Route 53: hosted zones, their record sets and the rules AWS checks when they change.
//!
//! Route 53 is a global service: every resource here belongs to an account, not to a region,
//! so the operations take the account id (`&str`) where the EC2 ones take a
//! [`Scope`](crate::Scope). Only VPC
//! references carry a region (a private zone is associated with a VPC *in a region*), and those
//! VPCs must exist in [`World::vpcs`].
//!
//! Storage is one table per kind: hosted zones ([`HostedZone`], keyed by `Z…` id), record sets
//! ([`RecordSet`], one row per set, keyed `<zone id> <reversed name> <type> <set id>` so that a
//! zone's rows are contiguous and already in ListResourceRecordSets order, and a change rewrites
//! only the sets it touches), changes ([`Change`], `C…`), health checks ([`HealthCheck`]),
//! reusable delegation sets ([`DelegationSet`], `N…`), query logging configs
//! ([`QueryLoggingConfig`]) and CIDR collections ([`CidrCollection`]). None of them is part of
//! the network the semantics engine sees, so they are listed in [`World::NOT_NETWORK`].
//!
//! Record values are kept in presentation form exactly as AWS echoes them back
//! ([`RecordSet::records`]); [`RecordSet::data`] gives them parsed ([`RecordData`]) for the DNS
//! answerer, which never parses the strings itself. Names are lower-case, fully qualified, with
//! special characters as octal escapes (`\052` for `*`), as ListResourceRecordSets returns them.
//!
//! Changes are applied at once and are `INSYNC` immediately. A change batch is all or nothing:
//! every error of the batch is collected and returned together as one `InvalidChangeBatch` whose
//! message is AWS's list `[msg1, msg2]`.
//!
//! Times are passed in (milliseconds since the epoch); nothing here reads a clock.
//!
//! # The API (methods on [`World`])
//!
//! Hosted zones ([`zone`]): [`World::create_hosted_zone`], [`World::get_hosted_zone`],
//! [`World::list_hosted_zones`], [`World::list_hosted_zones_by_name`],
//! [`World::list_hosted_zones_by_vpc`], [`World::hosted_zone_count`],
//! [`World::update_hosted_zone_comment`], [`World::delete_hosted_zone`],
//! [`World::associate_vpc_with_hosted_zone`], [`World::disassociate_vpc_from_hosted_zone`],
//! [`World::create_vpc_association_authorization`],
//! [`World::delete_vpc_association_authorization`],
//! [`World::list_vpc_association_authorizations`].
//!
//! Record sets ([`change_batch`], [`record`]): [`World::change_resource_record_sets`],
//! [`World::list_resource_record_sets`], [`World::record_sets_of_zone`].
//!
//! Changes: [`World::get_change`].
//!
//! Health checks ([`health_check`]): [`World::create_health_check`],
//! [`World::get_health_check`], [`World::update_health_check`], [`World::list_health_checks`],
//! [`World::health_check_count`], [`World::delete_health_check`].
//!
//! Delegation sets ([`delegation_set`]): [`World::create_reusable_delegation_set`],
//! [`World::get_reusable_delegation_set`], [`World::list_reusable_delegation_sets`],
//! [`World::delete_reusable_delegation_set`].
//!
//! Query logging ([`query_logging`]): [`World::create_query_logging_config`],
//! [`World::get_query_logging_config`], [`World::list_query_logging_configs`],
//! [`World::delete_query_logging_config`].
//!
//! CIDR collections ([`cidr_collection`]): [`World::create_cidr_collection`],
//! [`World::change_cidr_collection`], [`World::list_cidr_collections`],
//! [`World::list_cidr_locations`], [`World::list_cidr_blocks`],
//! [`World::delete_cidr_collection`].
//!
//! Tags ([`tags`]): [`World::change_tags_for_resource`], [`World::list_tags_for_resource`],
//! [`World::list_tags_for_resources`].
//!
//! Limits ([`limits`]): [`World::get_account_limit`], [`World::get_hosted_zone_limit`],
//! [`World::get_reusable_delegation_set_limit`].
//!
//! Geography ([`geo`]): [`geo::get_geo_location`], [`geo::list_geo_locations`], and the code
//! tables the DNS answerer uses to place clients.

pub mod change_batch;
pub mod cidr_collection;
pub mod delegation_set;
pub mod geo;
pub mod health_check;
pub mod limits;
pub mod query_logging;
pub mod tags;
pub mod zone;

pub use crate::types::route53::Change;
pub use crate::types::route53::{names, record};
pub use change_batch::{ChangeAction, RecordChange, RecordPage, RecordStart};
pub use cidr_collection::{CidrChange, CidrCollection};
pub use delegation_set::DelegationSet;
pub use health_check::{HealthCheck, HealthCheckConfig, HealthCheckInput, HealthCheckUpdate};
pub use query_logging::QueryLoggingConfig;
pub use record::{
    AliasTarget, GeoLocation, GeoProximity, RecordData, RecordSet, RecordSetInput, RoutingPolicy,
};
pub use tags::TagResourceType;
pub use zone::{HostedZone, NewHostedZone, ZoneVpc, ZonesByNamePage};

use crate::error::{Error, Result};
use crate::world::World;
use codes::Route53;

/// A page of a listing: the items, and the marker of the next page when there is one.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `NextMarker` / `NextToken`; `None` when this is the last page (`IsTruncated` false).
    pub next_marker: Option<String>,
}

impl<T> Page<T> {
    pub fn is_truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

/// The id of a hosted zone, change or delegation set without its `/hostedzone/`, `/change/` or
/// `/delegationset/` prefix (the API accepts both forms).
pub fn bare_id(id: &str) -> &str {
    id.rsplit_once('/').map_or(id, |(_, tail)| tail)
}

/// `InvalidInput` with a message.
pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
    Error::new(Route53::InvalidInput, message)
}

impl World {
    /// GetChange: a change of `account`'s by id (bare or `/change/C…`).
    pub fn get_change(&self, account: &str, id: &str) -> Result<&Change> {
        let id = bare_id(id);
        self.r53_changes.get(id).filter(|c| c.account == account).ok_or_else(|| {
            Error::new(
                Route53::NoSuchChange,
                format!("A change with the specified change ID does not exist: {id}"),
            )
        })
    }
}

/// One page of `items` (already in key order): those whose key is at or after `marker` (the
/// first key of the page, as Route 53's markers are), at most `max_items` (default and
/// ceiling `limit`); the next marker is the key of the first item left out.
pub(crate) fn page_after<T>(
    items: impl Iterator<Item = T>,
    key: impl Fn(&T) -> String,
    marker: Option<&str>,
    max_items: Option<usize>,
    limit: usize,
) -> Page<T> {
    let max = zone::clamp_max(max_items, limit);
    let mut rest = items.filter(|i| marker.is_none_or(|m| key(i).as_str() >= m));
    let items: Vec<T> = rest.by_ref().take(max).collect();
    let next_marker = rest.next().map(|i| key(&i));
    Page { items, next_marker }
}

/// A fresh UUID (version 4 form), for health checks, query logging configs and CIDR
/// collections.
pub(crate) fn new_uuid() -> String {
    let n = fastrand::u128(..);
    let h = format!("{n:032x}");
    let part = |a: usize, b: usize| h.get(a..b).unwrap_or("");
    format!("{}-{}-4{}-a{}-{}", part(0, 8), part(8, 12), part(13, 16), part(17, 20), part(20, 32))
}
