/**
 * Voice in real Chromium through a real server: Ada (host, on stage, unmuted) and Grace (in the
 * audience) each press "Join audio" in their own browser context. Ada's fake microphone plays a
 * 440 Hz tone; Grace's page must hear 440 Hz in what the server sends her, and see the speaking
 * ring on Ada on the stage. Palabre runs as a child `main.ts` (wrtc crashes a process that does
 * not end with `Deno.exit`), on a fresh PostgreSQL schema the test seeds. Then the controls: push to
 * talk gates Ada's microphone, and Grace's volume goes to 0 and stays there.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { act } from "../../db/room_actions.ts";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { type PalabreProcess, seedRoom, startProcess } from "../live/support.ts";
import { browserTestsIgnored, desktop, findChromium, PageWatch, screenshot } from "./support.ts";

const toneHz = 440;
const liveWaitMs = 30_000;

/** A wav of `toneHz` long enough for the whole test, made with sox. */
async function toneFile(dir: string): Promise<string> {
  const path = `${dir}/tone${toneHz}.wav`;
  const sox = new Deno.Command("sox", {
    args: [
      "-n",
      "-r",
      "48000",
      "-c",
      "1",
      path,
      "synth",
      "60",
      "sine",
      String(toneHz),
      "vol",
      "0.5",
    ],
  });
  const { success, stderr } = await sox.output();
  if (!success) throw new Error(`sox failed: ${new TextDecoder().decode(stderr)}`);
  return path;
}

async function launchWithMicrophone(wav: string): Promise<Browser> {
  return await chromium.launch({
    executablePath: findChromium(),
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${wav}`,
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
}

/**
 * Runs in the page: the strongest frequency in the room audio it plays, and its level in dB,
 * from an AnalyserNode on the <audio> element's stream. Polls until `hz` dominates (or, with
 * `heard: false`, until it does not) or time is up; `heard` says what it found last.
 */
const dominantFrequency = `async ({ hz, timeoutMs, heard = true }) => {
  const player = document.querySelector(".voice-audio");
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(player.srcObject).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const deadline = Date.now() + timeoutMs;
  let best = { hz: 0, db: -Infinity, heard: false };
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    analyser.getFloatFrequencyData(bins);
    let peak = 1;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
    const found = Math.abs(peak * binHz - hz) < 3 * binHz && bins[peak] > -70;
    best = { hz: peak * binHz, db: bins[peak], heard: found };
    if (found === heard) break;
  }
  await context.close();
  return best;
}`;

/** Runs in the page: true once the room's <audio> element plays at volume 0. */
const silentPlayer = `document.querySelector(".voice-audio").volume === 0`;

type Heard = { hz: number; db: number; heard: boolean };

/** Waits, in Grace's page, until the tone is heard (or, with `heard: false`, gone). */
async function listen(page: Page, heard: boolean): Promise<Heard> {
  const options = { hz: toneHz, timeoutMs: 20_000, heard };
  return await page.evaluate(`(${dominantFrequency})(${JSON.stringify(options)})`) as Heard;
}

function describe(found: Heard): string {
  return `loudest was ${found.hz.toFixed(1)} Hz at ${found.db.toFixed(1)} dB`;
}

async function openRoom(page: Page, origin: string, roomId: number): Promise<void> {
  page.setDefaultTimeout(liveWaitMs);
  await page.goto(`${origin}/rooms/${roomId}`);
  await page.getByRole("button", { name: "Join audio" }).click();
}

type Pages = Record<"ada" | "grace", Page>;

/**
 * Ada (host, on stage, unmuted, a 440 Hz microphone) and Grace (audience) joined to the audio
 * of one live room, both connected, then `fn`; everything is torn down after.
 */
async function withVoiceRoom(fn: (pages: Pages) => Promise<void>): Promise<void> {
  const db = await freshDatabase("postgres");
  const dir = await Deno.makeTempDir({ prefix: "palabre-voice-" });
  let palabre: PalabreProcess | undefined;
  let browser: Browser | undefined;
  try {
    const world = await seedRoom(db.sql, "Tuning the A");
    await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
    const [wav, started] = await Promise.all([toneFile(dir), startProcess(db.url!)]);
    palabre = started;
    browser = await launchWithMicrophone(wav);
    const watch = new PageWatch();
    const pages: Pages = {} as never;
    for (const [name, cookie] of [["ada", world.adaCookie], ["grace", world.graceCookie]]) {
      const page = await watch.newPage(browser, name, desktop);
      const [cookieName, value] = cookie.split("=");
      await page.context().addCookies([{ name: cookieName, value, url: palabre.origin }]);
      pages[name as "ada" | "grace"] = page;
    }
    await openRoom(pages.ada, palabre.origin, world.roomId);
    await openRoom(pages.grace, palabre.origin, world.roomId);
    for (const page of Object.values(pages)) {
      await page.locator(".voice-status", { hasText: /^Connected$/ }).waitFor();
    }
    await fn(pages);
    watch.assertClean();
  } finally {
    await browser?.close();
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

      const heard = await listen(pages.grace, true);
      assert.ok(heard.heard, `Grace should hear ${toneHz} Hz; ${describe(heard)}`);
      await screenshot(pages.grace, "voice-listener");
    });
  },
});

Deno.test({
  name: "with push to talk the host is heard only while holding the button or T (Chromium)",
  ...browserVoiceTest,
  async fn() {
    await withVoiceRoom(async ({ ada, grace }) => {
      assert.ok((await listen(grace, true)).heard, "Grace should hear Ada before push to talk");
      await ada.getByRole("checkbox", { name: "Push to talk" }).check();
      const talk = ada.getByRole("button", { name: "Hold to talk" });
      await talk.waitFor();
      let found = await listen(grace, false);
      assert.ok(!found.heard, `Ada is not holding: Grace should hear nothing; ${describe(found)}`);

      const box = (await talk.boundingBox())!;
      await ada.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await ada.mouse.down();
      assert.equal(await talk.getAttribute("aria-pressed"), "true");
      found = await listen(grace, true);
      assert.ok(found.heard, `Ada holds the button: Grace should hear her; ${describe(found)}`);
      await screenshot(ada, "voice-push-to-talk");
      await ada.mouse.up();
      assert.equal(await talk.getAttribute("aria-pressed"), "false");
      found = await listen(grace, false);
      assert.ok(!found.heard, `Ada let go: Grace should hear nothing; ${describe(found)}`);

      await ada.locator("body").focus();
      await ada.keyboard.down("t");
      found = await listen(grace, true);
      assert.ok(found.heard, `Ada holds T: Grace should hear her; ${describe(found)}`);
      await ada.keyboard.up("t");
      found = await listen(grace, false);
      assert.ok(!found.heard, `Ada let go of T: Grace should hear nothing; ${describe(found)}`);
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
