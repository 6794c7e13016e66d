/**
 * Live updates at room scale: 1,000 member sockets in one room (a separate process from the
 * server), one change, and the time until every page has its fragment; the same bytes sent by a
 * bare Deno WebSocket server in the same run; and how many changes a second the room sustains.
 *
 * @example
 * deno task bench live
 */
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { hashPassword } from "../db/passwords.ts";
import { insertMember } from "../db/users.ts";
import { joinRoom, publicRoomId, startRoom } from "../db/rooms.ts";
import { startSession } from "../db/sessions.ts";
import { setPicks } from "../db/topics.ts";
import type { ClientPlan, ClientResult } from "./live_clients.ts";
import { type BenchSection, count, markdownTable, ms, progress } from "./report.ts";

const members = Number(Deno.env.get("BENCH_LIVE_MEMBERS") ?? 1000);
const timedChanges = 30;
const burstChanges = 100;
const goalP95Ms = 250;
const name = "live";

export async function run(): Promise<BenchSection> {
  const dataDir = await Deno.makeTempDir({ prefix: "palabre-bench-live-" });
  const children: Deno.ChildProcess[] = [];
  try {
    progress(name, `seeding a room with ${members} members (embedded PGlite in ${dataDir})`);
    const seeded = await seed(dataDir);
    const pin = await pinning();

    progress(name, "starting Palabre");
    const palabrePort = freePort();
    const palabre = spawn([...pin.server, Deno.execPath(), "run", "-A", mainPath()], {
      DATA_DIR: dataDir,
      PORT: String(palabrePort),
      HOST: "127.0.0.1",
      SECRET_KEY: "bench",
      // Seating 1,000 members takes longer than the default 30 s: nobody must time out before
      // their socket opens.
      PRESENCE_TIMEOUT_SECONDS: "600",
    });
    children.push(palabre.child);
    await palabre.listening;
    const palabreOrigin = `http://127.0.0.1:${palabrePort}`;

    progress(name, `${members} sockets on Palabre: ${timedChanges} timed changes, then a burst`);
    const onPalabre = await clients(pin.client, {
      origin: palabreOrigin,
      socketPath: `/rooms/${seeded.publicId}/live`,
      cookies: seeded.memberCookies,
      watchers: [seeded.hostCookie],
      trigger: {
        path: `/rooms/${seeded.publicId}/act`,
        cookie: seeded.hostCookie,
        bodies: ["action=hands&enabled=off", "action=hands&enabled=on"],
      },
      markers: ["turned hands off", "Raise hand"],
      timedChanges,
      burstChanges,
    });

    progress(name, "the same bytes from a bare Deno WebSocket server");
    const framesFile = `${dataDir}/frames.json`;
    await Deno.writeTextFile(framesFile, JSON.stringify(onPalabre.frames));
    const basePort = freePort();
    const baseline = spawn([...pin.server, Deno.execPath(), "run", "-A", baselinePath()], {
      PORT: String(basePort),
      FRAMES: framesFile,
    });
    children.push(baseline.child);
    await baseline.listening;
    const onBaseline = await clients(pin.client, {
      origin: `http://127.0.0.1:${basePort}`,
      socketPath: "/ws",
      cookies: seeded.memberCookies.map(() => ""),
      watchers: [],
      trigger: { path: "/broadcast", cookie: "", bodies: ["0", "1"] },
      markers: ["turned hands off", "Raise hand"],
      timedChanges,
      burstChanges,
    });
    return section(onPalabre, onBaseline, pin.described);
  } finally {
    for (const child of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
    }
    await Deno.remove(dataDir, { recursive: true });
  }
}

interface Seeded {
  publicId: string;
  hostCookie: string;
  memberCookies: string[];
}

/** A host's live room with every member in its audience, each with a session. */
async function seed(dataDir: string): Promise<Seeded> {
  const db = await openDatabase({ dataDir });
  try {
    await migrate(db.sql);
    const hash = await hashPassword("bench password");
    const host = await db.sql.begin((tx) =>
      insertMember(tx, { handle: "host", displayName: "Host", password: "" }, hash, {
        isAdmin: true,
        invitedBy: null,
      })
    );
    await setPicks(db.sql, host.id, ["jazz", "chess", "film"]);
    const roomId = await startRoom(db.sql, host.id, {
      title: "A very large room",
      description: "",
      topics: ["jazz"],
      kind: "open",
    });
    const session = async (id: number) =>
      `palabre_session=${await startSession(db.sql, id, { ttlMs: 86_400_000 })}`;
    const memberCookies: string[] = [];
    for (let i = 0; i < members; i++) {
      const member = await db.sql.begin((tx) =>
        insertMember(tx, { handle: `member${i}`, displayName: `Member ${i}`, password: "" }, hash, {
          isAdmin: false,
          invitedBy: host.id,
        })
      );
      await joinRoom(db.sql, member.id, roomId);
      memberCookies.push(await session(member.id));
      if ((i + 1) % 250 === 0) progress(name, `  ${i + 1} members seated`);
    }
    return {
      publicId: await publicRoomId(db.sql, roomId),
      hostCookie: await session(host.id),
      memberCookies,
    };
  } finally {
    await db.close();
  }
}

async function clients(pin: string[], plan: ClientPlan): Promise<ClientResult> {
  const command = [...pin, Deno.execPath(), "run", "-A", clientsPath(), JSON.stringify(plan)];
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error("The member sockets' process failed");
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

function section(palabre: ClientResult, baseline: ClientResult, pinned: string): BenchSection {
  const p = stats(palabre.deliveriesMs);
  const b = stats(baseline.deliveriesMs);
  const palabreRate = palabre.burst.changes / palabre.burst.seconds;
  const baselineRate = baseline.burst.changes / baseline.burst.seconds;
  const problems = [];
  if (palabre.missed > 0) problems.push(`${palabre.missed} Palabre deliveries never arrived`);
  if (baseline.missed > 0) problems.push(`${baseline.missed} baseline deliveries never arrived`);
  const met = p.p95 < goalP95Ms;
  const rows = [
    ["Palabre room update", ...row(p), count(palabreRate), count(palabre.frameBytes)],
    ["bare Deno broadcast", ...row(b), count(baselineRate), count(baseline.frameBytes)],
  ];
  const body = [
    `Goal: p95 under ${goalP95Ms} ms for ${count(members)} viewers. **${
      met ? "Met" : "Not met"
    }**` +
    ` (p95 ${ms(p.p95)} ms; ${(p.p95 / Math.max(b.p95, 0.001)).toFixed(1)}× the bare` +
    ` broadcast's p95).`,
    "",
    markdownTable(
      ["Sender", "p50 ms", "p95 ms", "max ms", "changes/s", "frame bytes"],
      rows,
      ["left", "right", "right", "right", "right", "right"],
    ),
    "",
    `${count(palabre.opened)} member sockets, opened in ${ms(palabre.openMs)} ms, each` +
    ` a listener in one room. A change is the host turning hands off or on` +
    ` (\`POST /rooms/:id/act\`): one transaction and NOTIFY, then the server reads the room once,` +
    ` renders once per kind of viewer and sends every page its frame. Latency runs from sending` +
    ` the request to a page receiving the frame that shows the change, over ${timedChanges}` +
    ` changes one at a time (${count(palabre.deliveriesMs.length)} deliveries). "changes/s" sends` +
    ` ${burstChanges} changes back to back and divides by the time until every page shows the` +
    ` last one. The baseline sends the bytes Palabre sent for the same states from a bare` +
    ` \`Deno.upgradeWebSocket\` server with no database and no rendering. ${pinned}`,
  ].join("\n");
  return {
    title: "Live: one change to a room of 1,000 pages",
    summary: `p95 ${ms(p.p95)} ms to all ${count(members)} pages (bare broadcast` +
      ` ${ms(b.p95)} ms), ${count(palabreRate)} changes/s; goal p95 < ${goalP95Ms} ms` +
      ` ${met ? "met" : "not met"}`,
    body,
    problems,
  };
}

function row(s: { p50: number; p95: number; max: number }): string[] {
  return [ms(s.p50), ms(s.p95), ms(s.max)];
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

function spawn(command: string[], env: Record<string, string>) {
  const child = new Deno.Command(command[0], {
    args: command.slice(1),
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const listening = (async () => {
    let text = "";
    while (!/listening on/i.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${command.join(" ")} exited before listening:\n${text}`);
      text += value;
    }
    (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })().catch(() => {});
  })();
  return { child, listening };
}

/** Server on CPU 1 and clients on CPU 0 when `taskset` exists, so they do not share a core. */
async function pinning(): Promise<{ server: string[]; client: string[]; described: string }> {
  try {
    const ok = (await new Deno.Command("taskset", { args: ["-c", "0", "true"] }).output()).success;
    if (ok && navigator.hardwareConcurrency >= 2) {
      return {
        server: ["taskset", "-c", "1"],
        client: ["taskset", "-c", "0"],
        described: "The server ran pinned to CPU 1 and the member sockets to CPU 0 (`taskset`).",
      };
    }
  } catch {
    // No taskset here.
  }
  return { server: [], client: [], described: "The processes were not pinned (no `taskset`)." };
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

const mainPath = () => new URL("../main.ts", import.meta.url).pathname;
const baselinePath = () => new URL("./live_baseline.ts", import.meta.url).pathname;
const clientsPath = () => new URL("./live_clients.ts", import.meta.url).pathname;
