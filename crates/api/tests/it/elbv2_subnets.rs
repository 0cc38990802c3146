//! ELBv2 SetSubnets through the API: zones enabled and disabled per load balancer type as the
//! API reference and the user guides say, the requester-managed interfaces that come and go
//! with them, and every documented error with its code and status.

use crate::{all, elb, elb_code, elb_ok, first, memory_api, ok};
use api::{Api, Reply};

fn vpc(api: &Api, cidr: &str) -> String {
    let body = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", cidr)]);
    first(&body, "vpcId").unwrap().to_owned()
}

fn subnet(api: &Api, vpc: &str, cidr: &str, zone: &str) -> String {
    let body = ok(
        api,
        &[
            ("Action", "CreateSubnet"),
            ("VpcId", vpc),
            ("CidrBlock", cidr),
            ("AvailabilityZone", zone),
        ],
    );
    first(&body, "subnetId").unwrap().to_owned()
}

/// SetSubnets with `Subnets.member.N`.
fn set_subnets(api: &Api, lb: &str, subnets: &[&str]) -> Reply {
    let keys: Vec<String> = (1..=subnets.len()).map(|i| format!("Subnets.member.{i}")).collect();
    let mut pairs = vec![("Action", "SetSubnets"), ("LoadBalancerArn", lb)];
    pairs.extend(keys.iter().map(String::as_str).zip(subnets.iter().copied()));
    elb(api, &pairs)
}

/// SetSubnets with `SubnetMappings.member.N`: (subnet, allocation id).
fn set_mappings(api: &Api, lb: &str, mappings: &[(&str, Option<&str>)]) -> Reply {
    let mut keys = vec![];
    for (i, (s, a)) in mappings.iter().enumerate() {
        keys.push((format!("SubnetMappings.member.{}.SubnetId", i + 1), (*s).to_owned()));
        if let Some(a) = a {
            keys.push((format!("SubnetMappings.member.{}.AllocationId", i + 1), (*a).to_owned()));
        }
    }
    let mut pairs = vec![("Action", "SetSubnets"), ("LoadBalancerArn", lb)];
    pairs.extend(keys.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    elb(api, &pairs)
}

fn code_of(r: &Reply) -> (u16, &str) {
    (r.status, first(&r.body, "Code").unwrap_or(""))
}

/// The load balancer's interfaces: (subnet, interface id), in subnet order.
fn interfaces(api: &Api, lb_name: &str) -> Vec<(String, String)> {
    let body = ok(api, &[("Action", "DescribeNetworkInterfaces")]);
    let mut out = vec![];
    for id in all(&body, "networkInterfaceId") {
        let one = ok(api, &[("Action", "DescribeNetworkInterfaces"), ("NetworkInterfaceId.1", id)]);
        if first(&one, "description").is_some_and(|d| d.contains(&format!("/{lb_name}/"))) {
            out.push((first(&one, "subnetId").unwrap().to_owned(), id.to_owned()));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn an_application_load_balancer_moves_between_subnets_of_two_zones_or_more() {
    let api = memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let a = subnet(&api, &v, "10.0.1.0/24", "us-east-1a");
    let b = subnet(&api, &v, "10.0.2.0/24", "us-east-1b");
    let c = subnet(&api, &v, "10.0.3.0/24", "us-east-1c");
    let a2 = subnet(&api, &v, "10.0.4.0/24", "us-east-1a");
    let elsewhere = subnet(&api, &vpc(&api, "10.9.0.0/16"), "10.9.1.0/24", "us-east-1b");
    let body = elb_ok(
        &api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "web"),
            ("Scheme", "internal"),
            ("Subnets.member.1", &a),
            ("Subnets.member.2", &b),
        ],
    );
    let lb = first(&body, "LoadBalancerArn").unwrap().to_owned();
    let before = interfaces(&api, "web");
    assert_eq!(before.len(), 2);

    // The same subnets again: nothing changes.
    let r = set_subnets(&api, &lb, &[&a, &b]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<SetSubnetsResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><SetSubnetsResult><AvailabilityZones><member>"), "{}", r.body);
    assert_eq!(first(&r.body, "IpAddressType"), Some("ipv4"));
    assert_eq!(interfaces(&api, "web"), before);

    // b out, c in: b's interface goes, a's stays, c gets one.
    let r = set_subnets(&api, &lb, &[&a, &c]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(all(&r.body, "SubnetId"), vec![a.as_str(), c.as_str()]);
    assert_eq!(all(&r.body, "ZoneName"), vec!["us-east-1a", "us-east-1c"]);
    let now = interfaces(&api, "web");
    assert_eq!(now.len(), 2);
    assert!(now.contains(&before.iter().find(|x| x.0 == a).unwrap().clone()));
    assert!(now.iter().any(|x| x.0 == c));
    assert!(!now.iter().any(|x| x.0 == b));
    let eni = ok(
        &api,
        &[
            ("Action", "DescribeNetworkInterfaces"),
            ("NetworkInterfaceId.1", &now.iter().find(|x| x.0 == c).unwrap().1),
        ],
    );
    assert_eq!(first(&eni, "interfaceType"), Some("interface"));
    assert_eq!(first(&eni, "requesterManaged"), Some("true"));
    assert!(first(&eni, "description").unwrap().starts_with("ELB app/web/"));
    let described = elb_ok(&api, &[("Action", "DescribeLoadBalancers"), ("Names.member.1", "web")]);
    assert_eq!(all(&described, "SubnetId"), vec![a.as_str(), c.as_str()]);

    // An ALB may change the subnet of an enabled zone in one request.
    assert_eq!(set_subnets(&api, &lb, &[&a2, &c]).status, 200);
    assert!(interfaces(&api, "web").iter().any(|x| x.0 == a2));

    // Errors, each with status 400.
    let set = |subnets: &[&str]| code_of(&set_subnets(&api, &lb, subnets)).1.to_owned();
    assert_eq!(set(&[&a2]), "InvalidConfigurationRequest", "an ALB needs two zones");
    assert_eq!(set(&[&a, &a2, &c]), "InvalidConfigurationRequest", "one subnet per zone");
    assert_eq!(set(&[&a, "subnet-0123456789abcdef0"]), "SubnetNotFound");
    assert_eq!(set(&[&a, &elsewhere]), "InvalidSubnet", "another VPC");
    assert_eq!(
        code_of(&set_mappings(&api, &lb, &[(&a, Some("eipalloc-0123456789abcdef0")), (&c, None)])),
        (400, "InvalidConfigurationRequest"),
        "Elastic IPs are for Network Load Balancers"
    );
    assert_eq!(
        elb_code(
            &api,
            &[
                ("Action", "SetSubnets"),
                ("LoadBalancerArn", &lb),
                ("Subnets.member.1", &a),
                ("SubnetMappings.member.1.SubnetId", &c),
            ]
        ),
        "ValidationError"
    );
    assert_eq!(
        elb_code(&api, &[("Action", "SetSubnets"), ("LoadBalancerArn", &lb)]),
        "ValidationError"
    );
    assert_eq!(
        elb_code(&api, &[("Action", "SetSubnets"), ("Subnets.member.1", &a)]),
        "ValidationError"
    );
    // Another id: the last hex digit changed (to `1` when it is `0`, so it always differs).
    let last = if lb.ends_with('0') { '1' } else { '0' };
    let missing = format!("{}{last}", &lb[..lb.len() - 1]);
    assert_eq!(code_of(&set_subnets(&api, &missing, &[&a, &c])), (400, "LoadBalancerNotFound"));
    assert_eq!(code_of(&set_subnets(&api, "not-an-arn", &[&a, &c])), (400, "ValidationError"));
    // A failed request changes nothing.
    let described = elb_ok(&api, &[("Action", "DescribeLoadBalancers"), ("Names.member.1", "web")]);
    assert_eq!(all(&described, "SubnetId"), vec![a2.as_str(), c.as_str()]);
    assert_eq!(interfaces(&api, "web").len(), 2);
}

#[test]
fn a_network_load_balancer_enables_and_disables_zones_keeping_their_addresses() {
    let api = memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let igw = ok(&api, &[("Action", "CreateInternetGateway")]);
    let igw = first(&igw, "internetGatewayId").unwrap().to_owned();
    ok(&api, &[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw), ("VpcId", &v)]);
    let a = subnet(&api, &v, "10.0.1.0/24", "us-east-1a");
    let b = subnet(&api, &v, "10.0.2.0/24", "us-east-1b");
    let b2 = subnet(&api, &v, "10.0.3.0/24", "us-east-1b");
    let eip = |api: &Api| {
        let body = ok(api, &[("Action", "AllocateAddress"), ("Domain", "vpc")]);
        first(&body, "allocationId").unwrap().to_owned()
    };
    let (ea, eb, other) = (eip(&api), eip(&api), eip(&api));
    let body = elb_ok(
        &api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "edge"),
            ("Type", "network"),
            ("SubnetMappings.member.1.SubnetId", &a),
            ("SubnetMappings.member.1.AllocationId", &ea),
        ],
    );
    let lb = first(&body, "LoadBalancerArn").unwrap().to_owned();
    let first_eni = interfaces(&api, "edge");

    // Add zone b with its own Elastic IP; a keeps its address.
    let r = set_mappings(&api, &lb, &[(&a, Some(&ea)), (&b, Some(&eb))]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(all(&r.body, "AllocationId"), vec![ea.as_str(), eb.as_str()]);
    let enis = interfaces(&api, "edge");
    assert_eq!(enis.len(), 2);
    assert!(enis.contains(&first_eni[0]));
    let b_eni = enis.iter().find(|x| x.0 == b).unwrap().1.clone();
    let addr = ok(&api, &[("Action", "DescribeAddresses"), ("AllocationId.1", &eb)]);
    assert_eq!(first(&addr, "networkInterfaceId"), Some(b_eni.as_str()));
    let eni =
        ok(&api, &[("Action", "DescribeNetworkInterfaces"), ("NetworkInterfaceId.1", &b_eni)]);
    assert_eq!(first(&eni, "interfaceType"), Some("network_load_balancer"));

    // A plain subnet list keeps the existing configurations.
    assert_eq!(set_subnets(&api, &lb, &[&a, &b]).status, 200);
    assert_eq!(interfaces(&api, "edge"), enis);

    // Refused: another Elastic IP for an enabled subnet, another subnet in an enabled zone,
    // an Elastic IP that does not exist, an Elastic IP already in use.
    let refused = |m: &[(&str, Option<&str>)]| code_of(&set_mappings(&api, &lb, m)).1.to_owned();
    assert_eq!(refused(&[(&a, Some(&other)), (&b, None)]), "InvalidConfigurationRequest");
    assert_eq!(refused(&[(&a, None), (&b2, None)]), "InvalidConfigurationRequest");
    let c = subnet(&api, &v, "10.0.4.0/24", "us-east-1c");
    assert_eq!(
        refused(&[(&a, None), (&b, None), (&c, Some("eipalloc-0123456789abcdef0"))]),
        "AllocationIdNotFound"
    );
    assert_eq!(refused(&[(&a, None), (&b, None), (&c, Some(&ea))]), "InvalidConfigurationRequest");

    // Disable zone b: its interface goes and its Elastic IP is free again.
    let r = set_subnets(&api, &lb, &[&a]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(all(&r.body, "SubnetId"), vec![a.as_str()]);
    assert_eq!(interfaces(&api, "edge"), first_eni);
    let addr = ok(&api, &[("Action", "DescribeAddresses"), ("AllocationId.1", &eb)]);
    assert_eq!(first(&addr, "networkInterfaceId"), None, "{addr}");
    // Now b2 can take zone b, with a new interface.
    assert_eq!(set_subnets(&api, &lb, &[&a, &b2]).status, 200);
    let again = interfaces(&api, "edge");
    assert!(again.iter().any(|x| x.0 == b2 && x.1 != b_eni));
}

#[test]
fn zones_stay_while_endpoints_connect_and_a_gateway_load_balancer_only_adds() {
    let api = memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let a = subnet(&api, &v, "10.0.1.0/24", "us-east-1a");
    let b = subnet(&api, &v, "10.0.2.0/24", "us-east-1b");
    let c = subnet(&api, &v, "10.0.3.0/24", "us-east-1c");
    let create = |name: &str, kind: &str| {
        let mut pairs = vec![
            ("Action", "CreateLoadBalancer"),
            ("Name", name),
            ("Type", kind),
            ("Subnets.member.1", a.as_str()),
            ("Subnets.member.2", b.as_str()),
        ];
        if kind == "network" {
            pairs.push(("Scheme", "internal"));
        }
        let body = elb_ok(&api, &pairs);
        first(&body, "LoadBalancerArn").unwrap().to_owned()
    };
    let nlb = create("svc", "network");
    let svc = ok(
        &api,
        &[
            ("Action", "CreateVpcEndpointServiceConfiguration"),
            ("NetworkLoadBalancerArn.1", &nlb),
            ("AcceptanceRequired", "true"),
        ],
    );
    let name = first(&svc, "serviceName").unwrap().to_owned();
    ok(
        &api,
        &[
            ("Action", "CreateVpcEndpoint"),
            ("VpcId", &v),
            ("ServiceName", &name),
            ("VpcEndpointType", "Interface"),
            ("SubnetId.1", &c),
        ],
    );
    // A pending endpoint is an active association: zones can be added, not removed.
    let r = set_subnets(&api, &nlb, &[&a]);
    assert_eq!(code_of(&r), (400, "InvalidConfigurationRequest"));
    assert!(r.body.contains("active VPC endpoint associations"), "{}", r.body);
    assert_eq!(set_subnets(&api, &nlb, &[&a, &b, &c]).status, 200);
    assert_eq!(interfaces(&api, "svc").len(), 3);

    let gwlb = create("fw", "gateway");
    assert_eq!(code_of(&set_subnets(&api, &gwlb, &[&a])), (400, "InvalidConfigurationRequest"));
    assert_eq!(code_of(&set_subnets(&api, &gwlb, &[&a, &c])), (400, "InvalidConfigurationRequest"));
    let r = set_subnets(&api, &gwlb, &[&a, &b, &c]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(all(&r.body, "ZoneName"), vec!["us-east-1a", "us-east-1b", "us-east-1c"]);
    let enis = ok(
        &api,
        &[
            ("Action", "DescribeNetworkInterfaces"),
            ("Filter.1.Name", "subnet-id"),
            ("Filter.1.Value.1", &c),
        ],
    );
    assert!(enis.contains("<interfaceType>gateway_load_balancer</interfaceType>"), "{enis}");
}
