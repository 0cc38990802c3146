//! Internet gateways and egress-only internet gateways.

use crate::error::{Error, Result};
use crate::lookup;
use crate::resources::*;
use crate::world::{Scope, World};

impl World {
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
        self.vpcs.find(&lookup::VPC, scope, vpc_id)?;
        let igw = self.internet_gateways.find(&lookup::INTERNET_GATEWAY, scope, igw_id)?;
        if let Some(attached) = &igw.attached_vpc_id {
            return Err(Error::new(
                "Resource.AlreadyAssociated",
                format!("resource {igw_id} is already attached to network {attached}"),
            ));
        }
        if let Some(other) =
            self.internet_gateways.values().find(|g| g.attached_vpc_id.as_deref() == Some(vpc_id))
        {
            return Err(Error::new(
                "Resource.AlreadyAssociated",
                format!("Network {vpc_id} already has an internet gateway attached ({})", other.id),
            ));
        }
        self.internet_gateways
            .find_mut(&lookup::INTERNET_GATEWAY, scope, igw_id)?
            .attached_vpc_id = Some(vpc_id.to_owned());
        Ok(())
    }
}
