"""The Route 53 API end to end with boto3 (and a few AWS CLI calls), as a client sees it: hosted
zones public and private (the NS and SOA record sets created with them, name servers, Location,
ChangeInfo, listing orders, VPC associations), ChangeResourceRecordSets with every record type,
atomic batches and InvalidChangeBatch with AWS's messages, ListResourceRecordSets ordering and
paging, GetChange, alias records (to a record of the zone, to an ALB), health checks (idempotency,
versions, in use; probes outside --egress-allow never sent and the status saying so), tags,
limits, reusable delegation sets, query logging configs, CIDR collections, and a malformed XML
body.

Route 53 is global: boto3 signs for us-east-1; ids come back prefixed (`/hostedzone/Z…`,
`/change/C…`, `/delegationset/N…`) and boto3 strips the prefix on input.
"""

from __future__ import annotations

import datetime
import re

import requests

from dns_helpers import (
    NAME_SERVER_RE,
    SOA_RE,
    alias,
    all_record_sets,
    bare_id,
    change,
    create,
    create_zone,
    delete,
    egress_refusal,
    find_rrset,
    health_check_reports,
    rrset,
    upsert,
    values_of,
    zone_of,
)
from lb_helpers import closed_port
from vpclab_helpers import DEFAULT_ACCOUNT, aws_error, dump, make_client, sign_headers

ZONE_ID_RE = re.compile(r"^/hostedzone/Z[A-Z0-9]{12,31}$")
CHANGE_ID_RE = re.compile(r"^/change/C[A-Z0-9]{12,31}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MISSING_ZONE = "Z0123456789ABCDEFGHIJ"
PRIVATE_NAME_SERVERS = {"ns-0.awsdns-00.com.", "ns-512.awsdns-00.net.", "ns-1024.awsdns-00.org.",
                        "ns-1536.awsdns-00.co.uk."}
LOG_GROUP = f"arn:aws:logs:us-east-1:{DEFAULT_ACCOUNT}:log-group:/aws/route53/example.com"




def status_of(resp: dict) -> int:
    return resp["ResponseMetadata"]["HTTPStatusCode"]


def error_message(ei) -> str:
    return ei.value.response["Error"]["Message"]


def vpc(ec2, cidr: str = "10.0.0.0/16") -> str:
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    return vpc_id


# --------------------------------------------------------------------------- hosted zones


def test_public_zone_lifecycle(r53, aws_cli):
    resp = r53.create_hosted_zone(Name="Example.COM", CallerReference="zone-1",
                                  HostedZoneConfig={"Comment": "main", "PrivateZone": False})
    assert status_of(resp) == 201
    hz = resp["HostedZone"]
    assert ZONE_ID_RE.match(hz["Id"]), hz["Id"]
    zid = bare_id(hz["Id"])
    assert resp["Location"].endswith(f"/2013-04-01/hostedzone/{zid}"), resp["Location"]
    assert (hz["Name"], hz["CallerReference"], hz["ResourceRecordSetCount"]) == ("example.com.", "zone-1", 2)
    assert hz["Config"] == {"Comment": "main", "PrivateZone": False}
    info = resp["ChangeInfo"]
    assert CHANGE_ID_RE.match(info["Id"]) and info["Status"] in ("PENDING", "INSYNC"), info
    assert isinstance(info["SubmittedAt"], datetime.datetime)
    assert r53.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "INSYNC"

    # Four name servers, one per top-level domain, written without the trailing dot.
    servers = resp["DelegationSet"]["NameServers"]
    assert len(servers) == 4 and all(NAME_SERVER_RE.match(s) for s in servers), servers
    assert sorted(s.split(".", 2)[2] for s in servers) == ["co.uk", "com", "net", "org"], servers

    # The NS and SOA record sets created with the zone.
    sets = all_record_sets(r53, zid)
    assert [(s["Name"], s["Type"]) for s in sets] == [("example.com.", "NS"), ("example.com.", "SOA")]
    ns, soa = sets
    assert ns["TTL"] == 172800 and sorted(values_of(ns)) == sorted(s + "." for s in servers)
    assert soa["TTL"] == 900
    [soa_value] = values_of(soa)
    assert SOA_RE.match(soa_value), soa_value
    assert soa_value.split()[0] in values_of(ns)

    got = r53.get_hosted_zone(Id=zid)
    assert got["HostedZone"]["Id"] == hz["Id"] and got["HostedZone"]["Config"]["Comment"] == "main"
    assert got["DelegationSet"]["NameServers"] == servers
    assert "VPCs" not in got or got["VPCs"] == []

    r53.update_hosted_zone_comment(Id=zid, Comment="renamed")
    assert r53.get_hosted_zone(Id=zid)["HostedZone"]["Config"]["Comment"] == "renamed"
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 1

    # CallerReference identifies a request: reusing it is refused.
    with aws_error("HostedZoneAlreadyExists", 409):
        r53.create_hosted_zone(Name="example.com", CallerReference="zone-1")
    # The same name again with a new reference is another zone, with other name servers.
    twin = r53.create_hosted_zone(Name="example.com", CallerReference="zone-2")
    assert twin["HostedZone"]["Id"] != hz["Id"]
    assert set(twin["DelegationSet"]["NameServers"]).isdisjoint(servers)
    assert aws_cli("route53", "get-hosted-zone-count").json["HostedZoneCount"] == 2
    r53.delete_hosted_zone(Id=zone_of(twin))

    with aws_error("InvalidDomainName", 400):
        r53.create_hosted_zone(Name="example..com", CallerReference="zone-bad")

    # A zone with records of its own cannot be deleted.
    change(r53, zid, create(rrset("www.example.com", "A", "192.0.2.1")))
    with aws_error("HostedZoneNotEmpty", 400):
        r53.delete_hosted_zone(Id=zid)
    change(r53, zid, delete(rrset("www.example.com", "A", "192.0.2.1")))
    out = r53.delete_hosted_zone(Id=zid)
    assert out["ChangeInfo"]["Status"] in ("PENDING", "INSYNC")
    with aws_error("NoSuchHostedZone", 404) as ei:
        r53.get_hosted_zone(Id=zid)
    assert zid in error_message(ei)
    for call in (lambda: r53.list_resource_record_sets(HostedZoneId=MISSING_ZONE),
                 lambda: r53.delete_hosted_zone(Id=MISSING_ZONE),
                 lambda: change(r53, MISSING_ZONE, create(rrset("a.example.com", "A", "192.0.2.1")))):
        with aws_error("NoSuchHostedZone", 404):
            call()
    with aws_error("NoSuchChange", 404):
        r53.get_change(Id="C0123456789ABCDEFGHIJ")
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0


def test_list_hosted_zones_and_by_name_order(r53, aws_cli):
    names = ["example.org", "b.example.com", "example.com", "example.net", "a.example.com"]
    ids = {n + ".": zone_of(create_zone(r53, n)) for n in names}

    pages, marker = [], None
    while True:
        args = {"MaxItems": "2", **({"Marker": marker} if marker else {})}
        page = r53.list_hosted_zones(**args)
        pages.append(page["HostedZones"])
        assert page["MaxItems"] == "2"
        if not page["IsTruncated"]:
            break
        marker = page["NextMarker"]
    listed = [z["Name"] for p in pages for z in p]
    assert sorted(listed) == sorted(ids) and len(pages) == 3

    # By name: labels reversed (com.example < com.example.a < com.example.b < net.example …).
    expected = ["example.com.", "a.example.com.", "b.example.com.", "example.net.", "example.org."]
    by_name = r53.list_hosted_zones_by_name()["HostedZones"]
    assert [z["Name"] for z in by_name] == expected
    page = r53.list_hosted_zones_by_name(DNSName="b.example.com", MaxItems="2")
    assert [z["Name"] for z in page["HostedZones"]] == ["b.example.com.", "example.net."]
    assert page["IsTruncated"] is True and page["NextDNSName"] == "example.org."
    assert bare_id(page["NextHostedZoneId"]) == ids["example.org."]
    last = r53.list_hosted_zones_by_name(DNSName=page["NextDNSName"], HostedZoneId=page["NextHostedZoneId"])
    assert [z["Name"] for z in last["HostedZones"]] == ["example.org."] and last["IsTruncated"] is False

    cli = aws_cli("route53", "list-hosted-zones-by-name").json
    assert [z["Name"] for z in cli["HostedZones"]] == expected


def test_private_zones_and_vpc_associations(r53, ec2, aws_cli):
    vpc1, vpc2 = vpc(ec2, "10.0.0.0/16"), vpc(ec2, "10.1.0.0/16")
    resp = create_zone(r53, "internal.example", vpc=vpc1, comment="inside")
    zid = zone_of(resp)
    assert resp["HostedZone"]["Config"] == {"Comment": "inside", "PrivateZone": True}
    assert resp["VPC"] == {"VPCRegion": "us-east-1", "VPCId": vpc1}
    # Private zones all carry the same placeholder name servers.
    ns = find_rrset(all_record_sets(r53, zid), "internal.example.", "NS")
    assert set(values_of(ns)) == PRIVATE_NAME_SERVERS, dump(ns)
    assert r53.get_hosted_zone(Id=zid)["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": vpc1}]

    summaries = r53.list_hosted_zones_by_vpc(VPCId=vpc1, VPCRegion="us-east-1")["HostedZoneSummaries"]
    assert [(bare_id(s["HostedZoneId"]), s["Name"], s["Owner"].get("OwningAccount")) for s in summaries] == [
        (zid, "internal.example.", DEFAULT_ACCOUNT)]
    assert r53.list_hosted_zones_by_vpc(VPCId=vpc2, VPCRegion="us-east-1")["HostedZoneSummaries"] == []

    info = r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC={"VPCRegion": "us-east-1", "VPCId": vpc2},
                                              Comment="second")["ChangeInfo"]
    assert CHANGE_ID_RE.match(info["Id"])
    assert sorted(v["VPCId"] for v in r53.get_hosted_zone(Id=zid)["VPCs"]) == sorted([vpc1, vpc2])
    cli = aws_cli("route53", "list-hosted-zones-by-vpc", "--vpc-id", vpc2, "--vpc-region", "us-east-1").json
    assert [s["Name"] for s in cli["HostedZoneSummaries"]] == ["internal.example."]

    # The same name cannot be associated twice with one VPC.
    with aws_error("ConflictingDomainExists", None):
        create_zone(r53, "internal.example", vpc=vpc2)

    r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC={"VPCRegion": "us-east-1", "VPCId": vpc2})
    with aws_error("VPCAssociationNotFound", 404):
        r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC={"VPCRegion": "us-east-1", "VPCId": vpc2})
    with aws_error("LastVPCAssociation", 400):
        r53.disassociate_vpc_from_hosted_zone(HostedZoneId=zid, VPC={"VPCRegion": "us-east-1", "VPCId": vpc1})
    with aws_error("InvalidVPCId", 400):
        r53.associate_vpc_with_hosted_zone(HostedZoneId=zid, VPC={"VPCRegion": "us-east-1",
                                                                  "VPCId": "vpc-0123456789abcdef0"})
    with aws_error("InvalidVPCId", 400):
        create_zone(r53, "other.example", vpc="vpc-0123456789abcdef0")

    public = zone_of(create_zone(r53, "example.com"))
    with aws_error("PublicZoneVPCAssociation", 400):
        r53.associate_vpc_with_hosted_zone(HostedZoneId=public, VPC={"VPCRegion": "us-east-1", "VPCId": vpc1})
    assert r53.get_hosted_zone(Id=zid)["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": vpc1}]


# --------------------------------------------------------------------------- record sets


DS_DIGEST = "2BB183AF5F22588179A53B0A98631FAD1A292118E0B37E2E3CBF4B2A3B5C8E0F"
EVERY_TYPE = [
    rrset("WWW.Example.com", "A", "192.0.2.1", "192.0.2.2"),
    rrset("www.example.com", "AAAA", "2001:db8::1"),
    rrset("example.com", "MX", "10 mail.example.com.", "20 mail2.example.com.", ttl=3600),
    rrset("example.com", "TXT", '"v=spf1 -all"', '"hello" "world"'),
    rrset("example.com", "SPF", '"v=spf1 -all"'),
    rrset("example.com", "CAA", '0 issue "amazon.com"'),
    rrset("_sip._tcp.example.com", "SRV", "10 60 5060 sip.example.com."),
    rrset("shop.example.com", "CNAME", "www.example.com"),
    rrset("ptr.example.com", "PTR", "host.example.com"),
    rrset("naptr.example.com", "NAPTR", '100 50 "u" "E2U+sip" "!^.*$!sip:info@example.com!" .'),
    rrset("sub.example.com", "NS", "ns1.example.net.", "ns2.example.net.", ttl=172800),
    rrset("sub.example.com", "DS", f"12345 13 2 {DS_DIGEST}"),
]


def test_every_record_type_create_upsert_delete(r53, zone):
    info = change(r53, zone, *[create(s) for s in EVERY_TYPE], comment="all types")
    assert CHANGE_ID_RE.match(info["Id"]) and info.get("Comment") == "all types"
    assert r53.get_change(Id=info["Id"])["ChangeInfo"]["Status"] == "INSYNC"

    sets = all_record_sets(r53, zone)
    for s in EVERY_TYPE:
        name = s["Name"].lower().rstrip(".") + "."
        got = find_rrset(sets, name, s["Type"])
        assert got is not None, (name, s["Type"], dump(sets))
        assert got["TTL"] == s["TTL"] and values_of(got) == values_of(s), dump(got)
    assert r53.get_hosted_zone(Id=zone)["HostedZone"]["ResourceRecordSetCount"] == 2 + len(EVERY_TYPE)

    # UPSERT replaces the whole set, or creates it.
    change(r53, zone, upsert(rrset("www.example.com", "A", "192.0.2.9", ttl=60)),
           upsert(rrset("new.example.com", "A", "192.0.2.10")))
    sets = all_record_sets(r53, zone)
    www = find_rrset(sets, "www.example.com.", "A")
    assert (www["TTL"], values_of(www)) == (60, ["192.0.2.9"])
    assert values_of(find_rrset(sets, "new.example.com.", "A")) == ["192.0.2.10"]

    # DELETE with the exact values; then only the zone's own NS and SOA remain.
    current = [s for s in all_record_sets(r53, zone) if s["Name"] != "example.com." or s["Type"] not in ("NS", "SOA")]
    change(r53, zone, *[delete(s) for s in current])
    assert [(s["Name"], s["Type"]) for s in all_record_sets(r53, zone)] == [
        ("example.com.", "NS"), ("example.com.", "SOA")]


def invalid_batch(r53, zone: str, *changes: dict) -> str:
    with aws_error("InvalidChangeBatch", 400) as ei:
        change(r53, zone, *changes)
    return error_message(ei)


def test_invalid_change_batch_messages(r53, zone):
    www = rrset("www.example.com", "A", "192.0.2.1")
    change(r53, zone, create(www))

    msg = invalid_batch(r53, zone, create(www))
    assert msg == "[Tried to create resource record set [name='www.example.com.', type='A'] but it already exists]"
    msg = invalid_batch(r53, zone, delete(rrset("nope.example.com", "A", "192.0.2.1")))
    assert "Tried to delete resource record set [name='nope.example.com.', type='A'] but it was not found" in msg
    msg = invalid_batch(r53, zone, delete(rrset("www.example.com", "A", "192.0.2.99")))
    assert ("Tried to delete resource record set [name='www.example.com.', type='A'] "
            "but the values provided do not match the current values") in msg
    msg = invalid_batch(r53, zone, create(rrset("example.com", "CNAME", "www.example.com")))
    assert "RRSet of type CNAME with DNS name example.com. is not permitted at apex in zone example.com." in msg
    msg = invalid_batch(r53, zone, create(rrset("www.example.com", "CNAME", "other.example.com")))
    assert ("RRSet of type CNAME with DNS name www.example.com. is not permitted as it conflicts with other "
            "records with the same DNS name in zone example.com.") in msg
    msg = invalid_batch(r53, zone, create(rrset("bad.example.com", "A", "300.1.1.1")))
    assert "ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '300.1.1.1'" in msg
    msg = invalid_batch(r53, zone, create(rrset("www.example.org", "A", "192.0.2.1")))
    assert "RRSet with DNS name www.example.org. is not permitted in zone example.com." in msg

    # A weighted set next to a simple one of the same name and type.
    msg = invalid_batch(r53, zone, create(rrset("www.example.com", "A", "192.0.2.5", SetIdentifier="w1", Weight=1)))
    assert ("RRSet with DNS name www.example.com., type A, SetIdentifier w1 cannot be created as a non-weighted "
            "set exists with the same name and type.") in msg

    # Several errors in one batch come back together, as one bracketed list.
    msg = invalid_batch(r53, zone, create(www), delete(rrset("nope.example.com", "A", "192.0.2.1")))
    assert msg.startswith("[") and msg.endswith("]"), msg
    assert "but it already exists" in msg and "but it was not found" in msg, msg

    # Structural mistakes are InvalidInput.
    with aws_error("InvalidInput", 400) as ei:
        change(r53, zone, create(rrset("ttl.example.com", "A", "192.0.2.1", ttl=None)))
    assert ("Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId]"
            in error_message(ei)), error_message(ei)
    with aws_error("InvalidInput", 400) as ei:
        change(r53, zone, create(rrset("w.example.com", "A", "192.0.2.1", Weight=10)))
    assert "Missing field 'SetIdentifier'" in error_message(ei), error_message(ei)
    with aws_error("InvalidInput", 400):  # a SetIdentifier without a routing policy
        change(r53, zone, create(rrset("s.example.com", "A", "192.0.2.1", SetIdentifier="x")))

    # Atomic: the valid change of a failing batch is not applied either.
    before = all_record_sets(r53, zone)
    invalid_batch(r53, zone, create(rrset("fresh.example.com", "A", "192.0.2.7")), create(www))
    assert all_record_sets(r53, zone) == before
    assert r53.get_hosted_zone(Id=zone)["HostedZone"]["ResourceRecordSetCount"] == 3


def test_list_resource_record_sets_order_and_paging(r53, zone):
    change(r53, zone,
           create(rrset("z.example.com", "A", "192.0.2.26")),
           create(rrset("b.a.example.com", "A", "192.0.2.2")),
           create(rrset("a.example.com", "TXT", '"a"')),
           create(rrset("a.example.com", "AAAA", "2001:db8::a")),
           create(rrset("a.example.com", "A", "192.0.2.1")),
           create(rrset("*.example.com", "A", "192.0.2.42")),
           create(rrset("example.com", "MX", "10 mail.example.com.")),
           create(rrset("w.example.com", "A", "192.0.2.20", SetIdentifier="two", Weight=1)),
           create(rrset("w.example.com", "A", "192.0.2.10", SetIdentifier="one", Weight=1)))
    # Names with their labels reversed (the trailing dot sorts "*" before letters), then the type.
    expected = [
        ("example.com.", "MX", None), ("example.com.", "NS", None), ("example.com.", "SOA", None),
        ("\\052.example.com.", "A", None),
        ("a.example.com.", "A", None), ("a.example.com.", "AAAA", None), ("a.example.com.", "TXT", None),
        ("b.a.example.com.", "A", None),
        ("w.example.com.", "A", "one"), ("w.example.com.", "A", "two"),
        ("z.example.com.", "A", None),
    ]
    full = r53.list_resource_record_sets(HostedZoneId=zone)
    assert full["IsTruncated"] is False and full["MaxItems"] == "300"
    assert [(s["Name"], s["Type"], s.get("SetIdentifier")) for s in full["ResourceRecordSets"]] == expected

    pages, args = [], {}
    while True:
        page = r53.list_resource_record_sets(HostedZoneId=zone, MaxItems="3", **args)
        pages.append(page)
        if not page["IsTruncated"]:
            break
        args = {"StartRecordName": page["NextRecordName"], "StartRecordType": page["NextRecordType"]}
        if "NextRecordIdentifier" in page:
            args["StartRecordIdentifier"] = page["NextRecordIdentifier"]
    got = [(s["Name"], s["Type"], s.get("SetIdentifier")) for p in pages for s in p["ResourceRecordSets"]]
    assert got == expected and [len(p["ResourceRecordSets"]) for p in pages] == [3, 3, 3, 2]
    assert (pages[2]["NextRecordName"], pages[2]["NextRecordType"], pages[2]["NextRecordIdentifier"]) == (
        "w.example.com.", "A", "two")
    assert "NextRecordIdentifier" not in pages[0]

    start = r53.list_resource_record_sets(HostedZoneId=zone, StartRecordName="a.example.com",
                                          StartRecordType="AAAA", MaxItems="2")
    assert [(s["Name"], s["Type"]) for s in start["ResourceRecordSets"]] == [
        ("a.example.com.", "AAAA"), ("a.example.com.", "TXT")]
    with aws_error("InvalidInput", 400):  # a type without a name
        r53.list_resource_record_sets(HostedZoneId=zone, StartRecordType="A")


# --------------------------------------------------------------------------- alias records


def test_alias_to_a_record_and_to_an_alb(r53, ec2, elbv2, zone):
    from test_elbv2_live import create_alb, public_vpc

    change(r53, zone, create(rrset("www.example.com", "A", "192.0.2.10")),
           create(alias("app.example.com", "A", zone, "www.example.com")))
    app = find_rrset(all_record_sets(r53, zone), "app.example.com.", "A")
    assert app["AliasTarget"] == {"HostedZoneId": zone, "DNSName": "www.example.com.", "EvaluateTargetHealth": False}
    assert "TTL" not in app and "ResourceRecords" not in app

    _, subnets = public_vpc(ec2)
    lb = create_alb(elbv2, subnets)
    change(r53, zone, create(alias("example.com", "A", lb["CanonicalHostedZoneId"], lb["DNSName"], evaluate=True)))
    apex = find_rrset(all_record_sets(r53, zone), "example.com.", "A")
    target = apex["AliasTarget"]
    assert target["HostedZoneId"] == lb["CanonicalHostedZoneId"] and target["EvaluateTargetHealth"] is True
    assert target["DNSName"].rstrip(".").lower() == lb["DNSName"].lower()

    # Alias and values are exclusive; an alias to the ALB needs the ALB's canonical zone.
    with aws_error("InvalidInput", 400):
        change(r53, zone, create({**rrset("both.example.com", "A", "192.0.2.1"),
                                  "AliasTarget": {"HostedZoneId": zone, "DNSName": "www.example.com",
                                                  "EvaluateTargetHealth": False}}))
    with aws_error("InvalidChangeBatch", 400):
        change(r53, zone, create(alias("wrong.example.com", "A", "Z0000000000000000000", lb["DNSName"])))


# --------------------------------------------------------------------------- health checks


HC_CONFIG = {"IPAddress": "192.0.2.44", "Port": 80, "Type": "HTTP", "ResourcePath": "/health",
             "RequestInterval": 30, "FailureThreshold": 3}


def test_health_checks(r53, zone, aws_cli):
    resp = r53.create_health_check(CallerReference="hc-1", HealthCheckConfig=HC_CONFIG)
    assert status_of(resp) == 201
    hc = resp["HealthCheck"]
    hid = hc["Id"]
    assert UUID_RE.match(hid) and resp["Location"].endswith(f"/2013-04-01/healthcheck/{hid}"), resp["Location"]
    assert (hc["CallerReference"], hc["HealthCheckVersion"]) == ("hc-1", 1)
    cfg = hc["HealthCheckConfig"]
    assert {k: cfg[k] for k in HC_CONFIG} == HC_CONFIG
    assert (cfg["Inverted"], cfg["Disabled"], cfg["MeasureLatency"]) == (False, False, False)

    # Same reference and config: the same check; same reference, other config: refused.
    again = r53.create_health_check(CallerReference="hc-1", HealthCheckConfig=HC_CONFIG)["HealthCheck"]
    assert again["Id"] == hid
    with aws_error("HealthCheckAlreadyExists", 409):
        r53.create_health_check(CallerReference="hc-1", HealthCheckConfig={**HC_CONFIG, "Port": 8080})
    with aws_error("InvalidInput", 400):  # RequestInterval is 10 or 30
        r53.create_health_check(CallerReference="hc-bad", HealthCheckConfig={**HC_CONFIG, "RequestInterval": 20})
    # vpclab extension: loopback targets, so that a local service can be checked.
    local = r53.create_health_check(CallerReference="hc-local", HealthCheckConfig={
        "IPAddress": "127.0.0.1", "Port": closed_port(), "Type": "TCP"})["HealthCheck"]["Id"]
    tcp = r53.create_health_check(CallerReference="hc-tcp", HealthCheckConfig={
        "IPAddress": "192.0.2.45", "Port": 443, "Type": "HTTPS", "FullyQualifiedDomainName": "www.example.com",
        "RequestInterval": 10, "FailureThreshold": 1, "Inverted": True})["HealthCheck"]["Id"]
    # 192.0.2.44/45 are outside --egress-allow (loopback only): never probed, and the checks'
    # status and last failure say so.
    assert set(health_check_reports(r53, hid)) == {egress_refusal("192.0.2.44:80")}
    assert set(health_check_reports(r53, tcp)) == {egress_refusal("192.0.2.45:443")}
    [last] = r53.get_health_check_last_failure_reason(HealthCheckId=hid)["HealthCheckObservations"]
    assert last["StatusReport"]["Status"] == egress_refusal("192.0.2.44:80"), last

    assert r53.get_health_check(HealthCheckId=hid)["HealthCheck"]["HealthCheckConfig"]["ResourcePath"] == "/health"
    assert r53.get_health_check_count()["HealthCheckCount"] == 3
    assert aws_cli("route53", "get-health-check-count").json["HealthCheckCount"] == 3
    first = r53.list_health_checks(MaxItems="2")
    assert len(first["HealthChecks"]) == 2 and first["IsTruncated"] is True
    rest = r53.list_health_checks(MaxItems="2", Marker=first["NextMarker"])
    assert rest["IsTruncated"] is False
    assert sorted(h["Id"] for h in first["HealthChecks"] + rest["HealthChecks"]) == sorted([hid, local, tcp])

    # Versions: each update increments; a stale version is refused.
    up = r53.update_health_check(HealthCheckId=hid, HealthCheckVersion=1, FailureThreshold=5)["HealthCheck"]
    assert (up["HealthCheckVersion"], up["HealthCheckConfig"]["FailureThreshold"]) == (2, 5)
    with aws_error("HealthCheckVersionMismatch", 409):
        r53.update_health_check(HealthCheckId=hid, HealthCheckVersion=1, FailureThreshold=2)
    up = r53.update_health_check(HealthCheckId=hid, Inverted=True)["HealthCheck"]
    assert (up["HealthCheckVersion"], up["HealthCheckConfig"]["Inverted"]) == (3, True)

    # In use by a record set: cannot be deleted.
    primary = rrset("www.example.com", "A", "192.0.2.1", SetIdentifier="a", Failover="PRIMARY", HealthCheckId=hid)
    change(r53, zone, create(primary))
    with aws_error("HealthCheckInUse", 400):
        r53.delete_health_check(HealthCheckId=hid)
    with aws_error("NoSuchHealthCheck", 404):
        change(r53, zone, create(rrset("x.example.com", "A", "192.0.2.1", SetIdentifier="b", Weight=1,
                                       HealthCheckId="11111111-2222-3333-4444-555555555555")))
    change(r53, zone, delete(primary))
    r53.delete_health_check(HealthCheckId=hid)
    with aws_error("NoSuchHealthCheck", 404):
        r53.get_health_check(HealthCheckId=hid)
    assert r53.get_health_check_count()["HealthCheckCount"] == 2


# --------------------------------------------------------------------------- tags, limits


def test_tags_on_zones_and_health_checks(r53, zone):
    hid = r53.create_health_check(CallerReference="hc-tags", HealthCheckConfig=HC_CONFIG)["HealthCheck"]["Id"]
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone,
                                 AddTags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "web"}])
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=hid, AddTags=[{"Key": "env", "Value": "dev"}])
    got = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone)["ResourceTagSet"]
    assert (got["ResourceType"], got["ResourceId"]) == ("hostedzone", zone)
    assert sorted((t["Key"], t["Value"]) for t in got["Tags"]) == [("env", "prod"), ("team", "web")]

    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone, RemoveTagKeys=["team"],
                                 AddTags=[{"Key": "env", "Value": "staging"}])
    got = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone)["ResourceTagSet"]
    assert [(t["Key"], t["Value"]) for t in got["Tags"]] == [("env", "staging")]
    sets = r53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=[hid])["ResourceTagSets"]
    assert [(s["ResourceId"], s["Tags"]) for s in sets] == [(hid, [{"Key": "env", "Value": "dev"}])]

    with aws_error("NoSuchHostedZone", 404):
        r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=MISSING_ZONE)
    with aws_error("NoSuchHealthCheck", 404):
        r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId="11111111-2222-3333-4444-555555555555",
                                     AddTags=[{"Key": "k", "Value": "v"}])


def test_account_and_zone_limits(r53, ec2, zone):
    limit = r53.get_account_limit(Type="MAX_HOSTED_ZONES_BY_OWNER")
    assert limit["Limit"] == {"Type": "MAX_HOSTED_ZONES_BY_OWNER", "Value": 500} and limit["Count"] == 1
    limit = r53.get_account_limit(Type="MAX_HEALTH_CHECKS_BY_OWNER")
    assert limit["Limit"]["Value"] == 200 and limit["Count"] == 0
    assert r53.get_account_limit(Type="MAX_REUSABLE_DELEGATION_SETS_BY_OWNER")["Limit"]["Value"] == 100

    change(r53, zone, create(rrset("www.example.com", "A", "192.0.2.1")))
    limit = r53.get_hosted_zone_limit(Type="MAX_RRSETS_BY_ZONE", HostedZoneId=zone)
    assert limit["Limit"] == {"Type": "MAX_RRSETS_BY_ZONE", "Value": 10000} and limit["Count"] == 3

    private = zone_of(create_zone(r53, "internal.example", vpc=vpc(ec2)))
    limit = r53.get_hosted_zone_limit(Type="MAX_VPCS_ASSOCIATED_BY_ZONE", HostedZoneId=private)
    assert limit["Limit"]["Value"] == 300 and limit["Count"] == 1
    with aws_error("NoSuchHostedZone", 404):
        r53.get_hosted_zone_limit(Type="MAX_RRSETS_BY_ZONE", HostedZoneId=MISSING_ZONE)


# --------------------------------------------------------------------------- delegation sets


def test_reusable_delegation_sets(r53):
    resp = r53.create_reusable_delegation_set(CallerReference="ds-1")
    assert status_of(resp) == 201
    ds = resp["DelegationSet"]
    assert re.match(r"^/delegationset/N[A-Z0-9]{12,31}$", ds["Id"]), ds["Id"]
    dsid = bare_id(ds["Id"])
    assert resp["Location"].endswith(f"/2013-04-01/delegationset/{dsid}"), resp["Location"]
    assert ds["CallerReference"] == "ds-1" and len(ds["NameServers"]) == 4
    with aws_error("DelegationSetAlreadyCreated", 400):
        r53.create_reusable_delegation_set(CallerReference="ds-1")

    # Zones created with the set share its name servers.
    a = create_zone(r53, "example.com", DelegationSetId=dsid)
    b = create_zone(r53, "example.org", DelegationSetId=dsid)
    for z in (a, b):
        assert z["DelegationSet"]["NameServers"] == ds["NameServers"]
        assert bare_id(z["DelegationSet"]["Id"]) == dsid
        ns = find_rrset(all_record_sets(r53, zone_of(z)), z["HostedZone"]["Name"], "NS")
        assert sorted(values_of(ns)) == sorted(s + "." for s in ds["NameServers"])
    assert r53.get_reusable_delegation_set(Id=dsid)["DelegationSet"]["NameServers"] == ds["NameServers"]
    assert [bare_id(d["Id"]) for d in r53.list_reusable_delegation_sets()["DelegationSets"]] == [dsid]
    limit = r53.get_reusable_delegation_set_limit(Type="MAX_ZONES_BY_REUSABLE_DELEGATION_SET", DelegationSetId=dsid)
    assert limit["Limit"]["Value"] == 100 and limit["Count"] == 2

    with aws_error("DelegationSetInUse", 400):
        r53.delete_reusable_delegation_set(Id=dsid)
    with aws_error("NoSuchDelegationSet", 400):
        create_zone(r53, "example.net", DelegationSetId="N0123456789ABCDEFGHIJ")

    # A set made from an existing zone's name servers.
    c = create_zone(r53, "example.net")
    from_zone = r53.create_reusable_delegation_set(CallerReference="ds-2", HostedZoneId=zone_of(c))["DelegationSet"]
    assert from_zone["NameServers"] == c["DelegationSet"]["NameServers"]

    for z in (a, b):
        r53.delete_hosted_zone(Id=zone_of(z))
    r53.delete_reusable_delegation_set(Id=dsid)
    with aws_error("NoSuchDelegationSet", 400):
        r53.get_reusable_delegation_set(Id=dsid)


# --------------------------------------------------------------------------- query logging, CIDR collections


def test_query_logging_configs(r53, zone):
    resp = r53.create_query_logging_config(HostedZoneId=zone, CloudWatchLogsLogGroupArn=LOG_GROUP)
    assert status_of(resp) == 201
    cfg = resp["QueryLoggingConfig"]
    assert UUID_RE.match(cfg["Id"]) and resp["Location"].endswith(f"/2013-04-01/queryloggingconfig/{cfg['Id']}")
    assert (bare_id(cfg["HostedZoneId"]), cfg["CloudWatchLogsLogGroupArn"]) == (zone, LOG_GROUP)
    with aws_error("QueryLoggingConfigAlreadyExists", 409):
        r53.create_query_logging_config(HostedZoneId=zone, CloudWatchLogsLogGroupArn=LOG_GROUP)
    assert r53.get_query_logging_config(Id=cfg["Id"])["QueryLoggingConfig"] == cfg
    assert r53.list_query_logging_configs(HostedZoneId=zone)["QueryLoggingConfigs"] == [cfg]
    assert r53.list_query_logging_configs()["QueryLoggingConfigs"] == [cfg]
    with aws_error("NoSuchHostedZone", 404):
        r53.create_query_logging_config(HostedZoneId=MISSING_ZONE, CloudWatchLogsLogGroupArn=LOG_GROUP)
    r53.delete_query_logging_config(Id=cfg["Id"])
    with aws_error("NoSuchQueryLoggingConfig", 404):
        r53.get_query_logging_config(Id=cfg["Id"])


def test_cidr_collections(r53):
    coll = r53.create_cidr_collection(Name="offices", CallerReference="cc-1")["Collection"]
    cid = coll["Id"]
    assert UUID_RE.match(cid) and coll["Arn"] == f"arn:aws:route53:::cidrcollection/{cid}"
    assert (coll["Name"], coll["Version"]) == ("offices", 1)
    with aws_error("CidrCollectionAlreadyExistsException", None):
        r53.create_cidr_collection(Name="offices", CallerReference="cc-2")

    r53.change_cidr_collection(Id=cid, CollectionVersion=1, Changes=[
        {"LocationName": "dublin", "Action": "PUT", "CidrList": ["192.0.2.0/24"]},
        {"LocationName": "sydney", "Action": "PUT", "CidrList": ["198.51.100.0/24", "2001:db8::/48"]}])
    [listed] = r53.list_cidr_collections()["CidrCollections"]
    assert (listed["Id"], listed["Name"], listed["Version"]) == (cid, "offices", 2)
    locations = r53.list_cidr_locations(CollectionId=cid)["CidrLocations"]
    assert sorted(x["LocationName"] for x in locations) == ["dublin", "sydney"]
    blocks = r53.list_cidr_blocks(CollectionId=cid)["CidrBlocks"]
    assert sorted((b["LocationName"], b["CidrBlock"]) for b in blocks) == [
        ("dublin", "192.0.2.0/24"), ("sydney", "198.51.100.0/24"), ("sydney", "2001:db8::/48")]
    blocks = r53.list_cidr_blocks(CollectionId=cid, LocationName="dublin")["CidrBlocks"]
    assert [b["CidrBlock"] for b in blocks] == ["192.0.2.0/24"]

    with aws_error("CidrCollectionVersionMismatchException", 409):
        r53.change_cidr_collection(Id=cid, CollectionVersion=1, Changes=[
            {"LocationName": "dublin", "Action": "DELETE_IF_EXISTS", "CidrList": ["192.0.2.0/24"]}])
    with aws_error("CidrCollectionInUseException", 400):  # not empty
        r53.delete_cidr_collection(Id=cid)
    r53.change_cidr_collection(Id=cid, Changes=[
        {"LocationName": "dublin", "Action": "DELETE_IF_EXISTS", "CidrList": ["192.0.2.0/24"]},
        {"LocationName": "sydney", "Action": "DELETE_IF_EXISTS", "CidrList": ["198.51.100.0/24", "2001:db8::/48"]}])
    r53.delete_cidr_collection(Id=cid)
    assert r53.list_cidr_collections()["CidrCollections"] == []
    with aws_error("NoSuchCidrCollectionException", 404):
        r53.list_cidr_locations(CollectionId=cid)


# --------------------------------------------------------------------------- malformed input


def test_malformed_xml_is_a_400_error_response(endpoint):
    path = "/2013-04-01/hostedzone"
    ns = b'<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">'
    hostile = (
        ns + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</CreateHostedZoneRequest>",  # deep nesting
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "xx">]>' + ns + b"<Name>&x;</Name></CreateHostedZoneRequest>",
        bytes(range(256)) * 20,  # not text
    )
    for body in (ns + b"<Name>x", b"not xml at all", b"", *hostile):
        headers = sign_headers(endpoint, body, service="route53", content_type="application/xml", path=path)
        r = requests.post(endpoint + path, data=body, headers=headers, timeout=15)
        assert r.status_code == 400, (body, r.status_code, r.text[:500])
        assert "<ErrorResponse" in r.text and re.search(r"<Code>\w+</Code>", r.text), r.text[:500]
    # The server is still serving, and nothing was created.
    r53 = make_client(endpoint, service="route53")
    assert r53.list_hosted_zones()["HostedZones"] == []
