"""Client VPN endpoints end to end with boto3: endpoint lifecycle and options, target network
associations (state, the VPC route, the requester-managed interface), authorization rules,
routes, the exported OpenVPN configuration, documented errors, and traces from the endpoint
(a connected client) to an instance through POST /_vpclab/trace."""

from __future__ import annotations

import requests

from vpclab_helpers import aws_error, create_network, dump, f, run_instance

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
CLIENT_CIDR = "172.16.0.0/22"


def endpoint_kw(**kw) -> dict:
    base = dict(
        ClientCidrBlock=CLIENT_CIDR,
        ServerCertificateArn=CERT,
        AuthenticationOptions=[{
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChainArn": CERT},
        }],
        ConnectionLogOptions={"Enabled": False},
    )
    base.update(kw)
    return base


def describe(ec2, cvpn: str) -> dict:
    [e] = ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=[cvpn])["ClientVpnEndpoints"]
    return e


def test_endpoint_lifecycle_associations_rules_and_routes(ec2):
    net = create_network(ec2)
    other_az = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.0.2.0/24",
                                 AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    same_az = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.0.3.0/24",
                                AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    created = ec2.create_client_vpn_endpoint(**endpoint_kw(
        Description="lab", SplitTunnel=True, TransportProtocol="tcp", VpnPort=1194,
        DnsServers=["10.0.0.2"],
        TagSpecifications=[{"ResourceType": "client-vpn-endpoint",
                            "Tags": [{"Key": "Name", "Value": "cvpn"}]}]))
    cvpn = created["ClientVpnEndpointId"]
    assert cvpn.startswith("cvpn-endpoint-")
    assert created["Status"]["Code"] == "pending-associate"
    assert created["DnsName"] == f"*.{cvpn}.prod.clientvpn.us-east-1.amazonaws.com"
    e = describe(ec2, cvpn)
    assert e["ClientCidrBlock"] == CLIENT_CIDR and e["SplitTunnel"] is True, dump(e)
    assert e["TransportProtocol"] == "tcp" and e["VpnPort"] == 1194
    assert e["DnsServers"] == ["10.0.0.2"] and e["Description"] == "lab"
    assert e["AuthenticationOptions"][0]["MutualAuthentication"] == {"ClientRootCertificateChain": CERT}
    assert e["ConnectionLogOptions"]["Enabled"] is False
    assert {t["Key"]: t["Value"] for t in e["Tags"]} == {"Name": "cvpn"}
    assert ec2.describe_client_vpn_endpoints(Filters=[f("tag:Name", "cvpn")])["ClientVpnEndpoints"]
    assert not ec2.describe_client_vpn_endpoints(Filters=[f("transport-protocol", "udp")])["ClientVpnEndpoints"]

    assoc = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn, SubnetId=net.subnet_id)
    assert assoc["Status"]["Code"] in ("associating", "associated")
    e = describe(ec2, cvpn)
    assert e["Status"]["Code"] == "available" and e["VpcId"] == net.vpc_id
    default_sg = ec2.describe_security_groups(Filters=[f("vpc-id", net.vpc_id), f("group-name", "default")])
    assert e["SecurityGroupIds"] == [default_sg["SecurityGroups"][0]["GroupId"]]
    [tn] = ec2.describe_client_vpn_target_networks(ClientVpnEndpointId=cvpn)["ClientVpnTargetNetworks"]
    assert tn["AssociationId"] == assoc["AssociationId"] and tn["TargetNetworkId"] == net.subnet_id
    assert tn["Status"]["Code"] == "associated" and tn["VpcId"] == net.vpc_id
    [route] = ec2.describe_client_vpn_routes(ClientVpnEndpointId=cvpn)["Routes"]
    assert route["DestinationCidr"] == "10.0.0.0/16" and route["TargetSubnet"] == net.subnet_id
    assert route["Origin"] == "associate" and route["Status"]["Code"] == "active"
    enis = ec2.describe_network_interfaces(Filters=[f("subnet-id", net.subnet_id)])["NetworkInterfaces"]
    assert len(enis) == 1 and enis[0]["RequesterManaged"] is True, dump(enis)

    with aws_error("InvalidClientVpnDuplicateAssociationException"):
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn, SubnetId=net.subnet_id)
    with aws_error("InvalidClientVpnSubnetId.DuplicateAz"):
        ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn, SubnetId=same_az)
    second = ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn, SubnetId=other_az)

    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.0.0/16",
                                     AuthorizeAllGroups=True, Description="vpc")
    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.1.0/24",
                                     AccessGroupId="admins")
    with aws_error("InvalidClientVpnDuplicateAuthorizationRule"):
        ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.0.0/16",
                                         AuthorizeAllGroups=True)
    rules = ec2.describe_client_vpn_authorization_rules(ClientVpnEndpointId=cvpn)["AuthorizationRules"]
    assert [(r["DestinationCidr"], r["AccessAll"], r["GroupId"]) for r in rules] == [
        ("10.0.0.0/16", True, ""), ("10.0.1.0/24", False, "admins")], dump(rules)
    by_group = ec2.describe_client_vpn_authorization_rules(
        ClientVpnEndpointId=cvpn, Filters=[f("group-id", "admins")])["AuthorizationRules"]
    assert len(by_group) == 1
    ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.1.0/24",
                                  AccessGroupId="admins")
    with aws_error("InvalidClientVpnEndpointAuthorizationRuleNotFound"):
        ec2.revoke_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.1.0/24",
                                      AccessGroupId="admins")

    ec2.create_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0",
                                TargetVpcSubnetId=net.subnet_id, Description="internet")
    with aws_error("InvalidClientVpnDuplicateRoute"):
        ec2.create_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0",
                                    TargetVpcSubnetId=net.subnet_id)
    with aws_error("InvalidClientVpnActiveAssociationNotFound"):
        ec2.create_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0",
                                    TargetVpcSubnetId=same_az)
    routes = ec2.describe_client_vpn_routes(ClientVpnEndpointId=cvpn, Filters=[f("origin", "add-route")])["Routes"]
    assert [r["DestinationCidr"] for r in routes] == ["0.0.0.0/0"]
    pages = ec2.describe_client_vpn_routes(ClientVpnEndpointId=cvpn, MaxResults=5)
    assert len(pages["Routes"]) == 3 and "NextToken" not in pages
    ec2.delete_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0",
                                TargetVpcSubnetId=net.subnet_id)
    with aws_error("InvalidClientVpnRouteNotFound"):
        ec2.delete_client_vpn_route(ClientVpnEndpointId=cvpn, DestinationCidrBlock="0.0.0.0/0")

    config = ec2.export_client_vpn_client_configuration(ClientVpnEndpointId=cvpn)["ClientConfiguration"]
    assert f"remote {cvpn}.prod.clientvpn.us-east-1.amazonaws.com 1194" in config
    assert "proto tcp" in config
    assert ec2.describe_client_vpn_connections(ClientVpnEndpointId=cvpn)["Connections"] == []

    ec2.modify_client_vpn_endpoint(ClientVpnEndpointId=cvpn, Description="changed", VpnPort=443,
                                   DnsServers={"Enabled": False})
    e = describe(ec2, cvpn)
    assert e["Description"] == "changed" and e["VpnPort"] == 443 and e.get("DnsServers", []) == []

    with aws_error("IncorrectState"):
        ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=cvpn)
    for a in (assoc, second):
        ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=cvpn, AssociationId=a["AssociationId"])
    with aws_error("InvalidClientVpnAssociationIdNotFound"):
        ec2.disassociate_client_vpn_target_network(ClientVpnEndpointId=cvpn, AssociationId=second["AssociationId"])
    e = describe(ec2, cvpn)
    assert e["Status"]["Code"] == "pending-associate"
    assert ec2.describe_client_vpn_routes(ClientVpnEndpointId=cvpn)["Routes"] == []
    assert ec2.delete_client_vpn_endpoint(ClientVpnEndpointId=cvpn)["Status"]["Code"] == "deleting"
    with aws_error("InvalidClientVpnEndpointId.NotFound"):
        describe(ec2, cvpn)


def test_bad_endpoints_are_refused(ec2):
    net = create_network(ec2)
    for cidr in ("172.16.0.0/24", "10.0.0.0/8"):
        with aws_error("InvalidParameterValue"):
            ec2.create_client_vpn_endpoint(**endpoint_kw(ClientCidrBlock=cidr))
    with aws_error("InvalidParameterValue"):
        ec2.create_client_vpn_endpoint(**endpoint_kw(VpnPort=80))
    with aws_error("InvalidParameterValue"):
        ec2.create_client_vpn_endpoint(**endpoint_kw(TransportProtocol="icmp"))
    with aws_error("InvalidParameterValue"):
        ec2.create_client_vpn_endpoint(**endpoint_kw(ConnectionLogOptions={"Enabled": True}))
    with aws_error("DryRunOperation", status=412):
        ec2.create_client_vpn_endpoint(**endpoint_kw(DryRun=True))
    overlapping = ec2.create_client_vpn_endpoint(**endpoint_kw(ClientCidrBlock="10.0.0.0/22"))
    with aws_error("InvalidClientVpnSubnetId.OverlappingCidr"):
        ec2.associate_client_vpn_target_network(
            ClientVpnEndpointId=overlapping["ClientVpnEndpointId"], SubnetId=net.subnet_id)
    with aws_error("InvalidClientVpnEndpointId.NotFound"):
        ec2.describe_client_vpn_endpoints(ClientVpnEndpointIds=["cvpn-endpoint-0123456789abcdef0"])
    with aws_error("InvalidClientVpnEndpointId.NotFound"):
        ec2.describe_client_vpn_routes(ClientVpnEndpointId="cvpn-endpoint-0123456789abcdef0")
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.associate_client_vpn_target_network(
            ClientVpnEndpointId=overlapping["ClientVpnEndpointId"], SubnetId="subnet-0123456789abcdef0")


def trace(endpoint: str, **body) -> dict:
    r = requests.post(f"{endpoint}/_vpclab/trace", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_client_reaches_an_instance_only_when_authorized_and_allowed(ec2, endpoint):
    net = create_network(ec2, igw=False)
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=net.vpc_id)["GroupId"]
    cvpn_sg = ec2.create_security_group(GroupName="cvpn", Description="cvpn", VpcId=net.vpc_id)["GroupId"]
    app = run_instance(ec2, net.subnet_id, SecurityGroupIds=[sg])
    cvpn = ec2.create_client_vpn_endpoint(**endpoint_kw(
        VpcId=net.vpc_id, SecurityGroupIds=[cvpn_sg]))["ClientVpnEndpointId"]
    ec2.associate_client_vpn_target_network(ClientVpnEndpointId=cvpn, SubnetId=net.subnet_id)
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "UserIdGroupPairs": [{"GroupId": cvpn_sg}]}])

    # No authorization rule yet: the endpoint refuses.
    answer = trace(endpoint, **{"from": cvpn, "to": app["InstanceId"], "port": 22})
    assert answer["reachable"] is False
    [why] = answer["explanations"]
    assert why["component"] == cvpn and "authorization rule" in why["message"], dump(answer)

    ec2.authorize_client_vpn_ingress(ClientVpnEndpointId=cvpn, TargetNetworkCidr="10.0.0.0/16",
                                     AuthorizeAllGroups=True)
    answer = trace(endpoint, **{"from": cvpn, "to": app["InstanceId"], "port": 22})
    assert answer["reachable"] is True, dump(answer)
    kinds = [h["kind"] for h in answer["forward"]]
    assert kinds[0] == "Client VPN endpoint" and "network interface" in kinds, kinds
    first = answer["forward"][0]
    assert first["inbound"]["source"] == ["172.16.0.1"]
    # The packets leave the association's interface source-NATed to its address.
    eni = next(h for h in answer["forward"] if h["kind"] == "network interface")
    assert eni["outbound"]["source"] != ["172.16.0.1"]
    assert answer["return"][-1]["component"] == cvpn

    # A port the instance's group does not open is blocked there.
    answer = trace(endpoint, **{"from": cvpn, "to": app["InstanceId"], "port": 3306})
    assert answer["reachable"] is False
    assert [e["code"] for e in answer["explanations"]] == ["ENI_SG_RULES_MISMATCH"]

    # A source address outside the client CIDR is not a client of the endpoint.
    r = requests.post(f"{endpoint}/_vpclab/trace", json={
        "from": cvpn, "to": app["InstanceId"], "source_ip": "192.168.0.1"}, timeout=10)
    assert r.status_code == 400, r.text
