import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, refusedWith } from "./rooms_support.ts";
import { Refusal } from "../../db/errors.ts";
import {
  adminLog,
  adminLogPageSize,
  parseAdminLogFilter,
  recordAdminAction,
} from "../../db/admin_log.ts";
import { suspend } from "../../db/suspensions.ts";
import { revokeInvitesOf, setAdministrator } from "../../db/admin_tools.ts";

dbTest("the log filters by action, by actor, by member and by dates", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "mallory", "linus");
  await setAdministrator(sql, ada.id, "grace", true);
  await suspend(sql, grace.id, "mallory", { reason: "Spam", endsAt: null });
  await revokeInvitesOf(sql, ada.id, "linus");
  await sql`update admin_log set at = '2026-01-10T12:00:00Z' where action = 'make_admin'`;
  const actions = async (query: Record<string, string>) =>
    (await adminLog(sql, ada.id, parseAdminLogFilter(query))).entries.map((e) => e.action);
  assert.deepEqual(await actions({}), ["revoke_invites", "suspend", "make_admin"]);
  assert.deepEqual(await actions({ action: "suspend" }), ["suspend"]);
  assert.deepEqual(await actions({ actor: "@ADA" }), ["revoke_invites", "make_admin"]);
  assert.deepEqual(await actions({ member: "mallory" }), ["suspend"]);
  assert.deepEqual(await actions({ from: "2026-01-10", to: "2026-01-10" }), ["make_admin"]);
  assert.deepEqual(await actions({ to: "2026-01-09" }), []);
  const [entry] = (await adminLog(sql, ada.id, { action: "suspend" })).entries;
  assert.deepEqual([entry.actor, entry.member, entry.note], ["grace", "mallory", "Spam"]);
});

dbTest("the log pages fifty entries at a time, newest first", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await sql.begin(async (tx) => {
    for (let i = 0; i < adminLogPageSize + 3; i++) {
      await recordAdminAction(tx, { actorId: ada.id, action: "warn", note: `n${i}` });
    }
  });
  const first = await adminLog(sql, ada.id, {}, { page: 1 });
  const second = await adminLog(sql, ada.id, {}, { page: 2 });
  assert.equal(first.entries.length, adminLogPageSize);
  assert.equal(first.more, true);
  assert.deepEqual(second.entries.map((e) => e.note), ["n2", "n1", "n0"]);
  assert.equal(second.more, false);
  const all = await adminLog(sql, ada.id, {}, { all: true });
  assert.equal(all.entries.length, adminLogPageSize + 3);
});

dbTest("a deleted member shows in the log as a deleted member", async (sql) => {
  const { ada, mallory } = await cast(sql, "ada", "mallory");
  await suspend(sql, ada.id, "mallory", { reason: "Spam", endsAt: null });
  // As account deletion leaves the row: emptied.
  await sql`update users set handle = null, display_name = null, password_hash = null,
            deleted_at = now() where id = ${mallory.id}`;
  const [entry] = (await adminLog(sql, ada.id, {})).entries;
  assert.equal(entry.member, null);
  assert.equal(entry.memberDeleted, true);
  assert.equal(entry.actorDeleted, false);
});

dbTest("only administrators read the log", async (sql) => {
  const { grace } = await cast(sql, "ada", "grace");
  await assert.rejects(adminLog(sql, grace.id, {}), refusedWith("forbidden"));
});

Deno.test("the log's filter refuses an unknown action, a malformed date and a backwards range", () => {
  const refusedOn = (field: string) => (e: unknown) =>
    e instanceof Refusal && e.code === "invalid" && e.field === field;
  assert.throws(() => parseAdminLogFilter({ action: "drop_table" }), refusedOn("action"));
  assert.throws(() => parseAdminLogFilter({ from: "yesterday" }), refusedOn("from"));
  assert.throws(() => parseAdminLogFilter({ to: "2026-13-45" }), refusedOn("to"));
  assert.throws(
    () => parseAdminLogFilter({ from: "2026-02-01", to: "2026-01-01" }),
    refusedOn("to"),
  );
  assert.deepEqual(parseAdminLogFilter({ action: "", actor: " ", page: "3" }), {});
});
