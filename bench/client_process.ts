/**
 * A benchmark's client process: a script in bench/ started with its plan as argument, JSON lines
 * both ways (its plan first), optionally pinned to CPUs and niced, always stopped when disposed of, and stopped by
 * the guard (processes.ts `guardProcess`) if the benchmark is killed first.
 *
 * @example
 * await using speakers = new ClientProcess("audio_speakers.ts", plan, { cpu: "0" });
 * await speakers.next("ready");
 */
import { jsonLine, jsonLines } from "../media/json_lines.ts";
import { guardProcess } from "./processes.ts";

const repoRoot = new URL("..", import.meta.url).pathname;

/**
 * One of the clients' processes: JSON lines both ways, its plan the first line it reads (as an
 * argument, thousands of session cookies would pass the kernel's limit on one argument's size).
 */
export class ClientProcess implements AsyncDisposable {
  #child: Deno.ChildProcess;
  #lines: AsyncGenerator<unknown>;
  #input: WritableStreamDefaultWriter<Uint8Array>;
  #guarded: Disposable;

  constructor(
    readonly file: string,
    plan: unknown,
    { cpu, niceness = 0 }: { cpu?: string; niceness?: number } = {},
  ) {
    const script = new URL(`./${file}`, import.meta.url).pathname;
    const deno = [Deno.execPath(), "run", "--allow-all", script];
    const niced = niceness ? ["nice", "-n", String(niceness), ...deno] : deno;
    const [command, ...args] = cpu ? ["taskset", "-c", cpu, ...niced] : niced;
    this.#child = new Deno.Command(command, {
      args,
      cwd: repoRoot,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#guarded = guardProcess(this.#child.pid);
    this.#lines = jsonLines(this.#child.stdout);
    this.#input = this.#child.stdin.getWriter();
    this.#input.write(jsonLine(plan)).catch(() => {/* it ended: `next` says so */});
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Its next line; `what` names it in the error if the process ends first. */
  async next(what: string): Promise<unknown> {
    const { done, value } = await this.#lines.next();
    if (done) throw new Error(`bench/${this.file} ended without its ${what}`);
    return value;
  }

  send(message: unknown): Promise<void> {
    return this.#input.write(jsonLine(message));
  }

  endInput(): Promise<void> {
    return this.#input.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#input.close().catch(() => {});
    try {
      this.#child.kill();
    } catch {
      // It has ended.
    }
    await this.#child.status;
    this.#guarded[Symbol.dispose]();
  }
}
