//! Where a walk starts and ends: the endpoints a question names, resolved to an interface at one
//! of its addresses, or to addresses outside the VPCs beyond a named component. Outside ends are
//! typed ([`Border`]): the walk dispatches on what the end is, never on its id.

use super::nat_gateway::nat_interface_at_public;
use super::{Network, TraceError};
use crate::endpoint::Endpoint;
use crate::header::{Family, Span, address_value};
use model::kinds;
use model::types::ec2::NetworkInterface;
use model::vpc_endpoint::EndpointType;
use std::net::IpAddr;

/// Where a walk starts or ends.
#[derive(Debug, Clone)]
pub(super) enum End {
    /// An interface at one of its addresses, and what it stands for at a path's end (a hop of
    /// its own before or after the interface).
    Interface { eni: String, owner: Option<Owner>, address: IpAddr },
    /// Addresses outside the VPCs, beyond the component `beyond`.
    Outside { beyond: Border, addresses: Span, family: Family },
}

/// What an interface at a path's end stands for.
#[derive(Debug, Clone)]
pub(super) enum Owner {
    /// The instance the interface is attached to.
    Instance(String),
    /// An interface (or Gateway Load Balancer) endpoint named as the end: the path starts or
    /// ends at the endpoint.
    VpcEndpoint(String),
    /// An endpoint service named as the source: its load balancer, sending on the provider's
    /// side.
    EndpointService(String),
}

impl Owner {
    pub(super) fn id(&self) -> &str {
        match self {
            Owner::Instance(id) | Owner::VpcEndpoint(id) | Owner::EndpointService(id) => id,
        }
    }
}

/// The component an outside end lies beyond: packets to the end leave the VPCs by it, packets
/// from the end come in by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Border {
    /// Whichever component the routes pick: the internet (by the VPC's internet gateway), or
    /// on premises (by a virtual private gateway or a transit gateway).
    Routed,
    /// The internet, beyond this internet gateway.
    InternetGateway(String),
    /// The AWS service (S3, DynamoDB) behind this gateway endpoint.
    GatewayEndpoint(String),
    /// The on-premises network behind this virtual private gateway (VPN, Direct Connect).
    VpnGateway(String),
    /// This transit gateway itself: packets from it leave it for the destination, packets to
    /// it arrive when they enter it.
    TransitGateway(String),
    /// What is behind this transit gateway attachment (on premises over its VPN connection or
    /// Direct Connect gateway, or a VPC): packets from it enter the gateway by it, packets to
    /// it leave the gateway by it.
    TransitAttachment(String),
    /// The VPC across this peering connection.
    Peering(String),
    /// A client connected to this Client VPN endpoint.
    ClientVpn(String),
}

impl Border {
    /// The component's id (none when the routes pick it).
    pub(super) fn id(&self) -> Option<&str> {
        match self {
            Border::Routed => None,
            Border::InternetGateway(id)
            | Border::GatewayEndpoint(id)
            | Border::VpnGateway(id)
            | Border::TransitGateway(id)
            | Border::TransitAttachment(id)
            | Border::Peering(id)
            | Border::ClientVpn(id) => Some(id),
        }
    }
}

impl End {
    pub(super) fn family(&self) -> Family {
        match self {
            End::Interface { address, .. } => Family::of(*address),
            End::Outside { family, .. } => *family,
        }
    }

    pub(super) fn addresses(&self) -> Span {
        match self {
            End::Interface { address, .. } => Span::one(address_value(*address)),
            End::Outside { addresses, .. } => *addresses,
        }
    }

    /// The component the end names: what an interface stands for (else the interface), the
    /// component an outside end lies beyond (none when the routes pick it).
    pub(super) fn name(&self) -> Option<String> {
        match self {
            End::Interface { eni, owner, .. } => {
                Some(owner.as_ref().map_or_else(|| eni.clone(), |o| o.id().to_owned()))
            }
            End::Outside { beyond, .. } => beyond.id().map(str::to_owned),
        }
    }
}

/// The endpoint service a question's endpoint names, if it names one.
pub(super) fn names_endpoint_service(endpoint: &Endpoint) -> Option<&str> {
    match endpoint {
        Endpoint::Resource(id) if kinds::VPC_ENDPOINT_SERVICE.names(id) => Some(id),
        _ => None,
    }
}

/// The end `endpoint` stands for, at `address` when given (else an address of `family`, else
/// IPv4).
pub(super) fn resolve(
    net: &Network<'_>,
    endpoint: &Endpoint,
    address: Option<IpAddr>,
    family: Option<Family>,
) -> Result<End, TraceError> {
    let resolver = Resolver { net, address, family };
    match endpoint {
        Endpoint::Internet => resolver.outside(Border::Routed),
        Endpoint::Address(a) => resolver.at_address(*a),
        Endpoint::Resource(id) => resolver.resource(id),
    }
}

/// Resolves one endpoint of a question.
struct Resolver<'n, 'w> {
    net: &'n Network<'w>,
    /// The address the question gives for the endpoint.
    address: Option<IpAddr>,
    /// The family the other endpoint's address has.
    family: Option<Family>,
}

/// Whether interface `eni` holds `address`.
fn holds(eni: &NetworkInterface, address: IpAddr) -> bool {
    eni.private_ips.iter().any(|p| IpAddr::V4(p.address) == address)
        || eni.ipv6_addresses.iter().any(|v6| IpAddr::V6(*v6) == address)
}

/// The instance an interface is attached to.
fn instance_of(eni: &NetworkInterface) -> Option<Owner> {
    eni.attachment.as_ref().map(|a| Owner::Instance(a.instance_id.clone()))
}

impl Resolver<'_, '_> {
    fn family(&self) -> Family {
        self.address.map(Family::of).or(self.family).unwrap_or(Family::V4)
    }

    /// Interface `eni` at the address given (which it must hold), else at its first of the
    /// family.
    fn on_interface(
        &self,
        eni: &NetworkInterface,
        owner: Option<Owner>,
    ) -> Result<End, TraceError> {
        let address = match self.address {
            Some(a) => {
                if !holds(eni, a) {
                    let resource = owner.as_ref().map_or_else(|| eni.id.clone(), |o| o.id().into());
                    return Err(TraceError::AddressNotOnResource { resource, address: a });
                }
                a
            }
            None => match self.family() {
                Family::V4 => eni.primary_ip().map(IpAddr::V4),
                Family::V6 => eni.ipv6_addresses.first().copied().map(IpAddr::V6),
            }
            .ok_or_else(|| TraceError::NoAddress(eni.id.clone()))?,
        };
        Ok(End::Interface { eni: eni.id.clone(), owner, address })
    }

    /// The addresses beyond `beyond`: the address given, else all of the family.
    fn outside(&self, beyond: Border) -> Result<End, TraceError> {
        let family = self.family();
        let addresses = self.address.map_or(family.all(), |a| Span::one(address_value(a)));
        Ok(End::Outside { beyond, addresses, family })
    }

    /// The outside end beyond `beyond` when the component exists, named by its id.
    fn named(&self, exists: bool, beyond: Border) -> Result<End, TraceError> {
        match beyond.id() {
            Some(id) if !exists => Err(TraceError::UnknownResource(id.to_owned())),
            _ => self.outside(beyond),
        }
    }

    /// An address: the interface holding it, else a NAT gateway's Elastic IP (the gateway's
    /// interface, seen from outside), else outside the VPCs.
    fn at_address(&self, a: IpAddr) -> Result<End, TraceError> {
        let world = self.net.world;
        let found = self.net.index.interfaces_at(a).next().map(|(_, eni)| eni.to_owned());
        if let Some(eni) = found.and_then(|id| world.network_interfaces.get(&id)) {
            let mut end = self.on_interface(eni, instance_of(eni))?;
            if let End::Interface { address: at, .. } = &mut end {
                *at = a;
            }
            return Ok(end);
        }
        if let Some((eni, private)) = nat_interface_at_public(world, a) {
            return Ok(End::Interface { eni, owner: None, address: private });
        }
        let addresses = Span::one(address_value(a));
        Ok(End::Outside { beyond: Border::Routed, addresses, family: Family::of(a) })
    }

    /// A resource named by its id: the one place its kind is read from the id's prefix.
    fn resource(&self, id: &str) -> Result<End, TraceError> {
        let world = self.net.world;
        let unknown = || TraceError::UnknownResource(id.to_owned());
        let id_of = || id.to_owned();
        match kinds::of(id) {
            Some(&kinds::INSTANCE) => self.instance(id),
            Some(&kinds::NETWORK_INTERFACE) => {
                let eni = world.network_interfaces.get(id).ok_or_else(unknown)?;
                self.on_interface(eni, instance_of(eni))
            }
            Some(&kinds::INTERNET_GATEWAY) => self
                .named(world.internet_gateways.get(id).is_some(), Border::InternetGateway(id_of())),
            Some(&kinds::VPC_ENDPOINT) => self.vpc_endpoint(id),
            Some(&kinds::TRANSIT_GATEWAY_ATTACHMENT) => self.named(
                world.transit_gateway_attachments.get(id).is_some_and(|a| a.is_live()),
                Border::TransitAttachment(id_of()),
            ),
            Some(&kinds::CLIENT_VPN_ENDPOINT) => self.client_vpn(id),
            Some(&kinds::VPC_PEERING_CONNECTION) => self.named(
                world.vpc_peering_connections.get(id).is_some_and(|p| p.is_active()),
                Border::Peering(id_of()),
            ),
            Some(&kinds::TRANSIT_GATEWAY) => self.named(
                world.transit_gateways.get(id).is_some_and(|g| g.is_live()),
                Border::TransitGateway(id_of()),
            ),
            Some(&kinds::VPC_ENDPOINT_SERVICE) => self.endpoint_service(id),
            Some(&kinds::VPN_GATEWAY) => {
                self.named(world.vpn_gateways.get(id).is_some(), Border::VpnGateway(id_of()))
            }
            _ => Err(TraceError::UnsupportedEndpoint(id_of())),
        }
    }

    /// An instance: its interface holding the address given, else its primary interface.
    fn instance(&self, id: &str) -> Result<End, TraceError> {
        let world = self.net.world;
        let instance =
            world.instances.get(id).ok_or_else(|| TraceError::UnknownResource(id.to_owned()))?;
        let eni = match self.address {
            Some(a) => world.network_interfaces.values().find(|e| {
                e.attachment.as_ref().is_some_and(|at| at.instance_id == *id) && holds(e, a)
            }),
            None => None,
        }
        .or_else(|| world.network_interfaces.get(&instance.primary_network_interface_id))
        .ok_or_else(|| TraceError::NoAddress(id.to_owned()))?;
        self.on_interface(eni, Some(Owner::Instance(id.to_owned())))
    }

    /// A gateway endpoint stands for its service; an interface endpoint is its first
    /// interface, and the path starts or ends at the endpoint.
    fn vpc_endpoint(&self, id: &str) -> Result<End, TraceError> {
        let world = self.net.world;
        let e = world
            .vpc_endpoints
            .get(id)
            .filter(|e| e.is_live())
            .ok_or_else(|| TraceError::UnknownResource(id.to_owned()))?;
        match e.endpoint_type {
            EndpointType::Gateway => self.outside(Border::GatewayEndpoint(id.to_owned())),
            EndpointType::Interface | EndpointType::GatewayLoadBalancer => {
                let eni = e
                    .network_interface_ids
                    .first()
                    .and_then(|n| world.network_interfaces.get(n))
                    .ok_or_else(|| TraceError::NoAddress(id.to_owned()))?;
                self.on_interface(eni, Some(Owner::VpcEndpoint(id.to_owned())))
            }
        }
    }

    /// A Client VPN endpoint stands for a client connected to it, at an address of its client
    /// CIDR (the first usable one unless given).
    fn client_vpn(&self, id: &str) -> Result<End, TraceError> {
        let e = self
            .net
            .world
            .client_vpn_endpoints
            .get(id)
            .ok_or_else(|| TraceError::UnknownResource(id.to_owned()))?;
        let client = match self.address {
            None => e.first_client_address().ok_or_else(|| TraceError::NoAddress(id.to_owned()))?,
            Some(IpAddr::V4(a)) if e.client_cidr.contains_addr(a) => a,
            Some(a) => {
                return Err(TraceError::AddressNotOnResource {
                    resource: id.to_owned(),
                    address: a,
                });
            }
        };
        Ok(End::Outside {
            beyond: Border::ClientVpn(id.to_owned()),
            addresses: Span::one(address_value(IpAddr::V4(client))),
            family: Family::V4,
        })
    }

    /// An endpoint service as a source stands for its load balancer sending on the provider's
    /// side (as a destination, see `privatelink::service_as_endpoint`): its interface in the
    /// first of its zones.
    fn endpoint_service(&self, id: &str) -> Result<End, TraceError> {
        let world = self.net.world;
        let service = world
            .vpc_endpoint_services
            .get(id)
            .ok_or_else(|| TraceError::UnknownResource(id.to_owned()))?;
        let eni = service
            .load_balancer_arns()
            .find_map(|arn| world.load_balancers.get(arn))
            .and_then(|lb| lb.zones.first())
            .and_then(|z| world.network_interfaces.get(&z.network_interface_id))
            .ok_or_else(|| TraceError::NoAddress(id.to_owned()))?;
        self.on_interface(eni, Some(Owner::EndpointService(id.to_owned())))
    }
}
