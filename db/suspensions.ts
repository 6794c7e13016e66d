/**
 * Suspensions: an administrator keeps a member out for a time or for good, with a reason the
 * member reads when they try to sign in. Suspending ends the member's sessions, tells their open
 * pages and takes them out of every room (db/departures.ts), all in one transaction with its
 * audit entry. `is_suspended()` in the schema is the one rule of "suspended now".
 *
 * @example
 * const endsAt = suspensionEnd({ length: "days", amount: "3" });
 * await suspend(sql, ada.id, "mallory", { reason: "Shouting over everyone", endsAt });
 * await liftSuspension(sql, ada.id, "mallory");
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import type { MessageKey } from "../i18n/translate.ts";
import { recordAdminAction } from "./admin_log.ts";
import { leaveEveryRoom, lockMember, signOutEverywhere } from "./departures.ts";
import { requireAdmin } from "./users.ts";

export const suspensionReasonLimits = { min: 3, max: 500 };
/** The longest a suspension for a time may be; longer is "for good". */
const longestSuspensionDays = 3650;

/** How long, as the suspension form asks it. */
export interface SuspensionLength {
  length: "hours" | "days" | "until" | "for_good";
  /** Hours or days, as typed. */
  amount?: string;
  /** A date (YYYY-MM-DD, the end of that day in UTC) or a date and time, as typed. */
  until?: string;
}

/**
 * When a suspension of this length ends (null: for good), or an `invalid` refusal on the
 * field that is wrong.
 *
 * @example
 * suspensionEnd({ length: "hours", amount: "12" }, new Date("2026-01-01T00:00Z"));
 * // 2026-01-01T12:00:00.000Z
 */
export function suspensionEnd(how: SuspensionLength, now = new Date()): Date | null {
  if (how.length === "for_good") return null;
  if (how.length === "until") {
    const text = (how.until ?? "").trim();
    const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
    const at = day ? new Date(`${text}T23:59:59Z`) : new Date(text);
    if (text === "" || Number.isNaN(at.getTime())) {
      throw new Refusal("invalid", "refusal.suspension.until", "until");
    }
    if (at <= now) throw new Refusal("invalid", "refusal.suspension.past", "until");
    return at;
  }
  if (how.length !== "hours" && how.length !== "days") {
    throw new Refusal("invalid", "refusal.suspension.length", "length");
  }
  const amount = Number((how.amount ?? "").trim());
  const hours = how.length === "hours" ? amount : amount * 24;
  if (!Number.isInteger(amount) || amount < 1 || hours > longestSuspensionDays * 24) {
    throw new Refusal("invalid", "refusal.suspension.amount", {
      field: "amount",
      params: { count: longestSuspensionDays },
    });
  }
  return new Date(now.getTime() + hours * 3_600_000);
}

export interface NewSuspension {
  reason: string;
  /** Null: for good. */
  endsAt: Date | null;
  /** The report this suspension resolves, for the audit entry. */
  reportId?: number;
}

/**
 * Suspends the member with `handle` (replacing a suspension in force), ends their sessions,
 * takes them out of every room and logs it. Refuses suspending oneself and the last
 * administrator.
 *
 * @example
 * await suspend(sql, ada.id, "mallory", { reason: "Spam", endsAt: null });
 */
export async function suspend(
  sql: Sql,
  actorId: number,
  handle: string,
  suspension: NewSuspension,
): Promise<void> {
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await suspendIn(tx, actorId, await memberByHandle(tx, handle), suspension);
  });
}

/**
 * `suspend` inside a transaction that has already checked the actor (resolving a report).
 *
 * @example
 * await suspendIn(tx, ada.id, mallory.id, { reason: "Spam", endsAt, reportId });
 */
export async function suspendIn(
  tx: Tx,
  actorId: number,
  memberId: number,
  suspension: NewSuspension,
): Promise<void> {
  const reason = checkedReason(suspension.reason);
  if (suspension.endsAt !== null && suspension.endsAt.getTime() <= Date.now()) {
    throw new Refusal("invalid", "refusal.suspension.past", "until");
  }
  await lockAdministrators(tx);
  await requireAdmin(tx, actorId);
  if (memberId === actorId) throw new Refusal("conflict", "refusal.suspension.self");
  await lockMember(tx, memberId);
  const [target] = await tx`select is_admin, deleted_at from users where id = ${memberId}`;
  if (!target || target.deleted_at) throw new Refusal("not_found", "refusal.member.no_handle");
  if (target.is_admin) await keepAnAdministrator(tx, memberId);
  await tx`update suspensions set lifted_at = statement_timestamp(), lifted_by = ${actorId}
           where member_id = ${memberId} and lifted_at is null`;
  await tx`insert into suspensions (member_id, by_id, reason, ends_at)
           values (${memberId}, ${actorId}, ${reason}, ${suspension.endsAt})`;
  await leaveEveryRoom(tx, memberId);
  await signOutEverywhere(tx, memberId, "suspended");
  await recordAdminAction(tx, {
    actorId,
    action: "suspend",
    memberId,
    reportId: suspension.reportId,
    note: reason,
    details: { until: suspension.endsAt?.toISOString() ?? null },
  });
}

/**
 * Lifts the member's suspension in force, if any, and logs it.
 *
 * @example
 * await liftSuspension(sql, ada.id, "mallory");
 */
export async function liftSuspension(sql: Sql, actorId: number, handle: string): Promise<void> {
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    const memberId = await memberByHandle(tx, handle);
    await lockMember(tx, memberId);
    const lifted = await tx`
      update suspensions set lifted_at = statement_timestamp(), lifted_by = ${actorId}
      where member_id = ${memberId} and lifted_at is null returning id`;
    if (lifted.length === 0) throw new Refusal("conflict", "refusal.suspension.none");
    await recordAdminAction(tx, { actorId, action: "lift_suspension", memberId });
  });
}

export interface SuspensionInForce {
  reason: string;
  /** Null: for good. */
  endsAt: Date | null;
}

/**
 * The member's suspension in force now, or null: what sign-in tells a suspended member.
 *
 * @example
 * (await suspensionOf(sql, mallory.id))?.reason; // "Spam"
 */
export async function suspensionOf(
  sql: Sql | Tx,
  memberId: number,
): Promise<SuspensionInForce | null> {
  const [row] = await sql`
    select reason, ends_at from suspensions
    where member_id = ${memberId} and lifted_at is null and is_suspended(member_id)`;
  return row ? { reason: row.reason, endsAt: row.ends_at } : null;
}

/**
 * Refuses (`forbidden`) a suspended member's sign-in with the reason and until when. Only ever
 * called once the password was right: a stranger never learns that a handle is suspended.
 *
 * @example
 * await refuseSuspendedSignIn(sql, member.id); // after the password was right
 */
export async function refuseSuspendedSignIn(sql: Sql, memberId: number): Promise<void> {
  const suspension = await suspensionOf(sql, memberId);
  if (!suspension) return;
  if (suspension.endsAt === null) {
    throw new Refusal("forbidden", "refusal.sign_in.suspended_for_good", {
      params: { reason: suspension.reason },
    });
  }
  throw new Refusal("forbidden", "refusal.sign_in.suspended_until", {
    params: { reason: suspension.reason, until: utcMinute(suspension.endsAt) },
  });
}

/**
 * Locks every administrator's row, in id order, until the transaction ends: whatever could
 * leave the community without an administrator (suspending or unmaking one) takes it first,
 * so two administrators acting on each other at once go one after the other.
 *
 * @example
 * await lockAdministrators(tx);
 * await keepAnAdministrator(tx, grace.id);
 */
export async function lockAdministrators(tx: Tx): Promise<void> {
  await tx`select id from users where is_admin order by id for update`;
}

/**
 * Refuses (`conflict`) when no other administrator who can still act (not suspended, not
 * deleted) would remain without `memberId`. Call it under `lockAdministrators`. `refusal`: the
 * words for the one refused, when they need more than the general rule (deleting one's account).
 *
 * @example
 * await keepAnAdministrator(tx, grace.id); // refused if Grace is the last
 */
export async function keepAnAdministrator(
  tx: Tx,
  memberId: number,
  refusal: MessageKey = "refusal.admin.last",
): Promise<void> {
  const [{ others }] = await tx`
    select count(*)::int as others from users
    where is_admin and id <> ${memberId} and deleted_at is null and not is_suspended(id)`;
  if (others === 0) throw new Refusal("conflict", refusal);
}

/**
 * The id of the member with this handle (any case), or a `not_found` refusal.
 *
 * @example
 * await memberByHandle(tx, "Mallory"); // mallory's id: handles ignore case
 */
export async function memberByHandle(tx: Sql | Tx, handle: string): Promise<number> {
  const [row] = await tx`select id from users where lower(handle) = lower(${handle.trim()})`;
  if (!row) throw new Refusal("not_found", "refusal.member.no_handle");
  return row.id;
}

function checkedReason(text: string): string {
  const reason = text.trim();
  if (reason.length < suspensionReasonLimits.min || reason.length > suspensionReasonLimits.max) {
    throw new Refusal("invalid", "refusal.suspension.reason", {
      field: "reason",
      params: suspensionReasonLimits,
    });
  }
  return reason;
}

/** "2026-12-05 14:00 UTC": the same in every language, unambiguous. */
function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
