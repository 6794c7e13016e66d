/**
 * Coming back, end to end, in real Chromium through a real server (a child `main.ts` on a fresh
 * PostgreSQL schema): Grace follows Ada and has the hallway open, in a browser that keeps
 * Chromium's own autoplay policy. Ada starts a room and turns her microphone on (her fake
 * microphone plays 440 Hz). Grace's hallway shows the toast and the bell's count without a
 * reload; she clicks the toast, and with that one click she is in the room and hears Ada.
 */
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { act } from "../../db/room_actions.ts";
import { follow } from "../../db/profiles.ts";
import { publicRoomId, startRoom } from "../../db/rooms.ts";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { type PalabreProcess, seedRoom, startProcess } from "../live/support.ts";
import {
  browserTestsIgnored,
  describeHeard,
  desktop,
  documentKept,
  launchWithMicrophone,
  listen,
  markDocument,
  PageWatch,
  played,
  reportPlays,
  screenshot,
  signInWith,
  toneFile,
  voiceState,
  voiceWaitMs,
} from "./support.ts";

const adaHz = 440;

Deno.test({
  name: "a followed host's new room toasts the follower's hallway, and one click on the toast " +
    "plays the host (Chromium, default autoplay policy)",
  ignore: browserTestsIgnored() || !databaseKinds.includes("postgres"),
  // postgres.js, the child process and Chromium's pipe keep sockets and timers open by design.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const dir = await Deno.makeTempDir({ prefix: "palabre-toast-" });
    let palabre: PalabreProcess | undefined;
    const browsers: Browser[] = [];
    try {
      // Ada and Grace, members with a session each; the warm-up room that made them is ended.
      const world = await seedRoom(db.sql, "Warm-up");
      await act(db.sql, world.ids.ada, world.roomId, { type: "end" });
      await follow(db.sql, world.ids.grace, "ada");
      const [adaWav, graceWav, started] = await Promise.all([
        toneFile(dir, adaHz),
        toneFile(dir, 660),
        startProcess(db.url!),
      ]);
      palabre = started;
      const origin = palabre.origin;
      const watch = new PageWatch();
      const open = async (name: string, browser: Browser, cookie: string) => {
        browsers.push(browser);
        const page = await watch.newPage(browser, name, desktop);
        page.setDefaultTimeout(voiceWaitMs);
        await signInWith(page, origin, cookie);
        return page;
      };
      const ada = await open("ada", await launchWithMicrophone(adaWav, true), world.adaCookie);
      const grace = await open(
        "grace",
        await launchWithMicrophone(graceWav, true, { autoplay: "browser default" }),
        world.graceCookie,
      );
      await grace.addInitScript(reportPlays);

      await watch.check(async () => {
        await grace.goto(`${origin}/`);
        await grace.locator("#bell-count[data-live]").waitFor({ state: "attached" });
        await markDocument(grace);

        const roomId = await startRoom(db.sql, world.ids.ada, {
          title: "Evening tones",
          description: "",
          topics: ["jazz"],
          kind: "open",
        });
        const publicId = await publicRoomId(db.sql, roomId);
        await ada.goto(`${origin}/rooms/${publicId}`);
        await voiceState(ada, "Connected, you are muted");
        await ada.getByRole("button", { name: "You are muted: tap to talk" }).click();
        await ada.getByRole("button", { name: "You are live: tap to mute" }).waitFor();

        const toast = grace.locator("#toast-list .toast a");
        await toast.waitFor();
        assert.equal(await toast.textContent(), "Ada Lovelace started “Evening tones”");
        await grace.getByRole("link", { name: /Notifications\s*1 unread/ }).waitFor();
        assert.ok(await documentKept(grace), "the hallway was not reloaded");
        await screenshot(grace, "toast-plays-hallway");

        const plays = played(grace, "ok");
        await Promise.all([
          grace.waitForURL((url) => url.pathname === `/rooms/${publicId}`),
          toast.click(),
        ]);
        await plays;
        await voiceState(grace, "Connected");
        const heard = await listen(grace, adaHz, true);
        assert.ok(
          heard.heard,
          `one click on the toast and Grace hears Ada; ${describeHeard(heard)}`,
        );
        await screenshot(grace, "toast-plays-room");
      });
    } finally {
      for (const browser of browsers) await browser.close();
      await palabre?.stop();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
