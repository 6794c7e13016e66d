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
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { dirname, join } from "node:path";
import net from "node:net";
import { channel, EventHub } from "./events.ts";
import { type DataDirLock, lockDataDir, privateDir } from "./data_dir.ts";
import { reason, StartupError } from "../startup.ts";

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
  /** Where to say that PostgreSQL is not reachable yet (stderr unless given). */
  log?: (line: string) => void;
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

/**
 * postgres.js 3.4.9 can send a transaction's BEGIN without reserving its connection: it reserves
 * it last in a chain that stops early when that query fills the connection's pipeline
 * (`max_pipeline`, 100) or when the socket's buffer reports backpressure
 * (porsager/postgres#1189, open). The BEGIN has gone out, so the connection then serves other
 * queries inside that transaction, and `begin` throws a TypeError that ended Palabre when a crowd
 * opened their room at once. A pipeline no query fills, and (for PGlite, served in this very
 * process, whose socket fills first) a socket whose buffer never reports backpressure, keep
 * every BEGIN reserved.
 */
const unboundedPipeline = 2 ** 31;
const unboundedSocketBuffer = 2 ** 30;

// postgres.js honours a pool-wide `onnotify` option that its type definitions do not list.
type NotifyHandler = (channel: string, payload: string) => void;
// Nor do they list `max_pipeline` and `socket`.
type Pipelined = { max_pipeline: number; socket?: () => Promise<net.Socket> };

/** Opens the database; the caller owns `close()`. */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const events = new EventHub();
  if (options.url) {
    const pgOptions: postgres.Options<typeof types> & Pipelined = {
      max: options.max ?? 10,
      max_pipeline: unboundedPipeline,
      types,
      onnotice: () => {},
    };
    const sql = postgres(options.url, pgOptions);
    await untilReachable(sql, options.log ?? console.error);
    // A dedicated connection, re-established by postgres.js after a drop.
    await sql.listen(channel, (payload) => events.deliver(payload));
    return { sql, kind: "postgres", events, close: () => sql.end({ timeout: 5 }) };
  }
  const dataDir = options.dataDir;
  const lock = dataDir ? await lockDataDir(dataDir) : undefined;
  try {
    return await openPglite(dataDir, events, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

// Errors that say the server is not there (yet): worth waiting for, unlike a refused password.
const notReachable = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "57P03", // the database system is starting up
  "53300", // too many connections
]);
const maxRetryDelayMs = 30_000;
// Linux's sun_path holds 108 bytes, the last one a NUL.
const maxSocketPathBytes = 107;

/**
 * Waits until PostgreSQL answers, saying so on each failed attempt; a server that answers with a
 * refusal (password, missing database) is a StartupError. The URL, which may hold a password, is
 * never printed: only its hosts and ports.
 */
async function untilReachable(sql: Sql, log: (line: string) => void): Promise<void> {
  const { host, port } = sql.options;
  const where = host.map((name, i) => `${name}:${port[i] ?? port[0]}`).join(", ");
  for (let delayMs = 1000;; delayMs = Math.min(2 * delayMs, maxRetryDelayMs)) {
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      const code = String(Object(error).code);
      if (error instanceof postgres.PostgresError && !notReachable.has(code)) {
        throw new StartupError(`PostgreSQL at ${where} refused Palabre (${error.message})`);
      }
      if (!notReachable.has(code)) throw error;
      log(`PostgreSQL at ${where} is not reachable (${code}); retrying in ${delayMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

// Contrib modules search needs (db/migrations/013_search.sql); PGlite loads only those it is given.
const extensions = { pg_trgm, unaccent };

/**
 * PGlite in `dataDir` (or in memory), served on a Unix socket in a directory only Palabre's user
 * can enter, and held by Palabre's one connection: no TCP port, and no room for a second client.
 */
async function openPglite(
  dataDir: string | undefined,
  events: EventHub,
  lock: DataDirLock | undefined,
): Promise<Database> {
  const socketDir = dataDir ? join(dataDir, "socket") : await temporarySocketDir();
  // PostgreSQL's own name for its socket, so `psql -h <socketDir>` finds it.
  const path = join(socketDir, ".s.PGSQL.5432");
  if (new TextEncoder().encode(path).length > maxSocketPathBytes) {
    throw new StartupError(
      `PGlite's socket ${path} would be longer than ${maxSocketPathBytes} bytes: ` +
        "choose a shorter DATA_DIR",
    );
  }
  let pglite: PGlite;
  if (dataDir) {
    const files = join(dataDir, "pglite");
    await privateDir(files);
    pglite = new PGlite(files, { extensions });
    await pglite.waitReady.catch((error) => {
      throw new StartupError(
        `Embedded PGlite cannot open ${files}: its files are read-only, damaged or not ` +
          `PGlite's (${reason(error)})`,
      );
    });
  } else {
    pglite = new PGlite({ extensions });
    await pglite.waitReady;
  }
  try {
    return await servePglite(pglite, { path, events, lock });
  } catch (error) {
    await pglite.close();
    throw error;
  }
}

/** Serves `pglite` on the Unix socket `path` and connects Palabre's one client to it. */
async function servePglite(
  pglite: PGlite,
  options: { path: string; events: EventHub; lock: DataDirLock | undefined },
): Promise<Database> {
  const { path, events, lock } = options;
  await privateDir(dirname(path));
  // Left by a process that died: ours now, since we hold DATA_DIR's lock.
  await Deno.remove(path).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  const server = new PGLiteSocketServer({ db: pglite, path, maxConnections: 1 });
  await server.start();
  await Deno.chmod(path, 0o600);
  // PGlite is one session: a pool of one keeps transactions from interleaving.
  const socketOptions: postgres.Options<typeof types> & Pipelined & { onnotify: NotifyHandler } = {
    path,
    database: "postgres",
    username: "postgres",
    max: 1,
    max_pipeline: unboundedPipeline,
    socket: () => connectWithoutBackpressure(path),
    // The one connection is never recycled: while it is open, the socket turns others away.
    max_lifetime: null,
    types,
    onnotice: () => {},
    // PGlite has one session: a NOTIFY comes back on the connection that committed it.
    onnotify: (name, payload) => {
      if (name === channel) events.deliver(payload);
    },
  };
  const sql = postgres(socketOptions);
  try {
    // Registers the backend as a listener; notifications then arrive through `onnotify` above.
    await sql.unsafe(`listen ${channel}`);
  } catch (error) {
    await sql.end({ timeout: 1 });
    await server.stop();
    throw error;
  }
  return {
    sql,
    kind: "pglite",
    events,
    async close() {
      await sql.end({ timeout: 5 });
      await server.stop();
      await pglite.close();
      lock?.release();
    },
  };
}

/** A connection to PGlite's socket whose writes never report backpressure (see above). */
function connectWithoutBackpressure(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // Node's sockets take stream options too; its types list only the socket's own.
    const socket = net.connect(
      { path, writableHighWaterMark: unboundedSocketBuffer } as net.NetConnectOpts,
    );
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** A private directory for an in-memory PGlite's socket, gone when the process ends. */
async function temporarySocketDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "palabre-pglite-" });
  // Tests open one in-memory database per file and let the process end with it open.
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  return dir;
}
