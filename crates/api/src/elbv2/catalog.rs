//! What ELBv2 answers from its catalogue rather than from resources (SSL policies, account
//! limits), and the read-only answers Terraform asks for (capacity reservation, trust stores).

use super::{Handler, page};
use crate::Outcome;
use crate::registry::{Ctx, read};
use codes::Elbv2;
use model::{World, elb_catalog};
use shapes::elbv2 as s;

pub(super) fn handlers() -> Vec<(&'static str, Handler)> {
    vec![
        ("DescribeSSLPolicies", read(describe_ssl_policies)),
        ("DescribeAccountLimits", read(describe_account_limits)),
        ("DescribeCapacityReservation", read(describe_capacity_reservation)),
        ("DescribeTrustStores", read(describe_trust_stores)),
    ]
}

fn describe_ssl_policies(
    _: &Ctx,
    _: &World,
    r: s::DescribeSSLPoliciesInput,
) -> Outcome<s::DescribeSSLPoliciesOutput> {
    if let Some(missing) = r.names.iter().find(|n| elb_catalog::ssl_policy(n).is_none()) {
        return Err(model::Error::new(
            Elbv2::SSLPolicyNotFound,
            format!("SSL policy '{missing}' not found"),
        )
        .into());
    }
    let types: Vec<String> = match r.load_balancer_type.as_deref() {
        Some(t) => vec![t.to_owned()],
        None => vec!["application".into(), "network".into()],
    };
    let items = elb_catalog::SSL_POLICIES
        .iter()
        .filter(|p| r.names.is_empty() || r.names.iter().any(|n| n == p.name))
        .map(|p| {
            (
                p.name,
                s::SslPolicy {
                    name: Some(p.name.into()),
                    ssl_protocols: p.protocols.iter().map(|x| (*x).to_owned()).collect(),
                    ciphers: p
                        .ciphers()
                        .into_iter()
                        .map(|(name, priority)| s::Cipher {
                            name: Some(name.into()),
                            priority: Some(priority as i32),
                        })
                        .collect(),
                    supported_load_balancer_types: types.clone(),
                },
            )
        })
        .collect();
    let (ssl_policies, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeSSLPoliciesOutput { ssl_policies, next_marker })
}

fn describe_account_limits(
    _: &Ctx,
    _: &World,
    r: s::DescribeAccountLimitsInput,
) -> Outcome<s::DescribeAccountLimitsOutput> {
    let items = elb_catalog::ACCOUNT_LIMITS
        .iter()
        .map(|(name, max)| {
            (*name, s::Limit { name: Some((*name).into()), max: Some(max.to_string()) })
        })
        .collect();
    let (limits, next_marker) = page(items, r.marker.as_deref(), r.page_size)?;
    Ok(s::DescribeAccountLimitsOutput { limits, next_marker })
}

fn describe_capacity_reservation(
    ctx: &Ctx,
    w: &World,
    r: s::DescribeCapacityReservationInput,
) -> Outcome<s::DescribeCapacityReservationOutput> {
    w.find_load_balancer(&ctx.scope, &r.load_balancer_arn)?;
    Ok(s::DescribeCapacityReservationOutput {
        decrease_requests_remaining: Some(3),
        ..Default::default()
    })
}

fn describe_trust_stores(
    _: &Ctx,
    _: &World,
    r: s::DescribeTrustStoresInput,
) -> Outcome<s::DescribeTrustStoresOutput> {
    if !r.names.is_empty() || !r.trust_store_arns.is_empty() {
        return Err(model::Error::new(
            Elbv2::TrustStoreNotFound,
            "One or more trust stores not found",
        )
        .into());
    }
    Ok(s::DescribeTrustStoresOutput::default())
}
