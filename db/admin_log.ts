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
import type { Tx } from "./client.ts";

/** What an administrator did; the schema's check lists the same words. */
export type AdminAction =
  | "suspend"
  | "lift_suspension"
  | "revoke_invites"
  | "end_room"
  | "resolve_report"
  | "make_admin"
  | "unmake_admin"
  | "set_retention"
  | "warn";

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

export async function recordAdminAction(tx: Tx, entry: AdminLogEntryInput): Promise<void> {
  await tx`
    insert into admin_log (actor_id, action, member_id, room_id, report_id, note, details)
    values (${entry.actorId}, ${entry.action}, ${entry.memberId ?? null}, ${entry.roomId ?? null},
            ${entry.reportId ?? null}, ${entry.note ?? ""}, ${tx.json(entry.details ?? {})})`;
}
