/**
 * Walks the schema for every column that refers to a member and checks that
 * db/member_columns.ts, which deletion and export both follow, names each one. A column refers to
 * a member when it is a foreign key to `users`, or when it is named like a reference (`*_id`,
 * `*_ids`, `*_by`), holds integers and is a foreign key to nothing: a bare id (`model_versions.member_ids`).
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { memberColumns } from "../../db/member_columns.ts";
import { memberInEveryColumn, unfilledColumns } from "./member_fixture.ts";

/** Named like a reference to a member, but known to be something else. */
const notMembers = new Set<string>([]);

dbTest("every column that refers to a member is in db/member_columns.ts", async (sql) => {
  const toUsers = await sql`
    select kcu.table_name, kcu.column_name
    from information_schema.referential_constraints rc
    join information_schema.key_column_usage kcu
      on kcu.constraint_name = rc.constraint_name and kcu.constraint_schema = rc.constraint_schema
    join information_schema.constraint_column_usage ccu
      on ccu.constraint_name = rc.unique_constraint_name
     and ccu.constraint_schema = rc.unique_constraint_schema
    where rc.constraint_schema = current_schema() and ccu.table_name = 'users'`;
  const bareIds = await sql`
    select c.table_name, c.column_name
    from information_schema.columns c
    where c.table_schema = current_schema()
      and c.column_name ~ '_(id|ids|by)$'
      and c.udt_name in ('int4', 'int8', '_int4', '_int8')
      and not exists (
        select 1 from information_schema.key_column_usage k
        where k.table_schema = c.table_schema and k.table_name = c.table_name
          and k.column_name = c.column_name
          and k.constraint_name in (
            select constraint_name from information_schema.table_constraints t
            where t.table_schema = c.table_schema
              and t.constraint_type in ('FOREIGN KEY', 'PRIMARY KEY')))`;
  const found = new Set(
    [...toUsers, ...bareIds].map((r) => `${r.table_name}.${r.column_name}`)
      .filter((name) => !notMembers.has(name)),
  );
  const listed = new Set(
    memberColumns.filter((c) => !(c.table === "users" && c.column === "id"))
      .map((c) => `${c.table}.${c.column}`),
  );
  const missing = [...found].filter((name) => !listed.has(name)).sort();
  assert.deepEqual(missing, [], `columns that refer to a member but are not listed: ${missing}`);
  const stale = [...listed].filter((name) => !found.has(name)).sort();
  assert.deepEqual(stale, [], `listed columns the schema no longer has as references: ${stale}`);
});

dbTest("the walk sees a new table's reference to a member", async (sql) => {
  // The walk itself must not be blind: a table made here is found.
  await sql`create table member_things (owner_id bigint references users (id))`;
  const [row] = await sql`
    select count(*)::int as n from information_schema.referential_constraints rc
    join information_schema.key_column_usage kcu
      on kcu.constraint_name = rc.constraint_name and kcu.constraint_schema = rc.constraint_schema
    where rc.constraint_schema = current_schema() and kcu.table_name = 'member_things'`;
  assert.equal(row.n, 1);
});

dbTest("the fixture of deletion and export tests fills every listed column", async (sql) => {
  const { mallory } = await memberInEveryColumn(sql);
  assert.deepEqual(await unfilledColumns(sql, mallory.id), []);
});
