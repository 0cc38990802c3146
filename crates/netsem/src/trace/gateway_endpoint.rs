//! Gateway endpoints (S3, DynamoDB): a prefix-list route sends TCP packets to the service; the
//! service only answers, its reply coming back from the endpoint.

use super::{End, Explanation, Hop, Sender, Walk, codes};
use crate::header::Header;
use model::types::ec2::{Route, RouteTable};

impl<'w> Walk<'_, 'w> {
    /// Packets routed to a gateway endpoint (S3, DynamoDB): it carries TCP only, and the
    /// packets reach the service (the destination addresses are within the service's prefix
    /// list, which is what the route matched).
    pub(super) fn through_gateway_endpoint(
        &mut self,
        id: &str,
        table: &RouteTable,
        route: &Route,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let mut hop = Hop::located(id, Some(&table.vpc_id), None);
        hop.inbound = Some(h);
        if h.protocol != crate::packet::TCP {
            self.push_blocked(
                hop,
                Explanation::at_route(
                    codes::VPCE_GATEWAY_PROTOCOL_RESTRICTION,
                    id,
                    table,
                    route,
                    h,
                ),
            );
            return None;
        }
        hop.outbound = Some(h);
        self.hops.push(hop);
        match to {
            End::Outside { .. } => {
                self.flow.gateway_endpoint = Some(id.to_owned());
                Some(h)
            }
            End::Interface { .. } => {
                self.explain(Explanation {
                    code: codes::NO_ROUTE_TO_DESTINATION,
                    component: Some(id.to_owned()),
                    destination: to.name(),
                    vpc: Some(table.vpc_id.clone()),
                    header: Some(h),
                    ..Explanation::default()
                });
                None
            }
        }
    }

    /// From the service behind gateway endpoint `endpoint` to interface `eni`: only the reply
    /// of a service reached through the endpoint, from the endpoint into the subnet of the
    /// interface that asked.
    pub(super) fn enter_from_gateway_endpoint(
        &mut self,
        endpoint: &str,
        eni: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        if !self.established {
            // A service behind a gateway endpoint only answers.
            self.explain(Explanation {
                code: codes::NO_ROUTE_TO_DESTINATION,
                component: Some(endpoint.to_owned()),
                destination: Some(eni.to_owned()),
                header: Some(h),
                ..Explanation::default()
            });
            return None;
        }
        let world = self.world();
        let target = world.network_interfaces.get(eni)?;
        let vpc = world.vpc_endpoints.get(endpoint).map(|e| e.vpc_id.clone());
        self.pass_through(Hop::located(endpoint, vpc.as_deref(), None), h);
        self.enter_subnet(target, h, to, &Sender::default())
    }
}
