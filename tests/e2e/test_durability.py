"""Durability: every acknowledged mutation survives kill -9 and restarts; a write the disk
cannot take leaves no trace; damaged state is refused at start-up.

These tests start their own `vpclab serve --state-dir DIR` processes (never
--in-memory, except for the in-memory tests) and leave the shared session
server alone.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
import requests
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from vpclab_helpers import (
    DEFAULT_ENABLED_REGIONS,
    HEALTH_PATH,
    RESET_PATH,
    VpclabServer,
    create_network,
    f,
    make_client,
    run_instance,
)

pytestmark = pytest.mark.durability

THREADS = 16
BURST_SECONDS = float(os.environ.get("VPCLAB_BURST_SECONDS", "2.0"))
VPCS_PER_REGION = 3  # below AWS's default quota of 5 VPCs per region (the default VPC counts)
SUBNETS_PER_VPC = 6
BURST_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=3, read_timeout=20,
                      max_pool_connections=4)


@pytest.fixture
def own_server(vpclab_binary, tmp_path):
    servers = []

    def start(state_dir=None, in_memory=False):
        srv = VpclabServer(vpclab_binary, state_dir=state_dir if not in_memory else None,
                           log_path=tmp_path / f"vpclab-{len(servers)}.log", in_memory=in_memory)
        servers.append(srv)
        return srv.start()

    yield start
    for srv in servers:
        srv.stop()


def _normalize(obj):
    """Order-insensitive, comparable form of a describe response."""
    if isinstance(obj, dict):
        return {k: _normalize(v) for k, v in obj.items() if k not in ("ResponseMetadata", "NextToken")}
    if isinstance(obj, list):
        return sorted((_normalize(x) for x in obj), key=lambda x: json.dumps(x, sort_keys=True, default=str))
    return obj


def _snapshot(ec2) -> dict:
    calls = {
        "vpcs": ec2.describe_vpcs,
        "subnets": ec2.describe_subnets,
        "security_groups": ec2.describe_security_groups,
        "route_tables": ec2.describe_route_tables,
        "network_acls": ec2.describe_network_acls,
        "internet_gateways": ec2.describe_internet_gateways,
        "addresses": ec2.describe_addresses,
        "network_interfaces": ec2.describe_network_interfaces,
        "instances": ec2.describe_instances,
        "tags": ec2.describe_tags,
    }
    return {name: _normalize(call()) for name, call in calls.items()}


def _build_state(ec2):
    """A small but varied set of resources in the default account/region."""
    net = create_network(ec2, map_public=False)
    ec2.create_tags(Resources=[net.vpc_id], Tags=[{"Key": "Name", "Value": "durable"}, {"Key": "tmp", "Value": "x"}])
    ec2.delete_tags(Resources=[net.vpc_id], Tags=[{"Key": "tmp"}])
    ec2.modify_vpc_attribute(VpcId=net.vpc_id, EnableDnsHostnames={"Value": True})
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=net.vpc_id)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=net.vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    rt = ec2.create_route_table(VpcId=net.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    ec2.associate_route_table(RouteTableId=rt, SubnetId=net.subnet_id)
    acl = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    inst = run_instance(ec2, net.subnet_id, SecurityGroupIds=[web])
    eni = ec2.create_network_interface(SubnetId=net.subnet_id, Groups=[app],
                                       SecondaryPrivateIpAddressCount=1)["NetworkInterface"]["NetworkInterfaceId"]
    alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=alloc, InstanceId=inst["InstanceId"])
    doomed = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    ec2.delete_vpc(VpcId=doomed)
    return {"vpc": net.vpc_id, "subnet": net.subnet_id, "instance": inst["InstanceId"], "eni": eni,
            "alloc": alloc, "doomed_vpc": doomed, "web": web, "app": app}


def test_plain_restart_keeps_everything(own_server, tmp_path):
    state = tmp_path / "state"
    srv = own_server(state)
    ec2 = make_client(srv.endpoint)
    ids = _build_state(ec2)
    before = _snapshot(ec2)
    default_vpc_before = ec2.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"][0]["VpcId"]

    assert srv.stop() is not None
    srv2 = own_server(state)
    ec2b = make_client(srv2.endpoint)
    after = _snapshot(ec2b)
    for key in before:
        assert after[key] == before[key], f"{key} changed across a restart"
    assert ec2b.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"][0]["VpcId"] == default_vpc_before
    assert ids["doomed_vpc"] not in {v["VpcId"] for v in ec2b.describe_vpcs()["Vpcs"]}
    # and the restarted server keeps working (new ids do not collide with old ones)
    new_vpc = ec2b.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    assert new_vpc not in {v["VpcId"] for v in before["vpcs"]["Vpcs"]}


def test_kill9_after_sequential_writes(own_server, tmp_path):
    state = tmp_path / "state"
    srv = own_server(state)
    ec2 = make_client(srv.endpoint)
    ids = _build_state(ec2)
    before = _snapshot(ec2)
    srv.kill9()

    srv2 = own_server(state)
    after = _snapshot(make_client(srv2.endpoint))
    for key in before:
        assert after[key] == before[key], f"{key} lost or changed after kill -9"
    assert ids["doomed_vpc"] not in {v["VpcId"] for v in after["vpcs"]["Vpcs"]}


def test_reset_is_durable(own_server, tmp_path):
    state = tmp_path / "state"
    srv = own_server(state)
    ec2 = make_client(srv.endpoint)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert requests.post(srv.endpoint + RESET_PATH, timeout=10).ok
    srv.kill9()
    srv2 = own_server(state)
    vpcs = make_client(srv2.endpoint).describe_vpcs()["Vpcs"]
    assert vpc_id not in {v["VpcId"] for v in vpcs}


def test_in_memory_mode_forgets_on_restart(own_server):
    srv = own_server(in_memory=True)
    ec2 = make_client(srv.endpoint)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    assert ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    srv.stop()
    srv2 = own_server(in_memory=True)
    assert vpc_id not in {v["VpcId"] for v in make_client(srv2.endpoint).describe_vpcs()["Vpcs"]}


# --------------------------------------------------------------------------- concurrent burst + kill -9


@dataclass
class Acked:
    vpcs: list = field(default_factory=list)      # (account, region, vpc_id, cidr)
    subnets: list = field(default_factory=list)   # (account, region, subnet_id, vpc_id, cidr)
    sgs: list = field(default_factory=list)       # (account, region, sg_id, vpc_id, name)
    tags: list = field(default_factory=list)      # (account, region, resource_id, key, value)
    errors: list = field(default_factory=list)    # unexpected failures before the kill
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind, row):
        with self.lock:
            getattr(self, kind).append(row)


def _account(t: int) -> str:
    return f"{400000000000 + t:012d}"  # one account per thread: 12 digits select it


def _burst_worker(endpoint, t, clients: dict, acked: Acked, stop: threading.Event, killed: threading.Event):
    account = _account(t)
    region_idx, vpcs_in_region = 0, 0
    vpc = None  # (region, vpc_id, second_octet, subnets_made)
    n = 0
    try:
        while not stop.is_set():
            if vpc is None or vpc[3] >= SUBNETS_PER_VPC:
                if vpcs_in_region >= VPCS_PER_REGION:
                    region_idx, vpcs_in_region = region_idx + 1, 0
                if region_idx >= len(DEFAULT_ENABLED_REGIONS):
                    return  # out of room; enough work done
                region = DEFAULT_ENABLED_REGIONS[region_idx]
                if region not in clients:
                    clients[region] = make_client(endpoint, region=region, access_key=account, config=BURST_CONFIG)
                cidr = f"10.{vpcs_in_region}.0.0/16"
                vpc_id = clients[region].create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
                acked.add("vpcs", (account, region, vpc_id, cidr))
                vpc = [region, vpc_id, vpcs_in_region, 0]
                vpcs_in_region += 1
            region, vpc_id, octet, made = vpc
            c = clients[region]
            cidr = f"10.{octet}.{made}.0/24"
            subnet_id = c.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"]
            acked.add("subnets", (account, region, subnet_id, vpc_id, cidr))
            vpc[3] += 1
            name = f"burst-{t}-{n}"
            sg_id = c.create_security_group(GroupName=name, Description="burst", VpcId=vpc_id)["GroupId"]
            acked.add("sgs", (account, region, sg_id, vpc_id, name))
            c.create_tags(Resources=[subnet_id, sg_id], Tags=[{"Key": "burst", "Value": name}])
            acked.add("tags", (account, region, subnet_id, "burst", name))
            acked.add("tags", (account, region, sg_id, "burst", name))
            n += 1
    except (BotoCoreError, ClientError, OSError) as e:
        if not killed.is_set():
            acked.add("errors", f"thread {t}: {type(e).__name__}: {e}")
    except Exception as e:  # noqa: BLE001 - anything else before the kill is a bug
        if not killed.is_set():
            acked.add("errors", f"thread {t}: unexpected {type(e).__name__}: {e!r}")


def _chunks(seq, n):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def _paged(client, op, key, **kw):
    out = []
    for page in client.get_paginator(op).paginate(**kw):
        out += page[key]
    return out


def test_kill9_mid_burst_loses_nothing_acknowledged(own_server, tmp_path):
    state = tmp_path / "state"
    srv = own_server(state)
    acked = Acked()
    stop, killed = threading.Event(), threading.Event()
    # clients are created up front (client creation is serialized and would eat the burst window)
    clients = [{r: make_client(srv.endpoint, region=r, access_key=_account(t), config=BURST_CONFIG)
                for r in DEFAULT_ENABLED_REGIONS[:2]} for t in range(THREADS)]
    threads = [threading.Thread(target=_burst_worker, args=(srv.endpoint, t, clients[t], acked, stop, killed),
                                daemon=True)
               for t in range(THREADS)]
    for th in threads:
        th.start()
    time.sleep(BURST_SECONDS)
    killed.set()
    srv.kill9()  # mid-burst: requests are in flight right now
    stop.set()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads), "burst threads did not stop after the kill"
    assert not acked.errors, "unexpected failures before the kill:\n" + "\n".join(acked.errors[:20])
    assert len(acked.vpcs) >= 1 and len(acked.subnets) >= 10, (
        f"burst too small to mean anything: {len(acked.vpcs)} VPCs, {len(acked.subnets)} subnets")
    print(f"acknowledged before kill -9: {len(acked.vpcs)} VPCs, {len(acked.subnets)} subnets, "
          f"{len(acked.sgs)} SGs, {len(acked.tags)} tags")

    srv2 = own_server(state)
    by_scope = defaultdict(lambda: defaultdict(list))
    for kind in ("vpcs", "subnets", "sgs", "tags"):
        for row in getattr(acked, kind):
            by_scope[(row[0], row[1])][kind].append(row)

    for (account, region), rows in sorted(by_scope.items()):
        c = make_client(srv2.endpoint, region=region, access_key=account)
        where = f"account {account} region {region}"

        vpcs = {v["VpcId"]: v for v in _paged(c, "describe_vpcs", "Vpcs")}
        for _, _, vpc_id, cidr in rows["vpcs"]:
            assert vpc_id in vpcs, f"acknowledged VPC {vpc_id} lost ({where})"
            assert vpcs[vpc_id]["CidrBlock"] == cidr

        subnets = {s["SubnetId"]: s for s in _paged(c, "describe_subnets", "Subnets")}
        for _, _, subnet_id, vpc_id, cidr in rows["subnets"]:
            assert subnet_id in subnets, f"acknowledged subnet {subnet_id} lost ({where})"
            assert (subnets[subnet_id]["VpcId"], subnets[subnet_id]["CidrBlock"]) == (vpc_id, cidr)

        sgs = {g["GroupId"]: g for g in _paged(c, "describe_security_groups", "SecurityGroups")}
        for _, _, sg_id, vpc_id, name in rows["sgs"]:
            assert sg_id in sgs, f"acknowledged security group {sg_id} lost ({where})"
            assert (sgs[sg_id]["VpcId"], sgs[sg_id]["GroupName"]) == (vpc_id, name)
            # a whole group: it still has its default egress rule
            assert sgs[sg_id]["IpPermissionsEgress"], f"{sg_id} lost its default egress rule ({where})"

        tags = {(t["ResourceId"], t["Key"]): t["Value"] for t in _paged(c, "describe_tags", "Tags")}
        for _, _, rid, key, value in rows["tags"]:
            assert tags.get((rid, key)) == value, f"acknowledged tag {key}={value} on {rid} lost ({where})"

        # every VPC that exists (acknowledged or caught mid-flight) is whole
        mains = defaultdict(int)
        for rt in _paged(c, "describe_route_tables", "RouteTables", Filters=[f("association.main", "true")]):
            mains[rt["VpcId"]] += 1
        default_sgs = defaultdict(int)
        for g in sgs.values():
            if g["GroupName"] == "default":
                default_sgs[g["VpcId"]] += 1
        default_acls, acl_subnets = defaultdict(int), defaultdict(set)
        for acl in _paged(c, "describe_network_acls", "NetworkAcls", Filters=[f("default", "true")]):
            default_acls[acl["VpcId"]] += 1
            acl_subnets[acl["VpcId"]] |= {a["SubnetId"] for a in acl["Associations"]}
        for vpc_id in vpcs:
            assert mains[vpc_id] == 1, f"VPC {vpc_id} has {mains[vpc_id]} main route tables ({where})"
            assert default_sgs[vpc_id] == 1, f"VPC {vpc_id} has {default_sgs[vpc_id]} default SGs ({where})"
            assert default_acls[vpc_id] == 1, f"VPC {vpc_id} has {default_acls[vpc_id]} default ACLs ({where})"
        for s in subnets.values():
            assert s["VpcId"] in vpcs, f"subnet {s['SubnetId']} points at missing VPC {s['VpcId']} ({where})"
            assert s["SubnetId"] in acl_subnets[s["VpcId"]], \
                f"subnet {s['SubnetId']} has no network ACL association ({where})"
        for g in sgs.values():
            assert g["VpcId"] in vpcs, f"security group {g['GroupId']} points at missing VPC ({where})"

    # the recovered server accepts writes again in a burst account
    account, region, vpc_id, cidr = acked.vpcs[0]
    c = make_client(srv2.endpoint, region=region, access_key=account)
    octet = cidr.split(".")[1]
    sub = c.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{octet}.200.0/24")["Subnet"]
    assert sub["VpcId"] == vpc_id


# --------------------------------------------------------------------------- a full disk


@pytest.fixture
def tiny_filesystem(tmp_path):
    """A 4 MiB tmpfs mounted on a temporary directory (needs root and mount(8))."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a full disk needs a tmpfs mounted by root (mount -t tmpfs); not root here")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", str(mount_point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs for the full-disk test: {done.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def _fill(directory) -> "os.PathLike":
    """Fills the filesystem of `directory` to the last byte with a file; returns its path."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as out:
        for chunk in (1 << 16, 1 << 12, 1 << 9, 1):
            try:
                while True:
                    out.write(b"\0" * chunk)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
    return filler


def _subnet_ids(ec2, vpc_id) -> set:
    return {s["SubnetId"] for s in ec2.describe_subnets(Filters=[f("vpc-id", vpc_id)])["Subnets"]}


def test_a_write_the_disk_cannot_take_leaves_no_trace(own_server, tiny_filesystem):
    state = tiny_filesystem / "state"
    srv = own_server(state)
    ec2 = make_client(srv.endpoint)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    acknowledged = {ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]}
    filler = _fill(tiny_filesystem)

    failed_cidr, failure = None, None
    for i in range(1, 256):  # the WAL grows with each commit: one soon finds no room
        cidr = f"10.0.{i}.0/24"
        try:
            acknowledged.add(ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr)["Subnet"]["SubnetId"])
        except ClientError as e:
            failed_cidr, failure = cidr, e
            break
    assert failure is not None, "no write failed on a full disk"
    # A server error in EC2's format (botocore read the code from <Response><Errors>).
    assert failure.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert failure.response["Error"]["Code"] == "InternalError"
    assert "could not be made durable" in failure.response["Error"]["Message"]
    assert "full" in failure.response["Error"]["Message"]

    # Not visible, in memory or anywhere; reads go on; nothing was written, so the server
    # stays ready.
    assert ec2.describe_subnets(Filters=[f("cidr-block", failed_cidr)])["Subnets"] == []
    assert _subnet_ids(ec2, vpc_id) == acknowledged
    assert requests.get(srv.endpoint + HEALTH_PATH, timeout=10).json()["status"] == "ready"

    # A reset on the full disk either clears everything durably or fails leaving reads working.
    reset = requests.post(srv.endpoint + RESET_PATH, timeout=30)
    if reset.ok:
        acknowledged = set()
        assert vpc_id not in {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]}
    else:
        assert reset.status_code == 500 and "error" in reset.json()
        assert _subnet_ids(ec2, vpc_id) == acknowledged

    # Room again: the next change is written, without a restart.
    os.remove(filler)
    if not reset.ok:
        again = ec2.create_subnet(VpcId=vpc_id, CidrBlock=failed_cidr)["Subnet"]["SubnetId"]
        acknowledged.add(again)
        assert _subnet_ids(ec2, vpc_id) == acknowledged

    # The acknowledged state is what a restart finds.
    srv.stop()
    srv2 = own_server(state)
    ec2b = make_client(srv2.endpoint)
    if acknowledged:
        assert _subnet_ids(ec2b, vpc_id) == acknowledged
    assert requests.post(srv2.endpoint + RESET_PATH, timeout=10).ok
    vpcs = ec2b.describe_vpcs()["Vpcs"]
    assert [v["IsDefault"] for v in vpcs] == [True]


# --------------------------------------------------------------------------- damaged state


def test_a_missing_vpc_row_stops_the_server_naming_the_row(own_server, vpclab_binary, tmp_path):
    state = tmp_path / "state"
    srv = own_server(state)
    ec2 = make_client(srv.endpoint)
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    assert srv.stop() == 0

    with sqlite3.connect(state / "vpclab.sqlite3") as db:
        deleted = db.execute("DELETE FROM rows WHERE kind = 'vpc' AND id = ?", (vpc_id,)).rowcount
    assert deleted == 1

    done = subprocess.run(
        [str(vpclab_binary), "serve", "--listen", "127.0.0.1:0", "--dns-listen", "127.0.0.1:0",
         "--state-dir", str(state)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode != 0, "a server with orphans must not start"
    assert f"subnet row {subnet_id} refers to vpc {vpc_id} (VpcId), which is not stored" in done.stderr
    assert "listening" not in done.stderr


# --------------------------------------------------------------------------- in-memory files


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_in_memory_flow_logs_live_in_a_private_directory_removed_at_exit(own_server, how):
    srv = own_server(in_memory=True)
    endpoints = requests.get(srv.endpoint + "/_vpclab/endpoints", timeout=10).json()["endpoints"]
    path = next(e["path"] for e in endpoints if e["kind"] == "flow-logs")
    info = os.stat(path)
    assert stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
    assert str(srv.proc.pid) not in os.path.basename(path), "a guessable name"
    os.killpg(srv.proc.pid, how)
    assert srv.proc.wait(timeout=20) == 0, "a signal is a clean shutdown"
    assert not os.path.exists(path)
