/**
 * Every number that tunes Palabre, with its unit in its name, and how it is read from the
 * environment. Secrets that are not given are generated once and kept in the data directory.
 *
 * @example
 * const config = await loadConfig(Deno.env.toObject());
 * config.port; // 8000 unless PORT is set
 */
import { join } from "node:path";
import { createDataDir } from "./db/data_dir.ts";
import { reason, StartupError } from "./startup.ts";

export interface RateLimit {
  /** Attempts allowed in one window. */
  max: number;
  windowMs: number;
}

/** Waits that grow after each failure in a row: none for the free ones, then doubling to a cap. */
export interface Backoff {
  /** Failures in a row that cost nothing (a typo, a double click). */
  freeFailures: number;
  /** The wait after the first failure past the free ones; each further one doubles it. */
  firstDelayMs: number;
  maxDelayMs: number;
}

/** Sign-in throttling (db/sign_in_limits.ts): only failures count. */
export interface SignInLimits {
  /** One handle from one address: refused until the wait has passed; a success clears it. */
  perPair: Backoff;
  /** One address, whatever the handles (password spraying): refused until the wait has passed. */
  perAddress: Backoff;
  /**
   * One handle from everywhere: never refused, only slowed. Past `freeFailures`, every try of
   * the handle waits `waitStepMs` more per failure, at most `maxWaitMs`.
   */
  perHandle: { freeFailures: number; waitStepMs: number; maxWaitMs: number };
  /** A count with no failure for this long starts again from zero. */
  forgetAfterMs: number;
}

export interface Config {
  port: number;
  /** The interface to listen on; every interface unless `HOST` says otherwise. */
  hostname: string;
  /** A PostgreSQL URL; when absent Palabre runs on embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Keys the HMAC that turns client addresses into rate-limit keys (addresses are never stored). */
  secretKey: string;
  /** The origin pages are served from, when behind a proxy that rewrites Host; else taken per request. */
  publicOrigin: string | undefined;
  /**
   * Host names requests may name besides loopback and this machine's own addresses: `ALLOWED_HOSTS`
   * and `PUBLIC_ORIGIN`'s. Any other Host is refused, so a forged Host (or a DNS-rebinding page)
   * cannot make itself the origin the cross-site check expects.
   */
  allowedHosts: string[];
  /** This machine's interface addresses at start, as URL host names (`10.0.0.5`, `[fe80::1]`). */
  machineAddresses: string[];
  /** Marks cookies `Secure`; on by default when `publicOrigin` is https. */
  secureCookies: boolean;
  /** Trust `X-Forwarded-For` for the client address (only behind your own proxy). */
  trustProxy: boolean;
  sessionTtlMs: number;
  /** A room page whose socket is gone this long leaves the room. */
  presenceTimeoutMs: number;
  /** How often each process marks its connected members as present (well under the timeout). */
  presenceRefreshMs: number;
  inviteTtlMs: number;
  /** A deleted account's handle is reserved this long: nobody else signs up with it meanwhile. */
  deletedHandleReservedMs: number;
  /**
   * STUN/TURN servers for voice, given to the server's peer connections and to pages alike.
   * Empty (the default): host candidates only, and no request to any third party.
   */
  iceServers: IceServer[];
  /** Listeners of a room who get a WebRTC connection each; later ones hear the room's stream. */
  webrtcListenersPerRoom: number;
  /** Processes for rooms' media (mixing and Opus encoding), started as rooms need them. */
  mediaProcesses: number;
  /**
   * The NATS server(s) that join this process to others into one Palabre (`NATS_URL`); without
   * it, an in-process bus: this process is the whole Palabre.
   */
  natsUrl: string | undefined;
  /** How long a room's home holds it without renewing: a dead home's rooms move after this. */
  homeLeaseMs: number;
  /** Web processes on this machine sharing the port (`WEB_PROCESSES`, one per core at most). */
  webProcesses: number;
  modelTraining: ModelTrainingConfig;
  notifications: NotificationConfig;
  retention: RetentionConfig;
  embeddedVacuum: EmbeddedVacuumConfig;
  dataExports: DataExportConfig;
  rateLimits: {
    signIn: SignInLimits;
    signUpPerAddress: RateLimit;
    /** Sign-up attempts on one invite link (the account that does not exist yet). */
    signUpPerInvite: RateLimit;
    waitlistPerAddress: RateLimit;
    /** Entries naming one contact: nobody floods an administrator with one person's name. */
    waitlistPerContact: RateLimit;
    invitesPerAccount: RateLimit;
    invitesPerAddress: RateLimit;
    roomsPerAccount: RateLimit;
    reportsPerAccount: RateLimit;
    /** Fetches of calendar feeds (GET /calendar/<secret>.ics) from one address. */
    calendarFeedPerAddress: RateLimit;
    /**
     * Searches per member (each debounced keystroke in the header box is one): enough to type,
     * too few to list the community two letters at a time (db/search.ts).
     */
    searchesPerAccount: RateLimit;
    searchesPerAccountDaily: RateLimit;
  };
}

/** One STUN or TURN server, as `RTCPeerConnection` takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Notifications (db/notifications.ts, live/notification_sweep.ts). */
export interface NotificationConfig {
  /** Pings one member may send, whoever they ping. */
  pingsPerMember: RateLimit;
  /** Pings from one member to the same person: a ping is a nudge, not a siren. */
  pingsPerPair: RateLimit;
  /** How long before an event its interested members are reminded. */
  reminderLeadMs: number;
  /** How often each process sweeps for reminders due and notifications past keeping. */
  sweepEveryMs: number;
  /** The inbox keeps notifications this long; older ones are deleted by the sweep. */
  keepMs: number;
}

/** The daily retention sweep (db/retention.ts, live/retention_sweep.ts). */
export interface RetentionConfig {
  /** A process's first look whether today's sweep is due, after it starts. */
  firstCheckAfterMs: number;
  /** How often each process looks whether today's sweep is due (one of them runs it). */
  checkEveryMs: number;
  /** Rows deleted per statement: a large community's sweep holds no lock on millions at once. */
  batchSize: number;
}

/** Vacuuming embedded PGlite, which has no autovacuum (db/vacuum.ts, live/vacuum_sweep.ts). */
export interface EmbeddedVacuumConfig {
  /** The first look whether a run is due, after the process starts. */
  firstAfterMs: number;
  /** A run is due this long after the last one. */
  everyMs: number;
  /** How often, from the first look on, the sweep looks again. */
  checkEveryMs: number;
  /**
   * A due run waits while a room is live (PGlite answers on the thread that sends the rooms'
   * streams, and a vacuum holds it), but at most this long.
   */
  mostWaitMs: number;
}

/** Members' exports of their data (db/data_exports.ts, live/export_worker.ts). */
export interface DataExportConfig {
  /** Exports one member may ask for: each reads everything about them. */
  perMember: RateLimit;
  /** A finished export can be downloaded this long; then the sweep deletes it. */
  keepMs: number;
  /** How often each process looks for exports to build (a request also wakes it at once). */
  pollEveryMs: number;
  /** A build not heard from this long is taken for dead (its process stopped) and built again. */
  staleMs: number;
  /** Rows read and written at a time while building. */
  batchRows: number;
  /** An export this large has its progress logged, every time it grows by as many rows. */
  logEveryRows: number;
}

/**
 * A listener invited to speak is told by a notification only when no page of theirs has shown
 * the room lately: every connected room page marks its seat seen every `presenceRefreshMs`
 * (5 s), so a seat unseen for more than two refreshes has no page open on the room.
 */
export const awayFromRoomAfterMs = 12_000;

/** Training model versions (recommend/training.ts). */
export interface ModelTrainingConfig {
  /** How often the training process tells the others it is alive. */
  heartbeatMs: number;
  /** A training not heard from this long is taken for dead and marked failed. */
  staleMs: number;
  /**
   * The share held out to measure a model on: of each member's items (random holdout), or of
   * the history's time span, at its end (time split).
   */
  holdoutShare: number;
  /** The cut-off of recall@k and NDCG@k. */
  k: number;
  /** Members measured at most (scoring one costs items × factors). */
  maxMeasuredMembers: number;
  /** Workers sharing each half-step of the final model's training (recommend/als_workers.ts). */
  workers: number;
  /**
   * Fewer non-zeros than this train in one thread: starting Workers costs about 0.1 CPU second
   * (their JIT warms up), more than they save on a small matrix on a shared server.
   */
  parallelFromNonZeros: number;
  /**
   * Trainings a tuning runs at most (recommend/tuning.ts): 40 is 19 configurations of the default
   * grid, halved round by round down to one. The administrator's time budget may end it sooner.
   */
  tuningTrainings: number;
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/**
 * Reads the configuration; creates `dataDir` and its secret file on first start. A value that
 * cannot be used is a `StartupError` naming the variable.
 */
export async function loadConfig(env: Record<string, string | undefined>): Promise<Config> {
  const dataDir = env.DATA_DIR || "./data";
  const publicOrigin = env.PUBLIC_ORIGIN?.replace(/\/$/, "") || undefined;
  const secretKey = env.SECRET_KEY || await keptSecret(dataDir);
  const webProcesses = Math.max(1, integer(env.WEB_PROCESSES, 1, "WEB_PROCESSES"));
  // Embedded PGlite is one process's own, and without NATS the processes could not share voice.
  if (webProcesses > 1 && (!env.DATABASE_URL || !env.NATS_URL)) {
    throw new StartupError(
      "WEB_PROCESSES above 1 needs DATABASE_URL (PostgreSQL) and NATS_URL: the processes share both",
    );
  }
  return {
    port: port(env.PORT),
    hostname: env.HOST || "0.0.0.0",
    databaseUrl: databaseUrl(env.DATABASE_URL),
    dataDir,
    secretKey,
    publicOrigin,
    allowedHosts: allowedHosts(env.ALLOWED_HOSTS, publicOrigin),
    machineAddresses: machineAddresses(),
    secureCookies: env.SECURE_COOKIES
      ? env.SECURE_COOKIES === "true"
      : publicOrigin?.startsWith("https:") ?? false,
    trustProxy: env.TRUST_PROXY === "true",
    sessionTtlMs: 30 * dayMs,
    presenceTimeoutMs: integer(env.PRESENCE_TIMEOUT_SECONDS, 30, "PRESENCE_TIMEOUT_SECONDS") * 1000,
    presenceRefreshMs: 5_000,
    inviteTtlMs: integer(env.INVITE_TTL_DAYS, 14, "INVITE_TTL_DAYS") * dayMs,
    deletedHandleReservedMs: 30 * dayMs,
    iceServers: iceServers(env.ICE_SERVERS),
    webrtcListenersPerRoom: integer(
      env.WEBRTC_LISTENERS_PER_ROOM,
      defaultWebrtcListenersPerRoom,
      "WEBRTC_LISTENERS_PER_ROOM",
    ),
    mediaProcesses: Math.max(
      1,
      integer(env.MEDIA_PROCESSES, navigator.hardwareConcurrency, "MEDIA_PROCESSES"),
    ),
    natsUrl: natsUrl(env.NATS_URL),
    homeLeaseMs: Math.max(1, integer(env.HOME_LEASE_SECONDS, 5, "HOME_LEASE_SECONDS")) * 1000,
    webProcesses,
    modelTraining: {
      heartbeatMs: 10_000,
      staleMs: 2 * minuteMs,
      holdoutShare: 0.2,
      k: 20,
      maxMeasuredMembers: 5_000,
      workers: Math.max(1, Math.min(2, navigator.hardwareConcurrency)),
      parallelFromNonZeros: 50_000,
      tuningTrainings: 40,
    },
    notifications: {
      pingsPerMember: { max: 10, windowMs: 10 * minuteMs },
      pingsPerPair: { max: 1, windowMs: 10 * minuteMs },
      reminderLeadMs: 10 * minuteMs,
      sweepEveryMs: 30_000,
      keepMs: 90 * dayMs,
    },
    retention: { firstCheckAfterMs: minuteMs, checkEveryMs: hourMs, batchSize: 1_000 },
    // Hourly, as autovacuum would on a busy table; after the first run, unchanged pages cost nothing.
    // While rooms are live it waits, up to a day: a community with rooms at every hour still
    // gets its statistics refreshed.
    embeddedVacuum: {
      firstAfterMs: 2 * minuteMs,
      everyMs: hourMs,
      checkEveryMs: 5 * minuteMs,
      mostWaitMs: dayMs,
    },
    dataExports: {
      perMember: { max: 3, windowMs: dayMs },
      keepMs: 7 * dayMs,
      pollEveryMs: 10_000,
      staleMs: 2 * minuteMs,
      batchRows: 500,
      logEveryRows: 10_000,
    },
    rateLimits: {
      signIn: {
        perPair: { freeFailures: 1, firstDelayMs: 1_000, maxDelayMs: 15 * minuteMs },
        perAddress: { freeFailures: 10, firstDelayMs: 1_000, maxDelayMs: 15 * minuteMs },
        perHandle: { freeFailures: 10, waitStepMs: 100, maxWaitMs: 1_000 },
        forgetAfterMs: dayMs,
      },
      signUpPerAddress: { max: 10, windowMs: hourMs },
      signUpPerInvite: { max: 10, windowMs: hourMs },
      waitlistPerAddress: { max: 5, windowMs: hourMs },
      waitlistPerContact: { max: 2, windowMs: dayMs },
      invitesPerAccount: { max: 20, windowMs: hourMs },
      invitesPerAddress: { max: 40, windowMs: hourMs },
      roomsPerAccount: { max: 10, windowMs: hourMs },
      reportsPerAccount: { max: 20, windowMs: dayMs },
      // A calendar application refreshes a feed every few minutes at most; guessing gets nowhere.
      calendarFeedPerAddress: { max: 60, windowMs: hourMs },
      searchesPerAccount: { max: 120, windowMs: 10 * minuteMs },
      searchesPerAccountDaily: { max: 1_000, windowMs: dayMs },
    },
  };
}

/**
 * A room's media lives in one process, and the thread that mixes also hands the mix to every
 * connection's encoder: each WebRTC listener costs about 1.5% of a core there, ten speakers
 * about 35%. With twenty listeners a 10 ms frame took 6-15 ms of that thread whenever the web
 * process was busy too, and late frames made every listener's jitter buffer deeper; with ten
 * it keeps up. The rest hear the stream (about 50 ms later, and almost free per listener).
 */
export const defaultWebrtcListenersPerRoom = 10;

function integer(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new StartupError(`${name} must be a whole number, got "${value}"`);
  }
  return n;
}

/** `ALLOWED_HOSTS` (names separated by commas or spaces) and the host of `PUBLIC_ORIGIN`, lowercased. */
function allowedHosts(value: string | undefined, publicOrigin: string | undefined): string[] {
  const names = (value ?? "").split(/[\s,]+/).filter(Boolean).map((name) => {
    // A name with a port or a scheme is a mistake worth a clear refusal, not a silent mismatch.
    if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(name)) {
      throw new StartupError(
        `ALLOWED_HOSTS must list host names without scheme or port, got "${name}"`,
      );
    }
    return name.toLowerCase();
  });
  if (publicOrigin) {
    let url: URL;
    try {
      url = new URL(publicOrigin);
    } catch {
      throw new StartupError(`PUBLIC_ORIGIN must be an origin such as https://palabre.example.org`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new StartupError(
        `PUBLIC_ORIGIN must start with https:// or http://, got "${publicOrigin}"`,
      );
    }
    names.push(url.hostname);
  }
  return [...new Set(names)];
}

/** The addresses of this machine's interfaces, written as they appear in a URL's host. */
function machineAddresses(): string[] {
  try {
    return Deno.networkInterfaces().map(({ family, address }) =>
      family === "IPv6" ? `[${address.replace(/%.*$/, "")}]` : address
    );
  } catch {
    // Without --allow-sys only loopback names and ALLOWED_HOSTS are answered.
    return [];
  }
}

/** True for names that always mean this machine: localhost (and its subdomains) and loopback addresses. */
export function isLoopbackHost(hostname: string): boolean {
  const name = hostname.toLowerCase();
  return name === "localhost" || name.endsWith(".localhost") || name === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/**
 * What start-up says about the origin in force, and a warning when Palabre listens beyond
 * loopback without `PUBLIC_ORIGIN` (links then use whatever answered host a request named).
 */
export function originNotice(config: Config): { line: string; warning?: string } {
  if (config.publicOrigin) {
    return { line: `Origin: ${config.publicOrigin} (PUBLIC_ORIGIN)` };
  }
  const extra = config.allowedHosts.length > 0 ? `, ${config.allowedHosts.join(", ")}` : "";
  const line = "Origin: taken from each request's Host, answered only for localhost, loopback " +
    `addresses and this machine's own (${config.machineAddresses.join(", ") || "none found"})` +
    extra;
  const loopbackOnly = isLoopbackHost(config.hostname) || config.hostname === "::1";
  return loopbackOnly ? { line } : {
    line,
    warning: `Warning: listening on ${config.hostname} without PUBLIC_ORIGIN: set PUBLIC_ORIGIN ` +
      "to the address people use (e.g. https://palabre.example.org), or ALLOWED_HOSTS for more names",
  };
}

function port(value: string | undefined): number {
  const n = integer(value, 8000, "PORT");
  if (n > 65_535) throw new StartupError(`PORT must be at most 65535, got "${value}"`);
  return n;
}

/** `DATABASE_URL`, checked here because postgres.js repeats a bad one, password included. */
function databaseUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // The value itself may hold a password: it is not repeated.
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:") {
    throw new StartupError(
      "DATABASE_URL is not a PostgreSQL URL such as postgres://user:password@host:5432/database",
    );
  }
  return value;
}

/** `NATS_URL`: one server URL or several, comma-separated (nats://host:4222, tls://...). */
function natsUrl(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  for (const server of value.split(",")) {
    let protocol: string | undefined;
    try {
      protocol = new URL(server.trim()).protocol;
    } catch {
      // Said below, without repeating a value that may hold a password.
    }
    if (!["nats:", "tls:"].includes(protocol ?? "")) {
      throw new StartupError(
        "NATS_URL must list NATS server URLs such as nats://127.0.0.1:4222, comma-separated",
      );
    }
  }
  return value;
}

/** `ICE_SERVERS`: a JSON list such as `[{"urls":"turn:turn.example.org:3478","username":"u","credential":"p"}]`. */
export function iceServers(value: string | undefined): IceServer[] {
  if (value === undefined || value.trim() === "") return [];
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    throw new StartupError("ICE_SERVERS must be a JSON list of servers");
  }
  const isText = (v: unknown) => typeof v === "string" && v.length > 0;
  const valid = Array.isArray(list) &&
    list.every((server) =>
      typeof server === "object" && server !== null &&
      (isText(server.urls) || (Array.isArray(server.urls) && server.urls.every(isText))) &&
      (server.username === undefined || typeof server.username === "string") &&
      (server.credential === undefined || typeof server.credential === "string")
    );
  if (!valid) {
    throw new StartupError(
      'ICE_SERVERS must be a JSON list of {"urls", "username"?, "credential"?}',
    );
  }
  return (list as IceServer[]).map(({ urls, username, credential }) => ({
    urls,
    ...(username === undefined ? {} : { username }),
    ...(credential === undefined ? {} : { credential }),
  }));
}

/** The secret kept in `dataDir/secret.key`, written on first start with owner-only access. */
async function keptSecret(dataDir: string): Promise<string> {
  const path = join(dataDir, "secret.key");
  const existing = await readSecret(path);
  if (existing !== undefined) return existing;
  await createDataDir(dataDir);
  const secret = Array.from(crypto.getRandomValues(new Uint8Array(32)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  try {
    // createNew: two processes starting together keep whichever secret was written first.
    await Deno.writeTextFile(path, secret + "\n", { createNew: true, mode: 0o600 });
    return secret;
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return (await readSecret(path))!;
    throw new StartupError(
      `DATA_DIR ${dataDir} is not writable: cannot create secret.key (${reason(error)})`,
    );
  }
}

/** The secret in `path`, or undefined when there is no such file yet. */
async function readSecret(path: string): Promise<string | undefined> {
  try {
    return (await Deno.readTextFile(path)).trim();
  } catch (error) {
    // Not a directory: DATA_DIR's creation says what is wrong with its path.
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw new StartupError(`Cannot read ${path} (${reason(error)})`);
  }
}
