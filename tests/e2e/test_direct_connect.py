"""AWS Direct Connect end to end with boto3 and the AWS CLI (awsJson 1.1, `OvertureService.*`):
locations, connections, LAGs, private/public/transit virtual interfaces with BGP peers, Direct
Connect gateways and their associations with a virtual private gateway, tags, errors; then the
engine: a private instance reaches an on-premises address advertised by a private virtual
interface (tag `vpclab:advertised-cidrs`) through the VGW and the Direct Connect gateway, seen by
POST /_vpclab/trace and by the Reachability Analyzer."""

from __future__ import annotations

import json

import pytest
import requests
from botocore.exceptions import ClientError

from vpclab_helpers import aws_error, dump, get_rt, sign_headers, wait_until

ON_PREM = "172.16.0.0/16"
ON_PREM_HOST = "172.16.8.9"
ADVERTISED = "vpclab:advertised-cidrs"


@pytest.fixture
def dx(client_factory):
    return client_factory("directconnect")


def client_error(code: str = "DirectConnectClientException", fragment: str | None = None):
    """Expect a Direct Connect error with this code (and message fragment)."""

    class _Check:
        def __enter__(self):
            self.cm = pytest.raises(ClientError)
            self.ei = self.cm.__enter__()
            return self.ei

        def __exit__(self, *exc):
            handled = self.cm.__exit__(*exc)
            e = self.ei.value
            assert e.response["Error"]["Code"] == code, e.response
            assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            if fragment is not None:
                assert fragment in e.response["Error"]["Message"], e.response
            return handled

    return _Check()


class Site:
    """A VPC with a private instance (SSH open to on premises), an attached VGW propagating into
    the instance's route table, a Direct Connect connection, a Direct Connect gateway with a
    private VIF advertising 172.16.0.0/16, associated with the VGW."""

    def __init__(self, ec2, dx, associate: bool = True):
        self.vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnet = ec2.create_subnet(VpcId=self.vpc, CidrBlock="10.0.1.0/24",
                                        AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
        self.rt = ec2.create_route_table(VpcId=self.vpc)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=self.rt, SubnetId=self.subnet)
        sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=self.vpc)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": ON_PREM}]}])
        self.instance = ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1,
                                          MaxCount=1, SubnetId=self.subnet,
                                          SecurityGroupIds=[sg])["Instances"][0]["InstanceId"]
        self.vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
        ec2.attach_vpn_gateway(VpnGatewayId=self.vgw, VpcId=self.vpc)
        ec2.enable_vgw_route_propagation(RouteTableId=self.rt, GatewayId=self.vgw)

        self.conn = dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName="dc-1")
        self.dxgw = dx.create_direct_connect_gateway(directConnectGatewayName="hub",
                                                     amazonSideAsn=64700)["directConnectGateway"]
        self.vif = dx.create_private_virtual_interface(
            connectionId=self.conn["connectionId"],
            newPrivateVirtualInterface={
                "virtualInterfaceName": "to-hub", "vlan": 101, "asn": 65010,
                "directConnectGatewayId": self.dxgw["directConnectGatewayId"],
                "tags": [{"key": ADVERTISED, "value": ON_PREM}],
            })
        self.association = None
        if associate:
            self.association = dx.create_direct_connect_gateway_association(
                directConnectGatewayId=self.dxgw["directConnectGatewayId"], gatewayId=self.vgw,
            )["directConnectGatewayAssociation"]


def test_locations_connections_and_lags(dx):
    locations = dx.describe_locations()["locations"]
    codes = [loc["locationCode"] for loc in locations]
    assert "EqDC2" in codes and all(loc["region"] == "us-east-1" for loc in locations), locations
    assert "10Gbps" in locations[0]["availablePortSpeeds"]

    c = dx.create_connection(location="EqDC2", bandwidth="10Gbps", connectionName="primary",
                             tags=[{"key": "team", "value": "net"}])
    assert c["connectionId"].startswith("dxcon-") and c["connectionState"] == "available", c
    assert c["ownerAccount"] == "123456789012" and c["region"] == "us-east-1"
    assert c["tags"] == [{"key": "team", "value": "net"}]
    [found] = dx.describe_connections(connectionId=c["connectionId"])["connections"]
    assert found["connectionName"] == "primary" and found["bandwidth"] == "10Gbps"
    assert isinstance(found["loaIssueTime"].year, int)  # epoch seconds decoded as a datetime

    with client_error(fragment="Could not find Connection with ID dxcon-zzzzzzzz"):
        dx.describe_connections(connectionId="dxcon-zzzzzzzz")
    with client_error():
        dx.create_connection(location="Atlantis", bandwidth="1Gbps", connectionName="x")
    with client_error():
        dx.create_connection(location="EqDC2", bandwidth="7Gbps", connectionName="x")
    with client_error("DuplicateTagKeysException"):
        dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName="x",
                             tags=[{"key": "a", "value": "1"}, {"key": "a", "value": "2"}])
    with client_error("TooManyTagsException"):
        dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName="x",
                             tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])

    lag = dx.create_lag(numberOfConnections=2, location="EqDC2", connectionsBandwidth="10Gbps",
                        lagName="bundle")
    assert lag["lagState"] == "available" and len(lag["connections"]) == 2, lag
    moved = dx.associate_connection_with_lag(connectionId=c["connectionId"], lagId=lag["lagId"])
    assert moved["lagId"] == lag["lagId"]
    [described] = dx.describe_lags(lagId=lag["lagId"])["lags"]
    assert described["numberOfConnections"] == 3
    with client_error(fragment="Could not find Lag with ID"):
        dx.describe_lags(lagId="dxlag-zzzzzzzz")
    assert dx.delete_lag(lagId=lag["lagId"])["lagState"] == "deleted"
    assert dx.describe_connections()["connections"] == []


def test_virtual_interfaces_bgp_peers_and_errors(ec2, dx):
    s = Site(ec2, dx, associate=False)
    vif = s.vif
    assert vif["virtualInterfaceId"].startswith("dxvif-"), vif
    assert vif["virtualInterfaceType"] == "private" and vif["virtualInterfaceState"] == "available"
    assert vif["amazonSideAsn"] == 64700 and vif["asn"] == 65010 and vif["vlan"] == 101
    assert vif["amazonAddress"].startswith("169.254.") and vif["customerAddress"].startswith("169.254.")
    [peer] = vif["bgpPeers"]
    assert peer["bgpStatus"] == "up" and peer["bgpPeerState"] == "available"
    conn = s.conn["connectionId"]

    with client_error(fragment="VLAN 101"):
        dx.create_private_virtual_interface(connectionId=conn, newPrivateVirtualInterface={
            "virtualInterfaceName": "dup", "vlan": 101, "asn": 65010, "virtualGatewayId": s.vgw})
    with client_error():
        dx.create_private_virtual_interface(connectionId=conn, newPrivateVirtualInterface={
            "virtualInterfaceName": "bad", "vlan": 5000, "asn": 65010, "virtualGatewayId": s.vgw})
    with client_error():
        dx.create_private_virtual_interface(connectionId=conn, newPrivateVirtualInterface={
            "virtualInterfaceName": "none", "vlan": 102, "asn": 65010})
    with client_error(fragment="Could not find Connection"):
        dx.create_private_virtual_interface(connectionId="dxcon-zzzzzzzz", newPrivateVirtualInterface={
            "virtualInterfaceName": "x", "vlan": 102, "asn": 65010, "virtualGatewayId": s.vgw})
    with client_error(fragment="does not exist"):
        dx.create_private_virtual_interface(connectionId=conn, newPrivateVirtualInterface={
            "virtualInterfaceName": "x", "vlan": 102, "asn": 65010,
            "virtualGatewayId": "vgw-0123456789abcdef0"})
    # A transit VIF cannot share the DX gateway with private VIFs.
    with client_error(fragment="private"):
        dx.create_transit_virtual_interface(connectionId=conn, newTransitVirtualInterface={
            "virtualInterfaceName": "t", "vlan": 103, "asn": 65010,
            "directConnectGatewayId": s.dxgw["directConnectGatewayId"]})
    public = dx.create_public_virtual_interface(connectionId=conn, newPublicVirtualInterface={
        "virtualInterfaceName": "pub", "vlan": 104, "asn": 65010,
        "amazonAddress": "203.0.113.1/30", "customerAddress": "203.0.113.2/30",
        "routeFilterPrefixes": [{"cidr": "203.0.113.0/24"}]})
    assert public["virtualInterfaceType"] == "public"
    assert public["routeFilterPrefixes"] == [{"cidr": "203.0.113.0/24"}]

    with_v6 = dx.create_bgp_peer(virtualInterfaceId=vif["virtualInterfaceId"],
                                 newBGPPeer={"asn": 65010, "addressFamily": "ipv6"})["virtualInterface"]
    assert [p["addressFamily"] for p in with_v6["bgpPeers"]] == ["ipv4", "ipv6"]
    with client_error():
        dx.create_bgp_peer(virtualInterfaceId=vif["virtualInterfaceId"],
                           newBGPPeer={"asn": 65010, "addressFamily": "ipv6"})
    v6 = with_v6["bgpPeers"][1]["bgpPeerId"]
    after = dx.delete_bgp_peer(virtualInterfaceId=vif["virtualInterfaceId"], bgpPeerId=v6)["virtualInterface"]
    assert len(after["bgpPeers"]) == 1
    with client_error():
        dx.delete_bgp_peer(virtualInterfaceId=vif["virtualInterfaceId"], bgpPeerId=peer["bgpPeerId"])

    listed = dx.describe_virtual_interfaces(connectionId=conn)["virtualInterfaces"]
    assert sorted(v["virtualInterfaceName"] for v in listed) == ["pub", "to-hub"]
    with client_error(fragment="has virtual interface"):
        dx.delete_connection(connectionId=conn)
    deleted = dx.delete_virtual_interface(virtualInterfaceId=public["virtualInterfaceId"])
    assert deleted["virtualInterfaceState"] == "deleted"


def test_gateways_associations_and_tags(ec2, dx):
    s = Site(ec2, dx)
    gw = s.dxgw
    assert gw["directConnectGatewayState"] == "available" and gw["amazonSideAsn"] == 64700
    a = s.association
    assert a["associationState"] == "associated", a
    assert a["associatedGateway"] == {"id": s.vgw, "type": "virtualPrivateGateway",
                                      "ownerAccount": "123456789012", "region": "us-east-1"}
    assert a["allowedPrefixesToDirectConnectGateway"] == [{"cidr": "10.0.0.0/16"}]
    assert a["virtualGatewayId"] == s.vgw
    found = dx.describe_direct_connect_gateway_associations(
        directConnectGatewayId=gw["directConnectGatewayId"])["directConnectGatewayAssociations"]
    assert [x["associationId"] for x in found] == [a["associationId"]]
    by_vgw = dx.describe_direct_connect_gateway_associations(virtualGatewayId=s.vgw)
    assert len(by_vgw["directConnectGatewayAssociations"]) == 1
    assert dx.describe_virtual_gateways()["virtualGateways"] == [
        {"virtualGatewayId": s.vgw, "virtualGatewayState": "available"}]

    updated = dx.update_direct_connect_gateway_association(
        associationId=a["associationId"],
        addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.1.0/24"}, {"cidr": "10.50.0.0/16"}],
        removeAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.0.0.0/16"}],
    )["directConnectGatewayAssociation"]
    assert sorted(p["cidr"] for p in updated["allowedPrefixesToDirectConnectGateway"]) == [
        "10.0.1.0/24", "10.50.0.0/16"]

    with client_error(fragment="already associated"):
        dx.create_direct_connect_gateway_association(
            directConnectGatewayId=gw["directConnectGatewayId"], gatewayId=s.vgw)
    with client_error(fragment="does not exist"):
        dx.create_direct_connect_gateway_association(
            directConnectGatewayId=gw["directConnectGatewayId"], gatewayId="vgw-0123456789abcdef0")
    with client_error(fragment="does not exist"):
        dx.create_direct_connect_gateway_association(
            directConnectGatewayId=gw["directConnectGatewayId"], gatewayId="tgw-0123456789abcdef0",
            addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.9.0.0/16"}])
    tgw = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    with client_error(fragment="private virtual interfaces"):
        dx.create_direct_connect_gateway_association(
            directConnectGatewayId=gw["directConnectGatewayId"], gatewayId=tgw,
            addAllowedPrefixesToDirectConnectGateway=[{"cidr": "10.9.0.0/16"}])
    with client_error(fragment="does not exist"):
        dx.create_direct_connect_gateway_association(
            directConnectGatewayId="5f294f92-bafb-4011-916d-9b0b00000000", gatewayId=s.vgw)
    with client_error():
        dx.create_direct_connect_gateway(directConnectGatewayName="bad", amazonSideAsn=7224)
    with client_error(fragment="associated"):
        dx.delete_direct_connect_gateway(directConnectGatewayId=gw["directConnectGatewayId"])
    with aws_error("IncorrectState"):
        ec2.delete_vpn_gateway(VpnGatewayId=s.vgw)

    # Tags by ARN.
    arn = f"arn:aws:directconnect::123456789012:dx-gateway/{gw['directConnectGatewayId']}"
    dx.tag_resource(resourceArn=arn, tags=[{"key": "Name", "value": "hub"}])
    vif_arn = f"arn:aws:directconnect:us-east-1:123456789012:dxvif/{s.vif['virtualInterfaceId']}"
    tags = dx.describe_tags(resourceArns=[arn, vif_arn])["resourceTags"]
    assert tags[0] == {"resourceArn": arn, "tags": [{"key": "Name", "value": "hub"}]}
    assert tags[1]["tags"] == [{"key": ADVERTISED, "value": ON_PREM}]
    dx.untag_resource(resourceArn=arn, tagKeys=["Name"])
    assert dx.describe_tags(resourceArns=[arn])["resourceTags"][0]["tags"] == []
    with client_error("DuplicateTagKeysException"):
        dx.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "a"}])
    with client_error(fragment="does not exist"):
        dx.tag_resource(resourceArn="arn:aws:directconnect:us-east-1:123456789012:dxcon/dxcon-zzzzzzzz",
                        tags=[{"key": "a", "value": "1"}])

    gone = dx.delete_direct_connect_gateway_association(
        associationId=a["associationId"])["directConnectGatewayAssociation"]
    assert gone["associationState"] == "disassociated"
    with client_error(fragment="does not exist"):
        dx.delete_direct_connect_gateway_association(associationId=a["associationId"])
    dx.delete_virtual_interface(virtualInterfaceId=s.vif["virtualInterfaceId"])
    deleted = dx.delete_direct_connect_gateway(
        directConnectGatewayId=gw["directConnectGatewayId"])["directConnectGateway"]
    assert deleted["directConnectGatewayState"] == "deleted"
    assert dx.describe_direct_connect_gateways(
        directConnectGatewayId=gw["directConnectGatewayId"])["directConnectGateways"] == []
    dx.delete_connection(connectionId=s.conn["connectionId"])


def test_on_premises_reachability_over_direct_connect(endpoint, ec2, dx):
    s = Site(ec2, dx)
    # The VGW propagates the prefix the VIF advertises into the route table.
    rt = get_rt(ec2, s.rt)
    propagated = [r for r in rt["Routes"] if r.get("Origin") == "EnableVgwRoutePropagation"]
    assert propagated == [{"DestinationCidrBlock": ON_PREM, "GatewayId": s.vgw,
                           "Origin": "EnableVgwRoutePropagation", "State": "active"}], dump(rt)

    answer = requests.post(f"{endpoint}/_vpclab/trace", json={
        "from": s.instance, "to": ON_PREM_HOST, "protocol": "tcp", "port": 443}, timeout=10).json()
    assert answer["reachable"] is True, json.dumps(answer, indent=1)
    ids = [h["component"] for h in answer["forward"]]
    assert ids[-3:] == [s.vgw, s.dxgw["directConnectGatewayId"], s.vif["virtualInterfaceId"]], ids
    kinds = [h["kind"] for h in answer["forward"]][-2:]
    assert kinds == ["Direct Connect gateway", "Direct Connect virtual interface"], kinds

    # Reachability Analyzer: from the instance to the VGW, for the on-premises host.
    path = ec2.create_network_insights_path(
        Source=s.instance, Destination=s.vgw, Protocol="tcp",
        FilterAtSource={"DestinationAddress": ON_PREM_HOST,
                        "DestinationPortRange": {"FromPort": 443, "ToPort": 443}})["NetworkInsightsPath"]
    nia = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]

    def done():
        [a] = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[nia])["NetworkInsightsAnalyses"]
        return a if a["Status"] != "running" else None

    a = wait_until(done, timeout=10, desc="analysis")
    assert a["Status"] == "succeeded" and a["NetworkPathFound"] is True, dump(a)
    components = [c["Component"]["Id"] for c in a["ForwardPathComponents"]]
    assert s.vif["virtualInterfaceId"] in components, components

    # Without the association the VGW learns nothing: no route any more.
    dx.delete_direct_connect_gateway_association(associationId=s.association["associationId"])
    answer = requests.post(f"{endpoint}/_vpclab/trace", json={
        "from": s.instance, "to": ON_PREM_HOST, "protocol": "tcp", "port": 443}, timeout=10).json()
    assert answer["reachable"] is False
    assert "NO_ROUTE_TO_DESTINATION" in json.dumps(answer)


def test_wire_errors_are_json(endpoint):
    body = b'{"connectionId": 5}'
    headers = sign_headers(endpoint, body, service="directconnect",
                           content_type="application/x-amz-json-1.1")
    headers["X-Amz-Target"] = "OvertureService.DescribeConnections"
    r = requests.post(endpoint + "/", data=body, headers=headers, timeout=10)
    assert r.status_code == 400 and r.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert r.json()["__type"] == "SerializationException", r.text
    headers = sign_headers(endpoint, b"{}", service="directconnect",
                           content_type="application/x-amz-json-1.1")
    headers["X-Amz-Target"] = "OvertureService.NoSuchOperation"
    r = requests.post(endpoint + "/", data=b"{}", headers=headers, timeout=10)
    assert r.status_code == 400 and r.json()["__type"] == "UnknownOperationException", r.text
    headers = sign_headers(endpoint, b"{}", service="directconnect",
                           content_type="application/x-amz-json-1.1")
    headers["X-Amz-Target"] = "OvertureService.DeleteLag"
    r = requests.post(endpoint + "/", data=b"{}", headers=headers, timeout=10)
    assert r.status_code == 400 and r.json()["__type"] == "DirectConnectClientException", r.text
    assert "lagId" in r.json()["message"]


def test_aws_cli_describe_connections(aws_cli, dx):
    c = dx.create_connection(location="CSVA1", bandwidth="1Gbps", connectionName="cli")
    out = aws_cli("directconnect", "describe-connections")
    assert [x["connectionId"] for x in out.json["connections"]] == [c["connectionId"]]
    failed = aws_cli("directconnect", "describe-connections", "--connection-id", "dxcon-zzzzzzzz",
                     check=False)
    assert failed.returncode != 0 and "DirectConnectClientException" in failed.stderr
