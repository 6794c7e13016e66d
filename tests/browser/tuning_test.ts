/**
 * The tuner in a real browser, on a phone (390 px): an administrator of a seeded community has a
 * bad budget refused next to its field, starts a tuning, sees it end without a reload with
 * every configuration in a table and a chart, then trains a new version with the best one. axe
 * audits every page and swap (PageWatch); nothing is wider than the screen; any console error,
 * failed request or unexpected 4xx/5xx fails the test.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { type DatabaseKind, databaseKinds } from "../support/databases.ts";
import { seededPassword, seedSmallCommunity } from "../support/community.ts";
import {
  browserTestsIgnored,
  documentKept,
  launchChromium,
  markDocument,
  PageWatch,
  phone,
  screenshot,
  screenshotDir,
  startPalabre,
} from "./support.ts";

const ignore = browserTestsIgnored();
// The machine is shared and loaded: a tuning of the small community gets this long.
const tuningWaitMs = 120_000;

async function signIn(page: Page, origin: string, handle: string) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Password").fill(seededPassword);
  await Promise.all([
    page.waitForURL(`${origin}/`),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.waitForLoadState("networkidle");
}

for (const kind of databaseKinds) {
  Deno.test({
    name:
      `an administrator tunes on a phone, sees every configuration and trains the best [${kind}]`,
    ignore,
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind as DatabaseKind);
      try {
        const { admin } = await seedSmallCommunity(palabre.sql);
        const browser = await launchChromium();
        try {
          const watch = new PageWatch();
          watch.expectStatus(422, "/admin/recommendations/tune");
          await watch.check(async () => {
            const page = await watch.newPage(browser, "admin on a phone", phone);
            page.setDefaultTimeout(15_000);
            const origin = palabre.origin;
            await signIn(page, origin, admin.handle);
            await page.goto(`${origin}/admin/recommendations`);
            await page.getByRole("heading", { name: "Tune the model" }).waitFor();

            const tune = page.getByRole("button", { name: "Tune", exact: true });
            await page.getByLabel("Time budget, in minutes").fill("45");
            await tune.click();
            const error = page.locator("#field-budget-error");
            await error.waitFor();
            assert.equal(
              await error.textContent(),
              "Time budget must be a whole number of minutes from 1 to 30",
            );

            await page.getByLabel("Time budget, in minutes").fill("1");
            await Promise.all([page.waitForURL(/\/admin\/recommendations/), tune.click()]);
            await markDocument(page);
            await page.getByText(/^Tuning #1 tried \d+ configurations over \d+ trainings/)
              .waitFor({ timeout: tuningWaitMs });
            assert.ok(await documentKept(page), "the result came without a reload");
            await page.getByRole("img", { name: /^Recall@20 of each training/ }).waitFor();
            const rows = await page.locator("table.tuning-trials tbody tr").count();
            assert.ok(rows > 1, `${rows} configurations in the table`);
            await page.locator("table.tuning-trials tr.best").getByText("Best").waitFor();
            await watch.audit(page, "admin on a phone, tuned");
            const overflow = await page.evaluate(
              "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            ) as number;
            assert.ok(overflow <= 0, `the page is ${overflow}px wider than a phone`);
            await screenshot(page, `tuning-phone-${kind}`);
            await page.locator("#tuning-chart").scrollIntoViewIfNeeded();
            await page.screenshot({
              path: new URL(`tuning-phone-chart-${kind}.png`, screenshotDir).pathname,
            });

            await Promise.all([
              page.waitForURL(`${origin}/admin/recommendations`),
              page.getByRole("button", { name: "Train with these" }).click(),
            ]);
            await page.getByText(/Model #1 was trained in|Training model #1/).first().waitFor();
          });
        } finally {
          await browser.close();
        }
      } finally {
        await palabre.close();
      }
    },
  });
}
