"""Transit gateways end to end with boto3: a hub with three VPCs attached (default route table
association and propagation), a custom route table with association/propagation moved by hand,
SearchTransitGatewayRoutes (propagated, static, blackhole, longest prefix), VPC routes to the
gateway going blackhole when the attachment goes, the documented errors; and a Terraform
hub-and-spoke applied, planned without drift and destroyed."""

from __future__ import annotations

from vpclab_helpers import aws_error, dump, f, get_rt


def spoke(ec2, n: int, zone: str = "us-east-1a") -> tuple[str, str]:
    vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{n}.1.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"]
    return vpc, subnet


def attach(ec2, tgw: str, vpc: str, subnets: list[str], **kw) -> str:
    a = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=subnets, **kw)
    att = a["TransitGatewayVpcAttachment"]
    assert att["State"] == "pending", dump(att)
    return att["TransitGatewayAttachmentId"]


def routes(ec2, rtb: str, *filters: dict) -> list[dict]:
    return ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=rtb, Filters=list(filters))["Routes"]


def test_three_vpcs_on_one_hub(ec2):
    created = ec2.create_transit_gateway(
        Description="hub",
        TagSpecifications=[{"ResourceType": "transit-gateway", "Tags": [{"Key": "Name", "Value": "hub"}]}],
    )["TransitGateway"]
    tgw = created["TransitGatewayId"]
    assert created["State"] == "pending"
    opts = created["Options"]
    assert opts["AmazonSideAsn"] == 64512 and opts["DnsSupport"] == "enable", dump(opts)
    default = opts["AssociationDefaultRouteTableId"]
    assert opts["PropagationDefaultRouteTableId"] == default
    [g] = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"]
    assert g["State"] == "available" and g["Tags"] == [{"Key": "Name", "Value": "hub"}]

    spokes = [spoke(ec2, n) for n in (1, 2, 3)]
    atts = [attach(ec2, tgw, vpc, [subnet]) for vpc, subnet in spokes]
    listed = ec2.describe_transit_gateway_attachments(Filters=[f("transit-gateway-id", tgw)])
    assert sorted(a["TransitGatewayAttachmentId"] for a in listed["TransitGatewayAttachments"]) == sorted(atts)
    for a in listed["TransitGatewayAttachments"]:
        assert a["ResourceType"] == "vpc" and a["State"] == "available", dump(a)
        assert a["Association"] == {"TransitGatewayRouteTableId": default, "State": "associated"}

    # The default table holds one propagated route per VPC.
    got = routes(ec2, default, f("type", "propagated"))
    assert sorted(r["DestinationCidrBlock"] for r in got) == ["10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"]
    by_cidr = {r["DestinationCidrBlock"]: r for r in got}
    assert by_cidr["10.2.0.0/16"]["TransitGatewayAttachments"][0]["ResourceId"] == spokes[1][0]

    # A blackhole static route wins for its more specific prefix.
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=default, DestinationCidrBlock="10.3.7.0/24",
                                     Blackhole=True)
    [r] = routes(ec2, default, f("route-search.longest-prefix-match", "10.3.7.9/32"))
    assert (r["DestinationCidrBlock"], r["State"], r["Type"]) == ("10.3.7.0/24", "blackhole", "static")
    [r] = routes(ec2, default, f("route-search.longest-prefix-match", "10.3.8.9/32"))
    assert r["DestinationCidrBlock"] == "10.3.0.0/16"
    with aws_error("RouteAlreadyExists"):
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=default, DestinationCidrBlock="10.3.7.0/24",
                                         Blackhole=True)

    # Move spoke 3 to its own table, propagating only spoke 1: it then reaches spoke 1 only.
    isolated = ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]
    with aws_error("Resource.AlreadyAssociated"):
        ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=isolated,
                                                  TransitGatewayAttachmentId=atts[2])
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=default,
                                                 TransitGatewayAttachmentId=atts[2])
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=isolated, TransitGatewayAttachmentId=atts[2])
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=isolated,
                                                       TransitGatewayAttachmentId=atts[0])
    with aws_error("TransitGatewayRouteTablePropagation.Duplicate"):
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=isolated,
                                                           TransitGatewayAttachmentId=atts[0])
    assert [r["DestinationCidrBlock"] for r in routes(ec2, isolated, f("state", "active"))] == ["10.1.0.0/16"]
    assoc = ec2.get_transit_gateway_route_table_associations(TransitGatewayRouteTableId=isolated)["Associations"]
    assert [(a["TransitGatewayAttachmentId"], a["State"]) for a in assoc] == [(atts[2], "associated")]
    props = ec2.get_transit_gateway_route_table_propagations(TransitGatewayRouteTableId=isolated)[
        "TransitGatewayRouteTablePropagations"]
    assert [(p["TransitGatewayAttachmentId"], p["State"], p["ResourceId"]) for p in props] == [
        (atts[0], "enabled", spokes[0][0])]
    tables = ec2.describe_transit_gateway_route_tables(Filters=[f("transit-gateway-id", tgw)])[
        "TransitGatewayRouteTables"]
    flags = {t["TransitGatewayRouteTableId"]: t["DefaultAssociationRouteTable"] for t in tables}
    assert flags == {default: True, isolated: False}

    # VPC route tables reach the hub; the route goes blackhole when the attachment goes.
    rtb = ec2.describe_route_tables(Filters=[f("vpc-id", spokes[0][0])])["RouteTables"][0]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/8", TransitGatewayId=tgw)
    [r] = [r for r in get_rt(ec2, rtb)["Routes"] if r.get("TransitGatewayId") == tgw]
    assert r["State"] == "active", dump(r)
    with aws_error("InvalidTransitGatewayID.NotFound"):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.168.0.0/16",
                         TransitGatewayId="tgw-0123456789abcdef0")
    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=atts[0])
    [r] = [r for r in get_rt(ec2, rtb)["Routes"] if r.get("TransitGatewayId") == tgw]
    assert r["State"] == "blackhole", dump(r)
    assert routes(ec2, isolated, f("state", "active")) == []
    [gone] = ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[atts[0]])[
        "TransitGatewayVpcAttachments"]
    assert gone["State"] == "deleted"

    # Teardown order: attachments, then tables with associations, then the gateway.
    with aws_error("IncorrectState"):
        ec2.delete_transit_gateway(TransitGatewayId=tgw)
    with aws_error("IncorrectState"):
        ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=isolated)
    for a in atts[1:]:
        ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=a)
    ec2.delete_transit_gateway_route_table(TransitGatewayRouteTableId=isolated)
    assert ec2.delete_transit_gateway(TransitGatewayId=tgw)["TransitGateway"]["State"] == "deleting"
    [g] = ec2.describe_transit_gateways(TransitGatewayIds=[tgw])["TransitGateways"]
    assert g["State"] == "deleted"
    for _, subnet in spokes:
        ec2.delete_subnet(SubnetId=subnet)


def test_attachment_rules_and_errors(ec2):
    tgw = ec2.create_transit_gateway(Options={"AmazonSideAsn": 65100, "DefaultRouteTableAssociation": "disable",
                                              "DefaultRouteTablePropagation": "disable"})["TransitGateway"]
    assert "AssociationDefaultRouteTableId" not in tgw["Options"], dump(tgw)
    tgw_id = tgw["TransitGatewayId"]
    vpc, a1 = spoke(ec2, 4, "us-east-1a")
    a2 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.2.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b1 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.4.3.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    with aws_error("DuplicateSubnetsInSameZone"):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=[a1, a2])
    with aws_error("InvalidTransitGatewayID.NotFound"):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId="tgw-0123456789abcdef0", VpcId=vpc, SubnetIds=[a1])
    att = attach(ec2, tgw_id, vpc, [a1, b1], Options={"ApplianceModeSupport": "enable"})
    with aws_error("DuplicateTransitGatewayAttachment"):
        ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw_id, VpcId=vpc, SubnetIds=[a2])
    [a] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[att])["TransitGatewayAttachments"]
    assert "Association" not in a, dump(a)
    # The attachment holds an interface in each subnet: the subnet cannot be deleted.
    enis = ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc)])["NetworkInterfaces"]
    assert sorted(e["SubnetId"] for e in enis) == sorted([a1, b1])
    with aws_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=a1)
    ec2.modify_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att, AddSubnetIds=[a2], RemoveSubnetIds=[a1])
    [v] = ec2.describe_transit_gateway_vpc_attachments(TransitGatewayAttachmentIds=[att])[
        "TransitGatewayVpcAttachments"]
    assert sorted(v["SubnetIds"]) == sorted([a2, b1]) and v["Options"]["ApplianceModeSupport"] == "enable"
    ec2.delete_subnet(SubnetId=a1)

    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.search_transit_gateway_routes(TransitGatewayRouteTableId="tgw-rtb-0123456789abcdef0",
                                          Filters=[f("type", "static")])
    with aws_error("InvalidTransitGatewayAttachmentID.NotFound"):
        ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId="tgw-attach-0123456789abcdef0")
    with aws_error("InvalidParameterValue"):
        ec2.create_transit_gateway(Options={"AmazonSideAsn": 100})
    with aws_error("DryRunOperation", status=412):
        ec2.create_transit_gateway(DryRun=True)

    m = ec2.modify_transit_gateway(TransitGatewayId=tgw_id, Description="renamed",
                                   Options={"VpnEcmpSupport": "disable"})["TransitGateway"]
    assert m["Description"] == "renamed" and m["Options"]["VpnEcmpSupport"] == "disable"
    page = ec2.describe_transit_gateways(MaxResults=5)
    assert "NextToken" not in page and tgw_id in [g["TransitGatewayId"] for g in page["TransitGateways"]]

    ec2.delete_transit_gateway_vpc_attachment(TransitGatewayAttachmentId=att)
    ec2.delete_transit_gateway(TransitGatewayId=tgw_id)


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_transit_gateway(endpoint, ec2, tmp_path):
    import json
    import shutil

    import pytest
    import test_terraform as tf

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the transit gateway Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_tgw", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    got = routes(ec2, out["rtb_id"], f("state", "active", "blackhole"))
    summary = sorted((r["DestinationCidrBlock"], r["Type"], r["State"]) for r in got)
    assert summary == [
        ("10.1.0.0/16", "propagated", "active"),
        ("10.2.0.0/16", "propagated", "active"),
        ("10.2.99.0/24", "static", "blackhole"),
        ("172.16.0.0/12", "static", "active"),
    ], dump(got)
    for rtb in out["vpc_rtb_ids"]:
        [r] = [r for r in get_rt(ec2, rtb)["Routes"] if r.get("TransitGatewayId") == out["tgw_id"]]
        assert r["State"] == "active", dump(r)

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    live = [g for g in ec2.describe_transit_gateways()["TransitGateways"] if g["State"] != "deleted"]
    assert live == []
    attachments = ec2.describe_transit_gateway_attachments()["TransitGatewayAttachments"]
    assert all(a["State"] == "deleted" for a in attachments), dump(attachments)
