/**
 * Suspending a listener who is in a live room, end to end in real Chromium through a real
 * server (a child `main.ts` on a fresh PostgreSQL schema). Grace listens in Ada's room with her
 * audio on; Ada, an administrator, has her room open and suspends Grace from the admin page on
 * a phone. Without a reload Grace's page says she is suspended, her room and voice sockets
 * close, and Ada's room no longer lists her. Grace then signs in and reads the reason. (Grace
 * was warned before, so her room page also carries a warning's banner.)
 */
import assert from "node:assert/strict";
import type { Browser, Page, WebSocket } from "playwright-core";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { type PalabreProcess, seedRoom, startProcess } from "../live/support.ts";
import { password } from "../db/support.ts";
import { report } from "../../db/safety.ts";
import { resolveReport } from "../../db/report_resolutions.ts";
import {
  browserTestsIgnored,
  desktop,
  documentKept,
  launchWithMicrophone,
  markDocument,
  PageWatch,
  phone,
  screenshot,
  signInWith,
  toneFile,
  voiceState,
  voiceWaitMs,
} from "./support.ts";

/** Each socket the page opens whose path ends with `suffix`, with a promise of its close. */
function socketsOf(page: Page, suffix: string): { closed: Promise<void> }[] {
  const sockets: { closed: Promise<void> }[] = [];
  page.on("websocket", (ws: WebSocket) => {
    if (!new URL(ws.url()).pathname.endsWith(suffix)) return;
    sockets.push({ closed: new Promise((resolve) => ws.on("close", () => resolve())) });
  });
  return sockets;
}

Deno.test({
  name: "a listener suspended by an administrator leaves the room at once, is told on their " +
    "open page, and reads the reason when signing in (Chromium)",
  ignore: browserTestsIgnored() || !databaseKinds.includes("postgres"),
  // postgres.js, the child process and Chromium's pipe keep sockets and timers open by design.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const dir = await Deno.makeTempDir({ prefix: "palabre-suspension-" });
    let palabre: PalabreProcess | undefined;
    const browsers: Browser[] = [];
    try {
      // Ada (the administrator) hosts "Late jazz"; Grace is in its audience.
      const world = await seedRoom(db.sql, "Late jazz");
      // Warned once already: her pages carry the warning (axe audits it with the page).
      await report(db.sql, world.ids.ada, { member: "grace" }, "Talks over the speakers");
      const [{ id: reportId }] = await db.sql`select id from reports`;
      await resolveReport(db.sql, world.ids.ada, Number(reportId), {
        resolution: "warned",
        note: "Please let the speakers finish",
      });
      const [adaWav, graceWav, started] = await Promise.all([
        toneFile(dir, 440),
        toneFile(dir, 660),
        startProcess(db.url!),
      ]);
      palabre = started;
      const origin = palabre.origin;
      const watch = new PageWatch();
      const adaBrowser = await launchWithMicrophone(adaWav, true);
      const graceBrowser = await launchWithMicrophone(graceWav, true);
      browsers.push(adaBrowser, graceBrowser);
      const open = async (name: string, browser: Browser, cookie: string, size = desktop) => {
        const page = await watch.newPage(browser, name, size);
        page.setDefaultTimeout(voiceWaitMs);
        await signInWith(page, origin, cookie);
        return page;
      };
      const adaRoom = await open("ada-room", adaBrowser, world.adaCookie);
      const adaAdmin = await open("ada-admin", adaBrowser, world.adaCookie, phone);
      const grace = await open("grace", graceBrowser, world.graceCookie);
      const graceRoomSockets = socketsOf(grace, `/rooms/${world.publicId}/live`);
      const graceVoiceSockets = socketsOf(grace, "/voice");

      await watch.check(async () => {
        await adaRoom.goto(`${origin}/rooms/${world.publicId}`);
        await grace.goto(`${origin}/rooms/${world.publicId}`);
        await voiceState(grace, "Connected");
        await grace.getByRole("heading", { name: "A warning from the administrators" }).waitFor();
        await adaRoom.locator("#room-audience", { hasText: "grace" }).waitFor();
        await markDocument(grace);
        assert.equal(graceRoomSockets.length, 1, "Grace's room page opened its live socket");
        assert.ok(graceVoiceSockets.length >= 1, "Grace's audio opened its voice socket");

        await adaAdmin.goto(`${origin}/admin`);
        const reason = adaAdmin.locator("#suspend-grace-reason");
        await adaAdmin.locator("details.suspend", { has: reason }).locator("summary").click();
        await reason.fill("Shouting over everyone");
        await adaAdmin.locator("#suspend-grace-length").selectOption("days");
        await adaAdmin.locator("#suspend-grace-amount").fill("3");
        await screenshot(adaAdmin, "suspension-admin-phone");
        await Promise.all([
          adaAdmin.waitForURL((url) => url.search === "?done=suspended"),
          adaAdmin.getByRole("button", { name: "Suspend @grace" }).click(),
        ]);
        await adaAdmin.getByText("Suspended until").waitFor();

        // Grace's open page, without a reload: told, out of the room, audio gone.
        await grace.getByRole("heading", { name: "Your account is suspended" }).waitFor();
        assert.ok(await documentKept(grace), "Grace's page was not reloaded");
        await Promise.all([
          ...graceRoomSockets.map((s) => s.closed),
          ...graceVoiceSockets.map((s) => s.closed),
        ]);
        assert.equal(await grace.locator("#room-live").count(), 0);
        assert.equal(await grace.locator(".voice-status").count(), 0);
        await screenshot(grace, "suspension-told");

        // Ada's room page, live: Grace is no longer in the audience.
        await adaRoom.locator("#room-audience", { hasText: "grace" }).waitFor({
          state: "detached",
        });
        assert.equal(
          (await db.sql`select count(*)::int as n from participants
                        where user_id = ${world.ids.grace}`)[0].n,
          0,
        );

        // Grace signs in again: the password is right, and she reads why and until when.
        watch.expectStatus(403, "/signin");
        await grace.getByRole("link", { name: "Why? Sign in to see" }).click();
        await grace.getByLabel("Handle").fill("grace");
        await grace.getByLabel("Password").fill(password);
        await grace.getByRole("button", { name: "Sign in" }).click();
        const refusal = grace.getByText(/Your account is suspended until/);
        await refusal.waitFor();
        assert.match(
          await refusal.textContent() ?? "",
          /suspended until \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Reason: Shouting over everyone/,
        );
        await screenshot(grace, "suspension-sign-in");
      });
    } finally {
      for (const browser of browsers) await browser.close();
      await palabre?.stop();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
