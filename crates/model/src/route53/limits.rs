//! Route 53's limits: GetAccountLimit, GetHostedZoneLimit, GetReusableDelegationSetLimit.

use crate::error::{Error, Result};
use crate::world::World;

/// A limit and how much of it is used: (`Limit.Value`, `Count`).
pub type Usage = (u64, u64);

impl World {
    /// GetAccountLimit (`MAX_HEALTH_CHECKS_BY_OWNER`, `MAX_HOSTED_ZONES_BY_OWNER`, …).
    pub fn get_account_limit(&self, account: &str, limit_type: &str) -> Result<Usage> {
        let _ = (account, limit_type);
        Err(Error::internal("not yet"))
    }

    /// GetHostedZoneLimit (`MAX_RRSETS_BY_ZONE`, `MAX_VPCS_ASSOCIATED_BY_ZONE`).
    pub fn get_hosted_zone_limit(
        &self,
        account: &str,
        zone_id: &str,
        limit_type: &str,
    ) -> Result<Usage> {
        let _ = (account, zone_id, limit_type);
        Err(Error::internal("not yet"))
    }

    /// GetReusableDelegationSetLimit (`MAX_ZONES_BY_REUSABLE_DELEGATION_SET`).
    pub fn get_reusable_delegation_set_limit(
        &self,
        account: &str,
        id: &str,
        limit_type: &str,
    ) -> Result<Usage> {
        let _ = (account, id, limit_type);
        Err(Error::internal("not yet"))
    }
}
