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
