#!/usr/bin/env bash
# Sets everything up, loads the demo content into the local D1 database and serves the blog at
# http://127.0.0.1:8787 under `wrangler dev` (local mode: workerd with local D1 and KV): the
# reader Worker with the author Worker behind its AUTHOR binding, as deployed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
bash scripts/setup.sh

if [ ! -f .dev.vars ]; then
  cp .dev.vars.example .dev.vars
  echo "Created .dev.vars with the local development secrets (see README.md)."
fi
if ! grep -q '^AP_PRIVATE_KEY=' .dev.vars; then
  # The blog's fediverse key (README.md, "Fediverse"), on one line with \n escapes.
  node -e 'const { generateKeyPairSync } = require("node:crypto");
    const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" });
    console.log(`AP_PRIVATE_KEY="${pem.trim().replace(/\n/g, "\\n")}"`);' >> .dev.vars
  echo "Added a local fediverse key (AP_PRIVATE_KEY) to .dev.vars."
fi
# CI=true: apply without asking for confirmation.
CI=true wrangler d1 migrations apply DB --local
wrangler d1 execute DB --local --file demo/health-techie.sql

# The demo seed is plain SQL: once both Workers are up, upload the demo post's illustration to the
# media library (R2) and have the author Worker render the seed.
token=$(sed -n 's/^ADMIN_TOKEN=//p' .dev.vars | head -n 1)
(
  for _ in $(seq 1 300); do
    if curl -fsS -X POST -H "Authorization: Bearer $token" -H "Content-Type: image/png" \
         --data-binary @demo/health-is-social.png \
         "http://127.0.0.1:8787/admin/media?name=health-is-social.png&alt=A%20patient%20at%20the%20centre%20of%20a%20web%20of%20people" >/dev/null 2>&1 \
       && curl -fsS -X POST -H "Authorization: Bearer $token" http://127.0.0.1:8787/admin/renders >/dev/null 2>&1; then
      echo "[dev] The demo content is rendered: http://127.0.0.1:8787/"
      exit 0
    fi
    sleep 1
  done
  echo "[dev] Could not reach the admin API to render the demo content." >&2
) &
exec wrangler dev -c wrangler.toml -c wrangler.author.toml --ip 127.0.0.1 --port 8787
