"""Local targets and probes for the live load-balancer tests (test_elbv2_live.py,
test_terraform_alb.py).

`HttpBackend` is a small HTTP/1.1 server on 127.0.0.1:<ephemeral port> that answers every
request with JSON naming itself and echoing what a target behind an ALB cares about (path, Host,
the X-Forwarded-* headers); `/healthz` answers the health checker with a configurable status
(and delay).  `kill()` makes it disappear the way a crashed process does: the listening socket is
closed and every open connection is reset, so pooled upstream connections die too.

`EchoServer` is a TCP echo service for NLB pass-through.  The rest are probes of vpclab itself:
the listener addresses from `GET /_vpclab/endpoints` and DescribeTargetHealth polling.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from vpclab_helpers import wait_until

ENDPOINTS_PATH = "/_vpclab/endpoints"
HEALTH_CHECK_PATH = "/healthz"

# The smallest health-check settings AWS accepts, so that verdicts come within seconds.
FAST_HEALTH_CHECK = dict(
    HealthCheckIntervalSeconds=5,
    HealthCheckTimeoutSeconds=2,
    HealthyThresholdCount=2,
    UnhealthyThresholdCount=2,
)
# unhealthy_threshold * interval, plus slack for the check in flight and the data plane's pace.
UNHEALTHY_WITHIN = 25.0
HEALTHY_WITHIN = 25.0


# --------------------------------------------------------------------------- HTTP targets


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, backend: "HttpBackend", port: int = 0, host: str = "127.0.0.1"):
        self.backend = backend
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def process_request(self, request, client_address):
        with self.lock:
            self.connections.add(request)
            self.backend.connections_accepted += 1
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        pass  # a peer that hangs up (a health check timing out, kill()) is not an error here

    def shutdown_request(self, request):
        with self.lock:
            self.connections.discard(request)
        super().shutdown_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a proxy pools its upstream connections
    server: _Server

    def log_message(self, *args):  # quiet
        pass

    def _answer(self):
        b = self.server.backend
        if b.dead:
            self.close_connection = True
            return
        length = int(self.headers.get("Content-Length") or 0)
        body_in = self.rfile.read(length) if length else b""
        path = self.path
        if path.split("?", 1)[0] == HEALTH_CHECK_PATH:
            with b.lock:
                b.health_checks += 1
            if b.health_delay:
                time.sleep(b.health_delay)
            self._send(b.health_status, "text/plain", b"ok\n" if b.health_status == 200 else b"sick\n")
            return
        with b.lock:
            b.hits[path] += 1
        answer = {
            "backend": b.name,
            "method": self.command,
            "path": path,
            "host": self.headers.get("Host"),
            "forwarded": {k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-forwarded-")},
            "body_bytes": len(body_in),
        }
        self._send(200, "application/json", json.dumps(answer).encode())

    def _send(self, status: int, content_type: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _answer


class HttpBackend:
    """A target: `name` answers every path; `/healthz` answers `health_status` after `health_delay` s.
    `port`: 0 for an ephemeral one, or a killed backend's port to bring it back there; `host`: the
    address it listens on (loopback unless a test has other local addresses, see test_egress.py)."""

    def __init__(self, name: str, health_status: int = 200, health_delay: float = 0.0, port: int = 0,
                 host: str = "127.0.0.1"):
        self.name = name
        self.host = host
        self.health_status = health_status
        self.health_delay = health_delay
        self.dead = False
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.health_checks = 0
        self.connections_accepted = 0
        self._server = _Server(self, port, host)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"backend-{name}", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def requests_served(self) -> int:
        with self.lock:
            return sum(self.hits.values())

    def kill(self) -> None:
        """Stop as a crashed process does: no listener, every open connection reset."""
        if self.dead:
            return
        self.dead = True
        self._server.shutdown()
        self._server.server_close()
        with self._server.lock:
            conns = list(self._server.connections)
        for c in conns:
            with contextlib.suppress(OSError):
                # SO_LINGER 0: close with a RST, as the kernel does for a dead process.
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                c.close()

    def __enter__(self) -> "HttpBackend":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()


@contextlib.contextmanager
def backends(*names: str, **kw):
    """Start one HttpBackend per name; kill them all on exit.  Yields {name: backend}."""
    started: dict[str, HttpBackend] = {}
    try:
        for n in names:
            started[n] = HttpBackend(n, **kw)
        yield started
    finally:
        for b in started.values():
            b.kill()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- TCP echo target


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        self.server.accepted += 1
        while True:
            try:
                data = self.request.recv(65536)
            except OSError:
                return
            if not data:
                return
            self.request.sendall(data)


class EchoServer:
    """TCP echo on 127.0.0.1:<ephemeral port>; `accepted` counts connections (health checks too)."""

    def __init__(self):
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _EchoHandler)
        self._server.daemon_threads = True
        self._server.accepted = 0
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="echo", daemon=True)
        self._thread.start()

    @property
    def accepted(self) -> int:
        return self._server.accepted

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "EchoServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def echo_round_trip(address: str, payload: bytes, timeout: float = 5.0) -> bytes:
    """Send payload over one TCP connection, half-close, read everything back."""
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)


# --------------------------------------------------------------------------- vpclab probes


def live_endpoints(endpoint: str) -> list[dict]:
    r = requests.get(endpoint + ENDPOINTS_PATH, timeout=5)
    assert r.status_code == 200, f"GET {ENDPOINTS_PATH} -> {r.status_code}: {r.text[:500]}"
    return r.json()["endpoints"]


def listener_endpoint(endpoint: str, listener_arn: str, timeout: float = 5.0) -> dict:
    """The /_vpclab/endpoints entry of a listener, polled until it appears."""
    def find():
        return next((e for e in live_endpoints(endpoint)
                     if e.get("kind") == "load-balancer-listener" and e.get("listener_arn") == listener_arn), None)
    return wait_until(find, timeout=timeout, interval=0.1, desc=f"listener {listener_arn} in {ENDPOINTS_PATH}")


def wait_listener_gone(endpoint: str, listener_arn: str, timeout: float = 5.0) -> None:
    wait_until(lambda: not any(e.get("listener_arn") == listener_arn for e in live_endpoints(endpoint)),
               timeout=timeout, interval=0.1, desc=f"listener {listener_arn} to leave {ENDPOINTS_PATH}")


def refuses_connections(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return False
    except OSError:
        return True


def target_health(elbv2, tg_arn: str) -> dict[tuple[str, int], dict]:
    """{(target id, port): TargetHealth} of a target group."""
    out = {}
    for d in elbv2.describe_target_health(TargetGroupArn=tg_arn)["TargetHealthDescriptions"]:
        out[(d["Target"]["Id"], d["Target"]["Port"])] = d["TargetHealth"]
    return out


def wait_health(elbv2, tg_arn: str, expected: dict[tuple[str, int], str], timeout: float) -> dict:
    """Poll DescribeTargetHealth until each listed target is in its expected state; return the health map."""
    def check():
        h = target_health(elbv2, tg_arn)
        return h if all(h.get(t, {}).get("State") == s for t, s in expected.items()) else None

    try:
        return wait_until(check, timeout=timeout, interval=0.25, desc=f"target health {expected}")
    except AssertionError as e:
        raise AssertionError(f"{e}\nlast DescribeTargetHealth: {target_health(elbv2, tg_arn)}") from None


def wait_refused_by_egress(elbv2, tg_arn: str, target: tuple[str, int], address: str,
                           timeout: float = 10.0) -> dict:
    """Wait for a target outside --egress-allow to be reported as never contacted: `unhealthy`,
    `Target.FailedHealthChecks`, a description naming `address` (ip:port) and the flag."""
    health = wait_health(elbv2, tg_arn, {target: "unhealthy"}, timeout=timeout)[target]
    assert health["Reason"] == "Target.FailedHealthChecks", health
    assert health["Description"] == (f"vpclab does not connect to {address}: the address is outside "
                                     "--egress-allow (loopback only by default)"), health
    return health


def ip_target(backend_or_port, az: str = "all") -> dict:
    """A loopback `ip` target (vpclab extension: 127.0.0.0/8 with AvailabilityZone=all)."""
    port = backend_or_port if isinstance(backend_or_port, int) else backend_or_port.port
    return {"Id": "127.0.0.1", "Port": port, "AvailabilityZone": az}


def ask(url: str, path: str = "/", headers: dict | None = None, timeout: float = 5.0) -> requests.Response:
    """One request on a fresh connection, redirects not followed."""
    return requests.get(url + path, headers=headers or {}, allow_redirects=False, timeout=timeout)


def backend_of(r: requests.Response) -> str | None:
    """Name of the backend that answered, None if the load balancer answered itself."""
    if r.status_code != 200 or not r.headers.get("Content-Type", "").startswith("application/json"):
        return None
    with contextlib.suppress(ValueError):
        return r.json().get("backend")
    return None


def who_answers(url: str, path: str = "/", n: int = 20, headers: dict | None = None) -> list[str | None]:
    return [backend_of(ask(url, path, headers)) for _ in range(n)]


def set_cookies(r: requests.Response) -> dict[str, str]:
    """{name: raw Set-Cookie header} of a response (requests folds repeated headers)."""
    out = {}
    for h in r.raw.headers.getlist("Set-Cookie"):
        name = h.split("=", 1)[0].strip()
        out[name] = h
    return out


def cookie_value(set_cookie: str) -> str:
    return set_cookie.split(";", 1)[0].split("=", 1)[1]


def pin_each_target(url: str, names: set[str], path: str = "/", tries: int = 20) -> dict[str, str]:
    """Ask without cookies until every named backend has answered once; return {backend: AWSALB value}
    (lb_cookie stickiness: the ALB sets AWSALB, and AWSALBCORS with SameSite=None, on its answers)."""
    pinned: dict[str, str] = {}
    for _ in range(tries):
        r = ask(url, path)
        cookies = set_cookies(r)
        assert "AWSALB" in cookies, f"no AWSALB cookie in {r.status_code} {dict(r.headers)}"
        assert "AWSALBCORS" in cookies and "samesite=none" in cookies["AWSALBCORS"].lower(), cookies
        pinned.setdefault(backend_of(r), cookie_value(cookies["AWSALB"]))
        if set(pinned) >= names:
            break
    assert set(pinned) == names, pinned
    return pinned


def assert_sticky(url: str, pinned: dict[str, str], path: str = "/", n: int = 20) -> None:
    """Each AWSALB cookie keeps its client on the same backend for n requests."""
    for name, value in pinned.items():
        got = who_answers(url, path, n=n, headers={"Cookie": f"AWSALB={value}"})
        assert got == [name] * n, (name, got)


def kill_and_check_failover(elbv2, tg_arn: str, victim: HttpBackend, survivor: HttpBackend, url: str,
                            path: str = "/") -> float:
    """Kill `victim`; it must turn unhealthy (Target.FailedHealthChecks) within UNHEALTHY_WITHIN while
    `survivor` stays healthy, and then the next 20 requests all go to `survivor`.  Returns the seconds
    from the kill to the unhealthy verdict."""
    victim.kill()
    t0 = time.monotonic()
    h = wait_health(elbv2, tg_arn, {("127.0.0.1", victim.port): "unhealthy"}, timeout=UNHEALTHY_WITHIN)
    took = time.monotonic() - t0
    assert h[("127.0.0.1", victim.port)].get("Reason") == "Target.FailedHealthChecks", h
    assert h[("127.0.0.1", survivor.port)]["State"] == "healthy", h
    got = who_answers(url, path, n=20)
    assert got == [survivor.name] * 20, got
    return took
