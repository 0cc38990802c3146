#!/usr/bin/env python3
"""Run moto's own test suites for the services vpclab serves against vpclab in
moto's server mode, and report how many pass — less the tests listed in
scripts/moto-suite-excluded.txt: those real AWS would fail too, and those that need
a service vpclab does not serve (each line gives the test, a category and why).

    scripts/moto-suite.py [--bin target/release/vpclab] [--group ec2-core ...] [-k EXPR]
    scripts/moto-suite.py --correct-fixtures [--bin …] [-k EXPR]

Downloads moto's source distribution (its tests are not in the wheel) into
~/.cache/vpclab/moto, starts vpclab with in-memory state on a free port, runs
each group's files one test at a time (moto's server mode resets the whole
server before every test, so tests cannot run in parallel), and prints the pass
rate per group. Failures are written to target/moto-suite/<group>.txt.

--correct-fixtures finds what vpclab still answers differently from AWS behind
moto's ELBv2 fixtures, which create the security group in the default VPC and the
load balancer in another one (AWS refuses that, so those tests are excluded as
aws-rejects). It runs the elbv2 group on a copy of the tests
(~/.cache/vpclab/moto-corrected) whose fixtures create the VPC first and the
security group in it, leaves nothing out, prints the result labelled as such and
writes failures to target/moto-suite/elbv2-corrected-fixtures.txt. The reported
number remains the unmodified run's.
"""

import argparse
import collections
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import xml.etree.ElementTree as ET

MOTO_VERSION = "5.2.1"
ROOT = pathlib.Path(__file__).resolve().parent.parent
EXCLUDED = ROOT / "scripts" / "moto-suite-excluded.txt"

GROUPS = {
    "ec2-core": [
        "test_ec2/test_vpcs.py",
        "test_ec2/test_subnets.py",
        "test_ec2/test_security_groups.py",
        "test_ec2/test_network_acls.py",
        "test_ec2/test_route_tables.py",
        "test_ec2/test_internet_gateways.py",
        "test_ec2/test_egress_only_igw.py",
        "test_ec2/test_nat_gateway.py",
        "test_ec2/test_elastic_ip_addresses.py",
        "test_ec2/test_elastic_network_interfaces.py",
        "test_ec2/test_dhcp_options.py",
        "test_ec2/test_prefix_lists.py",
        "test_ec2/test_tags.py",
        "test_ec2/test_flow_logs.py",
        "test_ec2/test_availability_zones_and_regions.py",
        "test_ec2/test_account_attributes.py",
    ],
    "ec2-connecting": [
        "test_ec2/test_vpc_peering.py",
        "test_ec2/test_transit_gateway.py",
        "test_ec2/test_transit_gateway_peering_attachments.py",
        "test_ec2/test_vpn_connections.py",
        "test_ec2/test_customer_gateways.py",
        "test_ec2/test_virtual_private_gateways.py",
        "test_ec2/test_vpc_endpoint_services_integration.py",
        "test_ec2/test_vpc_service_configuration_integration.py",
        "test_ec2/test_traffic_mirrors.py",
    ],
    "elbv2": [
        "test_elbv2/test_elbv2.py",
        "test_elbv2/test_elbv2_listener_attributes.py",
        "test_elbv2/test_elbv2_listener_rule_tags.py",
        "test_elbv2/test_elbv2_listener_rules.py",
        "test_elbv2/test_elbv2_listener_tags.py",
        "test_elbv2/test_elbv2_set_subnets.py",
        "test_elbv2/test_elbv2_target_groups.py",
        "test_elbv2/test_elbv2_target_health.py",
    ],
    "route53": [
        "test_route53/test_route53.py",
        "test_route53/test_route53_delegationsets.py",
        "test_route53/test_route53_healthchecks.py",
        "test_route53/test_route53_hosted_zone_ids.py",
        "test_route53/test_route53_query_logging_config.py",
        "test_route53/test_route53_vpcs.py",
    ],
}


def moto_tests() -> pathlib.Path:
    cache = pathlib.Path.home() / ".cache" / "vpclab" / "moto"
    tree = cache / f"moto-{MOTO_VERSION}"
    if (tree / "tests").is_dir():
        return tree
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", f"moto=={MOTO_VERSION}",
         "--no-binary", ":all:", "--no-deps", "-d", str(cache)],
        check=True,
    )
    with tarfile.open(cache / f"moto-{MOTO_VERSION}.tar.gz") as archive:
        archive.extractall(cache, filter="data")
    # what moto's test modules import beyond moto's own dependencies
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"moto[server]=={MOTO_VERSION}",
                    "freezegun", "pytest"], check=True)
    return tree


# `sg = ec2.create_security_group(GroupName=…, Description=…)` lines (one or more)
# followed by `vpc = ec2.create_vpc(…)`: the fixture of moto's ELBv2 tests
SG_BEFORE_VPC = re.compile(
    r'(?P<indent>[ ]*)(?P<groups>(?:\w+ = ec2\.create_security_group\(\s*GroupName="[^"]*", '
    r'Description="[^"]*"\s*\)\n[ ]*)+)(?P<vpc>vpc = ec2\.create_vpc\([^)]*\)\n)')


def corrected_fixtures(tree: pathlib.Path) -> pathlib.Path:
    """a copy of `tree` whose ELBv2 tests create their security groups in the load
    balancer's VPC (moto's own package and files are linked, only tests/ is copied)"""
    copy = pathlib.Path.home() / ".cache" / "vpclab" / "moto-corrected" / tree.name
    if (copy / "tests").is_dir():
        return copy
    partial = copy.with_name(copy.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for entry in tree.iterdir():
        if entry.name != "tests":
            (partial / entry.name).symlink_to(entry)
    shutil.copytree(tree / "tests", partial / "tests")

    def in_vpc(m: re.Match) -> str:
        groups = re.sub(r'Description="([^"]*)"', r'Description="\1", VpcId=vpc.id', m["groups"])
        return m["indent"] + m["vpc"] + m["indent"] + groups.rstrip(" ")

    moved = 0
    for test_file in (partial / "tests" / "test_elbv2").glob("*.py"):
        text, n = SG_BEFORE_VPC.subn(in_vpc, test_file.read_text())
        test_file.write_text(text)
        moved += n
    if moved == 0:
        sys.exit("--correct-fixtures: no fixture matched; moto's tests changed shape")
    partial.rename(copy)
    return copy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def excluded() -> dict[str, str]:
    """test id → category (`aws-rejects`, `other-service`, `moto-only`)"""
    names = {}
    for line in EXCLUDED.read_text().splitlines():
        # fields are separated by two spaces or more: parametrized test ids hold single ones
        fields = re.split(r"\s{2,}", line.strip(), maxsplit=2)
        if len(fields) >= 2 and not line.startswith("#"):
            names[fields[0]] = fields[1]
    return names


def results(junit: pathlib.Path) -> dict[str, tuple[str, str]]:
    """test id (file::name) → (passed / failed / skipped, failure message)"""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        file = case.get("classname", "").replace(".", "/")
        test_id = f"{file.removeprefix('tests/')}.py::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if case.find("skipped") is not None:
            out[test_id] = ("skipped", "")
        elif problem is not None:
            message = " ".join((problem.get("message") or "").split())
            out[test_id] = ("failed", message[:300])
        else:
            out[test_id] = ("passed", "")
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "target" / "release" / "vpclab"))
    parser.add_argument("--group", action="append", choices=sorted(GROUPS))
    parser.add_argument("-k", default=None, help="pytest -k expression")
    parser.add_argument("--correct-fixtures", action="store_true",
                        help="run elbv2 with the security group in the load balancer's VPC, "
                             "nothing left out (see above)")
    args = parser.parse_args()

    tree = moto_tests()
    skip = excluded()
    groups = args.group or list(GROUPS)
    suffix, label = "", ""
    if args.correct_fixtures:
        # the exclusions describe the unmodified tests: here every failure is a lead
        tree, skip, groups = corrected_fixtures(tree), {}, ["elbv2"]
        suffix, label = "-corrected-fixtures", "   [corrected fixtures: SG in the LB's VPC]"
    port = free_port()
    server = subprocess.Popen(
        [args.bin, "serve", "--in-memory", "--listen", f"127.0.0.1:{port}",
         "--dns-listen", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    out_dir = ROOT / "target" / "moto-suite"
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TEST_SERVER_MODE="true",
               TEST_SERVER_MODE_ENDPOINT=f"http://127.0.0.1:{port}",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1")
    totals = []
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for group in groups:
            junit = out_dir / f"{group}{suffix}.xml"
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                       "-p", "no:xdist", "--junitxml", str(junit), "--tb=line"]
            if args.k:
                command += ["-k", args.k]
            command += [f"tests/{f}" for f in GROUPS[group]]
            subprocess.run(command, cwd=tree, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            everything = results(junit)
            left_out = collections.Counter(skip[t] for t in everything if t in skip)
            outcome = {t: r for t, r in everything.items() if t not in skip}
            ran = [t for t, (r, _) in outcome.items() if r != "skipped"]
            failed = sorted(t for t in ran if outcome[t][0] == "failed")
            passed = len(ran) - len(failed)
            (out_dir / f"{group}{suffix}.txt").write_text(
                "".join(f"{t}  {outcome[t][1]}\n" for t in failed))
            rate = 100.0 * passed / len(ran) if ran else 100.0
            totals.append((group, passed, len(ran), rate))
            excluded_text = ", ".join(f"{n} {c}" for c, n in sorted(left_out.items()))
            # A left-out test that passes is a claim to re-check (or a test passing by chance).
            passing_left_out = sorted(t for t, (r, _) in everything.items()
                                      if t in skip and r == "passed")
            print(f"{group:16} {passed:5} / {len(ran):5} passed  {rate:5.1f}%"
                  f"   (left out: {excluded_text or 'none'}){label}", flush=True)
            for t in passing_left_out:
                print(f"{'':16} left out but passed: {t}", flush=True)
    finally:
        server.terminate()
        server.wait()
    passed = sum(t[1] for t in totals)
    ran = sum(t[2] for t in totals)
    print(f"{'all':16} {passed:5} / {ran:5} passed  {100.0 * passed / max(ran, 1):5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
