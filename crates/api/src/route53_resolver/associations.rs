//! Associations of Resolver rules with VPCs.

use super::{Handler, filtered, one, page};
use crate::Outcome;
use crate::registry::{Ctx, read, write};
use model::World;
use model::route53_resolver::RuleAssociation;
use shapes::route53_resolver as s;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("AssociateResolverRule", write(associate_resolver_rule)),
        ("DisassociateResolverRule", write(disassociate_resolver_rule)),
        ("GetResolverRuleAssociation", read(get_resolver_rule_association)),
        ("ListResolverRuleAssociations", read(list_resolver_rule_associations)),
    ]
}

fn association(a: &RuleAssociation) -> s::ResolverRuleAssociation {
    s::ResolverRuleAssociation {
        id: Some(a.id.clone()),
        name: a.name.clone(),
        resolver_rule_id: Some(a.rule_id.clone()),
        status: Some("COMPLETE".into()),
        status_message: Some(String::new()),
        vpc_id: Some(a.vpc_id.clone()),
    }
}

fn associate_resolver_rule(
    ctx: &Ctx,
    w: &mut World,
    q: s::AssociateResolverRuleRequest,
) -> Outcome<s::AssociateResolverRuleResponse> {
    let id = w.associate_resolver_rule(&ctx.scope, &q.resolver_rule_id, &q.vpc_id, q.name)?;
    Ok(s::AssociateResolverRuleResponse {
        resolver_rule_association: Some(association(w.resolver_rule_association(&ctx.scope, &id)?)),
    })
}

fn disassociate_resolver_rule(
    ctx: &Ctx,
    w: &mut World,
    q: s::DisassociateResolverRuleRequest,
) -> Outcome<s::DisassociateResolverRuleResponse> {
    let gone = w.disassociate_resolver_rule(&ctx.scope, &q.resolver_rule_id, &q.vpc_id)?;
    let mut shape = association(&gone);
    shape.status = Some("DELETING".into());
    Ok(s::DisassociateResolverRuleResponse { resolver_rule_association: Some(shape) })
}

fn get_resolver_rule_association(
    ctx: &Ctx,
    w: &World,
    q: s::GetResolverRuleAssociationRequest,
) -> Outcome<s::GetResolverRuleAssociationResponse> {
    let a = w.resolver_rule_association(&ctx.scope, &q.resolver_rule_association_id)?;
    Ok(s::GetResolverRuleAssociationResponse { resolver_rule_association: Some(association(a)) })
}

fn list_resolver_rule_associations(
    ctx: &Ctx,
    w: &World,
    q: s::ListResolverRuleAssociationsRequest,
) -> Outcome<s::ListResolverRuleAssociationsResponse> {
    let all = w
        .r53r_rule_associations
        .values()
        .filter(|a| a.owner == ctx.scope)
        .map(association)
        .collect();
    let all = filtered(all, &q.filters, |a, name| match name {
        "Name" => one(&a.name),
        "ResolverRuleId" => one(&a.resolver_rule_id),
        "Status" => one(&a.status),
        "VPCId" => one(&a.vpc_id),
        _ => None,
    })?;
    let (resolver_rule_associations, next_token) =
        page(all, q.max_results, q.next_token.as_deref())?;
    Ok(s::ListResolverRuleAssociationsResponse {
        max_results: q.max_results,
        next_token,
        resolver_rule_associations,
    })
}
