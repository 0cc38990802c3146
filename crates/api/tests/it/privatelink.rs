//! ELBv2 (awsQuery) and PrivateLink through the API: the ELBv2 documents (`<XResponse>`,
//! `<XResult>`, `.member` lists, `<ErrorResponse>` with ELBv2 codes), endpoint services and
//! their connections across two accounts, and a failed create leaving nothing behind.

use crate::{all, call_as, elb, first, memory_api, scope};
use api::Api;
use model::Scope;

fn consumer() -> Scope {
    Scope::new("210987654321", "us-east-1")
}

fn ok_as(api: &Api, who: Scope, pairs: &[(&str, &str)]) -> String {
    let r = call_as(api, who, pairs);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// A provider VPC with two subnets and an internal NLB: its ARN.
pub(crate) fn nlb(api: &Api) -> String {
    let vpc = ok_as(api, scope(), &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let mut subnets = vec![];
    for (cidr, zone) in [("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")] {
        let s = ok_as(
            api,
            scope(),
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", &vpc),
                ("CidrBlock", cidr),
                ("AvailabilityZone", zone),
            ],
        );
        subnets.push(first(&s, "subnetId").unwrap().to_owned());
    }
    let r = elb(
        api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "svc"),
            ("Type", "network"),
            ("Scheme", "internal"),
            ("Subnets.member.1", &subnets[0]),
            ("Subnets.member.2", &subnets[1]),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<CreateLoadBalancerResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">"));
    assert!(r.body.contains("<CreateLoadBalancerResult><LoadBalancers><member>"));
    assert!(
        r.body.contains("<ResponseMetadata><RequestId>REQUEST-ID</RequestId></ResponseMetadata>")
    );
    assert_eq!(first(&r.body, "Code"), Some("active"));
    assert_eq!(all(&r.body, "SubnetId").len(), 2);
    first(&r.body, "LoadBalancerArn").unwrap().to_owned()
}

#[test]
fn elbv2_answers_in_aws_query_documents() {
    let api = memory_api();
    let arn = nlb(&api);
    let r = elb(&api, &[("Action", "DescribeLoadBalancers"), ("Names.member.1", "svc")]);
    assert_eq!(first(&r.body, "LoadBalancerArn"), Some(arn.as_str()));
    assert_eq!(first(&r.body, "Type"), Some("network"));

    let r = elb(&api, &[("Action", "DescribeLoadBalancers"), ("Names.member.1", "nope")]);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error><Type>Sender</Type><Code>LoadBalancerNotFound</Code>"), "{}", r.body);
    // A missing required parameter is ELBv2's ValidationError.
    let r = elb(&api, &[("Action", "CreateLoadBalancer")]);
    assert_eq!(first(&r.body, "Code"), Some("ValidationError"));
    let r = elb(&api, &[("Action", "CreateTrustStore")]);
    assert_eq!(first(&r.body, "Code"), Some("InvalidAction"));
    // A failed create leaves no interface behind.
    let r = elb(
        &api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "x"),
            ("Type", "network"),
            ("Subnets.member.1", "subnet-0123456789abcdef0"),
        ],
    );
    assert_eq!(first(&r.body, "Code"), Some("SubnetNotFound"));
    let enis = ok_as(&api, scope(), &[("Action", "DescribeNetworkInterfaces")]);
    assert_eq!(all(&enis, "networkInterfaceId").len(), 2);
}

#[test]
fn an_endpoint_service_connects_another_account_once_accepted() {
    let api = memory_api();
    let arn = nlb(&api);
    let svc = ok_as(
        &api,
        scope(),
        &[
            ("Action", "CreateVpcEndpointServiceConfiguration"),
            ("NetworkLoadBalancerArn.1", &arn),
            ("AcceptanceRequired", "true"),
        ],
    );
    let sid = first(&svc, "serviceId").unwrap().to_owned();
    let name = first(&svc, "serviceName").unwrap().to_owned();
    assert_eq!(first(&svc, "serviceState"), Some("Available"));
    ok_as(
        &api,
        scope(),
        &[
            ("Action", "ModifyVpcEndpointServicePermissions"),
            ("ServiceId", &sid),
            ("AddAllowedPrincipals.1", "arn:aws:iam::210987654321:root"),
        ],
    );
    let vpc = ok_as(&api, consumer(), &[("Action", "CreateVpc"), ("CidrBlock", "10.1.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let sub = ok_as(
        &api,
        consumer(),
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", &vpc),
            ("CidrBlock", "10.1.1.0/24"),
            ("AvailabilityZone", "us-east-1a"),
        ],
    );
    let sub = first(&sub, "subnetId").unwrap().to_owned();
    let seen = ok_as(
        &api,
        consumer(),
        &[("Action", "DescribeVpcEndpointServices"), ("ServiceName.1", &name)],
    );
    assert_eq!(first(&seen, "owner"), Some("123456789012"));
    let e = ok_as(
        &api,
        consumer(),
        &[
            ("Action", "CreateVpcEndpoint"),
            ("VpcId", &vpc),
            ("ServiceName", &name),
            ("VpcEndpointType", "Interface"),
            ("SubnetId.1", &sub),
        ],
    );
    let vpce = first(&e, "vpcEndpointId").unwrap().to_owned();
    assert_eq!(first(&e, "state"), Some("pendingAcceptance"));
    let c = ok_as(&api, scope(), &[("Action", "DescribeVpcEndpointConnections")]);
    assert_eq!(first(&c, "vpcEndpointOwner"), Some("210987654321"));
    let r = ok_as(
        &api,
        scope(),
        &[
            ("Action", "AcceptVpcEndpointConnections"),
            ("ServiceId", &sid),
            ("VpcEndpointId.1", &vpce),
        ],
    );
    assert!(!r.contains("<item>"), "{r}");
    let e =
        ok_as(&api, consumer(), &[("Action", "DescribeVpcEndpoints"), ("VpcEndpointId.1", &vpce)]);
    assert_eq!(first(&e, "state"), Some("available"));
    let d = ok_as(
        &api,
        scope(),
        &[("Action", "DeleteVpcEndpointServiceConfigurations"), ("ServiceId.1", &sid)],
    );
    assert_eq!(first(&d, "code"), Some("ExistingVpcEndpointConnections"));
}
