"""Network ACLs: default and custom ACLs, entries, associations, deletion rules."""

from vpclab_helpers import aws_error, create_network, default_acl, f, get_acl


def _entries(acl):
    return {(e["Egress"], e["RuleNumber"]): e for e in acl["Entries"]}


def _assoc_for_subnet(ec2, subnet_id):
    acls = ec2.describe_network_acls(Filters=[f("association.subnet-id", subnet_id)])["NetworkAcls"]
    assert len(acls) == 1, acls
    [a] = [a for a in acls[0]["Associations"] if a["SubnetId"] == subnet_id]
    return acls[0]["NetworkAclId"], a["NetworkAclAssociationId"]


def test_default_acl_entries_and_subnet_association(ec2):
    net = create_network(ec2, igw=False)
    acl = default_acl(ec2, net.vpc_id)
    assert acl["NetworkAclId"].startswith("acl-")
    assert acl["IsDefault"] is True
    assert acl["VpcId"] == net.vpc_id
    e = _entries(acl)
    assert set(e) == {(False, 100), (False, 32767), (True, 100), (True, 32767)}
    for egress in (False, True):
        assert (e[(egress, 100)]["RuleAction"], e[(egress, 100)]["Protocol"], e[(egress, 100)]["CidrBlock"]) == (
            "allow", "-1", "0.0.0.0/0")
        assert (e[(egress, 32767)]["RuleAction"], e[(egress, 32767)]["CidrBlock"]) == ("deny", "0.0.0.0/0")
    # a new subnet is implicitly associated with the default ACL
    acl_id, assoc_id = _assoc_for_subnet(ec2, net.subnet_id)
    assert acl_id == acl["NetworkAclId"]
    assert assoc_id.startswith("aclassoc-")


def test_custom_acl_starts_with_deny_all(ec2):
    net = create_network(ec2, igw=False)
    acl = ec2.create_network_acl(
        VpcId=net.vpc_id,
        TagSpecifications=[{"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "db"}]}],
    )["NetworkAcl"]
    assert acl["IsDefault"] is False
    assert acl["Associations"] == []
    e = _entries(acl)
    assert set(e) == {(False, 32767), (True, 32767)}
    assert all(x["RuleAction"] == "deny" and x["Protocol"] == "-1" and x["CidrBlock"] == "0.0.0.0/0"
               for x in e.values())
    assert {t["Key"]: t["Value"] for t in acl["Tags"]} == {"Name": "db"}
    assert _entries(get_acl(ec2, acl["NetworkAclId"])).keys() == e.keys()
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_network_acl(VpcId="vpc-0123456789abcdef0")


def test_create_replace_delete_entries(ec2):
    net = create_network(ec2, igw=False)
    acl_id = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="10.0.0.0/16", PortRange={"From": 5432, "To": 5432})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=110, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 1024, "To": 65535})
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="-1", RuleAction="allow", Egress=True,
                                 CidrBlock="10.0.0.0/16")
    ec2.create_network_acl_entry(NetworkAclId=acl_id, RuleNumber=120, Protocol="1", RuleAction="allow", Egress=False,
                                 CidrBlock="10.0.0.0/16", IcmpTypeCode={"Type": 8, "Code": -1})
    e = _entries(get_acl(ec2, acl_id))
    assert set(e) == {(False, 100), (False, 110), (False, 120), (False, 32767), (True, 100), (True, 32767)}
    r100 = e[(False, 100)]
    assert (r100["Protocol"], r100["RuleAction"], r100["CidrBlock"], r100["PortRange"]) == (
        "6", "allow", "10.0.0.0/16", {"From": 5432, "To": 5432})
    assert e[(False, 110)]["PortRange"] == {"From": 1024, "To": 65535}
    assert e[(False, 120)]["IcmpTypeCode"] == {"Type": 8, "Code": -1}

    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="6", RuleAction="deny", Egress=False,
                                  CidrBlock="10.0.5.0/24", PortRange={"From": 5432, "To": 5433})
    r100 = _entries(get_acl(ec2, acl_id))[(False, 100)]
    assert (r100["RuleAction"], r100["CidrBlock"], r100["PortRange"]) == ("deny", "10.0.5.0/24", {"From": 5432, "To": 5433})
    # the egress rule with the same number is untouched
    assert _entries(get_acl(ec2, acl_id))[(True, 100)]["RuleAction"] == "allow"

    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=False)
    assert (False, 100) not in _entries(get_acl(ec2, acl_id))
    assert (True, 100) in _entries(get_acl(ec2, acl_id))
    # replacing / deleting an entry that does not exist (AWS: InvalidNetworkAclEntry.NotFound)
    with aws_error("InvalidNetworkAclEntry.NotFound"):
        ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Protocol="-1", RuleAction="deny",
                                      Egress=False, CidrBlock="0.0.0.0/0")
    with aws_error("InvalidNetworkAclEntry.NotFound"):
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=False)


def test_entry_already_exists(ec2):
    net = create_network(ec2, igw=False)
    acl_id = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    kw = dict(NetworkAclId=acl_id, RuleNumber=200, Protocol="17", RuleAction="allow", Egress=False,
              CidrBlock="0.0.0.0/0", PortRange={"From": 53, "To": 53})
    ec2.create_network_acl_entry(**kw)
    with aws_error("NetworkAclEntryAlreadyExists"):
        ec2.create_network_acl_entry(**kw)
    with aws_error("NetworkAclEntryAlreadyExists"):
        ec2.create_network_acl_entry(**{**kw, "RuleAction": "deny", "CidrBlock": "10.0.0.0/8"})
    # same number in the other direction is a different entry
    ec2.create_network_acl_entry(**{**kw, "Egress": True})


def test_rule_number_range(ec2):
    net = create_network(ec2, igw=False)
    acl_id = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    kw = dict(NetworkAclId=acl_id, Protocol="-1", RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")
    for bad in (0, -1, 32767, 32768, 40000):
        with aws_error("InvalidParameterValue"):
            ec2.create_network_acl_entry(RuleNumber=bad, **kw)
    ec2.create_network_acl_entry(RuleNumber=1, **kw)
    ec2.create_network_acl_entry(RuleNumber=32766, **kw)
    assert {n for (eg, n) in _entries(get_acl(ec2, acl_id)) if not eg} == {1, 32766, 32767}
    # the catch-all deny entry cannot be deleted or replaced
    with aws_error("InvalidParameterValue"):
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=32767, Egress=False)


def test_invalid_entries_rejected(ec2):
    net = create_network(ec2, igw=False)
    acl_id = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    base = dict(NetworkAclId=acl_id, RuleNumber=100, RuleAction="allow", Egress=False)
    with aws_error("MissingParameter"):  # TCP without a port range
        ec2.create_network_acl_entry(Protocol="6", CidrBlock="0.0.0.0/0", **base)
    with aws_error("InvalidParameterValue"):
        ec2.create_network_acl_entry(Protocol="-1", CidrBlock="10.0.0.0/40", **base)
    with aws_error("InvalidParameterValue"):
        ec2.create_network_acl_entry(Protocol="-1", CidrBlock="0.0.0.0/0", **{**base, "RuleAction": "maybe"})
    with aws_error("InvalidNetworkAclID.NotFound"):
        ec2.create_network_acl_entry(Protocol="-1", CidrBlock="0.0.0.0/0",
                                     **{**base, "NetworkAclId": "acl-0123456789abcdef0"})
    assert set(_entries(get_acl(ec2, acl_id))) == {(False, 32767), (True, 32767)}


def test_replace_association_moves_subnet(ec2):
    net = create_network(ec2, igw=False)
    s2 = ec2.create_subnet(VpcId=net.vpc_id, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    default_id = default_acl(ec2, net.vpc_id)["NetworkAclId"]
    custom = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]

    acl_id, assoc_id = _assoc_for_subnet(ec2, net.subnet_id)
    assert acl_id == default_id
    new_assoc = ec2.replace_network_acl_association(AssociationId=assoc_id, NetworkAclId=custom)["NewAssociationId"]
    assert new_assoc.startswith("aclassoc-") and new_assoc != assoc_id
    assert _assoc_for_subnet(ec2, net.subnet_id) == (custom, new_assoc)
    assert {a["SubnetId"] for a in get_acl(ec2, custom)["Associations"]} == {net.subnet_id}
    assert {a["SubnetId"] for a in get_acl(ec2, default_id)["Associations"]} == {s2}
    found = ec2.describe_network_acls(Filters=[f("association.association-id", new_assoc)])["NetworkAcls"]
    assert [a["NetworkAclId"] for a in found] == [custom]

    # an associated custom ACL cannot be deleted
    with aws_error("DependencyViolation"):
        ec2.delete_network_acl(NetworkAclId=custom)

    # move it back, then deletion works
    back = ec2.replace_network_acl_association(AssociationId=new_assoc, NetworkAclId=default_id)["NewAssociationId"]
    assert _assoc_for_subnet(ec2, net.subnet_id) == (default_id, back)
    ec2.delete_network_acl(NetworkAclId=custom)
    with aws_error("InvalidNetworkAclID.NotFound"):
        ec2.describe_network_acls(NetworkAclIds=[custom])
    with aws_error("InvalidAssociationID.NotFound"):
        ec2.replace_network_acl_association(AssociationId="aclassoc-0123456789abcdef0", NetworkAclId=default_id)


def test_deleting_subnet_releases_association(ec2):
    net = create_network(ec2, igw=False)
    custom = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    _, assoc_id = _assoc_for_subnet(ec2, net.subnet_id)
    ec2.replace_network_acl_association(AssociationId=assoc_id, NetworkAclId=custom)
    ec2.delete_subnet(SubnetId=net.subnet_id)
    assert get_acl(ec2, custom)["Associations"] == []
    ec2.delete_network_acl(NetworkAclId=custom)


def test_cannot_delete_default_acl(ec2):
    net = create_network(ec2, igw=False)
    default_id = default_acl(ec2, net.vpc_id)["NetworkAclId"]
    # AWS answers InvalidParameterValue ("cannot delete default network ACL acl-...").
    with aws_error("InvalidParameterValue"):
        ec2.delete_network_acl(NetworkAclId=default_id)
    assert get_acl(ec2, default_id)["IsDefault"] is True


def test_filters(ec2):
    net = create_network(ec2, igw=False)
    custom = ec2.create_network_acl(VpcId=net.vpc_id, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "db-acl"}]}])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=custom, RuleNumber=150, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="10.0.20.0/24", PortRange={"From": 22, "To": 22})
    default_id = default_acl(ec2, net.vpc_id)["NetworkAclId"]

    def ids(*flt):
        return {a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=list(flt))["NetworkAcls"]}

    assert ids(f("vpc-id", net.vpc_id)) == {custom, default_id}
    assert ids(f("vpc-id", net.vpc_id), f("default", "false")) == {custom}
    assert ids(f("network-acl-id", custom)) == {custom}
    assert ids(f("tag:Name", "db-acl")) == {custom}
    assert ids(f("entry.rule-number", "150")) == {custom}
    assert ids(f("entry.cidr", "10.0.20.0/24")) == {custom}
    assert ids(f("association.subnet-id", net.subnet_id)) == {default_id}
