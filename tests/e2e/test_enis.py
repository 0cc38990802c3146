"""Elastic network interfaces: addressing, secondary IPs, attachment, attributes."""

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    aws_error,
    create_network,
    default_sg,
    f,
    get_eni,
    get_instance,
    in_cidr,
    reserved_ips,
    run_instance,
    wait_until,
)


def _sg(ec2, vpc_id, name):
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]


def test_create_allocates_address_in_subnet(ec2):
    net = create_network(ec2, subnet_cidr="10.0.1.0/28")
    eni = ec2.create_network_interface(SubnetId=net.subnet_id, Description="app nic")["NetworkInterface"]
    eni_id = eni["NetworkInterfaceId"]
    assert eni_id.startswith("eni-")
    assert eni["SubnetId"] == net.subnet_id
    assert eni["VpcId"] == net.vpc_id
    assert eni["AvailabilityZone"] == net.az
    assert eni["Description"] == "app nic"
    assert eni["OwnerId"] == DEFAULT_ACCOUNT
    assert eni["InterfaceType"] == "interface"
    assert eni["SourceDestCheck"] is True
    assert eni["Status"] in ("pending", "available")
    assert eni["MacAddress"]
    assert eni["RequesterManaged"] is False
    ip = eni["PrivateIpAddress"]
    assert in_cidr(ip, "10.0.1.0/28") and ip not in reserved_ips("10.0.1.0/28")
    [only] = eni["PrivateIpAddresses"]
    assert (only["Primary"], only["PrivateIpAddress"]) == (True, ip)
    # without explicit groups the VPC's default security group is used
    assert [g["GroupId"] for g in eni["Groups"]] == [default_sg(ec2, net.vpc_id)["GroupId"]]
    assert wait_until(lambda: get_eni(ec2, eni_id)["Status"] == "available", desc="eni available")


def test_addresses_are_unique_and_never_reserved(ec2):
    # a /28 has exactly 11 usable addresses; take them all
    net = create_network(ec2, subnet_cidr="10.0.1.0/28")
    ips = [ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["PrivateIpAddress"]
           for _ in range(11)]
    assert len(set(ips)) == 11
    assert not set(ips) & reserved_ips("10.0.1.0/28")
    assert all(in_cidr(ip, "10.0.1.0/28") for ip in ips)
    assert ec2.describe_subnets(SubnetIds=[net.subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 0
    with aws_error("InsufficientFreeAddressesInSubnet"):
        ec2.create_network_interface(SubnetId=net.subnet_id)


def test_explicit_private_ip(ec2):
    net = create_network(ec2)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id, PrivateIpAddress="10.0.1.50")["NetworkInterface"]
    assert eni["PrivateIpAddress"] == "10.0.1.50"
    with aws_error("InvalidIPAddress.InUse"):
        ec2.create_network_interface(SubnetId=net.subnet_id, PrivateIpAddress="10.0.1.50")
    # reserved and out-of-subnet addresses are refused (AWS: InvalidParameterValue)
    for bad in ("10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255", "10.0.2.10"):
        with aws_error("InvalidParameterValue"):
            ec2.create_network_interface(SubnetId=net.subnet_id, PrivateIpAddress=bad)
    found = ec2.describe_network_interfaces(Filters=[f("subnet-id", net.subnet_id)])["NetworkInterfaces"]
    assert [e["PrivateIpAddress"] for e in found] == ["10.0.1.50"]
    # once deleted, the address is free again
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    again = ec2.create_network_interface(SubnetId=net.subnet_id, PrivateIpAddress="10.0.1.50")["NetworkInterface"]
    assert again["PrivateIpAddress"] == "10.0.1.50"


def test_secondary_private_ip_count(ec2):
    net = create_network(ec2)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id, SecondaryPrivateIpAddressCount=2)["NetworkInterface"]
    addrs = eni["PrivateIpAddresses"]
    assert len(addrs) == 3
    assert [a["Primary"] for a in addrs].count(True) == 1
    primary = next(a["PrivateIpAddress"] for a in addrs if a["Primary"])
    assert primary == eni["PrivateIpAddress"]
    ips = {a["PrivateIpAddress"] for a in addrs}
    assert len(ips) == 3 and all(in_cidr(ip, "10.0.1.0/24") for ip in ips)
    assert not ips & reserved_ips("10.0.1.0/24")


def test_assign_and_unassign_private_ips(ec2):
    net = create_network(ec2)
    eni_id = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    r = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.60", "10.0.1.61"])
    assert r["NetworkInterfaceId"] == eni_id
    assert {a["PrivateIpAddress"] for a in r["AssignedPrivateIpAddresses"]} == {"10.0.1.60", "10.0.1.61"}
    r2 = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, SecondaryPrivateIpAddressCount=2)
    auto = {a["PrivateIpAddress"] for a in r2["AssignedPrivateIpAddresses"]}
    assert len(auto) == 2 and not auto & {"10.0.1.60", "10.0.1.61"}

    eni = get_eni(ec2, eni_id)
    secondaries = {a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"] if not a["Primary"]}
    assert secondaries == {"10.0.1.60", "10.0.1.61"} | auto
    found = ec2.describe_network_interfaces(Filters=[f("addresses.private-ip-address", "10.0.1.61")])
    assert [e["NetworkInterfaceId"] for e in found["NetworkInterfaces"]] == [eni_id]

    # an address held by another interface cannot be taken without AllowReassignment
    other = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("InvalidIPAddress.InUse"):
        ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.60"])

    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.60"])
    eni = get_eni(ec2, eni_id)
    assert "10.0.1.60" not in {a["PrivateIpAddress"] for a in eni["PrivateIpAddresses"]}
    assert len(eni["PrivateIpAddresses"]) == 4
    # the primary address cannot be unassigned; an unknown one neither
    with aws_error("InvalidParameterValue"):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=[eni["PrivateIpAddress"]])
    with aws_error("InvalidParameterValue"):
        ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=["10.0.1.200"])
    # the freed address can be used by another interface
    ec2.assign_private_ip_addresses(NetworkInterfaceId=other, PrivateIpAddresses=["10.0.1.60"])


def test_attach_and_detach(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    eni_id = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    r = ec2.attach_network_interface(NetworkInterfaceId=eni_id, InstanceId=inst["InstanceId"], DeviceIndex=1)
    attach_id = r["AttachmentId"]
    assert attach_id.startswith("eni-attach-")

    eni = wait_until(lambda: (lambda e: e if e["Status"] == "in-use" and e["Attachment"]["Status"] == "attached" else None)(
        get_eni(ec2, eni_id)), desc="eni attached")
    att = eni["Attachment"]
    assert (att["AttachmentId"], att["InstanceId"], att["DeviceIndex"]) == (attach_id, inst["InstanceId"], 1)
    assert att["DeleteOnTermination"] is False
    assert att["InstanceOwnerId"] == DEFAULT_ACCOUNT
    nics = {n["NetworkInterfaceId"]: n["Attachment"]["DeviceIndex"]
            for n in get_instance(ec2, inst["InstanceId"])["NetworkInterfaces"]}
    assert nics == {inst["NetworkInterfaces"][0]["NetworkInterfaceId"]: 0, eni_id: 1}
    found = ec2.describe_network_interfaces(Filters=[f("attachment.instance-id", inst["InstanceId"])])
    assert len(found["NetworkInterfaces"]) == 2

    # the device index is taken now
    eni2 = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("InvalidParameterValue"):
        ec2.attach_network_interface(NetworkInterfaceId=eni2, InstanceId=inst["InstanceId"], DeviceIndex=1)
    # an interface can only be attached once
    with aws_error("InvalidNetworkInterface.InUse"):
        ec2.attach_network_interface(NetworkInterfaceId=eni_id, InstanceId=inst["InstanceId"], DeviceIndex=2)

    with aws_error("InvalidNetworkInterface.InUse"):
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)

    ec2.detach_network_interface(AttachmentId=attach_id)
    eni = wait_until(lambda: (lambda e: e if e["Status"] == "available" else None)(get_eni(ec2, eni_id)),
                     desc="eni detached")
    assert "Attachment" not in eni or eni["Attachment"].get("Status") == "detached"
    with aws_error("InvalidAttachmentID.NotFound"):
        ec2.detach_network_interface(AttachmentId=attach_id)
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])


def test_primary_interface_cannot_be_detached_or_deleted(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    primary = inst["NetworkInterfaces"][0]
    assert primary["Attachment"]["DeviceIndex"] == 0
    assert primary["Attachment"]["DeleteOnTermination"] is True
    # AWS: OperationNotPermitted ("The network interface at device index 0 ... cannot be detached").
    with aws_error("OperationNotPermitted"):
        ec2.detach_network_interface(AttachmentId=primary["Attachment"]["AttachmentId"])
    with aws_error("InvalidNetworkInterface.InUse"):
        ec2.delete_network_interface(NetworkInterfaceId=primary["NetworkInterfaceId"])


def test_modify_groups_source_dest_check_and_description(ec2):
    net = create_network(ec2)
    sg1, sg2 = _sg(ec2, net.vpc_id, "a"), _sg(ec2, net.vpc_id, "b")
    eni_id = ec2.create_network_interface(SubnetId=net.subnet_id, Groups=[sg1])["NetworkInterface"]["NetworkInterfaceId"]
    assert [g["GroupId"] for g in get_eni(ec2, eni_id)["Groups"]] == [sg1]

    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=[sg1, sg2])
    assert {g["GroupId"] for g in get_eni(ec2, eni_id)["Groups"]} == {sg1, sg2}
    attr = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="groupSet")
    assert {g["GroupId"] for g in attr["Groups"]} == {sg1, sg2}
    found = ec2.describe_network_interfaces(Filters=[f("group-id", sg2)])["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in found] == [eni_id]

    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, SourceDestCheck={"Value": False})
    assert get_eni(ec2, eni_id)["SourceDestCheck"] is False
    attr = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="sourceDestCheck")
    assert attr["SourceDestCheck"]["Value"] is False

    ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Description={"Value": "nat"})
    assert get_eni(ec2, eni_id)["Description"] == "nat"
    attr = ec2.describe_network_interface_attribute(NetworkInterfaceId=eni_id, Attribute="description")
    assert attr["Description"]["Value"] == "nat"

    # groups must exist and belong to the same VPC
    with aws_error({"InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound"}):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=["sg-0123456789abcdef0"])
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = _sg(ec2, other_vpc, "foreign")
    with aws_error("InvalidParameter"):
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni_id, Groups=[foreign])
    assert {g["GroupId"] for g in get_eni(ec2, eni_id)["Groups"]} == {sg1, sg2}


def test_security_group_in_use_by_eni_cannot_be_deleted(ec2):
    net = create_network(ec2)
    sg = _sg(ec2, net.vpc_id, "in-use")
    eni_id = ec2.create_network_interface(SubnetId=net.subnet_id, Groups=[sg])["NetworkInterface"]["NetworkInterfaceId"]
    with aws_error("DependencyViolation"):
        ec2.delete_security_group(GroupId=sg)
    ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    ec2.delete_security_group(GroupId=sg)


def test_describe_filters(ec2):
    net = create_network(ec2)
    a = ec2.create_network_interface(SubnetId=net.subnet_id, Description="alpha", PrivateIpAddress="10.0.1.10",
                                     TagSpecifications=[{"ResourceType": "network-interface",
                                                         "Tags": [{"Key": "Name", "Value": "alpha"}]}])["NetworkInterface"]
    b = ec2.create_network_interface(SubnetId=net.subnet_id, Description="beta")["NetworkInterface"]

    def ids(*flt):
        return {e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(Filters=list(flt))["NetworkInterfaces"]}

    A, B = a["NetworkInterfaceId"], b["NetworkInterfaceId"]
    assert ids(f("vpc-id", net.vpc_id)) == {A, B}
    assert ids(f("subnet-id", net.subnet_id), f("description", "beta")) == {B}
    assert ids(f("private-ip-address", "10.0.1.10")) == {A}
    assert ids(f("network-interface-id", B)) == {B}
    assert ids(f("tag:Name", "alpha")) == {A}
    assert ids(f("status", "available"), f("vpc-id", net.vpc_id)) == {A, B}
    assert ids(f("availability-zone", net.az), f("vpc-id", net.vpc_id)) == {A, B}
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.describe_network_interfaces(NetworkInterfaceIds=["eni-0123456789abcdef0"])
