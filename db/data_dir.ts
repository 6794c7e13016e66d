/**
 * `DATA_DIR`, where embedded PGlite and the generated secret live: created for Palabre's user
 * alone, and used by one Palabre at a time. PGlite's files hold password hashes and are written
 * world-readable by PGlite itself, so the directories around them are what keeps them private.
 *
 * @example
 * const lock = await lockDataDir("./data");
 * await privateDir("./data/pglite");
 * lock.release();
 */
import { join } from "node:path";
import { reason, StartupError } from "../startup.ts";

/** Held for as long as this process uses a data directory; the kernel drops it if we die. */
export interface DataDirLock {
  release(): void;
}

/**
 * Creates `dataDir` (owner-only) when it does not exist; an existing one keeps its mode.
 *
 * @example
 * await createDataDir("./data");
 */
export async function createDataDir(dataDir: string): Promise<void> {
  try {
    await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StartupError(`DATA_DIR ${dataDir} cannot be created (${reason(error)})`);
  }
}

/**
 * Creates `path` if needed and makes it owner-only, even when an older Palabre left it open.
 *
 * @example
 * await privateDir("./data/pglite");
 */
export async function privateDir(path: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true, mode: 0o700 });
    await Deno.chmod(path, 0o700);
  } catch (error) {
    throw new StartupError(`${path} cannot be made a private directory (${reason(error)})`);
  }
}

/**
 * Takes the exclusive lock on `dataDir` (an OS lock on `palabre.lock`, which also holds our
 * pid), or refuses when another process holds it. Never waits.
 *
 * @example
 * const lock = await lockDataDir("./data"); // StartupError when another Palabre runs on it
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await createDataDir(dataDir);
  const path = join(dataDir, "palabre.lock");
  let file: Deno.FsFile;
  try {
    // Not truncated on open: the holder's pid must stay readable to whoever is refused.
    file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  } catch (error) {
    throw new StartupError(`DATA_DIR ${dataDir} is not writable (${reason(error)})`);
  }
  if (!(await file.tryLock(true))) {
    file.close();
    throw new StartupError(
      `DATA_DIR ${dataDir} is in use by another Palabre (pid ${await holder(path)})`,
    );
  }
  try {
    await file.truncate(0);
    await file.write(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (error) {
    file.close();
    throw new StartupError(`DATA_DIR ${dataDir} is not writable (${reason(error)})`);
  }
  // Closing the file is what releases an flock; a crash closes it too.
  return { release: () => file.close() };
}

/** The pid written by the lock's holder, which may be a moment behind taking the lock. */
async function holder(path: string): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pid = (await Deno.readTextFile(path).catch(() => "")).trim();
    if (/^\d+$/.test(pid)) return pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return "unknown";
}
