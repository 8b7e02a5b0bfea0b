// Draws the demo post's illustration — people linked to one another around a patient, "health is
// social" — into demo/health-is-social.png. Deterministic: the same bytes every run, so the demo
// post can name the file by its SHA-256 (its media address). Run: node scripts/demo-image.mjs
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

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

// PNG: signature, IHDR (8-bit RGB), one IDAT, IEND.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "ascii");
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, tail]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(W, 0);
ihdr.writeUInt32BE(H, 4);
ihdr.set([8, 2, 0, 0, 0], 8);
const rows = Buffer.alloc(H * (1 + W * 3));
for (let y = 0; y < H; y++) {
  rows[y * (1 + W * 3)] = 0;
  Buffer.from(px.buffer, y * W * 3, W * 3).copy(rows, y * (1 + W * 3) + 1);
}
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr),
  chunk("IDAT", zlib.deflateSync(rows, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
const out = path.join(import.meta.dirname, "..", "demo", "health-is-social.png");
fs.writeFileSync(out, png);
console.log(`${out}: ${png.length} bytes`);
