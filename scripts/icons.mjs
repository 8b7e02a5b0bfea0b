// Draws the blog's default icons — a red dot in a blue ring, the demo illustration's centre — into
// src/reader/icons/ (favicon 32×32, apple-touch-icon 180×180). Deterministic; run
// `node scripts/icons.mjs` after changing them. The reader Worker embeds the files.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

function icon(size) {
  const px = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c) / (size / 2);
      const i = (y * size + x) * 4;
      const colour = d < 0.45 ? [0xc2, 0x41, 0x4b, 255] : d < 0.62 ? [0xfd, 0xfc, 0xf9, 255] : d < 0.98 ? [0x1d, 0x5f, 0xa8, 255] : [0, 0, 0, 0];
      px.set(colour, i);
    }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let k = n;
    for (let j = 0; j < 8; j++) k = k & 1 ? 0xedb88320 ^ (k >>> 1) : k >>> 1;
    return k >>> 0;
  });
  const crc = (buf) => {
    let k = 0xffffffff;
    for (const b of buf) k = crcTable[(k ^ b) & 0xff] ^ (k >>> 8);
    return (k ^ 0xffffffff) >>> 0;
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
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (1 + size * 4));
  for (let y = 0; y < size; y++) px.copy(rows, y * (1 + size * 4) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const dir = path.join(import.meta.dirname, "..", "src", "reader", "icons");
fs.mkdirSync(dir, { recursive: true });
for (const [name, size] of [["favicon-32.png", 32], ["apple-touch-icon-180.png", 180]]) {
  const png = icon(size);
  fs.writeFileSync(path.join(dir, name), png);
  console.log(`${name}: ${png.length} bytes`);
}
