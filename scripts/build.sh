#!/usr/bin/env bash
# Builds the Worker (build/index.js + wasm) with the pinned local tools: worker-build would
# otherwise download wasm-bindgen and wasm-opt from GitHub. wrangler runs this as its build command.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
export WASM_BINDGEN_BIN="$TOOLS_DIR/bin/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"
worker-build --release
# wasm-bindgen keeps the function-name section that wasm-opt ran before; it is ~150 KB of start-up
# cost for every cold reader and nothing uses it.
wasm-opt build/index_bg.wasm --strip-debug --strip-producers -o build/index_bg.wasm
