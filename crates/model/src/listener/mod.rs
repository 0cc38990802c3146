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

mod actions;
mod rules;
mod settings;

use crate::error::{Error, Result};
use crate::load_balancer::{LbType, LoadBalancer, check_tags, hex16, validation};
use crate::references::{Reference, References};
use crate::target_group::{Protocol, TargetType};
use crate::types::ec2::Tags;
pub use crate::types::elbv2::listener::*;
use crate::world::{Scope, World};
use codes::Elbv2;
use std::collections::BTreeMap;

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

/// A listener's settings besides its actions, as checked from a request.
struct ListenerSettings {
    protocol: Option<Protocol>,
    port: Option<u16>,
    certificates: Vec<ListenerCertificate>,
    ssl_policy: Option<String>,
    alpn_policy: Option<String>,
}

fn listener_not_found() -> Error {
    Error::new(Elbv2::ListenerNotFound, "One or more listeners not found")
}

fn rule_not_found() -> Error {
    Error::new(Elbv2::RuleNotFound, "One or more rules not found")
}

fn invalid_action(message: impl Into<String>) -> Error {
    Error::new(Elbv2::InvalidLoadBalancerAction, message)
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
        Err(Error::new(Elbv2::CertificateNotFound, format!("Certificate '{arn}' not found")))
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
