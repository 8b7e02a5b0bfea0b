// Screenshots of the browser admin for the README (docs/admin-*.png), at phone and desktop
// width, with JavaScript off as the admin needs none. Run after `bash scripts/build.sh`:
//   node scripts/screenshots.mjs
import path from "node:path";
import { chromium } from "playwright-core";
import { startBlog, postComment, mintToken, ROOT, ADMIN_TOKEN } from "../tests/helpers.mjs";

const SLUG = "health-is-social-aint-no-doubt";
const blog = await startBlog({ settings: { comment_min_seconds: "0", time_zone: "Europe/London", email_from: "blog@example.org" } });
const base = String(await blog.mf.ready).replace(/\/$/, "");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  let ip = 0;
  for (const [author, body] of [
    ["Nina Patel", "Does the admin really work on a phone? I moderate on the bus."],
    ["Omar", "Great post. Check out my site for cheap watches https://spam.example/ https://spam.example/2 https://spam.example/3"],
  ]) {
    ip += 1;
    const token = await mintToken(1, Math.floor(Date.now() / 1000) - 30);
    await postComment(blog, SLUG, { token, author, email: `${author.split(" ")[0].toLowerCase()}@example.org`, body, url: "", subject: "" }, `192.0.2.${ip}`);
  }
  const shots = [
    ["queue", "/admin/queue"],
    ["editor", `/admin/entries/${SLUG}`, true],
    ["settings", "/admin/settings"],
  ];
  for (const [label, width, height] of [["phone", 390, 844], ["desktop", 1280, 860]]) {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width, height }, deviceScaleFactor: 1 });
    const tab = await context.newPage();
    await tab.goto(`${base}/admin/sign-in`);
    await tab.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await tab.getByRole("button", { name: "Sign in" }).click();
    await tab.waitForLoadState();
    for (const [name, address, preview] of shots) {
      await tab.goto(base + address);
      if (preview) {
        await tab.getByRole("button", { name: "Preview" }).click();
        await tab.waitForLoadState();
      }
      const file = path.join(ROOT, "docs", `admin-${name}-${label}.png`);
      await tab.screenshot({ path: file });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
  await blog.close();
}
