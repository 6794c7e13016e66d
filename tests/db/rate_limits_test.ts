import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { spendAttempt } from "../../db/rate_limits.ts";
import { openDatabase } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";

const limit = { bucket: "sign_in_account", key: "ada", max: 3, windowMs: 60_000 };

dbTest("attempts beyond the allowance are refused with a wait time", async (sql) => {
  for (let i = 0; i < 3; i++) await spendAttempt(sql, limit);
  await assert.rejects(
    spendAttempt(sql, limit),
    (e) =>
      e instanceof Refusal && e.code === "rate_limited" &&
      /try again in \d+ minute/.test(e.message),
  );
  // Another key and another bucket are counted apart.
  await spendAttempt(sql, { ...limit, key: "grace" });
  await spendAttempt(sql, { ...limit, bucket: "sign_in_address" });
});

dbTest("two processes sharing the database share one count", async (sql, db) => {
  // On PostgreSQL a second pool stands for a second Palabre process; PGlite is one process.
  const other = db.url ? await openDatabase({ url: db.url, max: 4 }) : undefined;
  try {
    const pools = [sql, other?.sql ?? sql];
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => spendAttempt(pools[i % 2], { ...limit, max: 4 })),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 4);
  } finally {
    await other?.close();
  }
});
