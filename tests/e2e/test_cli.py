"""The AWS CLI (v1) drives vpclab exactly like AWS."""

from vpclab_helpers import DEFAULT_ACCOUNT, OTHER_ACCOUNT


def test_create_and_describe_vpc(aws_cli, ec2):
    out = aws_cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/16",
                  "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli-vpc}]").json
    vpc_id = out["Vpc"]["VpcId"]
    assert vpc_id.startswith("vpc-")
    assert out["Vpc"]["CidrBlock"] == "10.0.0.0/16"

    found = aws_cli("ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.0.0.0/16").json["Vpcs"]
    assert [v["VpcId"] for v in found] == [vpc_id]
    by_tag = aws_cli("ec2", "describe-vpcs", "--filters", "Name=tag:Name,Values=cli-*").json["Vpcs"]
    assert [v["VpcId"] for v in by_tag] == [vpc_id]
    # the CLI auto-paginates; everything (including the default VPC) comes back once
    all_vpcs = aws_cli("ec2", "describe-vpcs", "--page-size", "5").json["Vpcs"]
    assert sorted(v["VpcId"] for v in all_vpcs) == sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"])
    # the boto3 view agrees
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["CidrBlock"] == "10.0.0.0/16"

    q = aws_cli("ec2", "describe-vpcs", "--vpc-ids", vpc_id, "--query", "Vpcs[0].CidrBlock", "--output", "text")
    assert q.stdout.strip() == "10.0.0.0/16"


def test_create_subnet_and_security_group(aws_cli):
    vpc_id = aws_cli("ec2", "create-vpc", "--cidr-block", "10.1.0.0/16").json["Vpc"]["VpcId"]
    sub = aws_cli("ec2", "create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.1.1.0/24",
                  "--availability-zone", "us-east-1a").json["Subnet"]
    assert (sub["VpcId"], sub["CidrBlock"], sub["AvailabilityZone"]) == (vpc_id, "10.1.1.0/24", "us-east-1a")
    assert sub["AvailableIpAddressCount"] == 251

    sg_id = aws_cli("ec2", "create-security-group", "--group-name", "web", "--description", "web",
                    "--vpc-id", vpc_id).json["GroupId"]
    aws_cli("ec2", "authorize-security-group-ingress", "--group-id", sg_id,
            "--protocol", "tcp", "--port", "443", "--cidr", "0.0.0.0/0")
    sg = aws_cli("ec2", "describe-security-groups", "--group-ids", sg_id).json["SecurityGroups"][0]
    assert [(p["IpProtocol"], p["FromPort"], p["IpRanges"][0]["CidrIp"]) for p in sg["IpPermissions"]] == [
        ("tcp", 443, "0.0.0.0/0")]

    aws_cli("ec2", "create-tags", "--resources", sub["SubnetId"], "--tags", "Key=tier,Value=app")
    tags = aws_cli("ec2", "describe-tags", "--filters", f"Name=resource-id,Values={sub['SubnetId']}").json["Tags"]
    assert [(t["Key"], t["Value"], t["ResourceType"]) for t in tags] == [("tier", "app", "subnet")]

    aws_cli("ec2", "delete-subnet", "--subnet-id", sub["SubnetId"])
    aws_cli("ec2", "delete-security-group", "--group-id", sg_id)
    aws_cli("ec2", "delete-vpc", "--vpc-id", vpc_id)
    assert vpc_id not in {v["VpcId"] for v in aws_cli("ec2", "describe-vpcs").json["Vpcs"]}


def test_error_exit_code_and_message(aws_cli):
    cp = aws_cli("ec2", "describe-vpcs", "--vpc-ids", "vpc-0123456789abcdef0", check=False)
    assert cp.returncode not in (0, None)
    assert cp.returncode in (254, 255), cp.returncode  # CLI v1: 255, v2: 254 for service errors
    assert "InvalidVpcID.NotFound" in cp.stderr, cp.stderr
    assert cp.stdout.strip() == ""

    cp = aws_cli("ec2", "create-vpc", "--cidr-block", "10.0.0.0/8", check=False)
    assert cp.returncode != 0
    assert "InvalidVpc.Range" in cp.stderr, cp.stderr


def test_dry_run(aws_cli):
    cp = aws_cli("ec2", "create-vpc", "--cidr-block", "10.2.0.0/16", "--dry-run", check=False)
    assert cp.returncode != 0
    assert "DryRunOperation" in cp.stderr, cp.stderr
    vpcs = aws_cli("ec2", "describe-vpcs", "--filters", "Name=cidr,Values=10.2.0.0/16").json["Vpcs"]
    assert vpcs == []


def test_sts_and_accounts(aws_cli):
    assert aws_cli("sts", "get-caller-identity").json["Account"] == DEFAULT_ACCOUNT
    assert aws_cli("sts", "get-caller-identity", access_key=OTHER_ACCOUNT).json["Account"] == OTHER_ACCOUNT


def test_other_region(aws_cli):
    azs = aws_cli("ec2", "describe-availability-zones", region="eu-west-1").json["AvailabilityZones"]
    assert {a["ZoneName"] for a in azs} >= {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    assert all(a["ZoneId"].startswith("euw1-az") for a in azs)
