use crate::{all, block_on, call, call_as, first, ok};
use api::{Api, Reply};
use model::{Scope, World};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;
use store::{Faults, Store};

fn open(dir: &Path) -> Api {
    open_with(dir, Arc::default())
}

/// A durable API whose store fails or holds back batches when `faults` says so.
fn open_with(dir: &Path, faults: Arc<Faults>) -> Api {
    let (store, rows) = Store::open_with_faults(dir, faults).unwrap();
    let mut world = World::default();
    for r in rows {
        world.load_row(&r.kind, r.id, &r.body).unwrap();
    }
    assert!(world.dangling_references().is_empty());
    Api::new(world, store)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vpclab-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Sends an EC2 request from another thread; its answer arrives on the channel.
fn send(api: &Arc<Api>, pairs: &[(&str, &str)]) -> Receiver<Reply> {
    let pairs: Vec<(String, String)> =
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let api = api.clone();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let pairs: Vec<(&str, &str)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let _ = tx.send(call(&api, &pairs));
    });
    rx
}

/// Waits until `n` changes are made in memory and waiting for the disk.
fn wait_in_flight(api: &Api, n: usize) {
    for _ in 0..2000 {
        if api.changes_in_flight() == n {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("{} changes in flight, not {n}", api.changes_in_flight());
}

fn subnet_cidrs(api: &Api, vpc_id: &str) -> Vec<String> {
    let body = ok(
        api,
        &[("Action", "DescribeSubnets"), ("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", vpc_id)],
    );
    let mut cidrs: Vec<String> = all(&body, "cidrBlock").into_iter().map(str::to_owned).collect();
    cidrs.sort();
    cidrs
}

fn create_subnet(vpc_id: &str, cidr: &str) -> Vec<(String, String)> {
    [("Action", "CreateSubnet"), ("VpcId", vpc_id), ("CidrBlock", cidr)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn a_failed_write_and_the_writes_after_it_leave_no_trace() {
    let dir = temp_dir("failed-write");
    let faults = Arc::new(Faults::default());
    let api = Arc::new(open_with(&dir, faults.clone()));
    let vpc = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    let vpc_id = first(&vpc, "vpcId").unwrap().to_owned();
    ok(&api, &pairs(&create_subnet(&vpc_id, "10.0.0.0/24")));

    // The first change fails once the store writes it; the second is made in memory after it
    // (on a world holding the first) and queued behind it.
    faults.fail_next(false);
    faults.hold();
    let failing = send(&api, &pairs(&create_subnet(&vpc_id, "10.0.1.0/24")));
    faults.wait_until_held();
    let later = send(&api, &pairs(&create_subnet(&vpc_id, "10.0.2.0/24")));
    wait_in_flight(&api, 2);
    // A reader arriving now waits for them: it must never see either subnet.
    let reader = send(
        &api,
        &[
            ("Action", "DescribeSubnets"),
            ("Filter.1.Name", "vpc-id"),
            ("Filter.1.Value.1", &vpc_id),
        ],
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(reader.try_recv().is_err(), "a reader went in while changes were in flight");
    faults.release();

    for answer in [failing.recv().unwrap(), later.recv().unwrap()] {
        assert_eq!(answer.status, 500, "{}", answer.body);
        assert_eq!(first(&answer.body, "Code"), Some("InternalError"));
        assert!(answer.body.contains("could not be made durable"), "{}", answer.body);
    }
    let seen = reader.recv().unwrap();
    assert_eq!(all(&seen.body, "cidrBlock").into_iter().filter(|c| c.ends_with("/24")).count(), 1);
    assert_eq!(api.changes_in_flight(), 0);
    assert!(api.is_healthy(), "nothing was written: no reason to refuse changes");
    assert_eq!(subnet_cidrs(&api, &vpc_id), ["10.0.0.0/24"]);

    // The failed subnet's range and addresses are free again; the store writes again.
    ok(&api, &pairs(&create_subnet(&vpc_id, "10.0.1.0/24")));
    let in_memory = subnet_cidrs(&api, &vpc_id);
    assert_eq!(in_memory, ["10.0.0.0/24", "10.0.1.0/24"]);
    drop(api);
    // What was served is what was stored.
    let reopened = open(&dir);
    assert_eq!(subnet_cidrs(&reopened, &vpc_id), in_memory);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unknown_outcome_refuses_changes_until_a_reset() {
    let dir = temp_dir("degraded");
    let faults = Arc::new(Faults::default());
    let api = open_with(&dir, faults.clone());
    let kept = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.1.0.0/16")]);
    let kept = first(&kept, "vpcId").unwrap().to_owned();

    faults.fail_next(true);
    let failed = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.2.0.0/16")]);
    assert_eq!((failed.status, first(&failed.body, "Code")), (500, Some("InternalError")));
    assert!(!api.is_healthy());
    assert_eq!(api.degraded_reason().as_deref(), Some(store::Faults::MESSAGE));

    let refused = call(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.3.0.0/16")]);
    assert_eq!((refused.status, first(&refused.body, "Code")), (503, Some("ServiceUnavailable")));
    // Reads go on, showing what is durable — also for an account never seen before.
    let vpcs = ok(&api, &[("Action", "DescribeVpcs")]);
    assert!(vpcs.contains(&kept) && !vpcs.contains("10.2.0.0/16"));
    let stranger =
        call_as(&api, Scope::new("111122223333", "eu-west-1"), &[("Action", "DescribeVpcs")]);
    assert_eq!(stranger.status, 200, "{}", stranger.body);

    // A reset that cannot be made durable leaves everything as it was, reads included.
    faults.fail_next(false);
    assert!(block_on(api.reset()).is_err());
    assert!(!api.is_healthy());
    assert!(ok(&api, &[("Action", "DescribeVpcs")]).contains(&kept));

    // A durable reset: disk and memory agree again.
    block_on(api.reset()).unwrap();
    assert!(api.is_healthy());
    let vpcs = ok(&api, &[("Action", "DescribeVpcs")]);
    assert_eq!(all(&vpcs, "vpcId").len(), 1, "only the new default VPC: {vpcs}");
    ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.4.0.0/16")]);
    drop(api);
    let reopened = open(&dir);
    let vpcs = ok(&reopened, &[("Action", "DescribeVpcs")]);
    assert!(vpcs.contains("10.4.0.0/16") && !vpcs.contains(&kept));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_reset_is_undone_after_the_changes_made_behind_it() {
    let dir = temp_dir("reset-undone");
    let faults = Arc::new(Faults::default());
    let api = Arc::new(open_with(&dir, faults.clone()));
    let vpc = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.5.0.0/16")]);
    let vpc_id = first(&vpc, "vpcId").unwrap().to_owned();

    faults.fail_next(false);
    faults.hold();
    let reset = {
        let api = api.clone();
        let (tx, rx) = channel();
        std::thread::spawn(move || tx.send(block_on(api.reset())).unwrap());
        rx
    };
    faults.wait_until_held();
    // A change made on the emptied world (setting up the account for the CreateVpc), queued
    // behind the reset: undone first, then the reset.
    let behind = send(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.6.0.0/16")]);
    wait_in_flight(&api, 2);
    faults.release();
    assert!(reset.recv().unwrap().is_err());
    assert_eq!(behind.recv().unwrap().status, 500);
    let vpcs = ok(&api, &[("Action", "DescribeVpcs")]);
    assert!(vpcs.contains(&vpc_id) && !vpcs.contains("10.6.0.0/16"), "{vpcs}");
    assert_eq!(subnet_cidrs(&api, &vpc_id), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(&dir);
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

/// Rewrites stored rows in place, as an older version would have left them.
fn rewrite_rows(dir: &Path, f: impl Fn(&str, &mut serde_json::Value)) {
    let (store, rows) = Store::open(dir).unwrap();
    let writes = rows
        .into_iter()
        .filter_map(|r| {
            let mut value: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            let before = value.clone();
            f(&r.kind, &mut value);
            let kind = World::KINDS.iter().find(|k| **k == r.kind).unwrap();
            (value != before).then(|| store::Write {
                kind,
                id: r.id,
                body: Some(value.to_string()),
            })
        })
        .collect();
    let (done, durable) = channel();
    store.submit(writes, Box::new(move |receipt| done.send(receipt.result.is_ok()).unwrap()));
    assert!(durable.recv().unwrap());
}

#[test]
fn network_acl_associations_stored_in_the_acl_row_survive_the_upgrade() {
    let dir = temp_dir("acl-upgrade");
    let (vpc_id, subnet_id, association) = {
        let api = open(&dir);
        let r = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
        let vpc_id = first(&r, "vpcId").unwrap().to_owned();
        let r = ok(&api, &pairs(&create_subnet(&vpc_id, "10.0.1.0/24")));
        let subnet_id = first(&r, "subnetId").unwrap().to_owned();
        let d = ok(&api, &[("Action", "DescribeNetworkAcls")]);
        let association = first(&d, "networkAclAssociationId").unwrap().to_owned();
        (vpc_id, subnet_id, association)
    };
    // As versions before subnets held their association stored it: in the ACL's row.
    rewrite_rows(&dir, |kind, row| {
        let row = row.as_object_mut().unwrap();
        match kind {
            "subnet" => {
                row.remove("network_acl_association");
            }
            "network_acl" if row["is_default"] == true => {
                let list = serde_json::json!([{ "id": association, "subnet_id": subnet_id }]);
                row.insert("associations".into(), list);
            }
            _ => {}
        }
    });
    let describe = |api: &Api| {
        let d = ok(
            api,
            &[
                ("Action", "DescribeNetworkAcls"),
                ("Filter.1.Name", "association.subnet-id"),
                ("Filter.1.Value.1", &subnet_id),
            ],
        );
        (first(&d, "networkAclAssociationId").map(str::to_owned), all(&d, "networkAclId").len())
    };
    {
        let api = open(&dir);
        assert_eq!(describe(&api), (Some(association.clone()), 2));
        // The ACL's row is written again (without the list) by a change to its entries.
        let acl = {
            let d = ok(
                &api,
                &[
                    ("Action", "DescribeNetworkAcls"),
                    ("Filter.1.Name", "vpc-id"),
                    ("Filter.1.Value.1", &vpc_id),
                ],
            );
            first(&d, "networkAclId").unwrap().to_owned()
        };
        ok(
            &api,
            &[
                ("Action", "CreateNetworkAclEntry"),
                ("NetworkAclId", &acl),
                ("RuleNumber", "50"),
                ("Protocol", "-1"),
                ("RuleAction", "deny"),
                ("Egress", "false"),
                ("CidrBlock", "192.0.2.0/24"),
            ],
        );
    }
    let api = open(&dir);
    assert_eq!(describe(&api), (Some(association), 2), "the association was not lost");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn addresses_in_use_are_known_after_a_restart() {
    let dir = temp_dir("addresses");
    let eni = |api: &Api, subnet_id: &str| {
        let r = ok(api, &[("Action", "CreateNetworkInterface"), ("SubnetId", subnet_id)]);
        first(&r, "privateIpAddress").unwrap().to_owned()
    };
    let (subnet_id, before) = {
        let api = open(&dir);
        let r = ok(&api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
        let vpc_id = first(&r, "vpcId").unwrap().to_owned();
        let r = ok(&api, &pairs(&create_subnet(&vpc_id, "10.0.1.0/24")));
        let subnet_id = first(&r, "subnetId").unwrap().to_owned();
        let before = [eni(&api, &subnet_id), eni(&api, &subnet_id)];
        (subnet_id, before)
    };
    let api = open(&dir);
    let d = ok(&api, &[("Action", "DescribeSubnets"), ("SubnetId.1", &subnet_id)]);
    assert_eq!(first(&d, "availableIpAddressCount"), Some("249"));
    let after = eni(&api, &subnet_id);
    assert!(!before.contains(&after), "{after} was handed out again");
    let _ = std::fs::remove_dir_all(&dir);
}
