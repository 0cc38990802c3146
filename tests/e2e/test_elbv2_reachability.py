"""Reachability Analyzer through a load balancer: the seeds' web tier (an internet-facing ALB
in two public subnets, app instances in a private subnet that admit only the ALB's group),
asked igw → instance as a user asks AWS.  The path goes internet → IGW → ALB (its listener) →
target; blocking components are named with the ELBv2 explanation codes."""

from __future__ import annotations

from lb_helpers import wait_refused_by_egress
from test_reachability import Lab, analyze, assert_blocked, assert_found, codes, ids, tcp
from vpclab_helpers import dump


def web_tier(ec2, elbv2, app_ingress: bool = True):
    lab = Lab.create(ec2)
    a = lab.subnet("public-a", "10.0.1.0/24", public=True, az="us-east-1a")
    b = lab.subnet("public-b", "10.0.2.0/24", public=True, az="us-east-1b")
    private = lab.subnet("app", "10.0.3.0/24", public=False, az="us-east-1a")
    alb_sg = lab.sg("alb", tcp(80, "0.0.0.0/0"))
    app_sg = lab.sg("app", *([tcp(8080, group=alb_sg)] if app_ingress else []))
    app = lab.host(private, [app_sg])
    lb = elbv2.create_load_balancer(Name="web", Subnets=[a.subnet_id, b.subnet_id],
                                    SecurityGroups=[alb_sg])["LoadBalancers"][0]
    tg = elbv2.create_target_group(Name="app", Protocol="HTTP", Port=8080,
                                   VpcId=lab.vpc_id)["TargetGroups"][0]
    elbv2.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": app.instance_id}])
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])["Listeners"][0]
    return lab, app, lb, listener, app_sg


def test_internet_reaches_a_private_instance_through_the_alb(ec2, elbv2):
    lab, app, lb, listener, _ = web_tier(ec2, elbv2)
    # The live ALB does not probe the instance's private address: it is outside --egress-allow.
    [tg] = elbv2.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    wait_refused_by_egress(elbv2, tg["TargetGroupArn"], (app.instance_id, 8080), f"{app.private_ip}:8080")
    a = analyze(ec2, lab.igw_id, app.instance_id, port=80)
    assert_found(a)
    forward = a["ForwardPathComponents"]
    assert forward[0]["Component"]["Id"] == lab.igw_id
    assert forward[-1]["Component"]["Id"] == app.instance_id
    [hop] = [c for c in forward if c["Component"]["Id"] == lb["LoadBalancerArn"]]
    assert hop["Component"]["Arn"] == lb["LoadBalancerArn"], dump(hop)
    assert hop["ElasticLoadBalancerListener"]["Id"] == listener["ListenerArn"], dump(hop)
    # The load balancer's own connection goes to the target's port from its address.
    assert hop["OutboundHeader"]["DestinationPortRanges"] == [{"From": 8080, "To": 8080}], dump(hop)
    assert hop["OutboundHeader"]["DestinationAddresses"] == [f"{app.private_ip}/32"], dump(hop)
    assert lb["LoadBalancerArn"] in ids(a["ReturnPathComponents"])


def test_a_target_group_that_does_not_admit_the_alb_is_named(ec2, elbv2):
    lab, app, lb, _, app_sg = web_tier(ec2, elbv2, app_ingress=False)
    a = analyze(ec2, lab.igw_id, app.instance_id, port=80)
    [hit] = assert_blocked(a, "ENI_SG_RULES_MISMATCH")
    assert {g["Id"] for g in hit["SecurityGroups"]} == {app_sg}, dump(a)
    assert lb["LoadBalancerArn"] in ids(a["ForwardPathComponents"]), dump(a)


def test_no_listener_on_the_port_asked(ec2, elbv2):
    lab, app, lb, _, _ = web_tier(ec2, elbv2)
    a = analyze(ec2, lab.igw_id, app.instance_id, port=443)
    # Not through the ALB (no listener on 443) and not directly (no public address).
    assert a["NetworkPathFound"] is False, dump(a)
    assert codes(a), dump(a)
