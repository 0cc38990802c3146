//! Tags of hosted zones and health checks.

use crate::error::{Error, Result};
use crate::resources::Tags;
use crate::world::World;

/// `hostedzone` or `healthcheck`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagResourceType {
    HostedZone,
    HealthCheck,
}

impl TagResourceType {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "hostedzone" => Some(TagResourceType::HostedZone),
            "healthcheck" => Some(TagResourceType::HealthCheck),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TagResourceType::HostedZone => "hostedzone",
            TagResourceType::HealthCheck => "healthcheck",
        }
    }
}

impl World {
    /// ChangeTagsForResource: adds (or overwrites) then removes.
    pub fn change_tags_for_resource(
        &mut self,
        account: &str,
        kind: TagResourceType,
        id: &str,
        add: Vec<(String, String)>,
        remove: Vec<String>,
    ) -> Result<()> {
        let _ = (account, kind, id, add, remove);
        Err(Error::internal("not yet"))
    }

    /// ListTagsForResource.
    pub fn list_tags_for_resource(
        &self,
        account: &str,
        kind: TagResourceType,
        id: &str,
    ) -> Result<&Tags> {
        let _ = (account, kind, id);
        Err(Error::internal("not yet"))
    }

    /// ListTagsForResources: (id, tags) in the order asked.
    pub fn list_tags_for_resources(
        &self,
        account: &str,
        kind: TagResourceType,
        ids: &[String],
    ) -> Result<Vec<(String, &Tags)>> {
        let _ = (account, kind, ids);
        Err(Error::internal("not yet"))
    }
}
