/**
 * Links and calendars in a real browser: a member following a room's link is sent to sign in and
 * lands on the room; "Copy link" (on the room's page and on its hallway card) puts the room's
 * address on the clipboard; "Add to calendar" downloads an .ics with the event in its host's zone;
 * the schedule form starts on the browser's own time zone. Any console error, page error, failed
 * request or unexpected 4xx/5xx fails the test.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  desktop,
  launchChromium,
  PageWatch,
  type Person,
  startPalabre,
} from "./support.ts";
import { createFirstAdmin } from "../../db/users.ts";
import { setPicks } from "../../db/topics.ts";
import { publicRoomId, scheduleEvent, startRoom } from "../../db/rooms.ts";

const ignore = browserTestsIgnored();
const waitMs = 30_000;

const ada: Person = { handle: "ada", displayName: "Ada Lovelace", password: "analytical engine" };

async function clipboard(page: Page): Promise<string> {
  // A string: Deno's types know no DOM clipboard; the page's do.
  return String(await page.evaluate("navigator.clipboard.readText()"));
}

for (const kind of databaseKinds) {
  Deno.test({
    name:
      `Copy link puts the room's address on the clipboard; Add to calendar downloads an .ics [${kind}]`,
    ignore,
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const { origin, sql } = palabre;
      try {
        const admin = await createFirstAdmin(sql, {
          handle: ada.handle,
          displayName: ada.displayName,
          password: ada.password,
        });
        await setPicks(sql, admin.id, ["jazz", "chess", "film"]);
        const room = await publicRoomId(
          sql,
          await startRoom(sql, admin.id, {
            title: "Late jazz",
            description: "",
            topics: ["jazz"],
            kind: "open",
          }),
        );
        // The next 15 July at least two days away: always within the year events may be ahead.
        const thisYear = new Date().getUTCFullYear();
        const year = Date.UTC(thisYear, 6, 15) > Date.now() + 2 * 86_400_000
          ? thisYear
          : thisYear + 1;
        const event = await publicRoomId(
          sql,
          await scheduleEvent(sql, admin.id, {
            title: "Soirée, jazz",
            description: "",
            topics: ["jazz"],
            kind: "open",
            // 20:00 in Paris on 15 July (UTC+2).
            startsAt: new Date(Date.UTC(year, 6, 15, 18)),
            timeZone: "Europe/Paris",
            cohosts: [],
          }),
        );

        const browser = await launchChromium();
        try {
          const watch = new PageWatch();
          await watch.check(async () => {
            const context = await browser.newContext({
              ...desktop,
              timezoneId: "America/New_York",
              acceptDownloads: true,
            });
            await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });
            const page = await context.newPage();
            watch.watch(page, "ada");
            page.setDefaultTimeout(waitMs);

            // The room's link, followed signed out, comes back to the room after sign-in.
            await page.goto(`${origin}/rooms/${room}`);
            assert.equal(
              page.url(),
              `${origin}/signin?next=${encodeURIComponent(`/rooms/${room}`)}`,
            );
            await page.getByLabel("Handle").fill(ada.handle);
            await page.getByLabel("Password").fill(ada.password);
            await Promise.all([
              page.waitForURL(`${origin}/rooms/${room}`),
              page.getByRole("button", { name: "Sign in" }).click(),
            ]);

            await page.getByRole("button", { name: "Copy link" }).click();
            await page.getByRole("button", { name: "Copied" }).waitFor();
            assert.equal(await clipboard(page), `${origin}/rooms/${room}`);

            // The hallway card's button copies the same address, made whole.
            await page.evaluate("navigator.clipboard.writeText('')");
            await page.goto(`${origin}/`);
            // Once live: the socket's first update may redraw the cards, and the button with them.
            await page.locator('#live-status[data-state="live"]').waitFor();
            await page.getByRole("button", { name: "Copy link to Late jazz" }).click();
            await page.waitForFunction(
              `navigator.clipboard.readText().then((text) => text !== "")`,
            );
            assert.equal(await clipboard(page), `${origin}/rooms/${room}`);

            // "Add to calendar" on the event's page downloads its .ics.
            await page.goto(`${origin}/rooms/${event}`);
            const [download] = await Promise.all([
              page.waitForEvent("download"),
              page.getByRole("link", { name: "Add to calendar: Soirée, jazz" }).click(),
            ]);
            assert.match(download.suggestedFilename(), /^soiree-jazz\.ics$/);
            const text = await Deno.readTextFile((await download.path())!);
            assert.match(text, /^BEGIN:VCALENDAR\r\n/);
            assert.ok(text.includes(`DTSTART;TZID=Europe/Paris:${year}0715T200000\r\n`), text);
            assert.ok(text.includes("SUMMARY:Soirée\\, jazz\r\n"));

            // Scheduling starts on the browser's own zone.
            await page.goto(`${origin}/events/new`);
            assert.equal(await page.getByLabel("Time zone").inputValue(), "America/New_York");
            await context.close();
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
