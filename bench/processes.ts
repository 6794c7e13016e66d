/**
 * Servers under test as child processes that are always stopped, temporary directories that are
 * always removed, and the small facts about processes the benchmarks report (CPU time, memory).
 *
 * @example
 * await using dir = await temporaryDirectory("palabre-bench-");
 * await using server = await startServer({ name: "hello", args: ["bench/hello_server.ts"] });
 * await fetch(`http://127.0.0.1:${server.port}/`);
 * // both are gone here, whatever happened in between
 */

export interface ServerOptions {
  /** For progress lines and error messages. */
  name: string;
  /** Arguments to `deno`, e.g. `["run", "-A", "main.ts"]`. */
  args: string[];
  /** The environment; `PORT` is added. */
  env?: Record<string, string>;
  cwd?: string;
  /** A CPU list for `taskset -c` (e.g. "1"); unpinned when absent. */
  cpu?: string;
  startTimeoutMs?: number;
}

export interface RunningServer extends AsyncDisposable {
  name: string;
  port: number;
  pid: number;
  /** The first and last lines the server printed, for error messages. */
  output(): string;
  /** Whether it has ended, on its own or stopped. */
  exited(): boolean;
  /** Sends `signal` (a crash: SIGKILL) and waits for the end, without calling it a death. */
  kill(signal: Deno.Signal): Promise<void>;
}

export interface TemporaryDirectory extends AsyncDisposable {
  path: string;
}

const outputKeptBytes = 16 * 1024;
const stopTimeoutMs = 10_000;
// Servers and directories not yet disposed of, newest last, for `cleanUpEverything`.
const live = new Set<AsyncDisposable>();

/** Starts `deno <args>` with a free `PORT` and resolves once it answers HTTP on 127.0.0.1. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = freePort();
  const deno = [Deno.execPath(), ...options.args];
  const [command, ...args] = options.cpu ? ["taskset", "-c", options.cpu, ...deno] : deno;
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    env: { ...options.env, PORT: String(port) },
    clearEnv: options.env !== undefined,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // The first lines (what went wrong first) and the last, for error messages.
  let head = "";
  let tail = "";
  let cut = false;
  const keep = async (stream: ReadableStream<Uint8Array>) => {
    // Always read: a full pipe would block the server mid-benchmark.
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      if (head.length < outputKeptBytes) head += text;
      else {
        cut ||= tail.length + text.length > outputKeptBytes;
        tail = (tail + text).slice(-outputKeptBytes);
      }
    }
  };
  const drained = Promise.all([keep(child.stdout), keep(child.stderr)]);
  const output = () => (head + (cut ? "\n[...]\n" : "") + tail).trim();
  const guarded = guardProcess(child.pid);
  let exited = false;
  let stopping = false;
  const status = child.status.then(async (s) => {
    exited = true;
    guarded[Symbol.dispose]();
    if (!stopping) {
      // Died under load: what it said last is the only clue the benchmark's figures will lack.
      await drained;
      console.error(`${options.name} exited on its own (${s.signal ?? s.code}):\n${output()}`);
    }
    return s;
  });

  const server: RunningServer = {
    name: options.name,
    port,
    pid: child.pid,
    output,
    exited: () => exited,
    async kill(signal: Deno.Signal) {
      stopping = true;
      const family = (await processTree(child.pid)).slice(1);
      if (!exited) child.kill(signal);
      await status;
      await drainedOrKilled(options.name, drained, family);
    },
    async [Symbol.asyncDispose]() {
      live.delete(server);
      stopping = true;
      const family = (await processTree(child.pid)).slice(1);
      if (!exited) {
        child.kill("SIGTERM");
        const killer = setTimeout(() => !exited && child.kill("SIGKILL"), stopTimeoutMs);
        await status;
        clearTimeout(killer);
      }
      await drainedOrKilled(options.name, drained, family);
    },
  };
  live.add(server);
  try {
    await untilAnswering(server, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    await server[Symbol.asyncDispose]();
    throw error;
  }
  return server;
}

/**
 * Waits for a server's output to close once it has ended. A child it left running (a media
 * process) still holds that output: after `stopTimeoutMs`, the processes in `family` (noted before
 * the server was stopped) still alive are killed, and that is said, so a benchmark never waits
 * forever on what a server left behind.
 */
async function drainedOrKilled(
  name: string,
  drained: Promise<unknown>,
  family: number[],
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => timer = setTimeout(resolve, stopTimeoutMs, "late"));
  const outcome = await Promise.race([drained, late]);
  clearTimeout(timer);
  if (outcome !== "late") return;
  const left = family.filter((pid) => signalIfAlive(pid, "SIGKILL"));
  console.error(`${name} left ${left.length} processes running after it ended; killed them`);
  await drained;
}

/** Sends `name` to `pid`; false when no such process is left. */
function signalIfAlive(pid: number, name: Deno.Signal): boolean {
  try {
    Deno.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends the benchmark's processes when the benchmark itself is killed, even by SIGKILL, where no
 * handler of ours runs: a shell, started once, notes the process ids it is given on its stdin and
 * stops those still noted when that stdin closes, as it does when this process ends in any way.
 */
const guardScript = `
trap '' INT
pids=" "
while read -r line; do
  case "$line" in
    +*) pids="$pids\${line#+} " ;;
    -*) pids=$(echo "$pids" | sed "s/ \${line#-} / /") ;;
  esac
done
for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
for _ in 1 2 3 4 5 6 7 8 9 10; do
  alive=""
  for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
  [ -z "$alive" ] && exit 0
  sleep 1
done
for pid in $alive; do kill -KILL "$pid" 2>/dev/null; done
`;
let guard: WritableStreamDefaultWriter<Uint8Array> | null = null;
// Notes one after another, so that "-pid" never overtakes its "+pid".
let guardWriting = Promise.resolve();

function tellGuard(line: string): void {
  if (!guard) {
    const child = new Deno.Command("sh", {
      args: ["-c", guardScript],
      stdin: "piped",
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    // It must not keep this process alive: it ends when this process has.
    child.unref();
    guard = child.stdin.getWriter();
  }
  const writer = guard;
  const bytes = new TextEncoder().encode(line + "\n");
  guardWriting = guardWriting.then(() => writer.write(bytes)).catch(() => {
    // The guard is gone (killed with us by Ctrl-C): `cleanUpEverything` stops what is left.
  });
}

/**
 * Stops process `pid` (with SIGTERM, then SIGKILL after 10 s) if this process ends before the
 * returned handle is disposed of: for every process a benchmark starts.
 *
 * @example
 * using _guarded = guardProcess(child.pid);
 */
export function guardProcess(pid: number): Disposable {
  tellGuard(`+${pid}`);
  let released = false;
  return {
    [Symbol.dispose]() {
      if (released) return;
      released = true;
      tellGuard(`-${pid}`);
    },
  };
}

/**
 * Stops every server still running and removes every temporary directory, newest first: for a
 * signal handler or a crash, when `await using` does not get to run.
 */
export async function cleanUpEverything(): Promise<void> {
  for (const resource of [...live].reverse()) await resource[Symbol.asyncDispose]();
}

async function untilAnswering(server: RunningServer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exited()) {
      throw new Error(`${server.name} exited before it listened:\n${server.output()}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/`, {
        redirect: "manual",
        signal: AbortSignal.timeout(5_000),
      });
      await response.body?.cancel();
      return;
    } catch {
      // Not listening yet (or still starting up): try again shortly, until the deadline.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`${server.name} did not answer within ${timeoutMs} ms:\n${server.output()}`);
}

/** A port nothing listens on right now (the kernel picks it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A new directory under the system temp dir, removed with everything in it on dispose. */
export async function temporaryDirectory(prefix: string): Promise<TemporaryDirectory> {
  const path = await Deno.makeTempDir({ prefix });
  const directory: TemporaryDirectory = {
    path,
    async [Symbol.asyncDispose]() {
      live.delete(directory);
      await Deno.remove(path, { recursive: true }).catch((error) => {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      });
    },
  };
  live.add(directory);
  return directory;
}

/**
 * Two CPU lists, one for the server and one for the load generator, when this machine has two
 * cores or more and `taskset` works; null otherwise (everything runs unpinned).
 */
export async function cpuPinning(): Promise<{ server: string; client: string } | null> {
  const cores = navigator.hardwareConcurrency;
  if (cores < 2) return null;
  try {
    const probe = await new Deno.Command("taskset", {
      args: ["-c", "0", "true"],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!probe.success) return null;
  } catch {
    return null;
  }
  // The last core serves; the others generate load.
  return { server: String(cores - 1), client: cores === 2 ? "0" : `0-${cores - 2}` };
}

/** User plus system CPU seconds a process has used so far, or null without /proc. */
export async function cpuSeconds(pid: string): Promise<number | null> {
  const stat = await readProc(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/**
 * `pid` and every process under it (Palabre starts media processes), or just `pid` without
 * /proc. Read at the moment of the call.
 */
export async function processTree(pid: number): Promise<number[]> {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    const tasks = await readDirectory(`/proc/${tree[i]}/task`);
    for (const task of tasks) {
      const children = await readProc(`/proc/${tree[i]}/task/${task}/children`);
      for (const child of children?.trim().split(/\s+/) ?? []) {
        if (child) tree.push(Number(child));
      }
    }
  }
  return tree;
}

/** CPU seconds of `pid` and every process under it, or null without /proc. */
export async function treeCpuSeconds(pid: number): Promise<number | null> {
  let total = 0;
  for (const member of await processTree(pid)) {
    const seconds = await cpuSeconds(String(member));
    if (seconds === null) return member === pid ? null : total;
    total += seconds;
  }
  return total;
}

/** Resident memory of `pid` and every process under it in MiB, or null without /proc. */
export async function treeResidentMiB(pid: number): Promise<number | null> {
  let total = 0;
  for (const member of await processTree(pid)) {
    const mib = await residentMiB(member);
    if (mib === null) return member === pid ? null : total;
    total += mib;
  }
  return total;
}

/** CPU seconds all cores together have spent busy since boot, or null without /proc. */
export async function machineBusySeconds(): Promise<number | null> {
  const stat = await readProc("/proc/stat");
  if (stat === null) return null;
  // "cpu  user nice system idle iowait irq softirq steal ...": everything but idle and iowait.
  const ticks = stat.slice(0, stat.indexOf("\n")).trim().split(/\s+/).slice(1, 9).map(Number);
  return (ticks.reduce((a, b) => a + b, 0) - ticks[3] - ticks[4]) / ticksPerSecond;
}

/** Cores the whole machine kept busy over the next `ms`, or null without /proc. */
export async function busyCores(ms: number): Promise<number | null> {
  const before = await machineBusySeconds();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = await machineBusySeconds();
  return before === null || after === null ? null : (after - before) / (ms / 1000);
}

/** Resident memory of a process in MiB, or null without /proc. */
export async function residentMiB(pid: number): Promise<number | null> {
  const status = await readProc(`/proc/${pid}/status`);
  const kib = status === null ? null : /^VmRSS:\s+(\d+) kB/m.exec(status);
  return kib ? Number(kib[1]) / 1024 : null;
}

async function readDirectory(path: string): Promise<string[]> {
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(path)) names.push(entry.name);
    return names;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

// USER_HZ, the unit of /proc's CPU times: 100 on every Linux that Deno runs on.
const ticksPerSecond = 100;

/** A /proc file (Deno reads these only with --allow-all), or null where there is no /proc. */
async function readProc(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}
