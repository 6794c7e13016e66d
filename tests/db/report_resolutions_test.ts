import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, openRoom, refusedWith, roles, twoProcesses } from "./rooms_support.ts";
import type { Sql } from "../../db/client.ts";
import { joinRoom } from "../../db/rooms.ts";
import { report, reports } from "../../db/safety.ts";
import { resolveReport } from "../../db/report_resolutions.ts";
import { dismissWarning, pendingWarnings } from "../../db/warnings.ts";
import { suspensionOf } from "../../db/suspensions.ts";

async function lastReportId(sql: Sql): Promise<number> {
  const [row] = await sql`select id from reports order by id desc limit 1`;
  return Number(row.id);
}

dbTest("dismissing a report resolves it with the note and logs it", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "mallory");
  await report(sql, grace.id, { member: "mallory" }, "Shouting over everyone");
  const id = await lastReportId(sql);
  await resolveReport(sql, ada.id, id, { resolution: "dismissed", note: "Heard it, fine" });
  const [row] = await sql`select resolution, resolution_note, resolved_by from reports`;
  assert.deepEqual([row.resolution, row.resolution_note, Number(row.resolved_by)], [
    "dismissed",
    "Heard it, fine",
    ada.id,
  ]);
  assert.deepEqual(await reports(sql, ada.id), []);
  const [log] = await sql`select action, report_id, note, details from admin_log`;
  assert.deepEqual([log.action, Number(log.report_id), log.note, log.details], [
    "resolve_report",
    id,
    "Heard it, fine",
    { resolution: "dismissed" },
  ]);
});

dbTest("a warning reaches the member until they dismiss it", async (sql) => {
  const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
  await report(sql, grace.id, { member: "mallory" }, "Rude");
  await resolveReport(sql, ada.id, await lastReportId(sql), {
    resolution: "warned",
    note: "Please let others speak",
  });
  const [warning] = await pendingWarnings(sql, mallory.id);
  assert.equal(warning.message, "Please let others speak");
  await assert.rejects(dismissWarning(sql, grace.id, warning.id), refusedWith("not_found"));
  await dismissWarning(sql, mallory.id, warning.id);
  assert.deepEqual(await pendingWarnings(sql, mallory.id), []);
  const log = await sql`select action from admin_log order by id`;
  assert.deepEqual(log.map((r) => r.action), ["warn", "resolve_report"]);
});

dbTest("a warning needs words the member can read", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "mallory");
  await report(sql, grace.id, { member: "mallory" }, "Rude");
  const id = await lastReportId(sql);
  await assert.rejects(
    resolveReport(sql, ada.id, id, { resolution: "warned", note: "" }),
    refusedWith("invalid"),
  );
  const [row] = await sql`select resolved_at from reports`;
  assert.equal(row.resolved_at, null);
});

dbTest("resolving a report with a suspension suspends the member", async (sql) => {
  const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
  const roomId = await openRoom(sql, grace.id);
  await joinRoom(sql, mallory.id, roomId);
  await report(sql, grace.id, { member: "mallory" }, "Spam");
  const id = await lastReportId(sql);
  await resolveReport(sql, ada.id, id, {
    resolution: "suspended",
    note: "Third time",
    suspension: { reason: "Spamming rooms", endsAt: null },
  });
  assert.deepEqual(await suspensionOf(sql, mallory.id), { reason: "Spamming rooms", endsAt: null });
  assert.deepEqual(await roles(sql, roomId), { grace: "moderator" });
  const log = await sql`select action, report_id from admin_log order by id`;
  assert.deepEqual(log.map((r) => [r.action, Number(r.report_id)]), [
    ["suspend", id],
    ["resolve_report", id],
  ]);
});

dbTest("resolving a room's report by ending the room ends it", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, grace.id);
  const [linus] = await sql`select id from users where handle = 'linus'`;
  await report(sql, Number(linus.id), { roomId }, "Hate speech");
  const id = await lastReportId(sql);
  await assert.rejects(
    resolveReport(sql, ada.id, id, { resolution: "warned", note: "Not a member" }),
    refusedWith("invalid"),
  );
  await resolveReport(sql, ada.id, id, { resolution: "room_ended", note: "Ended" });
  const [room] = await sql`select state from rooms where id = ${roomId}`;
  assert.equal(room.state, "ended");
});

dbTest("only administrators resolve reports", async (sql) => {
  const { grace } = await cast(sql, "ada", "grace", "mallory");
  await report(sql, grace.id, { member: "mallory" }, "Rude");
  await assert.rejects(
    resolveReport(sql, grace.id, await lastReportId(sql), { resolution: "dismissed", note: "" }),
    refusedWith("forbidden"),
  );
  const [row] = await sql`select resolved_at from reports`;
  assert.equal(row.resolved_at, null);
});

dbTest(
  "two administrators resolving one report at once: one wins, one is told",
  async (sql, db) => {
    const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus", "mallory");
    await sql`update users set is_admin = true where id = ${grace.id}`;
    const { first, second, close } = await twoProcesses(sql, db);
    try {
      for (let round = 0; round < 5; round++) {
        await report(sql, linus.id, { member: "mallory" }, `Rude, round ${round}`);
        const id = await lastReportId(sql);
        const results = await Promise.allSettled([
          resolveReport(first, ada.id, id, { resolution: "warned", note: "Be kind" }),
          resolveReport(second, grace.id, id, { resolution: "dismissed", note: "Fine" }),
        ]);
        const refused = results.filter((r) => r.status === "rejected");
        assert.equal(refused.length, 1, JSON.stringify(results));
        refusedWith("conflict")((refused[0] as PromiseRejectedResult).reason);
        const entries = await sql`select count(*)::int as count from admin_log
                                where action = 'resolve_report' and report_id = ${id}`;
        assert.equal(entries[0].count, 1);
      }
    } finally {
      await close();
    }
  },
);
