/**
 * Start-up tests run `main.ts` and `seed.ts` as real child processes on a DATA_DIR of their
 * own: one that runs until stopped (`startPalabre`), or one run to its end (`runToExit`).
 *
 * @example
 * await using palabre = await startPalabre({ DATA_DIR: dir });
 * const refused = await runToExit("main.ts", { DATA_DIR: dir });
 * refused.code; // 1
 */

const root = new URL("../../", import.meta.url).pathname;

/** What a finished process left behind. */
export interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `module` (`main.ts` or `seed.ts`) with `env` until it ends, at most `timeoutMs`;
 * `wrapper` is a command that runs the rest of the arguments (e.g. in a namespace).
 */
export async function runToExit(
  module: string,
  env: Record<string, string>,
  options: { args?: string[]; wrapper?: string[]; timeoutMs?: number } = {},
): Promise<Finished> {
  const [program, ...args] = [
    ...(options.wrapper ?? []),
    Deno.execPath(),
    "run",
    "--allow-all",
    root + module,
    ...(options.args ?? []),
  ];
  const output = await new Deno.Command(program, {
    args,
    env: quietEnv(env),
    clearEnv: true,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.timeoutMs ?? 120_000),
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

/** A running `main.ts`. */
export interface StartedPalabre {
  pid: number;
  port: number;
  origin: string;
  /** Everything it has written to stderr so far. */
  stderr(): string;
  /** SIGKILL: no clean-up of any kind, as in a crash. */
  kill(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A port nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts `main.ts` with `env` (on 127.0.0.1, a free port unless `PORT` is given) and waits until
 * it prints that it is listening; stopping it sends SIGTERM and waits for its end.
 */
export async function startPalabre(
  env: Record<string, string>,
  options: { denoFlags?: string[] } = {},
): Promise<StartedPalabre> {
  const port = Number(env.PORT ?? freePort());
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", ...(options.denoFlags ?? []), root + "main.ts"],
    env: quietEnv({ HOST: "127.0.0.1", PORT: String(port), ...env }),
    clearEnv: true,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const errors = (async () => {
    for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) stderr += text;
  })();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  const deadline = Date.now() + 90_000;
  while (!stdout.includes("listening on")) {
    const { value, done } = Date.now() > deadline ? { done: true, value: "" } : await lines.read();
    if (done) {
      await end("SIGKILL");
      throw new Error(`Palabre did not start:\n${stdout}\n${stderr}`);
    }
    stdout += value;
  }
  // Keep draining stdout so the child never blocks on a full pipe; `end` cancels it.
  (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })();
  return {
    pid: child.pid,
    port,
    origin: `http://127.0.0.1:${port}`,
    stderr: () => stderr,
    kill: () => end("SIGKILL"),
    [Symbol.asyncDispose]: () => end("SIGTERM"),
  };

  async function end(signal: Deno.Signal) {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
    await child.status;
    await Promise.all([lines.cancel(), errors]);
  }
}

/** A temporary directory that removes itself. */
export async function temporaryDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "palabre-startup-" });
  return {
    path,
    [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }),
  };
}

/**
 * Whether tests that need root (another user, a mount namespace) run here. Without root they
 * are skipped with a loud warning, except in CI (`CI=true`), where they run and fail.
 */
export function rootTestsIgnored(what: string): boolean {
  if (Deno.uid() === 0 || Deno.env.get("CI") === "true") return false;
  console.warn(`\n!!! Not running as root: ${what} is SKIPPED !!!\n`);
  return true;
}

/** The environment a child gets: the test's, without anything that would change Palabre. */
function quietEnv(env: Record<string, string>): Record<string, string> {
  const inherited = Deno.env.toObject();
  for (const name of ["DATABASE_URL", "SECRET_KEY", "PORT", "HOST", "DATA_DIR", "NO_COLOR"]) {
    delete inherited[name];
  }
  return { ...inherited, NO_COLOR: "1", ...env };
}

/** A process's listening sockets: TCP ports, and Unix socket paths. */
export interface Listening {
  tcpPorts: number[];
  unixPaths: string[];
}

/** The sockets `pid` listens on, from its open files and the kernel's socket tables. */
export async function listeningOf(pid: number): Promise<Listening> {
  const inodes = new Set<string>();
  for await (const entry of Deno.readDir(`/proc/${pid}/fd`)) {
    const target = await Deno.readLink(`/proc/${pid}/fd/${entry.name}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const tcpPorts: number[] = [];
  for (const table of ["tcp", "tcp6"]) {
    const rows = (await Deno.readTextFile(`/proc/${pid}/net/${table}`)).trim().split("\n");
    for (const row of rows.slice(1)) {
      const fields = row.trim().split(/\s+/);
      // st 0A is LISTEN; field 9 is the inode.
      if (fields[3] === "0A" && inodes.has(fields[9])) {
        tcpPorts.push(parseInt(fields[1].split(":")[1], 16));
      }
    }
  }
  const unixPaths: string[] = [];
  const rows = (await Deno.readTextFile(`/proc/${pid}/net/unix`)).trim().split("\n");
  for (const row of rows.slice(1)) {
    const [, , , flags, , , inode, path] = row.trim().split(/\s+/);
    // Flags 00010000 is __SO_ACCEPTCON: a listening socket.
    if (flags === "00010000" && inodes.has(inode) && path) unixPaths.push(path);
  }
  return { tcpPorts: [...new Set(tcpPorts)].sort((a, b) => a - b), unixPaths };
}
