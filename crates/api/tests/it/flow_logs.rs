//! CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs through the API.

use crate::{all, call, first, memory_api};
use api::Api;

fn vpc(api: &Api) -> String {
    let r = call(api, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]);
    first(&r.body, "vpcId").unwrap().to_owned()
}

fn s3_flow_log(api: &Api, resource: &str, extra: &[(&str, &str)]) -> api::Reply {
    let mut pairs = vec![
        ("Action", "CreateFlowLogs"),
        ("ResourceType", "VPC"),
        ("ResourceId.1", resource),
        ("TrafficType", "ALL"),
        ("LogDestinationType", "s3"),
        ("LogDestination", "arn:aws:s3:::flow-bucket/prefix/"),
    ];
    pairs.extend_from_slice(extra);
    call(api, &pairs)
}

#[test]
fn create_describe_delete() {
    let api = memory_api();
    let vpc = vpc(&api);
    let r = s3_flow_log(
        &api,
        &vpc,
        &[
            ("TagSpecification.1.ResourceType", "vpc-flow-log"),
            ("TagSpecification.1.Tag.1.Key", "Name"),
            ("TagSpecification.1.Tag.1.Value", "audit"),
            ("ClientToken", "tok-1"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<unsuccessful></unsuccessful>"), "{}", r.body);
    assert_eq!(first(&r.body, "clientToken"), Some("tok-1"));
    let id = all(&r.body, "item")[0].to_owned();
    assert!(id.starts_with("fl-"), "{}", r.body);

    let d = call(&api, &[("Action", "DescribeFlowLogs"), ("FlowLogId.1", &id)]);
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(first(&d.body, "flowLogId"), Some(id.as_str()));
    assert_eq!(first(&d.body, "resourceId"), Some(vpc.as_str()));
    assert_eq!(first(&d.body, "logDestinationType"), Some("s3"));
    assert_eq!(first(&d.body, "logDestination"), Some("arn:aws:s3:::flow-bucket/prefix/"));
    assert_eq!(first(&d.body, "trafficType"), Some("ALL"));
    assert_eq!(first(&d.body, "maxAggregationInterval"), Some("600"));
    assert_eq!(first(&d.body, "flowLogStatus"), Some("ACTIVE"));
    assert_eq!(first(&d.body, "deliverLogsStatus"), Some("SUCCESS"));
    assert_eq!(first(&d.body, "logFormat"), Some(model::flow_log::DEFAULT_LOG_FORMAT));
    assert!(d.body.contains("<destinationOptions><fileFormat>plain-text</fileFormat><hiveCompatiblePartitions>false</hiveCompatiblePartitions><perHourPartition>false</perHourPartition></destinationOptions>"), "{}", d.body);
    assert!(d.body.contains("<tagSet><item><key>Name</key><value>audit</value></item></tagSet>"));
    assert!(first(&d.body, "creationTime").unwrap().ends_with('Z'));

    // The same client token returns the same flow log.
    let again = s3_flow_log(&api, &vpc, &[("ClientToken", "tok-1")]);
    assert_eq!(all(&again.body, "item"), vec![id.as_str()]);

    // Tags work through the generic tag operations.
    let t = call(
        &api,
        &[
            ("Action", "DescribeTags"),
            ("Filter.1.Name", "resource-type"),
            ("Filter.1.Value.1", "vpc-flow-log"),
        ],
    );
    assert_eq!(first(&t.body, "resourceId"), Some(id.as_str()));

    let del = call(
        &api,
        &[("Action", "DeleteFlowLogs"), ("FlowLogId.1", &id), ("FlowLogId.2", "fl-12345678")],
    );
    assert_eq!(del.status, 200, "{}", del.body);
    assert_eq!(first(&del.body, "resourceId"), Some("fl-12345678"));
    assert_eq!(first(&del.body, "code"), Some("InvalidFlowLogId.NotFound"));
    let d = call(&api, &[("Action", "DescribeFlowLogs"), ("FlowLogId.1", &id)]);
    assert!(d.body.contains("<flowLogSet></flowLogSet>"), "{}", d.body);
}

#[test]
fn cloud_watch_flow_logs_show_group_and_arn() {
    let api = memory_api();
    let vpc = vpc(&api);
    let r = call(
        &api,
        &[
            ("Action", "CreateFlowLogs"),
            ("ResourceType", "VPC"),
            ("ResourceId.1", &vpc),
            ("TrafficType", "REJECT"),
            ("LogGroupName", "flows"),
            ("DeliverLogsPermissionArn", "arn:aws:iam::123456789012:role/fl"),
            ("MaxAggregationInterval", "60"),
            ("LogFormat", "${version} ${vpc-id} ${srcaddr} ${action}"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let d = call(&api, &[("Action", "DescribeFlowLogs")]);
    assert_eq!(first(&d.body, "logGroupName"), Some("flows"));
    assert_eq!(
        first(&d.body, "logDestination"),
        Some("arn:aws:logs:us-east-1:123456789012:log-group:flows")
    );
    assert_eq!(
        first(&d.body, "deliverLogsPermissionArn"),
        Some("arn:aws:iam::123456789012:role/fl")
    );
    assert_eq!(first(&d.body, "logFormat"), Some("${version} ${vpc-id} ${srcaddr} ${action}"));
    assert_eq!(first(&d.body, "maxAggregationInterval"), Some("60"));
    assert!(!d.body.contains("destinationOptions"));
}

#[test]
fn missing_resources_and_duplicates_are_unsuccessful_items() {
    let api = memory_api();
    let vpc = vpc(&api);
    s3_flow_log(&api, &vpc, &[]);
    let r = call(
        &api,
        &[
            ("Action", "CreateFlowLogs"),
            ("ResourceType", "VPC"),
            ("ResourceId.1", &vpc),
            ("ResourceId.2", "vpc-12345678"),
            ("TrafficType", "ALL"),
            ("LogDestinationType", "s3"),
            ("LogDestination", "arn:aws:s3:::flow-bucket/prefix/"),
        ],
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<flowLogIdSet></flowLogIdSet>"), "{}", r.body);
    assert_eq!(all(&r.body, "code"), vec!["FlowLogAlreadyExists", "InvalidVpcID.NotFound"]);
    assert_eq!(all(&r.body, "resourceId"), vec![vpc.as_str(), "vpc-12345678"]);
}

#[test]
fn request_errors_carry_aws_codes() {
    let api = memory_api();
    let vpc = vpc(&api);
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("TrafficType", "SOME")], "InvalidParameterValue"),
        (&[("MaxAggregationInterval", "120")], "InvalidParameter"),
        (&[("LogFormat", "${version} ${bogus}")], "InvalidParameter"),
        (&[("LogFormat", "${version} ")], "InvalidParameterValue"),
        (&[("LogGroupName", "g")], "InvalidParameter"),
        (&[("DestinationOptions.FileFormat", "csv")], "InvalidParameterValue"),
        (
            &[("TagSpecification.1.ResourceType", "vpc"), ("TagSpecification.1.Tag.1.Key", "k")],
            "InvalidParameter",
        ),
        (&[("DryRun", "true")], "DryRunOperation"),
    ];
    for (extra, code) in cases {
        let r = s3_flow_log(&api, &vpc, extra);
        assert_eq!(first(&r.body, "Code"), Some(*code), "{extra:?}: {}", r.body);
    }
    let no_type = call(&api, &[("Action", "CreateFlowLogs"), ("ResourceId.1", &vpc)]);
    assert_eq!(first(&no_type.body, "Code"), Some("MissingParameter"), "{}", no_type.body);
    let no_ids = call(&api, &[("Action", "DeleteFlowLogs")]);
    assert_eq!(first(&no_ids.body, "Code"), Some("MissingParameter"), "{}", no_ids.body);
    let bad_filter = call(
        &api,
        &[("Action", "DescribeFlowLogs"), ("Filter.1.Name", "vpc-id"), ("Filter.1.Value.1", "x")],
    );
    assert_eq!(first(&bad_filter.body, "Code"), Some("InvalidParameterValue"));
    // Nothing was created by the failed calls.
    let d = call(&api, &[("Action", "DescribeFlowLogs")]);
    assert!(d.body.contains("<flowLogSet></flowLogSet>"), "{}", d.body);
}

#[test]
fn filters_and_pages() {
    let api = memory_api();
    let vpc = vpc(&api);
    let mut ids = vec![];
    for (traffic, bucket) in [("ALL", "a-bucket"), ("ACCEPT", "b-bucket"), ("REJECT", "c-bucket")] {
        let dest = format!("arn:aws:s3:::{bucket}");
        let r = call(
            &api,
            &[
                ("Action", "CreateFlowLogs"),
                ("ResourceType", "VPC"),
                ("ResourceId.1", &vpc),
                ("TrafficType", traffic),
                ("LogDestinationType", "s3"),
                ("LogDestination", &dest),
                ("TagSpecification.1.ResourceType", "vpc-flow-log"),
                ("TagSpecification.1.Tag.1.Key", "team"),
                ("TagSpecification.1.Tag.1.Value", traffic),
            ],
        );
        ids.push(all(&r.body, "item")[0].to_owned());
    }
    let by = |name: &str, value: &str| {
        let r = call(
            &api,
            &[("Action", "DescribeFlowLogs"), ("Filter.1.Name", name), ("Filter.1.Value.1", value)],
        );
        all(&r.body, "flowLogId").into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    assert_eq!(by("traffic-type", "ACCEPT"), vec![ids[1].clone()]);
    assert_eq!(by("resource-id", &vpc).len(), 3);
    assert_eq!(by("log-destination-type", "cloud-watch-logs").len(), 0);
    assert_eq!(by("deliver-log-status", "SUCCESS").len(), 3);
    assert_eq!(by("flow-log-id", &ids[2]), vec![ids[2].clone()]);
    assert_eq!(by("tag:team", "REJECT"), vec![ids[2].clone()]);
    assert_eq!(by("tag-key", "team").len(), 3);
    assert_eq!(by("log-group-name", "*").len(), 0);

    let mut seen = vec![];
    let mut token: Option<String> = None;
    loop {
        let mut pairs = vec![("Action", "DescribeFlowLogs"), ("MaxResults", "2")];
        if let Some(t) = &token {
            pairs.push(("NextToken", t));
        }
        let r = call(&api, &pairs);
        seen.extend(all(&r.body, "flowLogId").into_iter().map(str::to_owned));
        match first(&r.body, "nextToken") {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
}

#[test]
fn flow_logs_go_with_their_vpc() {
    let api = memory_api();
    let vpc = vpc(&api);
    s3_flow_log(&api, &vpc, &[]);
    let r = call(&api, &[("Action", "DeleteVpc"), ("VpcId", &vpc)]);
    assert_eq!(r.status, 200, "{}", r.body);
    let d = call(&api, &[("Action", "DescribeFlowLogs")]);
    assert!(d.body.contains("<flowLogSet></flowLogSet>"), "{}", d.body);
}
