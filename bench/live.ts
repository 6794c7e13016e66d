/**
 * Live updates at room scale: rooms of 1,000 and 5,000 member sockets (spread over client
 * processes of their own, so the clients are not what gives out first), one change at a time,
 * and the time until every page has the frame that shows it; the bytes each page gets for a
 * change, against the whole room a page gets when it connects (what every page got for every
 * change before changes were sent as parts); the same bytes sent by a bare Deno WebSocket server
 * in the same run; and how many changes a second each room sustains.
 *
 * @example
 * deno task bench live
 * BENCH_LIVE_MEMBERS=200,400 deno task bench live  # smaller rooms, for a quick look
 */
import { openDatabase, type Sql } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { hashPassword } from "../db/passwords.ts";
import { insertMember } from "../db/users.ts";
import { joinRoom, publicRoomId, startRoom } from "../db/rooms.ts";
import { startSession } from "../db/sessions.ts";
import { setPicks } from "../db/topics.ts";
import {
  type ClientCommand,
  type ClientPlan,
  type ClientReport,
  sharedNow,
} from "./live_clients.ts";
import { type BenchSection, count, markdownTable, median, ms, progress } from "./report.ts";

const sizes = (Deno.env.get("BENCH_LIVE_MEMBERS") ?? "1000,5000").split(",").map(Number);
// One client process per this many sockets.
const socketsPerProcess = 1000;
const timedChanges = 30;
const burstChanges = 100;
const goalP95Ms = 250;
const deliveryTimeoutMs = 10_000;
const name = "live";
// A change is the host turning hands off or on; a listener's frame for it says one of these.
const markers: [string, string] = ["turned hands off", "Raise hand"];

export async function run(): Promise<BenchSection> {
  const dataDir = await Deno.makeTempDir({ prefix: "palabre-bench-live-" });
  const children: Deno.ChildProcess[] = [];
  try {
    const rooms: SeededRoom[] = [];
    const db = await openDatabase({ dataDir });
    try {
      await migrate(db.sql);
      for (const [i, size] of sizes.entries()) rooms.push(await seed(db.sql, i, size));
    } finally {
      await db.close();
    }
    const pin = await pinning();

    progress(name, "starting Palabre");
    const palabrePort = freePort();
    const palabre = spawn([...pin.server, Deno.execPath(), "run", "-A", mainPath()], {
      DATA_DIR: dataDir,
      PORT: String(palabrePort),
      HOST: "127.0.0.1",
      SECRET_KEY: "bench",
      // Seating thousands of members takes longer than the default 30 s: nobody must time out
      // before their socket opens.
      PRESENCE_TIMEOUT_SECONDS: "600",
    });
    children.push(palabre.child);
    await palabre.listening;
    const origin = `http://127.0.0.1:${palabrePort}`;

    const results: SizeResult[] = [];
    for (const room of rooms) {
      const size = room.memberCookies.length;
      progress(name, `${size} sockets on Palabre: ${timedChanges} timed changes, then a burst`);
      const onPalabre = await measure(pin.client, {
        origin,
        socketPath: `/rooms/${room.publicId}/live`,
        cookies: room.memberCookies,
        watchers: [room.hostCookie],
      }, {
        path: `/rooms/${room.publicId}/act`,
        cookie: room.hostCookie,
        bodies: ["action=hands&enabled=off", "action=hands&enabled=on"],
      });
      const wholeBytes = await wholeRoomBytes(origin, room);

      progress(name, `the same bytes to ${size} sockets from a bare Deno WebSocket server`);
      const framesFile = `${dataDir}/frames-${size}.json`;
      await Deno.writeTextFile(framesFile, JSON.stringify(onPalabre.samples));
      const basePort = freePort();
      const baseline = spawn([...pin.server, Deno.execPath(), "run", "-A", baselinePath()], {
        PORT: String(basePort),
        FRAMES: framesFile,
      });
      children.push(baseline.child);
      await baseline.listening;
      const onBaseline = await measure(pin.client, {
        origin: `http://127.0.0.1:${basePort}`,
        socketPath: "/ws",
        cookies: room.memberCookies.map(() => ""),
        watchers: [],
      }, { path: "/broadcast", cookie: "", bodies: ["0", "1"] });
      await stop(baseline.child);
      results.push({ size, palabre: onPalabre, baseline: onBaseline, wholeBytes });
    }
    return section(results, pin.described);
  } finally {
    for (const child of children) await stop(child);
    await Deno.remove(dataDir, { recursive: true });
  }
}

interface SeededRoom {
  publicId: string;
  hostCookie: string;
  memberCookies: string[];
}

/** A host's live room (the `index`th) with `size` members of its own in its audience. */
async function seed(sql: Sql, index: number, size: number): Promise<SeededRoom> {
  progress(name, `seeding a room with ${size} members (embedded PGlite)`);
  const hash = await hashPassword("bench password");
  const host = await sql.begin((tx) =>
    insertMember(tx, { handle: `host${index}`, displayName: `Host ${index}`, password: "" }, hash, {
      isAdmin: index === 0,
      invitedBy: null,
    })
  );
  await setPicks(sql, host.id, ["jazz", "chess", "film"]);
  const roomId = await startRoom(sql, host.id, {
    title: `A room of ${size}`,
    description: "",
    topics: ["jazz"],
    kind: "open",
  });
  const session = async (id: number) =>
    `palabre_session=${await startSession(sql, id, { ttlMs: 86_400_000 })}`;
  const memberCookies: string[] = [];
  for (let i = 0; i < size; i++) {
    const member = await sql.begin((tx) =>
      insertMember(
        tx,
        { handle: `r${index}member${i}`, displayName: `Member ${index}.${i}`, password: "" },
        hash,
        { isAdmin: false, invitedBy: host.id },
      )
    );
    await joinRoom(sql, member.id, roomId);
    memberCookies.push(await session(member.id));
    if ((i + 1) % 1000 === 0) progress(name, `  ${i + 1} members seated`);
  }
  return {
    publicId: await publicRoomId(sql, roomId),
    hostCookie: await session(host.id),
    memberCookies,
  };
}

/** The request that makes change number `i`: the host's action, or the baseline's broadcast. */
interface Trigger {
  path: string;
  cookie: string;
  bodies: [string, string];
}

interface Measured {
  opened: number;
  openMs: number;
  /** Every (change, page) delivery time in ms, from sending the change to the frame. */
  deliveriesMs: number[];
  /** Per timed change, the time until the last page had its frame. */
  everyPageMs: number[];
  missed: number;
  /** The bytes of each page's frame for a change, every timed change. */
  pageBytes: number[];
  /** The bytes all pages got for one change, per timed change. */
  changeBytes: number[];
  burst: { changes: number; seconds: number };
  /** What the first page received for each of the two states, to replay in the baseline. */
  samples: [string, string];
}

/** Opens the plan's sockets over client processes, then times the changes and a burst. */
async function measure(pin: string[], plan: ClientPlan, trigger: Trigger): Promise<Measured> {
  const clients = await ClientProcesses.start(pin, plan);
  try {
    const deliveriesMs: number[] = [];
    const everyPageMs: number[] = [];
    const pageBytes: number[] = [];
    const changeBytes: number[] = [];
    const samples: [string, string] = ["", ""];
    let missed = 0;
    for (let change = 0; change < timedChanges; change++) {
      let sentAt = 0;
      const got = await clients.expect(markers[change % 2], async () => {
        sentAt = sharedNow();
        await send(plan.origin, trigger, change);
      });
      const times = got.arrived.filter((t): t is number => t !== null).map((t) => t - sentAt);
      missed += got.arrived.length - times.length;
      deliveriesMs.push(...times);
      everyPageMs.push(Math.max(...times));
      const bytes = got.bytes.filter((b): b is number => b !== null);
      pageBytes.push(...bytes);
      changeBytes.push(bytes.reduce((a, b) => a + b, 0));
      samples[change % 2] = got.sample;
    }

    // Back to back: each change as soon as the previous request is answered, then wait until
    // every page shows the last one.
    const burstStart = sharedNow();
    const finals = await clients.expect(markers[(burstChanges - 1) % 2], async () => {
      for (let change = 0; change < burstChanges; change++) {
        await send(plan.origin, trigger, change);
      }
    });
    const lastAt = Math.max(...finals.arrived.map((t) => t ?? sharedNow()));
    return {
      opened: clients.opened,
      openMs: clients.openMs,
      deliveriesMs,
      everyPageMs,
      missed,
      pageBytes,
      changeBytes,
      burst: { changes: burstChanges, seconds: (lastAt - burstStart) / 1000 },
      samples,
    };
  } finally {
    await clients.close();
  }
}

/**
 * The client processes holding one plan's sockets, `perProcess` each (`socketsPerProcess` unless
 * told); bench/notify.ts holds its pages with them too.
 */
export class ClientProcesses {
  opened = 0;
  openMs = 0;
  #processes: ClientProcess[] = [];

  static async start(
    pin: string[],
    plan: ClientPlan,
    perProcess = socketsPerProcess,
  ): Promise<ClientProcesses> {
    const group = new ClientProcesses();
    const startedAt = performance.now();
    try {
      // One process after another: thousands of pages opening at once is a restart, not this.
      for (let from = 0; from < plan.cookies.length; from += perProcess) {
        const process = new ClientProcess(pin, {
          ...plan,
          cookies: plan.cookies.slice(from, from + perProcess),
          watchers: from === 0 ? plan.watchers : [],
        });
        group.#processes.push(process);
        const report = await process.next();
        if (!("opened" in report)) throw new Error("A client process did not open its sockets");
        group.opened += report.opened;
      }
    } catch (error) {
      await group.close();
      throw error;
    }
    group.openMs = performance.now() - startedAt;
    return group;
  }

  /** Arms every process for `marker`, runs `act`, and gathers when each page saw it. */
  async expect(marker: string, act: () => Promise<void>, timeoutMs = deliveryTimeoutMs) {
    const command: ClientCommand = { expect: marker, timeoutMs };
    await Promise.all(this.#processes.map(async (p) => {
      await p.tell(command);
      if (!("armed" in await p.next())) throw new Error("A client process did not arm");
    }));
    await act();
    const reports = await Promise.all(this.#processes.map((p) => p.next()));
    const arrived: (number | null)[] = [];
    const bytes: (number | null)[] = [];
    for (const report of reports) {
      if (!("arrived" in report)) throw new Error("A client process did not report arrivals");
      arrived.push(...report.arrived);
      bytes.push(...report.bytes);
    }
    const first = reports[0];
    return { arrived, bytes, sample: "sample" in first ? first.sample : "" };
  }

  async close(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.close()));
  }
}

/** One client process: commands on its stdin, reports read line by line from its stdout. */
class ClientProcess {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #reader: ReadableStreamDefaultReader<string>;
  #buffered = "";

  constructor(pin: string[], plan: ClientPlan) {
    const command = [...pin, Deno.execPath(), "run", "-A", clientsPath(), JSON.stringify(plan)];
    this.#child = new Deno.Command(command[0], {
      args: command.slice(1),
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.#child.stdin.getWriter();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  async tell(command: ClientCommand): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
  }

  async next(): Promise<ClientReport> {
    let end;
    while ((end = this.#buffered.indexOf("\n")) < 0) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("A client process ended early");
      this.#buffered += value;
    }
    const line = this.#buffered.slice(0, end);
    this.#buffered = this.#buffered.slice(end + 1);
    return JSON.parse(line);
  }

  async close(): Promise<void> {
    try {
      await this.tell({ close: true });
      await this.#writer.close();
    } catch {
      // Already gone: the status below says how.
    }
    await this.#reader.cancel().catch(() => {});
    await this.#child.status;
  }
}

/**
 * The whole room as a page gets it on connecting, in bytes: what every page got for every change
 * before changes went out as the parts they changed.
 */
async function wholeRoomBytes(origin: string, room: SeededRoom): Promise<number> {
  const url = `${origin.replace(/^http/, "ws")}/rooms/${room.publicId}/live`;
  const socket = new WebSocket(url, { headers: { Origin: origin, Cookie: room.memberCookies[0] } });
  try {
    return await new Promise<number>((resolve, reject) => {
      socket.onmessage = (event) => resolve(String(event.data).length);
      socket.onerror = () => reject(new Error("The whole-room socket failed"));
    });
  } finally {
    socket.close();
  }
}

async function send(origin: string, trigger: Trigger, change: number): Promise<void> {
  const response = await fetch(origin + trigger.path, {
    method: "POST",
    redirect: "manual",
    headers: {
      Origin: origin,
      Cookie: trigger.cookie,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: trigger.bodies[change % 2],
  });
  await response.body?.cancel();
  if (response.status >= 400) throw new Error(`change ${change} refused: ${response.status}`);
}

interface SizeResult {
  size: number;
  palabre: Measured;
  baseline: Measured;
  wholeBytes: number;
}

function section(results: SizeResult[], pinned: string): BenchSection {
  const problems = [];
  const rows: string[][] = [];
  for (const r of results) {
    for (const [sender, m] of [["Palabre", r.palabre], ["bare Deno", r.baseline]] as const) {
      if (m.missed > 0) {
        problems.push(`${m.missed} ${sender} deliveries to ${r.size} never arrived`);
      }
      const d = stats(m.deliveriesMs);
      rows.push([
        count(r.size),
        sender,
        ms(d.p50),
        ms(d.p95),
        ms(stats(m.everyPageMs).p95),
        ms(d.max),
        count(m.burst.changes / m.burst.seconds),
        count(median(m.pageBytes)),
        count(median(m.changeBytes)),
      ]);
    }
  }
  const largest = results.at(-1)!;
  const largestP95 = stats(largest.palabre.everyPageMs).p95;
  const met = largestP95 < goalP95Ms;
  const wholeLines = results.map((r) => {
    const change = median(r.palabre.changeBytes);
    return `- ${count(r.size)} pages: the whole room is ${count(r.wholeBytes)} bytes a page, so` +
      ` ${count(r.wholeBytes * r.size)} bytes a change sent whole; sent as parts, a change took` +
      ` ${count(change)} bytes (${(r.wholeBytes * r.size / Math.max(change, 1)).toFixed(0)}×` +
      ` fewer).`;
  });
  const body = [
    `Goal: p95 under ${goalP95Ms} ms until every one of ${count(largest.size)} pages has its` +
    ` update. **${met ? "Met" : "Not met"}** (p95 ${ms(largestP95)} ms).`,
    "",
    markdownTable(
      [
        "Pages",
        "Sender",
        "p50 ms",
        "p95 ms",
        "every page p95 ms",
        "max ms",
        "changes/s",
        "bytes a page",
        "bytes a change",
      ],
      rows,
      ["right", "left", "right", "right", "right", "right", "right", "right", "right"],
    ),
    "",
    "A change sends each page only the parts of the room it changed (here a listener's own" +
    " controls); before, every page got the whole room for every change. The whole room, as a" +
    " page gets it on connecting, measured in the same run:",
    "",
    ...wholeLines,
    "",
    `Each row is one room whose members' sockets (${socketsPerProcess} to a client process)` +
    ` are each a listener, plus the host's page. A change is the host turning hands off or on` +
    ` (\`POST /rooms/:id/act\`): one transaction and NOTIFY, then the server reads the room once,` +
    ` renders once per kind of viewer and sends every page what changed for it. "p50/p95/max"` +
    ` run from sending the request to a page receiving the frame that shows the change, over` +
    ` ${timedChanges} changes one at a time; "every page p95" is the p95 over those changes of` +
    ` the time until the last page had it. "changes/s" sends ${burstChanges} changes back to` +
    ` back and divides by the time until every page shows the last one. "bytes a page" is the` +
    ` median frame a page got for a change, "bytes a change" the median sum over all pages.` +
    ` The bare Deno rows send the bytes Palabre sent for the same states from a bare` +
    ` \`Deno.upgradeWebSocket\` server with no database and no rendering. ${pinned}`,
  ].join("\n");
  return {
    title: `Live: one change to rooms of ${results.map((r) => count(r.size)).join(" and ")} pages`,
    summary:
      results.map((r) =>
        `${count(r.size)} pages: every page in p95 ${ms(stats(r.palabre.everyPageMs).p95)} ms,` +
        ` ${count(median(r.palabre.pageBytes))} bytes a page (whole room ${count(r.wholeBytes)})`
      ).join("; ") + `; goal p95 < ${goalP95Ms} ms ${met ? "met" : "not met"}`,
    body,
    problems,
  };
}

export function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
}

export function spawn(command: string[], env: Record<string, string>) {
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

export async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch {
    // Already gone.
  }
  await child.status;
}

/** Server on CPU 1 and clients on CPU 0 when `taskset` exists, so they do not share a core. */
export async function pinning(): Promise<
  { server: string[]; client: string[]; described: string }
> {
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

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export const mainPath = () => new URL("../main.ts", import.meta.url).pathname;
const baselinePath = () => new URL("./live_baseline.ts", import.meta.url).pathname;
const clientsPath = () => new URL("./live_clients.ts", import.meta.url).pathname;
