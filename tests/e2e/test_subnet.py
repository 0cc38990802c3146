"""Subnets: placement, CIDR rules, address accounting, attributes, IPv6, filters, pagination."""

import ipaddress

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    all_pages,
    aws_error,
    f,
    get_subnet,
    get_vpc,
    name_tag,
    run_instance,
    tags_of,
    usable_count,
    wait_until,
)


def _vpc(ec2, cidr="10.0.0.0/16", **kw):
    return ec2.create_vpc(CidrBlock=cidr, **kw)["Vpc"]["VpcId"]


def test_create_in_availability_zone(ec2):
    vpc_id = _vpc(ec2)
    az_ids = {a["ZoneName"]: a["ZoneId"] for a in ec2.describe_availability_zones()["AvailabilityZones"]}
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1b")["Subnet"]
    assert s["SubnetId"].startswith("subnet-")
    assert s["VpcId"] == vpc_id
    assert s["CidrBlock"] == "10.0.1.0/24"
    assert s["AvailabilityZone"] == "us-east-1b"
    assert s["AvailabilityZoneId"] == az_ids["us-east-1b"]
    assert s["State"] in ("pending", "available")
    assert s["DefaultForAz"] is False
    assert s["MapPublicIpOnLaunch"] is False
    assert s["OwnerId"] == DEFAULT_ACCOUNT
    assert s["SubnetArn"] == f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:subnet/{s['SubnetId']}"
    assert s["AvailableIpAddressCount"] == 251
    d = wait_until(lambda: get_subnet(ec2, s["SubnetId"])["State"] == "available" and get_subnet(ec2, s["SubnetId"]),
                   desc="subnet available")
    assert d["AvailabilityZone"] == "us-east-1b"


def test_create_by_availability_zone_id_and_without_az(ec2):
    vpc_id = _vpc(ec2)
    azs = ec2.describe_availability_zones()["AvailabilityZones"]
    target = azs[-1]
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZoneId=target["ZoneId"])["Subnet"]
    assert (s["AvailabilityZone"], s["AvailabilityZoneId"]) == (target["ZoneName"], target["ZoneId"])
    s2 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]
    assert s2["AvailabilityZone"] in {a["ZoneName"] for a in azs}


def test_invalid_availability_zone(ec2):
    vpc_id = _vpc(ec2)
    # AWS: InvalidParameterValue ("Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can
    # currently only be created in the following availability zones: ...").
    with aws_error("InvalidParameterValue"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1z")
    with aws_error("InvalidParameterValue"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="eu-west-1a")
    assert ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"] == []


def test_size_limits(ec2):
    vpc_id = _vpc(ec2, "10.0.0.0/16")
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/29")
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/15")
    # /28 is the smallest allowed; 16 - 5 reserved = 11 usable
    s28 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/28")["Subnet"]
    assert s28["AvailableIpAddressCount"] == 11
    ec2.delete_subnet(SubnetId=s28["SubnetId"])
    # /16 is the largest allowed (here: the whole VPC)
    s16 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/16")["Subnet"]
    assert s16["AvailableIpAddressCount"] == 65536 - 5


def test_outside_vpc_cidr(ec2):
    vpc_id = _vpc(ec2, "10.0.0.0/16")
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.0.0/24")
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="192.168.0.0/24")
    with aws_error("InvalidSubnet.Range"):  # partially outside
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/15")


def test_overlap_conflict(ec2):
    vpc_id = _vpc(ec2)
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")
    with aws_error("InvalidSubnet.Conflict"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")
    with aws_error("InvalidSubnet.Conflict"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.128/25")
    with aws_error("InvalidSubnet.Conflict"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/23")
    # adjacent is fine, and the same range in another VPC is fine
    ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")
    other = _vpc(ec2)
    ec2.create_subnet(VpcId=other, CidrBlock="10.0.1.0/24")


def test_missing_vpc_and_subnet(ec2):
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_subnet(VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.1.0/24")
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.describe_subnets(SubnetIds=["subnet-0123456789abcdef0"])
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.delete_subnet(SubnetId="subnet-0123456789abcdef0")


def test_available_ip_address_count_tracks_usage(ec2):
    vpc_id = _vpc(ec2)
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]

    def avail():
        return get_subnet(ec2, subnet_id)["AvailableIpAddressCount"]

    assert avail() == 256 - 5 == usable_count("10.0.1.0/24")
    eni1 = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    assert avail() == 250
    eni2 = ec2.create_network_interface(SubnetId=subnet_id, SecondaryPrivateIpAddressCount=2)["NetworkInterface"]["NetworkInterfaceId"]
    assert avail() == 247
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eni1, SecondaryPrivateIpAddressCount=1)
    assert avail() == 246
    inst = run_instance(ec2, subnet_id)
    assert avail() == 245
    ec2.delete_network_interface(NetworkInterfaceId=eni2)
    assert avail() == 248
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    wait_until(lambda: avail() == 249, desc="terminated instance's address released")
    ec2.delete_network_interface(NetworkInterfaceId=eni1)
    assert avail() == 251


def test_modify_map_public_ip_on_launch(ec2):
    vpc_id = _vpc(ec2)
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    assert get_subnet(ec2, subnet_id)["MapPublicIpOnLaunch"] is True
    assert [s["SubnetId"] for s in ec2.describe_subnets(
        Filters=[f("vpc-id", vpc_id), f("map-public-ip-on-launch", "true")])["Subnets"]] == [subnet_id]
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": False})
    assert get_subnet(ec2, subnet_id)["MapPublicIpOnLaunch"] is False
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.modify_subnet_attribute(SubnetId="subnet-0123456789abcdef0", MapPublicIpOnLaunch={"Value": True})


def _ipv6_vpc(ec2):
    vpc_id = _vpc(ec2, AmazonProvidedIpv6CidrBlock=True)

    def block():
        for a in get_vpc(ec2, vpc_id).get("Ipv6CidrBlockAssociationSet", []):
            if a["Ipv6CidrBlockState"]["State"] == "associated":
                return a["Ipv6CidrBlock"]
        return None

    return vpc_id, ipaddress.ip_network(wait_until(block, desc="vpc ipv6 block"))


def test_ipv6_subnet(ec2):
    vpc_id, v6 = _ipv6_vpc(ec2)
    assert v6.prefixlen == 56
    sub64 = list(v6.subnets(new_prefix=64))
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=str(sub64[0]))["Subnet"]
    assocs = s["Ipv6CidrBlockAssociationSet"]
    assert len(assocs) == 1
    assert ipaddress.ip_network(assocs[0]["Ipv6CidrBlock"]) == sub64[0]
    assert assocs[0]["AssociationId"].startswith("subnet-cidr-assoc-")

    # associate a /64 to an IPv4-only subnet later, then disassociate
    s2 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    r = ec2.associate_subnet_cidr_block(SubnetId=s2, Ipv6CidrBlock=str(sub64[1]))
    assert r["SubnetId"] == s2
    aid = r["Ipv6CidrBlockAssociation"]["AssociationId"]

    def assoc_state():
        for a in get_subnet(ec2, s2).get("Ipv6CidrBlockAssociationSet", []):
            if a["AssociationId"] == aid:
                return a["Ipv6CidrBlockState"]["State"]
        return None

    wait_until(lambda: assoc_state() == "associated", desc="subnet ipv6 associated")
    found = ec2.describe_subnets(Filters=[f("ipv6-cidr-block-association.ipv6-cidr-block", str(sub64[1]))])["Subnets"]
    assert [x["SubnetId"] for x in found] == [s2]

    # the same /64 cannot be used twice
    with aws_error("InvalidSubnet.Conflict"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.3.0/24", Ipv6CidrBlock=str(sub64[1]))

    ec2.disassociate_subnet_cidr_block(AssociationId=aid)
    wait_until(lambda: assoc_state() in (None, "disassociated"), desc="subnet ipv6 disassociated")

    ec2.modify_subnet_attribute(SubnetId=s["SubnetId"], AssignIpv6AddressOnCreation={"Value": True})
    assert get_subnet(ec2, s["SubnetId"])["AssignIpv6AddressOnCreation"] is True


def test_ipv6_subnet_must_be_a_64_inside_the_vpc_block(ec2):
    vpc_id, v6 = _ipv6_vpc(ec2)
    outside = "2001:db8:1234:5600::/64"
    assert not ipaddress.ip_network(outside).overlaps(v6)
    # AWS: InvalidSubnet.Range ("The CIDR block you've specified for the subnet is not valid"); an IPv6
    # subnet block lies in the VPC's block and is a /44 to /64 in steps of 4 (VPC guide, subnet sizing).
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=outside)
    with aws_error("InvalidSubnet.Range"):
        ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=str(next(v6.subnets(new_prefix=62))))
    assert ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"] == []
    sixty = str(next(v6.subnets(new_prefix=60)))
    s = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=sixty)["Subnet"]
    assert s["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"] == sixty


def test_delete_with_eni_is_dependency_violation(ec2):
    vpc_id = _vpc(ec2)
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("DependencyViolation"):
        ec2.delete_subnet(SubnetId=subnet_id)
    assert get_subnet(ec2, subnet_id)["SubnetId"] == subnet_id
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_subnet(SubnetId=subnet_id)
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.describe_subnets(SubnetIds=[subnet_id])


def test_filters(ec2):
    vpc_a = _vpc(ec2, "10.0.0.0/16")
    vpc_b = _vpc(ec2, "10.1.0.0/16")
    a1 = ec2.create_subnet(VpcId=vpc_a, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a",
                           TagSpecifications=name_tag("app-a", "subnet"))["Subnet"]
    a2 = ec2.create_subnet(VpcId=vpc_a, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b",
                           TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "db-b"},
                                                                                  {"Key": "tier", "Value": "db"}]}])["Subnet"]
    b1 = ec2.create_subnet(VpcId=vpc_b, CidrBlock="10.1.1.0/24", AvailabilityZone="us-east-1a",
                           TagSpecifications=name_tag("app-c", "subnet"))["Subnet"]
    assert tags_of(a1) == {"Name": "app-a"}

    def ids(*flt):
        return {s["SubnetId"] for s in ec2.describe_subnets(Filters=list(flt))["Subnets"]}

    A1, A2, B1 = a1["SubnetId"], a2["SubnetId"], b1["SubnetId"]
    assert ids(f("vpc-id", vpc_a)) == {A1, A2}
    assert ids(f("vpc-id", vpc_a, vpc_b)) == {A1, A2, B1}
    assert ids(f("vpc-id", vpc_a, vpc_b), f("availability-zone", "us-east-1a")) == {A1, B1}
    az_b_id = a2["AvailabilityZoneId"]
    assert ids(f("vpc-id", vpc_a, vpc_b), f("availability-zone-id", az_b_id)) == {A2}
    assert ids(f("cidr-block", "10.0.2.0/24")) == {A2}
    assert ids(f("cidr", "10.0.2.0/24")) == {A2}
    assert ids(f("cidrBlock", "10.1.1.0/24")) == {B1}
    assert ids(f("default-for-az", "false")) == {A1, A2, B1}
    default_ids = ids(f("default-for-az", "true"))
    assert default_ids and not default_ids & {A1, A2, B1}
    assert ids(f("tag:Name", "app-*")) == {A1, B1}
    assert ids(f("tag:tier", "db")) == {A2}
    assert ids(f("tag-key", "tier")) == {A2}
    assert ids(f("subnet-id", A1, B1)) == {A1, B1}
    assert ids(f("state", "available"), f("vpc-id", vpc_b)) == {B1}
    assert ids(f("owner-id", DEFAULT_ACCOUNT), f("vpc-id", vpc_b)) == {B1}
    assert ids(f("tag:Name", "nope")) == set()


def test_pagination(ec2):
    vpc_id = _vpc(ec2)
    created = {ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(12)}
    pages = all_pages(ec2.describe_subnets, "Subnets", 5, Filters=[f("vpc-id", vpc_id)])
    seen = [s["SubnetId"] for p in pages for s in p]
    assert all(len(p) <= 5 for p in pages), [len(p) for p in pages]
    assert len(pages) >= 3
    assert len(seen) == len(set(seen)) == 12
    assert set(seen) == created

    # unfiltered pagination also covers the default subnets exactly once
    everything = {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]}
    paged = [s["SubnetId"] for p in all_pages(ec2.describe_subnets, "Subnets", 5) for s in p]
    assert len(paged) == len(set(paged))
    assert set(paged) == everything and created < everything

    # the paginator in botocore follows the same tokens
    paginator = ec2.get_paginator("describe_subnets")
    via_paginator = [s["SubnetId"] for page in paginator.paginate(Filters=[f("vpc-id", vpc_id)],
                                                                  PaginationConfig={"PageSize": 5})
                     for s in page["Subnets"]]
    assert sorted(via_paginator) == sorted(created)
