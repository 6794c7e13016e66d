/**
 * The one way Palabre talks to its database: postgres.js, either to the PostgreSQL in
 * `DATABASE_URL` or to an embedded PGlite served on loopback by pglite-socket.
 *
 * @example
 * const db = await openDatabase({ dataDir: "./data" });
 * await db.sql`select 1`;
 * await db.close();
 */
import postgres from "postgres";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { join } from "node:path";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export interface Database {
  sql: Sql;
  kind: "postgres" | "pglite";
  close(): Promise<void>;
}

export interface OpenOptions {
  /** A PostgreSQL URL; without it an embedded PGlite is used. */
  url?: string;
  /** Where PGlite keeps its files; without it PGlite lives in memory (tests). */
  dataDir?: string;
  /** Pool size for a real PostgreSQL. */
  max?: number;
}

// bigint (int8) and count(*) come back as numbers: our ids and counts stay far below 2^53.
const types = {
  bigint: {
    to: 20,
    from: [20],
    serialize: (x: number | bigint) => x.toString(),
    parse: (x: string) => Number(x),
  },
};

/** Opens the database; the caller owns `close()`. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  if (options.url) {
    const sql = postgres(options.url, {
      max: options.max ?? 10,
      types,
      onnotice: () => {},
    });
    return { sql, kind: "postgres", close: () => sql.end({ timeout: 5 }) };
  }
  const pglite = options.dataDir ? new PGlite(join(options.dataDir, "pglite")) : new PGlite();
  await pglite.waitReady;
  const server = new PGLiteSocketServer({
    db: pglite,
    host: "127.0.0.1",
    port: 0,
    maxConnections: 4,
  });
  await server.start();
  const [host, port] = server.getServerConn().split(":");
  // PGlite is one session: a pool of one keeps transactions from interleaving.
  const sql = postgres({
    host,
    port: Number(port),
    database: "postgres",
    username: "postgres",
    max: 1,
    types,
    onnotice: () => {},
  });
  return {
    sql,
    kind: "pglite",
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await pglite.close();
    },
  };
}
