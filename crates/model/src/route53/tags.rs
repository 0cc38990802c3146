//! Tags of hosted zones and health checks.

use super::invalid_input;
use crate::error::Result;
use crate::types::ec2::Tags;
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

/// The most tags a hosted zone or health check may carry.
pub const MAX_TAGS: usize = 50;

impl World {
    fn r53_tags_mut(
        &mut self,
        account: &str,
        kind: TagResourceType,
        id: &str,
    ) -> Result<&mut Tags> {
        match kind {
            TagResourceType::HostedZone => {
                let id = self.r53_zone(account, id)?.id.clone();
                self.r53_hosted_zones
                    .get_mut(&id)
                    .map(|z| &mut z.tags)
                    .ok_or_else(|| super::zone::no_such_zone(&id))
            }
            TagResourceType::HealthCheck => {
                let id = self.get_health_check(account, id)?.id.clone();
                self.r53_health_checks.get_mut(&id).map(|h| &mut h.tags).ok_or_else(|| {
                    crate::error::Error::internal(format!("health check {id} vanished"))
                })
            }
        }
    }

    /// ChangeTagsForResource: adds (or overwrites) then removes.
    pub fn change_tags_for_resource(
        &mut self,
        account: &str,
        kind: TagResourceType,
        id: &str,
        add: Vec<(String, String)>,
        remove: Vec<String>,
    ) -> Result<()> {
        if add.len() > 10 || remove.len() > 10 {
            return Err(invalid_input(
                "A ChangeTagsForResource request can add or remove at most 10 tags",
            ));
        }
        for (k, v) in &add {
            if k.is_empty() || k.chars().count() > 128 {
                return Err(invalid_input(format!(
                    "Tag key must be between 1 and 128 characters: {k}"
                )));
            }
            if v.chars().count() > 256 {
                return Err(invalid_input(format!(
                    "Tag value must be at most 256 characters: {v}"
                )));
            }
        }
        let tags = self.r53_tags_mut(account, kind, id)?;
        let mut next = tags.clone();
        next.extend(add);
        for k in &remove {
            next.remove(k);
        }
        if next.len() > MAX_TAGS {
            return Err(invalid_input(format!("A resource can have at most {MAX_TAGS} tags")));
        }
        *tags = next;
        Ok(())
    }

    /// ListTagsForResource.
    pub fn list_tags_for_resource(
        &self,
        account: &str,
        kind: TagResourceType,
        id: &str,
    ) -> Result<&Tags> {
        Ok(match kind {
            TagResourceType::HostedZone => &self.r53_zone(account, id)?.tags,
            TagResourceType::HealthCheck => &self.get_health_check(account, id)?.tags,
        })
    }

    /// ListTagsForResources: (id, tags) in the order asked.
    pub fn list_tags_for_resources(
        &self,
        account: &str,
        kind: TagResourceType,
        ids: &[String],
    ) -> Result<Vec<(String, &Tags)>> {
        if ids.is_empty() || ids.len() > 10 {
            return Err(invalid_input("ListTagsForResources takes between 1 and 10 resource ids"));
        }
        ids.iter()
            .map(|id| {
                Ok((super::bare_id(id).to_owned(), self.list_tags_for_resource(account, kind, id)?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::route53::NewHostedZone;

    #[test]
    fn zones_and_checks_carry_tags() {
        let mut w = World::default();
        let a = "123456789012";
        let req = NewHostedZone {
            name: "example.com".into(),
            caller_reference: "r".into(),
            ..Default::default()
        };
        let (z, _) = w.create_hosted_zone(a, req, 1).unwrap();
        let hz = TagResourceType::HostedZone;
        w.change_tags_for_resource(
            a,
            hz,
            &z.id,
            vec![("env".into(), "dev".into()), ("x".into(), "1".into())],
            vec!["x".into()],
        )
        .unwrap();
        assert_eq!(
            w.list_tags_for_resource(a, hz, &z.id).unwrap().get("env").map(String::as_str),
            Some("dev")
        );
        let e = w
            .change_tags_for_resource(a, TagResourceType::HealthCheck, "nope", vec![], vec![])
            .unwrap_err();
        assert_eq!(e.code, "NoSuchHealthCheck");
        assert_eq!(
            w.list_tags_for_resources(a, hz, &["Zmissing".into()]).unwrap_err().code,
            "NoSuchHostedZone"
        );
    }
}
