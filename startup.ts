/**
 * What stops Palabre from starting, said to the operator in one line: a `StartupError` names
 * what is wrong and where, and `exitOnStartupError` prints it and ends the process with exit
 * code 1. Anything else is a bug and keeps its stack.
 *
 * @example
 * const config = await startupStep(() => loadConfig(Deno.env.toObject()));
 */

/** A start-up failure the operator can fix; its message is the whole report. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/**
 * Runs one step of the start; a `StartupError` from it runs `undo` (what earlier steps opened)
 * and ends the process (`exitOnStartupError`).
 *
 * @example
 * const db = await startupStep(() => openDatabase({ dataDir: "./data" }));
 * await startupStep(() => refuseUnlistenablePort({ hostname, port }), () => db.close());
 */
export function startupStep<T>(
  step: () => T | Promise<T>,
  undo?: () => Promise<void>,
): Promise<T> {
  return Promise.resolve().then(step).catch(async (error) => {
    if (error instanceof StartupError) await undo?.();
    return exitOnStartupError(error);
  });
}

/**
 * Ends the process with the error's one line and exit code 1 when it is a `StartupError`;
 * rethrows anything else.
 *
 * @example
 * await main().catch(exitOnStartupError);
 */
export function exitOnStartupError(error: unknown): never {
  if (!(error instanceof StartupError)) throw error;
  console.error(error.message);
  Deno.exit(1);
}

/**
 * Refuses to go on when the HTTP port cannot be listened on: checked early in the start, before
 * migrations run and anything is served, so the refusal can be said in one line.
 *
 * @example
 * refuseUnlistenablePort({ hostname: "0.0.0.0", port: 8000 });
 */
export function refuseUnlistenablePort(options: { hostname: string; port: number }): void {
  const { hostname, port } = options;
  let listener: Deno.Listener;
  try {
    listener = Deno.listen({ hostname, port });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new StartupError(`Port ${port} on ${hostname} is already in use`);
    }
    throw new StartupError(`Cannot listen on ${hostname} port ${port} (${reason(error)})`);
  }
  listener.close();
}

/** The operating system's words ("Read-only file system"), without Deno's "(os error 30): open ..." tail. */
export function reason(error: unknown): string {
  return String(error instanceof Error ? error.message : error).replace(
    / \(os error \d+\).*$/s,
    "",
  );
}
