/**
 * The header's search box in a real browser: typing shows results under the box without a
 * reload, the keyboard reaches them, it fits a phone, and without JavaScript the same box
 * submits to the /search page.
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { seedRoom } from "../live/support.ts";
import { databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  desktop,
  documentKept,
  launchChromium,
  markDocument,
  PageWatch,
  screenshot,
  signInWith,
  startPalabre,
} from "./support.ts";

const phone390: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

async function signedIn(
  watch: PageWatch,
  browser: Browser,
  options: { origin: string; cookie: string; label: string; context: BrowserContextOptions },
): Promise<Page> {
  const page = await watch.newPage(browser, options.label, options.context);
  await signInWith(page, options.origin, options.cookie);
  return page;
}

/** How wide the page's content is, in CSS pixels (wider than the screen scrolls sideways). */
async function pageWidth(page: Page): Promise<number> {
  return await page.evaluate("document.documentElement.scrollWidth") as number;
}

for (const kind of databaseKinds) {
  Deno.test({
    name:
      `typing in the header's box shows results without a reload, and Enter opens /search [${kind}]`,
    ignore: browserTestsIgnored(),
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const browser = await launchChromium();
      const watch = new PageWatch();
      try {
        const world = await seedRoom(palabre.sql, "Midnight jazz stories");
        await watch.check(async () => {
          for (const [name, context] of [["desktop", desktop], ["phone", phone390]] as const) {
            const page = await signedIn(watch, browser, {
              origin: palabre.origin,
              cookie: world.graceCookie,
              label: `grace-${name}`,
              context,
            });
            await page.goto(`${palabre.origin}/`);
            const widthBefore = await pageWidth(page);
            await markDocument(page);
            const box = page.getByRole("searchbox", { name: "Search people, rooms and topics" });
            await box.pressSequentially("midnight sto", { delay: 40 });
            const panel = page.locator("#search-box-results");
            const room = panel.getByRole("link", { name: /Midnight jazz stories/ });
            await room.waitFor();
            assert.equal(await documentKept(page), true, "the page was reloaded");
            assert.equal(new URL(page.url()).pathname, "/");
            await screenshot(page, `${kind}-search-01-panel-${name}`);
            // The open panel makes the page no wider than the screen (or than it was before).
            const viewport = context.viewport!.width;
            const widthOpen = await pageWidth(page);
            assert.ok(
              widthOpen <= Math.max(viewport, widthBefore),
              `${name}: ${widthOpen} px wide with the panel open, ${widthBefore} px before`,
            );

            // Tab goes from the box into the results.
            await box.focus();
            await page.keyboard.press("Tab");
            const focused = await page.evaluate(
              "document.activeElement?.closest('#search-box-results') !== null",
            );
            assert.equal(focused, true, "Tab did not reach the results");
            await page.keyboard.press("Enter");
            await page.waitForURL(`${palabre.origin}/rooms/${world.publicId}`);
          }

          // Without JavaScript, Enter in the same box opens the whole page.
          const plain = await signedIn(watch, browser, {
            origin: palabre.origin,
            cookie: world.graceCookie,
            label: "grace-no-js",
            context: { ...desktop, javaScriptEnabled: false },
          });
          await plain.goto(`${palabre.origin}/`);
          const box = plain.getByRole("searchbox", { name: "Search people, rooms and topics" });
          await box.fill("jazz");
          await box.press("Enter");
          await plain.waitForURL(`${palabre.origin}/search?q=jazz`);
          await plain.getByRole("heading", { name: "Search", level: 1 }).waitFor();
          await plain.locator("main").getByRole("link", { name: /Midnight jazz stories/ })
            .waitFor();
          await screenshot(plain, `${kind}-search-02-page-without-javascript`);
        });
      } finally {
        await browser.close();
        await palabre.close();
      }
    },
  });
}
