/**
 * One room across three Palabre nodes on this machine (one PostgreSQL, one nats-server): what
 * the relay adds to a stream listener's latency (each batch's arrival at listeners on the other
 * nodes against its arrival at listeners on the room's home, in one process's clock), CPU per
 * stream listener on each node against one node holding them all, and how long a room takes to be
 * heard again after its home is killed with SIGKILL.
 *
 * Needs PostgreSQL (`BENCH_POSTGRES_URL`, else `TEST_DATABASE_URL`: a database is made and dropped
 * there) and Debian's nats-server.
 *
 * @example
 * BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres deno task bench nodes
 */
import postgres from "postgres";
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { hashPassword } from "../db/passwords.ts";
import { insertMember } from "../db/users.ts";
import { joinRoom, publicRoomId, startRoom } from "../db/rooms.ts";
import { startSession } from "../db/sessions.ts";
import { decodeBatch } from "../media/broadcast.ts";
import { ClientProcess } from "./client_process.ts";
import type { FromStreamListeners, StreamListenersPlan } from "./audio_stream_listeners.ts";
import {
  freePort,
  guardProcess,
  processTree,
  type RunningServer,
  startServer,
  temporaryDirectory,
  treeCpuSeconds,
} from "./processes.ts";
import {
  type BenchSection,
  count,
  markdownTable,
  median,
  ms,
  percent,
  progress,
} from "./report.ts";

const name = "nodes";
const repoRoot = new URL("..", import.meta.url).pathname;
const latencyListenersPerNode = 10;
const latencySeconds = 15;
const cpuListeners = Number(Deno.env.get("BENCH_NODES_LISTENERS") ?? 1500);
const cpuSeconds = 20;
const failovers = Number(Deno.env.get("BENCH_NODES_FAILOVERS") ?? 6);
const goals = { relayP95Ms: 20, cpuWithin: 0.1, failoverP95Ms: 8_000 };

interface Seeded {
  publicId: string;
  cookies: string[];
}

export async function run(): Promise<BenchSection> {
  const adminUrl = Deno.env.get("BENCH_POSTGRES_URL") ?? Deno.env.get("TEST_DATABASE_URL");
  if (!adminUrl) {
    throw new Error(
      "needs PostgreSQL: set BENCH_POSTGRES_URL (or TEST_DATABASE_URL) to a server where it may create a database",
    );
  }
  const database = `bench_nodes_${Deno.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await using dataDir = await temporaryDirectory("palabre-bench-nodes-");
  await using nats = await startNats();
  const nodes: RunningServer[] = [];
  try {
    progress(name, `seeding a room with ${cpuListeners} listeners on PostgreSQL`);
    const seeded = await seed(url.href);
    const env = {
      ...Deno.env.toObject(),
      DATABASE_URL: url.href,
      NATS_URL: nats.url,
      DATA_DIR: dataDir.path,
      HOST: "127.0.0.1",
      SECRET_KEY: "bench-nodes",
      MEDIA_PROCESSES: "1",
      // Nobody here opens the live socket that keeps presence: seats must outlast the run.
      PRESENCE_TIMEOUT_SECONDS: "7200",
      WEBRTC_LISTENERS_PER_ROOM: "0",
    };
    const startNode = (i: number) =>
      startServer({
        name: `Palabre node ${i + 1}`,
        args: ["run", "--allow-all", "main.ts"],
        cwd: repoRoot,
        env,
      });
    progress(name, "starting three nodes");
    nodes.push(...await Promise.all([0, 1, 2].map(startNode)));

    progress(
      name,
      `relay: ${latencyListenersPerNode} stream listeners a node, ${latencySeconds} s`,
    );
    const relay = await relayLatency(nodes, seeded);

    progress(name, `CPU: ${cpuListeners} stream listeners on one node, then over three`);
    const single = await cpuPerListener([nodes[0]], seeded);
    const spread = await cpuPerListener(nodes, seeded);

    progress(name, `failover: the home killed ${failovers} times`);
    const backMs = await failover(url.href, nodes, seeded, startNode);

    return report(relay, single, spread, backMs);
  } finally {
    await Promise.all(nodes.map((node) => node[Symbol.asyncDispose]()));
    await admin.unsafe(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}

async function seed(databaseUrl: string): Promise<Seeded> {
  const db = await openDatabase({ url: databaseUrl, max: 4 });
  try {
    await migrate(db.sql);
    const hash = await hashPassword("bench password");
    const member = (handle: string, isAdmin: boolean, invitedBy: number | null) =>
      db.sql.begin((tx) =>
        insertMember(tx, { handle, displayName: handle, password: "" }, hash, {
          isAdmin,
          invitedBy,
        })
      );
    const host = await member("host", true, null);
    const roomId = await startRoom(db.sql, host.id, {
      title: "One room, three nodes",
      description: "",
      topics: ["jazz"],
      kind: "open",
    });
    const cookies: string[] = [];
    const listeners = Math.max(cpuListeners, 3 * latencyListenersPerNode);
    for (let i = 0; i < listeners; i++) {
      const { id } = await member(`listener${i}`, false, host.id);
      await joinRoom(db.sql, id, roomId);
      cookies.push(`palabre_session=${await startSession(db.sql, id, { ttlMs: 86_400_000 })}`);
      if ((i + 1) % 500 === 0) progress(name, `  ${i + 1} listeners seated`);
    }
    return { publicId: await publicRoomId(db.sql, roomId), cookies };
  } finally {
    await db.close();
  }
}

/** A page listening by stream on `origin`, noting when each batch arrived (by its sequence). */
class ArrivalListener {
  arrivals = new Map<number, number>();
  #socket: WebSocket | null = null;
  #closed = false;
  batchesSince = 0;

  constructor(readonly origin: string, readonly publicId: string, readonly cookie: string) {}

  /** Resolves once the stream comes; reconnects like a page when the socket drops. */
  listen(): Promise<void> {
    const streaming = Promise.withResolvers<void>();
    const socket = new WebSocket(
      `${this.origin.replace(/^http/, "ws")}/rooms/${this.publicId}/voice`,
      { headers: { Origin: this.origin, Cookie: this.cookie } },
    );
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    socket.onmessage = (event) => {
      if (typeof event.data === "string") {
        const type = JSON.parse(event.data).type;
        if (type === "state") socket.send(JSON.stringify({ type: "listen" }));
        if (type === "stream") streaming.resolve();
        return;
      }
      this.batchesSince++;
      const { firstSequence } = decodeBatch(new Uint8Array(event.data));
      if (!this.arrivals.has(firstSequence)) this.arrivals.set(firstSequence, performance.now());
    };
    socket.onclose = (event) => {
      streaming.reject(new Error(`The voice socket closed (${event.code})`));
      if (this.#closed || this.#socket !== socket) return;
      // As a page does: the same node again shortly.
      setTimeout(() => !this.#closed && this.listen().catch(() => {}), 200);
    };
    return streaming.promise;
  }

  close(): void {
    this.#closed = true;
    this.#socket?.close();
  }
}

interface Relay {
  /** Added by the relay for each batch: median arrival on another node minus on the home. */
  addedMs: number[];
  batches: number;
}

async function relayLatency(nodes: RunningServer[], seeded: Seeded): Promise<Relay> {
  const byNode: ArrivalListener[][] = nodes.map(() => []);
  let next = 0;
  // The first listener, on the first node, places the room there: it is the home.
  for (const [i, node] of nodes.entries()) {
    for (let j = 0; j < latencyListenersPerNode; j++) {
      const listener = new ArrivalListener(
        `http://127.0.0.1:${node.port}`,
        seeded.publicId,
        seeded.cookies[next++],
      );
      await listener.listen();
      byNode[i].push(listener);
    }
  }
  await pause(latencySeconds * 1000);
  for (const listener of byNode.flat()) listener.close();
  const medianArrival = (listeners: ArrivalListener[], sequence: number) => {
    const times = listeners.map((l) => l.arrivals.get(sequence)).filter((t) => t !== undefined);
    return times.length === listeners.length ? median(times as number[]) : null;
  };
  const addedMs: number[] = [];
  let batches = 0;
  for (const sequence of byNode[0][0].arrivals.keys()) {
    const home = medianArrival(byNode[0], sequence);
    if (home === null) continue;
    batches++;
    for (const others of byNode.slice(1)) {
      const there = medianArrival(others, sequence);
      if (there !== null) addedMs.push(there - home);
    }
  }
  return { addedMs, batches };
}

interface CpuStep {
  /** Stream listeners on each node. */
  listeners: number[];
  /** CPU of each node's process tree over the window, in cores. */
  cores: number[];
  /** Packets delivered against those sent. */
  delivered: number;
}

/**
 * `cpuListeners` stream listeners spread evenly over `nodes` (the first holds the room), held by
 * three client processes whatever the spread, so that the clients cost the same in both steps.
 */
async function cpuPerListener(nodes: RunningServer[], seeded: Seeded): Promise<CpuStep> {
  const clientCount = 3;
  const shares = nodes.map((_, i) =>
    Math.floor(cpuListeners / nodes.length) + (i < cpuListeners % nodes.length ? 1 : 0)
  );
  const clients: { process: ClientProcess; listeners: number }[] = [];
  let from = 3 * latencyListenersPerNode;
  try {
    for (const [i, node] of nodes.entries()) {
      const perClient = clientCount / nodes.length;
      for (let c = 0; c < perClient; c++) {
        const take = Math.floor(shares[i] / perClient) + (c < shares[i] % perClient ? 1 : 0);
        const cookies = seeded.cookies.slice(from, from + take);
        from += take;
        const plan: StreamListenersPlan = {
          origin: `http://127.0.0.1:${node.port}`,
          publicId: seeded.publicId,
          cookies,
          sampled: false,
        };
        const process = new ClientProcess("audio_stream_listeners.ts", plan);
        clients.push({ process, listeners: cookies.length });
        await process.send({ op: "connect", count: cookies.length });
        const connected = await process.next("connected") as FromStreamListeners & {
          op: "connected";
        };
        if (connected.failed > 0) {
          throw new Error(`${connected.failed} listeners were turned away (${connected.error})`);
        }
      }
    }
    await pause(3_000);
    const counts = async () =>
      await Promise.all(clients.map(async ({ process }) => {
        await process.send({ op: "count" });
        return await process.next("counts") as FromStreamListeners & { op: "counts" };
      }));
    const cpuBefore = await Promise.all(nodes.map((node) => treeCpuSeconds(node.pid)));
    const before = await counts();
    const startedAt = performance.now();
    await pause(cpuSeconds * 1000);
    const after = await counts();
    const cpuAfter = await Promise.all(nodes.map((node) => treeCpuSeconds(node.pid)));
    const seconds = (performance.now() - startedAt) / 1000;
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const packets = sum(after.map((c, i) => sum(c.packets) - sum(before[i].packets)));
    // 50 packets a second for each listener (20 ms Opus packets), over each client's own window.
    const expected = sum(
      clients.map(({ listeners }, i) => listeners * 50 * (after[i].at - before[i].at) / 1000),
    );
    return {
      listeners: shares,
      cores: nodes.map((_, i) => ((cpuAfter[i] ?? 0) - (cpuBefore[i] ?? 0)) / seconds),
      delivered: packets / expected,
    };
  } finally {
    await Promise.all(clients.map(({ process }) => process[Symbol.asyncDispose]()));
    await pause(2_000);
  }
}

/**
 * Each time: a listener on every node, the room's home killed with SIGKILL, and the time until
 * every listener on a surviving node has its stream again; the killed node is started again.
 */
async function failover(
  databaseUrl: string,
  nodes: RunningServer[],
  seeded: Seeded,
  startNode: (i: number) => Promise<RunningServer>,
): Promise<number[]> {
  const backMs: number[] = [];
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (let round = 0; round < failovers; round++) {
      const listeners = nodes.map((node, i) =>
        new ArrivalListener(`http://127.0.0.1:${node.port}`, seeded.publicId, seeded.cookies[i])
      );
      await Promise.all(listeners.map((listener) => listener.listen()));
      await pause(1_000);
      const [home] = await sql`select node_id from room_homes where lease_until > now()`;
      const homeIndex = nodeIndexOf(nodes, home?.node_id);
      if (homeIndex < 0) throw new Error("The room has no home on a running node");
      const killedAt = performance.now();
      for (const pid of (await processTree(nodes[homeIndex].pid)).reverse()) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await nodes[homeIndex].kill("SIGKILL");
      const survivors = listeners.filter((_, i) => i !== homeIndex);
      for (const listener of survivors) listener.batchesSince = 0;
      // Back when every survivor has a batch again after its reconnection.
      const deadline = killedAt + 60_000;
      while (survivors.some((listener) => latestAfter(listener, killedAt) === null)) {
        if (performance.now() > deadline) throw new Error("No stream 60 s after the home died");
        await pause(20);
      }
      backMs.push(Math.max(...survivors.map((l) => latestAfter(l, killedAt)!)) - killedAt);
      for (const listener of listeners) listener.close();
      nodes[homeIndex] = await startNode(homeIndex);
      progress(name, `  round ${round + 1}: back after ${ms(backMs.at(-1)!)} ms`);
      await pause(1_000);
    }
  } finally {
    await sql.end();
  }
  return backMs;
}

/** The first arrival after `time` of a batch newer than any before it. */
function latestAfter(listener: ArrivalListener, time: number): number | null {
  let first: number | null = null;
  for (const at of listener.arrivals.values()) {
    if (at > time + 100 && (first === null || at < first)) first = at;
  }
  return first;
}

/** Which of `nodes` is the node named `nodeId` (each says its name when it starts). */
function nodeIndexOf(nodes: RunningServer[], nodeId: string | undefined): number {
  if (!nodeId) return -1;
  return nodes.findIndex((node) => node.output().includes(`Node ${nodeId}`));
}

interface Nats extends AsyncDisposable {
  url: string;
}

async function startNats(): Promise<Nats> {
  const port = freePort();
  const child = new Deno.Command("nats-server", {
    args: ["-a", "127.0.0.1", "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const guarded = guardProcess(child.pid);
  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error("nats-server did not start");
      await pause(50);
    }
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
      guarded[Symbol.dispose]();
    },
  };
}

function report(relay: Relay, single: CpuStep, spread: CpuStep, backMs: number[]): BenchSection {
  const p = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  };
  const perListener = (step: CpuStep, i: number) => step.cores[i] / step.listeners[i];
  const singlePer = perListener(single, 0);
  const relayP95 = p(relay.addedMs, 0.95);
  const failoverP95 = p(backMs, 0.95);
  const edgeRatio = ((perListener(spread, 1) + perListener(spread, 2)) / 2) / singlePer;
  const homeRatio = perListener(spread, 0) / singlePer;
  const cpuRows = [
    [
      "one node",
      count(single.listeners[0]),
      single.cores[0].toFixed(2),
      `${(singlePer * 100).toFixed(4)}%`,
      "1.00",
      percent(single.delivered),
    ],
    ...spread.cores.map((cores, i) => [
      i === 0 ? "three nodes: the home" : `three nodes: node ${i + 1}`,
      count(spread.listeners[i]),
      cores.toFixed(2),
      `${(perListener(spread, i) * 100).toFixed(4)}%`,
      (perListener(spread, i) / singlePer).toFixed(2),
      i === 0 ? percent(spread.delivered) : "",
    ]),
  ];
  const problems: string[] = [];
  if (single.delivered < 0.995 || spread.delivered < 0.995) {
    problems.push("stream listeners lost packets: the CPU figures are not of a served room");
  }
  return {
    title: "One room on three nodes",
    summary: `relay adds p95 ${ms(relayP95)} ms (goal < ${goals.relayP95Ms}); ` +
      `CPU per listener ${edgeRatio.toFixed(2)}x on other nodes, ${homeRatio.toFixed(2)}x on the ` +
      `home (goal within ${goals.cpuWithin * 100}%); failover p50 ${ms(p(backMs, 0.5))} ms, p95 ` +
      `${ms(failoverP95)} ms (goal < ${goals.failoverP95Ms / 1000} s)`,
    body: [
      "Three `main.ts` nodes on this machine, one PostgreSQL, one nats-server; one room, placed on " +
      "node 1 by its first listener (node 1 is its home: the room's media process and the stream's " +
      "one publisher). Stream listeners, not WebRTC: the room's audience at scale.",
      "",
      `**What the relay adds.** ${latencyListenersPerNode} stream listeners on each node, ` +
      `${latencySeconds} s, one process's clock: each batch's median arrival on nodes 2 and 3 ` +
      `minus its median arrival on the home (${count(relay.batches)} batches): p50 ` +
      `${ms(p(relay.addedMs, 0.5))} ms, p95 **${ms(relayP95)} ms**, max ` +
      `${ms(Math.max(...relay.addedMs))} ms (goal p95 < ${goals.relayP95Ms} ms).`,
      "",
      `**CPU per stream listener.** ${count(cpuListeners)} listeners (cheap clients, ` +
      `bench/audio_stream_listeners.ts), first all on one node, then a third on each; each node's ` +
      `process tree over ${cpuSeconds} s (the home's includes its media process).`,
      "",
      markdownTable(
        ["", "listeners", "cores", "a listener", "against one node", "packets"],
        cpuRows,
        ["left", "right", "right", "right", "right", "right"],
      ),
      "",
      `**Failover.** ${backMs.length} times: a stream listener on every node, the room's home ` +
      `killed with SIGKILL (its process tree), the time until every listener on a surviving node ` +
      `has the stream again (its page reconnects; the room is placed on a live node). p50 ` +
      `${ms(p(backMs, 0.5))} ms, p95 **${ms(failoverP95)} ms**, each: ` +
      `${backMs.map((v) => ms(v)).join(", ")} ms (goal p95 < ${goals.failoverP95Ms / 1000} s).`,
    ].join("\n"),
    problems,
  };
}

function pause(msToWait: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, msToWait));
}
