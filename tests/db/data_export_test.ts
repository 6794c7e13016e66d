/**
 * A member's export of their data, on both databases: built in batches from the member in every
 * column (tests/db/member_fixture.ts), it holds the rows of every column db/member_columns.ts
 * exports, in the section the list names (counted in SQL from the list itself, so a column
 * added to the list is checked with no new code here); it names no secret and nobody who
 * blocked, muted or reported the member; and it is its member's alone.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import type { Sql } from "../../db/client.ts";
import { memberColumns } from "../../db/member_columns.ts";
import {
  buildExport,
  claimExport,
  type ExportDocument,
  exportDocument,
  exportOf,
  exportsOf,
  forgetExpiredExports,
  requestExport,
} from "../../db/data_exports.ts";
import { block, report } from "../../db/safety.ts";
import { mute } from "../../db/notifications.ts";
import { setPicks } from "../../db/topics.ts";
import { memberInEveryColumn } from "./member_fixture.ts";
import { cast } from "./rooms_support.ts";
import { dayMs } from "./support.ts";

const options = { perMember: { max: 3, windowMs: dayMs }, keepMs: 7 * dayMs };

/** Builds every export waiting, two rows a batch (so parts span batches), as a worker does. */
async function buildWaiting(sql: Sql): Promise<void> {
  while (true) {
    const claim = await claimExport(sql, { staleMs: 60_000 });
    if (!claim) return;
    assert.equal(await buildExport(sql, claim, { batchRows: 2, keepMs: options.keepMs }), true);
  }
}

/** Mallory's export (the fixture asked for it), built after `meanwhile`. */
async function mallorysExport(
  sql: Sql,
  meanwhile: () => Promise<void> = async () => {},
): Promise<{ document: ExportDocument; text: string; malloryId: number }> {
  const { mallory } = await memberInEveryColumn(sql);
  await meanwhile();
  await buildWaiting(sql);
  const [mine] = await exportsOf(sql, mallory.id);
  assert.equal(mine.state, "ready");
  const document = await exportDocument(sql, mallory.id, mine.id);
  assert.ok(document);
  return { document, text: JSON.stringify(document), malloryId: mallory.id };
}

/**
 * Checks that each section holds, per table, exactly the rows where one of the table's columns
 * the list gives that section holds the member: counted in SQL from db/member_columns.ts alone.
 */
async function assertEveryColumnCounted(
  sql: Sql,
  document: ExportDocument,
  memberId: number,
): Promise<void> {
  // The list's columns by section and table: a table's rows in a section are those where any
  // of its listed columns holds the member.
  const groups = new Map<string, { section: string; table: string; columns: string[] }>();
  for (const { table, column, export: section } of memberColumns) {
    if (section === null) continue;
    const key = `${section}.${table}`;
    const group = groups.get(key) ?? { section, table, columns: [] };
    group.columns.push(column);
    groups.set(key, group);
  }
  for (const { section, table, columns } of groups.values()) {
    const tests = [];
    for (const column of columns) {
      const [{ array }] = await sql`
        select data_type = 'ARRAY' as array from information_schema.columns
        where table_schema = current_schema() and table_name = ${table}
          and column_name = ${column}`;
      tests.push(array ? `$1 = any(${column})` : `${column} = $1`);
    }
    const [{ count }] = await sql.unsafe(
      `select count(*)::int as count from ${table} where ${tests.join(" or ")}`,
      [memberId],
    );
    assert.ok(count > 0, `the fixture has rows of ${table} (${columns}) for the member`);
    const rows = document.sections[section][table];
    assert.ok(Array.isArray(rows), `section ${section} lists ${table}`);
    assert.equal(rows.length, count, `${section}.${table} holds every row of ${columns}`);
  }
}

dbTest(
  "an export holds the rows of every exported column, in the section the list names",
  async (sql) => {
    const { mallory } = await memberInEveryColumn(sql);
    await buildWaiting(sql);
    const [mine] = await exportsOf(sql, mallory.id);
    const document = (await exportDocument(sql, mallory.id, mine.id))!;
    assert.equal(document.format, "palabre-export");
    assert.equal(document.version, 1);
    assert.equal(document.member.handle, "mallory");
    assert.ok(!Number.isNaN(Date.parse(document.exported_at)));
    const sections = [...new Set(memberColumns.flatMap((c) => c.export ? [c.export] : []))];
    assert.deepEqual(Object.keys(document.sections), sections);

    await assertEveryColumnCounted(sql, document, mallory.id);
  },
);

dbTest("an export's dates are ISO 8601 and its rows keep no paging cursor", async (sql) => {
  const { document } = await mallorysExport(sql);
  const [profile] = document.sections.profile.users;
  assert.equal(profile.handle, "mallory");
  assert.match(String(profile.created_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  for (const parts of Object.values(document.sections)) {
    for (const rows of Object.values(parts)) {
      for (const row of rows) assert.equal("cursor" in row, false);
    }
  }
});

dbTest(
  "an export names no secret: sessions, calendar feed, password, invite or room link",
  async (sql) => {
    const { text } = await mallorysExport(sql);
    const [{ id }] = await sql`select id from users where handle = 'mallory'`;
    const secrets = [
      ...await sql`select id_hash as secret from sessions where user_id = ${id}`,
      ...await sql`select secret_hash as secret from calendar_feeds where user_id = ${id}`,
      ...await sql`select password_hash as secret from users where id = ${id}`,
      ...await sql`select token as secret from invites where creator_id = ${id} or used_by = ${id}`,
      ...await sql`select link_key as secret from rooms`,
    ].map((row) => row.secret as string);
    assert.ok(secrets.length >= 6, "the fixture has every kind of secret");
    for (const secret of secrets) {
      assert.equal(text.includes(secret), false, `the export holds a secret: ${secret}`);
    }
  },
);

dbTest("an export never names who blocked, muted or reported the member", async (sql) => {
  const { document, text, malloryId } = await mallorysExport(sql, async () => {
    const { eve_unseen: eve } = await cast(sql, "eve_unseen");
    await block(sql, eve.id, "mallory");
    await mute(sql, eve.id, "mallory");
    await report(sql, eve.id, { member: "mallory" }, "Rude in the hallway");
  });
  assert.equal(text.includes("eve_unseen"), false);
  assert.equal(text.includes("Eve_unseen"), false);
  assert.equal(text.includes("Rude in the hallway"), false);
  // Nor as a row without a name: every section holds only the rows of its own columns.
  await assertEveryColumnCounted(sql, document, malloryId);
});

dbTest("an export does not say who invited the member, nor whom they invited", async (sql) => {
  // Ada invited Mallory and has no other tie to her that Mallory could see; Mallory invited Ivan.
  const { document, text } = await mallorysExport(sql);
  assert.equal(text.includes('"ada"'), false);
  assert.equal(text.includes("Ada"), false);
  const invites = [
    ...document.sections.invites_made.invites,
    ...document.sections.invites_made.users,
    ...document.sections.invite_used.invites,
  ];
  assert.equal(invites.length, 4);
  for (const row of invites) {
    assert.equal(Object.values(row).includes("ivan"), false, JSON.stringify(row));
  }
});

dbTest("a member cannot read another member's export", async (sql) => {
  const { mallory, ada } = await memberInEveryColumn(sql);
  const theirs = await requestExport(sql, ada.id, options);
  await buildWaiting(sql);
  assert.ok(await exportDocument(sql, ada.id, theirs), "Ada reads her own");
  assert.equal(await exportOf(sql, mallory.id, theirs), null);
  assert.equal(await exportDocument(sql, mallory.id, theirs), null);
  assert.equal((await exportsOf(sql, mallory.id)).some((e) => e.id === theirs), false);
});

dbTest("asking again while an export is in the making finds it and spends nothing", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const tight = { ...options, perMember: { max: 1, windowMs: dayMs } };
  const first = await requestExport(sql, ada.id, tight);
  assert.equal(await requestExport(sql, ada.id, tight), first);
  await buildWaiting(sql);
  await assert.rejects(requestExport(sql, ada.id, tight), { code: "rate_limited" });
});

dbTest("an export whose builder went silent is built again by another, once", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await requestExport(sql, ada.id, options);
  const silent = await claimExport(sql, { staleMs: 60_000 });
  assert.equal(silent?.id, id);
  assert.equal(await claimExport(sql, { staleMs: 60_000 }), null, "a live claim is not taken");
  await sql`update data_exports set heard_at = now() - interval '2 minutes' where id = ${id}`;
  const next = await claimExport(sql, { staleMs: 60_000 });
  assert.equal(next?.id, id);
  // The silent builder wakes up: its writes no longer count.
  assert.equal(await buildExport(sql, silent!, { batchRows: 2, keepMs: options.keepMs }), false);
  assert.equal(await buildExport(sql, next!, { batchRows: 2, keepMs: options.keepMs }), true);
  const document = (await exportDocument(sql, ada.id, id))!;
  assert.equal(document.sections.profile.users.length, 1, "no row written twice");
});

dbTest("a build stopped with its process hands the export back to be built whole", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await setPicks(sql, ada.id, ["jazz", "chess", "film"]);
  const id = await requestExport(sql, ada.id, options);
  const stopping = new AbortController();
  const first = (await claimExport(sql, { staleMs: 60_000 }))!;
  const built = await buildExport(sql, first, {
    batchRows: 1,
    keepMs: options.keepMs,
    signal: stopping.signal,
    onBatch: () => stopping.abort(),
  });
  assert.equal(built, false);
  assert.equal((await exportOf(sql, ada.id, id))?.state, "queued");
  // Claimed again at once, not after `staleMs`, and built from the start.
  const next = (await claimExport(sql, { staleMs: 60_000 }))!;
  assert.equal(next.id, id);
  assert.equal(await buildExport(sql, next, { batchRows: 1, keepMs: options.keepMs }), true);
  const document = (await exportDocument(sql, ada.id, id))!;
  assert.equal(document.sections.profile.users.length, 1);
  assert.equal(document.sections.picks.user_topics.length, 3);
});

dbTest("expired exports are deleted with their rows", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await requestExport(sql, ada.id, options);
  await buildWaiting(sql);
  await sql`update data_exports set expires_at = now() - interval '1 second' where id = ${id}`;
  assert.equal(await exportOf(sql, ada.id, id), null);
  assert.equal(await forgetExpiredExports(sql), 1);
  const [{ count }] = await sql`select count(*)::int as count from data_export_batches`;
  assert.equal(count, 0);
});
