#!/usr/bin/env bash
# Benchmark of the DNS data plane (issue 6): queries/s and latency answered by vpclab's DNS server
# against NSD (Debian's authoritative server) serving the same zone, in one run with the same
# load tool.
#
#   scripts/bench-dns.sh [path/to/vpclab]        (default: $VPCLAB_BIN, else target/release/vpclab)
#
# The zone is `bench.example.` with BENCH_RECORDS A records (`dnsbench zonefile` writes it). NSD
# serves it from that zone file; vpclab runs `serve --in-memory` and gets the same records through
# the Route 53 API (boto3, tests/e2e/requirements.txt), so the answers come from the server users
# run. The load tool is crates/dns/examples/dnsbench.rs (`load`: closed-loop UDP clients asking A
# questions for random names, reporting queries/s and latency percentiles); where dnsperf is
# installed it measures the same two servers too (queries/s and mean latency). Everything listens
# on 127.0.0.1, runs from a temporary directory and is stopped on exit. Installs nothing: it stops
# with a message if nsd is missing (Debian: apt-get install nsd dnsperf).
#
# Knobs (environment): BENCH_SECONDS (10), BENCH_CLIENTS (32), BENCH_RECORDS (9000: with the SOA and NS, within Route 53's 10,000 record sets a zone),
# NSD_SERVERS (2, one per CPU). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_=${BENCH_SECONDS:-10}
CLIENTS=${BENCH_CLIENTS:-32}
RECORDS=${BENCH_RECORDS:-9000}
NSD_SERVERS=${NSD_SERVERS:-2}
VPCLAB=${1:-${VPCLAB_BIN:-target/release/vpclab}}

die() { echo "bench-dns: $*" >&2; exit 2; }
note() { echo "bench-dns: $*" >&2; }

NSD=$(command -v nsd || { [ -x /usr/sbin/nsd ] && echo /usr/sbin/nsd; }) ||
    die "nsd is not installed (Debian/Ubuntu: apt-get install nsd)"
[ -x "$VPCLAB" ] || die "no vpclab binary at $VPCLAB (cargo build --release)"
note "building the load tool (cargo build --release -p dns --example dnsbench)"
cargo build --quiet --release -p dns --example dnsbench
DNSBENCH=target/release/examples/dnsbench

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-dns.XXXXXX")
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r api_port vpclab_dns nsd_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
PY
)

"$DNSBENCH" zonefile "$RECORDS" > "$tmp/bench.example.zone"

# ---- NSD
cat > "$tmp/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$nsd_port
    server-count: $NSD_SERVERS
    username: ""
    zonesdir: "$tmp"
    pidfile: "$tmp/nsd.pid"
    database: ""
    zonelistfile: "$tmp/zone.list"
    xfrdfile: "$tmp/xfrd.state"
    xfrdir: "$tmp"
    logfile: "$tmp/nsd.log"
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: bench.example
    zonefile: bench.example.zone
EOF
"$NSD" -d -c "$tmp/nsd.conf" &
pids+=($!)

# ---- vpclab, the zone through the Route 53 API
"$VPCLAB" serve --in-memory --listen "127.0.0.1:$api_port" --dns-listen "127.0.0.1:$vpclab_dns" \
    > "$tmp/vpclab.log" 2>&1 &
pids+=($!)
python3 - "$api_port" "$tmp/bench.example.zone" <<'PY'
import sys, time, boto3, requests
port, zonefile = sys.argv[1], sys.argv[2]
url = f"http://127.0.0.1:{port}"
for _ in range(100):
    try:
        if requests.get(url + "/_vpclab/health", timeout=1).ok:
            break
    except requests.RequestException:
        time.sleep(0.1)
r53 = boto3.client("route53", endpoint_url=url, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
zone = r53.create_hosted_zone(Name="bench.example", CallerReference="bench")["HostedZone"]["Id"]
changes = []
for line in open(zonefile):
    parts = line.split()
    if len(parts) == 4 and parts[2] == "A":
        changes.append({"Action": "CREATE", "ResourceRecordSet": {
            "Name": f"{parts[0]}.bench.example.", "Type": "A", "TTL": 300,
            "ResourceRecords": [{"Value": parts[3]}]}})
for i in range(0, len(changes), 1000):
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes[i:i + 1000]})
PY

wait_answers() {
    local port=$1 i
    for i in $(seq 100); do
        if "$DNSBENCH" load "127.0.0.1:$port" 1 1 1 2>/dev/null | grep -q '^[1-9][0-9]* answered'; then
            return 0
        fi
        sleep 0.1
    done
    die "nothing answers on port $port"
}
wait_answers "$nsd_port"
wait_answers "$vpclab_dns"

row() {
    local name=$1 port=$2 out
    out=$("$DNSBENCH" load "127.0.0.1:$port" "$SECONDS_" "$CLIENTS" "$RECORDS")
    echo "| $name | $out |"
}
perf_row() {
    local name=$1 port=$2
    command -v dnsperf >/dev/null || return 0
    local qps lat
    read -r qps lat < <(dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries" -l "$SECONDS_" -c "$CLIENTS" -Q 1000000 2>/dev/null |
        awk '/Queries per second/ {q=$4} /Average Latency/ {l=$4} END {print q, l}')
    echo "| $name (dnsperf) | $qps queries/s, mean latency ${lat}s |"
}
awk '$3 == "A" {print $1 ".bench.example. A"}' "$tmp/bench.example.zone" > "$tmp/queries"

echo "| server | answered over ${SECONDS_}s by $CLIENTS closed-loop UDP clients, $RECORDS-record zone |"
echo "|---|---|"
row "NSD $("$NSD" -v 2>&1 | head -1 | awk '{print $3}') ($NSD_SERVERS servers)" "$nsd_port"
row "vpclab" "$vpclab_dns"
row "NSD (again)" "$nsd_port"
row "vpclab (again)" "$vpclab_dns"
perf_row "NSD" "$nsd_port"
perf_row "vpclab" "$vpclab_dns"
