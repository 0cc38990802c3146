//! ELBv2 requests AWS refuses, answered with AWS's code and message: the checks of its
//! validation framework (`1 validation error detected: …`, member names in lowerCamel), its own
//! configuration rules, and the empty lists botocore sends as `X=`.

use crate::elbv2_listeners::{alb, listener, target_group};
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

/// An ALB with an HTTP listener on port 80: (vpc, listener ARN, target group ARN).
fn http_listener(api: &Api) -> (String, String, String) {
    let (vpc, lb) = alb(api);
    let tg = target_group(api, &vpc, "web", "HTTP", "instance");
    let body = listener(api, &lb, "80", &tg).body;
    (vpc, first(&body, "ListenerArn").unwrap().to_owned(), tg)
}

#[test]
fn an_empty_list_is_sent_as_its_bare_key() {
    let api = crate::memory_api();
    let (_, listener, tg) = http_listener(&api);
    // botocore's `Names=[]`: no names, so every target group
    let body = elb_ok(&api, &[("Action", "DescribeTargetGroups"), ("Names", "")]);
    assert_eq!(first(&body, "TargetGroupArn"), Some(tg.as_str()));
    // an empty configuration list reaches the rule's own check
    let rule = |pairs: &[(&str, &str)]| {
        let mut all = vec![
            ("Action", "CreateRule"),
            ("ListenerArn", listener.as_str()),
            ("Priority", "10"),
            ("Actions.member.1.Type", "forward"),
            ("Actions.member.1.TargetGroupArn", tg.as_str()),
        ];
        all.extend_from_slice(pairs);
        elb_error(&api, &all)
    };
    let empty_host = rule(&[
        ("Conditions.member.1.Field", "host-header"),
        ("Conditions.member.1.HostHeaderConfig.Values", ""),
    ]);
    assert_eq!(
        empty_host,
        ("ValidationError".into(), "A condition value must be specified".into())
    );
}

#[test]
fn rule_conditions_are_held_to_aws_limits() {
    let api = crate::memory_api();
    let (_, listener, tg) = http_listener(&api);
    let rule = |pairs: &[(&str, &str)]| {
        let mut all = vec![
            ("Action", "CreateRule"),
            ("ListenerArn", listener.as_str()),
            ("Priority", "10"),
            ("Actions.member.1.Type", "forward"),
            ("Actions.member.1.TargetGroupArn", tg.as_str()),
        ];
        all.extend_from_slice(pairs);
        let (code, message) = elb_error(&api, &all);
        assert_eq!(code, "ValidationError");
        message
    };
    let long = "x".repeat(129);
    let field = ("Conditions.member.1.Field", "host-header");
    // the legacy Values: one value of at most 128 characters (API reference, RuleCondition)
    assert_eq!(
        rule(&[field, ("Conditions.member.1.Values.member.1", &long)]),
        "The 'host-header' value is too long; the limit is '128'"
    );
    assert_eq!(
        rule(&[
            ("Conditions.member.1.Field", "path-pattern"),
            ("Conditions.member.1.Values.member.1", "/a"),
            ("Conditions.member.1.Values.member.2", "/b"),
        ]),
        "The 'path-pattern' field contains too many values; the limit is '1'"
    );
    assert_eq!(rule(&[field]), "A condition value must be specified");
    assert_eq!(
        rule(&[field, ("Conditions.member.1.HostHeaderConfig.Values.member.1", &long)]),
        "The 'host-header' value is too long; the limit is '128'"
    );
    // http-header: a name of at most 40 characters, values of at most 128
    let header = ("Conditions.member.1.Field", "http-header");
    assert_eq!(
        rule(&[
            header,
            ("Conditions.member.1.HttpHeaderConfig.HttpHeaderName", &"h".repeat(41)),
            ("Conditions.member.1.HttpHeaderConfig.Values.member.1", "v"),
        ]),
        "The 'HttpHeaderName' value is too long; the limit is '40'"
    );
    assert_eq!(
        rule(&[
            header,
            ("Conditions.member.1.HttpHeaderConfig.HttpHeaderName", "X-A"),
            ("Conditions.member.1.HttpHeaderConfig.Values.member.1", &long),
        ]),
        "The 'http-header' value is too long; the limit is '128'"
    );
    assert_eq!(rule(&[header]), "A 'HttpHeaderConfig' must be specified with 'http-header'");
    let method = ("Conditions.member.1.Field", "http-request-method");
    assert_eq!(
        rule(&[method, ("Conditions.member.1.HttpRequestMethodConfig.Values.member.1", "get")]),
        "The 'http-request-method' value is invalid; the allowed characters are A-Z, hyphen and underscore"
    );
    assert_eq!(
        rule(&[
            method,
            ("Conditions.member.1.HttpRequestMethodConfig.Values.member.1", &"G".repeat(41))
        ]),
        "The 'http-request-method' value is too long; the limit is '40'"
    );
    let query = ("Conditions.member.1.Field", "query-string");
    assert_eq!(
        rule(&[query, ("Conditions.member.1.QueryStringConfig.Values.member.1.Key", "k")]),
        "A 'Value' must be specified in 'QueryStringKeyValuePair'"
    );
    assert_eq!(
        rule(&[query, ("Conditions.member.1.QueryStringConfig.Values.member.1.Value", &long)]),
        "The 'Value' value is too long; the limit is '128'"
    );
    let source = ("Conditions.member.1.Field", "source-ip");
    assert_eq!(rule(&[source]), "A 'SourceIpConfig' must be specified with 'source-ip'");
    assert_eq!(
        rule(&[source, ("Conditions.member.1.SourceIpConfig.Values", "")]),
        "A 'source-ip' value must be specified"
    );
}

#[test]
fn enum_values_fail_in_the_validation_framework_words() {
    let api = crate::memory_api();
    let (vpc, lb) = alb(&api);
    let (code, message) = elb_error(
        &api,
        &[("Action", "SetIpAddressType"), ("LoadBalancerArn", &lb), ("IpAddressType", "invalid")],
    );
    assert_eq!(code, "ValidationError");
    assert_eq!(
        message,
        "1 validation error detected: Value 'invalid' at 'ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack, dualstack-without-public-ipv4]"
    );
    let (code, message) = elb_error(
        &api,
        &[
            ("Action", "CreateTargetGroup"),
            ("Name", "web"),
            ("Protocol", "HTTP"),
            ("Port", "80"),
            ("VpcId", &vpc),
            ("HealthCheckProtocol", "/HTTP"),
        ],
    );
    assert_eq!(code, "ValidationError");
    assert!(
        message.starts_with(
            "1 validation error detected: Value '/HTTP' at 'healthCheckProtocol' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP,"
        ),
        "{message}"
    );
    // a member of a list element: its index before `member`, as AWS's framework writes it
    let (_, message) = elb_error(
        &api,
        &[
            ("Action", "CreateListener"),
            ("LoadBalancerArn", &lb),
            ("Protocol", "HTTP"),
            ("Port", "80"),
            ("DefaultActions.member.1.Type", "jump"),
        ],
    );
    assert!(message.contains("Value 'jump' at 'defaultActions.1.member.type'"), "{message}");
}

#[test]
fn target_group_names_are_refused_in_aws_words() {
    let api = crate::memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let create = |name: &str| {
        elb_error(
            &api,
            &[
                ("Action", "CreateTargetGroup"),
                ("Name", name),
                ("Protocol", "HTTP"),
                ("Port", "80"),
                ("VpcId", &v),
            ],
        )
    };
    let long = "A".repeat(33);
    assert_eq!(
        create(&long),
        (
            "ValidationError".into(),
            format!("Target group name '{long}' cannot be longer than '32' characters")
        )
    );
    assert_eq!(
        create("example.com").1,
        "Target group name 'example.com' can only contain characters that are alphanumeric characters or hyphens(-)"
    );
    for name in ["-name", "name-", "Na--me"] {
        assert_eq!(
            create(name).1,
            format!(
                "1 validation error detected: Value '{name}' at 'targetGroup.targetGroupArn.targetGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!.*--)(?!^-)(?!.*-$)^[A-Za-z0-9-]+$"
            )
        );
    }
}

#[test]
fn describe_listeners_needs_a_load_balancer_or_listeners() {
    let api = crate::memory_api();
    assert_eq!(
        elb_error(&api, &[("Action", "DescribeListeners")]),
        (
            "ValidationError".into(),
            "You must specify either listener ARNs or a load balancer ARN".into()
        )
    );
    // a malformed ARN is ValidationError, as AWS answers (aws/aws-cli#3260), not ListenerNotFound
    assert_eq!(
        elb_error(&api, &[("Action", "DescribeListenerCertificates"), ("ListenerArn", "unknown")]),
        ("ValidationError".into(), "'unknown' is not a valid listener ARN".into())
    );
}

#[test]
fn a_stickiness_type_of_another_kind_of_group_is_an_invalid_configuration() {
    let api = crate::memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let tcp = target_group(&api, &v, "tcp", "TCP", "instance");
    let modify = |value: &str| {
        elb_error(
            &api,
            &[
                ("Action", "ModifyTargetGroupAttributes"),
                ("TargetGroupArn", &tcp),
                ("Attributes.member.1.Key", "stickiness.type"),
                ("Attributes.member.1.Value", value),
            ],
        )
    };
    // as AWS answers it even with stickiness disabled (ansible/ansible#67993)
    assert_eq!(
        modify("lb_cookie"),
        (
            "InvalidConfigurationRequest".into(),
            "Stickiness type 'lb_cookie' is not supported for target groups with the TCP protocol"
                .into()
        )
    );
    assert_eq!(modify("sticky").0, "ValidationError");
}

#[test]
fn a_health_check_timeout_not_below_the_interval_is_refused_in_each_operations_words() {
    let api = crate::memory_api();
    let v = vpc(&api, "10.0.0.0/16");
    let times = [("HealthCheckIntervalSeconds", "5"), ("HealthCheckTimeoutSeconds", "6")];
    let mut create = vec![
        ("Action", "CreateTargetGroup"),
        ("Name", "web"),
        ("Protocol", "HTTP"),
        ("Port", "80"),
        ("VpcId", v.as_str()),
    ];
    create.extend_from_slice(&times);
    // CreateTargetGroup's words (hashicorp/terraform-provider-aws#48071)
    assert_eq!(
        elb_error(&api, &create),
        (
            "ValidationError".into(),
            "Health check interval must be greater than the timeout.".into()
        )
    );
    // ModifyTargetGroup's (hashicorp/terraform-provider-aws#2366)
    let tg = target_group(&api, &v, "web", "HTTP", "instance");
    let mut modify = vec![("Action", "ModifyTargetGroup"), ("TargetGroupArn", tg.as_str())];
    modify.extend_from_slice(&times);
    assert_eq!(
        elb_error(&api, &modify),
        (
            "ValidationError".into(),
            "Health check timeout '6' must be smaller than the interval '5'".into()
        )
    );
    // a Network Load Balancer group may time out after a whole interval, not longer
    let tls = target_group(&api, &v, "tls", "TLS", "ip");
    let interval = |seconds: &'static str| {
        vec![
            ("Action", "ModifyTargetGroup"),
            ("TargetGroupArn", tls.as_str()),
            ("HealthCheckIntervalSeconds", seconds),
        ]
    };
    elb_ok(&api, &interval("10"));
    assert_eq!(
        elb_error(&api, &interval("9")),
        (
            "ValidationError".into(),
            "Health check timeout '10' must be smaller than or equal to the interval '9'".into()
        )
    );
}

#[test]
fn authentication_request_extra_params_are_a_map_of_entries() {
    let api = crate::memory_api();
    let (_, lb) = alb(&api);
    let config = "DefaultActions.member.1.AuthenticateCognitoConfig";
    let key = |k: &str| format!("{config}.{k}");
    let pairs = [
        (key("UserPoolArn"), "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_a"),
        (key("UserPoolClientId"), "id"),
        (key("UserPoolDomain"), "domain"),
        (key("AuthenticationRequestExtraParams.entry.1.key"), "extra"),
        (key("AuthenticationRequestExtraParams.entry.1.value"), "param"),
    ];
    let mut request = vec![
        ("Action", "CreateListener"),
        ("LoadBalancerArn", lb.as_str()),
        ("Protocol", "HTTP"),
        ("Port", "80"),
        ("DefaultActions.member.1.Type", "authenticate-cognito"),
    ];
    request.extend(pairs.iter().map(|(k, v)| (k.as_str(), *v)));
    // botocore's `X.entry.N.key/value` is a known parameter (no UnknownParameter): the request
    // reaches the action's own check
    assert_eq!(
        elb_error(&api, &request),
        (
            "InvalidLoadBalancerAction".into(),
            "Action type 'authenticate-cognito' is not supported by vpclab".into()
        )
    );
}

#[test]
fn a_redirect_is_refused_in_aws_words() {
    let api = crate::memory_api();
    let (_, lb) = alb(&api);
    let create = |extra: &[(&str, &str)]| {
        let mut all = vec![
            ("Action", "CreateListener"),
            ("LoadBalancerArn", lb.as_str()),
            ("Protocol", "HTTP"),
            ("Port", "80"),
            ("DefaultActions.member.1.Type", "redirect"),
        ];
        all.extend_from_slice(extra);
        elb_error(&api, &all)
    };
    // aws/aws-sdk-js#2204, hashicorp/terraform#32620
    assert_eq!(
        create(&[]),
        (
            "InvalidLoadBalancerAction".into(),
            "For actions of type 'redirect', you must specify the following fields: 'RedirectConfig'"
                .into()
        )
    );
    // terraform-linters/tflint-ruleset-aws#386, aws/aws-cdk#31201
    let path_refused = (
        "InvalidLoadBalancerAction".to_owned(),
        "The Path parameter must be a valid path, should start with a '/', and may contain up to one of each of these placeholders: '#{path}', '#{host}', '#{port}'.".to_owned(),
    );
    for path in ["#{path}", "p", "/#{path}/#{path}"] {
        let redirect = [
            ("DefaultActions.member.1.RedirectConfig.StatusCode", "HTTP_301"),
            ("DefaultActions.member.1.RedirectConfig.Path", path),
        ];
        assert_eq!(create(&redirect), path_refused, "{path}");
    }
}

#[test]
fn a_taken_listener_port_is_refused_in_each_operations_words() {
    let api = crate::memory_api();
    let (vpc, lb) = alb(&api);
    let tg = target_group(&api, &vpc, "web", "HTTP", "instance");
    let other = target_group(&api, &vpc, "other", "HTTP", "instance");
    listener(&api, &lb, "80", &tg);
    // CreateListener (hashicorp/terraform#26407)
    let create = [
        ("Action", "CreateListener"),
        ("LoadBalancerArn", lb.as_str()),
        ("Protocol", "HTTP"),
        ("Port", "80"),
        ("DefaultActions.member.1.Type", "forward"),
        ("DefaultActions.member.1.TargetGroupArn", other.as_str()),
    ];
    assert_eq!(
        elb_error(&api, &create),
        (
            "DuplicateListener".into(),
            format!("A listener already exists on this port for this load balancer '{lb}'")
        )
    );
    // ModifyListener: ValidationError (the same issue)
    let second = listener(&api, &lb, "81", &other).body;
    let second = first(&second, "ListenerArn").unwrap();
    assert_eq!(
        elb_error(&api, &[("Action", "ModifyListener"), ("ListenerArn", second), ("Port", "80")]),
        ("ValidationError".into(), "Listener port '80' is already in use".into())
    );
}
