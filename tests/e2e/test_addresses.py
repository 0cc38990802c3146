"""Elastic IP addresses: allocate, associate to instance / ENI, reassociation, release, filters."""

import ipaddress

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    aws_error,
    create_network,
    f,
    get_eni,
    get_instance,
    run_instance,
    tags_of,
    wait_until,
)


def _addr(ec2, alloc_id):
    return ec2.describe_addresses(AllocationIds=[alloc_id])["Addresses"][0]


def test_allocate_and_release(ec2):
    a = ec2.allocate_address(Domain="vpc")
    assert a["AllocationId"].startswith("eipalloc-")
    assert a["Domain"] == "vpc"
    ip = ipaddress.ip_address(a["PublicIp"])
    assert ip.version == 4 and not ip.is_loopback
    for private in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"):
        assert ip not in ipaddress.ip_network(private), a
    assert a.get("NetworkBorderGroup", "us-east-1") == "us-east-1"

    d = _addr(ec2, a["AllocationId"])
    assert (d["PublicIp"], d["Domain"]) == (a["PublicIp"], "vpc")
    assert "AssociationId" not in d and "InstanceId" not in d

    b = ec2.allocate_address(Domain="vpc")
    assert b["PublicIp"] != a["PublicIp"] and b["AllocationId"] != a["AllocationId"]

    ec2.release_address(AllocationId=a["AllocationId"])
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.describe_addresses(AllocationIds=[a["AllocationId"]])
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.release_address(AllocationId=a["AllocationId"])
    assert [x["AllocationId"] for x in ec2.describe_addresses()["Addresses"]] == [b["AllocationId"]]


def test_allocate_with_tags(ec2):
    a = ec2.allocate_address(
        Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "nat"}]}])
    assert tags_of(_addr(ec2, a["AllocationId"])) == {"Name": "nat"}


def test_unknown_allocation_id(ec2):
    missing = "eipalloc-0123456789abcdef0"
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.describe_addresses(AllocationIds=[missing])
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.release_address(AllocationId=missing)
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    with aws_error("InvalidAllocationID.NotFound"):
        ec2.associate_address(AllocationId=missing, InstanceId=inst["InstanceId"])
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.disassociate_address(AssociationId="eipassoc-0123456789abcdef0")


def test_associate_to_instance(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    assert "PublicIpAddress" not in inst  # the subnet does not map public IPs
    a = ec2.allocate_address(Domain="vpc")
    assoc_id = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=inst["InstanceId"])["AssociationId"]
    assert assoc_id.startswith("eipassoc-")

    d = _addr(ec2, a["AllocationId"])
    primary_eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert d["AssociationId"] == assoc_id
    assert d["InstanceId"] == inst["InstanceId"]
    assert d["NetworkInterfaceId"] == primary_eni
    assert d["NetworkInterfaceOwnerId"] == DEFAULT_ACCOUNT
    assert d["PrivateIpAddress"] == inst["PrivateIpAddress"]

    now = get_instance(ec2, inst["InstanceId"])
    assert now["PublicIpAddress"] == a["PublicIp"]
    eni = get_eni(ec2, primary_eni)
    assert eni["Association"]["PublicIp"] == a["PublicIp"]
    assert eni["Association"]["AllocationId"] == a["AllocationId"]
    assert eni["Association"]["AssociationId"] == assoc_id

    ec2.disassociate_address(AssociationId=assoc_id)
    d = _addr(ec2, a["AllocationId"])
    assert "AssociationId" not in d and "InstanceId" not in d and "NetworkInterfaceId" not in d
    assert "PublicIpAddress" not in get_instance(ec2, inst["InstanceId"])
    assert "Association" not in get_eni(ec2, primary_eni)
    ec2.release_address(AllocationId=a["AllocationId"])


def test_associate_requires_internet_gateway(ec2):
    net = create_network(ec2, igw=False)
    inst = run_instance(ec2, net.subnet_id)
    a = ec2.allocate_address(Domain="vpc")
    with aws_error("Gateway.NotAttached"):
        ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=inst["InstanceId"])


def test_associate_to_network_interface(ec2):
    net = create_network(ec2)
    eni = ec2.create_network_interface(SubnetId=net.subnet_id, SecondaryPrivateIpAddressCount=1)["NetworkInterface"]
    eni_id = eni["NetworkInterfaceId"]
    secondary = next(p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"] if not p["Primary"])
    a = ec2.allocate_address(Domain="vpc")
    b = ec2.allocate_address(Domain="vpc")

    ec2.associate_address(AllocationId=a["AllocationId"], NetworkInterfaceId=eni_id)
    d = _addr(ec2, a["AllocationId"])
    assert d["NetworkInterfaceId"] == eni_id
    assert d["PrivateIpAddress"] == eni["PrivateIpAddress"]
    assert "InstanceId" not in d

    # a second EIP on the secondary private address of the same ENI
    ec2.associate_address(AllocationId=b["AllocationId"], NetworkInterfaceId=eni_id, PrivateIpAddress=secondary)
    assert _addr(ec2, b["AllocationId"])["PrivateIpAddress"] == secondary
    per_ip = {p["PrivateIpAddress"]: p.get("Association", {}).get("PublicIp") for p in get_eni(ec2, eni_id)["PrivateIpAddresses"]}
    assert per_ip == {eni["PrivateIpAddress"]: a["PublicIp"], secondary: b["PublicIp"]}

    # a private address the ENI does not own is rejected (AWS: InvalidParameterValue)
    with aws_error("InvalidParameterValue"):
        ec2.associate_address(AllocationId=b["AllocationId"], NetworkInterfaceId=eni_id,
                              PrivateIpAddress="10.0.1.250", AllowReassociation=True)

    for alloc in (a, b):
        ec2.disassociate_address(AssociationId=_addr(ec2, alloc["AllocationId"])["AssociationId"])
    assert all("Association" not in p for p in get_eni(ec2, eni_id)["PrivateIpAddresses"])


def test_reassociation_rules(ec2):
    net = create_network(ec2)
    i1, i2 = (run_instance(ec2, net.subnet_id) for _ in range(2))
    a = ec2.allocate_address(Domain="vpc")
    first = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=i1["InstanceId"])["AssociationId"]

    with aws_error("Resource.AlreadyAssociated"):
        ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=i2["InstanceId"], AllowReassociation=False)
    assert _addr(ec2, a["AllocationId"])["InstanceId"] == i1["InstanceId"]

    second = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=i2["InstanceId"],
                                   AllowReassociation=True)["AssociationId"]
    assert second != first
    d = _addr(ec2, a["AllocationId"])
    assert (d["InstanceId"], d["AssociationId"]) == (i2["InstanceId"], second)
    assert "PublicIpAddress" not in get_instance(ec2, i1["InstanceId"])
    assert get_instance(ec2, i2["InstanceId"])["PublicIpAddress"] == a["PublicIp"]
    # the old association id is gone
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.disassociate_address(AssociationId=first)


def test_release_while_associated(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    a = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=inst["InstanceId"])["AssociationId"]
    with aws_error("InvalidIPAddress.InUse"):
        ec2.release_address(AllocationId=a["AllocationId"])
    assert _addr(ec2, a["AllocationId"])["AssociationId"] == assoc
    ec2.disassociate_address(AssociationId=assoc)
    ec2.release_address(AllocationId=a["AllocationId"])
    assert ec2.describe_addresses()["Addresses"] == []


def test_terminating_instance_disassociates_address(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    a = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=inst["InstanceId"])
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    wait_until(lambda: "AssociationId" not in _addr(ec2, a["AllocationId"]), desc="EIP disassociated on terminate")
    ec2.release_address(AllocationId=a["AllocationId"])


def test_describe_filters(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    a = ec2.allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "web"}, {"Key": "role", "Value": "front"}]}])
    b = ec2.allocate_address(Domain="vpc")
    c = ec2.allocate_address(Domain="vpc")
    ec2.create_tags(Resources=[c["AllocationId"]], Tags=[{"Key": "Name", "Value": "spare"}])
    assoc = ec2.associate_address(AllocationId=a["AllocationId"], InstanceId=inst["InstanceId"])["AssociationId"]

    def ids(*flt):
        return {x["AllocationId"] for x in ec2.describe_addresses(Filters=list(flt))["Addresses"]}

    A, B, C = a["AllocationId"], b["AllocationId"], c["AllocationId"]
    assert ids(f("public-ip", b["PublicIp"])) == {B}
    assert ids(f("allocation-id", A, C)) == {A, C}
    assert ids(f("instance-id", inst["InstanceId"])) == {A}
    assert ids(f("association-id", assoc)) == {A}
    assert ids(f("network-interface-id", inst["NetworkInterfaces"][0]["NetworkInterfaceId"])) == {A}
    assert ids(f("private-ip-address", inst["PrivateIpAddress"])) == {A}
    assert ids(f("domain", "vpc")) == {A, B, C}
    assert ids(f("tag:Name", "web")) == {A}
    assert ids(f("tag:Name", "web", "spare")) == {A, C}
    assert ids(f("tag-key", "role")) == {A}
    assert ids(f("tag:Name", "nothing")) == set()
    by_ip = ec2.describe_addresses(PublicIps=[c["PublicIp"]])["Addresses"]
    assert [x["AllocationId"] for x in by_ip] == [C]
