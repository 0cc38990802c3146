"""The egress policy (`--egress-allow`) end to end: everything the server itself connects to —
load balancer targets and their health checks, Route 53 health checks, Resolver forwarding — is
judged before a packet is sent.

The session server allows loopback only (the default).  The lab: an internal ALB over an
untagged instance (reached at its private address 10.1.1.10: refused, `unhealthy`, the
description says why) and a tagged one (`vpclab:local-address` = 127.0.0.1, a server this test
runs: healthy, and the only one answering); a path routed to the refused instance alone gets 502
at once; Route 53 health checks on 192.0.2.44, by address and by a name vpclab's own hosted zone
resolves to it, report the refusal; a Resolver FORWARD rule to 10.0.0.2 gets SERVFAIL at once
(that part needs `dig`).

As root in a network namespace with only loopback (scripts/test.sh runs the end-to-end phase
so), the test also puts 10.1.1.10, 10.0.0.2 and 192.0.2.44 on a dummy interface (on `lo` where
the kernel has no dummy devices) with listeners behind them: the loopback-only server is seen to contact none of them, and a second server
started with `--egress-allow 10.0.0.0/8 --egress-allow 192.0.2.0/24` probes and reaches them
all — and no packet leaves the machine.  Elsewhere that part is skipped and says why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass

import pytest
import requests

from dns_helpers import (
    DIG,
    ON_PREM_ANSWER,
    OnPremDns,
    change,
    create,
    create_zone,
    dig,
    egress_refusal,
    health_check_reports,
    rrset,
    vpc_dns_port,
    zone_of,
)
from lb_helpers import (
    FAST_HEALTH_CHECK,
    HEALTH_CHECK_PATH,
    HEALTHY_WITHIN,
    HttpBackend,
    ask,
    backend_of,
    listener_endpoint,
    wait_health,
    wait_refused_by_egress,
    who_answers,
)
from vpclab_helpers import VpclabServer, make_client, run_instance, wait_until

INSTANCE_IP = "10.1.1.10"     # the untagged instance's private address
CHECKED_IP = "192.0.2.44"     # what the Route 53 health checks probe
ON_PREM_DNS = "10.0.0.2"      # the Resolver rule's target
LAB_ADDRESSES = (INSTANCE_IP, CHECKED_IP, ON_PREM_DNS)
DUMMY = "vpclab-egress"
OPEN_LAB = ["--egress-allow", "10.0.0.0/8", "--egress-allow", "192.0.2.0/24"]


# --------------------------------------------------------------------------- the lab network


def why_no_lab_network() -> str | None:
    """Why the lab addresses cannot be made local here (None: they can)."""
    if os.geteuid() != 0:
        return "not running as root"
    if shutil.which("ip") is None:
        return "the `ip` command (iproute2) is missing"
    others = sorted({name for _, name in socket.if_nameindex()} - {"lo", DUMMY})
    if others:
        return (f"this network namespace has interfaces besides lo ({', '.join(others)}), so lab addresses "
                "put here could be reached from outside; run it as scripts/test.sh does (`unshare -n`)")
    return None


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def lab_device() -> str:
    """A dummy interface for the lab addresses; `lo` where the kernel has no dummy devices (in
    this private namespace the addresses are local either way)."""
    subprocess.run(["ip", "link", "del", DUMMY], capture_output=True)  # a leftover of a killed run
    try:
        ip("link", "add", DUMMY, "type", "dummy")
        ip("link", "set", DUMMY, "up")
        return DUMMY
    except subprocess.CalledProcessError:
        return "lo"


@pytest.fixture(scope="module")
def lab_network():
    """None once 10.1.1.10, 10.0.0.2 and 192.0.2.44 are local addresses of this loopback-only
    namespace (removed afterwards); else why they are not."""
    why = why_no_lab_network()
    if why is not None:
        yield why
        return
    device = lab_device()
    try:
        for address in LAB_ADDRESSES:
            ip("addr", "replace", f"{address}/32", "dev", device)
    except subprocess.CalledProcessError as e:
        why = f"could not add the lab addresses: {e.stderr.strip()}"
    try:
        yield why
    finally:
        if device == DUMMY:
            subprocess.run(["ip", "link", "del", DUMMY], capture_output=True)
        else:
            for address in LAB_ADDRESSES:
                subprocess.run(["ip", "addr", "del", f"{address}/32", "dev", "lo"], capture_output=True)


class FarSide:
    """Listeners on the lab addresses: what the server reaches when --egress-allow lets it."""

    def __init__(self):
        self.instance = HttpBackend("instance", host=INSTANCE_IP, port=8080)
        self.checked = HttpBackend("checked", host=CHECKED_IP, port=80)
        self.dns = OnPremDns(host=ON_PREM_DNS, port=53)

    def contacts(self) -> dict[str, int]:
        return {"instance": self.instance.connections_accepted, "checked": self.checked.connections_accepted,
                "dns": self.dns.queries}

    def __enter__(self) -> "FarSide":
        return self

    def __exit__(self, *exc) -> None:
        self.instance.kill()
        self.checked.kill()
        self.dns.close()


# --------------------------------------------------------------------------- the lab


@dataclass
class Lab:
    vpc: str
    untagged: str        # instance id, reached at INSTANCE_IP:8080
    tagged: str          # instance id, reached at the local backend
    web: str             # target group: both instances
    url: str             # the ALB listener; /far/* goes to the untagged instance alone
    check_by_ip: str     # Route 53 health check of CHECKED_IP:80
    check_by_name: str   # the same, by a name example.com's zone resolves to CHECKED_IP


def build_lab(endpoint: str, local: HttpBackend) -> Lab:
    client = lambda service: make_client(endpoint, service=service)  # noqa: E731
    ec2, elbv2, r53, resolver = client("ec2"), client("elbv2"), client("route53"), client("route53resolver")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"us-east-1{az}")
               ["Subnet"]["SubnetId"] for i, az in ((1, "a"), (2, "b"))]

    untagged = run_instance(ec2, subnets[0], PrivateIpAddress=INSTANCE_IP)["InstanceId"]
    tagged = run_instance(ec2, subnets[1], TagSpecifications=[{"ResourceType": "instance", "Tags": [
        {"Key": "vpclab:local-address", "Value": "127.0.0.1"}]}])["InstanceId"]
    [lb] = elbv2.create_load_balancer(Name="lab", Scheme="internal", Subnets=subnets)["LoadBalancers"]
    groups = {}
    for name in ("web", "far"):
        [tg] = elbv2.create_target_group(Name=name, Protocol="HTTP", Port=8080, VpcId=vpc,
                                         HealthCheckPath=HEALTH_CHECK_PATH, **FAST_HEALTH_CHECK)["TargetGroups"]
        groups[name] = tg["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=groups["web"], Targets=[{"Id": untagged}, {"Id": tagged, "Port": local.port}])
    elbv2.register_targets(TargetGroupArn=groups["far"], Targets=[{"Id": untagged}])
    [listener] = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": groups["web"]}])["Listeners"]
    elbv2.create_rule(ListenerArn=listener["ListenerArn"], Priority=1,
                      Conditions=[{"Field": "path-pattern", "Values": ["/far/*"]}],
                      Actions=[{"Type": "forward", "TargetGroupArn": groups["far"]}])

    zone = zone_of(create_zone(r53, "example.com"))
    change(r53, zone, create(rrset("far.example.com", "A", CHECKED_IP)))
    checks = {}
    for name, where in (("ip", {"IPAddress": CHECKED_IP}), ("name", {"FullyQualifiedDomainName": "far.example.com"})):
        checks[name] = r53.create_health_check(CallerReference=f"lab-{name}", HealthCheckConfig={
            **where, "Port": 80, "Type": "HTTP", "ResourcePath": HEALTH_CHECK_PATH,
            "RequestInterval": 10, "FailureThreshold": 1})["HealthCheck"]["Id"]

    sg = ec2.create_security_group(GroupName="dns-out", Description="outbound DNS", VpcId=vpc)["GroupId"]
    endpoint_id = resolver.create_resolver_endpoint(
        CreatorRequestId="lab-out", Direction="OUTBOUND", SecurityGroupIds=[sg],
        IpAddresses=[{"SubnetId": s} for s in subnets])["ResolverEndpoint"]["Id"]
    rule = resolver.create_resolver_rule(
        CreatorRequestId="lab-rule", RuleType="FORWARD", DomainName="corp.internal",
        TargetIps=[{"Ip": ON_PREM_DNS, "Port": 53}], ResolverEndpointId=endpoint_id)["ResolverRule"]
    resolver.associate_resolver_rule(ResolverRuleId=rule["Id"], VPCId=vpc)

    url = listener_endpoint(endpoint, listener["ListenerArn"])["url"]
    return Lab(vpc, untagged, tagged, groups["web"], url, checks["ip"], checks["name"])


def forwarded_answer(endpoint: str, vpc: str, status: str):
    """dig on the VPC's resolver, once forwarding is in place: the answer with `status`."""
    port = vpc_dns_port(endpoint, vpc)
    return wait_until(lambda: (a := dig(port, "db.corp.internal", "A")).status == status and a,
                      timeout=10, interval=0.2, desc=f"{status} from the VPC resolver")


# --------------------------------------------------------------------------- the tests


def test_loopback_only_contacts_nothing_outside(endpoint, lab_network):
    elbv2, r53 = make_client(endpoint, "elbv2"), make_client(endpoint, "route53")
    # With the lab network, listeners on its addresses would see any contact.
    watching = FarSide() if lab_network is None else contextlib.nullcontext()
    with watching as far, HttpBackend("local") as local:
        lab = build_lab(endpoint, local)

        # The untagged instance is never probed; the tagged one (loopback) is, and serves.
        wait_refused_by_egress(elbv2, lab.web, (lab.untagged, 8080), f"{INSTANCE_IP}:8080")
        wait_health(elbv2, lab.web, {(lab.tagged, local.port): "healthy"}, timeout=HEALTHY_WITHIN)
        assert set(who_answers(lab.url, "/", n=6)) == {"local"}
        # Routed to the refused instance alone (fail-open): 502 at once, as for a target that
        # resets the connection, not 504 after the connection timeout.
        started = time.monotonic()
        r = ask(lab.url, "/far/x")
        assert (r.status_code, r.headers.get("Server")) == (502, "awselb/2.0"), r.text
        assert time.monotonic() - started < 1.0

        # Route 53: by address, and by name (vpclab's own zone answers it: no query leaves).
        refusal = egress_refusal(f"{CHECKED_IP}:80")
        assert set(health_check_reports(r53, lab.check_by_ip)) == {refusal}
        assert set(health_check_reports(r53, lab.check_by_name)) == {refusal}
        [last] = r53.get_health_check_last_failure_reason(
            HealthCheckId=lab.check_by_name)["HealthCheckObservations"]
        assert last["StatusReport"]["Status"] == refusal, last

        # Resolver: no target allowed, SERVFAIL at once.
        if DIG is not None:
            forwarded_answer(endpoint, lab.vpc, "SERVFAIL")
            started = time.monotonic()
            assert dig(vpc_dns_port(endpoint, lab.vpc), "db.corp.internal", "A").status == "SERVFAIL"
            assert time.monotonic() - started < 1.0

        if far is not None:
            assert far.contacts() == {"instance": 0, "checked": 0, "dns": 0}


def test_egress_allow_opens_the_lab_network(lab_network, vpclab_binary, tmp_path):
    if lab_network is not None:
        pytest.skip("the allowed side needs lab addresses on this machine (root, in a network namespace "
                    f"with only loopback, as scripts/test.sh runs the suite): {lab_network}")
    server = VpclabServer(vpclab_binary, state_dir=None, log_path=tmp_path / "vpclab.log", in_memory=True,
                          extra_args=OPEN_LAB)
    server.start()
    try:
        health = requests.get(server.endpoint + "/_vpclab/health", timeout=5).json()
        assert health["egress_allow"] == ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "192.0.2.0/24"], health
        elbv2, r53 = make_client(server.endpoint, "elbv2"), make_client(server.endpoint, "route53")
        with FarSide() as far, HttpBackend("local") as local:
            lab = build_lab(server.endpoint, local)

            wait_health(elbv2, lab.web, {(lab.untagged, 8080): "healthy", (lab.tagged, local.port): "healthy"},
                        timeout=HEALTHY_WITHIN)
            assert far.instance.health_checks > 0
            assert set(who_answers(lab.url, "/", n=10)) == {"instance", "local"}
            assert backend_of(ask(lab.url, "/far/x")) == "instance"

            success = "Success: HTTP Status Code 200, OK"
            assert health_check_reports(r53, lab.check_by_ip)[0] == success
            assert health_check_reports(r53, lab.check_by_name)[0] == success
            assert far.checked.health_checks >= 2

            if DIG is not None:
                answer = forwarded_answer(server.endpoint, lab.vpc, "NOERROR")
                assert answer.data("A") == [ON_PREM_ANSWER], answer
                assert far.dns.queries > 0
    finally:
        server.stop()
