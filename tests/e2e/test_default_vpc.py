"""The default VPC: exists on first use in every account/region, with AWS's exact shape."""

import ipaddress

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    OTHER_ACCOUNT,
    aws_error,
    default_acl,
    default_sg,
    default_vpc,
    f,
    main_route_table,
    usable_count,
)


def _delete_default_vpc(ec2, vpc_id):
    for s in ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for igw in ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", vpc_id)])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=igw["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=igw["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)


def _check_default_vpc(ec2, region, account):
    vpc = default_vpc(ec2)
    assert vpc is not None, "no default VPC on first use"
    assert vpc["CidrBlock"] == "172.31.0.0/16"
    assert vpc["IsDefault"] is True
    assert vpc["State"] == "available"
    assert vpc["OwnerId"] == account
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["VpcId"].startswith("vpc-")
    assocs = vpc["CidrBlockAssociationSet"]
    assert [(a["CidrBlock"], a["CidrBlockState"]["State"]) for a in assocs] == [("172.31.0.0/16", "associated")]
    vpc_id = vpc["VpcId"]

    # DNS support and hostnames are both on in a default VPC
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")["EnableDnsSupport"]["Value"] is True
    assert ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"] is True

    # one default /20 subnet per AZ, carved from the start of 172.31.0.0/16
    azs = ec2.describe_availability_zones()["AvailabilityZones"]
    az_names = {a["ZoneName"] for a in azs}
    az_ids = {a["ZoneName"]: a["ZoneId"] for a in azs}
    subnets = ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"]
    assert {s["AvailabilityZone"] for s in subnets} == az_names
    assert len(subnets) == len(az_names)
    expected_cidrs = {str(n) for n in list(ipaddress.ip_network("172.31.0.0/16").subnets(new_prefix=20))[: len(azs)]}
    assert {s["CidrBlock"] for s in subnets} == expected_cidrs
    for s in subnets:
        assert s["DefaultForAz"] is True
        assert s["MapPublicIpOnLaunch"] is True
        assert s["State"] == "available"
        assert s["AvailableIpAddressCount"] == usable_count(s["CidrBlock"]) == 4091
        assert s["AvailabilityZoneId"] == az_ids[s["AvailabilityZone"]]
        assert s["OwnerId"] == account
        assert s["SubnetArn"] == f"arn:aws:ec2:{region}:{account}:subnet/{s['SubnetId']}"
    by_filter = ec2.describe_subnets(Filters=[f("default-for-az", "true")])["Subnets"]
    assert {s["SubnetId"] for s in by_filter} == {s["SubnetId"] for s in subnets}

    # an attached internet gateway
    igws = ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", vpc_id)])["InternetGateways"]
    assert len(igws) == 1
    igw = igws[0]
    assert igw["Attachments"] == [{"State": "available", "VpcId": vpc_id}]
    assert igw["OwnerId"] == account

    # main route table: local route + default route to the IGW
    rt = main_route_table(ec2, vpc_id)
    routes = {r.get("DestinationCidrBlock"): r for r in rt["Routes"]}
    assert routes["172.31.0.0/16"]["GatewayId"] == "local"
    assert routes["172.31.0.0/16"]["State"] == "active"
    assert routes["172.31.0.0/16"]["Origin"] == "CreateRouteTable"
    assert routes["0.0.0.0/0"]["GatewayId"] == igw["InternetGatewayId"]
    assert routes["0.0.0.0/0"]["State"] == "active"
    assert len(rt["Routes"]) == 2
    main_assoc = [a for a in rt["Associations"] if a["Main"]]
    assert len(main_assoc) == 1 and "SubnetId" not in main_assoc[0]
    assert main_assoc[0]["AssociationState"]["State"] == "associated"

    # default network ACL: allow-all rule 100 and the catch-all deny 32767, both directions
    acl = default_acl(ec2, vpc_id)
    assert acl["IsDefault"] is True
    entries = {(e["Egress"], e["RuleNumber"]): e for e in acl["Entries"]}
    assert set(entries) == {(False, 100), (False, 32767), (True, 100), (True, 32767)}
    for egress in (False, True):
        allow, deny = entries[(egress, 100)], entries[(egress, 32767)]
        assert (allow["RuleAction"], allow["Protocol"], allow["CidrBlock"]) == ("allow", "-1", "0.0.0.0/0")
        assert (deny["RuleAction"], deny["Protocol"], deny["CidrBlock"]) == ("deny", "-1", "0.0.0.0/0")
    # every default subnet is associated with the default ACL
    assert {a["SubnetId"] for a in acl["Associations"]} == {s["SubnetId"] for s in subnets}

    # default security group
    sg = default_sg(ec2, vpc_id)
    assert sg["GroupName"] == "default"
    assert sg["Description"] == "default VPC security group"
    assert sg["OwnerId"] == account
    ingress = sg["IpPermissions"]
    assert len(ingress) == 1 and ingress[0]["IpProtocol"] == "-1"
    assert [p["GroupId"] for p in ingress[0]["UserIdGroupPairs"]] == [sg["GroupId"]]
    egress = sg["IpPermissionsEgress"]
    assert len(egress) == 1 and egress[0]["IpProtocol"] == "-1"
    assert [r["CidrIp"] for r in egress[0]["IpRanges"]] == ["0.0.0.0/0"]
    return vpc


def test_default_vpc_exists_on_first_use(ec2):
    _check_default_vpc(ec2, "us-east-1", DEFAULT_ACCOUNT)


def test_default_vpc_in_other_region(client_factory):
    _check_default_vpc(client_factory("ec2", region="eu-west-1"), "eu-west-1", DEFAULT_ACCOUNT)


def test_default_vpc_in_other_account(client_factory):
    _check_default_vpc(client_factory("ec2", access_key=OTHER_ACCOUNT), "us-east-1", OTHER_ACCOUNT)


def test_each_region_and_account_has_its_own_default_vpc(ec2, client_factory):
    a = default_vpc(ec2)["VpcId"]
    b = default_vpc(client_factory("ec2", region="eu-west-1"))["VpcId"]
    c = default_vpc(client_factory("ec2", access_key=OTHER_ACCOUNT))["VpcId"]
    assert len({a, b, c}) == 3
    # and they are not visible from one another
    with aws_error("InvalidVpcID.NotFound"):
        client_factory("ec2", region="eu-west-1").describe_vpcs(VpcIds=[a])
    with aws_error("InvalidVpcID.NotFound"):
        client_factory("ec2", access_key=OTHER_ACCOUNT).describe_vpcs(VpcIds=[a])
    # stable across calls
    assert default_vpc(ec2)["VpcId"] == a


def test_default_vpc_cannot_be_deleted_with_dependencies(ec2):
    vpc_id = default_vpc(ec2)["VpcId"]
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    assert default_vpc(ec2)["VpcId"] == vpc_id


def test_delete_then_create_default_vpc(ec2):
    old_id = default_vpc(ec2)["VpcId"]
    _delete_default_vpc(ec2, old_id)

    # stays gone: no lazy re-creation once the user deleted it
    assert default_vpc(ec2) is None
    assert ec2.describe_vpcs()["Vpcs"] == []
    attrs = {a["AttributeName"]: [v["AttributeValue"] for v in a["AttributeValues"]]
             for a in ec2.describe_account_attributes(AttributeNames=["default-vpc"])["AccountAttributes"]}
    assert attrs["default-vpc"] == ["none"]

    new = ec2.create_default_vpc()["Vpc"]
    assert new["IsDefault"] is True
    assert new["CidrBlock"] == "172.31.0.0/16"
    assert new["VpcId"] != old_id
    vpc = _check_default_vpc(ec2, "us-east-1", DEFAULT_ACCOUNT)
    assert vpc["VpcId"] == new["VpcId"]

    with aws_error("DefaultVpcAlreadyExists"):
        ec2.create_default_vpc()


def test_create_default_vpc_when_one_exists(ec2):
    with aws_error("DefaultVpcAlreadyExists"):
        ec2.create_default_vpc()
    assert len(ec2.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"]) == 1


def test_default_vpc_filter_is_default_false(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    non_default = ec2.describe_vpcs(Filters=[f("is-default", "false")])["Vpcs"]
    assert [v["VpcId"] for v in non_default] == [vpc_id]
    assert non_default[0]["IsDefault"] is False
