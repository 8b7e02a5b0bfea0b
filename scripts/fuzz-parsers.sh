#!/usr/bin/env bash
# Runs each cargo-fuzz target (libFuzzer, nightly) for a bounded time: `bash scripts/fuzz-parsers.sh [SECONDS]`.
# Not part of the test command.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
SECONDS_EACH=${1:-60}
if ! cargo install --list --root "$TOOLS_DIR" 2>/dev/null | grep -q "^cargo-fuzz v0.13.2:"; then
  cargo install cargo-fuzz --version 0.13.2 --locked --root "$TOOLS_DIR"
fi
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
for target in form_decode form_token front_matter comment_text; do
  echo "== $target, $SECONDS_EACH s"
  cargo +nightly fuzz run "$target" -- -max_total_time="$SECONDS_EACH" 2>&1 | grep -E "DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY"
done
