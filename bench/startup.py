#!/usr/bin/env python3
"""Benchmark: time from process start to the first answered request, and idle RSS.

Usage: python3 bench/startup.py [path/to/vpclab] [runs]
Starts `vpclab serve` on a free port with a fresh state directory, polls
/_vpclab/health as fast as it can, and reports the median and worst start-up time
over the runs, then the resident memory of the idle server after one EC2 call (signed with
SigV4 by botocore, as every client signs: unsigned calls are refused).
"""
import os, socket, statistics, subprocess, sys, tempfile, time, http.client
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def one_run(binary, durable=True):
    port = free_port()
    with tempfile.TemporaryDirectory() as state:
        args = [binary, "serve", "--listen", f"127.0.0.1:{port}"]
        args += ["--state-dir", state] if durable else ["--in-memory"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(args, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    c.request("GET", "/_vpclab/health")
                    if c.getresponse().status == 200:
                        break
                except OSError:
                    time.sleep(0.0005)
            elapsed = time.perf_counter() - t0
            body = "Action=DescribeVpcs&Version=2016-11-15"
            req = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
            SigV4Auth(Credentials("test", "test"), "ec2", "us-east-1").add_auth(req)
            c = http.client.HTTPConnection("127.0.0.1", port)
            c.request("POST", "/", body=body, headers=dict(req.headers))
            if c.getresponse().status != 200:
                raise SystemExit("the EC2 call was refused")
            time.sleep(0.2)
            return elapsed, rss_kib(proc.pid)
        finally:
            proc.kill()
            proc.wait()

def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/vpclab"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    results = [one_run(binary) for _ in range(runs)]
    times = sorted(r[0] * 1000 for r in results)
    rss = [r[1] for r in results]
    print(f"start-up to first answer: median {statistics.median(times):.1f} ms, max {times[-1]:.1f} ms over {runs} runs")
    print(f"idle RSS after one call: median {statistics.median(rss) / 1024:.1f} MiB")

if __name__ == "__main__":
    main()
