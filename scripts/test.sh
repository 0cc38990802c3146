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

step "End-to-end tests (boto3, AWS CLI, Terraform)"
cargo build --quiet -p vpclab
VPCLAB_BIN="$PWD/target/debug/vpclab" python3 -m pytest tests/e2e -q -rs
