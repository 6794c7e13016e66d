/**
 * "Export my data" in a real browser at phone width (390 px): from Settings to the export page,
 * ask for an export, watch it prepared without a reload (its progress bar polls), download both
 * files, and read the exported page itself. PageWatch runs axe on every page and swap, and
 * counts console errors (CSP violations among them); no page scrolls sideways.
 */
import assert from "node:assert/strict";
import type { Download, Locator, Page } from "playwright-core";
import { buildExport, claimExport } from "../../db/data_exports.ts";
import { seedRoom } from "../live/support.ts";
import { databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  documentKept,
  launchChromium,
  markDocument,
  PageWatch,
  phone,
  screenshot,
  signInWith,
  startPalabre,
} from "./support.ts";

/** True when the page is no wider than its viewport. */
async function fitsWidth(page: Page): Promise<boolean> {
  return await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth");
}

/** Clicks `link` and returns the download it starts, excusing what the browser reports of it. */
async function download(
  watch: PageWatch,
  excused: RegExp[],
  page: Page,
  link: Locator,
): Promise<Download> {
  let started: Download | undefined;
  await watch.excusing(excused, async () => {
    [started] = await Promise.all([page.waitForEvent("download"), link.click()]);
    // The aborted navigation is reported once the download has begun.
    await started.path();
  });
  return started!;
}

for (const kind of databaseKinds) {
  Deno.test({
    name: `a member exports their data on a phone and reads the exported page [${kind}]`,
    ignore: browserTestsIgnored(),
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const browser = await launchChromium();
      const watch = new PageWatch();
      try {
        const world = await seedRoom(palabre.sql, "Warm-up");
        await watch.check(async () => {
          const grace = await watch.newPage(browser, "grace", phone);
          grace.setDefaultTimeout(15_000);
          await signInWith(grace, palabre.origin, world.graceCookie);
          await grace.goto(`${palabre.origin}/settings`);
          await grace.getByRole("heading", { name: "Your data" }).waitFor();
          assert.ok(await fitsWidth(grace), "Settings fit 390 px");
          await grace.getByRole("link", { name: "Export my data" }).click();
          await grace.getByRole("heading", { name: "Export my data", level: 1 }).waitFor();
          await grace.getByRole("button", { name: "Prepare an export" }).click();
          await grace.getByText("Waiting to be prepared").waitFor();
          await markDocument(grace);

          // The steps main.ts's worker takes, one at a time, so the page shows each state.
          const claim = (await claimExport(palabre.sql, { staleMs: 60_000 }))!;
          await grace.getByRole("progressbar", { name: "Export progress" }).waitFor();
          await grace.getByText(/Being prepared: 0 items read so far/).waitFor();
          await buildExport(palabre.sql, claim, { batchRows: 500, keepMs: 86_400_000 });
          const json = grace.getByRole("link", { name: "Download for programs (JSON)" });
          await json.waitFor();
          assert.ok(await documentKept(grace), "the page was not reloaded");
          assert.ok(await fitsWidth(grace), "the export page fits 390 px");
          await screenshot(grace, "data-export-ready-phone");

          // A link whose answer is an attachment becomes a download, and Chromium reports the
          // navigation it did not make as aborted: that is the download, not a fault.
          const downloads = [
            /request failed: GET \S+\/palabre-export\.(json|html): net::ERR_ABORTED$/,
          ];
          const jsonFile = await download(watch, downloads, grace, json);
          assert.match(jsonFile.suggestedFilename(), /^palabre-export-grace-.*\.json$/);
          const document = JSON.parse(await Deno.readTextFile((await jsonFile.path())!));
          assert.equal(document.format, "palabre-export");
          const html = grace.getByRole("link", { name: "Download the page to read (HTML)" });
          const htmlFile = await download(watch, downloads, grace, html);
          assert.match(htmlFile.suggestedFilename(), /^palabre-export-grace-.*\.html$/);

          // The downloaded page, opened as a file would be: audited, and as wide as the phone.
          const page = await Deno.readTextFile((await htmlFile.path())!);
          await grace.setContent(page);
          await watch.audit(grace, "grace");
          await grace.getByRole("heading", { name: "Your data at Palabre" }).waitFor();
          await grace.getByRole("heading", { name: "Rooms you are in or were let into" }).waitFor();
          assert.ok(await fitsWidth(grace), "the exported page fits 390 px");
          await screenshot(grace, "data-export-page-phone");
        });
      } finally {
        await browser.close();
        await palabre.close();
      }
    },
  });
}
