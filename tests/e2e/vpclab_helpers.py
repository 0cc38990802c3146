"""Shared helpers for the vpclab end-to-end suite.

Imported by conftest.py and by the test modules (pytest puts this directory on
sys.path because it has no __init__.py).  Nothing here talks to AWS: every
client is pointed at a local vpclab server.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import boto3
import botocore.session
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]  # tests/e2e -> tests -> repo root

DEFAULT_ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
DEFAULT_REGION = "us-east-1"
AMI = "ami-0abcdef1234567890"
INSTANCE_TYPE = "t3.micro"
EC2_API_VERSION = "2016-11-15"
HEALTH_PATH = "/_vpclab/health"
RESET_PATH = "/_vpclab/reset"
START_TIMEOUT = 20.0

# Regions that are enabled by default in every commercial account ("opt-in-not-required").
DEFAULT_ENABLED_REGIONS = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2",
]

class _Timings(list):
    """Lines (e.g. Terraform wall time) that conftest prints in the terminal summary. Under
    pytest-xdist the tests run in worker processes, so each line also goes to the file named by
    $VPCLAB_TIMINGS_FILE, which the controller reads."""

    def append(self, line: str) -> None:
        super().append(line)
        path = os.environ.get("VPCLAB_TIMINGS_FILE")
        if path:
            with open(path, "a", encoding="utf-8") as f:
                f.write(line + "\n")


TIMINGS = _Timings()

# One shared botocore session: loading the EC2 model once keeps client creation cheap.
_BOTO_LOCK = threading.Lock()
_BOTO_SESSION: boto3.session.Session | None = None


# --------------------------------------------------------------------------- binary / server


def find_binary() -> Path | None:
    """VPCLAB_BIN, else <repo>/target/release/vpclab, else <repo>/target/debug/vpclab."""
    env = os.environ.get("VPCLAB_BIN")
    if env:
        p = Path(env).expanduser()
        return p if p.is_file() else None
    for sub in ("release", "debug"):
        p = REPO_ROOT / "target" / sub / "vpclab"
        if p.is_file():
            return p
    return None


def missing_binary_message() -> str:
    env = os.environ.get("VPCLAB_BIN")
    if env:
        return f"VPCLAB_BIN={env!r} does not point to an existing file."
    return (
        "vpclab binary not found: looked for "
        f"{REPO_ROOT / 'target/release/vpclab'} and {REPO_ROOT / 'target/debug/vpclab'}. "
        "Build it first (cargo build --release) or set VPCLAB_BIN=/path/to/vpclab."
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class VpclabServer:
    """One `vpclab serve` child process.

    The process gets its own process group so that kill9() also reaches any
    helper processes it may spawn.  stdout/stderr go to `log_path`.
    """

    def __init__(self, binary: Path, state_dir: Path | None, log_path: Path, in_memory: bool = False,
                 extra_args: list[str] | None = None):
        self.binary = Path(binary)
        self.extra_args = list(extra_args or [])
        self.state_dir = Path(state_dir) if state_dir else None
        self.in_memory = in_memory
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._log = None

    @property
    def endpoint(self) -> str:
        assert self.port is not None, "server not started"
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [str(self.binary), "serve", "--listen", f"127.0.0.1:{self.port}"]
        if self.in_memory:
            cmd.append("--in-memory")
        else:
            assert self.state_dir is not None
            cmd += ["--state-dir", str(self.state_dir)]
        if "--dns-listen" not in self.extra_args:
            # An ephemeral port: the default (127.0.0.1:8053) would clash between test servers.
            cmd += ["--dns-listen", "127.0.0.1:0"]
        return cmd + self.extra_args

    def start(self, timeout: float = START_TIMEOUT) -> "VpclabServer":
        if self.state_dir is not None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
        last_error = ""
        for _attempt in range(3):  # a freshly chosen free port can (rarely) be taken meanwhile
            self.port = free_port()
            self._log = open(self.log_path, "ab")
            self._log.write(f"\n=== starting: {' '.join(self.command())}\n".encode())
            self._log.flush()
            self.proc = subprocess.Popen(
                self.command(),
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "RUST_BACKTRACE": os.environ.get("RUST_BACKTRACE", "1")},
            )
            ok, last_error = self._wait_healthy(timeout)
            if ok:
                return self
            self._hard_stop()
        raise RuntimeError(f"vpclab did not become healthy: {last_error}\n--- log tail ---\n{self.log_tail()}")

    def _wait_healthy(self, timeout: float) -> tuple[bool, str]:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False, f"process exited with code {self.proc.returncode}"
            try:
                r = requests.get(self.endpoint + HEALTH_PATH, timeout=2)
                if r.status_code == 200:
                    return True, ""
                last = f"health answered HTTP {r.status_code}"
            except requests.RequestException as e:  # not listening yet
                last = repr(e)
            time.sleep(0.05)
        return False, f"timed out after {timeout}s ({last})"

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        """SIGKILL the whole process group, no chance to flush anything."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, timeout: float = 10.0) -> int | None:
        """Graceful stop (SIGTERM), SIGKILL if it does not exit in time."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._close_log()
        return self.proc.returncode

    def _hard_stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            with contextlib.suppress(Exception):
                self._log.close()
            self._log = None

    def log_tail(self, n: int = 60) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(lines[-n:])


# --------------------------------------------------------------------------- clients


def _boto_session() -> boto3.session.Session:
    global _BOTO_SESSION
    with _BOTO_LOCK:
        if _BOTO_SESSION is None:
            # An isolated botocore session: ignore ~/.aws config, profiles and env credentials.
            core = botocore.session.Session()
            core.set_config_variable("config_file", "/nonexistent/vpclab-e2e-config")
            core.set_config_variable("credentials_file", "/nonexistent/vpclab-e2e-credentials")
            _BOTO_SESSION = boto3.session.Session(botocore_session=core)
        return _BOTO_SESSION


CLIENT_CONFIG = Config(
    retries={"total_max_attempts": 1},  # never hide a failure behind a retry
    connect_timeout=5,
    read_timeout=60,
    max_pool_connections=32,
)


_CLIENTS: dict[tuple, Any] = {}


def make_client(endpoint: str, service: str = "ec2", region: str = DEFAULT_REGION,
                access_key: str = "test", secret_key: str = "test", config: Config | None = None):
    """A boto3 client for the endpoint.  Clients hold no per-test state, so they are cached
    (creating one costs ~50 ms)."""
    key = (endpoint, service, region, access_key, secret_key, id(config) if config else None)
    sess = _boto_session()
    with _BOTO_LOCK:  # botocore sessions are not thread-safe while creating clients
        client = _CLIENTS.get(key)
        if client is None:
            client = sess.client(
                service,
                region_name=region,
                endpoint_url=endpoint,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=config or CLIENT_CONFIG,
            )
            _CLIENTS[key] = client
        return client


def sign_headers(endpoint: str, body: bytes, region: str = DEFAULT_REGION, access_key: str = "test",
                 service: str = "ec2", content_type: str = "application/x-www-form-urlencoded; charset=utf-8",
                 path: str = "/") -> dict[str, str]:
    """SigV4 headers for a raw POST with exactly these body bytes."""
    req = AWSRequest(method="POST", url=endpoint + path, data=body, headers={"Content-Type": content_type})
    SigV4Auth(Credentials(access_key, "test"), service, region).add_auth(req)
    return {k: v for k, v in req.headers.items()}


def raw_post(endpoint: str, body: bytes | str, *, signed: bool = True, region: str = DEFAULT_REGION,
             access_key: str = "test", headers: dict[str, str] | None = None,
             session: requests.Session | None = None, timeout: float = 15) -> requests.Response:
    if isinstance(body, str):
        body = body.encode()
    h = sign_headers(endpoint, body, region=region, access_key=access_key) if signed else {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if headers:
        h.update(headers)
    return (session or requests).post(endpoint + "/", data=body, headers=h, timeout=timeout)


# --------------------------------------------------------------------------- assertions


def err_code(e: ClientError) -> str:
    return e.response["Error"]["Code"]


def err_status(e: ClientError) -> int:
    return e.response["ResponseMetadata"]["HTTPStatusCode"]


@contextlib.contextmanager
def aws_error(code: str | Iterable[str], status: int | None = 400):
    """Expect the block to raise a ClientError with this code (or one of these) and HTTP status.

    A code is required: a test that checks only the status would pass on any refusal.
    """
    if code is None or (not isinstance(code, str) and not code):
        raise TypeError("aws_error needs the AWS error code to expect")
    allowed = {code} if isinstance(code, str) else set(code)
    with pytest.raises(ClientError) as ei:
        yield ei
    e = ei.value
    assert err_code(e) in allowed, f"expected error code {sorted(allowed)}, got {err_code(e)!r}: {e}"
    if status is not None:
        assert err_status(e) == status, f"expected HTTP {status}, got {err_status(e)} ({err_code(e)}: {e})"


def wait_until(fn: Callable[[], Any], timeout: float = 15.0, interval: float = 0.1, desc: str = "condition"):
    """Poll fn until it returns a truthy value; return that value."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = fn()
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {desc} (last value: {last!r})")
        time.sleep(interval)


def tags_of(resource: dict) -> dict[str, str]:
    return {t["Key"]: t.get("Value", "") for t in resource.get("Tags") or []}


def name_tag(name: str, resource_type: str) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": "Name", "Value": name}]}]


def filters(**kw: Any) -> list[dict]:
    """filters(vpc_id='vpc-1', **{'tag:Name': 'x'}) -> EC2 Filter list; '_' becomes '-'."""
    out = []
    for k, v in kw.items():
        name = k if (":" in k or "." in k) else k.replace("_", "-")
        vals = v if isinstance(v, (list, tuple, set)) else [v]
        out.append({"Name": name, "Values": [str(x).lower() if isinstance(x, bool) else str(x) for x in vals]})
    return out


def f(name: str, *values: Any) -> dict:
    return {"Name": name, "Values": [str(v).lower() if isinstance(v, bool) else str(v) for v in values]}


def in_cidr(ip: str, cidr: str) -> bool:
    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def reserved_ips(cidr: str) -> set[str]:
    """The five addresses AWS reserves in every IPv4 subnet."""
    net = ipaddress.ip_network(cidr)
    first = int(net.network_address)
    return {str(ipaddress.ip_address(first + i)) for i in range(4)} | {str(net.broadcast_address)}


def usable_count(cidr: str) -> int:
    return ipaddress.ip_network(cidr).num_addresses - 5


# --------------------------------------------------------------------------- resource builders


@dataclass
class Network:
    vpc_id: str
    vpc_cidr: str
    subnet_id: str
    subnet_cidr: str
    az: str
    igw_id: str | None


def create_vpc(ec2, cidr: str = "10.0.0.0/16", **kw) -> dict:
    return ec2.create_vpc(CidrBlock=cidr, **kw)["Vpc"]


def create_network(ec2, vpc_cidr: str = "10.0.0.0/16", subnet_cidr: str = "10.0.1.0/24",
                   az: str = "us-east-1a", igw: bool = True, map_public: bool = False) -> Network:
    vpc_id = create_vpc(ec2, vpc_cidr)["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=subnet_cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
    if map_public:
        ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    igw_id = None
    if igw:
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return Network(vpc_id, vpc_cidr, subnet_id, subnet_cidr, az, igw_id)


def make_public(ec2, net: Network) -> str:
    """Gives the network's subnet its own route table with 0.0.0.0/0 → its internet gateway."""
    rt = ec2.create_route_table(VpcId=net.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=net.subnet_id)
    ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw_id)
    return rt


def get_vpc(ec2, vpc_id: str) -> dict:
    return ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]


def get_subnet(ec2, subnet_id: str) -> dict:
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]


def get_instance(ec2, instance_id: str) -> dict:
    res = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return res[0]["Instances"][0]


def get_eni(ec2, eni_id: str) -> dict:
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def get_sg(ec2, sg_id: str) -> dict:
    return ec2.describe_security_groups(GroupIds=[sg_id])["SecurityGroups"][0]


def get_rt(ec2, rt_id: str) -> dict:
    return ec2.describe_route_tables(RouteTableIds=[rt_id])["RouteTables"][0]


def get_acl(ec2, acl_id: str) -> dict:
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]


def main_route_table(ec2, vpc_id: str) -> dict:
    rts = ec2.describe_route_tables(Filters=[f("vpc-id", vpc_id), f("association.main", "true")])["RouteTables"]
    assert len(rts) == 1, f"expected exactly one main route table for {vpc_id}, got {rts}"
    return rts[0]


def default_acl(ec2, vpc_id: str) -> dict:
    acls = ec2.describe_network_acls(Filters=[f("vpc-id", vpc_id), f("default", "true")])["NetworkAcls"]
    assert len(acls) == 1, f"expected exactly one default network ACL for {vpc_id}, got {acls}"
    return acls[0]


def default_sg(ec2, vpc_id: str) -> dict:
    sgs = ec2.describe_security_groups(Filters=[f("vpc-id", vpc_id), f("group-name", "default")])["SecurityGroups"]
    assert len(sgs) == 1, f"expected exactly one default security group for {vpc_id}, got {sgs}"
    return sgs[0]


def default_vpc(ec2) -> dict | None:
    vpcs = ec2.describe_vpcs(Filters=[f("is-default", "true")])["Vpcs"]
    assert len(vpcs) <= 1, f"more than one default VPC: {vpcs}"
    return vpcs[0] if vpcs else None


def run_instances(ec2, subnet_id: str, count: int = 1, wait: bool = True, **kw) -> list[dict]:
    resp = ec2.run_instances(ImageId=AMI, InstanceType=INSTANCE_TYPE, MinCount=count, MaxCount=count,
                             SubnetId=subnet_id, **kw)
    ids = [i["InstanceId"] for i in resp["Instances"]]
    if wait:
        wait_instances_state(ec2, ids, "running")
        return [get_instance(ec2, i) for i in ids]
    return resp["Instances"]


def run_instance(ec2, subnet_id: str, **kw) -> dict:
    return run_instances(ec2, subnet_id, 1, **kw)[0]


def instance_states(ec2, ids: list[str]) -> dict[str, str]:
    out = {}
    for r in ec2.describe_instances(InstanceIds=ids)["Reservations"]:
        for i in r["Instances"]:
            out[i["InstanceId"]] = i["State"]["Name"]
    return out


def wait_instances_state(ec2, ids: list[str], state: str, timeout: float = 30.0) -> None:
    wait_until(lambda: all(s == state for s in instance_states(ec2, ids).values())
               and len(instance_states(ec2, ids)) == len(ids),
               timeout=timeout, interval=0.2, desc=f"instances {ids} to be {state}")


STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}


def all_pages(call: Callable[..., dict], key: str, page_size: int, **kw) -> list[list[dict]]:
    """Follow NextToken by hand; return the list of pages."""
    pages = []
    token = None
    for _ in range(1000):
        args = dict(kw, MaxResults=page_size)
        if token:
            args["NextToken"] = token
        resp = call(**args)
        pages.append(resp[key])
        token = resp.get("NextToken")
        if not token:
            return pages
    raise AssertionError("pagination did not terminate")


def flatten_permissions(perms: list[dict]) -> set[tuple]:
    """IpPermissions -> {(proto, from, to, kind, value)} so assertions don't depend on grouping."""
    out = set()
    for p in perms:
        key = (p.get("IpProtocol"), p.get("FromPort"), p.get("ToPort"))
        for r in p.get("IpRanges", []):
            out.add(key + ("cidr", r["CidrIp"]))
        for r in p.get("Ipv6Ranges", []):
            out.add(key + ("cidr6", r["CidrIpv6"]))
        for r in p.get("PrefixListIds", []):
            out.add(key + ("pl", r["PrefixListId"]))
        for r in p.get("UserIdGroupPairs", []):
            out.add(key + ("sg", r["GroupId"]))
    return out


def dump(obj: Any) -> str:
    return json.dumps(obj, indent=1, default=str)
