/**
 * Runs a test against every database Palabre supports here: embedded PGlite always, and the
 * real PostgreSQL in `TEST_DATABASE_URL` when set (always in CI, where its absence fails).
 * Each test gets its own freshly migrated schema, so tests never see each other's rows.
 *
 * @example
 * dbTest("a handle is unique whatever its case", async (sql) => { ... });
 */
import postgres from "postgres";
import { type Database, openDatabase, type Sql } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import type { EventHub } from "../../db/events.ts";

export type DatabaseKind = "pglite" | "postgres";

const postgresUrl = Deno.env.get("TEST_DATABASE_URL");
const inCi = Deno.env.get("CI") === "true";

if (!postgresUrl) {
  if (inCi) {
    throw new Error(
      "CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI",
    );
  }
  console.warn(
    "\n!!! TEST_DATABASE_URL is not set: db tests run on PGlite only, NOT on real PostgreSQL !!!\n",
  );
}

export const databaseKinds: DatabaseKind[] = postgresUrl ? ["pglite", "postgres"] : ["pglite"];

let pglite: Promise<Database> | undefined;
let schemaCounter = 0;

export interface TestDatabase {
  sql: Sql;
  /** Change notifications, as a running Palabre's live hub hears them. */
  events: EventHub;
  kind: DatabaseKind;
  /** The URL of this test's schema on PostgreSQL (for tests that start another process). */
  url: string | undefined;
  close(): Promise<void>;
}

/** A fresh, migrated schema on the given database; close() drops it. */
export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  const schema = `test_${Date.now().toString(36)}_${Deno.pid}_${schemaCounter++}`;
  if (kind === "pglite") {
    pglite ??= openDatabase({});
    const { sql, events } = await pglite;
    // One PGlite session serves the whole test file: its search_path is the current test's.
    await sql.unsafe(`create schema ${schema}; set search_path to ${schema}`);
    await migrate(sql);
    return {
      sql,
      events,
      kind,
      url: undefined,
      close: async () => {
        await sql.unsafe(`set search_path to public; drop schema ${schema} cascade`);
      },
    };
  }
  const admin = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create schema ${schema}`);
  await admin.end();
  const url = withSearchPath(postgresUrl!, schema);
  const db = await openDatabase({ url, max: 8 });
  await migrate(db.sql);
  return {
    sql: db.sql,
    events: db.events,
    kind,
    url,
    close: async () => {
      await db.close();
      const cleanup = postgres(postgresUrl!, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}

function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("options", `-c search_path=${schema}`);
  return parsed.toString();
}

/** Registers `fn` once per available database, named "<name> [pglite]" / "[postgres]". */
export function dbTest(name: string, fn: (sql: Sql, db: TestDatabase) => Promise<void>): void {
  for (const kind of databaseKinds) {
    Deno.test({
      name: `${name} [${kind}]`,
      // postgres.js keeps pooled sockets and timers between tests by design.
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const db = await freshDatabase(kind);
        try {
          await fn(db.sql, db);
        } finally {
          await db.close();
        }
      },
    });
  }
}
