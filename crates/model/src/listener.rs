//! Elastic Load Balancing v2 listeners, their rules and actions.
//!
//! A listener takes connections on one port of a load balancer with one protocol and applies
//! actions to them: an Application Load Balancer listener evaluates its [`Rule`]s by priority
//! (lowest first) and falls back to its default actions; other listeners have only default
//! actions (a forward). Listener ARNs extend the load balancer's
//! (`…:listener/app/<lb name>/<lb hex>/<16 hex>`), rule ARNs the listener's
//! (`…:listener-rule/app/<lb name>/<lb hex>/<listener hex>/<16 hex>`); both tables are keyed by
//! ARN. The default rule is not a row: it is the listener's [`Listener::default_actions`],
//! named by [`Listener::default_rule_arn`].

use crate::error::{Error, Result};
use crate::load_balancer::{LbType, LoadBalancer, check_tags, hex16, validation};
use crate::references::{Reference, References};
use crate::resources::Tags;
use crate::target_group::{Protocol, TargetType};
use crate::world::{Scope, World};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A certificate of an HTTPS or TLS listener (an ACM or IAM server certificate ARN).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerCertificate {
    pub arn: String,
    /// The listener's default certificate (given with CreateListener/ModifyListener), as opposed
    /// to those added with AddListenerCertificates.
    pub is_default: bool,
}

/// A listener.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listener {
    /// Its ARN, which is its id.
    pub arn: String,
    pub owner: Scope,
    pub load_balancer_arn: String,
    /// 1–65535; `None` for a Gateway Load Balancer listener, which takes every port.
    pub port: Option<u16>,
    /// `None` for a Gateway Load Balancer listener (GENEVE is implied).
    pub protocol: Option<Protocol>,
    /// The default certificate first, then the others.
    pub certificates: Vec<ListenerCertificate>,
    /// The security policy of HTTPS/TLS listeners (`ELBSecurityPolicy-…`).
    pub ssl_policy: Option<String>,
    /// The ALPN policy of TLS listeners (`HTTP1Only`, `HTTP2Only`, `HTTP2Optional`,
    /// `HTTP2Preferred`, `None`).
    pub alpn_policy: Option<String>,
    /// What happens to requests no rule matches (for non-ALB listeners: to all traffic).
    pub default_actions: Vec<Action>,
    /// The ARN of the listener's default rule, as DescribeRules shows it.
    pub default_rule_arn: String,
    /// Tags of the default rule (AddTags on its ARN).
    pub default_rule_tags: Tags,
    /// Listener attributes by key (`tcp.idle_timeout.seconds`, `routing.http.*`…), every key
    /// the listener's protocol has, with AWS's defaults.
    pub attributes: BTreeMap<String, String>,
    pub tags: Tags,
}

impl Listener {
    /// The default certificate's ARN.
    pub fn default_certificate(&self) -> Option<&str> {
        self.certificates.iter().find(|c| c.is_default).map(|c| c.arn.as_str())
    }
}

/// A listener rule (not the default rule).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// Its ARN, which is its id.
    pub arn: String,
    pub owner: Scope,
    pub listener_arn: String,
    /// 1–50000, unique within the listener; lower is evaluated first.
    pub priority: u32,
    /// All must match (an AND); the values within one condition are alternatives (an OR).
    pub conditions: Vec<RuleCondition>,
    pub actions: Vec<Action>,
    pub tags: Tags,
}

/// One condition of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleCondition {
    /// The Host header matches one of the patterns (`*` and `?` wildcards, case-insensitive).
    HostHeader { values: Vec<String> },
    /// The path matches one of the patterns (`*` and `?` wildcards, case-sensitive).
    PathPattern { values: Vec<String> },
    /// The header `name` (case-insensitive) matches one of the patterns.
    HttpHeader { name: String, values: Vec<String> },
    /// The request method is one of these (exact, case-sensitive).
    HttpRequestMethod { values: Vec<String> },
    /// The query string has one of these key/value pairs (key `None`: any key with that value;
    /// wildcards allowed, case-insensitive).
    QueryString { values: Vec<QueryStringMatch> },
    /// The client's source address is in one of these CIDRs.
    SourceIp { values: Vec<String> },
}

impl RuleCondition {
    /// The condition's field name on the wire (`host-header`, `path-pattern`, …).
    pub fn field(&self) -> &'static str {
        match self {
            RuleCondition::HostHeader { .. } => "host-header",
            RuleCondition::PathPattern { .. } => "path-pattern",
            RuleCondition::HttpHeader { .. } => "http-header",
            RuleCondition::HttpRequestMethod { .. } => "http-request-method",
            RuleCondition::QueryString { .. } => "query-string",
            RuleCondition::SourceIp { .. } => "source-ip",
        }
    }

    /// How many values the condition has (they count towards AWS's limits).
    pub fn value_count(&self) -> usize {
        match self {
            RuleCondition::HostHeader { values }
            | RuleCondition::PathPattern { values }
            | RuleCondition::HttpHeader { values, .. }
            | RuleCondition::HttpRequestMethod { values }
            | RuleCondition::SourceIp { values } => values.len(),
            RuleCondition::QueryString { values } => values.len(),
        }
    }
}

/// One key/value pair of a query-string condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryStringMatch {
    pub key: Option<String>,
    pub value: String,
}

/// An action of a listener or rule; actions run by [`Action::order`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Action {
    /// 1–50000; AWS numbers actions given without an order from 1 in request order.
    pub order: u32,
    pub kind: ActionKind,
}

impl Action {
    /// Whether the action forwards (some traffic) to the target group.
    pub fn forwards_to(&self, target_group_arn: &str) -> bool {
        matches!(&self.kind, ActionKind::Forward(f)
            if f.target_groups.iter().any(|t| t.target_group_arn == target_group_arn))
    }

    /// The wire name of the action's type (`forward`, `redirect`, `fixed-response`).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ActionKind::Forward(_) => "forward",
            ActionKind::Redirect(_) => "redirect",
            ActionKind::FixedResponse(_) => "fixed-response",
        }
    }
}

/// What an action does. Authentication actions (`authenticate-oidc`,
/// `authenticate-cognito`) are refused by vpclab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionKind {
    Forward(Forward),
    Redirect(Redirect),
    FixedResponse(FixedResponse),
}

/// Forward to one or more target groups, by weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forward {
    /// One group (given as `TargetGroupArn` or a one-entry `ForwardConfig`) or up to five.
    pub target_groups: Vec<WeightedTargetGroup>,
    /// Group-level stickiness: a client keeps going to the same target group.
    pub stickiness: Option<ForwardStickiness>,
}

/// A target group of a forward action and its weight (0–999).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeightedTargetGroup {
    pub target_group_arn: String,
    /// `None` when not given (a single target group: all traffic).
    pub weight: Option<u32>,
}

/// Target group stickiness of a weighted forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardStickiness {
    pub enabled: bool,
    /// 1–604800 seconds.
    pub duration_seconds: Option<u32>,
}

/// An HTTP redirect. Each part may use `#{protocol}`, `#{host}`, `#{port}`, `#{path}`,
/// `#{query}`; AWS fills the parts not given with the original request's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redirect {
    /// `HTTP`, `HTTPS` or `#{protocol}`.
    pub protocol: String,
    pub port: String,
    pub host: String,
    pub path: String,
    pub query: String,
    /// `HTTP_301` or `HTTP_302`.
    pub status_code: String,
}

/// A fixed HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedResponse {
    /// 2XX, 4XX or 5XX.
    pub status_code: String,
    /// `text/plain`, `text/css`, `text/html`, `application/javascript`, `application/json`.
    pub content_type: Option<String>,
    /// Up to 1024 characters.
    pub message_body: Option<String>,
}

impl World {
    /// The listeners of a load balancer, by port.
    pub fn listeners_of(&self, load_balancer_arn: &str) -> Vec<&Listener> {
        let mut out: Vec<&Listener> =
            self.listeners.values().filter(|l| l.load_balancer_arn == load_balancer_arn).collect();
        out.sort_by_key(|l| l.port);
        out
    }

    /// The rules of a listener (not the default one), by priority: the order ALB evaluates
    /// them in.
    pub fn rules_of(&self, listener_arn: &str) -> Vec<&Rule> {
        let mut out: Vec<&Rule> =
            self.listener_rules.values().filter(|r| r.listener_arn == listener_arn).collect();
        out.sort_by_key(|r| r.priority);
        out
    }
}

/// ELBv2's default quota of listeners per load balancer.
pub const LISTENERS_PER_LOAD_BALANCER: usize = 50;

/// ELBv2's default quota of rules per Application Load Balancer (default rules not counted).
pub const RULES_PER_LOAD_BALANCER: usize = 100;

/// ELBv2's default quota of condition values per rule.
pub const CONDITION_VALUES_PER_RULE: usize = 5;
/// The longest condition value (host, path, header value, query key or value), in characters.
pub const CONDITION_VALUE_MAX: usize = 128;
/// The longest header name of an http-header condition.
pub const HTTP_HEADER_NAME_MAX: usize = 40;
/// The longest method of an http-request-method condition.
pub const HTTP_METHOD_MAX: usize = 40;

/// AWS's "The '<what>' value is too long; the limit is '<max>'" for the first value over `max`.
fn check_condition_lengths<S: AsRef<str>>(
    what: &str,
    values: impl IntoIterator<Item = S>,
    max: usize,
) -> Result<()> {
    if values.into_iter().any(|v| v.as_ref().chars().count() > max) {
        return Err(validation(format!("The '{what}' value is too long; the limit is '{max}'")));
    }
    Ok(())
}

/// ELBv2's default quota of certificates per listener (the default one not counted).
pub const CERTIFICATES_PER_LISTENER: usize = 25;

/// An action as a request gives it (`Actions.member.N`).
#[derive(Debug, Clone, Default)]
pub struct ActionSpec {
    pub type_: String,
    pub order: Option<i32>,
    pub target_group_arn: Option<String>,
    /// `ForwardConfig.TargetGroups`: (ARN, weight).
    pub forward_target_groups: Option<Vec<(String, Option<i32>)>>,
    /// `ForwardConfig.TargetGroupStickinessConfig`: (enabled, duration).
    pub forward_stickiness: Option<(Option<bool>, Option<i32>)>,
    pub redirect: Option<RedirectSpec>,
    pub fixed_response: Option<FixedResponseSpec>,
}

#[derive(Debug, Clone, Default)]
pub struct RedirectSpec {
    pub protocol: Option<String>,
    pub port: Option<String>,
    pub host: Option<String>,
    pub path: Option<String>,
    pub query: Option<String>,
    pub status_code: String,
}

#[derive(Debug, Clone, Default)]
pub struct FixedResponseSpec {
    pub status_code: String,
    pub content_type: Option<String>,
    pub message_body: Option<String>,
}

/// What CreateListener and ModifyListener ask for (unset: default, or unchanged).
#[derive(Debug, Clone, Default)]
pub struct ListenerSpec {
    pub protocol: Option<String>,
    pub port: Option<i32>,
    pub ssl_policy: Option<String>,
    pub certificate_arns: Option<Vec<String>>,
    pub alpn_policy: Option<Vec<String>>,
    pub default_actions: Option<Vec<ActionSpec>>,
    pub tags: Vec<(String, Option<String>)>,
}

/// A condition as a request gives it: the legacy `Values` or one `*Config`.
#[derive(Debug, Clone, Default)]
pub struct ConditionSpec {
    pub field: Option<String>,
    pub values: Vec<String>,
    pub host_header: Option<Vec<String>>,
    pub path_pattern: Option<Vec<String>>,
    pub http_header: Option<(Option<String>, Vec<String>)>,
    pub http_request_method: Option<Vec<String>>,
    pub query_string: Option<Vec<(Option<String>, Option<String>)>>,
    pub source_ip: Option<Vec<String>>,
}

/// A listener's settings besides its actions, as checked from a request.
struct ListenerSettings {
    protocol: Option<Protocol>,
    port: Option<u16>,
    certificates: Vec<ListenerCertificate>,
    ssl_policy: Option<String>,
    alpn_policy: Option<String>,
}

fn listener_not_found() -> Error {
    Error::new("ListenerNotFound", "One or more listeners not found")
}

fn rule_not_found() -> Error {
    Error::new("RuleNotFound", "One or more rules not found")
}

fn invalid_action(message: impl Into<String>) -> Error {
    Error::new("InvalidLoadBalancerAction", message)
}

/// Checks the shape of an ELBv2 ARN of `kind` (`listener`, `listener-rule`) with `parts`
/// slash-separated parts after the kind.
fn check_elb_arn(arn: &str, kind: &str, parts: usize) -> Result<()> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let ok = matches!(fields.as_slice(),
        ["arn", "aws", "elasticloadbalancing", region, account, rest]
            if !region.is_empty() && account.len() == 12
                && rest.strip_prefix(kind).and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|r| r.split('/').count() == parts));
    if ok { Ok(()) } else { Err(validation(format!("'{arn}' is not a valid {kind} ARN"))) }
}

/// Checks a certificate ARN's syntax (ACM or IAM): vpclab has no certificate store.
fn check_certificate_arn(arn: &str) -> Result<()> {
    let acm = arn.starts_with("arn:aws:acm:") && arn.contains(":certificate/");
    let iam = arn.starts_with("arn:aws:iam::") && arn.contains(":server-certificate/");
    if acm || iam {
        Ok(())
    } else {
        Err(Error::new("CertificateNotFound", format!("Certificate '{arn}' not found")))
    }
}

/// The protocols a listener of this load balancer type may have.
fn listener_protocols(t: LbType) -> &'static [Protocol] {
    match t {
        LbType::Application => &[Protocol::Http, Protocol::Https],
        // in the order AWS's message lists them ("must be one of 'TLS, TCP, TCP_UDP, UDP'")
        LbType::Network => &[Protocol::Tls, Protocol::Tcp, Protocol::TcpUdp, Protocol::Udp],
        LbType::Gateway => &[Protocol::Geneve],
    }
}

/// Whether a listener with `listener` may forward to a target group with `group` (None:
/// Lambda).
fn protocols_fit(listener: Option<Protocol>, group: Option<Protocol>, t: TargetType) -> bool {
    use Protocol::*;
    match (listener, group) {
        (Some(Http | Https), Some(Http | Https)) => true,
        (Some(Http | Https), None) => t == TargetType::Lambda,
        (Some(Tcp), Some(Tcp | TcpUdp)) => true,
        (Some(Tls), Some(Tcp | Tls)) => true,
        (Some(Udp), Some(Udp | TcpUdp)) => true,
        (Some(TcpUdp), Some(TcpUdp)) => true,
        (None | Some(Geneve), Some(Geneve)) => true,
        _ => false,
    }
}

fn number(what: &str, v: i32, lo: i32, hi: i32) -> Result<u32> {
    if (lo..=hi).contains(&v) {
        Ok(v as u32)
    } else {
        Err(validation(format!("{what} must be between {lo} and {hi}, but was {v}")))
    }
}

impl World {
    /// A listener of the scope by ARN.
    pub fn find_listener(&self, scope: &Scope, arn: &str) -> Result<&Listener> {
        check_elb_arn(arn, "listener", 4)?;
        self.listeners.get(arn).filter(|l| &l.owner == scope).ok_or_else(listener_not_found)
    }

    /// A rule of the scope by ARN (not a default rule).
    pub fn find_rule(&self, scope: &Scope, arn: &str) -> Result<&Rule> {
        check_elb_arn(arn, "listener-rule", 5)?;
        self.listener_rules.get(arn).filter(|r| &r.owner == scope).ok_or_else(rule_not_found)
    }

    /// The listener whose default rule this ARN is.
    pub fn listener_of_default_rule(&self, scope: &Scope, arn: &str) -> Option<&Listener> {
        self.listeners.values().find(|l| &l.owner == scope && l.default_rule_arn == arn)
    }

    /// Turns requested actions into actions of a listener of `lb` with `protocol`: checks
    /// every target group (exists, fits the protocol and VPC, used by no other load balancer).
    fn build_actions(
        &self,
        scope: &Scope,
        lb: &LoadBalancer,
        protocol: Option<Protocol>,
        specs: &[ActionSpec],
    ) -> Result<Vec<Action>> {
        if specs.is_empty() {
            return Err(validation("At least one action must be specified"));
        }
        if specs.len() > 1 {
            return Err(Error::new(
                "TooManyActions",
                "Only one forward, redirect or fixed-response action can be specified",
            ));
        }
        let mut out = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let order = match spec.order {
                Some(o) => number("Action order", o, 1, 50_000)?,
                None => i as u32 + 1,
            };
            let application = lb.lb_type == LbType::Application;
            let kind = match spec.type_.as_str() {
                "forward" => ActionKind::Forward(self.build_forward(scope, lb, protocol, spec)?),
                "redirect" | "fixed-response" if !application => {
                    return Err(invalid_action(format!(
                        "Action type '{}' is supported only by Application Load Balancers",
                        spec.type_
                    )));
                }
                "redirect" => {
                    // AWS's words (aws/aws-sdk-js#2204, hashicorp/terraform#32620)
                    let r = spec.redirect.as_ref().ok_or_else(|| {
                        invalid_action(
                            "For actions of type 'redirect', you must specify the following \
                             fields: 'RedirectConfig'",
                        )
                    })?;
                    if !matches!(r.status_code.as_str(), "HTTP_301" | "HTTP_302") {
                        return Err(validation(
                            "Redirect status code must be HTTP_301 or HTTP_302",
                        ));
                    }
                    let protocol = r.protocol.clone().unwrap_or_else(|| "#{protocol}".into());
                    if !matches!(protocol.as_str(), "HTTP" | "HTTPS" | "#{protocol}") {
                        return Err(validation(format!(
                            "Redirect protocol '{protocol}' is not valid"
                        )));
                    }
                    let path = r.path.clone().unwrap_or_else(|| "/#{path}".into());
                    // AWS's rule and words (terraform-linters/tflint-ruleset-aws#386,
                    // aws/aws-cdk#31201)
                    let placeholders = ["#{path}", "#{host}", "#{port}"];
                    if !path.starts_with('/')
                        || placeholders.iter().any(|p| path.matches(p).count() > 1)
                    {
                        return Err(invalid_action(
                            "The Path parameter must be a valid path, should start with a '/', \
                             and may contain up to one of each of these placeholders: \
                             '#{path}', '#{host}', '#{port}'.",
                        ));
                    }
                    ActionKind::Redirect(Redirect {
                        protocol,
                        port: r.port.clone().unwrap_or_else(|| "#{port}".into()),
                        host: r.host.clone().unwrap_or_else(|| "#{host}".into()),
                        path,
                        query: r.query.clone().unwrap_or_else(|| "#{query}".into()),
                        status_code: r.status_code.clone(),
                    })
                }
                "fixed-response" => {
                    let f = spec.fixed_response.as_ref().ok_or_else(|| {
                        validation("A fixed-response action needs a FixedResponseConfig")
                    })?;
                    let code_ok = f.status_code.len() == 3
                        && f.status_code.chars().all(|c| c.is_ascii_digit())
                        && matches!(f.status_code.chars().next(), Some('2' | '4' | '5'));
                    if !code_ok {
                        return Err(validation(format!(
                            "Fixed response status code '{}' must be 2XX, 4XX or 5XX",
                            f.status_code
                        )));
                    }
                    const TYPES: &[&str] = &[
                        "text/plain",
                        "text/css",
                        "text/html",
                        "application/javascript",
                        "application/json",
                    ];
                    if let Some(t) = &f.content_type
                        && !TYPES.contains(&t.as_str())
                    {
                        return Err(validation(format!("Content type '{t}' is not valid")));
                    }
                    if f.message_body.as_ref().is_some_and(|b| b.chars().count() > 1024) {
                        return Err(validation(
                            "A fixed response body can have at most 1024 characters",
                        ));
                    }
                    ActionKind::FixedResponse(FixedResponse {
                        status_code: f.status_code.clone(),
                        content_type: f.content_type.clone(),
                        message_body: f.message_body.clone(),
                    })
                }
                "authenticate-oidc" | "authenticate-cognito" | "jwt-validation" => {
                    return Err(invalid_action(format!(
                        "Action type '{}' is not supported by vpclab",
                        spec.type_
                    )));
                }
                other => return Err(validation(format!("Action type '{other}' is not valid"))),
            };
            out.push(Action { order, kind });
        }
        Ok(out)
    }

    fn build_forward(
        &self,
        scope: &Scope,
        lb: &LoadBalancer,
        protocol: Option<Protocol>,
        spec: &ActionSpec,
    ) -> Result<Forward> {
        let groups: Vec<WeightedTargetGroup> = match (
            &spec.target_group_arn,
            &spec.forward_target_groups,
        ) {
            (None, None) => {
                return Err(validation(
                    "A forward action needs a target group ARN or a ForwardConfig",
                ));
            }
            (Some(arn), None) => {
                vec![WeightedTargetGroup { target_group_arn: arn.clone(), weight: None }]
            }
            (single, Some(list)) => {
                if list.is_empty() {
                    return Err(validation("A ForwardConfig needs at least one target group"));
                }
                if let Some(arn) = single
                    && (list.len() != 1 || list.first().is_some_and(|(a, _)| a != arn))
                {
                    return Err(validation(
                        "TargetGroupArn and ForwardConfig must name the same single target group",
                    ));
                }
                let max = if lb.lb_type == LbType::Application { 5 } else { 1 };
                if list.len() > max {
                    return Err(Error::new(
                        "TooManyTargetGroups",
                        format!("A forward action can have at most {max} target groups"),
                    ));
                }
                list.iter()
                    .map(|(arn, w)| {
                        Ok(WeightedTargetGroup {
                            target_group_arn: arn.clone(),
                            weight: w
                                .map(|w| number("Target group weight", w, 0, 999))
                                .transpose()?,
                        })
                    })
                    .collect::<Result<_>>()?
            }
        };
        for g in &groups {
            if groups.iter().filter(|o| o.target_group_arn == g.target_group_arn).count() > 1 {
                return Err(validation(
                    "A target group can be named only once in a forward action",
                ));
            }
            let tg = self.find_target_group(scope, &g.target_group_arn)?;
            if tg.vpc_id.as_ref().is_some_and(|v| v != &lb.vpc_id) {
                return Err(Error::new(
                    "InvalidConfigurationRequest",
                    format!(
                        "Target group '{}' is not in the load balancer's VPC '{}'",
                        tg.arn, lb.vpc_id
                    ),
                ));
            }
            if !protocols_fit(protocol, tg.protocol, tg.target_type) {
                return Err(Error::new(
                    "IncompatibleProtocols",
                    format!(
                        "The listener protocol '{}' is not compatible with target group protocol '{}'",
                        protocol.map_or("none", Protocol::name),
                        tg.protocol.map_or("none", Protocol::name)
                    ),
                ));
            }
            if let Some(other) =
                self.load_balancers_of_target_group(&tg.arn).into_iter().find(|a| a != &lb.arn)
            {
                return Err(Error::new(
                    "TargetGroupAssociationLimit",
                    format!(
                        "The following target groups cannot be associated with more than one load balancer: '{}' (used by '{other}')",
                        tg.arn
                    ),
                ));
            }
        }
        let stickiness = match spec.forward_stickiness {
            None => None,
            Some((enabled, duration)) => Some(ForwardStickiness {
                enabled: enabled.unwrap_or(false),
                duration_seconds: duration
                    .map(|d| number("Stickiness duration", d, 1, 604_800))
                    .transpose()?,
            }),
        };
        Ok(Forward { target_groups: groups, stickiness })
    }

    /// The protocol, port, certificates, policy and ALPN of a listener of `lb`, from `spec`
    /// over `current` (a modification) — checked as AWS checks them.
    fn listener_settings(
        &self,
        lb: &LoadBalancer,
        current: Option<&Listener>,
        spec: &ListenerSpec,
    ) -> Result<ListenerSettings> {
        let gateway = lb.lb_type == LbType::Gateway;
        let protocol = match (&spec.protocol, current) {
            (Some(p), _) => Some(
                Protocol::parse(p)
                    .ok_or_else(|| validation(format!("Protocol '{p}' is not valid")))?,
            ),
            (None, Some(c)) => c.protocol,
            (None, None) if gateway => None,
            (None, None) => return Err(validation("A listener protocol must be specified")),
        };
        if let Some(p) = protocol
            && !listener_protocols(lb.lb_type).contains(&p)
        {
            let allowed: Vec<&str> =
                listener_protocols(lb.lb_type).iter().map(|p| p.name()).collect();
            // AWS answers ValidationError, not UnsupportedProtocol (seen in alphagov/gsp#351)
            return Err(validation(format!(
                "Listener protocol '{}' must be one of '{}'",
                p.name(),
                allowed.join(", ")
            )));
        }
        let port = match (spec.port, current) {
            (Some(_), _) if gateway => {
                return Err(validation(
                    "A port cannot be specified for Gateway Load Balancer listeners",
                ));
            }
            (Some(p), _) => Some(number("Port", p, 1, 65535)? as u16),
            (None, Some(c)) => c.port,
            (None, None) if gateway => None,
            (None, None) => return Err(validation("A listener port must be specified")),
        };
        let secure = matches!(protocol, Some(Protocol::Https | Protocol::Tls));
        let protocol_changed = current.is_some_and(|c| c.protocol != protocol);
        let mut certificates: Vec<ListenerCertificate> =
            current.map(|c| c.certificates.clone()).unwrap_or_default();
        if let Some(arns) = &spec.certificate_arns {
            let [arn] = arns.as_slice() else {
                return Err(validation("Exactly one default certificate must be specified"));
            };
            check_certificate_arn(arn)?;
            certificates.retain(|c| !c.is_default && &c.arn != arn);
            certificates.insert(0, ListenerCertificate { arn: arn.clone(), is_default: true });
        }
        if !secure {
            if spec.certificate_arns.is_some() || spec.ssl_policy.is_some() {
                return Err(validation(
                    "Certificates and SSL policies can be set only for HTTPS and TLS listeners",
                ));
            }
            certificates.clear();
        } else if !certificates.iter().any(|c| c.is_default) {
            return Err(validation(format!(
                "A certificate must be specified for {} listeners",
                protocol.map_or("", Protocol::name)
            )));
        }
        let ssl_policy = match (&spec.ssl_policy, current.and_then(|c| c.ssl_policy.clone())) {
            _ if !secure => None,
            (Some(p), _) => {
                crate::elb_catalog::ssl_policy(p).ok_or_else(|| {
                    Error::new("SSLPolicyNotFound", format!("SSL policy '{p}' not found"))
                })?;
                Some(p.clone())
            }
            (None, Some(p)) if !protocol_changed => Some(p),
            (None, _) => Some(crate::elb_catalog::DEFAULT_SSL_POLICY.to_owned()),
        };
        let alpn_policy = match &spec.alpn_policy {
            None => current
                .and_then(|c| c.alpn_policy.clone())
                .filter(|_| protocol == Some(Protocol::Tls)),
            Some(list) => match list.as_slice() {
                [] => None,
                [p] if protocol == Some(Protocol::Tls) => {
                    const ALPN: &[&str] =
                        &["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"];
                    if !ALPN.contains(&p.as_str()) {
                        return Err(Error::new(
                            "ALPNPolicyNotFound",
                            format!("ALPN policy '{p}' not found"),
                        ));
                    }
                    Some(p.clone())
                }
                [_] => return Err(validation("An ALPN policy can be set only for TLS listeners")),
                _ => return Err(validation("Only one ALPN policy can be specified")),
            },
        };
        Ok(ListenerSettings { protocol, port, certificates, ssl_policy, alpn_policy })
    }

    /// vpclab's cap on listener ports across all accounts ([`crate::Quotas::listener_ports`]):
    /// each one holds a local port and its connections.
    fn check_listener_ports(&self, port: Option<u16>) -> Result<()> {
        let cap = self.quotas.listener_ports;
        if port.is_some() && self.listeners.values().filter(|l| l.port.is_some()).count() >= cap {
            return Err(Error::new(
                "TooManyListeners",
                format!(
                    "You've reached the limit on the number of listeners: this vpclab serves at \
                     most {cap} listener ports across all accounts (vpclab serve --max-listeners)."
                ),
            ));
        }
        Ok(())
    }

    /// CreateListener.
    pub fn create_listener(
        &mut self,
        scope: &Scope,
        lb_arn: &str,
        spec: &ListenerSpec,
    ) -> Result<String> {
        let lb = self.find_load_balancer(scope, lb_arn)?.clone();
        let ListenerSettings { protocol, port, certificates, ssl_policy, alpn_policy } =
            self.listener_settings(&lb, None, spec)?;
        let specs = spec.default_actions.as_deref().unwrap_or_default();
        let default_actions = self.build_actions(scope, &lb, protocol, specs)?;
        let existing = self.listeners_of(lb_arn);
        if let Some(taken) = existing.iter().find(|l| l.port == port) {
            // "This operation is idempotent … If you attempt to create multiple listeners with
            // the same settings, each call succeeds" (CreateListener in botocore's model).
            let same = taken.protocol == protocol
                && taken.certificates == certificates
                && taken.ssl_policy == ssl_policy
                && taken.alpn_policy == alpn_policy
                && taken.default_actions == default_actions;
            if same {
                return Ok(taken.arn.clone());
            }
            // AWS's words (hashicorp/terraform#26407)
            return Err(Error::new(
                "DuplicateListener",
                format!("A listener already exists on this port for this load balancer '{lb_arn}'"),
            ));
        }
        if existing.len() >= LISTENERS_PER_LOAD_BALANCER {
            return Err(Error::new(
                "TooManyListeners",
                format!("A load balancer can have at most {LISTENERS_PER_LOAD_BALANCER} listeners"),
            ));
        }
        self.check_listener_ports(port)?;
        check_tags(&Tags::new(), &spec.tags)?;
        let lb_tail = lb.resource_id().to_owned();
        let hex = hex16();
        let arn = scope.arn("elasticloadbalancing", &format!("listener/{lb_tail}/{hex}"));
        let default_rule_arn = scope
            .arn("elasticloadbalancing", &format!("listener-rule/{lb_tail}/{hex}/{}", hex16()));
        let attributes = default_listener_attributes(lb.lb_type, protocol);
        self.listeners.insert(
            arn.clone(),
            Listener {
                arn: arn.clone(),
                owner: scope.clone(),
                load_balancer_arn: lb.arn.clone(),
                port,
                protocol,
                certificates,
                ssl_policy,
                alpn_policy,
                default_actions,
                default_rule_arn,
                default_rule_tags: Tags::new(),
                attributes,
                tags: spec
                    .tags
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                    .collect(),
            },
        );
        Ok(arn)
    }

    /// ModifyListener: what is given changes; the rest stays.
    pub fn modify_listener(&mut self, scope: &Scope, arn: &str, spec: &ListenerSpec) -> Result<()> {
        let current = self.find_listener(scope, arn)?.clone();
        let lb = self.find_load_balancer(scope, &current.load_balancer_arn)?.clone();
        let ListenerSettings { protocol, port, certificates, ssl_policy, alpn_policy } =
            self.listener_settings(&lb, Some(&current), spec)?;
        if port != current.port
            && self.listeners_of(&lb.arn).iter().any(|l| l.port == port && l.arn != arn)
        {
            // ModifyListener's own code and words (hashicorp/terraform#26407)
            return Err(validation(format!(
                "Listener port '{}' is already in use",
                port.unwrap_or(0)
            )));
        }
        let default_actions = match &spec.default_actions {
            Some(specs) => self.build_actions(scope, &lb, protocol, specs)?,
            None => current.default_actions.clone(),
        };
        // The rules' target groups must fit a new protocol too.
        if protocol != current.protocol {
            for a in default_actions
                .iter()
                .chain(self.rules_of(arn).iter().flat_map(|r| r.actions.iter()))
            {
                if let ActionKind::Forward(f) = &a.kind {
                    for g in &f.target_groups {
                        let tg = self.find_target_group(scope, &g.target_group_arn)?;
                        if !protocols_fit(protocol, tg.protocol, tg.target_type) {
                            return Err(Error::new(
                                "IncompatibleProtocols",
                                format!("Target group '{}' does not fit the protocol", tg.arn),
                            ));
                        }
                    }
                }
            }
        }
        let attributes = if protocol == current.protocol {
            current.attributes.clone()
        } else {
            default_listener_attributes(lb.lb_type, protocol)
        };
        if let Some(l) = self.listeners.get_mut(arn) {
            l.protocol = protocol;
            l.port = port;
            l.certificates = certificates;
            l.ssl_policy = ssl_policy;
            l.alpn_policy = alpn_policy;
            l.default_actions = default_actions;
            l.attributes = attributes;
        }
        Ok(())
    }

    /// DeleteListener: its rules go with it.
    pub fn delete_listener(&mut self, scope: &Scope, arn: &str) -> Result<()> {
        self.find_listener(scope, arn)?;
        for id in self.listener_rules.ids_where(|r| r.listener_arn == arn) {
            self.listener_rules.remove(&id);
        }
        self.listeners.remove(arn);
        Ok(())
    }

    /// Listeners and rules of a load balancer go when it does.
    pub fn delete_listeners_of(&mut self, lb_arn: &str) {
        for id in self.listeners.ids_where(|l| l.load_balancer_arn == lb_arn) {
            for r in self.listener_rules.ids_where(|r| r.listener_arn == id) {
                self.listener_rules.remove(&r);
            }
            self.listeners.remove(&id);
        }
    }

    /// AddListenerCertificates: more (non-default) certificates for an HTTPS/TLS listener.
    pub fn add_listener_certificates(
        &mut self,
        scope: &Scope,
        arn: &str,
        certificates: &[String],
    ) -> Result<()> {
        let l = self.find_listener(scope, arn)?;
        if !matches!(l.protocol, Some(Protocol::Https | Protocol::Tls)) {
            return Err(validation("Certificates can be added only to HTTPS and TLS listeners"));
        }
        for c in certificates {
            check_certificate_arn(c)?;
        }
        let Some(l) = self.listeners.get_mut(arn) else { return Err(listener_not_found()) };
        for c in certificates {
            if !l.certificates.iter().any(|x| &x.arn == c) {
                l.certificates.push(ListenerCertificate { arn: c.clone(), is_default: false });
            }
        }
        if l.certificates.iter().filter(|c| !c.is_default).count() > CERTIFICATES_PER_LISTENER {
            return Err(Error::new(
                "TooManyCertificates",
                format!(
                    "A listener can have at most {CERTIFICATES_PER_LISTENER} certificates besides the default"
                ),
            ));
        }
        Ok(())
    }

    /// RemoveListenerCertificates: the default certificate cannot be removed this way.
    pub fn remove_listener_certificates(
        &mut self,
        scope: &Scope,
        arn: &str,
        certificates: &[String],
    ) -> Result<()> {
        let l = self.find_listener(scope, arn)?;
        if l.certificates.iter().any(|c| c.is_default && certificates.contains(&c.arn)) {
            return Err(Error::new(
                "OperationNotPermitted",
                "The default certificate of a listener cannot be removed",
            ));
        }
        if let Some(l) = self.listeners.get_mut(arn) {
            l.certificates.retain(|c| !certificates.contains(&c.arn));
        }
        Ok(())
    }

    /// ModifyListenerAttributes: known keys only.
    pub fn modify_listener_attributes(
        &mut self,
        scope: &Scope,
        arn: &str,
        changes: &[(String, String)],
    ) -> Result<()> {
        let l = self.find_listener(scope, arn)?;
        for (k, v) in changes {
            if !l.attributes.contains_key(k) {
                return Err(validation(format!(
                    "Attribute key '{k}' is not recognized for this listener"
                )));
            }
            if k == "tcp.idle_timeout.seconds"
                && !v.parse::<u32>().is_ok_and(|n| (60..=6000).contains(&n))
            {
                return Err(validation(format!(
                    "Attribute '{k}' must be an integer from 60 to 6000"
                )));
            }
        }
        if let Some(l) = self.listeners.get_mut(arn) {
            for (k, v) in changes {
                l.attributes.insert(k.clone(), v.clone());
            }
        }
        Ok(())
    }

    fn build_conditions(&self, specs: &[ConditionSpec]) -> Result<Vec<RuleCondition>> {
        let mut out: Vec<RuleCondition> = Vec::new();
        for c in specs {
            let field = c.field.as_deref().unwrap_or_default();
            // host-header and path-pattern: the legacy `Values` (one value) or the configuration
            let legacy = |config: &Option<Vec<String>>, config_name: &str| -> Result<Vec<String>> {
                let values = match (config, c.values.is_empty()) {
                    (Some(_), false) => {
                        return Err(validation(format!(
                            "You cannot provide both Values and '{config_name}' for a condition of type '{field}'"
                        )));
                    }
                    (Some(v), true) => v.clone(),
                    (None, _) if c.values.len() > 1 => {
                        return Err(validation(format!(
                            "The '{field}' field contains too many values; the limit is '1'"
                        )));
                    }
                    (None, _) => c.values.clone(),
                };
                if values.is_empty() {
                    return Err(validation("A condition value must be specified"));
                }
                check_condition_lengths(field, &values, CONDITION_VALUE_MAX)?;
                Ok(values)
            };
            // the other fields: their configuration only
            let config = |given: bool, config_name: &str| -> Result<()> {
                if !c.values.is_empty() {
                    return Err(validation(format!(
                        "Condition '{field}' takes its values in '{config_name}', not in Values"
                    )));
                }
                if !given {
                    return Err(validation(format!(
                        "A '{config_name}' must be specified with '{field}'"
                    )));
                }
                Ok(())
            };
            let condition = match field {
                "host-header" => RuleCondition::HostHeader {
                    values: legacy(&c.host_header, "HostHeaderConfig")?,
                },
                "path-pattern" => RuleCondition::PathPattern {
                    values: legacy(&c.path_pattern, "PathPatternConfig")?,
                },
                "http-header" => {
                    config(c.http_header.is_some(), "HttpHeaderConfig")?;
                    let (name, values) = c.http_header.clone().unwrap_or_default();
                    let name = name.filter(|n| !n.is_empty()).ok_or_else(|| {
                        validation("A 'HttpHeaderName' must be specified in 'HttpHeaderConfig'")
                    })?;
                    check_condition_lengths("HttpHeaderName", [&name], HTTP_HEADER_NAME_MAX)?;
                    check_condition_lengths(field, &values, CONDITION_VALUE_MAX)?;
                    RuleCondition::HttpHeader { name, values }
                }
                "http-request-method" => {
                    config(c.http_request_method.is_some(), "HttpRequestMethodConfig")?;
                    let values = c.http_request_method.clone().unwrap_or_default();
                    check_condition_lengths(field, &values, HTTP_METHOD_MAX)?;
                    if values.iter().any(|m| {
                        m.is_empty()
                            || !m
                                .chars()
                                .all(|ch| ch.is_ascii_uppercase() || ch == '_' || ch == '-')
                    }) {
                        return Err(validation(
                            "The 'http-request-method' value is invalid; the allowed characters are A-Z, hyphen and underscore",
                        ));
                    }
                    RuleCondition::HttpRequestMethod { values }
                }
                "query-string" => {
                    config(c.query_string.is_some(), "QueryStringConfig")?;
                    let values = c
                        .query_string
                        .clone()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(key, value)| {
                            let value = value.ok_or_else(|| {
                                validation(
                                    "A 'Value' must be specified in 'QueryStringKeyValuePair'",
                                )
                            })?;
                            check_condition_lengths("Key", &key, CONDITION_VALUE_MAX)?;
                            check_condition_lengths("Value", [&value], CONDITION_VALUE_MAX)?;
                            Ok(QueryStringMatch { key, value })
                        })
                        .collect::<Result<_>>()?;
                    RuleCondition::QueryString { values }
                }
                "source-ip" => {
                    config(c.source_ip.is_some(), "SourceIpConfig")?;
                    let values = c.source_ip.clone().unwrap_or_default();
                    if let Some(bad) = values.iter().find(|v| {
                        crate::cidr::Ipv4Cidr::parse(v, false).is_none()
                            && crate::cidr::Ipv6Cidr::parse(v, false).is_none()
                    }) {
                        return Err(validation(format!("'{bad}' is not a valid CIDR block")));
                    }
                    RuleCondition::SourceIp { values }
                }
                other => return Err(validation(format!("Condition field '{other}' is not valid"))),
            };
            if condition.value_count() == 0 {
                return Err(validation(format!("A '{field}' value must be specified")));
            }
            if out.iter().any(|o| o.field() == field && field != "http-header") {
                return Err(validation(format!(
                    "Condition '{field}' can be specified only once per rule"
                )));
            }
            out.push(condition);
        }
        if out.is_empty() {
            return Err(validation("A rule needs at least one condition"));
        }
        let values: usize = out.iter().map(RuleCondition::value_count).sum();
        if values > CONDITION_VALUES_PER_RULE {
            return Err(validation(format!(
                "A rule can have at most {CONDITION_VALUES_PER_RULE} condition values"
            )));
        }
        Ok(out)
    }

    fn check_priority_free(
        &self,
        listener_arn: &str,
        priority: u32,
        except: Option<&str>,
    ) -> Result<()> {
        if self
            .rules_of(listener_arn)
            .iter()
            .any(|r| r.priority == priority && Some(r.arn.as_str()) != except)
        {
            return Err(Error::new(
                "PriorityInUse",
                format!("Priority '{priority}' is currently in use"),
            ));
        }
        Ok(())
    }

    /// CreateRule on an Application Load Balancer listener.
    pub fn create_rule(
        &mut self,
        scope: &Scope,
        listener_arn: &str,
        priority: i32,
        conditions: &[ConditionSpec],
        actions: &[ActionSpec],
        tags: &[(String, Option<String>)],
    ) -> Result<String> {
        let listener = self.find_listener(scope, listener_arn)?.clone();
        let lb = self.find_load_balancer(scope, &listener.load_balancer_arn)?.clone();
        if lb.lb_type != LbType::Application {
            return Err(validation(
                "Rules can be added only to Application Load Balancer listeners",
            ));
        }
        let priority = number("Priority", priority, 1, 50_000)?;
        self.check_priority_free(listener_arn, priority, None)?;
        let conditions = self.build_conditions(conditions)?;
        let actions = self.build_actions(scope, &lb, listener.protocol, actions)?;
        let rules: usize =
            self.listeners_of(&lb.arn).iter().map(|l| self.rules_of(&l.arn).len()).sum();
        if rules >= RULES_PER_LOAD_BALANCER {
            return Err(Error::new(
                "TooManyRules",
                format!("A load balancer can have at most {RULES_PER_LOAD_BALANCER} rules"),
            ));
        }
        check_tags(&Tags::new(), tags)?;
        let tail = listener.arn.split_once(":listener/").map_or("", |x| x.1);
        let arn = scope.arn("elasticloadbalancing", &format!("listener-rule/{tail}/{}", hex16()));
        self.listener_rules.insert(
            arn.clone(),
            Rule {
                arn: arn.clone(),
                owner: scope.clone(),
                listener_arn: listener_arn.to_owned(),
                priority,
                conditions,
                actions,
                tags: tags
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().unwrap_or_default()))
                    .collect(),
            },
        );
        Ok(arn)
    }

    /// ModifyRule: conditions and/or actions; on the default rule, its actions only.
    pub fn modify_rule(
        &mut self,
        scope: &Scope,
        arn: &str,
        conditions: Option<&[ConditionSpec]>,
        actions: Option<&[ActionSpec]>,
    ) -> Result<()> {
        if let Some(listener) = self.listener_of_default_rule(scope, arn).cloned() {
            if conditions.is_some_and(|c| !c.is_empty()) {
                return Err(Error::new(
                    "OperationNotPermitted",
                    "The default rule cannot have conditions",
                ));
            }
            let lb = self.find_load_balancer(scope, &listener.load_balancer_arn)?.clone();
            if let Some(actions) = actions {
                let built = self.build_actions(scope, &lb, listener.protocol, actions)?;
                if let Some(l) = self.listeners.get_mut(&listener.arn) {
                    l.default_actions = built;
                }
            }
            return Ok(());
        }
        let rule = self.find_rule(scope, arn)?.clone();
        let listener = self.find_listener(scope, &rule.listener_arn)?.clone();
        let lb = self.find_load_balancer(scope, &listener.load_balancer_arn)?.clone();
        let conditions = match conditions {
            Some(c) if !c.is_empty() => self.build_conditions(c)?,
            _ => rule.conditions.clone(),
        };
        let actions = match actions {
            Some(a) if !a.is_empty() => self.build_actions(scope, &lb, listener.protocol, a)?,
            _ => rule.actions.clone(),
        };
        if let Some(r) = self.listener_rules.get_mut(arn) {
            r.conditions = conditions;
            r.actions = actions;
        }
        Ok(())
    }

    /// DeleteRule: not the default rule.
    pub fn delete_rule(&mut self, scope: &Scope, arn: &str) -> Result<()> {
        if self.listener_of_default_rule(scope, arn).is_some() {
            return Err(Error::new("OperationNotPermitted", "The default rule cannot be deleted"));
        }
        self.find_rule(scope, arn)?;
        self.listener_rules.remove(arn);
        Ok(())
    }

    /// SetRulePriorities: all at once; the new priorities must not collide.
    pub fn set_rule_priorities(&mut self, scope: &Scope, changes: &[(String, i32)]) -> Result<()> {
        let mut planned: Vec<(String, String, u32)> = Vec::new();
        for (arn, p) in changes {
            if self.listener_of_default_rule(scope, arn).is_some() {
                return Err(Error::new(
                    "OperationNotPermitted",
                    "The priority of the default rule cannot be changed",
                ));
            }
            let rule = self.find_rule(scope, arn)?;
            let p = number("Priority", *p, 1, 50_000)?;
            planned.push((arn.clone(), rule.listener_arn.clone(), p));
        }
        for (arn, listener, p) in &planned {
            let clash_planned = planned.iter().any(|(a, l, q)| a != arn && l == listener && q == p);
            let clash_existing = self.rules_of(listener).iter().any(|r| {
                r.priority == *p && &r.arn != arn && !planned.iter().any(|(a, ..)| a == &r.arn)
            });
            if clash_planned || clash_existing {
                return Err(Error::new(
                    "PriorityInUse",
                    format!("Priority '{p}' is currently in use"),
                ));
            }
        }
        for (arn, _, p) in planned {
            if let Some(r) = self.listener_rules.get_mut(&arn) {
                r.priority = p;
            }
        }
        Ok(())
    }
}

/// The attributes a new listener has: TCP idle timeout for NLB TCP listeners, the mTLS and
/// response-header ones for ALB HTTPS/HTTP listeners.
pub fn default_listener_attributes(
    t: LbType,
    protocol: Option<Protocol>,
) -> BTreeMap<String, String> {
    let rows: &[(&str, &str)] = match (t, protocol) {
        (LbType::Network, Some(Protocol::Tcp)) => &[("tcp.idle_timeout.seconds", "350")],
        (LbType::Application, Some(p)) => {
            if p == Protocol::Https {
                &[
                    (
                        "routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name",
                        "X-Amzn-Mtls-Clientcert-Serial-Number",
                    ),
                    (
                        "routing.http.request.x_amzn_mtls_clientcert_issuer.header_name",
                        "X-Amzn-Mtls-Clientcert-Issuer",
                    ),
                    (
                        "routing.http.request.x_amzn_mtls_clientcert_subject.header_name",
                        "X-Amzn-Mtls-Clientcert-Subject",
                    ),
                    (
                        "routing.http.request.x_amzn_mtls_clientcert_validity.header_name",
                        "X-Amzn-Mtls-Clientcert-Validity",
                    ),
                    (
                        "routing.http.request.x_amzn_mtls_clientcert_leaf.header_name",
                        "X-Amzn-Mtls-Clientcert-Leaf",
                    ),
                    (
                        "routing.http.request.x_amzn_mtls_clientcert.header_name",
                        "X-Amzn-Mtls-Clientcert",
                    ),
                    ("routing.http.request.x_amzn_tls_version.header_name", "X-Amzn-Tls-Version"),
                    (
                        "routing.http.request.x_amzn_tls_cipher_suite.header_name",
                        "X-Amzn-Tls-Cipher-Suite",
                    ),
                    ("routing.http.response.server.enabled", "true"),
                ]
            } else {
                &[("routing.http.response.server.enabled", "true")]
            }
        }
        _ => &[],
    };
    rows.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// The target groups `actions` forward to, as references.
fn action_references<'a>(actions: &'a [Action], each: &mut dyn FnMut(Reference<'a>)) {
    for action in actions {
        if let ActionKind::Forward(f) = &action.kind {
            for g in &f.target_groups {
                each(Reference::new("target_group", &g.target_group_arn, "Actions.TargetGroupArn"));
            }
        }
    }
}

impl References for Listener {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("load_balancer", &self.load_balancer_arn, "LoadBalancerArn"));
        action_references(&self.default_actions, each);
    }
}

impl References for Rule {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("listener", &self.listener_arn, "ListenerArn"));
        action_references(&self.actions, each);
    }
}
