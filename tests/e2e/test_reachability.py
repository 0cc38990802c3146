"""Reachability Analyzer (EC2 Network Insights) end to end: the architectures of the seeds, built with
boto3 (and once with Terraform, once with the AWS CLI), asked the question a user would ask AWS.

Every expectation is what AWS Reachability Analyzer answers for the same configuration (see
/work/notes/reachability.md for the sources).  Tags in comments:
  [C] confirmed by AWS documentation or recorded real output;
  [I] inferred: asserted loosely (a set of acceptable codes, or only when the field is present).
"""

from __future__ import annotations

import ipaddress
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from network_helpers import (
    Lab,
    acl_entry,
    analyze,
    associate_acl,
    create_path,
    describe_analysis,
    run_analysis,
    tcp,
    three_tier,
)
from vpclab_helpers import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    TIMINGS,
    all_pages,
    aws_error,
    default_acl,
    dump,
    f,
    wait_until,
)

PATH_ID = re.compile(r"^nip-[0-9a-f]{17}$")
ANALYSIS_ID = re.compile(r"^nia-[0-9a-f]{17}$")
ARN_PREFIX = f"arn:aws:ec2:{DEFAULT_REGION}:{DEFAULT_ACCOUNT}:"
MISSING_PATH = "nip-0123456789abcdef0"
MISSING_ANALYSIS = "nia-0123456789abcdef0"
ALL_PORTS = [{"From": 0, "To": 65535}]


# =========================================================================== asking the analyzer


def codes(a: dict) -> list[str]:
    return [e["ExplanationCode"] for e in a.get("Explanations") or []]


def assert_found(a: dict) -> None:
    assert a["NetworkPathFound"] is True, f"expected a path, got:\n{dump(a)}"
    assert codes(a) == [], dump(a)
    assert a["ForwardPathComponents"] and a["ReturnPathComponents"], dump(a)


def assert_blocked(a: dict, *acceptable: str) -> list[dict]:
    """NetworkPathFound is false and at least one explanation has one of the acceptable codes.

    AWS may list more than one blocking component (the whole blocked path), so the test never
    requires the list to be exactly one code.  Returns the explanations with an acceptable code.
    """
    assert a["NetworkPathFound"] is False, f"expected no path, got:\n{dump(a)}"
    hits = [e for e in a.get("Explanations") or [] if e["ExplanationCode"] in acceptable]
    assert hits, f"expected one of {acceptable} among explanation codes {codes(a)}:\n{dump(a)}"
    return hits


def ids(components: list[dict]) -> list[str]:
    return [c["Component"]["Id"] for c in components]


def assert_in_order(seq: list[str], expected: list[str]) -> None:
    """`expected` appears in `seq` as a subsequence (other hops may sit between)."""
    it = iter(seq)
    missing = [x for x in expected if not any(x == y for y in it)]
    assert not missing, f"{expected} is not an ordered subsequence of {seq} (first missing: {missing[0]})"


def hop(components: list[dict], component_id: str) -> dict:
    found = [c for c in components if c["Component"]["Id"] == component_id]
    assert found, f"{component_id} not in path {ids(components)}"
    return found[0]


def assert_sequence_numbers(components: list[dict]) -> None:
    assert [c["SequenceNumber"] for c in components] == list(range(1, len(components) + 1))  # [C] from 1


def sg_ids_named(e: dict) -> set[str]:
    named = {g["Id"] for g in e.get("SecurityGroups") or []}
    if e.get("SecurityGroup"):
        named.add(e["SecurityGroup"]["Id"])
    return named


def assert_acl_rule(e: dict, acl_id: str, number: int, action: str) -> None:
    """SUBNET_ACL_RESTRICTION names the ACL (Acl) and the entry that matched (AclRule: its number and action)."""
    assert e.get("Acl", {}).get("Id") == acl_id, dump(e)
    assert "AclRule" in e, dump(e)
    assert (e["AclRule"].get("RuleNumber"), e["AclRule"].get("RuleAction")) == (number, action), dump(e)


def slash32(ip: str) -> list[str]:
    return [f"{ip}/32"]


# =========================================================================== the three-tier web application


def test_three_tier_internet_to_web_https(ec2):
    lab, web, _app, _db = three_tier(ec2)
    acl = default_acl(ec2, lab.vpc_id)["NetworkAclId"]
    web_sg = web.sg_ids[0]
    rt = lab.subnets["web"].route_table_id

    a = analyze(ec2, lab.igw_id, web.instance_id, 443)
    assert_found(a)
    assert ANALYSIS_ID.match(a["NetworkInsightsAnalysisId"]), a["NetworkInsightsAnalysisId"]
    assert a["NetworkInsightsAnalysisArn"] == f"{ARN_PREFIX}network-insights-analysis/{a['NetworkInsightsAnalysisId']}"
    assert "StartDate" in a

    # forward: igw -> subnet ACL (ingress) -> SG (ingress rule) -> ENI -> instance  [C, AWS CLI guide example]
    fwd = a["ForwardPathComponents"]
    assert_sequence_numbers(fwd)
    assert ids(fwd)[0] == lab.igw_id and ids(fwd)[-1] == web.instance_id, ids(fwd)
    assert_in_order(ids(fwd), [lab.igw_id, acl, web_sg, web.eni_id, web.instance_id])
    assert rt not in ids(fwd)  # inbound from an IGW is delivered by the local route: no route-table hop [C]

    igw = hop(fwd, lab.igw_id)
    assert igw["Vpc"]["Id"] == lab.vpc_id
    # the IGW translates the public destination to the private address (1:1 NAT)  [C]
    assert igw["InboundHeader"]["DestinationAddresses"] == slash32(web.public_ip)
    assert igw["InboundHeader"]["DestinationPortRanges"] == [{"From": 443, "To": 443}]
    assert igw["InboundHeader"]["SourcePortRanges"] == ALL_PORTS
    assert igw["InboundHeader"]["Protocol"] == "6"
    assert igw["OutboundHeader"]["DestinationAddresses"] == slash32(web.private_ip)
    for cidr in igw["InboundHeader"]["SourceAddresses"]:  # "the internet": public space only  [C shape]
        net = ipaddress.ip_network(cidr)
        assert not net.overlaps(ipaddress.ip_network("10.0.0.0/8")), cidr

    rule = hop(fwd, acl)["AclRule"]  # the default ACL's rule 100 allows everything  [C]
    assert rule == {"Cidr": "0.0.0.0/0", "Egress": False, "Protocol": "all", "RuleAction": "allow", "RuleNumber": 100}
    sg_rule = hop(fwd, web_sg)["SecurityGroupRule"]
    assert (sg_rule["Direction"], sg_rule["Protocol"], sg_rule["Cidr"], sg_rule["PortRange"]) == (
        "ingress", "tcp", "0.0.0.0/0", {"From": 443, "To": 443})
    eni = hop(fwd, web.eni_id)
    assert (eni["AttachedTo"]["Id"], eni["Subnet"]["Id"], eni["Vpc"]["Id"]) == (
        web.instance_id, web.subnet_id, lab.vpc_id)
    assert eni["Component"]["Arn"] == f"{ARN_PREFIX}network-interface/{web.eni_id}"
    dest = hop(fwd, web.instance_id)
    assert dest["InboundHeader"]["DestinationAddresses"] == slash32(web.private_ip)
    assert dest["InboundHeader"]["DestinationPortRanges"] == [{"From": 443, "To": 443}]

    # return: instance -> ENI -> SG (stateful, no rule) -> ACL (egress) -> route table -> igw  [C]
    ret = a["ReturnPathComponents"]
    assert_sequence_numbers(ret)
    assert ids(ret)[0] == web.instance_id and ids(ret)[-1] == lab.igw_id, ids(ret)
    assert_in_order(ids(ret), [web.instance_id, web.eni_id, web_sg, acl, rt, lab.igw_id])
    assert "SecurityGroupRule" not in hop(ret, web_sg)
    assert hop(ret, acl)["AclRule"]["Egress"] is True
    route = hop(ret, rt)["RouteTableRoute"]
    assert (route["DestinationCidr"], route["GatewayId"], route["Origin"], route["State"]) == (
        "0.0.0.0/0", lab.igw_id, "createroute", "active")
    out = hop(ret, lab.igw_id)["OutboundHeader"]
    assert out["SourceAddresses"] == slash32(web.public_ip)  # private source translated back to the public IP
    assert out["SourcePortRanges"] == [{"From": 443, "To": 443}]
    assert hop(ret, web.instance_id)["OutboundHeader"]["SourceAddresses"] == slash32(web.private_ip)


def test_three_tier_tiers_talk_only_to_their_neighbours(ec2):
    lab, web, app, db = three_tier(ec2)

    a = analyze(ec2, web.instance_id, app.instance_id, 8080)
    assert_found(a)
    fwd = a["ForwardPathComponents"]
    assert_in_order(ids(fwd), [web.instance_id, web.eni_id, web.sg_ids[0], app.sg_ids[0], app.eni_id, app.instance_id])
    assert hop(fwd, web.sg_ids[0])["SecurityGroupRule"]["Direction"] == "egress"
    app_rule = hop(fwd, app.sg_ids[0])["SecurityGroupRule"]
    assert (app_rule["Direction"], app_rule["PortRange"]) == ("ingress", {"From": 8080, "To": 8080})
    src = hop(fwd, web.instance_id)["OutboundHeader"]
    assert (src["SourceAddresses"], src["DestinationAddresses"]) == (slash32(web.private_ip), slash32(app.private_ip))
    assert src["DestinationPortRanges"] == [{"From": 8080, "To": 8080}]
    # a route-table hop, if shown, can only be the local route [I: local route fields not seen in real output]
    routes = [c["RouteTableRoute"] for c in fwd if "RouteTableRoute" in c]
    assert all(r.get("GatewayId") == "local" and r.get("DestinationCidr") == lab.cidr for r in routes), dump(fwd)

    assert_found(analyze(ec2, app.instance_id, db.instance_id, 3306))

    # the database admits only the app tier's group: the web tier is refused at the db ENI  [C code]
    [e, *_] = assert_blocked(analyze(ec2, web.instance_id, db.instance_id, 3306), "ENI_SG_RULES_MISMATCH")
    assert e.get("Direction") == "ingress", dump(e)
    assert e["NetworkInterface"]["Id"] == db.eni_id, dump(e)
    assert db.sg_ids[0] in sg_ids_named(e) or not sg_ids_named(e), dump(e)

    # and the app tier listens on 8080 only
    assert_blocked(analyze(ec2, web.instance_id, app.instance_id, 22), "ENI_SG_RULES_MISMATCH")

    # the internet cannot reach the database: no public IP, no route to the IGW, and its SG refuses.
    # Which of these AWS names first is not certain; it names at least one of them.
    assert_blocked(analyze(ec2, lab.igw_id, db.instance_id, 3306),
                   "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "NO_ROUTE_TO_DESTINATION", "ENI_SG_RULES_MISMATCH")


# =========================================================================== the bastion host (seed 003)


def test_bastion_ssh_only_from_the_bastion_group(ec2):
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    private = lab.subnet("private", "10.0.2.0/24", public=False)
    bastion_sg = lab.sg("bastion", tcp(22, "1.2.3.0/24"))  # SSH from a restricted public CIDR (the admins' office)
    target_sg = lab.sg("target", tcp(22, group=bastion_sg))
    other_sg = lab.sg("other")
    bastion = lab.host(public, [bastion_sg], public=True)
    target = lab.host(private, [target_sg])
    other = lab.host(public, [other_sg], public=True)

    # the admin's network reaches the bastion; some other internet host does not
    assert_found(analyze(ec2, lab.igw_id, bastion.instance_id, 22, SourceIp="1.2.3.4"))
    assert_blocked(analyze(ec2, lab.igw_id, bastion.instance_id, 22, SourceIp="5.6.7.8"),
                   "ENI_SG_RULES_MISMATCH")
    # without a source address, some internet host in 1.2.3.0/24 gets through
    assert_found(analyze(ec2, lab.igw_id, bastion.instance_id, 22))

    a = analyze(ec2, bastion.instance_id, target.instance_id, 22)
    assert_found(a)
    assert_in_order(ids(a["ForwardPathComponents"]),
                    [bastion.instance_id, bastion.eni_id, bastion_sg, target_sg, target.eni_id, target.instance_id])

    [e, *_] = assert_blocked(analyze(ec2, other.instance_id, target.instance_id, 22), "ENI_SG_RULES_MISMATCH")
    assert e.get("Direction") == "ingress" and e["NetworkInterface"]["Id"] == target.eni_id, dump(e)

    # the private target is not reachable from the internet at all
    assert_blocked(analyze(ec2, lab.igw_id, target.instance_id, 22),
                   "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "NO_ROUTE_TO_DESTINATION", "ENI_SG_RULES_MISMATCH")


# =========================================================================== public / private subnet split


def test_public_private_split(ec2):
    lab = Lab.create(ec2)
    private = lab.subnet("private", "10.0.2.0/24", public=False)
    open_sg = lab.sg("open", tcp(22, "0.0.0.0/0"))
    hidden = lab.host(private, [open_sg])                    # no public IP
    exposed = lab.host(private, [open_sg], public=True)      # a public IP, but the subnet is private

    assert_blocked(analyze(ec2, lab.igw_id, hidden.instance_id, 22),
                   "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "NO_ROUTE_TO_DESTINATION")

    # A public IP does not make a subnet public: the reply has no route to the IGW.  AWS names the
    # route table and the IGW it could not reach  [C: recorded console output of this exact case]
    [e, *_] = assert_blocked(analyze(ec2, lab.igw_id, exposed.instance_id, 22), "NO_ROUTE_TO_DESTINATION")
    assert e["RouteTable"]["Id"] == private.route_table_id, dump(e)
    assert e["Destination"]["Id"] == lab.igw_id, dump(e)
    assert e["Vpc"]["Id"] == lab.vpc_id, dump(e)

    # outbound from the private subnet: no route either
    assert_blocked(analyze(ec2, exposed.instance_id, lab.igw_id, 443),
                   "NO_ROUTE_TO_DESTINATION", "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")

    # make it public: route 0.0.0.0/0 to the IGW
    ec2.create_route(RouteTableId=private.route_table_id, DestinationCidrBlock="0.0.0.0/0", GatewayId=lab.igw_id)
    assert_found(analyze(ec2, lab.igw_id, exposed.instance_id, 22))
    assert_found(analyze(ec2, exposed.instance_id, lab.igw_id, 443))
    # ...and still nothing for the instance without a public address
    assert_blocked(analyze(ec2, lab.igw_id, hidden.instance_id, 22), "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")


def test_instance_without_public_ip_asked_from_the_internet(ec2):
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    web_sg = lab.sg("web", tcp(80, "0.0.0.0/0"))
    web = lab.host(public, [web_sg])  # route to the IGW, SG open, but no public address

    # Source = the IGW ("the internet"): the IGW has no public address to translate for this ENI
    [e, *_] = assert_blocked(analyze(ec2, lab.igw_id, web.instance_id, 80), "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")
    assert e.get("Vpc", {"Id": lab.vpc_id})["Id"] == lab.vpc_id
    # and no way out either
    assert_blocked(analyze(ec2, web.instance_id, lab.igw_id, 443), "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")

    # an Elastic IP fixes it, and the IGW hop shows the EIP -> private translation
    alloc = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=alloc["AllocationId"], InstanceId=web.instance_id)["AssociationId"]
    a = analyze(ec2, lab.igw_id, web.instance_id, 80)
    assert_found(a)
    igw = hop(a["ForwardPathComponents"], lab.igw_id)
    assert igw["InboundHeader"]["DestinationAddresses"] == slash32(alloc["PublicIp"])
    assert igw["OutboundHeader"]["DestinationAddresses"] == slash32(web.private_ip)
    assert hop(a["ReturnPathComponents"], lab.igw_id)["OutboundHeader"]["SourceAddresses"] == slash32(alloc["PublicIp"])
    assert_found(analyze(ec2, web.instance_id, lab.igw_id, 443))

    ec2.disassociate_address(AssociationId=assoc)
    assert_blocked(analyze(ec2, lab.igw_id, web.instance_id, 80), "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")


# =========================================================================== NACLs: ephemeral ports, default vs custom, ordering


def test_nacl_without_outbound_ephemeral_ports_blocks_the_reply(ec2):
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    web = lab.host(public, [lab.sg("web", tcp(80, "0.0.0.0/0"))], public=True)
    # inbound 80 is allowed, nothing outbound: the reply to the client's ephemeral port is denied.
    # (No outbound rule at all on purpose: the analyzer considers every client source port 0-65535,
    # so an outbound "allow tcp 80" would let the reply to a client using source port 80 through.)
    acl = lab.custom_acl(public, [acl_entry(100, "allow", egress=False, ports=(80, 80))])

    hits = assert_blocked(analyze(ec2, lab.igw_id, web.instance_id, 80), "SUBNET_ACL_RESTRICTION")
    # the request is admitted; the reply (return path, outbound) hits the implicit deny  [I: fields]
    assert any(e.get("Direction") in (None, "egress") for e in hits), dump(hits)
    for e in hits:
        assert_acl_rule(e, acl, 32767, "deny")

    ec2.create_network_acl_entry(NetworkAclId=acl, **acl_entry(100, "allow", egress=True, ports=(1024, 65535)))
    a = analyze(ec2, lab.igw_id, web.instance_id, 80)
    assert_found(a)
    ret_rule = hop(a["ReturnPathComponents"], acl)["AclRule"]
    assert (ret_rule["RuleNumber"], ret_rule["Egress"], ret_rule["RuleAction"], ret_rule["PortRange"]) == (
        100, True, "allow", {"From": 1024, "To": 65535})
    fwd_rule = hop(a["ForwardPathComponents"], acl)["AclRule"]
    assert (fwd_rule["RuleNumber"], fwd_rule["Egress"]) == (100, False)


def test_nacl_connection_flow_web_to_db(ec2):
    """Seed 003, figure 5: the web server opens 3306 on the DB; the DB answers to an ephemeral port."""
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    private = lab.subnet("private", "10.0.2.0/24", public=False)
    web_sg = lab.sg("web", tcp(443, "0.0.0.0/0"))
    db_sg = lab.sg("db", tcp(3306, group=web_sg))
    web = lab.host(public, [web_sg], public=True)
    db = lab.host(private, [db_sg])
    acl = lab.custom_acl(private, [acl_entry(100, "allow", egress=False, cidr=public.cidr, ports=(3306, 3306))])

    hits = assert_blocked(analyze(ec2, web.instance_id, db.instance_id, 3306), "SUBNET_ACL_RESTRICTION")
    for e in hits:
        assert_acl_rule(e, acl, 32767, "deny")

    ec2.create_network_acl_entry(NetworkAclId=acl, **acl_entry(100, "allow", egress=True, cidr=public.cidr,
                                                               ports=(1024, 65535)))
    a = analyze(ec2, web.instance_id, db.instance_id, 3306)
    assert_found(a)
    assert_in_order(ids(a["ForwardPathComponents"]), [web.eni_id, web_sg, acl, db_sg, db.eni_id])
    assert acl in ids(a["ReturnPathComponents"])


def test_default_versus_custom_nacl(ec2):
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    web = lab.host(public, [lab.sg("web", tcp(80, "0.0.0.0/0"))], public=True)
    default = default_acl(ec2, lab.vpc_id)["NetworkAclId"]

    a = analyze(ec2, lab.igw_id, web.instance_id, 80)  # the default ACL allows everything
    assert_found(a)
    assert default in ids(a["ForwardPathComponents"]) and default in ids(a["ReturnPathComponents"])

    custom = lab.custom_acl(public, [])  # a new custom ACL denies everything until rules are added
    hits = assert_blocked(analyze(ec2, lab.igw_id, web.instance_id, 80), "SUBNET_ACL_RESTRICTION")
    assert any(e.get("Direction") in (None, "ingress") for e in hits), dump(hits)
    for e in hits:
        assert_acl_rule(e, custom, 32767, "deny")
    # instance-to-internet is refused by the same ACL, outbound
    assert_blocked(analyze(ec2, web.instance_id, lab.igw_id, 443), "SUBNET_ACL_RESTRICTION")

    associate_acl(ec2, public.subnet_id, default)
    assert_found(analyze(ec2, lab.igw_id, web.instance_id, 80))


def test_nacl_deny_numbered_before_allow(ec2):
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    web = lab.host(public, [lab.sg("web", tcp(22, "0.0.0.0/0"), tcp(80, "0.0.0.0/0"))], public=True)
    acl = lab.custom_acl(public, [
        acl_entry(90, "deny", egress=False, ports=(22, 22)),
        acl_entry(100, "allow", egress=False, proto="-1"),
        acl_entry(100, "allow", egress=True, proto="-1"),
    ])

    hits = assert_blocked(analyze(ec2, lab.igw_id, web.instance_id, 22), "SUBNET_ACL_RESTRICTION")
    for e in hits:  # first match wins: rule 90 denies before rule 100 can allow
        assert_acl_rule(e, acl, 90, "deny")
    a = analyze(ec2, lab.igw_id, web.instance_id, 80)
    assert_found(a)
    assert hop(a["ForwardPathComponents"], acl)["AclRule"]["RuleNumber"] == 100

    # the same deny numbered after the allow never matches
    ec2.delete_network_acl_entry(NetworkAclId=acl, RuleNumber=90, Egress=False)
    ec2.create_network_acl_entry(NetworkAclId=acl, **acl_entry(120, "deny", egress=False, ports=(22, 22)))
    a = analyze(ec2, lab.igw_id, web.instance_id, 22)
    assert_found(a)
    rule = hop(a["ForwardPathComponents"], acl)["AclRule"]
    assert (rule["RuleNumber"], rule["RuleAction"], rule["Protocol"]) == (100, "allow", "all")


# =========================================================================== security groups


def test_security_group_referencing_a_group(ec2):
    lab = Lab.create(ec2)
    sub = lab.subnet("app", "10.0.1.0/24", public=False)
    client_sg = lab.sg("client")
    server_sg = lab.sg("server", tcp(5432, group=client_sg))
    stranger_sg = lab.sg("stranger")
    client = lab.host(sub, [client_sg])
    stranger = lab.host(sub, [stranger_sg])
    server = lab.host(sub, [server_sg])

    a = analyze(ec2, client.instance_id, server.instance_id, 5432)
    assert_found(a)
    rule = hop(a["ForwardPathComponents"], server_sg)["SecurityGroupRule"]
    assert (rule["Direction"], rule["PortRange"], rule["Protocol"]) == ("ingress", {"From": 5432, "To": 5432}, "tcp")
    assert "Cidr" not in rule, rule  # a group-reference rule has no CIDR

    [e, *_] = assert_blocked(analyze(ec2, stranger.instance_id, server.instance_id, 5432), "ENI_SG_RULES_MISMATCH")
    assert e["NetworkInterface"]["Id"] == server.eni_id, dump(e)

    # membership is what counts: join the client group and the same path opens
    ec2.modify_instance_attribute(InstanceId=stranger.instance_id, Groups=[stranger_sg, client_sg])
    assert_found(analyze(ec2, stranger.instance_id, server.instance_id, 5432))


def test_missing_egress_rule(ec2):
    lab = Lab.create(ec2)
    sub = lab.subnet("app", "10.0.1.0/24", public=False)
    locked_sg = lab.sg("locked", egress_all=False)  # default allow-all egress revoked
    db_sg = lab.sg("db", tcp(5432, lab.cidr))
    app = lab.host(sub, [locked_sg])
    db = lab.host(sub, [db_sg])

    [e, *_] = assert_blocked(analyze(ec2, app.instance_id, db.instance_id, 5432), "ENI_SG_RULES_MISMATCH")
    assert e.get("Direction") == "egress", dump(e)
    assert e["NetworkInterface"]["Id"] == app.eni_id, dump(e)
    assert locked_sg in sg_ids_named(e) or not sg_ids_named(e), dump(e)

    ec2.authorize_security_group_egress(GroupId=locked_sg, IpPermissions=[tcp(5432, lab.cidr)])
    a = analyze(ec2, app.instance_id, db.instance_id, 5432)
    assert_found(a)
    rule = hop(a["ForwardPathComponents"], locked_sg)["SecurityGroupRule"]
    assert (rule["Direction"], rule["Cidr"], rule["PortRange"], rule["Protocol"]) == (
        "egress", lab.cidr, {"From": 5432, "To": 5432}, "tcp")
    # the reply needs no egress rule on the db side and no ingress rule on the app side (stateful)
    assert "SecurityGroupRule" not in hop(a["ReturnPathComponents"], db_sg)


def test_tcp_allowed_but_udp_not(ec2):
    lab = Lab.create(ec2)
    sub = lab.subnet("app", "10.0.1.0/24", public=False)
    dns_sg = lab.sg("dns", tcp(53, lab.cidr))
    client = lab.host(sub, [lab.sg("client")])
    server = lab.host(sub, [dns_sg])

    a = analyze(ec2, client.instance_id, server.instance_id, 53, protocol="tcp")
    assert_found(a)
    assert hop(a["ForwardPathComponents"], server.instance_id)["InboundHeader"]["Protocol"] == "6"

    [e, *_] = assert_blocked(analyze(ec2, client.instance_id, server.instance_id, 53, protocol="udp"),
                             "ENI_SG_RULES_MISMATCH")
    assert e["NetworkInterface"]["Id"] == server.eni_id, dump(e)

    ec2.authorize_security_group_ingress(GroupId=dns_sg, IpPermissions=[tcp(53, lab.cidr, proto="udp")])
    a = analyze(ec2, client.instance_id, server.instance_id, 53, protocol="udp")
    assert_found(a)
    assert hop(a["ForwardPathComponents"], server.instance_id)["InboundHeader"]["Protocol"] == "17"  # [I] IANA udp


def test_nacl_allowing_only_tcp_blocks_udp(ec2):
    lab = Lab.create(ec2)
    sub_a = lab.subnet("a", "10.0.1.0/24", public=False)
    sub_b = lab.subnet("b", "10.0.2.0/24", public=False)
    open_sg = lab.sg("open", tcp(0, lab.cidr, to=65535), tcp(0, lab.cidr, to=65535, proto="udp"))
    a_host = lab.host(sub_a, [open_sg])
    b_host = lab.host(sub_b, [open_sg])
    acl = lab.custom_acl(sub_b, [acl_entry(100, "allow", egress=False, cidr=sub_a.cidr, ports=(0, 65535)),
                                 acl_entry(100, "allow", egress=True, cidr=sub_a.cidr, ports=(0, 65535))])  # TCP only

    assert_found(analyze(ec2, a_host.instance_id, b_host.instance_id, 514, protocol="tcp"))
    hits = assert_blocked(analyze(ec2, a_host.instance_id, b_host.instance_id, 514, protocol="udp"),
                          "SUBNET_ACL_RESTRICTION")
    for e in hits:
        assert_acl_rule(e, acl, 32767, "deny")


# =========================================================================== the API itself


@pytest.fixture
def web_lab(ec2):
    lab = Lab.create(ec2)
    public = lab.subnet("public", "10.0.1.0/24", public=True)
    web = lab.host(public, [lab.sg("web", tcp(443, "0.0.0.0/0"))], public=True)
    return lab, web


def test_path_fields_describe_filters_delete(ec2, web_lab):
    lab, web = web_lab
    path = create_path(ec2, lab.igw_id, web.instance_id, 443, TagSpecifications=[
        {"ResourceType": "network-insights-path", "Tags": [{"Key": "Name", "Value": "internet-to-web"}]}])
    pid = path["NetworkInsightsPathId"]
    assert PATH_ID.match(pid), pid
    assert path["NetworkInsightsPathArn"] == f"{ARN_PREFIX}network-insights-path/{pid}"
    assert (path["Source"], path["Destination"], path["Protocol"], path["DestinationPort"]) == (
        lab.igw_id, web.instance_id, "tcp", 443)
    assert path["SourceArn"] == f"{ARN_PREFIX}internet-gateway/{lab.igw_id}"
    assert path["DestinationArn"] == f"{ARN_PREFIX}instance/{web.instance_id}"
    assert "CreatedDate" in path
    assert path["Tags"] == [{"Key": "Name", "Value": "internet-to-web"}]

    other = create_path(ec2, web.instance_id, lab.igw_id, 80, protocol="udp")["NetworkInsightsPathId"]

    def listed(**kw):
        return sorted(p["NetworkInsightsPathId"] for p in ec2.describe_network_insights_paths(**kw)["NetworkInsightsPaths"])

    assert listed() == sorted([pid, other])
    assert listed(NetworkInsightsPathIds=[pid]) == [pid]
    assert listed(Filters=[f("source", lab.igw_id)]) == [pid]
    assert listed(Filters=[f("destination", lab.igw_id)]) == [other]
    assert listed(Filters=[f("protocol", "udp")]) == [other]
    assert listed(Filters=[f("tag:Name", "internet-to-web")]) == [pid]  # [I] standard EC2 tag filter

    assert ec2.delete_network_insights_path(NetworkInsightsPathId=pid)["NetworkInsightsPathId"] == pid
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.describe_network_insights_paths(NetworkInsightsPathIds=[pid])
    assert listed() == [other]


def test_protocol_is_case_insensitive_and_stored_lowercase(ec2, web_lab):
    # The AWS CLI guide passes `--protocol TCP` and shows "Protocol": "tcp" in the answer.
    lab, web = web_lab
    assert create_path(ec2, lab.igw_id, web.instance_id, 443, protocol="TCP")["Protocol"] == "tcp"


def test_source_given_as_arn(ec2, web_lab):
    # [I-strong] AWS answers with the id (Terraform's provider suppresses the ARN/id diff for this reason).
    lab, web = web_lab
    arn = f"{ARN_PREFIX}instance/{web.instance_id}"
    path = create_path(ec2, arn, lab.igw_id, 443)
    assert path["Source"] == web.instance_id
    assert path["SourceArn"] == arn
    assert_found(run_analysis(ec2, path["NetworkInsightsPathId"]))


def test_analysis_fields_describe_filters_delete(ec2, web_lab):
    lab, web = web_lab
    ok_path = create_path(ec2, lab.igw_id, web.instance_id, 443)["NetworkInsightsPathId"]
    bad_path = create_path(ec2, lab.igw_id, web.instance_id, 22)["NetworkInsightsPathId"]

    started = ec2.start_network_insights_analysis(NetworkInsightsPathId=ok_path, TagSpecifications=[
        {"ResourceType": "network-insights-analysis", "Tags": [{"Key": "team", "Value": "net"}]}])["NetworkInsightsAnalysis"]
    ok = started["NetworkInsightsAnalysisId"]
    assert ANALYSIS_ID.match(ok)
    assert started["NetworkInsightsPathId"] == ok_path
    assert started["Status"] in ("running", "succeeded")
    assert started["NetworkInsightsAnalysisArn"] == f"{ARN_PREFIX}network-insights-analysis/{ok}"
    # finished by the time the client first looks
    described = describe_analysis(ec2, ok)
    assert described["Status"] == "succeeded" and described["NetworkPathFound"] is True
    assert described["Tags"] == [{"Key": "team", "Value": "net"}]
    bad = run_analysis(ec2, bad_path)["NetworkInsightsAnalysisId"]

    def listed(**kw):
        return sorted(a["NetworkInsightsAnalysisId"]
                      for a in ec2.describe_network_insights_analyses(**kw)["NetworkInsightsAnalyses"])

    assert listed(NetworkInsightsPathId=ok_path) == [ok]
    assert listed(NetworkInsightsAnalysisIds=[ok, bad]) == sorted([ok, bad])
    assert listed(Filters=[f("path-found", "true")]) == [ok]
    assert listed(Filters=[f("path-found", "false")]) == [bad]
    assert listed(Filters=[f("status", "succeeded")]) == sorted([ok, bad])
    assert listed(Filters=[f("status", "failed")]) == []
    # the docs say "specify either analysis IDs or a path ID", but CloudFormation lists with neither
    assert listed() == sorted([ok, bad])

    assert ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=bad)["NetworkInsightsAnalysisId"] == bad
    with aws_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        describe_analysis(ec2, bad)
    assert listed() == [ok]


def test_delete_path_with_analyses_is_refused(ec2, web_lab):
    lab, web = web_lab
    pid = create_path(ec2, lab.igw_id, web.instance_id, 443)["NetworkInsightsPathId"]
    nia = run_analysis(ec2, pid)["NetworkInsightsAnalysisId"]
    # [C] "At least one analysis [nia-…] exists for path nip-…. Delete all the analyses before deleting this network path."
    with aws_error("AnalysisExistsForNetworkInsightsPath") as ei:
        ec2.delete_network_insights_path(NetworkInsightsPathId=pid)
    message = ei.value.response["Error"]["Message"]
    assert nia in message and pid in message, message
    ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=nia)
    assert ec2.delete_network_insights_path(NetworkInsightsPathId=pid)["NetworkInsightsPathId"] == pid


def test_unknown_ids(ec2):
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.start_network_insights_analysis(NetworkInsightsPathId=MISSING_PATH)
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.delete_network_insights_path(NetworkInsightsPathId=MISSING_PATH)
    with aws_error("InvalidNetworkInsightsPathId.NotFound"):
        ec2.describe_network_insights_paths(NetworkInsightsPathIds=[MISSING_PATH])
    with aws_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        ec2.describe_network_insights_analyses(NetworkInsightsAnalysisIds=[MISSING_ANALYSIS])
    with aws_error("InvalidNetworkInsightsAnalysisId.NotFound"):
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId=MISSING_ANALYSIS)
    with aws_error({"InvalidNetworkInsightsAnalysisId.Malformed", "InvalidNetworkInsightsAnalysisId.NotFound"}):
        ec2.delete_network_insights_analysis(NetworkInsightsAnalysisId="nia-xyz")
    with aws_error({"InvalidNetworkInsightsPathId.Malformed", "InvalidNetworkInsightsPathId.NotFound"}):
        ec2.start_network_insights_analysis(NetworkInsightsPathId="not-a-path")


def test_create_path_validation(ec2, web_lab):
    lab, web = web_lab
    # [C] verbatim from a real AWS response (terraform-provider-aws #38132)
    with aws_error("MissingParameter") as ei:
        ec2.create_network_insights_path(Source=web.eni_id, DestinationIp="10.0.1.99", DestinationPort=443,
                                         Protocol="tcp")
    assert "FilterAtSource.DestinationAddress" in ei.value.response["Error"]["Message"]

    # a source or destination that does not exist  [C codes from the CloudFormation handler]
    with aws_error({"NetworkInsightsSource.NotFound", "InvalidInstanceID.NotFound"}):
        create_path(ec2, "i-0123456789abcdef0", lab.igw_id, 443)
    with aws_error({"NetworkInsightsDestination.NotFound", "InvalidInstanceID.NotFound"}):
        create_path(ec2, lab.igw_id, "i-0123456789abcdef0", 443)

    # botocore checks neither the Protocol enum nor integer maxima, so these reach the server.
    # A value outside the documented range is InvalidParameterValue; a filter given with the parameters it
    # replaces is InvalidParameterCombination (EC2's common client error codes).
    with aws_error("InvalidParameterValue"):
        create_path(ec2, lab.igw_id, web.instance_id, 443, protocol="icmp")
    with aws_error("InvalidParameterValue"):
        create_path(ec2, lab.igw_id, web.instance_id, 70000)
    with aws_error("InvalidParameterCombination"):  # FilterAtSource excludes SourceIp and DestinationPort
        create_path(ec2, lab.igw_id, web.instance_id, 443,
                    FilterAtSource={"DestinationPortRange": {"FromPort": 443, "ToPort": 443}})
    with aws_error("InvalidParameterCombination"):  # FilterAtDestination excludes DestinationIp
        create_path(ec2, lab.igw_id, web.instance_id, 443, DestinationIp=web.private_ip,
                    FilterAtDestination={"SourceAddress": "198.51.100.7"})
    with aws_error("InvalidParameterValue"):
        ec2.describe_network_insights_paths(MaxResults=101)

    with aws_error("DryRunOperation", status=412):
        create_path(ec2, lab.igw_id, web.instance_id, 443, DryRun=True)
    assert ec2.describe_network_insights_paths()["NetworkInsightsPaths"] == []


def test_route_to_an_unmodelled_component_is_named_not_guessed(ec2):
    """vpclab's own explanation code for a route target it does not model (trace.rs, follow_route:
    local gateways, carrier gateways, Gateway Load Balancer endpoints, Cloud WAN core networks).
    CreateRoute accepts LocalGatewayId without an Outpost; an analysis whose packets take that route
    stops there with VPCLAB_UNMODELLED_COMPONENT naming the gateway, the route table and the route,
    instead of claiming a path or a reason AWS would give."""
    lab = Lab.create(ec2)
    sub = lab.subnet("app", "10.0.1.0/24", public=False)
    lgw = "lgw-0123456789abcdef0"
    ec2.create_route(RouteTableId=sub.route_table_id, DestinationCidrBlock="192.168.50.0/24", LocalGatewayId=lgw)
    app = lab.host(sub, [lab.sg("app")])
    a = analyze(ec2, app.instance_id, FilterAtSource={
        "DestinationAddress": "192.168.50.10", "DestinationPortRange": {"FromPort": 443, "ToPort": 443}})
    [e] = assert_blocked(a, "VPCLAB_UNMODELLED_COMPONENT")
    assert codes(a) == ["VPCLAB_UNMODELLED_COMPONENT"], dump(a)
    assert e["Component"] == {"Id": lgw, "Arn": f"{ARN_PREFIX}local-gateway/{lgw}"}, dump(e)
    assert e["RouteTable"]["Id"] == sub.route_table_id, dump(e)
    assert e["Vpc"]["Id"] == lab.vpc_id, dump(e)
    assert (e["RouteTableRoute"]["DestinationCidr"], e["RouteTableRoute"]["LocalGatewayId"]) == (
        "192.168.50.0/24", lgw), dump(e)
    # the packets got as far as the gateway: instance, interface, group, ACL, route table, gateway
    assert_in_order(ids(a["ForwardPathComponents"]), [app.instance_id, app.eni_id, sub.route_table_id, lgw])
    assert ids(a["ForwardPathComponents"])[-1] == lgw, dump(a)


def test_filters_at_source_and_destination_ip(ec2, web_lab):
    lab, web = web_lab
    # an IP address as destination: no Destination, FilterAtSource.DestinationAddress instead  [C, AWS CLI guide]
    path = create_path(ec2, web.instance_id, FilterAtSource={
        "DestinationAddress": "8.8.8.8", "DestinationPortRange": {"FromPort": 443, "ToPort": 443}})
    assert "Destination" not in path
    assert path["FilterAtSource"] == {"DestinationAddress": "8.8.8.8",
                                      "DestinationPortRange": {"FromPort": 443, "ToPort": 443}}
    assert_found(run_analysis(ec2, path["NetworkInsightsPathId"]))

    # the CLI guide's example: source = IGW, port given only as a filter at the source
    path = create_path(ec2, lab.igw_id, web.instance_id,
                       FilterAtSource={"DestinationPortRange": {"FromPort": 443, "ToPort": 443}})
    assert "DestinationPort" not in path
    assert_found(run_analysis(ec2, path["NetworkInsightsPathId"]))
    path = create_path(ec2, lab.igw_id, web.instance_id,
                       FilterAtSource={"DestinationPortRange": {"FromPort": 22, "ToPort": 22}})
    assert_blocked(run_analysis(ec2, path["NetworkInsightsPathId"]),
                   "ENI_SG_RULES_MISMATCH", "FILTER_AT_SOURCE_DESTINATION_PORT_RANGE")


def test_filter_in_arns(ec2, web_lab):
    lab, web = web_lab
    pid = create_path(ec2, lab.igw_id, web.instance_id, 443)["NetworkInsightsPathId"]
    sg_arn = f"{ARN_PREFIX}security-group/{web.sg_ids[0]}"
    a = run_analysis(ec2, pid, FilterInArns=[sg_arn])
    assert a["FilterInArns"] == [sg_arn]
    assert_found(a)
    # a component the path never traverses
    stranger = ec2.create_security_group(GroupName="stranger", Description="x", VpcId=lab.vpc_id)["GroupId"]
    assert_blocked(run_analysis(ec2, pid, FilterInArns=[f"{ARN_PREFIX}security-group/{stranger}"]),
                   "COMPONENT_FILTER_RESTRICTION")


def test_idempotency_and_pagination(ec2, web_lab):
    lab, web = web_lab
    first = create_path(ec2, lab.igw_id, web.instance_id, 443, ClientToken="tok-1")["NetworkInsightsPathId"]
    again = create_path(ec2, lab.igw_id, web.instance_id, 443, ClientToken="tok-1")["NetworkInsightsPathId"]
    assert again == first
    with aws_error("IdempotentParameterMismatch"):
        create_path(ec2, lab.igw_id, web.instance_id, 22, ClientToken="tok-1")

    created = {first} | {create_path(ec2, lab.igw_id, web.instance_id, p)["NetworkInsightsPathId"] for p in (22, 80)}
    pages = all_pages(ec2.describe_network_insights_paths, "NetworkInsightsPaths", page_size=1)
    assert [len(p) for p in pages] == [1, 1, 1], pages
    assert {p["NetworkInsightsPathId"] for page in pages for p in page} == created


# =========================================================================== the AWS CLI


def test_cli_create_start_describe_delete(aws_cli, ec2, web_lab, tmp_path):
    lab, web = web_lab
    path = aws_cli("ec2", "create-network-insights-path", "--source", lab.igw_id, "--destination",
                   web.instance_id, "--protocol", "tcp", "--destination-port", "443").json["NetworkInsightsPath"]
    pid = path["NetworkInsightsPathId"]
    assert PATH_ID.match(pid) and path["Protocol"] == "tcp"

    nia = aws_cli("ec2", "start-network-insights-analysis", "--network-insights-path-id",
                  pid).json["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    [a] = aws_cli("ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids",
                  nia).json["NetworkInsightsAnalyses"]
    assert (a["Status"], a["NetworkPathFound"]) == ("succeeded", True)
    assert ids(a["ForwardPathComponents"])[0] == lab.igw_id
    q = aws_cli("ec2", "describe-network-insights-analyses", "--network-insights-path-id", pid,
                "--query", "NetworkInsightsAnalyses[0].NetworkPathFound", "--output", "text")
    assert q.stdout.strip() == "True"

    # the getting-started guide's form: the port as a filter at the source, from a JSON file
    (tmp_path / "source-filter.json").write_text(json.dumps({"DestinationPortRange": {"FromPort": 22, "ToPort": 22}}))
    ssh = aws_cli("ec2", "create-network-insights-path", "--source", lab.igw_id, "--destination", web.instance_id,
                  "--protocol", "TCP", "--filter-at-source", f"file://{tmp_path / 'source-filter.json'}").json
    ssh_pid = ssh["NetworkInsightsPath"]["NetworkInsightsPathId"]
    assert ssh["NetworkInsightsPath"]["FilterAtSource"]["DestinationPortRange"] == {"FromPort": 22, "ToPort": 22}
    blocked = aws_cli("ec2", "start-network-insights-analysis", "--network-insights-path-id", ssh_pid).json
    ssh_nia = blocked["NetworkInsightsAnalysis"]["NetworkInsightsAnalysisId"]
    [b] = aws_cli("ec2", "describe-network-insights-analyses", "--network-insights-analysis-ids",
                  ssh_nia).json["NetworkInsightsAnalyses"]
    assert b["NetworkPathFound"] is False and b["Explanations"], b

    found = aws_cli("ec2", "describe-network-insights-paths", "--filters",
                    f"Name=source,Values={lab.igw_id}").json["NetworkInsightsPaths"]
    assert sorted(p["NetworkInsightsPathId"] for p in found) == sorted([pid, ssh_pid])

    cp = aws_cli("ec2", "delete-network-insights-path", "--network-insights-path-id", pid, check=False)
    assert cp.returncode in (254, 255) and "AnalysisExistsForNetworkInsightsPath" in cp.stderr, cp.stderr
    aws_cli("ec2", "delete-network-insights-analysis", "--network-insights-analysis-id", nia)
    out = aws_cli("ec2", "delete-network-insights-path", "--network-insights-path-id", pid).json
    assert out == {"NetworkInsightsPathId": pid}
    cp = aws_cli("ec2", "start-network-insights-analysis", "--network-insights-path-id", pid, check=False)
    assert "InvalidNetworkInsightsPathId.NotFound" in cp.stderr, cp.stderr


# =========================================================================== Terraform (bastion pattern)

TF_RA_DIR = Path(__file__).resolve().parent / "terraform_reachability"


@pytest.mark.terraform
def test_terraform_bastion_reachability(endpoint, ec2, tmp_path):
    # the provider mirror / CLI-config set-up is test_terraform.py's
    from test_terraform import MIRROR, TERRAFORM, _tf, _tf_env

    if TERRAFORM is None:
        pytest.skip("terraform is not on PATH; skipping the Terraform reachability test")
    if not MIRROR.is_dir():
        pytest.skip(f"no Terraform provider mirror at {MIRROR} (set VPCLAB_TF_PLUGIN_MIRROR)")

    work = tmp_path / "tf"
    shutil.copytree(TF_RA_DIR, work, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*", ".terraform.lock.hcl"))
    env = _tf_env(tmp_path)
    var = ["-var", f"endpoint={endpoint}"]
    _tf(["init", "-input=false", "-no-color"], work, env, timeout=180)
    t0 = time.monotonic()
    _tf(["apply", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    apply_s = time.monotonic() - t0
    out = {k: v["value"] for k, v in json.loads(_tf(["output", "-json"], work, env, timeout=60).stdout).items()}

    # aws_ec2_network_insights_analysis waits for completion by default
    assert out["path_found"] == {"internet_to_bastion": True, "bastion_to_target": True, "other_to_target": False}
    assert out["status"] == {"internet_to_bastion": "succeeded", "bastion_to_target": "succeeded",
                             "other_to_target": "succeeded"}
    assert "ENI_SG_RULES_MISMATCH" in out["other_to_target_codes"], out
    assert_in_order(out["bastion_to_target_forward_ids"],
                    [out["bastion_eni_id"], out["bastion_sg_id"], out["target_sg_id"], out["target_eni_id"]])

    # the same answers through boto3
    for name, nia in out["analysis_ids"].items():
        a = describe_analysis(ec2, nia)
        assert a["NetworkPathFound"] is out["path_found"][name], (name, dump(a))

    plan = _tf(["plan", "-detailed-exitcode", "-input=false", "-no-color", *var], work, env, timeout=600,
               ok_codes=(0, 2))
    assert plan.returncode == 0, f"terraform plan found drift after apply:\n{plan.stdout[-8000:]}"

    _tf(["destroy", "-auto-approve", "-input=false", "-no-color", *var], work, env, timeout=900)
    assert ec2.describe_network_insights_analyses()["NetworkInsightsAnalyses"] == []
    assert ec2.describe_network_insights_paths()["NetworkInsightsPaths"] == []
    TIMINGS.append(f"terraform reachability apply {apply_s:.1f}s (includes the provider's 10 s analysis wait)")
