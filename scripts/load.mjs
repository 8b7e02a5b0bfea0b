// `npm run load -- [--seconds 60] [--connections 64]`: mixed traffic without loss, printed.
import { mixedLoad } from "../tests/load/mixed.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : dflt);
const seconds = opt("seconds", 60);
const connections = opt("connections", 64);
const r = await mixedLoad({ seconds, connections });
console.log(`${seconds} s at ${connections} connections: ${r.requests} requests (${(r.requests / seconds).toFixed(0)}/s)`);
console.log("answers by status:", JSON.stringify(r.statuses));
console.log(`comments sent ${r.comments}, accepted (303) ${r.accepted}; lost ${r.lost.length}; stored despite an error ${r.storedDespiteError.length}; 5xx ${r.serverErrors.length}`);
process.exit(r.lost.length || r.storedDespiteError.length || r.serverErrors.length ? 1 : 0);
