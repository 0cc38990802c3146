//! Path tracing: the hops a set of packets takes from a source to a destination and back, the
//! rule or route that decided at each, and — when the path is blocked — every component that
//! blocks it, in Reachability Analyzer's vocabulary.
//!
//! The walk follows what AWS does with a packet: it leaves an interface through the interface's
//! security groups, crosses its subnet's network ACL, is routed by its subnet's route table
//! (longest prefix), and enters the destination subnet through that subnet's ACL and the
//! destination interface's groups. An internet gateway translates between an interface's
//! private address and its public one. The return path is walked again with the reply:
//! network ACLs are stateless and judge it afresh, security groups are stateful and let it by.
//!
//! A blocking ACL or security group does not end the walk: it is explained, and the walk goes
//! on as if it had let the packets through, so one analysis names every blocking component. A
//! missing route ends it, since there is nowhere further to go.
//!
//! Each kind of component is one function here; later components (NAT gateways, peering,
//! transit gateways, endpoints, load balancers) are new arms of `Walk::follow_route` and new
//! functions, not changes to the others.

use crate::endpoint::Endpoint;
use crate::header::{ALL_PORTS, Family, Header, Span, address_value, v4_span, v6_span};
use crate::index::Index;
use crate::prefix_lists::PrefixLists;
use crate::{network_acls, routes, security_groups};
use model::World;
use model::cidr::Cidr;
use model::ids::prefix_of;
use model::resources::{
    InstanceState, NetworkAclEntry, NetworkInterface, Route, RouteDestination, RouteTable,
    RouteTarget, SecurityGroupRule,
};
use model::transit_gateway::TgwRoute;
use std::net::{IpAddr, Ipv4Addr};

mod load_balancer;
mod privatelink;
mod transit;

/// Reachability Analyzer's explanation codes for the components the engine knows.
pub mod codes {
    /// No listener of the load balancer takes the packets' protocol and port.
    pub const ELBV2_LISTENERS_MISMATCH: &str = "ELBV2_LISTENERS_MISMATCH";
    /// The load balancer sends only to targets in its enabled zones.
    pub const ELB_INSTALLED_AZ_RESTRICTION: &str = "ELB_INSTALLED_AZ_RESTRICTION";
    pub const ENI_SG_RULES_MISMATCH: &str = "ENI_SG_RULES_MISMATCH";
    pub const SUBNET_ACL_RESTRICTION: &str = "SUBNET_ACL_RESTRICTION";
    pub const NO_ROUTE_TO_DESTINATION: &str = "NO_ROUTE_TO_DESTINATION";
    pub const BAD_STATE_ROUTE: &str = "BAD_STATE_ROUTE";
    pub const BAD_STATE: &str = "BAD_STATE";
    pub const IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS: &str =
        "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS";
    pub const IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS: &str = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS";
    pub const ENI_SOURCE_DEST_CHECK_RESTRICTION: &str = "ENI_SOURCE_DEST_CHECK_RESTRICTION";
    pub const IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS: &str =
        "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS";
    pub const IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS: &str =
        "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS";
    pub const IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS: &str =
        "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS";
    pub const IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS: &str =
        "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS";
    pub const EGRESS_ONLY_IGW_INGRESS: &str = "EGRESS_ONLY_IGW_INGRESS";
    pub const NGW_REQUIRES_SOURCE_IN_VPC: &str = "NGW_REQUIRES_SOURCE_IN_VPC";
    pub const IGW_NO_ROUTE_TO_DESTINATION: &str = "NO_ROUTE_TO_DESTINATION";
    pub const DESTINATION_NOT_IN_VPC: &str = "NO_ROUTE_TO_DESTINATION";
    pub const PCX_REQUIRES_ADDRESS_IN_VPC_CIDR: &str = "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR";
    pub const VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS: &str = "VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS";
    pub const VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS: &str =
        "VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS";
    /// No VPN connection of the virtual private gateway has a route to the destination.
    pub const VGW_NO_ROUTE_TO_DESTINATION: &str = "NO_ROUTE_TO_DESTINATION";
    /// Not an AWS code: the route leads to a kind of component vpclab does not model yet.
    pub const VPCE_GATEWAY_PROTOCOL_RESTRICTION: &str = "VPCE_GATEWAY_PROTOCOL_RESTRICTION";
    pub const VPCLAB_UNMODELLED_COMPONENT: &str = "VPCLAB_UNMODELLED_COMPONENT";
    /// The source's availability zone has no subnet of the VPC's transit gateway attachment.
    pub const TGW_ATTACH_VPC_AZ_RESTRICTION: &str = "TGW_ATTACH_VPC_AZ_RESTRICTION";
    /// The attachment the packets entered the transit gateway by has no route table.
    pub const TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION: &str =
        "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION";
    /// The transit gateway route table has no route for the destination.
    pub const TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT: &str = "TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT";
    /// The transit gateway route that matched is a blackhole.
    pub const TGW_RTB_BAD_STATE_ROUTE: &str = "TGW_RTB_BAD_STATE_ROUTE";
    /// Not an AWS code (Reachability Analyzer has no Client VPN): no authorization rule of
    /// the Client VPN endpoint covers the destination.
    pub const VPCLAB_CLIENT_VPN_NOT_AUTHORIZED: &str = "VPCLAB_CLIENT_VPN_NOT_AUTHORIZED";
    /// The Client VPN endpoint's route table has no route to the destination.
    pub const CLIENT_VPN_NO_ROUTE_TO_DESTINATION: &str = "NO_ROUTE_TO_DESTINATION";
}

/// What is asked: from where to where, for which packets.
#[derive(Debug, Clone)]
pub struct Question {
    pub source: Endpoint,
    pub destination: Endpoint,
    /// The source address when the source has several, or is the internet.
    pub source_address: Option<IpAddr>,
    /// The destination address when the destination has several, or is the internet.
    pub destination_address: Option<IpAddr>,
    pub protocol: u8,
    pub source_ports: Span,
    pub destination_ports: Span,
}

impl Question {
    /// A question for one packet's protocol and destination port, any source port.
    pub fn new(source: Endpoint, destination: Endpoint, protocol: u8, port: Option<u16>) -> Self {
        Question {
            source,
            destination,
            source_address: None,
            destination_address: None,
            protocol,
            source_ports: ALL_PORTS,
            destination_ports: port.map_or(ALL_PORTS, |p| Span::one(u128::from(p))),
        }
    }
}

/// Why a question cannot be asked of this network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceError {
    /// The resource does not exist (any more).
    UnknownResource(String),
    /// The resource exists but cannot be a source or destination.
    UnsupportedEndpoint(String),
    /// The address given is not one the resource holds.
    AddressNotOnResource { resource: String, address: IpAddr },
    /// Nothing tells which address the resource would use.
    NoAddress(String),
    /// The source and destination addresses are of different families.
    MixedFamilies,
    /// The destination is an endpoint service the source's VPC has no endpoint to.
    NoEndpointToService { service: String, vpc: Option<String> },
}

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TraceError::UnknownResource(id) => write!(f, "the resource {id} does not exist"),
            TraceError::UnsupportedEndpoint(id) => {
                write!(f, "{id} cannot be the source or destination of a path")
            }
            TraceError::AddressNotOnResource { resource, address } => {
                write!(f, "{address} is not an address of {resource}")
            }
            TraceError::NoAddress(id) => write!(f, "{id} has no address to use"),
            TraceError::MixedFamilies => {
                f.write_str("the source and destination addresses are of different families")
            }
            TraceError::NoEndpointToService { service, vpc: Some(vpc) } => {
                write!(f, "{vpc} has no endpoint to the endpoint service {service}")
            }
            TraceError::NoEndpointToService { service, vpc: None } => {
                write!(
                    f,
                    "the source is in no VPC with an endpoint to the endpoint service {service}"
                )
            }
        }
    }
}

/// The rule or route that decided at a hop.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Acl(NetworkAclEntry),
    SecurityGroup {
        egress: bool,
        rule: SecurityGroupRule,
    },
    Route(Route),
    /// A route of a transit gateway route table.
    TransitGatewayRoute(TgwRoute),
    /// The load balancer listener that took the packets, and where it sent them.
    Listener {
        listener: String,
        port: u16,
        target_group: Option<String>,
        target_port: Option<u16>,
    },
}

/// One component the packets cross.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// The component's id (`i-`, `eni-`, `sg-`, `acl-`, `rtb-`, `igw-` …).
    pub component: String,
    pub vpc: Option<String>,
    pub subnet: Option<String>,
    /// The resource the component is attached to (an interface's instance).
    pub attached_to: Option<String>,
    /// The packets as they reach the component, when it changes or receives them.
    pub inbound: Option<Header>,
    /// The packets as they leave the component.
    pub outbound: Option<Header>,
    pub decision: Option<Decision>,
    /// The component stops these packets (it is also explained).
    pub blocked: bool,
}

impl Hop {
    fn new(component: &str) -> Hop {
        Hop::located(component, None, None)
    }

    /// A hop in a VPC (and subnet).
    fn located(component: &str, vpc: Option<&str>, subnet: Option<&str>) -> Hop {
        Hop {
            component: component.to_owned(),
            vpc: vpc.map(str::to_owned),
            subnet: subnet.map(str::to_owned),
            attached_to: None,
            inbound: None,
            outbound: None,
            decision: None,
            blocked: false,
        }
    }
}

/// Why the packets do not get through one component.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Explanation {
    pub code: &'static str,
    /// `ingress` or `egress`, for ACLs and security groups.
    pub direction: Option<&'static str>,
    /// On the return path (the reply), not the forward path.
    pub on_return: bool,
    pub component: Option<String>,
    pub vpc: Option<String>,
    pub subnet: Option<String>,
    pub network_interface: Option<String>,
    pub security_groups: Vec<String>,
    pub acl: Option<String>,
    pub acl_rule: Option<NetworkAclEntry>,
    pub route_table: Option<String>,
    pub route: Option<Route>,
    pub internet_gateway: Option<String>,
    /// The component the packets needed to reach (e.g. the gateway a route was missing to).
    pub destination: Option<String>,
    pub address: Option<IpAddr>,
    pub state: Option<String>,
    pub transit_gateway: Option<String>,
    pub transit_gateway_attachment: Option<String>,
    pub transit_gateway_route_table: Option<String>,
    pub transit_gateway_route: Option<TgwRoute>,
    /// The load balancer (its ARN) that refused the packets.
    pub load_balancer: Option<String>,
    /// What was being sent when the component refused it.
    pub header: Option<Header>,
}

impl Explanation {
    /// A refusal at a route of `table` (or at the component it leads to).
    fn at_route(
        code: &'static str,
        component: &str,
        table: &RouteTable,
        route: &Route,
        h: Header,
    ) -> Explanation {
        Explanation {
            code,
            component: Some(component.to_owned()),
            route_table: Some(table.id.clone()),
            route: Some(route.clone()),
            vpc: Some(table.vpc_id.clone()),
            header: Some(h),
            ..Explanation::default()
        }
    }
}

/// The answer to a [`Question`].
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub forward: Vec<Hop>,
    /// The reply's path, when the forward walk got to the destination.
    pub back: Vec<Hop>,
    pub explanations: Vec<Explanation>,
    /// The forward walk got to the destination (perhaps through blocking components).
    pub arrived: bool,
}

impl Trace {
    /// Whether the packets get there and their replies get back.
    pub fn reachable(&self) -> bool {
        self.arrived && self.explanations.is_empty()
    }

    /// Every component the path crosses, forward then back.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.forward.iter().chain(&self.back).map(|h| h.component.as_str())
    }
}

/// A network to ask questions of: a world and its lookups.
#[derive(Debug, Clone, Copy)]
pub struct Network<'w> {
    pub world: &'w World,
    pub index: &'w Index,
}

/// Where a walk starts or ends.
#[derive(Debug, Clone)]
enum End {
    /// An interface at one of its addresses, and what it stands for at a path's end: its
    /// instance, or the VPC endpoint named (a hop of its own before or after the interface).
    Interface { eni: String, owner: Option<String>, address: IpAddr },
    /// Hosts beyond an internet gateway (`None`: whichever gateway the route picks).
    Internet { gateway: Option<String>, addresses: Span, family: Family },
}

impl End {
    fn family(&self) -> Family {
        match self {
            End::Interface { address, .. } => Family::of(*address),
            End::Internet { family, .. } => *family,
        }
    }

    fn addresses(&self) -> Span {
        match self {
            End::Interface { address, .. } => Span::one(address_value(*address)),
            End::Internet { addresses, .. } => *addresses,
        }
    }
}

/// Answers `question` on `net`.
pub fn trace(net: &Network<'_>, question: &Question) -> Result<Trace, TraceError> {
    let family_hint = question.source_address.or(question.destination_address).map(Family::of);
    let source = resolve(net, &question.source, question.source_address, family_hint)?;
    if let Some(trace) = load_balancer::to_balancer(net, question, &source)? {
        return Ok(trace);
    }
    // An endpoint service is reached through the source VPC's endpoint to it.
    let destination_end = privatelink::service_as_endpoint(net, &question.destination, &source)?;
    let destination = resolve(
        net,
        &destination_end,
        question.destination_address,
        family_hint.or(Some(source.family())),
    )?;
    if source.family() != destination.family() {
        return Err(TraceError::MixedFamilies);
    }
    let header = Header {
        protocol: question.protocol,
        family: source.family(),
        source: source.addresses(),
        destination: destination.addresses(),
        source_ports: question.source_ports,
        destination_ports: question.destination_ports,
    };
    let direct = walk_both_ways(net, &source, &destination, header);
    if direct.reachable() {
        return Ok(direct);
    }
    // Not reachable directly: perhaps through a load balancer the destination is a target of.
    Ok(load_balancer::through_balancers(net, question, &source, &destination).unwrap_or(direct))
}

/// Walks `header` from `source` to `destination` and, when it arrives, its reply back.
fn walk_both_ways(net: &Network<'_>, source: &End, destination: &End, header: Header) -> Trace {
    let mut forward = Walk::new(net, false);
    let arrival = forward.run(source, destination, header);
    let mut trace = Trace {
        forward: forward.hops,
        back: Vec::new(),
        explanations: forward.explanations,
        arrived: arrival.is_some(),
    };
    if let Some(arrived) = arrival {
        let mut back = Walk::new(net, true);
        back.nat_sessions = forward.nat_sessions;
        back.gateway_endpoint = forward.gateway_endpoint;
        // Replies from on premises come back in through the gateway the packets left by.
        let destination = match (destination, forward.vpn_exit) {
            (End::Internet { gateway: None, addresses, family }, Some(vgw)) => {
                End::Internet { gateway: Some(vgw), addresses: *addresses, family: *family }
            }
            (destination, _) => destination.clone(),
        };
        back.run(&destination, source, arrived.reply());
        trace.back = back.hops;
        trace.explanations.extend(back.explanations.into_iter().map(|mut e| {
            e.on_return = true;
            e
        }));
    }
    trace
}

fn resolve(
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

/// What the walk carries from hop to hop besides the packets: the groups of the interface
/// that sent them, for security group references.
#[derive(Debug, Clone, Default)]
struct Sender {
    groups: Vec<String>,
    vpc: Option<String>,
    /// The packets came into this VPC out of a transit gateway (a NAT gateway forwards them).
    through_transit: bool,
}

/// One walk in one direction.
struct Walk<'n, 'w> {
    net: &'n Network<'w>,
    /// The reply of an admitted flow: security groups let it by.
    established: bool,
    hops: Vec<Hop>,
    explanations: Vec<Explanation>,
    /// Guards against routing loops through appliances.
    budget: u8,
    /// Translations NAT gateways made on the forward walk, for the reply to undo.
    nat_sessions: Vec<NatSession>,
    /// The gateway endpoint the forward walk reached its service through: the reply comes
    /// back from it.
    gateway_endpoint: Option<String>,
    /// The gateway (a virtual private gateway, or a transit gateway's VPN or Direct Connect
    /// attachment) the packets left by, to on premises: the reply comes back in by it.
    vpn_exit: Option<String>,
    /// The availability zone the packets entered a transit gateway from: it keeps them there.
    transit_zone: Option<String>,
}

/// What a NAT gateway replaced in the packets it forwarded: the reply is translated back.
#[derive(Debug, Clone)]
struct NatSession {
    nat: String,
    inside_source: Span,
    inside_ports: Span,
}

/// The source ports a NAT gateway maps connections to.
pub const EPHEMERAL_PORTS: Span = Span::new(1024, 65535);

impl<'n, 'w> Walk<'n, 'w> {
    fn new(net: &'n Network<'w>, established: bool) -> Self {
        Walk {
            net,
            established,
            hops: Vec::new(),
            explanations: Vec::new(),
            budget: 16,
            nat_sessions: Vec::new(),
            gateway_endpoint: None,
            vpn_exit: None,
            transit_zone: None,
        }
    }

    fn world(&self) -> &'w World {
        self.net.world
    }

    /// Walks `header` from `from` to `to`; the packets as they arrive, if they do.
    fn run(&mut self, from: &End, to: &End, header: Header) -> Option<Header> {
        match from {
            End::Interface { eni, owner: instance, .. } => {
                let eni = self.world().network_interfaces.get(eni)?;
                if let Some(instance) = instance {
                    self.owner_hop(instance, eni, header, false);
                }
                self.leave_interface(eni, header, to)
            }
            End::Internet { gateway: Some(g), .. } if prefix_of(g) == "cvpn-endpoint" => {
                self.enter_from_client_vpn(g, header, to)
            }
            End::Internet { gateway, .. } => {
                let endpoint = gateway
                    .clone()
                    .filter(|g| prefix_of(g) == "vpce")
                    .or_else(|| self.gateway_endpoint.clone());
                if let (Some(endpoint), End::Interface { eni, .. }) = (endpoint, to) {
                    if !self.established {
                        // A service behind a gateway endpoint only answers.
                        self.explain(Explanation {
                            code: codes::NO_ROUTE_TO_DESTINATION,
                            component: Some(endpoint),
                            destination: Some(eni.clone()),
                            header: Some(header),
                            ..Explanation::default()
                        });
                        return None;
                    }
                    return self.back_from_gateway_endpoint(&endpoint, eni, header, to);
                }
                let gateway = match (gateway, to) {
                    (Some(g), _) => g.clone(),
                    (None, End::Interface { eni, .. }) => {
                        // A reply to a NAT gateway's connection comes back by the gateway's
                        // VPC (another VPC than the destination's, behind a transit gateway).
                        let world = self.world();
                        let vpc = match self.nat_sessions.last() {
                            Some(s) => &world.nat_gateways.get(&s.nat)?.vpc_id,
                            None => &world.network_interfaces.get(eni)?.vpc_id,
                        };
                        match self.net.index.internet_gateway_of_vpc(vpc) {
                            Some(g) => g.to_owned(),
                            None => {
                                self.explain(Explanation {
                                    code: codes::NO_ROUTE_TO_DESTINATION,
                                    vpc: Some(vpc.clone()),
                                    header: Some(header),
                                    ..Explanation::default()
                                });
                                return None;
                            }
                        }
                    }
                    (None, End::Internet { .. }) => return Some(header),
                };
                if prefix_of(&gateway) == "vgw" {
                    return self.enter_from_vpn(&gateway, header, to);
                }
                if prefix_of(&gateway) == "tgw-attach" {
                    return self.enter_from_transit_attachment(&gateway, header, to);
                }
                if prefix_of(&gateway) == "tgw" {
                    return self.leave_transit_gateway_as_source(&gateway, header, to);
                }
                if prefix_of(&gateway) == "pcx" {
                    return self.enter_from_peering(&gateway, header, to);
                }
                self.enter_from_internet(&gateway, header, to)
            }
        }
    }

    fn explain(&mut self, explanation: Explanation) {
        self.explanations.push(explanation);
    }

    /// A hop the packets cross unchanged.
    fn pass_through(&mut self, mut hop: Hop, h: Header) {
        hop.inbound = Some(h);
        hop.outbound = Some(h);
        self.hops.push(hop);
    }

    /// A hop that stops the packets, for the reason given.
    fn push_blocked(&mut self, mut hop: Hop, explanation: Explanation) {
        hop.blocked = true;
        self.hops.push(hop);
        self.explain(explanation);
    }

    /// The last hop stops the packets, for the reason given.
    fn block_last(&mut self, explanation: Explanation) {
        if let Some(hop) = self.hops.last_mut() {
            hop.blocked = true;
        }
        self.explain(explanation);
    }

    /// The hop of what an interface at a path's end stands for (see [`End::Interface`]).
    fn owner_hop(&mut self, owner: &str, eni: &NetworkInterface, h: Header, arriving: bool) {
        let mut hop = Hop::located(owner, Some(&eni.vpc_id), Some(&eni.subnet_id));
        if arriving {
            hop.inbound = Some(h);
        } else {
            hop.outbound = Some(h);
        }
        if let Some(instance) = self.world().instances.get(owner)
            && !matches!(instance.state, InstanceState::Running | InstanceState::Pending)
        {
            hop.blocked = true;
            self.explain(Explanation {
                code: codes::BAD_STATE,
                component: Some(owner.to_owned()),
                state: Some(instance.state.name().to_owned()),
                vpc: Some(eni.vpc_id.clone()),
                header: Some(h),
                ..Explanation::default()
            });
        }
        self.hops.push(hop);
    }

    fn interface_hop(&mut self, eni: &NetworkInterface, h: Header, arriving: bool) {
        let mut hop = Hop::located(&eni.id, Some(&eni.vpc_id), Some(&eni.subnet_id));
        hop.attached_to = eni.attachment.as_ref().map(|a| a.instance_id.clone());
        if arriving {
            hop.inbound = Some(h);
        } else {
            hop.outbound = Some(h);
        }
        self.hops.push(hop);
    }

    /// Whether `address` is one of the interface's own.
    fn owns(eni: &NetworkInterface, address: Option<IpAddr>) -> bool {
        address.is_some_and(|a| {
            eni.private_ips.iter().any(|p| IpAddr::V4(p.address) == a)
                || eni.ipv6_addresses.iter().any(|v6| IpAddr::V6(*v6) == a)
        })
    }

    /// The source/destination check: an interface sends and receives only its own addresses
    /// unless the check is disabled (NAT instances, appliances).
    fn source_dest_check(&mut self, eni: &NetworkInterface, h: &Header, sending: bool) {
        let address = if sending { h.source_address() } else { h.destination_address() };
        // A Network Load Balancer sends to targets with its clients' addresses when its target
        // group preserves them.
        let forwards_clients = sending && eni.interface_type == "network_load_balancer";
        if eni.source_dest_check && !forwards_clients && !Self::owns(eni, address) {
            self.block_last(Explanation {
                code: codes::ENI_SOURCE_DEST_CHECK_RESTRICTION,
                direction: Some(if sending { "egress" } else { "ingress" }),
                component: Some(eni.id.clone()),
                network_interface: Some(eni.id.clone()),
                vpc: Some(eni.vpc_id.clone()),
                subnet: Some(eni.subnet_id.clone()),
                header: Some(*h),
                ..Explanation::default()
            });
        }
    }

    /// The interface's security groups, in the order it lists them.
    fn groups_of(&self, eni: &NetworkInterface) -> Vec<&'w model::resources::SecurityGroup> {
        eni.security_groups.iter().filter_map(|g| self.world().security_groups.get(g)).collect()
    }

    /// Security groups of `eni` for packets leaving (egress) or arriving (ingress). Replies of
    /// admitted flows pass without a hop: groups are stateful.
    fn security_groups(
        &mut self,
        eni: &NetworkInterface,
        h: Header,
        egress: bool,
        sender: &Sender,
    ) -> Header {
        // An interface without groups (a Network Load Balancer's created without any) is not
        // filtered by them.
        if eni.security_groups.is_empty() {
            return h;
        }
        if self.established {
            // Replies of admitted flows: the groups are crossed but judge nothing.
            if let Some(first) = eni.security_groups.first() {
                let hop = Hop::located(first, Some(&eni.vpc_id), Some(&eni.subnet_id));
                self.hops.push(hop);
            }
            return h;
        }
        let groups = self.groups_of(eni);
        let direction = if egress {
            security_groups::Direction::Egress
        } else {
            security_groups::Direction::Ingress
        };
        // Group references name the interface at the other end, reached over private
        // addressing in the same VPC: the destination's groups for egress, the sender's for
        // ingress.
        let peer_groups: Vec<String> = if egress {
            h.destination_address()
                .and_then(|a| self.group_peer_at(&eni.vpc_id, a))
                .map(|d| d.security_groups.clone())
                .unwrap_or_default()
        } else if sender.vpc.as_deref().is_some_and(|v| self.groups_reach(v, &eni.vpc_id)) {
            sender.groups.clone()
        } else {
            Vec::new()
        };
        let peer = security_groups::Peer { groups: &peer_groups };
        let lists = &self.net.index.prefix_lists;
        match security_groups::evaluate(groups.iter().copied(), &h, direction, peer, lists) {
            Some(verdict) => {
                let mut hop =
                    Hop::located(&verdict.group.id, Some(&eni.vpc_id), Some(&eni.subnet_id));
                hop.decision = Some(Decision::SecurityGroup { egress, rule: verdict.rule.clone() });
                self.hops.push(hop);
                verdict.header
            }
            None => {
                let first = eni.security_groups.first().cloned().unwrap_or_default();
                let hop = Hop::located(&first, Some(&eni.vpc_id), Some(&eni.subnet_id));
                self.push_blocked(
                    hop,
                    Explanation {
                        code: codes::ENI_SG_RULES_MISMATCH,
                        direction: Some(if egress { "egress" } else { "ingress" }),
                        component: Some(eni.id.clone()),
                        network_interface: Some(eni.id.clone()),
                        security_groups: eni.security_groups.clone(),
                        vpc: Some(eni.vpc_id.clone()),
                        subnet: Some(eni.subnet_id.clone()),
                        header: Some(h),
                        ..Explanation::default()
                    },
                );
                h
            }
        }
    }

    /// The network ACL of `subnet` for packets leaving (outbound) or entering it.
    fn network_acl(&mut self, subnet: &str, vpc: &str, h: Header, outbound: bool) -> Header {
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
                v.header
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

    /// Packets leaving an interface that sends them: its groups, then its subnet's routing.
    fn leave_interface(&mut self, eni: &NetworkInterface, h: Header, to: &End) -> Option<Header> {
        self.interface_hop(eni, h, false);
        self.source_dest_check(eni, &h, true);
        let sender = Sender {
            groups: eni.security_groups.clone(),
            vpc: Some(eni.vpc_id.clone()),
            through_transit: false,
        };
        let h = self.security_groups(eni, h, true, &sender);
        self.route_from_subnet(eni, h, to, &sender)
    }

    /// Packets that left `from` (an interface of its subnet) go where its subnet's route table
    /// sends them; within one subnet they go straight to the destination interface.
    fn route_from_subnet(
        &mut self,
        from: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        self.budget = self.budget.checked_sub(1)?;
        let world = self.world();
        if let End::Interface { eni: target, .. } = to
            && let Some(target) = world.network_interfaces.get(target)
            && target.subnet_id == from.subnet_id
            && h.destination_address().is_some_and(|a| Self::owns(target, Some(a)))
        {
            // Traffic within a subnet is not routed and crosses no ACL.
            return self.arrive_at_interface(target, h, to, sender);
        }
        let h = self.network_acl(&from.subnet_id, &from.vpc_id, h, true);
        let table = self
            .net
            .index
            .route_table_of_subnet(&from.subnet_id, &from.vpc_id)
            .and_then(|id| self.net.index.route_table(world, id))?;
        let gateway_wanted = match to {
            End::Internet { gateway, .. } => Some(gateway.as_deref()),
            End::Interface { .. } => None,
        };
        let lists = &self.net.index.prefix_lists;
        let Some((route, narrowed)) = pick_route(table, &h, gateway_wanted, lists) else {
            let destination = match to {
                End::Internet { gateway, .. } => gateway.clone(),
                End::Interface { eni, owner: instance, .. } => {
                    Some(instance.clone().unwrap_or_else(|| eni.clone()))
                }
            };
            self.no_route(table, from, h, destination);
            return None;
        };
        let mut hop = Hop::located(&table.id, Some(&from.vpc_id), Some(&from.subnet_id));
        hop.decision = Some(Decision::Route(route.clone()));
        self.hops.push(hop);
        if world.route_state(table, route) == "blackhole" {
            self.block_last(Explanation {
                state: Some("blackhole".into()),
                ..Explanation::at_route(codes::BAD_STATE_ROUTE, &table.id, table, route, narrowed)
            });
            return None;
        }
        self.follow_route(table, route, from, narrowed, to, sender)
    }

    fn no_route(
        &mut self,
        table: &RouteTable,
        from: &NetworkInterface,
        h: Header,
        destination: Option<String>,
    ) {
        let hop = Hop::located(&table.id, Some(&from.vpc_id), Some(&from.subnet_id));
        self.push_blocked(
            hop,
            Explanation {
                code: codes::NO_ROUTE_TO_DESTINATION,
                component: Some(table.id.clone()),
                route_table: Some(table.id.clone()),
                destination,
                subnet: Some(from.subnet_id.clone()),
                vpc: Some(from.vpc_id.clone()),
                header: Some(h),
                ..Explanation::default()
            },
        );
    }

    /// Where a route's target takes the packets.
    fn follow_route(
        &mut self,
        table: &RouteTable,
        route: &Route,
        from: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let world = self.world();
        match &route.target {
            RouteTarget::Local => {
                let Some(target) = h
                    .destination_address()
                    .and_then(|a| self.net.index.interface_at(&table.vpc_id, a))
                    .and_then(|id| world.network_interfaces.get(id))
                else {
                    self.explain(Explanation::at_route(
                        codes::DESTINATION_NOT_IN_VPC,
                        &table.id,
                        table,
                        route,
                        h,
                    ));
                    return None;
                };
                self.enter_subnet(target, h, to, sender)
            }
            RouteTarget::Gateway(id) if prefix_of(id) == "igw" => {
                self.leave_to_internet(id, from, h, to)
            }
            RouteTarget::Gateway(id) if prefix_of(id) == "vpce" => {
                self.through_gateway_endpoint(id, table, route, h, to)
            }
            RouteTarget::Gateway(id) if prefix_of(id) == "vgw" => {
                self.leave_through_vpn(id, table, route, h, to)
            }
            RouteTarget::EgressOnlyInternetGateway(id) => {
                self.pass_through(Hop::located(id, Some(&table.vpc_id), None), h);
                self.arrive_in_internet(h, to)
            }
            RouteTarget::NatGateway(id) => {
                // The gateway's interface receives the packets (see `arrive_at_interface`).
                let nat = world.nat_gateways.get(id)?;
                let eni = world.network_interfaces.get(&nat.network_interface_id)?;
                self.enter_subnet(eni, h, to, sender)
            }
            RouteTarget::VpcPeeringConnection(id) => {
                self.cross_peering(id, table, route, h, to, sender)
            }
            RouteTarget::TransitGateway(id) => {
                self.enter_transit_gateway(id, table, from, h, to, sender)
            }
            RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance { network_interface_id: id, .. } => {
                // An appliance: it receives the packets and, not being their destination,
                // sends them on (see `arrive_at_interface`).
                let appliance = world.network_interfaces.get(id)?;
                self.enter_subnet(appliance, h, to, sender)
            }
            other => {
                let id = target_id(other);
                let hop = Hop::located(&id, Some(&table.vpc_id), None);
                self.push_blocked(
                    hop,
                    Explanation::at_route(codes::VPCLAB_UNMODELLED_COMPONENT, &id, table, route, h),
                );
                None
            }
        }
    }

    /// Packets routed to a gateway endpoint (S3, DynamoDB): it carries TCP only, and the
    /// packets reach the service (the destination addresses are within the service's prefix
    /// list, which is what the route matched).
    fn through_gateway_endpoint(
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
            End::Internet { .. } => {
                self.gateway_endpoint = Some(id.to_owned());
                Some(h)
            }
            End::Interface { eni, owner: instance, .. } => {
                self.explain(Explanation {
                    code: codes::NO_ROUTE_TO_DESTINATION,
                    component: Some(id.to_owned()),
                    destination: Some(instance.clone().unwrap_or_else(|| eni.clone())),
                    vpc: Some(table.vpc_id.clone()),
                    header: Some(h),
                    ..Explanation::default()
                });
                None
            }
        }
    }

    /// The reply of a service reached through a gateway endpoint: from the endpoint into the
    /// subnet of the interface that asked.
    fn back_from_gateway_endpoint(
        &mut self,
        endpoint: &str,
        eni: &str,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let world = self.world();
        let target = world.network_interfaces.get(eni)?;
        let vpc = world.vpc_endpoints.get(endpoint).map(|e| e.vpc_id.clone());
        self.pass_through(Hop::located(endpoint, vpc.as_deref(), None), h);
        self.enter_subnet(target, h, to, &Sender::default())
    }

    /// Packets entering the subnet of `target` (routed there) and arriving at it.
    fn enter_subnet(
        &mut self,
        target: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let h = self.network_acl(&target.subnet_id, &target.vpc_id, h, false);
        self.arrive_at_interface(target, h, to, sender)
    }

    fn arrive_at_interface(
        &mut self,
        target: &NetworkInterface,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        // The reply to a Client VPN client reaches the association's interface.
        if let End::Internet { gateway: Some(g), .. } = to
            && prefix_of(g) == "cvpn-endpoint"
            && target.requester_managed
            && let Some(cvpn) = self.world().client_vpn_of_interface(&target.id)
            && cvpn.id == *g
        {
            return self.back_to_client_vpn(cvpn, target, h, sender);
        }
        // Only a NAT gateway's own interface (its type says so) needs the gateway looked up.
        if let Some(nat) = (target.interface_type == "nat_gateway")
            .then(|| self.world().nat_gateway_of_interface(&target.id))
            .flatten()
        {
            return self.through_nat_gateway(nat, target, h, to, sender.through_transit);
        }
        let h = self.security_groups(target, h, false, sender);
        self.interface_hop(target, h, true);
        match to {
            End::Interface { eni, owner, .. } if *eni == target.id => {
                // An endpoint's interface: the endpoint, and its service unless the path ends
                // at the endpoint.
                if !self.established && target.interface_type.ends_with("endpoint") {
                    let ends_at_endpoint = owner.as_deref().is_some_and(|o| prefix_of(o) == "vpce");
                    return self.on_to_endpoint_service(target, h, ends_at_endpoint);
                }
                if let Some(owner) = owner {
                    self.owner_hop(owner, target, h, true);
                }
                Some(h)
            }
            _ => {
                // An interface that is not the destination: an appliance forwarding onward.
                self.source_dest_check(target, &h, false);
                let onward = Sender {
                    groups: target.security_groups.clone(),
                    vpc: Some(target.vpc_id.clone()),
                    through_transit: sender.through_transit,
                };
                let h = self.security_groups(target, h, true, &onward);
                self.route_from_subnet(target, h, to, &onward)
            }
        }
    }

    /// Out through an internet gateway: IPv4 sources are translated to their public address.
    fn leave_to_internet(
        &mut self,
        gateway: &str,
        from: &NetworkInterface,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let mut hop = Hop::located(gateway, Some(&from.vpc_id), None);
        hop.inbound = Some(h);
        if let Some(code) = h.destination_address().and_then(|a| not_routable(a, true)) {
            let explanation = Explanation {
                code,
                component: Some(gateway.to_owned()),
                internet_gateway: Some(gateway.to_owned()),
                address: h.destination_address(),
                vpc: Some(from.vpc_id.clone()),
                header: Some(h),
                ..Explanation::default()
            };
            self.push_blocked(hop, explanation);
            return None;
        }
        let translated = match h.family {
            Family::V6 => Some(h),
            Family::V4 => self.public_source(&from.vpc_id, &h),
        };
        match translated {
            Some(out) => {
                hop.outbound = Some(out);
                self.hops.push(hop);
                self.arrive_in_internet(out, to)
            }
            None => {
                self.push_blocked(
                    hop,
                    Explanation {
                        code: codes::IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS,
                        component: Some(gateway.to_owned()),
                        internet_gateway: Some(gateway.to_owned()),
                        address: h.source_address(),
                        vpc: Some(from.vpc_id.clone()),
                        header: Some(h),
                        ..Explanation::default()
                    },
                );
                None
            }
        }
    }

    /// The header with its private IPv4 source replaced by the public address mapped to it.
    fn public_source(&self, vpc: &str, h: &Header) -> Option<Header> {
        let source = h.source_address()?;
        let eni = self.net.index.interface_at(vpc, source)?;
        let eni = self.world().network_interfaces.get(eni)?;
        let public = eni
            .private_ips
            .iter()
            .find(|p| IpAddr::V4(p.address) == source)
            .and_then(|p| p.public.as_ref())?;
        Some(Header { source: Span::one(address_value(IpAddr::V4(public.address))), ..*h })
    }

    /// Packets out in the internet: either that is where they were going, or they come back
    /// in through the gateway of the destination's VPC (to its public address).
    fn arrive_in_internet(&mut self, h: Header, to: &End) -> Option<Header> {
        match to {
            End::Internet { .. } => Some(h),
            End::Interface { eni, .. } => {
                let vpc = self.world().network_interfaces.get(eni)?.vpc_id.clone();
                let gateway = self.net.index.internet_gateway_of_vpc(&vpc)?.to_owned();
                self.enter_from_internet(&gateway, h, to)
            }
        }
    }

    /// In through an internet gateway to an interface: the public destination is translated to
    /// the private address behind it, then the gateway's edge route table (if any) routes it.
    fn enter_from_internet(&mut self, gateway: &str, h: Header, to: &End) -> Option<Header> {
        let world = self.world();
        let igw = world.internet_gateways.get(gateway)?;
        if let Some(code) = h.source_address().and_then(|a| not_routable(a, false)) {
            let explanation = Explanation {
                code,
                component: Some(gateway.to_owned()),
                internet_gateway: Some(gateway.to_owned()),
                address: h.source_address(),
                vpc: igw.attached_vpc_id.clone(),
                header: Some(h),
                ..Explanation::default()
            };
            self.push_blocked(
                Hop::located(gateway, igw.attached_vpc_id.as_deref(), None),
                explanation,
            );
            return None;
        }
        let Some(vpc) = igw.attached_vpc_id.clone() else {
            let hop = Hop::new(gateway);
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(gateway.to_owned()),
                    internet_gateway: Some(gateway.to_owned()),
                    state: Some("detached".into()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        let End::Interface { eni: target_id, address: private, .. } = to else {
            return Some(h);
        };
        let target = world.network_interfaces.get(target_id)?;
        // Packets to a NAT gateway's Elastic IP go to the gateway's interface.
        let nat_target = h
            .destination_address()
            .and_then(|a| self.nat_public_address(&vpc, a))
            .filter(|(eni, _)| eni.id != target.id);
        let (target, private) = match &nat_target {
            Some((eni, private)) => (*eni, private),
            None => (target, private),
        };
        let mut hop = Hop::located(gateway, Some(&vpc), None);
        // The packets are addressed to the public address mapped to the destination.
        let public = match private {
            IpAddr::V6(_) => Some(*private),
            IpAddr::V4(p) => target
                .private_ips
                .iter()
                .find(|ip| ip.address == *p)
                .and_then(|ip| ip.public.as_ref())
                .map(|public| IpAddr::V4(public.address)),
        };
        let addressed_to = |a: IpAddr| Header { destination: Span::one(address_value(a)), ..h };
        let Some(public) = public else {
            hop.inbound = Some(h);
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS,
                    component: Some(gateway.to_owned()),
                    internet_gateway: Some(gateway.to_owned()),
                    network_interface: Some(target.id.clone()),
                    address: Some(*private),
                    vpc: Some(vpc),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        if target.vpc_id != vpc {
            return None;
        }
        let inbound = addressed_to(public);
        let outbound = addressed_to(*private);
        hop.inbound = Some(inbound);
        hop.outbound = Some(outbound);
        self.hops.push(hop);
        let sender = Sender::default();
        // Ingress routing: a route table edge-associated with the gateway may send the packets
        // to an appliance first.
        if let Some(table) =
            self.net.index.edge_route_table(gateway).and_then(|id| world.route_tables.get(id))
            && let Some((route, narrowed)) =
                pick_route(table, &outbound, None, &self.net.index.prefix_lists)
        {
            let mut hop = Hop::located(&table.id, Some(&vpc), None);
            hop.decision = Some(Decision::Route(route.clone()));
            self.hops.push(hop);
            if let RouteTarget::NetworkInterface(id)
            | RouteTarget::Instance { network_interface_id: id, .. } = &route.target
                && let Some(appliance) = world.network_interfaces.get(id)
            {
                return self.enter_subnet(appliance, narrowed, to, &sender);
            }
        }
        self.enter_subnet(target, outbound, to, &sender)
    }

    /// The interface of a live NAT gateway of `vpc` whose Elastic IP is `address`, and the
    /// private address the Elastic IP maps to.
    fn nat_public_address(
        &self,
        vpc: &str,
        address: IpAddr,
    ) -> Option<(&'w NetworkInterface, IpAddr)> {
        let (eni, private) = nat_interface_at_public(self.world(), address)?;
        let eni = self.world().network_interfaces.get(&eni)?;
        (eni.vpc_id == vpc).then_some((eni, private))
    }

    /// Packets at a NAT gateway's interface. Going out, the gateway takes them only from its own
    /// VPC, and sends them on from its private address and an ephemeral port, routed by its
    /// subnet's table (to an internet gateway, which maps that address to the Elastic IP). A
    /// reply is translated back to the address and port that opened the connection.
    fn through_nat_gateway(
        &mut self,
        nat: &'w model::resources::NatGateway,
        eni: &NetworkInterface,
        h: Header,
        to: &End,
        through_transit: bool,
    ) -> Option<Header> {
        let mut hop = Hop::located(&nat.id, Some(&nat.vpc_id), Some(&nat.subnet_id));
        hop.inbound = Some(h);
        let session = self.nat_sessions.iter().rev().find(|s| s.nat == nat.id).cloned();
        let translated = match (self.established, session) {
            (true, Some(session)) => Header {
                destination: session.inside_source,
                destination_ports: session.inside_ports,
                ..h
            },
            _ => {
                // Its own VPC's sources, or other VPCs' through a transit gateway (centralised
                // egress); not a peer's (no edge-to-edge routing).
                let inside = through_transit
                    || self.world().vpcs.get(&nat.vpc_id).is_some_and(|v| {
                        v.cidr_blocks.iter().any(|b| v4_span(b.cidr).contains(h.source))
                    });
                if h.family != Family::V4 || !inside {
                    self.push_blocked(
                        hop,
                        Explanation {
                            code: codes::NGW_REQUIRES_SOURCE_IN_VPC,
                            component: Some(nat.id.clone()),
                            vpc: Some(nat.vpc_id.clone()),
                            subnet: Some(nat.subnet_id.clone()),
                            address: h.source_address(),
                            header: Some(h),
                            ..Explanation::default()
                        },
                    );
                    return None;
                }
                if matches!(to, End::Interface { eni: id, .. } if *id == eni.id) {
                    // The gateway's own address is the destination: it answers nothing.
                    hop.blocked = true;
                    self.hops.push(hop);
                    return Some(h);
                }
                let private = nat.primary_private_ip()?;
                self.nat_sessions.push(NatSession {
                    nat: nat.id.clone(),
                    inside_source: h.source,
                    inside_ports: h.source_ports,
                });
                let ports = if h.has_ports() { EPHEMERAL_PORTS } else { h.source_ports };
                Header {
                    source: Span::one(address_value(IpAddr::V4(private))),
                    source_ports: ports,
                    ..h
                }
            }
        };
        hop.outbound = Some(translated);
        self.hops.push(hop);
        // Security group references do not survive the translation.
        let sender =
            Sender { groups: Vec::new(), vpc: Some(nat.vpc_id.clone()), through_transit: false };
        self.route_from_subnet(eni, translated, to, &sender)
    }
}

/// VPC peering: packets cross to the peer VPC, where only its local route delivers them.
impl Walk<'_, '_> {
    /// Whether group references of `from`'s groups count in `to`: the same VPC, or a VPC
    /// actively peered with it in the same region.
    fn groups_reach(&self, from: &str, to: &str) -> bool {
        from == to || {
            let world = self.world();
            let region = |v: &str| world.vpcs.get(v).map(|v| v.owner.region.clone());
            world.active_peering_between(from, to).is_some() && region(from) == region(to)
        }
    }

    /// The interface at `address` whose groups a rule of a group in `vpc` may name: in the
    /// VPC itself, else in a VPC peered with it in the same region.
    fn group_peer_at(&self, vpc: &str, address: IpAddr) -> Option<&'_ NetworkInterface> {
        let index = self.net.index;
        let found = index.interface_at(vpc, address).or_else(|| {
            index.interfaces_at(address).find(|(v, _)| self.groups_reach(vpc, v)).map(|(_, e)| e)
        })?;
        self.world().network_interfaces.get(found)
    }

    /// Out through the virtual private gateway `id`: the packets must come from a private
    /// address of the gateway's VPC, and go to an on-premises address — inside a static route
    /// of one of the gateway's VPN connections, or a prefix a Direct Connect private virtual
    /// interface advertises to the gateway (see [`on_premises_link`]) — which they reach
    /// through that connection or interface. VPN BGP and VPN CloudHub (on premises to on
    /// premises) are not modelled.
    fn leave_through_vpn(
        &mut self,
        id: &str,
        table: &RouteTable,
        route: &Route,
        h: Header,
        to: &End,
    ) -> Option<Header> {
        let mut hop = Hop::located(id, Some(&table.vpc_id), None);
        hop.inbound = Some(h);
        let source = h.source_address();
        if source.is_none_or(|a| self.net.index.interface_at(&table.vpc_id, a).is_none()) {
            self.push_blocked(
                hop,
                Explanation {
                    address: source,
                    ..Explanation::at_route(
                        codes::VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS,
                        id,
                        table,
                        route,
                        h,
                    )
                },
            );
            return None;
        }
        let h = self.out_to_site(id, hop, h, Some(&table.vpc_id), to)?;
        // An address in a VPC is not on premises (and a VGW is no transit for VPCs).
        matches!(to, End::Internet { .. }).then_some(h)
    }

    /// In through the virtual private gateway `id` from on premises, to a private address of
    /// its VPC.
    fn enter_from_vpn(&mut self, id: &str, h: Header, to: &End) -> Option<Header> {
        let world = self.world();
        let vgw = world.vpn_gateways.get(id)?;
        let Some(vpc) = vgw.attached_vpc().map(str::to_owned) else {
            self.push_blocked(
                Hop::new(id),
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(id.to_owned()),
                    state: Some("detached".into()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        if let Some(IpAddr::V4(source)) = h.source_address()
            && let Some(link) = on_premises_link(world, id, source)
        {
            for component in link.components().into_iter().rev() {
                self.pass_through(Hop::new(component), h);
            }
        }
        let mut hop = Hop::located(id, Some(&vpc), None);
        hop.inbound = Some(h);
        let End::Interface { eni, .. } = to else {
            // VPN CloudHub: from one site to another through the gateway.
            return self.out_to_site(id, hop, h, None, to);
        };
        let target = world.network_interfaces.get(eni)?;
        let destination = h.destination_address();
        if target.vpc_id != vpc
            || destination.is_none_or(|a| self.net.index.interface_at(&vpc, a).is_none())
        {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS,
                    component: Some(id.to_owned()),
                    network_interface: Some(target.id.clone()),
                    vpc: Some(vpc),
                    address: destination,
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        hop.outbound = Some(h);
        self.hops.push(hop);
        self.enter_subnet(target, h, to, &Sender::default())
    }

    /// Out of virtual private gateway `id` (hop `hop`, of `vpc` when the packets come from
    /// one) to the on-premises site whose link (VPN connection or Direct Connect) has a route
    /// holding the destination (unless the gateway is `to`); the reply comes back in by the
    /// gateway.
    fn out_to_site(
        &mut self,
        id: &str,
        mut hop: Hop,
        h: Header,
        vpc: Option<&str>,
        to: &End,
    ) -> Option<Header> {
        // A path to the gateway itself names no on-premises address: the packets go to the
        // part of their set that a block behind the gateway holds.
        let h = match h.destination_address() {
            None => on_premises_part(self.world(), id, h.destination)
                .map_or(h, |destination| Header { destination, ..h }),
            Some(_) => h,
        };
        let destination = h.destination_address();
        let probe = match destination {
            Some(IpAddr::V4(a)) => Some(a),
            Some(IpAddr::V6(_)) => None,
            None if h.family == Family::V4 => {
                u32::try_from(h.destination.lo).ok().map(Ipv4Addr::from)
            }
            None => None,
        };
        let link = probe.and_then(|a| on_premises_link(self.world(), id, a));
        let Some(link) = link else {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::VGW_NO_ROUTE_TO_DESTINATION,
                    component: Some(id.to_owned()),
                    vpc: vpc.map(str::to_owned),
                    address: destination,
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        };
        hop.outbound = Some(h);
        self.hops.push(hop);
        self.vpn_exit = Some(id.to_owned());
        // A path to the gateway that names no on-premises address ends there (as one from it
        // starts there); one to an on-premises address goes on over the link.
        if destination.is_none() && matches!(to, End::Internet { gateway: Some(g), .. } if g == id)
        {
            return Some(h);
        }
        for component in link.components() {
            self.pass_through(Hop::new(component), h);
        }
        Some(h)
    }

    /// Across the peering connection `id` from the VPC of `table`: only packets from the local
    /// VPC's addresses to the peer VPC's addresses cross (no transit, no edge-to-edge), and in
    /// the peer VPC they go straight to the interface holding the destination.
    fn cross_peering(
        &mut self,
        id: &str,
        table: &RouteTable,
        route: &Route,
        h: Header,
        to: &End,
        sender: &Sender,
    ) -> Option<Header> {
        let world = self.world();
        let pcx = world.vpc_peering_connections.get(id)?;
        let local = world.vpcs.get(&table.vpc_id)?;
        let peer_id = pcx.peer_of(&local.id)?.to_owned();
        let peer = world.vpcs.get(&peer_id)?;
        let hop = Hop::located(id, Some(&local.id), None);
        let (source, destination) = (h.source_address(), h.destination_address());
        let outside = if !vpc_holds(peer, h.family, h.destination) {
            Some((destination, &peer_id))
        } else if !vpc_holds(local, h.family, h.source) {
            Some((source, &local.id))
        } else {
            None
        };
        if let Some((address, vpc)) = outside {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::PCX_REQUIRES_ADDRESS_IN_VPC_CIDR,
                    component: Some(id.to_owned()),
                    route_table: Some(table.id.clone()),
                    route: Some(route.clone()),
                    vpc: Some(vpc.clone()),
                    address,
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        self.hops.push(hop);
        if matches!(to, End::Internet { gateway: Some(g), .. } if g == id) {
            // The peering connection is where the packets were going.
            return Some(h);
        }
        let target = destination
            .and_then(|a| self.net.index.interface_at(&peer_id, a))
            .and_then(|e| world.network_interfaces.get(e));
        let Some(target) = target else {
            self.block_last(Explanation {
                code: codes::DESTINATION_NOT_IN_VPC,
                component: Some(id.to_owned()),
                vpc: Some(peer_id),
                address: destination,
                header: Some(h),
                ..Explanation::default()
            });
            return None;
        };
        self.enter_subnet(target, h, to, sender)
    }
}

impl Walk<'_, '_> {
    /// In across the peering connection `id` (a path's source) to an interface of one of its
    /// VPCs: the packets come from the other VPC's addresses (its first block unless given).
    fn enter_from_peering(&mut self, id: &str, h: Header, to: &End) -> Option<Header> {
        let world = self.world();
        let pcx = world.vpc_peering_connections.get(id)?;
        let End::Interface { eni, .. } = to else { return None };
        let target = world.network_interfaces.get(eni)?;
        let from_vpc = world.vpcs.get(pcx.peer_of(&target.vpc_id)?)?;
        let mut h = h;
        if h.source == h.family.all()
            && let Some(block) = from_vpc.cidr_blocks.first()
        {
            h.source = v4_span(block.cidr);
        }
        let hop = Hop::located(id, Some(&target.vpc_id), None);
        if !vpc_holds(from_vpc, h.family, h.source) {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::PCX_REQUIRES_ADDRESS_IN_VPC_CIDR,
                    component: Some(id.to_owned()),
                    vpc: Some(from_vpc.id.clone()),
                    address: h.source_address(),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        self.pass_through(hop, h);
        self.enter_subnet(target, h, to, &Sender::default())
    }
}

/// Whether the blocks of `vpc` hold every address of `span`.
fn vpc_holds(vpc: &model::resources::Vpc, family: Family, span: Span) -> bool {
    match family {
        Family::V4 => vpc.cidr_blocks.iter().any(|b| v4_span(b.cidr).contains(span)),
        Family::V6 => vpc.ipv6_cidr_blocks.iter().any(|b| v6_span(b.cidr).contains(span)),
    }
}

/// Client VPN: a connected client's packets enter the VPC through the endpoint.
impl<'w> Walk<'_, 'w> {
    /// From a client of the Client VPN endpoint `id`: the endpoint's route table picks the
    /// target subnet (longest prefix), an authorization rule must cover the destination, and
    /// the packets leave the association's interface source-NATed to its address, with the
    /// endpoint's security groups, routed by the subnet's table like any other.
    fn enter_from_client_vpn(&mut self, id: &str, h: Header, to: &End) -> Option<Header> {
        let world = self.world();
        let e = world.client_vpn_endpoints.get(id)?;
        let mut hop = Hop::located(id, e.vpc_id.as_deref(), None);
        hop.inbound = Some(h);
        if e.state != model::client_vpn::EndpointState::Available {
            self.push_blocked(
                hop,
                Explanation {
                    code: codes::BAD_STATE,
                    component: Some(id.to_owned()),
                    state: Some(e.state.name().to_owned()),
                    header: Some(h),
                    ..Explanation::default()
                },
            );
            return None;
        }
        let destination = match h.destination_address() {
            Some(IpAddr::V4(a)) => a,
            Some(IpAddr::V6(_)) => return None,
            // A set of destinations (the internet): the route of its lowest address.
            None => std::net::Ipv4Addr::from(u32::try_from(h.destination.lo).unwrap_or(0)),
        };
        let refusal = |code: &'static str| Explanation {
            code,
            component: Some(id.to_owned()),
            vpc: e.vpc_id.clone(),
            address: Some(IpAddr::V4(destination)),
            header: Some(h),
            ..Explanation::default()
        };
        let Some(route) = e.route_to(destination) else {
            self.push_blocked(hop, refusal(codes::CLIENT_VPN_NO_ROUTE_TO_DESTINATION));
            return None;
        };
        let authorized = e.authorization_for(destination).is_some();
        let association = e.association_in(&route.target_subnet);
        let Some(eni) =
            association.and_then(|a| world.network_interfaces.get(&a.network_interface_id))
        else {
            // The client-to-client route: only another client is there.
            if !authorized {
                self.push_blocked(hop, refusal(codes::VPCLAB_CLIENT_VPN_NOT_AUTHORIZED));
                return None;
            }
            hop.outbound = Some(h);
            self.hops.push(hop);
            return matches!(to, End::Internet { gateway: Some(g), .. } if g == id).then_some(h);
        };
        let private = eni.primary_ip()?;
        let translated = Header { source: Span::one(address_value(IpAddr::V4(private))), ..h };
        hop.outbound = Some(translated);
        hop.subnet = Some(eni.subnet_id.clone());
        if authorized {
            self.hops.push(hop);
        } else {
            // The walk goes on, so every other blocking component is named too.
            self.push_blocked(hop, refusal(codes::VPCLAB_CLIENT_VPN_NOT_AUTHORIZED));
        }
        self.nat_sessions.push(NatSession {
            nat: id.to_owned(),
            inside_source: h.source,
            inside_ports: h.source_ports,
        });
        self.leave_interface(eni, translated, to)
    }

    /// The reply at the association's interface goes back to the client it came from.
    fn back_to_client_vpn(
        &mut self,
        cvpn: &'w model::client_vpn::ClientVpnEndpoint,
        eni: &NetworkInterface,
        h: Header,
        sender: &Sender,
    ) -> Option<Header> {
        let h = self.security_groups(eni, h, false, sender);
        self.interface_hop(eni, h, true);
        let session = self.nat_sessions.iter().rev().find(|s| s.nat == cvpn.id).cloned()?;
        let back = Header {
            destination: session.inside_source,
            destination_ports: session.inside_ports,
            ..h
        };
        let mut hop = Hop::located(&cvpn.id, cvpn.vpc_id.as_deref(), None);
        hop.inbound = Some(h);
        hop.outbound = Some(back);
        self.hops.push(hop);
        Some(back)
    }
}

/// The route the packets of `h` take in `table`, and the packets it carries. For a single
/// destination address it is the longest-prefix match; for an address set bound for the
/// internet it is a route to the wanted gateway (any internet gateway when `None`).
fn pick_route<'t>(
    table: &'t RouteTable,
    h: &Header,
    internet: Option<Option<&str>>,
    lists: &PrefixLists,
) -> Option<(&'t Route, Header)> {
    if let Some(address) = h.destination_address() {
        let m = routes::lookup(table, address, lists)?;
        return Some((m.route, *h));
    }
    let wanted = internet?;
    table.routes.iter().find_map(|route| {
        let to_gateway = match (&route.target, wanted) {
            (RouteTarget::Gateway(g), Some(want)) => g == want,
            (RouteTarget::Gateway(g), None) => prefix_of(g) == "igw",
            (RouteTarget::EgressOnlyInternetGateway(_), None) => true,
            // A NAT gateway sends the packets on towards the internet.
            (RouteTarget::NatGateway(_), _) => true,
            // A transit gateway: to one of its attachments, or to the internet by a default
            // route (centralised egress through another VPC).
            (RouteTarget::TransitGateway(t), Some(want)) => {
                t == want || prefix_of(want) == "tgw-attach"
            }
            (RouteTarget::VpcPeeringConnection(p), Some(want)) => p == want,
            (RouteTarget::TransitGateway(_), None) => match &route.destination {
                RouteDestination::V4(c) => c.prefix_len() == 0,
                RouteDestination::V6(c) => c.prefix_len() == 0,
                RouteDestination::PrefixList(_) => false,
            },
            _ => false,
        };
        if !to_gateway {
            return None;
        }
        let span = |c: &Cidr| match (c, h.family) {
            (Cidr::V4(c), Family::V4) => Some(v4_span(*c)),
            (Cidr::V6(c), Family::V6) => Some(v6_span(*c)),
            _ => None,
        };
        let blocks = match &route.destination {
            RouteDestination::V4(c) => vec![Cidr::V4(*c)],
            RouteDestination::V6(c) => vec![Cidr::V6(*c)],
            RouteDestination::PrefixList(id) => lists.blocks(&table.owner, id).to_vec(),
        };
        // A prefix list carries the part of the set within its first entry that meets it.
        let destination =
            blocks.iter().find_map(|c| span(c).and_then(|s| h.destination.intersect(s)))?;
        Some((route, Header { destination, ..*h }))
    })
}

/// The interface of the live NAT gateway whose Elastic IP is `address`, and the private
/// address behind it.
fn nat_interface_at_public(world: &World, address: IpAddr) -> Option<(String, IpAddr)> {
    let IpAddr::V4(address) = address else { return None };
    world.nat_gateways.values().filter(|n| n.state.is_live()).find_map(|n| {
        let a = n.addresses.iter().find(|a| a.public_ip == Some(address))?;
        Some((n.network_interface_id.clone(), IpAddr::V4(a.private_ip)))
    })
}

/// Why an internet gateway refuses an address that cannot be on the internet: a private
/// (RFC 1918) or shared (RFC 6598) IPv4 destination going out, or source coming in.
fn not_routable(address: IpAddr, egress: bool) -> Option<&'static str> {
    let IpAddr::V4(a) = address else { return None };
    let [first, second, ..] = a.octets();
    let private = first == 10
        || (first == 172 && (16..32).contains(&second))
        || (first == 192 && second == 168);
    let shared = first == 100 && (64..128).contains(&second);
    match (private, shared, egress) {
        (true, _, true) => Some(codes::IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS),
        (_, true, true) => Some(codes::IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS),
        (true, _, false) => Some(codes::IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS),
        (_, true, false) => Some(codes::IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS),
        _ => None,
    }
}

/// The id a route target names.
pub fn target_id(target: &RouteTarget) -> String {
    match target {
        RouteTarget::Local => "local".into(),
        RouteTarget::Gateway(id)
        | RouteTarget::EgressOnlyInternetGateway(id)
        | RouteTarget::NatGateway(id)
        | RouteTarget::NetworkInterface(id)
        | RouteTarget::VpcPeeringConnection(id)
        | RouteTarget::TransitGateway(id)
        | RouteTarget::LocalGateway(id)
        | RouteTarget::CarrierGateway(id)
        | RouteTarget::VpcEndpoint(id)
        | RouteTarget::CoreNetwork(id) => id.clone(),
        RouteTarget::Instance { instance_id, .. } => instance_id.clone(),
    }
}

/// How a virtual private gateway reaches on premises.
enum OnPremisesLink<'w> {
    /// Over a site-to-site VPN connection (its static routes).
    Vpn(&'w model::vpn::VpnConnection),
    /// Over a Direct Connect private virtual interface, on the gateway itself or on a Direct
    /// Connect gateway associated with it.
    DirectConnect { vif: &'w model::direct_connect::VirtualInterface, dx_gateway: Option<&'w str> },
}

impl OnPremisesLink<'_> {
    /// The components the packets cross beyond the gateway, outward.
    fn components(&self) -> Vec<&str> {
        match self {
            OnPremisesLink::Vpn(c) => vec![c.id.as_str()],
            OnPremisesLink::DirectConnect { vif, dx_gateway } => {
                dx_gateway.iter().copied().chain([vif.id.as_str()]).collect()
            }
        }
    }
}

/// The link by which virtual private gateway `vgw` reaches on-premises `address`: the longest
/// matching prefix among its VPN connections' static routes and the prefixes Direct Connect
/// advertises to it; on a tie Direct Connect wins, as AWS prefers Direct Connect BGP routes
/// over VPN static routes.
/// The part of IPv4 destination set `span` within the first on-premises block behind gateway
/// `vgw` (its VPN connections' blocks, then its Direct Connect prefixes) that meets it.
fn on_premises_part(world: &World, vgw: &str, span: Span) -> Option<Span> {
    let vpn = world
        .vpn_connections
        .values()
        .filter(|c| c.vpn_gateway_id.as_deref() == Some(vgw))
        .flat_map(|c| world.vpn_on_premises_blocks(c));
    let dx = world.direct_connect_routes_via_vgw(vgw).into_iter().map(|(cidr, _)| cidr);
    vpn.chain(dx).find_map(|block| span.intersect(v4_span(block)))
}

fn on_premises_link<'w>(
    world: &'w World,
    vgw: &str,
    address: Ipv4Addr,
) -> Option<OnPremisesLink<'w>> {
    let vpn = world.vpn_connection_to(vgw, address).map(|c| {
        let blocks = world.vpn_on_premises_blocks(c);
        let len = blocks.iter().filter(|b| b.contains_addr(address)).map(|b| b.prefix_len());
        (len.max().unwrap_or(0), c)
    });
    let dx = world.direct_connect_route_to(vgw, address);
    match (vpn, dx) {
        (Some((vpn_len, c)), Some((dx_len, ..))) if vpn_len > dx_len => {
            Some(OnPremisesLink::Vpn(c))
        }
        (_, Some((_, vif, association))) => Some(OnPremisesLink::DirectConnect {
            vif,
            dx_gateway: association.map(|a| a.dx_gateway_id.as_str()),
        }),
        (Some((_, c)), None) => Some(OnPremisesLink::Vpn(c)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Decision;
    use super::codes::*;
    use crate::lab::{Lab, codes, kinds};
    use crate::packet::{TCP, UDP};
    use model::security_group::PeerRequest;

    fn anywhere() -> PeerRequest {
        PeerRequest::CidrV4("0.0.0.0/0".into())
    }

    fn from_group(g: &str) -> PeerRequest {
        PeerRequest::Group { group_id: Some(g.into()), group_name: None, user_id: None }
    }

    /// The public/private split: web in a public subnet with an Elastic IP, db in a private one.
    fn two_tier() -> (Lab, String, String, String, String, String) {
        let mut lab = Lab::new();
        let igw = lab.igw();
        let (public, public_rt) = lab.subnet("10.0.1.0/24");
        let (private, _) = lab.subnet("10.0.2.0/24");
        lab.route_to_gateway(&public_rt, "0.0.0.0/0", &igw);
        let web_sg = lab.group("web");
        lab.allow_in(&web_sg, "tcp", 443, anywhere());
        let db_sg = lab.group("db");
        lab.allow_in(&db_sg, "tcp", 3306, from_group(&web_sg));
        let web = lab.instance(&public, &[&web_sg], true);
        let db = lab.instance(&private, &[&db_sg], false);
        (lab, igw, web, db, web_sg, db_sg)
    }

    #[test]
    fn internet_reaches_the_public_web_server_and_the_reply_goes_back() {
        let (lab, igw, web, ..) = two_tier();
        let t = lab.ask(&igw, &web, TCP, 443);
        assert!(t.reachable(), "{:?}", t.explanations);
        assert_eq!(kinds(&t.forward), ["igw", "acl", "sg", "eni", "i"]);
        assert_eq!(kinds(&t.back), ["i", "eni", "sg", "acl", "rtb", "igw"]);
        // The gateway translates the public destination to the private address.
        let gw = &t.forward[0];
        let private = lab.world.instances.get(&web).unwrap();
        let eni = lab.world.network_interfaces.get(&private.primary_network_interface_id).unwrap();
        let public = eni.public_ip().unwrap();
        assert_eq!(gw.inbound.unwrap().destination_address(), Some(public.into()));
        assert_eq!(
            gw.outbound.unwrap().destination_address(),
            Some(eni.primary_ip().unwrap().into())
        );
        // On the way back the source is translated to the public address again.
        let back_gw = t.back.last().unwrap();
        assert_eq!(back_gw.outbound.unwrap().source_address(), Some(public.into()));
    }

    #[test]
    fn an_instance_without_a_public_address_is_not_reachable_from_the_internet() {
        let (lab, igw, _, db, ..) = two_tier();
        let t = lab.ask(&igw, &db, TCP, 3306);
        assert!(!t.reachable());
        assert_eq!(codes(&t), [(IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, None, false)]);
    }

    #[test]
    fn group_references_admit_members_only() {
        let (mut lab, _, web, db, ..) = two_tier();
        let t = lab.ask(&web, &db, TCP, 3306);
        assert!(t.reachable(), "{:?}", t.explanations);
        assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "acl", "sg", "eni", "i"]);
        // The return path: stateful groups are crossed without a rule; ACLs judge again.
        assert_eq!(kinds(&t.back), ["i", "eni", "sg", "acl", "rtb", "acl", "sg", "eni", "i"]);
        assert!(t.back.iter().all(|h| !matches!(h.decision, Some(Decision::SecurityGroup { .. }))));
        let (public, _) = (lab.world.instances.get(&web).unwrap().subnet_id.clone(), ());
        let other_sg = lab.group("other");
        let other = lab.instance(&public, &[&other_sg], false);
        let t = lab.ask(&other, &db, TCP, 3306);
        assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
    }

    #[test]
    fn tcp_allowed_but_not_udp() {
        let (lab, igw, web, ..) = two_tier();
        assert!(lab.ask(&igw, &web, TCP, 443).reachable());
        let t = lab.ask(&igw, &web, UDP, 443);
        assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
    }

    #[test]
    fn a_missing_egress_rule_blocks_at_the_source() {
        let (mut lab, _, web, db, web_sg, _) = two_tier();
        lab.revoke_all_egress(&web_sg);
        let t = lab.ask(&web, &db, TCP, 3306);
        assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("egress"), false)]);
    }

    #[test]
    fn stateless_acls_need_the_ephemeral_return_ports() {
        let (mut lab, igw, web, ..) = two_tier();
        let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
        let acl = lab.custom_acl(&subnet);
        lab.acl_entry(&acl, 100, false, true, Some((443, 443)));
        let t = lab.ask(&igw, &web, TCP, 443);
        assert_eq!(codes(&t), [(SUBNET_ACL_RESTRICTION, Some("egress"), true)]);
        lab.acl_entry(&acl, 100, true, true, Some((1024, 65535)));
        let t = lab.ask(&igw, &web, TCP, 443);
        assert!(t.reachable(), "{:?}", t.explanations);
    }

    #[test]
    fn a_deny_numbered_before_an_allow_wins_and_a_new_custom_acl_denies_all() {
        let (mut lab, igw, web, ..) = two_tier();
        let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
        let acl = lab.custom_acl(&subnet);
        let t = lab.ask(&igw, &web, TCP, 443);
        let acl_blocks = codes(&t);
        assert_eq!(
            acl_blocks,
            [
                (SUBNET_ACL_RESTRICTION, Some("ingress"), false),
                (SUBNET_ACL_RESTRICTION, Some("egress"), true)
            ]
        );
        lab.acl_entry(&acl, 100, false, false, Some((443, 443)));
        lab.acl_entry(&acl, 200, false, true, None);
        lab.acl_entry(&acl, 100, true, true, None);
        let t = lab.ask(&igw, &web, TCP, 443);
        assert_eq!(codes(&t), [(SUBNET_ACL_RESTRICTION, Some("ingress"), false)]);
        let rule = t.explanations[0].acl_rule.as_ref().unwrap();
        assert_eq!((rule.rule_number, rule.allow), (100, false));
    }

    #[test]
    fn every_blocking_component_is_named() {
        let (mut lab, _, web, db, web_sg, _) = two_tier();
        lab.revoke_all_egress(&web_sg);
        let db_subnet = lab.world.instances.get(&db).unwrap().subnet_id.clone();
        lab.custom_acl(&db_subnet);
        let t = lab.ask(&web, &db, TCP, 3306);
        assert_eq!(
            codes(&t),
            [
                (ENI_SG_RULES_MISMATCH, Some("egress"), false),
                (SUBNET_ACL_RESTRICTION, Some("ingress"), false),
                (SUBNET_ACL_RESTRICTION, Some("egress"), true),
            ]
        );
    }

    #[test]
    fn a_private_subnet_has_no_route_to_the_internet() {
        let (lab, igw, _, db, ..) = two_tier();
        let t = lab.ask(&db, &igw, TCP, 443);
        assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
        let t = lab.ask(&db, "8.8.8.8", TCP, 443);
        assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, false)]);
    }

    #[test]
    fn a_public_instance_reaches_the_internet_with_its_public_address() {
        let (lab, igw, web, ..) = two_tier();
        let t = lab.ask(&web, "8.8.8.8", TCP, 443);
        assert!(t.reachable(), "{:?}", t.explanations);
        assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "acl", "rtb", "igw"]);
        assert_eq!(t.forward.last().unwrap().component, igw);
    }

    #[test]
    fn a_route_to_a_deleted_gateway_is_a_blackhole() {
        let (mut lab, igw, web, ..) = two_tier();
        // (AWS refuses to detach while public addresses are mapped; a deleted target is the
        // same blackhole to the engine.)
        lab.world.internet_gateways.get_mut(&igw).unwrap().attached_vpc_id = None;
        let t = lab.ask(&web, "8.8.8.8", TCP, 443);
        assert_eq!(codes(&t), [(BAD_STATE_ROUTE, None, false)]);
    }

    #[test]
    fn same_subnet_traffic_crosses_no_acl_or_route_table() {
        let (mut lab, _, web, ..) = two_tier();
        let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
        let sg = lab.group("peer");
        lab.allow_in(&sg, "tcp", 22, anywhere());
        let peer = lab.instance(&subnet, &[&sg], false);
        lab.custom_acl(&subnet);
        let t = lab.ask(&web, &peer, TCP, 22);
        assert!(t.reachable(), "{:?}", t.explanations);
        assert_eq!(kinds(&t.forward), ["i", "eni", "sg", "sg", "eni", "i"]);
    }

    #[test]
    fn a_public_instance_in_a_subnet_without_the_gateway_route_cannot_answer() {
        let mut lab = Lab::new();
        let igw = lab.igw();
        let (subnet, _) = lab.subnet("10.0.1.0/24");
        let sg = lab.group("web");
        lab.allow_in(&sg, "tcp", 443, anywhere());
        let web = lab.instance(&subnet, &[&sg], true);
        let t = lab.ask(&igw, &web, TCP, 443);
        assert!(t.arrived);
        assert_eq!(codes(&t), [(NO_ROUTE_TO_DESTINATION, None, true)]);
        assert_eq!(t.explanations[0].destination.as_deref(), Some(igw.as_str()));
    }

    #[test]
    fn an_appliance_forwards_only_with_its_source_dest_check_off() {
        let (mut lab, _, web, db, ..) = two_tier();
        // Route the public subnet's traffic for the private subnet through an appliance.
        let (fw_subnet, _) = lab.subnet("10.0.3.0/24");
        let fw_sg = lab.group("fw");
        lab.allow_in(&fw_sg, "-1", 0, PeerRequest::CidrV4("10.0.0.0/16".into()));
        let fw = lab.instance(&fw_subnet, &[&fw_sg], false);
        let fw_eni = lab.world.instances.get(&fw).unwrap().primary_network_interface_id.clone();
        let web_subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
        let web_table = lab.world.route_table_for_subnet(&web_subnet).unwrap().id.clone();
        let target = model::route_table::TargetSpec {
            network_interface_id: Some(fw_eni.clone()),
            ..Default::default()
        };
        lab.route(&web_table, "10.0.2.0/24", target);
        let t = lab.ask(&web, &db, TCP, 3306);
        assert!(t.components().any(|c| c == fw_eni));
        assert!(codes(&t).contains(&(ENI_SOURCE_DEST_CHECK_RESTRICTION, Some("ingress"), false)));
        lab.world.network_interfaces.get_mut(&fw_eni).unwrap().source_dest_check = false;
        let t = lab.ask(&web, &db, TCP, 3306);
        let forward: Vec<&str> = t.forward.iter().map(|h| h.component.as_str()).collect();
        assert!(forward.contains(&fw_eni.as_str()), "{forward:?}");
        // The group reference still names web: the appliance is not the database's peer, so
        // the database's rule (from the web group) does not admit the forwarded packets.
        assert_eq!(codes(&t), [(ENI_SG_RULES_MISMATCH, Some("ingress"), false)]);
    }

    #[test]
    fn internet_gateways_refuse_private_addresses() {
        let (mut lab, igw, web, ..) = two_tier();
        let subnet = lab.world.instances.get(&web).unwrap().subnet_id.clone();
        let table = lab.world.route_table_for_subnet(&subnet).unwrap().id.clone();
        lab.route_to_gateway(&table, "192.168.0.0/16", &igw);
        let t = lab.ask(&web, "192.168.1.1", TCP, 443);
        assert_eq!(codes(&t), [(IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS, None, false)]);
        let mut q = super::Question::new(
            crate::endpoint::Endpoint::Resource(igw.clone()),
            crate::endpoint::Endpoint::Resource(web.clone()),
            TCP,
            Some(443),
        );
        q.source_address = Some("10.9.9.9".parse().unwrap());
        let index = crate::index::Index::build(&lab.world);
        let net = super::Network { world: &lab.world, index: &index };
        let t = super::trace(&net, &q).unwrap();
        assert_eq!(codes(&t), [(IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS, None, false)]);
    }
}
