"""Instances as VPC citizens: addressing, ENIs, groups, lifecycle states, status, attributes, filters."""

import ipaddress

from vpclab_helpers import (
    AMI,
    DEFAULT_ACCOUNT,
    INSTANCE_TYPE,
    STATE_CODES,
    aws_error,
    create_network,
    default_sg,
    f,
    get_eni,
    get_instance,
    in_cidr,
    reserved_ips,
    run_instance,
    run_instances,
    wait_instances_state,
    wait_until,
)


def _sg(ec2, vpc_id, name):
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]


def _check_state(inst, name):
    assert inst["State"]["Name"] == name
    assert inst["State"]["Code"] & 0xFF == STATE_CODES[name]


def test_run_instance_into_subnet(ec2):
    net = create_network(ec2, map_public=True)
    sg = _sg(ec2, net.vpc_id, "web")
    resp = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
                             SubnetId=net.subnet_id, SecurityGroupIds=[sg],
                             TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}]}])
    assert resp["ReservationId"].startswith("r-")
    assert resp["OwnerId"] == DEFAULT_ACCOUNT
    [launched] = resp["Instances"]
    assert launched["InstanceId"].startswith("i-")
    assert launched["State"]["Name"] in ("pending", "running")
    assert (launched["ImageId"], launched["InstanceType"]) == (AMI, INSTANCE_TYPE)
    assert (launched["SubnetId"], launched["VpcId"]) == (net.subnet_id, net.vpc_id)
    assert launched["Placement"]["AvailabilityZone"] == net.az

    iid = launched["InstanceId"]
    wait_instances_state(ec2, [iid], "running")
    inst = get_instance(ec2, iid)
    _check_state(inst, "running")
    ip = inst["PrivateIpAddress"]
    assert in_cidr(ip, net.subnet_cidr) and ip not in reserved_ips(net.subnet_cidr)
    assert ip == launched["PrivateIpAddress"]
    # the subnet maps public IPs on launch
    pub = ipaddress.ip_address(inst["PublicIpAddress"])
    assert pub.version == 4 and pub not in ipaddress.ip_network("10.0.0.0/8")
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [sg]
    assert inst["SecurityGroups"][0]["GroupName"] == "web"
    assert {t["Key"]: t["Value"] for t in inst["Tags"]} == {"Name": "web-1"}
    assert inst["SourceDestCheck"] is True

    # its primary ENI is a real, visible network interface
    [nic] = inst["NetworkInterfaces"]
    assert nic["Attachment"]["DeviceIndex"] == 0
    assert nic["PrivateIpAddress"] == ip
    assert nic["Association"]["PublicIp"] == inst["PublicIpAddress"]
    eni = get_eni(ec2, nic["NetworkInterfaceId"])
    assert eni["Status"] == "in-use"
    assert eni["Attachment"]["InstanceId"] == iid
    assert eni["Attachment"]["DeviceIndex"] == 0
    assert eni["PrivateIpAddress"] == ip
    assert [g["GroupId"] for g in eni["Groups"]] == [sg]
    assert eni["SubnetId"] == net.subnet_id
    assert eni["Association"]["PublicIp"] == inst["PublicIpAddress"]


def test_no_public_ip_when_subnet_does_not_map(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    assert "PublicIpAddress" not in inst
    # unless explicitly requested through the network interface specification
    resp = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1, NetworkInterfaces=[
        {"DeviceIndex": 0, "SubnetId": net.subnet_id, "AssociatePublicIpAddress": True}])
    iid = resp["Instances"][0]["InstanceId"]
    wait_instances_state(ec2, [iid], "running")
    assert ipaddress.ip_address(get_instance(ec2, iid)["PublicIpAddress"])


def test_default_security_group_when_none_given(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id)
    assert [g["GroupId"] for g in inst["SecurityGroups"]] == [default_sg(ec2, net.vpc_id)["GroupId"]]


def test_explicit_private_ip(ec2):
    net = create_network(ec2)
    inst = run_instance(ec2, net.subnet_id, PrivateIpAddress="10.0.1.77")
    assert inst["PrivateIpAddress"] == "10.0.1.77"
    with aws_error("InvalidIPAddress.InUse"):
        ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
                          SubnetId=net.subnet_id, PrivateIpAddress="10.0.1.77")


def test_min_max_count(ec2):
    net = create_network(ec2)
    resp = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=2, MaxCount=3, SubnetId=net.subnet_id)
    insts = resp["Instances"]
    assert len(insts) == 3
    assert sorted(i["AmiLaunchIndex"] for i in insts) == [0, 1, 2]
    ids = [i["InstanceId"] for i in insts]
    assert len(set(ids)) == 3
    ips = {i["PrivateIpAddress"] for i in insts}
    assert len(ips) == 3
    reservations = ec2.describe_instances(InstanceIds=ids)["Reservations"]
    assert [r["ReservationId"] for r in reservations] == [resp["ReservationId"]]
    assert ec2.describe_subnets(SubnetIds=[net.subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 251 - 3


def test_insufficient_addresses_in_subnet(ec2):
    net = create_network(ec2, subnet_cidr="10.0.1.0/28")  # 11 usable addresses
    with aws_error("InsufficientFreeAddressesInSubnet"):
        ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=12, MaxCount=12, SubnetId=net.subnet_id)
    assert ec2.describe_instances(Filters=[f("subnet-id", net.subnet_id)])["Reservations"] == []
    assert ec2.describe_subnets(SubnetIds=[net.subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 11


def test_run_into_missing_subnet_or_foreign_group(ec2):
    net = create_network(ec2)
    with aws_error("InvalidSubnetID.NotFound"):
        ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
                          SubnetId="subnet-0123456789abcdef0")
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    foreign = _sg(ec2, other_vpc, "foreign")
    # AWS: InvalidParameter ("Security group ... and subnet ... belong to different networks")
    with aws_error("InvalidParameter"):
        ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1,
                          SubnetId=net.subnet_id, SecurityGroupIds=[foreign])


def test_stop_start_terminate(ec2):
    net = create_network(ec2, map_public=True)
    inst = run_instance(ec2, net.subnet_id)
    iid, private_ip = inst["InstanceId"], inst["PrivateIpAddress"]
    assert "PublicIpAddress" in inst

    r = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
    assert r["InstanceId"] == iid
    assert r["PreviousState"]["Name"] == "running"
    assert r["CurrentState"]["Name"] in ("stopping", "stopped")
    wait_instances_state(ec2, [iid], "stopped")
    stopped = get_instance(ec2, iid)
    _check_state(stopped, "stopped")
    assert stopped["PrivateIpAddress"] == private_ip  # keeps its private IP
    assert "PublicIpAddress" not in stopped  # loses the auto-assigned public IP
    # stopping a stopped instance is accepted and changes nothing
    assert ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]["InstanceId"] == iid
    _check_state(get_instance(ec2, iid), "stopped")

    r = ec2.start_instances(InstanceIds=[iid])["StartingInstances"][0]
    assert r["PreviousState"]["Name"] == "stopped"
    assert r["CurrentState"]["Name"] in ("pending", "running")
    wait_instances_state(ec2, [iid], "running")
    started = get_instance(ec2, iid)
    assert started["PrivateIpAddress"] == private_ip
    assert ipaddress.ip_address(started["PublicIpAddress"])  # a (new) public IP again

    r = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert r["PreviousState"]["Name"] == "running"
    assert r["CurrentState"]["Name"] in ("shutting-down", "terminated")
    wait_instances_state(ec2, [iid], "terminated")
    gone = get_instance(ec2, iid)
    _check_state(gone, "terminated")
    # the primary ENI (DeleteOnTermination) is gone and its address is free
    eni_id = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    wait_until(lambda: not ec2.describe_network_interfaces(Filters=[f("network-interface-id", eni_id)])["NetworkInterfaces"],
               desc="primary ENI deleted")
    assert ec2.describe_subnets(SubnetIds=[net.subnet_id])["Subnets"][0]["AvailableIpAddressCount"] == 251
    # a terminated instance cannot be started again (AWS: IncorrectInstanceState)
    with aws_error("IncorrectInstanceState"):
        ec2.start_instances(InstanceIds=[iid])


def test_describe_instance_status(ec2):
    net = create_network(ec2)
    a, b = run_instances(ec2, net.subnet_id, 2)
    ec2.stop_instances(InstanceIds=[b["InstanceId"]])
    wait_instances_state(ec2, [b["InstanceId"]], "stopped")

    statuses = ec2.describe_instance_status()["InstanceStatuses"]
    assert [s["InstanceId"] for s in statuses] == [a["InstanceId"]]  # running only by default
    s = statuses[0]
    assert s["InstanceState"]["Name"] == "running"
    assert s["AvailabilityZone"] == net.az
    assert s["InstanceStatus"]["Status"] in ("ok", "initializing")
    assert s["SystemStatus"]["Status"] in ("ok", "initializing")

    every = ec2.describe_instance_status(IncludeAllInstances=True)["InstanceStatuses"]
    assert {x["InstanceId"]: x["InstanceState"]["Name"] for x in every} == {
        a["InstanceId"]: "running", b["InstanceId"]: "stopped"}
    one = ec2.describe_instance_status(InstanceIds=[b["InstanceId"]], IncludeAllInstances=True)["InstanceStatuses"]
    assert [x["InstanceId"] for x in one] == [b["InstanceId"]]
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.describe_instance_status(InstanceIds=["i-0123456789abcdef0"])


def test_modify_instance_attribute(ec2):
    net = create_network(ec2)
    sg1, sg2 = _sg(ec2, net.vpc_id, "one"), _sg(ec2, net.vpc_id, "two")
    inst = run_instance(ec2, net.subnet_id, SecurityGroupIds=[sg1])
    iid = inst["InstanceId"]
    primary_eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]

    ec2.modify_instance_attribute(InstanceId=iid, Groups=[sg1, sg2])
    attr = ec2.describe_instance_attribute(InstanceId=iid, Attribute="groupSet")
    assert {g["GroupId"] for g in attr["Groups"]} == {sg1, sg2}
    assert {g["GroupId"] for g in get_instance(ec2, iid)["SecurityGroups"]} == {sg1, sg2}
    assert {g["GroupId"] for g in get_eni(ec2, primary_eni)["Groups"]} == {sg1, sg2}

    ec2.modify_instance_attribute(InstanceId=iid, SourceDestCheck={"Value": False})
    attr = ec2.describe_instance_attribute(InstanceId=iid, Attribute="sourceDestCheck")
    assert attr["SourceDestCheck"]["Value"] is False
    assert get_instance(ec2, iid)["SourceDestCheck"] is False

    with aws_error({"InvalidGroup.NotFound", "InvalidSecurityGroupID.NotFound"}):
        ec2.modify_instance_attribute(InstanceId=iid, Groups=["sg-0123456789abcdef0"])
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.modify_instance_attribute(InstanceId="i-0123456789abcdef0", SourceDestCheck={"Value": True})


def test_describe_instances_filters(ec2):
    net = create_network(ec2)
    sub2 = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    sub3 = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]

    def tagged(name):
        return [{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}]

    a = run_instance(ec2, net.subnet_id, TagSpecifications=tagged("api-1"), PrivateIpAddress="10.0.1.20")
    b = run_instance(ec2, sub2, TagSpecifications=tagged("api-2"))
    c = run_instance(ec2, sub3, TagSpecifications=tagged("worker"))
    ec2.stop_instances(InstanceIds=[b["InstanceId"]])
    wait_instances_state(ec2, [b["InstanceId"]], "stopped")

    def ids(*flt):
        return {i["InstanceId"] for r in ec2.describe_instances(Filters=list(flt))["Reservations"] for i in r["Instances"]}

    A, B, C = a["InstanceId"], b["InstanceId"], c["InstanceId"]
    assert ids(f("instance-state-name", "running")) == {A, C}
    assert ids(f("instance-state-name", "stopped")) == {B}
    assert ids(f("instance-state-code", "80")) == {B}
    assert ids(f("subnet-id", sub2)) == {B}
    assert ids(f("vpc-id", net.vpc_id)) == {A, B}
    assert ids(f("vpc-id", other_vpc)) == {C}
    assert ids(f("private-ip-address", "10.0.1.20")) == {A}
    assert ids(f("tag:Name", "api-*")) == {A, B}
    assert ids(f("tag:Name", "worker")) == {C}
    assert ids(f("availability-zone", "us-east-1b")) == {B}
    assert ids(f("instance-id", A, C)) == {A, C}
    assert ids(f("network-interface.subnet-id", sub3)) == {C}
    assert ids(f("image-id", AMI)) == {A, B, C}
    assert ids(f("instance-type", INSTANCE_TYPE), f("vpc-id", other_vpc)) == {C}


def test_invalid_instance_id(ec2):
    missing = "i-0123456789abcdef0"
    with aws_error("InvalidInstanceID.NotFound"):
        ec2.describe_instances(InstanceIds=[missing])
    for op in (ec2.stop_instances, ec2.start_instances, ec2.terminate_instances):
        with aws_error("InvalidInstanceID.NotFound"):
            op(InstanceIds=[missing])
    with aws_error({"InvalidInstanceID.Malformed", "InvalidInstanceID.NotFound"}):
        ec2.describe_instances(InstanceIds=["instance-1"])
