use crate::{all, call, call_as, first, memory_api};
use model::Scope;

#[test]
fn create_vpc_renders_the_ec2_document() {
    let api = memory_api();
    let r = call(
        &api,
        &[
            ("Action", "CreateVpc"),
            ("CidrBlock", "10.1.2.3/16"),
            ("TagSpecification.1.ResourceType", "vpc"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "lab"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateVpcResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>REQUEST-ID</requestId><vpc>"));
    // Host bits are cleared as AWS does.
    assert_eq!(first(&r.body, "cidrBlock"), Some("10.1.0.0/16"));
    assert!(r.body.contains("<ownerId>123456789012</ownerId><state>pending</state>"), "{}", r.body);
    assert!(r.body.contains("<tagSet><item><key>Name</key><value>lab</value></item></tagSet>"));
    let vpc_id = first(&r.body, "vpcId").unwrap().to_owned();

    let d = call(
        &api,
        &[("Action", "DescribeVpcs"), ("Filter.1.Name", "tag:Name"), ("Filter.1.Value.1", "l*")],
    );
    assert_eq!(all(&d.body, "vpcId"), vec![vpc_id.as_str()]);
    assert!(d.body.contains("<state>available</state><tagSet>"), "{}", d.body);
}

/// Request parameters, expected HTTP status, expected AWS error code.
type Case<'a> = (&'a [(&'a str, &'a str)], u16, &'a str);

#[test]
fn errors_carry_aws_codes_and_statuses() {
    let api = memory_api();
    let cases: &[Case] = &[
        (&[("Action", "NoSuchThing")], 400, "InvalidAction"),
        (&[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/29")], 400, "InvalidVpc.Range"),
        (
            &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16"), ("Bogus", "1")],
            400,
            "UnknownParameter",
        ),
        (
            &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16"), ("DryRun", "true")],
            412,
            "DryRunOperation",
        ),
        (&[("Action", "DescribeVpcs"), ("MaxResults", "abc")], 400, "InvalidParameterValue"),
        (&[("Action", "DescribeVpcs"), ("MaxResults", "2")], 400, "InvalidParameterValue"),
        (&[("Action", "DescribeVpcs"), ("VpcId.1", "vpc-12345678")], 400, "InvalidVpcID.NotFound"),
        (
            &[("Action", "DescribeVpcs"), ("Filter.1.Name", "nope"), ("Filter.1.Value.1", "x")],
            400,
            "InvalidParameterValue",
        ),
        (&[("Action", "DeleteVpc")], 400, "MissingParameter"),
        (&[("Action", "DeleteVpc"), ("VpcId", "subnet-12345678")], 400, "InvalidVpcID.Malformed"),
        (
            &[
                ("Action", "CreateVpc"),
                ("CidrBlock", "10.0.0.0/16"),
                ("InstanceTenancy", "shared-ish"),
            ],
            400,
            "InvalidParameterValue",
        ),
    ];
    for (pairs, status, code) in cases {
        let r = call(&api, pairs);
        assert_eq!(
            (r.status, crate::first(&r.body, "Code")),
            (*status, Some(*code)),
            "{pairs:?}: {}",
            r.body
        );
        assert!(r.body.contains("<RequestID>REQUEST-ID</RequestID>"));
    }
    // The dry run created nothing: only the default VPC exists.
    let d = call(&api, &[("Action", "DescribeVpcs")]);
    assert_eq!(all(&d.body, "vpcId").len(), 1);
}

#[test]
fn a_failed_operation_changes_nothing() {
    let api = memory_api();
    let vpc = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc_id = first(&vpc.body, "vpcId").unwrap().to_owned();
    let before = call(&api, &[("Action", "DescribeSubnets")]).body.replace("REQUEST-ID", "");
    // Tag validation fails after the subnet would have been made.
    let long_key = "k".repeat(200);
    let r = call(
        &api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc_id),
            ("CidrBlock", "10.0.1.0/24"),
            ("TagSpecification.1.ResourceType", "subnet"),
            ("TagSpecification.1.Tag.1.Key", &long_key),
        ],
    );
    assert_eq!(r.status, 400);
    assert_eq!(call(&api, &[("Action", "DescribeSubnets")]).body.replace("REQUEST-ID", ""), before);
}

#[test]
fn pagination_walks_every_subnet_once() {
    let api = memory_api();
    let vpc = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc_id = first(&vpc.body, "vpcId").unwrap().to_owned();
    for i in 0..12 {
        let r = call(
            &api,
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", &vpc_id),
                ("CidrBlock", &format!("10.0.{i}.0/24")),
            ],
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let mut token: Option<String> = None;
    let mut seen = vec![];
    loop {
        let mut pairs = vec![
            ("Action", "DescribeSubnets"),
            ("MaxResults", "5"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", vpc_id.as_str()),
        ];
        if let Some(t) = &token {
            pairs.push(("NextToken", t));
        }
        let r = call(&api, &pairs);
        let ids: Vec<String> = all(&r.body, "subnetId").into_iter().map(str::to_owned).collect();
        assert!(ids.len() <= 5);
        seen.extend(ids);
        match first(&r.body, "nextToken") {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 12);
}

#[test]
fn accounts_and_regions_are_separate() {
    let api = memory_api();
    let other = Scope::new("210987654321", "eu-west-1");
    call_as(&api, other.clone(), &[("Action", "CreateVpc"), ("CidrBlock", "10.9.0.0/16")]);
    let mine = call(&api, &[("Action", "DescribeVpcs")]);
    let theirs = call_as(&api, other, &[("Action", "DescribeVpcs")]);
    assert_eq!(all(&mine.body, "vpcId").len(), 1);
    assert_eq!(all(&theirs.body, "vpcId").len(), 2);
    assert!(theirs.body.contains("<ownerId>210987654321</ownerId>"));
    let zones = call_as(
        &api,
        Scope::new("210987654321", "eu-west-1"),
        &[("Action", "DescribeAvailabilityZones")],
    );
    assert_eq!(all(&zones.body, "zoneId"), vec!["euw1-az1", "euw1-az2", "euw1-az3"]);
}

/// AWS answers an IPv6 association-state filter with the VPCs that have an IPv6 block only
/// (found running moto's suite against vpclab: every VPC matched).
#[test]
fn the_ipv6_association_state_filter_matches_only_vpcs_with_ipv6() {
    let api = memory_api();
    let (with, _without) = (vpc(&api, "10.9.0.0/16", true), vpc(&api, "10.9.0.0/16", false));
    let d = crate::ok(
        &api,
        &[
            ("Action", "DescribeVpcs"),
            ("Filter.1.Name", "ipv6-cidr-block-association.state"),
            ("Filter.1.Value.1", "associated"),
        ],
    );
    assert_eq!(all(&d, "vpcId"), vec![with.as_str()], "{d}");
}

/// A network ACL entry's `RuleAction` is read in any case and stored in lower case, as AWS
/// does (`ALLOW` works there); other values are still refused.
#[test]
fn a_network_acl_rule_action_is_read_in_any_case() {
    let api = memory_api();
    let vpc = vpc(&api, "10.8.0.0/16", false);
    let acl = crate::ok(&api, &[("Action", "CreateNetworkAcl"), ("VpcId", &vpc)]);
    let acl = first(&acl, "networkAclId").unwrap().to_owned();
    let entry = |action: &str| {
        call(
            &api,
            &[
                ("Action", "CreateNetworkAclEntry"),
                ("NetworkAclId", &acl),
                ("RuleNumber", "100"),
                ("Protocol", "-1"),
                ("RuleAction", action),
                ("Egress", "false"),
                ("CidrBlock", "0.0.0.0/0"),
            ],
        )
    };
    assert_eq!(first(&entry("permit").body, "Code"), Some("InvalidParameterValue"));
    assert_eq!(entry("ALLOW").status, 200);
    let d = crate::ok(&api, &[("Action", "DescribeNetworkAcls"), ("NetworkAclId.1", &acl)]);
    assert!(d.contains("<ruleAction>allow</ruleAction><ruleNumber>100</ruleNumber>"), "{}", d);
}

/// Lists AWS always answers, even empty: each permission's four peer lists, a subnet's IPv6
/// associations (boto3 users read `perm["UserIdGroupPairs"] == []`).
#[test]
fn empty_lists_aws_always_answers_are_written() {
    let api = memory_api();
    let vpc = vpc(&api, "10.7.0.0/16", false);
    crate::ok(&api, &[("Action", "CreateSubnet"), ("VpcId", &vpc), ("CidrBlock", "10.7.1.0/24")]);
    let subnets = crate::ok(
        &api,
        &[("Action", "DescribeSubnets"), ("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", &vpc)],
    );
    assert!(
        subnets.contains("<ipv6CidrBlockAssociationSet></ipv6CidrBlockAssociationSet>"),
        "{subnets}"
    );
    let groups = crate::ok(
        &api,
        &[
            ("Action", "DescribeSecurityGroups"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &vpc),
        ],
    );
    let egress = groups.split("<ipPermissionsEgress>").nth(1).unwrap();
    for empty in
        ["<groups></groups>", "<ipv6Ranges></ipv6Ranges>", "<prefixListIds></prefixListIds>"]
    {
        assert!(egress.contains(empty), "{empty} missing: {groups}");
    }
}

/// DescribeSecurityGroupRules reads its `group-id` filter as ids, as AWS does.
#[test]
fn a_malformed_group_id_filter_is_refused() {
    let api = memory_api();
    let rules = |value: &str| {
        call(
            &api,
            &[
                ("Action", "DescribeSecurityGroupRules"),
                ("Filter.1.Name", "group-id"),
                ("Filter.1.Value.1", value),
            ],
        )
    };
    assert_eq!(first(&rules("foobar").body, "Code"), Some("InvalidGroupId.Malformed"));
    assert_eq!(rules("sg-0123456789abcdef0").status, 200);
    assert_eq!(rules("sg-*").status, 200);
}

/// In a VPC with an IPv6 block, a new security group and the default one allow all IPv6
/// egress (`::/0`) as well, as AWS's do; elsewhere only IPv4.
#[test]
fn groups_in_an_ipv6_vpc_start_with_ipv6_egress() {
    let api = memory_api();
    let egress_of = |vpc: &str, name: &str| {
        let d = crate::ok(
            &api,
            &[
                ("Action", "DescribeSecurityGroups"),
                ("Filter.1.Name", "vpc-id"),
                ("Filter.1.Value.1", vpc),
                ("Filter.2.Name", "group-name"),
                ("Filter.2.Value.1", name),
            ],
        );
        let egress = d.split("<ipPermissionsEgress>").nth(1).unwrap().to_owned();
        (
            all(&egress, "cidrIp").len(),
            all(&egress, "cidrIpv6").into_iter().map(str::to_owned).collect::<Vec<_>>(),
        )
    };
    let (with, without) = (vpc(&api, "10.6.0.0/16", true), vpc(&api, "10.6.0.0/16", false));
    for v in [&with, &without] {
        crate::ok(
            &api,
            &[
                ("Action", "CreateSecurityGroup"),
                ("GroupName", "web"),
                ("GroupDescription", "web"),
                ("VpcId", v),
            ],
        );
    }
    for name in ["default", "web"] {
        assert_eq!(egress_of(&with, name), (1, vec!["::/0".to_owned()]), "{name}");
        assert_eq!(egress_of(&without, name), (1, vec![]), "{name}");
    }
}

/// A new VPC's id; `ipv6` asks for an Amazon-provided IPv6 block too.
fn subnet(api: &api::Api, vpc_id: &str, cidr: &str) -> String {
    let created =
        crate::ok(api, &[("Action", "CreateSubnet"), ("VpcId", vpc_id), ("CidrBlock", cidr)]);
    first(&created, "subnetId").unwrap().to_owned()
}

fn vpc(api: &api::Api, cidr: &str, ipv6: bool) -> String {
    let mut pairs = vec![("Action", "CreateVpc"), ("CidrBlock", cidr)];
    if ipv6 {
        pairs.push(("AmazonProvidedIpv6CidrBlock", "true"));
    }
    first(&crate::ok(api, &pairs), "vpcId").unwrap().to_owned()
}

/// The code and message of a call that must fail.
fn refusal(api: &api::Api, pairs: &[(&str, &str)]) -> (String, String) {
    let r = call(api, pairs);
    assert_ne!(r.status, 200, "{}", r.body);
    let text = |tag: &str| {
        let raw = first(&r.body, tag).unwrap();
        raw.replace("&apos;", "'")
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    (text("Code"), text("Message"))
}

fn default_vpc_and_subnet(api: &api::Api) -> (String, String) {
    let vpcs = crate::ok(
        api,
        &[
            ("Action", "DescribeVpcs"),
            ("Filter.1.Name", "is-default"),
            ("Filter.1.Value.1", "true"),
        ],
    );
    let vpc_id = first(&vpcs, "vpcId").unwrap().to_owned();
    let subnets = crate::ok(
        api,
        &[
            ("Action", "DescribeSubnets"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &vpc_id),
        ],
    );
    (vpc_id, first(&subnets, "subnetId").unwrap().to_owned())
}

/// A security group in `vpc_id` with one ingress rule (`protocol` `port` from 10.0.0.0/8):
/// (group id, rule id).
fn group_with_rule(api: &api::Api, vpc_id: &str, protocol: &str, port: &str) -> (String, String) {
    let sg = crate::ok(
        api,
        &[
            ("Action", "CreateSecurityGroup"),
            ("GroupName", "g"),
            ("GroupDescription", "d"),
            ("VpcId", vpc_id),
        ],
    );
    let sg_id = first(&sg, "groupId").unwrap().to_owned();
    let rule = crate::ok(
        api,
        &[
            ("Action", "AuthorizeSecurityGroupIngress"),
            ("GroupId", &sg_id),
            ("IpPermissions.1.IpProtocol", protocol),
            ("IpPermissions.1.FromPort", port),
            ("IpPermissions.1.ToPort", port),
            ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"),
        ],
    );
    let rule_id = first(&rule, "securityGroupRuleId").unwrap().to_owned();
    (sg_id, rule_id)
}

/// AWS's texts where users grep for them (moto's AWS-verified tests and AWS's answers).
#[test]
fn refusals_carry_aws_messages() {
    let api = memory_api();
    let (code, message) = refusal(&api, &[("Action", "CreateDefaultVpc")]);
    assert_eq!(code, "DefaultVpcAlreadyExists");
    assert_eq!(message, "A Default VPC already exists for this account in this region.");

    let vpc_id = vpc(&api, "10.10.42.0/24", false);
    for i in 43..47 {
        let block = format!("10.10.{i}.0/24");
        crate::ok(
            &api,
            &[("Action", "AssociateVpcCidrBlock"), ("VpcId", &vpc_id), ("CidrBlock", &block)],
        );
    }
    let (code, message) = refusal(
        &api,
        &[("Action", "AssociateVpcCidrBlock"), ("VpcId", &vpc_id), ("CidrBlock", "10.10.50.0/24")],
    );
    assert_eq!(code, "CidrLimitExceeded");
    assert_eq!(
        message,
        format!("This network {vpc_id} has met its maximum number of allowed CIDRs: 5")
    );

    crate::ok(
        &api,
        &[("Action", "CreateSubnet"), ("VpcId", &vpc_id), ("CidrBlock", "10.10.42.0/25")],
    );
    let (code, message) = refusal(
        &api,
        &[("Action", "CreateSubnet"), ("VpcId", &vpc_id), ("CidrBlock", "10.10.42.0/26")],
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidSubnet.Conflict", "The CIDR '10.10.42.0/26' conflicts with another subnet")
    );
    let (code, message) = refusal(&api, &[("Action", "DeleteVpc"), ("VpcId", &vpc_id)]);
    assert_eq!(code, "DependencyViolation");
    assert_eq!(message, format!("The vpc '{vpc_id}' has dependencies and cannot be deleted."));

    for action in ["CreateTags", "DeleteTags"] {
        let (code, message) = refusal(&api, &[("Action", action), ("Tag.1.Key", "k")]);
        assert_eq!(code, "MissingParameter");
        assert_eq!(message, "The request must contain the parameter resourceIdSet");
    }
    let subnet =
        [("Action", "CreateSubnet"), ("VpcId", vpc_id.as_str()), ("CidrBlock", "10.10.43.0/24")];
    let no_type = [("TagSpecification.1.Tag.1.Key", "k"), ("TagSpecification.1.Tag.1.Value", "v")];
    let (code, message) = refusal(&api, &[&subnet[..], &no_type[..]].concat());
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameter", "Tag specification resource type must have a value")
    );
    let (code, message) = refusal(
        &api,
        &[&subnet[..], &[("TagSpecification.1.ResourceType", "subnet")][..]].concat(),
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidParameter", "Tag specification must have at least one tag")
    );
}

#[test]
fn ipv6_blocks_need_a_pool_number_five_and_size_subnets_from_44_to_64() {
    let api = memory_api();
    let (code, _) = refusal(
        &api,
        &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16"), ("Ipv6CidrBlock", "2602::/56")],
    );
    assert_eq!(code, "MissingParameter");
    let vpc_id = vpc(&api, "10.0.0.0/16", true);
    let associate = [
        ("Action", "AssociateVpcCidrBlock"),
        ("VpcId", vpc_id.as_str()),
        ("AmazonProvidedIpv6CidrBlock", "true"),
    ];
    for _ in 1..5 {
        crate::ok(&api, &associate);
    }
    let (code, message) = refusal(&api, &associate);
    assert_eq!(code, "CidrLimitExceeded");
    assert_eq!(
        message,
        format!("This network {vpc_id} has met its maximum number of allowed CIDRs: 5")
    );
    // A subnet may take a whole /56 of its VPC; a /62 is not a size AWS offers.
    let d = crate::ok(&api, &[("Action", "DescribeVpcs"), ("VpcId.1", &vpc_id)]);
    let block = all(&d, "ipv6CidrBlock")[0].to_owned();
    crate::ok(
        &api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc_id),
            ("CidrBlock", "10.0.0.0/24"),
            ("Ipv6CidrBlock", &block),
        ],
    );
    let second = all(&d, "ipv6CidrBlock")[1].replace("/56", "/62");
    let (code, _) = refusal(
        &api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc_id),
            ("CidrBlock", "10.0.1.0/24"),
            ("Ipv6CidrBlock", &second),
        ],
    );
    assert_eq!(code, "InvalidSubnet.Range");
}

#[test]
fn a_nat_gateway_without_an_internet_gateway_is_pending_then_failed() {
    let api = memory_api();
    let vpc_id = vpc(&api, "10.0.0.0/16", false);
    let subnet_id = subnet(&api, &vpc_id, "10.0.0.0/24");
    let eip = crate::ok(&api, &[("Action", "AllocateAddress"), ("Domain", "vpc")]);
    let allocation = first(&eip, "allocationId").unwrap().to_owned();
    let created = crate::ok(
        &api,
        &[("Action", "CreateNatGateway"), ("SubnetId", &subnet_id), ("AllocationId", &allocation)],
    );
    assert_eq!(first(&created, "state"), Some("pending"));
    assert_eq!(first(&created, "failureCode"), None);
    let nat_id = first(&created, "natGatewayId").unwrap().to_owned();
    let d = crate::ok(&api, &[("Action", "DescribeNatGateways"), ("NatGatewayId.1", &nat_id)]);
    assert_eq!(first(&d, "state"), Some("failed"));
    assert_eq!(first(&d, "failureCode"), Some("Gateway.NotAttached"));
    assert_eq!(
        first(&d, "failureMessage").unwrap(),
        format!("Network {vpc_id} has no Internet gateway attached")
    );
    // It held no address: the Elastic IP is free again.
    let a = crate::ok(&api, &[("Action", "DescribeAddresses"), ("AllocationId.1", &allocation)]);
    assert_eq!(first(&a, "associationId"), None);
}

#[test]
fn deleted_customer_gateways_are_listed_as_deleted() {
    let api = memory_api();
    let cgw = crate::ok(
        &api,
        &[
            ("Action", "CreateCustomerGateway"),
            ("Type", "ipsec.1"),
            ("IpAddress", "198.51.100.7"),
            ("BgpAsn", "65000"),
        ],
    );
    let id = first(&cgw, "customerGatewayId").unwrap().to_owned();
    crate::ok(&api, &[("Action", "DeleteCustomerGateway"), ("CustomerGatewayId", &id)]);
    let d =
        crate::ok(&api, &[("Action", "DescribeCustomerGateways"), ("CustomerGatewayId.1", &id)]);
    assert_eq!(first(&d, "state"), Some("deleted"));
    let (code, _) =
        refusal(&api, &[("Action", "DeleteCustomerGateway"), ("CustomerGatewayId", &id)]);
    assert_eq!(code, "InvalidCustomerGatewayID.NotFound");
}

#[test]
fn releasing_an_address_in_the_default_vpc_disassociates_it() {
    let api = memory_api();
    let (_, default_subnet) = default_vpc_and_subnet(&api);
    let release_after_associating = |subnet_id: &str| {
        let eni = crate::ok(&api, &[("Action", "CreateNetworkInterface"), ("SubnetId", subnet_id)]);
        let eni_id = first(&eni, "networkInterfaceId").unwrap().to_owned();
        let eip = crate::ok(&api, &[("Action", "AllocateAddress"), ("Domain", "vpc")]);
        let allocation = first(&eip, "allocationId").unwrap().to_owned();
        crate::ok(
            &api,
            &[
                ("Action", "AssociateAddress"),
                ("AllocationId", &allocation),
                ("NetworkInterfaceId", &eni_id),
            ],
        );
        call(&api, &[("Action", "ReleaseAddress"), ("AllocationId", &allocation)])
    };
    assert_eq!(release_after_associating(&default_subnet).status, 200);
    // In another VPC it must be disassociated first.
    let vpc_id = vpc(&api, "10.0.0.0/16", false);
    let igw = crate::ok(&api, &[("Action", "CreateInternetGateway")]);
    let igw_id = first(&igw, "internetGatewayId").unwrap().to_owned();
    crate::ok(
        &api,
        &[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw_id), ("VpcId", &vpc_id)],
    );
    let r = release_after_associating(&subnet(&api, &vpc_id, "10.0.0.0/24"));
    assert_eq!(first(&r.body, "Code"), Some("InvalidIPAddress.InUse"));
}

#[test]
fn validation_order_and_texts_follow_aws() {
    let api = memory_api();
    // Both gateways are refused before the customer gateway is looked up.
    let (code, message) = refusal(
        &api,
        &[
            ("Action", "CreateVpnConnection"),
            ("Type", "ipsec.1"),
            ("CustomerGatewayId", "cgw-0123456789abcdef0"),
            ("VpnGatewayId", "vgw-0123456789abcdef0"),
            ("TransitGatewayId", "tgw-0123456789abcdef0"),
        ],
    );
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(
        message,
        "The request must not contain both parameter vpnGatewayId and transitGatewayId"
    );
    // Letters beyond hex are still an id's shape: not found, not malformed.
    let (code, _) = refusal(
        &api,
        &[("Action", "DescribeTransitGateways"), ("TransitGatewayIds.1", "tgw-abcdefghij0123456")],
    );
    assert_eq!(code, "InvalidTransitGatewayID.NotFound");
    let (code, message) = refusal(
        &api,
        &[
            ("Action", "DescribeSecurityGroupRules"),
            ("Filter.1.Name", "group-id"),
            ("Filter.1.Value.1", "foobar"),
        ],
    );
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("InvalidGroupId.Malformed", "The security group ID 'foobar' is malformed")
    );

    let vpc_id = vpc(&api, "10.0.0.0/16", false);
    let (sg_id, rule_id) = group_with_rule(&api, &vpc_id, "tcp", "22");
    let (code, message) = refusal(
        &api,
        &[
            ("Action", "ModifySecurityGroupRules"),
            ("GroupId", &sg_id),
            ("SecurityGroupRule.1.SecurityGroupRuleId", &rule_id),
            ("SecurityGroupRule.1.SecurityGroupRule.CidrIpv4", "10.0.0.0/16"),
        ],
    );
    assert_eq!(code, "InvalidParameterValue");
    assert_eq!(
        message,
        "Invalid value 'null' for protocol. VPC security group rules must specify protocols explicitly."
    );

    // A pair made by group id carries no name for the group-name filter to match.
    let other = crate::ok(
        &api,
        &[
            ("Action", "CreateSecurityGroup"),
            ("GroupName", "other"),
            ("GroupDescription", "d"),
            ("VpcId", &vpc_id),
        ],
    );
    let other_id = first(&other, "groupId").unwrap().to_owned();
    crate::ok(
        &api,
        &[
            ("Action", "AuthorizeSecurityGroupEgress"),
            ("GroupId", &sg_id),
            ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "80"),
            ("IpPermissions.1.ToPort", "80"),
            ("IpPermissions.1.Groups.1.GroupId", &other_id),
        ],
    );
    let by = |name: &str, value: &str| {
        let d = crate::ok(
            &api,
            &[
                ("Action", "DescribeSecurityGroups"),
                ("Filter.1.Name", name),
                ("Filter.1.Value.1", value),
            ],
        );
        all(&d, "groupId").into_iter().filter(|g| *g == sg_id).count()
    };
    assert_eq!(by("egress.ip-permission.group-id", &other_id), 1);
    assert_eq!(by("egress.ip-permission.group-name", "other"), 0);
}

#[test]
fn subnet_cidr_reservations_keep_addresses_from_automatic_assignment() {
    let api = memory_api();
    let vpc_id = vpc(&api, "10.0.0.0/16", false);
    let subnet_id = subnet(&api, &vpc_id, "10.0.0.0/24");
    let reserve = |cidr: &str, kind: &str| {
        call(
            &api,
            &[
                ("Action", "CreateSubnetCidrReservation"),
                ("SubnetId", &subnet_id),
                ("Cidr", cidr),
                ("ReservationType", kind),
                ("Description", "kept"),
            ],
        )
    };
    let r = reserve("10.0.0.0/28", "explicit");
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(first(&r.body, "reservationType"), Some("explicit"));
    let scr = first(&r.body, "subnetCidrReservationId").unwrap().to_owned();
    assert!(scr.starts_with("scr-"));
    let bad = reserve("10.1.0.0/31", "prefix");
    assert_eq!(
        first(&bad.body, "Message"),
        Some("Reservation CIDR should be within subnet CIDR block (10.0.0.0/24)")
    );
    let bad = reserve("10.0.0.2/31", "prefix");
    assert_eq!(
        first(&bad.body, "Message"),
        Some("Reservation CIDR 10.0.0.2/31 has overlap with existing reserved CIDR block")
    );
    assert_eq!(first(&reserve("10.0.0.64/28", "odd").body, "Code"), Some("InvalidParameterValue"));
    // The first address not reserved is the one handed out.
    let eni = crate::ok(&api, &[("Action", "CreateNetworkInterface"), ("SubnetId", &subnet_id)]);
    assert_eq!(first(&eni, "privateIpAddress"), Some("10.0.0.16"));
    let got = crate::ok(&api, &[("Action", "GetSubnetCidrReservations"), ("SubnetId", &subnet_id)]);
    assert!(got.contains("<subnetIpv4CidrReservationSet><item>"), "{got}");
    assert!(got.contains("<subnetIpv6CidrReservationSet></subnetIpv6CidrReservationSet>"), "{got}");
    let filtered = crate::ok(
        &api,
        &[
            ("Action", "GetSubnetCidrReservations"),
            ("SubnetId", &subnet_id),
            ("Filter.1.Name", "reservationType"),
            ("Filter.1.Value.1", "prefix"),
        ],
    );
    assert_eq!(first(&filtered, "subnetCidrReservationId"), None);
    let deleted = crate::ok(
        &api,
        &[("Action", "DeleteSubnetCidrReservation"), ("SubnetCidrReservationId", &scr)],
    );
    assert_eq!(first(&deleted, "cidr"), Some("10.0.0.0/28"));
    let (code, message) = refusal(
        &api,
        &[("Action", "DeleteSubnetCidrReservation"), ("SubnetCidrReservationId", &scr)],
    );
    assert_eq!(code, "InvalidSubnetCidrReservationID.NotFound");
    assert_eq!(message, format!("The subnet-cidr-reservation ID '{scr}' does not exist"));
}

#[test]
fn a_vpcs_tenancy_may_only_become_default() {
    let api = memory_api();
    let created = crate::ok(
        &api,
        &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16"), ("InstanceTenancy", "dedicated")],
    );
    let vpc_id = first(&created, "vpcId").unwrap().to_owned();
    // EC2's own code for it (the error-code list), not the generic enum refusal.
    for tenancy in ["unknown", "dedicated"] {
        let (code, message) = refusal(
            &api,
            &[("Action", "ModifyVpcTenancy"), ("VpcId", &vpc_id), ("InstanceTenancy", tenancy)],
        );
        assert_eq!(code, "UnsupportedTenancy");
        assert_eq!(message, format!("The tenancy value {tenancy} is not supported."));
    }
    let d = crate::ok(&api, &[("Action", "DescribeVpcs"), ("VpcId.1", &vpc_id)]);
    assert_eq!(first(&d, "instanceTenancy"), Some("dedicated"));
    crate::ok(
        &api,
        &[("Action", "ModifyVpcTenancy"), ("VpcId", &vpc_id), ("InstanceTenancy", "default")],
    );
    let d = crate::ok(&api, &[("Action", "DescribeVpcs"), ("VpcId.1", &vpc_id)]);
    assert_eq!(first(&d, "instanceTenancy"), Some("default"));
}

/// IPv6-only subnets: AWS's refusals of the wrong combinations (moto's AWS-verified tests) and
/// the subnet AWS creates; vpclab places no interface in one yet.
#[test]
fn ipv6_only_subnets() {
    let api = memory_api();
    let vpc_id = vpc(&api, "10.0.0.0/16", true);
    let d = crate::ok(&api, &[("Action", "DescribeVpcs"), ("VpcId.1", &vpc_id)]);
    let block = first(&d, "ipv6CidrBlock").unwrap().replace("/56", "/64");
    let native = [("Action", "CreateSubnet"), ("VpcId", vpc_id.as_str()), ("Ipv6Native", "true")];
    let (code, message) = refusal(&api, &native);
    assert_eq!(code, "MissingParameter");
    assert_eq!(message, "Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided.");
    let (code, _) = refusal(&api, &[&native[..], &[("CidrBlock", "10.0.0.0/24")][..]].concat());
    assert_eq!(code, "MissingParameter");
    let both = [("CidrBlock", "10.0.0.0/24"), ("Ipv6CidrBlock", block.as_str())];
    let (code, message) = refusal(&api, &[&native[..], &both[..]].concat());
    assert_eq!(code, "InvalidParameterCombination");
    assert_eq!(
        message,
        "When specifying ipv4 parameters, cidrBlock or ipv4IpamPoolId, you cannot set ipv6Native to true."
    );

    let created =
        crate::ok(&api, &[&native[..], &[("Ipv6CidrBlock", block.as_str())][..]].concat());
    assert_eq!(first(&created, "ipv6Native"), Some("true"));
    assert_eq!(first(&created, "assignIpv6AddressOnCreation"), Some("true"));
    assert_eq!(first(&created, "cidrBlock"), None);
    assert_eq!(first(&created, "hostnameType"), Some("resource-name"));
    let subnet_id = first(&created, "subnetId").unwrap().to_owned();
    let r = call(&api, &[("Action", "CreateNetworkInterface"), ("SubnetId", &subnet_id)]);
    assert_eq!(first(&r.body, "Code"), Some("InvalidParameterValue"));
    crate::ok(&api, &[("Action", "DeleteSubnet"), ("SubnetId", &subnet_id)]);
}

#[test]
fn create_vpn_connection_and_modify_security_group_rules_texts() {
    let api = memory_api();
    let cgw = crate::ok(
        &api,
        &[
            ("Action", "CreateCustomerGateway"),
            ("Type", "ipsec.1"),
            ("IpAddress", "198.51.100.8"),
            ("BgpAsn", "65000"),
        ],
    );
    let cgw_id = first(&cgw, "customerGatewayId").unwrap().to_owned();
    let (code, message) = refusal(
        &api,
        &[
            ("Action", "CreateVpnConnection"),
            ("Type", "ipsec.1"),
            ("CustomerGatewayId", &cgw_id),
            ("TransitGatewayId", "tgw-abcdefghij0123456"),
        ],
    );
    assert_eq!(code, "InvalidTransitGatewayID.NotFound");
    assert_eq!(message, "The transitGateway ID 'tgw-abcdefghij0123456' does not exist");

    let vpc_id = vpc(&api, "10.0.0.0/16", false);
    let (sg_id, rule_id) = group_with_rule(&api, &vpc_id, "udp", "53");
    let modify = |extra: &[(&str, &str)]| {
        let base = [
            ("Action", "ModifySecurityGroupRules"),
            ("GroupId", sg_id.as_str()),
            ("SecurityGroupRule.1.SecurityGroupRuleId", rule_id.as_str()),
        ];
        refusal(&api, &[&base[..], extra].concat())
    };
    let (code, message) = modify(&[
        ("SecurityGroupRule.1.SecurityGroupRule.IpProtocol", "udp"),
        ("SecurityGroupRule.1.SecurityGroupRule.ToPort", "53"),
        ("SecurityGroupRule.1.SecurityGroupRule.CidrIpv4", "10.0.0.0/16"),
    ]);
    assert_eq!(
        (code.as_str(), message.as_str()),
        (
            "InvalidParameterValue",
            "Invalid value for portRange. Must specify both from and to ports with TCP/UDP."
        )
    );
    let (code, message) = modify(&[
        ("SecurityGroupRule.1.SecurityGroupRule.IpProtocol", "udp"),
        ("SecurityGroupRule.1.SecurityGroupRule.FromPort", "53"),
        ("SecurityGroupRule.1.SecurityGroupRule.ToPort", "53"),
    ]);
    assert_eq!(code, "MissingParameter");
    assert_eq!(
        message,
        "The request must contain exactly one of: cidrIp, cidrIpv6, prefixListId, or referencedGroupId"
    );
}
