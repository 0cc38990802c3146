"""Control endpoints, STS, protocol-level errors, DryRun, regions/AZs, account attributes."""

import re
import xml.etree.ElementTree as ET

import requests

from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    DEFAULT_ENABLED_REGIONS,
    HEALTH_PATH,
    OTHER_ACCOUNT,
    RESET_PATH,
    aws_error,
    f,
    raw_post,
)


def test_health_endpoint_returns_json(endpoint):
    r = requests.get(endpoint + HEALTH_PATH, timeout=5)
    assert r.status_code == 200
    assert "json" in r.headers.get("Content-Type", ""), r.headers
    body = r.json()
    assert body["status"] == "ready", body
    assert body["state"] in ("durable", "in-memory"), body
    assert body["version"], body
    # the operations each service answers, counted (test_accounts.py enumerates them)
    assert set(body["services"]) >= {"ec2", "elasticloadbalancing", "route53", "sts"}, body
    assert all(isinstance(n, int) and n > 0 for n in body["services"].values()), body


def test_reset_drops_all_state(endpoint, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sg_id = ec2.create_security_group(GroupName="x", Description="x", VpcId=vpc_id)["GroupId"]
    r = requests.post(endpoint + RESET_PATH, timeout=10)
    assert 200 <= r.status_code < 300
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vpc_id])
    with aws_error("InvalidGroup.NotFound"):
        ec2.describe_security_groups(GroupIds=[sg_id])
    vpcs = ec2.describe_vpcs()["Vpcs"]
    # only the (lazily re-created) default VPC remains
    assert [v["IsDefault"] for v in vpcs] == [True]


def test_moto_compatible_reset(endpoint, ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    r = requests.post(endpoint + "/moto-api/reset", timeout=10)
    assert 200 <= r.status_code < 300
    with aws_error("InvalidVpcID.NotFound"):
        ec2.describe_vpcs(VpcIds=[vpc_id])


def test_sts_get_caller_identity_default_account(sts):
    ident = sts.get_caller_identity()
    assert ident["Account"] == DEFAULT_ACCOUNT
    assert DEFAULT_ACCOUNT in ident["Arn"]
    assert ident["Arn"].startswith("arn:aws:")
    assert ident["UserId"]


def test_sts_account_selected_by_numeric_access_key(client_factory):
    sts = client_factory("sts", access_key=OTHER_ACCOUNT)
    ident = sts.get_caller_identity()
    assert ident["Account"] == OTHER_ACCOUNT
    assert OTHER_ACCOUNT in ident["Arn"]


def test_numeric_access_key_selects_account_for_ec2(client_factory):
    ec2_other = client_factory("ec2", access_key=OTHER_ACCOUNT)
    vpc = ec2_other.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    assert vpc["OwnerId"] == OTHER_ACCOUNT
    # a non-numeric key means the default account
    vpc2 = client_factory("ec2", access_key="AKIAEXAMPLEKEY").create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]
    assert vpc2["OwnerId"] == DEFAULT_ACCOUNT


def test_unknown_action_is_invalid_action(endpoint):
    r = raw_post(endpoint, "Action=DescribeUnicorns&Version=2016-11-15")
    assert r.status_code == 400, r.text
    assert "<Code>InvalidAction</Code>" in r.text, r.text


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def test_error_body_is_ec2_xml(endpoint):
    r = raw_post(endpoint, "Action=DescribeVpcs&Version=2016-11-15&VpcId.1=vpc-0123456789abcdef0")
    assert r.status_code == 400
    root = ET.fromstring(r.content)
    # <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
    assert _local(root.tag) == "Response", r.text
    children = {_local(c.tag): c for c in root}
    assert set(children) >= {"Errors", "RequestID"}, r.text
    [error] = list(children["Errors"])
    fields = {_local(c.tag): (c.text or "") for c in error}
    assert fields["Code"] == "InvalidVpcID.NotFound"
    assert "vpc-0123456789abcdef0" in fields["Message"]
    assert children["RequestID"].text


def test_success_body_has_request_id(endpoint):
    r = raw_post(endpoint, "Action=DescribeVpcs&Version=2016-11-15")
    assert r.status_code == 200, r.text
    assert "<DescribeVpcsResponse" in r.text
    assert "<requestId>" in r.text


def test_dry_run_create_vpc(ec2):
    with aws_error("DryRunOperation", status=412):
        ec2.create_vpc(CidrBlock="10.9.0.0/16", DryRun=True)
    assert ec2.describe_vpcs(Filters=[f("cidr", "10.9.0.0/16")])["Vpcs"] == []


def test_dry_run_delete_keeps_resource(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    with aws_error("DryRunOperation", status=412):
        ec2.delete_vpc(VpcId=vpc_id, DryRun=True)
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["VpcId"] == vpc_id


def test_dry_run_on_describe(ec2):
    with aws_error("DryRunOperation", status=412):
        ec2.describe_vpcs(DryRun=True)


def test_describe_regions(ec2):
    regions = {r["RegionName"]: r for r in ec2.describe_regions()["Regions"]}
    for name in DEFAULT_ENABLED_REGIONS:
        assert name in regions, f"{name} missing from DescribeRegions: {sorted(regions)}"
        assert regions[name]["Endpoint"] == f"ec2.{name}.amazonaws.com"
    # no GovCloud / China partitions in a commercial account
    assert not any(n.startswith(("us-gov-", "cn-")) for n in regions)

    only = ec2.describe_regions(RegionNames=["eu-west-1"])["Regions"]
    assert [r["RegionName"] for r in only] == ["eu-west-1"]
    assert only[0]["Endpoint"] == "ec2.eu-west-1.amazonaws.com"

    by_filter = ec2.describe_regions(Filters=[f("region-name", "us-west-2")])["Regions"]
    assert [r["RegionName"] for r in by_filter] == ["us-west-2"]


def test_describe_regions_all_regions_includes_opt_in_status(ec2):
    regions = ec2.describe_regions(AllRegions=True)["Regions"]
    names = {r["RegionName"] for r in regions}
    assert set(DEFAULT_ENABLED_REGIONS) <= names
    for r in regions:
        assert r.get("OptInStatus") in {"opt-in-not-required", "opted-in", "not-opted-in"}, r
    us_east_1 = next(r for r in regions if r["RegionName"] == "us-east-1")
    assert us_east_1["OptInStatus"] == "opt-in-not-required"


def _check_azs(client, region, zone_id_prefix):
    azs = client.describe_availability_zones()["AvailabilityZones"]
    names = [a["ZoneName"] for a in azs]
    assert f"{region}a" in names and f"{region}b" in names, names
    assert len(names) == len(set(names)) >= 2
    ids = [a["ZoneId"] for a in azs]
    assert len(ids) == len(set(ids)), ids
    for a in azs:
        assert re.fullmatch(rf"{region}[a-z]", a["ZoneName"]), a
        assert re.fullmatch(rf"{zone_id_prefix}-az\d+", a["ZoneId"]), a
        assert a["RegionName"] == region
        assert a["State"] == "available"
        assert a.get("ZoneType", "availability-zone") == "availability-zone"
    return azs


def test_describe_availability_zones_us_east_1(ec2):
    azs = _check_azs(ec2, "us-east-1", "use1")
    one = ec2.describe_availability_zones(ZoneNames=["us-east-1b"])["AvailabilityZones"]
    assert [a["ZoneName"] for a in one] == ["us-east-1b"]
    by_id = ec2.describe_availability_zones(ZoneIds=[azs[0]["ZoneId"]])["AvailabilityZones"]
    assert [a["ZoneName"] for a in by_id] == [azs[0]["ZoneName"]]
    filtered = ec2.describe_availability_zones(Filters=[f("zone-name", "us-east-1a")])["AvailabilityZones"]
    assert [a["ZoneName"] for a in filtered] == ["us-east-1a"]


def test_describe_availability_zones_eu_west_1(client_factory):
    _check_azs(client_factory("ec2", region="eu-west-1"), "eu-west-1", "euw1")


def test_describe_availability_zones_other_regions(client_factory):
    _check_azs(client_factory("ec2", region="us-west-2"), "us-west-2", "usw2")
    _check_azs(client_factory("ec2", region="ap-southeast-2"), "ap-southeast-2", "apse2")


def test_describe_account_attributes(ec2):
    attrs = {a["AttributeName"]: [v["AttributeValue"] for v in a["AttributeValues"]]
             for a in ec2.describe_account_attributes()["AccountAttributes"]}
    assert attrs["supported-platforms"] == ["VPC"]
    default_vpc_id = ec2.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"][0]["VpcId"]
    assert attrs["default-vpc"] == [default_vpc_id]

    only = ec2.describe_account_attributes(AttributeNames=["supported-platforms"])["AccountAttributes"]
    assert [a["AttributeName"] for a in only] == ["supported-platforms"]


def test_missing_required_parameter(endpoint):
    # CreateSubnet without its required VpcId (botocore would refuse to send this).
    r = raw_post(endpoint, "Action=CreateSubnet&Version=2016-11-15&CidrBlock=10.0.0.0/24")
    assert r.status_code == 400, r.text
    assert "<Code>MissingParameter</Code>" in r.text, r.text
