/**
 * All the cores of one machine: with `WEB_PROCESSES` above 1, the first Palabre process starts
 * the others, each a whole node (its own JavaScript thread for pages and sockets, its own media
 * processes), all listening on the same port (`reusePort`: the kernel spreads connections over
 * them) and joined by the bus and the database like nodes on other machines. The first process
 * stops them when it stops; each ends by itself if the first one dies (its standard input
 * closes), and one that dies is started again.
 *
 * @example
 * const others = startOtherWebProcesses(config.webProcesses - 1);
 * await others.stop();
 */

/** Set in the processes the first one starts. */
const childMarker = "PALABRE_WEB_PROCESS";

/** Whether this process was started by another Palabre process of this machine. */
export function isOtherWebProcess(): boolean {
  return Deno.env.get(childMarker) !== undefined;
}

/**
 * In a process started by the first: ends this one when the first one is gone, even by SIGKILL
 * (the pipe to its standard input closes).
 *
 * @example
 * if (isOtherWebProcess()) endWithFirstProcess();
 */
export function endWithFirstProcess(): void {
  (async () => {
    for await (const _ of Deno.stdin.readable) { /* nothing is sent: only the end matters */ }
  })().finally(() => Deno.exit(0));
}

export interface OtherWebProcesses {
  pids(): number[];
  /** SIGTERM to each, and waits for them to stop (as the first process does on SIGTERM). */
  stop(): Promise<void>;
}

/**
 * Starts `count` more processes running this same main module with the same permissions.
 *
 * @example
 * const others = startOtherWebProcesses(1);
 */
export function startOtherWebProcesses(count: number): OtherWebProcesses {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const config = new URL("./deno.json", import.meta.url).pathname;
  let stopping = false;
  const children: { process: Deno.ChildProcess; stdin: WritableStreamDefaultWriter }[] = [];
  const start = (index: number) => {
    const process = new Deno.Command(Deno.execPath(), {
      // The permissions of `deno task start`; `--cached-only`: nothing is fetched from anywhere.
      args: [
        "run",
        "--cached-only",
        "--config",
        config,
        "--unstable-net",
        "--allow-net",
        "--allow-read",
        "--allow-write",
        "--allow-env",
        "--allow-sys",
        "--allow-ffi",
        "--allow-run",
        main,
      ],
      env: { [childMarker]: String(index + 1) },
      stdin: "piped",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    children[index] = { process, stdin: process.stdin.getWriter() };
    process.status.then((status) => {
      if (stopping) return;
      console.error(`Web process ${index + 2} ended (${status.code}); starting it again`);
      setTimeout(() => !stopping && start(index), 1000);
    });
  };
  for (let index = 0; index < count; index++) start(index);
  return {
    pids: () => children.map((child) => child.process.pid),
    async stop() {
      stopping = true;
      await Promise.all(children.map(async ({ process, stdin }) => {
        try {
          process.kill("SIGTERM");
        } catch {
          // Already gone.
        }
        await process.status;
        await stdin.close().catch(() => {});
      }));
    },
  };
}
