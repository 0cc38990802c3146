"""Route 53 answering real DNS queries: zones built with boto3, then asked with `dig` on the
listeners /_vpclab/endpoints lists (dns_helpers).

The public view is authoritative (AA) for the public hosted zones: TTLs as stored, every record
type, CNAMEs chased inside the zone, wildcards, NXDOMAIN and NODATA with the zone's SOA in the
AUTHORITY section, TCP, EDNS buffer sizes and truncation.  Routing policies: weighted answers in
proportion over 400 queries, failover and multivalue driven by health checks that really probe a
local HTTP server the test stops and brings back (interval 10 s, threshold 1), geolocation and
latency decided by the EDNS client subnet (`dig +subnet=`, mapped by the session server's
--dns-client-location).  Private zones are answered on their VPC's resolver only.  An alias to an
ALB answers the address its listener is served on.  TestDNSAnswer answers from the same engine.

Skipped when `dig` is not on PATH.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from dns_helpers import (
    CLIENT_IRELAND,
    CLIENT_OREGON,
    CLIENT_SYDNEY,
    LOOPBACK,
    SOA_RE,
    alias,
    answers_with,
    change,
    create,
    create_zone,
    delete,
    dig,
    dig_batch,
    dns_endpoints,
    http_health_check,
    public_dns_port,
    requires_dig,
    rrset,
    vpc_dns_port,
    zone_of,
)
from lb_helpers import HttpBackend, ask, listener_endpoint
from vpclab_helpers import TIMINGS, wait_until

pytestmark = requires_dig

# A health check of interval 10 s and threshold 1 turns within one or two intervals; the DNS
# plane follows at once.  Slack for the check in flight.
FLIP_WITHIN = 35.0
WEIGHTED_QUERIES = 400




@pytest.fixture
def port(endpoint) -> int:
    return public_dns_port(endpoint)


def live(port: int, name: str, rtype: str, expected: list[str], timeout: float = 5.0, **kw) -> None:
    """Wait until the answer to name/rtype is `expected` (sorted): changes are INSYNC at once and
    reach the DNS plane a moment later."""
    wait_until(lambda: answers_with(port, name, rtype, **kw) == sorted(expected), timeout=timeout,
               interval=0.1, desc=f"{name} {rtype} -> {expected}")


def assert_negative(a, status: str) -> None:
    """NXDOMAIN or NODATA: authoritative, no answer, the zone's SOA in AUTHORITY with the negative TTL."""
    assert a.status == status and a.aa and a.answer == [], a
    soa = a.soa()
    assert soa is not None and soa.name == "example.com." and SOA_RE.match(soa.data), a
    assert soa.ttl == 900, a  # min(SOA TTL 900, SOA minimum 86400)


# --------------------------------------------------------------------------- the public view


def test_authoritative_answers(r53, zone, port):
    big = [f'"{c * 200}"' for c in "abcdefgh"]  # ~1.6 kB of TXT: more than 512 bytes
    change(r53, zone,
           create(rrset("www.example.com", "A", "192.0.2.1", "192.0.2.2", ttl=300)),
           create(rrset("www.example.com", "AAAA", "2001:db8::1", ttl=120)),
           create(rrset("example.com", "MX", "10 mail.example.com.", ttl=3600)),
           create(rrset("example.com", "TXT", '"v=spf1 -all"')),
           create(rrset("example.com", "CAA", '0 issue "amazon.com"')),
           create(rrset("_sip._tcp.example.com", "SRV", "10 60 5060 sip.example.com.")),
           create(rrset("shop.example.com", "CNAME", "www.example.com", ttl=60)),
           create(rrset("*.wild.example.com", "A", "192.0.2.99")),
           create(rrset("big.example.com", "TXT", *big)))
    live(port, "www.example.com", "A", ["192.0.2.1", "192.0.2.2"])

    a = dig(port, "www.example.com", "A")
    assert a.status == "NOERROR" and a.aa and "qr" in a.flags, a
    assert [(r.name, r.ttl, r.rtype) for r in a.answer] == [("www.example.com.", 300, "A")] * 2, a
    assert dig(port, "WWW.Example.COM", "A").data("A") == a.data("A")  # names are case-insensitive
    aaaa = dig(port, "www.example.com", "AAAA")
    assert [(r.ttl, r.data) for r in aaaa.answer] == [(120, "2001:db8::1")], aaaa
    mx = dig(port, "example.com", "MX")
    assert [(r.ttl, r.data) for r in mx.answer] == [(3600, "10 mail.example.com.")], mx
    assert dig(port, "example.com", "TXT").data("TXT") == ['"v=spf1 -all"']
    assert dig(port, "example.com", "CAA").data("CAA") == ['0 issue "amazon.com"']
    assert dig(port, "_sip._tcp.example.com", "SRV").data("SRV") == ["10 60 5060 sip.example.com."]
    ns = dig(port, "example.com", "NS")
    assert ns.aa and len(ns.data("NS")) == 4 and all(r.ttl == 172800 for r in ns.answer), ns

    # A CNAME, chased inside the zone.
    shop = dig(port, "shop.example.com", "A")
    assert [(r.name, r.rtype, r.ttl, r.data) for r in shop.answer[:1]] == [
        ("shop.example.com.", "CNAME", 60, "www.example.com.")], shop
    assert sorted(shop.data("A")) == ["192.0.2.1", "192.0.2.2"], shop

    # A wildcard answers in the name asked.
    w = dig(port, "anything.wild.example.com", "A")
    assert [(r.name, r.data) for r in w.answer] == [("anything.wild.example.com.", "192.0.2.99")], w

    # NXDOMAIN and NODATA carry the SOA; a name in no zone is refused.
    assert_negative(dig(port, "nope.example.com", "A"), "NXDOMAIN")
    assert_negative(dig(port, "www.example.com", "TXT"), "NOERROR")
    assert dig(port, "www.example.org", "A").status == "REFUSED"

    # TCP gives the same answer.
    t = dig(port, "www.example.com", "A", tcp=True)
    assert t.aa and sorted(t.data("A")) == ["192.0.2.1", "192.0.2.2"], t

    # EDNS: a large answer fits a large buffer, is truncated in a small one, and is whole over TCP.
    large = dig(port, "big.example.com", "TXT", bufsize=4096)
    assert "tc" not in large.flags and len(large.data("TXT")) == 8, large
    assert large.edns.get("udp"), large  # the OPT record is echoed
    small = dig(port, "big.example.com", "TXT", "+ignore", bufsize=512)
    assert "tc" in small.flags, small
    assert len(dig(port, "big.example.com", "TXT", tcp=True).data("TXT")) == 8

    # A deleted record stops being answered.
    change(r53, zone, delete(rrset("shop.example.com", "CNAME", "www.example.com", ttl=60)))
    wait_until(lambda: dig(port, "shop.example.com", "A").status == "NXDOMAIN", timeout=5, interval=0.1,
               desc="shop.example.com gone")


def test_dns_answer_is_what_the_name_server_answers(r53, zone, port):
    """TestDNSAnswer asks the DNS engine itself: values in Route 53's presentation form, the
    routing policy applied, NXDOMAIN for a missing name."""
    change(r53, zone,
           create(rrset("www.example.com", "A", "192.0.2.1", ttl=300)),
           create(rrset("example.com", "MX", "10 mail.example.com.", ttl=3600)),
           create(rrset("example.com", "TXT", '"v=spf1 -all"')),
           create(rrset("tw.example.com", "A", "10.0.0.1", ttl=60, SetIdentifier="one", Weight=1)),
           create(rrset("tw.example.com", "A", "10.0.0.3", ttl=60, SetIdentifier="zero", Weight=0)))
    live(port, "www.example.com", "A", ["192.0.2.1"])

    def ask(name: str, rtype: str, **kw) -> dict:
        return r53.test_dns_answer(HostedZoneId=zone, RecordName=name, RecordType=rtype, **kw)

    a = ask("www.example.com", "A")
    assert (a["ResponseCode"], a["RecordData"], a["Protocol"]) == ("NOERROR", ["192.0.2.1"], "UDP"), a
    assert a["RecordName"] == "www.example.com" and a["RecordType"] == "A", a
    ns = r53.get_hosted_zone(Id=zone)["DelegationSet"]["NameServers"][0]
    assert a["Nameserver"] == ns.rstrip("."), a
    assert ask("example.com", "MX")["RecordData"] == ["10 mail.example.com."]
    assert ask("example.com", "TXT")["RecordData"] == ['"v=spf1 -all"']
    # Weighted: the weight-0 set is never the answer.
    weighted = ask("tw.example.com", "A", ResolverIP="192.0.2.53", EDNS0ClientSubnetIP="198.51.100.7")
    assert (weighted["ResponseCode"], weighted["RecordData"]) == ("NOERROR", ["10.0.0.1"]), weighted
    nx = ask("nope.example.com", "A")
    assert (nx["ResponseCode"], nx["RecordData"]) == ("NXDOMAIN", []), nx
    with pytest.raises(r53.exceptions.NoSuchHostedZone):
        r53.test_dns_answer(HostedZoneId="ZNOSUCHZONE00000", RecordName="a.example.com", RecordType="A")
    with pytest.raises(r53.exceptions.InvalidInput):
        ask("www.example.com", "A", EDNS0ClientSubnetIP="192.0.2.1", EDNS0ClientSubnetMask="33")


# --------------------------------------------------------------------------- routing policies


def test_weighted_answers_split_near_the_weights(r53, zone, port):
    change(r53, zone,
           create(rrset("w.example.com", "A", "10.0.0.1", ttl=60, SetIdentifier="three", Weight=3)),
           create(rrset("w.example.com", "A", "10.0.0.2", ttl=60, SetIdentifier="one", Weight=1)),
           create(rrset("w.example.com", "A", "10.0.0.3", ttl=60, SetIdentifier="zero", Weight=0)))
    wait_until(lambda: dig(port, "w.example.com", "A").data("A"), timeout=5, interval=0.1, desc="w.example.com live")

    answers = dig_batch(port, [("w.example.com", "A")] * WEIGHTED_QUERIES)
    assert all(a.aa and len(a.data("A")) == 1 for a in answers), next(a for a in answers if len(a.data("A")) != 1)
    counts = Counter(a.data("A")[0] for a in answers)
    # Expected 300 / 100 / 0; the bounds are ~5 standard deviations (sqrt(400 * 3/4 * 1/4) ≈ 8.7).
    assert 255 <= counts["10.0.0.1"] <= 345 and counts["10.0.0.3"] == 0, counts
    assert counts["10.0.0.1"] + counts["10.0.0.2"] == WEIGHTED_QUERIES, counts


def test_failover_and_multivalue_follow_health_checks(r53, zone, port):
    """One local server behind a health check: while it is down the failover name answers the
    secondary and the multivalue name leaves its record out; when it comes back, both return."""
    app = HttpBackend("app")
    steady = HttpBackend("steady")
    try:
        app_check = http_health_check(r53, app.port)
        steady_check = http_health_check(r53, steady.port)
        change(r53, zone,
               create(rrset("fo.example.com", "A", "192.0.2.1", ttl=60, SetIdentifier="primary",
                            Failover="PRIMARY", HealthCheckId=app_check)),
               create(rrset("fo.example.com", "A", "192.0.2.2", ttl=60, SetIdentifier="secondary",
                            Failover="SECONDARY")),
               create(rrset("mv.example.com", "A", "10.1.0.1", ttl=60, SetIdentifier="app",
                            MultiValueAnswer=True, HealthCheckId=app_check)),
               create(rrset("mv.example.com", "A", "10.1.0.2", ttl=60, SetIdentifier="unchecked",
                            MultiValueAnswer=True)),
               create(rrset("mv.example.com", "A", "10.1.0.3", ttl=60, SetIdentifier="steady",
                            MultiValueAnswer=True, HealthCheckId=steady_check)))
        live(port, "fo.example.com", "A", ["192.0.2.1"], timeout=FLIP_WITHIN)
        live(port, "mv.example.com", "A", ["10.1.0.1", "10.1.0.2", "10.1.0.3"], timeout=FLIP_WITHIN)
        wait_until(lambda: app.health_checks > 0, timeout=FLIP_WITHIN, desc="the health check probing the server")

        app.kill()
        t0 = time.monotonic()
        live(port, "fo.example.com", "A", ["192.0.2.2"], timeout=FLIP_WITHIN)
        took = time.monotonic() - t0
        live(port, "mv.example.com", "A", ["10.1.0.2", "10.1.0.3"], timeout=FLIP_WITHIN)
        observations = r53.get_health_check_status(HealthCheckId=app_check)["HealthCheckObservations"]
        assert observations and observations[0]["StatusReport"]["Status"].startswith("Failure"), observations
        assert all(o["IPAddress"] for o in observations) and all("Region" in o for o in observations), observations

        app = HttpBackend("app", port=app.port)  # back on the same address
        live(port, "fo.example.com", "A", ["192.0.2.1"], timeout=FLIP_WITHIN)
        live(port, "mv.example.com", "A", ["10.1.0.1", "10.1.0.2", "10.1.0.3"], timeout=FLIP_WITHIN)
        observations = r53.get_health_check_status(HealthCheckId=app_check)["HealthCheckObservations"]
        assert observations[0]["StatusReport"]["Status"].startswith("Success"), observations
        TIMINGS.append(f"route53 failover: secondary answered {took:.1f}s after the primary stopped")
    finally:
        app.kill()
        steady.kill()


def test_geolocation_and_latency_by_client_subnet(r53, zone, port):
    change(r53, zone,
           create(rrset("geo.example.com", "A", "10.2.0.1", SetIdentifier="europe", GeoLocation={"ContinentCode": "EU"})),
           create(rrset("geo.example.com", "A", "10.2.0.2", SetIdentifier="australia", GeoLocation={"CountryCode": "AU"})),
           create(rrset("geo.example.com", "A", "10.2.0.3", SetIdentifier="oregon",
                        GeoLocation={"CountryCode": "US", "SubdivisionCode": "OR"})),
           create(rrset("geo.example.com", "A", "10.2.0.4", SetIdentifier="default", GeoLocation={"CountryCode": "*"})),
           create(rrset("eu-only.example.com", "A", "10.2.1.1", SetIdentifier="europe",
                        GeoLocation={"ContinentCode": "EU"})),
           create(rrset("lat.example.com", "A", "10.3.0.1", SetIdentifier="dublin", Region="eu-west-1")),
           create(rrset("lat.example.com", "A", "10.3.0.2", SetIdentifier="sydney", Region="ap-southeast-2")),
           create(rrset("lat.example.com", "A", "10.3.0.3", SetIdentifier="virginia", Region="us-east-1")))
    live(port, "geo.example.com", "A", ["10.2.0.4"])

    def one(name: str, client: str | None) -> list[str]:
        return dig(port, name, "A", subnet=f"{client}/32" if client else None).data("A")

    # The most specific location wins; anyone else gets the default record.
    assert one("geo.example.com", CLIENT_IRELAND) == ["10.2.0.1"]
    assert one("geo.example.com", CLIENT_SYDNEY) == ["10.2.0.2"]
    assert one("geo.example.com", CLIENT_OREGON) == ["10.2.0.3"]
    assert one("geo.example.com", None) == ["10.2.0.4"]  # 127.0.0.1: the default location, US/VA
    assert one("eu-only.example.com", CLIENT_IRELAND) == ["10.2.1.1"]
    nodata = dig(port, "eu-only.example.com", "A")  # no default record: no answer, not an error
    assert nodata.status == "NOERROR" and nodata.answer == [] and nodata.soa() is not None, nodata

    # Latency: the record of the client's region, else the nearest one.
    assert one("lat.example.com", CLIENT_IRELAND) == ["10.3.0.1"]
    assert one("lat.example.com", CLIENT_SYDNEY) == ["10.3.0.2"]
    assert one("lat.example.com", None) == ["10.3.0.3"]
    assert one("lat.example.com", CLIENT_OREGON) == ["10.3.0.3"]  # us-west-2: us-east-1 is nearest


# --------------------------------------------------------------------------- private zones, aliases


def test_private_zone_answered_on_its_vpc_resolver_only(endpoint, ec2, r53, port):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    public = zone_of(create_zone(r53, "example.com"))
    change(r53, public, create(rrset("www.example.com", "A", "192.0.2.1")),
           create(rrset("api.example.com", "A", "192.0.2.2")))
    private = zone_of(create_zone(r53, "example.com", vpc=vpc))
    change(r53, private, create(rrset("www.example.com", "A", "10.0.0.10")))
    corp = zone_of(create_zone(r53, "corp.internal", vpc=vpc))
    change(r53, corp, create(rrset("db.corp.internal", "A", "10.0.0.20")))
    org = zone_of(create_zone(r53, "example.org"))
    change(r53, org, create(rrset("www.example.org", "A", "192.0.2.3")))

    inside = vpc_dns_port(endpoint, vpc)
    live(inside, "db.corp.internal", "A", ["10.0.0.20"])
    # The private zone answers for its VPC and shadows the public zone of the same name: a name it
    # lacks is NXDOMAIN, not the public record.
    assert dig(inside, "www.example.com", "A").data("A") == ["10.0.0.10"]
    assert dig(inside, "api.example.com", "A").status == "NXDOMAIN"
    assert dig(inside, "www.example.org", "A").data("A") == ["192.0.2.3"]  # public zones too
    assert dig(inside, "www.example.net", "A").status == "REFUSED"  # in no zone (no internet here)

    # Outside the VPC: the public view and another VPC's resolver see only the public zones.
    live(port, "www.example.com", "A", ["192.0.2.1"])
    pub = dig(port, "db.corp.internal", "A")
    assert pub.status == "REFUSED" and pub.answer == [], pub
    outside = vpc_dns_port(endpoint, other)
    assert dig(outside, "www.example.com", "A").data("A") == ["192.0.2.1"]
    assert dig(outside, "db.corp.internal", "A").status == "REFUSED"

    # Until then the other VPC's resolver has no names of its own: it answers on the shared port.
    assert [e["shared"] for e in dns_endpoints(endpoint) if e.get("vpc_id") == other] == [True]
    assert [e["shared"] for e in dns_endpoints(endpoint) if e.get("vpc_id") == vpc] == [False]

    # Associating the other VPC opens the private zone to it, on a port of its own from then on.
    r53.associate_vpc_with_hosted_zone(HostedZoneId=corp, VPC={"VPCRegion": "us-east-1", "VPCId": other})
    other_port = vpc_dns_port(endpoint, other)
    assert other_port != outside
    live(other_port, "db.corp.internal", "A", ["10.0.0.20"])
    assert dig(outside, "db.corp.internal", "A").status == "REFUSED", "the shared port has no private names"

    # A VPC without DNS support has no resolver.
    ec2.modify_vpc_attribute(VpcId=other, EnableDnsSupport={"Value": False})
    wait_until(lambda: not [e for e in dns_endpoints(endpoint) if e.get("vpc_id") == other], timeout=5,
               interval=0.1, desc=f"the resolver of {other} to go away")


def test_alias_to_an_alb_answers_its_listener_address(endpoint, ec2, elbv2, r53, zone, port):
    from test_elbv2_live import create_alb, public_vpc

    _, subnets = public_vpc(ec2)
    lb = create_alb(elbv2, subnets)
    listener = elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain",
                                                           "MessageBody": "hello from the alb"}}])["Listeners"][0]
    change(r53, zone,
           create(alias("example.com", "A", lb["CanonicalHostedZoneId"], lb["DNSName"])),
           create(rrset("www.example.com", "A", "192.0.2.10")),
           create(alias("app.example.com", "A", zone, "www.example.com")))
    live(port, "example.com", "A", [LOOPBACK])
    apex = dig(port, "example.com", "A")
    assert apex.aa and [(r.name, r.rtype) for r in apex.answer] == [("example.com.", "A")], apex
    assert dig(port, "app.example.com", "A").data("A") == ["192.0.2.10"]  # an alias is answered as A, no CNAME

    # The answered address really serves the listener.
    ep = listener_endpoint(endpoint, listener["ListenerArn"])
    assert ep["address"].rsplit(":", 1)[0] == LOOPBACK
    r = ask(ep["url"])
    assert (r.status_code, r.text) == (200, "hello from the alb")
