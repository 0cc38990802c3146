//! PrivateLink: a consumer reaches a provider's endpoint service through its VPC's interface
//! (or Gateway Load Balancer) endpoint. The packets go to the endpoint's interface in the
//! consumer's subnet — its security groups judge them as any interface's do — and from there to
//! the service, on the provider's side (its load balancers; their listeners and targets come
//! with the load balancer component). An endpoint whose connection is not `available`
//! (`pendingAcceptance`, `rejected`) carries nothing: `BAD_STATE`.
//!
//! A question may name the service (`vpce-svc-…`) as its destination: it stands for the
//! endpoint to it in the source's VPC.

use super::{End, Explanation, Hop, TraceError, Walk, codes};
use crate::endpoint::Endpoint;
use crate::header::Header;
use model::ids::prefix_of;
use model::resources::NetworkInterface;

/// The destination a question names, with an endpoint service replaced by the source VPC's
/// endpoint to it.
pub(super) fn service_as_endpoint(
    net: &super::Network<'_>,
    destination: &Endpoint,
    source: &End,
) -> Result<Endpoint, TraceError> {
    let Endpoint::Resource(id) = destination else { return Ok(destination.clone()) };
    if prefix_of(id) != "vpce-svc" {
        return Ok(destination.clone());
    }
    let world = net.world;
    if !world.vpc_endpoint_services.contains(id) {
        return Err(TraceError::UnknownResource(id.clone()));
    }
    let vpc = match source {
        End::Interface { eni, .. } => world.network_interfaces.get(eni).map(|e| e.vpc_id.clone()),
        End::Internet { .. } => None,
    };
    let endpoint = vpc.as_deref().and_then(|v| world.endpoint_to_service_in_vpc(id, v));
    match (endpoint, vpc) {
        (Some(e), _) => Ok(Endpoint::Resource(e.id.clone())),
        (None, vpc) => Err(TraceError::NoEndpointToService { service: id.clone(), vpc }),
    }
}

impl Walk<'_, '_> {
    /// Past an endpoint's interface (the destination), on to its endpoint service: through
    /// when the connection is available; `None` when the endpoint stops the packets.
    pub(super) fn on_to_endpoint_service(
        &mut self,
        eni: &NetworkInterface,
        h: Header,
    ) -> Option<Header> {
        let world = self.world();
        let Some(endpoint) = world.vpc_endpoint_of_interface(&eni.id) else { return Some(h) };
        let Some(service) = world.endpoint_service_of(endpoint) else { return Some(h) };
        let mut hop = Hop::located(&endpoint.id, Some(&endpoint.vpc_id), Some(&eni.subnet_id));
        hop.inbound = Some(h);
        if !endpoint.passes_traffic() {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(endpoint.id.clone()),
                    state: Some(endpoint.state.name().to_owned()),
                    vpc: Some(endpoint.vpc_id.clone()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        hop.outbound = Some(h);
        self.hops.push(hop);
        let mut hop = Hop::new(&service.id);
        hop.attached_to = service.load_balancer_arns().next().cloned();
        hop.inbound = Some(h);
        self.hops.push(hop);
        Some(h)
    }
}
