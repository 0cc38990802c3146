//! ELBv2 target groups, targets, listeners and rules through the API: AWS's defaults on the
//! wire, every error code with its status, target health as AWS reports it, and the change
//! notifications the data planes follow.

use crate::{all, elb, elb_code, elb_ok, first, memory_api, ok};
use api::{Api, ObservedHealth, Reply, TargetHealthSource};
use std::sync::Arc;

/// A VPC 10.0.0.0/16 with two subnets and an internal ALB: (vpc, ALB ARN).
pub(crate) fn alb(api: &Api) -> (String, String) {
    let vpc = ok(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc = first(&vpc, "vpcId").unwrap().to_owned();
    let mut subnets = vec![];
    for (cidr, zone) in [("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")] {
        let s = ok(
            api,
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", &vpc),
                ("CidrBlock", cidr),
                ("AvailabilityZone", zone),
            ],
        );
        subnets.push(first(&s, "subnetId").unwrap().to_owned());
    }
    let body = elb_ok(
        api,
        &[
            ("Action", "CreateLoadBalancer"),
            ("Name", "web"),
            ("Scheme", "internal"),
            ("Subnets.member.1", &subnets[0]),
            ("Subnets.member.2", &subnets[1]),
        ],
    );
    (vpc, first(&body, "LoadBalancerArn").unwrap().to_owned())
}

pub(crate) fn target_group(api: &Api, vpc: &str, name: &str, protocol: &str, kind: &str) -> String {
    let body = elb_ok(
        api,
        &[
            ("Action", "CreateTargetGroup"),
            ("Name", name),
            ("Protocol", protocol),
            ("Port", "80"),
            ("VpcId", vpc),
            ("TargetType", kind),
        ],
    );
    first(&body, "TargetGroupArn").unwrap().to_owned()
}

pub(crate) fn listener(api: &Api, lb: &str, port: &str, tg: &str) -> Reply {
    elb(
        api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", lb),
            ("Protocol", "HTTP"),
            ("Port", port),
            ("DefaultActions.member.1.Type", "forward"),
            ("DefaultActions.member.1.TargetGroupArn", tg),
        ],
    )
}

fn health(api: &Api, tg: &str) -> Vec<(String, String)> {
    let body = elb_ok(api, &[("Action", "DescribeTargetHealth"), ("TargetGroupArn", tg)]);
    all(&body, "TargetHealth")
        .into_iter()
        .map(|h| {
            (first(h, "State").unwrap().to_owned(), first(h, "Reason").unwrap_or("").to_owned())
        })
        .collect()
}

#[test]
fn a_target_group_gets_aws_defaults_per_protocol() {
    let api = memory_api();
    let (vpc, _) = alb(&api);
    let body = elb_ok(
        &api,
        &[
            ("Action", "CreateTargetGroup"),
            ("Name", "web"),
            ("Protocol", "HTTP"),
            ("Port", "80"),
            ("VpcId", &vpc),
        ],
    );
    assert!(body.contains("<CreateTargetGroupResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><CreateTargetGroupResult><TargetGroups><member>"), "{body}");
    for (tag, value) in [
        ("HealthCheckProtocol", "HTTP"),
        ("HealthCheckPort", "traffic-port"),
        ("HealthCheckPath", "/"),
        ("HealthCheckIntervalSeconds", "30"),
        ("HealthCheckTimeoutSeconds", "5"),
        ("HealthyThresholdCount", "5"),
        ("UnhealthyThresholdCount", "2"),
        ("HttpCode", "200"),
        ("TargetType", "instance"),
        ("ProtocolVersion", "HTTP1"),
        ("IpAddressType", "ipv4"),
    ] {
        assert_eq!(first(&body, tag), Some(value), "{tag} in {body}");
    }
    // An unused group lists no load balancers, as an empty list (boto3 shows `[]`).
    assert!(
        body.contains("<LoadBalancerArns/>")
            || body.contains("<LoadBalancerArns></LoadBalancerArns>"),
        "{body}"
    );
    let body = elb_ok(
        &api,
        &[
            ("Action", "CreateTargetGroup"),
            ("Name", "tcp"),
            ("Protocol", "TCP"),
            ("Port", "80"),
            ("VpcId", &vpc),
            ("HealthCheckProtocol", "HTTP"),
        ],
    );
    assert_eq!(first(&body, "HealthCheckTimeoutSeconds"), Some("6"));
    assert_eq!(first(&body, "HttpCode"), Some("200-399"));
    let arn = first(&body, "TargetGroupArn").unwrap().to_owned();
    let attrs =
        elb_ok(&api, &[("Action", "DescribeTargetGroupAttributes"), ("TargetGroupArn", &arn)]);
    assert!(attrs.contains("<Key>preserve_client_ip.enabled</Key><Value>true</Value>"), "{attrs}");
    assert!(attrs.contains("<Key>deregistration_delay.timeout_seconds</Key><Value>300</Value>"));

    let bad = |pairs: &[(&str, &str)]| elb_code(&api, pairs);
    let create = |extra: &[(&'static str, &'static str)]| {
        let mut p: Vec<(&str, &str)> = vec![
            ("Action", "CreateTargetGroup"),
            ("Name", "web"),
            ("Protocol", "HTTP"),
            ("Port", "80"),
            ("VpcId", &vpc),
        ];
        p.extend_from_slice(extra);
        bad(&p)
    };
    assert_eq!(create(&[("HealthCheckIntervalSeconds", "10")]), "DuplicateTargetGroupName");
    assert_eq!(create(&[("Name", "x"), ("HealthCheckProtocol", "TCP")]), "ValidationError");
    assert_eq!(create(&[("Name", "x"), ("HealthCheckTimeoutSeconds", "40")]), "ValidationError");
    assert_eq!(create(&[("Name", "x"), ("Matcher.HttpCode", "600")]), "ValidationError");
    assert_eq!(create(&[("Name", "-x")]), "ValidationError");
    assert_eq!(
        bad(&[
            ("Action", "ModifyTargetGroupAttributes"),
            ("TargetGroupArn", &arn),
            ("Attributes.member.1.Key", "no.such.key"),
            ("Attributes.member.1.Value", "1"),
        ]),
        "ValidationError"
    );
    let missing = arn.replace("/tcp/", "/nope/");
    assert_eq!(
        bad(&[("Action", "DescribeTargetGroups"), ("TargetGroupArns.member.1", &missing)]),
        "TargetGroupNotFound"
    );
}

struct AlwaysHealthy;

impl TargetHealthSource for AlwaysHealthy {
    fn observe(&self, _: &str, _: &str, _: u16) -> Option<ObservedHealth> {
        Some(ObservedHealth { state: "healthy".into(), reason: None, description: None })
    }
}

#[test]
fn targets_register_drain_and_report_health_as_aws_does() {
    let api = memory_api();
    let (vpc, lb) = alb(&api);
    let tg = target_group(&api, &vpc, "ips", "HTTP", "ip");
    let register = |id: &str, zone: Option<&str>| {
        let mut p = vec![
            ("Action", "RegisterTargets"),
            ("TargetGroupArn", tg.as_str()),
            ("Targets.member.1.Id", id),
        ];
        if let Some(z) = zone {
            p.push(("Targets.member.1.AvailabilityZone", z));
        }
        elb(&api, &p)
    };
    assert_eq!(register("10.0.1.10", None).status, 200);
    assert_eq!(register("127.0.0.1", Some("all")).status, 200);
    let r = register("127.0.0.2", None);
    assert_eq!(first(&r.body, "Code"), Some("ValidationError"));
    let r = register("8.8.8.8", Some("all"));
    assert_eq!(first(&r.body, "Code"), Some("InvalidTarget"));
    assert_eq!(r.status, 400);

    // Not used by a load balancer yet.
    assert_eq!(health(&api, &tg), vec![("unused".into(), "Target.NotInUse".into()); 2]);
    let subscription = api.subscribe();
    let before = *subscription.borrow();
    let created = listener(&api, &lb, "80", &tg);
    assert_eq!(created.status, 200);
    assert_ne!(*subscription.borrow(), before, "a committed change is announced");
    // The same settings again: CreateListener is idempotent and answers the same listener.
    let again = listener(&api, &lb, "80", &tg);
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(first(&again.body, "ListenerArn"), first(&created.body, "ListenerArn"));
    let described =
        elb_ok(&api, &[("Action", "DescribeTargetGroups"), ("TargetGroupArns.member.1", &tg)]);
    assert_eq!(first(&described, "LoadBalancerArns").map(|x| x.contains(&lb)), Some(true));
    assert_eq!(health(&api, &tg)[0], ("initial".into(), "Elb.RegistrationInProgress".into()));
    api.set_target_health_source(Arc::new(AlwaysHealthy));
    assert_eq!(health(&api, &tg)[0], ("healthy".into(), "".into()));

    elb_ok(
        &api,
        &[
            ("Action", "DeregisterTargets"),
            ("TargetGroupArn", &tg),
            ("Targets.member.1.Id", "10.0.1.10"),
        ],
    );
    let body = elb_ok(
        &api,
        &[
            ("Action", "DescribeTargetHealth"),
            ("TargetGroupArn", &tg),
            ("Targets.member.1.Id", "10.0.1.10"),
        ],
    );
    assert_eq!(first(&body, "State"), Some("draining"));
    assert_eq!(first(&body, "Reason"), Some("Target.DeregistrationInProgress"));
    let body = elb_ok(
        &api,
        &[
            ("Action", "DescribeTargetHealth"),
            ("TargetGroupArn", &tg),
            ("Targets.member.1.Id", "10.0.1.99"),
        ],
    );
    assert_eq!(first(&body, "Reason"), Some("Target.NotRegistered"));
    assert_eq!(
        elb_code(
            &api,
            &[
                ("Action", "DeregisterTargets"),
                ("TargetGroupArn", &tg),
                ("Targets.member.1.Id", "10.0.2.7")
            ]
        ),
        "InvalidTarget"
    );
    assert_eq!(
        elb_code(&api, &[("Action", "DeleteTargetGroup"), ("TargetGroupArn", &tg)]),
        "ResourceInUse"
    );

    // A Lambda group takes one target.
    let body =
        elb_ok(&api, &[("Action", "CreateTargetGroup"), ("Name", "fn"), ("TargetType", "lambda")]);
    assert_eq!(first(&body, "HealthCheckEnabled"), Some("false"));
    let lambda = first(&body, "TargetGroupArn").unwrap().to_owned();
    assert_eq!(
        elb_code(
            &api,
            &[
                ("Action", "RegisterTargets"),
                ("TargetGroupArn", &lambda),
                ("Targets.member.1.Id", "arn:aws:lambda:us-east-1:123456789012:function:a"),
                ("Targets.member.2.Id", "arn:aws:lambda:us-east-1:123456789012:function:b"),
            ]
        ),
        "TooManyTargets"
    );
}

#[test]
fn listeners_and_rules_follow_the_api_reference() {
    let api = memory_api();
    let (vpc, lb) = alb(&api);
    let tg = target_group(&api, &vpc, "web", "HTTP", "instance");
    let tcp = target_group(&api, &vpc, "tcp", "TCP", "instance");
    let r = listener(&api, &lb, "8080", &tcp);
    assert_eq!(first(&r.body, "Code"), Some("IncompatibleProtocols"));
    let body = listener(&api, &lb, "80", &tg).body;
    let l = first(&body, "ListenerArn").unwrap().to_owned();
    assert!(l.contains(":listener/app/web/"));
    assert!(body.contains("<ForwardConfig><TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig><TargetGroups><member><TargetGroupArn>"), "{body}");
    let https = elb(
        &api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &lb),
            ("Protocol", "HTTPS"),
            ("Port", "443"),
            ("DefaultActions.member.1.Type", "fixed-response"),
            ("DefaultActions.member.1.FixedResponseConfig.StatusCode", "404"),
        ],
    );
    assert_eq!(first(&https.body, "Code"), Some("ValidationError"));
    let https = elb(
        &api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &lb),
            ("Protocol", "HTTPS"),
            ("Port", "443"),
            ("Certificates.member.1.CertificateArn", "not-an-arn"),
            ("DefaultActions.member.1.Type", "fixed-response"),
            ("DefaultActions.member.1.FixedResponseConfig.StatusCode", "404"),
        ],
    );
    assert_eq!(first(&https.body, "Code"), Some("CertificateNotFound"));
    let https = elb_ok(
        &api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &lb),
            ("Protocol", "HTTPS"),
            ("Port", "443"),
            (
                "Certificates.member.1.CertificateArn",
                "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            ),
            ("DefaultActions.member.1.Type", "redirect"),
            ("DefaultActions.member.1.RedirectConfig.StatusCode", "HTTP_301"),
            ("DefaultActions.member.1.RedirectConfig.Protocol", "HTTPS"),
        ],
    );
    assert_eq!(first(&https, "SslPolicy"), Some("ELBSecurityPolicy-2016-08"));
    assert_eq!(first(&https, "Path"), Some("/#{path}"));
    let tcp_listener = elb(
        &api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &lb),
            ("Protocol", "TCP"),
            ("Port", "81"),
            ("DefaultActions.member.1.Type", "forward"),
            ("DefaultActions.member.1.TargetGroupArn", &tcp),
        ],
    );
    assert_eq!(first(&tcp_listener.body, "Code"), Some("ValidationError"));
    assert_eq!(
        first(&tcp_listener.body, "Message"),
        Some("Listener protocol &apos;TCP&apos; must be one of &apos;HTTP, HTTPS&apos;")
    );
    let auth = elb(
        &api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &lb),
            ("Protocol", "HTTP"),
            ("Port", "82"),
            ("DefaultActions.member.1.Type", "authenticate-cognito"),
        ],
    );
    assert_eq!(first(&auth.body, "Code"), Some("InvalidLoadBalancerAction"));

    let rule = |priority: &str, path: &str| {
        elb(
            &api,
            &[
                ("Action", "CreateRule"),
                ("ListenerArn", &l),
                ("Priority", priority),
                ("Conditions.member.1.Field", "path-pattern"),
                ("Conditions.member.1.Values.member.1", path),
                ("Actions.member.1.Type", "forward"),
                ("Actions.member.1.TargetGroupArn", &tg),
            ],
        )
    };
    let created = rule("10", "/api/*");
    assert_eq!(created.status, 200, "{}", created.body);
    let rule_arn = first(&created.body, "RuleArn").unwrap().to_owned();
    assert!(
        created.body.contains(
            "<PathPatternConfig><Values><member>/api/*</member></Values></PathPatternConfig>"
        ),
        "{}",
        created.body
    );
    assert_eq!(first(&rule("10", "/x").body, "Code"), Some("PriorityInUse"));
    assert_eq!(first(&rule("0", "/x").body, "Code"), Some("ValidationError"));
    let host = elb(
        &api,
        &[
            ("Action", "CreateRule"),
            ("ListenerArn", &l),
            ("Priority", "20"),
            ("Conditions.member.1.Field", "host-header"),
            ("Conditions.member.1.HostHeaderConfig.Values.member.1", "a.example.com"),
            ("Conditions.member.1.HostHeaderConfig.Values.member.2", "b.example.com"),
            ("Conditions.member.2.Field", "http-request-method"),
            ("Conditions.member.2.HttpRequestMethodConfig.Values.member.1", "GET"),
            ("Conditions.member.2.HttpRequestMethodConfig.Values.member.2", "HEAD"),
            ("Conditions.member.2.HttpRequestMethodConfig.Values.member.3", "POST"),
            ("Conditions.member.3.Field", "source-ip"),
            ("Conditions.member.3.SourceIpConfig.Values.member.1", "10.0.0.0/8"),
            ("Actions.member.1.Type", "fixed-response"),
            ("Actions.member.1.FixedResponseConfig.StatusCode", "200"),
        ],
    );
    assert_eq!(first(&host.body, "Code"), Some("ValidationError"), "six values are too many");

    let rules = elb_ok(&api, &[("Action", "DescribeRules"), ("ListenerArn", &l)]);
    assert_eq!(all(&rules, "Priority"), vec!["10", "default"]);
    assert_eq!(all(&rules, "IsDefault"), vec!["false", "true"]);
    let default_rule = all(&rules, "RuleArn")[1].to_owned();
    assert_eq!(
        elb_code(&api, &[("Action", "DeleteRule"), ("RuleArn", &default_rule)]),
        "OperationNotPermitted"
    );
    elb_ok(
        &api,
        &[
            ("Action", "SetRulePriorities"),
            ("RulePriorities.member.1.RuleArn", &rule_arn),
            ("RulePriorities.member.1.Priority", "5"),
        ],
    );
    elb_ok(
        &api,
        &[
            ("Action", "AddTags"),
            ("ResourceArns.member.1", &rule_arn),
            ("Tags.member.1.Key", "k"),
            ("Tags.member.1.Value", "v"),
        ],
    );
    let tags = elb_ok(
        &api,
        &[
            ("Action", "DescribeTags"),
            ("ResourceArns.member.1", &rule_arn),
            ("ResourceArns.member.2", &tg),
        ],
    );
    assert_eq!(all(&tags, "Key"), vec!["k"]);
    elb_ok(&api, &[("Action", "DeleteRule"), ("RuleArn", &rule_arn)]);
    assert_eq!(elb_code(&api, &[("Action", "DeleteRule"), ("RuleArn", &rule_arn)]), "RuleNotFound");
    elb_ok(&api, &[("Action", "DeleteListener"), ("ListenerArn", &l)]);
    assert_eq!(
        elb_code(&api, &[("Action", "DescribeListeners"), ("ListenerArns.member.1", &l)]),
        "ListenerNotFound"
    );
    elb_ok(&api, &[("Action", "DeleteTargetGroup"), ("TargetGroupArn", &tg)]);

    let policies = elb_ok(
        &api,
        &[
            ("Action", "DescribeSSLPolicies"),
            ("Names.member.1", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
        ],
    );
    assert_eq!(
        all(&policies, "SslProtocols")[0],
        "<member>TLSv1.2</member><member>TLSv1.3</member>"
    );
    let limits = elb_ok(&api, &[("Action", "DescribeAccountLimits")]);
    assert!(limits.contains("<Max>3000</Max><Name>target-groups</Name>"), "{limits}");
}

#[test]
fn listener_ports_are_capped_across_accounts_by_max_listeners() {
    let mut world = model::World::default();
    world.quotas.listener_ports = 2;
    let api = Api::new(world, store::Store::in_memory());
    let (vpc, lb) = alb(&api);
    let tg = target_group(&api, &vpc, "web", "HTTP", "ip");
    for port in ["80", "81"] {
        assert_eq!(listener(&api, &lb, port, &tg).status, 200);
    }
    let refused = listener(&api, &lb, "82", &tg);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(first(&refused.body, "Code"), Some("TooManyListeners"));
    assert!(refused.body.contains("--max-listeners"), "{}", refused.body);
}
