use crate::{all, block_on, call, first};
use api::Api;
use model::World;
use store::Store;

fn open(dir: &std::path::Path) -> Api {
    let (store, rows) = Store::open(dir).unwrap();
    let mut world = World::default();
    for r in rows {
        world.load_row(&r.kind, r.id, &r.body).unwrap();
    }
    Api::new(world, store)
}

#[test]
fn state_survives_a_restart_and_reset_is_durable() {
    let dir = std::env::temp_dir().join(format!("vpclab-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let vpc_id = {
        let api = open(&dir);
        let r = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
        let vpc_id = first(&r.body, "vpcId").unwrap().to_owned();
        let s = call(
            &api,
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", &vpc_id),
                ("CidrBlock", "10.0.1.0/24"),
                ("AvailabilityZone", "us-east-1b"),
            ],
        );
        assert_eq!(s.status, 200, "{}", s.body);
        vpc_id
    };
    let api = open(&dir);
    let d = call(
        &api,
        &[
            ("Action", "DescribeSubnets"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &vpc_id),
        ],
    );
    assert_eq!(first(&d.body, "availabilityZone"), Some("us-east-1b"));
    assert_eq!(first(&d.body, "availableIpAddressCount"), Some("251"));

    block_on(api.reset()).unwrap();
    drop(api);
    let api = open(&dir);
    let d = call(&api, &[("Action", "DescribeVpcs")]);
    // Only the freshly created default VPC: the reset was durable.
    assert_eq!(all(&d.body, "vpcId").len(), 1);
    assert!(!d.body.contains(&vpc_id));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flow_logs_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("vpclab-it-flow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let id = {
        let api = open(&dir);
        let r = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
        let vpc_id = first(&r.body, "vpcId").unwrap().to_owned();
        let r = call(
            &api,
            &[
                ("Action", "CreateFlowLogs"),
                ("ResourceType", "VPC"),
                ("ResourceId.1", &vpc_id),
                ("TrafficType", "ACCEPT"),
                ("LogDestinationType", "s3"),
                ("LogDestination", "arn:aws:s3:::bucket"),
                ("LogFormat", "${srcaddr} ${action}"),
            ],
        );
        all(&r.body, "item")[0].to_owned()
    };
    let api = open(&dir);
    let d = call(&api, &[("Action", "DescribeFlowLogs")]);
    assert_eq!(first(&d.body, "flowLogId"), Some(id.as_str()));
    assert_eq!(first(&d.body, "logFormat"), Some("${srcaddr} ${action}"));
    assert_eq!(first(&d.body, "trafficType"), Some("ACCEPT"));
    let _ = std::fs::remove_dir_all(&dir);
}
