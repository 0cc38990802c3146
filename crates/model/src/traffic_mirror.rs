//! Traffic mirroring: targets (an interface, a Network Load Balancer or a Gateway Load Balancer
//! endpoint), filters with numbered ingress/egress rules and network services, and sessions
//! that copy a source interface's traffic through a filter to a target.
//!
//! vpclab stores them faithfully; no packets are copied (the engine does not mirror).

use crate::cidr::Cidr;
use crate::error::{Error, Result};
use crate::kinds;
use crate::references::{Reference, References};
pub use crate::types::ec2::traffic_mirror::*;
use crate::types::ec2::vpc_endpoint::EndpointType;
use crate::types::elbv2::load_balancer::LbType;
use crate::world::{Scope, World};
use codes::Ec2;

/// The network services a filter can mirror.
pub const NETWORK_SERVICES: &[&str] = &["amazon-dns"];

fn check_in(name: &str, value: &str, allowed: &[&str]) -> Result<()> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_parameter_value(format!(
            "Value ({value}) for parameter {name} is invalid. Valid values: {}",
            allowed.join(", ")
        )))
    }
}

fn check_range(name: &str, value: i32, lo: i32, hi: i32) -> Result<i32> {
    if (lo..=hi).contains(&value) {
        Ok(value)
    } else {
        Err(Error::invalid_parameter_value(format!(
            "Value ({value}) for parameter {name} is invalid. Expecting a value between {lo} and {hi}."
        )))
    }
}

fn check_ports(name: &str, p: PortRange) -> Result<PortRange> {
    check_range(name, p.from, 0, 65535)?;
    check_range(name, p.to, 0, 65535)?;
    if p.from > p.to {
        return Err(Error::invalid_parameter_value(format!(
            "The {name} FromPort {} must not be greater than ToPort {}.",
            p.from, p.to
        )));
    }
    Ok(p)
}

fn parse_cidr(name: &str, text: &str) -> Result<Cidr> {
    crate::cidr::Ipv4Cidr::parse(text, false)
        .map(Cidr::V4)
        .or_else(|| crate::cidr::Ipv6Cidr::parse(text, false).map(Cidr::V6))
        .ok_or_else(|| Error::invalid_parameter_value(format!("Invalid {name} {text}.")))
}

impl World {
    pub fn find_traffic_mirror_target(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&TrafficMirrorTarget> {
        self.traffic_mirror_targets
            .get(id)
            .filter(|t| &t.owner == scope)
            .ok_or_else(|| kinds::TRAFFIC_MIRROR_TARGET.not_found(id))
    }

    pub fn find_traffic_mirror_filter(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&TrafficMirrorFilter> {
        self.traffic_mirror_filters
            .get(id)
            .filter(|t| &t.owner == scope)
            .ok_or_else(|| kinds::TRAFFIC_MIRROR_FILTER.not_found(id))
    }

    pub fn find_traffic_mirror_session(
        &self,
        scope: &Scope,
        id: &str,
    ) -> Result<&TrafficMirrorSession> {
        self.traffic_mirror_sessions
            .get(id)
            .filter(|t| &t.owner == scope)
            .ok_or_else(|| kinds::TRAFFIC_MIRROR_SESSION.not_found(id))
    }

    /// The filter holding rule `id`, and the rule.
    pub fn find_traffic_mirror_rule<'a>(
        &'a self,
        scope: &'a Scope,
        id: &str,
    ) -> Result<(&'a TrafficMirrorFilter, &'a FilterRule)> {
        self.traffic_mirror_filters
            .in_scope(scope)
            .find_map(|f| f.rules.iter().find(|r| r.id == id).map(|r| (f, r)))
            .ok_or_else(|| kinds::TRAFFIC_MIRROR_FILTER_RULE.not_found(id))
    }

    /// CreateTrafficMirrorTarget: exactly one of an interface, an NLB ARN, a GWLB endpoint.
    pub fn create_traffic_mirror_target(
        &mut self,
        scope: &Scope,
        req: NewTarget,
    ) -> Result<String> {
        let NewTarget { eni, nlb, gwlbe, description, client_token, tags } = req;
        crate::tags::validate(&tags)?;
        if let Some(token) = &client_token
            && let Some(t) = self
                .traffic_mirror_targets
                .in_scope(scope)
                .find(|t| t.client_token.as_ref() == Some(token))
        {
            return Ok(t.id.clone());
        }
        let kind = match (eni, nlb, gwlbe) {
            (Some(eni), None, None) => {
                self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, &eni)?;
                TargetKind::NetworkInterface(eni)
            }
            (None, Some(arn), None) => {
                // A Network Load Balancer of the caller's; another account's is as unknown.
                let nlb = self
                    .load_balancers
                    .get(&arn)
                    .filter(|lb| &lb.owner == scope && lb.lb_type == LbType::Network);
                if nlb.is_none() {
                    return Err(Error::invalid_parameter_value(format!(
                        "{arn} is not the ARN of a Network Load Balancer."
                    )));
                }
                TargetKind::NetworkLoadBalancer(arn)
            }
            (None, None, Some(vpce)) => {
                let endpoint = self.find_vpc_endpoint(scope, &vpce)?;
                if endpoint.endpoint_type != EndpointType::GatewayLoadBalancer {
                    return Err(Error::invalid_parameter_value(format!(
                        "{vpce} is not a Gateway Load Balancer endpoint."
                    )));
                }
                TargetKind::GatewayLoadBalancerEndpoint(vpce)
            }
            (None, None, None) => {
                return Err(Error::new(
                    Ec2::MissingParameter,
                    "One of NetworkInterfaceId, NetworkLoadBalancerArn or GatewayLoadBalancerEndpointId must be specified.",
                ));
            }
            _ => {
                return Err(Error::invalid_combination(
                    "Only one of NetworkInterfaceId, NetworkLoadBalancerArn or GatewayLoadBalancerEndpointId can be specified.",
                ));
            }
        };
        let id = self.fresh_id("tmt");
        self.traffic_mirror_targets.insert(
            id.clone(),
            TrafficMirrorTarget {
                id: id.clone(),
                owner: scope.clone(),
                kind,
                description,
                client_token,
                tags: tags.into_iter().collect(),
            },
        );
        Ok(id)
    }

    /// DeleteTrafficMirrorTarget: not while a session uses it.
    pub fn delete_traffic_mirror_target(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.find_traffic_mirror_target(scope, id)?;
        if self.traffic_mirror_sessions.values().any(|s| s.target_id == id) {
            return Err(Error::new(
                Ec2::DependencyViolation,
                format!("The traffic mirror target {id} is in use by a traffic mirror session."),
            ));
        }
        self.traffic_mirror_targets.remove(id);
        Ok(())
    }

    /// CreateTrafficMirrorFilter.
    pub fn create_traffic_mirror_filter(
        &mut self,
        scope: &Scope,
        description: Option<String>,
        client_token: Option<String>,
        tags: Vec<(String, String)>,
    ) -> Result<String> {
        crate::tags::validate(&tags)?;
        if let Some(token) = &client_token
            && let Some(f) = self
                .traffic_mirror_filters
                .in_scope(scope)
                .find(|f| f.client_token.as_ref() == Some(token))
        {
            return Ok(f.id.clone());
        }
        let id = self.fresh_id("tmf");
        self.traffic_mirror_filters.insert(
            id.clone(),
            TrafficMirrorFilter {
                id: id.clone(),
                owner: scope.clone(),
                description,
                network_services: Vec::new(),
                rules: Vec::new(),
                client_token,
                tags: tags.into_iter().collect(),
            },
        );
        Ok(id)
    }

    /// DeleteTrafficMirrorFilter: not while a session uses it.
    pub fn delete_traffic_mirror_filter(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.find_traffic_mirror_filter(scope, id)?;
        if self.traffic_mirror_sessions.values().any(|s| s.filter_id == id) {
            return Err(Error::new(
                Ec2::DependencyViolation,
                format!("The traffic mirror filter {id} is in use by a traffic mirror session."),
            ));
        }
        self.traffic_mirror_filters.remove(id);
        Ok(())
    }

    /// ModifyTrafficMirrorFilterNetworkServices.
    pub fn modify_traffic_mirror_network_services(
        &mut self,
        scope: &Scope,
        id: &str,
        add: &[String],
        remove: &[String],
    ) -> Result<()> {
        for s in add.iter().chain(remove) {
            check_in("NetworkService", s, NETWORK_SERVICES)?;
        }
        self.find_traffic_mirror_filter(scope, id)?;
        let f = self
            .traffic_mirror_filters
            .get_mut(id)
            .ok_or_else(|| kinds::TRAFFIC_MIRROR_FILTER.not_found(id))?;
        f.network_services.retain(|s| !remove.contains(s));
        for s in add {
            if !f.network_services.contains(s) {
                f.network_services.push(s.clone());
            }
        }
        Ok(())
    }

    /// A rule as `spec` makes it from `base` (a new rule: none).
    fn build_rule(base: Option<&FilterRule>, spec: &RuleSpec, id: String) -> Result<FilterRule> {
        for field in &spec.remove_fields {
            check_in(
                "RemoveField",
                field,
                &["destination-port-range", "source-port-range", "protocol", "description"],
            )?;
        }
        let removed = |f: &str| spec.remove_fields.iter().any(|x| x == f);
        let required = |v: Option<String>, name: &str| {
            v.ok_or_else(|| {
                Error::new(
                    Ec2::MissingParameter,
                    format!("The request must contain the parameter {name}"),
                )
            })
        };
        let direction = required(
            spec.direction.clone().or_else(|| base.map(|b| b.direction.clone())),
            "TrafficDirection",
        )?;
        check_in("TrafficDirection", &direction, &["ingress", "egress"])?;
        let action =
            required(spec.action.clone().or_else(|| base.map(|b| b.action.clone())), "RuleAction")?;
        check_in("RuleAction", &action, &["accept", "reject"])?;
        let number = spec.number.or(base.map(|b| b.number)).ok_or_else(|| {
            Error::new(Ec2::MissingParameter, "The request must contain the parameter RuleNumber")
        })?;
        let number = check_range("RuleNumber", number, 1, 32766)?;
        let protocol = if removed("protocol") {
            None
        } else {
            spec.protocol.or(base.and_then(|b| b.protocol))
        };
        if let Some(p) = protocol {
            check_range("Protocol", p, 0, 255)?;
        }
        let cidr = |given: &Option<String>, old: Option<Cidr>, name: &str| match given {
            Some(text) => parse_cidr(name, text),
            None => old.ok_or_else(|| {
                Error::new(
                    Ec2::MissingParameter,
                    format!("The request must contain the parameter {name}"),
                )
            }),
        };
        let source_cidr = cidr(&spec.source_cidr, base.map(|b| b.source_cidr), "SourceCidrBlock")?;
        let destination_cidr =
            cidr(&spec.destination_cidr, base.map(|b| b.destination_cidr), "DestinationCidrBlock")?;
        if matches!(
            (source_cidr, destination_cidr),
            (Cidr::V4(_), Cidr::V6(_)) | (Cidr::V6(_), Cidr::V4(_))
        ) {
            return Err(Error::invalid_parameter_value(
                "SourceCidrBlock and DestinationCidrBlock must be of the same address family.",
            ));
        }
        let ports = |given: Option<PortRange>, old: Option<PortRange>, field: &str, name: &str| {
            if removed(field) {
                Ok(None)
            } else {
                given.or(old).map(|p| check_ports(name, p)).transpose()
            }
        };
        let source_ports = ports(
            spec.source_ports,
            base.and_then(|b| b.source_ports),
            "source-port-range",
            "SourcePortRange",
        )?;
        let destination_ports = ports(
            spec.destination_ports,
            base.and_then(|b| b.destination_ports),
            "destination-port-range",
            "DestinationPortRange",
        )?;
        if (source_ports.is_some() || destination_ports.is_some())
            && !matches!(protocol, Some(6) | Some(17))
        {
            return Err(Error::invalid_parameter_value(
                "Port ranges can only be specified for TCP (6) and UDP (17).",
            ));
        }
        let description = if removed("description") {
            None
        } else {
            spec.description.clone().or_else(|| base.and_then(|b| b.description.clone()))
        };
        Ok(FilterRule {
            id,
            direction,
            number,
            action,
            protocol,
            source_cidr,
            destination_cidr,
            source_ports,
            destination_ports,
            description,
            tags: base.map(|b| b.tags.clone()).unwrap_or_default(),
        })
    }

    fn check_rule_number_free(f: &TrafficMirrorFilter, rule: &FilterRule) -> Result<()> {
        if f.rules
            .iter()
            .any(|r| r.id != rule.id && r.direction == rule.direction && r.number == rule.number)
        {
            return Err(Error::invalid_parameter_value(format!(
                "The {} rule number {} already exists in traffic mirror filter {}.",
                rule.direction, rule.number, f.id
            )));
        }
        Ok(())
    }

    /// CreateTrafficMirrorFilterRule. Returns the rule id.
    pub fn create_traffic_mirror_rule(
        &mut self,
        scope: &Scope,
        filter_id: &str,
        spec: &RuleSpec,
        tags: Vec<(String, String)>,
    ) -> Result<String> {
        crate::tags::validate(&tags)?;
        let f = self.find_traffic_mirror_filter(scope, filter_id)?;
        let mut rule = Self::build_rule(None, spec, self.fresh_id("tmfr"))?;
        rule.tags = tags.into_iter().collect();
        Self::check_rule_number_free(f, &rule)?;
        let id = rule.id.clone();
        let f = self
            .traffic_mirror_filters
            .get_mut(filter_id)
            .ok_or_else(|| kinds::TRAFFIC_MIRROR_FILTER.not_found(filter_id))?;
        f.rules.push(rule);
        Ok(id)
    }

    /// ModifyTrafficMirrorFilterRule.
    pub fn modify_traffic_mirror_rule(
        &mut self,
        scope: &Scope,
        id: &str,
        spec: &RuleSpec,
    ) -> Result<()> {
        let (f, old) = self.find_traffic_mirror_rule(scope, id)?;
        let rule = Self::build_rule(Some(old), spec, id.to_owned())?;
        Self::check_rule_number_free(f, &rule)?;
        let filter_id = f.id.clone();
        if let Some(f) = self.traffic_mirror_filters.get_mut(&filter_id)
            && let Some(slot) = f.rules.iter_mut().find(|r| r.id == id)
        {
            *slot = rule;
        }
        Ok(())
    }

    /// DeleteTrafficMirrorFilterRule.
    pub fn delete_traffic_mirror_rule(&mut self, scope: &Scope, id: &str) -> Result<()> {
        let filter_id = self.find_traffic_mirror_rule(scope, id)?.0.id.clone();
        if let Some(f) = self.traffic_mirror_filters.get_mut(&filter_id) {
            f.rules.retain(|r| r.id != id);
        }
        Ok(())
    }

    /// Checks the references and numbers of a session as `spec` would leave it.
    fn build_session(
        &self,
        scope: &Scope,
        base: Option<&TrafficMirrorSession>,
        spec: &SessionSpec,
    ) -> Result<TrafficMirrorSession> {
        for field in &spec.remove_fields {
            check_in(
                "RemoveField",
                field,
                &["packet-length", "description", "virtual-network-id"],
            )?;
        }
        let removed = |f: &str| spec.remove_fields.iter().any(|x| x == f);
        let missing = |name: &str| {
            Error::new(
                Ec2::MissingParameter,
                format!("The request must contain the parameter {name}"),
            )
        };
        let eni = spec
            .network_interface_id
            .clone()
            .or_else(|| base.map(|b| b.network_interface_id.clone()))
            .ok_or_else(|| missing("NetworkInterfaceId"))?;
        self.network_interfaces.find(&kinds::NETWORK_INTERFACE, scope, &eni)?;
        let target = spec
            .target_id
            .clone()
            .or_else(|| base.map(|b| b.target_id.clone()))
            .ok_or_else(|| missing("TrafficMirrorTargetId"))?;
        let t = self.find_traffic_mirror_target(scope, &target)?;
        if t.kind == TargetKind::NetworkInterface(eni.clone()) {
            return Err(Error::invalid_parameter_value(
                "The source and the target of a traffic mirror session must be different network interfaces.",
            ));
        }
        let filter = spec
            .filter_id
            .clone()
            .or_else(|| base.map(|b| b.filter_id.clone()))
            .ok_or_else(|| missing("TrafficMirrorFilterId"))?;
        self.find_traffic_mirror_filter(scope, &filter)?;
        let number = spec
            .session_number
            .or(base.map(|b| b.session_number))
            .ok_or_else(|| missing("SessionNumber"))?;
        let number = check_range("SessionNumber", number, 1, 32766)?;
        let base_id = base.map(|b| b.id.as_str());
        if self.traffic_mirror_sessions.values().any(|s| {
            Some(s.id.as_str()) != base_id
                && s.network_interface_id == eni
                && s.session_number == number
        }) {
            return Err(Error::invalid_parameter_value(format!(
                "Session number {number} is already used by a traffic mirror session of {eni}."
            )));
        }
        let packet_length = if removed("packet-length") {
            None
        } else {
            spec.packet_length.or(base.and_then(|b| b.packet_length))
        };
        if let Some(l) = packet_length {
            check_range("PacketLength", l, 1, 8500)?;
        }
        let virtual_network_id = match spec.virtual_network_id {
            Some(v) => check_range("VirtualNetworkId", v, 0, 16_777_215)?,
            None if removed("virtual-network-id") || base.is_none() => {
                i32::try_from(fastrand::u32(1..16_777_216)).unwrap_or(1)
            }
            None => base.map_or(1, |b| b.virtual_network_id),
        };
        let description = if removed("description") {
            None
        } else {
            spec.description.clone().or_else(|| base.and_then(|b| b.description.clone()))
        };
        Ok(TrafficMirrorSession {
            id: base.map(|b| b.id.clone()).unwrap_or_default(),
            owner: scope.clone(),
            network_interface_id: eni,
            target_id: target,
            filter_id: filter,
            session_number: number,
            packet_length,
            virtual_network_id,
            description,
            client_token: base.and_then(|b| b.client_token.clone()),
            tags: base.map(|b| b.tags.clone()).unwrap_or_default(),
        })
    }

    /// CreateTrafficMirrorSession.
    pub fn create_traffic_mirror_session(
        &mut self,
        scope: &Scope,
        spec: &SessionSpec,
        client_token: Option<String>,
        tags: Vec<(String, String)>,
    ) -> Result<String> {
        crate::tags::validate(&tags)?;
        if let Some(token) = &client_token
            && let Some(s) = self
                .traffic_mirror_sessions
                .in_scope(scope)
                .find(|s| s.client_token.as_ref() == Some(token))
        {
            return Ok(s.id.clone());
        }
        let mut session = self.build_session(scope, None, spec)?;
        session.id = self.fresh_id("tms");
        session.client_token = client_token;
        session.tags = tags.into_iter().collect();
        let id = session.id.clone();
        self.traffic_mirror_sessions.insert(id.clone(), session);
        Ok(id)
    }

    /// ModifyTrafficMirrorSession.
    pub fn modify_traffic_mirror_session(
        &mut self,
        scope: &Scope,
        id: &str,
        spec: &SessionSpec,
    ) -> Result<()> {
        let base = self.find_traffic_mirror_session(scope, id)?.clone();
        let session = self.build_session(scope, Some(&base), spec)?;
        self.traffic_mirror_sessions.insert(id.to_owned(), session);
        Ok(())
    }

    /// DeleteTrafficMirrorSession.
    pub fn delete_traffic_mirror_session(&mut self, scope: &Scope, id: &str) -> Result<()> {
        self.find_traffic_mirror_session(scope, id)?;
        self.traffic_mirror_sessions.remove(id);
        Ok(())
    }
}

impl References for TrafficMirrorSession {
    fn references<'a>(&'a self, each: &mut dyn FnMut(Reference<'a>)) {
        each(Reference::new("traffic_mirror_target", &self.target_id, "TrafficMirrorTargetId"));
        each(Reference::new("traffic_mirror_filter", &self.filter_id, "TrafficMirrorFilterId"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(direction: &str, number: i32) -> RuleSpec {
        RuleSpec {
            direction: Some(direction.into()),
            number: Some(number),
            action: Some("accept".into()),
            protocol: Some(6),
            source_cidr: Some("0.0.0.0/0".into()),
            destination_cidr: Some("10.0.0.0/16".into()),
            destination_ports: Some(PortRange { from: 443, to: 443 }),
            ..Default::default()
        }
    }

    #[test]
    fn targets_filters_rules_and_sessions() {
        let (mut w, scope, _vpc, subnet) = crate::testkit::world_with_subnet("10.0.1.0/24");
        let src = w
            .create_network_interface(
                &scope,
                crate::types::ec2::eni::NewInterface {
                    subnet_id: subnet.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        let dst = w
            .create_network_interface(
                &scope,
                crate::types::ec2::eni::NewInterface {
                    subnet_id: subnet.clone(),
                    ..Default::default()
                },
            )
            .unwrap();
        let err = w.create_traffic_mirror_target(&scope, NewTarget::default()).unwrap_err();
        assert_eq!(err.code, "MissingParameter");
        let t = w
            .create_traffic_mirror_target(
                &scope,
                NewTarget { eni: Some(dst.clone()), ..Default::default() },
            )
            .unwrap();
        let f = w.create_traffic_mirror_filter(&scope, None, None, vec![]).unwrap();
        w.modify_traffic_mirror_network_services(&scope, &f, &["amazon-dns".into()], &[]).unwrap();
        assert_eq!(
            w.modify_traffic_mirror_network_services(&scope, &f, &["nope".into()], &[])
                .unwrap_err()
                .code,
            "InvalidParameterValue"
        );
        let r = w.create_traffic_mirror_rule(&scope, &f, &rule("ingress", 100), vec![]).unwrap();
        w.create_traffic_mirror_rule(&scope, &f, &rule("egress", 100), vec![]).unwrap();
        assert_eq!(
            w.create_traffic_mirror_rule(&scope, &f, &rule("ingress", 100), vec![])
                .unwrap_err()
                .code,
            "InvalidParameterValue"
        );
        assert_eq!(
            w.create_traffic_mirror_rule(&scope, &f, &rule("ingress", 32767), vec![])
                .unwrap_err()
                .code,
            "InvalidParameterValue"
        );
        let change = RuleSpec {
            remove_fields: vec!["destination-port-range".into(), "protocol".into()],
            ..Default::default()
        };
        w.modify_traffic_mirror_rule(&scope, &r, &change).unwrap();
        let (_, got) = w.find_traffic_mirror_rule(&scope, &r).unwrap();
        assert_eq!((got.protocol, got.destination_ports), (None, None));

        let spec = SessionSpec {
            network_interface_id: Some(src.clone()),
            target_id: Some(t.clone()),
            filter_id: Some(f.clone()),
            session_number: Some(1),
            ..Default::default()
        };
        let s = w.create_traffic_mirror_session(&scope, &spec, None, vec![]).unwrap();
        assert_eq!(
            w.create_traffic_mirror_session(&scope, &spec, None, vec![]).unwrap_err().code,
            "InvalidParameterValue"
        );
        let mut same = spec.clone();
        same.network_interface_id = Some(dst.clone());
        same.session_number = Some(2);
        assert_eq!(
            w.create_traffic_mirror_session(&scope, &same, None, vec![]).unwrap_err().code,
            "InvalidParameterValue"
        );
        assert_eq!(
            w.delete_traffic_mirror_filter(&scope, &f).unwrap_err().code,
            "DependencyViolation"
        );
        assert_eq!(
            w.delete_traffic_mirror_target(&scope, &t).unwrap_err().code,
            "DependencyViolation"
        );
        let change = SessionSpec { packet_length: Some(100), ..Default::default() };
        w.modify_traffic_mirror_session(&scope, &s, &change).unwrap();
        assert_eq!(w.find_traffic_mirror_session(&scope, &s).unwrap().packet_length, Some(100));
        w.delete_traffic_mirror_session(&scope, &s).unwrap();
        w.delete_traffic_mirror_rule(&scope, &r).unwrap();
        assert_eq!(
            w.delete_traffic_mirror_rule(&scope, &r).unwrap_err().code,
            "InvalidTrafficMirrorFilterRuleId.NotFound"
        );
        w.delete_traffic_mirror_filter(&scope, &f).unwrap();
        w.delete_traffic_mirror_target(&scope, &t).unwrap();
        assert_eq!(
            w.delete_traffic_mirror_target(&scope, &t).unwrap_err().code,
            "InvalidTrafficMirrorTargetId.NotFound"
        );
    }
}
