// A cold start: a fresh workerd with a fresh isolate, from start to its first response, for the
// reader Worker (its first request: `/favicon.ico`, one Cache API read and one R2 read) and for
// the hello-world Rust Worker (bench/hello) beside it; then the same request again, warm. Rounds
// interleaved; medians with min–max. The difference between the two Workers' cold starts is what
// the reader's size and start-up cost a reader who meets a cold isolate.
//
//   node bench/coldstart.mjs [--rounds 7]     (the benchmark runs it too; builds bench/hello)
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { blogOptions, wrangler, ROOT, READER } from "../tests/helpers.mjs";

const TOOLS = process.env.TOOLS_DIR || path.join(ROOT, ".tools");

function buildHello() {
  execFileSync(path.join(TOOLS, "bin", "worker-build"), ["--release"], {
    cwd: path.join(ROOT, "bench", "hello"),
    env: {
      ...process.env,
      WASM_BINDGEN_BIN: path.join(TOOLS, "bin", "wasm-bindgen"),
      WASM_OPT_BIN: path.join(ROOT, "node_modules/.bin/wasm-opt"),
      ESBUILD_BIN: path.join(ROOT, "node_modules/@esbuild/linux-x64/bin/esbuild"),
    },
    stdio: "pipe",
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function once(options, url) {
  const t0 = performance.now();
  const mf = new Miniflare(options);
  const base = String(await mf.ready).replace(/\/$/, "");
  const t1 = performance.now();
  await (await fetch(base + url)).arrayBuffer();
  const t2 = performance.now();
  await (await fetch(base + url)).arrayBuffer();
  const t3 = performance.now();
  await mf.dispose();
  return { start: t1 - t0, first: t2 - t1, cold: t2 - t0, warm: t3 - t2 };
}

export async function measureColdStart(work, rounds = 7) {
  buildHello();
  const dir = path.join(work, "coldstart-state");
  wrangler(["d1", "migrations", "apply", "DB"], dir);
  // The reader alone: the author Worker (which it reaches for /admin only) is not started.
  const both = blogOptions(dir, { trace: false });
  const { serviceBindings, ...readerWorker } = both.workers[0];
  const reader = { ...both, workers: [readerWorker] };
  const hello = {
    workers: [
      {
        name: "hello",
        modules: true,
        scriptPath: path.join(ROOT, "bench/hello/build/index.js"),
        modulesRoot: path.join(ROOT, "bench/hello/build"),
        modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
        compatibilityDate: readerWorker.compatibilityDate,
      },
    ],
  };
  const samples = { "hello-world Rust Worker": [], "reader Worker": [] };
  for (let round = 0; round < rounds; round++) {
    samples["hello-world Rust Worker"].push(await once(hello, "/"));
    samples["reader Worker"].push(await once(reader, "/favicon.ico"));
  }
  const wasm = {
    "hello-world Rust Worker": fs.statSync(path.join(ROOT, "bench/hello/build/index_bg.wasm")).size,
    "reader Worker": fs.statSync(path.join(ROOT, "build/index_bg.wasm")).size,
  };
  const summary = {};
  for (const [name, runs] of Object.entries(samples)) {
    const stat = (k) => ({ median: median(runs.map((r) => r[k])), min: Math.min(...runs.map((r) => r[k])), max: Math.max(...runs.map((r) => r[k])) });
    summary[name] = { wasmBytes: wasm[name], start: stat("start"), first: stat("first"), cold: stat("cold"), warm: stat("warm") };
  }
  return { rounds, summary };
}

export function coldStartLines(r) {
  const f = (s) => `${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)})`;
  return [
    `Cold start (${r.rounds} interleaved rounds; ms, median (min–max)): a fresh workerd and isolate until its first response, then the same request warm.`,
    "",
    "| Worker | wasm KiB | workerd up (script loaded) | first response | cold total | warm response |",
    "|---|---|---|---|---|---|",
    ...Object.entries(r.summary).map(([name, s]) => `| ${name} | ${(s.wasmBytes / 1024).toFixed(0)} | ${f(s.start)} | ${f(s.first)} | ${f(s.cold)} | ${f(s.warm)} |`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--rounds");
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cold-"));
  console.log(coldStartLines(await measureColdStart(work, i >= 0 ? Number(args[i + 1]) : 7)));
  fs.rmSync(work, { recursive: true, force: true });
}
