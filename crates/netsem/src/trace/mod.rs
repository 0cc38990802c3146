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
//! This file holds the questions and answers and the walk's framework: `Walk`, its driving
//! `Walk::run` (which dispatches on the start: an interface, or an outside end by the typed
//! component it lies beyond, `ends::Border`), the hop and explanation records, and `Flow`, what
//! the forward walk leaves for the walk of the reply. Each construct the packets may cross is a
//! file of its own adding `Walk` methods:
//!
//! - `ends`: a question's source and destination resolved to ends (the one place the prefix
//!   of an id a question names says what it is);
//! - `interface`: instances' and other interfaces' hops, leaving and arriving, appliances;
//! - `security_group`, `network_acl`: the filters;
//! - `route_table`: route choice (`pick_route`) and where each kind of route target leads (a
//!   route's `GatewayId`, one model field for three kinds of gateway, told apart once);
//! - `internet_gateway` (and egress-only gateways), `nat_gateway`, `peering`;
//! - `on_premises`: virtual private gateways, their VPN connections and Direct Connect;
//! - `gateway_endpoint`, `client_vpn`, `transit` (transit gateways), `privatelink`,
//!   `load_balancer`.
//!
//! A new construct is a new file, a new arm of `Walk::follow_route` (and, if it can be a path's
//! end, a new `Border`), not a change to the others.

use crate::endpoint::Endpoint;
use crate::header::{ALL_PORTS, Family, Header, Span};
use crate::index::Index;
use model::World;
use model::transit_gateway::TgwRoute;
use model::types::ec2::{NetworkAclEntry, Route, RouteTable, SecurityGroupRule};
use std::net::IpAddr;

mod client_vpn;
mod ends;
pub mod exhaustive;
mod gateway_endpoint;
mod interface;
mod internet_gateway;
mod load_balancer;
mod nat_gateway;
mod network_acl;
mod on_premises;
mod peering;
mod privatelink;
mod route_table;
mod security_group;
mod transit;

use ends::{Border, End, Owner, resolve};
pub use route_table::target_id;

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
    /// A gateway endpoint carries TCP only.
    pub const VPCE_GATEWAY_PROTOCOL_RESTRICTION: &str = "VPCE_GATEWAY_PROTOCOL_RESTRICTION";
    /// Not an AWS code: the route leads to a kind of component vpclab does not model (a local
    /// or carrier gateway, a Cloud WAN core network, a route to a Gateway Load Balancer
    /// endpoint).
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
    let mut forward = Walk::new(net);
    let arrival = forward.run(source, destination, header);
    let mut trace = Trace {
        forward: forward.hops,
        back: Vec::new(),
        explanations: forward.explanations,
        arrived: arrival.is_some(),
    };
    if let Some(arrived) = arrival {
        let replier = forward.flow.replier(destination);
        let mut back = Walk::replying(net, forward.flow);
        back.run(&replier, source, arrived.reply());
        trace.back = back.hops;
        trace.explanations.extend(back.explanations.into_iter().map(|mut e| {
            e.on_return = true;
            e
        }));
    }
    trace
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

/// What the forward walk leaves for the walk of the reply: the translations to undo and the
/// components the reply comes back by.
#[derive(Debug, Clone, Default)]
struct Flow {
    /// Translations NAT gateways (and Client VPN endpoints) made on the forward walk, for the
    /// reply to undo.
    nat_sessions: Vec<NatSession>,
    /// The gateway endpoint the forward walk reached its service through: the reply comes
    /// back from it.
    gateway_endpoint: Option<String>,
    /// The gateway (a virtual private gateway, or a transit gateway's VPN or Direct Connect
    /// attachment) the packets left by, to on premises: the reply comes back in by it.
    on_premises_exit: Option<Border>,
}

impl Flow {
    /// Where the reply to packets that reached `destination` starts: there, except that
    /// replies from on premises come back in through the gateway the packets left by.
    fn replier(&self, destination: &End) -> End {
        match (destination, &self.on_premises_exit) {
            (End::Outside { beyond: Border::Routed, addresses, family }, Some(exit)) => {
                End::Outside { beyond: exit.clone(), addresses: *addresses, family: *family }
            }
            (destination, _) => destination.clone(),
        }
    }
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
    /// Set going forward, for the reply; read (and carried on) by the reply's walk.
    flow: Flow,
    /// The availability zone the packets entered a transit gateway from: it keeps them there.
    transit_zone: Option<String>,
    /// Set for an exhaustive walk (see `exhaustive`).
    exact: Option<Exact>,
}

/// An exhaustive walk's bookkeeping: the packets it started with and, once a decision took
/// only some of them, that part (in the start's terms), to be walked apart from the rest.
#[derive(Debug, Clone)]
struct Exact {
    start: Header,
    split: Option<Header>,
    /// The walk has ended: at a split, or at a component that refused the packets.
    ended: bool,
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
    /// A walk of packets that open a flow.
    fn new(net: &'n Network<'w>) -> Self {
        Walk {
            net,
            established: false,
            hops: Vec::new(),
            explanations: Vec::new(),
            budget: 16,
            flow: Flow::default(),
            transit_zone: None,
            exact: None,
        }
    }

    /// A walk of the reply of an admitted flow, whose forward walk left `flow`.
    fn replying(net: &'n Network<'w>, flow: Flow) -> Self {
        Walk { established: true, flow, ..Walk::new(net) }
    }

    fn world(&self) -> &'w World {
        self.net.world
    }

    /// Walks `header` from `from` to `to`; the packets as they arrive, if they do.
    fn run(&mut self, from: &End, to: &End, header: Header) -> Option<Header> {
        match from {
            End::Interface { eni, owner, .. } => {
                let eni = self.world().network_interfaces.get(eni)?;
                if let Some(owner) = owner {
                    self.owner_hop(owner.id(), eni, header, false);
                }
                self.leave_interface(eni, header, to)
            }
            End::Outside { beyond, .. } => self.enter_from_outside(beyond, header, to),
        }
    }

    /// Packets from outside the VPCs, in by the component `border`.
    fn enter_from_outside(&mut self, border: &Border, h: Header, to: &End) -> Option<Header> {
        if let Border::ClientVpn(id) = border {
            return self.enter_from_client_vpn(id, h, to);
        }
        let endpoint = match border {
            Border::GatewayEndpoint(id) => Some(id.clone()),
            _ => self.flow.gateway_endpoint.clone(),
        };
        if let (Some(endpoint), End::Interface { eni, .. }) = (endpoint, to) {
            return self.enter_from_gateway_endpoint(&endpoint, eni, h, to);
        }
        match border {
            Border::Routed => match to {
                End::Interface { eni, .. } => self.enter_from_the_internet(eni, h, to),
                End::Outside { .. } => Some(h),
            },
            Border::InternetGateway(id) => self.enter_from_internet(id, h, to),
            Border::VpnGateway(id) => self.enter_from_vpn(id, h, to),
            Border::TransitAttachment(id) => self.enter_from_transit_attachment(id, h, to),
            Border::TransitGateway(id) => self.leave_transit_gateway_as_source(id, h, to),
            Border::Peering(id) => self.enter_from_peering(id, h, to),
            // A gateway endpoint's service only answers (above); a client is handled first.
            Border::GatewayEndpoint(_) | Border::ClientVpn(_) => None,
        }
    }

    fn explain(&mut self, explanation: Explanation) {
        self.explanations.push(explanation);
        if let Some(exact) = &mut self.exact {
            // An exhaustive walk wants only paths that get through: this one has ended.
            exact.ended = true;
        }
    }

    /// The packets `narrowed` of `h` that a rule or route decided for. An exhaustive walk
    /// needs every decision to take all of its packets or none: when one takes only some, the
    /// part it took is noted, to be walked apart from the rest, and this walk ends.
    fn decided(&mut self, h: &Header, narrowed: Header) -> Header {
        if let Some(exact) = &mut self.exact
            && exact.split.is_none()
        {
            let part = exact.start.carried(h, &narrowed);
            if part != exact.start {
                exact.split = Some(part);
                exact.ended = true;
            }
        }
        narrowed
    }

    /// Whether an exhaustive walk has ended (at a split or a refusal).
    fn halted(&self) -> bool {
        self.exact.as_ref().is_some_and(|e| e.ended)
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
}
