"""VPC lifecycle, attributes, CIDR associations, filters, the VPC quota, pagination."""

import ipaddress

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    OTHER_ACCOUNT,
    VpclabServer,
    all_pages,
    aws_error,
    default_acl,
    default_sg,
    f,
    get_vpc,
    main_route_table,
    make_client,
    tags_of,
    wait_until,
)


def test_create_describe_delete(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    vpc_id = vpc["VpcId"]
    assert vpc_id.startswith("vpc-")
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert vpc["State"] in ("pending", "available")
    assert vpc["IsDefault"] is False
    assert vpc["InstanceTenancy"] == "default"
    assert vpc["OwnerId"] == DEFAULT_ACCOUNT
    assert vpc["DhcpOptionsId"]
    [assoc] = vpc["CidrBlockAssociationSet"]
    assert assoc["CidrBlock"] == "10.0.0.0/16"
    assert assoc["AssociationId"].startswith("vpc-cidr-assoc-")

    described = wait_until(lambda: get_vpc(ec2, vpc_id)["State"] == "available" and get_vpc(ec2, vpc_id),
                           desc="vpc available")
    assert described["CidrBlock"] == "10.0.0.0/16"
    assert described["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"

    ec2.delete_vpc(VpcId=vpc_id)
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vpc_id])
    with aws_error("InvalidVpcID.NotFound"):
        ec2.delete_vpc(VpcId=vpc_id)


def test_new_vpc_gets_main_route_table_default_acl_and_sg(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]

    rt = main_route_table(ec2, vpc_id)
    assert [(r.get("DestinationCidrBlock"), r.get("GatewayId"), r["State"]) for r in rt["Routes"]] == [
        ("10.20.0.0/16", "local", "active")]
    assert [a["Main"] for a in rt["Associations"]] == [True]
    all_rts = ec2.describe_route_tables(Filters=[f("vpc-id", vpc_id)])["RouteTables"]
    assert [r["RouteTableId"] for r in all_rts] == [rt["RouteTableId"]]

    acl = default_acl(ec2, vpc_id)
    rules = sorted((e["Egress"], e["RuleNumber"], e["RuleAction"]) for e in acl["Entries"])
    assert rules == [(False, 100, "allow"), (False, 32767, "deny"), (True, 100, "allow"), (True, 32767, "deny")]
    assert acl["Associations"] == []

    sg = default_sg(ec2, vpc_id)
    assert sg["GroupId"].startswith("sg-")
    assert sg["Description"] == "default VPC security group"
    [ingress] = sg["IpPermissions"]
    assert [p["GroupId"] for p in ingress["UserIdGroupPairs"]] == [sg["GroupId"]]

    # a fresh VPC has no internet gateway and no subnets
    assert ec2.describe_internet_gateways(Filters=[f("attachment.vpc-id", vpc_id)])["InternetGateways"] == []
    assert ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"] == []


def test_delete_vpc_removes_its_implicit_resources(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    rt_id = main_route_table(ec2, vpc_id)["RouteTableId"]
    acl_id = default_acl(ec2, vpc_id)["NetworkAclId"]
    sg_id = default_sg(ec2, vpc_id)["GroupId"]
    ec2.delete_vpc(VpcId=vpc_id)
    with aws_error("InvalidRouteTableID.NotFound"):
        ec2.describe_route_tables(RouteTableIds=[rt_id])
    with aws_error("InvalidNetworkAclID.NotFound"):
        ec2.describe_network_acls(NetworkAclIds=[acl_id])
    with aws_error("InvalidGroup.NotFound"):
        ec2.describe_security_groups(GroupIds=[sg_id])


def test_cidr_size_limits(ec2):
    with aws_error("InvalidVpc.Range"):
        ec2.create_vpc(CidrBlock="10.0.0.0/15")
    with aws_error("InvalidVpc.Range"):
        ec2.create_vpc(CidrBlock="10.0.0.0/29")
    # the extremes of the allowed range work
    assert ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["CidrBlock"] == "10.1.0.0/16"
    assert ec2.create_vpc(CidrBlock="10.2.0.0/28")["Vpc"]["CidrBlock"] == "10.2.0.0/28"
    assert ec2.describe_vpcs(Filters=[f("cidr", "10.0.0.0/15")])["Vpcs"] == []


def test_invalid_cidr_syntax(ec2):
    # AWS answers InvalidParameterValue ("Value (...) for parameter cidrBlock is invalid. This is
    # not a valid CIDR block.").
    for bad in ("10.0.0.0", "10.0.0.0/33", "300.0.0.0/16", "banana"):
        with aws_error("InvalidParameterValue"):
            ec2.create_vpc(CidrBlock=bad)


def test_dns_attributes_round_trip(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]

    def attr(name, key):
        r = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=name)
        assert r["VpcId"] == vpc_id
        return r[key]["Value"]

    assert attr("enableDnsSupport", "EnableDnsSupport") is True
    assert attr("enableDnsHostnames", "EnableDnsHostnames") is False

    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert attr("enableDnsHostnames", "EnableDnsHostnames") is True
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False})
    assert attr("enableDnsSupport", "EnableDnsSupport") is False
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": True})
    assert attr("enableDnsSupport", "EnableDnsSupport") is True
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": False})
    assert attr("enableDnsHostnames", "EnableDnsHostnames") is False

    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpc_attribute(VpcId="vpc-0123456789abcdef0", Attribute="enableDnsSupport")


def test_secondary_ipv4_cidr_association(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    r = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.1.0.0/16")
    assert r["VpcId"] == vpc_id
    assoc = r["CidrBlockAssociation"]
    assert assoc["CidrBlock"] == "10.1.0.0/16"
    assert assoc["CidrBlockState"]["State"] in ("associating", "associated")
    assoc_id = assoc["AssociationId"]

    def state_of(aid):
        for a in get_vpc(ec2, vpc_id)["CidrBlockAssociationSet"]:
            if a["AssociationId"] == aid:
                return a["CidrBlockState"]["State"]
        return None

    wait_until(lambda: state_of(assoc_id) == "associated", desc="secondary cidr associated")
    vpc = get_vpc(ec2, vpc_id)
    assert vpc["CidrBlock"] == "10.0.0.0/16"  # primary unchanged
    # the filter on associated blocks finds the VPC by its secondary block
    found = ec2.describe_vpcs(Filters=[f("cidr-block-association.cidr-block", "10.1.0.0/16")])["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
    # the main route table gets a local route for the new block
    routes = {r.get("DestinationCidrBlock"): r for r in main_route_table(ec2, vpc_id)["Routes"]}
    assert routes["10.1.0.0/16"]["GatewayId"] == "local"

    # a subnet can now be created in the secondary range
    sub = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.1.5.0/24")["Subnet"]
    ec2.delete_subnet(SubnetId=sub["SubnetId"])

    d = ec2.disassociate_vpc_cidr_block(AssociationId=assoc_id)
    assert d["CidrBlockAssociation"]["AssociationId"] == assoc_id
    assert d["CidrBlockAssociation"]["CidrBlockState"]["State"] in ("disassociating", "disassociated")
    wait_until(lambda: state_of(assoc_id) in (None, "disassociated"), desc="secondary cidr disassociated")
    # its local route is gone from the main route table
    routes = {r.get("DestinationCidrBlock") for r in main_route_table(ec2, vpc_id)["Routes"]}
    assert "10.1.0.0/16" not in routes


def test_cannot_disassociate_primary_cidr(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    primary = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    # AWS: OperationNotPermitted ("... is the primary IPv4 CIDR block of the VPC").
    with aws_error("OperationNotPermitted"):
        ec2.disassociate_vpc_cidr_block(AssociationId=primary)
    assert get_vpc(ec2, vpc["VpcId"])["CidrBlock"] == "10.0.0.0/16"


def test_secondary_cidr_overlapping_primary_rejected(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    # overlap with the existing block: AWS answers InvalidVpc.Range ("The CIDR '...' conflicts with another subnet").
    with aws_error("InvalidVpc.Range"):
        ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.0.128.0/17")
    assert len(get_vpc(ec2, vpc_id)["CidrBlockAssociationSet"]) == 1


def test_amazon_provided_ipv6_block(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    r = ec2.associate_vpc_cidr_block(VpcId=vpc_id, AmazonProvidedIpv6CidrBlock=True)
    v6 = r["Ipv6CidrBlockAssociation"]
    assert v6["AssociationId"]
    assert v6["Ipv6CidrBlockState"]["State"] in ("associating", "associated")

    def current():
        for a in get_vpc(ec2, vpc_id).get("Ipv6CidrBlockAssociationSet", []):
            if a["AssociationId"] == v6["AssociationId"] and a["Ipv6CidrBlockState"]["State"] == "associated":
                return a
        return None

    a = wait_until(current, desc="ipv6 block associated")
    net = ipaddress.ip_network(a["Ipv6CidrBlock"])
    assert net.version == 6 and net.prefixlen == 56
    assert a.get("Ipv6Pool", "Amazon") == "Amazon"
    assert a.get("NetworkBorderGroup", "us-east-1") == "us-east-1"

    # the main route table gets an IPv6 local route
    routes = main_route_table(ec2, vpc_id)["Routes"]
    assert any(r.get("DestinationIpv6CidrBlock") == a["Ipv6CidrBlock"] and r.get("GatewayId") == "local"
               for r in routes), routes

    # a second VPC gets a different /56
    vpc2 = ec2.create_vpc(CidrBlock="10.1.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    b = wait_until(lambda: [x for x in get_vpc(ec2, vpc2).get("Ipv6CidrBlockAssociationSet", [])
                            if x["Ipv6CidrBlockState"]["State"] == "associated"], desc="vpc2 ipv6")
    assert not ipaddress.ip_network(b[0]["Ipv6CidrBlock"]).overlaps(net)

    ec2.disassociate_vpc_cidr_block(AssociationId=v6["AssociationId"])
    wait_until(lambda: current() is None, desc="ipv6 block disassociated")


def test_delete_vpc_with_subnet_is_dependency_violation(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    assert get_vpc(ec2, vpc_id)["VpcId"] == vpc_id
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_delete_vpc_with_attached_igw_or_custom_sg_is_dependency_violation(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    sg_id = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc_id)["GroupId"]
    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_security_group(GroupId=sg_id)
    ec2.delete_vpc(VpcId=vpc_id)


def test_describe_missing_vpc(ec2):
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=["vpc-0123456789abcdef0"])
    # one missing id among existing ones still fails the whole call
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vpc_id, "vpc-0123456789abcdef0"])


def test_malformed_vpc_id(ec2):
    # AWS answers InvalidVpcID.Malformed for ids that are not vpc-<hex>.
    with aws_error({"InvalidVpcID.Malformed", "InvalidVpcID.NotFound"}):
        ec2.describe_vpcs(VpcIds=["not-a-vpc"])
    with aws_error({"InvalidVpcID.Malformed", "InvalidVpcID.NotFound"}):
        ec2.delete_vpc(VpcId="subnet-12345678")


def test_tag_specifications_on_create(ec2):
    vpc = ec2.create_vpc(
        CidrBlock="10.0.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"},
                                                            {"Key": "env", "Value": "dev"}]}],
    )["Vpc"]
    assert tags_of(vpc) == {"Name": "main", "env": "dev"}
    assert tags_of(get_vpc(ec2, vpc["VpcId"])) == {"Name": "main", "env": "dev"}


def test_tag_specification_wrong_resource_type_rejected(ec2):
    # AWS: InvalidParameter "'subnet' is not a valid taggable resource type for this operation."
    # (as reported from AWS in jonrau1/SyntheticSun#13)
    with aws_error("InvalidParameter"):
        ec2.create_vpc(CidrBlock="10.0.0.0/16",
                       TagSpecifications=[{"ResourceType": "subnet", "Tags": [{"Key": "a", "Value": "b"}]}])


def test_filters(ec2):
    def mk(cidr, name, **extra):
        tags = [{"Key": "Name", "Value": name}] + [{"Key": k, "Value": v} for k, v in extra.items()]
        return ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": tags}])["Vpc"]["VpcId"]

    web1 = mk("10.0.0.0/16", "web-1", tier="front")
    web2 = mk("10.1.0.0/16", "web-2")
    db = mk("192.168.0.0/20", "db-1", tier="back")

    def ids(*flt):
        return {v["VpcId"] for v in ec2.describe_vpcs(Filters=list(flt))["Vpcs"]}

    assert ids(f("cidr", "10.1.0.0/16")) == {web2}
    assert ids(f("cidr-block-association.cidr-block", "192.168.0.0/20")) == {db}
    assert ids(f("tag:Name", "web-1")) == {web1}
    assert ids(f("tag:Name", "web-*")) == {web1, web2}
    assert ids(f("tag:Name", "*-1")) == {web1, db}
    assert ids(f("tag:Name", "web-?")) == {web1, web2}
    assert ids(f("tag:Name", "web-1", "db-1")) == {web1, db}  # values are OR-ed
    assert ids(f("tag-key", "tier")) == {web1, db}
    assert ids(f("tag:tier", "back")) == {db}
    assert ids(f("is-default", "false")) == {web1, web2, db}
    default_id = ec2.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"][0]["VpcId"]
    assert ids(f("is-default", "true")) == {default_id}
    assert ids(f("vpc-id", web1, db)) == {web1, db}
    assert ids(f("state", "available")) == {web1, web2, db, default_id}
    assert ids(f("owner-id", DEFAULT_ACCOUNT)) == {web1, web2, db, default_id}
    # filters are AND-ed
    assert ids(f("tag:Name", "web-*"), f("tag-key", "tier")) == {web1}
    assert ids(f("tag:Name", "nothing*")) == set()
    # VpcIds and Filters combine
    assert {v["VpcId"] for v in ec2.describe_vpcs(VpcIds=[web1, web2], Filters=[f("tag-key", "tier")])["Vpcs"]} == {web1}


def test_unknown_filter_name_rejected(ec2):
    # AWS: InvalidParameterValue "The filter 'no-such-filter' is invalid".
    with aws_error("InvalidParameterValue"):
        ec2.describe_vpcs(Filters=[f("no-such-filter", "x")])


def test_vpcs_are_isolated_per_account_and_region(ec2, client_factory):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other_acct = client_factory("ec2", access_key=OTHER_ACCOUNT)
    other_region = client_factory("ec2", region="eu-west-1")
    for c in (other_acct, other_region):
        assert vpc_id not in {v["VpcId"] for v in c.describe_vpcs()["Vpcs"]}
        with aws_error("InvalidVpcID.NotFound"):
            c.delete_vpc(VpcId=vpc_id)
    assert get_vpc(ec2, vpc_id)["VpcId"] == vpc_id


def test_vpc_quota(ec2, client_factory):
    """AWS's default quota is 5 VPCs per region, the default VPC included (the session server runs with
    AWS's default quotas: no --quota flag). The fifth CreateVpc, a sixth VPC, is refused with VpcLimitExceeded, "The
    maximum number of VPCs has been reached." (EC2 error codes; the message real accounts get)."""
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # the default VPC
    created = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(4)]
    with aws_error("VpcLimitExceeded") as ei:
        ec2.create_vpc(CidrBlock="10.4.0.0/16")
    assert ei.value.response["Error"]["Message"] == "The maximum number of VPCs has been reached."
    assert len(ec2.describe_vpcs()["Vpcs"]) == 5
    assert not ec2.describe_vpcs(Filters=[f("cidr", "10.4.0.0/16")])["Vpcs"], "the refused VPC exists"
    # still refused; deleting one frees a slot
    with aws_error("VpcLimitExceeded"):
        ec2.create_vpc(CidrBlock="10.200.0.0/16")
    ec2.delete_vpc(VpcId=created.pop())
    ec2.create_vpc(CidrBlock="10.201.0.0/16")
    with aws_error("VpcLimitExceeded"):
        ec2.create_vpc(CidrBlock="10.202.0.0/16")
    # the quota is per region and per account
    assert client_factory("ec2", region="eu-west-1").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert client_factory("ec2", access_key=OTHER_ACCOUNT).create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def test_vpc_pagination_across_pages(tmp_path, vpclab_binary):
    """13 VPCs (a server of its own with --quota vpcs_per_region=20) read with MaxResults=5: three pages
    or more, none larger than 5, every VPC once."""
    server = VpclabServer(vpclab_binary, state_dir=None, in_memory=True, log_path=tmp_path / "vpclab.log",
                          extra_args=["--quota", "vpcs_per_region=20"]).start()
    try:
        ec2 = make_client(server.endpoint)
        created = [ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(12)]
        expected = {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
        assert len(expected) == 13 and set(created) <= expected
        pages = all_pages(ec2.describe_vpcs, "Vpcs", 5)
        seen = [v["VpcId"] for p in pages for v in p]
        assert all(len(p) <= 5 for p in pages)
        assert len(pages) >= 3
        assert len(seen) == len(set(seen)), "a VPC was returned twice across pages"
        assert set(seen) == expected
    finally:
        server.stop()


def test_vpc_pagination_small_page(ec2):
    ids = {ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")["Vpc"]["VpcId"] for i in range(3)}
    ids |= {v["VpcId"] for v in ec2.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"]}
    pages = all_pages(ec2.describe_vpcs, "Vpcs", 5)
    assert {v["VpcId"] for p in pages for v in p} == ids
    assert len(pages[0]) == 4  # fewer than MaxResults fit on the first page


def test_invalid_next_token(ec2):
    # EC2's error codes list InvalidNextToken ("The specified NextToken is not valid").
    with aws_error("InvalidNextToken"):
        ec2.describe_vpcs(MaxResults=5, NextToken="this-is-not-a-token")


def test_a_default_quota_refusal_says_in_the_log_how_to_raise_it(tmp_path, vpclab_binary):
    """The API answer stays AWS's; the server's log names the quota and the flags that raise it."""
    log = tmp_path / "vpclab.log"
    server = VpclabServer(vpclab_binary, state_dir=None, in_memory=True, log_path=log).start()
    try:
        ec2 = make_client(server.endpoint)
        for i in range(4):
            ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
        with aws_error("VpcLimitExceeded") as ei:
            ec2.create_vpc(CidrBlock="10.9.0.0/16")
        assert ei.value.response["Error"]["Message"] == "The maximum number of VPCs has been reached."
        text = log.read_text()
        assert "VpcLimitExceeded: a default AWS quota (vpcs_per_region) refused the call" in text, text
        assert "`vpclab serve --quota vpcs_per_region=N`" in text and "`--raised-quotas`" in text
    finally:
        server.stop()
