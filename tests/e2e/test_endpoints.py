"""VPC endpoints end to end: gateway endpoints (S3, DynamoDB) and interface endpoints as boto3
drives them, and the seeds' "a private instance reaches S3 through a gateway endpoint" asked of
Reachability Analyzer.

The route a gateway endpoint adds (DestinationPrefixListId + GatewayId vpce-…, origin
CreateRoute) and the interface endpoint interfaces (type vpc_endpoint, requester-managed,
"VPC Endpoint Interface vpce-…") are as AWS documents them; DNS names follow AWS's shape."""

from __future__ import annotations

import json
import shutil

import pytest

from vpclab_helpers import AMI, INSTANCE_TYPE, aws_error, f, tags_of

REGION = "us-east-1"
S3 = f"com.amazonaws.{REGION}.s3"
DYNAMODB = f"com.amazonaws.{REGION}.dynamodb"
# An address in us-east-1's S3 prefix list.
S3_ADDRESS = "52.216.0.10"


def _network(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]["SubnetId"]
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=a)
    return vpc, a, b, rt


def _prefix_list_id(ec2, name):
    lists = ec2.describe_prefix_lists(Filters=[f("prefix-list-name", name)])["PrefixLists"]
    return lists[0]["PrefixListId"]


def _endpoint_routes(ec2, rt):
    routes = ec2.describe_route_tables(RouteTableIds=[rt])["RouteTables"][0]["Routes"]
    return [r for r in routes if r.get("GatewayId", "").startswith("vpce-")]


def test_services_of_the_region(ec2):
    services = ec2.describe_vpc_endpoint_services()
    names = services["ServiceNames"]
    for short in ("s3", "dynamodb", "ec2", "sts", "ssm", "logs", "ecr.api", "ecr.dkr", "secretsmanager",
                  "kms", "sqs", "sns", "elasticloadbalancing"):
        assert f"com.amazonaws.{REGION}.{short}" in names
    details = {d["ServiceName"]: d for d in services["ServiceDetails"]}
    assert sorted(t["ServiceType"] for t in details[S3]["ServiceType"]) == ["Gateway", "Interface"]
    assert [t["ServiceType"] for t in details[DYNAMODB]["ServiceType"]] == ["Gateway"]
    assert details[f"com.amazonaws.{REGION}.sts"]["PrivateDnsName"] == f"sts.{REGION}.amazonaws.com"
    assert details[S3]["Owner"] == "amazon"
    assert "us-east-1a" in details[S3]["AvailabilityZones"]
    gateways = ec2.describe_vpc_endpoint_services(Filters=[f("service-type", "Gateway")])["ServiceNames"]
    assert sorted(gateways) == sorted([S3, DYNAMODB])
    with aws_error("InvalidServiceName"):
        ec2.describe_vpc_endpoint_services(ServiceNames=[f"com.amazonaws.{REGION}.nosuch"])


def test_gateway_endpoint_lifecycle(ec2):
    vpc, _, _, rt = _network(ec2)
    main = ec2.describe_route_tables(Filters=[f("vpc-id", vpc), f("association.main", "true")])["RouteTables"][0][
        "RouteTableId"]
    created = ec2.create_vpc_endpoint(
        VpcId=vpc, ServiceName=S3, RouteTableIds=[rt],
        TagSpecifications=[{"ResourceType": "vpc-endpoint", "Tags": [{"Key": "Name", "Value": "s3"}]}])["VpcEndpoint"]
    vpce = created["VpcEndpointId"]
    assert vpce.startswith("vpce-")
    assert created["VpcEndpointType"] == "Gateway" and created["State"] == "available"
    assert created["RouteTableIds"] == [rt] and tags_of(created) == {"Name": "s3"}
    assert '"Allow"' in created["PolicyDocument"]
    pl = _prefix_list_id(ec2, S3)
    (route,) = _endpoint_routes(ec2, rt)
    assert route == {"DestinationPrefixListId": pl, "GatewayId": vpce, "Origin": "CreateRoute",
                     "State": "active"}

    # A second S3 endpoint cannot route the same table.
    with aws_error("RouteAlreadyExists"):
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, RouteTableIds=[rt])

    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddRouteTableIds=[main], RemoveRouteTableIds=[rt])
    assert _endpoint_routes(ec2, rt) == [] and len(_endpoint_routes(ec2, main)) == 1
    policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}'
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, PolicyDocument=policy)
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]
    assert got["RouteTableIds"] == [main] and got["PolicyDocument"] == policy

    ddb = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=DYNAMODB, RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
    by = lambda *fs: sorted(e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=list(fs))["VpcEndpoints"])
    assert by(f("vpc-id", vpc)) == sorted([vpce, ddb])
    assert by(f("service-name", DYNAMODB)) == [ddb]
    assert by(f("tag:Name", "s3")) == [vpce]
    assert by(f("vpc-endpoint-type", "Gateway"), f("vpc-endpoint-state", "available"), f("vpc-id", vpc)) == sorted(
        [vpce, ddb])

    with aws_error("DependencyViolation"):
        ec2.delete_vpc(VpcId=vpc)
    with aws_error("InvalidServiceName"):
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.eu-west-1.s3", RouteTableIds=[rt])
    with aws_error("InvalidVpcEndpointId.NotFound"):
        ec2.describe_vpc_endpoints(VpcEndpointIds=["vpce-0123456789abcdef0"])
    with aws_error("InvalidVpcEndpointId.Malformed"):
        ec2.describe_vpc_endpoints(VpcEndpointIds=["nope"])

    out = ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, ddb, "vpce-0123456789abcdef0"])
    assert [u["ResourceId"] for u in out["Unsuccessful"]] == ["vpce-0123456789abcdef0"]
    assert _endpoint_routes(ec2, main) == [] and _endpoint_routes(ec2, rt) == []
    assert ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]["State"] == "deleted"


def test_interface_endpoint_interfaces_and_groups(ec2):
    vpc, a, b, _ = _network(ec2)
    sg = ec2.create_security_group(GroupName="endpoint", Description="endpoint", VpcId=vpc)["GroupId"]
    created = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.ssm",
                                      VpcEndpointType="Interface", SubnetIds=[a], SecurityGroupIds=[sg],
                                      PrivateDnsEnabled=True)["VpcEndpoint"]
    vpce = created["VpcEndpointId"]
    assert created["VpcEndpointType"] == "Interface" and created["SubnetIds"] == [a]
    assert [g["GroupId"] for g in created["Groups"]] == [sg]
    (eni_id,) = created["NetworkInterfaceIds"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["InterfaceType"] == "vpc_endpoint" and eni["RequesterManaged"] is True
    assert eni["Description"] == f"VPC Endpoint Interface {vpce}"
    assert [g["GroupId"] for g in eni["Groups"]] == [sg]
    with aws_error("InvalidParameterValue"):  # [C] cloud-nuke#431: "... is currently in use."
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    names = [d["DnsName"] for d in created["DnsEntries"]]
    assert names[0].startswith(vpce) and names[0].endswith(f".ssm.{REGION}.vpce.amazonaws.com")
    assert f"ssm.{REGION}.amazonaws.com" in names

    same_zone = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1a")["Subnet"][
        "SubnetId"]
    with aws_error("DuplicateSubnetsInSameZone"):
        ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[same_zone])
    ec2.modify_vpc_endpoint(VpcEndpointId=vpce, AddSubnetIds=[b])
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"][0]
    assert sorted(got["SubnetIds"]) == sorted([a, b]) and len(got["NetworkInterfaceIds"]) == 2

    # No groups given: the VPC's default group.
    default_sg = ec2.describe_security_groups(Filters=[f("vpc-id", vpc), f("group-name", "default")])[
        "SecurityGroups"][0]["GroupId"]
    sts = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.sts",
                                  VpcEndpointType="Interface", SubnetIds=[b])["VpcEndpoint"]
    assert [g["GroupId"] for g in sts["Groups"]] == [default_sg]
    with aws_error("InvalidParameter"):
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=DYNAMODB, VpcEndpointType="Interface", SubnetIds=[a])

    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce, sts["VpcEndpointId"]])
    left = ec2.describe_network_interfaces(Filters=[f("vpc-id", vpc)])["NetworkInterfaces"]
    assert left == []


# ------------------------------------------------------------------------- Reachability Analyzer

def _analyse(ec2, source, destination=None, port=443, protocol="tcp", **kw):
    if destination is not None:
        kw["Destination"] = destination
    path = ec2.create_network_insights_path(Source=source, Protocol=protocol, **kw)
    path_id = path["NetworkInsightsPath"]["NetworkInsightsPathId"]
    analysis_id = ec2.start_network_insights_analysis(NetworkInsightsPathId=path_id)["NetworkInsightsAnalysis"][
        "NetworkInsightsAnalysisId"]
    return ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[analysis_id])[
        "NetworkInsightsAnalyses"][0]


def _codes(analysis):
    return {e["ExplanationCode"] for e in analysis.get("Explanations", [])}


def _instance(ec2, subnet, groups):
    i = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=1, MaxCount=1, SubnetId=subnet,
                          SecurityGroupIds=groups)["Instances"][0]["InstanceId"]
    ec2.get_waiter("instance_running").wait(InstanceIds=[i], WaiterConfig={"Delay": 1})
    return i


def test_private_instance_reaches_s3_through_a_gateway_endpoint(ec2):
    vpc, a, _, rt = _network(ec2)
    sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    app = _instance(ec2, a, [sg])
    to_s3 = {"FilterAtSource": {"DestinationAddress": S3_ADDRESS,
                                "DestinationPortRange": {"FromPort": 443, "ToPort": 443}}}

    a1 = _analyse(ec2, app, **to_s3)
    assert a1["NetworkPathFound"] is False and "NO_ROUTE_TO_DESTINATION" in _codes(a1)

    vpce = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=S3, RouteTableIds=[rt])["VpcEndpoint"]["VpcEndpointId"]
    for kw in (to_s3, {"destination": vpce, "DestinationPort": 443}):
        found = _analyse(ec2, app, **kw)
        assert found["NetworkPathFound"] is True, found.get("Explanations")
        forward = [c["Component"]["Id"] for c in found["ForwardPathComponents"]]
        assert forward[-1] == vpce, forward
        hop = found["ForwardPathComponents"][-1]
        assert hop["Component"]["Arn"].endswith(f":vpc-endpoint/{vpce}")
        assert [c["Component"]["Id"] for c in found["ReturnPathComponents"]][0] == vpce

    udp = _analyse(ec2, app, protocol="udp", FilterAtSource={"DestinationAddress": S3_ADDRESS,
                                                            "DestinationPortRange": {"FromPort": 53, "ToPort": 53}})
    assert udp["NetworkPathFound"] is False and "VPCE_GATEWAY_PROTOCOL_RESTRICTION" in _codes(udp)

    ec2.delete_vpc_endpoints(VpcEndpointIds=[vpce])
    gone = _analyse(ec2, app, **to_s3)
    assert gone["NetworkPathFound"] is False and "NO_ROUTE_TO_DESTINATION" in _codes(gone)


def test_instance_reaches_an_interface_endpoint_its_groups_admit(ec2):
    vpc, a, b, _ = _network(ec2)
    app_sg = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    endpoint_sg = ec2.create_security_group(GroupName="endpoint", Description="endpoint", VpcId=vpc)["GroupId"]
    app = _instance(ec2, a, [app_sg])
    vpce = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{REGION}.sts",
                                   VpcEndpointType="Interface", SubnetIds=[b], SecurityGroupIds=[endpoint_sg],
                                   PrivateDnsEnabled=False)["VpcEndpoint"]
    eni = vpce["NetworkInterfaceIds"][0]
    blocked = _analyse(ec2, app, eni, DestinationPort=443)
    assert blocked["NetworkPathFound"] is False and "ENI_SG_RULES_MISMATCH" in _codes(blocked)
    ec2.authorize_security_group_ingress(GroupId=endpoint_sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "UserIdGroupPairs": [{"GroupId": app_sg}]}])
    for destination in (eni, vpce["VpcEndpointId"]):
        found = _analyse(ec2, app, destination, DestinationPort=443)
        assert found["NetworkPathFound"] is True, found.get("Explanations")


# ----------------------------------------------------------------------------------- Terraform

def test_terraform_vpc_endpoints(endpoint, ec2, tmp_path):
    import test_terraform as tf  # the provider mirror set-up is shared with the main Terraform test

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the aws_vpc_endpoint Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_endpoints", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    s3 = ec2.describe_vpc_endpoints(VpcEndpointIds=[out["s3_id"]])["VpcEndpoints"][0]
    one, two = out["table_ids"]
    assert s3["RouteTableIds"] == [one] and tags_of(s3) == {"Name": "s3"}
    assert out["s3_prefix_list_id"] == _prefix_list_id(ec2, S3)
    assert [r["GatewayId"] for r in _endpoint_routes(ec2, one)] == [out["s3_id"]]
    assert [r["GatewayId"] for r in _endpoint_routes(ec2, two)] == [out["dynamodb_id"]]
    ssm = ec2.describe_vpc_endpoints(VpcEndpointIds=[out["ssm_id"]])["VpcEndpoints"][0]
    assert ssm["State"] == "available" and len(ssm["NetworkInterfaceIds"]) == 1
    assert out["ssm_dns"].endswith(".ssm.us-east-1.vpce.amazonaws.com")

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    live = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"] != "deleted"]
    assert live == []
