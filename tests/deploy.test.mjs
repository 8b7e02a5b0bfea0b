// `npm run deploy -- --dry-run` on a fresh copy of the repository, with no Cloudflare account:
// both Workers build, `wrangler deploy --dry-run` passes for each, and the plan names the
// resources and migrations a real run would create. Nothing in the copy is changed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./helpers.mjs";

/** The files a clone of the working tree would have (tracked, plus new files not ignored). */
function cloneWorkingTree() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "blog-clone-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
  }
  // The npm packages the README's setup installs; linked rather than downloaded again.
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
  return dir;
}

test("npm run deploy -- --dry-run builds and checks both Workers on a fresh clone, without an account", { timeout: 20 * 60 * 1000 }, () => {
  const dir = cloneWorkingTree();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "blog-home-"));
  try {
    const before = fs.readFileSync(path.join(dir, "wrangler.toml"), "utf8");
    const env = { ...process.env, XDG_CONFIG_HOME: home, WRANGLER_SEND_METRICS: "false" };
    delete env.CLOUDFLARE_API_TOKEN;
    delete env.CLOUDFLARE_ACCOUNT_ID;
    // Its own target folder (kept between runs, so only the first is slow): a fresh build.
    env.CARGO_TARGET_DIR = path.join(ROOT, "target", "fresh-clone");
    const run = spawnSync("bash", ["-c", 'source scripts/env.sh && node scripts/deploy.mjs --dry-run'], {
      cwd: dir,
      env,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const output = run.stdout + run.stderr;
    assert.equal(run.status, 0, output);
    for (const which of ["author", "reader"]) {
      assert.match(output, new RegExp(`${which}: Total Upload: [\\d.]+ KiB / gzip: [\\d.]+ KiB`), output);
    }
    assert.ok(fs.existsSync(path.join(dir, "build", "index_bg.wasm")), "the reader was built in the clone");
    assert.ok(fs.existsSync(path.join(dir, "build-author", "index_bg.wasm")), "the author Worker was built in the clone");
    const migrations = fs.readdirSync(path.join(ROOT, "migrations"));
    assert.match(output, new RegExp(`apply ${migrations.length} migrations`));
    for (const m of migrations) assert.ok(output.includes(m), `the plan lists ${m}`);
    assert.match(output, /D1 database "edge-blog", KV namespace "edge-blog-cache", R2 bucket "edge-blog-media", queue "edge-blog-outbox"/);
    assert.match(output, /Dry run passed\./);
    assert.equal(fs.readFileSync(path.join(dir, "wrangler.toml"), "utf8"), before, "the committed configuration is untouched");
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith(".deploy")), [], "a dry run writes no deployment files");
    console.log(output.split("\n").filter((l) => /Total Upload|migrations|Dry run/.test(l)).join("\n"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
});
