"""Fixtures for the vpclab end-to-end suite.

Session: one `vpclab serve` process (binary from $VPCLAB_BIN, else
<repo>/target/release/vpclab, else <repo>/target/debug/vpclab) on a free port
with a temporary --state-dir, its DNS listeners on ephemeral ports and the client
locations of dns_helpers.CLIENT_LOCATIONS.  Every test starts from a clean slate: an
autouse fixture POSTs /_vpclab/reset before it.

Set VPCLAB_ENDPOINT=http://127.0.0.1:PORT to run against a server you started
yourself instead (the durability tests still start their own from the binary).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import requests

from dns_helpers import CLIENT_LOCATIONS, DEFAULT_CLIENT_LOCATION
from vpclab_helpers import (
    DEFAULT_REGION,
    RESET_PATH,
    TIMINGS,
    VpclabServer,
    find_binary,
    make_client,
    missing_binary_message,
)

_SESSION_SERVER: dict = {}


def session_server_args() -> list[str]:
    """The shared server's DNS set-up: listeners on ephemeral ports (/_vpclab/endpoints lists
    them) and the client locations the latency/geolocation tests query from (dns_helpers)."""
    args = ["--dns-listen", "127.0.0.1:0", "--dns-default-client-location", DEFAULT_CLIENT_LOCATION]
    for mapping in CLIENT_LOCATIONS:
        args += ["--dns-client-location", mapping]
    return args


def pytest_configure(config):
    config.addinivalue_line("markers", "terraform: drives the real Terraform AWS provider (slow)")
    config.addinivalue_line("markers", "durability: starts and kills its own vpclab processes")
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        fd, path = tempfile.mkstemp(prefix="vpclab-timings-", suffix=".txt")
        os.close(fd)
        os.environ["VPCLAB_TIMINGS_FILE"] = path  # xdist workers inherit it


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    path = os.environ.get("VPCLAB_TIMINGS_FILE")
    lines = Path(path).read_text(encoding="utf-8").splitlines() if path and Path(path).exists() else list(TIMINGS)
    if lines:
        terminalreporter.section("vpclab timings")
        for line in lines:
            terminalreporter.write_line(line)
    log = _SESSION_SERVER.get("log")
    if log is not None and exitstatus not in (0, 5):
        terminalreporter.write_line(f"vpclab server log (kept because tests failed): {log}")


# --------------------------------------------------------------------------- server


@pytest.fixture(scope="session")
def vpclab_binary() -> Path:
    binary = find_binary()
    if binary is None:
        pytest.fail(missing_binary_message(), pytrace=False)
    return binary


@pytest.fixture(scope="session")
def vpclab_server(request):
    """The shared server process (None when VPCLAB_ENDPOINT points at an external one)."""
    external = os.environ.get("VPCLAB_ENDPOINT")
    if external:
        yield None
        return
    binary = find_binary()
    if binary is None:
        pytest.fail(missing_binary_message(), pytrace=False)
    workdir = Path(tempfile.mkdtemp(prefix="vpclab-e2e-"))
    server = VpclabServer(binary, state_dir=workdir / "state", log_path=workdir / "vpclab.log",
                          extra_args=session_server_args())
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    _SESSION_SERVER["log"] = server.log_path
    try:
        yield server
    finally:
        server.stop()
        if request.session.testsfailed == 0:
            shutil.rmtree(workdir, ignore_errors=True)
            _SESSION_SERVER.pop("log", None)


@pytest.fixture(scope="session")
def endpoint(vpclab_server) -> str:
    """Base URL of the server, e.g. http://127.0.0.1:41234 (no trailing slash)."""
    if vpclab_server is None:
        return os.environ["VPCLAB_ENDPOINT"].rstrip("/")
    return vpclab_server.endpoint


@pytest.fixture(autouse=True)
def _reset_state(request, endpoint, vpclab_server):
    """Drop all state before every test so tests are independent and order-free."""
    if vpclab_server is not None and not vpclab_server.alive():
        pytest.fail(f"vpclab server is no longer running; log tail:\n{vpclab_server.log_tail()}", pytrace=False)
    r = requests.post(endpoint + RESET_PATH, timeout=15)
    assert 200 <= r.status_code < 300, f"POST {RESET_PATH} -> {r.status_code}: {r.text[:500]}"
    yield


# --------------------------------------------------------------------------- clients


@pytest.fixture
def client_factory(endpoint):
    """client_factory(service='ec2', region='us-east-1', access_key='test') -> boto3 client."""

    def factory(service: str = "ec2", region: str = DEFAULT_REGION, access_key: str = "test"):
        return make_client(endpoint, service=service, region=region, access_key=access_key)

    return factory


@pytest.fixture
def ec2(client_factory):
    """EC2 client: us-east-1, access key 'test' (=> default account 123456789012)."""
    return client_factory("ec2")


@pytest.fixture
def elbv2(client_factory):
    """Elastic Load Balancing v2 client, same account and region."""
    return client_factory("elbv2")


@pytest.fixture
def r53(client_factory):
    """Route 53 client (global; boto3 signs for us-east-1)."""
    return client_factory("route53")


@pytest.fixture
def zone(r53) -> str:
    """A public hosted zone example.com; its bare id (Z…)."""
    from dns_helpers import create_zone, zone_of

    return zone_of(create_zone(r53, "example.com"))


@pytest.fixture
def sts(client_factory):
    return client_factory("sts")


class AwsCli:
    """Runs AWS CLI v1 against the endpoint with an isolated environment."""

    def __init__(self, endpoint: str, tmpdir: Path):
        self.endpoint = endpoint
        self.tmpdir = tmpdir

    def env(self, region: str, access_key: str, secret_key: str = "test") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=access_key,
            AWS_SECRET_ACCESS_KEY=secret_key,
            AWS_DEFAULT_REGION=region,
            AWS_CONFIG_FILE=str(self.tmpdir / "aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(self.tmpdir / "aws-credentials"),
            AWS_MAX_ATTEMPTS="1",
            AWS_RETRY_MODE="standard",
            AWS_PAGER="",
        )
        return env

    def __call__(self, *args: str, region: str = DEFAULT_REGION, access_key: str = "test",
                 secret_key: str = "test", check: bool = True,
                 timeout: float = 120) -> subprocess.CompletedProcess:
        aws = shutil.which("aws")
        if aws is None:
            pytest.skip("AWS CLI `aws` is not on PATH")
        cmd = [aws, "--endpoint-url", self.endpoint, "--output", "json", "--region", region, *args]
        cp = subprocess.run(cmd, env=self.env(region, access_key, secret_key), capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL)
        cp.json = None
        if cp.returncode == 0 and cp.stdout.strip():
            try:
                cp.json = json.loads(cp.stdout)
            except ValueError:  # e.g. a caller asked for --output text
                pass
        if check and cp.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {cp.returncode}\nstdout: {cp.stdout}\nstderr: {cp.stderr}")
        return cp


@pytest.fixture
def aws_cli(endpoint, tmp_path) -> AwsCli:
    """aws_cli('ec2', 'describe-vpcs', ...) -> CompletedProcess with .json parsed from stdout."""
    return AwsCli(endpoint, tmp_path)
