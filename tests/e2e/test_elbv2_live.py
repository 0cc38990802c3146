"""Load balancers that really balance (issue 5), driven with boto3 and plain HTTP/TCP.

The targets are local servers started by the test (lb_helpers.HttpBackend: each answers with its
own name and echoes the X-Forwarded-* headers it received; lb_helpers.EchoServer for TCP),
registered as loopback `ip` targets with AvailabilityZone=all (a vpclab extension).  Every
listener is served on a local address listed by GET /_vpclab/endpoints; an ALB is also reachable
through vpclab's own port with `Host: <its DNS name>`.

Health checks use the smallest settings AWS accepts (interval 5 s, timeout 2 s, thresholds 2), so
a verdict takes a few seconds; every wait polls, none sleeps blindly.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from lb_helpers import (
    FAST_HEALTH_CHECK,
    HEALTH_CHECK_PATH,
    HEALTHY_WITHIN,
    UNHEALTHY_WITHIN,
    EchoServer,
    ask,
    assert_sticky,
    backend_of,
    backends,
    closed_port,
    echo_round_trip,
    ip_target,
    kill_and_check_failover,
    listener_endpoint,
    live_endpoints,
    pin_each_target,
    refuses_connections,
    target_health,
    wait_health,
    wait_listener_gone,
    who_answers,
)
from vpclab_helpers import DEFAULT_ACCOUNT, dump, wait_until

LOOPBACK = "127.0.0.1"


# --------------------------------------------------------------------------- building blocks


def public_vpc(ec2) -> tuple[str, list[str]]:
    """A VPC with an internet gateway and two public subnets in different AZs."""
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    subnets = []
    for cidr, zone in (("10.50.1.0/24", "us-east-1a"), ("10.50.2.0/24", "us-east-1b")):
        sn = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        ec2.associate_route_table(RouteTableId=rt, SubnetId=sn)
        subnets.append(sn)
    return vpc, subnets


def create_alb(elbv2, subnets: list[str], name: str = "web") -> dict:
    return elbv2.create_load_balancer(Name=name, Type="application", Scheme="internet-facing",
                                      Subnets=subnets)["LoadBalancers"][0]


def http_target_group(elbv2, vpc: str, name: str, **attributes: str) -> str:
    tg = elbv2.create_target_group(
        Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip",
        HealthCheckProtocol="HTTP", HealthCheckPath=HEALTH_CHECK_PATH, Matcher={"HttpCode": "200"},
        **FAST_HEALTH_CHECK)["TargetGroups"][0]["TargetGroupArn"]
    if attributes:
        elbv2.modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
            {"Key": k, "Value": v} for k, v in attributes.items()])
    return tg


def forward(tg: str) -> list[dict]:
    return [{"Type": "forward", "TargetGroupArn": tg}]


def path_rule(elbv2, listener: str, priority: int, patterns: list[str], actions: list[dict]) -> str:
    return elbv2.create_rule(ListenerArn=listener, Priority=priority, Actions=actions, Conditions=[
        {"Field": "path-pattern", "PathPatternConfig": {"Values": patterns}}])["Rules"][0]["RuleArn"]


def target_key(backend) -> tuple[str, int]:
    return (LOOPBACK, backend.port if not isinstance(backend, int) else backend)


def all_healthy(elbv2, groups: dict[str, list]) -> None:
    """Wait until every backend of every target group is healthy (the groups are checked in parallel)."""
    for tg, members in groups.items():
        wait_health(elbv2, tg, {target_key(b): "healthy" for b in members}, timeout=HEALTHY_WITHIN)


# --------------------------------------------------------------------------- load balancer creation


def test_internet_facing_alb_in_two_public_subnets(endpoint, ec2, elbv2):
    vpc, subnets = public_vpc(ec2)
    lb = create_alb(elbv2, subnets)
    arn = lb["LoadBalancerArn"]
    assert arn.startswith(f"arn:aws:elasticloadbalancing:us-east-1:{DEFAULT_ACCOUNT}:loadbalancer/app/web/")
    assert lb["Type"] == "application" and lb["Scheme"] == "internet-facing" and lb["VpcId"] == vpc
    assert lb["State"]["Code"] in ("provisioning", "active")
    assert lb["DNSName"].startswith("web-") and lb["DNSName"].endswith(".us-east-1.elb.amazonaws.com")
    assert sorted((z["ZoneName"], z["SubnetId"]) for z in lb["AvailabilityZones"]) == \
        sorted(zip(["us-east-1a", "us-east-1b"], subnets))
    # An ALB without a listener serves nothing yet.
    assert not [e for e in live_endpoints(endpoint) if e.get("load_balancer_arn") == arn]
    attrs = {a["Key"]: a["Value"] for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attrs["load_balancing.cross_zone.enabled"] == "true"  # always on for an ALB


# --------------------------------------------------------------------------- ALB: rules and headers


def test_alb_routes_by_rules(endpoint, ec2, elbv2):
    """Path and host rules by priority, redirect, fixed response, X-Forwarded-*, the endpoint
    listing, `Host: <DNS name>` through vpclab's port, and the listener going away."""
    vpc, subnets = public_vpc(ec2)
    lb = create_alb(elbv2, subnets)
    with backends("web-1", "web-2", "api-1", "admin-1") as b:
        web = http_target_group(elbv2, vpc, "web")
        api = http_target_group(elbv2, vpc, "api")
        admin = http_target_group(elbv2, vpc, "admin")
        elbv2.register_targets(TargetGroupArn=web, Targets=[ip_target(b["web-1"]), ip_target(b["web-2"])])
        elbv2.register_targets(TargetGroupArn=api, Targets=[ip_target(b["api-1"])])
        elbv2.register_targets(TargetGroupArn=admin, Targets=[ip_target(b["admin-1"])])
        # Not used by a load balancer yet.
        h = target_health(elbv2, web)
        assert {k: (v["State"], v.get("Reason")) for k, v in h.items()} == {
            target_key(b["web-1"]): ("unused", "Target.NotInUse"),
            target_key(b["web-2"]): ("unused", "Target.NotInUse")}, dump(h)

        listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                         DefaultActions=forward(web))["Listeners"][0]["ListenerArn"]
        # In use now: initial until the first checks decide (a first success may already have).
        for v in target_health(elbv2, web).values():
            assert v["State"] in ("initial", "healthy"), v
            if v["State"] == "initial":
                assert v.get("Reason") in ("Elb.RegistrationInProgress", "Elb.InitialHealthChecking"), v

        # Priority 5 shadows part of 10; 40 is shadowed by 10 entirely.
        path_rule(elbv2, listener, 5, ["/api/admin*"], [{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "403", "ContentType": "application/json", "MessageBody": '{"message":"forbidden"}'}}])
        path_rule(elbv2, listener, 10, ["/api/*"], forward(api))
        elbv2.create_rule(ListenerArn=listener, Priority=20, Actions=forward(admin),
                          Conditions=[{"Field": "host-header", "Values": ["admin.example.com"]}])
        path_rule(elbv2, listener, 30, ["/old/*"], [{"Type": "redirect", "RedirectConfig": {
            "Protocol": "HTTPS", "Host": "www.example.com", "Port": "443", "Path": "/new/#{path}",
            "Query": "#{query}&from=old", "StatusCode": "HTTP_301"}}])
        path_rule(elbv2, listener, 40, ["/api/public*"], [{"Type": "fixed-response", "FixedResponseConfig": {
            "StatusCode": "200", "ContentType": "text/plain", "MessageBody": "never"}}])

        ep = listener_endpoint(endpoint, listener)
        assert ep["load_balancer_arn"] == lb["LoadBalancerArn"] and ep["load_balancer_name"] == "web"
        assert ep["dns_name"] == lb["DNSName"]
        assert ep["protocol"] == "HTTP" and ep["port"] == 80
        host, port = ep["address"].rsplit(":", 1)
        assert host == LOOPBACK and int(port) > 0
        url = ep["url"]
        assert url == f"http://{ep['address']}"

        all_healthy(elbv2, {web: [b["web-1"], b["web-2"]], api: [b["api-1"]], admin: [b["admin-1"]]})
        # Rules are applied by the data plane a moment after CreateRule answers.
        wait_until(lambda: backend_of(ask(url, "/api/v1")) == "api-1", timeout=5, desc="the /api/* rule live")

        # ---- forward by path, by host, by priority
        assert backend_of(ask(url, "/api/v1/users?id=7")) == "api-1"
        assert ask(url, "/api/v1/users?id=7").json()["path"] == "/api/v1/users?id=7"  # path and query untouched
        assert backend_of(ask(url, "/api/public/x")) == "api-1"  # priority 10 before 40
        assert backend_of(ask(url, "/API/v1")) in ("web-1", "web-2")  # path patterns are case sensitive
        assert backend_of(ask(url, "/", {"Host": "admin.example.com"})) == "admin-1"
        assert backend_of(ask(url, "/", {"Host": "ADMIN.Example.COM"})) == "admin-1"  # host is case-insensitive
        assert backend_of(ask(url, "/api/v1", {"Host": "admin.example.com"})) == "api-1"  # 10 before 20
        default = who_answers(url, "/index.html", n=20)
        assert set(default) == {"web-1", "web-2"}, default  # the default action, round robin over both
        assert min(default.count("web-1"), default.count("web-2")) >= 5, default

        # ---- fixed response
        r = ask(url, "/api/admin/panel")
        assert r.status_code == 403 and r.text == '{"message":"forbidden"}'
        assert r.headers["Content-Type"].split(";")[0].strip() == "application/json"
        assert b["api-1"].hits["/api/admin/panel"] == 0

        # ---- redirect: #{path} without its leading "/", #{query} kept
        r = ask(url, "/old/page?x=1")
        assert r.status_code == 301, (r.status_code, r.text[:300])
        loc = urlsplit(r.headers["Location"])
        assert (loc.scheme, loc.hostname, loc.port or 443) == ("https", "www.example.com", 443), loc
        assert loc.path == "/new/old/page" and loc.query == "x=1&from=old", loc

        # ---- X-Forwarded-* as the target sees them
        seen = ask(url, "/api/headers").json()["forwarded"]
        assert seen["x-forwarded-for"] == LOOPBACK
        assert seen["x-forwarded-proto"] == "http"
        # The port the client connected to: the listener's (80) or, locally, the address it is served on.
        assert seen["x-forwarded-port"] in ("80", port), seen
        seen = ask(url, "/api/headers", {"X-Forwarded-For": "203.0.113.7"}).json()["forwarded"]
        assert seen["x-forwarded-for"] == f"203.0.113.7, {LOOPBACK}"  # the client's address is appended

        # ---- through vpclab's own port with Host: <DNS name>
        r = requests.get(endpoint + "/api/v2", headers={"Host": lb["DNSName"]}, timeout=5)
        assert backend_of(r) == "api-1", (r.status_code, r.text[:300])
        r = requests.get(endpoint + "/", headers={"Host": lb["DNSName"]}, timeout=5)
        assert backend_of(r) in ("web-1", "web-2"), (r.status_code, r.text[:300])
        assert r.json()["forwarded"]["x-forwarded-for"] == LOOPBACK

        # ---- the API still answers on the same port
        assert elbv2.describe_listeners(ListenerArns=[listener])["Listeners"][0]["Port"] == 80

        # ---- a deleted listener is no longer served
        elbv2.delete_listener(ListenerArn=listener)
        wait_listener_gone(endpoint, listener)
        wait_until(lambda: refuses_connections(ep["address"]), timeout=5, desc="the listener's port to close")
        h = target_health(elbv2, web)
        assert {v["State"] for v in h.values()} == {"unused"}, dump(h)


# --------------------------------------------------------------------------- ALB: stickiness and failover


def test_alb_sticky_sessions_and_failover(endpoint, ec2, elbv2):
    """lb_cookie stickiness pins a client; a killed target turns unhealthy within the thresholds and
    stops receiving traffic; a deregistered one drains."""
    vpc, subnets = public_vpc(ec2)
    lb = create_alb(elbv2, subnets)
    with backends("web-1", "web-2") as b:
        web = http_target_group(elbv2, vpc, "web", **{
            "stickiness.enabled": "true", "stickiness.type": "lb_cookie",
            "stickiness.lb_cookie.duration_seconds": "3600",
            "deregistration_delay.timeout_seconds": "60"})
        elbv2.register_targets(TargetGroupArn=web, Targets=[ip_target(b["web-1"]), ip_target(b["web-2"])])
        listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                         DefaultActions=forward(web))["Listeners"][0]["ListenerArn"]
        url = listener_endpoint(endpoint, listener)["url"]
        all_healthy(elbv2, {web: [b["web-1"], b["web-2"]]})
        assert b["web-1"].health_checks >= 1 and b["web-2"].health_checks >= 1  # really probed

        # ---- one AWSALB cookie per target; each pins its client over 20 requests
        pinned = pin_each_target(url, {"web-1", "web-2"})
        assert_sticky(url, pinned)

        # ---- kill web-1: unhealthy within unhealthy_threshold * interval (+ slack), no more traffic
        served_before = b["web-2"].requests_served()
        took = kill_and_check_failover(elbv2, web, b["web-1"], b["web-2"], url)
        print(f"killed target unhealthy after {took:.1f}s")

        # ...even for a client pinned to it.
        r = ask(url, "/", {"Cookie": f"AWSALB={pinned['web-1']}"})
        assert backend_of(r) == "web-2", (r.status_code, r.text[:300])
        assert b["web-2"].requests_served() == served_before + 21

        # ---- deregistration: draining for the delay, no traffic
        elbv2.deregister_targets(TargetGroupArn=web, Targets=[{"Id": LOOPBACK, "Port": b["web-1"].port}])
        h = target_health(elbv2, web)
        assert h[target_key(b["web-1"])]["State"] == "draining", dump(h)
        assert h[target_key(b["web-1"])]["Reason"] == "Target.DeregistrationInProgress"
        assert who_answers(url, "/", n=5) == ["web-2"] * 5


# --------------------------------------------------------------------------- ALB: no healthy targets


def test_alb_without_healthy_targets(endpoint, ec2, elbv2):
    """503 with no targets; 502 from a refusing target; the unhealthy reasons AWS reports
    (connection refused, wrong status, timeout); fail-open to unhealthy targets; unused groups."""
    vpc, subnets = public_vpc(ec2)
    lb = create_alb(elbv2, subnets)
    with backends("sick-1", health_status=500) as sick, backends("slow-1", health_delay=3.0) as slow:
        empty = http_target_group(elbv2, vpc, "empty")
        sick_tg = http_target_group(elbv2, vpc, "sick")
        slow_tg = http_target_group(elbv2, vpc, "slow")
        spare = http_target_group(elbv2, vpc, "spare")
        elbv2.register_targets(TargetGroupArn=sick_tg, Targets=[ip_target(sick["sick-1"])])
        elbv2.register_targets(TargetGroupArn=slow_tg, Targets=[ip_target(slow["slow-1"])])
        elbv2.register_targets(TargetGroupArn=spare, Targets=[ip_target(slow["slow-1"])])
        listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                         DefaultActions=forward(empty))["Listeners"][0]["ListenerArn"]
        path_rule(elbv2, listener, 10, ["/sick/*"], forward(sick_tg))
        path_rule(elbv2, listener, 20, ["/slow/*"], forward(slow_tg))
        url = listener_endpoint(endpoint, listener)["url"]

        # ---- a target group with no registered targets: 503
        r = ask(url, "/anything")
        assert r.status_code == 503, (r.status_code, r.text[:300])

        # ---- a target that refuses connections: 502 (fail-open routes to it although it is not healthy)
        dead = closed_port()
        elbv2.register_targets(TargetGroupArn=empty, Targets=[ip_target(dead)])
        wait_until(lambda: ask(url, "/anything").status_code == 502, timeout=5, desc="502 from a refusing target")

        # ---- the reason codes, all observed in parallel
        wait_health(elbv2, empty, {target_key(dead): "unhealthy"}, timeout=UNHEALTHY_WITHIN)
        wait_health(elbv2, sick_tg, {target_key(sick["sick-1"]): "unhealthy"}, timeout=UNHEALTHY_WITHIN)
        wait_health(elbv2, slow_tg, {target_key(slow["slow-1"]): "unhealthy"}, timeout=UNHEALTHY_WITHIN)
        reasons = {
            "refused": target_health(elbv2, empty)[target_key(dead)].get("Reason"),
            "status 500": target_health(elbv2, sick_tg)[target_key(sick["sick-1"])].get("Reason"),
            "slow": target_health(elbv2, slow_tg)[target_key(slow["slow-1"])].get("Reason"),
        }
        assert reasons == {"refused": "Target.FailedHealthChecks", "status 500": "Target.ResponseCodeMismatch",
                           "slow": "Target.Timeout"}, reasons
        assert "500" in (target_health(elbv2, sick_tg)[target_key(sick["sick-1"])].get("Description") or ""), \
            "the description names the status the target answered"

        # ---- fail-open: with no healthy target, the unhealthy ones still get the requests
        assert who_answers(url, "/sick/x", n=5) == ["sick-1"] * 5
        assert who_answers(url, "/slow/x", n=3) == ["slow-1"] * 3

        # ---- a target group no load balancer uses
        h = target_health(elbv2, spare)
        assert h[target_key(slow["slow-1"])]["State"] == "unused"
        assert h[target_key(slow["slow-1"])]["Reason"] == "Target.NotInUse"

        # ---- a target that recovers turns healthy again and is used
        sick["sick-1"].health_status = 200
        wait_health(elbv2, sick_tg, {target_key(sick["sick-1"]): "healthy"}, timeout=HEALTHY_WITHIN)
        assert who_answers(url, "/sick/y", n=3) == ["sick-1"] * 3


# --------------------------------------------------------------------------- NLB


def test_nlb_tcp_passthrough(endpoint, ec2, elbv2):
    vpc, subnets = public_vpc(ec2)
    nlb = elbv2.create_load_balancer(Name="echo", Type="network", Scheme="internet-facing",
                                     Subnets=subnets)["LoadBalancers"][0]
    with EchoServer() as echo:
        tg = elbv2.create_target_group(Name="echo", Protocol="TCP", Port=7, VpcId=vpc, TargetType="ip",
                                       HealthCheckProtocol="TCP", **FAST_HEALTH_CHECK)["TargetGroups"][0]
        assert tg["HealthCheckProtocol"] == "TCP"
        tg = tg["TargetGroupArn"]
        elbv2.register_targets(TargetGroupArn=tg, Targets=[ip_target(echo.port)])
        listener = elbv2.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=7000,
                                         DefaultActions=forward(tg))["Listeners"][0]["ListenerArn"]
        ep = listener_endpoint(endpoint, listener)
        assert ep["protocol"] == "TCP" and ep["port"] == 7000 and ep["dns_name"] == nlb["DNSName"]
        assert ep.get("url") is None  # only HTTP/HTTPS listeners have a URL
        assert ep["address"].startswith(f"{LOOPBACK}:")

        # Healthy through TCP connects.
        wait_health(elbv2, tg, {target_key(echo.port): "healthy"}, timeout=HEALTHY_WITHIN)
        # The kernel completes a probe's handshake before the echo server's thread counts it.
        wait_until(lambda: echo.accepted >= 1, timeout=5, desc="the health check's connection counted")

        # Bytes through unchanged, in both directions, on several connections.
        for i in range(3):
            payload = f"hello vpclab {i}\n".encode() * (5000 if i == 2 else 1)
            assert echo_round_trip(ep["address"], payload) == payload

        elbv2.delete_load_balancer(LoadBalancerArn=nlb["LoadBalancerArn"])
        wait_listener_gone(endpoint, listener)


# --------------------------------------------------------------------------- HTTPS with the user's certificate


def test_https_listener_presents_the_certificate_the_user_supplies(vpclab_binary, tmp_path):
    """ACM is not served: `serve --lb-certificate/--lb-certificate-key` gives the PEM pair every
    HTTPS listener presents, whatever certificate ARN it names."""
    import shutil
    import ssl
    import subprocess

    from vpclab_helpers import VpclabServer, make_client

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: it makes the test's certificate")

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=shop.example.com", "-addext", "subjectAltName=DNS:shop.example.com,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    server = VpclabServer(vpclab_binary, state_dir=None, log_path=tmp_path / "vpclab.log", in_memory=True,
                          extra_args=["--lb-certificate", str(cert), "--lb-certificate-key", str(key)])
    server.start()
    try:
        ec2 = make_client(server.endpoint, "ec2")
        elbv2 = make_client(server.endpoint, "elbv2")
        vpc, subnets = public_vpc(ec2)
        lb = create_alb(elbv2, subnets, name="shop")
        with backends("web") as b:
            tg = http_target_group(elbv2, vpc, "web")
            elbv2.register_targets(TargetGroupArn=tg, Targets=[ip_target(b["web"])])
            listener = elbv2.create_listener(
                LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTPS", Port=443,
                Certificates=[{"CertificateArn": f"arn:aws:acm:us-east-1:{DEFAULT_ACCOUNT}:certificate/abc"}],
                DefaultActions=forward(tg))["Listeners"][0]["ListenerArn"]
            ep = listener_endpoint(server.endpoint, listener)
            assert ep["url"].startswith("https://127.0.0.1:"), ep
            host, port = ep["address"].rsplit(":", 1)
            served = ssl.get_server_certificate((host, int(port)))
            assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(cert.read_text())
            r = requests.get(ep["url"] + "/", verify=str(cert), timeout=5)
            assert r.status_code == 200 and backend_of(r) == "web", r.text
            assert r.json()["forwarded"].get("x-forwarded-proto") == "https", r.text
    finally:
        server.stop()
