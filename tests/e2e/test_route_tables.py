"""Route tables: routes and targets, associations, main table, blackholes, edge associations, filters."""

import pytest

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    aws_error,
    create_network,
    f,
    get_rt,
    get_vpc,
    main_route_table,
    run_instance,
    wait_until,
)


def _routes(ec2, rt_id):
    out = {}
    for r in get_rt(ec2, rt_id)["Routes"]:
        key = r.get("DestinationCidrBlock") or r.get("DestinationIpv6CidrBlock") or r.get("DestinationPrefixListId")
        out[key] = r
    return out


def _setup(ec2):
    net = create_network(ec2)  # VPC 10.0.0.0/16, subnet 10.0.1.0/24 in us-east-1a, IGW attached
    rt = ec2.create_route_table(VpcId=net.vpc_id)["RouteTable"]
    return net, rt["RouteTableId"]


def test_create_route_table(ec2):
    net = create_network(ec2, igw=False)
    rt = ec2.create_route_table(
        VpcId=net.vpc_id,
        TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "private"}]}],
    )["RouteTable"]
    assert rt["RouteTableId"].startswith("rtb-")
    assert rt["VpcId"] == net.vpc_id
    assert rt["OwnerId"] == DEFAULT_ACCOUNT
    assert rt["Associations"] == []
    assert [(r["DestinationCidrBlock"], r["GatewayId"], r["State"], r["Origin"]) for r in rt["Routes"]] == [
        ("10.0.0.0/16", "local", "active", "CreateRouteTable")]
    assert {t["Key"]: t["Value"] for t in rt["Tags"]} == {"Name": "private"}
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_route_table(VpcId="vpc-0123456789abcdef0")
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.describe_route_tables(RouteTableIds=["rtb-0123456789abcdef0"])


def test_route_to_internet_gateway(ec2):
    net, rt_id = _setup(ec2)
    assert ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)["Return"] is True
    r = _routes(ec2, rt_id)["0.0.0.0/0"]
    assert (r["GatewayId"], r["State"], r["Origin"]) == (net.igw_id, "active", "CreateRoute")


def test_route_to_igw_of_another_vpc_rejected(ec2):
    net, rt_id = _setup(ec2)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    igw2 = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw2, VpcId=other)
    # AWS: InvalidParameterValue ("... belong to different networks").
    with aws_error("InvalidParameterValue"):
        ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw2)
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId="igw-0123456789abcdef0")


def test_route_to_network_interface(ec2):
    net, rt_id = _setup(ec2)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="172.16.0.0/12", NetworkInterfaceId=eni)
    r = _routes(ec2, rt_id)["172.16.0.0/12"]
    assert r["NetworkInterfaceId"] == eni
    assert r["Origin"] == "CreateRoute"
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="192.168.0.0/16",
                         NetworkInterfaceId="eni-0123456789abcdef0")


def test_route_to_instance(ec2):
    net, rt_id = _setup(ec2)
    inst = run_instance(ec2, net.subnet_id)
    primary_eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="10.99.0.0/16", InstanceId=inst["InstanceId"])
    r = _routes(ec2, rt_id)["10.99.0.0/16"]
    assert r["InstanceId"] == inst["InstanceId"]
    assert r["NetworkInterfaceId"] == primary_eni
    assert r["InstanceOwnerId"] == DEFAULT_ACCOUNT
    assert r["State"] == "active"


def _add_ipv6(ec2, vpc_id):
    ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)

    def block():
        for a in get_vpc(ec2, vpc_id).get("Ipv6CidrBlockAssociationSet", []):
            if a["Ipv6CidrBlockState"]["State"] == "associated":
                return a["Ipv6CidrBlock"]
        return None

    return wait_until(block, desc="ipv6 block")


def test_route_to_egress_only_igw(ec2):
    net, rt_id = _setup(ec2)
    v6 = _add_ipv6(ec2, net.vpc_id)
    # every route table of the VPC gets the IPv6 local route
    local6 = _routes(ec2, rt_id)[v6]
    assert local6["GatewayId"] == "local"
    eigw = ec2.create_egress_only_internet_gateway(VpcId=net.vpc_id)["EgressOnlyInternetGateway"]["EgressOnlyInternetGatewayId"]
    ec2.create_route(RouteTableId=rt_id, DestinationIpv6CidrBlock="::/0", EgressOnlyInternetGatewayId=eigw)
    r = _routes(ec2, rt_id)["::/0"]
    assert r["EgressOnlyInternetGatewayId"] == eigw
    assert r["State"] == "active"
    found = ec2.describe_route_tables(Filters=[f("route.destination-ipv6-cidr-block", "::/0")])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rt_id]
    ec2.delete_route(RouteTableId=rt_id, DestinationIpv6CidrBlock="::/0")
    assert "::/0" not in _routes(ec2, rt_id)


def test_route_to_prefix_list_destination(ec2):
    net, rt_id = _setup(ec2)
    # The AWS-managed S3 list of the region (customer-managed lists belong to a later issue).
    pl = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]
    )["PrefixLists"][0]
    pl_id = pl["PrefixListId"]
    assert pl_id.startswith("pl-")
    assert pl["OwnerId"] == "AWS"
    ec2.create_route(RouteTableId=rt_id, DestinationPrefixListId=pl_id, GatewayId=net.igw_id)
    r = _routes(ec2, rt_id)[pl_id]
    assert r["DestinationPrefixListId"] == pl_id
    assert r["GatewayId"] == net.igw_id
    assert r["State"] == "active"
    with aws_error("RouteAlreadyExists"):
        ec2.create_route(RouteTableId=rt_id, DestinationPrefixListId=pl_id, GatewayId=net.igw_id)
    ec2.delete_route(RouteTableId=rt_id, DestinationPrefixListId=pl_id)
    assert pl_id not in _routes(ec2, rt_id)


def test_route_already_exists_and_replace(ec2):
    net, rt_id = _setup(ec2)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    with aws_error("RouteAlreadyExists"):
        ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    with aws_error("RouteAlreadyExists"):
        ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)

    ec2.replace_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    r = _routes(ec2, rt_id)["0.0.0.0/0"]
    assert r["NetworkInterfaceId"] == eni
    assert "GatewayId" not in r
    ec2.replace_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    r = _routes(ec2, rt_id)["0.0.0.0/0"]
    assert r["GatewayId"] == net.igw_id and "NetworkInterfaceId" not in r
    # replacing a route that does not exist: AWS answers InvalidParameterValue
    # ("There is no route defined for ...").
    with aws_error("InvalidParameterValue"):
        ec2.replace_route(RouteTableId=rt_id, DestinationCidrBlock="192.168.0.0/16", GatewayId=net.igw_id)


def test_route_to_a_gateway_cannot_equal_the_vpc_block(ec2):
    net, rt_id = _setup(ec2)
    # the local route cannot be shadowed by an identical destination through a gateway
    with aws_error("InvalidParameterValue") as ei:
        ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="10.0.0.0/16", GatewayId=net.igw_id)
    assert "is equal to or more specific than one of this VPC's CIDR blocks" in ei.value.response["Error"]["Message"]
    assert _routes(ec2, rt_id)["10.0.0.0/16"]["GatewayId"] == "local"


def test_delete_route(ec2):
    net, rt_id = _setup(ec2)
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    ec2.delete_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0")
    assert set(_routes(ec2, rt_id)) == {"10.0.0.0/16"}
    with aws_error("InvalidRoute.NotFound"):
        ec2.delete_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0")
    with aws_error("InvalidRoute.NotFound"):
        ec2.delete_route(RouteTableId=rt_id, DestinationCidrBlock="192.168.0.0/16")
    # the local route cannot be deleted (AWS: InvalidParameterValue)
    with aws_error("InvalidParameterValue"):
        ec2.delete_route(RouteTableId=rt_id, DestinationCidrBlock="10.0.0.0/16")
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.delete_route(RouteTableId="rtb-0123456789abcdef0", DestinationCidrBlock="0.0.0.0/0")


def test_subnet_associations(ec2):
    net, rt_id = _setup(ec2)
    rt2 = ec2.create_route_table(VpcId=net.vpc_id)["RouteTable"]["RouteTableId"]
    r = ec2.associate_route_table(RouteTableId=rt_id, SubnetId=net.subnet_id)
    assoc_id = r["AssociationId"]
    assert assoc_id.startswith("rtbassoc-")
    assert r["AssociationState"]["State"] == "associated"
    [a] = get_rt(ec2, rt_id)["Associations"]
    assert (a["RouteTableAssociationId"], a["SubnetId"], a["Main"], a["RouteTableId"]) == (
        assoc_id, net.subnet_id, False, rt_id)

    # a subnet has at most one route table association
    with aws_error("Resource.AlreadyAssociated"):
        ec2.associate_route_table(RouteTableId=rt2, SubnetId=net.subnet_id)
    with aws_error("Resource.AlreadyAssociated"):
        ec2.associate_route_table(RouteTableId=rt_id, SubnetId=net.subnet_id)

    # replace: the subnet moves to rt2 under a new association id
    new_id = ec2.replace_route_table_association(AssociationId=assoc_id, RouteTableId=rt2)["NewAssociationId"]
    assert new_id != assoc_id
    assert get_rt(ec2, rt_id)["Associations"] == []
    [a2] = get_rt(ec2, rt2)["Associations"]
    assert (a2["RouteTableAssociationId"], a2["SubnetId"]) == (new_id, net.subnet_id)

    ec2.disassociate_route_table(AssociationId=new_id)
    assert get_rt(ec2, rt2)["Associations"] == []
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.disassociate_route_table(AssociationId=new_id)
    # once disassociated, the subnet falls back to the main table and can be associated again
    ec2.associate_route_table(RouteTableId=rt_id, SubnetId=net.subnet_id)


def test_association_across_vpcs_rejected(ec2):
    net, rt_id = _setup(ec2)
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    # AWS: InvalidParameterValue ("... belong to different networks").
    with aws_error("InvalidParameterValue"):
        ec2.associate_route_table(RouteTableId=rt_id, SubnetId=other_subnet)


def test_main_route_table_rules(ec2):
    net, rt_id = _setup(ec2)
    main = main_route_table(ec2, net.vpc_id)
    with aws_error("DependencyViolation"):
        ec2.delete_route_table(RouteTableId=main["RouteTableId"])

    # a table with a subnet association cannot be deleted
    assoc = ec2.associate_route_table(RouteTableId=rt_id, SubnetId=net.subnet_id)["AssociationId"]
    with aws_error("DependencyViolation"):
        ec2.delete_route_table(RouteTableId=rt_id)
    ec2.disassociate_route_table(AssociationId=assoc)

    # make the custom table the main one; the old main table becomes deletable
    main_assoc = next(a for a in main["Associations"] if a["Main"])["RouteTableAssociationId"]
    new_main_assoc = ec2.replace_route_table_association(AssociationId=main_assoc, RouteTableId=rt_id)["NewAssociationId"]
    now_main = main_route_table(ec2, net.vpc_id)
    assert now_main["RouteTableId"] == rt_id
    assert [a["RouteTableAssociationId"] for a in now_main["Associations"] if a["Main"]] == [new_main_assoc]
    ec2.delete_route_table(RouteTableId=main["RouteTableId"])
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.describe_route_tables(RouteTableIds=[main["RouteTableId"]])
    # the main association cannot simply be disassociated (AWS: InvalidParameterValue)
    with aws_error("InvalidParameterValue"):
        ec2.disassociate_route_table(AssociationId=new_main_assoc)


def test_delete_unassociated_table(ec2):
    net, rt_id = _setup(ec2)
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    ec2.delete_route_table(RouteTableId=rt_id)
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.describe_route_tables(RouteTableIds=[rt_id])
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.delete_route_table(RouteTableId=rt_id)


def test_blackhole_when_igw_detached(ec2):
    net, rt_id = _setup(ec2)
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    assert _routes(ec2, rt_id)["0.0.0.0/0"]["State"] == "active"
    ec2.detach_internet_gateway(InternetGatewayId=net.igw_id, VpcId=net.vpc_id)
    r = _routes(ec2, rt_id)["0.0.0.0/0"]
    assert r["State"] == "blackhole"
    assert r["GatewayId"] == net.igw_id
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(
        Filters=[f("vpc-id", net.vpc_id), f("route.state", "blackhole")])["RouteTables"]] == [rt_id]
    # re-attaching brings the route back
    ec2.attach_internet_gateway(InternetGatewayId=net.igw_id, VpcId=net.vpc_id)
    assert _routes(ec2, rt_id)["0.0.0.0/0"]["State"] == "active"


def test_blackhole_when_eni_deleted(ec2):
    net, rt_id = _setup(ec2)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="172.16.0.0/12", NetworkInterfaceId=eni)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    r = _routes(ec2, rt_id)["172.16.0.0/12"]
    assert r["State"] == "blackhole"
    # a blackhole route can still be deleted
    ec2.delete_route(RouteTableId=rt_id, DestinationCidrBlock="172.16.0.0/12")
    assert "172.16.0.0/12" not in _routes(ec2, rt_id)


def test_blackhole_when_instance_terminated(ec2):
    net, rt_id = _setup(ec2)
    inst = run_instance(ec2, net.subnet_id)
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="10.99.0.0/16", InstanceId=inst["InstanceId"])
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    wait_until(lambda: _routes(ec2, rt_id)["10.99.0.0/16"]["State"] == "blackhole", desc="route blackholed")


def test_gateway_edge_association(ec2):
    net, rt_id = _setup(ec2)
    r = ec2.associate_route_table(RouteTableId=rt_id, GatewayId=net.igw_id)
    assoc_id = r["AssociationId"]
    assert r["AssociationState"]["State"] == "associated"
    [a] = get_rt(ec2, rt_id)["Associations"]
    assert a["GatewayId"] == net.igw_id
    assert a["Main"] is False
    assert "SubnetId" not in a
    found = ec2.describe_route_tables(Filters=[f("association.gateway-id", net.igw_id)])["RouteTables"]
    assert [t["RouteTableId"] for t in found] == [rt_id]
    with aws_error("DependencyViolation"):
        ec2.delete_route_table(RouteTableId=rt_id)
    ec2.disassociate_route_table(AssociationId=assoc_id)
    assert get_rt(ec2, rt_id)["Associations"] == []


def test_vgw_route_propagation_missing_gateway(ec2):
    net, rt_id = _setup(ec2)
    missing = "vgw-0123456789abcdef0"
    with aws_error({"InvalidVpnGatewayID.NotFound", "InvalidGatewayID.NotFound"}):
        ec2.enable_vgw_route_propagation(RouteTableId=rt_id, GatewayId=missing)
    with aws_error({"InvalidVpnGatewayID.NotFound", "InvalidGatewayID.NotFound"}):
        ec2.disable_vgw_route_propagation(RouteTableId=rt_id, GatewayId=missing)
    assert get_rt(ec2, rt_id).get("PropagatingVgws", []) == []


def test_filters(ec2):
    net, rt_id = _setup(ec2)
    main_id = main_route_table(ec2, net.vpc_id)["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt_id, SubnetId=net.subnet_id)
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    other_main = main_route_table(ec2, other_vpc)["RouteTableId"]

    def ids(*flt):
        return {t["RouteTableId"] for t in ec2.describe_route_tables(Filters=list(flt))["RouteTables"]}

    assert ids(f("route-table-id", rt_id)) == {rt_id}
    assert ids(f("vpc-id", net.vpc_id)) == {rt_id, main_id}
    assert ids(f("vpc-id", net.vpc_id, other_vpc), f("association.main", "true")) == {main_id, other_main}
    assert ids(f("vpc-id", net.vpc_id), f("association.main", "false")) == {rt_id}
    assert ids(f("association.subnet-id", net.subnet_id)) == {rt_id}
    assert ids(f("vpc-id", net.vpc_id, other_vpc), f("route.destination-cidr-block", "0.0.0.0/0")) == {rt_id}
    assert ids(f("route.destination-cidr-block", "10.1.0.0/16")) == {other_main}
    assert ids(f("route.gateway-id", net.igw_id)) == {rt_id}
    assert ids(f("vpc-id", net.vpc_id), f("route.gateway-id", "local")) == {rt_id, main_id}
    assoc_id = get_rt(ec2, rt_id)["Associations"][0]["RouteTableAssociationId"]
    assert ids(f("association.route-table-association-id", assoc_id)) == {rt_id}
    assert ids(f("owner-id", DEFAULT_ACCOUNT), f("vpc-id", other_vpc)) == {other_main}


def test_route_destination_must_be_valid_cidr(ec2):
    net, rt_id = _setup(ec2)
    for bad in ("0.0.0.0", "10.0.0.0/40", "nonsense"):
        with aws_error("InvalidParameterValue"):
            ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock=bad, GatewayId=net.igw_id)
    # more-specific routes inside the VPC range are allowed targets for middlebox ENIs
    eni = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rt_id, DestinationCidrBlock="10.0.1.0/24", NetworkInterfaceId=eni)
    assert _routes(ec2, rt_id)["10.0.1.0/24"]["NetworkInterfaceId"] == eni
