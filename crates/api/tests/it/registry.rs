//! The registries of the services on the shared request path (`api::registry`) against the
//! operations generated from botocore.

/// A generated operation list: (name, input shape, output shape).
type Generated = &'static [(&'static str, &'static str, &'static str)];

/// Every service on a registry serves exactly the operations generated for it: no generated
/// shape without a handler, no handler without a generated shape.
#[test]
fn every_generated_operation_has_a_handler() {
    let services: [(&str, Vec<&str>, Generated); 5] = [
        ("EC2", api::ec2::operations(), shapes::ec2::OPERATIONS),
        ("Direct Connect", api::direct_connect::operations(), shapes::direct_connect::OPERATIONS),
        ("ELBv2", api::elbv2::operations(), shapes::elbv2::OPERATIONS),
        (
            "Route 53 Resolver",
            api::route53_resolver::operations(),
            shapes::route53_resolver::OPERATIONS,
        ),
        ("Route 53", api::route53::operations(), shapes::route53::OPERATIONS),
    ];
    for (service, served, generated) in services {
        let generated: Vec<&str> = generated.iter().map(|(name, _, _)| *name).collect();
        for op in &generated {
            assert!(served.contains(op), "{service}: {op} is generated but not served");
        }
        for op in &served {
            assert!(generated.contains(op), "{service}: {op} is served without a generated shape");
        }
    }
}
