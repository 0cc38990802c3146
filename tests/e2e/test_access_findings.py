"""Network Access Analyzer's findings on the seeds' three-tier application, through boto3 and
`vpclab reach`: the guide's example scopes (all internet gateway ingress, all VPC egress to the
internet, "nothing reaches the database but the app tier on 3306"), each finding checked
against what one Reachability Analyzer question per (source, destination, port) says.

Semantics from the Network Access Analyzer guide (see /work/notes/naa.md §3): a finding matches
a match path and no exclude path; paths start and end at interfaces and gateways (an instance,
subnet or security group names the interfaces in or with it); headers are CIDR lists and port
ranges, the internet being public address space; findings are unidirectional.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess

import pytest
import requests

from network_helpers import analyze, tcp, three_tier
from vpclab_helpers import aws_error, dump

IGW_INGRESS = [{"Source": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]
VPC_EGRESS = [{"Destination": {"ResourceStatement": {"ResourceTypes": ["AWS::EC2::InternetGateway"]}}}]
PROBE_PORTS = [22, 80, 443, 3306, 8080]


def create_scope(ec2, match_paths, exclude_paths=None) -> str:
    kw = {"MatchPaths": match_paths}
    if exclude_paths:
        kw["ExcludePaths"] = exclude_paths
    return ec2.create_network_insights_access_scope(**kw)["NetworkInsightsAccessScope"][
        "NetworkInsightsAccessScopeId"]


def analyse_scope(ec2, scope_id: str) -> tuple[dict, list[dict]]:
    """An analysis of the scope, and its findings read a page (of one) at a time."""
    started = ec2.start_network_insights_access_scope_analysis(
        NetworkInsightsAccessScopeId=scope_id)["NetworkInsightsAccessScopeAnalysis"]
    analysis_id = started["NetworkInsightsAccessScopeAnalysisId"]
    [analysis] = ec2.describe_network_insights_access_scope_analyses(
        NetworkInsightsAccessScopeAnalysisIds=[analysis_id])["NetworkInsightsAccessScopeAnalyses"]
    assert analysis["Status"] == "succeeded", dump(analysis)
    findings, token = [], None
    while True:
        page = ec2.get_network_insights_access_scope_analysis_findings(
            NetworkInsightsAccessScopeAnalysisId=analysis_id, MaxResults=1, **({"NextToken": token} if token else {}))
        findings += page["AnalysisFindings"]
        token = page.get("NextToken")
        if not token:
            return analysis, findings


def findings_of(ec2, match_paths, exclude_paths=None) -> tuple[dict, list[dict]]:
    return analyse_scope(ec2, create_scope(ec2, match_paths, exclude_paths))


def ends(finding: dict) -> tuple[str, str]:
    components = finding["FindingComponents"]
    return components[0]["Component"]["Id"], components[-1]["Component"]["Id"]


def ports_of(finding: dict) -> set[int]:
    """The destination ports of a finding's packets, as its first component shows them."""
    first = finding["FindingComponents"][0]
    header = first.get("InboundHeader") or first.get("OutboundHeader")
    return {p for r in header["DestinationPortRanges"] for p in PROBE_PORTS if r["From"] <= p <= r["To"]}


@pytest.fixture
def app(ec2):
    lab, web, app_host, db = three_tier(ec2)
    return {"lab": lab, "web": web, "app": app_host, "db": db}


def test_all_internet_gateway_ingress_is_what_reachability_analyzer_finds(ec2, app):
    lab, hosts = app["lab"], [app["web"], app["app"], app["db"]]
    analysis, findings = findings_of(ec2, IGW_INGRESS)
    assert analysis["FindingsFound"] == "true"
    assert analysis["AnalyzedEniCount"] == 3
    # The web server's 80 and 443, each a finding of its own (a rule each), from public space.
    assert sorted(ports_of(f).pop() for f in findings) == [80, 443], dump(findings)
    for f in findings:
        assert ends(f) == (lab.igw_id, app["web"].eni_id)
        kinds = [c["Component"]["Id"].split("-")[0] for c in f["FindingComponents"]]
        assert kinds == ["igw", "acl", "sg", "eni"], kinds
        header = f["FindingComponents"][0]["InboundHeader"]
        assert header["Protocol"] == "6"
        assert header["DestinationAddresses"] == [f"{app['web'].public_ip}/32"]
        for block in header["SourceAddresses"]:
            net = ipaddress.ip_network(block)
            assert not any(net.overlaps(ipaddress.ip_network(p)) for p in ("10.0.0.0/8", "192.168.0.0/16"))
        assert f["FindingComponents"][2]["SecurityGroupRule"]["Direction"] == "ingress"
    # One Reachability Analyzer question per (host, port) agrees.
    for host in hosts:
        for port in PROBE_PORTS:
            found = analyze(ec2, lab.igw_id, host.instance_id, port)["NetworkPathFound"]
            listed = any(ends(f)[1] == host.eni_id and port in ports_of(f) for f in findings)
            assert found == listed, (host.instance_id, port)


def test_vpc_egress_leaves_only_by_the_routed_subnet(ec2, app):
    lab = app["lab"]
    _, findings = findings_of(ec2, VPC_EGRESS)
    assert {ends(f) for f in findings} == {(app["web"].eni_id, lab.igw_id)}, dump(findings)
    # Any TCP and any UDP (a finding each), every port, to public space, by the default route.
    assert [f["FindingComponents"][0]["OutboundHeader"]["Protocol"] for f in findings] == ["6", "17"]
    for f in findings:
        header = f["FindingComponents"][0]["OutboundHeader"]
        assert header["DestinationPortRanges"] == [{"From": 0, "To": 65535}]
        assert header["DestinationAddresses"][:3] == ["0.0.0.0/5", "8.0.0.0/7", "11.0.0.0/8"], header
        routes = [c["RouteTableRoute"] for c in f["FindingComponents"] if "RouteTableRoute" in c]
        assert [(r["DestinationCidr"], r["GatewayId"]) for r in routes] == [("0.0.0.0/0", lab.igw_id)]


def test_nothing_reaches_the_database_but_the_app_tier_on_3306(ec2, app):
    db, web = app["db"], app["web"]
    to_db = [{"Destination": {"ResourceStatement": {"Resources": [db.subnet_id]}}}]
    app_on_3306 = [{"Source": {"ResourceStatement": {"Resources": [app["app"].sg_ids[0]]}},
                    "Destination": {"PacketHeaderStatement": {"DestinationPorts": ["3306"], "Protocols": ["tcp"]}}}]
    _, findings = findings_of(ec2, to_db, app_on_3306)
    assert findings == [], dump(findings)
    # A rule too many: the web tier may now open SSH to the database, and the scope says so.
    ec2.authorize_security_group_ingress(GroupId=db.sg_ids[0], IpPermissions=[tcp(22, group=web.sg_ids[0])])
    analysis, findings = findings_of(ec2, to_db, app_on_3306)
    assert analysis["FindingsFound"] == "true"
    assert [(ends(f), ports_of(f)) for f in findings] == [((web.eni_id, db.eni_id), {22})], dump(findings)
    assert analyze(ec2, web.instance_id, db.instance_id, 22)["NetworkPathFound"] is True


def reach(vpclab_binary, endpoint, *args):
    return subprocess.run([str(vpclab_binary), "reach", "--endpoint", endpoint, *args],
                          capture_output=True, text=True, timeout=60)


def test_reach_from_the_internet_to_anything(vpclab_binary, endpoint, ec2, app):
    web = app["web"]
    out = reach(vpclab_binary, endpoint, "--from", "internet", "--to", "any")
    assert out.returncode == 0, out.stderr + out.stdout
    lines = [line for line in out.stdout.splitlines() if not line.startswith(" ")]
    assert lines[-1] == "2 paths (3 interfaces analysed)", out.stdout
    assert all(line.startswith(f"{app['lab'].igw_id} → {web.eni_id}  tcp port ") for line in lines[:-1]), out.stdout
    assert "allow tcp port 443 from 0.0.0.0/0" in out.stdout

    answer = json.loads(reach(vpclab_binary, endpoint, "--from", "internet", "--to", "any", "--port", "443",
                              "--json").stdout)
    [f] = answer["findings"]
    assert (f["source"], f["destination"], f["protocol"]) == (app["lab"].igw_id, web.eni_id, "tcp")
    assert f["destination_ports"] == [{"from": 443, "to": 443}]
    assert [h["kind"] for h in f["path"]] == ["internet gateway", "network ACL", "security group",
                                              "network interface"]
    direct = requests.post(f"{endpoint}/_vpclab/reach", json={"from": "internet", "to": "any", "port": "443"},
                           timeout=30).json()
    assert direct == answer


def test_reach_by_tag_and_by_block(vpclab_binary, endpoint, ec2, app):
    web, app_host, db = app["web"], app["app"], app["db"]
    ec2.create_tags(Resources=[web.instance_id], Tags=[{"Key": "Tier", "Value": "web"}])
    ec2.create_tags(Resources=[db.subnet_id], Tags=[{"Key": "Tier", "Value": "db"}])
    out = reach(vpclab_binary, endpoint, "--from", "tag:Tier=web", "--to", "tag:Tier=db", "--json")
    assert out.returncode == 1 and json.loads(out.stdout)["findings"] == [], out.stdout
    out = reach(vpclab_binary, endpoint, "--from", "10.0.10.0/24", "--to", "tag:Tier=db", "--json")
    assert out.returncode == 0, out.stderr
    [f] = json.loads(out.stdout)["findings"]
    assert (f["source"], f["destination"]) == (app_host.eni_id, db.eni_id)
    assert f["destination_ports"] == [{"from": 3306, "to": 3306}]


@pytest.mark.parametrize("body,fragment", [
    (b"not json", "not JSON"),
    (b'{"to": "any"}', "from"),
    (b'{"from": "any", "to": "any", "protocol": "icmp"}', "tcp, udp or any"),
    (b'{"from": "any", "to": "any", "port": "90000"}', "port"),
    (b'{"from": "tag:nope", "to": "any"}', "tag:KEY=VALUE"),
    (b'{"from": "tag:Missing=x", "to": "any"}', "no resource has the tag"),
    (b'{"from": "i-0123456789abcdef0", "to": "any"}', "none of these"),
    (b'{"from": "any", "to": "any", "account": "12"}', "twelve digits"),
])
def test_bad_reach_questions_get_a_clear_400(endpoint, body, fragment):
    r = requests.post(f"{endpoint}/_vpclab/reach", data=body, timeout=10)
    assert r.status_code == 400, r.text
    assert fragment in r.json()["error"]["message"], r.text


def test_a_scope_naming_a_resource_since_deleted_finds_nothing(ec2, app):
    subnet = app["web"].subnet_id
    eni = ec2.create_network_interface(SubnetId=subnet)["NetworkInterface"]["NetworkInterfaceId"]
    scope = create_scope(ec2, [{"Source": {"ResourceStatement": {"Resources": [eni]}}}])
    _, findings = analyse_scope(ec2, scope)
    assert findings and {ends(f)[0] for f in findings} == {eni}, dump(findings)
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    analysis, findings = analyse_scope(ec2, scope)
    assert (analysis["FindingsFound"], findings) == ("false", [])
    with aws_error("InvalidNetworkInsightsAccessScopeAnalysisId.NotFound"):
        ec2.get_network_insights_access_scope_analysis_findings(
            NetworkInsightsAccessScopeAnalysisId="nisa-0123456789abcdef0")
