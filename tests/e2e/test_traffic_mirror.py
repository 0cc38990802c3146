"""Traffic mirroring end to end with boto3: targets, filters with rules and network services,
sessions, their filters and documented errors. vpclab stores them; nothing is mirrored."""

from __future__ import annotations

from vpclab_helpers import aws_error, create_network, dump, f


def eni(ec2, subnet: str) -> str:
    return ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]


def test_targets_filters_rules_and_sessions(ec2, elbv2):
    net = create_network(ec2, igw=False)
    source, sink = eni(ec2, net.subnet_id), eni(ec2, net.subnet_id)
    nlb_arn = elbv2.create_load_balancer(Name="lab", Type="network", Scheme="internal", Subnets=[net.subnet_id])[
        "LoadBalancers"][0]["LoadBalancerArn"]
    target = ec2.create_traffic_mirror_target(
        NetworkInterfaceId=sink, Description="sink",
        TagSpecifications=[{"ResourceType": "traffic-mirror-target", "Tags": [{"Key": "Name", "Value": "t"}]}],
    )["TrafficMirrorTarget"]
    assert target["Type"] == "network-interface" and target["NetworkInterfaceId"] == sink, dump(target)
    assert target["TrafficMirrorTargetId"].startswith("tmt-")
    nlb = ec2.create_traffic_mirror_target(NetworkLoadBalancerArn=nlb_arn)["TrafficMirrorTarget"]
    assert nlb["Type"] == "network-load-balancer" and nlb["NetworkLoadBalancerArn"] == nlb_arn
    # A load balancer that is not there (or is another account's) is no target.
    with aws_error("InvalidParameterValue"):
        ec2.create_traffic_mirror_target(NetworkLoadBalancerArn=nlb_arn.replace("/net/lab/", "/net/gone/"))
    found = ec2.describe_traffic_mirror_targets(Filters=[f("network-interface-id", sink)])
    assert [t["TrafficMirrorTargetId"] for t in found["TrafficMirrorTargets"]] == [target["TrafficMirrorTargetId"]]
    with aws_error("InvalidParameterCombination"):
        ec2.create_traffic_mirror_target(NetworkInterfaceId=sink, NetworkLoadBalancerArn=nlb_arn)
    with aws_error("InvalidNetworkInterfaceID.NotFound"):
        ec2.create_traffic_mirror_target(NetworkInterfaceId="eni-0123456789abcdef0")

    filt = ec2.create_traffic_mirror_filter(Description="web")["TrafficMirrorFilter"]
    fid = filt["TrafficMirrorFilterId"]
    assert filt.get("IngressFilterRules", []) == [] and filt.get("EgressFilterRules", []) == []
    ec2.modify_traffic_mirror_filter_network_services(TrafficMirrorFilterId=fid, AddNetworkServices=["amazon-dns"])
    rule = ec2.create_traffic_mirror_filter_rule(
        TrafficMirrorFilterId=fid, TrafficDirection="ingress", RuleNumber=100, RuleAction="accept",
        Protocol=6, DestinationPortRange={"FromPort": 443, "ToPort": 443},
        SourceCidrBlock="0.0.0.0/0", DestinationCidrBlock="10.0.0.0/16",
    )["TrafficMirrorFilterRule"]
    rid = rule["TrafficMirrorFilterRuleId"]
    assert rule["DestinationPortRange"] == {"FromPort": 443, "ToPort": 443}, dump(rule)
    ec2.create_traffic_mirror_filter_rule(
        TrafficMirrorFilterId=fid, TrafficDirection="egress", RuleNumber=100, RuleAction="reject",
        SourceCidrBlock="10.0.0.0/16", DestinationCidrBlock="0.0.0.0/0")
    with aws_error("InvalidParameterValue"):
        ec2.create_traffic_mirror_filter_rule(
            TrafficMirrorFilterId=fid, TrafficDirection="ingress", RuleNumber=32767, RuleAction="accept",
            SourceCidrBlock="0.0.0.0/0", DestinationCidrBlock="0.0.0.0/0")
    with aws_error("InvalidParameterValue"):
        ec2.create_traffic_mirror_filter_rule(
            TrafficMirrorFilterId=fid, TrafficDirection="sideways", RuleNumber=1, RuleAction="accept",
            SourceCidrBlock="0.0.0.0/0", DestinationCidrBlock="0.0.0.0/0")
    modified = ec2.modify_traffic_mirror_filter_rule(
        TrafficMirrorFilterRuleId=rid, RuleNumber=200, RemoveFields=["destination-port-range"],
        Protocol=17)["TrafficMirrorFilterRule"]
    assert modified["RuleNumber"] == 200 and "DestinationPortRange" not in modified
    [got] = ec2.describe_traffic_mirror_filters(TrafficMirrorFilterIds=[fid])["TrafficMirrorFilters"]
    assert got["NetworkServices"] == ["amazon-dns"]
    assert [r["RuleNumber"] for r in got["IngressFilterRules"]] == [200]
    assert [r["RuleAction"] for r in got["EgressFilterRules"]] == ["reject"]

    session = ec2.create_traffic_mirror_session(
        NetworkInterfaceId=source, TrafficMirrorTargetId=target["TrafficMirrorTargetId"],
        TrafficMirrorFilterId=fid, SessionNumber=1, PacketLength=128, VirtualNetworkId=42,
    )["TrafficMirrorSession"]
    sid = session["TrafficMirrorSessionId"]
    assert session["VirtualNetworkId"] == 42 and session["PacketLength"] == 128, dump(session)
    with aws_error("InvalidParameterValue"):
        ec2.create_traffic_mirror_session(
            NetworkInterfaceId=source, TrafficMirrorTargetId=target["TrafficMirrorTargetId"],
            TrafficMirrorFilterId=fid, SessionNumber=1)
    with aws_error("InvalidParameterValue"):
        ec2.create_traffic_mirror_session(
            NetworkInterfaceId=source, TrafficMirrorTargetId=target["TrafficMirrorTargetId"],
            TrafficMirrorFilterId=fid, SessionNumber=40000)
    with aws_error("InvalidTrafficMirrorFilterId.NotFound"):
        ec2.create_traffic_mirror_session(
            NetworkInterfaceId=source, TrafficMirrorTargetId=target["TrafficMirrorTargetId"],
            TrafficMirrorFilterId="tmf-0123456789abcdef0", SessionNumber=2)
    changed = ec2.modify_traffic_mirror_session(
        TrafficMirrorSessionId=sid, SessionNumber=5, RemoveFields=["packet-length"])["TrafficMirrorSession"]
    assert changed["SessionNumber"] == 5 and "PacketLength" not in changed
    by_number = ec2.describe_traffic_mirror_sessions(Filters=[f("session-number", 5)])["TrafficMirrorSessions"]
    assert [s["TrafficMirrorSessionId"] for s in by_number] == [sid]
    with aws_error("DependencyViolation"):
        ec2.delete_traffic_mirror_filter(TrafficMirrorFilterId=fid)
    with aws_error("DependencyViolation"):
        ec2.delete_traffic_mirror_target(TrafficMirrorTargetId=target["TrafficMirrorTargetId"])

    ec2.delete_traffic_mirror_session(TrafficMirrorSessionId=sid)
    with aws_error("InvalidTrafficMirrorSessionId.NotFound"):
        ec2.describe_traffic_mirror_sessions(TrafficMirrorSessionIds=[sid])
    ec2.delete_traffic_mirror_filter_rule(TrafficMirrorFilterRuleId=rid)
    with aws_error("InvalidTrafficMirrorFilterRuleId.NotFound"):
        ec2.delete_traffic_mirror_filter_rule(TrafficMirrorFilterRuleId=rid)
    ec2.delete_traffic_mirror_filter(TrafficMirrorFilterId=fid)
    with aws_error("InvalidTrafficMirrorFilterId.NotFound"):
        ec2.describe_traffic_mirror_filters(TrafficMirrorFilterIds=[fid])
    for t in (target, nlb):
        ec2.delete_traffic_mirror_target(TrafficMirrorTargetId=t["TrafficMirrorTargetId"])
    with aws_error("InvalidTrafficMirrorTargetId.NotFound"):
        ec2.delete_traffic_mirror_target(TrafficMirrorTargetId=target["TrafficMirrorTargetId"])
    assert ec2.describe_traffic_mirror_targets().get("TrafficMirrorTargets", []) == []
