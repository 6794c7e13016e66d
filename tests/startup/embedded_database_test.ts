/**
 * Embedded PGlite is reachable by Palabre's own process alone: it listens on no TCP port, its
 * Unix socket lies in a directory only Palabre's user can enter, and Palabre's one connection
 * leaves no room for a second client even of that user. Its files are owner-only too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type Finished, listeningOf, startPalabre, temporaryDir } from "./support.ts";

const psql = ["/usr/bin/psql"].find(exists);
const needsRoot = Deno.uid() !== 0;
const ignored = (!psql || needsRoot) && Deno.env.get("CI") !== "true";
if (ignored) {
  console.warn(
    "\n!!! psql or root missing: the embedded database's access tests are SKIPPED !!!\n",
  );
}

/** Where a process accepts connections: TCP ports and Unix socket paths. */
Deno.test({
  name: "nobody but Palabre's process can reach its embedded database",
  ignore: ignored,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using dir = await temporaryDir();
    // Open all the way down to DATA_DIR, as an operator may leave it: what keeps others out is
    // what Palabre makes inside.
    await Deno.chmod(dir.path, 0o755);
    const dataDir = join(dir.path, "data");
    await Deno.mkdir(dataDir, { mode: 0o755 });
    await Deno.chmod(dataDir, 0o755);
    await using palabre = await startPalabre({ DATA_DIR: dataDir });
    const listening = await listeningOf(palabre.pid);
    const endpoints = [
      ...listening.tcpPorts.filter((port) => port !== palabre.port).map((port) => ({
        name: `127.0.0.1 port ${port}`,
        args: ["-h", "127.0.0.1", "-p", String(port)],
      })),
      ...listening.unixPaths.map((path) => ({
        name: path,
        args: ["-h", path.replace(/\/\.s\.PGSQL\.(\d+)$/, ""), "-p", /(\d+)$/.exec(path)![1]],
      })),
    ];

    await t.step("it listens on no TCP port but its HTTP port", () => {
      assert.deepEqual(listening.tcpPorts, [palabre.port]);
    });

    await t.step("another user can neither connect nor query", async () => {
      assert.ok(endpoints.length > 0, "the database is served somewhere");
      for (const endpoint of endpoints) {
        const tried = await query(endpoint.args, "nobody");
        assert.notEqual(tried.code, 0, `nobody queried ${endpoint.name}: ${tried.stdout}`);
        assert.doesNotMatch(tried.stdout, /reached/);
        assert.match(tried.stderr, /Permission denied/, endpoint.name);
      }
    });

    await t.step("a second client of Palabre's own user cannot query", async () => {
      for (const endpoint of endpoints) {
        const tried = await query(endpoint.args);
        assert.notEqual(tried.code, 0, `a second client queried ${endpoint.name}: ${tried.stdout}`);
        assert.doesNotMatch(tried.stdout, /reached/);
      }
      // Palabre's own connection still works.
      const page = await fetch(palabre.origin + "/", { redirect: "manual" });
      await page.body?.cancel();
      assert.ok(page.status < 400, `status ${page.status}`);
    });

    await t.step("PGlite's files and the secret are the owner's alone", async () => {
      const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;
      assert.equal(await mode(join(dataDir, "pglite")), 0o700);
      assert.equal(await mode(join(dataDir, "socket")), 0o700);
      assert.equal(await mode(join(dataDir, "secret.key")), 0o600);
      for (const file of [join("pglite", "PG_VERSION"), "secret.key"]) {
        const read = await asNobody(["cat", join(dataDir, file)]);
        assert.notEqual(read.code, 0, `nobody read ${file}: ${read.stdout}`);
      }
    });
  },
});

/** Runs `select` through psql against `where`, as Palabre's user or as `user`. */
function query(where: string[], user?: string): Promise<Finished> {
  const command = [psql!, "-X", "-w", ...where, "-U", "postgres", "-d", "postgres", "-tA", "-c"];
  const sql = "select 'reached ' || count(*) from users";
  return user ? asNobody([...command, sql]) : run([...command, sql]);
}

function asNobody(command: string[]): Promise<Finished> {
  return run(["runuser", "-u", "nobody", "--", ...command]);
}

async function run([program, ...args]: string[]): Promise<Finished> {
  const output = await new Deno.Command(program, {
    args,
    cwd: "/",
    env: { PGCONNECT_TIMEOUT: "5" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}
