"""Accounts are isolated, end to end with boto3.

Account A (access key 111111111111) and account B (222222222222) each build one of everything
vpclab serves that is cheap to build (`build_everything`). Then, as B:

(a) every list/describe/get operation vpclab serves that can be called without arguments —
    enumerated from botocore's service models and the operation allow-lists
    (`crates/codegen/operations/*.txt`, which `GET /_vpclab/health` counts) — answers without any
    of A's ids, ARNs or its account number;
(b) every operation that takes an id or ARN is called once for each such parameter with A's
    resource in it (and B's own resources in the other id parameters) and is refused as AWS
    refuses a resource that does not exist (`…NotFound`, `NoSuch…`, Direct Connect's client
    exception, …, or the code AWS gives for another account's resource where it differs);
and A's resources read exactly the same before and after: every read operation, asked by A with
A's ids, answers the same.

The cross-account mechanisms AWS has on purpose (peering requests, transit gateway peering,
Route 53 VPC association authorizations) are left out of (b): B may name A's resource there.

`--max-accounts`: a dedicated server started with `--max-accounts 2` refuses a third account's
every request with the service's authentication error, stores nothing for it, and keeps serving
the two existing accounts after a restart with a lower cap.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

import botocore
import botocore.session
import pytest
import requests
from botocore.exceptions import ClientError

from vpclab_helpers import AMI, INSTANCE_TYPE, REPO_ROOT, VpclabServer, aws_error, make_client

A_KEY = "111111111111"
B_KEY = "222222222222"
REGION = "us-east-1"
CERT = "arn:aws:acm:us-east-1:{account}:certificate/11111111-2222-3333-4444-555555555555"

# The services vpclab serves: allow-list file name → boto3 service name.
SERVICES = {
    "ec2": "ec2",
    "elasticloadbalancing": "elbv2",
    "route53": "route53",
    "route53resolver": "route53resolver",
    "directconnect": "directconnect",
    "sts": "sts",
}


# The operation list of each service (by its signing name), as the code spells the service.
LISTINGS = {"elasticloadbalancing": "elbv2", "route53resolver": "route53_resolver",
            "directconnect": "direct_connect"}


def served_operations(service: str) -> list[str]:
    listing = LISTINGS.get(service, service)
    path = REPO_ROOT / "crates" / "codegen" / "operations" / f"{listing}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


_MODELS: dict[str, Any] = {}


def service_model(service: str):
    if service not in _MODELS:
        _MODELS[service] = botocore.session.get_session().get_service_model(SERVICES[service])
    return _MODELS[service]


def is_read(op: str) -> bool:
    return op.startswith(("Describe", "List", "Get", "Search"))


def required(service: str, op: str) -> list[str]:
    shape = service_model(service).operation_model(op).input_shape
    return list(shape.required_members) if shape else []


def members(service: str, op: str) -> dict[str, Any]:
    shape = service_model(service).operation_model(op).input_shape
    return dict(shape.members) if shape else {}


def no_argument_reads(service: str) -> list[str]:
    return [op for op in served_operations(service) if is_read(op) and not required(service, op)]


class Account:
    """One account's clients and what it built."""

    def __init__(self, endpoint: str, key: str):
        self.key = key
        self.clients = {s: make_client(endpoint, service=b, region=REGION, access_key=key)
                        for s, b in SERVICES.items()}
        self.r: dict[str, Any] = {}
        self.ec2, self.elbv2, self.route53 = (self.clients[s] for s in ("ec2", "elasticloadbalancing", "route53"))
        self.route53resolver, self.directconnect = self.clients["route53resolver"], self.clients["directconnect"]

    def call(self, service: str, op: str, **kw) -> dict:
        client = self.clients[service]
        answer = getattr(client, botocore.xform_name(op))(**kw)
        answer.pop("ResponseMetadata", None)
        return answer


# --------------------------------------------------------------------------- building


def build_everything(x: Account) -> None:
    """One of every resource kind, in x.r by a short key (the keys the walk names)."""
    r, ec2, acct = x.r, x.ec2, x.key
    tag = f"a{acct[:1]}"
    r["vpc"] = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    r["vpc_cidr_assoc"] = ec2.associate_vpc_cidr_block(
        VpcId=r["vpc"], CidrBlock="10.1.0.0/16")["CidrBlockAssociation"]["AssociationId"]
    ec2.associate_vpc_cidr_block(VpcId=r["vpc"], AmazonProvidedIpv6CidrBlock=True)
    v6 = ec2.describe_vpcs(VpcIds=[r["vpc"]])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnet = lambda cidr, az: ec2.create_subnet(VpcId=r["vpc"], CidrBlock=cidr, AvailabilityZone=az)[
        "Subnet"]["SubnetId"]
    r["subnet"], r["subnet2"] = subnet("10.0.1.0/24", "us-east-1a"), subnet("10.0.2.0/24", "us-east-1b")
    r["subnet_cidr_assoc"] = ec2.associate_subnet_cidr_block(
        SubnetId=r["subnet"], Ipv6CidrBlock=v6.replace("::/56", "::/64"))["Ipv6CidrBlockAssociation"][
        "AssociationId"]
    r["igw"] = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=r["igw"], VpcId=r["vpc"])
    r["eigw"] = ec2.create_egress_only_internet_gateway(VpcId=r["vpc"])[
        "EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    r["rtb"] = ec2.create_route_table(VpcId=r["vpc"])["RouteTable"]["RouteTableId"]
    r["rtb_assoc"] = ec2.associate_route_table(RouteTableId=r["rtb"], SubnetId=r["subnet"])["AssociationId"]
    ec2.create_route(RouteTableId=r["rtb"], DestinationCidrBlock="0.0.0.0/0", GatewayId=r["igw"])
    r["acl"] = ec2.create_network_acl(VpcId=r["vpc"])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=r["acl"], RuleNumber=100, Protocol="6", RuleAction="allow",
                                 Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    [default_acl] = ec2.describe_network_acls(Filters=[
        {"Name": "association.subnet-id", "Values": [r["subnet2"]]}])["NetworkAcls"]
    current = next(a["NetworkAclAssociationId"] for a in default_acl["Associations"]
                   if a["SubnetId"] == r["subnet2"])
    r["acl_assoc"] = ec2.replace_network_acl_association(AssociationId=current, NetworkAclId=r["acl"])[
        "NewAssociationId"]
    r["sg"] = ec2.create_security_group(GroupName="web", Description="web", VpcId=r["vpc"])["GroupId"]
    rules = ec2.authorize_security_group_ingress(GroupId=r["sg"], IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    r["sgr"] = rules["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    r["dopt"] = ec2.create_dhcp_options(DhcpConfigurations=[
        {"Key": "domain-name", "Values": [f"{tag}.internal"]}])["DhcpOptions"]["DhcpOptionsId"]
    r["eip"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    r["eip_nat"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    r["nat"] = ec2.create_nat_gateway(SubnetId=r["subnet"], AllocationId=r["eip_nat"])["NatGateway"]["NatGatewayId"]
    r["eni"] = ec2.create_network_interface(SubnetId=r["subnet2"], Groups=[r["sg"]])[
        "NetworkInterface"]["NetworkInterfaceId"]
    r["scr"] = ec2.create_subnet_cidr_reservation(
        SubnetId=r["subnet2"], Cidr="10.0.2.240/28", ReservationType="explicit",
    )["SubnetCidrReservation"]["SubnetCidrReservationId"]
    instance = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
                                 SubnetId=r["subnet"], SecurityGroupIds=[r["sg"]])["Instances"][0]
    r["instance"] = instance["InstanceId"]
    r["instance_eni"] = instance["NetworkInterfaces"][0]["NetworkInterfaceId"]
    r["eip_assoc"] = ec2.associate_address(AllocationId=r["eip"], InstanceId=r["instance"])["AssociationId"]
    described = ec2.describe_instances(InstanceIds=[r["instance"]])["Reservations"][0]["Instances"][0]
    r["volume"] = described["BlockDeviceMappings"][0]["Ebs"]["VolumeId"]
    r["eni_attached"] = ec2.create_network_interface(SubnetId=r["subnet"])["NetworkInterface"]["NetworkInterfaceId"]
    r["eni_attachment"] = ec2.attach_network_interface(NetworkInterfaceId=r["eni_attached"],
                                                       InstanceId=r["instance"], DeviceIndex=1)["AttachmentId"]
    r["pl"] = ec2.create_managed_prefix_list(PrefixListName=f"{tag}-onprem", MaxEntries=5, AddressFamily="IPv4",
                                             Entries=[{"Cidr": "10.9.0.0/16"}])["PrefixList"]["PrefixListId"]
    # A second VPC: the peer of a peering connection, the home of the VPN gateway and of an
    # interface endpoint to the first VPC's endpoint service.
    r["vpc2"] = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    r["vpc2_subnet"] = ec2.create_subnet(VpcId=r["vpc2"], CidrBlock="10.2.1.0/24",
                                         AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    r["pcx"] = ec2.create_vpc_peering_connection(VpcId=r["vpc"], PeerVpcId=r["vpc2"])[
        "VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=r["pcx"])
    r["tgw"] = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    r["tgw2"] = ec2.create_transit_gateway()["TransitGateway"]["TransitGatewayId"]
    r["tgw_rtb"] = ec2.create_transit_gateway_route_table(TransitGatewayId=r["tgw"])[
        "TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
    r["tgw_attach"] = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=r["tgw"], VpcId=r["vpc"], SubnetIds=[r["subnet"]])[
        "TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ec2.create_transit_gateway_route(TransitGatewayRouteTableId=r["tgw_rtb"], DestinationCidrBlock="10.50.0.0/16",
                                     TransitGatewayAttachmentId=r["tgw_attach"])
    r["tgw_peering"] = ec2.create_transit_gateway_peering_attachment(
        TransitGatewayId=r["tgw"], PeerTransitGatewayId=r["tgw2"], PeerAccountId=acct, PeerRegion=REGION)[
        "TransitGatewayPeeringAttachment"]["TransitGatewayAttachmentId"]
    ec2.accept_transit_gateway_peering_attachment(TransitGatewayAttachmentId=r["tgw_peering"])
    r["vgw"] = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=r["vgw"], VpcId=r["vpc2"])
    r["cgw"] = ec2.create_customer_gateway(Type="ipsec.1", BgpAsn=65000, PublicIp="203.0.113.10")[
        "CustomerGateway"]["CustomerGatewayId"]
    r["vpn"] = ec2.create_vpn_connection(Type="ipsec.1", CustomerGatewayId=r["cgw"], VpnGatewayId=r["vgw"],
                                         Options={"StaticRoutesOnly": True})["VpnConnection"]["VpnConnectionId"]
    ec2.create_vpn_connection_route(VpnConnectionId=r["vpn"], DestinationCidrBlock="192.168.0.0/16")
    r["vpce"] = ec2.create_vpc_endpoint(VpcId=r["vpc"], ServiceName=f"com.amazonaws.{REGION}.s3",
                                        VpcEndpointType="Gateway", RouteTableIds=[r["rtb"]])[
        "VpcEndpoint"]["VpcEndpointId"]
    elb = x.elbv2
    nlb = elb.create_load_balancer(Name=f"{tag}-nlb", Type="network", Scheme="internal",
                                   Subnets=[r["subnet"], r["subnet2"]])["LoadBalancers"][0]
    r["nlb"] = nlb["LoadBalancerArn"]
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[r["nlb"]], AcceptanceRequired=False)["ServiceConfiguration"]
    r["vpce_svc"], r["vpce_svc_name"] = service["ServiceId"], service["ServiceName"]
    r["vpce_interface"] = ec2.create_vpc_endpoint(
        VpcId=r["vpc2"], ServiceName=r["vpce_svc_name"], VpcEndpointType="Interface",
        SubnetIds=[r["vpc2_subnet"]])["VpcEndpoint"]["VpcEndpointId"]
    r["flow_log"] = ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[r["vpc"]], TrafficType="ALL",
                                         LogDestinationType="s3",
                                         LogDestination=f"arn:aws:s3:::{tag}-flow-logs")["FlowLogIds"][0]
    r["nip"] = ec2.create_network_insights_path(Source=r["instance"], Destination=r["igw"], Protocol="tcp")[
        "NetworkInsightsPath"]["NetworkInsightsPathId"]
    r["nia"] = ec2.start_network_insights_analysis(NetworkInsightsPathId=r["nip"])[
        "NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    r["nis"] = ec2.create_network_insights_access_scope(MatchPaths=[
        {"Source": {"ResourceStatement": {"Resources": [r["subnet"]]}}}])[
        "NetworkInsightsAccessScope"]["NetworkInsightsAccessScopeId"]
    r["nisa"] = ec2.start_network_insights_access_scope_analysis(NetworkInsightsAccessScopeId=r["nis"])[
        "NetworkInsightsAccessScopeAnalysis"]["NetworkInsightsAccessScopeAnalysisId"]
    r["tmt"] = ec2.create_traffic_mirror_target(NetworkInterfaceId=r["eni"])[
        "TrafficMirrorTarget"]["TrafficMirrorTargetId"]
    r["tmf"] = ec2.create_traffic_mirror_filter()["TrafficMirrorFilter"]["TrafficMirrorFilterId"]
    r["tmfr"] = ec2.create_traffic_mirror_filter_rule(
        TrafficMirrorFilterId=r["tmf"], TrafficDirection="ingress", RuleNumber=100, RuleAction="accept",
        SourceCidrBlock="0.0.0.0/0", DestinationCidrBlock="10.0.0.0/16")[
        "TrafficMirrorFilterRule"]["TrafficMirrorFilterRuleId"]
    r["tms"] = ec2.create_traffic_mirror_session(
        NetworkInterfaceId=r["instance_eni"], TrafficMirrorTargetId=r["tmt"], TrafficMirrorFilterId=r["tmf"],
        SessionNumber=1)["TrafficMirrorSession"]["TrafficMirrorSessionId"]
    cert = CERT.format(account=acct)
    r["cvpn"] = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.16.0.0/22", ServerCertificateArn=cert, ConnectionLogOptions={"Enabled": False},
        AuthenticationOptions=[{"Type": "certificate-authentication",
                                "MutualAuthentication": {"ClientRootCertificateChainArn": cert}}],
        VpcId=r["vpc"], SecurityGroupIds=[r["sg"]])["ClientVpnEndpointId"]
    r["cvpn_assoc"] = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=r["cvpn"],
                                                              SubnetId=r["subnet"])["AssociationId"]
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=r["cvpn"], TargetNetworkCidr="10.0.0.0/16",
                                     AuthorizeAllGroups=True)
    r["cvpn_bare"] = ec2.create_client_vpn_endpoint(
        ClientCidrBlock="172.18.0.0/22", ServerCertificateArn=cert, ConnectionLogOptions={"Enabled": False},
        AuthenticationOptions=[{"Type": "certificate-authentication",
                                "MutualAuthentication": {"ClientRootCertificateChainArn": cert}}])[
        "ClientVpnEndpointId"]

    alb = elb.create_load_balancer(Name=f"{tag}-alb", Subnets=[r["subnet"], r["subnet2"]],
                                   SecurityGroups=[r["sg"]])["LoadBalancers"][0]
    r["lb"], r["lb_name"] = alb["LoadBalancerArn"], alb["LoadBalancerName"]
    r["tg_name"] = f"{tag}-web"
    r["tg"] = elb.create_target_group(Name=r["tg_name"], Protocol="HTTP", Port=80, VpcId=r["vpc"],
                                      TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
    r["tg_instance"] = elb.create_target_group(Name=f"{tag}-instances", Protocol="HTTP", Port=80, VpcId=r["vpc"])[
        "TargetGroups"][0]["TargetGroupArn"]
    r["listener"] = elb.create_listener(LoadBalancerArn=r["lb"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": r["tg"]}])["Listeners"][0]["ListenerArn"]
    r["rule"] = elb.create_rule(ListenerArn=r["listener"], Priority=10, Conditions=[
        {"Field": "path-pattern", "Values": ["/a"]}], Actions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "204"}}])["Rules"][0]["RuleArn"]
    elb.add_tags(ResourceArns=[r["lb"]], Tags=[{"Key": "team", "Value": tag}])

    r53 = x.route53
    zone = r53.create_hosted_zone(Name=f"{tag}.example", CallerReference=f"{tag}-zone")
    r["zone"], r["zone_name"] = zone["HostedZone"]["Id"].split("/")[-1], zone["HostedZone"]["Name"]
    r["change"] = zone["ChangeInfo"]["Id"].split("/")[-1]
    r53.change_resource_record_sets(HostedZoneId=r["zone"], ChangeBatch={"Changes": [{
        "Action": "CREATE", "ResourceRecordSet": {"Name": f"www.{r['zone_name']}", "Type": "A", "TTL": 60,
                                                  "ResourceRecords": [{"Value": "192.0.2.1"}]}}]})
    r["private_zone"] = r53.create_hosted_zone(
        Name=f"{tag}.internal", CallerReference=f"{tag}-private",
        VPC={"VPCRegion": REGION, "VPCId": r["vpc"]})["HostedZone"]["Id"].split("/")[-1]
    # A calculated check with no children: it probes nothing.
    r["health_check"] = r53.create_health_check(CallerReference=f"{tag}-hc", HealthCheckConfig={
        "Type": "CALCULATED", "HealthThreshold": 0, "ChildHealthChecks": []})["HealthCheck"]["Id"]
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=r["health_check"],
                                 AddTags=[{"Key": "team", "Value": tag}])
    r["cidr_collection"] = r53.create_cidr_collection(Name=f"{tag}-offices", CallerReference=f"{tag}-cc")[
        "Collection"]["Id"]
    r53.change_cidr_collection(Id=r["cidr_collection"], Changes=[
        {"LocationName": "hq", "Action": "PUT", "CidrList": ["198.51.100.0/24"]}])
    r["delegation_set"] = r53.create_reusable_delegation_set(CallerReference=f"{tag}-ds")[
        "DelegationSet"]["Id"].split("/")[-1]
    r["qlc"] = r53.create_query_logging_config(
        HostedZoneId=r["zone"],
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{acct}:log-group:/aws/route53/{tag}")[
        "QueryLoggingConfig"]["Id"]

    resolver = x.route53resolver
    endpoint = resolver.create_resolver_endpoint(
        CreatorRequestId=f"{tag}-out", Direction="OUTBOUND", SecurityGroupIds=[r["sg"]],
        IpAddresses=[{"SubnetId": r["subnet"]}, {"SubnetId": r["subnet2"]}])["ResolverEndpoint"]
    r["r_endpoint"], r["r_endpoint_arn"] = endpoint["Id"], endpoint["Arn"]
    rule = resolver.create_resolver_rule(
        CreatorRequestId=f"{tag}-rule", RuleType="FORWARD", DomainName=f"corp.{tag}",
        TargetIps=[{"Ip": "127.0.0.1", "Port": 53}], ResolverEndpointId=r["r_endpoint"])["ResolverRule"]
    r["r_rule"], r["r_rule_arn"] = rule["Id"], rule["Arn"]
    r["r_assoc"] = resolver.associate_resolver_rule(ResolverRuleId=r["r_rule"], VPCId=r["vpc"])[
        "ResolverRuleAssociation"]["Id"]

    dx = x.directconnect
    r["dxcon"] = dx.create_connection(location="EqDC2", bandwidth="1Gbps", connectionName=tag)["connectionId"]
    r["dxlag"] = dx.create_lag(numberOfConnections=1, location="EqDC2", connectionsBandwidth="1Gbps",
                               lagName=tag)["lagId"]
    r["dxgw"] = dx.create_direct_connect_gateway(directConnectGatewayName=tag)[
        "directConnectGateway"]["directConnectGatewayId"]
    r["dxvif"] = dx.create_private_virtual_interface(connectionId=r["dxcon"], newPrivateVirtualInterface={
        "virtualInterfaceName": tag, "vlan": 101, "asn": 65010, "directConnectGatewayId": r["dxgw"]})[
        "virtualInterfaceId"]
    r["dxgw_assoc"] = dx.create_direct_connect_gateway_association(
        directConnectGatewayId=r["dxgw"], gatewayId=r["vgw"])["directConnectGatewayAssociation"]["associationId"]
    dx_arn = lambda kind, id_: f"arn:aws:directconnect:{REGION}:{acct}:{kind}/{id_}"
    for kind in ("dxcon", "dxlag", "dxvif"):
        r[f"{kind}_arn"] = dx_arn(kind, r[kind])
    r["dxgw_arn"] = f"arn:aws:directconnect::{acct}:dx-gateway/{r['dxgw']}"


# --------------------------------------------------------------------------- the walk
#
# Which of an account's resources a parameter names: by (service, member), or by
# (service, operation, member) where one name means different things. A value is one key of
# Account.r, or a list of keys (one call each: CreateTags on every kind).

EC2_TAGGED = ["vpc", "subnet", "rtb", "igw", "eigw", "acl", "sg", "sgr", "dopt", "eip", "nat", "eni", "instance",
              "volume", "pl", "pcx", "tgw", "tgw_rtb", "tgw_attach", "tgw_peering", "vgw", "cgw", "vpn", "vpce",
              "vpce_svc", "flow_log", "nip", "nia", "nis", "nisa", "tmt", "tmf", "tms", "cvpn"]

DX_ARNS = ["dxcon_arn", "dxlag_arn", "dxvif_arn", "dxgw_arn"]

IDS: dict[tuple, Any] = {
    **{("ec2", m): k for m, k in {
        "VpcId": "vpc", "VpcIds": "vpc", "SubnetId": "subnet", "SubnetIds": "subnet", "RouteTableId": "rtb",
        "RouteTableIds": "rtb", "InternetGatewayId": "igw", "InternetGatewayIds": "igw",
        "EgressOnlyInternetGatewayId": "eigw", "EgressOnlyInternetGatewayIds": "eigw", "AllocationId": "eip",
        "AllocationIds": "eip", "NetworkInterfaceId": "eni", "NetworkInterfaceIds": "eni",
        "InstanceId": "instance", "InstanceIds": "instance", "VolumeIds": "volume", "GroupId": "sg",
        "GroupIds": "sg", "SecurityGroupIds": "sg", "SecurityGroupRuleIds": "sgr", "NetworkAclId": "acl",
        "NetworkAclIds": "acl", "DhcpOptionsId": "dopt", "DhcpOptionsIds": "dopt", "FlowLogIds": "flow_log",
        "NetworkInsightsPathId": "nip", "NetworkInsightsPathIds": "nip", "NetworkInsightsAnalysisId": "nia",
        "NetworkInsightsAnalysisIds": "nia", "NetworkInsightsAccessScopeId": "nis",
        "NetworkInsightsAccessScopeIds": "nis", "NetworkInsightsAccessScopeAnalysisId": "nisa",
        "NetworkInsightsAccessScopeAnalysisIds": "nisa", "NatGatewayId": "nat", "NatGatewayIds": "nat",
        "VpcPeeringConnectionId": "pcx", "VpcPeeringConnectionIds": "pcx", "PrefixListId": "pl",
        "PrefixListIds": "pl", "DestinationPrefixListId": "pl", "VpcEndpointId": "vpce",
        "VpcEndpointIds": "vpce", "VpnGatewayId": "vgw", "VpnGatewayIds": "vgw", "CustomerGatewayId": "cgw",
        "CustomerGatewayIds": "cgw", "VpnConnectionId": "vpn", "VpnConnectionIds": "vpn",
        "TransitGatewayId": "tgw", "TransitGatewayIds": "tgw", "TransitGatewayAttachmentId": "tgw_attach",
        "TransitGatewayAttachmentIds": "tgw_attach", "TransitGatewayRouteTableId": "tgw_rtb",
        "TransitGatewayRouteTableIds": "tgw_rtb", "ClientVpnEndpointId": "cvpn", "ClientVpnEndpointIds": "cvpn",
        "TrafficMirrorTargetId": "tmt", "TrafficMirrorTargetIds": "tmt", "TrafficMirrorFilterId": "tmf",
        "TrafficMirrorFilterIds": "tmf", "TrafficMirrorFilterRuleId": "tmfr", "TrafficMirrorFilterRuleIds": "tmfr",
        "TrafficMirrorSessionId": "tms", "TrafficMirrorSessionIds": "tms", "SubnetCidrReservationId": "scr", "ServiceId": "vpce_svc",
        "ServiceIds": "vpce_svc", "ServiceName": "vpce_svc_name", "ServiceNames": "vpce_svc_name",
        "Resources": EC2_TAGGED, "ResourceIds": "vpc", "Source": "instance", "Destination": "eni",
        "AttachmentId": "eni_attachment", "AddRouteTableIds": "rtb", "RemoveRouteTableIds": "rtb",
        "AddSubnetIds": "subnet", "RemoveSubnetIds": "subnet", "AddSecurityGroupIds": "sg",
        "RemoveSecurityGroupIds": "sg", "NetworkLoadBalancerArns": "nlb", "AddNetworkLoadBalancerArns": "nlb",
        "RemoveNetworkLoadBalancerArns": "nlb", "NetworkLoadBalancerArn": "nlb", "TargetVpcSubnetId": "subnet",
        "AssociatedSubnetIds": "subnet", "GatewayId": "igw", "AssociationIds": "cvpn_assoc",
    }.items()},
    ("ec2", "EnableVgwRoutePropagation", "GatewayId"): "vgw",
    ("ec2", "DisableVgwRoutePropagation", "GatewayId"): "vgw",
    ("ec2", "DisassociateRouteTable", "AssociationId"): "rtb_assoc",
    ("ec2", "ReplaceRouteTableAssociation", "AssociationId"): "rtb_assoc",
    ("ec2", "ReplaceNetworkAclAssociation", "AssociationId"): "acl_assoc",
    ("ec2", "DisassociateAddress", "AssociationId"): "eip_assoc",
    ("ec2", "DisassociateSubnetCidrBlock", "AssociationId"): "subnet_cidr_assoc",
    ("ec2", "DisassociateVpcCidrBlock", "AssociationId"): "vpc_cidr_assoc",
    ("ec2", "DisassociateClientVpnTargetNetwork", "AssociationId"): "cvpn_assoc",
    **{("ec2", op, "TransitGatewayAttachmentId"): "tgw_peering" for op in (
        "AcceptTransitGatewayPeeringAttachment", "RejectTransitGatewayPeeringAttachment",
        "DeleteTransitGatewayPeeringAttachment")},
    ("ec2", "DescribeTransitGatewayPeeringAttachments", "TransitGatewayAttachmentIds"): "tgw_peering",
    **{("elasticloadbalancing", m): k for m, k in {
        "LoadBalancerArn": "lb", "LoadBalancerArns": "lb", "TargetGroupArn": "tg", "TargetGroupArns": "tg",
        "ListenerArn": "listener", "ListenerArns": "listener", "RuleArn": "rule", "RuleArns": "rule",
        "ResourceArns": ["lb", "tg", "listener", "rule"], "VpcId": "vpc", "Subnets": "subnet",
        "SecurityGroups": "sg",
    }.items()},
    ("elasticloadbalancing", "DescribeLoadBalancers", "Names"): "lb_name",
    ("elasticloadbalancing", "DescribeTargetGroups", "Names"): "tg_name",
    **{("route53", m): k for m, k in {
        "HostedZoneId": "zone", "HealthCheckId": "health_check", "DelegationSetId": "delegation_set",
        "CollectionId": "cidr_collection", "VPCId": "vpc", "VPC": "vpc",
    }.items()},
    **{("route53", op, "Id"): "zone" for op in ("DeleteHostedZone", "GetHostedZone", "UpdateHostedZoneComment")},
    **{("route53", op, "Id"): "cidr_collection" for op in ("ChangeCidrCollection", "DeleteCidrCollection")},
    **{("route53", op, "Id"): "qlc" for op in ("DeleteQueryLoggingConfig", "GetQueryLoggingConfig")},
    **{("route53", op, "Id"): "delegation_set" for op in ("DeleteReusableDelegationSet", "GetReusableDelegationSet")},
    ("route53", "GetChange", "Id"): "change",
    **{("route53", op, "HostedZoneId"): "private_zone" for op in (
        "AssociateVPCWithHostedZone", "DisassociateVPCFromHostedZone", "CreateVPCAssociationAuthorization",
        "DeleteVPCAssociationAuthorization", "ListVPCAssociationAuthorizations")},
    ("route53", "ChangeTagsForResource", "ResourceId"): ["zone", "health_check"],
    ("route53", "ListTagsForResource", "ResourceId"): ["zone", "health_check"],
    ("route53", "ListTagsForResources", "ResourceIds"): ["zone", "health_check"],
    **{("route53resolver", m): k for m, k in {
        "ResolverEndpointId": "r_endpoint", "ResolverRuleId": "r_rule", "ResolverRuleAssociationId": "r_assoc",
        "ResourceArn": ["r_endpoint_arn", "r_rule_arn"], "VPCId": "vpc", "SecurityGroupIds": "sg",
        "IpAddresses": "subnet",
    }.items()},
    **{("directconnect", m): k for m, k in {
        "connectionId": "dxcon", "lagId": "dxlag", "virtualInterfaceId": "dxvif", "directConnectGatewayId": "dxgw",
        "associationId": "dxgw_assoc", "associatedGatewayId": "vgw", "virtualGatewayId": "vgw",
        "gatewayId": "vgw", "resourceArn": DX_ARNS, "resourceArns": DX_ARNS,
    }.items()},
}

# Parameters through which AWS lets one account name another's resource on purpose: the walk
# leaves them out (the mechanisms have tests of their own).
CROSS_ACCOUNT = {
    ("ec2", "CreateVpcPeeringConnection", "PeerVpcId"),
    ("ec2", "CreateTransitGatewayPeeringAttachment", "PeerTransitGatewayId"),
    ("route53", "CreateVPCAssociationAuthorization", "VPC"),
    ("route53", "DeleteVPCAssociationAuthorization", "VPC"),
}


def id_key(service: str, op: str, member: str):
    return IDS.get((service, op, member), IDS.get((service, member)))


def id_value(x: Account, service: str, op: str, member: str, key: str):
    """The parameter value naming x's resource `key`, in the member's wire shape."""
    value = x.r[key]
    shape = members(service, op)[member]
    if member == "VPC":
        return {"VPCRegion": REGION, "VPCId": value}
    if member == "IpAddresses":
        return [{"SubnetId": x.r["subnet"]}, {"SubnetId": x.r["subnet2"]}]
    if shape.type_name == "list":
        return value if isinstance(value, list) else [value]
    return value


# Values for the other required parameters, good enough to reach the lookup: by member name, by
# (operation, member) or (service, operation, member); a function of the calling account and
# the key of the resource under test where the value depends on them.
FILL: dict[Any, Any] = {
    # EC2
    "DestinationCidrBlock": "10.99.0.0/24", "SourceCidrBlock": "0.0.0.0/0", "TargetNetworkCidr": "10.0.0.0/16",
    "RuleNumber": 100, "Egress": False, "Protocol": "6", "RuleAction": "allow", "DeviceIndex": 2,
    "InstanceTenancy": "default", "Cidr": "10.99.0.0/28", "ReservationType": "explicit",
    "Attribute": "description", "SessionNumber": 2, "TrafficDirection": "ingress", "Type": "ipsec.1",
    "CurrentVersion": 1, "PreviousVersion": 1, "MaxEntries": 5, "PrefixListName": "x", "AddressFamily": "IPv4",
    "GroupName": "x", "Description": "x", "ClientToken": "x", "MinCount": 1, "MaxCount": 1, "ResourceType": "VPC",
    "Tags": [{"Key": "k", "Value": "v"}], "Filters": [{"Name": "type", "Values": ["static"]}],
    "DhcpConfigurations": [{"Key": "domain-name", "Values": ["x.internal"]}],
    "ClientCidrBlock": "172.20.0.0/22", "ConnectionLogOptions": {"Enabled": False},
    "ServerCertificateArn": lambda x, key: CERT.format(account=x.key),
    "AuthenticationOptions": lambda x, key: [{"Type": "certificate-authentication", "MutualAuthentication": {
        "ClientRootCertificateChainArn": CERT.format(account=x.key)}}],
    "SecurityGroupRules": lambda x, key: [{"SecurityGroupRuleId": x.r["sgr"], "SecurityGroupRule": {
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIpv4": "0.0.0.0/0"}}],
    ("DescribeVpcAttribute", "Attribute"): "enableDnsSupport",
    ("DescribeInstanceAttribute", "Attribute"): "instanceType",
    ("CreateTrafficMirrorFilterRule", "RuleAction"): "accept",
    ("ModifyTrafficMirrorFilterRule", "RuleAction"): "accept",
    ("CreateNetworkInsightsPath", "Protocol"): "tcp",
    # ELBv2
    "Name": "x", "Priority": 50, "IpAddressType": "ipv4", "TagKeys": ["k"],
    "Actions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
    "DefaultActions": [{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}],
    "Conditions": [{"Field": "path-pattern", "Values": ["/x"]}],
    "Certificates": lambda x, key: [{"CertificateArn": CERT.format(account=x.key)}],
    "Targets": [{"Id": "127.0.0.1", "Port": 8080, "AvailabilityZone": "all"}],
    ("ModifyLoadBalancerAttributes", "Attributes"): [{"Key": "deletion_protection.enabled", "Value": "false"}],
    ("ModifyTargetGroupAttributes", "Attributes"): [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
    ("ModifyListenerAttributes", "Attributes"): [{"Key": "tcp.idle_timeout.seconds", "Value": "350"}],
    # Route 53
    "CallerReference": "x", "DNSName": lambda x, key: x.r["zone_name"], "RecordName": "www.x.example",
    "RecordType": "A", "VPCRegion": REGION,
    "CloudWatchLogsLogGroupArn": lambda x, key: f"arn:aws:logs:us-east-1:{x.key}:log-group:/x",
    "HealthCheckConfig": {"Type": "CALCULATED", "HealthThreshold": 0, "ChildHealthChecks": []},
    "ChangeBatch": {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
        "Name": "x.x.example", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.9"}]}}]},
    "Changes": [{"LocationName": "x", "Action": "PUT", "CidrList": ["203.0.113.0/24"]}],
    # Route 53's tag operations name the type of the resource asked about.
    **{("route53", op, "ResourceType"): lambda x, key: {"zone": "hostedzone", "health_check": "healthcheck"}[key]
       for op in ("ChangeTagsForResource", "ListTagsForResource", "ListTagsForResources")},
    ("GetHostedZoneLimit", "Type"): "MAX_RRSETS_BY_ZONE",
    ("GetReusableDelegationSetLimit", "Type"): "MAX_ZONES_BY_REUSABLE_DELEGATION_SET",
    ("CreateHostedZone", "Name"): "x.example",
    # Route 53 Resolver
    "CreatorRequestId": "x", "Direction": "OUTBOUND", "RuleType": "FORWARD", "Config": {"Name": "x"},
    # Direct Connect
    "bandwidth": "1Gbps", "connectionName": "x", "connectionsBandwidth": "1Gbps", "directConnectGatewayName": "x",
    "lagName": "x", "location": "EqDC2", "numberOfConnections": 1, "tagKeys": ["k"],
    "tags": [{"key": "k", "value": "v"}],
    "newPrivateVirtualInterface": lambda x, key: {
        "virtualInterfaceName": "x", "vlan": 333, "asn": 65010, "virtualGatewayId": x.r["vgw"]},
    "newPublicVirtualInterface": {"virtualInterfaceName": "x", "vlan": 334, "asn": 65010},
    "newTransitVirtualInterface": lambda x, key: {
        "virtualInterfaceName": "x", "vlan": 335, "asn": 65010, "directConnectGatewayId": x.r["dxgw"]},
}


def fill(x: Account, service: str, op: str, member: str, key: str):
    """A value for a required parameter that names no resource."""
    for k in ((service, op, member), (op, member), member):
        if k in FILL:
            return FILL[k](x, key) if callable(FILL[k]) else FILL[k]
    raise KeyError(f"no value for {service} {op} {member}")


class Own:
    """A parameter naming the calling account's own resource `key`."""

    def __init__(self, key: str):
        self.key = key


_FRESH = iter(range(1, 1 << 16))


def fresh_cidr(x: Account, key: str) -> str:
    """A destination no route table holds yet."""
    n = next(_FRESH)
    return f"10.{100 + n // 256}.{n % 256}.0/24"


# Optional parameters a call needs to get as far as looking the resource up, by operation:
# values, or the caller's own resources. Left out when they are the parameter under test.
EXTRA: dict[Any, dict[str, Any]] = {
    "AssociateVpcCidrBlock": {"CidrBlock": "10.3.0.0/16"},
    "CreateSubnet": {"CidrBlock": "10.0.9.0/24"},
    "AssociateSubnetCidrBlock": {"Ipv6CidrBlock": "2600:1f00::/64"},
    "CreateRoute": {"DestinationCidrBlock": fresh_cidr},
    ("CreateRoute", "DestinationPrefixListId"): {"DestinationCidrBlock": None},
    ("ReplaceRoute", "DestinationPrefixListId"): {"DestinationCidrBlock": None},
    "ReplaceRoute": {"DestinationCidrBlock": "0.0.0.0/0"},
    "AssociateAddress": {"AllocationId": Own("eip"), "AllowReassociation": True},
    "UnassignPrivateIpAddresses": {"PrivateIpAddresses": ["10.0.2.200"]},
    "RunInstances": {"ImageId": AMI, "InstanceType": INSTANCE_TYPE, "SubnetId": Own("subnet")},
    "RevokeSecurityGroupIngress": {"GroupId": Own("sg")},
    "CreateFlowLogs": {"TrafficType": "ALL", "LogDestinationType": "s3", "LogDestination": "arn:aws:s3:::x-logs"},
    "CreateNetworkInsightsPath": {"Destination": Own("igw"), "Source": Own("instance")},
    "CreateNatGateway": {"SubnetId": Own("subnet"), "ConnectivityType": "private"},
    ("CreateNatGateway", "AllocationId"): {"ConnectivityType": "public"},
    "CreateVpcEndpoint": {"VpcId": Own("vpc"), "ServiceName": f"com.amazonaws.{REGION}.ec2",
                          "VpcEndpointType": "Interface", "SubnetIds": Own("subnet"), "PrivateDnsEnabled": False},
    ("CreateVpcEndpoint", "RouteTableIds"): {"ServiceName": f"com.amazonaws.{REGION}.s3",
                                             "VpcEndpointType": "Gateway", "SubnetIds": None,
                                             "PrivateDnsEnabled": None},
    "ModifyVpcEndpoint": {"VpcEndpointId": Own("vpce_interface")},
    ("ModifyVpcEndpoint", "AddRouteTableIds"): {"VpcEndpointId": Own("vpce")},
    ("ModifyVpcEndpoint", "RemoveRouteTableIds"): {"VpcEndpointId": Own("vpce")},
    "EnableTransitGatewayRouteTablePropagation": {"TransitGatewayAttachmentId": Own("tgw_attach")},
    "DisableTransitGatewayRouteTablePropagation": {"TransitGatewayAttachmentId": Own("tgw_attach")},
    "CreateTransitGatewayRoute": {"TransitGatewayAttachmentId": Own("tgw_attach")},
    "ReplaceTransitGatewayRoute": {"TransitGatewayAttachmentId": Own("tgw_attach"),
                                   "DestinationCidrBlock": "10.50.0.0/16"},
    "CreateTransitGatewayPrefixListReference": {"TransitGatewayAttachmentId": Own("tgw_attach")},
    "ModifyTransitGatewayPrefixListReference": {"TransitGatewayAttachmentId": Own("tgw_attach")},
    "CreateTransitGatewayVpcAttachment": {"TransitGatewayId": Own("tgw2")},
    "CreateTransitGatewayPeeringAttachment": {"PeerTransitGatewayId": Own("tgw2"),
                                              "PeerAccountId": lambda x, key: x.key, "PeerRegion": REGION},
    "CreateClientVpnEndpoint": {"ClientCidrBlock": "172.20.0.0/22", "VpcId": Own("vpc")},
    ("ModifyClientVpnEndpoint", "VpcId"): {"ClientVpnEndpointId": Own("cvpn_bare")},
    ("ApplySecurityGroupsToClientVpnTargetNetwork", "VpcId"): {"ClientVpnEndpointId": Own("cvpn_bare")},
    "AssociateClientVpnTargetNetwork": {"SubnetId": Own("subnet2")},
    "AuthorizeClientVpnIngress": {"AuthorizeAllGroups": True},
    "RevokeClientVpnIngress": {"RevokeAllGroups": True},
    "CreateClientVpnRoute": {"TargetVpcSubnetId": Own("subnet")},
    "CreateTrafficMirrorSession": {"NetworkInterfaceId": Own("eni_attached")},
    "CreateLoadBalancer": {"Subnets": [Own("subnet"), Own("subnet2")]},
    "CreateTargetGroup": {"Protocol": "HTTP", "Port": 80},
    "CreateResolverRule": {"DomainName": "x.corp", "TargetIps": [{"Ip": "127.0.0.1"}]},
    "ListHostedZonesByName": {"DNSName": "x.example."},
    "CreateDirectConnectGatewayAssociation": {"gatewayId": Own("vgw")},
    ("CreateDirectConnectGatewayAssociation", "virtualGatewayId"): {"gatewayId": None},
    "DeleteDirectConnectGatewayAssociation": {"directConnectGatewayId": Own("dxgw"),
                                              "virtualGatewayId": Own("vgw")},
}

# Where AWS answers for another account's resource otherwise than for a missing one.
AWS_ANSWERS = {
    # "The address with allocation id [...] does not belong to you."
    **{("ReleaseAddress", "AllocationId"): "AuthFailure", ("AssociateAddress", "AllocationId"): "AuthFailure"},
    ("AssociateClientVpnTargetNetwork", "SubnetId"): "InvalidClientVpnSubnetId.DifferentAccount",
    # A VPC owner associating with another account's zone that authorized nothing.
    ("AssociateVPCWithHostedZone", "HostedZoneId"): "NotAuthorizedException",
}


def own_value(x: Account, service: str, op: str, member: str, v: Any, key: str):
    """An EXTRA value as x gives it."""
    if isinstance(v, Own):
        return id_value(x, service, op, member, v.key)
    if isinstance(v, list) and v and isinstance(v[0], Own):
        return [x.r[o.key] for o in v]
    return v(x, key) if callable(v) else v


def extra(op: str, member: str) -> dict[str, Any]:
    """EXTRA for the operation, with the changes the parameter under test needs (None: left out)."""
    out = {**EXTRA.get(op, {}), **EXTRA.get((op, member), {})}
    return {m: v for m, v in out.items() if v is not None and m != member}


def calls_naming(owner: Account, caller: Account, service: str, op: str):
    """Each call of `op` by `caller` in which one parameter names one of `owner`'s resources and
    every other parameter the call needs names `caller`'s own or is filled in: (member, key,
    kwargs)."""
    required_members = required(service, op)
    for member in members(service, op):
        keys = id_key(service, op, member)
        if keys is None or (service, op, member) in CROSS_ACCOUNT:
            continue
        for key in keys if isinstance(keys, list) else [keys]:
            kwargs = {m: own_value(caller, service, op, m, v, key) for m, v in extra(op, member).items()}
            for other in required_members:
                other_keys = id_key(service, op, other)
                if other == member or other in kwargs:
                    continue
                if other_keys is None:
                    kwargs[other] = fill(caller, service, op, other, key)
                else:
                    other_key = key if isinstance(other_keys, list) and key in other_keys else other_keys
                    other_key = other_key[0] if isinstance(other_key, list) else other_key
                    kwargs[other] = id_value(caller, service, op, other, other_key)
            kwargs[member] = id_value(owner, service, op, member, key)
            yield member, key, kwargs


def counterfeit(value: Any) -> Any:
    """The same id or ARN with its last letter or digit changed: one that names nothing."""
    if isinstance(value, list):
        return [counterfeit(v) for v in value]
    if isinstance(value, dict):
        return {k: counterfeit(v) if k in ("VPCId", "SubnetId") else v for k, v in value.items()}
    for i in range(len(value) - 1, -1, -1):
        c = value[i]
        for alphabet in ("0123456789abcdef", "ghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
            if c in alphabet:
                return value[:i] + alphabet[(alphabet.index(c) + 1) % len(alphabet)] + value[i + 1:]
    raise ValueError(value)


def flat_strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [s for v in value for s in flat_strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in flat_strings(v)]
    return [value] if isinstance(value, str) else []


def attempt(x: Account, service: str, op: str, kwargs: dict) -> tuple[str | None, str]:
    """(None, the answer as JSON) on success, (error code, message) on failure."""
    try:
        return None, json.dumps(x.call(service, op, **kwargs), sort_keys=True, default=str)
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["Error"].get("Message", "")


def pairs(ref: str) -> list[dict]:
    return [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": ref}]}]


def forward(ref: str) -> list[dict]:
    return [{"Type": "forward", "TargetGroupArn": ref}]


def record(b: Account, **extra) -> dict:
    return {"HostedZoneId": b.r["zone"], "ChangeBatch": {"Changes": [{"Action": "CREATE", "ResourceRecordSet": {
        "Name": f"n.{b.r['zone_name']}", "Type": "A", "TTL": 60, "SetIdentifier": "x",
        "ResourceRecords": [{"Value": "192.0.2.7"}], **extra}}]}}


# Resources named inside a structure, where the walk by parameter name does not reach:
# (service, operation, key of A's resource, the call's parameters as B with `ref` in place).
NESTED: list[tuple[str, str, str, Callable[[Account, str], dict]]] = [
    ("ec2", "AuthorizeSecurityGroupIngress", "sg", lambda b, ref: {"GroupId": b.r["sg"], "IpPermissions": pairs(ref)}),
    ("ec2", "AuthorizeSecurityGroupEgress", "sg", lambda b, ref: {"GroupId": b.r["sg"], "IpPermissions": pairs(ref)}),
    ("ec2", "AuthorizeSecurityGroupIngress", "pl", lambda b, ref: {"GroupId": b.r["sg"], "IpPermissions": [{
        "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "PrefixListIds": [{"PrefixListId": ref}]}]}),
    ("ec2", "ModifySecurityGroupRules", "sgr", lambda b, ref: {"GroupId": b.r["sg"], "SecurityGroupRules": [{
        "SecurityGroupRuleId": ref, "SecurityGroupRule": {
            "IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "CidrIpv4": "0.0.0.0/0"}}]}),
    ("ec2", "UpdateSecurityGroupRuleDescriptionsIngress", "sgr", lambda b, ref: {
        "GroupId": b.r["sg"], "SecurityGroupRuleDescriptions": [{"SecurityGroupRuleId": ref, "Description": "x"}]}),
    ("ec2", "CreateNetworkInterface", "sg", lambda b, ref: {"SubnetId": b.r["subnet"], "Groups": [ref]}),
    ("ec2", "ModifyNetworkInterfaceAttribute", "sg", lambda b, ref: {"NetworkInterfaceId": b.r["eni"],
                                                                      "Groups": [ref]}),
    ("ec2", "RunInstances", "eni", lambda b, ref: {
        "ImageId": AMI, "InstanceType": INSTANCE_TYPE, "MinCount": 1, "MaxCount": 1,
        "NetworkInterfaces": [{"DeviceIndex": 0, "NetworkInterfaceId": ref}]}),
    *[("ec2", "CreateFlowLogs", key, lambda b, ref, kind=kind: {
        "ResourceType": kind, "ResourceIds": [ref], "TrafficType": "ALL", "LogDestinationType": "s3",
        "LogDestination": "arn:aws:s3:::x-logs"}) for key, kind in (
        ("subnet", "Subnet"), ("eni", "NetworkInterface"), ("tgw", "TransitGateway"),
        ("tgw_attach", "TransitGatewayAttachment"))],
    ("elasticloadbalancing", "CreateListener", "tg", lambda b, ref: {
        "LoadBalancerArn": b.r["lb"], "Protocol": "HTTP", "Port": 8080, "DefaultActions": forward(ref)}),
    ("elasticloadbalancing", "ModifyListener", "tg", lambda b, ref: {"ListenerArn": b.r["listener"],
                                                                     "DefaultActions": forward(ref)}),
    ("elasticloadbalancing", "CreateRule", "tg", lambda b, ref: {
        "ListenerArn": b.r["listener"], "Priority": 20, "Actions": forward(ref),
        "Conditions": [{"Field": "path-pattern", "Values": ["/n"]}]}),
    ("elasticloadbalancing", "ModifyRule", "tg", lambda b, ref: {"RuleArn": b.r["rule"], "Actions": forward(ref)}),
    ("elasticloadbalancing", "RegisterTargets", "instance", lambda b, ref: {
        "TargetGroupArn": b.r["tg_instance"], "Targets": [{"Id": ref}]}),
    ("elasticloadbalancing", "SetRulePriorities", "rule", lambda b, ref: {
        "RulePriorities": [{"RuleArn": ref, "Priority": 30}]}),
    ("elasticloadbalancing", "CreateLoadBalancer", "eip", lambda b, ref: {
        "Name": "eips", "Type": "network", "SubnetMappings": [{"SubnetId": b.r["subnet"], "AllocationId": ref}]}),
    ("elasticloadbalancing", "CreateLoadBalancer", "subnet", lambda b, ref: {
        "Name": "mapped", "Type": "network", "Scheme": "internal", "SubnetMappings": [{"SubnetId": ref}]}),
    ("route53", "ChangeResourceRecordSets", "health_check", lambda b, ref: record(b, Weight=1, HealthCheckId=ref)),
    ("route53", "ChangeResourceRecordSets", "cidr_collection", lambda b, ref: record(
        b, CidrRoutingConfig={"CollectionId": ref, "LocationName": "hq"})),
    ("route53", "CreateHealthCheck", "health_check", lambda b, ref: {"CallerReference": "calc", "HealthCheckConfig": {
        "Type": "CALCULATED", "HealthThreshold": 1, "ChildHealthChecks": [ref]}}),
    ("directconnect", "CreateTransitVirtualInterface", "dxgw", lambda b, ref: {
        "connectionId": b.r["dxcon"], "newTransitVirtualInterface": {
            "virtualInterfaceName": "x", "vlan": 337, "asn": 65010, "directConnectGatewayId": ref}}),
    ("directconnect", "CreatePrivateVirtualInterface", "vgw", lambda b, ref: {
        "connectionId": b.r["dxcon"], "newPrivateVirtualInterface": {
            "virtualInterfaceName": "x", "vlan": 336, "asn": 65010, "virtualGatewayId": ref}}),
]


# --------------------------------------------------------------------------- the checks

C_KEY = "333333333333"  # an account that builds nothing: what every account sees
ID_RE = re.compile(
    r"\b(?:[a-z]+(?:-[a-z]+)*-[0-9a-f]{8,17}"  # EC2 and Resolver ids: vpc-…, rslvr-rr-…
    r"|dx(?:con|lag|vif)-[0-9a-z]{8}"  # Direct Connect
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # health checks, DX gateways…
    r"|[ZCN][0-9A-Z]{20})\b"  # Route 53 zones, changes, delegation sets
)


def read_everything(x: Account) -> dict[tuple, tuple]:
    """Every no-argument read, and every read that takes an id asked with x's own ids:
    {(service, operation, member, key): (code, answer)}."""
    out = {}
    for service in SERVICES:
        for op in served_operations(service):
            if not is_read(op) or op in VOLATILE:
                continue
            if not required(service, op):
                out[(service, op, None, None)] = attempt(x, service, op, {})
            for member, key, kwargs in calls_naming(x, x, service, op):
                out[(service, op, member, key)] = attempt(x, service, op, kwargs)
    return out


# Reads whose answers change by themselves (health observed by the data planes).
VOLATILE = {"DescribeTargetHealth", "GetHealthCheckStatus", "GetHealthCheckLastFailureReason"}


def ids_in(answers: dict[tuple, tuple]) -> set[str]:
    return {m for _code, text in answers.values() for m in ID_RE.findall(text)}


def listing_leaks(b: Account, a_ids: set[str]) -> list[str]:
    """(a): B's no-argument reads, each answer searched for A's ids and account number."""
    problems = []
    for service in SERVICES:
        for op in no_argument_reads(service):
            code, text = attempt(b, service, op, {})
            found = sorted(i for i in a_ids if i in text) + ([A_KEY] if A_KEY in text else [])
            if found:
                problems.append(f"{service} {op} as B shows A's {found[:5]}")
    return problems


def answers_alike(real: tuple, fake: tuple, real_value: Any, fake_value: Any, a_ids: set[str]) -> bool:
    """Whether naming A's resource answered as naming a missing one did."""
    (code, text), (fake_code, fake_text) = real, fake
    for r, f in zip(flat_strings(real_value), flat_strings(fake_value)):
        fake_text = fake_text.replace(f, r)
    if code is not None or fake_code is not None:
        return (code, text) == (fake_code, fake_text)
    # Both succeeded (an idempotent delete, a filter that matches nothing): the answer may
    # echo what was asked, and nothing else of A's.
    for given in flat_strings(real_value):
        text = text.replace(given, "")
    return not any(i in text for i in a_ids) and A_KEY not in text


def walk(a: Account, b: Account, a_ids: set[str]) -> tuple[list[str], int]:
    """(b): every operation, once per parameter naming one of A's resources, as B."""
    problems, calls = [], 0
    for service in SERVICES:
        for op in served_operations(service):
            for member, key, kwargs in calls_naming(a, b, service, op):
                calls += 1
                real = attempt(b, service, op, kwargs)
                expected = AWS_ANSWERS.get((op, member))
                if expected is not None:
                    if real[0] != expected:
                        problems.append(f"{op} {member}={key}: {real[0]} {real[1][:200]}, not {expected}")
                    continue
                fake_value = counterfeit(kwargs[member])
                fake = attempt(b, service, op, {**kwargs, member: fake_value})
                if not answers_alike(real, fake, kwargs[member], fake_value, a_ids):
                    problems.append(f"{op} {member}={key}: A's answers {real[0]} {real[1][:200]}; "
                                    f"a missing one {fake[0]} {fake[1][:200]}")
    for service, op, key, call in NESTED:
        calls += 1
        real_value, fake_value = a.r[key], counterfeit(a.r[key])
        real = attempt(b, service, op, call(b, real_value))
        fake = attempt(b, service, op, call(b, fake_value))
        if not answers_alike(real, fake, real_value, fake_value, a_ids):
            problems.append(f"{op} naming A's {key} inside: A's answers {real[0]} {real[1][:200]}; "
                            f"a missing one {fake[0]} {fake[1][:200]}")
    return problems, calls


@pytest.fixture
def accounts(endpoint) -> tuple[Account, Account, set[str]]:
    """A and B with one of everything each, and A's ids (not those every account sees)."""
    a, b, c = (Account(endpoint, key) for key in (A_KEY, B_KEY, C_KEY))
    build_everything(a)
    build_everything(b)
    shared = ids_in({k: attempt(c, k[0], k[1], {}) for k in
                     ((s, op) for s in SERVICES for op in no_argument_reads(s))})
    shared |= set(ID_RE.findall(f"{AMI} {CERT}"))  # what both accounts built with
    a_ids = (ids_in(read_everything(a)) | set(flat_strings(list(a.r.values())))) - shared
    return a, b, a_ids


def test_the_walk_covers_the_operations_vpclab_serves(endpoint):
    services = requests.get(endpoint + "/_vpclab/health", timeout=5).json()["services"]
    for service in SERVICES:
        assert services[service] == len(served_operations(service)), service


def test_another_account_lists_none_of_its_resources(accounts):
    a, b, a_ids = accounts
    assert len(a_ids) > 100, sorted(a_ids)
    problems = listing_leaks(b, a_ids)
    assert not problems, "\n".join(problems)


def test_another_account_can_name_none_of_its_resources(accounts):
    a, b, a_ids = accounts
    before = read_everything(a)
    problems, calls = walk(a, b, a_ids)
    assert calls > 400
    # Nothing of B's refers to A's now, and A reads exactly as before.
    problems += listing_leaks(b, a_ids)
    after = read_everything(a)
    problems += [f"A's {k} changed: {before[k]} -> {after.get(k)}" for k in before if before[k] != after.get(k)]
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- --max-accounts


def read_each_service(x: Account) -> None:
    """One cheap read of every service, as x."""
    x.ec2.describe_vpcs()
    x.elbv2.describe_load_balancers()
    x.route53.list_hosted_zones()
    x.route53resolver.list_resolver_endpoints()
    x.directconnect.describe_connections()
    x.clients["sts"].get_caller_identity()


def refused_by_each_service(x: Account) -> None:
    """Every service refuses x as an access key it does not know, in its own format, naming the
    flag: EC2 with AuthFailure (401), awsJson services with UnrecognizedClientException (400), the
    others with InvalidClientTokenId (403)."""
    for call in (x.ec2.describe_vpcs, lambda: x.ec2.create_vpc(CidrBlock="10.0.0.0/16")):
        with aws_error("AuthFailure", 401) as e:
            call()
        assert "--max-accounts" in str(e.value) and x.key in str(e.value), e.value
    for call in (x.elbv2.describe_load_balancers, x.route53.list_hosted_zones,
                 x.clients["sts"].get_caller_identity):
        with aws_error("InvalidClientTokenId", 403) as e:
            call()
        assert "--max-accounts" in str(e.value), e.value
    for call in (x.route53resolver.list_resolver_endpoints, x.directconnect.describe_connections):
        with aws_error("UnrecognizedClientException", 400) as e:
            call()
        assert "--max-accounts" in str(e.value), e.value


def test_max_accounts_refuses_new_accounts_and_keeps_those_held(vpclab_binary, tmp_path):
    def serve(max_accounts: int) -> VpclabServer:
        return VpclabServer(vpclab_binary, state_dir=tmp_path / "state", log_path=tmp_path / "vpclab.log",
                            extra_args=["--max-accounts", str(max_accounts)]).start()

    server = serve(2)
    try:
        held = [Account(server.endpoint, key) for key in (A_KEY, B_KEY)]
        for x in held:
            read_each_service(x)
        refused_by_each_service(Account(server.endpoint, C_KEY))
    finally:
        server.stop()
    # With a lower cap after a restart, the accounts held keep working; the refused one was
    # never stored, so it is still new, and still refused.
    server = serve(1)
    try:
        for key in (A_KEY, B_KEY):
            read_each_service(Account(server.endpoint, key))
        refused_by_each_service(Account(server.endpoint, C_KEY))
    finally:
        server.stop()
