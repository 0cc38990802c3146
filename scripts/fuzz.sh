#!/usr/bin/env bash
# Runs every fuzz target (crates/fuzzing, wrapped by fuzz/) for SECONDS each (default 60),
# FUZZ_JOBS targets at a time (default: the number of cores), with libFuzzer through
# cargo fuzz. New coverage lands in fuzz/corpus/<target>/; a crash stops nothing (fork mode)
# and its input is kept in fuzz/artifacts/<target>/: fix it, then copy the input to
# fuzz/regressions/<target>/ so the replay test keeps it fixed. Prints executions and
# crashes per target; the logs are in fuzz/logs/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
all=(ec2_query aws_query aws_json rest_xml sigv4 dns_message alb_request trace_question reach_question traffic)
targets=("${@:-${all[@]}}")
jobs=${FUZZ_JOBS:-$(nproc)}

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: cargo fuzz needs a nightly toolchain (rustup toolchain install nightly)" >&2
    exit 1
fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# No sanitizer: vpclab forbids unsafe code, so what ASan would catch cannot happen in it, and
# inputs run several times faster. Debug assertions stay on (overflow checks).
flags=(--sanitizer none --debug-assertions --release)
# Fuzz what vpclab ships: the root lockfile's versions, plus libFuzzer's own crates.
cp Cargo.lock fuzz/Cargo.lock
cargo +nightly fuzz build "${flags[@]}"
mkdir -p fuzz/logs

run() {
    local target=$1 dict=()
    [[ -f fuzz/dict/$target.dict ]] && dict=(-dict="fuzz/dict/$target.dict")
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    cargo +nightly fuzz run "${flags[@]}" "$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -timeout=30 -rss_limit_mb=4096 -max_len=16384 "${dict[@]}" \
        -artifact_prefix="fuzz/artifacts/$target/" >"fuzz/logs/$target.log" 2>&1 || true
}

running=0
for target in "${targets[@]}"; do
    run "$target" &
    running=$((running + 1))
    if ((running >= jobs)); then
        wait -n
        running=$((running - 1))
    fi
done
wait

printf '%-16s %14s %10s %8s\n' target executions exec/s crashes
for target in "${targets[@]}"; do
    # fork mode's status lines: "#<execs>: cov: … exec/s: <n> oom/timeout/crash: a/b/c …"
    last=$(grep -E '^#[0-9]+:' "fuzz/logs/$target.log" | tail -1 || true)
    execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<<"$last")
    crashes=$(find "fuzz/artifacts/$target" -name 'crash-*' 2>/dev/null | wc -l)
    printf '%-16s %14s %10s %8s\n' "$target" "${execs:-?}" "${rate:-?}" "$crashes"
done
