"""VPC flow logs: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs with boto3, and aws_flow_log
with the real Terraform provider (skipped when Terraform or its provider mirror is absent)."""

from __future__ import annotations

import json
import shutil

import pytest

from vpclab_helpers import DEFAULT_ACCOUNT, aws_error, create_network, f, tags_of

DEFAULT_FORMAT = ("${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
                  "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}")
ROLE = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/flow-logs"
BUCKET = "arn:aws:s3:::flow-bucket/prefix/"


def _s3(ec2, resource_id, resource_type="VPC", traffic="ALL", **kw):
    return ec2.create_flow_logs(ResourceType=resource_type, ResourceIds=[resource_id], TrafficType=traffic,
                                LogDestinationType="s3", LogDestination=kw.pop("LogDestination", BUCKET), **kw)


def _get(ec2, fl_id):
    return ec2.describe_flow_logs(FlowLogIds=[fl_id])["FlowLogs"][0]


def test_s3_flow_log_lifecycle(ec2):
    net = create_network(ec2, igw=False)
    out = _s3(ec2, net.vpc_id, TagSpecifications=[
        {"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": "audit"}]}])
    assert out["Unsuccessful"] == []
    [fl_id] = out["FlowLogIds"]
    assert fl_id.startswith("fl-")

    fl = _get(ec2, fl_id)
    assert fl["ResourceId"] == net.vpc_id
    assert fl["TrafficType"] == "ALL"
    assert fl["LogDestinationType"] == "s3"
    assert fl["LogDestination"] == BUCKET
    assert fl["LogFormat"] == DEFAULT_FORMAT
    assert fl["MaxAggregationInterval"] == 600
    assert fl["FlowLogStatus"] == "ACTIVE"
    assert fl["DeliverLogsStatus"] == "SUCCESS"
    assert fl["DestinationOptions"] == {"FileFormat": "plain-text", "HiveCompatiblePartitions": False,
                                        "PerHourPartition": False}
    assert "LogGroupName" not in fl
    assert tags_of(fl) == {"Name": "audit"}
    assert fl["CreationTime"].year >= 2024

    # Tags through the generic operations.
    ec2.create_tags(Resources=[fl_id], Tags=[{"Key": "team", "Value": "net"}])
    assert tags_of(_get(ec2, fl_id)) == {"Name": "audit", "team": "net"}
    tags = ec2.describe_tags(Filters=[f("resource-type", "vpc-flow-log")])["Tags"]
    assert {t["ResourceId"] for t in tags} == {fl_id}

    assert ec2.delete_flow_logs(FlowLogIds=[fl_id])["Unsuccessful"] == []
    assert ec2.describe_flow_logs(FlowLogIds=[fl_id])["FlowLogs"] == []


def test_cloud_watch_flow_log_with_custom_format(ec2):
    net = create_network(ec2, igw=False)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    fmt = "${version} ${interface-id} ${srcaddr} ${dstaddr} ${action} ${flow-direction} ${reject-reason}"
    out = ec2.create_flow_logs(ResourceType="NetworkInterface", ResourceIds=[eni], TrafficType="REJECT",
                               LogGroupName="rejects", DeliverLogsPermissionArn=ROLE,
                               MaxAggregationInterval=60, LogFormat=fmt)
    fl = _get(ec2, out["FlowLogIds"][0])
    assert fl["LogDestinationType"] == "cloud-watch-logs"
    assert fl["LogGroupName"] == "rejects"
    assert fl["LogDestination"] == f"arn:aws:logs:us-east-1:{DEFAULT_ACCOUNT}:log-group:rejects"
    assert fl["DeliverLogsPermissionArn"] == ROLE
    assert fl["LogFormat"] == fmt
    assert fl["MaxAggregationInterval"] == 60
    assert "DestinationOptions" not in fl

    # By ARN, as Terraform sends it (a trailing ":*" is dropped).
    out = ec2.create_flow_logs(ResourceType="Subnet", ResourceIds=[net.subnet_id], TrafficType="ALL",
                               LogDestinationType="cloud-watch-logs",
                               LogDestination=f"arn:aws:logs:us-east-1:{DEFAULT_ACCOUNT}:log-group:/vpc/flows:*",
                               DeliverLogsPermissionArn=ROLE)
    fl = _get(ec2, out["FlowLogIds"][0])
    assert fl["LogGroupName"] == "/vpc/flows"

    # The interface's flow log goes away with the interface.
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert ec2.describe_flow_logs(Filters=[f("resource-id", eni)])["FlowLogs"] == []


def test_unsuccessful_items(ec2):
    net = create_network(ec2, igw=False)
    _s3(ec2, net.vpc_id)
    out = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[net.vpc_id, "vpc-0123456789abcdef0"],
                               TrafficType="ALL", LogDestinationType="s3", LogDestination=BUCKET)
    assert out["FlowLogIds"] == []
    errors = {u["ResourceId"]: u["Error"]["Code"] for u in out["Unsuccessful"]}
    assert errors == {net.vpc_id: "FlowLogAlreadyExists", "vpc-0123456789abcdef0": "InvalidVpcID.NotFound"}

    out = ec2.create_flow_logs(ResourceType="TransitGateway", ResourceIds=["tgw-0123456789abcdef0"],
                               LogDestinationType="s3", LogDestination=BUCKET)
    assert out["Unsuccessful"][0]["Error"]["Code"] == "InvalidTransitGatewayID.NotFound"

    out = ec2.delete_flow_logs(FlowLogIds=["fl-0123456789abcdef0"])
    assert out["Unsuccessful"][0]["Error"]["Code"] == "InvalidFlowLogId.NotFound"
    assert out["Unsuccessful"][0]["ResourceId"] == "fl-0123456789abcdef0"


@pytest.mark.parametrize("kw, code", [
    ({"LogFormat": "${version} ${no-such-field}"}, "InvalidParameter"),
    ({"LogFormat": "${version} ${srcaddr} "}, "InvalidParameterValue"),
    ({"MaxAggregationInterval": 300}, "InvalidParameter"),
    ({"LogDestination": "arn:aws:s3:::bucket/AWSLogs/"}, "InvalidParameter"),
    ({"LogDestination": "not-an-arn"}, "InvalidParameter"),
    ({"LogGroupName": "g"}, "InvalidParameter"),
    ({"DeliverLogsPermissionArn": ROLE}, "InvalidParameter"),
])
def test_s3_request_errors(ec2, kw, code):
    net = create_network(ec2, igw=False)
    with aws_error(code):
        _s3(ec2, net.vpc_id, **kw)
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_cloud_watch_request_errors(ec2):
    net = create_network(ec2, igw=False)
    base = dict(ResourceType="VPC", ResourceIds=[net.vpc_id], TrafficType="ALL")
    with aws_error("InvalidParameter"):  # no role
        ec2.create_flow_logs(**base, LogGroupName="g")
    with aws_error("InvalidParameter"):  # neither group nor destination
        ec2.create_flow_logs(**base, DeliverLogsPermissionArn=ROLE)
    with aws_error("InvalidParameter"):  # both
        ec2.create_flow_logs(**base, DeliverLogsPermissionArn=ROLE, LogGroupName="g",
                             LogDestination=f"arn:aws:logs:us-east-1:{DEFAULT_ACCOUNT}:log-group:g")
    with aws_error("InvalidParameter"):  # traffic type required for a VPC
        ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[net.vpc_id], LogGroupName="g",
                             DeliverLogsPermissionArn=ROLE)


def test_filters_and_pagination(ec2):
    net = create_network(ec2, igw=False)
    ids = {}
    for traffic in ("ACCEPT", "REJECT", "ALL"):
        ids[traffic] = _s3(ec2, net.vpc_id, traffic=traffic)["FlowLogIds"][0]
    cwl = ec2.create_flow_logs(ResourceType="Subnet", ResourceIds=[net.subnet_id], TrafficType="ALL",
                               LogGroupName="grp", DeliverLogsPermissionArn=ROLE)["FlowLogIds"][0]

    def found(*filters):
        return {fl["FlowLogId"] for fl in ec2.describe_flow_logs(Filters=list(filters))["FlowLogs"]}

    assert found(f("traffic-type", "REJECT")) == {ids["REJECT"]}
    assert found(f("resource-id", net.vpc_id)) == set(ids.values())
    assert found(f("log-destination-type", "cloud-watch-logs")) == {cwl}
    assert found(f("log-group-name", "grp")) == {cwl}
    assert found(f("flow-log-id", ids["ALL"], cwl)) == {ids["ALL"], cwl}
    assert found(f("deliver-log-status", "SUCCESS")) == set(ids.values()) | {cwl}
    with aws_error("InvalidParameterValue"):
        ec2.describe_flow_logs(Filters=[f("vpc-id", net.vpc_id)])

    pages = ec2.get_paginator("describe_flow_logs").paginate(PaginationConfig={"PageSize": 2})
    seen = [fl["FlowLogId"] for page in pages for fl in page["FlowLogs"]]
    assert sorted(seen) == sorted(list(ids.values()) + [cwl])


def test_cli_create_describe_delete(aws_cli):
    vpc_id = json.loads(aws_cli("ec2", "create-vpc", "--cidr-block", "10.9.0.0/16").stdout)["Vpc"]["VpcId"]
    out = json.loads(aws_cli("ec2", "create-flow-logs", "--resource-type", "VPC", "--resource-ids", vpc_id,
                             "--traffic-type", "ALL", "--log-destination-type", "s3",
                             "--log-destination", "arn:aws:s3:::cli-bucket").stdout)
    [fl_id] = out["FlowLogIds"]
    desc = json.loads(aws_cli("ec2", "describe-flow-logs", "--flow-log-ids", fl_id).stdout)
    assert desc["FlowLogs"][0]["LogFormat"] == DEFAULT_FORMAT
    aws_cli("ec2", "delete-flow-logs", "--flow-log-ids", fl_id)


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_aws_flow_log(endpoint, ec2, tmp_path):
    import test_terraform as tf  # the provider mirror set-up is shared with the main Terraform test

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the aws_flow_log Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_flow_logs", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    s3 = _get(ec2, out["s3_flow_log_id"])
    assert s3["ResourceId"] == out["vpc_id"]
    assert s3["LogDestination"] == "arn:aws:s3:::vpclab-flow-logs/vpc/"
    assert s3["DestinationOptions"] == {"FileFormat": "plain-text", "HiveCompatiblePartitions": True,
                                        "PerHourPartition": True}
    assert s3["LogFormat"] == DEFAULT_FORMAT
    assert tags_of(s3) == {"Name": "vpc-flows"}
    assert out["s3_flow_log_arn"] == f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:vpc-flow-log/{out['s3_flow_log_id']}"
    cwl = _get(ec2, out["cwl_flow_log_id"])
    assert cwl["ResourceId"] == out["subnet_id"]
    assert cwl["LogGroupName"] == "app-rejects"
    assert cwl["TrafficType"] == "REJECT"
    assert cwl["MaxAggregationInterval"] == 60

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    assert ec2.describe_flow_logs()["FlowLogs"] == []
