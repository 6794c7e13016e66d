import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { vacuumTables } from "../../db/vacuum.ts";
import { VacuumSweep } from "../../live/vacuum_sweep.ts";
import type { Sql } from "../../db/client.ts";
import type { EmbeddedVacuumConfig } from "../../config.ts";
import { act } from "../../db/room_actions.ts";
import { cast, openRoom } from "./rooms_support.ts";

/** The schema's tables that no vacuum or no analyze has reached yet. */
async function unvacuumed(sql: Sql): Promise<string[]> {
  const rows = await sql`
    select relname from pg_stat_user_tables
    where schemaname = current_schema() and (last_vacuum is null or last_analyze is null)
    order by relname`;
  return rows.map((r) => r.relname);
}

const hourMs = 3_600_000;
/** Due at once, then hourly; a due run waits up to an hour while a room is live. */
const hourly: EmbeddedVacuumConfig = {
  firstAfterMs: 0,
  everyMs: hourMs,
  checkEveryMs: hourMs,
  mostWaitMs: hourMs,
};

dbTest("every table of the schema is vacuumed and analyzed, one after the other", async (sql) => {
  const schemaTables = (await sql`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`)
    .map((r) => r.table_name as string);
  assert.ok(schemaTables.includes("users") && schemaTables.includes("rooms"));
  assert.notDeepEqual(await unvacuumed(sql), []);
  const tables = await vacuumTables(sql);
  assert.deepEqual([...tables].sort(), [...schemaTables].sort());
  assert.deepEqual(await unvacuumed(sql), []);
});

dbTest("the sweep vacuums once it is due, and stopping waits for a run under way", async (sql) => {
  assert.notDeepEqual(await unvacuumed(sql), []);
  const sweep = new VacuumSweep({ sql, config: hourly, log: () => {} });
  sweep.start();
  // The first run starts at once; stop() lets it finish and cancels the next.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await sweep.stop();
  assert.deepEqual(await unvacuumed(sql), []);
});

dbTest("a due run waits while a room is live, says so once, and runs once none is", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const roomId = await openRoom(sql, ada.id);
  const lines: string[] = [];
  const sweep = new VacuumSweep({ sql, config: hourly, log: (line) => lines.push(line) });
  assert.equal(await sweep.look(), "waits");
  assert.equal(await sweep.look(), "waits");
  assert.deepEqual(lines, ["Vacuuming the embedded database waits: a room is live"]);
  assert.notDeepEqual(await unvacuumed(sql), []);

  await act(sql, ada.id, roomId, { type: "end" });
  assert.equal(await sweep.look(), "ran");
  assert.deepEqual(await unvacuumed(sql), []);
  assert.match(lines[1], /^Vacuumed \d+ tables of the embedded database in \d+\.\d s$/);
  // The next run is an hour away.
  assert.equal(await sweep.look(), "not due");
  assert.equal(lines.length, 2);
});

dbTest("a run that has waited its longest runs with a room live", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await openRoom(sql, ada.id);
  const sweep = new VacuumSweep({ sql, config: { ...hourly, mostWaitMs: 0 }, log: () => {} });
  assert.equal(await sweep.look(), "ran");
  assert.deepEqual(await unvacuumed(sql), []);
});
