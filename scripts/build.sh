#!/usr/bin/env bash
# Builds both Workers with the pinned local tools (worker-build would otherwise download
# wasm-bindgen and wasm-opt from GitHub): the reader Worker into build/ and the author Worker
# (`--features author`: admin API, Markdown, cron) into build-author/. wrangler runs this as the
# build command of both configurations; `bash scripts/build.sh reader` (or `author`) builds one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
export WASM_BINDGEN_BIN="$TOOLS_DIR/bin/wasm-bindgen"
export WASM_OPT_BIN="$ROOT/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$ROOT/node_modules/@esbuild/linux-x64/bin/esbuild"

build() { # out-dir, extra cargo options…
  local out="$1"
  shift
  worker-build --release --out-dir "$out" . "$@"
  # Drops Rust's float printing, which only serde's error messages would use (see the script).
  node "$ROOT/scripts/snip-wasm.mjs" "$out/index_bg.wasm"
  # wasm-bindgen keeps the function-name section that wasm-opt ran before; it is ~150 KB of
  # start-up cost for every cold start and nothing uses it. A second -Oz pass also shrinks the
  # glue wasm-bindgen added after the first (about 2 KiB gzip on the reader).
  wasm-opt "$out/index_bg.wasm" -Oz --strip-debug --strip-producers -o "$out/index_bg.wasm"
}

case "${1:-both}" in
  reader) build build ;;
  author) build build-author --features author ;;
  both)
    build build
    build build-author --features author
    ;;
  *) echo "usage: scripts/build.sh [reader|author|both]" >&2; exit 2 ;;
esac
