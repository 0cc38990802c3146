//! Hosted zones: public and private, their name servers, VPC associations and the
//! authorizations that let another account associate its VPC.

use super::{Change, Page};
use crate::error::{Error, Result};
use crate::resources::Tags;
use crate::world::World;
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

impl World {
    /// CreateHostedZone: the zone with its SOA and NS record sets, and the change.
    pub fn create_hosted_zone(
        &mut self,
        account: &str,
        req: NewHostedZone,
        now: i64,
    ) -> Result<(HostedZone, Change)> {
        let _ = (account, req, now);
        Err(Error::internal("not yet"))
    }

    /// GetHostedZone.
    pub fn get_hosted_zone(&self, account: &str, id: &str) -> Result<&HostedZone> {
        let _ = (account, id);
        Err(Error::internal("not yet"))
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
        let _ = (account, marker, max_items, delegation_set_id, private);
        Err(Error::internal("not yet"))
    }

    /// ListHostedZonesByName: in reversed-label order, from `dns_name` (and `hosted_zone_id`).
    pub fn list_hosted_zones_by_name(
        &self,
        account: &str,
        dns_name: Option<&str>,
        hosted_zone_id: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<ZonesByNamePage<'_>> {
        let _ = (account, dns_name, hosted_zone_id, max_items);
        Err(Error::internal("not yet"))
    }

    /// ListHostedZonesByVPC: the private zones (of any account) associated with the VPC.
    pub fn list_hosted_zones_by_vpc(
        &self,
        account: &str,
        vpc: &ZoneVpc,
        next_token: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<Page<&HostedZone>> {
        let _ = (account, vpc, next_token, max_items);
        Err(Error::internal("not yet"))
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
        let _ = (account, id, comment);
        Err(Error::internal("not yet"))
    }

    /// DeleteHostedZone: only with nothing but the apex SOA and NS left.
    pub fn delete_hosted_zone(&mut self, account: &str, id: &str, now: i64) -> Result<Change> {
        let _ = (account, id, now);
        Err(Error::internal("not yet"))
    }

    /// AssociateVPCWithHostedZone.
    pub fn associate_vpc_with_hosted_zone(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: ZoneVpc,
        comment: Option<String>,
        now: i64,
    ) -> Result<Change> {
        let _ = (account, zone_id, vpc, comment, now);
        Err(Error::internal("not yet"))
    }

    /// DisassociateVPCFromHostedZone.
    pub fn disassociate_vpc_from_hosted_zone(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: &ZoneVpc,
        comment: Option<String>,
        now: i64,
    ) -> Result<Change> {
        let _ = (account, zone_id, vpc, comment, now);
        Err(Error::internal("not yet"))
    }

    /// CreateVPCAssociationAuthorization (by the zone's owner).
    pub fn create_vpc_association_authorization(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: ZoneVpc,
    ) -> Result<ZoneVpc> {
        let _ = (account, zone_id, vpc);
        Err(Error::internal("not yet"))
    }

    /// DeleteVPCAssociationAuthorization.
    pub fn delete_vpc_association_authorization(
        &mut self,
        account: &str,
        zone_id: &str,
        vpc: &ZoneVpc,
    ) -> Result<()> {
        let _ = (account, zone_id, vpc);
        Err(Error::internal("not yet"))
    }

    /// ListVPCAssociationAuthorizations.
    pub fn list_vpc_association_authorizations(
        &self,
        account: &str,
        zone_id: &str,
        next_token: Option<&str>,
        max_results: Option<usize>,
    ) -> Result<Page<ZoneVpc>> {
        let _ = (account, zone_id, next_token, max_results);
        Err(Error::internal("not yet"))
    }
}
