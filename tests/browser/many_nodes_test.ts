/**
 * One room across two Palabre nodes in real Chromium: two `main.ts` processes, A and B, on one
 * PostgreSQL and one nats-server. Ada (host, on stage, unmuted) speaks at 440 Hz from a browser on
 * A; Grace (invited up, unmuted) speaks at 660 Hz from a browser of her own on B (a fake
 * microphone belongs to a browser process). Ada joins first, so the room's media lives on A and
 * Grace's page on B is relayed to it. Checked: each page hears the other's tone and says
 * "Connected", and both pages ring both speakers; then A is killed (SIGKILL): Grace's page says
 * "Reconnecting…", the room moves to B, Ada's page is opened again on B (as a load balancer would
 * send her), and each hears the other and rings both again. How long it took is logged.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { act } from "../../db/room_actions.ts";
import { freshDatabase, type TestDatabase } from "../support/databases.ts";
import { manyNodesMissing, type NatsServer, startNats } from "../support/nats.ts";
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

const missing = browserTestsIgnored() ? "Chromium" : manyNodesMissing("many-node browser tests");

interface TwoNodes {
  db: TestDatabase;
  world: RoomWorld;
  a: PalabreProcess;
  b: PalabreProcess;
  /** A's name as a node (db/room_homes.ts), read before B started. */
  aNodeId: Promise<string>;
  watch: PageWatch;
  adaBrowser: Browser;
  /** Ada's page, on A. */
  ada: Page;
  /** Grace's page, on B. */
  grace: Page;
  /** A page of `person`'s in `browser` with the room open on `node` and its audio joined. */
  open(browser: Browser, person: "ada" | "grace", node: PalabreProcess): Promise<Page>;
}

/**
 * Ada on stage on A and Grace on stage on B, both unmuted, both pages' audio connected (Ada's
 * first, so the room's media lives on A), then `fn`; everything is torn down after.
 */
function twoNodesTest(name: string, fn: (nodes: TwoNodes) => Promise<void>): void {
  Deno.test({
    name,
    ignore: missing !== null,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await freshDatabase("postgres");
      const nats = await startNats();
      const dir = await Deno.makeTempDir({ prefix: "palabre-nodes-" });
      const nodes: PalabreProcess[] = [];
      const browsers: Browser[] = [];
      try {
        const world = await seedRoom(db.sql, "Across two nodes");
        await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
        await act(db.sql, world.ids.ada, world.roomId, {
          type: "invite_to_speak",
          target: "grace",
        });
        await act(db.sql, world.ids.grace, world.roomId, { type: "accept_invite" });
        await act(db.sql, world.ids.grace, world.roomId, { type: "unmute_self" });
        const [adaWav, graceWav] = await Promise.all([
          toneFile(dir, adaHz),
          toneFile(dir, graceHz),
        ]);
        const start = async () => {
          const node = await startProcess(db.url!, { env: nodeEnv(nats) });
          nodes.push(node);
          return node;
        };
        const a = await start();
        const aNodeId = onlyNode(db);
        // Only the test that needs it awaits it: a Palabre without nodes fails there, not here.
        aNodeId.catch(() => {});
        const b = await start();
        const watch = new PageWatch();
        const cookies = { ada: world.adaCookie, grace: world.graceCookie };
        const open = async (browser: Browser, person: "ada" | "grace", node: PalabreProcess) => {
          const page = await watch.newPage(browser, `${person}@${node.port}`, desktop);
          await signInWith(page, node.origin, cookies[person]);
          await joinAudio(page, node.origin, world.publicId);
          return page;
        };
        const launch = async (wav: string) => {
          const browser = await launchWithMicrophone(wav, true);
          browsers.push(browser);
          return browser;
        };
        const [adaBrowser, graceBrowser] = await Promise.all([launch(adaWav), launch(graceWav)]);
        const ada = await open(adaBrowser, "ada", a);
        await voiceState(ada, "Connected");
        const grace = await open(graceBrowser, "grace", b);
        await voiceState(grace, "Connected");
        await watch.check(() =>
          fn({ db, world, a, b, aNodeId, watch, adaBrowser, ada, grace, open })
        );
      } finally {
        for (const browser of browsers) await browser.close();
        await Promise.all(nodes.map((node) => node.stop()));
        await nats.stop();
        await db.close();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

function nodeEnv(nats: NatsServer): Record<string, string> {
  // Loopback only; one media process per node, as the machine running the tests has few cores.
  return { NATS_URL: nats.url, MEDIA_PROCESSES: "1", HOST: "127.0.0.1" };
}

/** The one node in the database (A, while B has not started), as it names itself. */
async function onlyNode(db: TestDatabase): Promise<string> {
  const rows = await db.sql`select id from nodes`;
  assert.equal(rows.length, 1, "only A has started");
  return rows[0].id;
}

async function homeOf(db: TestDatabase, world: RoomWorld): Promise<string | undefined> {
  const [home] = await db.sql`select node_id from room_homes where room_id = ${world.roomId}`;
  return home?.node_id;
}

/** Each page hears the other's tone. */
async function bothHeard(ada: Page, grace: Page, when: string): Promise<void> {
  let found = await listen(grace, adaHz, true);
  assert.ok(
    found.heard,
    `${when}, Grace on B should hear Ada's ${adaHz} Hz; ${describeHeard(found)}`,
  );
  found = await listen(ada, graceHz, true);
  assert.ok(found.heard, `${when}, Ada should hear Grace's ${graceHz} Hz; ${describeHeard(found)}`);
}

/** The page shows both speakers speaking: its rings follow the room's home, wherever it is. */
async function ringsBoth(page: Page): Promise<void> {
  for (const handle of ["ada", "grace"]) {
    await page.locator(`#room-live .stage .person.speaking[data-handle="${handle}"]`).waitFor();
  }
}

twoNodesTest(
  "a page on B hears a speaker on A, A hears B's speaker, and both ring both (Chromium)",
  async ({ ada, grace }) => {
    await bothHeard(ada, grace, "Across nodes");
    for (const page of [ada, grace]) {
      await ringsBoth(page);
      await voiceState(page, "Connected");
    }
    await screenshot(grace, "many-nodes-grace-on-b");
  },
);

// Ada's page goes with A: its sockets' attempts to reconnect there fail, and Chromium and htmx
// log it until the page is closed.
const adaOnDeadNode = (a: PalabreProcess) =>
  [
    String.raw`console error: WebSocket connection to 'ws://127\.0\.0\.1:${a.port}/[^']+' failed: `,
    String.raw`console error: htmx: htmx:ws:error: `,
    String.raw`request failed: \w+ http://127\.0\.0\.1:${a.port}/`,
  ].map((problem) => new RegExp(String.raw`^\[ada@${a.port}\] ${problem}`));

twoNodesTest(
  "when A, the room's home, is killed, the page on B reconnects and hears Ada again from B " +
    "(Chromium)",
  async ({ db, world, a, b, aNodeId, watch, adaBrowser, ada, grace, open }) => {
    assert.equal(await homeOf(db, world), await aNodeId, "Ada joined first: the room is on A");
    await bothHeard(ada, grace, "Before A is killed");
    await markDocument(grace);
    await recordVoiceStates(grace);

    const killedAt = Date.now();
    const took: Record<string, number> = {};
    await watch.excusing(adaOnDeadNode(a), async () => {
      Deno.kill(a.pid, "SIGKILL");
      await ada.context().close();
    });
    // Nobody asks B anything yet: Grace's page and B must find out by themselves that the room's
    // media is gone (her connection falls silent, A's lease runs out).
    await grace.waitForFunction(
      (state) => (globalThis as unknown as { voiceStates: string[] }).voiceStates.includes(state),
      "Reconnecting…",
    );
    took.graceReconnecting = Date.now() - killedAt;
    await screenshot(grace, "many-nodes-grace-reconnecting");
    await voiceState(grace, "Connected");
    took.graceConnected = Date.now() - killedAt;
    // Ada's page went with A: a load balancer sends her to B.
    const adaOnB = await open(adaBrowser, "ada", b);
    await voiceState(adaOnB, "Connected");
    await bothHeard(adaOnB, grace, "Once the room moved to B");
    took.bothHeard = Date.now() - killedAt;
    for (const page of [adaOnB, grace]) await ringsBoth(page);

    const home = await homeOf(db, world);
    assert.ok(home, "the room has a home again");
    assert.notEqual(home, await aNodeId, "the room moved off A");
    const states = await voiceStates(grace);
    assert.ok(states.includes("Reconnecting…"), `Grace's page said: ${states.join(", ")}`);
    assert.equal(states.at(-1), "Connected", "Grace's page ends connected");
    assert.ok(await documentKept(grace), "Grace's page reconnected without a reload");
    console.log(
      `From SIGKILL of A, the room's home, on Grace's page on B (ms): ${JSON.stringify(took)}`,
    );
  },
);
