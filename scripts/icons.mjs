// Draws the blog's default icons — a red dot in a blue ring, the demo illustration's centre — into
// src/reader/icons/ (favicon 32×32, apple-touch-icon 180×180). Deterministic; run
// `node scripts/icons.mjs` after changing them. The reader Worker embeds the files.
import fs from "node:fs";
import path from "node:path";
import { encodePng } from "./png.mjs";

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
  return encodePng(size, size, px, { alpha: true, level: 9 });
}

const dir = path.join(import.meta.dirname, "..", "src", "reader", "icons");
fs.mkdirSync(dir, { recursive: true });
for (const [name, size] of [["favicon-32.png", 32], ["apple-touch-icon-180.png", 180]]) {
  const png = icon(size);
  fs.writeFileSync(path.join(dir, name), png);
  console.log(`${name}: ${png.length} bytes`);
}
