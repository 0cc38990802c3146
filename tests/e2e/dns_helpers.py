"""Route 53 builders and a `dig` driver for the Route 53 tests (test_route53_api.py,
test_route53_dns.py, test_terraform_route53.py).

Builders: `create_zone`, `rrset`, `create`/`upsert`/`delete` change items, `change` (one
ChangeResourceRecordSets batch), `all_record_sets` (every page of ListResourceRecordSets).

`OnPremDns`: a tiny UDP DNS server standing for on premises (Resolver forwarding targets).

DNS: vpclab serves its hosted zones on local UDP+TCP listeners listed by `GET /_vpclab/endpoints`
(`kind: dns`): one public view (public zones only, authoritative) and one per VPC with DNS
support (the VPC's `.2` resolver: its private zones, then the public zones).  `dig(...)` asks one
question, `dig_batch(...)` many in one `dig -f` process (hundreds of queries in well under a
second), and both return parsed `DigAnswer`s: status, header flags, sections, the EDNS pseudo
section.  dig 9.18 has no JSON output, so the text of `+noall +comments +answer +authority
+additional` is parsed here.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lb_helpers import live_endpoints
from vpclab_helpers import wait_until

DIG = shutil.which("dig")
requires_dig = pytest.mark.skipif(
    DIG is None,
    reason="`dig` is not on PATH (Debian/Ubuntu: apt-get install dnsutils); skipping the DNS answer tests")

LOOPBACK = "127.0.0.1"
# Seconds within which a DNS listener appears after the change that creates it (contract: ~2 s).
LISTENER_WITHIN = 5.0

# The session server maps these client subnets to locations (conftest's --dns-client-location);
# any other client (e.g. 127.0.0.1 without an EDNS client subnet) is us-east-1 / NA / US / VA.
CLIENT_IRELAND = "192.0.2.1"       # eu-west-1, EU, IE
CLIENT_SYDNEY = "198.51.100.7"     # ap-southeast-2, OC, AU
CLIENT_OREGON = "203.0.113.9"      # us-west-2, NA, US, OR
CLIENT_LOCATIONS = [
    "192.0.2.0/24=eu-west-1:EU:IE",
    "198.51.100.0/24=ap-southeast-2:OC:AU",
    "203.0.113.0/24=us-west-2:NA:US:OR",
]
DEFAULT_CLIENT_LOCATION = "us-east-1:NA:US:VA"
# What OnPremDns answers.
ON_PREM_ANSWER = "192.168.50.5"

SOA_RE = re.compile(r"^ns-\d{1,4}\.awsdns-\d{2}\.(com|net|org|co\.uk)\. awsdns-hostmaster\.amazon\.com\. "
                    r"1 7200 900 1209600 86400$")
NAME_SERVER_RE = re.compile(r"^ns-\d{1,4}\.awsdns-\d{2}\.(com|net|org|co\.uk)$")


# --------------------------------------------------------------------------- Route 53 builders


def bare_id(resource_id: str) -> str:
    """'/hostedzone/Z123' -> 'Z123' (also for /change/, /delegationset/)."""
    return resource_id.rsplit("/", 1)[-1]


def create_zone(r53, name: str, *, vpc: str | None = None, vpc_region: str = "us-east-1",
                comment: str | None = None, ref: str | None = None, **kw) -> dict:
    """CreateHostedZone; a private zone when `vpc` is given.  Returns the whole response."""
    config: dict = {"PrivateZone": vpc is not None}
    if comment is not None:
        config["Comment"] = comment
    args = dict(Name=name, CallerReference=ref or f"ref-{uuid.uuid4()}", HostedZoneConfig=config, **kw)
    if vpc is not None:
        args["VPC"] = {"VPCRegion": vpc_region, "VPCId": vpc}
    return r53.create_hosted_zone(**args)


def zone_of(resp: dict) -> str:
    """The bare id of the zone a CreateHostedZone response describes."""
    return bare_id(resp["HostedZone"]["Id"])


def rrset(name: str, rtype: str, *values: str, ttl: int | None = 300, **extra) -> dict:
    """A ResourceRecordSet: rrset('www.example.com', 'A', '192.0.2.1', SetIdentifier=..., Weight=...)."""
    out: dict = {"Name": name, "Type": rtype, **extra}
    if values:
        out["ResourceRecords"] = [{"Value": v} for v in values]
    if ttl is not None and "AliasTarget" not in extra:
        out["TTL"] = ttl
    return out


def alias(name: str, rtype: str, zone_id: str, dns_name: str, evaluate: bool = False, **extra) -> dict:
    return rrset(name, rtype, ttl=None, AliasTarget={
        "HostedZoneId": zone_id, "DNSName": dns_name, "EvaluateTargetHealth": evaluate}, **extra)


def create(rrs: dict) -> dict:
    return {"Action": "CREATE", "ResourceRecordSet": rrs}


def upsert(rrs: dict) -> dict:
    return {"Action": "UPSERT", "ResourceRecordSet": rrs}


def delete(rrs: dict) -> dict:
    return {"Action": "DELETE", "ResourceRecordSet": rrs}


def change(r53, zone_id: str, *changes: dict, comment: str | None = None) -> dict:
    """One ChangeResourceRecordSets batch; returns its ChangeInfo."""
    batch: dict = {"Changes": list(changes)}
    if comment is not None:
        batch["Comment"] = comment
    return r53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)["ChangeInfo"]


def all_record_sets(r53, zone_id: str) -> list[dict]:
    """Every record set of the zone, following the Next* markers."""
    out: list[dict] = []
    args: dict = {"HostedZoneId": zone_id}
    for _ in range(1000):
        page = r53.list_resource_record_sets(**args)
        out += page["ResourceRecordSets"]
        if not page["IsTruncated"]:
            return out
        args = {"HostedZoneId": zone_id, "StartRecordName": page["NextRecordName"],
                "StartRecordType": page["NextRecordType"]}
        if "NextRecordIdentifier" in page:
            args["StartRecordIdentifier"] = page["NextRecordIdentifier"]
    raise AssertionError("ListResourceRecordSets paging did not terminate")


def values_of(rrs: dict) -> list[str]:
    return [r["Value"] for r in rrs.get("ResourceRecords", [])]


def find_rrset(sets: list[dict], name: str, rtype: str, set_id: str | None = None) -> dict | None:
    for s in sets:
        if s["Name"] == name and s["Type"] == rtype and s.get("SetIdentifier") == set_id:
            return s
    return None


def http_health_check(r53, port: int, *, ref: str | None = None, ip: str = LOOPBACK, path: str = "/healthz",
                      interval: int = 10, threshold: int = 1) -> str:
    """An HTTP health check of ip:port/path (loopback is a vpclab extension); returns its id."""
    return r53.create_health_check(CallerReference=ref or f"hc-{uuid.uuid4()}", HealthCheckConfig={
        "IPAddress": ip, "Port": port, "Type": "HTTP", "ResourcePath": path,
        "RequestInterval": interval, "FailureThreshold": threshold})["HealthCheck"]["Id"]


def egress_refusal(address: str) -> str:
    """What a health check outside --egress-allow reports (address: ip:port)."""
    return (f"Failure: vpclab does not connect to {address}: the address is outside --egress-allow "
            "(loopback only by default)")


def health_check_reports(r53, health_check_id: str, timeout: float = 10.0) -> list[str]:
    """The StatusReport texts of GetHealthCheckStatus, once the first probe has reported."""
    def reports():
        observations = r53.get_health_check_status(HealthCheckId=health_check_id)["HealthCheckObservations"]
        return [o["StatusReport"]["Status"] for o in observations]
    return wait_until(reports, timeout=timeout, interval=0.2, desc=f"a report of health check {health_check_id}")


# --------------------------------------------------------------------------- DNS listeners


def dns_endpoints(endpoint: str) -> list[dict]:
    return [e for e in live_endpoints(endpoint) if e.get("kind") == "dns"]


def public_dns_port(endpoint: str, timeout: float = LISTENER_WITHIN) -> int:
    """Port of the public view (authoritative for the public hosted zones)."""
    ep = wait_until(lambda: next((e for e in dns_endpoints(endpoint) if e.get("view") == "public"), None),
                    timeout=timeout, interval=0.1, desc="the public DNS listener in /_vpclab/endpoints")
    assert ep["address"] == LOOPBACK and sorted(ep["protocols"]) == ["tcp", "udp"], ep
    return int(ep["port"])


def vpc_dns_port(endpoint: str, vpc_id: str, timeout: float = LISTENER_WITHIN) -> int:
    """Port of the VPC's emulated `.2` resolver."""
    ep = wait_until(lambda: next((e for e in dns_endpoints(endpoint)
                                  if e.get("view") == "vpc" and e.get("vpc_id") == vpc_id), None),
                    timeout=timeout, interval=0.1, desc=f"the DNS listener of {vpc_id} in /_vpclab/endpoints")
    assert ep["address"] == LOOPBACK and sorted(ep["protocols"]) == ["tcp", "udp"], ep
    return int(ep["port"])


# --------------------------------------------------------------------------- on premises


class OnPremDns:
    """A UDP DNS server standing for on premises (on `host`:`port`; port 0: an ephemeral one)
    answering every question with one A record, `address`; `queries` counts what it was asked."""

    def __init__(self, address: str = ON_PREM_ANSWER, host: str = LOOPBACK, port: int = 0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, port))
        self.sock.settimeout(0.2)
        self.queries = 0
        self.port = self.sock.getsockname()[1]
        self.rdata = socket.inet_aton(address)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                query, client = self.sock.recvfrom(4096)
            except (socket.timeout, OSError):
                continue
            self.queries += 1
            end = query.index(0, 12) + 5  # the question: name, type, class
            header = query[:2] + bytes([0x84 | (query[2] & 0x01), 0]) + b"\x00\x01\x00\x01\x00\x00\x00\x00"
            answer = b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" + self.rdata
            self.sock.sendto(header + query[12:end] + answer, client)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.sock.close()


# --------------------------------------------------------------------------- dig


@dataclass
class RR:
    name: str
    ttl: int
    rclass: str
    rtype: str
    data: str


@dataclass
class DigAnswer:
    status: str
    flags: set[str]
    answer: list[RR] = field(default_factory=list)
    authority: list[RR] = field(default_factory=list)
    additional: list[RR] = field(default_factory=list)
    edns: dict[str, str] = field(default_factory=dict)  # "udp" -> "1232", "CLIENT-SUBNET" -> "…"
    raw: str = ""

    @property
    def aa(self) -> bool:
        return "aa" in self.flags

    def data(self, rtype: str | None = None) -> list[str]:
        """The rdata of the ANSWER records (of one type), in order."""
        return [r.data for r in self.answer if rtype is None or r.rtype == rtype]

    def soa(self) -> RR | None:
        return next((r for r in self.authority if r.rtype == "SOA"), None)

    def __str__(self) -> str:
        return self.raw


_HEADER = re.compile(r"->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)")
_FLAGS = re.compile(r";; flags:([^;]*);")
_SECTION = re.compile(r";; (\w+) SECTION:")


def parse_dig(text: str) -> list[DigAnswer]:
    """The answers in dig's `+noall +comments +answer +authority +additional` output, in order."""
    answers: list[DigAnswer] = []
    cur: DigAnswer | None = None
    section: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        m = _HEADER.search(line)
        if m:
            if cur is not None:
                cur.raw = "\n".join(lines)
            cur = DigAnswer(status=m.group(2), flags=set())
            answers.append(cur)
            lines = []
            section = None
        lines.append(line)
        if cur is None:
            continue
        m = _FLAGS.match(line)
        if m:
            cur.flags = set(m.group(1).split())
            continue
        if line.startswith(";; OPT PSEUDOSECTION"):
            section = "opt"
            continue
        m = _SECTION.match(line)
        if m:
            section = m.group(1).lower()
            continue
        if not line.strip():
            continue
        if section == "opt" and line.startswith("; "):
            body = line[2:]
            if body.startswith("EDNS:"):
                m = re.search(r"udp: (\d+)", body)
                if m:
                    cur.edns["udp"] = m.group(1)
            elif ":" in body:
                k, v = body.split(":", 1)
                cur.edns[k.strip()] = v.strip()
            continue
        if line.startswith(";") or section not in ("answer", "authority", "additional"):
            continue
        parts = line.split(None, 4)
        if len(parts) < 4:
            continue
        rr = RR(name=parts[0], ttl=int(parts[1]), rclass=parts[2], rtype=parts[3],
                data=parts[4].strip() if len(parts) > 4 else "")
        getattr(cur, section).append(rr)
    if cur is not None:
        cur.raw = "\n".join(lines)
    return answers


def _dig_options(tcp: bool, bufsize: int | None, subnet: str | None, extra: tuple[str, ...]) -> list[str]:
    opts = ["+norecurse", "+noall", "+comments", "+answer", "+authority", "+additional",
            "+tries=1", "+time=3", "+nocookie"]
    if tcp:
        opts.append("+tcp")
    if bufsize is not None:
        opts.append(f"+bufsize={bufsize}")
    if subnet is not None:
        opts.append(f"+subnet={subnet}")
    return opts + list(extra)


def dig(port: int, name: str, rtype: str = "A", *extra: str, tcp: bool = False, bufsize: int | None = None,
        subnet: str | None = None, server: str = LOOPBACK) -> DigAnswer:
    """`dig @server -p port name rtype +norecurse …`, parsed.  `subnet`: an EDNS client subnet."""
    assert DIG is not None, "dig is not on PATH"
    cmd = [DIG, f"@{server}", "-p", str(port), name, rtype, *_dig_options(tcp, bufsize, subnet, extra)]
    cp = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    got = parse_dig(cp.stdout)
    assert cp.returncode == 0 and len(got) == 1, (
        f"{' '.join(cmd)} exited {cp.returncode}\nstdout:\n{cp.stdout}\nstderr:\n{cp.stderr}")
    return got[0]


def dig_batch(port: int, queries: list[tuple[str, str]], *extra: str, subnet: str | None = None,
              server: str = LOOPBACK) -> list[DigAnswer]:
    """Many questions [(name, type), …] in one `dig -f` run; one parsed answer per question."""
    assert DIG is not None, "dig is not on PATH"
    with tempfile.NamedTemporaryFile("w", suffix=".dig", delete=False) as fh:
        fh.write("".join(f"{n} {t}\n" for n, t in queries))
        batch = Path(fh.name)
    try:
        cmd = [DIG, f"@{server}", "-p", str(port), *_dig_options(False, None, subnet, extra), "-f", str(batch)]
        cp = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    finally:
        batch.unlink(missing_ok=True)
    got = parse_dig(cp.stdout)
    assert len(got) == len(queries), (
        f"{' '.join(cmd)}: {len(got)} answers for {len(queries)} questions (exit {cp.returncode})\n"
        f"stderr:\n{cp.stderr[-3000:]}")
    return got


def answers_with(port: int, name: str, rtype: str = "A", **kw) -> list[str]:
    """The sorted ANSWER data of one query (for polling: wait_until(lambda: answers_with(...) == [...]))."""
    return sorted(dig(port, name, rtype, **kw).data(rtype))
