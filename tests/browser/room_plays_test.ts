/**
 * A room that plays at once, in real Chromium through a real server (a child `main.ts` on a fresh
 * PostgreSQL schema). Ada hosts from a browser whose fake microphone plays 440 Hz; Grace listens
 * from a browser that keeps Chromium's own autoplay policy, as a new member's does: sound only
 * after a click on the page, or on the same-site page that led to it. Checked: one click on the
 * hallway card is enough to hear Ada, by a WebRTC connection and by the room's stream; a typed
 * address asks for one tap; Ada is told her microphone is off and turns it on with the big
 * button; "Leave quietly" lands on the hallway; the room ending takes the voice panel away; the
 * lock screen shows the room (Media Session).
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import type { Sql } from "../../db/client.ts";
import { act } from "../../db/room_actions.ts";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { type PalabreProcess, type RoomWorld, seedRoom, startProcess } from "../live/support.ts";
import {
  browserTestsIgnored,
  describeHeard,
  desktop,
  joinAudio,
  launchWithMicrophone,
  listen,
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
const graceHz = 660;
const title = "Tuning the A";

interface PlayingRoom {
  ada: Page;
  grace: Page;
  world: RoomWorld;
  sql: Sql;
  origin: string;
}

/**
 * Ada on stage in a live room, her page open (muted unless `adaLive`), and Grace's page not yet
 * in it, in a browser with Chromium's default autoplay policy; then `fn`.
 */
async function withPlayingRoom(
  fn: (room: PlayingRoom) => Promise<void>,
  options: { adaLive?: boolean; env?: Record<string, string> } = {},
): Promise<void> {
  const db = await freshDatabase("postgres");
  const dir = await Deno.makeTempDir({ prefix: "palabre-plays-" });
  let palabre: PalabreProcess | undefined;
  const browsers: Browser[] = [];
  try {
    const world = await seedRoom(db.sql, title);
    await act(db.sql, world.ids.grace, world.roomId, { type: "leave" });
    if (options.adaLive) await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
    const [adaWav, graceWav, started] = await Promise.all([
      toneFile(dir, adaHz),
      toneFile(dir, graceHz),
      startProcess(db.url!, { env: options.env }),
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
    await joinAudio(ada, origin, world.publicId);
    await voiceState(ada, options.adaLive ? "Connected" : "Connected, you are muted");
    const graceBrowser = await launchWithMicrophone(graceWav, true, {
      autoplay: "browser default",
    });
    const grace = await open("grace", graceBrowser, world.graceCookie);
    await grace.addInitScript(reportPlays);
    await watch.check(() => fn({ ada, grace, world, sql: db.sql, origin }));
  } finally {
    for (const browser of browsers) await browser.close();
    await palabre?.stop();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Grace opens the hallway and clicks the room's card: her one click. */
async function clickCard(page: Page, origin: string, world: RoomWorld): Promise<void> {
  await page.goto(`${origin}/`);
  await Promise.all([
    page.waitForURL((url) => url.pathname === `/rooms/${world.publicId}`),
    page.locator(`li.room-card[data-room="${world.publicId}"]`).getByRole("link").click(),
  ]);
}

/** Runs in the page: whether the room's <audio> element is playing, not held back. */
const playing = `!document.querySelector(".voice-audio").paused`;

const browserVoiceTest = {
  ignore: browserTestsIgnored() || !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
};

Deno.test({
  name: "one click on a hallway card plays the room: the listener hears the host (Chromium, " +
    "default autoplay policy, WebRTC)",
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ grace, origin, world }) => {
      const plays = played(grace, "ok");
      await clickCard(grace, origin, world);
      // Before the test touches the page (which would count as a click): it plays already.
      await plays;
      const heard = await listen(grace, adaHz, true);
      assert.ok(heard.heard, `Grace should hear Ada with one click; ${describeHeard(heard)}`);
      assert.equal(await grace.evaluate(playing), true, "Grace's room audio plays");
      assert.equal(await grace.locator("#voice").getAttribute("data-via"), "webrtc");
      await voiceState(grace, "Connected");
      assert.ok(
        await grace.getByRole("button", { name: "Tap to listen" }).isHidden(),
        "no second tap is asked for",
      );
      await screenshot(grace, "plays-one-click");
    }, { adaLive: true });
  },
});

Deno.test({
  name: "one click on a hallway card plays the room's stream too (Chromium, default autoplay " +
    "policy, stream)",
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ grace, origin, world }) => {
      const plays = played(grace, "ok");
      await clickCard(grace, origin, world);
      await plays;
      await grace.locator('#voice[data-via="stream"]').waitFor();
      const heard = await listen(grace, adaHz, true);
      assert.ok(heard.heard, `Grace should hear Ada's stream at once; ${describeHeard(heard)}`);
      assert.equal(await grace.evaluate(playing), true, "Grace's room audio plays");
    }, { adaLive: true, env: { WEBRTC_LISTENERS_PER_ROOM: "0" } });
  },
});

Deno.test({
  name: "a room opened from a typed address asks for one tap, then plays (Chromium, default " +
    "autoplay policy)",
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ grace, origin, world }) => {
      const refused = played(grace, "NotAllowedError");
      await grace.goto(`${origin}/rooms/${world.publicId}`);
      // The room's audio has come and the browser would not play it; nothing else tries again.
      await refused;
      const tap = grace.getByRole("button", { name: "Tap to listen" });
      await tap.waitFor();
      await voiceState(grace, "Not playing yet");
      assert.match(
        await grace.locator(".voice-hint").innerText(),
        /Your browser plays sound only after a tap on this page/,
      );
      assert.equal(await grace.evaluate(playing), false, "nothing plays before the tap");
      await screenshot(grace, "plays-tap-to-listen");

      const plays = played(grace, "ok");
      await tap.click();
      await plays;
      await voiceState(grace, "Connected");
      assert.ok(await tap.isHidden(), "the tap button goes once the room plays");
      const heard = await listen(grace, adaHz, true);
      assert.ok(heard.heard, `Grace hears Ada after her tap; ${describeHeard(heard)}`);
      assert.equal(await grace.evaluate(playing), true, "Grace's room audio plays");
    }, { adaLive: true });
  },
});

Deno.test({
  name: "the host is told the microphone is off, and the big mic button makes her heard " +
    "(Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ ada, grace, origin, world }) => {
      await ada.getByText("Your microphone is off: nobody hears you until you tap").waitFor();
      const muted = ada.getByRole("button", { name: "You are muted: tap to talk" });
      assert.equal(await muted.getAttribute("aria-pressed"), "false");
      await clickCard(grace, origin, world);
      await voiceState(grace, "Connected");
      let found = await listen(grace, adaHz, false);
      assert.ok(!found.heard, `Ada is muted: Grace hears nothing; ${describeHeard(found)}`);
      await screenshot(ada, "plays-host-mic-off");

      await muted.click();
      const live = ada.getByRole("button", { name: "You are live: tap to mute" });
      await live.waitFor();
      assert.equal(await live.getAttribute("aria-pressed"), "true");
      assert.ok(
        await ada.getByText("Your microphone is off").isHidden(),
        "the notice goes once the microphone is on",
      );
      found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Ada tapped to talk: Grace hears her; ${describeHeard(found)}`);
      await screenshot(ada, "plays-host-live");

      await live.click();
      await ada.getByRole("button", { name: "You are muted: tap to talk" }).waitFor();
      found = await listen(grace, adaHz, false);
      assert.ok(!found.heard, `Ada tapped to mute: not heard; ${describeHeard(found)}`);
    });
  },
});

Deno.test({
  name: '"Leave quietly" lands on the hallway and the room stops playing (Chromium)',
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ grace, origin, world, sql }) => {
      await clickCard(grace, origin, world);
      await voiceState(grace, "Connected");
      await Promise.all([
        grace.waitForURL(`${origin}/`),
        grace.getByRole("button", { name: "Leave quietly" }).click(),
      ]);
      await grace.getByRole("heading", { name: /^Live now/ }).waitFor();
      assert.equal(await grace.locator("#voice").count(), 0, "no voice on the hallway");
      const [row] = await sql`select count(*)::int as count from participants
                              where room_id = ${world.roomId} and user_id = ${world.ids.grace}`;
      assert.equal(row.count, 0, "Grace is out of the room");
    }, { adaLive: true });
  },
});

Deno.test({
  name: "when the room ends the voice panel goes, and the page says so with the way back " +
    "(Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ grace, origin, world, sql }) => {
      await clickCard(grace, origin, world);
      await voiceState(grace, "Connected");
      await act(sql, world.ids.ada, world.roomId, { type: "end" });
      await grace.getByRole("heading", { name: "This room has ended" }).waitFor();
      await grace.locator("#voice").waitFor({ state: "hidden" });
      assert.equal(await grace.getByText("Audio has ended").count(), 0);
      assert.equal(await grace.evaluate(playing), false, "nothing plays once the room ended");
      assert.deepEqual(
        await grace.evaluate(
          "[navigator.mediaSession.playbackState, navigator.mediaSession.metadata]",
        ),
        ["none", null],
        "the lock screen lets the room go",
      );
      await grace.getByRole("link", { name: "Back to the hallway" }).waitFor();
      await screenshot(grace, "plays-room-ended");
    }, { adaLive: true });
  },
});

Deno.test({
  name: "the lock screen shows the room playing, with its title (Chromium, Media Session)",
  ...browserVoiceTest,
  async fn() {
    await withPlayingRoom(async ({ grace, origin, world }) => {
      await clickCard(grace, origin, world);
      await voiceState(grace, "Connected");
      const session = await grace.evaluate(`(() => {
        const { metadata, playbackState } = navigator.mediaSession;
        return { title: metadata?.title, artist: metadata?.artist, playbackState,
                 artwork: metadata?.artwork.map((image) => new URL(image.src).pathname) };
      })()`) as { title: string; artist: string; playbackState: string; artwork: string[] };
      assert.deepEqual(session, {
        title,
        artist: "Palabre",
        playbackState: "playing",
        artwork: ["/static/icon.svg"],
      });
    }, { adaLive: true });
  },
});
