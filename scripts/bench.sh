#!/usr/bin/env bash
# The benchmark (never part of the test command): sets up what it needs (wrk from Debian, oha
# into the tools folder), builds the Worker, runs bench/run.mjs and the native criterion bench.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh
if ! command -v wrk >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
fi
if ! cargo install --list --root "$TOOLS_DIR" 2>/dev/null | grep -qx "oha v1.16.0:"; then
  echo "== Installing oha 1.16.0 into $TOOLS_DIR (once)"
  cargo install oha --version 1.16.0 --locked --root "$TOOLS_DIR"
fi
bash scripts/build.sh
echo "== Native: Markdown + templates against pulldown-cmark alone (criterion)"
cargo bench -p bench-render --bench render -- --noplot 2>&1 | grep -E "^(render|markdown)|time:" || true
echo "== Worker benchmark"
node bench/run.mjs "$@"
