//! Listeners: their settings (protocol, port, certificates, SSL policy, ALPN) checked against the
//! load balancer's type, and create, modify, delete, certificates and attributes.

use super::*;
use codes::Elbv2;

impl World {
    /// The protocol, port, certificates, policy and ALPN of a listener of `lb`, from `spec`
    /// over `current` (a modification) — checked as AWS checks them.
    pub(super) fn listener_settings(
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
                    Error::new(Elbv2::SSLPolicyNotFound, format!("SSL policy '{p}' not found"))
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
                            Elbv2::ALPNPolicyNotFound,
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
    pub(super) fn check_listener_ports(&self, port: Option<u16>) -> Result<()> {
        let cap = self.quotas.listener_ports;
        if port.is_some() && self.listeners.values().filter(|l| l.port.is_some()).count() >= cap {
            return Err(Error::new(
                Elbv2::TooManyListeners,
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
                Elbv2::DuplicateListener,
                format!("A listener already exists on this port for this load balancer '{lb_arn}'"),
            ));
        }
        if existing.len() >= LISTENERS_PER_LOAD_BALANCER {
            return Err(Error::new(
                Elbv2::TooManyListeners,
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
                                Elbv2::IncompatibleProtocols,
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
                Elbv2::TooManyCertificates,
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
                Elbv2::OperationNotPermitted,
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
}
