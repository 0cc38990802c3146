//! The stored types of ELBv2's listeners (operations: [`crate::listener`]).

use crate::scope::Scope;
use crate::types::ec2::Tags;
use crate::types::elbv2::target_group::Protocol;
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
