// `npm run deploy`: from a clone to a live blog. Checks the Cloudflare login, creates (or finds, by
// name) the D1 database, KV namespace and R2 bucket that wrangler.toml names, applies the
// migrations remotely, deploys the author Worker then the reader, generates the ADMIN_TOKEN and
// FORM_SECRET secrets the first time (the admin token is printed once and kept in .deploy.env,
// git-ignored), and sets the blog's address. Running it again changes nothing but the code.
//
// `npm run deploy -- --dry-run` needs no account: it builds both Workers through
// `wrangler deploy --dry-run` and lists what a real run would create.
//
// The committed wrangler files keep placeholder ids: the real ones go into git-ignored copies
// (.deploy.wrangler.toml, .deploy.wrangler.author.toml) that this script writes and deploys.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");
const CONFIGS = { reader: "wrangler.toml", author: "wrangler.author.toml" };
const DEPLOYED = { reader: ".deploy.wrangler.toml", author: ".deploy.wrangler.author.toml" };
const SAVED = path.join(ROOT, ".deploy.env");
const dryRun = process.argv.includes("--dry-run");

const say = (line = "") => console.log(line);
const fail = (message) => {
  console.error(`\ndeploy: ${message}`);
  process.exit(1);
};

/** Runs wrangler; returns its output, or fails with what it said unless `allowFailure`. */
function wrangler(args, { input, allowFailure = false, show = false } = {}) {
  const run = spawnSync(WRANGLER, args, {
    cwd: ROOT,
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
  if (show) process.stdout.write(indent(run.stdout ?? ""));
  if (run.status !== 0 && !allowFailure) {
    fail(`wrangler ${args.join(" ")} failed:\n${indent(output)}`);
  }
  return { ok: run.status === 0, stdout: run.stdout ?? "", output };
}

const indent = (text) => text.replace(/^(?=.)/gm, "    ");

/** What the committed reader configuration names: the Workers and their resources. */
function plan() {
  const toml = fs.readFileSync(path.join(ROOT, CONFIGS.reader), "utf8");
  const field = (re, what) => toml.match(re)?.[1] ?? fail(`${CONFIGS.reader} has no ${what}`);
  const worker = field(/^name\s*=\s*"([^"]+)"/m, "name");
  return {
    worker,
    author: field(/\[\[services\]\][^[]*?service\s*=\s*"([^"]+)"/, "AUTHOR service"),
    d1: field(/database_name\s*=\s*"([^"]+)"/, "database_name"),
    kv: `${worker}-cache`,
    r2: field(/bucket_name\s*=\s*"([^"]+)"/, "bucket_name"),
    queue: field(/\[\[queues\.producers\]\][^[]*?queue\s*=\s*"([^"]+)"/, "OUTBOX queue"),
    migrations: fs.readdirSync(path.join(ROOT, "migrations")).filter((f) => f.endsWith(".sql")).sort(),
  };
}

/** The first JSON value in wrangler's output (it may print a banner before it). */
function json(text) {
  const start = text.search(/[[{]/);
  if (start < 0) return null;
  try {
    return JSON.parse(text.slice(start));
  } catch {
    return null;
  }
}

function dryRunAll(p) {
  say("Dry run: nothing is created and no account is needed.\n");
  for (const which of ["author", "reader"]) {
    say(`Building and checking the ${which} Worker (wrangler deploy --dry-run -c ${CONFIGS[which]})…`);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `blog-dry-run-${which}-`));
    const { output } = wrangler(["deploy", "--dry-run", "--outdir", outdir, "-c", CONFIGS[which]]);
    fs.rmSync(outdir, { recursive: true, force: true });
    const size = output.match(/Total Upload: [^\n]+/)?.[0] ?? fail(`no upload size in wrangler's output:\n${output}`);
    say(`  ${which}: ${size}`);
    for (const line of output.split("\n").filter((l) => /^env\.|--dry-run: exiting/.test(l.trim()))) {
      say(`    ${line.trim().replace(/\s{2,}/g, "  ")}`);
    }
  }
  say("\nA real run would:");
  say(`  - check the login (wrangler whoami)`);
  say(`  - create or reuse D1 database "${p.d1}", KV namespace "${p.kv}", R2 bucket "${p.r2}", queue "${p.queue}"`);
  say(`  - apply ${p.migrations.length} migrations to D1 (remote): ${p.migrations.join(", ")}`);
  say(`  - deploy "${p.author}" (admin API, cron) then "${p.worker}" (the pages)`);
  say(`  - generate ADMIN_TOKEN and AP_PRIVATE_KEY (author) and FORM_SECRET (reader) if they are not set, keeping the`);
  say(`    admin token in ${path.basename(SAVED)} (git-ignored)`);
  say(`  - set the blog's address (setting base_url) to the reader's URL if none is set`);
  say("\nDry run passed.");
}

/** Finds a resource by name or creates it; returns its id (or name, for R2). */
function d1Database(name) {
  const find = () => (json(wrangler(["d1", "list", "--json"]).stdout) ?? []).find((db) => db.name === name);
  let db = find();
  if (!db) {
    say(`  creating D1 database ${name}`);
    wrangler(["d1", "create", name]);
    db = find() ?? fail(`D1 database ${name} was created but is not listed`);
  } else say(`  D1 database ${name}: exists`);
  return db.uuid;
}

function kvNamespace(title) {
  const find = () => (json(wrangler(["kv", "namespace", "list"]).stdout) ?? []).find((ns) => ns.title === title);
  let ns = find();
  if (!ns) {
    say(`  creating KV namespace ${title}`);
    wrangler(["kv", "namespace", "create", title]);
    ns = find() ?? fail(`KV namespace ${title} was created but is not listed`);
  } else say(`  KV namespace ${title}: exists`);
  return ns.id;
}

function r2Bucket(name) {
  const listed = wrangler(["r2", "bucket", "list"]).stdout;
  if (new RegExp(`^name:\\s+${name}$`, "m").test(listed)) {
    say(`  R2 bucket ${name}: exists`);
    return;
  }
  say(`  creating R2 bucket ${name}`);
  wrangler(["r2", "bucket", "create", name]);
}

function queue(name) {
  const listed = wrangler(["queues", "list"]).stdout;
  if (new RegExp(`(^|[\\s│|])${name}([\\s│|]|$)`, "m").test(listed)) {
    say(`  queue ${name}: exists`);
    return;
  }
  say(`  creating queue ${name}`);
  wrangler(["queues", "create", name]);
}

/** The committed configuration with the real ids, written where wrangler can deploy it. */
function writeConfig(which, ids) {
  let toml = fs.readFileSync(path.join(ROOT, CONFIGS[which]), "utf8");
  toml = toml.replace(/(database_id\s*=\s*)"[^"]*"/, `$1"${ids.d1}"`);
  toml = toml.replace(/(\[\[kv_namespaces\]\][^[]*?\bid\s*=\s*)"[^"]*"/, `$1"${ids.kv}"`);
  const header = `# Written by scripts/deploy.mjs from ${CONFIGS[which]} with this account's ids. Not committed.\n`;
  fs.writeFileSync(path.join(ROOT, DEPLOYED[which]), header + toml);
  return DEPLOYED[which];
}

function saved() {
  if (!fs.existsSync(SAVED)) return {};
  return Object.fromEntries(
    fs.readFileSync(SAVED, "utf8").split("\n").filter((l) => /^\w+=/.test(l)).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

function save(values) {
  const all = { ...saved(), ...values };
  const text =
    "# Written by `npm run deploy`: the deployed blog's address and admin token, for blogctl\n" +
    "# (`set -a; source .deploy.env; set +a`). Keep it private; it is git-ignored.\n" +
    Object.entries(all).map(([k, v]) => `${k}=${v}`).join("\n") + "\n";
  fs.writeFileSync(SAVED, text, { mode: 0o600 });
}

/** Sets a secret the Worker does not have yet; returns the value when it was generated. */
function ensureSecret(config, name, generate = () => crypto.randomBytes(32).toString("base64url")) {
  const listed = json(wrangler(["secret", "list", "--format", "json", "-c", config]).stdout) ?? [];
  if (listed.some((s) => s.name === name)) {
    say(`  secret ${name}: already set (left as it is)`);
    return null;
  }
  const value = generate();
  wrangler(["secret", "put", name, "-c", config], { input: value });
  say(`  secret ${name}: generated and set`);
  return value;
}

function deployAll(p) {
  say("Checking the Cloudflare login (wrangler whoami)…");
  const who = wrangler(["whoami", "--json"], { allowFailure: true });
  if (!who.ok || !json(who.stdout)) {
    fail(
      "not logged in to Cloudflare. Run `npx wrangler login` (a browser opens), or set\n" +
        "CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID) for a token with Workers, D1, KV and R2\n" +
        "edit rights; then run `npm run deploy` again.",
    );
  }
  say("\nResources (found by name, created when missing):");
  const ids = { d1: d1Database(p.d1), kv: kvNamespace(p.kv) };
  r2Bucket(p.r2);
  queue(p.queue);
  const reader = writeConfig("reader", ids);
  const author = writeConfig("author", ids);

  say("\nApplying migrations to the remote database…");
  wrangler(["d1", "migrations", "apply", "DB", "--remote", "-c", reader], { show: true });

  say(`\nDeploying the author Worker (${p.author})…`);
  wrangler(["deploy", "-c", author], { show: true });
  const token = ensureSecret(author, "ADMIN_TOKEN");
  // The blog's fediverse key (README.md, "Fediverse"): made once; its public half is published
  // in the actor document, so replacing it makes followers' servers fetch it again.
  ensureSecret(author, "AP_PRIVATE_KEY", () =>
    crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }),
  );

  say(`\nDeploying the reader Worker (${p.worker})…`);
  const deployed = wrangler(["deploy", "-c", reader], { show: true }).output;
  ensureSecret(reader, "FORM_SECRET");
  const url = deployed.match(/https:\/\/[a-z0-9.-]+\.workers\.dev/)?.[0] ?? saved().BLOG_URL;

  if (url) {
    // Only a URL of this shape is spliced into the SQL; an address already set is kept.
    if (!/^https:\/\/[a-z0-9.-]+$/.test(url)) fail(`unexpected address ${url}`);
    wrangler(["d1", "execute", "DB", "--remote", "-c", reader, "--command", `INSERT OR IGNORE INTO settings (key, value) VALUES ('base_url', '${url}')`]);
  }
  save({ ...(url ? { BLOG_URL: url } : {}), ...(token ? { BLOG_ADMIN_TOKEN: token } : {}) });

  say("\nDone.");
  say(`  The blog: ${url ?? "(no workers.dev address: see the routes in the Cloudflare dashboard)"}`);
  if (token) {
    say(`  Admin token (shown once; kept in ${path.basename(SAVED)}, git-ignored): ${token}`);
  } else {
    say(`  Admin token: unchanged (in ${path.basename(SAVED)} if this machine generated it).`);
  }
  say("\nNext:");
  say("  set -a; source .deploy.env; set +a");
  say('  cargo run -q -p blogctl -- settings set title="My blog" author="Your name" time_zone=Europe/London');
  say("  cargo run -q -p blogctl -- publish my-first-post.md");
  say("  For email (see README.md, \"Email\"): a sender domain on Cloudflare Email Service, then");
  say("  blogctl settings set email_from=blog@your.domain author_email=you@your.domain");
  say("  For your own domain: add a route or custom domain to the reader Worker in the dashboard, then");
  say("  blogctl settings set base_url=https://your.domain");
}

const p = plan();
if (dryRun) dryRunAll(p);
else deployAll(p);
