/**
 * Blocks and reports. A block keeps the blocked member out of rooms the blocker moderates
 * (see `may_join` in the schema) and keeps the two out of each other's hallway.
 *
 * @example
 * await block(sql, ada.id, "mallory");
 * await report(sql, ada.id, { member: "mallory" }, "Shouting over everyone");
 */
import type { Sql, Tx } from "./client.ts";
import { notify } from "./events.ts";
import { Refusal } from "./errors.ts";
import { requireAdmin } from "./users.ts";

export const reportReasonLimits = { min: 3, max: 500 };

/** Held for key share in a transaction, as db/profiles.ts's `idOf`. */
async function memberId(sql: Sql | Tx, handle: string): Promise<number> {
  const [row] = await sql`select id from users where lower(handle) = lower(${handle})
                          for key share`;
  if (!row) throw new Refusal("not_found", "refusal.member.no_handle");
  return row.id;
}

export async function block(sql: Sql, blockerId: number, handle: string): Promise<void> {
  await sql.begin(async (tx) => {
    const blockedId = await memberId(tx, handle);
    if (blockedId === blockerId) throw new Refusal("invalid", "refusal.block.self");
    await tx`insert into blocks (blocker_id, blocked_id) values (${blockerId}, ${blockedId})
             on conflict do nothing`;
    await notifyBlockChanged(tx, blockerId, blockedId);
  });
}

export async function unblock(sql: Sql, blockerId: number, handle: string): Promise<void> {
  const blockedId = await memberId(sql, handle);
  await sql.begin(async (tx) => {
    await tx`delete from blocks where blocker_id = ${blockerId} and blocked_id = ${blockedId}`;
    await notifyBlockChanged(tx, blockerId, blockedId);
  });
}

/** Blocks hide rooms from both sides' hallways and change the blocker's view of the profile. */
async function notifyBlockChanged(tx: Tx, blockerId: number, blockedId: number) {
  await notify(tx, { members: [blockerId, blockedId], hallway: true });
}

export async function report(
  sql: Sql,
  reporterId: number,
  about: { member?: string; roomId?: number },
  reason: string,
): Promise<void> {
  const text = reason.trim();
  if (text.length < reportReasonLimits.min) {
    throw new Refusal("invalid", "refusal.report.reason_missing", "reason");
  }
  if (text.length > reportReasonLimits.max) {
    throw new Refusal("invalid", "refusal.report.too_long", {
      field: "reason",
      params: { count: reportReasonLimits.max },
    });
  }
  const member = about.member === undefined ? null : await memberId(sql, about.member);
  if (about.roomId !== undefined) {
    const [room] = await sql`select 1 from rooms where id = ${about.roomId}`;
    if (!room) throw new Refusal("not_found", "refusal.room.unknown");
  }
  if ((member === null) === (about.roomId === undefined)) {
    throw new Refusal("invalid", "refusal.report.what");
  }
  await sql`insert into reports (reporter_id, member_id, room_id, reason)
            values (${reporterId}, ${member}, ${about.roomId ?? null}, ${text})`;
}

export interface ReportEntry {
  id: number;
  /** Null for an account since deleted. */
  reporter: string | null;
  /** The reported member's handle; null for a room, or for an account since deleted. */
  member: string | null;
  /** The reported member's account was deleted: shown as "a deleted member". */
  memberDeleted: boolean;
  /** The reported room's public id (its URL), when a room was reported. */
  roomPublicId: string | null;
  roomTitle: string | null;
  reason: string;
  at: Date;
}

/** The reports no administrator has resolved yet, newest first. */
export async function reports(sql: Sql, actorId: number): Promise<ReportEntry[]> {
  await requireAdmin(sql, actorId);
  const rows = await sql`
    select x.id, r.handle as reporter, m.handle as member, m.deleted_at is not null as member_deleted,
           rm.public_id, rm.title, x.reason, x.at
    from reports x join users r on r.id = x.reporter_id
    left join users m on m.id = x.member_id left join rooms rm on rm.id = x.room_id
    where x.resolved_at is null
    order by x.at desc limit 200`;
  return rows.map((r) => ({
    id: Number(r.id),
    reporter: r.reporter,
    member: r.member,
    memberDeleted: r.member_deleted === true,
    roomPublicId: r.public_id,
    roomTitle: r.title,
    reason: r.reason,
    at: r.at,
  }));
}
