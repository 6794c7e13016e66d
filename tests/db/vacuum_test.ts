import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { vacuumTables } from "../../db/vacuum.ts";
import { VacuumSweep } from "../../live/vacuum_sweep.ts";
import type { Sql } from "../../db/client.ts";

/** The schema's tables that no vacuum or no analyze has reached yet. */
async function unvacuumed(sql: Sql): Promise<string[]> {
  const rows = await sql`
    select relname from pg_stat_user_tables
    where schemaname = current_schema() and (last_vacuum is null or last_analyze is null)
    order by relname`;
  return rows.map((r) => r.relname);
}

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
  const sweep = new VacuumSweep({ sql, config: { firstAfterMs: 0, everyMs: 3_600_000 } });
  sweep.start();
  // The first run starts at once; stop() lets it finish and cancels the next.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await sweep.stop();
  assert.deepEqual(await unvacuumed(sql), []);
});
