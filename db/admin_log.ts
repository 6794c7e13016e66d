/**
 * The administrators' audit log (migration 016's `admin_log`): every administrator's action,
 * appended in the transaction that acts, so an action and its entry commit or fail together.
 *
 * @example
 * await sql.begin(async (tx) => {
 *   await requireAdmin(tx, admin.id);
 *   // ... the action ...
 *   await recordAdminAction(tx, { actorId: admin.id, action: "suspend", memberId, note });
 * });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { requireAdmin } from "./users.ts";

/** What an administrator did; the schema's check lists the same words. */
export const adminActions = [
  "suspend",
  "lift_suspension",
  "revoke_invites",
  "end_room",
  "resolve_report",
  "make_admin",
  "unmake_admin",
  "set_retention",
  "warn",
] as const;
export type AdminAction = typeof adminActions[number];

export interface AdminLogEntryInput {
  actorId: number;
  action: AdminAction;
  memberId?: number | null;
  roomId?: number | null;
  reportId?: number | null;
  note?: string;
  /** What else the action needs told: a suspension's end, a retention's days. */
  details?: { [key: string]: string | number | boolean | null };
}

/**
 * @example
 * await recordAdminAction(tx, { actorId: ada.id, action: "warn", memberId });
 */
export async function recordAdminAction(tx: Tx, entry: AdminLogEntryInput): Promise<void> {
  await tx`
    insert into admin_log (actor_id, action, member_id, room_id, report_id, note, details)
    values (${entry.actorId}, ${entry.action}, ${entry.memberId ?? null}, ${entry.roomId ?? null},
            ${entry.reportId ?? null}, ${entry.note ?? ""}, ${tx.json(entry.details ?? {})})`;
}

/** Which entries of the log to show: every field optional, as the filter form sends them. */
export interface AdminLogFilter {
  action?: AdminAction;
  /** The acting administrator's handle. */
  actor?: string;
  /** The handle of the member acted on. */
  member?: string;
  /** From the start of this day (UTC). */
  from?: Date;
  /** Until the end of this day (UTC). */
  to?: Date;
}

export const adminLogPageSize = 50;
/** The most rows one CSV export holds. */
export const adminLogExportMax = 50_000;

/**
 * The filter the log page's query asks for, or an `invalid` refusal naming the wrong field.
 *
 * @example
 * parseAdminLogFilter({ action: "suspend", from: "2026-12-01" }).from; // 2026-12-01T00:00Z
 */
export function parseAdminLogFilter(query: Record<string, string | undefined>): AdminLogFilter {
  const filter: AdminLogFilter = {};
  const action = query.action?.trim() ?? "";
  if (action !== "") {
    const known = adminActions.find((a) => a === action);
    if (!known) throw new Refusal("invalid", "refusal.admin_log.action", "action");
    filter.action = known;
  }
  for (const key of ["actor", "member"] as const) {
    const handle = query[key]?.trim().replace(/^@/, "") ?? "";
    if (handle !== "") filter[key] = handle;
  }
  for (const key of ["from", "to"] as const) {
    const text = query[key]?.trim() ?? "";
    if (text === "") continue;
    const day = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00Z`) : null;
    if (!day || Number.isNaN(day.getTime())) {
      throw new Refusal("invalid", "refusal.admin_log.date", key);
    }
    filter[key] = key === "to" ? new Date(day.getTime() + 86_400_000) : day;
  }
  if (filter.from && filter.to && filter.from >= filter.to) {
    throw new Refusal("invalid", "refusal.admin_log.range", "to");
  }
  return filter;
}

export interface AdminLogEntry {
  id: number;
  at: Date;
  /** The administrator's handle; null when their account was deleted. */
  actor: string | null;
  action: AdminAction;
  /** The member acted on's handle; null when none, or deleted (`memberDeleted`). */
  member: string | null;
  memberDeleted: boolean;
  actorDeleted: boolean;
  /** The room acted on; both null when none, or when retention forgot it (`roomForgotten`). */
  roomTitle: string | null;
  roomPublicId: string | null;
  /** The room's details were forgotten by retention: it has no title, and its page is gone. */
  roomForgotten: boolean;
  reportId: number | null;
  note: string;
  details: { [key: string]: string | number | boolean | null };
}

/**
 * The log's entries that match, newest first: one page (and whether more follow), or with
 * `all` every entry up to `adminLogExportMax`, for the CSV export.
 *
 * @example
 * (await adminLog(sql, ada.id, { action: "suspend" }, { page: 1 })).entries[0].actor;
 */
export async function adminLog(
  sql: Sql,
  actorId: number,
  filter: AdminLogFilter,
  options: { page?: number; all?: boolean } = {},
): Promise<{ entries: AdminLogEntry[]; more: boolean }> {
  await requireAdmin(sql, actorId);
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const limit = options.all ? adminLogExportMax : adminLogPageSize + 1;
  const offset = options.all ? 0 : (page - 1) * adminLogPageSize;
  const rows = await sql`
    select l.id, l.at, l.action, l.note, l.details, l.report_id,
           a.handle as actor, l.actor_id is not null and a.handle is null as actor_deleted,
           m.handle as member, l.member_id is not null and m.handle is null as member_deleted,
           case when r.details_forgotten_at is null then r.title end as room_title,
           case when r.details_forgotten_at is null then r.public_id end as room_public_id,
           r.details_forgotten_at is not null as room_forgotten
    from admin_log l
    left join users a on a.id = l.actor_id
    left join users m on m.id = l.member_id
    left join rooms r on r.id = l.room_id
    where (${filter.action ?? null}::text is null or l.action = ${filter.action ?? null})
      and (${filter.actor ?? null}::text is null or lower(a.handle) = lower(${
    filter.actor ?? null
  }))
      and (${filter.member ?? null}::text is null
           or lower(m.handle) = lower(${filter.member ?? null}))
      and (${filter.from ?? null}::timestamptz is null or l.at >= ${filter.from ?? null})
      and (${filter.to ?? null}::timestamptz is null or l.at < ${filter.to ?? null})
    order by l.at desc, l.id desc
    limit ${limit} offset ${offset}`;
  const more = !options.all && rows.length > adminLogPageSize;
  return {
    more,
    entries: rows.slice(0, options.all ? rows.length : adminLogPageSize).map((r) => ({
      id: Number(r.id),
      at: r.at,
      actor: r.actor,
      actorDeleted: r.actor_deleted,
      action: r.action,
      member: r.member,
      memberDeleted: r.member_deleted,
      roomTitle: r.room_title,
      roomPublicId: r.room_public_id,
      roomForgotten: r.room_forgotten,
      reportId: r.report_id === null ? null : Number(r.report_id),
      note: r.note,
      details: r.details,
    })),
  };
}
