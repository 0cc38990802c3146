//! The stored types of VPC endpoint services (operations: [`crate::endpoint_service`]).

use crate::scope::Scope;
use crate::types::ec2::Tags;
use crate::types::ec2::vpc_endpoint::{EndpointState, EndpointType};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowedPrincipal {
    pub principal: String,
    /// `vpce-svc-perm-…`.
    pub permission_id: String,
}

impl AllowedPrincipal {
    /// `All`, `Account`, `User` or `Role`, as AWS reports the principal's kind.
    pub fn principal_type(&self) -> &'static str {
        principal_type(&self.principal).unwrap_or("Account")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointService {
    pub id: String,
    pub owner: Scope,
    pub service_name: String,
    /// `Interface` (network load balancers) or `GatewayLoadBalancer`.
    pub service_type: EndpointType,
    pub network_load_balancer_arns: Vec<String>,
    pub gateway_load_balancer_arns: Vec<String>,
    pub acceptance_required: bool,
    pub private_dns_name: Option<String>,
    /// The TXT record name and value AWS asks the provider to publish for the private DNS name.
    pub private_dns_verification: Option<(String, String)>,
    pub allowed_principals: Vec<AllowedPrincipal>,
    pub supported_ip_address_types: Vec<String>,
    /// Milliseconds since the epoch.
    pub create_time: i64,
    pub client_token: Option<String>,
    pub tags: Tags,
}

impl EndpointService {
    /// The load balancers the service fronts, whatever their type.
    pub fn load_balancer_arns(&self) -> impl Iterator<Item = &String> {
        self.network_load_balancer_arns.iter().chain(&self.gateway_load_balancer_arns)
    }

    /// Whether `account` may see the service and connect to it.
    pub fn allows(&self, account: &str) -> bool {
        self.owner.account == account
            || self.allowed_principals.iter().any(|p| {
                p.principal == "*" || principal_account(&p.principal).is_some_and(|a| a == account)
            })
    }

    /// The state a new endpoint of `consumer` starts in.
    pub fn initial_state(&self, consumer: &Scope) -> EndpointState {
        if self.acceptance_required && consumer.account != self.owner.account {
            EndpointState::PendingAcceptance
        } else {
            EndpointState::Available
        }
    }
}

/// What CreateVpcEndpointServiceConfiguration asks for.
#[derive(Debug, Clone, Default)]
pub struct NewEndpointService {
    pub network_load_balancer_arns: Vec<String>,
    pub gateway_load_balancer_arns: Vec<String>,
    pub acceptance_required: Option<bool>,
    pub private_dns_name: Option<String>,
    pub supported_ip_address_types: Vec<String>,
    pub client_token: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// What ModifyVpcEndpointServiceConfiguration asks for.
#[derive(Debug, Clone, Default)]
pub struct EndpointServiceChange {
    pub acceptance_required: Option<bool>,
    pub private_dns_name: Option<String>,
    pub remove_private_dns_name: bool,
    pub add_network_load_balancer_arns: Vec<String>,
    pub remove_network_load_balancer_arns: Vec<String>,
    pub add_gateway_load_balancer_arns: Vec<String>,
    pub remove_gateway_load_balancer_arns: Vec<String>,
    pub add_supported_ip_address_types: Vec<String>,
    pub remove_supported_ip_address_types: Vec<String>,
}

/// The kind of an allowed principal ARN, or `None` when it is not one.
pub fn principal_type(principal: &str) -> Option<&'static str> {
    if principal == "*" {
        return Some("All");
    }
    let rest = principal.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if resource == "root" {
        Some("Account")
    } else if resource.strip_prefix("user/").is_some_and(|n| !n.is_empty()) {
        Some("User")
    } else if resource.strip_prefix("role/").is_some_and(|n| !n.is_empty()) {
        Some("Role")
    } else {
        None
    }
}

/// The account of a principal ARN.
pub fn principal_account(principal: &str) -> Option<&str> {
    principal.strip_prefix("arn:aws:iam::")?.split_once(':').map(|x| x.0)
}
