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
  if (Math.random() < 0.01) {
    await sql`delete from rate_limits where window_start < now() - interval '1 day'`;
  }
}
