/**
 * What stops a start is said in one line that names what is wrong and where, with exit code 1
 * and no stack: each case runs `main.ts` as a real process. An unreachable PostgreSQL is not
 * such a case: it is waited for, with a line per attempt.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { type Finished, freePort, rootTestsIgnored, runToExit, temporaryDir } from "./support.ts";

const password = "hunter2-not-for-logs";

/** The run ended with exit code 1 and `line` as all it said. */
function assertRefused(run: Finished, line: string): void {
  assert.equal(run.stderr, line + "\n");
  assert.equal(run.stdout, "");
  assert.equal(run.code, 1);
}

/** DATA_DIR as a previous run of Palabre left it: PGlite's files, migrated, and a secret. */
async function usedDataDir(dataDir: string): Promise<void> {
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const db = await openDatabase({ dataDir });
  await migrate(db.sql);
  await db.close();
  await Deno.writeTextFile(join(dataDir, "secret.key"), "kept\n", { mode: 0o600 });
}

/** Runs `main.ts` with `dataDir` mounted read-only in a mount namespace of its own. */
function runOnReadOnly(dataDir: string): Promise<Finished> {
  return runToExit("main.ts", { DATA_DIR: dataDir, PORT: "0" }, {
    wrapper: ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', dataDir],
  });
}

Deno.test({
  name: "a read-only new DATA_DIR stops the start in one line",
  ignore: rootTestsIgnored("the read-only DATA_DIR test (a mount namespace)"),
  async fn() {
    await using dir = await temporaryDir();
    const dataDir = join(dir.path, "data");
    await Deno.mkdir(dataDir);

    assertRefused(
      await runOnReadOnly(dataDir),
      `DATA_DIR ${dataDir} is not writable: cannot create secret.key (Read-only file system)`,
    );
  },
});

Deno.test({
  name: "a read-only DATA_DIR holding data stops the start in one line",
  ignore: rootTestsIgnored("the read-only DATA_DIR test (a mount namespace)"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await temporaryDir();
    const dataDir = join(dir.path, "data");
    await usedDataDir(dataDir);

    assertRefused(
      await runOnReadOnly(dataDir),
      `DATA_DIR ${dataDir} is not writable (Read-only file system)`,
    );
  },
});

Deno.test("a DATA_DIR under a regular file stops the start in one line", async () => {
  await using dir = await temporaryDir();
  await Deno.writeTextFile(join(dir.path, "file"), "not a directory\n");
  const dataDir = join(dir.path, "file", "data");

  assertRefused(
    await runToExit("main.ts", { DATA_DIR: dataDir, PORT: "0" }),
    `DATA_DIR ${dataDir} cannot be created (Not a directory)`,
  );
});

Deno.test({
  name: "damaged PGlite files stop the start in one line that names them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await temporaryDir();
    const dataDir = join(dir.path, "data");
    await usedDataDir(dataDir);
    await Deno.writeTextFile(join(dataDir, "pglite", "PG_VERSION"), "9\n");

    assertRefused(
      await runToExit("main.ts", { DATA_DIR: dataDir, PORT: "0" }),
      `Embedded PGlite cannot open ${join(dataDir, "pglite")}: its files are read-only, ` +
        "damaged or not PGlite's (PGlite failed to initialize properly)",
    );
  },
});

Deno.test("a port in use stops the start in one line", async () => {
  await using dir = await temporaryDir();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = taken.addr as Deno.NetAddr;

  assertRefused(
    await runToExit("main.ts", {
      DATA_DIR: join(dir.path, "data"),
      HOST: "127.0.0.1",
      PORT: String(port),
    }),
    `Port ${port} on 127.0.0.1 is already in use`,
  );
});

Deno.test("a malformed DATABASE_URL stops the start in one line without its password", async () => {
  await using dir = await temporaryDir();

  assertRefused(
    await runToExit("main.ts", {
      DATA_DIR: join(dir.path, "data"),
      DATABASE_URL: `postgres://palabre:${password}@db.example:port/palabre`,
    }),
    "DATABASE_URL is not a PostgreSQL URL such as postgres://user:password@host:5432/database",
  );
});

Deno.test("a number setting that is not a number stops the start in one line", async () => {
  await using dir = await temporaryDir();

  assertRefused(
    await runToExit("main.ts", { DATA_DIR: join(dir.path, "data"), PORT: "eighty" }),
    'PORT must be a whole number, got "eighty"',
  );
});

Deno.test({
  name: "an unreachable PostgreSQL is waited for with a line per attempt, then used",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using dir = await temporaryDir();
    const port = freePort();
    // Nothing listens on `port` until a relay to the test's PostgreSQL opens there.
    const real = databaseKinds.includes("postgres") ? await freshDatabase("postgres") : undefined;
    const url = new URL(real?.url ?? "postgres://palabre@127.0.0.1/palabre");
    const upstreamPort = Number(url.port || 5432);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    if (!url.password) url.password = password;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL("../../main.ts", import.meta.url).pathname],
      env: {
        DATABASE_URL: url.toString(),
        DATA_DIR: join(dir.path, "data"),
        HOST: "127.0.0.1",
        PORT: String(freePort()),
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    let relay: Deno.Listener | undefined;
    try {
      await t.step("each failed attempt is one line, without the password", async () => {
        await stderr.until((text) => text.split("\n").length > 2);
        assert.deepEqual(stderr.text().split("\n").slice(0, 2), [
          `PostgreSQL at 127.0.0.1:${port} is not reachable (ECONNREFUSED); retrying in 1 s`,
          `PostgreSQL at 127.0.0.1:${port} is not reachable (ECONNREFUSED); retrying in 2 s`,
        ]);
        assert.doesNotMatch(stderr.text() + stdout.text(), new RegExp(password));
      });

      await t.step({
        name: "once PostgreSQL answers, Palabre starts",
        ignore: real === undefined,
        async fn() {
          relay = relayTo(port, upstreamPort);
          await stdout.until((text) => text.includes("listening on"));
          assert.doesNotMatch(stderr.text(), /\n\s+at /);
        },
      });
    } finally {
      try {
        child.kill("SIGTERM");
      } catch {
        // It ended by itself (the test has failed already).
      }
      await child.status;
      relay?.close();
      await Promise.all([stdout.done, stderr.done]);
      await real?.close();
    }
  },
});

/** Accepts on `port` and relays each connection to the PostgreSQL on `upstreamPort`. */
function relayTo(port: number, upstreamPort: number): Deno.Listener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
      // Each pipe closes the other side when its own ends; an error there ends both anyway.
      client.readable.pipeTo(server.writable).catch(() => {});
      server.readable.pipeTo(client.writable).catch(() => {});
    }
  })().catch(() => {/* the listener was closed */});
  return listener;
}

/** A stream's text as it comes, and a wait for some of it. */
function collect(stream: ReadableStream<Uint8Array>) {
  let text = "";
  let ended = false;
  const waiters = new Set<() => void>();
  const done = (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      text += chunk;
      for (const wake of waiters) wake();
    }
    ended = true;
    for (const wake of waiters) wake();
  })();
  return {
    done,
    text: () => text,
    async until(test: (text: string) => boolean): Promise<void> {
      while (!test(text)) {
        if (ended) throw new Error(`The process ended first:\n${text}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            resolve();
          };
          waiters.add(wake);
        });
      }
    },
  };
}

Deno.test("an unreachable NATS_URL stops the start in one line without its password", async () => {
  await using dir = await temporaryDir();
  const port = freePort();
  const run = await runToExit("main.ts", {
    DATA_DIR: join(dir.path, "data"),
    NATS_URL: `nats://palabre:${password}@127.0.0.1:${port}`,
  });
  // The database was new, so its migrations were said first: the refusal is the last line.
  assert.equal(run.stderr, `Cannot reach NATS at nats://127.0.0.1:${port} (connection refused)\n`);
  assert.equal(run.code, 1);
  assert.ok(!run.stdout.includes(password));
});

Deno.test("a NATS_URL that is not one stops the start in one line", async () => {
  await using dir = await temporaryDir();
  assertRefused(
    await runToExit("main.ts", {
      DATA_DIR: join(dir.path, "data"),
      NATS_URL: "http://nats.example:4222",
    }),
    "NATS_URL must list NATS server URLs such as nats://127.0.0.1:4222, comma-separated",
  );
});
