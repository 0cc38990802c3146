"""NAT gateways end to end: the API as boto3 and Terraform's aws_nat_gateway use it, and the seeds'
"a private subnet reaches the internet only through a NAT gateway" asked of Reachability Analyzer.

Path shapes through a NAT gateway are vpclab's reading of AWS ([I]: no recorded AWS output was
found); the answers (found / not found) and the codes are AWS's semantics."""

from __future__ import annotations

import json
import shutil

import pytest

from vpclab_helpers import AMI, INSTANCE_TYPE, aws_error, f, tags_of


def _network(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    public_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=public_rt, SubnetId=public)
    ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    private_rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=private_rt, SubnetId=private)
    return vpc, igw, public, private, public_rt, private_rt


def _nat(ec2, subnet, **kw):
    return ec2.create_nat_gateway(SubnetId=subnet, **kw)["NatGateway"]


def test_public_nat_gateway_lifecycle(ec2):
    vpc, _, public, _, _, private_rt = _network(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    created = _nat(ec2, public, AllocationId=eip["AllocationId"],
                   TagSpecifications=[{"ResourceType": "natgateway", "Tags": [{"Key": "Name", "Value": "nat-a"}]}])
    assert created["State"] == "pending"
    nat_id = created["NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1})
    nat = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]
    assert nat["State"] == "available" and nat["ConnectivityType"] == "public"
    assert nat["VpcId"] == vpc and nat["SubnetId"] == public
    assert tags_of(nat) == {"Name": "nat-a"}
    (address,) = nat["NatGatewayAddresses"]
    assert address["AllocationId"] == eip["AllocationId"]
    assert address["PublicIp"] == eip["PublicIp"]
    assert address["IsPrimary"] is True and address["Status"] == "succeeded"
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[address["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["InterfaceType"] == "nat_gateway"
    assert eni["RequesterManaged"] is True
    assert eni["Description"] == f"Interface for NAT Gateway {nat_id}"
    assert eni["PrivateIpAddress"] == address["PrivateIp"]
    described = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert described["NetworkInterfaceId"] == eni["NetworkInterfaceId"]
    assert described["PrivateIpAddress"] == address["PrivateIp"]
    with aws_error("InvalidIPAddress.InUse"):
        ec2.release_address(AllocationId=eip["AllocationId"])
    with aws_error("Resource.AlreadyAssociated"):
        _nat(ec2, public, AllocationId=eip["AllocationId"])

    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    for name, value in [("state", "available"), ("subnet-id", public), ("vpc-id", vpc), ("nat-gateway-id", nat_id),
                        ("tag:Name", "nat-a"), ("tag-key", "Name")]:
        assert [n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=[f(name, value)])["NatGateways"]] == [nat_id]
    with aws_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=public)
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc)

    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat_id], WaiterConfig={"Delay": 1})
    gone = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]
    assert gone["State"] == "deleted" and "DeleteTime" in gone
    route = [r for r in ec2.describe_route_tables(RouteTableIds=[private_rt])["RouteTables"][0]["Routes"]
             if r.get("NatGatewayId") == nat_id][0]
    assert route["State"] == "blackhole"
    assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    ec2.release_address(AllocationId=eip["AllocationId"])


def test_private_nat_gateway_and_errors(ec2):
    _, _, _, private, _, private_rt = _network(ec2)
    nat = _nat(ec2, private, ConnectivityType="private", PrivateIpAddress="10.0.2.50", SecondaryPrivateIpAddressCount=2)
    assert nat["ConnectivityType"] == "private"
    ips = [a["PrivateIp"] for a in nat["NatGatewayAddresses"]]
    assert ips[0] == "10.0.2.50" and len(ips) == 3
    assert all("PublicIp" not in a for a in nat["NatGatewayAddresses"])
    missing = "nat-0123456789abcdef0"
    with aws_error("NatGatewayNotFound"):
        ec2.describe_nat_gateways(NatGatewayIds=[missing])
    with aws_error("NatGatewayNotFound"):
        ec2.delete_nat_gateway(NatGatewayId=missing)
    with aws_error("InvalidNatGatewayID.NotFound"):
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=missing)
    with aws_error("InvalidSubnetID.NotFound"):
        _nat(ec2, "subnet-0123456789abcdef0", ConnectivityType="private")
    with aws_error("InvalidAllocationID.NotFound"):
        _nat(ec2, private, AllocationId="eipalloc-0123456789abcdef0")
    with aws_error("MissingParameter"):
        _nat(ec2, private)
    with aws_error("InvalidParameterCombination"):
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        _nat(ec2, private, ConnectivityType="private", AllocationId=eip)
    for _ in range(4):
        _nat(ec2, private, ConnectivityType="private")
    with aws_error("NatGatewayLimitExceeded"):
        _nat(ec2, private, ConnectivityType="private")
    pages = list(ec2.get_paginator("describe_nat_gateways").paginate(PaginationConfig={"PageSize": 5}))
    assert sum(len(p["NatGateways"]) for p in pages) == 5


# ------------------------------------------------------------------------- Reachability Analyzer

def _analyse(ec2, source, destination=None, port=443, **kw):
    if destination is not None:
        kw["Destination"] = destination
    if "FilterAtSource" in kw:
        kw["FilterAtSource"]["DestinationPortRange"] = {"FromPort": port, "ToPort": port}
    else:
        kw["DestinationPort"] = port
    path = ec2.create_network_insights_path(Source=source, Protocol="tcp", **kw)
    path_id = path["NetworkInsightsPath"]["NetworkInsightsPathId"]
    analysis_id = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"][
        "NetworkInsightsAnalysisId"]
    return ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])[
        "NetworkInsightsAnalyses"][0]


def _codes(analysis):
    return {e["ExplanationCode"] for e in analysis.get("Explanations", [])}


def test_private_subnet_reaches_the_internet_only_through_the_nat_gateway(ec2):
    vpc, igw, public, private, _, private_rt = _network(ec2)
    eip = ec2.allocate_address(Domain="vpc")
    nat_id = _nat(ec2, public, AllocationId=eip["AllocationId"])["NatGatewayId"]
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    app = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1, SubnetId=private,
                            SecurityGroupIds=[sg])["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[app], WaiterConfig={"Delay": 1})

    # Without a route to the NAT gateway the private subnet has no way out.
    a = _analyse(ec2, app, igw)
    assert a["NetworkPathFound"] is False and "NO_ROUTE_TO_DESTINATION" in _codes(a)

    ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id)
    for kw in ({"destination": igw}, {"FilterAtSource": {"DestinationAddress": "8.8.8.8"}}):
        a = _analyse(ec2, app, **kw)
        assert a["Status"] == "succeeded"
        assert a["NetworkPathFound"] is True, a.get("Explanations")
        forward = [c["Component"]["Id"] for c in a["ForwardPathComponents"]]
        assert nat_id in forward and forward[-1] == igw, forward
        nat_hop = next(c for c in a["ForwardPathComponents"] if c["Component"]["Id"] == nat_id)
        assert nat_hop["Component"]["Arn"].endswith(f":natgateway/{nat_id}")
        nat_ip = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"][0]["NatGatewayAddresses"][0]["PrivateIp"]
        assert nat_hop["OutboundHeader"]["SourceAddresses"] == [f"{nat_ip}/32"]
        assert nat_hop["OutboundHeader"]["SourcePortRanges"] == [{"From": 1024, "To": 65535}]
        igw_hop = a["ForwardPathComponents"][-1]
        assert igw_hop["OutboundHeader"]["SourceAddresses"] == [f"{eip['PublicIp']}/32"]
        assert nat_id in [c["Component"]["Id"] for c in a["ReturnPathComponents"]]

    # Nothing from the internet reaches the private instance.
    a = _analyse(ec2, igw, app, port=22)
    assert a["NetworkPathFound"] is False
    assert _codes(a) & {"IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "NO_ROUTE_TO_DESTINATION"}

    # A deleted NAT gateway leaves a blackhole route.
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    a = _analyse(ec2, app, FilterAtSource={"DestinationAddress": "8.8.8.8"})
    assert a["NetworkPathFound"] is False and "BAD_STATE_ROUTE" in _codes(a)


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_aws_nat_gateway(endpoint, ec2, tmp_path):
    import test_terraform as tf

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the aws_nat_gateway Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_nat", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    nat = ec2.describe_nat_gateways(NatGatewayIds=[out["nat_id"]])["NatGateways"][0]
    assert nat["State"] == "available"
    assert nat["NatGatewayAddresses"][0]["PublicIp"] == out["nat_public_ip"]
    assert nat["NatGatewayAddresses"][0]["NetworkInterfaceId"] == out["nat_eni"]
    assert tags_of(nat) == {"Name": "nat-a"}
    private = ec2.describe_nat_gateways(NatGatewayIds=[out["private_nat_id"]])["NatGateways"][0]
    assert private["ConnectivityType"] == "private"

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    states = {n["State"] for n in ec2.describe_nat_gateways()["NatGateways"]}
    assert states <= {"deleted"}
    assert ec2.describe_addresses()["Addresses"] == []
