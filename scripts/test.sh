#!/usr/bin/env bash
# Sets up everything the tests need, then runs every test: native unit tests, then the built
# Worker in workerd (Miniflare) with real local D1 and KV.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh --browser

echo "== Formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo clippy -p edge-blog --all-targets --features author --quiet -- -D warnings

echo "== Native unit tests"
cargo test --workspace --quiet
# The author Worker's own pure parts (the admin's screens) build only with its feature.
cargo test -p edge-blog --features author --lib --quiet

echo "== Building both Workers and blogctl"
bash scripts/build.sh
cargo build -p blogctl --quiet

echo "== End-to-end tests in workerd"
mkdir -p test-artifacts
# Every statement the Workers send during the tests is kept here, and the query-plan test, run
# after all the others (node --test orders the files it is given by name), explains them all on a
# big blog.
export SQL_TRACE_DIR="$ROOT/target/sql-trace/statements"
rm -rf "$SQL_TRACE_DIR"
node --test --test-concurrency=1 --test-reporter=spec $(ls tests/*.test.mjs | grep -v query-plans)
echo "== Query plans of every statement the tests sent"
node --test --test-reporter=spec tests/query-plans.test.mjs
