//! Words for people: what a component is, what a rule says, why a component said no.

use crate::packet::protocol_number;
use crate::trace::{Decision, Explanation, codes};
use model::kinds;
use model::transit_gateway::TgwRoute;
use model::types::ec2::{
    AclCidr, NetworkAclEntry, Route, RouteDestination, RulePeer, SecurityGroupRule,
};

/// What kind of component an id names, in AWS's words (the registry's label for EC2 ids).
pub fn kind_of(id: &str) -> &'static str {
    // Direct Connect gateways have UUIDs for ids.
    if id.len() == 36 && id.bytes().filter(|b| *b == b'-').count() == 4 {
        return "Direct Connect gateway";
    }
    if id.starts_with("arn:") && id.contains(":loadbalancer/") {
        return "load balancer";
    }
    // Direct Connect's ids are not EC2 kinds.
    if id.starts_with("dxvif-") {
        return "Direct Connect virtual interface";
    }
    kinds::of(id).map_or("component", |kind| kind.label)
}

/// A protocol as a rule writes it, for people: `tcp`, `udp`, `icmp`, `all`, or the number.
pub fn protocol_text(protocol: &str) -> String {
    match protocol_number(protocol) {
        Some(None) => "all traffic".into(),
        Some(Some(p)) => crate::packet::protocol_name(p),
        None => protocol.to_owned(),
    }
}

fn ports_text(from: Option<i32>, to: Option<i32>) -> String {
    match (from, to) {
        (Some(a), Some(b)) if a == b && a >= 0 => format!(" port {a}"),
        (Some(0), Some(65535)) | (Some(-1), _) | (None, _) | (_, None) => String::new(),
        (Some(a), Some(b)) => format!(" ports {a}-{b}"),
    }
}

/// An ACL entry as a sentence: `rule 100: allow tcp port 443 from 0.0.0.0/0`.
pub fn acl_entry_text(e: &NetworkAclEntry) -> String {
    let number = if e.rule_number >= NetworkAclEntry::CATCH_ALL_V4 {
        "rule *".to_owned()
    } else {
        format!("rule {}", e.rule_number)
    };
    let cidr = match &e.cidr {
        AclCidr::V4(c) => c.to_string(),
        AclCidr::V6(c) => c.to_string(),
    };
    format!(
        "{number}: {} {}{} {} {cidr}",
        if e.allow { "allow" } else { "deny" },
        protocol_text(&e.protocol),
        ports_text(e.port_from, e.port_to),
        if e.egress { "to" } else { "from" },
    )
}

/// A security group rule as a sentence: `allow tcp port 22 from sg-0abc (sgr-…)`.
pub fn sg_rule_text(rule: &SecurityGroupRule, egress: bool) -> String {
    let peer = match &rule.peer {
        RulePeer::V4(c) => c.to_string(),
        RulePeer::V6(c) => c.to_string(),
        RulePeer::PrefixList(id) => id.clone(),
        RulePeer::Group { group_id, .. } => group_id.clone(),
    };
    format!(
        "{} rule {}: allow {}{} {} {peer}",
        if egress { "outbound" } else { "inbound" },
        rule.id,
        protocol_text(&rule.protocol),
        ports_text(rule.from_port, rule.to_port),
        if egress { "to" } else { "from" },
    )
}

/// A route as a sentence: `10.0.0.0/16 → local`.
pub fn route_text(route: &Route) -> String {
    let destination = match &route.destination {
        RouteDestination::V4(c) => c.to_string(),
        RouteDestination::V6(c) => c.to_string(),
        RouteDestination::PrefixList(id) => id.clone(),
    };
    format!("route {destination} → {}", crate::trace::target_id(&route.target))
}

/// A transit gateway route as a sentence: `propagated route 10.1.0.0/16 → tgw-attach-…`.
pub fn transit_route_text(route: &TgwRoute) -> String {
    let target = match route.attachment_ids.as_slice() {
        [] => "blackhole".to_owned(),
        ids => ids.join(", "),
    };
    format!("{} route {} → {target}", route.route_type.name(), route.destination)
}

/// What decided at a hop, in words.
pub fn decision_text(decision: &Decision) -> String {
    match decision {
        Decision::Acl(entry) => acl_entry_text(entry),
        Decision::SecurityGroup { egress, rule } => sg_rule_text(rule, *egress),
        Decision::Route(route) => route_text(route),
        Decision::TransitGatewayRoute(route) => transit_route_text(route),
        Decision::Listener { port, target_group, target_port, .. } => {
            match (target_group, target_port) {
                (Some(group), Some(to)) => format!("listener on port {port} → {group} port {to}"),
                _ => format!("listener on port {port}"),
            }
        }
    }
}

impl Explanation {
    /// Why the packets stop here, as a sentence.
    pub fn message(&self) -> String {
        let reply = if self.on_return { " (on the reply's way back)" } else { "" };
        let text = self
            .filter_or_route_text()
            .or_else(|| self.connection_text())
            .unwrap_or_else(|| self.code.to_owned());
        format!("{text}{reply}")
    }

    /// The sentence for a code of an interface, a filter, a route or a gateway to the
    /// internet or a load balancer; `None` for other codes.
    fn filter_or_route_text(&self) -> Option<String> {
        let way = |inbound: &str, outbound: &str| {
            if self.direction == Some("egress") { outbound.to_owned() } else { inbound.to_owned() }
        };
        let text = match self.code {
            codes::ENI_SG_RULES_MISMATCH => format!(
                "no {} rule of the security groups of {} ({}) allows these packets",
                way("inbound", "outbound"),
                or_unknown(&self.network_interface),
                self.security_groups.join(", "),
            ),
            codes::SUBNET_ACL_RESTRICTION => format!(
                "network ACL {} of {} does not allow {} traffic: {}",
                or_unknown(&self.acl),
                or_unknown(&self.subnet),
                way("inbound", "outbound"),
                self.acl_rule.as_ref().map_or_else(|| "no rule matches".into(), acl_entry_text),
            ),
            codes::VGW_NO_ROUTE_TO_DESTINATION
                if self.component.as_deref().is_some_and(|c| kinds::VPN_GATEWAY.names(c)) =>
            {
                format!(
                    "virtual private gateway {} has no VPN connection or Direct Connect interface whose routes hold {} (static routes, or the customer gateway's vpclab:advertised-cidrs tag for BGP)",
                    or_unknown(&self.component),
                    self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
                )
            }
            codes::NO_ROUTE_TO_DESTINATION
                if self
                    .component
                    .as_deref()
                    .is_some_and(|c| kinds::TRANSIT_GATEWAY_ATTACHMENT.names(c)) =>
            {
                format!(
                    "transit gateway attachment {} leads on premises, not to {}",
                    or_unknown(&self.component),
                    or_unknown(&self.destination),
                )
            }
            codes::CLIENT_VPN_NO_ROUTE_TO_DESTINATION
                if self
                    .component
                    .as_deref()
                    .is_some_and(|c| kinds::CLIENT_VPN_ENDPOINT.names(c)) =>
            {
                format!(
                    "the route table of Client VPN endpoint {} has no route to {}",
                    or_unknown(&self.component),
                    self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
                )
            }
            codes::NO_ROUTE_TO_DESTINATION => match &self.destination {
                Some(d) => format!(
                    "route table {} has no route that applies to {d}",
                    or_unknown(&self.route_table)
                ),
                None => format!(
                    "route table {} has no route to the destination",
                    or_unknown(&self.route_table)
                ),
            },
            codes::BAD_STATE_ROUTE => format!(
                "{} in {} is a blackhole: its target is gone or detached",
                self.route.as_ref().map_or_else(|| "the route".into(), route_text),
                or_unknown(&self.route_table),
            ),
            codes::BAD_STATE => format!(
                "{} {} is {}",
                kind_of(self.component.as_deref().unwrap_or_default()),
                or_unknown(&self.component),
                or_unknown(&self.state),
            ),
            codes::IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS => format!(
                "internet gateway {} cannot reach {}: it has no public or Elastic IP address",
                or_unknown(&self.internet_gateway),
                self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
            ),
            codes::IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS => format!(
                "internet gateway {} cannot send from {}: the source has no public or Elastic IP address",
                or_unknown(&self.internet_gateway),
                self.address.map_or_else(|| "the source".into(), |a| a.to_string()),
            ),
            codes::ELBV2_LISTENERS_MISMATCH => format!(
                "load balancer {} has no listener for these packets' protocol and port",
                or_unknown(&self.load_balancer),
            ),
            codes::ELB_INSTALLED_AZ_RESTRICTION => format!(
                "load balancer {} is not enabled in {}, the target's Availability Zone",
                or_unknown(&self.load_balancer),
                or_unknown(&self.state),
            ),
            codes::ENI_SOURCE_DEST_CHECK_RESTRICTION => format!(
                "{} has its source/destination check on and these packets are not its own",
                or_unknown(&self.network_interface),
            ),
            codes::IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS
            | codes::IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS => format!(
                "internet gateway {} does not send to {}: a private or shared address is not on the internet",
                or_unknown(&self.internet_gateway),
                self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
            ),
            codes::IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS
            | codes::IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS => format!(
                "internet gateway {} does not accept packets from {}: a private or shared address is not on the internet",
                or_unknown(&self.internet_gateway),
                self.address.map_or_else(|| "the source".into(), |a| a.to_string()),
            ),
            _ => return None,
        };
        Some(text)
    }

    /// The sentence for a code of a connecting construct (NAT gateway, peering, endpoint,
    /// VPN, transit gateway, Client VPN) or of one vpclab does not model; `None` for others.
    fn connection_text(&self) -> Option<String> {
        let text = match self.code {
            codes::NGW_REQUIRES_SOURCE_IN_VPC => format!(
                "NAT gateway {} forwards only traffic from its own VPC {}, not from {}; nothing from outside can open a connection through it",
                or_unknown(&self.component),
                or_unknown(&self.vpc),
                self.address.map_or_else(|| "the source".into(), |a| a.to_string()),
            ),
            codes::PCX_REQUIRES_ADDRESS_IN_VPC_CIDR => format!(
                "peering connection {} carries only packets between the addresses of the two VPCs; {} is not within {} (peering is not transitive)",
                or_unknown(&self.component),
                self.address.map_or_else(|| "the address".into(), |a| a.to_string()),
                or_unknown(&self.vpc),
            ),
            codes::VPCE_GATEWAY_PROTOCOL_RESTRICTION => format!(
                "gateway endpoint {} carries only TCP traffic to its service",
                or_unknown(&self.component),
            ),
            codes::VGW_PRIVATE_IP_ASSOCIATION_FOR_EGRESS => format!(
                "virtual private gateway {} carries only packets from the private addresses of {}; {} is not one",
                or_unknown(&self.component),
                or_unknown(&self.vpc),
                self.address.map_or_else(|| "the source".into(), |a| a.to_string()),
            ),
            codes::VGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS => format!(
                "virtual private gateway {} delivers only to the private addresses of {}; {} is not one",
                or_unknown(&self.component),
                or_unknown(&self.vpc),
                self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
            ),
            codes::TGW_ATTACH_VPC_AZ_RESTRICTION => format!(
                "transit gateway attachment {} has no subnet in the availability zone of {}: resources there cannot reach transit gateway {}",
                or_unknown(&self.transit_gateway_attachment),
                or_unknown(&self.subnet),
                or_unknown(&self.transit_gateway),
            ),
            codes::TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION => format!(
                "transit gateway attachment {} is associated with no route table of transit gateway {}, so nothing routes what enters by it",
                or_unknown(&self.transit_gateway_attachment),
                or_unknown(&self.transit_gateway),
            ),
            codes::TGW_RTB_NO_ROUTE_TO_TGW_ATTACHMENT => format!(
                "transit gateway route table {} has no route to {} (no static route, and no attachment propagates a block holding it)",
                or_unknown(&self.transit_gateway_route_table),
                self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
            ),
            codes::TGW_RTB_BAD_STATE_ROUTE => format!(
                "{} in transit gateway route table {} is a blackhole",
                self.transit_gateway_route
                    .as_ref()
                    .map_or_else(|| "the route".into(), transit_route_text),
                or_unknown(&self.transit_gateway_route_table),
            ),
            codes::VPCLAB_CLIENT_VPN_NOT_AUTHORIZED => format!(
                "no authorization rule of Client VPN endpoint {} covers {}: its clients may not reach it",
                or_unknown(&self.component),
                self.address.map_or_else(|| "the destination".into(), |a| a.to_string()),
            ),
            codes::VPCLAB_UNMODELLED_COMPONENT => format!(
                "the route leads to {} {}, which vpclab does not model yet",
                kind_of(self.component.as_deref().unwrap_or_default()),
                or_unknown(&self.component),
            ),
            _ => return None,
        };
        Some(text)
    }
}

/// The value, or `?` when unknown.
fn or_unknown(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::cidr::Ipv4Cidr;
    use model::types::ec2::{RouteOrigin, RouteTarget};

    #[test]
    fn rules_and_routes_read_as_sentences() {
        let entry = NetworkAclEntry {
            rule_number: 100,
            egress: false,
            protocol: "6".into(),
            allow: true,
            cidr: AclCidr::V4(Ipv4Cidr::parse("0.0.0.0/0", true).unwrap()),
            icmp_type: None,
            icmp_code: None,
            port_from: Some(1024),
            port_to: Some(65535),
        };
        assert_eq!(acl_entry_text(&entry), "rule 100: allow tcp ports 1024-65535 from 0.0.0.0/0");
        let catch_all = NetworkAclEntry {
            rule_number: NetworkAclEntry::CATCH_ALL_V4,
            egress: true,
            protocol: "-1".into(),
            allow: false,
            port_from: None,
            port_to: None,
            ..entry
        };
        assert_eq!(acl_entry_text(&catch_all), "rule *: deny all traffic to 0.0.0.0/0");
        let rule = SecurityGroupRule {
            id: "sgr-1".into(),
            protocol: "tcp".into(),
            from_port: Some(3306),
            to_port: Some(3306),
            peer: RulePeer::Group { group_id: "sg-app".into(), user_id: "1".into() },
            description: None,
            tags: Default::default(),
        };
        assert_eq!(
            sg_rule_text(&rule, false),
            "inbound rule sgr-1: allow tcp port 3306 from sg-app"
        );
        let route = Route {
            destination: RouteDestination::V4(Ipv4Cidr::parse("0.0.0.0/0", true).unwrap()),
            target: RouteTarget::Gateway("igw-1".into()),
            origin: RouteOrigin::CreateRoute,
        };
        assert_eq!(route_text(&route), "route 0.0.0.0/0 → igw-1");
        let e = Explanation {
            code: codes::SUBNET_ACL_RESTRICTION,
            direction: Some("egress"),
            on_return: true,
            acl: Some("acl-1".into()),
            subnet: Some("subnet-1".into()),
            acl_rule: Some(catch_all),
            ..Explanation::default()
        };
        assert_eq!(
            e.message(),
            "network ACL acl-1 of subnet-1 does not allow outbound traffic: rule *: deny all \
             traffic to 0.0.0.0/0 (on the reply's way back)"
        );
        let e = Explanation {
            code: codes::PCX_REQUIRES_ADDRESS_IN_VPC_CIDR,
            component: Some("pcx-1".into()),
            vpc: Some("vpc-b".into()),
            address: Some("10.2.0.5".parse().unwrap()),
            ..Explanation::default()
        };
        assert_eq!(
            e.message(),
            "peering connection pcx-1 carries only packets between the addresses of the two \
             VPCs; 10.2.0.5 is not within vpc-b (peering is not transitive)"
        );
    }
}
