//! Route 53's limits: GetAccountLimit, GetHostedZoneLimit, GetReusableDelegationSetLimit.

use super::invalid_input;
use super::{change_batch, delegation_set, health_check, zone};
use crate::error::Result;
use crate::world::World;

/// A limit and how much of it is used: (`Limit.Value`, `Count`).
pub type Usage = (u64, u64);

/// Traffic policies are not modelled: their limits are reported with a count of zero.
pub const MAX_TRAFFIC_POLICIES: u64 = 50;
pub const MAX_TRAFFIC_POLICY_INSTANCES: u64 = 5;

fn bad_type(t: &str) -> crate::error::Error {
    invalid_input(format!("Invalid limit type: {t}"))
}

impl World {
    /// GetAccountLimit (`MAX_HEALTH_CHECKS_BY_OWNER`, `MAX_HOSTED_ZONES_BY_OWNER`, …).
    pub fn get_account_limit(&self, account: &str, limit_type: &str) -> Result<Usage> {
        let n = |x: usize| x as u64;
        Ok(match limit_type {
            "MAX_HEALTH_CHECKS_BY_OWNER" => {
                (n(health_check::MAX_HEALTH_CHECKS), n(self.health_check_count(account)))
            }
            "MAX_HOSTED_ZONES_BY_OWNER" => {
                (n(zone::MAX_HOSTED_ZONES), n(self.hosted_zone_count(account)))
            }
            "MAX_REUSABLE_DELEGATION_SETS_BY_OWNER" => (
                n(delegation_set::MAX_DELEGATION_SETS),
                n(self.r53_delegation_sets.values().filter(|d| d.account == account).count()),
            ),
            "MAX_TRAFFIC_POLICIES_BY_OWNER" => (MAX_TRAFFIC_POLICIES, 0),
            "MAX_TRAFFIC_POLICY_INSTANCES_BY_OWNER" => (MAX_TRAFFIC_POLICY_INSTANCES, 0),
            other => return Err(bad_type(other)),
        })
    }

    /// GetHostedZoneLimit (`MAX_RRSETS_BY_ZONE`, `MAX_VPCS_ASSOCIATED_BY_ZONE`).
    pub fn get_hosted_zone_limit(
        &self,
        account: &str,
        zone_id: &str,
        limit_type: &str,
    ) -> Result<Usage> {
        let z = self.r53_zone(account, zone_id)?;
        Ok(match limit_type {
            "MAX_RRSETS_BY_ZONE" => (change_batch::MAX_RRSETS_PER_ZONE as u64, z.record_count),
            "MAX_VPCS_ASSOCIATED_BY_ZONE" => (zone::MAX_VPCS_PER_ZONE as u64, z.vpcs.len() as u64),
            other => return Err(bad_type(other)),
        })
    }

    /// GetReusableDelegationSetLimit (`MAX_ZONES_BY_REUSABLE_DELEGATION_SET`).
    pub fn get_reusable_delegation_set_limit(
        &self,
        account: &str,
        id: &str,
        limit_type: &str,
    ) -> Result<Usage> {
        let set = self.get_reusable_delegation_set(account, id)?;
        match limit_type {
            "MAX_ZONES_BY_REUSABLE_DELEGATION_SET" => Ok((
                delegation_set::MAX_ZONES_PER_DELEGATION_SET as u64,
                self.zones_of_delegation_set(&set.id) as u64,
            )),
            other => Err(bad_type(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route53::NewHostedZone;

    #[test]
    fn limits_report_usage() {
        let mut w = World::default();
        let a = "123456789012";
        let req = NewHostedZone {
            name: "example.com".into(),
            caller_reference: "r".into(),
            ..Default::default()
        };
        let (z, _) = w.create_hosted_zone(a, req, 1).unwrap();
        assert_eq!(w.get_account_limit(a, "MAX_HOSTED_ZONES_BY_OWNER").unwrap(), (500, 1));
        assert_eq!(w.get_hosted_zone_limit(a, &z.id, "MAX_RRSETS_BY_ZONE").unwrap(), (10_000, 2));
        assert_eq!(w.get_account_limit(a, "NOPE").unwrap_err().code, "InvalidInput");
        let ds = w.create_reusable_delegation_set(a, "d1", None).unwrap();
        let req = NewHostedZone {
            name: "example.org".into(),
            caller_reference: "r2".into(),
            delegation_set_id: Some(ds.id.clone()),
            ..Default::default()
        };
        let (z2, _) = w.create_hosted_zone(a, req, 1).unwrap();
        assert_eq!(z2.name_servers, ds.name_servers);
        assert_eq!(
            w.get_reusable_delegation_set_limit(a, &ds.id, "MAX_ZONES_BY_REUSABLE_DELEGATION_SET")
                .unwrap(),
            (100, 1)
        );
        assert_eq!(
            w.delete_reusable_delegation_set(a, &ds.id).unwrap_err().code,
            "DelegationSetInUse"
        );
    }
}
