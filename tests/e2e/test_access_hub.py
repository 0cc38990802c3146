"""Network Access Analyzer on a transit gateway hub and spoke whose traffic between spokes is
inspected: two spoke VPCs and an inspection VPC on one transit gateway, the inspection VPC's
appliance instance (source/destination check off) between them, as AWS's "centralized
inspection" architecture has it. Built with boto3 (model-only resources: no packet leaves the
machine) and asked the guide's kind of scope, "paths between the spokes that do not pass
through the inspection VPC":

1. correctly routed, the scope has no findings; without its exclusion it finds the spoke A →
   spoke B paths, each through the inspection VPC's attachment and the appliance's interface;
   with its source/destination check on, the appliance forwards nothing and nothing is found;
2. misrouted (a direct transit gateway route to spoke B, or spoke B associated with a table
   that routes straight to spoke A), the scope finds the paths that bypass the inspection VPC,
   and only those;
3. the findings agree with one Reachability Analyzer question per (source instance,
   destination instance, port), for ports the spokes' security groups allow and block.

The transit gateway routes as the architecture does: spoke attachments are associated with a
"spoke" table whose only route sends everything to the inspection attachment; the inspection
attachment is associated with a "firewall" table the spokes propagate into. In the inspection
VPC the attachment's subnet routes everything to the appliance, and the appliance's subnet
routes the spokes' blocks back to the transit gateway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from network_helpers import Host, Lab, analyze, tcp
from test_access_findings import analyse_scope, create_scope, ends, reach
from vpclab_helpers import dump

A_CIDR, B_CIDR, INSPECTION_CIDR = "10.1.0.0/16", "10.2.0.0/16", "10.100.0.0/16"
PROBE_PORTS = [22, 443, 3306, 8080]
ZONE = "us-east-1a"


@dataclass
class Hub:
    tgw: str
    spoke_rtb: str
    firewall_rtb: str
    a: Lab
    b: Lab
    inspection: Lab
    attachment: dict[str, str]  # "a", "b", "inspection" → attachment id
    host_a: Host
    host_b: Host
    appliance: Host


def vpc(ec2, cidr: str) -> Lab:
    """A VPC without an internet gateway (the spokes reach nothing but the transit gateway)."""
    lab = Lab(ec2, cidr=cidr)
    lab.vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    return lab


def attach(ec2, tgw: str, lab: Lab, subnet_id: str, appliance_mode: bool = False) -> str:
    options = {"ApplianceModeSupport": "enable"} if appliance_mode else {}
    return ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=tgw, VpcId=lab.vpc_id, SubnetIds=[subnet_id], Options=options)[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]


def tgw_table(ec2, tgw: str) -> str:
    return ec2.create_transit_gateway_route_table(TransitGatewayId=tgw)["TransitGatewayRouteTable"][
        "TransitGatewayRouteTableId"]


def hub_and_spoke(ec2) -> Hub:
    tgw = ec2.create_transit_gateway(
        Description="inspection hub",
        Options={"DefaultRouteTableAssociation": "disable", "DefaultRouteTablePropagation": "disable"})[
        "TransitGateway"]["TransitGatewayId"]
    spokes, attachment = {}, {}
    for name, n, cidr in (("a", 1, A_CIDR), ("b", 2, B_CIDR)):
        lab = vpc(ec2, cidr)
        workload = lab.subnet("workload", f"10.{n}.1.0/24", public=False, az=ZONE)
        ec2.create_route(RouteTableId=workload.route_table_id, DestinationCidrBlock="0.0.0.0/0", TransitGatewayId=tgw)
        # The attachment's own subnet, as AWS recommends: its table has the local route only.
        attachment[name] = attach(ec2, tgw, lab, lab.subnet("tgw", f"10.{n}.0.0/28", public=False, az=ZONE).subnet_id)
        spokes[name] = lab
    # Spoke A admits SSH from spoke B; spoke B admits SSH, HTTPS and MySQL from spoke A.
    host_a = spokes["a"].host(spokes["a"].subnets["workload"], [spokes["a"].sg("a", tcp(22, B_CIDR))])
    host_b = spokes["b"].host(spokes["b"].subnets["workload"],
                              [spokes["b"].sg("b", tcp(22, A_CIDR), tcp(443, A_CIDR), tcp(3306, A_CIDR))])

    inspection = vpc(ec2, INSPECTION_CIDR)
    tgw_sub = inspection.subnet("tgw", "10.100.0.0/28", public=False, az=ZONE)
    appliance_sub = inspection.subnet("appliance", "10.100.1.0/24", public=False, az=ZONE)
    attachment["inspection"] = attach(ec2, tgw, inspection, tgw_sub.subnet_id, appliance_mode=True)
    # The appliance forwards the well-known TCP ports only: MySQL to spoke B is dropped there.
    appliance_sg = inspection.sg("appliance", tcp(0, "10.0.0.0/8", to=1023))
    appliance = inspection.host(appliance_sub, [appliance_sg])
    ec2.modify_network_interface_attribute(NetworkInterfaceId=appliance.eni_id, SourceDestCheck={"Value": False})
    # Into the inspection VPC: everything to the appliance; from the appliance: the spokes back
    # to the transit gateway.
    ec2.create_route(RouteTableId=tgw_sub.route_table_id, DestinationCidrBlock="0.0.0.0/0",
                     NetworkInterfaceId=appliance.eni_id)
    for cidr in (A_CIDR, B_CIDR):
        ec2.create_route(RouteTableId=appliance_sub.route_table_id, DestinationCidrBlock=cidr, TransitGatewayId=tgw)

    spoke_rtb, firewall_rtb = tgw_table(ec2, tgw), tgw_table(ec2, tgw)
    for name in ("a", "b"):
        ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=spoke_rtb,
                                                  TransitGatewayAttachmentId=attachment[name])
        ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=firewall_rtb,
                                                           TransitGatewayAttachmentId=attachment[name])
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=spoke_rtb, DestinationCidrBlock="0.0.0.0/0",
                                     TransitGatewayAttachmentId=attachment["inspection"])
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=firewall_rtb,
                                              TransitGatewayAttachmentId=attachment["inspection"])
    return Hub(tgw, spoke_rtb, firewall_rtb, spokes["a"], spokes["b"], inspection, attachment, host_a, host_b,
               appliance)


@pytest.fixture
def hub(ec2) -> Hub:
    return hub_and_spoke(ec2)


def between(source: str, destination: str) -> dict:
    return {"Source": {"ResourceStatement": {"Resources": [source]}},
            "Destination": {"ResourceStatement": {"Resources": [destination]}}}


def not_through(attachment: str) -> list[dict]:
    return [{"ThroughResources": [{"ResourceStatement": {"Resources": [attachment]}}]}]


def attachment_arn(attachment: str) -> str:
    return f"arn:aws:ec2:us-east-1:123456789012:transit-gateway-attachment/{attachment}"


def component_ids(finding: dict) -> list[str]:
    return [c["Component"]["Id"] for c in finding["FindingComponents"]]


def finding_ports(finding: dict) -> set[int]:
    first = finding["FindingComponents"][0]
    header = first.get("OutboundHeader") or first.get("InboundHeader")
    return {p for r in header["DestinationPortRanges"] for p in PROBE_PORTS if r["From"] <= p <= r["To"]}


def findings(ec2, match_paths: list[dict], exclude_paths: list[dict] | None = None) -> list[dict]:
    _, found = analyse_scope(ec2, create_scope(ec2, match_paths, exclude_paths))
    return found


def test_correctly_routed_spokes_meet_only_through_the_inspection_vpc(ec2, hub, vpclab_binary, endpoint):
    a_to_b = [between(hub.a.vpc_id, hub.b.vpc_id)]
    for inspection in (hub.attachment["inspection"], attachment_arn(hub.attachment["inspection"])):
        bypass = findings(ec2, a_to_b, not_through(inspection))
        assert bypass == [], dump(bypass)

    found = findings(ec2, a_to_b)
    assert found, "spoke A reaches spoke B"
    for f in found:
        ids = component_ids(f)
        assert ends(f) == (hub.host_a.eni_id, hub.host_b.eni_id), ids
        assert hub.attachment["inspection"] in ids and hub.appliance.eni_id in ids, ids
        # Out of spoke A by its attachment, through the spoke table to the inspection VPC, the
        # appliance, back by the firewall table to spoke B's attachment.
        order = [hub.attachment["a"], hub.spoke_rtb, hub.attachment["inspection"], hub.appliance.eni_id,
                 hub.firewall_rtb, hub.attachment["b"]]
        positions = [ids.index(x) for x in order]
        assert positions == sorted(positions), ids
        assert ids.count(hub.attachment["inspection"]) == 2, ids  # in and back out
    # MySQL, which spoke B admits, is dropped by the appliance's group.
    assert sorted(p for f in found for p in finding_ports(f)) == [22, 443], dump(found)
    # The same paths are the ones through the inspection attachment (a match path's through).
    through = [dict(a_to_b[0], ThroughResources=[{"ResourceStatement": {"Resources": [hub.attachment["inspection"]]}}])]
    assert [component_ids(f) for f in findings(ec2, through)] == [component_ids(f) for f in found]
    # `vpclab reach` between the two VPCs says the same.
    out = reach(vpclab_binary, endpoint, "--from", hub.a.vpc_id, "--to", hub.b.vpc_id, "--json")
    assert out.returncode == 0, out.stderr + out.stdout
    answer = json.loads(out.stdout)["findings"]
    assert [[h["component"] for h in f["path"]] for f in answer] == [component_ids(f) for f in found], out.stdout


def test_an_appliance_with_its_source_destination_check_on_forwards_nothing(ec2, hub):
    ec2.modify_network_interface_attribute(NetworkInterfaceId=hub.appliance.eni_id, SourceDestCheck={"Value": True})
    assert findings(ec2, [between(hub.a.vpc_id, hub.b.vpc_id)]) == []
    answer = analyze(ec2, hub.host_a.instance_id, hub.host_b.instance_id, 22)
    assert answer["NetworkPathFound"] is False
    assert {e["ExplanationCode"] for e in answer["Explanations"]} == {"ENI_SOURCE_DEST_CHECK_RESTRICTION"}, dump(answer)


def test_a_direct_route_to_spoke_b_bypasses_inspection(ec2, hub):
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=hub.spoke_rtb, DestinationCidrBlock=B_CIDR,
                                     TransitGatewayAttachmentId=hub.attachment["b"])
    exclusion = not_through(hub.attachment["inspection"])
    bypass = findings(ec2, [between(hub.a.vpc_id, hub.b.vpc_id)], exclusion)
    assert bypass, "the direct route bypasses the inspection VPC"
    for f in bypass:
        ids = component_ids(f)
        assert ends(f) == (hub.host_a.eni_id, hub.host_b.eni_id), ids
        assert hub.attachment["inspection"] not in ids and hub.appliance.eni_id not in ids, ids
        routes = [c["TransitGatewayRouteTableRoute"] for c in f["FindingComponents"]
                  if "TransitGatewayRouteTableRoute" in c]
        assert [(r["DestinationCidr"], r["AttachmentId"]) for r in routes] == [(B_CIDR, hub.attachment["b"])], \
            dump(routes)
    # Spoke B's MySQL too: the appliance that dropped it is not on the way any more.
    assert sorted(p for f in bypass for p in finding_ports(f)) == [22, 443, 3306], dump(bypass)
    # The way back is still inspected: B → A keeps to the default route.
    assert findings(ec2, [between(hub.b.vpc_id, hub.a.vpc_id)], exclusion) == []


def test_spoke_b_on_a_table_straight_to_spoke_a_bypasses_inspection(ec2, hub):
    direct = tgw_table(ec2, hub.tgw)
    ec2.disassociate_transit_gateway_route_table(TransitGatewayRouteTableId=hub.spoke_rtb,
                                                 TransitGatewayAttachmentId=hub.attachment["b"])
    ec2.associate_transit_gateway_route_table(TransitGatewayRouteTableId=direct,
                                              TransitGatewayAttachmentId=hub.attachment["b"])
    ec2.enable_transit_gateway_route_table_propagation(TransitGatewayRouteTableId=direct,
                                                       TransitGatewayAttachmentId=hub.attachment["a"])
    exclusion = not_through(hub.attachment["inspection"])
    bypass = findings(ec2, [between(hub.b.subnets["workload"].subnet_id, hub.a.subnets["workload"].subnet_id)],
                      exclusion)
    assert [(ends(f), finding_ports(f)) for f in bypass] == [((hub.host_b.eni_id, hub.host_a.eni_id), {22})], \
        dump(bypass)
    ids = component_ids(bypass[0])
    assert direct in ids and hub.attachment["inspection"] not in ids and hub.appliance.eni_id not in ids, ids
    assert findings(ec2, [between(hub.a.vpc_id, hub.b.vpc_id)], exclusion) == []


@pytest.mark.parametrize("misrouted", [False, True])
def test_findings_agree_with_reachability_analyzer(ec2, hub, misrouted):
    if misrouted:
        ec2.create_transit_gateway_route(TransitGatewayRouteTableId=hub.spoke_rtb, DestinationCidrBlock=B_CIDR,
                                         TransitGatewayAttachmentId=hub.attachment["b"])
    found = findings(ec2, [between(hub.a.vpc_id, hub.b.vpc_id), between(hub.b.vpc_id, hub.a.vpc_id)])
    hosts = (hub.host_a, hub.host_b)
    for src in hosts:
        for dst in hosts:
            if src is dst:
                continue
            for port in PROBE_PORTS:
                reachable = analyze(ec2, src.instance_id, dst.instance_id, port)["NetworkPathFound"]
                listed = [f for f in found if ends(f) == (src.eni_id, dst.eni_id) and port in finding_ports(f)]
                assert reachable == bool(listed), (src.instance_id, dst.instance_id, port, dump(found))
    # Allowed: A → B on 22 and 443 (and 3306 once the appliance is bypassed), B → A on 22; the
    # rest blocked by the spokes' groups or the appliance's.
    assert sorted((ends(f)[0] == hub.host_a.eni_id, p) for f in found for p in finding_ports(f)) == [
        (False, 22), (True, 22), (True, 443)] + ([(True, 3306)] if misrouted else []), dump(found)
