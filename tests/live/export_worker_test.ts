/**
 * The export worker every process runs, on both databases: two workers (on PostgreSQL, each with
 * its own connections, as two processes have) build every export waiting, each exactly once; a
 * request wakes a started worker through the change event, without waiting for its poll; a
 * large export's progress is logged for the operator; and two real Palabre processes (main.ts)
 * build an export one of them was asked for.
 */
import assert from "node:assert/strict";
import { databaseKinds, dbTest, freshDatabase } from "../support/databases.ts";
import { openDatabase } from "../../db/client.ts";
import { loadConfig } from "../../config.ts";
import { exportDocument, exportOf, requestExport } from "../../db/data_exports.ts";
import { ExportWorker } from "../../live/export_worker.ts";
import { cast } from "../db/rooms_support.ts";
import { memberInEveryColumn } from "../db/member_fixture.ts";
import { seedRoom, startProcess } from "./support.ts";

const config = (await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" })).dataExports;

dbTest("two workers build every waiting export, each exactly once", async (sql, db) => {
  const members = Object.values(await cast(sql, "ada", "grace", "olga", "ivan", "lin", "noor"));
  const ids: number[] = [];
  for (const member of members) ids.push(await requestExport(sql, member.id, config));
  // Another process: its own connections to the same PostgreSQL (PGlite has one process).
  const other = db.url ? await openDatabase({ url: db.url, max: 2 }) : undefined;
  try {
    const small = { ...config, batchRows: 1 };
    const first = new ExportWorker({ sql, config: small });
    const second = new ExportWorker({ sql: other?.sql ?? sql, config: small });
    const claimed = await Promise.all([first.work(), second.work()]);
    // Never two claims of one export: a second would have built it twice.
    assert.equal(claimed[0] + claimed[1], members.length);
  } finally {
    await other?.close();
  }
  for (const [i, member] of members.entries()) {
    const made = await exportOf(sql, member.id, ids[i]);
    assert.equal(made?.state, "ready");
    const document = (await exportDocument(sql, member.id, ids[i]))!;
    assert.deepEqual(document.sections.profile.users.map((u) => u.handle), [member.handle]);
  }
});

dbTest("a request wakes a running worker at once, not at its next poll", async (sql, db) => {
  const { ada } = await cast(sql, "ada");
  const worker = new ExportWorker({
    sql,
    events: db.events,
    config: { ...config, pollEveryMs: 3_600_000 },
  });
  worker.start();
  try {
    const id = await requestExport(sql, ada.id, config);
    // Waits on the outcome only; the hour-long poll cannot be what builds it.
    for (let i = 0; i < 200 && (await exportOf(sql, ada.id, id))?.state !== "ready"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await exportOf(sql, ada.id, id))?.state, "ready");
  } finally {
    await worker.stop();
  }
});

dbTest("a large export's progress is logged as it is built", async (sql) => {
  await memberInEveryColumn(sql);
  const lines: string[] = [];
  const worker = new ExportWorker({
    sql,
    config: { ...config, batchRows: 2, logEveryRows: 5 },
    log: (line) => lines.push(line),
  });
  await worker.work();
  assert.ok(lines.length >= 3, lines.join("\n"));
  assert.match(lines[0], /^Data export \d+: \d+ rows so far, \d+ of \d+ parts$/);
  assert.match(lines.at(-1)!, /^Data export \d+ is ready$/);
});

Deno.test({
  name: "an export asked of one Palabre process is built by the workers main.ts runs [postgres]",
  ignore: !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const processes = [];
    try {
      const { ids, graceCookie } = await seedRoom(db.sql, "Warm-up");
      const [one, two] = await Promise.all([startProcess(db.url!), startProcess(db.url!)]);
      processes.push(one, two);
      const asked = await fetch(`${one.origin}/settings/export`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: one.origin, Cookie: graceCookie },
      });
      await asked.body?.cancel();
      assert.equal(asked.status, 303);
      const id = Number(asked.headers.get("Location")?.match(/export-(\d+)$/)?.[1]);
      // Waits on the outcome only: either process's worker may be the one that claims it.
      for (let i = 0; i < 300 && (await exportOf(db.sql, ids.grace, id))?.state !== "ready"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const download = await fetch(`${two.origin}/settings/export/${id}/palabre-export.json`, {
        headers: { Cookie: graceCookie },
      });
      assert.equal(download.status, 200);
      const document = await download.json();
      assert.deepEqual(document.sections.profile.users.map((u: { handle: string }) => u.handle), [
        "grace",
      ]);
      assert.equal(document.sections.rooms_joined.participants.length, 1);
    } finally {
      for (const p of processes) await p.stop();
      await db.close();
    }
  },
});
