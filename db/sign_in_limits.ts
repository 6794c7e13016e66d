/**
 * Sign-in throttling, after OWASP's Authentication Cheat Sheet: throttle guessing without ever
 * locking the owner out.
 *
 * - Only failures count; a try in progress counts until it is known to have succeeded, so
 *   guesses sent all at once are counted as they arrive.
 * - One handle from one address (the pair): after the free failures, each failure makes the
 *   next try wait longer, doubling to a cap; until then tries are refused with the time left,
 *   before any password is checked. A success clears the pair.
 * - One address, whatever the handles (password spraying): the same backoff, more failures free.
 * - One handle from everywhere (a distributed attack): never refused, because refusing would let
 *   anyone lock the owner out; past its free failures every try of the handle waits a little
 *   before the password is checked (at most `maxWaitMs`). That costs an attacker time per guess
 *   and the owner one short wait; the password rules (db/password_rules.ts) do the rest.
 *
 * So the right password from an address that has not been failing is always accepted. Counts
 * live in the database, shared by every process, each changed under its row's lock. Keys are
 * HMACs made by the routes: no address and no handle is stored.
 *
 * @example
 * const member = await signInWithLimits(sql, { handle, password, keys, limits });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import type { MessageKey } from "../i18n/translate.ts";
import { authenticate, type Member } from "./users.ts";
import { refuseSuspendedSignIn } from "./suspensions.ts";
// Types only: db/ runs no code from other folders.
import type { Backoff, SignInLimits } from "../config.ts";

export interface SignInKeys {
  /** An HMAC of the client address. */
  address: string;
  /** An HMAC of the lower-cased handle. */
  handle: string;
  /** An HMAC of the handle and the address together. */
  pair: string;
}

export interface SignInAttempt {
  handle: string;
  password: string;
  keys: SignInKeys;
  limits: SignInLimits;
  /** How a handle's slowing is waited out; a test may watch it instead of sleeping. */
  wait?: (ms: number) => Promise<void>;
}

type Scope = "address" | "handle" | "pair";

/**
 * A signed-in member typing their password again to confirm a change (a new password, deleting
 * their account), through the sign-in limits: guessing it here is as slow as at sign-in. A wrong
 * password is refused (`invalid`) on `field` in `wrong`'s words; a wait is refused on `field`.
 *
 * @example
 * await confirmOwnPassword(sql, { ...attempt, memberId }, "current_password",
 *   "refusal.password.current_wrong");
 */
export async function confirmOwnPassword(
  sql: Sql,
  attempt: SignInAttempt & { memberId: number },
  field: string,
  wrong: MessageKey,
): Promise<void> {
  try {
    const member = await signInWithLimits(sql, attempt);
    if (member.id !== attempt.memberId) {
      throw new Refusal("unauthenticated", "refusal.password.other_member");
    }
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.code === "unauthenticated") throw new Refusal("invalid", wrong, field);
    throw error.onField(field);
  }
}

/**
 * The member with this handle and password, unless the pair or the address is waiting out a
 * backoff (`rate_limited`, with the time left) or the password is wrong (`unauthenticated`).
 */
export async function signInWithLimits(sql: Sql, attempt: SignInAttempt): Promise<Member> {
  const { keys, limits } = attempt;
  const waitMs = await startTry(sql, keys, limits);
  if (waitMs > 0) await (attempt.wait ?? sleep)(waitMs);
  let member: Member;
  try {
    member = await authenticate(sql, attempt.handle, attempt.password);
  } catch (error) {
    if (error instanceof Refusal && error.code === "unauthenticated") {
      await confirmFailure(sql, keys, limits);
    }
    throw error;
  }
  await forgiveTry(sql, keys, limits);
  // Only now, with the password right: a stranger never learns that a handle is suspended.
  await refuseSuspendedSignIn(sql, member.id);
  return member;
}

/** Counts the try as a failure in every scope, or refuses it; returns the handle's wait. */
async function startTry(sql: Sql, keys: SignInKeys, limits: SignInLimits): Promise<number> {
  const waitMs = await sql.begin(async (tx) => {
    // Always address, handle, pair: two tries lock rows in the same order and cannot deadlock.
    const address = await lockCount(tx, "address", keys.address, limits);
    const handle = await lockCount(tx, "handle", keys.handle, limits);
    const pair = await lockCount(tx, "pair", keys.pair, limits);
    const leftMs = Math.max(pair.leftMs, address.leftMs);
    if (leftMs > 0) throw tooManyFailures(leftMs);
    await setCount(tx, "address", keys.address, address.failures + 1, limits.perAddress);
    await setCount(tx, "handle", keys.handle, handle.failures + 1, undefined);
    await setCount(tx, "pair", keys.pair, pair.failures + 1, limits.perPair);
    const { freeFailures, waitStepMs, maxWaitMs } = limits.perHandle;
    return Math.min(maxWaitMs, Math.max(0, handle.failures - freeFailures) * waitStepMs);
  });
  // Now and then, failures no longer counted go; the daily retention sweep takes what is left.
  if (Math.random() < 0.01) {
    await forgetOldFailures(sql, { batchSize: 1_000, forgetAfterMs: limits.forgetAfterMs });
  }
  return waitMs;
}

/** The wrong password: the pair and the address wait from now, as the failure is known now. */
async function confirmFailure(sql: Sql, keys: SignInKeys, limits: SignInLimits): Promise<void> {
  await sql.begin(async (tx) => {
    const address = await lockCount(tx, "address", keys.address, limits);
    const pair = await lockCount(tx, "pair", keys.pair, limits);
    await setCount(tx, "address", keys.address, address.failures, limits.perAddress);
    await setCount(tx, "pair", keys.pair, pair.failures, limits.perPair);
  });
}

/** The right password: the pair starts again, and this try is taken off the other counts. */
async function forgiveTry(sql: Sql, keys: SignInKeys, limits: SignInLimits): Promise<void> {
  await sql.begin(async (tx) => {
    const address = await lockCount(tx, "address", keys.address, limits);
    const handle = await lockCount(tx, "handle", keys.handle, limits);
    const failures = Math.max(0, address.failures - 1);
    await tx`update sign_in_failures
             set failures = ${failures},
                 blocked_until = least(blocked_until,
                   now() + ${delayMs(failures, limits.perAddress)} * interval '1 millisecond')
             where scope = 'address' and key = ${keys.address}`;
    await tx`update sign_in_failures set failures = ${Math.max(0, handle.failures - 1)}
             where scope = 'handle' and key = ${keys.handle}`;
    await tx`delete from sign_in_failures where scope = 'pair' and key = ${keys.pair}`;
  });
}

/** Locks a count's row (made on first use) and reads it; a forgotten count reads as zero. */
async function lockCount(
  tx: Tx,
  scope: Scope,
  key: string,
  limits: SignInLimits,
): Promise<{ failures: number; leftMs: number }> {
  await tx`insert into sign_in_failures (scope, key) values (${scope}, ${key})
           on conflict (scope, key) do nothing`;
  const [row] = await tx`
    select case when last_failed_at < now() - ${limits.forgetAfterMs} * interval '1 millisecond'
                then 0 else failures end as failures,
           greatest(0, extract(epoch from blocked_until - now()) * 1000)::float8 as left_ms
    from sign_in_failures where scope = ${scope} and key = ${key} for update`;
  return { failures: row.failures, leftMs: row.left_ms };
}

/** Sets a count as failed now; with a backoff, tries wait from now as it says. */
async function setCount(
  tx: Tx,
  scope: Scope,
  key: string,
  failures: number,
  backoff: Backoff | undefined,
): Promise<void> {
  const waitMs = backoff ? delayMs(failures, backoff) : 0;
  await tx`update sign_in_failures
           set failures = ${failures}, last_failed_at = now(),
               blocked_until = now() + ${waitMs} * interval '1 millisecond'
           where scope = ${scope} and key = ${key}`;
}

/** The wait after `failures` in a row: none while they are free, then doubling to the cap. */
function delayMs(failures: number, backoff: Backoff): number {
  const past = failures - backoff.freeFailures;
  if (past <= 0) return 0;
  return Math.min(backoff.maxDelayMs, backoff.firstDelayMs * 2 ** Math.min(past - 1, 30));
}

function tooManyFailures(leftMs: number): Refusal {
  const seconds = Math.ceil(leftMs / 1000);
  return seconds <= 120
    ? new Refusal("rate_limited", "refusal.sign_in.wait_seconds", { params: { count: seconds } })
    : new Refusal("rate_limited", "refusal.sign_in.wait_minutes", {
      params: { count: Math.ceil(seconds / 60) },
    });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Deletes up to `batchSize` counts that no longer hold anything back: no wait left, and no
 * failure within `forgetAfterMs` (or none at all). Returns how many went.
 *
 * @example
 * await forgetOldFailures(sql, { batchSize: 1_000, forgetAfterMs: 86_400_000 });
 */
export async function forgetOldFailures(
  sql: Sql,
  options: { batchSize: number; forgetAfterMs: number },
): Promise<number> {
  const gone = await sql`
    delete from sign_in_failures where ctid = any(array(
      select ctid from sign_in_failures
      where blocked_until < now()
        and (failures = 0
             or last_failed_at < now() - ${options.forgetAfterMs} * interval '1 millisecond')
      limit ${options.batchSize}))`;
  return gone.count;
}
