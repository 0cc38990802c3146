//! Client VPN endpoints and traffic mirroring through the API: the documents AWS clients read,
//! and the errors they get.

use crate::{all, code, first, memory_api, ok};
use api::Api;

const CERT: &str = "arn:aws:acm:us-east-1:123456789012:certificate/abc";

pub(crate) fn endpoint(api: &Api, cidr: &str) -> String {
    let created = ok(
        api,
        &[
            ("Action", "CreateClientVpnEndpoint"),
            ("ClientCidrBlock", cidr),
            ("ServerCertificateArn", CERT),
            ("Authentication.1.Type", "certificate-authentication"),
            ("Authentication.1.MutualAuthentication.ClientRootCertificateChainArn", CERT),
            ("ConnectionLogOptions.Enabled", "false"),
            ("TagSpecification.1.ResourceType", "client-vpn-endpoint"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "cvpn"),
        ],
    );
    assert_eq!(first(&created, "code"), Some("pending-associate"));
    first(&created, "clientVpnEndpointId").unwrap().to_owned()
}

#[test]
fn an_endpoint_is_associated_authorized_routed_and_deleted() {
    let api = memory_api();
    let vpc = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let subnet = ok(
        &api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", "10.0.1.0/24"),
            ("AvailabilityZone", "us-east-1a"),
        ],
    );
    let subnet = first(&subnet, "subnetId").unwrap().to_owned();
    let id = endpoint(&api, "172.16.0.0/22");
    let by = |action: &'static str| [("Action", action), ("ClientVpnEndpointId", id.as_str())];

    let a =
        ok(&api, &[&by("AssociateClientVpnTargetNetwork")[..], &[("SubnetId", &subnet)]].concat());
    let assoc = first(&a, "associationId").unwrap().to_owned();
    let d = ok(&api, &by("DescribeClientVpnEndpoints"));
    assert_eq!(all(&d, "clientVpnEndpointId"), [id.as_str()]);
    assert!(d.contains("<status><code>available</code>"), "{d}");
    assert_eq!(first(&d, "vpcId"), Some(vpc.as_str()));
    assert_eq!(first(&d, "vpnPort"), Some("443"));
    assert_eq!(first(&d, "transportProtocol"), Some("udp"));
    let tagged = ok(
        &api,
        &[
            ("Action", "DescribeClientVpnEndpoints"),
            ("Filter.1.Name", "tag:Name"),
            ("Filter.1.Value.1", "cvpn"),
        ],
    );
    assert_eq!(all(&tagged, "clientVpnEndpointId"), [id.as_str()]);
    let routes = ok(&api, &by("DescribeClientVpnRoutes"));
    assert_eq!(first(&routes, "destinationCidr"), Some("10.0.0.0/16"));
    assert_eq!(first(&routes, "origin"), Some("associate"));
    let targets = ok(&api, &by("DescribeClientVpnTargetNetworks"));
    assert_eq!(first(&targets, "targetNetworkId"), Some(subnet.as_str()));

    let rule = [("TargetNetworkCidr", "10.0.0.0/16"), ("AuthorizeAllGroups", "true")];
    ok(&api, &[&by("AuthorizeClientVpnIngress")[..], &rule].concat());
    assert_eq!(
        code(&api, &[&by("AuthorizeClientVpnIngress")[..], &rule].concat()),
        "InvalidClientVpnDuplicateAuthorizationRule"
    );
    let rules = ok(&api, &by("DescribeClientVpnAuthorizationRules"));
    assert_eq!(first(&rules, "accessAll"), Some("true"));
    let route = [("DestinationCidrBlock", "0.0.0.0/0"), ("TargetVpcSubnetId", subnet.as_str())];
    ok(&api, &[&by("CreateClientVpnRoute")[..], &route].concat());
    assert_eq!(
        code(&api, &[&by("CreateClientVpnRoute")[..], &route].concat()),
        "InvalidClientVpnDuplicateRoute"
    );
    let config = ok(&api, &by("ExportClientVpnClientConfiguration"));
    assert!(config.contains("remote-random-hostname"), "{config}");

    assert_eq!(code(&api, &by("DeleteClientVpnEndpoint")), "IncorrectState");
    ok(
        &api,
        &[&by("DisassociateClientVpnTargetNetwork")[..], &[("AssociationId", &assoc)]].concat(),
    );
    let routes = ok(&api, &by("DescribeClientVpnRoutes"));
    assert!(all(&routes, "destinationCidr").is_empty(), "{routes}");
    let deleted = ok(&api, &by("DeleteClientVpnEndpoint"));
    assert_eq!(first(&deleted, "code"), Some("deleting"));
    assert_eq!(code(&api, &by("DescribeClientVpnRoutes")), "InvalidClientVpnEndpointId.NotFound");
}

#[test]
fn bad_client_cidrs_and_unknown_ids_are_refused() {
    let api = memory_api();
    let create = |cidr: &'static str| {
        code(
            &api,
            &[
                ("Action", "CreateClientVpnEndpoint"),
                ("ClientCidrBlock", cidr),
                ("ServerCertificateArn", CERT),
                ("Authentication.1.Type", "certificate-authentication"),
                ("Authentication.1.MutualAuthentication.ClientRootCertificateChainArn", CERT),
                ("ConnectionLogOptions.Enabled", "false"),
            ],
        )
    };
    assert_eq!(create("172.16.0.0/24"), "InvalidParameterValue");
    assert_eq!(create("10.0.0.0/8"), "InvalidParameterValue");
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DescribeClientVpnEndpoints"),
                ("ClientVpnEndpointId.1", "cvpn-endpoint-0123456789abcdef0")
            ]
        ),
        "InvalidClientVpnEndpointId.NotFound"
    );
    assert_eq!(
        code(
            &api,
            &[
                ("Action", "DeleteTrafficMirrorSession"),
                ("TrafficMirrorSessionId", "tms-0123456789abcdef0")
            ]
        ),
        "InvalidTrafficMirrorSessionId.NotFound"
    );
}

#[test]
fn a_traffic_mirror_filter_lists_its_rules_by_direction() {
    let api = memory_api();
    let f = ok(&api, &[("Action", "CreateTrafficMirrorFilter"), ("Description", "web")]);
    let id = first(&f, "trafficMirrorFilterId").unwrap().to_owned();
    for (direction, number) in [("ingress", "20"), ("ingress", "10"), ("egress", "5")] {
        ok(
            &api,
            &[
                ("Action", "CreateTrafficMirrorFilterRule"),
                ("TrafficMirrorFilterId", &id),
                ("TrafficDirection", direction),
                ("RuleNumber", number),
                ("RuleAction", "accept"),
                ("SourceCidrBlock", "0.0.0.0/0"),
                ("DestinationCidrBlock", "0.0.0.0/0"),
            ],
        );
    }
    let d =
        ok(&api, &[("Action", "DescribeTrafficMirrorFilters"), ("TrafficMirrorFilterId.1", &id)]);
    assert_eq!(all(&d, "ruleNumber"), ["5", "10", "20"], "{d}");
    let rules = ok(
        &api,
        &[
            ("Action", "DescribeTrafficMirrorFilterRules"),
            ("TrafficMirrorFilterId", &id),
            ("Filter.1.Name", "traffic-direction"),
            ("Filter.1.Value.1", "ingress"),
        ],
    );
    assert_eq!(all(&rules, "ruleNumber").len(), 2, "{rules}");
}
