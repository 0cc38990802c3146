//! Prefix lists as the engine meets them: the blocks of every list a route or a security
//! group rule of the network names.
//!
//! There is one lookup, the model's ([`World::resolve_prefix_list`]): an AWS-managed list of
//! the referencing resource's region, or a customer-managed list of its own account and
//! region. [`PrefixLists::build`] resolves every referenced list of a world at once; the
//! engine builds it once per version of the world (the per-version index above this module
//! holds the result), so a route or rule always matches the list's current entries.

use model::cidr::Cidr;
use model::types::ec2::{RouteDestination, RulePeer};
use model::{Scope, World};
use std::collections::HashMap;

/// The blocks of the prefix lists referenced in a world, by list id and referencing owner.
#[derive(Debug, Default, Clone)]
pub struct PrefixLists {
    by_id: HashMap<String, Vec<(Scope, Vec<Cidr>)>>,
}

impl PrefixLists {
    pub fn build(world: &World) -> PrefixLists {
        let mut lists = PrefixLists::default();
        let routes = world.route_tables.values().flat_map(|t| {
            t.routes.iter().filter_map(move |r| match &r.destination {
                RouteDestination::PrefixList(id) => Some((&t.owner, id)),
                _ => None,
            })
        });
        let rules = world.security_groups.values().flat_map(|g| {
            g.ingress.iter().chain(&g.egress).filter_map(move |r| match &r.peer {
                RulePeer::PrefixList(id) => Some((&g.owner, id)),
                _ => None,
            })
        });
        for (owner, id) in routes.chain(rules) {
            if lists.get(owner, id).is_none()
                && let Some(resolved) = world.resolve_prefix_list(owner, id)
            {
                lists.insert(owner, id, resolved.cidrs);
            }
        }
        lists
    }

    /// Records the blocks of list `id` as resources of `owner` see them.
    pub fn insert(&mut self, owner: &Scope, id: &str, blocks: Vec<Cidr>) {
        self.by_id.entry(id.to_owned()).or_default().push((owner.clone(), blocks));
    }

    fn get(&self, owner: &Scope, id: &str) -> Option<&[Cidr]> {
        self.by_id.get(id)?.iter().find(|(o, _)| o == owner).map(|(_, b)| b.as_slice())
    }

    /// Every block of every list resolved.
    pub fn all_blocks(&self) -> impl Iterator<Item = &Cidr> {
        self.by_id.values().flatten().flat_map(|(_, blocks)| blocks)
    }

    /// The blocks of list `id` for a route or rule of `owner` (none for a list it cannot use).
    pub fn blocks(&self, owner: &Scope, id: &str) -> &[Cidr] {
        self.get(owner, id).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use crate::endpoint::Endpoint;
    use crate::lab::{Lab, codes};
    use crate::packet::TCP;
    use crate::trace::codes::*;
    use crate::trace::{Network, Question, Trace, trace};
    use model::prefix_list::PrefixListChange;
    use model::security_group::PeerRequest;

    /// A public web server whose subnet routes a customer list (`198.51.100.0/24`) to the
    /// internet gateway and whose group admits HTTPS from that list only.
    fn corp_only() -> (Lab, String, String, String) {
        let mut lab = Lab::new();
        let igw = lab.igw();
        let (public, table) = lab.subnet("10.0.1.0/24");
        let corp = lab.prefix_list("corp", &["198.51.100.0/24"]);
        lab.route_list_to_gateway(&table, &corp, &igw);
        let web_sg = lab.group("web");
        lab.allow_in(&web_sg, "tcp", 443, PeerRequest::PrefixList(corp.clone()));
        let web = lab.instance(&public, &[&web_sg], true);
        (lab, igw, web, corp)
    }

    fn from(lab: &Lab, igw: &str, web: &str, source: &str) -> Trace {
        let mut q = Question::new(
            Endpoint::Resource(igw.into()),
            Endpoint::Resource(web.into()),
            TCP,
            Some(443),
        );
        q.source_address = Some(source.parse().unwrap());
        let index = crate::index::Index::build(&lab.world);
        trace(&Network { world: &lab.world, index: &index }, &q).unwrap()
    }

    #[test]
    fn routes_and_rules_match_the_current_entries_of_a_customer_list() {
        let (mut lab, igw, web, corp) = corp_only();
        let t = lab.ask(&web, "198.51.100.7", TCP, 443);
        assert!(t.reachable(), "{:?}", t.explanations);
        assert_eq!(
            codes(&lab.ask(&web, "203.0.113.5", TCP, 443)),
            [(NO_ROUTE_TO_DESTINATION, None, false)]
        );
        assert!(from(&lab, &igw, &web, "198.51.100.7").reachable());
        // Neither the group nor the route back admit an address outside the list.
        let t = from(&lab, &igw, &web, "203.0.113.5");
        assert_eq!(
            codes(&t),
            [
                (ENI_SG_RULES_MISMATCH, Some("ingress"), false),
                (NO_ROUTE_TO_DESTINATION, None, true)
            ]
        );

        // The list now holds 203.0.113.0/24 instead: routes and rules follow it.
        let change = PrefixListChange {
            add: vec![("203.0.113.0/24".into(), None)],
            remove: vec!["198.51.100.0/24".into()],
            current_version: Some(1),
            ..Default::default()
        };
        lab.world.modify_managed_prefix_list(&lab.scope, &corp, change).unwrap();
        assert!(lab.ask(&web, "203.0.113.5", TCP, 443).reachable());
        assert!(from(&lab, &igw, &web, "203.0.113.5").reachable());
        assert!(!from(&lab, &igw, &web, "198.51.100.7").reachable());
    }

    #[test]
    fn analyses_name_the_list_in_the_rule_and_the_route() {
        let (lab, igw, web, corp) = corp_only();
        let r = lab.analyse(&lab.path(&igw, &web, 443), &[]);
        assert_eq!(r.path_found, Some(true), "{:?}", r.explanations);
        let rule = r.forward.iter().find_map(|c| c.security_group_rule.as_ref()).unwrap();
        assert_eq!(
            (rule.prefix_list_id.as_deref(), rule.cidr.as_deref()),
            (Some(corp.as_str()), None)
        );
        let route = r.back.iter().find_map(|c| c.route_table_route.as_ref()).unwrap();
        assert_eq!(
            (route.destination_prefix_list_id.as_deref(), route.gateway_id.as_deref()),
            (Some(corp.as_str()), Some(igw.as_str()))
        );
        // The instance receives only the list's block of the internet's addresses.
        let instance = r.forward.last().and_then(|c| c.inbound_header.as_ref()).unwrap();
        assert_eq!(instance.source_addresses, ["198.51.100.0/24"]);
    }
}
