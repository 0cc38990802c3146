"""Security groups and security group rules."""

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    aws_error,
    default_sg,
    f,
    flatten_permissions,
    get_sg,
    tags_of,
    wait_until,
)


def _vpc(ec2, cidr="10.0.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def _sg(ec2, vpc_id, name, **kw):
    return ec2.create_security_group(GroupName=name, Description=f"{name} group", VpcId=vpc_id, **kw)["GroupId"]


def _prefix_list(ec2):
    # The AWS-managed S3 list of the region (customer-managed lists belong to a later issue).
    lists = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]
    )["PrefixLists"]
    assert len(lists) == 1
    return lists[0]["PrefixListId"]


def _rules(ec2, sg_id):
    return ec2.describe_security_group_rules(Filters=[f("group-id", sg_id)])["SecurityGroupRules"]


def test_create_and_default_egress_rule(ec2):
    vpc_id = _vpc(ec2)
    r = ec2.create_security_group(
        GroupName="web", Description="web tier", VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "web"}]}])
    sg_id = r["GroupId"]
    assert sg_id.startswith("sg-")
    sg = get_sg(ec2, sg_id)
    assert (sg["GroupName"], sg["Description"], sg["VpcId"], sg["OwnerId"]) == ("web", "web tier", vpc_id, DEFAULT_ACCOUNT)
    assert tags_of(sg) == {"Name": "web"}
    assert sg["IpPermissions"] == []
    [egress] = sg["IpPermissionsEgress"]
    assert egress["IpProtocol"] == "-1"
    assert [x["CidrIp"] for x in egress["IpRanges"]] == ["0.0.0.0/0"]
    # AWS answers every peer list of a permission, empty ones as [].
    assert (egress["Ipv6Ranges"], egress["PrefixListIds"], egress["UserIdGroupPairs"]) == ([], [], [])
    assert sg.get("SecurityGroupArn", f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:security-group/{sg_id}") == \
        f"arn:aws:ec2:us-east-1:{DEFAULT_ACCOUNT}:security-group/{sg_id}"

    [rule] = _rules(ec2, sg_id)
    assert rule["SecurityGroupRuleId"].startswith("sgr-")
    assert (rule["GroupId"], rule["IsEgress"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"], rule["CidrIpv4"]) == (
        sg_id, True, "-1", -1, -1, "0.0.0.0/0")
    assert rule["GroupOwnerId"] == DEFAULT_ACCOUNT

    by_name = ec2.describe_security_groups(Filters=[f("group-name", "web"), f("vpc-id", vpc_id)])["SecurityGroups"]
    assert [g["GroupId"] for g in by_name] == [sg_id]


def test_authorize_ingress_variants(ec2):
    vpc_id = _vpc(ec2)
    web = _sg(ec2, vpc_id, "web")
    app = _sg(ec2, vpc_id, "app")
    pl_id = _prefix_list(ec2)

    r = ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}, {"CidrIp": "192.168.1.0/24"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "PrefixListIds": [{"PrefixListId": pl_id}]},
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web}]},
        {"IpProtocol": "udp", "FromPort": 1000, "ToPort": 2000, "IpRanges": [{"CidrIp": "172.16.0.0/12"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])
    assert r["Return"] is True
    returned = r["SecurityGroupRules"]
    assert len(returned) == 7
    assert all(x["SecurityGroupRuleId"].startswith("sgr-") and x["IsEgress"] is False and x["GroupId"] == app
               for x in returned)

    sg = get_sg(ec2, app)
    assert flatten_permissions(sg["IpPermissions"]) == {
        ("tcp", 22, 22, "cidr", "10.0.0.0/8"),
        ("tcp", 22, 22, "cidr", "192.168.1.0/24"),
        ("tcp", 443, 443, "cidr6", "::/0"),
        ("tcp", 8443, 8443, "pl", pl_id),
        ("tcp", 8080, 8080, "sg", web),
        ("udp", 1000, 2000, "cidr", "172.16.0.0/12"),
        ("icmp", -1, -1, "cidr", "0.0.0.0/0"),
    }
    ssh = next(p for p in sg["IpPermissions"] if p.get("FromPort") == 22)
    assert {x["CidrIp"]: x.get("Description") for x in ssh["IpRanges"]} == {"10.0.0.0/8": "ssh", "192.168.1.0/24": None}
    pair = next(p for p in sg["IpPermissions"] if p.get("FromPort") == 8080)["UserIdGroupPairs"][0]
    assert pair["UserId"] == DEFAULT_ACCOUNT

    rules = [x for x in _rules(ec2, app) if not x["IsEgress"]]
    assert len(rules) == 7
    ref = next(x for x in rules if x.get("ReferencedGroupInfo"))
    assert ref["ReferencedGroupInfo"]["GroupId"] == web
    assert next(x for x in rules if x.get("PrefixListId"))["PrefixListId"] == pl_id
    assert next(x for x in rules if x.get("CidrIpv6"))["CidrIpv6"] == "::/0"

    # filters that find groups by their rules
    found = ec2.describe_security_groups(Filters=[f("ip-permission.group-id", web)])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [app]
    found = ec2.describe_security_groups(Filters=[f("ip-permission.cidr", "172.16.0.0/12")])["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [app]


def test_authorize_egress(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "db")
    ec2.revoke_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert get_sg(ec2, sg)["IpPermissionsEgress"] == []
    r = ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert r["Return"] is True and r["SecurityGroupRules"][0]["IsEgress"] is True
    assert flatten_permissions(get_sg(ec2, sg)["IpPermissionsEgress"]) == {("tcp", 443, 443, "cidr", "0.0.0.0/0")}
    with aws_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def test_duplicate_rule(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "web")
    perm = {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    with aws_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    # a batch containing one duplicate is rejected whole
    with aws_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 81, "ToPort": 81, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, perm])
    assert flatten_permissions(get_sg(ec2, sg)["IpPermissions"]) == {("tcp", 80, 80, "cidr", "0.0.0.0/0")}
    # the legacy flat form is the same rule
    with aws_error("InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0")


def test_revoke(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "web")
    other = _sg(ec2, vpc_id, "other")
    r = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": other}]},
    ])
    group_rule_id = next(x["SecurityGroupRuleId"] for x in r["SecurityGroupRules"] if x.get("ReferencedGroupInfo"))

    assert ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])["Return"] is True
    assert flatten_permissions(get_sg(ec2, sg)["IpPermissions"]) == {("tcp", 5432, 5432, "sg", other)}

    with aws_error("InvalidPermission.NotFound"):
        ec2.revoke_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    ec2.revoke_security_group_ingress(GroupId=sg, SecurityGroupRuleIds=[group_rule_id])
    assert get_sg(ec2, sg)["IpPermissions"] == []
    with aws_error({"InvalidSecurityGroupRuleId.NotFound", "InvalidPermission.NotFound"}):
        ec2.revoke_security_group_ingress(GroupId=sg, SecurityGroupRuleIds=[group_rule_id])


def test_describe_and_modify_security_group_rules(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "web")
    r = ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "ssh"}]}])
    rule_id = r["SecurityGroupRules"][0]["SecurityGroupRuleId"]

    [rule] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
    assert (rule["GroupId"], rule["IsEgress"], rule["IpProtocol"], rule["FromPort"], rule["ToPort"],
            rule["CidrIpv4"], rule["Description"]) == (sg, False, "tcp", 22, 22, "10.0.0.0/8", "ssh")
    by_filter = ec2.describe_security_group_rules(Filters=[f("security-group-rule-id", rule_id)])["SecurityGroupRules"]
    assert [x["SecurityGroupRuleId"] for x in by_filter] == [rule_id]
    assert {x["IsEgress"] for x in _rules(ec2, sg)} == {True, False}

    assert ec2.modify_security_group_rules(GroupId=sg, SecurityGroupRules=[{
        "SecurityGroupRuleId": rule_id,
        "SecurityGroupRule": {"IpProtocol": "tcp", "FromPort": 2222, "ToPort": 2222,
                              "CidrIpv4": "10.1.0.0/16", "Description": "changed"},
    }])["Return"] is True
    [rule] = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"]
    assert (rule["FromPort"], rule["ToPort"], rule["CidrIpv4"], rule["Description"]) == (2222, 2222, "10.1.0.0/16", "changed")
    assert flatten_permissions(get_sg(ec2, sg)["IpPermissions"]) == {("tcp", 2222, 2222, "cidr", "10.1.0.0/16")}

    with aws_error({"InvalidSecurityGroupRuleId.NotFound", "InvalidSecurityGroupRuleId.Malformed"}):
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["sgr-0123456789abcdef0"])


def test_rule_descriptions_update(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "web")
    perm = {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "old"}]}
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    perm["IpRanges"][0]["Description"] = "new"
    ec2.update_security_group_rule_descriptions_ingress(GroupId=sg, IpPermissions=[perm])
    [rule] = [x for x in _rules(ec2, sg) if not x["IsEgress"]]
    assert rule["Description"] == "new"


def test_invalid_rules_rejected(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "web")
    bad = [
        {"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 70000, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.0/33"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "Ipv6Ranges": [{"CidrIpv6": "10.0.0.0/8"}]},
        {"IpProtocol": "bogus", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ]
    for perm in bad:
        with aws_error("InvalidParameterValue"):
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
    with aws_error({"InvalidGroup.NotFound", "InvalidGroupId.NotFound"}):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]}])
    assert get_sg(ec2, sg)["IpPermissions"] == []


def test_group_name_rules(ec2):
    vpc_id = _vpc(ec2)
    _sg(ec2, vpc_id, "web")
    with aws_error("InvalidGroup.Duplicate"):
        _sg(ec2, vpc_id, "web")
    # the same name in another VPC is fine
    other = _vpc(ec2, "10.1.0.0/16")
    _sg(ec2, other, "web")
    with aws_error("InvalidGroup.Reserved"):
        _sg(ec2, other, "default")
    with aws_error("InvalidVpcID.NotFound"):
        _sg(ec2, "vpc-0123456789abcdef0", "x")
    names = sorted(g["GroupName"] for g in ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id, other)])["SecurityGroups"])
    assert names == ["default", "default", "web", "web"]


def test_missing_group(ec2):
    with aws_error("InvalidGroup.NotFound"):
        ec2.describe_security_groups(GroupIds=["sg-0123456789abcdef0"])
    with aws_error("InvalidGroup.NotFound"):
        ec2.delete_security_group(GroupId="sg-0123456789abcdef0")
    with aws_error("InvalidGroup.NotFound"):
        ec2.authorize_security_group_ingress(GroupId="sg-0123456789abcdef0", IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def test_delete(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "tmp")
    ec2.delete_security_group(GroupId=sg)
    with aws_error("InvalidGroup.NotFound"):
        ec2.describe_security_groups(GroupIds=[sg])


def test_cannot_delete_default_group(ec2):
    vpc_id = _vpc(ec2)
    d = default_sg(ec2, vpc_id)
    with aws_error("CannotDelete"):
        ec2.delete_security_group(GroupId=d["GroupId"])
    assert get_sg(ec2, d["GroupId"])["GroupName"] == "default"


def test_cannot_delete_referenced_group(ec2):
    vpc_id = _vpc(ec2)
    web = _sg(ec2, vpc_id, "web")
    app = _sg(ec2, vpc_id, "app")
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web}]}])
    with aws_error("DependencyViolation"):
        ec2.delete_security_group(GroupId=web)
    # an egress reference counts as well
    db = _sg(ec2, vpc_id, "db")
    ec2.authorize_security_group_egress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": db}]}])
    with aws_error("DependencyViolation"):
        ec2.delete_security_group(GroupId=db)
    # once the referencing group is gone, both can be deleted
    ec2.delete_security_group(GroupId=app)
    ec2.delete_security_group(GroupId=web)
    ec2.delete_security_group(GroupId=db)


def test_self_reference_does_not_block_delete(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "cluster")
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": sg}]}])
    ec2.delete_security_group(GroupId=sg)


def test_rules_per_group_limit(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "big")
    ranges = [{"CidrIp": f"10.{i}.0.0/16"} for i in range(60)]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": ranges}])
    assert len([x for x in _rules(ec2, sg) if not x["IsEgress"]]) == 60
    with aws_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.200.0.0/16"}]}])
    assert len([x for x in _rules(ec2, sg) if not x["IsEgress"]]) == 60
    # the limit is per direction: egress still has room
    ec2.authorize_security_group_egress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.200.0.0/16"}]}])


def test_rules_limit_applies_to_a_single_oversized_call(ec2):
    vpc_id = _vpc(ec2)
    sg = _sg(ec2, vpc_id, "big")
    ranges = [{"CidrIp": f"10.{i}.0.0/16"} for i in range(61)]
    with aws_error("RulesPerSecurityGroupLimitExceeded"):
        ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": ranges}])
    assert get_sg(ec2, sg)["IpPermissions"] == []


def test_describe_filters(ec2):
    vpc_id = _vpc(ec2)
    web = _sg(ec2, vpc_id, "web", TagSpecifications=[{"ResourceType": "security-group",
                                                      "Tags": [{"Key": "tier", "Value": "front"}]}])
    app = _sg(ec2, vpc_id, "app")
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])

    def ids(*flt):
        return {g["GroupId"] for g in ec2.describe_security_groups(Filters=list(flt))["SecurityGroups"]}

    dflt = default_sg(ec2, vpc_id)["GroupId"]
    assert ids(f("vpc-id", vpc_id)) == {web, app, dflt}
    assert ids(f("group-name", "web", "app")) == {web, app}
    assert ids(f("group-id", app)) == {app}
    assert ids(f("tag:tier", "front")) == {web}
    assert ids(f("tag-key", "tier")) == {web}
    assert ids(f("description", "app group")) == {app}
    assert ids(f("ip-permission.from-port", "8080")) == {app}
    assert ids(f("vpc-id", vpc_id), f("owner-id", DEFAULT_ACCOUNT)) == {web, app, dflt}
