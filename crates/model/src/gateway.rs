//! Internet gateways and egress-only internet gateways.

use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
use crate::types::ec2::*;
use crate::world::{Scope, World};
use codes::Ec2;

impl World {
    /// CreateInternetGateway, within the per-region quota.
    pub fn create_internet_gateway(
        &mut self,
        scope: &Scope,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        if self.internet_gateways.reaches(scope, self.quotas.internet_gateways_per_region) {
            return Err(Error::quota(
                "internet_gateways_per_region",
                Ec2::InternetGatewayLimitExceeded,
                "The maximum number of internet gateways has been reached.",
            ));
        }
        Ok(self.create_internet_gateway_internal(scope, tags))
    }

    /// DeleteInternetGateway: refused while attached. Routes to it stay and become blackholes.
    pub fn delete_internet_gateway(&mut self, scope: &Scope, igw_id: &str) -> Result<()> {
        let igw = self.internet_gateways.find(&kinds::INTERNET_GATEWAY, scope, igw_id)?;
        if igw.attached_vpc_id.is_some() {
            return Err(Error::dependency_violation(format!(
                "The internetGateway '{igw_id}' has dependencies and cannot be deleted."
            )));
        }
        self.internet_gateways.remove(igw_id);
        // An edge association cannot outlive its gateway.
        let target = AssociationTarget::Gateway(igw_id.to_owned());
        self.route_tables.update_where(
            |t| t.associations.iter().any(|a| a.target == target),
            |t| t.associations.retain(|a| a.target != target),
        );
        Ok(())
    }

    /// DetachInternetGateway: the gateway must be attached to that VPC, and no interface of the
    /// VPC may still hold a public address (it would lose its route to the internet). Routes to
    /// the gateway stay and become blackholes.
    pub fn detach_internet_gateway(
        &mut self,
        scope: &Scope,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<()> {
        let igw = self.internet_gateways.find(&kinds::INTERNET_GATEWAY, scope, igw_id)?;
        // Only the gateway is looked up: for a VPC it is not attached to — existing or not —
        // the answer is Gateway.NotAttached (moto's suite, as AWS answers it).
        kinds::VPC.check_format(vpc_id)?;
        if igw.attached_vpc_id.as_deref() != Some(vpc_id) {
            return Err(Error::new(
                Ec2::GatewayNotAttached,
                format!("resource {igw_id} is not attached to network {vpc_id}"),
            ));
        }
        if self
            .network_interfaces
            .rows_keyed(&crate::indexes::vpc_key(vpc_id))
            .any(|e| e.private_ips.iter().any(|p| p.public.is_some()))
        {
            return Err(Error::dependency_violation(format!(
                "Network {vpc_id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway."
            )));
        }
        self.internet_gateways.find_mut(&kinds::INTERNET_GATEWAY, scope, igw_id)?.attached_vpc_id =
            None;
        Ok(())
    }

    /// CreateEgressOnlyInternetGateway: attached to its VPC for life; one per VPC.
    pub fn create_egress_only_internet_gateway(
        &mut self,
        scope: &Scope,
        vpc_id: &str,
        tags: &[(String, String)],
    ) -> Result<String> {
        crate::tags::validate(tags)?;
        // This operation words a malformed VPC id its own way (AWS since 2022, quoted in
        // community.aws#1475): `InvalidVpcId.Malformed`, "The vpc ID … is malformed".
        if !crate::ids::is_well_formed("vpc", vpc_id) {
            return Err(Error::new(
                Ec2::InvalidVpcIdMalformed,
                format!("The vpc ID {vpc_id} is malformed"),
            ));
        }
        self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
        if self
            .egress_only_internet_gateways
            .reaches(scope, self.quotas.egress_only_internet_gateways_per_region)
        {
            return Err(Error::quota(
                "egress_only_internet_gateways_per_region",
                Ec2::EgressOnlyInternetGatewayLimitExceeded,
                "The maximum number of egress-only internet gateways has been reached.",
            ));
        }
        if let Some(other) =
            self.egress_only_internet_gateways.values().find(|g| g.vpc_id == vpc_id)
        {
            return Err(Error::new(
                Ec2::ResourceAlreadyAssociated,
                format!(
                    "Network {vpc_id} already has an egress-only internet gateway attached ({})",
                    other.id
                ),
            ));
        }
        let id = self.fresh_id("eigw");
        self.egress_only_internet_gateways.insert(
            id.clone(),
            EgressOnlyInternetGateway {
                id: id.clone(),
                owner: scope.clone(),
                vpc_id: vpc_id.to_owned(),
                tags: tags.iter().cloned().collect(),
            },
        );
        Ok(id)
    }

    /// DeleteEgressOnlyInternetGateway. Routes to it stay and become blackholes.
    pub fn delete_egress_only_internet_gateway(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.egress_only_internet_gateways.find(&kinds::EGRESS_ONLY_INTERNET_GATEWAY, scope, id)?;
        self.egress_only_internet_gateways.remove(id);
        Ok(())
    }

    pub(crate) fn create_internet_gateway_internal(
        &mut self,
        scope: &Scope,
        tags: &[(String, String)],
    ) -> String {
        let id = self.fresh_id("igw");
        self.internet_gateways.insert(
            id.clone(),
            InternetGateway {
                id: id.clone(),
                owner: scope.clone(),
                attached_vpc_id: None,
                tags: tags.iter().cloned().collect(),
            },
        );
        id
    }

    /// AttachInternetGateway: one gateway per VPC, one VPC per gateway.
    pub fn attach_internet_gateway(
        &mut self,
        scope: &Scope,
        igw_id: &str,
        vpc_id: &str,
    ) -> Result<()> {
        self.vpcs.find(&kinds::VPC, scope, vpc_id)?;
        let igw = self.internet_gateways.find(&kinds::INTERNET_GATEWAY, scope, igw_id)?;
        if let Some(attached) = &igw.attached_vpc_id {
            return Err(Error::new(
                Ec2::ResourceAlreadyAssociated,
                format!("resource {igw_id} is already attached to network {attached}"),
            ));
        }
        if let Some(other) =
            self.internet_gateways.rows_keyed(&crate::indexes::vpc_key(vpc_id)).next()
        {
            return Err(Error::new(
                Ec2::ResourceAlreadyAssociated,
                format!("Network {vpc_id} already has an internet gateway attached ({})", other.id),
            ));
        }
        self.internet_gateways.find_mut(&kinds::INTERNET_GATEWAY, scope, igw_id)?.attached_vpc_id =
            Some(vpc_id.to_owned());
        Ok(())
    }
}

impl References for InternetGateway {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        if let Some(vpc_id) = &self.attached_vpc_id {
            each(Reference::new("vpc", vpc_id, "Attachments.VpcId"));
        }
    }
}

impl References for EgressOnlyInternetGateway {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("vpc", &self.vpc_id, "Attachments.VpcId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (World, Scope, String) {
        crate::testkit::world_with_vpc()
    }

    #[test]
    fn igw_lifecycle_rules() {
        let (mut w, scope, vpc) = setup();
        let igw = w.create_internet_gateway(&scope, &[]).unwrap();
        assert_eq!(
            w.detach_internet_gateway(&scope, &igw, &vpc).unwrap_err().code,
            "Gateway.NotAttached"
        );
        w.attach_internet_gateway(&scope, &igw, &vpc).unwrap();
        assert_eq!(
            w.delete_internet_gateway(&scope, &igw).unwrap_err().code,
            "DependencyViolation"
        );
        w.detach_internet_gateway(&scope, &igw, &vpc).unwrap();
        w.delete_internet_gateway(&scope, &igw).unwrap();
        assert_eq!(
            w.delete_internet_gateway(&scope, &igw).unwrap_err().code,
            "InvalidInternetGatewayID.NotFound"
        );
    }

    #[test]
    fn igw_quota_counts_the_default_vpc_gateway() {
        let (mut w, scope, _) = setup();
        // The default VPC already holds one.
        for _ in 1..w.quotas.internet_gateways_per_region {
            w.create_internet_gateway(&scope, &[]).unwrap();
        }
        assert_eq!(
            w.create_internet_gateway(&scope, &[]).unwrap_err().code,
            "InternetGatewayLimitExceeded"
        );
    }

    #[test]
    fn egress_only_one_per_vpc() {
        let (mut w, scope, vpc) = setup();
        let id = w.create_egress_only_internet_gateway(&scope, &vpc, &[]).unwrap();
        assert_eq!(
            w.create_egress_only_internet_gateway(&scope, &vpc, &[]).unwrap_err().code,
            "Resource.AlreadyAssociated"
        );
        w.delete_egress_only_internet_gateway(&scope, &id).unwrap();
        assert_eq!(
            w.delete_egress_only_internet_gateway(&scope, &id).unwrap_err().code,
            "InvalidGatewayID.NotFound"
        );
    }
}
