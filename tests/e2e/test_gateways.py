"""Internet gateways and egress-only internet gateways."""

from vpclab_helpers import DEFAULT_ACCOUNT, aws_error, create_network, f, run_instance, tags_of


def _igw(ec2, vpc_id=None):
    igw = ec2.create_internet_gateway()["InternetGateway"]
    if vpc_id:
        ec2.attach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
    return igw["InternetGatewayId"]


def _get_igw(ec2, igw_id):
    return ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]


def test_igw_lifecycle(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway(
        TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "gw"}]}]
    )["InternetGateway"]
    igw_id = igw["InternetGatewayId"]
    assert igw_id.startswith("igw-")
    assert igw["Attachments"] == []
    assert tags_of(igw) == {"Name": "gw"}
    assert _get_igw(ec2, igw_id)["OwnerId"] == DEFAULT_ACCOUNT

    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert _get_igw(ec2, igw_id)["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    found = ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", vpc_id)])["InternetGateways"]
    assert [g["InternetGatewayId"] for g in found] == [igw_id]
    assert [g["InternetGatewayId"] for g in ec2.describe_internet_gateways(
        Filters=[f("attachment.state", "available"), f("tag:Name", "gw")])["InternetGateways"]] == [igw_id]

    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert _get_igw(ec2, igw_id)["Attachments"] == []
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.delete_internet_gateway(InternetGatewayId=igw_id)


def test_attach_twice_is_already_associated(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = _igw(ec2, vpc_id)
    with aws_error("Resource.AlreadyAssociated"):
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    # attaching the same gateway to a second VPC is refused too
    vpc2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    with aws_error("Resource.AlreadyAssociated"):
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc2)
    assert _get_igw(ec2, igw_id)["Attachments"] == [{"State": "available", "VpcId": vpc_id}]


def test_second_igw_on_same_vpc_rejected(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    first = _igw(ec2, vpc_id)
    second = _igw(ec2)
    # AWS answers Resource.AlreadyAssociated ("Network vpc-... already has an internet gateway
    # attached").
    with aws_error("Resource.AlreadyAssociated"):
        ec2.attach_internet_gateway(InternetGatewayId=second, VpcId=vpc_id)
    assert _get_igw(ec2, second)["Attachments"] == []
    attached = ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", vpc_id)])["InternetGateways"]
    assert [g["InternetGatewayId"] for g in attached] == [first]


def test_delete_attached_is_dependency_violation(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = _igw(ec2, vpc_id)
    with aws_error("DependencyViolation"):
        ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    assert _get_igw(ec2, igw_id)["Attachments"][0]["VpcId"] == vpc_id


def test_detach_not_attached(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = _igw(ec2)
    with aws_error("Gateway.NotAttached"):
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    # attached, but to another VPC
    vpc2 = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc2)
    with aws_error("Gateway.NotAttached"):
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)


def test_attach_to_missing_vpc_or_missing_igw(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = _igw(ec2)
    with aws_error("InvalidVpcID.NotFound"):
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId="vpc-0123456789abcdef0")
    with aws_error("InvalidInternetGatewayID.NotFound"):
        ec2.attach_internet_gateway(InternetGatewayId="igw-0123456789abcdef0", VpcId=vpc_id)


def test_detach_with_mapped_public_addresses_is_dependency_violation(ec2):
    # AWS refuses to detach the gateway while instances in the VPC hold public/Elastic IPs.
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc, InstanceId=inst["InstanceId"])["AssociationId"]
    with aws_error("DependencyViolation"):
        ec2.detach_internet_gateway(InternetGatewayId=net.igw_id, VpcId=net.vpc_id)
    ec2.disassociate_address(AssociationId=assoc)
    ec2.detach_internet_gateway(InternetGatewayId=net.igw_id, VpcId=net.vpc_id)


def test_egress_only_igw_lifecycle(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    eigw = ec2.create_egress_only_internet_gateway(
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "egress-only-internet-gateway", "Tags": [{"Key": "Name", "Value": "e"}]}],
    )["EgressOnlyInternetGateway"]
    eigw_id = eigw["EgressOnlyInternetGatewayId"]
    assert eigw_id.startswith("eigw-")
    assert eigw["Attachments"] == [{"State": "attached", "VpcId": vpc_id}]

    described = ec2.describe_egress_only_internet_gateways(EgressOnlyInternetGatewayIds=[eigw_id])
    [d] = described["EgressOnlyInternetGateways"]
    assert d["Attachments"] == [{"State": "attached", "VpcId": vpc_id}]
    assert tags_of(d) == {"Name": "e"}
    all_ids = [g["EgressOnlyInternetGatewayId"] for g in
               ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]]
    assert all_ids == [eigw_id]
    assert [g["EgressOnlyInternetGatewayId"] for g in ec2.describe_egress_only_internet_gateways(
        Filters=[f("tag:Name", "e")])["EgressOnlyInternetGateways"]] == [eigw_id]

    assert ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId=eigw_id)["ReturnCode"] is True
    remaining = ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"]
    assert eigw_id not in [g["EgressOnlyInternetGatewayId"] for g in remaining]


def test_egress_only_igw_missing_vpc(ec2):
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_egress_only_internet_gateway(VpcId="vpc-0123456789abcdef0")
    # deleting an unknown one: AWS answers InvalidGatewayID.NotFound ("The specified gateway does not exist").
    with aws_error("InvalidGatewayID.NotFound"):
        ec2.delete_egress_only_internet_gateway(EgressOnlyInternetGatewayId="eigw-0123456789abcdef0")
