/**
 * The retention sweep's clock: a process's live hub looks whether the day's sweep is due soon
 * after it starts, runs it, and prints one line of what it removed.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { loadConfig } from "../../config.ts";
import { LiveHub } from "../../live/live_hub.ts";
import { act } from "../../db/room_actions.ts";
import type { Sql } from "../../db/client.ts";
import { cast, openRoom } from "../db/rooms_support.ts";

/** Waits for `done` to hold, checking every 50 ms; fails after `limitMs`. */
async function until(done: () => Promise<boolean>, limitMs = 10_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > end) assert.fail("waited too long");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function listenCount(sql: Sql): Promise<number> {
  const [{ count }] = await sql`select count(*)::int as count from listens`;
  return count;
}

dbTest("a started live hub runs the day's retention sweep and prints what it removed", async (
  sql,
) => {
  const { ada } = await cast(sql, "ada");
  const roomId = await openRoom(sql, ada.id);
  await act(sql, ada.id, roomId, { type: "end" });
  await sql`update listens set started_at = now() - interval '400 days',
                               ended_at = now() - interval '399 days'`;
  await sql`update rooms set started_at = now() - interval '400 days',
                             ended_at = now() - interval '399 days'`;
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  config.retention = { firstCheckAfterMs: 0, checkEveryMs: 3_600_000, batchSize: 100 };
  const lines: string[] = [];
  const log = console.log;
  console.log = (...words: unknown[]) => lines.push(words.join(" "));
  const hub = new LiveHub({ sql, config });
  try {
    hub.start();
    await until(async () => (await listenCount(sql)) === 0);
  } finally {
    await hub.stop();
    console.log = log;
  }
  assert.equal((await sql`select id from rooms`).length, 0);
  assert.deepEqual(lines.filter((line) => line.startsWith("Retention sweep")), [
    "Retention sweep removed: 1 listens, 1 ended rooms' details, 1 ended rooms, " +
    "0 handle reservations, 0 expired sessions, 0 rate-limit windows, 0 sign-in failure counts",
  ]);
});
