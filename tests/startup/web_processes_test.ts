/**
 * `WEB_PROCESSES`: several web processes of one machine sharing its port (reusePort), joined by
 * PostgreSQL and NATS like nodes; refused in one line where they could not share the database.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { processTree } from "../../bench/processes.ts";
import { act } from "../../db/room_actions.ts";
import { freshDatabase } from "../support/databases.ts";
import { manyNodesMissing, startNats } from "../support/nats.ts";
import { startPeer } from "../live/support/peers.ts";
import { processRuns } from "../support/processes.ts";
import { seedRoom } from "../live/support.ts";
import { listeningOf, runToExit, startPalabre, temporaryDir } from "./support.ts";

const missing = manyNodesMissing("web-process tests");

Deno.test("WEB_PROCESSES above 1 on the embedded database stops the start in one line", async () => {
  await using dir = await temporaryDir();
  const run = await runToExit("main.ts", {
    DATA_DIR: join(dir.path, "data"),
    WEB_PROCESSES: "2",
  });
  assert.equal(
    run.stderr,
    "WEB_PROCESSES above 1 needs DATABASE_URL (PostgreSQL) and NATS_URL: the processes share both\n",
  );
  assert.equal(run.code, 1);
});

/** The web processes under `pid` (itself included): those running main.ts. */
async function webProcesses(pid: number): Promise<number[]> {
  const found: number[] = [];
  for (const each of await processTree(pid)) {
    const command = await Deno.readTextFile(`/proc/${each}/cmdline`).catch(() => "");
    if (command.split("\0").some((arg) => arg.endsWith("/main.ts"))) found.push(each);
  }
  return found;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Still waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

Deno.test({
  name: "two web processes share the port, carry one room's voice, and end with the first",
  ignore: missing !== null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const nats = await startNats();
    await using dir = await temporaryDir();
    try {
      const world = await seedRoom(db.sql, "Two cores");
      await act(db.sql, world.ids.ada, world.roomId, { type: "unmute_self" });
      await using palabre = await startPalabre({
        DATA_DIR: join(dir.path, "data"),
        DATABASE_URL: db.url!,
        NATS_URL: nats.url,
        SECRET_KEY: "web-processes-test",
        WEB_PROCESSES: "2",
      }, { denoFlags: ["--unstable-net"] });
      let pids: number[] = [];
      await until(async () => {
        pids = await webProcesses(palabre.pid);
        if (pids.length < 2) return false;
        const ports = await Promise.all(pids.map((pid) => listeningOf(pid)));
        return ports.every((listening) => listening.tcpPorts.includes(palabre.port));
      }, "a second web process listening on the same port");
      assert.equal(pids.length, 2);
      // Both nodes are in the database, seen.
      await until(async () => {
        const [{ count }] = await db.sql`select count(*)::int as count from nodes`;
        return count === 2;
      }, "two nodes");

      // Pages connect to whichever process the kernel gives them: voice is one room either way.
      const roomPath = `/rooms/${world.publicId}`;
      const ada = await startPeer(palabre.origin, roomPath, world.adaCookie, "speak:440");
      const grace = await startPeer(palabre.origin, roomPath, world.graceCookie, "webrtc");
      try {
        await grace.waitFor(
          { op: "tone", hz: 440, ms: 300 },
          (answer) => Number(answer.amplitude) > 0.05,
        );
      } finally {
        await Promise.all([ada.stop(), grace.stop()]);
      }

      // Killed without a word, the first process takes the other with it.
      const other = pids.find((pid) => pid !== palabre.pid)!;
      await palabre.kill();
      await until(() => Promise.resolve(!processRuns(other)), "the second web process to end");
    } finally {
      await nats.stop();
      await db.close();
    }
  },
});
