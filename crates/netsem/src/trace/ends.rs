//! Where a walk starts and ends: the endpoints a question names, resolved to an interface at one
//! of its addresses or to something outside the VPCs.

use super::nat_gateway::nat_interface_at_public;
use super::{Network, TraceError};
use crate::endpoint::Endpoint;
use crate::header::{Family, Span, address_value};
use model::ids::prefix_of;
use model::resources::NetworkInterface;
use std::net::IpAddr;

/// Where a walk starts or ends.
#[derive(Debug, Clone)]
pub(super) enum End {
    /// An interface at one of its addresses, and what it stands for at a path's end: its
    /// instance, or the VPC endpoint named (a hop of its own before or after the interface).
    Interface { eni: String, owner: Option<String>, address: IpAddr },
    /// Hosts beyond an internet gateway (`None`: whichever gateway the route picks).
    Internet { gateway: Option<String>, addresses: Span, family: Family },
}

impl End {
    pub(super) fn family(&self) -> Family {
        match self {
            End::Interface { address, .. } => Family::of(*address),
            End::Internet { family, .. } => *family,
        }
    }

    pub(super) fn addresses(&self) -> Span {
        match self {
            End::Interface { address, .. } => Span::one(address_value(*address)),
            End::Internet { addresses, .. } => *addresses,
        }
    }
}

pub(super) fn resolve(
    net: &Network<'_>,
    endpoint: &Endpoint,
    address: Option<IpAddr>,
    family: Option<Family>,
) -> Result<End, TraceError> {
    let world = net.world;
    let on_interface = |eni: &NetworkInterface, instance: Option<String>| {
        let family = address.map(Family::of).or(family).unwrap_or(Family::V4);
        let address = match address {
            Some(a) => {
                let held = eni.private_ips.iter().any(|p| IpAddr::V4(p.address) == a)
                    || eni.ipv6_addresses.iter().any(|v6| IpAddr::V6(*v6) == a);
                if !held {
                    return Err(TraceError::AddressNotOnResource {
                        resource: instance.clone().unwrap_or_else(|| eni.id.clone()),
                        address: a,
                    });
                }
                a
            }
            None => match family {
                Family::V4 => eni.primary_ip().map(IpAddr::V4),
                Family::V6 => eni.ipv6_addresses.first().copied().map(IpAddr::V6),
            }
            .ok_or_else(|| TraceError::NoAddress(eni.id.clone()))?,
        };
        Ok(End::Interface { eni: eni.id.clone(), owner: instance, address })
    };
    let internet = |gateway: Option<String>| {
        let family = address.map(Family::of).or(family).unwrap_or(Family::V4);
        let addresses = address.map_or(family.all(), |a| Span::one(address_value(a)));
        Ok(End::Internet { gateway, addresses, family })
    };
    match endpoint {
        Endpoint::Internet => internet(None),
        Endpoint::Address(a) => {
            let found = net.index.interfaces_at(*a).next().map(|(_, eni)| eni.to_owned());
            match found.and_then(|id| world.network_interfaces.get(&id)) {
                Some(eni) => {
                    let instance = eni.attachment.as_ref().map(|a| a.instance_id.clone());
                    let mut end = on_interface(eni, instance)?;
                    if let End::Interface { address: at, .. } = &mut end {
                        *at = *a;
                    }
                    Ok(end)
                }
                None => {
                    // A NAT gateway's Elastic IP is the gateway's interface, seen from outside.
                    if let Some((eni, private)) = nat_interface_at_public(world, *a) {
                        return Ok(End::Interface { eni, owner: None, address: private });
                    }
                    let family = Family::of(*a);
                    Ok(End::Internet {
                        gateway: None,
                        addresses: Span::one(address_value(*a)),
                        family,
                    })
                }
            }
        }
        Endpoint::Resource(id) => match prefix_of(id) {
            "i" => {
                let instance = world
                    .instances
                    .get(id)
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                let eni = match address {
                    Some(a) => world.network_interfaces.values().find(|e| {
                        e.attachment.as_ref().is_some_and(|at| at.instance_id == *id)
                            && (e.private_ips.iter().any(|p| IpAddr::V4(p.address) == a)
                                || e.ipv6_addresses.iter().any(|v6| IpAddr::V6(*v6) == a))
                    }),
                    None => None,
                }
                .or_else(|| world.network_interfaces.get(&instance.primary_network_interface_id))
                .ok_or_else(|| TraceError::NoAddress(id.clone()))?;
                on_interface(eni, Some(id.clone()))
            }
            "eni" => {
                let eni = world
                    .network_interfaces
                    .get(id)
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                on_interface(eni, eni.attachment.as_ref().map(|a| a.instance_id.clone()))
            }
            "igw" => {
                world
                    .internet_gateways
                    .get(id)
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                internet(Some(id.clone()))
            }
            "vpce" => {
                // A gateway endpoint stands for its service; an interface endpoint is its
                // first interface, and the path starts or ends at the endpoint.
                let e = world
                    .vpc_endpoints
                    .get(id)
                    .filter(|e| e.is_live())
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                match e.endpoint_type {
                    model::vpc_endpoint::EndpointType::Gateway => internet(Some(id.clone())),
                    model::vpc_endpoint::EndpointType::Interface
                    | model::vpc_endpoint::EndpointType::GatewayLoadBalancer => {
                        let eni = e
                            .network_interface_ids
                            .first()
                            .and_then(|n| world.network_interfaces.get(n))
                            .ok_or_else(|| TraceError::NoAddress(id.clone()))?;
                        on_interface(eni, Some(id.clone()))
                    }
                }
            }
            // A transit gateway attachment stands for what is behind it: packets from it enter
            // the gateway by it; packets to it leave the gateway by it.
            "tgw-attach" => {
                world
                    .transit_gateway_attachments
                    .get(id)
                    .filter(|a| a.is_live())
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                internet(Some(id.clone()))
            }
            // A Client VPN endpoint stands for a client connected to it, at an address of its
            // client CIDR (the first usable one unless given).
            "cvpn-endpoint" => {
                let e = world
                    .client_vpn_endpoints
                    .get(id)
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                let client = match address {
                    None => {
                        e.first_client_address().ok_or_else(|| TraceError::NoAddress(id.clone()))?
                    }
                    Some(IpAddr::V4(a)) if e.client_cidr.contains_addr(a) => a,
                    Some(a) => {
                        return Err(TraceError::AddressNotOnResource {
                            resource: id.clone(),
                            address: a,
                        });
                    }
                };
                Ok(End::Internet {
                    gateway: Some(id.clone()),
                    addresses: Span::one(address_value(IpAddr::V4(client))),
                    family: Family::V4,
                })
            }
            // A peering connection stands for the VPC across it.
            "pcx" => {
                world
                    .vpc_peering_connections
                    .get(id)
                    .filter(|p| p.is_active())
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                internet(Some(id.clone()))
            }
            // A transit gateway: packets from it leave it for the destination, packets to it
            // arrive when they enter it.
            "tgw" => {
                world
                    .transit_gateways
                    .get(id)
                    .filter(|g| g.is_live())
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                internet(Some(id.clone()))
            }
            // An endpoint service as a source stands for its load balancer sending on the
            // provider's side (as a destination, see `privatelink::service_as_endpoint`): its
            // interface in the first of its zones.
            "vpce-svc" => {
                let service = world
                    .vpc_endpoint_services
                    .get(id)
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                let eni = service
                    .load_balancer_arns()
                    .find_map(|arn| world.load_balancers.get(arn))
                    .and_then(|lb| lb.zones.first())
                    .and_then(|z| world.network_interfaces.get(&z.network_interface_id))
                    .ok_or_else(|| TraceError::NoAddress(id.clone()))?;
                on_interface(eni, Some(id.clone()))
            }
            // A virtual private gateway stands for the on-premises network behind it.
            "vgw" => {
                world
                    .vpn_gateways
                    .get(id)
                    .ok_or_else(|| TraceError::UnknownResource(id.clone()))?;
                internet(Some(id.clone()))
            }
            _ => Err(TraceError::UnsupportedEndpoint(id.clone())),
        },
    }
}
