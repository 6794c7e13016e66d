/**
 * One DATA_DIR, one Palabre: embedded PGlite is one process's database, so a second `main.ts`
 * or a `deno task seed` on the same directory is refused in one line, and a crashed holder
 * (SIGKILL) leaves nothing that stops the next start.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runToExit, startPalabre, temporaryDir } from "./support.ts";

Deno.test({
  name: "a second Palabre on the same DATA_DIR is refused and names the first one's pid",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await temporaryDir();
    const dataDir = join(dir.path, "data");
    await using first = await startPalabre({ DATA_DIR: dataDir });

    const second = await runToExit("main.ts", { DATA_DIR: dataDir, PORT: "0" }, {
      timeoutMs: 60_000,
    });

    assert.equal(second.code, 1);
    assert.equal(
      second.stderr,
      `DATA_DIR ${dataDir} is in use by another Palabre (pid ${first.pid})\n`,
    );
    // The first goes on serving.
    const page = await fetch(first.origin + "/", { redirect: "manual" });
    await page.body?.cancel();
    assert.ok(page.status < 400, `status ${page.status}`);
  },
});

Deno.test({
  name: "deno task seed refuses a DATA_DIR that a running Palabre holds",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await temporaryDir();
    const dataDir = join(dir.path, "data");
    await using palabre = await startPalabre({ DATA_DIR: dataDir });

    const seed = await runToExit("seed.ts", { DATA_DIR: dataDir }, {
      args: ["--members", "100", "--listens", "1000"],
      timeoutMs: 60_000,
    });

    assert.equal(seed.code, 1);
    assert.equal(
      seed.stderr,
      `DATA_DIR ${dataDir} is in use by another Palabre (pid ${palabre.pid})\n`,
    );
    assert.equal(seed.stdout, "");
  },
});

Deno.test({
  name: "a Palabre killed with SIGKILL leaves its DATA_DIR free for the next start",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using dir = await temporaryDir();
    const dataDir = join(dir.path, "data");
    const crashed = await startPalabre({ DATA_DIR: dataDir });
    await crashed.kill();

    await using next = await startPalabre({ DATA_DIR: dataDir });

    const page = await fetch(next.origin + "/", { redirect: "manual" });
    await page.body?.cancel();
    assert.ok(page.status < 400, `status ${page.status}`);
    assert.equal((await Deno.readTextFile(join(dataDir, "palabre.lock"))).trim(), String(next.pid));
  },
});
