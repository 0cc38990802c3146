//! Accounts through `Api::handle`: another account's resource answers as a missing one (or as
//! AWS answers for another account's), and `--max-accounts` refuses new accounts beyond the
//! cap in each service's format while the accounts held keep working, across a restart.

use crate::{block_on, call_as, first, memory_api};
use api::{Api, Http, Reply, Request, Service};
use model::{Scope, World};
use serde_json::Value;
use store::Store;
use wire::QueryMap;

/// The account of the default access key, and two others.
const A: &str = api::DEFAULT_ACCOUNT;
const B: &str = "222222222222";
const C: &str = "333333333333";

fn at(account: &str) -> Scope {
    Scope::new(account, "us-east-1")
}

fn ok_as(api: &Api, account: &str, pairs: &[(&str, &str)]) -> String {
    let r = call_as(api, at(account), pairs);
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// The status and code of a failed EC2 call.
fn refused_as(api: &Api, account: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let r = call_as(api, at(account), pairs);
    assert_ne!(r.status, 200, "{}", r.body);
    (r.status, first(&r.body, "Code").unwrap_or_default().to_owned())
}

fn created(api: &Api, account: &str, pairs: &[(&str, &str)], id: &str) -> String {
    first(&ok_as(api, account, pairs), id).unwrap().to_owned()
}

/// A request of any service as `account`: query parameters, an awsJson target, or a restXml
/// method and path.
fn send(
    api: &Api,
    service: Service,
    account: &str,
    params: &[(&str, &str)],
    target: Option<&str>,
    http: Http,
) -> Reply {
    let request = Request {
        service,
        scope: at(account),
        request_id: "REQUEST-ID".into(),
        params: QueryMap::from_pairs(params.iter().map(|(k, v)| (k.to_string(), v.to_string()))),
        target: target.map(str::to_owned),
        body: if target.is_some() { b"{}".to_vec() } else { Vec::new() },
        http,
    };
    block_on(api.handle(request))
}

/// One cheap read of each service as `account`: (service, status, code).
fn read_each_service(api: &Api, account: &str) -> Vec<(Service, u16, String)> {
    let get = |path: &str| Http { method: "GET".into(), path: path.into(), headers: vec![] };
    let replies = [
        (
            Service::Ec2,
            send(
                api,
                Service::Ec2,
                account,
                &[("Action", "DescribeVpcs"), ("Version", "2016-11-15")],
                None,
                Http::default(),
            ),
        ),
        (
            Service::Elbv2,
            send(
                api,
                Service::Elbv2,
                account,
                &[("Action", "DescribeLoadBalancers"), ("Version", "2015-12-01")],
                None,
                Http::default(),
            ),
        ),
        (
            Service::Sts,
            send(
                api,
                Service::Sts,
                account,
                &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
                None,
                Http::default(),
            ),
        ),
        (
            Service::Route53,
            send(api, Service::Route53, account, &[], None, get("/2013-04-01/hostedzone")),
        ),
        (
            Service::DirectConnect,
            send(
                api,
                Service::DirectConnect,
                account,
                &[],
                Some("OvertureService.DescribeConnections"),
                Http::default(),
            ),
        ),
        (
            Service::Route53Resolver,
            send(
                api,
                Service::Route53Resolver,
                account,
                &[],
                Some("Route53Resolver.ListResolverEndpoints"),
                Http::default(),
            ),
        ),
    ];
    replies.into_iter().map(|(service, r)| (service, r.status, code_of(service, &r))).collect()
}

/// The error code of a reply in its service's format (empty for a success).
fn code_of(service: Service, r: &Reply) -> String {
    if r.status == 200 {
        return String::new();
    }
    match service {
        Service::DirectConnect | Service::Route53Resolver => {
            let v: Value = serde_json::from_str(&r.body).unwrap();
            v["__type"].as_str().unwrap().to_owned()
        }
        _ => first(&r.body, "Code").unwrap().to_owned(),
    }
}

#[test]
fn a_route_names_only_the_callers_vpc_endpoints() {
    let api = memory_api();
    let vpc = created(&api, A, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")], "vpcId");
    let endpoint = created(
        &api,
        A,
        &[
            ("Action", "CreateVpcEndpoint"),
            ("VpcId", &vpc),
            ("ServiceName", "com.amazonaws.us-east-1.s3"),
        ],
        "vpcEndpointId",
    );
    let rtb = created(&api, A, &[("Action", "CreateRouteTable"), ("VpcId", &vpc)], "routeTableId");
    let route = |account: &str, table: &str, target: &str| {
        call_as(
            &api,
            at(account),
            &[
                ("Action", "CreateRoute"),
                ("RouteTableId", table),
                ("DestinationCidrBlock", "192.168.0.0/16"),
                ("VpcEndpointId", target),
            ],
        )
    };
    let theirs =
        created(&api, B, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")], "vpcId");
    let their_rtb =
        created(&api, B, &[("Action", "CreateRouteTable"), ("VpcId", &theirs)], "routeTableId");
    let foreign = route(B, &their_rtb, &endpoint);
    let missing = route(B, &their_rtb, "vpce-0123456789abcdef0");
    assert_eq!(
        first(&foreign.body, "Code"),
        Some("InvalidVpcEndpointId.NotFound"),
        "{}",
        foreign.body
    );
    assert_eq!(first(&missing.body, "Code"), first(&foreign.body, "Code"));
    // The owner's route to its own endpoint is taken, and active.
    assert_eq!(route(A, &rtb, &endpoint).status, 200);
    let tables = ok_as(&api, A, &[("Action", "DescribeRouteTables"), ("RouteTableId.1", &rtb)]);
    let route = format!(
        "<gatewayId>{endpoint}</gatewayId><origin>CreateRoute</origin><state>active</state>"
    );
    assert!(tables.contains(&route), "{tables}");
}

#[test]
fn traffic_mirror_targets_are_the_callers_load_balancers() {
    let api = memory_api();
    let nlb = crate::privatelink::nlb(&api);
    let target = |account: &str, arn: &str| {
        call_as(
            &api,
            at(account),
            &[("Action", "CreateTrafficMirrorTarget"), ("NetworkLoadBalancerArn", arn)],
        )
    };
    let foreign = target(B, &nlb);
    assert_eq!(first(&foreign.body, "Code"), Some("InvalidParameterValue"), "{}", foreign.body);
    let missing = target(A, &nlb.replace("loadbalancer/net/svc/", "loadbalancer/net/gone/"));
    assert_eq!(first(&missing.body, "Code"), Some("InvalidParameterValue"));
    assert_eq!(target(A, &nlb).status, 200);
}

#[test]
fn another_accounts_elastic_ip_is_missing_to_reads_and_not_its_to_release() {
    let api = memory_api();
    let eip = created(&api, A, &[("Action", "AllocateAddress"), ("Domain", "vpc")], "allocationId");
    for action in ["DescribeAddresses", "DescribeAddressesAttribute"] {
        let got = refused_as(&api, B, &[("Action", action), ("AllocationId.1", &eip)]);
        assert_eq!(got, (400, "InvalidAllocationID.NotFound".into()), "{action}");
    }
    // AWS's answer to releasing another account's address: it "does not belong to you".
    assert_eq!(
        refused_as(&api, B, &[("Action", "ReleaseAddress"), ("AllocationId", &eip)]).1,
        "AuthFailure"
    );
    assert!(ok_as(&api, A, &[("Action", "DescribeAddresses")]).contains(&eip));
}

#[test]
fn tagging_another_accounts_resource_answers_its_kinds_not_found() {
    let api = memory_api();
    let tgw = created(&api, A, &[("Action", "CreateTransitGateway")], "transitGatewayId");
    for (account, id) in [(B, tgw.as_str()), (A, "tgw-0123456789abcdef0")] {
        let got = refused_as(
            &api,
            account,
            &[
                ("Action", "CreateTags"),
                ("ResourceId.1", id),
                ("Tag.1.Key", "k"),
                ("Tag.1.Value", "v"),
            ],
        );
        assert_eq!(got, (400, "InvalidTransitGatewayID.NotFound".into()));
    }
}

#[test]
fn new_accounts_beyond_the_cap_are_refused_in_each_services_format() {
    let api = memory_api().with_max_accounts(2);
    for account in [A, B] {
        assert!(read_each_service(&api, account).iter().all(|(_, status, _)| *status == 200));
    }
    let refused = read_each_service(&api, C);
    for (service, status, code) in &refused {
        let expected = match service {
            Service::Ec2 => (401, "AuthFailure"),
            Service::DirectConnect | Service::Route53Resolver => {
                (400, "UnrecognizedClientException")
            }
            _ => (403, "InvalidClientTokenId"),
        };
        assert_eq!((*status, code.as_str()), expected, "{service:?}");
    }
    let r = call_as(&api, at(C), &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    assert!(r.body.contains("--max-accounts") && r.body.contains(C), "{}", r.body);
    assert!(r.body.contains("<Response><Errors><Error><Code>AuthFailure</Code>"), "{}", r.body);
    // Nothing of the refused account is kept; the accounts held work in a new region too.
    block_on(api.read(|w| {
        assert_eq!(w.account_count(), 2);
        assert!(!w.has_account(C));
    }));
    let elsewhere = call_as(&api, Scope::new(B, "eu-west-1"), &[("Action", "DescribeVpcs")]);
    assert_eq!(elsewhere.status, 200, "{}", elsewhere.body);
}

#[test]
fn sts_and_invalid_requests_of_a_new_account_store_nothing_but_its_region() {
    let api = memory_api();
    let sts = send(
        &api,
        Service::Sts,
        C,
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        None,
        Http::default(),
    );
    assert_eq!(sts.status, 200, "{}", sts.body);
    assert!(block_on(api.read(|w| !w.has_account(C))), "STS stores nothing");
    // Any other call sets the account's region up as AWS has it: its default VPC.
    let r = send(
        &api,
        Service::DirectConnect,
        C,
        &[],
        Some("OvertureService.DescribeConnections"),
        Http::default(),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let vpcs = ok_as(
        &api,
        C,
        &[
            ("Action", "DescribeVpcs"),
            ("Filter.1.Name", "is-default"),
            ("Filter.1.Value.1", "true"),
        ],
    );
    assert_eq!(crate::all(&vpcs, "vpcId").len(), 1);
}

#[test]
fn accounts_held_keep_working_after_a_restart_with_a_lower_cap() {
    let dir = std::env::temp_dir().join(format!("vpclab-it-accounts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let open = |max: usize| {
        let (store, rows) = Store::open(&dir).unwrap();
        let mut world = World::default();
        for r in rows {
            world.load_row(&r.kind, r.id, &r.body).unwrap();
        }
        Api::new(world, store).with_max_accounts(max)
    };
    {
        let api = open(3);
        for account in [A, B, C] {
            ok_as(&api, account, &[("Action", "DescribeVpcs")]);
        }
    }
    let api = open(1);
    for account in [A, B, C] {
        ok_as(&api, account, &[("Action", "DescribeVpcs")]);
    }
    assert_eq!(
        refused_as(&api, "444444444444", &[("Action", "DescribeVpcs")]),
        (401, "AuthFailure".into())
    );
    assert_eq!(block_on(api.read(World::account_count)), 3);
    drop(api);
    let _ = std::fs::remove_dir_all(&dir);
}
