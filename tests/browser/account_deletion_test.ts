/**
 * Deleting one's account while hosting, end to end in real Chromium: Grace hosts a live room
 * with Ivan speaking and Olga listening, and deletes her account from Settings in another tab.
 * Without a reload, Ivan's and Olga's pages show Ivan as the room's moderator, Grace's own room
 * page says her account was deleted, the Settings tab lands on the page saying so, and her
 * profile is gone.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { act } from "../../db/room_actions.ts";
import { joinRoom, publicRoomId, startRoom } from "../../db/rooms.ts";
import { startSession } from "../../db/sessions.ts";
import { setPicks } from "../../db/topics.ts";
import { firstAdmin, invitedMember, password } from "../db/support.ts";
import {
  browserTestsIgnored,
  desktop,
  launchChromium,
  PageWatch,
  phone,
  type RunningPalabre,
  screenshot,
  signInWith,
  startPalabre,
} from "./support.ts";

const liveWaitMs = 15_000;

/** A room page whose socket is open: only then does it hear about changes. */
async function openRoomPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator("#live-status[data-state=live]").waitFor();
}

Deno.test({
  name: "a host who deletes their account hands the room to the speaker, and every open page " +
    "is told without a reload (Chromium)",
  ignore: browserTestsIgnored(),
  // The in-process server, PGlite and Chromium's pipe keep sockets and timers open by design.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    let palabre: RunningPalabre | undefined;
    let browser: Browser | undefined;
    try {
      palabre = await startPalabre("pglite");
      const { sql, origin } = palabre;
      const ada = await firstAdmin(sql);
      const [grace, ivan, olga] = [
        await invitedMember(sql, ada.id, "grace"),
        await invitedMember(sql, ada.id, "ivan"),
        await invitedMember(sql, ada.id, "olga"),
      ];
      for (const m of [grace, ivan, olga]) await setPicks(sql, m.id, ["jazz", "chess", "film"]);
      const roomId = await startRoom(sql, grace.id, {
        title: "Grace's room",
        description: "",
        topics: ["jazz"],
        kind: "open",
      });
      await joinRoom(sql, ivan.id, roomId);
      await act(sql, grace.id, roomId, { type: "invite_to_speak", target: "ivan" });
      await act(sql, ivan.id, roomId, { type: "accept_invite" });
      await joinRoom(sql, olga.id, roomId);
      const roomUrl = `${origin}/rooms/${await publicRoomId(sql, roomId)}`;

      browser = await launchChromium();
      const watch = new PageWatch();
      const open = async (name: string, memberId: number, options = desktop) => {
        const page = await watch.newPage(browser!, name, options);
        page.setDefaultTimeout(liveWaitMs);
        const session = await startSession(sql, memberId, { ttlMs: 3_600_000 });
        await signInWith(page, origin, `palabre_session=${session}`);
        return page;
      };
      const graceRoom = await open("grace", grace.id);
      const ivanRoom = await open("ivan", ivan.id);
      const olgaRoom = await open("olga", olga.id);

      await watch.check(async () => {
        for (const page of [graceRoom, ivanRoom, olgaRoom]) await openRoomPage(page, roomUrl);
        // Grace's Settings, in another tab of her browser, at a phone's width.
        const settings = await graceRoom.context().newPage();
        watch.watch(settings, "grace settings");
        settings.setDefaultTimeout(liveWaitMs);
        await settings.setViewportSize(phone.viewport!);
        await settings.goto(`${origin}/settings`);
        const section = settings.locator("#delete-account");
        await section.getByRole("heading", { name: "Delete my account" }).waitFor();
        const width = await settings.evaluate("document.documentElement.scrollWidth") as number;
        assert.ok(width <= 390, `the settings page is ${width}px wide at 390`);
        await section.scrollIntoViewIfNeeded();
        await screenshot(settings, "account-deletion-settings-phone");

        await section.getByLabel("Your password, to confirm").fill(password);
        await Promise.all([
          settings.waitForURL(`${origin}/account-deleted`),
          section.getByRole("button", { name: "Delete my account for good" }).click(),
        ]);
        await settings.getByRole("heading", { name: "Your account was deleted" }).waitFor();

        // Her open room page is told over its socket, without a reload.
        await graceRoom.getByRole("heading", { name: "Your account was deleted" }).waitFor();
        // The room goes on, Ivan moderating, on the others' pages without a reload.
        for (const page of [ivanRoom, olgaRoom]) {
          await page.locator(`#room-live .stage li.person.moderator[data-handle="ivan"]`)
            .waitFor();
          await page.locator(`#room-live li.person[data-handle="grace"]`)
            .waitFor({ state: "detached" });
        }
        await screenshot(olgaRoom, "account-deletion-room-passed");
        const profile = await olgaRoom.request.get(`${origin}/@grace`);
        assert.equal(profile.status(), 404);
        await profile.dispose();
      });
    } finally {
      await browser?.close();
      await palabre?.close();
    }
  },
});
