"""VPC peering connections end to end with boto3: the lifecycle AWS clients rely on
(requester/accepter, both accounts' views, failed on overlapping ranges, deleted stays
visible) and what the engine makes of peered networks through the Network Insights API:
routes both ways reach, a missing return route does not, and a triangle is not transitive."""

from __future__ import annotations

import time

import pytest

from vpclab_helpers import aws_error, dump, wait_until

OTHER_ACCOUNT_KEY = "111122223333"


def vpc(ec2, cidr: str) -> str:
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def peering(ec2, a: str, b: str, **kw) -> dict:
    return ec2.create_vpc_peering_connection(VpcId=a, PeerVpcId=b, **kw)["VpcPeeringConnection"]


def describe(ec2, pcx: str) -> dict:
    [p] = ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=[pcx])["VpcPeeringConnections"]
    return p


def active_peering(ec2, a: str, b: str) -> str:
    pcx = peering(ec2, a, b)["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    return pcx


class Side:
    """A VPC with one subnet (own route table) and one running instance admitting SSH from 10/8."""

    def __init__(self, ec2, cidr: str, subnet: str):
        self.ec2 = ec2
        self.vpc = vpc(ec2, cidr)
        self.cidr = cidr
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock=subnet, AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        self.rt = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=self.rt, SubnetId=self.subnet)
        self.sg = ec2.create_security_group(GroupName="ssh", Description="ssh", VpcId=self.vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=self.sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
        self.instance = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                                          MaxCount=1, SubnetId=self.subnet,
                                          SecurityGroupIds=[self.sg])["Instances"][0]["InstanceId"]

    def route(self, cidr: str, pcx: str) -> None:
        self.ec2.create_route(RouteTableId=self.rt, DestinationCidrBlock=cidr, VpcPeeringConnectionId=pcx)


def analyze(ec2, source: str, destination: str, port: int = 22) -> dict:
    path = ec2.create_network_insights_path(Source=source, Destination=destination, Protocol="tcp",
                                            DestinationPort=port)["NetworkInsightsPath"]
    nia = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]

    def done():
        [a] = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[nia])["NetworkInsightsAnalyses"]
        return a if a["Status"] != "running" else None

    a = wait_until(done, timeout=10, desc="analysis")
    assert a["Status"] == "succeeded", dump(a)
    return a


def codes(a: dict) -> list[str]:
    return [e["ExplanationCode"] for e in a.get("Explanations") or []]


# --------------------------------------------------------------------------- lifecycle


def test_same_account_lifecycle_and_filters(ec2):
    a, b = vpc(ec2, "10.0.0.0/16"), vpc(ec2, "10.1.0.0/16")
    created = peering(ec2, a, b, TagSpecifications=[
        {"ResourceType": "vpc-peering-connection", "Tags": [{"Key": "Name", "Value": "a-b"}]}])
    pcx = created["VpcPeeringConnectionId"]
    assert pcx.startswith("pcx-")
    assert created["Status"]["Code"] == "initiating-request"
    assert created["RequesterVpcInfo"]["VpcId"] == a and created["AccepterVpcInfo"]["VpcId"] == b
    p = describe(ec2, pcx)
    assert p["Status"] == {"Code": "pending-acceptance", "Message": "Pending Acceptance by 123456789012"}
    assert "ExpirationTime" in p
    assert p["AccepterVpcInfo"]["CidrBlock"] == "10.1.0.0/16"
    assert p["AccepterVpcInfo"]["Region"] == "us-east-1"
    with aws_error("VpcPeeringConnectionAlreadyExists"):
        peering(ec2, b, a)
    accepted = ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)["VpcPeeringConnection"]
    assert accepted["Status"]["Code"] == "active"
    for name, value, n in [("status-code", "active", 1), ("requester-vpc-info.vpc-id", a, 1),
                           ("accepter-vpc-info.vpc-id", a, 0), ("tag:Name", "a-b", 1),
                           ("accepter-vpc-info.cidr-block", "10.1.0.0/16", 1)]:
        got = ec2.describe_vpc_peering_connections(Filters=[{"Name": name, "Values": [value]}])
        assert len(got["VpcPeeringConnections"]) == n, (name, dump(got))
    opts = ec2.modify_vpc_peering_connection_options(
        VpcPeeringConnectionId=pcx,
        RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": True})
    assert opts["RequesterPeeringConnectionOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert describe(ec2, pcx)["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)["Return"] is True
    # Deleted connections stay visible for a while, then go.
    assert describe(ec2, pcx)["Status"] == {"Code": "deleted", "Message": "Deleted by 123456789012"}
    with aws_error("InvalidStateTransition"):
        ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with aws_error("OperationNotPermitted"):
        ec2.modify_vpc_peering_connection_options(
            VpcPeeringConnectionId=pcx, RequesterPeeringConnectionOptions={"AllowDnsResolutionFromRemoteVpc": False})


def test_overlapping_ranges_fail_and_bad_ids_are_refused(ec2):
    a, b = vpc(ec2, "10.0.0.0/16"), vpc(ec2, "10.0.128.0/20")
    pcx = peering(ec2, a, b)["VpcPeeringConnectionId"]
    p = describe(ec2, pcx)
    assert p["Status"] == {"Code": "failed",
                           "Message": "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range"}
    with aws_error("InvalidStateTransition"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    with aws_error("InvalidVpcPeeringConnectionID.NotFound"):
        ec2.describe_vpc_peering_connections(VpcPeeringConnectionIds=["pcx-0123456789abcdef0"])
    with aws_error("InvalidVpcPeeringConnectionId.Malformed"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId="pcx-zz")
    with aws_error("InvalidVpcID.NotFound"):
        peering(ec2, "vpc-0123456789abcdef0", a)
    # A route to a peering must name a connection of the table's VPC.
    c = vpc(ec2, "10.2.0.0/16")
    ok = active_peering(ec2, a, c)
    rt = ec2.create_route_table(VpcId=b)["RouteTable"]["RouteTableId"]
    with aws_error("InvalidParameterValue"):
        ec2.create_route(RouteTableId=rt, DestinationCidrBlock="10.2.0.0/16", VpcPeeringConnectionId=ok)


def test_cross_account_request_is_answered_by_the_other_account(ec2, client_factory):
    peer_ec2 = client_factory("ec2", access_key=OTHER_ACCOUNT_KEY)
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(peer_ec2, "10.1.0.0/16")
    pcx = peering(ec2, a, b, PeerOwnerId="111122223333")["VpcPeeringConnectionId"]
    # The request reaches the other account, which alone may accept it.
    theirs = describe(peer_ec2, pcx)
    assert theirs["Status"]["Code"] == "pending-acceptance"
    assert theirs["RequesterVpcInfo"]["OwnerId"] == "123456789012"
    assert theirs["AccepterVpcInfo"]["OwnerId"] == "111122223333"
    with aws_error("OperationNotPermitted"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    peer_ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert describe(ec2, pcx)["Status"]["Code"] == "active"
    # An account that is neither side sees nothing.
    third = client_factory("ec2", access_key="444455556666")
    assert third.describe_vpc_peering_connections()["VpcPeeringConnections"] == []
    # The accepter may tag its side and delete an active connection.
    peer_ec2.create_tags(Resources=[pcx], Tags=[{"Key": "side", "Value": "accepter"}])
    assert describe(peer_ec2, pcx)["Tags"] == [{"Key": "side", "Value": "accepter"}]
    assert describe(ec2, pcx).get("Tags", []) == []  # each side tags its own
    peer_ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert describe(ec2, pcx)["Status"]["Code"] == "deleted"


def test_cross_region_request_is_accepted_in_the_peer_region(ec2, client_factory):
    west = client_factory("ec2", region="us-west-2")
    a = vpc(ec2, "10.0.0.0/16")
    b = vpc(west, "10.1.0.0/16")
    pcx = peering(ec2, a, b, PeerRegion="us-west-2")["VpcPeeringConnectionId"]
    with aws_error("OperationNotPermitted"):
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    west.reject_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    assert describe(ec2, pcx)["Status"]["Code"] == "rejected"
    assert describe(west, pcx)["AccepterVpcInfo"]["Region"] == "us-west-2"


# --------------------------------------------------------------------------- semantics


@pytest.fixture
def peered(ec2):
    a = Side(ec2, "10.0.0.0/16", "10.0.1.0/24")
    b = Side(ec2, "10.1.0.0/16", "10.1.1.0/24")
    pcx = active_peering(ec2, a.vpc, b.vpc)
    return a, b, pcx


def test_routes_both_ways_reach_instance_to_instance(ec2, peered):
    a, b, pcx = peered
    a.route(b.cidr, pcx)
    b.route(a.cidr, pcx)
    [route] = [r for r in ec2.describe_route_tables(RouteTableIds=[a.rt])["RouteTables"][0]["Routes"]
               if r.get("VpcPeeringConnectionId")]
    assert route["State"] == "active"
    an = analyze(ec2, a.instance, b.instance)
    assert an["NetworkPathFound"] is True, dump(an)
    forward = [c["Component"]["Id"] for c in an["ForwardPathComponents"]]
    assert pcx in forward, forward
    hop = next(c for c in an["ForwardPathComponents"] if c["Component"]["Id"] == pcx)
    assert hop["Component"]["Arn"].endswith(f":vpc-peering-connection/{pcx}")


def test_missing_return_route(ec2, peered):
    a, b, pcx = peered
    a.route(b.cidr, pcx)
    an = analyze(ec2, a.instance, b.instance)
    assert an["NetworkPathFound"] is False, dump(an)
    assert "NO_ROUTE_TO_DESTINATION" in codes(an), dump(an)
    # The forward path got there; the reply found no way back.
    assert an["ForwardPathComponents"][-1]["Component"]["Id"] == b.instance


def test_deleted_peering_makes_the_routes_blackholes(ec2, peered):
    a, b, pcx = peered
    a.route(b.cidr, pcx)
    b.route(a.cidr, pcx)
    ec2.delete_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    routes = ec2.describe_route_tables(RouteTableIds=[a.rt])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r.get("VpcPeeringConnectionId")] == ["blackhole"]
    an = analyze(ec2, a.instance, b.instance)
    assert "BAD_STATE_ROUTE" in codes(an), dump(an)


def test_peering_triangle_is_not_transitive(ec2, peered):
    a, b, ab = peered
    c = Side(ec2, "10.2.0.0/16", "10.2.1.0/24")
    bc = active_peering(ec2, b.vpc, c.vpc)
    a.route(b.cidr, ab)
    a.route(c.cidr, ab)          # A tries to reach C through B
    b.route(a.cidr, ab)
    b.route(c.cidr, bc)
    c.route(b.cidr, bc)
    c.route(a.cidr, bc)
    assert analyze(ec2, a.instance, b.instance)["NetworkPathFound"] is True
    assert analyze(ec2, b.instance, c.instance)["NetworkPathFound"] is True
    an = analyze(ec2, a.instance, c.instance)
    assert an["NetworkPathFound"] is False, dump(an)
    assert "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR" in codes(an), dump(an)


def test_rules_may_reference_the_peer_vpc_group(ec2, peered):
    a, b, pcx = peered
    a.route(b.cidr, pcx)
    b.route(a.cidr, pcx)
    db = ec2.create_security_group(GroupName="db", Description="db", VpcId=b.vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": a.sg, "UserId": "123456789012"}]}])
    server = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                               SubnetId=b.subnet, SecurityGroupIds=[db])["Instances"][0]["InstanceId"]
    assert analyze(ec2, a.instance, server, 5432)["NetworkPathFound"] is True
    # A group of an unpeered VPC cannot be named.
    lone = vpc(ec2, "10.9.0.0/16")
    lone_sg = ec2.create_security_group(GroupName="x", Description="x", VpcId=lone)["GroupId"]
    with aws_error("InvalidGroup.NotFound"):
        ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "UserIdGroupPairs": [{"GroupId": lone_sg}]}])


# --------------------------------------------------------------------------- Terraform


def test_terraform_vpc_peering(endpoint, ec2, tmp_path):
    import json
    import shutil

    import test_terraform as tf  # the provider mirror set-up is shared with the main Terraform test

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the VPC peering Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_peering", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}
    assert out["ab_status"] == "active" and out["cross_status"] == "active"
    ab = describe(ec2, out["ab_id"])
    assert ab["RequesterVpcInfo"]["PeeringOptions"]["AllowDnsResolutionFromRemoteVpc"] is True
    assert {t["Key"]: t["Value"] for t in ab["Tags"]} == {"Name": "a-to-b"}
    assert describe(ec2, out["cross_id"])["AccepterVpcInfo"]["OwnerId"] == "111122223333"
    routes = ec2.describe_route_tables(RouteTableIds=[out["route_table_a"]])["RouteTables"][0]["Routes"]
    assert [r["State"] for r in routes if r.get("VpcPeeringConnectionId") == out["ab_id"]] == ["active"]

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    for pcx in (out["ab_id"], out["cross_id"]):
        assert describe(ec2, pcx)["Status"]["Code"] == "deleted"
