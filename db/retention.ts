/**
 * Retention: how long listening history and ended rooms' details are kept (an administrator's
 * setting, `retention` in the settings table), and the daily sweep that enforces it with the
 * other "forget what is past" rules (expired sessions, reserved handles, rate-limit windows,
 * sign-in failures). live/retention_sweep.ts runs it in every process; one run a day does it.
 *
 * @example
 * await setRetention(sql, admin.id, { listeningDays: 180, roomDays: 30 });
 * const run = await sweepRetention(sql, { batchSize: 1_000, signInForgetAfterMs: 86_400_000 });
 * if (run.ran) console.log(run.removed.listens);
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { requireAdmin } from "./users.ts";
import { recordAdminAction } from "./admin_log.ts";
import { forgetExpiredSessions } from "./sessions.ts";
import { forgetOldWindows } from "./rate_limits.ts";
import { forgetOldFailures } from "./sign_in_limits.ts";

/** Days each kind of record is kept. */
export interface Retention {
  /** Ended listening rows (`listens`), counted from when the listen ended. */
  listeningDays: number;
  /** An ended room's details, counted from when the room ended. */
  roomDays: number;
}

export const defaultRetention: Retention = { listeningDays: 365, roomDays: 90 };

/** What an administrator may set, for each of the two, in days. */
export const retentionDaysLimits = { min: 1, max: 3650 } as const;

/**
 * The retention in force: the administrator's, else the defaults.
 *
 * @example
 * await retention(sql); // { listeningDays: 365, roomDays: 90 } until an administrator sets it
 */
export async function retention(sql: Sql | Tx): Promise<Retention> {
  const [row] = await sql`select value from settings where key = 'retention'`;
  return { ...defaultRetention, ...(row?.value ?? {}) };
}

/**
 * Sets the retention (administrators only), and writes it in the audit log.
 *
 * @example
 * await setRetention(sql, admin.id, { listeningDays: 180, roomDays: 30 });
 */
export async function setRetention(sql: Sql, actorId: number, wanted: Retention): Promise<void> {
  await sql.begin(async (tx) => {
    // Checked first: a member who is not an administrator learns nothing about the limits.
    await requireAdmin(tx, actorId);
    const fields: [string, number][] = [
      ["listening_days", wanted.listeningDays],
      ["room_days", wanted.roomDays],
    ];
    for (const [field, days] of fields) {
      const { min, max } = retentionDaysLimits;
      if (!Number.isInteger(days) || days < min || days > max) {
        throw new Refusal("invalid", "refusal.retention.range", { field, params: { min, max } });
      }
    }
    const value = { listeningDays: wanted.listeningDays, roomDays: wanted.roomDays };
    await tx`insert into settings (key, value) values ('retention', ${tx.json(value)})
             on conflict (key) do update set value = excluded.value`;
    await recordAdminAction(tx, { actorId, action: "set_retention", details: value });
  });
}

/** What one sweep removed, by kind. */
export interface Removed {
  /** Ended listening rows older than the listening retention. */
  listens: number;
  /** Ended rooms whose details were forgotten (title, description, hosts, log, ...). */
  roomsForgotten: number;
  /** Forgotten rooms deleted: no listening row referred to them any more. */
  roomsDeleted: number;
  handleReservations: number;
  sessions: number;
  rateLimitWindows: number;
  signInFailures: number;
}

/** A sweep that ran, or why it did not: another process is at it, or one ran within a day. */
export type SweepRun = { ran: true; removed: Removed } | { ran: false; why: "busy" | "done" };

// Any constant works; it only has to be the same in every Palabre process (db/migrate.ts has
// another).
const sweepLockKey = 7_246_912;

/**
 * The daily sweep: claims today's run (at most one per day across every process and restart:
 * an advisory lock serialises the claims, the `retention_swept_at` setting remembers the last),
 * then deletes in batches of `batchSize`, each batch its own transaction, so that no run holds
 * locks on millions of rows at once. A run stopped half-way finishes with the next day's.
 *
 * @example
 * await sweepRetention(sql, { batchSize: 1_000, signInForgetAfterMs: 86_400_000 });
 */
export async function sweepRetention(
  sql: Sql,
  options: { batchSize: number; signInForgetAfterMs: number },
): Promise<SweepRun> {
  const claim = await claimToday(sql);
  if (claim !== "claimed") return { ran: false, why: claim };
  const kept = await retention(sql);
  const size = options.batchSize;
  const removed: Removed = {
    listens: await inBatches(() => forgetOldListens(sql, kept.listeningDays, size), size),
    roomsForgotten: await inBatches(() => forgetRoomDetails(sql, kept.roomDays, size), size),
    roomsDeleted: await inBatches(() => deleteForgottenRooms(sql, size), size),
    handleReservations: await inBatches(() => freeReservedHandles(sql, size), size),
    sessions: await inBatches(() => forgetExpiredSessions(sql, { batchSize: size }), size),
    rateLimitWindows: await inBatches(() => forgetOldWindows(sql, { batchSize: size }), size),
    signInFailures: await inBatches(
      () => forgetOldFailures(sql, { batchSize: size, forgetAfterMs: options.signInForgetAfterMs }),
      size,
    ),
  };
  return { ran: true, removed };
}

async function claimToday(sql: Sql): Promise<"claimed" | "busy" | "done"> {
  return await sql.begin(async (tx) => {
    const [lock] = await tx`select pg_try_advisory_xact_lock(${sweepLockKey}) as held`;
    if (!lock.held) return "busy";
    // Read after the lock: a claim committed by the process that held it is seen here.
    const [last] = await tx`
      select (value #>> '{}')::timestamptz > statement_timestamp() - interval '1 day' as recent
      from settings where key = 'retention_swept_at'`;
    if (last?.recent) return "done";
    await tx`insert into settings (key, value)
             values ('retention_swept_at', to_jsonb(statement_timestamp()))
             on conflict (key) do update set value = excluded.value`;
    return "claimed";
  });
}

/** Runs `batch` until a batch removes fewer than `size`; returns how many it removed in all. */
async function inBatches(batch: () => Promise<number>, size: number): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await batch();
    total += count;
    if (count < size) return total;
  }
}

/** Listening rows ended more than `days` ago; rows still open are a listen under way. */
async function forgetOldListens(sql: Sql, days: number, size: number): Promise<number> {
  const gone = await sql`
    delete from listens where id = any(array(
      select id from listens
      where ended_at < statement_timestamp() - ${days} * interval '1 day'
      limit ${size}))`;
  return gone.count;
}

/**
 * Forgets the details of rooms ended more than `days` ago: title and description emptied; who
 * hosted, who was let in, banned or interested, the moderation log, resolved reports and the
 * notifications about it deleted. The row and its topics stay while listening rows refer to
 * it. A room with a report still open keeps its details until the report is resolved: an
 * administrator must see what was reported.
 */
async function forgetRoomDetails(sql: Sql, days: number, size: number): Promise<number> {
  return await sql.begin(async (tx) => {
    const rooms = await tx<{ id: number }[]>`
      select r.id from rooms r
      where r.state = 'ended' and r.details_forgotten_at is null
        and r.ended_at < statement_timestamp() - ${days} * interval '1 day'
        and not exists (select 1 from reports p where p.room_id = r.id and p.resolved_at is null)
      order by r.ended_at
      limit ${size}
      for update skip locked`;
    const ids = rooms.map((r) => r.id);
    if (ids.length === 0) return 0;
    await tx`delete from moderation_log where room_id = any(${ids}::bigint[])`;
    await tx`delete from room_hosts where room_id = any(${ids}::bigint[])`;
    await tx`delete from room_access where room_id = any(${ids}::bigint[])`;
    await tx`delete from room_bans where room_id = any(${ids}::bigint[])`;
    await tx`delete from event_interest where room_id = any(${ids}::bigint[])`;
    await tx`delete from participants where room_id = any(${ids}::bigint[])`;
    await tx`delete from reports where room_id = any(${ids}::bigint[])`;
    await tx`delete from notifications where room_id = any(${ids}::bigint[])`;
    await tx`update rooms set title = '', description = '',
                              details_forgotten_at = statement_timestamp()
             where id = any(${ids}::bigint[])`;
    return ids.length;
  });
}

/** Forgotten rooms no listening row refers to any more: nothing needs them. */
async function deleteForgottenRooms(sql: Sql, size: number): Promise<number> {
  const gone = await sql`
    delete from rooms where id = any(array(
      select r.id from rooms r
      where r.details_forgotten_at is not null
        and not exists (select 1 from listens l where l.room_id = r.id)
      limit ${size}))`;
  return gone.count;
}

/** A deleted member's handle is reserved for a while; after that anyone may take it. */
async function freeReservedHandles(sql: Sql, size: number): Promise<number> {
  const gone = await sql`
    delete from handle_reservations where handle = any(array(
      select handle from handle_reservations where until < statement_timestamp()
      limit ${size}))`;
  return gone.count;
}
