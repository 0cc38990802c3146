"""The ELBv2 API end to end with boto3, as a client sees it: an Application Load Balancer with
target groups, targets (an untagged instance: never contacted, outside --egress-allow), listeners
and rules (DescribeRules with the default rule,
SetRulePriorities), the SSL policies and account limits, SetSubnets on an ALB and an NLB, and the
documented errors with their codes and HTTP status (400 for every ELBv2 error here)."""

from __future__ import annotations

import pytest

from lb_helpers import wait_refused_by_egress
from vpclab_helpers import aws_error, dump, run_instance

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8877-665544332211"


def subnet(ec2, vpc: str, cidr: str, zone: str) -> str:
    return ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]


@pytest.fixture
def net(ec2):
    """A VPC 10.0.0.0/16 with subnets in us-east-1a, 1b and 1c: (vpc, [subnets])."""
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [subnet(ec2, vpc, f"10.0.{i}.0/24", f"us-east-1{z}") for i, z in ((1, "a"), (2, "b"), (3, "c"))]
    return vpc, subnets


def internal_alb(elbv2, subnets: list[str], name: str = "web") -> str:
    [lb] = elbv2.create_load_balancer(Name=name, Scheme="internal", Subnets=subnets)["LoadBalancers"]
    return lb["LoadBalancerArn"]


def forward(tg: str) -> list[dict]:
    return [{"Type": "forward", "TargetGroupArn": tg}]


def path_rule(path: str) -> list[dict]:
    return [{"Field": "path-pattern", "PathPatternConfig": {"Values": [path]}}]


# --------------------------------------------------------------------------- round trip


def test_alb_round_trip(ec2, elbv2, net):
    vpc, subnets = net
    lb = internal_alb(elbv2, subnets[:2])
    [tg] = elbv2.create_target_group(Name="app", Protocol="HTTP", Port=8080, VpcId=vpc,
                                     HealthCheckPath="/health")["TargetGroups"]
    tg_arn = tg["TargetGroupArn"]
    assert tg_arn.startswith("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/app/")
    assert (tg["HealthCheckPath"], tg["HealthCheckIntervalSeconds"], tg["Matcher"]) == ("/health", 30, {"HttpCode": "200"})
    assert tg.get("LoadBalancerArns", []) == []

    instance = run_instance(ec2, subnets[0])
    app = instance["InstanceId"]
    elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": app}])
    [h] = elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    assert h["Target"] == {"Id": app, "Port": 8080}
    assert (h["TargetHealth"]["State"], h["TargetHealth"]["Reason"]) == ("unused", "Target.NotInUse")

    [listener] = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80,
                                       DefaultActions=forward(tg_arn))["Listeners"]
    l_arn = listener["ListenerArn"]
    assert l_arn.startswith("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/")
    [tg] = elbv2.describe_target_groups(TargetGroupArns=[tg_arn])["TargetGroups"]
    assert tg["LoadBalancerArns"] == [lb]
    # Health checks would probe the instance's private address (it has no vpclab:local-address
    # tag); that is outside --egress-allow (loopback only), so it is never contacted and
    # DescribeTargetHealth says why.
    [h] = elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]
    assert h["TargetHealth"]["State"] in ("initial", "unhealthy"), dump(h)
    wait_refused_by_egress(elbv2, tg_arn, (app, 8080), f"{instance['PrivateIpAddress']}:8080")

    # Rules: the default rule is listed last; priorities move with SetRulePriorities.
    [api_rule] = elbv2.create_rule(ListenerArn=l_arn, Priority=10, Conditions=path_rule("/api/*"),
                                   Actions=forward(tg_arn))["Rules"]
    [static] = elbv2.create_rule(ListenerArn=l_arn, Priority=20, Conditions=path_rule("/static/*"),
                                 Actions=[{"Type": "fixed-response", "FixedResponseConfig": {
                                     "StatusCode": "404", "ContentType": "text/plain", "MessageBody": "no"}}])["Rules"]
    rules = elbv2.describe_rules(ListenerArn=l_arn)["Rules"]
    assert [(r["Priority"], r["IsDefault"]) for r in rules] == [("10", False), ("20", False), ("default", True)]
    default = rules[-1]
    assert default.get("Conditions", []) == []
    assert default["Actions"][0]["Type"] == "forward" and default["Actions"][0]["TargetGroupArn"] == tg_arn
    moved = elbv2.set_rule_priorities(RulePriorities=[
        {"RuleArn": api_rule["RuleArn"], "Priority": 30}, {"RuleArn": static["RuleArn"], "Priority": 5}])["Rules"]
    assert sorted((r["RuleArn"], r["Priority"]) for r in moved) == sorted(
        [(api_rule["RuleArn"], "30"), (static["RuleArn"], "5")])
    rules = elbv2.describe_rules(ListenerArn=l_arn)["Rules"]
    assert [r["Priority"] for r in rules] == ["5", "30", "default"]
    [r] = elbv2.describe_rules(RuleArns=[api_rule["RuleArn"]])["Rules"]
    assert r["Conditions"][0]["PathPatternConfig"]["Values"] == ["/api/*"]

    # HTTPS with a certificate: the default policy.
    [https] = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443,
                                    Certificates=[{"CertificateArn": CERT}],
                                    DefaultActions=[{"Type": "redirect", "RedirectConfig": {
                                        "Protocol": "HTTPS", "StatusCode": "HTTP_301"}}])["Listeners"]
    assert https["SslPolicy"] == "ELBSecurityPolicy-2016-08"
    assert https["DefaultActions"][0]["RedirectConfig"]["Path"] == "/#{path}"
    listeners = elbv2.describe_listeners(LoadBalancerArn=lb)["Listeners"]
    assert sorted(x["Port"] for x in listeners) == [80, 443]

    # Tear down in AWS's order.
    elbv2.delete_rule(RuleArn=api_rule["RuleArn"])
    elbv2.delete_listener(ListenerArn=l_arn)
    elbv2.deregister_targets(TargetGroupArn=tg_arn, Targets=[{"Id": app}])
    elbv2.delete_target_group(TargetGroupArn=tg_arn)
    elbv2.delete_load_balancer(LoadBalancerArn=lb)
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []


def test_ssl_policies_and_account_limits(elbv2):
    policies = {p["Name"]: p for p in elbv2.describe_ssl_policies()["SslPolicies"]}
    for name in ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-2-2021-06"):
        assert name in policies, sorted(policies)
    [p] = elbv2.describe_ssl_policies(Names=["ELBSecurityPolicy-TLS13-1-2-2021-06"])["SslPolicies"]
    assert p["SslProtocols"] == ["TLSv1.2", "TLSv1.3"]
    assert any(c["Name"] == "TLS_AES_128_GCM_SHA256" for c in p["Ciphers"]), dump(p)
    assert all(c["Priority"] >= 1 for c in p["Ciphers"])
    with aws_error("SSLPolicyNotFound"):
        elbv2.describe_ssl_policies(Names=["ELBSecurityPolicy-nope"])

    limits = {x["Name"]: x["Max"] for x in elbv2.describe_account_limits()["Limits"]}
    assert limits["application-load-balancers"] == "50"
    assert limits["target-groups"] == "3000"
    assert limits["listeners-per-application-load-balancer"] == "50"
    page = elbv2.describe_account_limits(PageSize=2)
    assert len(page["Limits"]) == 2 and "NextMarker" in page


# --------------------------------------------------------------------------- errors


def test_documented_errors(ec2, elbv2, net):
    vpc, subnets = net
    lb = internal_alb(elbv2, subnets[:2])
    [tg] = elbv2.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"]
    tg_arn = tg["TargetGroupArn"]
    [l] = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=forward(tg_arn))["Listeners"]
    l_arn = l["ListenerArn"]
    [rule] = elbv2.create_rule(ListenerArn=l_arn, Priority=1, Conditions=path_rule("/a"), Actions=forward(tg_arn))["Rules"]

    with aws_error("DuplicateLoadBalancerName", 400):
        elbv2.create_load_balancer(Name="web", Scheme="internal", Subnets=[subnets[0], subnets[2]])
    with aws_error("DuplicateTargetGroupName", 400):
        elbv2.create_target_group(Name="app", Protocol="HTTP", Port=81, VpcId=vpc)
    # CreateListener is idempotent: the same settings answer the same listener (API reference);
    # other settings on a taken port are DuplicateListener.
    [same] = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=forward(tg_arn))["Listeners"]
    assert same["ListenerArn"] == l_arn
    with aws_error("DuplicateListener", 400):
        elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
            {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}])
    with aws_error("PriorityInUse", 400):
        elbv2.create_rule(ListenerArn=l_arn, Priority=1, Conditions=path_rule("/b"), Actions=forward(tg_arn))

    gone_tg = tg_arn.replace("/app/", "/gone/")
    gone_listener = l_arn[:-1] + ("0" if l_arn[-1] != "0" else "1")
    gone_rule = rule["RuleArn"][:-1] + ("0" if rule["RuleArn"][-1] != "0" else "1")
    with aws_error("TargetGroupNotFound", 400):
        elbv2.describe_target_groups(TargetGroupArns=[gone_tg])
    with aws_error("TargetGroupNotFound", 400):
        elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=81, DefaultActions=forward(gone_tg))
    with aws_error("ListenerNotFound", 400):
        elbv2.describe_listeners(ListenerArns=[gone_listener])
    with aws_error("ListenerNotFound", 400):
        elbv2.create_rule(ListenerArn=gone_listener, Priority=2, Conditions=path_rule("/c"), Actions=forward(tg_arn))
    with aws_error("RuleNotFound", 400):
        elbv2.describe_rules(RuleArns=[gone_rule])
    with aws_error("RuleNotFound", 400):
        elbv2.delete_rule(RuleArn=gone_rule)

    # An instance in another VPC is not a valid target.
    other_vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    stranger = run_instance(ec2, subnet(ec2, other_vpc, "10.1.1.0/24", "us-east-1a"))["InstanceId"]
    with aws_error("InvalidTarget", 400):
        elbv2.register_targets(TargetGroupArn=tg_arn, Targets=[{"Id": stranger}])

    # A TCP group cannot serve an HTTP listener.
    [tcp] = elbv2.create_target_group(Name="tcp", Protocol="TCP", Port=80, VpcId=vpc)["TargetGroups"]
    with aws_error("IncompatibleProtocols", 400):
        elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=8080,
                              DefaultActions=forward(tcp["TargetGroupArn"]))

    with aws_error("ResourceInUse", 400):
        elbv2.delete_target_group(TargetGroupArn=tg_arn)
    default_rule = elbv2.describe_rules(ListenerArn=l_arn)["Rules"][-1]
    assert default_rule["IsDefault"] is True
    with aws_error("OperationNotPermitted", 400):
        elbv2.delete_rule(RuleArn=default_rule["RuleArn"])

    # Malformed input the client lets through: the server answers ValidationError.
    with aws_error("ValidationError", 400):
        elbv2.create_target_group(Name="big", Protocol="HTTP", Port=70000, VpcId=vpc)
    with aws_error("ValidationError", 400):
        elbv2.create_target_group(Name="-bad-", Protocol="HTTP", Port=80, VpcId=vpc)
    with aws_error("ValidationError", 400):
        elbv2.create_rule(ListenerArn=l_arn, Priority=50001, Conditions=path_rule("/d"), Actions=forward(tg_arn))
    with aws_error("ValidationError", 400):
        elbv2.describe_load_balancers(LoadBalancerArns=["not-an-arn"])
    with aws_error("ValidationError", 400):
        elbv2.describe_target_groups(PageSize=401)

    # Nothing above changed anything.
    assert [r["Priority"] for r in elbv2.describe_rules(ListenerArn=l_arn)["Rules"]] == ["1", "default"]
    assert [t["TargetGroupName"] for t in elbv2.describe_target_groups()["TargetGroups"]] == ["app", "tcp"]


# --------------------------------------------------------------------------- SetSubnets


def lb_enis(ec2, lb_arn: str) -> dict[str, str]:
    """subnet -> interface id of the load balancer's requester-managed interfaces."""
    description = "ELB " + lb_arn.split(":loadbalancer/", 1)[1]
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "description", "Values": [description]}])["NetworkInterfaces"]
    return {e["SubnetId"]: e["NetworkInterfaceId"] for e in enis}


def test_set_subnets_on_an_application_load_balancer(ec2, elbv2, net):
    vpc, (a, b, c) = net
    lb = internal_alb(elbv2, [a, b])
    before = lb_enis(ec2, lb)
    out = elbv2.set_subnets(LoadBalancerArn=lb, Subnets=[a, c])
    assert sorted(z["SubnetId"] for z in out["AvailabilityZones"]) == sorted([a, c])
    assert sorted(z["ZoneName"] for z in out["AvailabilityZones"]) == ["us-east-1a", "us-east-1c"]
    assert out["IpAddressType"] == "ipv4"
    after = lb_enis(ec2, lb)
    assert set(after) == {a, c}
    assert after[a] == before[a]  # the kept zone keeps its interface
    [lb_desc] = elbv2.describe_load_balancers(LoadBalancerArns=[lb])["LoadBalancers"]
    assert sorted(z["SubnetId"] for z in lb_desc["AvailabilityZones"]) == sorted([a, c])

    a2 = subnet(ec2, vpc, "10.0.4.0/24", "us-east-1a")
    other = subnet(ec2, ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"], "10.1.1.0/24", "us-east-1b")
    with aws_error("InvalidConfigurationRequest", 400):  # an ALB needs two zones
        elbv2.set_subnets(LoadBalancerArn=lb, Subnets=[a])
    with aws_error("InvalidConfigurationRequest", 400):  # one subnet per zone
        elbv2.set_subnets(LoadBalancerArn=lb, Subnets=[a, a2, c])
    with aws_error("SubnetNotFound", 400):
        elbv2.set_subnets(LoadBalancerArn=lb, Subnets=[a, "subnet-0123456789abcdef0"])
    with aws_error("InvalidSubnet", 400):  # another VPC
        elbv2.set_subnets(LoadBalancerArn=lb, Subnets=[a, other])
    with aws_error("ValidationError", 400):  # Subnets and SubnetMappings together
        elbv2.set_subnets(LoadBalancerArn=lb, Subnets=[a], SubnetMappings=[{"SubnetId": c}])
    with aws_error("LoadBalancerNotFound", 400):
        elbv2.set_subnets(LoadBalancerArn=lb[:-1] + ("0" if lb[-1] != "0" else "1"), Subnets=[a, c])
    assert set(lb_enis(ec2, lb)) == {a, c}


def test_set_subnets_on_a_network_load_balancer(ec2, elbv2, net):
    vpc, (a, b, c) = net
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ea, eb = (ec2.allocate_address(Domain="vpc")["AllocationId"] for _ in range(2))
    [lb] = elbv2.create_load_balancer(Name="edge", Type="network",
                                      SubnetMappings=[{"SubnetId": a, "AllocationId": ea}])["LoadBalancers"]
    arn = lb["LoadBalancerArn"]
    out = elbv2.set_subnets(LoadBalancerArn=arn, SubnetMappings=[
        {"SubnetId": a, "AllocationId": ea}, {"SubnetId": b, "AllocationId": eb}])
    zones = {z["SubnetId"]: z for z in out["AvailabilityZones"]}
    assert zones[b]["LoadBalancerAddresses"][0]["AllocationId"] == eb
    enis = lb_enis(ec2, arn)
    [addr] = ec2.describe_addresses(AllocationIds=[eb])["Addresses"]
    assert addr["NetworkInterfaceId"] == enis[b]

    with aws_error("AllocationIdNotFound", 400):
        elbv2.set_subnets(LoadBalancerArn=arn, SubnetMappings=[
            {"SubnetId": a}, {"SubnetId": b}, {"SubnetId": c, "AllocationId": "eipalloc-0123456789abcdef0"}])
    b2 = subnet(ec2, vpc, "10.0.4.0/24", "us-east-1b")
    with aws_error("InvalidConfigurationRequest", 400):  # a zone's subnet changes in two steps
        elbv2.set_subnets(LoadBalancerArn=arn, Subnets=[a, b2])

    # Disabling zone b frees its interface and its Elastic IP.
    out = elbv2.set_subnets(LoadBalancerArn=arn, Subnets=[a])
    assert [z["SubnetId"] for z in out["AvailabilityZones"]] == [a]
    assert set(lb_enis(ec2, arn)) == {a}
    [addr] = ec2.describe_addresses(AllocationIds=[eb])["Addresses"]
    assert "AssociationId" not in addr, dump(addr)
    elbv2.set_subnets(LoadBalancerArn=arn, Subnets=[a, b2])
    assert set(lb_enis(ec2, arn)) == {a, b2}
