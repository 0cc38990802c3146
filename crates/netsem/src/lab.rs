//! A small network built through the model's own operations, for the engine's tests.

use crate::endpoint::Endpoint;
use crate::index::Index;
use crate::trace::{Network, Question, Trace, trace};
use model::address::AssociateTarget;
use model::instance::Launch;
use model::network_acl::EntryRequest;
use model::network_insights::AnalysisResult;
use model::route_table::{DestinationSpec, TargetSpec};
use model::security_group::{Direction, PeerRequest, RuleRequest};
use model::types::ec2::{NetworkInsightsPath, PathSpec};
use model::vpc::NewVpc;
use model::{Scope, World};

pub struct Lab {
    pub world: World,
    pub scope: Scope,
    pub vpc: String,
}

impl Lab {
    /// A VPC `10.0.0.0/16` with an attached internet gateway (not yet routed).
    pub fn new() -> Lab {
        let mut world = World::default();
        let scope = Scope::new("123456789012", "us-east-1");
        world.ensure_scope(&scope).unwrap();
        let vpc = world
            .create_vpc(&scope, NewVpc { cidr: Some("10.0.0.0/16".into()), ..Default::default() })
            .unwrap();
        Lab { world, scope, vpc }
    }

    pub fn igw(&mut self) -> String {
        let igw = self.world.create_internet_gateway(&self.scope, &[]).unwrap();
        self.world.attach_internet_gateway(&self.scope, &igw, &self.vpc).unwrap();
        igw
    }

    /// A subnet with its own route table (routes: local only).
    pub fn subnet(&mut self, cidr: &str) -> (String, String) {
        let subnet = self
            .world
            .create_subnet(&self.scope, &self.vpc, cidr, Some("us-east-1a"), None, &[])
            .unwrap();
        let table = self.world.create_route_table(&self.scope, &self.vpc, &[]).unwrap();
        self.world.associate_route_table(&self.scope, &table, Some(&subnet), None).unwrap();
        (subnet, table)
    }

    pub fn route(&mut self, table: &str, cidr: &str, target: TargetSpec) {
        let dest = DestinationSpec { cidr: Some(cidr.into()), ..Default::default() };
        self.world.create_route(&self.scope, table, &dest, &target).unwrap();
    }

    /// A customer-managed IPv4 prefix list with `entries`, sized for ten.
    pub fn prefix_list(&mut self, name: &str, entries: &[&str]) -> String {
        let new = model::prefix_list::NewPrefixList {
            name: name.into(),
            max_entries: 10,
            address_family: "IPv4".into(),
            entries: entries.iter().map(|c| (c.to_string(), None)).collect(),
            ..Default::default()
        };
        self.world.create_managed_prefix_list(&self.scope, new).unwrap()
    }

    /// A route to the prefix list `list` through `gateway`.
    pub fn route_list_to_gateway(&mut self, table: &str, list: &str, gateway: &str) {
        let dest = DestinationSpec { prefix_list_id: Some(list.into()), ..Default::default() };
        let target = TargetSpec { gateway_id: Some(gateway.into()), ..Default::default() };
        self.world.create_route(&self.scope, table, &dest, &target).unwrap();
    }

    pub fn route_to_gateway(&mut self, table: &str, cidr: &str, gateway: &str) {
        let target = TargetSpec { gateway_id: Some(gateway.into()), ..Default::default() };
        self.route(table, cidr, target);
    }

    /// A NAT gateway in `subnet`: public (with a fresh Elastic IP) or private.
    pub fn nat(&mut self, subnet: &str, public: bool) -> String {
        let allocation_id = public.then(|| self.world.allocate_address(&self.scope, &[]).unwrap());
        let req = model::nat_gateway::NewNatGateway {
            subnet_id: subnet.into(),
            connectivity_type: Some(if public { "public" } else { "private" }.into()),
            allocation_id,
            ..Default::default()
        };
        self.world.create_nat_gateway(&self.scope, req, 0).unwrap()
    }

    pub fn route_to_nat(&mut self, table: &str, cidr: &str, nat: &str) {
        let target = TargetSpec { nat_gateway_id: Some(nat.into()), ..Default::default() };
        self.route(table, cidr, target);
    }

    /// A gateway endpoint to `service` (`s3`, `dynamodb`) routing `tables`.
    pub fn gateway_endpoint(&mut self, service: &str, tables: &[&str]) -> String {
        let req = model::vpc_endpoint::NewVpcEndpoint {
            vpc_id: self.vpc.clone(),
            service_name: format!("com.amazonaws.{}.{service}", self.scope.region),
            route_table_ids: tables.iter().map(|t| (*t).to_owned()).collect(),
            ..Default::default()
        };
        self.world.create_vpc_endpoint(&self.scope, req, 0).unwrap()
    }

    /// An interface endpoint to `service` in `subnets` with `groups` (the default group when
    /// none); returns the endpoint and its first interface.
    pub fn interface_endpoint(
        &mut self,
        service: &str,
        subnets: &[&str],
        groups: &[&str],
    ) -> (String, String) {
        let req = model::vpc_endpoint::NewVpcEndpoint {
            vpc_id: self.vpc.clone(),
            service_name: format!("com.amazonaws.{}.{service}", self.scope.region),
            endpoint_type: Some("Interface".into()),
            subnet_ids: subnets.iter().map(|t| (*t).to_owned()).collect(),
            security_group_ids: groups.iter().map(|t| (*t).to_owned()).collect(),
            private_dns_enabled: Some(false),
            ..Default::default()
        };
        let id = self.world.create_vpc_endpoint(&self.scope, req, 0).unwrap();
        let eni = self.world.vpc_endpoints.get(&id).unwrap().network_interface_ids[0].clone();
        (id, eni)
    }

    /// A provider account (`210987654321`) with an internal NLB in its own VPC and an
    /// endpoint service for it that requires acceptance and allows the lab's account: the
    /// service id and name.
    pub fn endpoint_service(&mut self) -> (String, String) {
        let provider = Scope::new("210987654321", &self.scope.region);
        self.world.ensure_scope(&provider).unwrap();
        let new = NewVpc { cidr: Some("172.16.0.0/16".into()), ..Default::default() };
        let vpc = self.world.create_vpc(&provider, new).unwrap();
        let subnet = self
            .world
            .create_subnet(&provider, &vpc, "172.16.1.0/24", Some("us-east-1a"), None, &[])
            .unwrap();
        let nlb = model::load_balancer::NewLoadBalancer {
            name: "svc".into(),
            lb_type: Some("network".into()),
            scheme: Some("internal".into()),
            subnets: vec![subnet],
            ..Default::default()
        };
        let nlb = self.world.create_load_balancer(&provider, nlb, 0).unwrap();
        let new = model::endpoint_service::NewEndpointService {
            network_load_balancer_arns: vec![nlb],
            acceptance_required: Some(true),
            ..Default::default()
        };
        let id = self.world.create_endpoint_service(&provider, new, 0).unwrap();
        let me = format!("arn:aws:iam::{}:root", self.scope.account);
        self.world.modify_endpoint_service_permissions(&provider, &id, &[me], &[]).unwrap();
        let name = self.world.vpc_endpoint_services.get(&id).unwrap().service_name.clone();
        (id, name)
    }

    /// The provider of [`Lab::endpoint_service`] accepts (or rejects) an endpoint.
    pub fn decide_connection(&mut self, service: &str, endpoint: &str, accept: bool) {
        let provider = Scope::new("210987654321", &self.scope.region);
        self.world.decide_endpoint_connection(&provider, service, endpoint, accept).unwrap();
    }

    /// An interface endpoint of the lab's VPC to an endpoint service by name.
    pub fn privatelink_endpoint(&mut self, name: &str, subnet: &str, groups: &[&str]) -> String {
        let req = model::vpc_endpoint::NewVpcEndpoint {
            vpc_id: self.vpc.clone(),
            service_name: name.into(),
            endpoint_type: Some("Interface".into()),
            subnet_ids: vec![subnet.into()],
            security_group_ids: groups.iter().map(|t| (*t).to_owned()).collect(),
            ..Default::default()
        };
        self.world.create_vpc_endpoint(&self.scope, req, 0).unwrap()
    }

    /// Another VPC of the lab's account and region.
    pub fn new_vpc(&mut self, cidr: &str) -> String {
        let new = NewVpc { cidr: Some(cidr.into()), ..Default::default() };
        self.world.create_vpc(&self.scope, new).unwrap()
    }

    /// As [`Lab::subnet`], in another VPC of the lab.
    pub fn subnet_in(&mut self, vpc: &str, cidr: &str) -> (String, String) {
        let home = std::mem::replace(&mut self.vpc, vpc.to_owned());
        let made = self.subnet(cidr);
        self.vpc = home;
        made
    }

    /// As [`Lab::group`], in another VPC of the lab.
    pub fn group_in(&mut self, vpc: &str, name: &str) -> String {
        self.world.create_security_group(&self.scope, name, name, Some(vpc), &[]).unwrap()
    }

    /// An active peering connection between two VPCs of the lab.
    pub fn peering(&mut self, a: &str, b: &str) -> String {
        let req = model::peering::NewPeering {
            vpc_id: a.into(),
            peer_vpc_id: Some(b.into()),
            ..Default::default()
        };
        let id = self.world.create_vpc_peering_connection(&self.scope, req, 0).unwrap();
        self.world.accept_vpc_peering_connection(&self.scope, &id, 0).unwrap();
        id
    }

    pub fn route_to_peering(&mut self, table: &str, cidr: &str, pcx: &str) {
        let target =
            TargetSpec { vpc_peering_connection_id: Some(pcx.into()), ..Default::default() };
        self.route(table, cidr, target);
    }

    /// A group with no inbound rules and the default allow-all outbound rule.
    pub fn group(&mut self, name: &str) -> String {
        self.world.create_security_group(&self.scope, name, name, Some(&self.vpc), &[]).unwrap()
    }

    pub fn allow_in(&mut self, group: &str, protocol: &str, port: i32, peer: PeerRequest) {
        self.allow_in_range(group, protocol, (port, port), peer);
    }

    /// An ingress rule for the ports `from`–`to`.
    pub fn allow_in_range(
        &mut self,
        group: &str,
        protocol: &str,
        (from, to): (i32, i32),
        peer: PeerRequest,
    ) {
        let rule = RuleRequest {
            protocol: protocol.into(),
            from_port: Some(from),
            to_port: Some(to),
            peer,
            description: None,
        };
        self.world
            .authorize_security_group_rules(&self.scope, group, Direction::Ingress, &[rule], &[])
            .unwrap();
    }

    pub fn revoke_all_egress(&mut self, group: &str) {
        let rule = RuleRequest {
            protocol: "-1".into(),
            from_port: None,
            to_port: None,
            peer: PeerRequest::CidrV4("0.0.0.0/0".into()),
            description: None,
        };
        self.world
            .revoke_security_group_rules(&self.scope, group, Direction::Egress, &[rule])
            .unwrap();
    }

    /// A running instance in `subnet` with `groups`; `public` gives it an Elastic IP.
    pub fn instance(&mut self, subnet: &str, groups: &[&str], public: bool) -> String {
        let launch = Launch {
            image_id: "ami-12345678".into(),
            instance_type: "t3.micro".into(),
            min_count: 1,
            max_count: 1,
            subnet_id: Some(subnet.into()),
            group_ids: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        };
        let (_, ids) = self.world.run_instances(&self.scope, launch, 0).unwrap();
        let id = ids.into_iter().next().unwrap();
        if let Some(i) = self.world.instances.get_mut(&id) {
            i.state = model::types::ec2::InstanceState::Running;
        }
        if public {
            let eip = self.world.allocate_address(&self.scope, &[]).unwrap();
            let target = AssociateTarget { instance_id: Some(id.clone()), ..Default::default() };
            self.world.associate_address(&self.scope, &eip, target, false).unwrap();
        }
        id
    }

    /// A load balancer (`application` or `network`, internet-facing) in `subnets`.
    pub fn load_balancer(&mut self, kind: &str, subnets: &[&str], groups: &[&str]) -> String {
        let new = model::load_balancer::NewLoadBalancer {
            name: format!("lb-{}", self.world.load_balancers.len()),
            lb_type: Some(kind.into()),
            scheme: Some("internet-facing".into()),
            subnets: subnets.iter().map(|s| s.to_string()).collect(),
            security_groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        };
        self.world.create_load_balancer(&self.scope, new, 0).unwrap()
    }

    /// A target group (`instance` or `ip`) of `protocol` on `port` in the lab's VPC, holding
    /// `targets` (ids, at the group's port).
    pub fn target_group(
        &mut self,
        kind: &str,
        protocol: &str,
        port: i32,
        targets: &[&str],
    ) -> String {
        let new = model::target_group::NewTargetGroup {
            name: format!("tg-{}", self.world.target_groups.len()),
            target_type: Some(kind.into()),
            protocol: Some(protocol.into()),
            port: Some(port),
            vpc_id: Some(self.vpc.clone()),
            ..Default::default()
        };
        let tg = self.world.create_target_group(&self.scope, new, 0).unwrap();
        let specs: Vec<model::target_group::TargetSpec> = targets
            .iter()
            .map(|t| model::target_group::TargetSpec { id: t.to_string(), ..Default::default() })
            .collect();
        self.world.register_targets(&self.scope, &tg, &specs, 0).unwrap();
        tg
    }

    /// A listener of `lb` on `port` forwarding to `target_group`.
    pub fn listener(&mut self, lb: &str, protocol: &str, port: i32, target_group: &str) -> String {
        let forward = model::listener::ActionSpec {
            type_: "forward".into(),
            target_group_arn: Some(target_group.into()),
            ..Default::default()
        };
        let spec = model::listener::ListenerSpec {
            protocol: Some(protocol.into()),
            port: Some(port),
            default_actions: Some(vec![forward]),
            ..Default::default()
        };
        self.world.create_listener(&self.scope, lb, &spec).unwrap()
    }

    /// A custom network ACL (denying all) associated with `subnet`.
    pub fn custom_acl(&mut self, subnet: &str) -> String {
        let acl = self.world.create_network_acl(&self.scope, &self.vpc, &[]).unwrap();
        let association = self
            .world
            .network_acls
            .values()
            .flat_map(|a| &a.associations)
            .find(|a| a.subnet_id == subnet)
            .unwrap()
            .id
            .clone();
        self.world.replace_network_acl_association(&self.scope, &association, &acl).unwrap();
        acl
    }

    pub fn acl_entry(
        &mut self,
        acl: &str,
        rule: i32,
        egress: bool,
        allow: bool,
        ports: Option<(i32, i32)>,
    ) {
        self.acl_entry_for(acl, rule, egress, allow, "0.0.0.0/0", ports);
    }

    /// An entry for the block `cidr`: TCP on `ports`, else every protocol.
    pub fn acl_entry_for(
        &mut self,
        acl: &str,
        rule: i32,
        egress: bool,
        allow: bool,
        cidr: &str,
        ports: Option<(i32, i32)>,
    ) {
        let req = EntryRequest {
            rule_number: rule,
            egress,
            protocol: if ports.is_some() { "6".into() } else { "-1".into() },
            rule_action: if allow { "allow".into() } else { "deny".into() },
            cidr_block: Some(cidr.into()),
            port_range: ports.map(|(a, b)| (Some(a), Some(b))),
            ..Default::default()
        };
        self.world.create_network_acl_entry(&self.scope, acl, &req).unwrap();
    }

    /// A virtual private gateway attached to the lab's VPC, with a customer gateway and a
    /// static-routed VPN connection to the on-premises blocks `on_premises`: (vgw, vpn).
    pub fn vpn(&mut self, on_premises: &[&str]) -> (String, String) {
        use model::vpn::{IPSEC_1, NewVpnConnection};
        let vgw = self.world.create_vpn_gateway(&self.scope, IPSEC_1, None, None, &[]).unwrap();
        self.world.attach_vpn_gateway(&self.scope, &vgw, &self.vpc).unwrap();
        let cgw = self
            .world
            .create_customer_gateway(&self.scope, IPSEC_1, None, Some("198.51.100.1"), None, &[])
            .unwrap();
        let spec = NewVpnConnection {
            type_: IPSEC_1.into(),
            customer_gateway_id: cgw,
            vpn_gateway_id: Some(vgw.clone()),
            static_routes_only: true,
            ..Default::default()
        };
        let vpn = self.world.create_vpn_connection(&self.scope, &spec, &[]).unwrap();
        for cidr in on_premises {
            self.world.set_vpn_connection_route(&self.scope, &vpn, cidr, true).unwrap();
        }
        (vgw, vpn)
    }

    /// A virtual private gateway attached to the lab's VPC, reached from on premises over a
    /// Direct Connect private virtual interface advertising `on_premises` (the
    /// `vpclab:advertised-cidrs` tag) — on a Direct Connect gateway associated with the VGW
    /// when `via_dx_gateway`, else on the VGW itself: (vgw, vif, dx gateway).
    pub fn direct_connect(
        &mut self,
        on_premises: &[&str],
        via_dx_gateway: bool,
    ) -> (String, String, Option<String>) {
        use model::direct_connect::{ADVERTISED_CIDRS_TAG, NewVif, VifKind};
        use model::vpn::IPSEC_1;
        let w = &mut self.world;
        let vgw = w.create_vpn_gateway(&self.scope, IPSEC_1, None, None, &[]).unwrap();
        w.attach_vpn_gateway(&self.scope, &vgw, &self.vpc).unwrap();
        let con =
            w.create_dx_connection(&self.scope, "dc", "EqDC2", "1Gbps", None, None, &[]).unwrap();
        let dxgw = via_dx_gateway.then(|| {
            let id = w.create_dx_gateway(&self.scope, "dxgw", None, &[]).unwrap();
            w.create_dx_gateway_association(&self.scope, &id, &vgw, &[], 0).unwrap();
            id
        });
        let spec = NewVif {
            name: "vif".into(),
            vlan: 100,
            asn: Some(65000),
            virtual_gateway_id: (!via_dx_gateway).then(|| vgw.clone()),
            direct_connect_gateway_id: dxgw.clone(),
            tags: vec![(ADVERTISED_CIDRS_TAG.into(), Some(on_premises.join(",")))],
            ..Default::default()
        };
        let vif =
            w.create_dx_virtual_interface(&self.scope, VifKind::Private, &con, &spec).unwrap();
        (vgw, vif, dxgw)
    }

    /// As [`Lab::subnet_in`], in availability zone `zone`.
    pub fn subnet_in_zone(&mut self, vpc: &str, cidr: &str, zone: &str) -> (String, String) {
        let subnet =
            self.world.create_subnet(&self.scope, vpc, cidr, Some(zone), None, &[]).unwrap();
        let table = self.world.create_route_table(&self.scope, vpc, &[]).unwrap();
        self.world.associate_route_table(&self.scope, &table, Some(&subnet), None).unwrap();
        (subnet, table)
    }

    /// A transit gateway; `defaults` keeps AWS's default route table association and
    /// propagation.
    pub fn transit_gateway(&mut self, defaults: bool) -> String {
        let off = (!defaults).then(|| "disable".to_owned());
        let req = model::transit_gateway::NewTransitGateway {
            default_route_table_association: off.clone(),
            default_route_table_propagation: off,
            ..Default::default()
        };
        self.world.create_transit_gateway(&self.scope, req, 0).unwrap()
    }

    /// A VPC attachment of `tgw` in `subnets`.
    pub fn attach(&mut self, tgw: &str, vpc: &str, subnets: &[&str]) -> String {
        let req = model::transit_gateway::NewVpcAttachment {
            transit_gateway_id: tgw.into(),
            vpc_id: vpc.into(),
            subnet_ids: subnets.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        };
        self.world.create_tgw_vpc_attachment(&self.scope, req, 0).unwrap()
    }

    /// A static-routed VPN connection from a customer gateway to transit gateway `tgw`, with
    /// the on-premises blocks `on_premises` as its static routes: (vpn, attachment).
    pub fn vpn_to_tgw(&mut self, tgw: &str, on_premises: &[&str]) -> (String, String) {
        use model::transit_gateway::AttachmentResource;
        use model::vpn::{IPSEC_1, NewVpnConnection};
        let cgw = self
            .world
            .create_customer_gateway(&self.scope, IPSEC_1, None, Some("198.51.100.2"), None, &[])
            .unwrap();
        let spec = NewVpnConnection {
            type_: IPSEC_1.into(),
            customer_gateway_id: cgw,
            transit_gateway_id: Some(tgw.into()),
            static_routes_only: true,
            ..Default::default()
        };
        let vpn = self.world.create_vpn_connection(&self.scope, &spec, &[]).unwrap();
        for cidr in on_premises {
            self.world.set_vpn_connection_route(&self.scope, &vpn, cidr, true).unwrap();
        }
        let attachment = self
            .world
            .tgw_attachment_of(|r| {
                matches!(r, AttachmentResource::Vpn { vpn_connection_id } if *vpn_connection_id == vpn)
            })
            .unwrap();
        (vpn, attachment)
    }

    /// A Direct Connect gateway associated with transit gateway `tgw` (allowed prefix
    /// 10.0.0.0/8), with a transit virtual interface advertising `on_premises`: (dx gateway,
    /// attachment).
    pub fn direct_connect_to_tgw(&mut self, tgw: &str, on_premises: &[&str]) -> (String, String) {
        use model::direct_connect::{ADVERTISED_CIDRS_TAG, NewVif, VifKind};
        let w = &mut self.world;
        let con =
            w.create_dx_connection(&self.scope, "dc", "EqDC2", "1Gbps", None, None, &[]).unwrap();
        let dxgw = w.create_dx_gateway(&self.scope, "dxgw", None, &[]).unwrap();
        w.create_dx_gateway_association(&self.scope, &dxgw, tgw, &["10.0.0.0/8".into()], 0)
            .unwrap();
        let spec = NewVif {
            name: "transit".into(),
            vlan: 200,
            asn: Some(65000),
            direct_connect_gateway_id: Some(dxgw.clone()),
            tags: vec![(ADVERTISED_CIDRS_TAG.into(), Some(on_premises.join(",")))],
            ..Default::default()
        };
        w.create_dx_virtual_interface(&self.scope, VifKind::Transit, &con, &spec).unwrap();
        let attachment = w.tgw_dx_gateway_attachment(tgw, &dxgw).unwrap();
        (dxgw, attachment)
    }

    pub fn route_to_tgw(&mut self, table: &str, cidr: &str, tgw: &str) {
        let target = TargetSpec { transit_gateway_id: Some(tgw.into()), ..Default::default() };
        self.route(table, cidr, target);
    }

    /// A Client VPN endpoint for clients in 172.16.0.0/22 with its security groups `groups`
    /// (the VPC's default group when none), associated with `subnet`; no authorization rules.
    pub fn client_vpn(&mut self, subnet: &str, groups: &[&str]) -> String {
        use model::client_vpn::{Authentication, NewClientVpnEndpoint};
        let cert = "arn:aws:acm:us-east-1:123456789012:certificate/lab".to_owned();
        let new = NewClientVpnEndpoint {
            client_cidr_block: Some("172.16.0.0/22".into()),
            server_certificate_arn: cert.clone(),
            authentication: vec![Authentication {
                kind: "certificate-authentication".into(),
                client_root_certificate_chain_arn: Some(cert),
                ..Default::default()
            }],
            vpc_id: Some(self.vpc.clone()),
            security_group_ids: groups.iter().map(|g| (*g).to_owned()).collect(),
            ..Default::default()
        };
        let id = self.world.create_client_vpn_endpoint(&self.scope, new, 0).unwrap();
        self.world.associate_client_vpn_target_network(&self.scope, &id, subnet).unwrap();
        id
    }

    /// A network insights path (not stored) from `from` to `to` for TCP to `port`.
    pub fn path(&self, from: &str, to: &str, port: u16) -> NetworkInsightsPath {
        NetworkInsightsPath {
            id: "nip-0123456789abcdef0".into(),
            owner: self.scope.clone(),
            created: 0,
            spec: PathSpec {
                source: from.into(),
                destination: Some(to.into()),
                protocol: "tcp".into(),
                destination_port: Some(port),
                ..Default::default()
            },
            client_token: None,
            tags: Default::default(),
        }
    }

    /// Analyses `path`, which must traverse `filter_in`.
    pub fn analyse(&self, path: &NetworkInsightsPath, filter_in: &[String]) -> AnalysisResult {
        let index = Index::build(&self.world);
        let net = Network { world: &self.world, index: &index };
        crate::analysis::analyse(&net, path, filter_in, &[])
    }

    /// Network Access Analyzer's answer to a scope of `content`, keeping every finding.
    pub fn access(
        &self,
        content: model::types::ec2::access_scope::ScopeContent,
    ) -> model::types::ec2::access_scope::AccessAnalysisResult {
        let index = Index::build(&self.world);
        let net = Network { world: &self.world, index: &index };
        let scope = model::types::ec2::access_scope::AccessScope {
            id: "nis-0123456789abcdef0".into(),
            owner: self.scope.clone(),
            created: 0,
            content,
            client_token: String::new(),
            tags: Default::default(),
        };
        crate::access::analyse(&net, &scope, usize::MAX)
    }

    pub fn ask(&self, from: &str, to: &str, protocol: u8, port: u16) -> Trace {
        self.ask_question(Question::new(
            Endpoint::parse(from).unwrap(),
            Endpoint::parse(to).unwrap(),
            protocol,
            Some(port),
        ))
    }

    /// As [`Lab::ask`], from address `address` of `from` (e.g. on premises behind an
    /// attachment).
    pub fn ask_from(&self, from: &str, address: &str, to: &str, protocol: u8, port: u16) -> Trace {
        let mut q = Question::new(
            Endpoint::parse(from).unwrap(),
            Endpoint::parse(to).unwrap(),
            protocol,
            Some(port),
        );
        q.source_address = Some(address.parse().unwrap());
        self.ask_question(q)
    }

    fn ask_question(&self, q: Question) -> Trace {
        let index = Index::build(&self.world);
        let net = Network { world: &self.world, index: &index };
        trace(&net, &q).unwrap()
    }
}

/// The explanation codes of a trace, forward then return.
pub fn codes(t: &Trace) -> Vec<(&'static str, Option<&'static str>, bool)> {
    t.explanations.iter().map(|e| (e.code, e.direction, e.on_return)).collect()
}

/// The id prefixes of a path's components, e.g. `["igw", "acl", "sg", "eni", "i"]`.
pub fn kinds(hops: &[crate::trace::Hop]) -> Vec<&str> {
    hops.iter().map(|h| model::ids::prefix_of(&h.component)).collect()
}
