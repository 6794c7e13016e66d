/**
 * The machine a benchmark ran on, as BENCHMARKS.md states it: figures mean little without it.
 *
 * @example
 * const machine = await describeMachine();
 * machine.cpu; // "AMD EPYC"
 */

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  deno: string;
  /** The commit benchmarked, with "+ changes" when the tree had uncommitted edits. */
  commit: string;
  date: string;
}

export async function describeMachine(): Promise<Machine> {
  return {
    cpu: await cpuModel(),
    cores: navigator.hardwareConcurrency,
    memoryGiB: Deno.systemMemoryInfo().total / 1024 ** 3,
    os: await osName(),
    deno: `${Deno.version.deno} (V8 ${Deno.version.v8}, TypeScript ${Deno.version.typescript})`,
    commit: await commit(),
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  };
}

async function cpuModel(): Promise<string> {
  const info = await readOrEmpty("/proc/cpuinfo");
  return /^model name\s*:\s*(.+)$/m.exec(info)?.[1].trim() ?? `unknown (${Deno.build.arch})`;
}

async function osName(): Promise<string> {
  const release = await readOrEmpty("/etc/os-release");
  const name = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1] ?? Deno.build.os;
  return `${name}, kernel ${Deno.osRelease()} (${Deno.build.arch})`;
}

async function commit(): Promise<string> {
  const git = async (...args: string[]) => {
    const out = await new Deno.Command("git", {
      args,
      cwd: new URL("..", import.meta.url),
      stdout: "piped",
      stderr: "null",
    }).output();
    return out.success ? new TextDecoder().decode(out.stdout).trim() : null;
  };
  try {
    const head = await git("rev-parse", "--short", "HEAD");
    if (head === null) return "unknown";
    const changes = await git("status", "--porcelain", "--untracked-files=no");
    return changes ? `${head} + uncommitted changes` : head;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "unknown (no git)";
    throw error;
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "";
    throw error;
  }
}

/** Milliseconds a fixed piece of work took (`speedCheck`). */
export interface SpeedCheckMs {
  /** Object and string churn like rendering pages, float loops like mixing audio. */
  compute: number;
  /** Random reads across 256 MiB, most of them missing the caches, like a database's pages. */
  memory: number;
}

/**
 * How long this machine takes for fixed pieces of work (each the best of three, after one
 * untimed round). The same code runs every time, so two runs' checks compare the machine's
 * speed at those moments: on a shared host, a page that reads the database was seen to cost
 * twice the CPU within an hour while a bare hello did not, and every figure moves with it.
 */
export function speedCheck(): SpeedCheckMs {
  return { compute: bestOfThree(compute), memory: bestOfThree(randomReads) };
}

function bestOfThree(work: () => number): number {
  work(); // compiled, optimised and its memory touched before it is timed
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    work();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

function compute(): number {
  let checksum = 0;
  for (let i = 0; i < 200_000; i++) {
    const row = { id: i, handle: `member${i}`, topics: [i % 7, i % 11, i % 13] };
    checksum += JSON.stringify(row).length;
  }
  const samples = new Float32Array(48_000);
  for (let pass = 0; pass < 100; pass++) {
    for (let i = 0; i < samples.length; i++) samples[i] = Math.sin((pass + i) * 0.001);
    for (let i = 0; i < samples.length; i++) checksum += samples[i] * 0.5;
  }
  return checksum;
}

let table: Int32Array | null = null;

function randomReads(): number {
  table ??= new Int32Array(64 * 1024 * 1024).fill(1);
  const mask = table.length - 1;
  let checksum = 0;
  let at = 12345;
  for (let i = 0; i < 4_000_000; i++) {
    // A linear congruential step: the same "random" places every run.
    at = (Math.imul(at, 1_103_515_245) + 12_345) | 0;
    checksum += table[(at >>> 6) & mask];
  }
  return checksum;
}
