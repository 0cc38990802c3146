//! Route 53 hosted zones as stored (operations: [`crate::route53::zone`]).

use crate::types::ec2::Tags;
use serde::{Deserialize, Serialize};

/// A VPC a private zone is associated with (or authorized for): `VPCRegion` and `VPCId`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ZoneVpc {
    pub region: String,
    pub vpc_id: String,
}

/// One hosted zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostedZone {
    /// `Z…`, without `/hostedzone/`.
    pub id: String,
    /// The owning account.
    pub account: String,
    /// Lower-case, fully qualified (`example.com.`), special characters escaped.
    pub name: String,
    pub caller_reference: String,
    pub comment: Option<String>,
    pub private: bool,
    /// The associated VPCs (private zones only; never empty for one).
    pub vpcs: Vec<ZoneVpc>,
    /// VPCs of other accounts allowed to be associated (CreateVPCAssociationAuthorization).
    pub authorized_vpcs: Vec<ZoneVpc>,
    /// The reusable delegation set the zone's name servers come from.
    pub delegation_set_id: Option<String>,
    /// The four name servers of the zone's NS record, in order.
    pub name_servers: Vec<String>,
    /// `ResourceRecordSetCount`, kept up to date by every change.
    pub record_count: u64,
    pub tags: Tags,
}
