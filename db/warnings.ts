/**
 * Warnings: what an administrator tells a member when resolving a report with "warn". The
 * member sees each as a banner on every page until they dismiss it.
 *
 * @example
 * await warnIn(tx, { memberId: mallory.id, byId: ada.id, reportId, message: "Be kind" });
 * (await pendingWarnings(sql, mallory.id))[0].message; // "Be kind"
 * await dismissWarning(sql, mallory.id, warningId);
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";

export const warningLimits = { min: 3, max: 500 };

export interface Warning {
  id: number;
  message: string;
  at: Date;
}

/**
 * Writes a warning for the member, inside the transaction that resolves the report.
 *
 * @example
 * await warnIn(tx, { memberId: mallory.id, byId: ada.id, message: "Be kind" });
 */
export async function warnIn(
  tx: Tx,
  warning: { memberId: number; byId: number; reportId?: number; message: string },
): Promise<void> {
  const message = warning.message.trim();
  if (message.length < warningLimits.min || message.length > warningLimits.max) {
    throw new Refusal("invalid", "refusal.warning.message", {
      field: "note",
      params: warningLimits,
    });
  }
  await tx`insert into member_warnings (member_id, by_id, report_id, message)
           values (${warning.memberId}, ${warning.byId}, ${warning.reportId ?? null}, ${message})`;
  await notify(tx, { members: [warning.memberId] });
}

/**
 * The member's warnings not dismissed yet, oldest first.
 *
 * @example
 * (await pendingWarnings(sql, mallory.id)).length; // 1
 */
export async function pendingWarnings(sql: Sql, memberId: number): Promise<Warning[]> {
  const rows = await sql`
    select id, message, at from member_warnings
    where member_id = ${memberId} and dismissed_at is null order by at, id limit 5`;
  return rows.map((r) => ({ id: Number(r.id), message: r.message, at: r.at }));
}

/**
 * The member dismisses one of their own warnings (read); another's is not found.
 *
 * @example
 * await dismissWarning(sql, mallory.id, warning.id);
 */
export async function dismissWarning(sql: Sql, memberId: number, warningId: number): Promise<void> {
  await sql.begin(async (tx) => {
    const rows = await tx`
      update member_warnings set dismissed_at = coalesce(dismissed_at, statement_timestamp())
      where id = ${warningId} and member_id = ${memberId} returning id`;
    if (rows.length === 0) throw new Refusal("not_found", "refusal.warning.unknown");
    // Every process's cached copy of the member's warnings (db/read_cache.ts) goes.
    await notify(tx, { members: [memberId] });
  });
}
