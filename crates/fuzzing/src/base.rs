//! The network every target starts from, built once through the API as a client would build
//! it, with fixed random numbers so that its ids are the same in every run (the committed
//! corpora name them).

use api::{Api, Http, Reply, Request, Service};
use model::{Scope, World};
use std::sync::OnceLock;
use store::Store;
use wire::QueryMap;

/// The base network and the ids of what it holds.
#[derive(Debug)]
pub struct Base {
    pub world: World,
    pub vpc: String,
    pub subnets: [String; 2],
    pub security_group: String,
    pub internet_gateway: String,
    /// Tagged `vpclab:local-address=127.0.0.1`: the ALB's target.
    pub web: String,
    /// Untagged: only the engine knows it.
    pub db: String,
    pub load_balancer_dns: String,
    pub hosted_zone: String,
}

/// The base network; built on first use.
pub fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(build)
}

/// A fresh in-memory server holding the base network, its random numbers reset so that an
/// input replays exactly as it ran.
pub fn fresh_api() -> Api {
    fastrand::seed(0x5eed);
    Api::new(base().world.clone(), Store::in_memory())
}

/// The account and region every target's requests come from.
pub fn scope() -> Scope {
    Scope::new(api::DEFAULT_ACCOUNT, api::DEFAULT_REGION)
}

/// A request as the server decodes it.
pub fn request(
    service: Service,
    params: QueryMap,
    target: Option<String>,
    body: Vec<u8>,
    http: Http,
) -> Request {
    Request { service, scope: scope(), request_id: "FUZZ".into(), params, target, body, http }
}

fn build() -> Base {
    fastrand::seed(0xba5e);
    let api = Api::new(World::default(), Store::in_memory());
    let (vpc, subnets, igw, sg, web, db) = network(&api);
    let load_balancer_dns = load_balancer(&api, &vpc, &subnets, &sg, &web);
    let hosted_zone = hosted_zone(&api, &load_balancer_dns);
    let world = crate::block_on(api.read(World::clone));
    Base {
        world,
        vpc,
        subnets,
        security_group: sg,
        internet_gateway: igw,
        web,
        db,
        load_balancer_dns,
        hosted_zone,
    }
}

/// A VPC with two subnets, an internet gateway on the main route table, a web security group
/// and two instances (the first tagged with a local address): (vpc, subnets, igw, group, web,
/// db).
fn network(api: &Api) -> (String, [String; 2], String, String, String, String) {
    let ec2 = |pairs: &[(&str, &str)]| call(api, Service::Ec2, "2016-11-15", pairs);
    let vpc = first(&ec2(&[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]), "vpcId");
    let subnet = |cidr: &str, zone: &str| {
        let pairs = [
            ("Action", "CreateSubnet"),
            ("VpcId", vpc.as_str()),
            ("CidrBlock", cidr),
            ("AvailabilityZone", zone),
        ];
        first(&ec2(&pairs), "subnetId")
    };
    let subnets = [subnet("10.0.1.0/24", "us-east-1a"), subnet("10.0.2.0/24", "us-east-1b")];
    let igw = first(&ec2(&[("Action", "CreateInternetGateway")]), "internetGatewayId");
    ec2(&[("Action", "AttachInternetGateway"), ("InternetGatewayId", &igw), ("VpcId", &vpc)]);
    let tables = ec2(&[
        ("Action", "DescribeRouteTables"),
        ("Filter.1.Name", "vpc-id"),
        ("Filter.1.Value.1", &vpc),
    ]);
    let main_table = first(&tables, "routeTableId");
    ec2(&[
        ("Action", "CreateRoute"),
        ("RouteTableId", &main_table),
        ("DestinationCidrBlock", "0.0.0.0/0"),
        ("GatewayId", &igw),
    ]);
    let sg = first(
        &ec2(&[
            ("Action", "CreateSecurityGroup"),
            ("GroupName", "web"),
            ("GroupDescription", "web"),
            ("VpcId", &vpc),
        ]),
        "groupId",
    );
    ec2(&[
        ("Action", "AuthorizeSecurityGroupIngress"),
        ("GroupId", &sg),
        ("IpPermissions.1.IpProtocol", "tcp"),
        ("IpPermissions.1.FromPort", "80"),
        ("IpPermissions.1.ToPort", "80"),
        ("IpPermissions.1.IpRanges.1.CidrIp", "0.0.0.0/0"),
    ]);
    let instance = |subnet: &str, tagged: bool| {
        let mut pairs = vec![
            ("Action", "RunInstances"),
            ("ImageId", "ami-0abcdef1234567890"),
            ("InstanceType", "t3.micro"),
            ("MinCount", "1"),
            ("MaxCount", "1"),
            ("SubnetId", subnet),
            ("SecurityGroupId.1", sg.as_str()),
        ];
        if tagged {
            pairs.extend([
                ("TagSpecification.1.ResourceType", "instance"),
                ("TagSpecification.1.Tag.1.Key", model::tags::LOCAL_ADDRESS_TAG),
                ("TagSpecification.1.Tag.1.Value", "127.0.0.1"),
            ]);
        }
        first(&ec2(&pairs), "instanceId")
    };
    let web = instance(&subnets[0], true);
    let db = instance(&subnets[1], false);

    (vpc, subnets, igw, sg, web, db)
}

/// An ALB in both subnets forwarding to `web` (on a port nothing listens on), with a rule of
/// each condition kind; its DNS name.
fn load_balancer(api: &Api, vpc: &str, subnets: &[String; 2], sg: &str, web: &str) -> String {
    let elb = |pairs: &[(&str, &str)]| call(api, Service::Elbv2, "2015-12-01", pairs);
    let created = elb(&[
        ("Action", "CreateLoadBalancer"),
        ("Name", "web"),
        ("Subnets.member.1", &subnets[0]),
        ("Subnets.member.2", &subnets[1]),
        ("SecurityGroups.member.1", sg),
    ]);
    let (balancer, load_balancer_dns) =
        (first(&created, "LoadBalancerArn"), first(&created, "DNSName"));
    let group = first(
        &elb(&[
            ("Action", "CreateTargetGroup"),
            ("Name", "web"),
            ("Protocol", "HTTP"),
            // Port 9 (discard) on loopback: nothing listens, so a forward fails at once.
            ("Port", "9"),
            ("VpcId", vpc),
        ]),
        "TargetGroupArn",
    );
    elb(&[("Action", "RegisterTargets"), ("TargetGroupArn", &group), ("Targets.member.1.Id", web)]);
    let listener = first(
        &elb(&[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &balancer),
            ("Protocol", "HTTP"),
            ("Port", "80"),
            ("DefaultActions.member.1.Type", "forward"),
            ("DefaultActions.member.1.TargetGroupArn", &group),
        ]),
        "ListenerArn",
    );
    let rule = |priority: &str, condition: &[(&str, &str)], action: &[(&str, &str)]| {
        let mut pairs = vec![
            ("Action", "CreateRule"),
            ("ListenerArn", listener.as_str()),
            ("Priority", priority),
        ];
        pairs.extend_from_slice(condition);
        pairs.extend_from_slice(action);
        elb(&pairs);
    };
    let fixed = [
        ("Actions.member.1.Type", "fixed-response"),
        ("Actions.member.1.FixedResponseConfig.StatusCode", "418"),
        ("Actions.member.1.FixedResponseConfig.ContentType", "text/plain"),
        ("Actions.member.1.FixedResponseConfig.MessageBody", "teapot"),
    ];
    let redirect = [
        ("Actions.member.1.Type", "redirect"),
        ("Actions.member.1.RedirectConfig.Protocol", "HTTPS"),
        ("Actions.member.1.RedirectConfig.Port", "443"),
        ("Actions.member.1.RedirectConfig.Host", "#{host}"),
        ("Actions.member.1.RedirectConfig.Path", "/#{path}/x"),
        ("Actions.member.1.RedirectConfig.Query", "#{query}&from=fuzz"),
        ("Actions.member.1.RedirectConfig.StatusCode", "HTTP_301"),
    ];
    rule(
        "1",
        &[
            ("Conditions.member.1.Field", "path-pattern"),
            ("Conditions.member.1.PathPatternConfig.Values.member.1", "/tea*"),
        ],
        &fixed,
    );
    rule(
        "2",
        &[
            ("Conditions.member.1.Field", "host-header"),
            ("Conditions.member.1.HostHeaderConfig.Values.member.1", "*.example.com"),
        ],
        &redirect,
    );
    rule(
        "3",
        &[
            ("Conditions.member.1.Field", "http-header"),
            ("Conditions.member.1.HttpHeaderConfig.HttpHeaderName", "X-Fuzz"),
            ("Conditions.member.1.HttpHeaderConfig.Values.member.1", "a?c*"),
            ("Conditions.member.2.Field", "query-string"),
            ("Conditions.member.2.QueryStringConfig.Values.member.1.Key", "k"),
            ("Conditions.member.2.QueryStringConfig.Values.member.1.Value", "v*"),
        ],
        &fixed,
    );
    rule(
        "4",
        &[
            ("Conditions.member.1.Field", "http-request-method"),
            ("Conditions.member.1.HttpRequestMethodConfig.Values.member.1", "DELETE"),
            ("Conditions.member.2.Field", "source-ip"),
            ("Conditions.member.2.SourceIpConfig.Values.member.1", "127.0.0.0/8"),
        ],
        &redirect,
    );

    load_balancer_dns
}

/// A public zone with a record of each type, a weighted pair and an alias to the load
/// balancer; its id.
fn hosted_zone(api: &Api, load_balancer_dns: &str) -> String {
    let zone = route53(
        api,
        "POST",
        "/2013-04-01/hostedzone",
        "<CreateHostedZoneRequest><Name>example.com</Name><CallerReference>fuzz</CallerReference></CreateHostedZoneRequest>",
    );
    let hosted_zone = first(&first(&zone, "HostedZone"), "Id").replace("/hostedzone/", "");
    let record = |name: &str, rtype: &str, values: &[&str], extra: &str| {
        let records: String = values
            .iter()
            .map(|v| format!("<ResourceRecord><Value>{v}</Value></ResourceRecord>"))
            .collect();
        format!(
            "<Change><Action>CREATE</Action><ResourceRecordSet><Name>{name}</Name><Type>{rtype}</Type>{extra}<TTL>60</TTL><ResourceRecords>{records}</ResourceRecords></ResourceRecordSet></Change>"
        )
    };
    let changes = [
        record("www.example.com", "A", &["192.0.2.1", "192.0.2.2"], ""),
        record("www.example.com", "AAAA", &["2001:db8::1"], ""),
        record("mail.example.com", "MX", &["10 mx.example.com."], ""),
        record("example.com", "TXT", &["\"v=spf1 -all\""], ""),
        record("*.dev.example.com", "CNAME", &["www.example.com"], ""),
        record(
            "w.example.com",
            "A",
            &["192.0.2.10"],
            "<SetIdentifier>a</SetIdentifier><Weight>1</Weight>",
        ),
        record(
            "w.example.com",
            "A",
            &["192.0.2.11"],
            "<SetIdentifier>b</SetIdentifier><Weight>3</Weight>",
        ),
        record("_sip._udp.example.com", "SRV", &["1 10 5060 sip.example.com."], ""),
        record("example.com", "CAA", &["0 issue \"amazon.com\""], ""),
        format!(
            "<Change><Action>CREATE</Action><ResourceRecordSet><Name>lb.example.com</Name><Type>A</Type><AliasTarget><HostedZoneId>Z35SXDOTRQ7X7K</HostedZoneId><DNSName>{load_balancer_dns}</DNSName><EvaluateTargetHealth>true</EvaluateTargetHealth></AliasTarget></ResourceRecordSet></Change>"
        ),
    ];
    route53(
        api,
        "POST",
        &format!("/2013-04-01/hostedzone/{hosted_zone}/rrset/"),
        &format!(
            "<ChangeResourceRecordSetsRequest><ChangeBatch><Changes>{}</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>",
            changes.concat()
        ),
    );
    hosted_zone
}

/// One query-protocol call that must succeed; its body.
fn call(api: &Api, service: Service, version: &str, pairs: &[(&str, &str)]) -> String {
    let mut all = vec![("Version", version)];
    all.extend_from_slice(pairs);
    let params = QueryMap::from_pairs(all.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    succeed(api, request(service, params, None, Vec::new(), Http::default()), pairs)
}

fn route53(api: &Api, method: &str, path: &str, body: &str) -> String {
    let xmlns = format!("xmlns=\"{}\"", api::route53::XMLNS);
    let body = body.replacen("Request>", &format!("Request {xmlns}>"), 1);
    let http = Http { method: method.into(), path: path.into(), headers: Vec::new() };
    let req = request(Service::Route53, QueryMap::default(), None, body.into_bytes(), http);
    succeed(api, req, &[("path", path)])
}

fn succeed(api: &Api, req: Request, what: &[(&str, &str)]) -> String {
    let Reply { status, body, .. } = crate::block_on(api.handle(req));
    if status != 200 && status != 201 {
        panic!("building the base network: {what:?} answered {status}: {body}");
    }
    body
}

/// The text of the first `<tag>` element of `doc`.
fn first(doc: &str, tag: &str) -> String {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    doc.split_once(&open)
        .and_then(|(_, rest)| rest.split_once(&close))
        .map(|(text, _)| text.to_owned())
        .unwrap_or_else(|| panic!("building the base network: no <{tag}> in {doc}"))
}
