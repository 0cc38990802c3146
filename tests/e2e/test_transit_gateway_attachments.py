"""Transit gateway attachments other than VPCs, end to end with boto3: a VPN connection ending on
a transit gateway (and `vpclab trace` to an on-premises host through it, and back), a Direct
Connect gateway associated with a transit gateway, a peering between gateways of two regions
and two accounts (accepted, static routes both ways, a trace across), prefix-list references,
flow logs for a gateway, and the documented errors."""

from __future__ import annotations

import json
import subprocess

import requests

from vpclab_helpers import aws_error, dump, f, run_instance

ON_PREM = "192.168.0.0/16"
ON_PREM_HOST = "192.168.10.10"


def gateway(ec2) -> tuple[str, str]:
    g = ec2.create_transit_gateway()["TransitGateway"]
    return g["TransitGatewayId"], g["Options"]["AssociationDefaultRouteTableId"]


def spoke(ec2, tgw: str, cidr: str, subnet_cidr: str, zone: str, peer_cidr: str = "10.0.0.0/8") -> dict:
    """A VPC with a subnet, a web instance admitting 443 from `peer_cidr` and on premises, a
    route for `peer_cidr` and on premises to the gateway, attached to the gateway."""
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock=subnet_cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
         "IpRanges": [{"CidrIp": peer_cidr}, {"CidrIp": ON_PREM}]}])
    instance = run_instance(ec2, subnet, SecurityGroupIds=[sg])["InstanceId"]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    [rtb] = ec2.describe_route_tables(Filters=[f("vpc-id", vpc)])["RouteTables"]
    for dest in (peer_cidr, ON_PREM):
        ec2.create_route(RouteTableId=rtb["RouteTableId"], DestinationCidrBlock=dest, TransitGatewayId=tgw)
    return {"vpc": vpc, "subnet": subnet, "instance": instance, "attachment": att}


def trace(endpoint: str, **body) -> dict:
    r = requests.post(f"{endpoint}/_vpclab/trace", json={"protocol": "tcp", "port": 443, **body}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_vpn_attachment_reaches_on_premises_and_back(ec2, endpoint, vpclab_binary):
    tgw, rtb = gateway(ec2)
    s = spoke(ec2, tgw, "10.1.0.0/16", "10.1.1.0/24", "us-east-1a")
    cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, PublicIp="198.51.100.20")[
        "CustomerGateway"]["CustomerGatewayId"]
    vpn = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=cgw, TransitGatewayId=tgw,
                                    Options={"StaticRoutesOnly": True})["VpnConnection"]
    assert vpn["TransitGatewayId"] == tgw and "VpnGatewayId" not in vpn, dump(vpn)
    vpn_id = vpn["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=vpn_id, DestinationCidrBlock=ON_PREM)
    [listed] = ec2.describe_vpn_connections(Filters=[f("transit-gateway-id", tgw)])["VpnConnections"]
    assert listed["VpnConnectionId"] == vpn_id

    [att] = ec2.describe_transit_gateway_attachments(Filters=[f("resource-type", "vpn")])[
        "TransitGatewayAttachments"]
    assert (att["ResourceId"], att["State"], att["TransitGatewayId"]) == (vpn_id, "available", tgw), dump(att)
    assert att["Association"]["TransitGatewayRouteTableId"] == rtb
    [route] = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=rtb,
                                                Filters=[f("attachment.resource-type", "vpn")])["Routes"]
    assert (route["DestinationCidrBlock"], route["Type"]) == (ON_PREM, "propagated"), dump(route)

    # `vpclab trace` to an on-premises host: out by the VPN attachment, the reply in by it.
    out = subprocess.run([str(vpclab_binary), "trace", "--endpoint", endpoint, "--from", s["instance"],
                          "--to", ON_PREM_HOST, "--port", "443", "--json"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr + out.stdout
    answer = json.loads(out.stdout)
    assert answer["reachable"] is True, out.stdout
    forward = [h["component"] for h in answer["forward"]]
    assert forward[-2:] == [att["TransitGatewayAttachmentId"], vpn_id], forward
    back = [h["component"] for h in answer["return"]]
    assert back[:2] == [vpn_id, att["TransitGatewayAttachmentId"]], back

    # From on premises (the attachment as the source) to the instance.
    answer = trace(endpoint, **{"from": att["TransitGatewayAttachmentId"], "source_ip": ON_PREM_HOST,
                                "to": s["instance"]})
    assert answer["reachable"] is True, json.dumps(answer, indent=1)

    with aws_error("IncorrectState"):
        ec2.delete_transit_gateway(TransitGatewayId=tgw)
    ec2.delete_vpn_connection(VpnConnectionId=vpn_id)
    [gone] = ec2.describe_transit_gateway_attachments(
        TransitGatewayAttachmentIds=[att["TransitGatewayAttachmentId"]])["TransitGatewayAttachments"]
    assert gone["State"] == "deleted"
    answer = trace(endpoint, **{"from": s["instance"], "to": ON_PREM_HOST})
    assert answer["reachable"] is False


def test_direct_connect_gateway_attached_to_a_transit_gateway(ec2, client_factory, endpoint):
    dx = client_factory("directconnect")
    tgw, rtb = gateway(ec2)
    s = spoke(ec2, tgw, "10.1.0.0/16", "10.1.1.0/24", "us-east-1a")
    dxgw = dx.create_direct_connect_gateway(directConnectGatewayName="dxgw", amazonSideAsn=64600)[
        "directConnectGateway"]["directConnectGatewayId"]
    assoc = dx.create_direct_connect_gateway_association(
        directConnectGatewayId=dxgw, gatewayId=tgw,
        addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/8"}])["directConnectGatewayAssociation"]
    [att] = ec2.describe_transit_gateway_attachments(Filters=[f("resource-type", "direct-connect-gateway")])[
        "TransitGatewayAttachments"]
    assert (att["ResourceId"], att["TransitGatewayId"], att["State"]) == (dxgw, tgw, "available"), dump(att)

    # A transit virtual interface on the DX gateway advertises the on-premises block.
    conn = dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName="dc")["connectionId"]
    dx.create_transit_virtual_interface(connectionId=conn, newTransitVirtualInterface={
        "virtualInterfaceName": "transit", "vlan": 200, "asn": 65000, "directConnectGatewayId": dxgw,
        "tags": [{"key": "vpclab:advertised-cidrs", "value": ON_PREM}]})
    [route] = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=rtb,
                                                Filters=[f("attachment.resource-type", "direct-connect-gateway")])[
        "Routes"]
    assert route["DestinationCidrBlock"] == ON_PREM, dump(route)
    answer = trace(endpoint, **{"from": s["instance"], "to": ON_PREM_HOST})
    assert answer["reachable"] is True, json.dumps(answer, indent=1)
    assert answer["forward"][-1]["component"] == att["TransitGatewayAttachmentId"]

    dx.delete_direct_connect_gateway_association(associationId=assoc["associationId"])
    [gone] = ec2.describe_transit_gateway_attachments(
        TransitGatewayAttachmentIds=[att["TransitGatewayAttachmentId"]])["TransitGatewayAttachments"]
    assert gone["State"] == "deleted"


def test_peering_across_regions_and_accounts(ec2, client_factory, endpoint):
    west = client_factory("ec2", region="us-west-2", access_key="210987654321")
    tgw_a, rtb_a = gateway(ec2)
    tgw_b, rtb_b = gateway(west)
    a = spoke(ec2, tgw_a, "10.1.0.0/16", "10.1.1.0/24", "us-east-1a")
    b = spoke(west, tgw_b, "10.50.0.0/16", "10.50.1.0/24", "us-west-2a")

    with aws_error("InvalidParameterValue"):
        ec2.create_transit_gateway_peering_attachment(TransitGatewayId=tgw_a, PeerTransitGatewayId=tgw_a,
                                                      PeerAccountId="210987654321", PeerRegion="us-west-2")
    created = ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=tgw_a, PeerTransitGatewayId=tgw_b, PeerAccountId="210987654321", PeerRegion="us-west-2",
        TagSpecifications=[{"ResourceType": "transit-gateway-attachment",
                            "Tags": [{"Key": "Name", "Value": "east-west"}]}])["TransitGatewayPeeringAttachment"]
    pcx = created["TransitGatewayAttachmentId"]
    assert created["State"] == "initiatingRequest"
    [seen] = west.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[pcx])[
        "TransitGatewayPeeringAttachments"]
    assert seen["State"] == "pendingAcceptance", dump(seen)
    assert seen["RequesterTgwInfo"]["TransitGatewayId"] == tgw_a
    assert seen["RequesterTgwInfo"]["Region"] == "us-east-1"
    assert seen["AccepterTgwInfo"]["TransitGatewayId"] == tgw_b
    assert seen["AccepterTgwInfo"]["Region"] == "us-west-2"

    west.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=pcx)
    with aws_error("IncorrectState"):
        west.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=pcx)
    [mine] = ec2.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[pcx])[
        "TransitGatewayPeeringAttachments"]
    assert mine["State"] == "available"
    # The far side sees the same attachment on its own gateway.
    [theirs] = west.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[pcx])[
        "TransitGatewayAttachments"]
    assert (theirs["TransitGatewayId"], theirs["ResourceId"], theirs["ResourceType"]) == (tgw_b, tgw_a, "peering")

    # Static routes both ways; a spoke in us-east-1 reaches a spoke in us-west-2.
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=rtb_a, DestinationCidrBlock="10.50.0.0/16",
                                     TransitGatewayAttachmentId=pcx)
    west.create_transit_gateway_route(TransitGatewayRouteTableId=rtb_b, DestinationCidrBlock="10.1.0.0/16",
                                      TransitGatewayAttachmentId=pcx)
    answer = trace(endpoint, **{"from": a["instance"], "to": b["instance"]})
    assert answer["reachable"] is True, json.dumps(answer, indent=1)
    tables = [h["component"] for h in answer["forward"] if h["component"].startswith("tgw-rtb-")]
    assert tables == [rtb_a, rtb_b], tables

    ec2.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId=pcx)
    with aws_error("InvalidTransitGatewayAttachmentID.NotFound"):
        west.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=pcx)
    with aws_error("InvalidTransitGatewayAttachmentID.NotFound"):
        ec2.delete_transit_gateway_peering_attachment(TransitGatewayAttachmentId="tgw-attach-0123456789abcdef0")
    answer = trace(endpoint, **{"from": a["instance"], "to": b["instance"]})
    assert answer["reachable"] is False


def test_prefix_list_reference_and_flow_logs(ec2):
    tgw, rtb = gateway(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    att = ec2.create_transit_gateway_vpc_attachment(TransitGatewayId=tgw, VpcId=vpc, SubnetIds=[subnet])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    pl = ec2.create_managed_prefix_list(PrefixListName="corp", MaxEntries=5, AddressFamily="IPv4",
                                        Entries=[{"Cidr": "192.168.0.0/16"}, {"Cidr": "172.16.0.0/12"}])[
        "PrefixList"]["PrefixListId"]
    ref = ec2.create_transit_gateway_prefix_list_reference(TransitGatewayRouteTableId=rtb, PrefixListId=pl,
                                                           TransitGatewayAttachmentId=att)[
        "TransitGatewayPrefixListReference"]
    assert ref["TransitGatewayAttachment"]["TransitGatewayAttachmentId"] == att, dump(ref)
    got = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=rtb, Filters=[f("prefix-list-id", pl)])["Routes"]
    assert sorted(r["DestinationCidrBlock"] for r in got) == ["172.16.0.0/12", "192.168.0.0/16"], dump(got)
    assert all(r["PrefixListId"] == pl and r["Type"] == "static" for r in got)
    ec2.modify_transit_gateway_prefix_list_reference(TransitGatewayRouteTableId=rtb, PrefixListId=pl, Blackhole=True)
    [ref] = ec2.get_transit_gateway_prefix_list_references(TransitGatewayRouteTableId=rtb)[
        "TransitGatewayPrefixListReferences"]
    assert ref["Blackhole"] is True and "TransitGatewayAttachment" not in ref, dump(ref)
    ec2.delete_transit_gateway_prefix_list_reference(TransitGatewayRouteTableId=rtb, PrefixListId=pl)
    assert ec2.get_transit_gateway_prefix_list_references(TransitGatewayRouteTableId=rtb)[
        "TransitGatewayPrefixListReferences"] == []

    # Flow logs of the gateway and of an attachment.
    out = ec2.create_flow_logs(ResourceType="TransitGateway", ResourceIds=[tgw, "tgw-0123456789abcdef0"],
                               LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket")
    assert len(out["FlowLogIds"]) == 1
    assert out["Unsuccessful"][0]["Error"]["Code"] == "InvalidTransitGatewayID.NotFound"
    out = ec2.create_flow_logs(ResourceType="TransitGatewayAttachment", ResourceIds=[att],
                               LogDestinationType="s3", LogDestination="arn:aws:s3:::flow-bucket")
    assert out["Unsuccessful"] == [], dump(out)
    logs = ec2.describe_flow_logs(Filter=[f("resource-id", tgw)])["FlowLogs"]
    assert [fl["ResourceId"] for fl in logs] == [tgw]


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_peering_and_vpn_attachments(endpoint, ec2, client_factory, tmp_path):
    import shutil

    import pytest
    import test_terraform as tf

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the transit gateway attachments Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_tgw_attachments", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    [p] = ec2.describe_transit_gateway_peering_attachments(TransitGatewayAttachmentIds=[out["peering_id"]])[
        "TransitGatewayPeeringAttachments"]
    assert p["State"] == "available", dump(p)
    [vpn] = ec2.describe_transit_gateway_attachments(TransitGatewayAttachmentIds=[out["vpn_attachment_id"]])[
        "TransitGatewayAttachments"]
    assert vpn["ResourceType"] == "vpn" and vpn["State"] == "available", dump(vpn)
    [r] = ec2.search_transit_gateway_routes(TransitGatewayRouteTableId=out["east_rtb_id"],
                                            Filters=[f("type", "static")])["Routes"]
    assert (r["DestinationCidrBlock"], r["State"]) == ("10.50.0.0/16", "active"), dump(r)

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    for client in (ec2, client_factory("ec2", region="us-west-2", access_key="210987654321")):
        live = [g for g in client.describe_transit_gateways()["TransitGateways"] if g["State"] != "deleted"]
        assert live == [], dump(live)
