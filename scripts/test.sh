#!/usr/bin/env bash
# Runs every test vpclab has: lints, the generated-code check, the Rust tests and the
# end-to-end tests with real AWS clients. Installs what the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Python packages for the end-to-end tests"
python3 -m pip install --quiet --disable-pip-version-check -r tests/e2e/requirements.txt

step "Formatting"
cargo fmt --all --check

step "Generated shapes are up to date with botocore"
cargo run --quiet -p codegen -- --check

step "Clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "Rust tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast
else
    cargo test --workspace
fi

step "dig for the DNS end-to-end tests"
# Tolerant: without dig the DNS tests skip and say why.
if ! command -v dig >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then
        (apt-get install -y -qq dnsutils || (apt-get update -qq && apt-get install -y -qq dnsutils)) \
            || echo "could not install dig (dnsutils); the DNS tests will be skipped"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        (sudo -n apt-get install -y -qq dnsutils || (sudo -n apt-get update -qq && sudo -n apt-get install -y -qq dnsutils)) \
            || echo "could not install dig (dnsutils); the DNS tests will be skipped"
    else
        echo "dig is missing and cannot be installed here (no root, no sudo); the DNS tests will be skipped"
    fi
fi

step "End-to-end tests (boto3, AWS CLI, Terraform)"
cargo build --quiet -p vpclab
# Two workers, each with its own server: most of the time is spent waiting on Terraform.
e2e=(python3 -m pytest tests/e2e -q -rs -n 2 --dist loadfile)
export VPCLAB_BIN="$PWD/target/debug/vpclab"
# Servers and clients run in a network namespace with only loopback, so that no test can send
# a packet off the machine by mistake (Terraform's provider comes from the filesystem mirror).
in_namespace=(unshare -n sh -c 'ip link set lo up && exec "$@"' sh)
why_not=""
if [ "$(id -u)" != 0 ]; then
    why_not="not root (a network namespace needs root)"
elif ! command -v ip >/dev/null 2>&1; then
    why_not="no \`ip\` (iproute2) to bring loopback up in a namespace"
elif ! "${in_namespace[@]}" true 2>/dev/null; then
    why_not="\`unshare -n\` is refused here"
fi
if [ -z "$why_not" ]; then
    echo "in a network namespace with only loopback (unshare -n)"
    "${in_namespace[@]}" "${e2e[@]}"
else
    echo "on this machine's network: $why_not"
    "${e2e[@]}"
fi
