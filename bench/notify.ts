/**
 * Notification fan-out: a host with 10,000 followers, 1,000 of them with a page open (a bell
 * socket each, spread over client processes of their own so the clients are not what gives out
 * first), starts a room; the time from the host's request until each open page has its toast.
 * On embedded PGlite, and on PostgreSQL too when `BENCH_POSTGRES_URL` names a server (a database
 * of its own is made there, then dropped).
 *
 * @example
 * deno task bench notify
 * BENCH_NOTIFY_FOLLOWERS=2000 BENCH_NOTIFY_ONLINE=200 deno task bench notify  # a quick look
 */
import postgres from "postgres";
import { openDatabase, type Sql } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { hashPassword } from "../db/passwords.ts";
import { startSession } from "../db/sessions.ts";
import { setPicks } from "../db/topics.ts";
import { insertMember } from "../db/users.ts";
import { ClientProcesses, freePort, mainPath, pinning, spawn, stats, stop } from "./live.ts";
import { sharedNow } from "./live_clients.ts";
import { type BenchSection, count, markdownTable, ms, progress } from "./report.ts";

const followers = Number(Deno.env.get("BENCH_NOTIFY_FOLLOWERS") ?? 10_000);
const online = Number(Deno.env.get("BENCH_NOTIFY_ONLINE") ?? 1_000);
// 250 pages to a client process: four processes hold the thousand.
const pagesPerProcess = 250;
const timedStarts = 5;
const goalP95Ms = 1_000;
const deliveryTimeoutMs = 30_000;
const name = "notify";

interface Measured {
  database: string;
  opened: number;
  /** Every (start, page) time in ms, from sending the start to the page's toast. */
  deliveriesMs: number[];
  /** Per start, until the last open page had its toast. */
  everyPageMs: number[];
  /** Per start, until the host's request was answered (the insert of every notification). */
  requestMs: number[];
  missed: number;
}

export async function run(): Promise<BenchSection> {
  const pin = await pinning();
  const results = [await onPglite(pin)];
  const server = Deno.env.get("BENCH_POSTGRES_URL");
  if (server) results.push(await onPostgres(server, pin));
  return section(results, pin.described);
}

async function onPglite(pin: Awaited<ReturnType<typeof pinning>>): Promise<Measured> {
  const dataDir = await Deno.makeTempDir({ prefix: "palabre-bench-notify-" });
  try {
    const db = await openDatabase({ dataDir });
    let seeded: Seeded;
    try {
      await migrate(db.sql);
      seeded = await seed(db.sql, "embedded PGlite");
    } finally {
      await db.close();
    }
    return await measure(pin, "embedded PGlite", { DATA_DIR: dataDir }, seeded);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function onPostgres(
  server: string,
  pin: Awaited<ReturnType<typeof pinning>>,
): Promise<Measured> {
  const database = `palabre_bench_notify_${Date.now().toString(36)}_${Deno.pid}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  const dataDir = await Deno.makeTempDir({ prefix: "palabre-bench-notify-pg-" });
  await admin.unsafe(`create database ${database}`);
  try {
    const url = new URL(server);
    url.pathname = `/${database}`;
    const db = await openDatabase({ url: url.toString(), max: 4 });
    let seeded: Seeded;
    try {
      await migrate(db.sql);
      seeded = await seed(db.sql, "PostgreSQL");
    } finally {
      await db.close();
    }
    return await measure(
      pin,
      "PostgreSQL",
      { DATA_DIR: dataDir, DATABASE_URL: url.toString() },
      seeded,
    );
  } finally {
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.end();
    await Deno.remove(dataDir, { recursive: true });
  }
}

interface Seeded {
  hostCookie: string;
  onlineCookies: string[];
}

/** The host, `followers` members following them (in bulk), and sessions for `online` of them. */
async function seed(sql: Sql, where: string): Promise<Seeded> {
  progress(name, `seeding a host with ${count(followers)} followers (${where})`);
  const hash = await hashPassword("bench password");
  const host = await sql.begin((tx) =>
    insertMember(tx, { handle: "host", displayName: "The host", password: "" }, hash, {
      isAdmin: true,
      invitedBy: null,
    })
  );
  await setPicks(sql, host.id, ["jazz", "chess", "film"]);
  await sql`
    insert into users (handle, display_name, password_hash, invited_by, onboarded_at)
    select 'follower' || g, 'Follower ' || g, ${hash}, ${host.id}, now()
    from generate_series(1, ${followers}) g`;
  await sql`
    insert into follows (follower_id, followee_id)
    select id, ${host.id} from users where handle like 'follower%'`;
  const ids = await sql`
    select id from users where handle like 'follower%' order by random() limit ${online}`;
  const onlineCookies: string[] = [];
  for (const { id } of ids) {
    onlineCookies.push(
      `palabre_session=${await startSession(sql, Number(id), { ttlMs: 86_400_000 })}`,
    );
  }
  return {
    hostCookie: `palabre_session=${await startSession(sql, host.id, { ttlMs: 86_400_000 })}`,
    onlineCookies,
  };
}

/** Starts Palabre, opens the online followers' bells, and times `timedStarts` room starts. */
async function measure(
  pin: Awaited<ReturnType<typeof pinning>>,
  database: string,
  env: Record<string, string>,
  seeded: Seeded,
): Promise<Measured> {
  progress(name, `starting Palabre (${database})`);
  const port = freePort();
  const palabre = spawn([...pin.server, Deno.execPath(), "run", "-A", mainPath()], {
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    SECRET_KEY: "bench",
  });
  try {
    await palabre.listening;
    const origin = `http://127.0.0.1:${port}`;
    progress(name, `opening ${count(online)} bell sockets`);
    const clients = await ClientProcesses.start(pin.client, {
      origin,
      socketPath: "/notifications/live",
      cookies: seeded.onlineCookies,
      watchers: [],
    }, pagesPerProcess);
    try {
      const deliveriesMs: number[] = [];
      const everyPageMs: number[] = [];
      const requestMs: number[] = [];
      let missed = 0;
      // One start first, untimed: the server's first fan-out also plans its statements (and
      // PGlite compiles its code paths); the figures are for the starts after it.
      progress(name, "the host starts a first room, untimed");
      await clients.expect("“Warm-up”", () => startRoom(origin, seeded.hostCookie, "Warm-up"));
      for (let start = 0; start < timedStarts; start++) {
        const title = `Fan-out ${start + 1}`;
        progress(name, `the host starts “${title}”`);
        let sentAt = 0;
        const got = await clients.expect(`“${title}”`, async () => {
          sentAt = sharedNow();
          await startRoom(origin, seeded.hostCookie, title);
          requestMs.push(sharedNow() - sentAt);
        }, deliveryTimeoutMs);
        const times = got.arrived.filter((t): t is number => t !== null).map((t) => t - sentAt);
        missed += got.arrived.length - times.length;
        deliveriesMs.push(...times);
        if (times.length > 0) everyPageMs.push(Math.max(...times));
      }
      return { database, opened: clients.opened, deliveriesMs, everyPageMs, requestMs, missed };
    } finally {
      await clients.close();
    }
  } finally {
    await stop(palabre.child);
  }
}

async function startRoom(origin: string, cookie: string, title: string): Promise<void> {
  const response = await fetch(`${origin}/rooms`, {
    method: "POST",
    redirect: "manual",
    headers: {
      Origin: origin,
      Cookie: cookie,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ title, description: "", kind: "open", topics: "jazz" }),
  });
  await response.body?.cancel();
  if (response.status !== 303) throw new Error(`Starting “${title}” answered ${response.status}`);
}

function section(results: Measured[], pinned: string): BenchSection {
  const problems: string[] = [];
  const perStart = results.map((m) =>
    `- ${m.database}: ${m.everyPageMs.map((t) => ms(t)).join(", ")} ms until the last page, ` +
    `start by start; the request answered in ${m.requestMs.map((t) => ms(t)).join(", ")} ms.`
  );
  const rows = results.map((m) => {
    if (m.opened !== online) problems.push(`${m.database}: ${m.opened} of ${online} pages opened`);
    if (m.missed > 0) problems.push(`${m.database}: ${m.missed} toasts never arrived`);
    const d = stats(m.deliveriesMs);
    return [
      m.database,
      ms(stats(m.requestMs).p50),
      ms(d.p50),
      ms(d.p95),
      ms(d.max),
      ms(stats(m.everyPageMs).p95),
    ];
  });
  const verdicts = results.map((m) => {
    const p95 = stats(m.deliveriesMs).p95;
    return { database: m.database, p95, met: p95 < goalP95Ms };
  });
  const verdict = verdicts.map((v) =>
    `${v.database}: **${v.met ? "met" : "not met"}** (p95 ${ms(v.p95)} ms)`
  ).join("; ");
  const body = [
    `Goal: every online follower's page has its toast within p95 < ${ms(goalP95Ms)} ms. ` +
    verdict + ".",
    "",
    markdownTable(
      ["Database", "start request p50 ms", "p50 ms", "p95 ms", "max ms", "last page p95 ms"],
      rows,
      ["left", "right", "right", "right", "right", "right"],
    ),
    "",
    ...perStart,
    "",
    `A host with ${count(followers)} followers, ${count(online)} of whom have a page open (a` +
    ` bell socket each, ${pagesPerProcess} to a client process), starts a room` +
    ` (\`POST /rooms\`) once untimed, then ${timedStarts} times. The start's transaction writes one notification` +
    ` per follower in one INSERT ... SELECT and announces the range of ids; the server reads` +
    ` the range once for the members with a bell open and sends each page its count and toast.` +
    ` "start request" is until the host's request was answered; p50/p95/max run from sending it` +
    ` to each open page receiving its toast, over every (start, page); "last page p95" is the` +
    ` p95 over starts of the time until the last page had it. ${pinned}`,
  ].join("\n");
  return {
    title: `Notifications: a room started by a host with ${count(followers)} followers`,
    summary: verdicts.map((v) => `${v.database} toasts p95 ${ms(v.p95)} ms`).join("; ") +
      `; goal p95 < ${ms(goalP95Ms)} ms ${verdicts.every((v) => v.met) ? "met" : "not met"}`,
    body,
    problems,
  };
}
