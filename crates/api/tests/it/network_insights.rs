//! Reachability Analyzer over the wire: paths, analyses, and the documents AWS clients read.

use crate::{all, call, elb, first, memory_api};
use api::{Api, Reply};
use model::network_insights::PATH_END_KINDS;

fn ok(api: &Api, pairs: &[(&str, &str)]) -> Reply {
    let r = call(api, pairs);
    assert_eq!(r.status, 200, "{pairs:?}: {}", r.body);
    r
}

fn id_of(r: &Reply, tag: &str) -> String {
    first(&r.body, tag).unwrap().to_owned()
}

/// A VPC with a public subnet (routed to an internet gateway), a web instance with an Elastic
/// IP admitting TCP 443 from anywhere: (gateway, instance, security group).
/// A group `name` open to TCP `ports` from anywhere, and an instance in `subnet` behind it with
/// an Elastic IP: (group id, instance id).
fn reachable_instance(
    api: &Api,
    vpc: &str,
    subnet: &str,
    name: &str,
    ports: (&str, &str),
) -> (String, String) {
    let sg = id_of(
        &ok(
            api,
            &[
                ("Action", "CreateSecurityGroup"),
                ("GroupName", name),
                ("GroupDescription", name),
                ("VpcId", vpc),
            ],
        ),
        "groupId",
    );
    ok(
        api,
        &[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("GroupId", &sg),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", ports.0),
            ("IpPermissions.1.ToPort", ports.1),
            ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
        ],
    );
    let instance = id_of(
        &ok(
            api,
            &[
                ("Action", "RunInstances"),
                ("ImageId", "ami-12345678"),
                ("InstanceType", "t3.micro"),
                ("MinCount", "1"),
                ("MaxCount", "1"),
                ("SubnetId", subnet),
                ("SecurityGroupId.1", &sg),
            ],
        ),
        "instanceId",
    );
    let eip = id_of(&ok(api, &[("Action", "AllocateAddress"), ("Domain", "vpc")]), "allocationId");
    ok(api, &[("Action", "AssociateAddress"), ("AllocationId", &eip), ("InstanceId", &instance)]);
    (sg, instance)
}

fn public_web(api: &Api) -> (String, String, String) {
    let vpc = id_of(&ok(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]), "vpcId");
    let subnet = id_of(
        &ok(api, &[("Action", "CreateSubnet"), ("VpcId", &vpc), ("CidrBlock", "10.0.1.0/24")]),
        "subnetId",
    );
    let igw = id_of(&ok(api, &[("Action", "CreateInternetGateway")]), "internetGatewayId");
    ok(api, &[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw), ("VpcId", &vpc)]);
    let rtb = id_of(&ok(api, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)]), "routeTableId");
    ok(api, &[("Action", "AssociateRouteTable"), ("RouteTableId", &rtb), ("SubnetId", &subnet)]);
    ok(
        api,
        &[
            ("Action", "CreateRoute"),
            ("RouteTableId", &rtb),
            ("DestinationCidrBlock", "0.0.0.0/0"),
            ("GatewayId", &igw),
        ],
    );
    let (sg, instance) = reachable_instance(api, &vpc, &subnet, "web", ("443", "443"));
    (igw, instance, sg)
}

fn create_path(api: &Api, source: &str, destination: &str, port: &str) -> String {
    let r = ok(
        api,
        &[
            ("Action", "CreateNetworkInsightsPath"),
            ("Source", source),
            ("Destination", destination),
            ("Protocol", "TCP"),
            ("DestinationPort", port),
            ("ClientToken", &format!("{source}-{destination}-{port}")),
            ("TagSpecification.1.ResourceType", "network-insights-path"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "probe"),
        ],
    );
    assert_eq!(first(&r.body, "protocol"), Some("tcp"));
    assert_eq!(first(&r.body, "source"), Some(source));
    assert_eq!(
        first(&r.body, "sourceArn").map(|a| a.starts_with("arn:aws:ec2:us-east-1:123456789012:")),
        Some(true)
    );
    id_of(&r, "networkInsightsPathId")
}

/// Starts an analysis (reported `running`) and describes it (then `succeeded`).
fn analyse(api: &Api, path: &str, token: &str) -> Reply {
    let r = ok(
        api,
        &[
            ("Action", "StartNetworkInsightsAnalysis"),
            ("NetworkInsightsPathId", path),
            ("ClientToken", token),
        ],
    );
    assert_eq!(first(&r.body, "status"), Some("running"));
    assert!(!r.body.contains("networkPathFound"), "{}", r.body);
    let id = id_of(&r, "networkInsightsAnalysisId");
    let d = ok(
        api,
        &[("Action", "DescribeNetworkInsightsAnalyses"), ("NetworkInsightsAnalysisId.1", &id)],
    );
    assert_eq!(first(&d.body, "status"), Some("succeeded"), "{}", d.body);
    d
}

#[test]
fn a_found_path_carries_headers_rules_and_routes() {
    let api = memory_api();
    let (igw, instance, sg) = public_web(&api);
    let path = create_path(&api, &igw, &instance, "443");
    let d = analyse(&api, &path, "t1");
    let body = &d.body;
    assert_eq!(first(body, "networkPathFound"), Some("true"), "{body}");
    let forward = first(body, "forwardPathComponentSet").unwrap();
    // The gateway, first: the public destination it receives and the private one it sends to.
    assert!(
        forward.starts_with(&format!(
            "<item><additionalDetailSet></additionalDetailSet><component><arn>arn:aws:ec2:us-east-1:123456789012:internet-gateway/{igw}</arn><id>{igw}</id></component><explanationSet></explanationSet><inboundHeader><destinationAddressSet><item>"
        )),
        "{forward}"
    );
    assert!(forward.contains("<destinationPortRangeSet><item><from>443</from><to>443</to></item></destinationPortRangeSet><protocol>6</protocol><sourceAddressSet><item>0.0.0.0/5</item><item>8.0.0.0/7</item><item>11.0.0.0/8</item>"), "{forward}");
    assert!(forward.contains("<sourcePortRangeSet><item><from>0</from><to>65535</to></item></sourcePortRangeSet></inboundHeader>"), "{forward}");
    assert!(forward.contains("<outboundHeader><destinationAddressSet><item>10.0.1."), "{forward}");
    assert!(forward.contains("<aclRule><cidr>0.0.0.0/0</cidr><egress>false</egress><protocol>all</protocol><ruleAction>allow</ruleAction><ruleNumber>100</ruleNumber></aclRule>"), "{forward}");
    assert!(forward.contains(&format!("<component><arn>arn:aws:ec2:us-east-1:123456789012:security-group/{sg}</arn><id>{sg}</id></component><explanationSet></explanationSet><securityGroupRule><cidr>0.0.0.0/0</cidr><direction>ingress</direction><portRange><from>443</from><to>443</to></portRange><protocol>tcp</protocol></securityGroupRule><sequenceNumber>3</sequenceNumber>")), "{forward}");
    assert!(forward.contains(&format!("<attachedTo><arn>arn:aws:ec2:us-east-1:123456789012:instance/{instance}</arn><id>{instance}</id></attachedTo>")), "{forward}");
    assert_eq!(all(forward, "sequenceNumber"), ["1", "2", "3", "4", "5"]);
    let back = first(body, "returnPathComponentSet").unwrap();
    assert_eq!(all(back, "sequenceNumber"), ["1", "2", "3", "4", "5", "6"]);
    assert!(back.contains(&format!("<routeTableRoute><destinationCidr>0.0.0.0/0</destinationCidr><gatewayId>{igw}</gatewayId><origin>createroute</origin><state>active</state></routeTableRoute>")), "{back}");
    assert!(!body.contains("<explanationCode>"));
}

#[test]
fn a_blocked_path_names_the_blocking_component() {
    let api = memory_api();
    let (igw, instance, sg) = public_web(&api);
    let path = create_path(&api, &igw, &instance, "22");
    let d = analyse(&api, &path, "t1");
    let body = &d.body;
    assert_eq!(first(body, "networkPathFound"), Some("false"), "{body}");
    let forward = first(body, "forwardPathComponentSet").unwrap();
    // Up to and including the group that refuses; no return path.
    assert_eq!(all(forward, "sequenceNumber"), ["1", "2", "3"]);
    assert!(!body.contains("returnPathComponentSet><item>"), "{body}");
    let explanation = &body[body.find("<explanationSet><item>").unwrap()..];
    assert!(explanation.contains("<direction>ingress</direction><explanationCode>ENI_SG_RULES_MISMATCH</explanationCode><networkInterface>"), "{explanation}");
    assert!(explanation.contains(&format!("<securityGroupSet><item><arn>arn:aws:ec2:us-east-1:123456789012:security-group/{sg}</arn><id>{sg}</id></item></securityGroupSet>")), "{explanation}");

    // Filters find analyses by outcome.
    let found = |value: &str| {
        let r = ok(
            &api,
            &[
                ("Action", "DescribeNetworkInsightsAnalyses"),
                ("Filter.1.Name", "path-found"),
                ("Filter.1.Value.1", value),
            ],
        );
        all(&r.body, "networkInsightsAnalysisId").len()
    };
    assert_eq!((found("false"), found("true")), (1, 0));
}

#[test]
fn paths_and_analyses_have_aws_lifecycles_and_errors() {
    let api = memory_api();
    let (igw, instance, _) = public_web(&api);
    let path = create_path(&api, &igw, &instance, "443");
    // The same client token answers with the same path.
    assert_eq!(create_path(&api, &igw, &instance, "443"), path);
    let d = ok(
        &api,
        &[
            ("Action", "DescribeNetworkInsightsPaths"),
            ("Filter.1.Name", "tag:Name"),
            ("Filter.1.Value.1", "probe"),
            ("Filter.2.Name", "destination"),
            ("Filter.2.Value.1", &instance),
        ],
    );
    assert_eq!(all(&d.body, "networkInsightsPathId"), [path.as_str()]);
    analyse(&api, &path, "t1");
    let a = id_of(&analyse(&api, &path, "t2"), "networkInsightsAnalysisId");

    let first_token = format!("{igw}-{instance}-443");
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("Action", "DeleteNetworkInsightsPath"), ("NetworkInsightsPathId", &path)],
            400,
            "AnalysisExistsForNetworkInsightsPath",
        ),
        (
            vec![
                ("Action", "CreateNetworkInsightsPath"),
                ("Source", &igw),
                ("Protocol", "tcp"),
                ("ClientToken", "x"),
            ],
            400,
            "MissingParameter",
        ),
        (
            vec![
                ("Action", "CreateNetworkInsightsPath"),
                ("Source", "i-0123456789abcdef0"),
                ("Destination", &igw),
                ("Protocol", "tcp"),
                ("ClientToken", "y"),
            ],
            400,
            "NetworkInsightsSource.NotFound",
        ),
        (
            vec![
                ("Action", "CreateNetworkInsightsPath"),
                ("Source", &igw),
                ("Destination", &instance),
                ("Protocol", "tcp"),
                ("DestinationPort", "80"),
                ("ClientToken", &first_token),
                ("TagSpecification.1.ResourceType", "network-insights-path"),
                ("TagSpecification.1.Tag.1.Key", "Name"),
                ("TagSpecification.1.Tag.1.Value", "probe"),
            ],
            400,
            "IdempotentParameterMismatch",
        ),
        (
            vec![
                ("Action", "DescribeNetworkInsightsPaths"),
                ("NetworkInsightsPathId.1", "nip-0123456789abcdef0"),
            ],
            400,
            "InvalidNetworkInsightsPathId.NotFound",
        ),
        (
            vec![("Action", "DescribeNetworkInsightsAnalyses"), ("MaxResults", "101")],
            400,
            "InvalidParameterValue",
        ),
        (
            vec![
                ("Action", "StartNetworkInsightsAnalysis"),
                ("NetworkInsightsPathId", &path),
                ("ClientToken", "z"),
                ("DryRun", "true"),
            ],
            412,
            "DryRunOperation",
        ),
    ];
    for (pairs, status, code) in &cases {
        let r = call(&api, pairs);
        assert_eq!(
            (r.status, first(&r.body, "Code")),
            (*status, Some(*code)),
            "{pairs:?}: {}",
            r.body
        );
    }

    // One analysis a page.
    let page = ok(
        &api,
        &[
            ("Action", "DescribeNetworkInsightsAnalyses"),
            ("NetworkInsightsPathId", &path),
            ("MaxResults", "1"),
        ],
    );
    assert_eq!(all(&page.body, "networkInsightsAnalysisId").len(), 1);
    assert!(first(&page.body, "nextToken").is_some());
    let later = ok(
        &api,
        &[
            ("Action", "DescribeNetworkInsightsAnalyses"),
            ("AnalysisStartTime", "2999-01-01T00:00:00Z"),
        ],
    );
    assert!(all(&later.body, "networkInsightsAnalysisId").is_empty());

    let ids: Vec<String> = all(
        &ok(&api, &[("Action", "DescribeNetworkInsightsAnalyses")]).body,
        "networkInsightsAnalysisId",
    )
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert!(ids.contains(&a));
    for id in &ids {
        let r = ok(
            &api,
            &[("Action", "DeleteNetworkInsightsAnalysis"), ("NetworkInsightsAnalysisId", id)],
        );
        assert_eq!(first(&r.body, "networkInsightsAnalysisId"), Some(id.as_str()));
    }
    ok(&api, &[("Action", "DeleteNetworkInsightsPath"), ("NetworkInsightsPathId", &path)]);
}

/// One resource of every kind a path may start or end at ([`PATH_END_KINDS`]), by prefix, in
/// a network where each reaches `i` (an instance with an Elastic IP behind an internet
/// gateway, admitting TCP from anywhere) and back: a network interface and an interface
/// endpoint in its subnet; a VPN gateway with a static VPN route; an active peering
/// connection; a transit gateway with its attachments in this VPC and another; an endpoint
/// service of a Network Load Balancer in the VPC, with an endpoint to it. Also the load
/// balancer's ARN.
fn one_of_each(api: &Api) -> (std::collections::HashMap<&'static str, String>, String) {
    let vpc_with_subnet = |cidr: &str, subnet: &str| {
        let vpc = id_of(&ok(api, &[("Action", "CreateVpc"), ("CidrBlock", cidr)]), "vpcId");
        let subnet = id_of(
            &ok(
                api,
                &[
                    ("Action", "CreateSubnet"),
                    ("VpcId", &vpc),
                    ("CidrBlock", subnet),
                    ("AvailabilityZone", "us-east-1a"),
                ],
            ),
            "subnetId",
        );
        (vpc, subnet)
    };
    let (vpc, subnet) = vpc_with_subnet("10.0.0.0/16", "10.0.1.0/24");
    let igw = id_of(&ok(api, &[("Action", "CreateInternetGateway")]), "internetGatewayId");
    ok(api, &[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw), ("VpcId", &vpc)]);
    let rtb = id_of(&ok(api, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)]), "routeTableId");
    ok(api, &[("Action", "AssociateRouteTable"), ("RouteTableId", &rtb), ("SubnetId", &subnet)]);
    let route = |cidr: &str, target: &str, id: &str| {
        ok(
            api,
            &[
                ("Action", "CreateRoute"),
                ("RouteTableId", &rtb),
                ("DestinationCidrBlock", cidr),
                (target, id),
            ],
        );
    };
    route("0.0.0.0/0", "GatewayId", &igw);
    let (sg, instance) = reachable_instance(api, &vpc, &subnet, "open", ("0", "65535"));
    let eni = id_of(
        &ok(
            api,
            &[
                ("Action", "CreateNetworkInterface"),
                ("SubnetId", &subnet),
                ("SecurityGroupId.1", &sg),
            ],
        ),
        "networkInterfaceId",
    );

    let vgw =
        id_of(&ok(api, &[("Action", "CreateVpnGateway"), ("Type", "ipsec.1")]), "vpnGatewayId");
    ok(api, &[("Action", "AttachVpnGateway"), ("VpnGatewayId", &vgw), ("VpcId", &vpc)]);
    let cgw = id_of(
        &ok(
            api,
            &[
                ("Action", "CreateCustomerGateway"),
                ("Type", "ipsec.1"),
                ("BgpAsn", "65010"),
                ("IpAddress", "198.51.100.7"),
            ],
        ),
        "customerGatewayId",
    );
    let vpn = id_of(
        &ok(
            api,
            &[
                ("Action", "CreateVpnConnection"),
                ("Type", "ipsec.1"),
                ("CustomerGatewayId", &cgw),
                ("VpnGatewayId", &vgw),
                ("Options.StaticRoutesOnly", "true"),
            ],
        ),
        "vpnConnectionId",
    );
    ok(
        api,
        &[
            ("Action", "CreateVpnConnectionRoute"),
            ("VpnConnectionId", &vpn),
            ("DestinationCidrBlock", "192.168.0.0/16"),
        ],
    );
    route("192.168.0.0/16", "GatewayId", &vgw);

    let (peer_vpc, _) = vpc_with_subnet("10.1.0.0/16", "10.1.1.0/24");
    let pcx = id_of(
        &ok(
            api,
            &[("Action", "CreateVpcPeeringConnection"), ("VpcId", &vpc), ("PeerVpcId", &peer_vpc)],
        ),
        "vpcPeeringConnectionId",
    );
    ok(api, &[("Action", "AcceptVpcPeeringConnection"), ("VpcPeeringConnectionId", &pcx)]);
    route("10.1.0.0/16", "VpcPeeringConnectionId", &pcx);

    let tgw = id_of(&ok(api, &[("Action", "CreateTransitGateway")]), "transitGatewayId");
    let attach = |vpc: &str, subnet: &str| {
        id_of(
            &ok(
                api,
                &[
                    ("Action", "CreateTransitGatewayVpcAttachment"),
                    ("TransitGatewayId", &tgw),
                    ("VpcId", vpc),
                    ("SubnetIds.1", subnet),
                ],
            ),
            "transitGatewayAttachmentId",
        )
    };
    attach(&vpc, &subnet);
    let (spoke_vpc, spoke_subnet) = vpc_with_subnet("10.2.0.0/16", "10.2.1.0/24");
    let spoke = attach(&spoke_vpc, &spoke_subnet);
    route("10.2.0.0/16", "TransitGatewayId", &tgw);

    let nlb = elb(
        api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "svc"),
            ("Type", "network"),
            ("Scheme", "internal"),
            ("Subnets.member.1", &subnet),
        ],
    );
    assert_eq!(nlb.status, 200, "{}", nlb.body);
    let nlb = id_of(&nlb, "LoadBalancerArn");
    let service = ok(
        api,
        &[
            ("Action", "CreateVpcEndpointServiceConfiguration"),
            ("NetworkLoadBalancerArn.1", &nlb),
            ("AcceptanceRequired", "false"),
        ],
    );
    let service_id = id_of(&service, "serviceId");
    let service_name = id_of(&service, "serviceName");
    let vpce = id_of(
        &ok(
            api,
            &[
                ("Action", "CreateVpcEndpoint"),
                ("VpcId", &vpc),
                ("VpcEndpointType", "Interface"),
                ("ServiceName", &service_name),
                ("SubnetId.1", &subnet),
                ("SecurityGroupId.1", &sg),
            ],
        ),
        "vpcEndpointId",
    );
    let ends = [
        ("i", instance),
        ("igw", igw),
        ("eni", eni),
        ("tgw", tgw),
        ("tgw-attach", spoke),
        ("vpce-svc", service_id),
        ("vpce", vpce),
        ("pcx", pcx),
        ("vgw", vgw),
    ]
    .into_iter()
    .collect();
    (ends, nlb)
}

/// The ids of a path's components, in order.
fn component_ids(path: &str) -> Vec<String> {
    all(path, "component").iter().filter_map(|c| first(c, "id")).map(str::to_owned).collect()
}

/// Every kind of resource AWS accepts as a path's source, and as its destination, is one in
/// vpclab: each, as the source of a path to the instance and as the destination of a path
/// from it (from and to a network interface for the instance itself), is analysed to a
/// definite answer with the resource at the path's end, and the path is found.
#[test]
fn every_resource_type_aws_accepts_is_a_path_end() {
    let api = memory_api();
    let (ends, nlb) = one_of_each(&api);
    let id = |prefix: &str| ends.get(prefix).unwrap_or_else(|| panic!("no {prefix} built"));
    assert_eq!(ends.len(), PATH_END_KINDS.len(), "one resource of each listed kind");
    let mut failures = vec![];
    for kind in PATH_END_KINDS {
        let end = id(kind.prefix);
        let partner = if kind.prefix == "i" { id("eni") } else { id("i") };
        for (source, destination) in [(end, partner), (partner, end)] {
            let path = create_path(&api, source, destination, "443");
            let d = analyse(&api, &path, &format!("{path}-run"));
            let forward = first(&d.body, "forwardPathComponentSet").unwrap_or_default();
            let ids = component_ids(forward);
            let found = first(&d.body, "networkPathFound");
            if found != Some("true")
                || ids.first() != Some(source)
                || ids.last() != Some(destination)
            {
                failures.push(format!(
                    "{} {source} -> {destination}: found {found:?}, components {ids:?}, \
                     explanations {:?}",
                    kind.name,
                    all(&d.body, "explanationCode")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");

    // An IP address is a destination too: out of the gateway to it.
    let r = ok(
        &api,
        &[
            ("Action", "CreateNetworkInsightsPath"),
            ("Source", id("i")),
            ("Protocol", "tcp"),
            ("FilterAtSource.DestinationAddress", "198.51.100.20"),
            ("FilterAtSource.DestinationPortRange.FromPort", "443"),
            ("FilterAtSource.DestinationPortRange.ToPort", "443"),
            ("ClientToken", "to-an-address"),
        ],
    );
    let d = analyse(&api, &id_of(&r, "networkInsightsPathId"), "to-an-address");
    assert_eq!(first(&d.body, "networkPathFound"), Some("true"), "{}", d.body);
    let forward = component_ids(first(&d.body, "forwardPathComponentSet").unwrap_or_default());
    assert_eq!(forward.last(), Some(id("igw")), "{forward:?}");

    // Kinds AWS lists only as intermediate components (load balancers, NAT gateways), and
    // kinds it does not list, are refused at either end.
    for other in [nlb.as_str(), "nat-0123456789abcdef0", "vpc-0123456789abcdef0"] {
        for (source, destination) in [(other, id("i").as_str()), (id("i").as_str(), other)] {
            let r = call(
                &api,
                &[
                    ("Action", "CreateNetworkInsightsPath"),
                    ("Source", source),
                    ("Destination", destination),
                    ("Protocol", "tcp"),
                    ("ClientToken", &format!("{source}-{destination}")),
                ],
            );
            assert_eq!(first(&r.body, "Code"), Some("InvalidParameterValue"), "{}", r.body);
            let message = first(&r.body, "Message").unwrap_or_default();
            assert!(message.contains("VPC endpoint services, VPC endpoints"), "{message}");
        }
    }
}
