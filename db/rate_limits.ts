/**
 * Fixed-window rate limits counted in the database, so that every Palabre process sharing it
 * counts the same attempts. One upsert per attempt: atomic without explicit locks.
 *
 * @example
 * await spendAttempt(sql, { bucket: "sign_up_address", key, max: 10, windowMs: 3_600_000 });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";

export interface Attempt {
  /** What is limited, e.g. "sign_up_invite". */
  bucket: string;
  /** Who is limited: an account id or a keyed hash of an address. */
  key: string;
  max: number;
  windowMs: number;
}

/**
 * Counts one attempt; refuses with `rate_limited` once the window's allowance is spent. Inside a
 * transaction, an attempt refused later for another reason is not counted.
 */
export async function spendAttempt(sql: Sql | Tx, attempt: Attempt): Promise<void> {
  const windowStart = new Date(Math.floor(Date.now() / attempt.windowMs) * attempt.windowMs);
  const [row] = await sql`
    insert into rate_limits (bucket, key, window_start, hits)
    values (${attempt.bucket}, ${attempt.key}, ${windowStart}, 1)
    on conflict (bucket, key, window_start) do update set hits = rate_limits.hits + 1
    returning hits`;
  if (row.hits > attempt.max) {
    const waitMinutes = Math.ceil((windowStart.getTime() + attempt.windowMs - Date.now()) / 60_000);
    throw new Refusal("rate_limited", "refusal.rate_limited", { params: { count: waitMinutes } });
  }
  // Now and then, a window long past goes; the daily retention sweep takes what is left.
  if (Math.random() < 0.01) await forgetOldWindows(sql, { batchSize: 1_000 });
}

/**
 * Deletes up to `batchSize` windows that began more than a day ago: the longest window is a
 * day, so none of them counts any more. Returns how many went.
 *
 * @example
 * await forgetOldWindows(sql, { batchSize: 1_000 }); // 0 on a quiet day
 */
export async function forgetOldWindows(
  sql: Sql | Tx,
  options: { batchSize: number },
): Promise<number> {
  const gone = await sql`
    delete from rate_limits where ctid = any(array(
      select ctid from rate_limits where window_start < now() - interval '1 day'
      limit ${options.batchSize}))`;
  return gone.count;
}
