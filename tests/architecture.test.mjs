// The architecture as facts the tree must keep: dependencies point one way (reader/author →
// edge → store → blog-core), no module imports another in a circle, the core crate has no
// Workers runtime in it, and the reader Worker cannot name the Markdown renderer.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

const ROOT = path.resolve(import.meta.dirname, "..");

function rustFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? rustFiles(p) : e.name.endsWith(".rs") ? [p] : [];
  });
}

/** `a::{b, c::{self, D}}` → ["a::b", "a::c", "a::c::D"]. */
function expand(tree) {
  tree = tree.replace(/\s+/g, "");
  const open = tree.indexOf("{");
  if (open < 0) return [tree.replace(/::self$/, "").replace(/\bas\w+$/, "")];
  const prefix = tree.slice(0, open);
  const inner = tree.slice(open + 1, tree.lastIndexOf("}"));
  const parts = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= inner.length; i++) {
    const c = inner[i];
    if (c === "{") depth++;
    if (c === "}") depth--;
    if ((c === "," && depth === 0) || i === inner.length) {
      const part = inner.slice(start, i);
      if (part) parts.push(...expand(prefix + part));
      start = i + 1;
    }
  }
  return parts;
}

/** The module file a path names (`crate::edge::error::AppError` → src/edge/error.rs). */
function resolve(srcRoot, fromFile, modPath) {
  let segments = modPath.split("::");
  let base;
  if (segments[0] === "crate") {
    base = srcRoot;
    segments = segments.slice(1);
  } else {
    // `super` is the parent module: the folder of a mod.rs's parent, else this file's folder.
    base = path.dirname(fromFile);
    if (path.basename(fromFile) === "mod.rs" || path.basename(fromFile) === "lib.rs") base = path.dirname(base);
    segments = segments.slice(1);
    while (segments[0] === "super") {
      base = path.dirname(base);
      segments = segments.slice(1);
    }
  }
  let found = null;
  for (let n = segments.length; n >= 0 && !found; n--) {
    const dir = path.join(base, ...segments.slice(0, n));
    for (const candidate of [dir + ".rs", path.join(dir, "mod.rs"), n === 0 ? path.join(base, "lib.rs") : null]) {
      if (candidate && fs.existsSync(candidate) && candidate !== fromFile) {
        found = candidate;
        break;
      }
    }
    if (n === 0 && !found) found = fs.existsSync(path.join(base, "mod.rs")) ? path.join(base, "mod.rs") : null;
  }
  return found;
}

/** File → the crate-internal files it uses (through `use`, or a `crate::`/`super::` path). */
function moduleGraph(srcRoot) {
  const graph = new Map();
  for (const file of rustFiles(srcRoot)) {
    const text = fs.readFileSync(file, "utf8").replace(/\/\/[^\n]*/g, "");
    const paths = [];
    for (const m of text.matchAll(/\buse\s+((?:crate|super)::[^;]+);/g)) paths.push(...expand(m[1]));
    for (const m of text.matchAll(/\b((?:crate|super)(?:::\w+)+)/g)) paths.push(m[1]);
    const deps = new Set(paths.map((p) => resolve(srcRoot, file, p)).filter((d) => d && d !== file));
    graph.set(file, deps);
  }
  return graph;
}

function findCycle(graph) {
  const state = new Map();
  const stack = [];
  const visit = (node) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const cycle = visit(next);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      const cycle = visit(node);
      if (cycle) return cycle.map((f) => path.relative(ROOT, f));
    }
  }
  return null;
}

test("no module imports another in a circle, in the Worker crate or the pure crates", () => {
  for (const src of ["src", "crates/core/src", "crates/markdown/src"]) {
    const graph = moduleGraph(path.join(ROOT, src));
    assert.ok(graph.size > 0, src);
    const cycle = findCycle(graph);
    assert.equal(cycle, null, `a circle in ${src}: ${cycle?.join(" → ")}`);
  }
});

test("dependencies point one way: reader/author → edge → store", () => {
  const graph = moduleGraph(path.join(ROOT, "src"));
  const layer = (file) => path.relative(path.join(ROOT, "src"), file).split(path.sep)[0];
  const allowed = {
    store: ["store"],
    edge: ["edge", "store"],
    reader: ["reader", "edge", "store"],
    author: ["author", "edge", "store"],
  };
  let edges = 0;
  for (const [file, deps] of graph) {
    const from = layer(file);
    if (!allowed[from]) continue;
    for (const dep of deps) {
      edges++;
      assert.ok(allowed[from].includes(layer(dep)), `${path.relative(ROOT, file)} uses ${path.relative(ROOT, dep)}`);
    }
  }
  assert.ok(edges > 20, `${edges} module dependencies seen`);
});

test("the core crate is pure: no Workers runtime, no JS bindings", () => {
  const manifest = fs.readFileSync(path.join(ROOT, "crates/core/Cargo.toml"), "utf8");
  for (const runtime of ["worker", "wasm-bindgen", "js-sys", "web-sys"]) {
    assert.doesNotMatch(manifest, new RegExp(`^${runtime}\\s*=`, "m"), runtime);
  }
});

test("the reader Worker cannot name pulldown-cmark; the author Worker links it", () => {
  const tree = (...args) =>
    execFileSync("cargo", ["tree", "-p", "edge-blog", "--edges", "normal,build,dev", "--prefix", "none", ...args], {
      cwd: ROOT,
      encoding: "utf8",
    });
  assert.doesNotMatch(tree(), /pulldown-cmark/);
  assert.match(tree("--features", "author"), /pulldown-cmark/);
});
