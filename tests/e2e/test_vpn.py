"""Site-to-site VPN end to end with boto3: virtual private gateways (attach/detach lifecycle
and errors), customer gateways, VPN connections with static routes, route propagation seen in
DescribeRouteTables, and Reachability Analyzer paths from a private instance to an
on-premises address through the gateway (BGP and VPN CloudHub: see netsem vpn_tests)."""

from __future__ import annotations

from vpclab_helpers import aws_error, dump, f, get_rt, wait_until

ON_PREM = "192.168.0.0/16"
ON_PREM_HOST = "192.168.10.5"


def vgw(ec2, **kw) -> str:
    return ec2.create_vpn_gateway(Type="ipsec.1", **kw)["VpnGateway"]["VpnGatewayId"]


def describe_vgw(ec2, vgw_id: str) -> dict:
    [g] = ec2.describe_vpn_gateways(VpnGatewayIds=[vgw_id])["VpnGateways"]
    return g


def test_vpn_gateway_attach_detach_lifecycle_and_errors(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    created = ec2.create_vpn_gateway(
        Type="ipsec.1", AvailabilityZone="us-east-1a",
        TagSpecifications=[{"ResourceType": "vpn-gateway", "Tags": [{"Key": "Name", "Value": "lab"}]}],
    )["VpnGateway"]
    g = created["VpnGatewayId"]
    assert created["State"] == "available" and created["Type"] == "ipsec.1", dump(created)
    assert created["AmazonSideAsn"] == 64512
    assert created["AvailabilityZone"] == "us-east-1a"
    custom_asn = vgw(ec2, AmazonSideAsn=65001)
    with aws_error("InvalidParameterValue"):
        ec2.create_vpn_gateway(Type="ipsec.1", AmazonSideAsn=100)

    att = ec2.attach_vpn_gateway(VpnGatewayId=g, VpcId=vpc)["VpcAttachment"]
    assert att == {"State": "attached", "VpcId": vpc}
    assert describe_vgw(ec2, g)["VpcAttachments"] == [{"State": "attached", "VpcId": vpc}]
    other = vgw(ec2)
    with aws_error("VpnGatewayAttachmentLimitExceeded"):
        ec2.attach_vpn_gateway(VpnGatewayId=other, VpcId=vpc)
    with aws_error("IncorrectState"):
        ec2.delete_vpn_gateway(VpnGatewayId=g)
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc)
    found = ec2.describe_vpn_gateways(Filters=[f("attachment.vpc-id", vpc), f("attachment.state", "attached")])
    assert [x["VpnGatewayId"] for x in found["VpnGateways"]] == [g]
    by_asn = ec2.describe_vpn_gateways(Filters=[f("amazon-side-asn", "65001")])["VpnGateways"]
    assert [x["VpnGatewayId"] for x in by_asn] == [custom_asn]
    by_tag = ec2.describe_vpn_gateways(Filters=[f("tag:Name", "lab")])["VpnGateways"]
    assert [x["VpnGatewayId"] for x in by_tag] == [g]

    ec2.detach_vpn_gateway(VpnGatewayId=g, VpcId=vpc)
    assert describe_vgw(ec2, g)["VpcAttachments"] == [{"State": "detached", "VpcId": vpc}]
    with aws_error("InvalidVpnGatewayAttachment.NotFound"):
        ec2.detach_vpn_gateway(VpnGatewayId=g, VpcId=vpc)
    # Attached at once, without an "attaching" phase to wait out.
    ec2.attach_vpn_gateway(VpnGatewayId=other, VpcId=vpc)
    assert describe_vgw(ec2, other)["VpcAttachments"] == [{"State": "attached", "VpcId": vpc}]
    ec2.delete_vpn_gateway(VpnGatewayId=g)
    with aws_error("InvalidVpnGatewayID.NotFound"):
        ec2.describe_vpn_gateways(VpnGatewayIds=[g])


def test_customer_gateway(ec2):
    cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65010, PublicIp="198.51.100.7",
                                      DeviceName="edge-1")["CustomerGateway"]
    assert cgw["BgpAsn"] == "65010" and cgw["IpAddress"] == "198.51.100.7", dump(cgw)
    assert cgw["State"] == "available" and cgw["DeviceName"] == "edge-1"
    cgw_id = cgw["CustomerGatewayId"]
    found = ec2.describe_customer_gateways(Filters=[f("ip-address", "198.51.100.7")])["CustomerGateways"]
    assert [c["CustomerGatewayId"] for c in found] == [cgw_id]
    with aws_error("InvalidParameterValue"):
        ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65010, IpAddress="not-an-ip")
    ec2.delete_customer_gateway(CustomerGatewayId=cgw_id)
    # AWS lists a deleted customer gateway as `deleted` for a while; it can no longer be used.
    gone = ec2.describe_customer_gateways(CustomerGatewayIds=[cgw_id])["CustomerGateways"]
    assert [c["State"] for c in gone] == ["deleted"]
    with aws_error("InvalidCustomerGatewayID.NotFound"):
        ec2.delete_customer_gateway(CustomerGatewayId=cgw_id)


class Site:
    """A VPC with a private instance (SSH open to on premises), an attached VGW and a
    static-routed VPN connection to 192.168.0.0/16."""

    def __init__(self, ec2):
        self.ec2 = ec2
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
        self.vgw = vgw(ec2)
        ec2.attach_vpn_gateway(VpnGatewayId=self.vgw, VpcId=self.vpc)
        self.cgw = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000,
                                               PublicIp="203.0.113.9")["CustomerGateway"]["CustomerGatewayId"]
        self.conn = ec2.create_vpn_connection(
            Type="ipsec.1", CustomerGatewayId=self.cgw, VpnGatewayId=self.vgw,
            Options={"StaticRoutesOnly": True,
                     "TunnelOptions": [{"TunnelInsideCidr": "169.254.44.0/30", "PreSharedKey": "lab_key_one"}]},
        )["VpnConnection"]
        self.vpn = self.conn["VpnConnectionId"]
        ec2.create_vpn_connection_route(VpnConnectionId=self.vpn, DestinationCidrBlock=ON_PREM)


def analyze(ec2, source: str, destination: str, **kw) -> dict:
    path = ec2.create_network_insights_path(Source=source, Destination=destination, Protocol="tcp",
                                            **kw)["NetworkInsightsPath"]
    nia = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]

    def done():
        [a] = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[nia])["NetworkInsightsAnalyses"]
        return a if a["Status"] != "running" else None

    a = wait_until(done, timeout=10, desc="analysis")
    assert a["Status"] == "succeeded", dump(a)
    return a


def test_vpn_connection_static_routes_and_errors(ec2):
    s = Site(ec2)
    c = s.conn
    assert c["State"] == "available" and c["Type"] == "ipsec.1", dump(c)
    assert c["Options"]["StaticRoutesOnly"] is True
    assert len(c["VgwTelemetry"]) == 2
    assert all(t["Status"] == "UP" for t in c["VgwTelemetry"])
    outside = [t["OutsideIpAddress"] for t in c["VgwTelemetry"]]
    assert len(set(outside)) == 2
    assert c["Options"]["TunnelOptions"][0]["TunnelInsideCidr"] == "169.254.44.0/30"
    config = c["CustomerGatewayConfiguration"]
    assert "<vpn_connection" in config and "lab_key_one" in config and outside[0] in config
    ec2.get_waiter("vpn_connection_available").wait(VpnConnectionIds=[s.vpn])
    [d] = ec2.describe_vpn_connections(VpnConnectionIds=[s.vpn])["VpnConnections"]
    assert d["Routes"] == [{"DestinationCidrBlock": ON_PREM, "Source": "Static", "State": "available"}]
    found = ec2.describe_vpn_connections(Filters=[f("vpn-gateway-id", s.vgw)])["VpnConnections"]
    assert [x["VpnConnectionId"] for x in found] == [s.vpn]
    with aws_error("RouteAlreadyExists"):
        ec2.create_vpn_connection_route(VpnConnectionId=s.vpn, DestinationCidrBlock=ON_PREM)
    with aws_error("InvalidRoute.NotFound"):
        ec2.delete_vpn_connection_route(VpnConnectionId=s.vpn, DestinationCidrBlock="172.16.0.0/12")
    with aws_error("IncorrectState"):
        ec2.delete_customer_gateway(CustomerGatewayId=s.cgw)
    with aws_error("InvalidCustomerGatewayID.NotFound"):
        ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId="cgw-0123456789abcdef0",
                                  VpnGatewayId=s.vgw)
    ec2.delete_vpn_connection_route(VpnConnectionId=s.vpn, DestinationCidrBlock=ON_PREM)
    ec2.delete_vpn_connection(VpnConnectionId=s.vpn)
    with aws_error("InvalidVpnConnectionID.NotFound"):
        ec2.describe_vpn_connections(VpnConnectionIds=[s.vpn])
    ec2.delete_customer_gateway(CustomerGatewayId=s.cgw)


def test_propagation_shows_in_describe_route_tables(ec2):
    s = Site(ec2)
    other = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    other_rt = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    with aws_error("Gateway.NotAttached"):
        ec2.enable_vgw_route_propagation(RouteTableId=other_rt, GatewayId=s.vgw)
    ec2.enable_vgw_route_propagation(RouteTableId=s.rt, GatewayId=s.vgw)
    rt = get_rt(ec2, s.rt)
    assert rt["PropagatingVgws"] == [{"GatewayId": s.vgw}]
    propagated = [r for r in rt["Routes"] if r.get("Origin") == "EnableVgwRoutePropagation"]
    assert propagated == [{"DestinationCidrBlock": ON_PREM, "GatewayId": s.vgw,
                           "Origin": "EnableVgwRoutePropagation", "State": "active"}], dump(rt)
    # A second on-premises block appears as soon as the connection has it.
    ec2.create_vpn_connection_route(VpnConnectionId=s.vpn, DestinationCidrBlock="172.20.0.0/16")
    routes = {r.get("DestinationCidrBlock") for r in get_rt(ec2, s.rt)["Routes"]}
    assert {"172.20.0.0/16", ON_PREM} <= routes
    ec2.disable_vgw_route_propagation(RouteTableId=s.rt, GatewayId=s.vgw)
    rt = get_rt(ec2, s.rt)
    assert rt.get("PropagatingVgws", []) == []
    assert not [r for r in rt["Routes"] if r.get("Origin") == "EnableVgwRoutePropagation"]


def test_static_route_to_a_vgw_checks_the_gateway(ec2):
    s = Site(ec2)
    with aws_error("InvalidVpnGatewayID.NotFound"):
        ec2.create_route(RouteTableId=s.rt, DestinationCidrBlock=ON_PREM, GatewayId="vgw-0123456789abcdef0")
    ec2.create_route(RouteTableId=s.rt, DestinationCidrBlock=ON_PREM, GatewayId=s.vgw)
    ec2.detach_vpn_gateway(VpnGatewayId=s.vgw, VpcId=s.vpc)
    [r] = [r for r in get_rt(ec2, s.rt)["Routes"] if r.get("DestinationCidrBlock") == ON_PREM]
    assert r["State"] == "blackhole"


def test_reachability_from_a_private_instance_to_on_premises(ec2):
    s = Site(ec2)
    to_host = {"FilterAtSource": {"DestinationAddress": ON_PREM_HOST,
                                  "DestinationPortRange": {"FromPort": 443, "ToPort": 443}}}
    a = analyze(ec2, s.instance, s.vgw, **to_host)
    assert a["NetworkPathFound"] is False, dump(a)
    assert "NO_ROUTE_TO_DESTINATION" in [e["ExplanationCode"] for e in a["Explanations"]]

    ec2.enable_vgw_route_propagation(RouteTableId=s.rt, GatewayId=s.vgw)
    a = analyze(ec2, s.instance, s.vgw, **to_host)
    assert a["NetworkPathFound"] is True, dump(a)
    ids = [c["Component"]["Id"] for c in a["ForwardPathComponents"]]
    assert s.vgw in ids and s.vpn in ids, ids
    arns = [c["Component"].get("Arn", "") for c in a["ForwardPathComponents"]]
    assert any(":vpn-gateway/" in x for x in arns), arns

    # And back in: from on premises through the gateway to the instance's SSH port.
    a = analyze(ec2, s.vgw, s.instance, FilterAtSource={
        "SourceAddress": ON_PREM_HOST, "DestinationPortRange": {"FromPort": 22, "ToPort": 22}})
    assert a["NetworkPathFound"] is True, dump(a)


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_vpn(endpoint, ec2, tmp_path):
    import json
    import shutil

    import pytest
    import test_terraform as tf

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the VPN Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_vpn", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    [conn] = ec2.describe_vpn_connections(VpnConnectionIds=[out["vpn_id"]])["VpnConnections"]
    assert conn["State"] == "available"
    assert out["tunnel1_address"] in [t["OutsideIpAddress"] for t in conn["VgwTelemetry"]]
    assert out["tunnel1_cgw_inside_address"] == "169.254.50.2"
    rt = get_rt(ec2, out["rtb_id"])
    assert rt["PropagatingVgws"] == [{"GatewayId": out["vgw_id"]}]
    assert any(r.get("DestinationCidrBlock") == ON_PREM and r.get("Origin") == "EnableVgwRoutePropagation"
               for r in rt["Routes"]), dump(rt)

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    assert ec2.describe_vpn_connections()["VpnConnections"] == []
    assert ec2.describe_vpn_gateways()["VpnGateways"] == []
    assert [c for c in ec2.describe_customer_gateways()["CustomerGateways"] if c["State"] != "deleted"] == []
