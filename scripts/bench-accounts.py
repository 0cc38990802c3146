#!/usr/bin/env python3
"""Benchmark: what each account costs a running server, and what a change costs the data planes.

Usage: python3 scripts/bench-accounts.py [--accounts N] [--changes M] [--durable] [BINARY]

Starts `vpclab serve` (in memory unless --durable; BINARY defaults to target/release/vpclab),
then:

1. creates N accounts the way any client can: one signed DescribeVpcs each with a fresh
   12-digit access key, which builds the account's default VPC (4 client threads);
2. reports the server's resident memory (VmRSS) and open descriptors, before and after, per
   account;
3. times M CreateVpc calls back to back (one client; spread over the accounts so no quota is
   hit): p50 and p99;
4. makes M more CreateVpc calls 100 ms apart and reports the CPU the data planes spent per
   change: every thread of the load balancer and DNS planes (`vpclab-lb*`, `vpclab-dns*`),
   from /proc/<pid>/task/*/schedstat (nanoseconds on CPU), including their idle polling.

Needs Python 3.11 with botocore (requests are signed with SigV4).
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

PLANE_THREADS = ("vpclab-lb", "vpclab-dns")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive connection sending signed EC2 calls."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def ec2(self, access_key: str, body: str) -> None:
        url = f"http://127.0.0.1:{self.port}/"
        req = AWSRequest(method="POST", url=url, data=body.encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials(access_key, "bench"), "ec2", "us-east-1").add_auth(req)
        self.conn.request("POST", "/", body=body.encode(), headers=dict(req.headers.items()))
        resp = self.conn.getresponse()
        text = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}: {text[:300]!r}")


def account(i: int) -> str:
    return f"{200000000000 + i}"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def plane_cpu_ns(pid: int) -> int:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            if name.startswith(PLANE_THREADS):
                total += int((task / "schedstat").read_text().split()[0])
        except OSError:  # the thread ended meanwhile
            pass
    return total


def create_accounts(port: int, n: int, threads: int = 4) -> float:
    started = time.perf_counter()

    def work(first: int) -> None:
        client = Client(port)
        for i in range(first, n, threads):
            client.ec2(account(i), "Action=DescribeVpcs&Version=2016-11-15")

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def create_vpcs(client: Client, accounts: int, first: int, m: int, pause: float) -> list[float]:
    """CreateVpc in accounts first, first+1, … (each account takes at most 4 more); latencies in ms."""
    latencies = []
    for k in range(m):
        i = (first + k) % max(accounts, 1)
        octet = 1 + (first + k) // max(accounts, 1)
        t = time.perf_counter()
        client.ec2(account(i), f"Action=CreateVpc&Version=2016-11-15&CidrBlock=10.{octet}.0.0/16")
        latencies.append((time.perf_counter() - t) * 1000)
        if pause:
            time.sleep(pause)
    return latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", nargs="?", default="target/release/vpclab")
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--durable", action="store_true")
    args = parser.parse_args()

    port = free_port()
    with tempfile.TemporaryDirectory() as state:
        cmd = [args.binary, "serve", "--listen", f"127.0.0.1:{port}", "--dns-listen", "127.0.0.1:0"]
        cmd += ["--state-dir", state] if args.durable else ["--in-memory"]
        log = open(Path(state) / "server.log", "wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    Client(port).ec2("test", "Action=DescribeRegions&Version=2016-11-15")
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            time.sleep(2.5)
            rss0, fds0 = rss_kib(proc.pid), descriptors(proc.pid)
            took = create_accounts(port, args.accounts)
            time.sleep(3)  # the planes catch up (the DNS plane polls every 2 s)
            rss1, fds1 = rss_kib(proc.pid), descriptors(proc.pid)
            client = Client(port)
            burst = create_vpcs(client, args.accounts, 0, args.changes, pause=0)
            time.sleep(3)
            cpu0 = plane_cpu_ns(proc.pid)
            paced = create_vpcs(client, args.accounts, args.changes, args.changes, pause=0.1)
            time.sleep(0.5)
            cpu1 = plane_cpu_ns(proc.pid)
        finally:
            proc.kill()
            proc.wait()
            log.close()

    mode = "durable" if args.durable else "in memory"
    print(f"{args.binary} ({mode}), {args.accounts} accounts created in {took:.1f} s "
          f"({took / max(args.accounts, 1) * 1000:.2f} ms each, 4 clients)")
    print(f"RSS {rss0 / 1024:.1f} -> {rss1 / 1024:.1f} MiB: {(rss1 - rss0) / max(args.accounts, 1):.1f} KiB per account")
    print(f"descriptors {fds0} -> {fds1}: {(fds1 - fds0) / max(args.accounts, 1):.2f} per account")
    print(f"CreateVpc back to back ({args.changes}): p50 {statistics.median(burst):.2f} ms, "
          f"p99 {percentile(burst, 99):.2f} ms")
    print(f"CreateVpc 100 ms apart ({args.changes}): p50 {statistics.median(paced):.2f} ms, "
          f"p99 {percentile(paced, 99):.2f} ms; data planes' CPU per change "
          f"{(cpu1 - cpu0) / args.changes / 1e6:.3f} ms")


if __name__ == "__main__":
    sys.exit(main())
