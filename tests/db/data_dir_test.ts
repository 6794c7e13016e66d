/**
 * DATA_DIR as `openDatabase` and `loadConfig` leave it: owner-only, whatever an older Palabre
 * left, and locked only while a database is open on it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../../config.ts";
import { openDatabase } from "../../db/client.ts";
import { StartupError } from "../../startup.ts";

const mode = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("a DATA_DIR Palabre creates is its user's alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const dataDir = join(dir, "new", "data");
    await loadConfig({ DATA_DIR: dataDir });
    assert.equal(await mode(dataDir), 0o700);
    assert.equal(await mode(join(dataDir, "secret.key")), 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "PGlite's directory left open by an older Palabre is made owner-only",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir();
    try {
      await Deno.mkdir(join(dataDir, "pglite"), { mode: 0o755 });
      await Deno.chmod(join(dataDir, "pglite"), 0o755);
      const db = await openDatabase({ dataDir });
      await db.close();
      assert.equal(await mode(join(dataDir, "pglite")), 0o700);
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a DATA_DIR is locked while its database is open, and free once it is closed",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir();
    try {
      const db = await openDatabase({ dataDir });
      await assert.rejects(
        () => openDatabase({ dataDir }),
        (error) =>
          error instanceof StartupError &&
          error.message === `DATA_DIR ${dataDir} is in use by another Palabre (pid ${Deno.pid})`,
      );
      await db.close();
      const again = await openDatabase({ dataDir });
      assert.deepEqual([...await again.sql`select 1 as one`], [{ one: 1 }]);
      await again.close();
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
