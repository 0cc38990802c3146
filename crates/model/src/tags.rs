//! Tags of any resource, found by id (CreateTags, DeleteTags, DescribeTags).

use crate::error::{Error, Result};
use crate::kinds;
use crate::types::ec2::Tags;
pub use crate::types::ec2::{ADVERTISED_CIDRS_TAG, LOCAL_ADDRESS_TAG, advertised_cidrs};
use crate::world::{Scope, World};
use codes::Ec2;

/// AWS's limits: 50 tags a resource, keys up to 128 characters, values up to 256.
pub const MAX_TAGS: usize = 50;
pub const MAX_KEY_LEN: usize = 128;
pub const MAX_VALUE_LEN: usize = 256;

/// A resource with an id of its own kind and tags (every table of the registry with a kind):
/// what Describe calls list and tag filters read.
pub trait Tagged {
    /// Its id (an Elastic IP's allocation id).
    fn id(&self) -> &str;
    fn tags(&self) -> &Tags;
}

macro_rules! tagged {
    (tables { $($t:tt)* } owned { $($o:tt)* } tagged { $($kind:ident => $table:ident: $ty:ty;)* } $($rest:tt)*) => {
        $(impl Tagged for $ty {
            fn id(&self) -> &str {
                tagged!(@id_ref self, $table)
            }
            fn tags(&self) -> &Tags {
                &self.tags
            }
        })*

        impl World {
            /// The resource type (as DescribeTags names it), scope and tags of any taggable id.
            pub fn tags_of(&self, id: &str) -> Option<(&'static str, &Scope, &Tags)> {
                let prefix = crate::ids::prefix_of(id);
                match prefix {
                    $(p if p == kinds::$kind.prefix => self.$table.get(id)
                        .map(|r| (kinds::$kind.resource_type.unwrap_or_default(), &r.owner, &r.tags)),)*
                    "sgr" => self.security_groups.rows_keyed(&crate::indexes::member_key(id)).find_map(|g| {
                        g.ingress.iter().chain(g.egress.iter()).find(|r| r.id == id)
                            .map(|r| (kinds::SECURITY_GROUP_RULE.resource_type.unwrap_or_default(), &g.owner, &r.tags))
                    }),
                    _ => None,
                }
            }

            /// The tags of any taggable id, for writing.
            pub fn tags_mut(&mut self, id: &str) -> Option<&mut Tags> {
                let prefix = crate::ids::prefix_of(id);
                match prefix {
                    $(p if p == kinds::$kind.prefix => self.$table.get_mut(id).map(|r| &mut r.tags),)*
                    "sgr" => {
                        let key = crate::indexes::member_key(id);
                        let group = self.security_groups.keyed(&key).next()?.clone();
                        let g = self.security_groups.get_mut(&group)?;
                        g.ingress.iter_mut().chain(g.egress.iter_mut())
                            .find(|r| r.id == id)
                            .map(|r| &mut r.tags)
                    }
                    _ => None,
                }
            }

            /// Every (resource id, resource type, tags) in a scope.
            pub fn tagged_resources(&self, scope: &Scope) -> Vec<(String, &'static str, &Tags)> {
                let mut out = Vec::new();
                $(for r in self.$table.values().filter(|r| &r.owner == scope) {
                    let kind = kinds::$kind.resource_type.unwrap_or_default();
                    out.push((tagged!(@id r, $table), kind, &r.tags));
                })*
                for p in self.vpc_peering_connections.values() {
                    if &p.accepter == scope && &p.owner != scope {
                        out.push((p.id.clone(), kinds::VPC_PEERING_CONNECTION.resource_type.unwrap_or_default(), &p.accepter_tags));
                    }
                }
                for a in self.transit_gateway_attachments.values() {
                    if let crate::types::ec2::transit_gateway::AttachmentResource::Peering {
                        peer_owner, accepter_tags, ..
                    } = &a.resource
                        && peer_owner == scope
                        && &a.owner != scope
                    {
                        out.push((a.id.clone(), kinds::TRANSIT_GATEWAY_ATTACHMENT.resource_type.unwrap_or_default(), accepter_tags));
                    }
                }
                for g in self.security_groups.values().filter(|g| &g.owner == scope) {
                    for r in g.ingress.iter().chain(g.egress.iter()) {
                        out.push((r.id.clone(), kinds::SECURITY_GROUP_RULE.resource_type.unwrap_or_default(), &r.tags));
                    }
                }
                out
            }
        }
    };
    (@id_ref $r:ident, addresses) => { &$r.allocation_id };
    (@id_ref $r:ident, $table:ident) => { &$r.id };
    (@id $r:ident, addresses) => { $r.allocation_id.clone() };
    (@id $r:ident, $table:ident) => { $r.id.clone() };
}

crate::kinds::with_every_resource!(tagged);

/// Checks a set of tags against AWS's rules before it is applied.
pub fn validate(tags: &[(String, String)]) -> Result<()> {
    for (key, value) in tags {
        if key.is_empty() {
            return Err(Error::new(Ec2::InvalidParameterValue, "Tag keys must not be empty."));
        }
        if key.chars().count() > MAX_KEY_LEN {
            return Err(Error::new(
                Ec2::InvalidParameterValue,
                format!("Tag key exceeds the maximum length of {MAX_KEY_LEN} characters"),
            ));
        }
        if value.chars().count() > MAX_VALUE_LEN {
            return Err(Error::new(
                Ec2::InvalidParameterValue,
                format!("Tag value exceeds the maximum length of {MAX_VALUE_LEN} characters"),
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(Error::new(
                Ec2::InvalidParameterValue,
                "Tag keys starting with 'aws:' are reserved for internal use",
            ));
        }
    }
    Ok(())
}

/// Adds tags, enforcing the per-resource limit.
pub fn apply(target: &mut Tags, tags: &[(String, String)]) -> Result<()> {
    validate(tags)?;
    for (k, v) in tags {
        target.insert(k.clone(), v.clone());
    }
    if target.len() > MAX_TAGS {
        return Err(Error::new(
            Ec2::TagLimitExceeded,
            format!("The maximum number of tags per resource is {MAX_TAGS}."),
        ));
    }
    Ok(())
}

impl World {
    /// CreateTags: all resources must exist, or nothing is tagged.
    pub fn create_tags(
        &mut self,
        scope: &Scope,
        ids: &[String],
        tags: &[(String, String)],
    ) -> Result<()> {
        validate(tags)?;
        for id in ids {
            self.check_taggable(scope, id)?;
            if let Some(t) = self.tags_mut_for(scope, id) {
                apply(t, tags)?;
            }
        }
        Ok(())
    }

    /// DeleteTags: a tag given with a value is deleted only when the value matches.
    pub fn delete_tags(
        &mut self,
        scope: &Scope,
        ids: &[String],
        tags: &[(String, Option<String>)],
    ) -> Result<()> {
        for id in ids {
            self.check_taggable(scope, id)?;
            let Some(t) = self.tags_mut_for(scope, id) else { continue };
            if tags.is_empty() {
                t.clear();
            }
            for (k, v) in tags {
                if v.as_ref().is_none_or(|v| t.get(k) == Some(v)) {
                    t.remove(k);
                }
            }
        }
        Ok(())
    }

    /// The tags `scope` writes on `id`: a peering connection's accepter has its own.
    fn tags_mut_for(&mut self, scope: &Scope, id: &str) -> Option<&mut Tags> {
        if crate::ids::prefix_of(id) == "pcx" {
            return self.vpc_peering_connections.get_mut(id).map(|p| p.tags_of_side(scope));
        }
        if let Some(a) = self.transit_gateway_attachments.get(id)
            && a.peer_gateway().is_some()
            && &a.owner != scope
        {
            // The accepter side of a transit gateway peering tags it for itself.
            return match &mut self.transit_gateway_attachments.get_mut(id)?.resource {
                crate::types::ec2::transit_gateway::AttachmentResource::Peering {
                    accepter_tags,
                    ..
                } => Some(accepter_tags),
                _ => None,
            };
        }
        self.tags_mut(id)
    }

    fn check_taggable(&self, scope: &Scope, id: &str) -> Result<()> {
        match self.tags_of(id) {
            Some((_, owner, _)) if owner == scope => Ok(()),
            // Both sides of a peering connection tag it.
            Some(_) if self.vpc_peering_connections.get(id).is_some_and(|p| p.is_side(scope)) => {
                Ok(())
            }
            // Both sides of a transit gateway peering tag it.
            Some(_)
                if self.transit_gateway_attachments.get(id).is_some_and(|a| {
                    a.peer_gateway().is_some() && self.tgw_attachment_visible(scope, a)
                }) =>
            {
                Ok(())
            }
            _ => Err(not_found_for_id(id)),
        }
    }
}

/// The NotFound error AWS gives for an id of that kind (a NAT gateway's as its own operations
/// word it).
pub fn not_found_for_id(id: &str) -> Error {
    match crate::ids::prefix_of(id) {
        "nat" => kinds::nat_gateway_not_found(id),
        prefix => match crate::kinds::by_prefix(prefix) {
            Some(kind) => kind.not_found(id),
            None => Error::new(Ec2::InvalidID, format!("The ID '{id}' is not valid")),
        },
    }
}
