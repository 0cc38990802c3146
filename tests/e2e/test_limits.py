"""Resource limits: idle and slowloris clients against the API port, an ALB listener and the DNS
TCP port; a server held to 512 descriptors; the cap on listener ports (--max-listeners).

Each test starts a dedicated in-memory server with small limits (the shared session server keeps
the defaults).  NLB UDP flows (capped, expiring) are covered by the lb crate's integration tests
(crates/lb/tests/it/limits.rs), where the idle timeout can be made short.
"""

from __future__ import annotations

import contextlib
import re
import resource
import socket
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from lb_helpers import HttpBackend, ip_target, listener_endpoint, live_endpoints
from vpclab_helpers import VpclabServer, aws_error, find_binary, make_client

HEADER_READ_TIMEOUT = 2
IDLE_TIMEOUT = 3
IDLE_CLIENTS = 2000
SLOW_CLIENTS = 20


def _raise_own_descriptor_limit(needed: int) -> int:
    """Raises this process's soft limit on open files as far as it may go; returns it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < needed and hard != soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class LimitedServer(VpclabServer):
    """A server whose process may hold at most `descriptors` open files (None: as inherited)."""

    def __init__(self, *args, descriptors: int | None = None, **kw):
        super().__init__(*args, **kw)
        self.descriptors = descriptors

    def command(self) -> list[str]:
        cmd = super().command()
        if self.descriptors is None:
            return cmd
        # setrlimit, then exec the server: the limit holds from its first instruction.
        wrapper = ("import os, resource, sys; n = int(sys.argv[1]); "
                   "resource.setrlimit(resource.RLIMIT_NOFILE, (n, n)); os.execv(sys.argv[2], sys.argv[2:])")
        return [sys.executable, "-c", wrapper, str(self.descriptors), *cmd]


@contextlib.contextmanager
def dedicated_server(*extra: str, descriptors: int | None = None):
    binary = find_binary()
    if binary is None:
        pytest.skip("no vpclab binary")
    workdir = Path(tempfile.mkdtemp(prefix="vpclab-limits-"))
    server = LimitedServer(binary, state_dir=None, in_memory=True, log_path=workdir / "vpclab.log",
                           extra_args=list(extra), descriptors=descriptors)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Idle:
    """Connections that send nothing, and when each was opened."""

    def __init__(self, address: tuple[str, int], n: int):
        self.sockets: list[socket.socket] = []
        self.opened: list[float] = []
        for _ in range(n):
            s = socket.create_connection(address, timeout=5)
            s.setblocking(False)
            self.sockets.append(s)
            self.opened.append(time.monotonic())

    def closed_younger_than(self, age: float) -> int:
        """How many of the connections opened less than `age` seconds ago are closed already."""
        now = time.monotonic()
        return sum(closed(s) for s, at in zip(self.sockets, self.opened) if now - at < age)

    def close(self) -> None:
        for s in self.sockets:
            s.close()


def closed(s: socket.socket) -> bool:
    """Whether the peer closed (or reset) the connection; never blocks."""
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def wait_all_closed(sockets: list[socket.socket], timeout: float) -> float:
    """Seconds until every socket was closed by the server; fails after `timeout`."""
    started = time.monotonic()
    waiting = list(sockets)
    while waiting:
        waiting = [s for s in waiting if not closed(s)]
        if not waiting:
            break
        if time.monotonic() - started > timeout:
            pytest.fail(f"{len(waiting)} of {len(sockets)} connections still open after {timeout} s")
        time.sleep(0.1)
    return time.monotonic() - started


class Slowloris:
    """Clients that send a request head one byte a second, forever."""

    def __init__(self, address: tuple[str, int], n: int, head: bytes):
        self.sockets = [socket.create_connection(address, timeout=5) for _ in range(n)]
        self.head = head
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)
        self._thread.start()

    def _trickle(self) -> None:
        for i in range(len(self.head)):
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.send(self.head[i:i + 1])
            if self._stop.wait(1.0):
                return

    def stop(self) -> None:
        self._stop.set()
        for s in self.sockets:
            s.close()


def dns_query(name: str, qid: int = 0x4242) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split("."))
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)


def ask_dns_over_tcp(port: int, name: str, timeout: float) -> bytes:
    """The answer's first A record, asked over TCP."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        q = dns_query(name)
        s.sendall(struct.pack(">H", len(q)) + q)
        (length,) = struct.unpack(">H", s.recv(2, socket.MSG_WAITALL))
        answer = s.recv(length, socket.MSG_WAITALL)
    assert answer[:2] == b"\x42\x42" and answer[3] & 0x0F == 0, answer  # our id, NOERROR
    return answer[-4:]


def alb_listener(endpoint: str, backend: HttpBackend, ports: tuple[int, ...] = (80,)) -> tuple[str, list[str]]:
    """An internal ALB forwarding to `backend`: its ARN and the listener ARNs, one per port."""
    ec2, elbv2 = make_client(endpoint, "ec2"), make_client(endpoint, "elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.60.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
               ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
    lb = elbv2.create_load_balancer(Name="limits", Type="application", Scheme="internal",
                                    Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    tg = elbv2.create_target_group(Name="limits", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip",
                                   HealthCheckPath="/healthz")["TargetGroups"][0]["TargetGroupArn"]
    elbv2.register_targets(TargetGroupArn=tg, Targets=[ip_target(backend)])
    listeners = [elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=port,
                                       DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
                 ["Listeners"][0]["ListenerArn"] for port in ports]
    return lb, listeners


def connection_cap(server: VpclabServer) -> int:
    """The cap per listener the server announced at start-up."""
    found = re.search(r"up to (\d+) connections a listener", server.log_path.read_text())
    assert found, server.log_tail()
    return int(found.group(1))


def address_of(text: str) -> tuple[str, int]:
    host, port = text.rsplit(":", 1)
    return host, int(port)


def test_idle_and_slowloris_clients_never_delay_a_normal_request():
    have = _raise_own_descriptor_limit(3 * (IDLE_CLIENTS + SLOW_CLIENTS) + 500)
    idle_clients = min(IDLE_CLIENTS, (have - 500) // 3 - SLOW_CLIENTS)
    if idle_clients < 200:
        pytest.skip(f"this process may open only {have} files")
    with dedicated_server("--header-read-timeout", str(HEADER_READ_TIMEOUT), "--idle-timeout", str(IDLE_TIMEOUT)) \
            as server, HttpBackend("target") as backend:
        endpoint = server.endpoint
        _, (listener,) = alb_listener(endpoint, backend)
        alb = address_of(listener_endpoint(endpoint, listener)["address"])
        r53 = make_client(endpoint, "route53")
        zone = r53.create_hosted_zone(Name="example.com", CallerReference="limits")["HostedZone"]["Id"]
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE",
            "ResourceRecordSet": {"Name": "www.example.com", "Type": "A", "TTL": 60,
                                  "ResourceRecords": [{"Value": "192.0.2.7"}]}}]})
        dns_port = next(e["port"] for e in live_endpoints(endpoint) if e.get("view") == "public")
        api = ("127.0.0.1", server.port)
        dns = ("127.0.0.1", dns_port)

        idle = {name: Idle(at, idle_clients) for name, at in (("api", api), ("alb", alb), ("dns", dns))}
        slow = [Slowloris(api, SLOW_CLIENTS, b"GET / HTTP/1.1\r\nHost: x\r\n"),
                Slowloris(alb, SLOW_CLIENTS, b"GET / HTTP/1.1\r\nHost: x\r\n"),
                Slowloris(dns, SLOW_CLIENTS, b"\x00\x20" + dns_query("www.example.com"))]
        try:
            time.sleep(0.5)
            started = time.monotonic()
            assert requests.get(endpoint + "/_vpclab/health", timeout=1).status_code == 200
            vpcs = make_client(endpoint, "ec2").describe_vpcs()["Vpcs"]
            assert vpcs, "the API answers"
            assert requests.get(f"http://{alb[0]}:{alb[1]}/", timeout=1).status_code == 200
            assert ask_dns_over_tcp(dns_port, "www.example.com", timeout=1) == bytes([192, 0, 2, 7])
            assert time.monotonic() - started < 3, "each of the requests answered well within a second"
            if idle_clients + SLOW_CLIENTS < connection_cap(server):
                early = {name: c.closed_younger_than(IDLE_TIMEOUT - 0.5) for name, c in idle.items()}
                assert not any(early.values()), f"below the cap, idle connections stay until the idle timeout: {early}"

            # A slow head is cut at the header-read timeout from its first byte, an idle
            # connection at the idle timeout.
            for s in slow:
                waited = wait_all_closed(s.sockets, HEADER_READ_TIMEOUT + 3)
                assert time.monotonic() - s.started >= HEADER_READ_TIMEOUT - 0.5, waited
            for c in idle.values():
                wait_all_closed(c.sockets, IDLE_TIMEOUT + 3)
        finally:
            for s in slow:
                s.stop()
            for c in idle.values():
                c.close()


def test_a_server_held_to_512_descriptors_keeps_answering_without_flooding_its_log():
    _raise_own_descriptor_limit(1200)
    with dedicated_server("--idle-timeout", "4", descriptors=512) as server:
        api = ("127.0.0.1", server.port)
        assert requests.get(server.endpoint + "/_vpclab/health", timeout=2).status_code == 200
        lines_before = len(server.log_path.read_text().splitlines())
        idle = Idle(api, 600)
        try:
            started = time.monotonic()
            answer = None
            while answer is None and time.monotonic() - started < 4:
                with contextlib.suppress(requests.RequestException):
                    answer = requests.get(server.endpoint + "/_vpclab/health", timeout=1)
            assert answer is not None and answer.status_code == 200, "answered within the idle timeout"
            assert make_client(server.endpoint, "ec2").describe_vpcs()["Vpcs"]
            descriptors = len(list(Path(f"/proc/{server.proc.pid}/fd").iterdir()))
            assert descriptors < 512, descriptors
            assert server.alive()
        finally:
            idle.close()
        log = server.log_path.read_text().splitlines()
        assert len(log) - lines_before <= 2, "\n".join(log[lines_before:][:10])


def test_listener_ports_beyond_max_listeners_are_refused():
    with dedicated_server("--max-listeners", "2") as server, HttpBackend("target") as backend:
        lb, _ = alb_listener(server.endpoint, backend, (80, 81))
        elbv2 = make_client(server.endpoint, "elbv2")
        with aws_error("TooManyListeners", 400) as e:
            elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=82, DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}])
        assert "--max-listeners" in e.value.response["Error"]["Message"]
