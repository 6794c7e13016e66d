/**
 * The audit log as CSV (RFC 4180): a header row, then one row per entry. Every cell is quoted,
 * and a cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage
 * return) gets a leading apostrophe, so opening the export never runs what a member typed.
 *
 * @example
 * adminLogCsv(entries, english.t); // "\"When (UTC)\",\"Who\",...\r\n\"2026-12-03T...\",..."
 */
import type { AdminLogEntry } from "../db/admin_log.ts";
import type { Translate } from "../i18n/translate.ts";
import { adminActionKey } from "./admin_log.tsx";

export function adminLogCsv(entries: readonly AdminLogEntry[], t: Translate): string {
  const header = [
    t("admin.log.when_utc"),
    t("admin.log.who"),
    t("admin.log.what"),
    t("admin.log.whom"),
    t("admin.log.room"),
    t("admin.log.report"),
    t("admin.log.note"),
    t("admin.log.details"),
  ];
  const rows = entries.map((e) => [
    e.at.toISOString(),
    csvMember(e.actor, e.actorDeleted, t),
    t(adminActionKey(e.action)),
    csvMember(e.member, e.memberDeleted, t),
    e.roomForgotten ? t("admin.log.forgotten_room") : e.roomTitle ?? "",
    e.reportId === null ? "" : String(e.reportId),
    e.note,
    Object.keys(e.details).length === 0 ? "" : JSON.stringify(e.details),
  ]);
  return [header, ...rows].map((cells) => cells.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** A handle bare ("ada"): "@ada" would read as a formula and need defusing. */
function csvMember(handle: string | null, deleted: boolean, t: Translate): string {
  if (handle) return handle;
  return deleted ? t("admin.log.deleted_member") : "";
}

/**
 * One quoted cell: quotes doubled, a formula's first character defused.
 *
 * @example
 * csvCell('=HYPERLINK("x")'); // "\"'=HYPERLINK(\"\"x\"\")\""
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}
