/**
 * A room change reaches another page as the parts of the room it changed, in a real browser: the
 * host watches while a listener raises a hand and is invited up. What did not change stays as
 * it was on the host's page: the menu the host opened on a speaker's tile stays open, and the
 * room's controls are the very same element, not a copy swapped in.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { act } from "../../db/room_actions.ts";
import { joinRoom } from "../../db/rooms.ts";
import { invitedMember } from "../db/support.ts";
import { seedRoom } from "../live/support.ts";
import { startSession } from "../../db/sessions.ts";
import { setPicks } from "../../db/topics.ts";
import { databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  desktop,
  launchChromium,
  PageWatch,
  screenshot,
  signInWith,
  startPalabre,
} from "./support.ts";

const liveWaitMs = 15_000;

async function openRoom(page: Page, origin: string, publicId: string, cookie: string) {
  await signInWith(page, origin, cookie);
  page.setDefaultTimeout(liveWaitMs);
  await page.goto(`${origin}/rooms/${publicId}`);
  await page.locator("#live-status[data-state=live]").waitFor();
}

/** Remembers the element `#id` on the page, for `stillSame`. */
async function keep(page: Page, id: string): Promise<void> {
  await page.evaluate(`window["__kept_${id}"] = document.getElementById("${id}")`);
}

/** Whether `#id` is still the very element `keep` remembered: not swapped for a copy since. */
async function stillSame(page: Page, id: string): Promise<boolean> {
  return await page.evaluate(
    `(() => { const kept = window["__kept_${id}"];
      return !!kept && kept.isConnected && document.getElementById("${id}") === kept; })()`,
  ) as boolean;
}

for (const kind of databaseKinds) {
  Deno.test({
    name: `another page sees a hand raised and a listener invited up, part by part [${kind}]`,
    ignore: browserTestsIgnored(),
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const browser = await launchChromium();
      const watch = new PageWatch();
      try {
        const world = await seedRoom(palabre.sql, "Parts of a room");
        // Lin speaks, so the host has a menu on someone on stage.
        const lin = await invitedMember(palabre.sql, world.ids.ada, "lin");
        await setPicks(palabre.sql, lin.id, ["jazz", "chess", "film"]);
        await joinRoom(palabre.sql, lin.id, world.roomId);
        await act(palabre.sql, lin.id, world.roomId, { type: "raise_hand" });
        await act(palabre.sql, world.ids.ada, world.roomId, {
          type: "invite_to_speak",
          target: "lin",
        });
        await act(palabre.sql, lin.id, world.roomId, { type: "accept_invite" });
        const linCookie = `palabre_session=${await startSession(palabre.sql, lin.id, {
          ttlMs: 3_600_000,
        })}`;

        await watch.check(async () => {
          const host = await watch.newPage(browser, "ada", desktop);
          const grace = await watch.newPage(browser, "grace", desktop);
          const speaker = await watch.newPage(browser, "lin", desktop);
          await openRoom(host, palabre.origin, world.publicId, world.adaCookie);
          await openRoom(grace, palabre.origin, world.publicId, world.graceCookie);
          await openRoom(speaker, palabre.origin, world.publicId, linCookie);

          // The host opens the menu on Lin's tile, then Grace raises her hand.
          const linTile = host.locator('#room-stage li.person[data-handle="lin"]');
          await linTile.locator('summary[aria-label="Moderate @lin"]').click();
          await linTile.getByRole("button", { name: "Move to audience: @lin", exact: true })
            .waitFor();
          await keep(host, "room-controls");
          await keep(speaker, "room-stage");
          await grace.getByRole("button", { name: "Raise hand" }).click();
          await host.getByRole("heading", { name: "Raised hands (1)" }).waitFor();
          await speaker.locator('#room-audience li.person.hand[data-handle="grace"]').waitFor();
          await screenshot(host, `${kind}-partials-01-host-sees-hand`);
          // Only the hands and the audience changed: the host's menu is still open for her.
          assert.equal(await linTile.locator("details.moderator-menu").getAttribute("open"), "");
          assert.equal(await stillSame(host, "room-controls"), true, "the controls were swapped");
          assert.equal(await stillSame(speaker, "room-stage"), true, "the stage was swapped");

          // The host invites Grace from the queue; she accepts; the other pages see her go up.
          await keep(speaker, "room-self");
          await host.getByRole("button", { name: "Invite to speak: @grace", exact: true }).click();
          await grace.getByText("A moderator invited you to speak.").waitFor();
          await grace.getByRole("button", { name: "Join the stage" }).click();
          for (const page of [host, speaker]) {
            await page.locator('#room-stage li.person[data-handle="grace"]').waitFor();
            await page.locator('#room-audience li.person[data-handle="grace"]')
              .waitFor({ state: "detached" });
          }
          await host.getByRole("heading", { name: "Raised hands (0)" }).waitFor();
          await screenshot(speaker, `${kind}-partials-02-speaker-sees-grace-up`);
          // Lin's own controls never changed through all this.
          assert.equal(await stillSame(speaker, "room-self"), true, "Lin's controls were swapped");
        });
      } finally {
        await browser.close();
        await palabre.close();
      }
    },
  });
}
