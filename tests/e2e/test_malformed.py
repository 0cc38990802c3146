"""3,004 malformed raw requests: always a 4xx with an EC2 XML error, never a 5xx, no harm done.

N_REQUESTS (3,000) generated ones, spread evenly over the eleven CATEGORIES, then three bodies just
over 10 MiB and one declared (not sent) 50 GiB body. The test asserts that all 3,004 were sent and
that every answer was right (the answer to an oversized body may be lost when the server closes the
connection without reading it; that alone is tolerated).

Every malformed input below is built so that it is an error whichever way a
server might parse it (strictly or leniently): e.g. bad bytes are put inside
the Action name or an integer, not inside a free-text filter value.
"""

from __future__ import annotations

import http.client
import random
import re
import socket
from collections import Counter
from urllib.parse import urlsplit

import requests

from vpclab_helpers import HEALTH_PATH, get_vpc, sign_headers, tags_of

N_REQUESTS = 3000
N_OVERSIZED = 3
OVERSIZE = 10 * 1024 * 1024 + 4096  # just over 10 MiB
SEED = 20240611
CODE_RE = re.compile(rb"<Code>[^<]+</Code>")
V = "Version=2016-11-15"


def _bad_percent(rng):
    bad = rng.choice(["%ZZ", "%G0", "%", "%4", "%xy", "%%", "%-1", "%\x00"])
    return rng.choice([
        f"Action=Describe{bad}Vpcs&{V}",
        f"Act{bad}ion=DescribeVpcs&{V}",
        f"Action=DescribeVpcs&{V}&MaxResults={bad}",
        f"Action=DescribeVpcs&{V}&MaxResults=1{bad}0",
        f"Action=DescribeVpcs&{V}&VpcId.1=vpc-{bad}12",
        f"Action=DescribeSubnets&{V}&SubnetId.1=subnet-0{bad}",
        f"Action=DescribeVpcs{bad}",
    ]).encode("latin-1")


def _missing_action(rng):
    return rng.choice([
        f"{V}&VpcId.1=vpc-0123456789abcdef0",
        V,
        "",
        f"action=DescribeVpcs&{V}",
        f"ACTION=DescribeVpcs&{V}",
        f"Action=&{V}",
        f"Actions=DescribeVpcs&{V}",
        f"&&&{V}&&",
        f"=DescribeVpcs&{V}",
    ]).encode()


def _unknown_action(rng):
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(3, 24)))
    return rng.choice([
        f"Action=DescribeVpcz&{V}",
        f"Action=DeleteEverything&{V}",
        f"Action=Describe{word}&{V}",
        f"Action={word}&{V}",
        f"Action=DescribeVpcs.1&{V}",
        f"Action=Describe+Vpcs&{V}",
        f"Action=GetObject&{V}",
        f"Action=ListBuckets&{V}",
    ]).encode()


def _wrong_type(rng):
    val = rng.choice(["abc", "1.5", "-1", "0x10", "1e3", "true", "NaN", "10abc", "five", "[]", "null", "+-5"])
    return rng.choice([
        f"Action=DescribeVpcs&{V}&MaxResults={val}",
        f"Action=DescribeSubnets&{V}&MaxResults={val}",
        f"Action=DescribeInstances&{V}&MaxResults={val}",
        f"Action=DescribeSecurityGroups&{V}&MaxResults={val}",
        f"Action=DescribeTags&{V}&MaxResults={val}",
        f"Action=CreateNetworkAclEntry&{V}&NetworkAclId=acl-0123456789abcdef0&RuleNumber={val}"
        "&Protocol=-1&RuleAction=allow&Egress=false&CidrBlock=0.0.0.0/0",
        f"Action=AuthorizeSecurityGroupIngress&{V}&GroupId=sg-0123456789abcdef0&IpPermissions.1.IpProtocol=tcp"
        f"&IpPermissions.1.FromPort={val}&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
        f"Action=RunInstances&{V}&ImageId=ami-0abcdef1234567890&MinCount={val}&MaxCount=1"
        "&SubnetId=subnet-0123456789abcdef0",
    ]).encode()


def _absurd_number(rng):
    val = rng.choice(["99999999999999999999", "-99999999999999999999", "2147483648", "4294967296",
                      "18446744073709551616", "1" + "0" * 400, "1e400", "-2147483649"])
    return rng.choice([
        f"Action=DescribeVpcs&{V}&MaxResults={val}",
        f"Action=DescribeSubnets&{V}&MaxResults={val}",
        f"Action=DescribeInstanceStatus&{V}&MaxResults={val}",
        f"Action=RunInstances&{V}&ImageId=ami-0abcdef1234567890&MinCount={val}&MaxCount={val}"
        "&SubnetId=subnet-0123456789abcdef0",
        f"Action=AuthorizeSecurityGroupIngress&{V}&GroupId=sg-0123456789abcdef0&IpPermissions.1.IpProtocol=tcp"
        f"&IpPermissions.1.FromPort={val}&IpPermissions.1.ToPort={val}&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
        f"Action=CreateNetworkAclEntry&{V}&NetworkAclId=acl-0123456789abcdef0&RuleNumber={val}"
        "&Protocol=-1&RuleAction=allow&Egress=false&CidrBlock=0.0.0.0/0",
    ]).encode()


def _huge_index(rng):
    idx = rng.choice(["99999999999", "4294967296", "18446744073709551616", "9" * 40, "-1", "1e9"])
    return rng.choice([
        f"Action=DescribeVpcs&{V}&Filter.{idx}.Name=vpc-id&Filter.{idx}.Value.1=vpc-0123456789abcdef0",
        f"Action=DescribeVpcs&{V}&Filter.1.Name=vpc-id&Filter.1.Value.{idx}=vpc-0123456789abcdef0",
        f"Action=DescribeVpcs&{V}&VpcId.{idx}=vpc-0123456789abcdef0",
        f"Action=DescribeSubnets&{V}&SubnetId.{idx}=subnet-0123456789abcdef0",
        f"Action=CreateTags&{V}&ResourceId.{idx}=vpc-0123456789abcdef0&Tag.1.Key=a&Tag.1.Value=b",
        f"Action=CreateTags&{V}&ResourceId.1=vpc-0123456789abcdef0&Tag.{idx}.Key=a&Tag.{idx}.Value=b",
    ]).encode()


def _non_utf8(rng):
    junk = rng.choice([b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x28\x8c\xbc", b"\x80", b"\xed\xa0\x80"])
    enc = "".join(f"%{b:02X}" for b in junk)
    return rng.choice([
        b"Action=Describe" + junk + b"Vpcs&" + V.encode(),
        b"Act" + junk + b"ion=DescribeVpcs&" + V.encode(),
        b"Action=DescribeVpcs&" + V.encode() + b"&MaxResults=1" + junk,
        b"Action=DescribeVpcs&" + V.encode() + b"&VpcId.1=vpc-" + junk,
        f"Action=DescribeVpcs{enc}&{V}".encode(),
        f"Action=DescribeVpcs&{V}&VpcId.1=vpc-{enc}".encode(),
        f"Action=DescribeVpcs&{V}&MaxResults=5{enc}".encode(),
    ])


def _garbage(rng):
    kind = rng.randrange(5)
    if kind == 0:
        body = rng.randbytes(rng.randint(1, 2048))
    elif kind == 1:
        body = "".join(rng.choice("=&%.+ab1\t\r\n;:/?#[]@!$'()*,") for _ in range(rng.randint(1, 300))).encode()
    elif kind == 2:
        body = b'{"Action": "DescribeVpcs", "Version": "2016-11-15"}'
    elif kind == 3:
        body = b"<?xml version='1.0'?><DescribeVpcs><MaxResults>5</MaxResults></DescribeVpcs>"
    else:
        body = b"\x00" * rng.randint(1, 4096)
    if b"Action" in body:  # practically impossible, but keep the expectation exact
        body = body.replace(b"Action", b"Axtion")
    return body


def _unknown_param(rng):
    return rng.choice([
        f"Action=DescribeVpcs&{V}&Bogus=1",
        f"Action=DescribeVpcs&{V}&VpcIds.1=vpc-0123456789abcdef0",
        f"Action=DescribeVpcs&{V}&MaxResult=5",
        f"Action=DescribeSubnets&{V}&Foo.1=bar",
        f"Action=DescribeSecurityGroups&{V}&GroupIdd.1=sg-0123456789abcdef0",
        f"Action=DescribeInternetGateways&{V}&Nonsense=true",
    ]).encode()


def _unknown_nested_param(rng):
    return rng.choice([
        f"Action=DescribeVpcs&{V}&Filter.1.Nmae=vpc-id&Filter.1.Value.1=vpc-0123456789abcdef0",
        f"Action=DescribeVpcs&{V}&Filter.1.Name=vpc-id&Filter.1.Values.1=vpc-0123456789abcdef0",
        f"Action=DescribeVpcs&{V}&VpcId.1.Extra=vpc-0123456789abcdef0",
    ]).encode()


BAD_AUTH = [
    "garbage",
    "",
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 Credential=",
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/ec2/aws4_request",
    "AWS4-HMAC-SHA256 Credential=test, SignedHeaders=host, Signature=abc",
    "AWS4-HMAC-SHA256 Credential=test/notadate/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
    "AWS4-HMAC-SHA256 Credential=test/20240101/no-such-region-9/ec2/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00",
    "AWS4-HMAC-SHA256 Credential=" + "a" * 6000,
    "AWS4-HMAC-SHA256 Credential=t\u00e9st/20240101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00",
    "Bearer abc.def.ghi",
    "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",
    "Basic dGVzdDp0ZXN0",
]

# name -> (generator, expected <Code> or None)
CATEGORIES = {
    "bad_percent": (_bad_percent, None),
    "missing_action": (_missing_action, None),
    "unknown_action": (_unknown_action, "InvalidAction"),
    "wrong_type": (_wrong_type, None),
    "absurd_number": (_absurd_number, None),
    "huge_index": (_huge_index, None),
    "non_utf8": (_non_utf8, None),
    "garbage": (_garbage, None),
    "unknown_param": (_unknown_param, "UnknownParameter"),
    "unknown_nested_param": (_unknown_nested_param, None),
    "bad_auth": (None, None),
}


def _send(session, endpoint, body, headers, timeout=15):
    try:
        return session.post(endpoint + "/", data=body, headers=headers, timeout=timeout), session
    except requests.ConnectionError:
        # the server may close a keep-alive connection after an error; one retry on a fresh one
        session.close()
        session = requests.Session()
        return session.post(endpoint + "/", data=body, headers=headers, timeout=timeout), session


def _raw_exchange(endpoint, head: bytes, body: bytes = b"", timeout=20.0):
    """Send bytes on a fresh socket, tolerate the server cutting us off, return (status, body) or (None, error)."""
    u = urlsplit(endpoint)
    sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
    try:
        sock.sendall(head)
        try:
            view = memoryview(body)
            for off in range(0, len(body), 1 << 16):
                sock.sendall(view[off:off + (1 << 16)])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading (e.g. 413 early); its answer may still be readable
        resp = http.client.HTTPResponse(sock)
        try:
            resp.begin()
            return resp.status, resp.read()
        except (ConnectionResetError, http.client.HTTPException, socket.timeout) as e:
            return None, repr(e).encode()
    finally:
        sock.close()


def _check(status, content, expect_code):
    """None if fine, else a description of what is wrong."""
    if status >= 500:
        return f"5xx ({status})"
    if not (400 <= status < 500):
        return f"not a 4xx ({status})"
    if not CODE_RE.search(content):
        return f"no <Code> in body: {content[:200]!r}"
    if expect_code and f"<Code>{expect_code}</Code>".encode() not in content:
        return f"expected <Code>{expect_code}</Code>: {content[:200]!r}"
    return None


def test_malformed_requests_never_break_the_server(endpoint, ec2, vpclab_server):
    # some state that must survive the barrage
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16",
                         TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "keep"}]}])["Vpc"]
    subnet = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.42.1.0/24")["Subnet"]

    rng = random.Random(SEED)
    names = list(CATEGORIES)
    session = requests.Session()
    sent, failures = Counter(), []
    for i in range(N_REQUESTS):
        cat = names[i % len(names)]
        gen, expect = CATEGORIES[cat]
        if cat == "bad_auth":
            body = f"Action=DescribeVpcs&{V}".encode()
            headers = sign_headers(endpoint, body)
            headers["Authorization"] = BAD_AUTH[(i // len(names)) % len(BAD_AUTH)]
        else:
            body = gen(rng)
            headers = sign_headers(endpoint, body)
        try:
            resp, session = _send(session, endpoint, body, headers)
        except requests.RequestException as e:
            failures.append((cat, body[:120], f"no response: {e!r}"))
            continue
        sent[cat] += 1
        problem = _check(resp.status_code, resp.content, expect)
        if problem:
            failures.append((cat, body[:120], problem))

    # oversized bodies (> 10 MiB): 413 (or another 4xx) -- never a 5xx or a crash
    u = urlsplit(endpoint)
    for n in range(N_OVERSIZED):
        body = f"Action=DescribeVpcs&{V}&Pad=".encode() + b"a" * (OVERSIZE + n)
        h = sign_headers(endpoint, body)
        head = (f"POST / HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Length: {len(body)}\r\n"
                + "".join(f"{k}: {v}\r\n" for k, v in h.items() if k.lower() != "host")
                + "\r\n").encode()
        status, content = _raw_exchange(endpoint, head, body)
        sent["oversized"] += 1
        if status is None:
            # The server may close the connection after answering 413 without draining the body,
            # in which case the kernel can discard its answer; tolerated, health is checked below.
            continue
        if status >= 500 or not (400 <= status < 500):
            failures.append(("oversized", body[:60], f"status {status}"))
        elif status != 413 and not CODE_RE.search(content):
            failures.append(("oversized", body[:60], f"no <Code> in {status} body: {content[:200]!r}"))

    # a declared (not sent) 50 GiB body must be refused from the header alone, promptly
    head = (f"POST / HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {50 * 1024 ** 3}\r\n\r\n").encode()
    # (no body bytes are sent, so an early answer followed by close cannot be lost to a TCP reset)
    status, content = _raw_exchange(endpoint, head, b"", timeout=10)
    sent["declared_huge"] += 1
    if status is None or not (400 <= status < 500):
        failures.append(("declared_huge", b"", f"status {status}: {content[:200]!r}"))

    total = sum(sent.values())
    print(f"malformed requests sent: {total} {dict(sent)}")
    assert not failures, f"{len(failures)} bad answers, first ones:\n" + "\n".join(
        f"  [{c}] {b!r}: {p}" for c, b, p in failures[:25])
    per_category = {c: len(range(i, N_REQUESTS, len(names))) for i, c in enumerate(names)}
    assert sent == Counter({**per_category, "oversized": N_OVERSIZED, "declared_huge": 1}), sent
    assert total == N_REQUESTS + N_OVERSIZED + 1 == 3004, total

    # the server is alive, healthy, and its state is intact
    if vpclab_server is not None:
        assert vpclab_server.alive(), vpclab_server.log_tail()
    assert requests.get(endpoint + HEALTH_PATH, timeout=5).status_code == 200
    now = get_vpc(ec2, vpc["VpcId"])
    assert now["CidrBlock"] == "10.42.0.0/16" and tags_of(now) == {"Name": "keep"}
    assert ec2.describe_subnets(SubnetIds=[subnet["SubnetId"]])["Subnets"][0]["CidrBlock"] == "10.42.1.0/24"
    all_vpcs = ec2.describe_vpcs()["Vpcs"]
    assert {v["VpcId"] for v in all_vpcs} == {vpc["VpcId"]} | {v["VpcId"] for v in all_vpcs if v["IsDefault"]}
    # a normal call still works on the same kind of keep-alive connection
    r = requests.post(endpoint + "/", data=f"Action=DescribeVpcs&{V}",
                      headers=sign_headers(endpoint, f"Action=DescribeVpcs&{V}".encode()), timeout=10)
    assert r.status_code == 200 and vpc["VpcId"].encode() in r.content


def test_an_oversized_body_is_answered_413_with_connection_close(endpoint):
    """The server does not read the refused body, so it closes the connection — and says so."""
    u = urlsplit(endpoint)
    head = (f"POST / HTTP/1.1\r\nHost: {u.netloc}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {50 * 1024 ** 3}\r\n\r\n").encode()
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(head)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413"), answer
    assert re.search(rb"(?im)^connection: close\r$", rest), answer
