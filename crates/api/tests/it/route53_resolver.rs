//! Route 53 Resolver over awsJson 1.1: endpoints and their interfaces, FORWARD rules and VPC
//! associations, tags, lists and filters, Resolver's error codes, and a refused create undone.

use crate::{all, first, memory_api, ok as ec2};
use api::{Api, Reply, Request, Service};
use serde_json::{Value, json};
use wire::QueryMap;

fn resolver(api: &Api, op: &str, body: Value) -> Reply {
    let request = Request {
        service: Service::Route53Resolver,
        scope: crate::scope(),
        request_id: "REQUEST-ID".into(),
        params: QueryMap::default(),
        target: Some(format!("Route53Resolver.{op}")),
        body: body.to_string().into_bytes(),
        http: Default::default(),
    };
    crate::handle(api, request)
}

fn ok(api: &Api, op: &str, body: Value) -> Value {
    let r = resolver(api, op, body);
    assert_eq!(r.status, 200, "{op}: {}", r.body);
    assert_eq!(r.content_type, "application/x-amz-json-1.1");
    serde_json::from_str(&r.body).unwrap()
}

fn err(api: &Api, op: &str, body: Value) -> String {
    let r = resolver(api, op, body);
    assert_eq!(r.status, 400, "{op}: {}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v["__type"].as_str().unwrap().to_owned()
}

/// A VPC with two subnets: (vpc, subnet a, subnet b, default security group).
fn network(api: &Api) -> (String, String, String, String) {
    let vpc = ec2(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let subnet = |cidr: &str, az: &str| {
        let s = ec2(
            api,
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", &vpc),
                ("CidrBlock", cidr),
                ("AvailabilityZone", az),
            ],
        );
        first(&s, "subnetId").unwrap().to_owned()
    };
    let (a, b) = (subnet("10.0.1.0/24", "us-east-1a"), subnet("10.0.2.0/24", "us-east-1b"));
    let groups = ec2(
        api,
        &[
            ("Action", "DescribeSecurityGroups"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &vpc),
        ],
    );
    let sg = first(&groups, "groupId").unwrap().to_owned();
    (vpc, a, b, sg)
}

fn create_outbound(api: &Api, a: &str, b: &str, sg: &str) -> Value {
    ok(
        api,
        "CreateResolverEndpoint",
        json!({
            "CreatorRequestId": "out-1",
            "Name": "to-dc",
            "Direction": "OUTBOUND",
            "SecurityGroupIds": [sg],
            "IpAddresses": [{"SubnetId": a}, {"SubnetId": b, "Ip": "10.0.2.53"}],
            "Tags": [{"Key": "team", "Value": "net"}],
        }),
    )["ResolverEndpoint"]
        .clone()
}

#[test]
fn an_outbound_endpoint_is_operational_with_its_interfaces() {
    let api = memory_api();
    let (vpc, a, b, sg) = network(&api);
    let e = create_outbound(&api, &a, &b, &sg);
    let id = e["Id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("rslvr-out-"), "{id}");
    assert_eq!(e["Status"], "OPERATIONAL");
    assert_eq!(e["HostVPCId"], vpc.as_str());
    assert_eq!(e["IpAddressCount"], 2);
    assert_eq!(e["Direction"], "OUTBOUND");
    assert!(e["Arn"].as_str().unwrap().ends_with(&format!(":resolver-endpoint/{id}")));
    // A retry with the same CreatorRequestId returns the same endpoint.
    assert_eq!(create_outbound(&api, &a, &b, &sg)["Id"], id.as_str());

    let ips = ok(&api, "ListResolverEndpointIpAddresses", json!({"ResolverEndpointId": id}));
    let ips = ips["IpAddresses"].as_array().unwrap();
    assert_eq!(ips.len(), 2);
    assert!(ips.iter().any(|ip| ip["Ip"] == "10.0.2.53" && ip["SubnetId"] == b.as_str()));
    // Each address is a requester-managed interface EC2 lists, in its subnet.
    let enis = ec2(&api, &[("Action", "DescribeNetworkInterfaces")]);
    assert!(enis.contains("10.0.2.53"), "{enis}");
    assert_eq!(all(&enis, "requesterManaged").iter().filter(|v| **v == "true").count(), 2);

    let renamed =
        ok(&api, "UpdateResolverEndpoint", json!({"ResolverEndpointId": id, "Name": "dc"}));
    assert_eq!(renamed["ResolverEndpoint"]["Name"], "dc");
    let listed = ok(
        &api,
        "ListResolverEndpoints",
        json!({"Filters": [{"Name": "Direction", "Values": ["OUTBOUND"]}]}),
    );
    assert_eq!(listed["ResolverEndpoints"].as_array().unwrap().len(), 1);
    let none = ok(
        &api,
        "ListResolverEndpoints",
        json!({"Filters": [{"Name": "Direction", "Values": ["INBOUND"]}]}),
    );
    assert_eq!(none["ResolverEndpoints"].as_array().unwrap().len(), 0);

    let gone = ok(&api, "DeleteResolverEndpoint", json!({"ResolverEndpointId": id}));
    assert_eq!(gone["ResolverEndpoint"]["Status"], "DELETING");
    let enis = ec2(&api, &[("Action", "DescribeNetworkInterfaces")]);
    assert!(!enis.contains("10.0.2.53"), "the interfaces go with the endpoint: {enis}");
    assert_eq!(
        err(&api, "GetResolverEndpoint", json!({"ResolverEndpointId": id})),
        "ResourceNotFoundException"
    );
}

#[test]
fn refused_endpoints_leave_nothing_behind() {
    let api = memory_api();
    let (_, a, b, sg) = network(&api);
    // The second address is taken by the first: the whole create is undone.
    let code = err(
        &api,
        "CreateResolverEndpoint",
        json!({
            "CreatorRequestId": "dup",
            "Direction": "INBOUND",
            "SecurityGroupIds": [sg],
            "IpAddresses": [{"SubnetId": a, "Ip": "10.0.1.10"}, {"SubnetId": a, "Ip": "10.0.1.10"}],
        }),
    );
    assert_eq!(code, "InvalidRequestException");
    let enis = ec2(&api, &[("Action", "DescribeNetworkInterfaces")]);
    assert!(!enis.contains("10.0.1.10"), "{enis}");
    assert_eq!(
        err(
            &api,
            "CreateResolverEndpoint",
            json!({"CreatorRequestId": "x", "Direction": "OUTBOUND", "SecurityGroupIds": [sg],
                   "IpAddresses": [{"SubnetId": a}, {"SubnetId": "subnet-0123456789abcdef0"}]}),
        ),
        "ResourceNotFoundException"
    );
    assert_eq!(
        err(
            &api,
            "CreateResolverEndpoint",
            json!({"CreatorRequestId": "x", "Direction": "SIDEWAYS", "SecurityGroupIds": [sg],
                   "IpAddresses": [{"SubnetId": a}, {"SubnetId": b}]}),
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        err(&api, "CreateResolverEndpoint", json!({"Direction": "OUTBOUND"})),
        "InvalidParameterException"
    );
}

#[test]
fn forward_rules_are_associated_once_per_domain_and_kept_while_in_use() {
    let api = memory_api();
    let (vpc, a, b, sg) = network(&api);
    let endpoint = create_outbound(&api, &a, &b, &sg)["Id"].as_str().unwrap().to_owned();
    let rule = ok(
        &api,
        "CreateResolverRule",
        json!({
            "CreatorRequestId": "rule-1",
            "Name": "corp",
            "RuleType": "FORWARD",
            "DomainName": "Corp.Example.com",
            "TargetIps": [{"Ip": "127.0.0.1", "Port": 5353}, {"Ip": "10.10.0.2"}],
            "ResolverEndpointId": endpoint,
        }),
    )["ResolverRule"]
        .clone();
    let rule_id = rule["Id"].as_str().unwrap().to_owned();
    assert!(rule_id.starts_with("rslvr-rr-"));
    assert_eq!(rule["DomainName"], "corp.example.com.");
    assert_eq!(rule["Status"], "COMPLETE");
    assert_eq!(rule["OwnerId"], api::DEFAULT_ACCOUNT);
    assert_eq!(rule["TargetIps"][1]["Port"], 53, "the port defaults to 53");

    // AWS's auto-defined rule is listed too.
    let rules = ok(&api, "ListResolverRules", json!({}));
    let types: Vec<&str> = rules["ResolverRules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["RuleType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["RECURSIVE", "FORWARD"]);
    let forward_only = ok(
        &api,
        "ListResolverRules",
        json!({"Filters": [{"Name": "Type", "Values": ["FORWARD"]}]}),
    );
    assert_eq!(forward_only["ResolverRules"].as_array().unwrap().len(), 1);

    let assoc = ok(&api, "AssociateResolverRule", json!({"ResolverRuleId": rule_id, "VPCId": vpc}));
    let assoc_id = assoc["ResolverRuleAssociation"]["Id"].as_str().unwrap().to_owned();
    assert_eq!(assoc["ResolverRuleAssociation"]["Status"], "COMPLETE");
    let got =
        ok(&api, "GetResolverRuleAssociation", json!({"ResolverRuleAssociationId": assoc_id}));
    assert_eq!(got["ResolverRuleAssociation"]["VPCId"], vpc.as_str());
    let listed = ok(
        &api,
        "ListResolverRuleAssociations",
        json!({"Filters": [{"Name": "VPCId", "Values": [vpc]}]}),
    );
    assert_eq!(listed["ResolverRuleAssociations"].as_array().unwrap().len(), 1);
    assert_eq!(
        err(&api, "AssociateResolverRule", json!({"ResolverRuleId": rule_id, "VPCId": vpc})),
        "ResourceExistsException"
    );
    assert_eq!(
        err(&api, "DeleteResolverRule", json!({"ResolverRuleId": rule_id})),
        "ResourceInUseException"
    );
    assert_eq!(
        err(&api, "DeleteResolverEndpoint", json!({"ResolverEndpointId": endpoint})),
        "InvalidRequestException"
    );

    let updated = ok(
        &api,
        "UpdateResolverRule",
        json!({"ResolverRuleId": rule_id, "Config": {"TargetIps": [{"Ip": "127.0.0.2", "Port": 53}]}}),
    );
    assert_eq!(updated["ResolverRule"]["TargetIps"][0]["Ip"], "127.0.0.2");
    assert_eq!(updated["ResolverRule"]["Name"], "corp", "what is not given is kept");

    ok(&api, "DisassociateResolverRule", json!({"ResolverRuleId": rule_id, "VPCId": vpc}));
    ok(&api, "DeleteResolverRule", json!({"ResolverRuleId": rule_id}));
    assert_eq!(
        err(&api, "GetResolverRule", json!({"ResolverRuleId": rule_id})),
        "ResourceNotFoundException"
    );
    assert_eq!(
        err(
            &api,
            "CreateResolverRule",
            json!({"CreatorRequestId": "s", "RuleType": "SYSTEM",
            "DomainName": "a.example.com", "TargetIps": [{"Ip": "10.0.0.9"}]})
        ),
        "InvalidRequestException"
    );
}

#[test]
fn tags_are_read_and_written_by_arn() {
    let api = memory_api();
    let (_, a, b, sg) = network(&api);
    let arn = create_outbound(&api, &a, &b, &sg)["Arn"].as_str().unwrap().to_owned();
    ok(&api, "TagResource", json!({"ResourceArn": arn, "Tags": [{"Key": "env", "Value": "lab"}]}));
    ok(&api, "UntagResource", json!({"ResourceArn": arn, "TagKeys": ["team"]}));
    let tags = ok(&api, "ListTagsForResource", json!({"ResourceArn": arn}));
    assert_eq!(tags["Tags"], json!([{"Key": "env", "Value": "lab"}]));
    assert_eq!(
        err(
            &api,
            "ListTagsForResource",
            json!({"ResourceArn": "arn:aws:route53resolver:us-east-1:123456789012:resolver-rule/rslvr-rr-0"})
        ),
        "ResourceNotFoundException"
    );
}
