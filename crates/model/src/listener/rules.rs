//! Listener rules: conditions and their limits, priorities, create, modify, delete.

use super::*;
use codes::Elbv2;

impl World {
    pub(super) fn build_conditions(&self, specs: &[ConditionSpec]) -> Result<Vec<RuleCondition>> {
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

    pub(super) fn check_priority_free(
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
                Elbv2::PriorityInUse,
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
                Elbv2::TooManyRules,
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
                    Elbv2::OperationNotPermitted,
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
            return Err(Error::new(
                Elbv2::OperationNotPermitted,
                "The default rule cannot be deleted",
            ));
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
                    Elbv2::OperationNotPermitted,
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
                    Elbv2::PriorityInUse,
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
