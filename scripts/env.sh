# Shared settings for the scripts: where the pinned tools live and which versions they are.
# Sourced, not run.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The pinned Rust build tools are installed here (git-ignored); CI points it at a cache that
# outlives the checkout.
export TOOLS_DIR=${TOOLS_DIR:-$ROOT/.tools}
WORKER_BUILD_VERSION=0.8.7
# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
# npm's bin folder first: it holds the pinned Node 24, wrangler, wasm-opt and esbuild.
export PATH="$ROOT/node_modules/.bin:$TOOLS_DIR/bin:$PATH"
export WRANGLER_SEND_METRICS=false
export CLOUDFLARE_CF_FETCH_ENABLED=false
export WRANGLER_LOG_PATH=${WRANGLER_LOG_PATH:-$ROOT/.wrangler/logs}
