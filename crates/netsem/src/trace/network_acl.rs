//! Network ACLs: the subnet's numbered entries, first match wins, stateless — replies are
//! judged afresh.

use super::{Decision, Explanation, Hop, Walk, codes};
use crate::header::Header;
use crate::network_acls;

impl<'w> Walk<'_, 'w> {
    /// The network ACL of `subnet` for packets leaving (outbound) or entering it.
    pub(super) fn network_acl(
        &mut self,
        subnet: &str,
        vpc: &str,
        h: Header,
        outbound: bool,
    ) -> Header {
        let Some(acl) =
            self.net.index.acl_of_subnet(subnet).and_then(|id| self.world().network_acls.get(id))
        else {
            return h;
        };
        let direction = if outbound {
            network_acls::Direction::Outbound
        } else {
            network_acls::Direction::Inbound
        };
        let mut hop = Hop::located(&acl.id, Some(vpc), Some(subnet));
        match network_acls::evaluate(acl, &h, direction) {
            Some(v) if v.allowed => {
                hop.decision = Some(Decision::Acl(v.entry.clone()));
                self.hops.push(hop);
                self.decided(&h, v.header)
            }
            verdict => {
                hop.decision = verdict.map(|v| Decision::Acl(v.entry.clone()));
                self.push_blocked(
                    hop,
                    Explanation {
                        code: codes::SUBNET_ACL_RESTRICTION,
                        direction: Some(if outbound { "egress" } else { "ingress" }),
                        component: Some(acl.id.clone()),
                        acl: Some(acl.id.clone()),
                        acl_rule: verdict.map(|v| v.entry.clone()),
                        subnet: Some(subnet.to_owned()),
                        vpc: Some(vpc.to_owned()),
                        header: Some(h),
                        ..Explanation::default()
                    },
                );
                h
            }
        }
    }
}
