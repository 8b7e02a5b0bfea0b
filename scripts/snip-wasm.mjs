// Replaces the body of `<f64 as Display>::fmt` in a built Worker with "write nothing, Ok(())",
// so that the optimiser drops Rust's float-printing code (Grisu and Dragon4 with their tables:
// about 7.5 KB of gzip, 3½ % of the reader's size budget and of every cold start).
//
// Why it is safe: the Workers never print a float. The only caller is serde's error message for
// "a float where an integer was expected" (`Unexpected::Float`), reached when a D1 row holds a
// fraction in an integer column: the message then reads "floating point ``" instead of showing
// the number, and the error is still an error. (serde_json, the other float printer, has its own.)
// A Worker that starts printing floats with `{}` would print nothing: format them by hand.
//
// This is what `wasm-snip` does for panicking code, but returning Ok rather than trapping, so a
// future caller can never crash the instance. Runs before the final `wasm-opt` (it needs the
// name section); prints what it did, and warns if the function is not found.
//
// Usage: node scripts/snip-wasm.mjs build/index_bg.wasm
import fs from "node:fs";
import binaryen from "binaryen";

const SNIPPED = /^<f64 as core(\[[0-9a-f]+\])?::fmt::Display>::fmt$/;

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/snip-wasm.mjs FILE.wasm");
  process.exit(2);
}
const mod = binaryen.readBinary(fs.readFileSync(file));
const targets = [];
for (let i = 0; i < mod.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i));
  if (SNIPPED.test(info.name) && info.body) targets.push(info);
}
for (const info of targets) {
  // (self: &f64, f: &mut Formatter) -> fmt::Result, where Ok(()) is 0.
  if (info.results !== binaryen.i32) {
    console.error(`snip-wasm: ${info.name} has an unexpected signature; left alone`);
    continue;
  }
  mod.removeFunction(info.name);
  mod.addFunction(info.name, info.params, info.results, [], mod.i32.const(0));
}
if (targets.length === 0) {
  console.warn("snip-wasm: <f64 as Display>::fmt not found (renamed by a new toolchain?): float printing stays in");
} else {
  fs.writeFileSync(file, mod.emitBinary());
  console.log(`snip-wasm: ${file}: float printing removed (${targets.length} function)`);
}
