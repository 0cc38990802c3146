//! Listener and rule actions as AWS checks them: forward (with weights and stickiness), redirect,
//! fixed response, authentication.

use super::*;
use codes::Elbv2;

impl World {
    /// Turns requested actions into actions of a listener of `lb` with `protocol`: checks
    /// every target group (exists, fits the protocol and VPC, used by no other load balancer).
    pub(super) fn build_actions(
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
                Elbv2::TooManyActions,
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

    pub(super) fn build_forward(
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
                        Elbv2::TooManyTargetGroups,
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
                    Elbv2::InvalidConfigurationRequest,
                    format!(
                        "Target group '{}' is not in the load balancer's VPC '{}'",
                        tg.arn, lb.vpc_id
                    ),
                ));
            }
            if !protocols_fit(protocol, tg.protocol, tg.target_type) {
                return Err(Error::new(
                    Elbv2::IncompatibleProtocols,
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
                    Elbv2::TargetGroupAssociationLimit,
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
}
