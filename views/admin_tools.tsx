/**
 * The administrators' tools on /admin: each member's actions (suspend or lift, revoke invites,
 * make or unmake administrator), the resolve form of an open report, and the rooms an
 * administrator may end. Every form carries ids of its own row, so many share one page.
 *
 * @example
 * <MemberActions member={row} />
 * <ResolveReportForm report={report} />
 */
import type { MemberRow } from "../db/admin.ts";
import type { RoomToEnd } from "../db/admin_tools.ts";
import type { ReportEntry } from "../db/safety.ts";
import { useWords } from "../i18n/words_context.ts";

/** What the admin page confirms after one of these tools, by the `done` query. */
export const adminToolNotices = [
  "suspended",
  "lifted",
  "invites_revoked",
  "admin_changed",
  "room_ended",
  "resolved",
] as const;
export type AdminToolNotice = typeof adminToolNotices[number];

/**
 * A member's row actions; the database refuses what may not be done (oneself, the last administrator).
 *
 * @example
 * <MemberActions member={row} />
 */
export function MemberActions(props: { member: MemberRow }) {
  const { t } = useWords();
  const m = props.member;
  const base = `/admin/members/${m.handle}`;
  return (
    <div class="member-actions">
      {m.suspension
        ? (
          <form method="post" action={`${base}/lift`} class="inline">
            <span class="state suspended">
              {m.suspension.endsAt
                ? t("admin.tools.suspended_until", { until: utcMinute(m.suspension.endsAt) })
                : t("admin.tools.suspended_for_good")}
            </span>{" "}
            <button type="submit" aria-label={t("admin.tools.lift.label", { handle: m.handle })}>
              {t("admin.tools.lift")}
            </button>
          </form>
        )
        : (
          <details class="suspend">
            <summary>{t("admin.tools.suspend")}</summary>
            <form method="post" action={`${base}/suspend`}>
              <SuspensionFields prefix={`suspend-${m.handle}`} />
              <button
                type="submit"
                aria-label={t("admin.tools.suspend.label", { handle: m.handle })}
              >
                {t("admin.tools.suspend")}
              </button>
            </form>
          </details>
        )}
      <form method="post" action={`${base}/revoke-invites`} class="inline">
        <button type="submit" aria-label={t("admin.tools.revoke.label", { handle: m.handle })}>
          {t("admin.tools.revoke")}
        </button>
      </form>
      <form method="post" action={`${base}/admin`} class="inline">
        <input type="hidden" name="admin" value={m.isAdmin ? "no" : "yes"} />
        <button
          type="submit"
          aria-label={t(m.isAdmin ? "admin.tools.unmake.label" : "admin.tools.make.label", {
            handle: m.handle,
          })}
        >
          {t(m.isAdmin ? "admin.tools.unmake" : "admin.tools.make")}
        </button>
      </form>
    </div>
  );
}

/**
 * A suspension's reason and length; `prefix` keeps the ids of each form apart.
 *
 * @example
 * <SuspensionFields prefix="suspend-grace" />
 */
export function SuspensionFields(props: { prefix: string; reasonName?: string }) {
  const { t } = useWords();
  const id = (name: string) => `${props.prefix}-${name}`;
  return (
    <fieldset class="suspension-fields">
      <legend>{t("admin.tools.suspension")}</legend>
      <div class="field">
        <label for={id("reason")}>{t("admin.tools.reason")}</label>
        <textarea id={id("reason")} name={props.reasonName ?? "reason"} rows={2} maxlength={500}>
        </textarea>
      </div>
      <div class="field">
        <label for={id("length")}>{t("admin.tools.length")}</label>
        <select id={id("length")} name="length">
          <option value="days">{t("admin.tools.length.days")}</option>
          <option value="hours">{t("admin.tools.length.hours")}</option>
          <option value="until">{t("admin.tools.length.until")}</option>
          <option value="for_good">{t("admin.tools.length.for_good")}</option>
        </select>
      </div>
      <div class="field">
        <label for={id("amount")}>{t("admin.tools.amount")}</label>
        <input
          id={id("amount")}
          name="amount"
          type="number"
          min="1"
          inputmode="numeric"
          value="7"
        />
      </div>
      <div class="field">
        <label for={id("until")}>{t("admin.tools.until")}</label>
        <input id={id("until")} name="until" type="date" />
      </div>
    </fieldset>
  );
}

/**
 * How an open report is resolved: dismissed, a warning, a suspension, or the room ended.
 *
 * @example
 * <ResolveReportForm report={report} />
 */
export function ResolveReportForm(props: { report: ReportEntry }) {
  const { t } = useWords();
  const r = props.report;
  const id = (name: string) => `report-${r.id}-${name}`;
  return (
    <details class="resolve">
      <summary>{t("admin.tools.resolve")}</summary>
      <form method="post" action={`/admin/reports/${r.id}/resolve`}>
        <div class="field">
          <label for={id("resolution")}>{t("admin.tools.resolution")}</label>
          <select id={id("resolution")} name="resolution">
            <option value="dismissed">{t("admin.tools.resolution.dismissed")}</option>
            {r.member && <option value="warned">{t("admin.tools.resolution.warned")}</option>}
            {r.member && <option value="suspended">{t("admin.tools.resolution.suspended")}</option>}
            {r.roomPublicId && (
              <option value="room_ended">{t("admin.tools.resolution.room_ended")}</option>
            )}
          </select>
        </div>
        <div class="field">
          <label for={id("note")}>{t("admin.tools.note")}</label>
          <textarea
            id={id("note")}
            name="note"
            rows={2}
            maxlength={500}
            aria-describedby={id("note-hint")}
          >
          </textarea>
          <p class="hint" id={id("note-hint")}>{t("admin.tools.note.hint")}</p>
        </div>
        {r.member && <SuspensionFields prefix={id("suspension")} />}
        <button type="submit" aria-label={t("admin.tools.resolve.label", { id: r.id })}>
          {t("admin.tools.resolve")}
        </button>
      </form>
    </details>
  );
}

/**
 * Live and scheduled rooms, each with the administrator's "End room" control.
 *
 * @example
 * <RoomsToEnd rooms={rooms} />
 */
export function RoomsToEnd(props: { rooms: RoomToEnd[] }) {
  const { t } = useWords();
  return (
    <section class="card" aria-labelledby="admin-rooms">
      <h2 id="admin-rooms">{t("admin.tools.rooms")} ({props.rooms.length})</h2>
      {props.rooms.length === 0
        ? <p class="muted">{t("admin.tools.rooms.empty")}</p>
        : (
          <ul class="rooms-to-end">
            {props.rooms.map((room) => (
              <li>
                <a href={`/rooms/${room.publicId}`}>{room.title}</a>{" "}
                <span class="muted">
                  {t(
                    room.state === "live" ? "admin.tools.room.live" : "admin.tools.room.scheduled",
                  )}
                </span>
                <form method="post" action={`/admin/rooms/${room.publicId}/end`} class="inline">
                  <label for={`end-${room.publicId}-note`} class="visually-hidden">
                    {t("admin.tools.note")}
                  </label>
                  <input
                    id={`end-${room.publicId}-note`}
                    name="note"
                    type="text"
                    maxlength={500}
                    placeholder={t("admin.tools.note")}
                  />
                  <button
                    type="submit"
                    aria-label={t("admin.tools.end.label", { title: room.title })}
                  >
                    {t("admin.tools.end")}
                  </button>
                </form>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

/**
 * "2026-12-05 14:00 UTC".
 *
 * @example
 * utcMinute(new Date("2026-12-05T14:00:30Z")); // "2026-12-05 14:00 UTC"
 */
export function utcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
