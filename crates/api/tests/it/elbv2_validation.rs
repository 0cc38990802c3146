//! ELBv2 requests AWS refuses, answered with AWS's code and message: the checks of its
//! validation framework (`1 validation error detected: …`, member names in lowerCamel), its own
//! configuration rules, and the empty lists botocore sends as `X=`.

use crate::{elb_error, elb_ok, first, ok};
use api::Api;

fn vpc(api: &Api, cidr: &str) -> String {
    let body = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", cidr)]);
    first(&body, "vpcId").unwrap().to_owned()
}

/// Two subnets of `vpc` (a /16) in two zones.
fn subnets(api: &Api, vpc: &str, net: &str) -> [String; 2] {
    ["1", "2"].map(|n| {
        let zone = if n == "1" { "us-east-1a" } else { "us-east-1b" };
        let body = ok(
            api,
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", vpc),
                ("CidrBlock", &format!("{net}.{n}.0/24")),
                ("AvailabilityZone", zone),
            ],
        );
        first(&body, "subnetId").unwrap().to_owned()
    })
}

fn security_group(api: &Api, vpc: Option<&str>, name: &str) -> String {
    let mut pairs = vec![("Action", "CreateSecurityGroup"), ("GroupName", name)];
    pairs.push(("GroupDescription", "test"));
    if let Some(v) = vpc {
        pairs.push(("VpcId", v));
    }
    first(&ok(api, &pairs), "groupId").unwrap().to_owned()
}

#[test]
fn a_security_group_of_another_vpc_is_an_invalid_configuration() {
    let api = crate::memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let [a, b] = subnets(&api, &v, "10.0");
    // moto's fixture: the group in the default VPC, the load balancer in another
    let elsewhere = security_group(&api, None, "default-vpc-group");
    let create = |group: &str| {
        elb_error(
            &api,
            &[
                ("Action", "CreateLoadBalancer"),
                ("Name", "web"),
                ("Scheme", "internal"),
                ("Subnets.member.1", &a),
                ("Subnets.member.2", &b),
                ("SecurityGroups.member.1", group),
            ],
        )
    };
    assert_eq!(
        create(&elsewhere),
        (
            "InvalidConfigurationRequest".into(),
            format!("Security group '{elsewhere}' does not belong to VPC '{v}'")
        )
    );
    assert_eq!(create("sg-0123456789abcdef0").0, "InvalidSecurityGroup");

    let own = security_group(&api, Some(&v), "own");
    let body = elb_ok(
        &api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "web"),
            ("Scheme", "internal"),
            ("Subnets.member.1", &a),
            ("Subnets.member.2", &b),
            ("SecurityGroups.member.1", &own),
        ],
    );
    let arn = first(&body, "LoadBalancerArn").unwrap();
    let set = elb_error(
        &api,
        &[
            ("Action", "SetSecurityGroups"),
            ("LoadBalancerArn", arn),
            ("SecurityGroups.member.1", &elsewhere),
        ],
    );
    assert_eq!(
        set,
        (
            "InvalidConfigurationRequest".into(),
            format!("Security group '{elsewhere}' does not belong to VPC '{v}'")
        )
    );
}
