//! Reusable delegation sets: four name servers shared by the zones created with them.

use super::{Page, bare_id, invalid_input, page_after};
use crate::error::{Error, Result};
pub use crate::types::route53::delegation_set::DelegationSet;
use crate::world::World;
use codes::Route53;

/// The most reusable delegation sets an account may have.
pub const MAX_DELEGATION_SETS: usize = 100;
/// The most hosted zones one reusable delegation set may serve.
pub const MAX_ZONES_PER_DELEGATION_SET: usize = 100;

/// AWS's NoSuchDelegationSet says nothing but the id it was given.
fn no_such_set(id: &str) -> Error {
    Error::new(Route53::NoSuchDelegationSet, id)
}

impl World {
    /// CreateReusableDelegationSet, optionally reusing a (public) zone's name servers.
    pub fn create_reusable_delegation_set(
        &mut self,
        account: &str,
        caller_reference: &str,
        hosted_zone_id: Option<&str>,
    ) -> Result<DelegationSet> {
        if caller_reference.is_empty() || caller_reference.len() > 128 {
            return Err(invalid_input(
                "1 validation error detected: Value at 'callerReference' failed to satisfy constraint: Member must have length between 1 and 128",
            ));
        }
        let mine = || self.r53_delegation_sets.values().filter(|d| d.account == account);
        if mine().any(|d| d.caller_reference == caller_reference) {
            return Err(Error::new(
                Route53::DelegationSetAlreadyCreated,
                "A delegation set with the same owner and caller reference combination has already been created.",
            ));
        }
        if mine().count() >= MAX_DELEGATION_SETS {
            return Err(Error::new(
                Route53::LimitsExceeded,
                format!(
                    "Limits Exceeded: MAX_REUSABLE_DELEGATION_SETS_BY_OWNER - Cannot create more than {MAX_DELEGATION_SETS} reusable delegation sets."
                ),
            ));
        }
        let name_servers = match hosted_zone_id {
            Some(z) => {
                let zone = self.r53_zone(account, z)?;
                if zone.private {
                    return Err(Error::new(
                        Route53::HostedZoneNotFound,
                        format!(
                            "The specified hosted zone {} is a private hosted zone and has no delegation set.",
                            zone.id
                        ),
                    ));
                }
                if zone.delegation_set_id.is_some() {
                    return Err(Error::new(
                        Route53::DelegationSetAlreadyReusable,
                        "The specified delegation set has already been marked as reusable.",
                    ));
                }
                zone.name_servers.clone()
            }
            None => super::zone::new_name_servers(),
        };
        let id = self.r53_fresh_id('N');
        let set = DelegationSet {
            id: id.clone(),
            account: account.to_owned(),
            caller_reference: caller_reference.to_owned(),
            name_servers,
        };
        self.r53_delegation_sets.insert(id.clone(), set.clone());
        if let Some(z) = hosted_zone_id {
            let zid = bare_id(z).to_owned();
            if let Some(zone) = self.r53_hosted_zones.get_mut(&zid) {
                zone.delegation_set_id = Some(id);
            }
        }
        Ok(set)
    }

    /// GetReusableDelegationSet.
    pub fn get_reusable_delegation_set(&self, account: &str, id: &str) -> Result<&DelegationSet> {
        let id = bare_id(id);
        self.r53_delegation_sets
            .get(id)
            .filter(|d| d.account == account)
            .ok_or_else(|| no_such_set(id))
    }

    /// ListReusableDelegationSets.
    pub fn list_reusable_delegation_sets(
        &self,
        account: &str,
        marker: Option<&str>,
        max_items: Option<usize>,
    ) -> Result<Page<&DelegationSet>> {
        let sets = self.r53_delegation_sets.values().filter(|d| d.account == account);
        Ok(page_after(sets, |d| d.id.clone(), marker.map(bare_id), max_items, 100))
    }

    /// DeleteReusableDelegationSet: refused while a zone uses it.
    pub fn delete_reusable_delegation_set(&mut self, account: &str, id: &str) -> Result<()> {
        let id = self.get_reusable_delegation_set(account, id)?.id.clone();
        if self
            .r53_hosted_zones
            .values()
            .any(|z| z.delegation_set_id.as_deref() == Some(id.as_str()))
        {
            return Err(Error::new(
                Route53::DelegationSetInUse,
                format!(
                    "The delegation set {id} is in use by one or more hosted zones and cannot be deleted."
                ),
            ));
        }
        self.r53_delegation_sets.remove(&id);
        Ok(())
    }

    /// The number of zones served by a delegation set (for its limit).
    pub(crate) fn zones_of_delegation_set(&self, id: &str) -> usize {
        self.r53_hosted_zones
            .values()
            .filter(|z| z.delegation_set_id.as_deref() == Some(id))
            .count()
    }
}
