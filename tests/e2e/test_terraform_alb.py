"""Issue 5's scenario with the real hashicorp/aws provider (terraform_alb/main.tf): an internet-facing
ALB in two public subnets whose target groups are local HTTP servers started here, with a path rule,
a host rule, a redirect and a fixed response.  One apply, then requests through the listener that
/_vpclab/endpoints lists: the right backend per path and host, sticky sessions stick, a killed
backend turns unhealthy and stops receiving traffic; `plan` shows no changes; one destroy.

Needs `terraform` on PATH and the provider mirror (see test_terraform.py); skipped otherwise.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from lb_helpers import (
    HEALTHY_WITHIN,
    ask,
    assert_sticky,
    backend_of,
    backends,
    kill_and_check_failover,
    listener_endpoint,
    live_endpoints,
    pin_each_target,
    wait_health,
    wait_listener_gone,
    who_answers,
)
from vpclab_helpers import TIMINGS, wait_until

pytestmark = pytest.mark.terraform


def test_terraform_alb_scenario(endpoint, ec2, client_factory, tmp_path):
    from test_scenarios_connecting import Stack  # copies the configuration, init, timed steps

    elbv2 = client_factory("elbv2")
    with backends("web-1", "web-2", "api-1", "admin-1") as b:
        stack = Stack("terraform_alb", endpoint, tmp_path)
        ports = ["-var", f"web_ports=[{b['web-1'].port},{b['web-2'].port}]",
                 "-var", f"api_port={b['api-1'].port}", "-var", f"admin_port={b['admin-1'].port}"]
        out = stack.apply(*ports)
        tgs = out["target_group_arns"]

        # ---- what Terraform built, as the API reports it
        [lb] = elbv2.describe_load_balancers(LoadBalancerArns=[out["lb_arn"]])["LoadBalancers"]
        assert lb["DNSName"] == out["lb_dns"]
        assert lb["Type"] == "application" and lb["Scheme"] == "internet-facing"
        assert sorted(z["ZoneName"] for z in lb["AvailabilityZones"]) == ["us-east-1a", "us-east-1b"]
        rules = elbv2.describe_rules(ListenerArn=out["listener_arn"])["Rules"]
        assert sorted(r["Priority"] for r in rules) == ["10", "20", "30", "5", "default"]
        registered = {name: sorted(d["Target"]["Port"] for d in elbv2.describe_target_health(
            TargetGroupArn=arn)["TargetHealthDescriptions"]) for name, arn in tgs.items()}
        assert registered == {"web": sorted([b["web-1"].port, b["web-2"].port]),
                              "api": [b["api-1"].port], "admin": [b["admin-1"].port]}

        # ---- the listener, served locally
        ep = listener_endpoint(endpoint, out["listener_arn"])
        assert ep["load_balancer_arn"] == out["lb_arn"] and ep["dns_name"] == out["lb_dns"]
        assert ep["protocol"] == "HTTP" and ep["port"] == 80
        url = ep["url"]
        for group, members in (("web", ["web-1", "web-2"]), ("api", ["api-1"]), ("admin", ["admin-1"])):
            wait_health(elbv2, tgs[group], {("127.0.0.1", b[m].port): "healthy" for m in members},
                        timeout=HEALTHY_WITHIN)

        # ---- the right backend per path and host
        wait_until(lambda: backend_of(ask(url, "/api/x")) == "api-1", timeout=5, desc="the /api/* rule live")
        assert backend_of(ask(url, "/api/orders/42")) == "api-1"
        assert backend_of(ask(url, "/", {"Host": "admin.example.com"})) == "admin-1"
        assert backend_of(ask(url, "/api/orders", {"Host": "admin.example.com"})) == "api-1"  # priority 10 < 20
        assert set(who_answers(url, "/shop", n=10)) == {"web-1", "web-2"}
        r = ask(url, "/maintenance")
        assert (r.status_code, r.text) == (503, "down for maintenance")
        assert r.headers["Content-Type"].split(";")[0].strip() == "text/plain"
        r = ask(url, "/old/cart?item=3")
        assert r.status_code == 301
        loc = urlsplit(r.headers["Location"])
        assert (loc.scheme, loc.hostname, loc.port or 443) == ("https", "www.example.com", 443), loc
        assert (loc.path, loc.query) == ("/new/old/cart", "item=3"), loc  # the query is kept by default

        # ---- sticky sessions stick
        pinned = pin_each_target(url, {"web-1", "web-2"})
        assert_sticky(url, pinned)

        # ---- a killed backend turns unhealthy and stops receiving traffic
        took = kill_and_check_failover(elbv2, tgs["web"], b["web-1"], b["web-2"], url)
        TIMINGS.append(f"terraform_alb: killed target unhealthy after {took:.1f}s")

        # ---- health does not show up as drift
        stack.assert_no_drift(*ports)

        stack.destroy(*ports)
        wait_listener_gone(endpoint, out["listener_arn"])
        assert not [e for e in live_endpoints(endpoint) if e.get("load_balancer_arn") == out["lb_arn"]]
        assert elbv2.describe_load_balancers()["LoadBalancers"] == []
        assert elbv2.describe_target_groups()["TargetGroups"] == []
