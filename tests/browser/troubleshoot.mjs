// Browser test of `kbc serve`: the troubleshooter as a person uses it, and
// live reload as an author sees it, in headless Chromium. Fails on any
// console error or warning, page error, failed request, dialog, or request
// to anything but the server.
//
//   node troubleshoot.mjs BASE_URL RULES_DIR [SCREENSHOT_DIR]
//
// BASE_URL is what `kbc serve RULES_DIR` printed (http://127.0.0.1:PORT/);
// RULES_DIR is the server's rules folder, a copy this script may edit.
// serve.sh starts the server and calls this.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const base = process.argv[2];
const rules = process.argv[3];
const shots = path.resolve(process.argv[4] || os.tmpdir());
if (!base || !rules) {
  console.error("usage: node troubleshoot.mjs BASE_URL RULES_DIR [SCREENSHOT_DIR]");
  process.exit(2);
}
const origin = new URL(base).origin;
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const failures = [];
const fail = (msg) => { failures.push(msg); console.error("FAIL " + msg); };
const ok = (msg) => console.log("ok   " + msg);
const expect = (cond, msg) => (cond ? ok(msg) : fail(msg));

// A domain-joined Windows 11 client against Windows Server 2019, with the
// 0x904 / 0x7 error: everything else is answered "I don't know".
const ANSWERS = { domain_joined: "true", client_os: "windows11", host_os: "server2019" };
const SYMPTOM = "rdp_0x904_0x7";
const EXPECTED_TOP = "credssp_oracle_mismatch";

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kbc-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic",
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
    // A reload or a navigation cancels the open live-reload stream.
    if (r.url().endsWith("/__kbc/events") && /ERR_ABORTED/.test(r.failure()?.errorText || "")) return;
    fail(`${label}: request failed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400) fail(`${label}: ${r.request().method()} ${r.url()} answered ${r.status()}`);
  });
  page.on("dialog", (d) => { fail(`${label}: a dialog opened (${d.message()})`); d.dismiss(); });
  page.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith(origin + "/") && !u.startsWith("data:")) fail(`${label}: request off the server: ${u}`);
  });
}

/** Runs `act` and waits for the diagnosis it triggers to be shown. */
async function diagnosed(page, act) {
  const resp = page.waitForResponse((r) => r.url().endsWith("/api/diagnose"));
  await act();
  const r = await resp;
  if (r.status() !== 200) fail(`diagnose answered ${r.status()}: ${await r.text()}`);
  await page.waitForFunction(() => document.getElementById("kbc-ts-status").textContent !== "Thinking…");
}

const edited = [];
function editRule(file, from, to) {
  const p = path.join(rules, file);
  const before = fs.readFileSync(p, "utf8");
  if (!before.includes(from)) throw new Error(`${file} has no ${JSON.stringify(from)}`);
  edited.push([p, before]);
  fs.writeFileSync(p, before.replace(from, to));
}

try {
  const page = await context.newPage();
  watch(page, "troubleshooter");

  // 1. The page loads its vocabulary and symptoms from the API.
  await page.goto(new URL("troubleshoot.html", base).href);
  await page.waitForSelector("#kbc-ts-app:not([hidden])", { timeout: 10000 });
  expect(await page.locator("#kbc-ts-offline").isHidden(), "the troubleshooter found the API");
  const choices = await page.locator("#kbc-ts-symptoms input[type=radio]").count();
  expect(choices >= 2, `${choices} symptoms to pick from`);

  // 2. Pick the error, with the keyboard: focus its radio, Space, Enter.
  const radio = page.locator(`#kbc-ts-symptoms input[value='${SYMPTOM}']`);
  const label = await page.locator(`label[for='${await radio.getAttribute("id")}']`).innerText();
  expect(/0x904/.test(label) && /0x7/.test(label), `the 0x904 / 0x7 choice reads "${label.replace(/\s+/g, " ")}"`);
  await radio.focus();
  await page.keyboard.press("Space");
  await diagnosed(page, () => page.keyboard.press("Enter"));
  expect(await page.locator("#kbc-ts-session").isVisible(), "the session started");

  // 3. Answer each question the matcher asks, one at a time.
  const asked = [];
  let previousTop = null;
  let rankingMoved = false;
  for (let round = 0; round < 20; round++) {
    if (await page.locator("#kbc-ts-answer-form").isHidden()) break;
    const fact = await page.locator("#kbc-ts-answer-form").getAttribute("data-fact");
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
    if (focused !== "kbc-ts-question-h") fail(`focus is on #${focused}, not on the question, before "${fact}"`);
    const question = await page.locator("#kbc-ts-question-text").innerText();
    if (round === 0) await page.screenshot({ path: path.join(shots, "kbc-troubleshooter-question.png") });
    asked.push(fact);
    if (fact in ANSWERS) {
      const option = page.locator(`#kbc-ts-answers input[value='${ANSWERS[fact]}']`);
      if ((await option.count()) === 0) { fail(`no answer ${ANSWERS[fact]} offered for ${fact}`); break; }
      await option.check();
      ok(`asked "${question}" → ${ANSWERS[fact]}`);
      await diagnosed(page, () => page.click("#kbc-ts-answer"));
    } else {
      ok(`asked "${question}" → I don't know`);
      await diagnosed(page, () => page.click("#kbc-ts-dont-know"));
      const given = await page.locator("#kbc-ts-given-list").innerText();
      if (!/you don't know/.test(given)) fail(`"I don't know" to ${fact} is not listed in the answers`);
    }
    const top = await page.locator("#kbc-ts-causes > li").first().getAttribute("data-cause");
    if (previousTop !== null && top !== previousTop) rankingMoved = true;
    if (await page.locator(".kbc-ts-move").count()) rankingMoved = true;
    previousTop = top;
  }
  for (const f of Object.keys(ANSWERS)) expect(asked.includes(f), `the matcher asked about ${f}`);
  expect(new Set(asked).size === asked.length, `no question asked twice (${asked.join(", ")})`);
  expect(rankingMoved, "the ranking changed as answers came in");
  expect(await page.locator("#kbc-ts-done").isVisible(), `the session ended: ${await page.locator("#kbc-ts-done").innerText()}`);

  // 4. The CredSSP cause on top, with its evidence in plain words.
  const first = page.locator("#kbc-ts-causes > li").first();
  const top = await first.getAttribute("data-cause");
  expect(top === EXPECTED_TOP, `the top cause is ${top}`);
  const evidence = await first.locator(".kbc-ts-evidence li").allInnerTexts();
  expect(evidence.some((t) => /domain-joined/i.test(t)), `its evidence is in plain words: ${evidence[0] || "(none)"}`);
  const ruledOut = await page.locator("#kbc-ts-ruled-out > li").count();
  expect(ruledOut > 0, `${ruledOut} causes shown as ruled out`);
  const fixes = page.locator("#kbc-ts-fixes > li a");
  expect((await fixes.count()) > 0, `${await fixes.count()} fixes in order`);
  const noInnerHtmlLeak = await page.evaluate(() => document.querySelectorAll("#kbc-ts script, #kbc-ts iframe").length);
  expect(noInnerHtmlLeak === 0, "no markup from the API in the page");

  await page.screenshot({ path: path.join(shots, "kbc-troubleshooter.png"), fullPage: true });
  ok(`screenshot ${path.join(shots, "kbc-troubleshooter.png")}`);

  // 5. Readable on a phone: nothing wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(wide <= 1, `fits a phone screen (${wide}px too wide)`);
  await page.screenshot({ path: path.join(shots, "kbc-troubleshooter-phone.png"), fullPage: false });
  await page.setViewportSize({ width: 1200, height: 900 });

  // 6. Start over and paste the message instead: the dialog's text alone
  // points at CredSSP; the message is listed with the answers.
  await page.click("#kbc-ts-restart");
  const focusedStart = await page.evaluate(() => document.activeElement && document.activeElement.id);
  expect(focusedStart === "kbc-ts-start-h", "Start over returns the focus to the first step");
  await page.fill("#kbc-ts-message", "An authentication error has occurred. The function requested is not supported. This could be due to CredSSP encryption oracle remediation.");
  await diagnosed(page, () => page.click("#kbc-ts-message-go"));
  const pastedTop = await page.locator("#kbc-ts-causes > li").first().getAttribute("data-cause");
  expect(pastedTop === EXPECTED_TOP, `from the pasted message alone the top cause is ${pastedTop}`);
  expect(/CredSSP encryption oracle/.test(await page.locator("#kbc-ts-given-list").innerText()), "the pasted message is listed with the answers");
  // The fixes of this diagnosis, for the next step.
  await page.waitForSelector("#kbc-ts-fixes > li a");

  // 7. The first fix links to its page of the guide.
  const fixTitle = (await fixes.first().innerText()).trim();
  await Promise.all([page.waitForURL(/\/fixes\/[a-z0-9_]+\.html$/), fixes.first().click()]);
  const h1 = (await page.locator("h1").first().innerText()).trim();
  expect(h1.includes(fixTitle) || fixTitle.includes(h1), `followed "${fixTitle}" to ${new URL(page.url()).pathname} ("${h1}")`);

  // 8. Live reload: edit the fix's title in the rules; the open page reloads.
  const fixFile = fs.readdirSync(path.join(rules, "fixes"))
    .map((f) => `fixes/${f}`)
    .find((f) => fs.readFileSync(path.join(rules, f), "utf8").includes(`"${fixTitle}"`));
  if (!fixFile) throw new Error(`no rule file declares the fix "${fixTitle}"`);
  await page.evaluate(() => { window.__kbcBeforeReload = true; });
  const reloaded = page.waitForEvent("load", { timeout: 15000 });
  editRule(fixFile, `"${fixTitle}"`, `"${fixTitle} (edited live)"`);
  await reloaded;
  await page.waitForSelector("h1");
  const after = (await page.locator("h1").first().innerText()).trim();
  const fresh = await page.evaluate(() => window.__kbcBeforeReload === undefined);
  expect(fresh && after.includes("(edited live)"), `the page reloaded by itself after the edit: "${after}"`);

  // 9. A rule error: an overlay with the diagnostics over the last good build.
  const broken = page.waitForEvent("load", { timeout: 15000 });
  editRule("facts.kb", "fact via_vpn: bool", "fact via_vpn: boolean");
  await broken;
  const overlay = page.locator("#kbc-live-overlay");
  await overlay.waitFor({ state: "visible", timeout: 5000 });
  const diag = await page.locator(".kbc-live-diagnostics").innerText();
  expect(/error/.test(diag) && /facts\.kb/.test(diag), `the overlay shows the diagnostics: ${diag.split("\n")[0]}`);
  expect((await page.locator("h1").first().innerText()).includes("(edited live)"), "the last good build still shows under it");
  await page.screenshot({ path: path.join(shots, "kbc-serve-overlay.png"), fullPage: false });
  const focusedClose = await page.evaluate(() => document.activeElement && document.activeElement.id);
  expect(focusedClose === "kbc-live-close", "the overlay's Hide button has the focus");
  await page.keyboard.press("Enter");
  expect(await overlay.isHidden(), "Hide closes the overlay");

  // 10. Fixing the error reloads again, without the overlay.
  const fixed = page.waitForEvent("load", { timeout: 15000 });
  const [p, before] = edited.pop();
  fs.writeFileSync(p, before);
  await fixed;
  await page.waitForSelector("h1");
  expect((await page.locator("#kbc-live-overlay").count()) === 0, "the overlay is gone once the rules check again");
} catch (e) {
  fail(`unexpected: ${e.stack || e}`);
} finally {
  for (const [p, before] of edited.reverse()) fs.writeFileSync(p, before);
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`troubleshooter check: ${failures.length} failures`);
  process.exit(1);
}
console.log("troubleshooter check: all passed");
