//! Small worlds for unit tests.

use crate::vpc::NewVpc;
use crate::world::{Scope, World};

pub(crate) fn scope() -> Scope {
    Scope::new("123456789012", "us-east-1")
}

/// A world with the default VPC and one VPC `10.0.0.0/16`: (world, scope, vpc id).
pub(crate) fn world_with_vpc() -> (World, Scope, String) {
    let mut w = World::default();
    let scope = scope();
    w.ensure_scope(&scope).unwrap();
    let vpc = w
        .create_vpc(&scope, NewVpc { cidr: Some("10.0.0.0/16".into()), ..Default::default() })
        .unwrap();
    (w, scope, vpc)
}

/// As [`world_with_vpc`], plus a subnet `cidr` in us-east-1a: (world, scope, vpc, subnet).
pub(crate) fn world_with_subnet(cidr: &str) -> (World, Scope, String, String) {
    let (mut w, scope, vpc) = world_with_vpc();
    let subnet = w.create_subnet(&scope, &vpc, cidr, Some("us-east-1a"), None, &[]).unwrap();
    (w, scope, vpc, subnet)
}
