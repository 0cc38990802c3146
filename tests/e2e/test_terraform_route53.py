"""Issue 6's scenario with the real hashicorp/aws provider (terraform_route53/main.tf): a public
zone whose apex is an alias to an ALB over a local HTTP server, a weighted pair (3:1), a failover
pair whose primary's health check (interval 10 s, threshold 1) probes a local HTTP server started
here, and a private zone associated with one VPC.  One apply, then `dig` on the listeners
/_vpclab/endpoints lists: the answers match what Terraform declared, the weighted answers split
near 3:1, NXDOMAIN and NODATA carry the SOA, the private zone answers only on its VPC's resolver,
the failover flips to the secondary once the primary's server stops; `plan` shows no changes;
one destroy.

Needs `terraform` on PATH with the provider mirror (see test_terraform.py) and `dig`; skipped
otherwise.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from dns_helpers import (
    LOOPBACK,
    SOA_RE,
    all_record_sets,
    answers_with,
    dig,
    dig_batch,
    find_rrset,
    public_dns_port,
    requires_dig,
    values_of,
    vpc_dns_port,
)
from lb_helpers import HEALTHY_WITHIN, HttpBackend, ask, backend_of, listener_endpoint, wait_health
from vpclab_helpers import TIMINGS, wait_until

pytestmark = [pytest.mark.terraform, requires_dig]

FLIP_WITHIN = 35.0


def test_terraform_route53_scenario(endpoint, ec2, client_factory, tmp_path):
    from test_scenarios_connecting import Stack  # copies the configuration, init, timed steps

    r53 = client_factory("route53")
    elbv2 = client_factory("elbv2")
    web = HttpBackend("web")
    primary = HttpBackend("primary")
    try:
        stack = Stack("terraform_route53", endpoint, tmp_path)
        ports = ["-var", f"backend_port={web.port}", "-var", f"primary_port={primary.port}"]
        out = stack.apply(*ports)
        zone, private = out["public_zone_id"], out["private_zone_id"]

        # ---- what Terraform built, as the API reports it
        assert len(out["name_servers"]) == 4
        sets = all_record_sets(r53, zone)
        apex = find_rrset(sets, "example.com.", "A")
        assert apex["AliasTarget"]["DNSName"].rstrip(".").lower() == out["lb_dns"].lower(), apex
        assert {values_of(find_rrset(sets, "www.example.com.", "A", i))[0]: find_rrset(
            sets, "www.example.com.", "A", i)["Weight"] for i in ("blue", "green")} == {"10.0.0.1": 3, "10.0.0.2": 1}
        primary_set = find_rrset(sets, "app.example.com.", "A", "primary")
        assert (primary_set["Failover"], primary_set["HealthCheckId"]) == ("PRIMARY", out["health_check_id"])
        hz = r53.get_hosted_zone(Id=private)
        assert hz["HostedZone"]["Config"]["PrivateZone"] is True
        assert hz["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": out["vpc_id"]}]

        # ---- the apex answers the ALB's listener address, which serves the backend
        port = public_dns_port(endpoint)
        wait_until(lambda: answers_with(port, "example.com", "A") == [LOOPBACK], timeout=5, interval=0.1,
                   desc="example.com -> the ALB")
        ep = listener_endpoint(endpoint, out["listener_arn"])
        wait_health(elbv2, out["target_group_arn"], {(LOOPBACK, web.port): "healthy"}, timeout=HEALTHY_WITHIN)
        wait_until(lambda: backend_of(ask(ep["url"])) == "web", timeout=5, desc="the ALB forwarding to web")

        # ---- weighted 3:1 over 400 queries (expected 300 / 100; ~5 standard deviations)
        counts = Counter(a.data("A")[0] for a in dig_batch(port, [("www.example.com", "A")] * 400))
        assert 255 <= counts["10.0.0.1"] <= 345 and sum(counts.values()) == 400, counts

        # ---- negative answers carry the SOA
        for name, rtype, status in (("nope.example.com", "A", "NXDOMAIN"), ("www.example.com", "MX", "NOERROR")):
            a = dig(port, name, rtype)
            assert a.status == status and a.aa and a.answer == [], a
            assert a.soa() is not None and SOA_RE.match(a.soa().data), a

        # ---- the private zone: on its VPC's resolver only
        inside = vpc_dns_port(endpoint, out["vpc_id"])
        wait_until(lambda: answers_with(inside, "db.corp.internal", "A") == ["10.70.0.50"], timeout=5,
                   interval=0.1, desc="db.corp.internal on the VPC resolver")
        assert dig(port, "db.corp.internal", "A").status == "REFUSED"

        # ---- failover: the primary while its server answers, the secondary once it stops
        wait_until(lambda: answers_with(port, "app.example.com", "A") == ["192.0.2.1"], timeout=FLIP_WITHIN,
                   interval=0.2, desc="app.example.com -> primary")
        primary.kill()
        t0 = time.monotonic()
        wait_until(lambda: answers_with(port, "app.example.com", "A") == ["192.0.2.2"], timeout=FLIP_WITHIN,
                   interval=0.2, desc="app.example.com -> secondary after the primary stopped")
        TIMINGS.append(f"terraform_route53: failover after {time.monotonic() - t0:.1f}s")

        # ---- health does not show up as drift
        stack.assert_no_drift(*ports)

        stack.destroy(*ports)
        assert r53.list_hosted_zones()["HostedZones"] == []
        assert r53.list_health_checks()["HealthChecks"] == []
        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    finally:
        web.kill()
        primary.kill()
