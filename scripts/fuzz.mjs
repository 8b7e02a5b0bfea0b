// The full malformed-request fuzzer: `npm run fuzz -- [--count 10000] [--seed 1]`.
import { fuzz } from "../tests/fuzz/malformed.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const count = opt("count", 10000);
const seed = opt("seed", 1);
const started = Date.now();
const result = await fuzz({ seed, count });
console.log(`seed ${seed}: ${count} malformed requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log("answers by status:", JSON.stringify(result.statuses));
console.log(`Worker 5xx: ${result.serverErrors.length}; workerd's own 501 for unregistered methods (FOO, M-SEARCH): ${result.runtime501}; panics in workerd's log: ${result.panics}; pages after: ${result.after.join(", ")}`);
for (const e of result.serverErrors.slice(0, 20)) console.log("  5xx:", JSON.stringify(e));
for (const e of result.clientErrors.slice(0, 20)) console.log("  no HTTP answer:", JSON.stringify(e));
process.exit(result.serverErrors.length || result.panics || result.after.join() !== "200,201,200" ? 1 : 0);
