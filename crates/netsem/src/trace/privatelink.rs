//! PrivateLink: a consumer reaches a provider's endpoint service through its VPC's interface
//! (or Gateway Load Balancer) endpoint. The packets go to the endpoint's interface in the
//! consumer's subnet — its security groups judge them as any interface's do — and from there to
//! the service, on the provider's side (its load balancers; their listeners and targets come
//! with the load balancer component). An endpoint whose connection is not `available`
//! (`pendingAcceptance`, `rejected`) carries nothing: `BAD_STATE`.
//!
//! A question may name the service (`vpce-svc-…`) as its destination: it stands for the
//! endpoint to it in the source's VPC (its interface, past which the packets go on to the
//! service). A question naming the endpoint itself ends at the endpoint.

use super::ends::names_endpoint_service;
use super::{End, Explanation, Hop, TraceError, Walk, codes};
use crate::endpoint::Endpoint;
use crate::header::Header;
use model::types::ec2::NetworkInterface;

/// The destination a question names, with an endpoint service replaced by the source VPC's
/// endpoint to it.
pub(super) fn service_as_endpoint(
    net: &super::Network<'_>,
    destination: &Endpoint,
    source: &End,
) -> Result<Endpoint, TraceError> {
    let Some(id) = names_endpoint_service(destination) else { return Ok(destination.clone()) };
    let world = net.world;
    if !world.vpc_endpoint_services.contains(id) {
        return Err(TraceError::UnknownResource(id.to_owned()));
    }
    let vpc = match source {
        End::Interface { eni, .. } => world.network_interfaces.get(eni).map(|e| e.vpc_id.clone()),
        End::Outside { .. } => None,
    };
    let endpoint = vpc.as_deref().and_then(|v| world.endpoint_to_service_in_vpc(id, v));
    // The endpoint's interface, not the endpoint: a path to the service goes past it.
    match (endpoint.and_then(|e| e.network_interface_ids.first()), vpc) {
        (Some(eni), _) => Ok(Endpoint::Resource(eni.clone())),
        (None, vpc) => Err(TraceError::NoEndpointToService { service: id.to_owned(), vpc }),
    }
}

impl Walk<'_, '_> {
    /// Past an endpoint's interface (the destination) to the endpoint and on to its endpoint
    /// service — through when the connection is available; `None` when the endpoint stops the
    /// packets. A path that ends at the endpoint (`ends_at_endpoint`) stops there; one to an
    /// AWS service's interface endpoint stops at the interface, as before.
    pub(super) fn on_to_endpoint_service(
        &mut self,
        eni: &NetworkInterface,
        h: Header,
        ends_at_endpoint: bool,
    ) -> Option<Header> {
        let world = self.world();
        let Some(endpoint) = world.vpc_endpoint_of_interface(&eni.id) else { return Some(h) };
        let service = world.endpoint_service_of(endpoint);
        if service.is_none() && !ends_at_endpoint {
            return Some(h);
        }
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
        let Some(service) = service.filter(|_| !ends_at_endpoint) else {
            self.hops.push(hop);
            return Some(h);
        };
        hop.outbound = Some(h);
        self.hops.push(hop);
        let mut hop = Hop::new(&service.id);
        hop.attached_to = service.load_balancer_arns().next().cloned();
        hop.inbound = Some(h);
        self.hops.push(hop);
        Some(h)
    }
}
