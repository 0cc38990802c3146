"""CreateTags / DeleteTags / DescribeTags across resource types."""

from vpclab_helpers import (
    aws_error,
    create_network,
    default_acl,
    f,
    get_instance,
    get_subnet,
    get_vpc,
    main_route_table,
    run_instance,
    tags_of,
)


def _resources(ec2):
    net = create_network(ec2)
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=net.vpc_id)["GroupId"]
    eni = ec2.create_network_interface(SubnetId=net.subnet_id)["NetworkInterface"]["NetworkInterfaceId"]
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    inst = run_instance(ec2, net.subnet_id)["InstanceId"]
    return {
        "vpc": net.vpc_id,
        "subnet": net.subnet_id,
        "security-group": sg,
        "internet-gateway": net.igw_id,
        "route-table": main_route_table(ec2, net.vpc_id)["RouteTableId"],
        "network-acl": default_acl(ec2, net.vpc_id)["NetworkAclId"],
        "network-interface": eni,
        "elastic-ip": eip,
        "instance": inst,
    }


def _describe_tags(ec2, *flt):
    return ec2.describe_tags(Filters=list(flt))["Tags"]


def test_create_tags_on_many_resource_types(ec2):
    res = _resources(ec2)
    ids = list(res.values())
    ec2.create_tags(Resources=ids, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "net"}])

    tags = _describe_tags(ec2, f("key", "env"))
    assert {(t["ResourceId"], t["ResourceType"], t["Value"]) for t in tags} == {
        (rid, rtype, "test") for rtype, rid in res.items()}

    # tags show up on the resources themselves
    assert tags_of(get_vpc(ec2, res["vpc"])) == {"env": "test", "team": "net"}
    assert tags_of(get_subnet(ec2, res["subnet"])) == {"env": "test", "team": "net"}
    assert tags_of(get_instance(ec2, res["instance"])) == {"env": "test", "team": "net"}
    eip = ec2.describe_addresses(AllocationIds=[res["elastic-ip"]])["Addresses"][0]
    assert tags_of(eip) == {"env": "test", "team": "net"}

    # overwrite a value
    ec2.create_tags(Resources=[res["vpc"]], Tags=[{"Key": "env", "Value": "prod"}])
    assert tags_of(get_vpc(ec2, res["vpc"])) == {"env": "prod", "team": "net"}


def test_describe_tags_filters(ec2):
    res = _resources(ec2)
    ec2.create_tags(Resources=[res["vpc"], res["subnet"]], Tags=[{"Key": "Name", "Value": "alpha"}])
    ec2.create_tags(Resources=[res["security-group"]], Tags=[{"Key": "Name", "Value": "beta"},
                                                            {"Key": "owner", "Value": "alice"}])

    def rows(*flt):
        return {(t["ResourceId"], t["Key"], t["Value"]) for t in _describe_tags(ec2, *flt)}

    assert rows(f("resource-type", "vpc")) == {(res["vpc"], "Name", "alpha")}
    assert rows(f("resource-type", "subnet", "security-group")) == {
        (res["subnet"], "Name", "alpha"), (res["security-group"], "Name", "beta"), (res["security-group"], "owner", "alice")}
    assert rows(f("resource-id", res["security-group"])) == {
        (res["security-group"], "Name", "beta"), (res["security-group"], "owner", "alice")}
    assert rows(f("key", "owner")) == {(res["security-group"], "owner", "alice")}
    assert rows(f("value", "alpha")) == {(res["vpc"], "Name", "alpha"), (res["subnet"], "Name", "alpha")}
    assert rows(f("key", "Name"), f("value", "beta")) == {(res["security-group"], "Name", "beta")}
    assert rows(f("resource-type", "instance")) == set()
    [row] = _describe_tags(ec2, f("resource-id", res["vpc"]))
    assert row == {"Key": "Name", "ResourceId": res["vpc"], "ResourceType": "vpc", "Value": "alpha"}


def test_describe_tags_pagination(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{i:02d}", "Value": str(i)} for i in range(12)])
    seen, token, pages = [], None, 0
    while True:
        kw = {"MaxResults": 5, "Filters": [f("resource-id", vpc_id)]}
        if token:
            kw["NextToken"] = token
        r = ec2.describe_tags(**kw)
        assert len(r["Tags"]) <= 5
        seen += [t["Key"] for t in r["Tags"]]
        pages += 1
        token = r.get("NextToken")
        if not token:
            break
    assert pages >= 3
    assert sorted(seen) == [f"k{i:02d}" for i in range(12)]


def test_delete_tags_by_key_vs_key_and_value(ec2):
    res = _resources(ec2)
    targets = [res["vpc"], res["subnet"], res["security-group"]]
    ec2.create_tags(Resources=targets, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"},
                                             {"Key": "c", "Value": "3"}, {"Key": "d", "Value": ""}])

    def keys(rid):
        return {t["Key"]: t["Value"] for t in _describe_tags(ec2, f("resource-id", rid))}

    # key only: removed whatever the value
    ec2.delete_tags(Resources=targets, Tags=[{"Key": "a"}])
    # key + wrong value: nothing removed
    ec2.delete_tags(Resources=targets, Tags=[{"Key": "b", "Value": "999"}])
    # key + matching value: removed
    ec2.delete_tags(Resources=targets, Tags=[{"Key": "c", "Value": "3"}])
    for rid in targets:
        assert keys(rid) == {"b": "2", "d": ""}
    # an empty value only matches an empty value
    ec2.delete_tags(Resources=[res["vpc"]], Tags=[{"Key": "b", "Value": ""}])
    assert keys(res["vpc"]) == {"b": "2", "d": ""}
    ec2.delete_tags(Resources=[res["vpc"]], Tags=[{"Key": "d", "Value": ""}])
    assert keys(res["vpc"]) == {"b": "2"}
    # no Tags at all: every tag of the resource goes
    ec2.delete_tags(Resources=[res["subnet"]])
    assert keys(res["subnet"]) == {}
    assert tags_of(get_subnet(ec2, res["subnet"])) == {}
    # deleting a tag that is not there is not an error
    ec2.delete_tags(Resources=[res["subnet"]], Tags=[{"Key": "zzz"}])


def test_tag_limits_and_validation(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with aws_error("TagLimitExceeded"):
        ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "one-too-many", "Value": "v"}])
    assert len(tags_of(get_vpc(ec2, vpc_id))) == 50
    # overwriting an existing key does not count against the limit
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "k0", "Value": "changed"}])
    assert tags_of(get_vpc(ec2, vpc_id))["k0"] == "changed"

    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    # the aws: prefix is reserved; over-long keys are rejected (AWS: InvalidParameterValue)
    with aws_error("InvalidParameterValue"):
        ec2.create_tags(Resources=[other], Tags=[{"Key": "aws:owner", "Value": "me"}])
    with aws_error("InvalidParameterValue"):
        ec2.create_tags(Resources=[other], Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert tags_of(get_vpc(ec2, other)) == {}


def test_create_tags_on_missing_resource(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # AWS answers InvalidVpcID.NotFound for a well-formed VPC id that does not exist, InvalidID for
    # something that is no resource id at all.
    with aws_error("InvalidVpcID.NotFound"):
        ec2.create_tags(Resources=[vpc_id, "vpc-0123456789abcdef0"], Tags=[{"Key": "a", "Value": "b"}])
    with aws_error("InvalidID"):
        ec2.create_tags(Resources=["not-an-id"], Tags=[{"Key": "a", "Value": "b"}])


def test_tags_follow_resource_deletion(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc_id], Tags=[{"Key": "Name", "Value": "gone-soon"}])
    ec2.delete_vpc(VpcId=vpc_id)
    assert _describe_tags(ec2, f("resource-id", vpc_id)) == []
