/**
 * A NATS server for tests: Debian's `nats-server`, on loopback (or `host`) and a free port.
 *
 * @example
 * const nats = await startNats();
 * startProcess(db.url!, { env: { NATS_URL: nats.url } });
 * await nats.stop();
 */
import { databaseKinds } from "./databases.ts";

export interface NatsServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Whether `nats-server` is installed. */
function natsServerFound(): boolean {
  try {
    return new Deno.Command("nats-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/**
 * What tests of several processes lack to run here (a real PostgreSQL, nats-server), or null; said
 * loudly when missing, and an error with CI=true, where nothing may be skipped.
 *
 * @example
 * const missing = manyNodesMissing("many-node tests");
 * Deno.test({ name, ignore: missing !== null, fn });
 */
export function manyNodesMissing(what: string): string | null {
  const missing = !databaseKinds.includes("postgres")
    ? "TEST_DATABASE_URL"
    : !natsServerFound()
    ? "nats-server"
    : null;
  if (missing) {
    if (Deno.env.get("CI") === "true") throw new Error(`The ${what} need ${missing} in CI`);
    console.warn(`\n!!! Skipping the ${what}: ${missing} is missing !!!\n`);
  }
  return missing;
}

function freePort(host: string): number {
  const listener = Deno.listen({ hostname: host, port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Starts nats-server and waits until it accepts connections. */
export async function startNats(host = "127.0.0.1"): Promise<NatsServer> {
  const port = freePort(host);
  const child = new Deno.Command("nats-server", {
    args: ["-a", host, "-p", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      (await Deno.connect({ hostname: host, port })).close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${host}:${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url: `nats://${host}:${port}`,
    pid: child.pid,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
    },
  };
}
