// Browser test of the generated HTML site, as a reader sees it: load it
// from file:// in headless Chromium, run a search, follow a result, check a
// symptom page, take screenshots, and fail on any console error, page error
// or failed request.
//
//   node check.mjs SITE_DIR [SCREENSHOT_DIR]
//
// SITE_DIR is the html/ folder of a build (default generated-docs/html).
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const site = path.resolve(process.argv[2] || "generated-docs/html");
const shots = path.resolve(process.argv[3] || os.tmpdir());
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const failures = [];
const fail = (msg) => { failures.push(msg); console.error("FAIL " + msg); };
const ok = (msg) => console.log("ok   " + msg);

if (!fs.existsSync(path.join(site, "index.html"))) {
  console.error(`no index.html in ${site}: build the site first (kbc build)`);
  process.exit(2);
}
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kbc-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
  viewport: { width: 1200, height: 900 },
});

function watch(page, label) {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") {
      fail(`${label}: console ${m.type()}: ${m.text()}`);
    }
  });
  page.on("pageerror", (e) => fail(`${label}: page error: ${e.message}`));
  page.on("requestfailed", (r) => {
    // Following a link cancels the old page's pending loads (ERR_ABORTED);
    // a missing file fails with ERR_FILE_NOT_FOUND and is still caught.
    if (/ERR_ABORTED/.test(r.failure()?.errorText || "")) return;
    fail(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("dialog", (d) => { fail(`${label}: a dialog opened (${d.message()}): script ran`); d.dismiss(); });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) {
      fail(`${label}: network request to ${r.url()}`);
    }
  });
}

try {
  const page = await context.newPage();
  watch(page, "site");
  const url = (p) => pathToFileURL(path.join(site, p)).href;

  // 1. The index lists guides.
  await page.goto(url("index.html"));
  const guides = await page.locator("a[href^='guides/']").count();
  if (guides === 0) fail("index: no links to guides"); else ok(`index lists ${guides} guide links`);

  // 2. Search from the header box, by error code if the site has one.
  const codeCell = page.locator(".kbc-code-cell a").first();
  const query = (await codeCell.count()) > 0 ? (await codeCell.innerText()).split("/")[0].trim() : "fix";
  await page.fill("#kbc-q", query);
  await Promise.all([page.waitForURL(/search\.html/), page.press("#kbc-q", "Enter")]);
  await page.waitForSelector("#kbc-search-results li", { timeout: 5000 }).catch(() => {});
  const hits = await page.locator("#kbc-search-results li").count();
  if (hits === 0) fail(`search for "${query}" found nothing`); else ok(`search for "${query}" found ${hits} results`);
  const status = await page.locator("#kbc-search-status").innerText();
  ok(`search status: ${status}`);

  // 3. Typing in the search page filters live.
  await page.fill("#kbc-search-input", "zzzz-no-such-thing");
  const none = await page.locator("#kbc-search-results li").count();
  if (none !== 0) fail("search for nonsense still lists results"); else ok("search for nonsense lists nothing");
  await page.fill("#kbc-search-input", query);

  // 4. Follow the first result to a symptom page.
  const first = page.locator("#kbc-search-results li a").first();
  if ((await first.count()) > 0) {
    await Promise.all([page.waitForLoadState("load"), first.click()]);
    ok(`followed a result to ${path.relative(site, new URL(page.url()).pathname)}`);
  }

  // 5. A symptom page: JSON-LD parses, anchors resolve, diagram present.
  const guideFile = fs.readdirSync(path.join(site, "guides")).sort()[0];
  const target = new URL(page.url()).pathname.includes("/guides/") ? page.url() : url(`guides/${guideFile}`);
  await page.goto(target);
  const ld = await page.locator("script[type='application/ld+json']").allTextContents();
  for (const t of ld) {
    try {
      const j = JSON.parse(t);
      if (j["@type"] !== "FAQPage") fail(`guide JSON-LD is ${j["@type"]}, not FAQPage`);
    } catch (e) { fail(`guide JSON-LD does not parse: ${e.message}`); }
  }
  ok(`guide page has ${ld.length} JSON-LD block(s)`);
  const missing = await page.evaluate(() =>
    [...document.querySelectorAll("a[href^='#']")]
      .map((a) => a.getAttribute("href").slice(1))
      .filter((id) => id && !document.getElementById(id)));
  if (missing.length) fail(`broken in-page anchors: ${missing.join(", ")}`); else ok("every in-page anchor resolves");
  if ((await page.locator("svg.kbc-diagram-svg").count()) === 0) fail("no diagram on the guide page"); else ok("diagram drawn");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (wide > 1) fail(`guide page scrolls sideways by ${wide}px at 1200px`);
  await page.screenshot({ path: path.join(shots, "kbc-symptom.png"), fullPage: false });
  ok(`screenshot ${path.join(shots, "kbc-symptom.png")}`);

  // 6. On a phone, dark mode: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.reload();
  const phoneWide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (phoneWide > 1) fail(`guide page scrolls sideways by ${phoneWide}px on a phone`); else ok("fits a phone screen");
  await page.screenshot({ path: path.join(shots, "kbc-symptom-phone-dark.png"), fullPage: false });

  // 7. Every page loads without errors.
  // troubleshoot.html needs kbc serve; from file:// it must say so quietly.
  const pages = ["index.html", "search.html", "troubleshoot.html",
    ...fs.readdirSync(path.join(site, "guides")).map((f) => `guides/${f}`),
    ...fs.readdirSync(path.join(site, "fixes")).map((f) => `fixes/${f}`)];
  await page.setViewportSize({ width: 1200, height: 900 });
  for (const p of pages) {
    await page.goto(url(p));
  }
  ok(`loaded all ${pages.length} pages`);
  await page.goto(url("troubleshoot.html"));
  if (await page.locator("#kbc-ts-offline").isHidden()) fail("troubleshoot.html from file:// does not say it needs kbc serve");
  else ok("troubleshoot.html from file:// says it needs kbc serve");
} catch (e) {
  fail(`unexpected: ${e.stack || e}`);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`browser check: ${failures.length} failures`);
  process.exit(1);
}
console.log("browser check: all passed");
