#!/usr/bin/env bash
# Sets everything up, loads the demo content into the local D1 database and serves the blog at
# http://127.0.0.1:8787 under `wrangler dev` (local mode: workerd with local D1 and KV).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh

if [ ! -f .dev.vars ]; then
  cp .dev.vars.example .dev.vars
  echo "Created .dev.vars with the local development secrets (see README.md)."
fi
# CI=true: apply without asking for confirmation.
CI=true wrangler d1 migrations apply DB --local
wrangler d1 execute DB --local --file demo/health-techie.sql
exec wrangler dev --ip 127.0.0.1 --port 8787
