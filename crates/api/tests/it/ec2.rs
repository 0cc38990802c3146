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

#[test]
fn every_generated_operation_has_a_handler() {
    let served = api::ec2::operations();
    let generated: Vec<&str> = shapes::ec2::OPERATIONS.iter().map(|(name, _, _)| *name).collect();
    for op in &generated {
        assert!(served.contains(op), "{op} is generated but not served");
    }
    for op in &served {
        assert!(generated.contains(op), "{op} is served without a generated shape");
    }
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
fn vpc(api: &api::Api, cidr: &str, ipv6: bool) -> String {
    let mut pairs = vec![("Action", "CreateVpc"), ("CidrBlock", cidr)];
    if ipv6 {
        pairs.push(("AmazonProvidedIpv6CidrBlock", "true"));
    }
    first(&crate::ok(api, &pairs), "vpcId").unwrap().to_owned()
}
