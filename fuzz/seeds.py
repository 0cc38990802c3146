#!/usr/bin/env python3
"""Writes the API fuzz targets' seed inputs and every target's dictionary.

Seeds: for each operation vpclab serves (crates/codegen/operations/*.txt), the request
botocore itself serializes (offline, nothing is sent) twice: with the required members only,
and with every member a few levels deep. Values name the base network's resources
(`cargo run -p fuzzing --example base_ids`), so that seeds reach past id validation.
Dictionaries: operation names, member names, enum values, XML tags, JSON keys and the ids.

    python3 fuzz/seeds.py            # rewrites fuzz/corpus/<target>/seed-* and fuzz/dict/
"""
import datetime
import os
import re
import subprocess
import urllib.parse

import botocore.session
from botocore.serialize import create_serializer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")

# botocore model, operations list, fuzz target.
SERVICES = [
    ("ec2", "ec2", "ec2_query"),
    ("elbv2", "elbv2", "aws_query"),
    ("sts", "sts", "aws_query"),
    ("directconnect", "direct_connect", "aws_json"),
    ("route53resolver", "route53_resolver", "aws_json"),
    ("route53", "route53", "rest_xml"),
]

# Member name suffix -> id prefix in the base network.
ID_PREFIXES = [
    ("SecurityGroupRuleId", "sgr-"), ("RouteTableAssociationId", "rtbassoc-"),
    ("VpcId", "vpc-"), ("SubnetId", "subnet-"), ("GroupId", "sg-"), ("SecurityGroupId", "sg-"),
    ("InternetGatewayId", "igw-"), ("RouteTableId", "rtb-"), ("NetworkAclId", "acl-"),
    ("InstanceId", "i-"), ("NetworkInterfaceId", "eni-"), ("DhcpOptionsId", "dopt-"),
    ("AssociationId", "rtbassoc-"), ("ImageId", "ami-"), ("VolumeId", "vol-"),
    ("LoadBalancerArn", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/"),
    ("TargetGroupArn", "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"),
    ("ListenerArn", "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/"),
    ("RuleArn", "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/"),
    ("HostedZoneId", "Z"), ("Id", "Z"),
]


def base_ids():
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "fuzzing", "--example", "base_ids"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


class Values:
    def __init__(self, ids):
        self.ids = ids

    def string(self, name, shape):
        if getattr(shape, "enum", None):
            return shape.enum[0]
        for suffix, prefix in ID_PREFIXES:
            if name.endswith(suffix):
                found = [i for i in self.ids if i.startswith(prefix) and i != "Z35SXDOTRQ7X7K"]
                if found:
                    return found[-1]
        lower = name.lower()
        if "cidr" in lower:
            return "2001:db8::/56" if "ipv6" in lower else "10.0.3.0/24"
        if lower.endswith("ip") or lower.endswith("address"):
            return "10.0.1.10"
        if lower == "name" or lower.endswith("name"):
            return "www.example.com." if "dns" in lower or "record" in lower else "fuzz"
        return "fuzz"

    def value(self, name, shape, depth, everything):
        kind = shape.type_name
        if kind == "structure":
            members = shape.members if everything and depth < 3 else {
                m: shape.members[m] for m in shape.required_members}
            return {m: self.value(m, s, depth + 1, everything) for m, s in members.items()}
        if kind == "list":
            return [self.value(name, shape.member, depth + 1, everything)]
        if kind == "map":
            return {"k": self.value(name, shape.value, depth + 1, everything)}
        if kind == "string":
            return self.string(name, shape)
        if kind in ("integer", "long"):
            low = shape.metadata.get("min", 1)
            return max(int(low), 1) if "Port" not in name else 80
        if kind == "boolean":
            return True
        if kind in ("float", "double"):
            return 1.0
        if kind == "timestamp":
            return datetime.datetime(2026, 12, 7, 12, 0, 0)
        if kind == "blob":
            return b"fuzz"
        return "fuzz"


def serialize(model, op_name, params):
    op = model.operation_model(op_name)
    request = create_serializer(model.metadata["protocol"], include_validation=False) \
        .serialize_to_request(params, op)
    protocol = model.metadata["protocol"]
    if protocol in ("ec2", "query"):
        return urllib.parse.urlencode(request["body"]).encode()
    if protocol == "json":
        return f"{model.metadata['targetPrefix']}.{op_name}\n".encode() + (request["body"] or b"")
    query = urllib.parse.urlencode(request["query_string"], doseq=True)
    line = f"{request['method']} {request['url_path']}" + (f"?{query}" if query else "")
    return line.encode() + b"\n" + (request["body"] or b"")


def operations(listing):
    path = os.path.join(ROOT, "crates", "codegen", "operations", f"{listing}.txt")
    with open(path) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def dict_entry(word):
    data = word.encode() if isinstance(word, str) else word
    escaped = "".join(chr(b) if 0x20 <= b < 0x7f and b not in (0x22, 0x5c) else f"\\x{b:02x}"
                      for b in data)
    return f'"{escaped}"'


def write_dict(target, words):
    os.makedirs(os.path.join(FUZZ, "dict"), exist_ok=True)
    words = sorted({w for w in words if w and len(w) <= 120})
    with open(os.path.join(FUZZ, "dict", f"{target}.dict"), "w") as f:
        f.write(f"# {target}: written by fuzz/seeds.py\n")
        for w in words:
            f.write(dict_entry(w) + "\n")


def main():
    ids = base_ids()
    values = Values(ids)
    session = botocore.session.get_session()
    words = {}
    cleared = set()
    for model_name, listing, target in SERVICES:
        model = session.get_service_model(model_name)
        corpus = os.path.join(FUZZ, "corpus", target)
        os.makedirs(corpus, exist_ok=True)
        if target not in cleared:
            for old in os.listdir(corpus):
                if old.startswith("seed-"):
                    os.remove(os.path.join(corpus, old))
            cleared.add(target)
        bag = words.setdefault(target, set(ids))
        for op_name in operations(listing):
            op = model.operation_model(op_name)
            bag.add(op_name)
            if target in ("ec2_query", "aws_query"):
                bag.add(f"Action={op_name}")
            for everything in (False, True):
                shape = op.input_shape
                params = values.value(op_name, shape, 0, everything) if shape else {}
                try:
                    data = serialize(model, op_name, params)
                except Exception as e:  # a shape our values cannot fill: the other seed covers it
                    print(f"{model_name} {op_name}: {e}")
                    continue
                name = f"seed-{model_name}-{op_name}-{'all' if everything else 'required'}"
                with open(os.path.join(corpus, name), "wb") as f:
                    f.write(data)
            collect_words(op.input_shape, bag, set())
        if target == "aws_query":
            bag.update(["Version=2015-12-01", "Version=2011-06-15"])
    for target, bag in words.items():
        write_dict(target, bag)
    write_dict("sigv4", ["AWS4-HMAC-SHA256", "Credential=", "SignedHeaders=", "Signature=",
                         "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                         "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token",
                         "x-amz-content-sha256", "UNSIGNED-PAYLOAD", "aws4_request", "authorization",
                         "AKIAFUZZFUZZFUZZFUZZ", "20261207T120000Z", "20261207", "us-east-1", "host",
                         "x-amz-date", "date", "ec2", "route53", "elasticloadbalancing", "%2F"])
    write_dict("alb_request", ["HTTP/1.1", "HTTP/1.0", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                               "Host:", "Content-Length:", "Transfer-Encoding: chunked",
                               "X-Forwarded-For:", "X-Fuzz:", "Connection: close", "Expect: 100-continue",
                               "/teapot", "*.example.com", "a.example.com", "?k=v", "DELETE",
                               "Upgrade: websocket", "\r\n", "\r\n\r\n", "Cookie: AWSALB="])
    write_dict("trace_question", ['"from"', '"to"', '"protocol"', '"port"', '"source_port"',
                                  '"source_ip"', '"destination_ip"', '"internet"', '"tcp"', '"udp"',
                                  '"icmp"', '"icmpv6"'] + [f'"{i}"' for i in ids])
    write_dict("traffic", ["internet", "tcp", "udp", "icmp", "packets=", "bytes=", "sport=", "src=",
                           "dst=", "start=", "duration=", "10.0.1.4", "10.0.2.4", "198.51.100.7",
                           "::1", "#"] + ids)


def collect_words(shape, bag, seen):
    if shape is None or shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            bag.add(name)
            bag.add(member.serialization.get("name", name))
            collect_words(member, bag, seen)
    elif shape.type_name == "list":
        collect_words(shape.member, bag, seen)
    elif shape.type_name == "map":
        collect_words(shape.value, bag, seen)
    elif getattr(shape, "enum", None):
        bag.update(shape.enum)


if __name__ == "__main__":
    main()
