/**
 * Resolving a report: dismissed, a warning to the member, a suspension, or the room ended, with
 * a note. The action, the report's resolution and the audit entries commit together; of two
 * administrators resolving the same report at once, the second is told it is already resolved.
 *
 * @example
 * await resolveReport(sql, ada.id, reportId, { resolution: "warned", note: "Be kind" });
 */
import type { Sql } from "./client.ts";
import { Refusal } from "./errors.ts";
import { recordAdminAction } from "./admin_log.ts";
import { checkedNote, endRoomIn } from "./admin_tools.ts";
import { type NewSuspension, suspendIn } from "./suspensions.ts";
import { warnIn } from "./warnings.ts";
import { requireAdmin } from "./users.ts";

export const resolutions = ["dismissed", "warned", "suspended", "room_ended"] as const;
export type Resolution = typeof resolutions[number];

/**
 * @example
 * isResolution("warned"); // true
 */
export function isResolution(text: string): text is Resolution {
  return (resolutions as readonly string[]).includes(text);
}

export interface ReportResolution {
  resolution: Resolution;
  /** What the administrator notes; for a warning, what the member reads. */
  note: string;
  /** The suspension's reason and end, when the resolution is "suspended". */
  suspension?: NewSuspension;
}

/**
 * @example
 * await resolveReport(sql, ada.id, reportId, { resolution: "dismissed", note: "" });
 */
export async function resolveReport(
  sql: Sql,
  actorId: number,
  reportId: number,
  how: ReportResolution,
): Promise<void> {
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    const note = checkedNote(how.note);
    const [report] = await tx`select member_id, room_id, resolved_at from reports
                              where id = ${reportId} for update`;
    if (!report) throw new Refusal("not_found", "refusal.report.unknown");
    if (report.resolved_at) throw new Refusal("conflict", "refusal.report.resolved");
    const memberId: number | null = report.member_id === null ? null : Number(report.member_id);
    const roomId: number | null = report.room_id === null ? null : Number(report.room_id);
    switch (how.resolution) {
      case "dismissed":
        break;
      case "warned":
        if (memberId === null) throw new Refusal("invalid", "refusal.report.no_member");
        await warnIn(tx, { memberId, byId: actorId, reportId, message: note });
        await recordAdminAction(tx, { actorId, action: "warn", memberId, reportId, note });
        break;
      case "suspended":
        if (memberId === null) throw new Refusal("invalid", "refusal.report.no_member");
        if (!how.suspension) throw new Refusal("invalid", "refusal.suspension.reason", "reason");
        await suspendIn(tx, actorId, memberId, { ...how.suspension, reportId });
        break;
      case "room_ended":
        if (roomId === null) throw new Refusal("invalid", "refusal.report.no_room");
        await endRoomIn(tx, actorId, roomId, { note, reportId });
        break;
      default:
        throw new Refusal("invalid", "refusal.report.resolution", "resolution");
    }
    await tx`update reports set resolved_at = statement_timestamp(), resolved_by = ${actorId},
             resolution = ${how.resolution}, resolution_note = ${note} where id = ${reportId}`;
    await recordAdminAction(tx, {
      actorId,
      action: "resolve_report",
      memberId,
      roomId,
      reportId,
      note,
      details: { resolution: how.resolution },
    });
  });
}
