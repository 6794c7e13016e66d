/**
 * Applies the numbered SQL files in `db/migrations/` that this database has not seen yet, in
 * one transaction under an advisory lock, so two processes starting together do not race.
 *
 * @example
 * await migrate(db.sql); // ["001_foundation.sql", "002_topics.sql"] on a new database
 */
import type { Sql } from "./client.ts";

const migrationsDir = new URL("./migrations/", import.meta.url);
// Any constant works; it only has to be the same in every Palabre process.
const migrationLockKey = 7_246_911;

/** Returns the names of the files it applied. */
export async function migrate(sql: Sql): Promise<string[]> {
  const files = await migrationFiles();
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${migrationLockKey})`;
    await tx`create table if not exists migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`;
    const done = new Set(
      (await tx<{ name: string }[]>`select name from migrations`).map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.unsafe(await Deno.readTextFile(new URL(file, migrationsDir)));
      await tx`insert into migrations (name) values (${file})`;
      applied.push(file);
    }
    return applied;
  });
}

async function migrationFiles(): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(migrationsDir)) {
    if (entry.isFile && /^\d{3}_[a-z0-9_]+\.sql$/.test(entry.name)) names.push(entry.name);
  }
  return names.sort();
}
