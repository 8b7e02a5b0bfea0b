// Draws the demo post's illustration — people linked to one another around a patient, "health is
// social" — into demo/health-is-social.png. Deterministic: the same bytes every run, so the demo
// post can name the file by its SHA-256 (its media address). Run: node scripts/demo-image.mjs
import fs from "node:fs";
import path from "node:path";
import { encodePng } from "./png.mjs";

const W = 720;
const H = 405;
const px = new Uint8Array(W * H * 3);
const set = (x, y, [r, g, b]) => {
  if (x < 0 || y < 0 || x >= W || y >= H) return;
  const i = (y * W + x) * 3;
  px[i] = r;
  px[i + 1] = g;
  px[i + 2] = b;
};
const BG = [0xfd, 0xfc, 0xf9];
const LINE = [0xb9, 0xc7, 0xd8];
const NODE = [0x1d, 0x5f, 0xa8];
const CENTRE = [0xc2, 0x41, 0x4b];
for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) set(x, y, BG);

function line([x0, y0], [x1, y1], width, colour) {
  const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0));
  for (let s = 0; s <= steps; s++) {
    const x = x0 + ((x1 - x0) * s) / steps;
    const y = y0 + ((y1 - y0) * s) / steps;
    disc([x, y], width / 2, colour);
  }
}
function disc([cx, cy], r, colour) {
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++)
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++)
      if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) set(x, y, colour);
}

const centre = [W / 2, H / 2];
const ring = Array.from({ length: 8 }, (_, i) => {
  const a = (i / 8) * 2 * Math.PI + 0.3;
  return [Math.round(W / 2 + Math.cos(a) * 250), Math.round(H / 2 + Math.sin(a) * 140)];
});
for (const p of ring) line(centre, p, 6, LINE);
for (let i = 0; i < ring.length; i++) line(ring[i], ring[(i + 3) % ring.length], 3, LINE);
for (const p of ring) disc(p, 26, NODE);
disc(centre, 44, CENTRE);

const png = encodePng(W, H, px, { level: 9 });
const out = path.join(import.meta.dirname, "..", "demo", "health-is-social.png");
fs.writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
