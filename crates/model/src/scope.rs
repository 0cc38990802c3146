//! Who owns a resource: an account in a region.

use crate::error::{Error, Result};
use codes::Ec2;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The account and region a resource lives in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Scope {
    pub account: String,
    pub region: String,
}

impl Scope {
    pub fn new(account: impl Into<String>, region: impl Into<String>) -> Self {
        Scope { account: account.into(), region: region.into() }
    }

    /// The key of the scope's own bookkeeping row.
    pub fn key(&self) -> String {
        format!("{}/{}", self.account, self.region)
    }

    pub fn region(&self) -> Result<&'static crate::regions::Region> {
        crate::regions::find(&self.region).ok_or_else(|| {
            Error::new(Ec2::InvalidRegion, format!("The region '{}' does not exist", self.region))
        })
    }

    pub fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{}:{resource}", self.region, self.account)
    }

    /// The ARN of an EC2 resource of this scope, by id (`…:instance/i-0abc…`); `None` for an
    /// id of a kind that has no ARN.
    pub fn ec2_arn(&self, id: &str) -> Option<String> {
        let kind = crate::kinds::arn_resource_type(crate::ids::prefix_of(id))?;
        Some(self.arn("ec2", &format!("{kind}/{id}")))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.account, self.region)
    }
}

/// The bookkeeping of one account in one region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScopeState {
    pub scope: Option<Scope>,
    /// The default VPC, while it exists.
    pub default_vpc_id: Option<String>,
    /// The DHCP options set every new VPC of the region starts with.
    pub default_dhcp_options_id: Option<String>,
}
