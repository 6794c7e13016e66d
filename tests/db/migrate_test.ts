import assert from "node:assert/strict";
import { openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { databaseKinds, dbTest } from "../support/databases.ts";

dbTest("migrating an up-to-date database applies nothing", async (sql) => {
  assert.deepEqual(await migrate(sql), []);
  const [{ count }] = await sql`select count(*)::int as count from migrations`;
  assert.ok(count >= 2);
});

dbTest("the catalogue holds at least 60 topics in categories", async (sql) => {
  const [{ topics, categories }] = await sql`
    select count(*)::int as topics, count(distinct category_id)::int as categories from topics`;
  assert.ok(topics >= 60, `only ${topics} topics`);
  assert.ok(categories >= 8, `only ${categories} categories`);
});

if (databaseKinds.includes("postgres")) {
  Deno.test({
    name: "two processes migrating a new database together apply each file once [postgres]",
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const url = new URL(Deno.env.get("TEST_DATABASE_URL")!);
      const schema = `race_${Date.now().toString(36)}`;
      const admin = await openDatabase({ url: url.toString(), max: 1 });
      await admin.sql.unsafe(`create schema ${schema}`);
      url.searchParams.set("options", `-c search_path=${schema}`);
      // Two separate pools stand for two Palabre processes starting at once.
      const a = await openDatabase({ url: url.toString(), max: 1 });
      const b = await openDatabase({ url: url.toString(), max: 1 });
      try {
        const [appliedA, appliedB] = await Promise.all([migrate(a.sql), migrate(b.sql)]);
        const all = [...appliedA, ...appliedB].sort();
        const [{ count }] = await a.sql`select count(*)::int as count from migrations`;
        assert.equal(all.length, count, "every file applied exactly once between the two");
        assert.ok(appliedA.length === 0 || appliedB.length === 0, "one process did all the work");
      } finally {
        await a.close();
        await b.close();
        await admin.sql.unsafe(`drop schema ${schema} cascade`);
        await admin.close();
      }
    },
  });
}
