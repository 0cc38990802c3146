//! Direct Connect over awsJson 1.1: requests by `X-Amz-Target`, JSON answers, JSON errors, and
//! the changes kept or undone.

use crate::{block_on, memory_api, scope};
use api::{Api, Reply, Request, Service};
use serde_json::{Value, json};
use wire::QueryMap;

pub(crate) fn dx(api: &Api, op: &str, body: Value) -> Reply {
    let request = Request {
        service: Service::DirectConnect,
        scope: scope(),
        request_id: "REQUEST-ID".into(),
        params: QueryMap::default(),
        target: Some(format!("OvertureService.{op}")),
        body: body.to_string().into_bytes(),
        http: Default::default(),
    };
    crate::handle(api, request)
}

pub(crate) fn ok(api: &Api, op: &str, body: Value) -> Value {
    let r = dx(api, op, body);
    assert_eq!(r.status, 200, "{op}: {}", r.body);
    assert_eq!(r.content_type, "application/x-amz-json-1.1");
    serde_json::from_str(&r.body).unwrap()
}

pub(crate) fn err(api: &Api, op: &str, body: Value) -> (String, String) {
    let r = dx(api, op, body);
    assert_eq!(r.status, 400, "{op}: {}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    (v["__type"].as_str().unwrap().to_owned(), v["message"].as_str().unwrap().to_owned())
}

#[test]
fn connections_answer_in_json_with_model_member_names() {
    let api = memory_api();
    let c = ok(
        &api,
        "CreateConnection",
        json!({"location": "EqDC2", "bandwidth": "1Gbps", "connectionName": "dc"}),
    );
    let id = c["connectionId"].as_str().unwrap();
    assert!(id.starts_with("dxcon-"));
    assert_eq!(c["connectionState"], "available");
    assert!(c["loaIssueTime"].is_number(), "timestamps are epoch seconds: {c}");
    assert_eq!(c["tags"], json!([]));
    let listed = ok(&api, "DescribeConnections", json!({}));
    assert_eq!(listed["connections"].as_array().unwrap().len(), 1);
    let (code, message) =
        err(&api, "DescribeConnections", json!({"connectionId": "dxcon-zzzzzzzz"}));
    assert_eq!(code, "DirectConnectClientException");
    assert_eq!(message, "Could not find Connection with ID dxcon-zzzzzzzz");
    let deleted = ok(&api, "DeleteConnection", json!({"connectionId": id}));
    assert_eq!(deleted["connectionState"], "deleted");
    assert_eq!(ok(&api, "DescribeConnections", json!({}))["connections"], json!([]));
}

#[test]
fn bad_requests_get_direct_connects_errors() {
    let api = memory_api();
    let (code, message) = err(&api, "CreateConnection", json!({"location": "EqDC2"}));
    assert_eq!(code, "DirectConnectClientException");
    assert!(message.contains("bandwidth"), "{message}");
    let (code, _) = err(
        &api,
        "CreateConnection",
        json!({"location": 1, "bandwidth": "1Gbps", "connectionName": "x"}),
    );
    assert_eq!(code, "SerializationException");
    let (code, _) = err(&api, "Frobnicate", json!({}));
    assert_eq!(code, "UnknownOperationException");
    let (code, _) = err(
        &api,
        "CreateConnection",
        json!({"location": "EqDC2", "bandwidth": "1Gbps", "connectionName": "x",
               "tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}),
    );
    assert_eq!(code, "DuplicateTagKeysException");
}

#[test]
fn a_failed_operation_changes_nothing() {
    let api = memory_api();
    let c = ok(
        &api,
        "CreateConnection",
        json!({"location": "EqDC2", "bandwidth": "1Gbps", "connectionName": "dc"}),
    );
    let dxgw = ok(&api, "CreateDirectConnectGateway", json!({"directConnectGatewayName": "gw"}));
    let gw_id = dxgw["directConnectGateway"]["directConnectGatewayId"].as_str().unwrap();
    assert_eq!(dxgw["directConnectGateway"]["amazonSideAsn"], 64512);
    let vif = ok(
        &api,
        "CreatePrivateVirtualInterface",
        json!({"connectionId": c["connectionId"], "newPrivateVirtualInterface": {
            "virtualInterfaceName": "v", "vlan": 10, "asn": 65000, "directConnectGatewayId": gw_id}}),
    );
    assert_eq!(vif["virtualInterfaceType"], "private");
    assert_eq!(vif["bgpPeers"][0]["bgpStatus"], "up");
    // The VLAN is taken: nothing is created.
    let (_, message) = err(
        &api,
        "CreatePrivateVirtualInterface",
        json!({"connectionId": c["connectionId"], "newPrivateVirtualInterface": {
            "virtualInterfaceName": "w", "vlan": 10, "asn": 65000, "directConnectGatewayId": gw_id}}),
    );
    assert!(message.contains("VLAN 10"), "{message}");
    let all = ok(&api, "DescribeVirtualInterfaces", json!({}));
    assert_eq!(all["virtualInterfaces"].as_array().unwrap().len(), 1);
    assert_eq!(block_on(api.read(|w| w.dx_virtual_interfaces.len())), 1);
}

#[test]
fn a_gone_association_lists_nothing() {
    // The Terraform provider waits for a deleted association by describing it by id until the
    // list is empty; an error there fails `terraform destroy`.
    let api = memory_api();
    let listed = ok(
        &api,
        "DescribeDirectConnectGatewayAssociations",
        json!({"associationId": "5f294f92-bafb-4011-916d-9b0b00000000"}),
    );
    assert_eq!(listed["directConnectGatewayAssociations"], json!([]));
}
