/**
 * Voice in real Chromium through a real server: Ada (host, on stage, unmuted) and Grace (in the
 * audience) each press "Join audio" in their own browser context. Ada's fake microphone plays a
 * 440 Hz tone; Grace's page must hear 440 Hz in what the server sends her, and see the speaking
 * ring on Ada on the stage. Palabre runs as a child `main.ts` (wrtc crashes a process that does
 * not end with `Deno.exit`), on a fresh PostgreSQL schema the test seeds.
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
 * from an AnalyserNode on the <audio> element's stream. Polls until `hz` dominates or time is up.
 */
const dominantFrequency = `async ({ hz, timeoutMs }) => {
  const player = document.querySelector(".voice-audio");
  const context = new AudioContext();
  await context.resume();
  const analyser = context.createAnalyser();
  analyser.fftSize = 8192;
  context.createMediaStreamSource(player.srcObject).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const binHz = context.sampleRate / analyser.fftSize;
  const deadline = Date.now() + timeoutMs;
  let best = { hz: 0, db: -Infinity };
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    analyser.getFloatFrequencyData(bins);
    let peak = 1;
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
    best = { hz: peak * binHz, db: bins[peak] };
    if (Math.abs(best.hz - hz) < 3 * binHz && best.db > -70) break;
  }
  await context.close();
  return best;
}`;

async function openRoom(page: Page, origin: string, roomId: number): Promise<void> {
  page.setDefaultTimeout(liveWaitMs);
  await page.goto(`${origin}/rooms/${roomId}`);
  await page.getByRole("button", { name: "Join audio" }).click();
}

Deno.test({
  name: "a listener hears the host's voice through the server and sees who speaks (Chromium)",
  ignore: browserTestsIgnored() || !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
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
      const pages: Record<"ada" | "grace", Page> = {} as never;
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

      // The ring: Grace's page marks Ada on stage as speaking.
      await pages.grace.locator('#room-live .stage .person.speaking[data-handle="ada"]')
        .waitFor();

      const heard = await pages.grace.evaluate(
        `(${dominantFrequency})(${JSON.stringify({ hz: toneHz, timeoutMs: 20_000 })})`,
      ) as { hz: number; db: number };
      assert.ok(
        Math.abs(heard.hz - toneHz) < 20 && heard.db > -70,
        `Grace should hear ${toneHz} Hz; loudest was ${heard.hz.toFixed(1)} Hz at ${
          heard.db.toFixed(1)
        } dB`,
      );
      await screenshot(pages.grace, "voice-listener");
      watch.assertClean();
    } finally {
      await browser?.close();
      await palabre?.stop();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
