#!/usr/bin/env bash
# Benchmark of the ALB data plane (issue 5): requests/s and latency through vpclab's ALB, against
# the same backend asked directly and through nginx as a reverse proxy, in one run with wrk.
#
#   scripts/bench-alb.sh [path/to/vpclab]        (default: $VPCLAB_BIN, else target/release/vpclab)
#
# The backend is nginx answering `200 ok` on a loopback port (fast, so it is not the bottleneck);
# the reference proxy is a second nginx with a keepalive upstream to it; vpclab runs
# `serve --in-memory` with an internet-facing ALB whose target group holds the backend
# (127.0.0.1:<port>, AvailabilityZone=all), set up with boto3 (tests/e2e/requirements.txt).
# Everything listens on 127.0.0.1, runs as the current user from a temporary directory, and is
# stopped on exit. Installs nothing: it stops with a message if wrk or nginx is missing.
#
# Knobs (environment): BENCH_DURATION (10s), BENCH_THREADS (2), BENCH_CONNECTIONS (64),
# BENCH_WARMUP (2s), NGINX_WORKERS (auto). Prints a markdown table; exits 1 if a row failed.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WARMUP=${BENCH_WARMUP:-2s}
NGINX_WORKERS=${NGINX_WORKERS:-auto}
VPCLAB=${1:-${VPCLAB_BIN:-target/release/vpclab}}

die() { echo "bench-alb: $*" >&2; exit 2; }
note() { echo "bench-alb: $*" >&2; }

WRK=$(command -v wrk) || die "wrk is not installed (Debian/Ubuntu: apt-get install wrk)"
NGINX=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }) ||
    die "nginx is not installed (Debian/Ubuntu: apt-get install nginx-light)"
command -v python3 >/dev/null || die "python3 is needed (free ports, the ALB set-up)"
command -v curl >/dev/null || die "curl is needed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-alb.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}
read -r backend_port proxy_port vpclab_port < <(free_ports 3)

# ---------------------------------------------------------------- nginx: backend and reverse proxy

# One nginx instance per role, each with its own prefix, pid file, logs and temp paths.
start_nginx() { # role, server block
    local dir="$tmp/nginx-$1" user_line=""
    mkdir -p "$dir/logs"
    # Workers keep the master's user unless it is root, where nginx would switch to nobody.
    [ "$(id -u)" -eq 0 ] && user_line="user $(id -un) $(id -gn);"
    cat >"$dir/nginx.conf" <<EOF
$user_line
worker_processes $NGINX_WORKERS;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    keepalive_requests 1000000;
$2
}
EOF
    "$NGINX" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" -g 'daemon off;' \
        >"$dir/logs/stdout.log" 2>&1 &
    pids+=($!)
}

wait_http() { # url, what, pid
    local i
    for i in $(seq 1 200); do
        curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

start_nginx backend "    server {
        listen 127.0.0.1:$backend_port;
        location / { default_type text/plain; return 200 \"ok\\n\"; }
    }"
wait_http "http://127.0.0.1:$backend_port/" backend "${pids[-1]}" ||
    die "the nginx backend did not start: $(cat "$tmp/nginx-backend/logs/"*.log)"

start_nginx proxy "    upstream backend {
        server 127.0.0.1:$backend_port;
        keepalive 128;
    }
    server {
        listen 127.0.0.1:$proxy_port;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Port \$server_port;
        }
    }"
wait_http "http://127.0.0.1:$proxy_port/" proxy "${pids[-1]}" ||
    die "the nginx proxy did not start: $(cat "$tmp/nginx-proxy/logs/"*.log)"

# ---------------------------------------------------------------- vpclab and its ALB

alb_url=""
alb_problem=""
setup_alb() {
    if [ ! -x "$VPCLAB" ]; then
        alb_problem="no vpclab binary at $VPCLAB (cargo build --release)"
        return 1
    fi
    "$VPCLAB" serve --listen "127.0.0.1:$vpclab_port" --in-memory >"$tmp/vpclab.log" 2>&1 &
    pids+=($!)
    if ! wait_http "http://127.0.0.1:$vpclab_port/_vpclab/health" vpclab "${pids[-1]}"; then
        alb_problem="vpclab did not start: $(tail -5 "$tmp/vpclab.log")"
        return 1
    fi
    # Prints the listener URL on success; the reason on stderr otherwise. In the background, so
    # that a signal reaches the trap at once.
    python3 - "http://127.0.0.1:$vpclab_port" "$backend_port" >"$tmp/alb-url" 2>"$tmp/alb-setup.err" <<'PY' &
import json, sys, time, urllib.request
import boto3
from botocore.config import Config

endpoint, backend_port = sys.argv[1], int(sys.argv[2])
kw = dict(region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="test",
          aws_secret_access_key="test", config=Config(retries={"total_max_attempts": 1}))
ec2, elbv2 = boto3.client("ec2", **kw), boto3.client("elbv2", **kw)

vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
subnets = []
for cidr, zone in (("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")):
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
    ec2.associate_route_table(RouteTableId=rt, SubnetId=sn)
    subnets.append(sn)
lb = elbv2.create_load_balancer(Name="bench", Type="application", Scheme="internet-facing",
                                Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
tg = elbv2.create_target_group(Name="bench", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip",
                               HealthCheckPath="/", HealthCheckIntervalSeconds=5, HealthCheckTimeoutSeconds=2,
                               HealthyThresholdCount=2, UnhealthyThresholdCount=2)["TargetGroups"][0]["TargetGroupArn"]
elbv2.register_targets(TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": backend_port, "AvailabilityZone": "all"}])
listener = elbv2.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
    {"Type": "forward", "TargetGroupArn": tg}])["Listeners"][0]["ListenerArn"]

deadline = time.monotonic() + 30
state = url = None
while time.monotonic() < deadline:
    state = elbv2.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"][0]["TargetHealth"]
    with urllib.request.urlopen(endpoint + "/_vpclab/endpoints", timeout=5) as r:
        url = next((e.get("url") for e in json.load(r)["endpoints"] if e.get("listener_arn") == listener), None)
    if state["State"] == "healthy" and url:
        print(url)
        sys.exit(0)
    time.sleep(0.2)
sys.exit(f"target not healthy / listener not served after 30 s: health {state}, url {url}")
PY
    pids+=($!)
    if ! wait "${pids[-1]}"; then
        alb_problem="ALB set-up failed: $(tail -1 "$tmp/alb-setup.err")"
        return 1
    fi
    alb_url=$(cat "$tmp/alb-url")
}
setup_alb || note "$alb_problem"

# ---------------------------------------------------------------- measure

# Runs wrk in the background and waits for it, so that a signal reaches the trap at once.
run_wrk() { # output file, wrk arguments...
    local out=$1
    shift
    "$WRK" "$@" >"$out" 2>&1 &
    pids+=($!)
    wait "${pids[-1]}"
}

# Sets m_rps m_p50 m_p99 m_errors from one measured run.
measure() { # url
    run_wrk "$tmp/warmup.out" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$1" || true
    if ! run_wrk "$tmp/wrk.out" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$1"; then
        note "wrk failed: $(cat "$tmp/wrk.out")"
        return 1
    fi
    read -r m_rps m_p50 m_p99 m_errors < <(awk '
        /Requests\/sec:/ { rps = $2 }
        $1 == "50%" { p50 = $2 }
        $1 == "99%" { p99 = $2 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) { v = $i; sub(",", "", v); errors += v } }
        END { printf "%s %s %s %d\n", rps, p50, p99, errors }
    ' "$tmp/wrk.out")
    [ -n "$m_rps" ]
}

declare -A rps p50 p99 errs
names=("backend directly (nginx)" "nginx reverse proxy" "vpclab ALB")
declare -A urls=(
    ["backend directly (nginx)"]="http://127.0.0.1:$backend_port/"
    ["nginx reverse proxy"]="http://127.0.0.1:$proxy_port/"
    ["vpclab ALB"]="${alb_url:+$alb_url/}"
)
failed=0
for name in "${names[@]}"; do
    if [ -z "${urls[$name]}" ]; then
        failed=1
        continue
    fi
    note "measuring $name: ${urls[$name]}"
    if measure "${urls[$name]}"; then
        rps[$name]=$m_rps p50[$name]=$m_p50 p99[$name]=$m_p99 errs[$name]=$m_errors
    else
        failed=1
    fi
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $(nproc) CPUs, nginx workers: $NGINX_WORKERS"
echo
echo "| target | req/s | p50 | p99 | ratio to nginx |"
echo "|---|---:|---:|---:|---:|"
ref=${rps["nginx reverse proxy"]:-}
for name in "${names[@]}"; do
    if [ -z "${rps[$name]:-}" ]; then
        reason="not measured"
        [ "$name" = "vpclab ALB" ] && [ -n "$alb_problem" ] && reason=$alb_problem
        echo "| $name | n/a | n/a | n/a | n/a ($reason) |"
        continue
    fi
    ratio="n/a"
    [ -n "$ref" ] && ratio=$(awk -v a="${rps[$name]}" -v b="$ref" 'BEGIN { printf "%.2fx", a / b }')
    row="| $name | ${rps[$name]} | ${p50[$name]} | ${p99[$name]} | $ratio |"
    [ "${errs[$name]}" -gt 0 ] && row="$row ${errs[$name]} errors / non-2xx"
    echo "$row"
done
exit "$failed"
