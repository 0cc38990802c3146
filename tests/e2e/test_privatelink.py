"""PrivateLink end to end with boto3: a provider account puts an internal Network Load Balancer
(ELBv2, awsQuery) behind a VPC endpoint service that requires acceptance and allows a consumer
account; the consumer sees the service, creates an interface endpoint (pendingAcceptance), the
provider accepts it (available), and the consumer's instance reaches the endpoint and the service
(Network Insights path found). Also: the ELBv2 load balancer basics (describe by name and ARN,
paging, attributes, tags, the interfaces AWS creates) and the documented errors."""

from __future__ import annotations

import pytest

from vpclab_helpers import aws_error, dump, wait_until

CONSUMER_KEY = "210987654321"
PROVIDER = "123456789012"


@pytest.fixture
def consumer_ec2(client_factory):
    return client_factory("ec2", access_key=CONSUMER_KEY)


def subnet(ec2, vpc: str, cidr: str, zone: str) -> str:
    return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]


def provider_nlb(ec2, elbv2, name: str = "svc") -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock="172.16.0.0/16")["Vpc"]["VpcId"]
    subnets = [subnet(ec2, vpc, "172.16.1.0/24", "us-east-1a"), subnet(ec2, vpc, "172.16.2.0/24", "us-east-1b")]
    lb = elbv2.create_load_balancer(Name=name, Type="network", Scheme="internal", Subnets=subnets,
                                    Tags=[{"Key": "team", "Value": "core"}])["LoadBalancers"][0]
    return lb["LoadBalancerArn"], subnets


def analyze(ec2, source: str, destination: str, port: int = 443) -> dict:
    path = ec2.create_network_insights_path(Source=source, Destination=destination, Protocol="tcp",
                                            DestinationPort=port)["NetworkInsightsPath"]
    nia = ec2.start_network_insights_analysis(
        NetworkInsightsPathId=path["NetworkInsightsPathId"])["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]

    def done():
        [a] = ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[nia])["NetworkInsightsAnalyses"]
        return a if a["Status"] != "running" else None

    a = wait_until(done, timeout=10, desc="analysis")
    assert a["Status"] == "succeeded", dump(a)
    return a


# --------------------------------------------------------------------------- ELBv2 basics


def test_network_load_balancer_basics(ec2, elbv2):
    arn, subnets = provider_nlb(ec2, elbv2)
    assert arn.startswith(f"arn:aws:elasticloadbalancing:us-east-1:{PROVIDER}:loadbalancer/net/svc/")
    hexid = arn.rsplit("/", 1)[1]
    [lb] = elbv2.describe_load_balancers(Names=["svc"])["LoadBalancers"]
    assert lb["LoadBalancerArn"] == arn
    assert lb["DNSName"] == f"svc-{hexid}.elb.us-east-1.amazonaws.com"
    assert lb["State"]["Code"] == "active"
    assert lb["Type"] == "network" and lb["Scheme"] == "internal"
    assert sorted(z["SubnetId"] for z in lb["AvailabilityZones"]) == sorted(subnets)
    # One requester-managed interface per subnet, described as AWS describes it.
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": [f"ELB net/svc/{hexid}"]}])["NetworkInterfaces"]
    assert len(enis) == 2
    assert {e["InterfaceType"] for e in enis} == {"network_load_balancer"}
    assert all(e["RequesterManaged"] for e in enis)

    attrs = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attrs["load_balancing.cross_zone.enabled"] == "false"
    elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}])
    attrs = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attrs["load_balancing.cross_zone.enabled"] == "true"

    elbv2.add_tags(ResourceArns=[arn], Tags=[{"Key": "env", "Value": "test"}])
    elbv2.remove_tags(ResourceArns=[arn], TagKeys=["team"])
    [d] = elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    assert d["Tags"] == [{"Key": "env", "Value": "test"}]

    # Paging with Marker/PageSize.
    vpc = lb["VpcId"]
    for n in range(2):
        elbv2.create_load_balancer(Name=f"more-{n}", Type="network", Scheme="internal", Subnets=subnets[:1])
    first = elbv2.describe_load_balancers(PageSize=2)
    assert len(first["LoadBalancers"]) == 2 and "NextMarker" in first
    rest = elbv2.describe_load_balancers(PageSize=2, Marker=first["NextMarker"])
    assert len(rest["LoadBalancers"]) == 1 and "NextMarker" not in rest
    assert all(l["VpcId"] == vpc for l in rest["LoadBalancers"])

    elbv2.delete_load_balancer(LoadBalancerArn=arn)
    with aws_error("LoadBalancerNotFound"):
        elbv2.describe_load_balancers(LoadBalancerArns=[arn])
    assert not ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": [f"ELB net/svc/{hexid}"]}])["NetworkInterfaces"]
    elbv2.delete_load_balancer(LoadBalancerArn=arn)  # already gone: accepted


def test_load_balancer_errors(ec2, elbv2):
    arn, subnets = provider_nlb(ec2, elbv2)
    with aws_error("DuplicateLoadBalancerName"):
        elbv2.create_load_balancer(Name="svc", Type="network", Scheme="internal", Subnets=subnets[:1])
    with aws_error("SubnetNotFound"):
        elbv2.create_load_balancer(Name="x", Type="network", Subnets=["subnet-0123456789abcdef0"])
    with aws_error("InvalidConfigurationRequest"):
        elbv2.create_load_balancer(Name="web", Type="application", Scheme="internal", Subnets=subnets[:1])
    with aws_error("InvalidSubnet"):  # internet-facing, and the VPC has no internet gateway
        elbv2.create_load_balancer(Name="web", Type="application", Subnets=subnets)
    with aws_error("ValidationError"):
        elbv2.create_load_balancer(Name="internal-x", Type="network", Subnets=subnets[:1])
    with aws_error("LoadBalancerNotFound"):
        elbv2.describe_load_balancers(Names=["nope"])
    with aws_error("ValidationError"):
        elbv2.describe_load_balancers(LoadBalancerArns=["not-an-arn"])
    with aws_error("InvalidConfigurationRequest"):
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "no.such", "Value": "1"}])


# --------------------------------------------------------------------------- PrivateLink


def test_privatelink_between_accounts(ec2, elbv2, consumer_ec2):
    nlb, _ = provider_nlb(ec2, elbv2)
    svc = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[nlb], AcceptanceRequired=True,
        TagSpecifications=[{"ResourceType": "vpc-endpoint-service", "Tags": [{"Key": "Name", "Value": "api"}]}],
    )["ServiceConfiguration"]
    sid, name = svc["ServiceId"], svc["ServiceName"]
    assert sid.startswith("vpce-svc-") and len(sid) == len("vpce-svc-") + 17
    assert name == f"com.amazonaws.vpce.us-east-1.{sid}"
    assert svc["AcceptanceRequired"] is True and svc["ServiceState"] == "Available"
    assert svc["ServiceType"] == [{"ServiceType": "Interface"}]
    assert sorted(svc["AvailabilityZones"]) == ["us-east-1a", "us-east-1b"]

    # The consumer does not see the service until the provider allows it.
    consumer_names = lambda: [s["ServiceName"] for s in consumer_ec2.describe_vpc_endpoint_services()["ServiceDetails"]]
    assert name not in consumer_names()
    ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=sid, AddAllowedPrincipals=[f"arn:aws:iam::{CONSUMER_KEY}:root"])
    [p] = ec2.describe_vpc_endpoint_service_permissions(ServiceId=sid)["AllowedPrincipals"]
    assert p["Principal"] == f"arn:aws:iam::{CONSUMER_KEY}:root" and p["PrincipalType"] == "Account"
    assert name in consumer_names()
    [detail] = consumer_ec2.describe_vpc_endpoint_services(ServiceNames=[name])["ServiceDetails"]
    assert detail["Owner"] == PROVIDER and detail["AcceptanceRequired"] is True
    assert any(s["ServiceName"] == "com.amazonaws.us-east-1.s3" for s in
               consumer_ec2.describe_vpc_endpoint_services()["ServiceDetails"])

    # The consumer's network: an instance and an endpoint whose group admits HTTPS from the VPC.
    vpc = consumer_ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = subnet(consumer_ec2, vpc, "10.0.1.0/24", "us-east-1a")
    sg = consumer_ec2.create_security_group(GroupName="endpoint", Description="e", VpcId=vpc)["GroupId"]
    consumer_ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    app = consumer_ec2.run_instances(ImageId="ami-12345678", InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                     SubnetId=sub)["Instances"][0]["InstanceId"]
    e = consumer_ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=name, VpcEndpointType="Interface",
                                         SubnetIds=[sub], SecurityGroupIds=[sg])["VpcEndpoint"]
    vpce = e["VpcEndpointId"]
    assert e["State"] == "pendingAcceptance"
    assert len(e["NetworkInterfaceIds"]) == 1

    [c] = ec2.describe_vpc_endpoint_connections(
        Filters=[{"Name": "service-id", "Values": [sid]}])["VpcEndpointConnections"]
    assert c["VpcEndpointId"] == vpce and c["VpcEndpointOwner"] == CONSUMER_KEY
    assert c["VpcEndpointState"] == "pendingAcceptance"

    # Pending: the path is not found (the endpoint is in a bad state).
    a = analyze(consumer_ec2, app, vpce)
    assert a["NetworkPathFound"] is False
    assert [x["ExplanationCode"] for x in a["Explanations"]] == ["BAD_STATE"], dump(a)

    # The service cannot be deleted while connected.
    out = ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])
    assert out["Unsuccessful"][0]["Error"]["Code"] == "ExistingVpcEndpointConnections"

    assert ec2.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])["Unsuccessful"] == []
    [e] = consumer_ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"]
    assert e["State"] == "available"
    # A path to the endpoint ends there; a path to the service goes on through the endpoint.
    a = analyze(consumer_ec2, app, vpce)
    assert a["NetworkPathFound"] is True, dump(a)
    kinds = [x["Component"]["Id"].rsplit("-", 1)[0] for x in a["ForwardPathComponents"]]
    assert kinds[-1] == "vpce" and a["ForwardPathComponents"][-1]["Component"]["Id"] == vpce, kinds
    a = analyze(consumer_ec2, app, sid)
    assert a["NetworkPathFound"] is True, dump(a)
    kinds = [x["Component"]["Id"].rsplit("-", 1)[0] for x in a["ForwardPathComponents"]]
    assert kinds[-2:] == ["vpce", "vpce-svc"], kinds
    last = a["ForwardPathComponents"][-1]["Component"]
    assert last["Arn"] == f"arn:aws:ec2:us-east-1:{PROVIDER}:vpc-endpoint-service/{sid}"

    # The provider rejects: the endpoint stops carrying traffic.
    assert ec2.reject_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=[vpce])["Unsuccessful"] == []
    [e] = consumer_ec2.describe_vpc_endpoints(VpcEndpointIds=[vpce])["VpcEndpoints"]
    assert e["State"] == "rejected"
    a = analyze(consumer_ec2, app, sid)
    assert a["NetworkPathFound"] is False

    # The load balancer is in use by the service; the service goes once nothing is connected.
    with aws_error("ResourceInUse"):
        elbv2.delete_load_balancer(LoadBalancerArn=nlb)
    assert ec2.delete_vpc_endpoint_service_configurations(ServiceIds=[sid])["Unsuccessful"] == []
    elbv2.delete_load_balancer(LoadBalancerArn=nlb)


def test_privatelink_errors(ec2, elbv2, consumer_ec2):
    nlb, _ = provider_nlb(ec2, elbv2)
    unknown = nlb.replace("/net/svc/", "/net/nope/")
    with aws_error("InvalidParameter"):
        ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[unknown])
    # Another account's load balancer cannot be offered.
    with aws_error("InvalidParameter"):
        consumer_ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[nlb])
    svc = ec2.create_vpc_endpoint_service_configuration(NetworkLoadBalancerArns=[nlb])["ServiceConfiguration"]
    sid, name = svc["ServiceId"], svc["ServiceName"]
    with aws_error("InvalidPrincipal"):
        ec2.modify_vpc_endpoint_service_permissions(ServiceId=sid, AddAllowedPrincipals=[CONSUMER_KEY])
    with aws_error("InvalidVpcEndpointServiceId.NotFound"):
        ec2.describe_vpc_endpoint_service_permissions(ServiceId="vpce-svc-0123456789abcdef0")

    vpc = consumer_ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    sub = subnet(consumer_ec2, vpc, "10.0.1.0/24", "us-east-1a")
    # Not allowed: to the consumer the service does not exist.
    with aws_error("InvalidServiceName"):
        consumer_ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=name, VpcEndpointType="Interface", SubnetIds=[sub])
    with aws_error("InvalidServiceName"):
        consumer_ec2.describe_vpc_endpoint_services(ServiceNames=[name])
    with aws_error("InvalidServiceName"):
        consumer_ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0",
                                         VpcEndpointType="Interface", SubnetIds=[sub])
    # Allowed by '*', an interface endpoint works; a Gateway endpoint type does not.
    ec2.modify_vpc_endpoint_service_permissions(ServiceId=sid, AddAllowedPrincipals=["*"])
    with aws_error("InvalidParameter"):
        consumer_ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=name, VpcEndpointType="Gateway")
    e = consumer_ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=name, VpcEndpointType="Interface",
                                         SubnetIds=[sub])["VpcEndpoint"]
    assert e["State"] == "pendingAcceptance"  # AcceptanceRequired defaults to true
    out = ec2.accept_vpc_endpoint_connections(ServiceId=sid, VpcEndpointIds=["vpce-0123456789abcdef0"])
    assert out["Unsuccessful"][0]["ResourceId"] == "vpce-0123456789abcdef0"
    ec2.modify_vpc_endpoint_service_configuration(ServiceId=sid, AcceptanceRequired=False)
    [c] = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[sid])["ServiceConfigurations"]
    assert c["AcceptanceRequired"] is False


# ----------------------------------------------------------------------------------- Terraform


def test_terraform_privatelink(endpoint, ec2, elbv2, tmp_path):
    import json
    import shutil

    import test_terraform as tf  # the provider mirror set-up is shared with the main Terraform test

    if tf.TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the PrivateLink Terraform test")
    if not tf.MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {tf.MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")
    work = tmp_path / "tf"
    shutil.copytree(tf.TF_DIR.parent / "terraform_privatelink", work)
    env = tf._tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    tf._tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    tf._tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    out = {k: v["value"] for k, v in json.loads(tf._tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    [lb] = elbv2.describe_load_balancers(LoadBalancerArns=[out["lb_arn"]])["LoadBalancers"]
    assert lb["DNSName"] == out["lb_dns"] and lb["Type"] == "network"
    [svc] = ec2.describe_vpc_endpoint_service_configurations(ServiceIds=[out["service_id"]])["ServiceConfigurations"]
    assert svc["NetworkLoadBalancerArns"] == [out["lb_arn"]] and svc["ServiceName"] == out["service_name"]
    [e] = ec2.describe_vpc_endpoints(VpcEndpointIds=[out["endpoint_id"]])["VpcEndpoints"]
    assert e["State"] == "available"

    plan = tf._tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=300,
                  ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    tf._tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=600)
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"] == []
