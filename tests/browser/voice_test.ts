/**
 * Voice in real Chromium through a real server: Ada (host, on stage, unmuted) and Grace (in the
 * audience) each open the room, whose audio starts on arrival, each in her own browser, whose fake microphone plays a tone:
 * 440 Hz for Ada, 660 Hz for Grace. A page hears a voice when its tone dominates what the server
 * sends it. Palabre runs as a child `main.ts` (wrtc crashes a process that does not end with
 * `Deno.exit`), on a fresh PostgreSQL schema the test seeds. Checked: Grace hears Ada and sees
 * her speaking ring; push to talk, the microphone choice and the volume; Grace invited on stage
 * and moved back without a reload; Ada's voice taken by her second tab and back; both pages
 * through a server restart; Grace's microphone blocked by her browser, then allowed.
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
  documentKept,
  joinAudio,
  launchWithMicrophone,
  listen,
  markDocument,
  PageWatch,
  recordVoiceStates,
  screenshot,
  signInWith,
  toneFile,
  voiceState,
  voiceStates,
} from "./support.ts";

const adaHz = 440;
const graceHz = 660;

/** Runs in the page: true once the room's <audio> element plays at volume 0. */
const silentPlayer = `document.querySelector(".voice-audio").volume === 0`;

interface VoiceRoom {
  ada: Page;
  grace: Page;
  world: RoomWorld;
  sql: Sql;
  watch: PageWatch;
  origin: string;
  /** Stops Palabre, runs `whileDown`, and starts it again on the same port and database. */
  restart(whileDown: () => Promise<void>): Promise<void>;
}

/**
 * Ada (host, on stage, unmuted) and Grace (audience) joined to the audio of one live room, both
 * connected, then `fn`; everything is torn down after. `graceMicrophone: "blocked"` launches
 * Grace's browser refusing her the microphone.
 */
async function withVoiceRoom(
  fn: (room: VoiceRoom) => Promise<void>,
  options: { graceMicrophone?: "allowed" | "blocked"; env?: Record<string, string> } = {},
): Promise<void> {
  const db = await freshDatabase("postgres");
  const dir = await Deno.makeTempDir({ prefix: "palabre-voice-" });
  let palabre: PalabreProcess | undefined;
  const browsers: Browser[] = [];
  try {
    const world = await seedRoom(db.sql, "Tuning the A");
    await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
    const [adaWav, graceWav, started] = await Promise.all([
      toneFile(dir, adaHz),
      toneFile(dir, graceHz),
      startProcess(db.url!, { env: options.env }),
    ]);
    palabre = started;
    const watch = new PageWatch();
    const open = async (name: string, wav: string, allowed: boolean, cookie: string) => {
      const browser = await launchWithMicrophone(wav, allowed);
      browsers.push(browser);
      const page = await watch.newPage(browser, name, desktop);
      await signInWith(page, palabre!.origin, cookie);
      await joinAudio(page, palabre!.origin, world.publicId);
      return page;
    };
    const ada = await open("ada", adaWav, true, world.adaCookie);
    const graceAllowed = options.graceMicrophone !== "blocked";
    const grace = await open("grace", graceWav, graceAllowed, world.graceCookie);
    for (const page of [ada, grace]) await voiceState(page, "Connected");
    await fn({
      ada,
      grace,
      world,
      sql: db.sql,
      watch,
      origin: palabre.origin,
      async restart(whileDown) {
        const port = palabre!.port;
        await palabre!.stop();
        palabre = undefined;
        await whileDown();
        palabre = await startProcess(db.url!, { port, env: options.env });
      },
    });
    await watch.assertClean();
  } finally {
    for (const browser of browsers) await browser.close();
    await palabre?.stop();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const browserVoiceTest = {
  ignore: browserTestsIgnored() || !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
};

Deno.test({
  name: "a listener hears the host's voice through the server and sees who speaks (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async (pages) => {
      // The ring: Grace's page marks Ada on stage as speaking.
      await pages.grace.locator('#room-live .stage .person.speaking[data-handle="ada"]')
        .waitFor();

      const heard = await listen(pages.grace, adaHz, true);
      assert.ok(heard.heard, `Grace should hear ${adaHz} Hz; ${describeHeard(heard)}`);
      await screenshot(pages.grace, "voice-listener");
    });
  },
});

Deno.test({
  name: "with push to talk the host is heard only while holding the button or T (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace }) => {
      assert.ok(
        (await listen(grace, adaHz, true)).heard,
        "Grace should hear Ada before push to talk",
      );
      await ada.getByRole("checkbox", { name: "Push to talk" }).check();
      const talk = ada.getByRole("button", { name: "Hold to talk" });
      await talk.waitFor();
      let found = await listen(grace, adaHz, false);
      assert.ok(
        !found.heard,
        `Ada is not holding: Grace should hear nothing; ${describeHeard(found)}`,
      );

      const box = (await talk.boundingBox())!;
      await ada.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await ada.mouse.down();
      assert.equal(await talk.getAttribute("aria-pressed"), "true");
      found = await listen(grace, adaHz, true);
      assert.ok(
        found.heard,
        `Ada holds the button: Grace should hear her; ${describeHeard(found)}`,
      );
      await screenshot(ada, "voice-push-to-talk");
      await ada.mouse.up();
      assert.equal(await talk.getAttribute("aria-pressed"), "false");
      found = await listen(grace, adaHz, false);
      assert.ok(!found.heard, `Ada let go: Grace should hear nothing; ${describeHeard(found)}`);

      await ada.locator("body").focus();
      await ada.keyboard.down("t");
      found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Ada holds T: Grace should hear her; ${describeHeard(found)}`);
      await ada.keyboard.up("t");
      found = await listen(grace, adaHz, false);
      assert.ok(
        !found.heard,
        `Ada let go of T: Grace should hear nothing; ${describeHeard(found)}`,
      );
    });
  },
});

Deno.test({
  name: "the host chooses a microphone and a listener turns the room down to silent (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace }) => {
      const microphone = ada.getByRole("combobox", { name: "Microphone" });
      await microphone.waitFor();
      assert.ok(await microphone.locator("option").count() >= 1, "Ada's microphones are listed");
      await ada.getByRole("slider", { name: "Volume" }).waitFor();

      const volume = grace.getByRole("slider", { name: "Volume" });
      await volume.fill("0");
      await grace.waitForFunction(silentPlayer);
      await grace.reload();
      assert.equal(await grace.getByRole("slider", { name: "Volume" }).inputValue(), "0");
      await grace.waitForFunction(silentPlayer);
    });
  },
});

Deno.test({
  name: "a listener invited on stage is heard without a reload, and not once moved back (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace, world, sql }) => {
      await markDocument(grace);
      await act(sql, world.ids.ada, world.roomId, { type: "invite_to_speak", target: "grace" });
      await grace.getByRole("button", { name: "Join the stage" }).click();
      // On stage muted, as everyone comes up: her own state, not a moderator's.
      await voiceState(grace, "Connected, you are muted");
      await grace.getByRole("button", { name: "You are muted: tap to talk" }).click();
      await voiceState(grace, "Connected");
      let found = await listen(ada, graceHz, true);
      assert.ok(found.heard, `Ada should hear Grace's ${graceHz} Hz; ${describeHeard(found)}`);
      await screenshot(grace, "voice-promoted");

      await act(sql, world.ids.ada, world.roomId, { type: "mute", target: "grace" });
      await voiceState(grace, "Muted by a moderator");
      found = await listen(ada, graceHz, false);
      assert.ok(!found.heard, `Ada muted Grace: she is not heard; ${describeHeard(found)}`);
      await grace.getByRole("button", { name: "A moderator muted you: tap to talk" }).click();
      await voiceState(grace, "Connected");
      found = await listen(ada, graceHz, true);
      assert.ok(found.heard, `Grace unmuted herself: Ada hears her; ${describeHeard(found)}`);

      await act(sql, world.ids.ada, world.roomId, { type: "move_to_audience", target: "grace" });
      found = await listen(ada, graceHz, false);
      assert.ok(!found.heard, `Grace is in the audience: not heard; ${describeHeard(found)}`);
      await grace.getByText("You are listening.").waitFor();
      await voiceState(grace, "Connected");
      assert.ok(await grace.locator(".voice-talk").isHidden(), "a listener has no talk controls");
      found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Grace still hears Ada from the audience; ${describeHeard(found)}`);
      assert.ok(await documentKept(grace), "all of it happened without reloading Grace's page");
    });
  },
});

Deno.test({
  name: "a second tab of the host takes her voice, and the first can take it back (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace, world, watch, origin }) => {
      const second = await ada.context().newPage();
      watch.watch(second, "ada-second");
      await joinAudio(second, origin, world.publicId);
      await voiceState(second, "Connected");
      await voiceState(ada, "Audio moved to another tab");
      const takeBack = ada.getByRole("button", { name: "Use audio in this tab" });
      await takeBack.waitFor();
      await screenshot(ada, "voice-moved-to-another-tab");
      let found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Grace hears Ada from her second tab; ${describeHeard(found)}`);

      await takeBack.click();
      await voiceState(ada, "Connected");
      await voiceState(second, "Audio moved to another tab");
      assert.ok(await takeBack.isHidden(), "the tab with the audio offers nothing to take back");
      found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Grace hears Ada from her first tab again; ${describeHeard(found)}`);
    });
  },
});

// Each page's reconnect attempt while the server is down fails, and Chromium and htmx log it: the
// room's live socket, the voice socket and the bell's (/notifications/live).
const refusedWhileDown = [
  String.raw`WebSocket connection to 'ws://[^']+/(live|voice)' failed: `,
  String.raw`htmx: htmx:ws:error: .*\{elt: div#(room-live|bell\.bell), detail: Object\}`,
].map((message) => new RegExp(String.raw`^\[(ada|grace)\] console error: ${message}`));

Deno.test({
  name: "after a server restart both pages reconnect and the listener hears the host (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace, watch, restart }) => {
      let found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Grace hears Ada before the restart; ${describeHeard(found)}`);
      await markDocument(grace);
      for (const page of [ada, grace]) await recordVoiceStates(page);
      await watch.excusing(refusedWhileDown, async () => {
        await restart(async () => {
          for (const page of [ada, grace]) await voiceState(page, "Reconnecting…");
          await screenshot(grace, "voice-reconnecting");
          found = await listen(grace, adaHz, false);
          assert.ok(
            !found.heard,
            `The server is down: Grace hears nothing; ${describeHeard(found)}`,
          );
        });
        // The pages retry with a back-off of at most 5 s.
        for (const page of [ada, grace]) await voiceState(page, "Connected");
      });
      // Never "Connecting…" on the way back, as if the member had just arrived.
      for (const page of [ada, grace]) {
        assert.deepEqual(await voiceStates(page), ["Reconnecting…", "Connected"]);
      }
      found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Grace hears Ada again after the restart; ${describeHeard(found)}`);
      assert.ok(await documentKept(grace), "the same page reconnected, without a reload");
    });
  },
});

Deno.test({
  name: "a speaker whose browser blocks the microphone is told how to allow it (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace, world, sql, origin }) => {
      await act(sql, world.ids.ada, world.roomId, { type: "invite_to_speak", target: "grace" });
      await act(sql, world.ids.grace, world.roomId, { type: "accept_invite" });
      await act(sql, world.ids.grace, world.roomId, { type: "unmute_self" });
      await voiceState(grace, "Microphone blocked");
      const hint = grace.locator(".voice-hint");
      assert.match(await hint.innerText(), /nobody hears you\. Allow the microphone for this site/);
      await screenshot(grace, "voice-microphone-blocked");
      let found = await listen(grace, adaHz, true);
      assert.ok(found.heard, `Grace still hears Ada; ${describeHeard(found)}`);

      // Allowed from the address bar: the page picks the microphone up without a reload.
      await grace.context().grantPermissions(["microphone"], { origin });
      await voiceState(grace, "Connected");
      assert.ok(await hint.isHidden(), "the hint goes once the microphone works");
      found = await listen(ada, graceHz, true);
      assert.ok(found.heard, `Ada hears Grace once allowed; ${describeHeard(found)}`);
    }, { graceMicrophone: "blocked" });
  },
});

Deno.test({
  name: "past a room's WebRTC listeners, a listener hears the host by the room's stream, and " +
    "connects once invited on stage (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async (pages) => {
      const via = (page: Page) => page.locator("#voice").getAttribute("data-via");
      assert.equal(await via(pages.grace), "stream");
      assert.equal(await via(pages.ada), "webrtc", "on stage Ada must send: a connection");
      const heard = await listen(pages.grace, adaHz, true);
      assert.ok(heard.heard, `Grace should hear ${adaHz} Hz by stream; ${describeHeard(heard)}`);
      await screenshot(pages.grace, "voice-stream-listener");

      await act(pages.sql, pages.world.ids.ada, pages.world.roomId, {
        type: "invite_to_speak",
        target: "grace",
      });
      await act(pages.sql, pages.world.ids.grace, pages.world.roomId, { type: "accept_invite" });
      // On stage she must send: her page leaves the stream for a connection of its own.
      await pages.grace.locator('#voice[data-via="webrtc"]').waitFor();
      await voiceState(pages.grace, "Connected, you are muted");
      await act(pages.sql, pages.world.ids.grace, pages.world.roomId, { type: "unmute_self" });
      await voiceState(pages.grace, "Connected");
      const graceHeard = await listen(pages.ada, graceHz, true);
      assert.ok(
        graceHeard.heard,
        `Ada should hear Grace's ${graceHz} Hz; ${describeHeard(graceHeard)}`,
      );
    }, { env: { WEBRTC_LISTENERS_PER_ROOM: "0" } });
  },
});
