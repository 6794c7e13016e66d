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
import { channel, EventHub } from "./events.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

export interface Database {
  sql: Sql;
  kind: "postgres" | "pglite";
  /** Change notifications from every process sharing this database (see events.ts). */
  events: EventHub;
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

// postgres.js honours a pool-wide `onnotify` option that its type definitions do not list.
type NotifyHandler = (channel: string, payload: string) => void;

/** Opens the database; the caller owns `close()`. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const events = new EventHub();
  if (options.url) {
    const sql = postgres(options.url, {
      max: options.max ?? 10,
      types,
      onnotice: () => {},
    });
    // A dedicated connection, re-established by postgres.js after a drop.
    await sql.listen(channel, (payload) => events.deliver(payload));
    return { sql, kind: "postgres", events, close: () => sql.end({ timeout: 5 }) };
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
  const socketOptions: postgres.Options<typeof types> & { onnotify: NotifyHandler } = {
    host,
    port: Number(port),
    database: "postgres",
    username: "postgres",
    max: 1,
    types,
    onnotice: () => {},
    // PGlite has one session: a NOTIFY comes back on the connection that committed it.
    onnotify: (name, payload) => {
      if (name === channel) events.deliver(payload);
    },
  };
  const sql = postgres(socketOptions);
  // Registers the backend as a listener; notifications then arrive through `onnotify` above.
  await sql.unsafe(`listen ${channel}`);
  return {
    sql,
    kind: "pglite",
    events,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await pglite.close();
    },
  };
}
