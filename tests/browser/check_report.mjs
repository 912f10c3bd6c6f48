// Opens a credence report in Debian's chromium (headless, over playwright-core; no browser is
// downloaded) and checks that it works: no console errors, no script dialogs, no network requests, one
// table row per source, sorting by clicking a header, filtering, the trend chart following the
// selection. Saves a full-page screenshot.
//
// usage: node check_report.mjs REPORT.html SCREENSHOT.png EXPECTED_ROWS [NAME_THAT_MUST_SHOW_AS_TEXT...]
// Prints one line per check; exits 1 on the first failure.

import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [report, screenshot, expectedRows, ...names] = process.argv.slice(2);
const browserPath = process.env.CREDENCE_CHROMIUM || "/usr/bin/chromium";
const profile = fs.mkdtempSync(path.join(os.tmpdir(), "credence-chromium-"));

class Failure extends Error {}
function fail(what) {
  console.log(`FAIL ${what}`);
  throw new Failure(what);
}
function ok(what) {
  console.log(`ok   ${what}`);
}
const byText = (a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0);

const context = await chromium.launchPersistentContext(profile, {
  executablePath: browserPath,
  headless: true,
  viewport: { width: 1200, height: 900 },
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let status = 0;
try {
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  const dialogs = [];
  const requests = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  context.on("request", (r) => {
    const u = r.url();
    if (!u.startsWith("file:") && !u.startsWith("data:") && !u.startsWith("about:")) requests.push(u);
  });
  await page.goto(pathToFileURL(path.resolve(report)).href, { waitUntil: "load" });
  await page.waitForTimeout(200);

  const rows = await page.locator("#sources-table tbody tr").count();
  if (rows !== Number(expectedRows)) fail(`table has ${rows} rows, expected ${expectedRows}`);
  ok(`table has one row per source (${rows})`);

  const column = async (k) =>
    page.$$eval("#sources-table tbody tr", (trs, k) => trs.map((tr) => tr.cells[k].getAttribute("data-v")), k);
  const header = (name) => page.locator("#sources-table thead th", { hasText: new RegExp(`^${name}$`) });

  const ranks = (await column(0)).map(Number);
  if (ranks.join() !== [...ranks].sort((a, b) => a - b).join()) fail("rows do not start in rank order");
  await header("source").click();
  let got = await column(1);
  if (got.join("\n") !== [...got].sort(byText).join("\n")) fail(`clicking "source" did not sort by name: ${got}`);
  if ((await header("source").getAttribute("aria-sort")) !== "ascending") fail("source header not marked ascending");
  await header("source").click();
  got = await column(1);
  if (got.join("\n") !== [...got].sort(byText).reverse().join("\n")) fail("a second click did not reverse the order");
  ok("clicking the source header sorts by name, a second click reverses");
  await header("reliability").click();
  const rel = (await column(2)).map(Number);
  for (let i = 1; i < rel.length; i++) if (rel[i - 1] > rel[i]) fail(`reliability not ascending: ${rel}`);
  ok("clicking the reliability header sorts numerically");

  const names0 = await column(1);
  const probe = names0[0].slice(0, 3);
  await page.fill("#filter", probe);
  const visible = await page.locator("#sources-table tbody tr:visible").count();
  const want = names0.filter((n) => n.toLowerCase().includes(probe.toLowerCase())).length;
  if (visible !== want) fail(`filter "${probe}" shows ${visible} rows, expected ${want}`);
  await page.fill("#filter", "");
  ok(`filtering by "${probe}" shows the ${want} matching rows`);

  for (const name of names) {
    const cells = await page.$$eval("#sources-table tbody td.text", (tds) => tds.map((td) => td.textContent));
    if (!cells.includes(name)) fail(`no source cell reads ${JSON.stringify(name)} as text`);
    const trail = await page.$$eval("#trails summary b", (bs) => bs.map((b) => b.textContent));
    if (!trail.some((t) => t.endsWith(name))) fail(`no trail heading reads ${JSON.stringify(name)}`);
    ok(`${JSON.stringify(name)} shows as text`);
  }

  if (await page.locator("#trend-chart").count()) {
    const lines = async () => page.locator("#trend-chart polyline").count();
    const before = await lines();
    if (before < 1) fail("the trend chart draws nothing for the default selection");
    await page.locator("#sources-table tbody tr").nth(rows - 1).locator("td").nth(2).click();
    const after = await lines();
    if (after === before) fail(`selecting a row did not change the trend chart (${before} lines)`);
    ok(`the trend chart follows the selection (${before} → ${after} sources drawn)`);
  }

  // The trails of ranks 1 to 3 start open; take the last rank's.
  const target = `trail-${rows}`;
  if (await page.$eval(`details[id="${target}"]`, (d) => d.open)) fail(`#${target} starts open`);
  await page.locator(`#sources-table a[href="#${target}"]`).click();
  await page.waitForTimeout(100);
  if (!(await page.$eval(`details[id="${target}"]`, (d) => d.open))) fail(`following a name's link did not open #${target}`);
  ok(`a name's link opens its evidence trail (#${target})`);

  await page.screenshot({ path: screenshot, fullPage: true });
  ok(`screenshot ${screenshot}`);
  if (errors.length) fail(`console errors: ${errors.join(" | ")}`);
  ok("no console errors");
  if (dialogs.length) fail(`script dialogs opened: ${dialogs.join(" | ")}`);
  ok("no script dialogs");
  if (requests.length) fail(`network requests: ${requests.join(" ")}`);
  ok("no network requests");
} catch (e) {
  status = 1;
  if (!(e instanceof Failure)) console.log(`error: ${e.stack || e}`);
} finally {
  await context.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
