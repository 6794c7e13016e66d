/**
 * The load generator: a fixed number of keep-alive HTTP/1.1 connections to 127.0.0.1, each
 * sending one GET at a time (closed loop, like wrk) for a warm-up and then a measured window,
 * timing every response. It runs in its own process, pinned to its own core when `taskset`
 * allows, so it never shares a process with the server it measures.
 *
 * It speaks HTTP/1.1 over `Deno.connect` itself: Deno's `fetch` tops out near 14k requests/s
 * on one core here, too slow to load even a bare `Deno.serve`, so it would measure itself.
 *
 * @example
 * const result = await loadTest({ port: 8000, path: "/", connections: 64, ...timing });
 * result.requestsPerSecond; // 41234.5
 */
import { cpuSeconds, guardProcess, machineBusySeconds } from "./processes.ts";

export interface LoadOptions {
  port: number;
  /** Path and query, e.g. `/@bench`. */
  path: string;
  /** Extra request headers, e.g. `{ Cookie: "palabre_session=..." }`. */
  headers?: Record<string, string>;
  connections: number;
  warmupMs: number;
  durationMs: number;
  /** How long a single response may take before the run is cut short. */
  requestTimeoutMs: number;
  /** Upper bound on requests sent in one run, whatever the duration. */
  maxRequests: number;
  /** The server's process id, to measure the CPU time it spends in the window. */
  serverPid?: number;
  /** A CPU list for `taskset -c` (e.g. "0"); unpinned when absent. */
  cpu?: string;
}

export interface LoadResult {
  /** Responses completed within the measured window. */
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Responses whose status was not 200, by status. */
  statuses: Record<string, number>;
  nonOk: number;
  /** Connections that failed, closed early or timed out. */
  transportErrors: number;
  firstError: string | null;
  /** Mean response size, headers included. */
  bytesPerResponse: number;
  /** CPU seconds per wall second in the window (1 = one core busy); null without /proc. */
  serverCpu: number | null;
  /** The load generator's own process. */
  clientCpu: number | null;
  /** Every other process on the machine: anything well above 0 disturbed the run. */
  otherCpu: number | null;
}

const maxReconnectsPerConnection = 20;

/**
 * Runs the generator in a new process (pinned to `options.cpu` when given) and returns what it
 * measured.
 */
export async function loadTest(options: LoadOptions): Promise<LoadResult> {
  // --allow-all: Deno lets a script read /proc (for CPU times) only with every permission.
  const deno = [Deno.execPath(), "run", "--allow-all"];
  const script = new URL(import.meta.url).pathname;
  const argv = [...deno, script, JSON.stringify(options)];
  const [command, ...args] = options.cpu ? ["taskset", "-c", options.cpu, ...argv] : argv;
  const child = new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).spawn();
  using _guarded = guardProcess(child.pid);
  const killer = setTimeout(
    () => child.kill("SIGKILL"),
    options.warmupMs + options.durationMs + options.requestTimeoutMs + 30_000,
  );
  try {
    const output = await child.output();
    if (!output.success) {
      throw new Error(
        `Load generator failed (exit ${output.code}): ${new TextDecoder().decode(output.stderr)}`,
      );
    }
    return JSON.parse(new TextDecoder().decode(output.stdout)) as LoadResult;
  } finally {
    clearTimeout(killer);
  }
}

/** One keep-alive connection's loop, bounded by the deadline and by `budget.left`. */
async function connectionLoop(
  options: LoadOptions,
  window: Window,
  tally: Tally,
  budget: { left: number },
): Promise<void> {
  const request = new TextEncoder().encode(
    `GET ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\n` +
      Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
      "\r\n",
  );
  let reconnects = 0;
  while (performance.now() < window.endsAt && budget.left > 0) {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port: options.port });
    } catch (error) {
      tally.transportError(error);
      if (++reconnects > maxReconnectsPerConnection) return;
      continue;
    }
    window.open.add(conn);
    conn.setNoDelay(true);
    const reader = new ResponseReader(conn);
    try {
      while (performance.now() < window.endsAt && budget.left-- > 0) {
        const startedAt = performance.now();
        await conn.write(request);
        const response = await reader.next();
        const finishedAt = performance.now();
        if (startedAt >= window.measuredFrom && finishedAt <= window.endsAt) {
          tally.response(response.status, response.bytes, finishedAt - startedAt);
        }
        if (response.close) break;
      }
    } catch (error) {
      if (!window.cutShort) tally.transportError(error);
      if (++reconnects > maxReconnectsPerConnection) return;
    } finally {
      window.open.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed by the deadline guard.
      }
    }
  }
}

interface Window {
  measuredFrom: number;
  endsAt: number;
  open: Set<Deno.TcpConn>;
  cutShort: boolean;
}

class Tally {
  latenciesMs: number[] = [];
  bytes = 0;
  statuses: Record<string, number> = {};
  nonOk = 0;
  transportErrors = 0;
  firstError: string | null = null;

  response(status: number, bytes: number, latencyMs: number): void {
    this.latenciesMs.push(latencyMs);
    this.bytes += bytes;
    if (status !== 200) {
      this.nonOk++;
      this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    }
  }

  transportError(error: unknown): void {
    this.transportErrors++;
    this.firstError ??= error instanceof Error ? error.message : String(error);
  }
}

interface Response {
  status: number;
  bytes: number;
  close: boolean;
}

const cr = 13;
const lf = 10;

/** Reads HTTP/1.1 responses (Content-Length or chunked) one after another from a connection. */
class ResponseReader {
  #conn: Deno.Conn;
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  #decoder = new TextDecoder();

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  async next(): Promise<Response> {
    const headEnd = await this.#until(() => this.#find(this.#start, [cr, lf, cr, lf]));
    const head = this.#decoder.decode(this.#buffer.subarray(this.#start, headEnd));
    const status = Number(head.slice(9, 12));
    const close = /\r\nconnection:\s*close/i.test(head);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    let bytes = headEnd - this.#start;
    this.#start = headEnd;
    if (length) {
      bytes += await this.#skip(Number(length[1]));
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      for (let size = -1; size !== 0;) {
        const lineEnd = await this.#until(() => this.#find(this.#start, [cr, lf]));
        size = parseInt(this.#decoder.decode(this.#buffer.subarray(this.#start, lineEnd)), 16);
        if (Number.isNaN(size)) throw new Error("Malformed chunk size");
        bytes += lineEnd - this.#start;
        this.#start = lineEnd;
        bytes += await this.#skip(size + 2);
      }
    } else if (status !== 204 && status !== 304 && !(status >= 100 && status < 200)) {
      throw new Error(`Response ${status} has neither Content-Length nor chunked body`);
    }
    return { status, bytes, close };
  }

  /** Index just past `pattern` from `from`, or -1. */
  #find(from: number, pattern: number[]): number {
    const last = this.#end - pattern.length;
    outer: for (let i = from; i <= last; i++) {
      for (let j = 0; j < pattern.length; j++) {
        if (this.#buffer[i + j] !== pattern[j]) continue outer;
      }
      return i + pattern.length;
    }
    return -1;
  }

  async #until(found: () => number): Promise<number> {
    for (;;) {
      const at = found();
      if (at >= 0) return at;
      await this.#fill();
    }
  }

  async #skip(count: number): Promise<number> {
    let left = count;
    for (;;) {
      const take = Math.min(left, this.#end - this.#start);
      this.#start += take;
      left -= take;
      if (left === 0) return count;
      await this.#fill();
    }
  }

  async #fill(): Promise<void> {
    if (this.#start === this.#end) {
      this.#start = this.#end = 0;
    } else if (this.#end === this.#buffer.length) {
      const kept = this.#buffer.subarray(this.#start, this.#end);
      const buffer = kept.length * 2 > this.#buffer.length
        ? new Uint8Array(this.#buffer.length * 2)
        : this.#buffer;
      buffer.set(kept.slice());
      this.#buffer = buffer;
      this.#end -= this.#start;
      this.#start = 0;
    }
    const n = await this.#conn.read(this.#buffer.subarray(this.#end));
    if (n === null) throw new Error("Server closed the connection mid-response");
    this.#end += n;
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function generate(options: LoadOptions): Promise<LoadResult> {
  const startedAt = performance.now();
  const window: Window = {
    measuredFrom: startedAt + options.warmupMs,
    endsAt: startedAt + options.warmupMs + options.durationMs,
    open: new Set(),
    cutShort: false,
  };
  const tally = new Tally();
  const budget = { left: options.maxRequests };
  // A server that stops answering must not hold the run forever: close what is still open.
  const guard = setTimeout(() => {
    window.cutShort = true;
    tally.transportError(new Error("A response took longer than the request timeout"));
    for (const conn of window.open) conn.close();
  }, options.warmupMs + options.durationMs + options.requestTimeoutMs);

  const cpu: { atStart?: CpuSample } = {};
  const cpuSampler = setTimeout(
    async () => cpu.atStart = await sampleCpu(options),
    options.warmupMs,
  );

  await Promise.all(
    Array.from(
      { length: options.connections },
      () => connectionLoop(options, window, tally, budget),
    ),
  );
  clearTimeout(guard);
  clearTimeout(cpuSampler);
  const seconds = (Math.min(performance.now(), window.endsAt) - window.measuredFrom) / 1000;
  const cpuAtEnd = await sampleCpu(options);
  const perSecond = (key: keyof CpuSample) => {
    const from = cpu.atStart?.[key];
    const to = cpuAtEnd[key];
    return from == null || to === null || seconds <= 0 ? null : (to - from) / seconds;
  };
  const [serverCpu, clientCpu, machineCpu] = [
    perSecond("server"),
    perSecond("client"),
    perSecond("machine"),
  ];

  const sorted = Float64Array.from(tally.latenciesMs).sort();
  return {
    requests: sorted.length,
    seconds,
    requestsPerSecond: seconds > 0 ? sorted.length / seconds : 0,
    p50Ms: percentile(sorted, 0.5),
    p90Ms: percentile(sorted, 0.9),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
    statuses: tally.statuses,
    nonOk: tally.nonOk,
    transportErrors: tally.transportErrors,
    firstError: tally.firstError,
    bytesPerResponse: sorted.length > 0 ? tally.bytes / sorted.length : 0,
    serverCpu,
    clientCpu,
    otherCpu: machineCpu === null || serverCpu === null || clientCpu === null
      ? null
      : Math.max(0, machineCpu - serverCpu - clientCpu),
  };
}

interface CpuSample {
  server: number | null;
  client: number | null;
  machine: number | null;
}

async function sampleCpu(options: LoadOptions): Promise<CpuSample> {
  return {
    server: options.serverPid === undefined ? null : await cpuSeconds(String(options.serverPid)),
    client: await cpuSeconds("self"),
    machine: await machineBusySeconds(),
  };
}

if (import.meta.main) {
  const options = JSON.parse(Deno.args[0]) as LoadOptions;
  console.log(JSON.stringify(await generate(options)));
}
