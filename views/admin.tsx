/**
 * The administrators' page: invites per member, the waitlist, and members with who invited
 * them (the invite graph is shown nowhere else).
 *
 * @example
 * <AdminView invitesPerMember={5} waitlist={[]} members={[]} origin="" errors={{}} />
 */
import { Field, type FieldErrors } from "./form.tsx";
import { RetentionForm } from "./retention_form.tsx";
import type { Retention } from "../db/retention.ts";
import type { MemberRow } from "../db/admin.ts";
import type { ModerationEntry } from "../db/room_actions.ts";
import type { ReportEntry } from "../db/safety.ts";
import type { WaitlistEntry } from "../db/waitlist.ts";
import { useWords } from "../i18n/words_context.ts";
import { MemberHandle } from "./member_handle.tsx";
import { type Language, languages } from "../i18n/language.ts";
import type { MessageKey } from "../i18n/translate.ts";
import type { RoomToEnd } from "../db/admin_tools.ts";
import {
  type AdminToolNotice,
  MemberActions,
  ResolveReportForm,
  RoomsToEnd,
} from "./admin_tools.tsx";

/** What the page confirms after a change, by the `done` query the change redirects with. */
export const adminNotices = ["settings", "invited", "retention"] as const;
export type AdminNotice = typeof adminNotices[number];

/** The administrators' pages, linked from each of them. */
export function AdminSections(props: { current: "people" | "recommendations" | "log" }) {
  const { t } = useWords();
  const sections = [
    { key: "people", href: "/admin", label: t("admin.section.people") },
    { key: "recommendations", href: "/admin/recommendations", label: t("admin.section.recommend") },
    { key: "log", href: "/admin/log", label: t("admin.section.log") },
  ] as const;
  return (
    <nav class="admin-sections" aria-label={t("admin.title")}>
      <ul>
        {sections.map((s) => (
          <li>
            <a href={s.href} aria-current={s.key === props.current ? "page" : undefined}>
              {s.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function AdminView(props: {
  reports: ReportEntry[];
  moderation: ModerationEntry[];
  invitesPerMember: number;
  siteLanguage: Language;
  retention: Retention;
  waitlist: WaitlistEntry[];
  members: MemberRow[];
  /** Live and scheduled rooms, which an administrator may end. */
  rooms: RoomToEnd[];
  origin: string;
  errors: FieldErrors;
  notice?: AdminNotice | AdminToolNotice;
}) {
  const { t } = useWords();
  return (
    <section class="admin" aria-labelledby="admin-title">
      <h1 id="admin-title">{t("admin.title")}</h1>
      <AdminSections current="people" />
      {props.notice && <p class="notice" role="status">{t(`admin.notice.${props.notice}`)}</p>}
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <section class="card" aria-labelledby="admin-invites">
        <h2 id="admin-invites">{t("admin.invites")}</h2>
        <form method="post" action="/admin/settings" novalidate class="inline">
          <Field
            name="invites_per_member"
            label={t("admin.invites.per_member")}
            type="number"
            value={String(props.invitesPerMember)}
            errors={props.errors}
          />
          <button type="submit">{t("admin.save")}</button>
        </form>
      </section>
      <SiteLanguageForm language={props.siteLanguage} errors={props.errors} />
      <RetentionForm retention={props.retention} errors={props.errors} />
      <section class="card" aria-labelledby="admin-waitlist">
        <h2 id="admin-waitlist">{t("admin.waitlist")} ({props.waitlist.length})</h2>
        {props.waitlist.length === 0
          ? <p class="muted">{t("admin.waitlist.empty")}</p>
          : (
            <div class="table-wrap">
              <table class="stacked">
                <thead>
                  <tr>
                    <th scope="col">{t("admin.waitlist.name")}</th>
                    <th scope="col">{t("admin.waitlist.contact")}</th>
                    <th scope="col">{t("admin.waitlist.why")}</th>
                    <th scope="col">{t("admin.waitlist.invite")}</th>
                  </tr>
                </thead>
                <tbody>
                  {props.waitlist.map((entry) => (
                    <tr>
                      <td data-label={t("admin.waitlist.name")}>{entry.name}</td>
                      <td data-label={t("admin.waitlist.contact")}>{entry.contact}</td>
                      <td data-label={t("admin.waitlist.why")}>{entry.reason}</td>
                      <td data-label={t("admin.waitlist.invite")}>
                        {entry.invite
                          ? (
                            <>
                              <span class={`state ${entry.invite.state}`}>
                                {t(inviteStateKey(entry.invite.state))}
                              </span>{" "}
                              <input
                                class="invite-link"
                                type="text"
                                readonly
                                aria-label={t("admin.waitlist.link", { name: entry.name })}
                                value={`${props.origin}/join/${entry.invite.token}`}
                              />
                            </>
                          )
                          : (
                            <form method="post" action={`/admin/waitlist/${entry.id}/invite`}>
                              <button
                                type="submit"
                                aria-label={t("admin.waitlist.create.label", {
                                  name: entry.name,
                                })}
                              >
                                {t("admin.waitlist.create")}
                              </button>
                            </form>
                          )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="card" aria-labelledby="admin-reports">
        <h2 id="admin-reports">{t("admin.reports")} ({props.reports.length})</h2>
        {props.reports.length === 0
          ? <p class="muted">{t("admin.reports.empty")}</p>
          : (
            <div class="table-wrap">
              <table class="stacked">
                <thead>
                  <tr>
                    <th scope="col">{t("admin.when")}</th>
                    <th scope="col">{t("admin.reports.from")}</th>
                    <th scope="col">{t("admin.reports.about")}</th>
                    <th scope="col">{t("admin.reports.reason")}</th>
                    <th scope="col">{t("admin.tools.resolve")}</th>
                  </tr>
                </thead>
                <tbody>
                  {props.reports.map((r) => (
                    <tr>
                      <td data-label={t("admin.when")}>
                        <LocalTime at={r.at} />
                      </td>
                      <td data-label={t("admin.reports.from")}>
                        <MemberHandle handle={r.reporter} deleted={r.reporter === null} />
                      </td>
                      <td data-label={t("admin.reports.about")}>
                        {r.member || r.memberDeleted
                          ? <MemberHandle handle={r.member} deleted={r.memberDeleted} />
                          : <a href={`/rooms/${r.roomPublicId}`}>{r.roomTitle}</a>}
                      </td>
                      <td data-label={t("admin.reports.reason")}>{r.reason}</td>
                      <td data-label={t("admin.tools.resolve")}>
                        <ResolveReportForm report={r} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <RoomsToEnd rooms={props.rooms} />
      <section class="card" aria-labelledby="admin-moderation">
        <h2 id="admin-moderation">{t("admin.moderation")}</h2>
        {props.moderation.length === 0
          ? <p class="muted">{t("admin.moderation.empty")}</p>
          : (
            <div class="table-wrap">
              <table class="stacked">
                <thead>
                  <tr>
                    <th scope="col">{t("admin.when")}</th>
                    <th scope="col">{t("admin.moderation.room")}</th>
                    <th scope="col">{t("admin.moderation.who")}</th>
                    <th scope="col">{t("admin.moderation.what")}</th>
                    <th scope="col">{t("admin.moderation.whom")}</th>
                  </tr>
                </thead>
                <tbody>
                  {props.moderation.map((m) => (
                    <tr>
                      <td data-label={t("admin.when")}>
                        <LocalTime at={m.at} />
                      </td>
                      <td data-label={t("admin.moderation.room")}>{m.roomTitle}</td>
                      <td data-label={t("admin.moderation.who")}>
                        {m.actor || m.actorDeleted
                          ? <MemberHandle handle={m.actor} deleted={m.actorDeleted} />
                          : t("site.name")}
                      </td>
                      <td data-label={t("admin.moderation.what")}>{t(actionKey(m.action))}</td>
                      <td data-label={t("admin.moderation.whom")}>
                        {m.target || m.targetDeleted
                          ? <MemberHandle handle={m.target} deleted={m.targetDeleted} />
                          : "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
      </section>
      <section class="card" aria-labelledby="admin-members">
        <h2 id="admin-members">{t("admin.members")} ({props.members.length})</h2>
        <div class="table-wrap">
          <table class="stacked">
            <thead>
              <tr>
                <th scope="col">{t("admin.members.member")}</th>
                <th scope="col">{t("admin.members.invited_by")}</th>
                <th scope="col">{t("admin.members.joined")}</th>
                <th scope="col">{t("admin.tools.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <tr>
                  <td data-label={t("admin.members.member")}>
                    <a href={`/@${m.handle}`}>@{m.handle}</a> {m.displayName}
                    {m.isAdmin && <span class="badge">{t("admin.members.admin")}</span>}
                  </td>
                  <td data-label={t("admin.members.invited_by")}>
                    {m.invitedBy || m.invitedByDeleted
                      ? <MemberHandle handle={m.invitedBy} deleted={m.invitedByDeleted} />
                      : "—"}
                  </td>
                  <td data-label={t("admin.members.joined")}>
                    <LocalTime at={m.joinedAt} />
                  </td>
                  <td data-label={t("admin.tools.actions")}>
                    <MemberActions member={m} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}

/** The language pages speak to whoever has no choice of their own that we speak. */
function SiteLanguageForm(props: { language: Language; errors: FieldErrors }) {
  const { t } = useWords();
  const error = props.errors.site_language;
  return (
    <section class="card" aria-labelledby="admin-language">
      <h2 id="admin-language">{t("admin.language")}</h2>
      <form method="post" action="/admin/language" class="inline">
        <div class={error ? "field invalid" : "field"}>
          <label for="field-site_language">{t("admin.language.label")}</label>
          <select id="field-site_language" name="site_language">
            {languages.map((language) => (
              <option value={language} selected={props.language === language}>
                {t(`language.name.${language}`)}
              </option>
            ))}
          </select>
          {error && <p class="error" role="alert">{error}</p>}
        </div>
        <button type="submit">{t("admin.save")}</button>
      </form>
    </section>
  );
}

/** A moment in UTC that app.js rewrites in the viewer's language and time zone. */
function LocalTime(props: { at: Date }) {
  const iso = props.at.toISOString();
  return <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>;
}

const inviteStates = ["open", "used", "expired", "revoked"] as const;

function inviteStateKey(state: string): MessageKey {
  const known = inviteStates.find((s) => s === state);
  return known ? `invite.state.${known}` : "invite.state.unknown";
}

const moderationActions = [
  "invite_to_speak",
  "move_to_audience",
  "mute",
  "make_moderator",
  "unmake_moderator",
  "remove",
  "end",
  "hands_on",
  "hands_off",
  "succeed_moderator",
  "end_unattended",
] as const;

function actionKey(action: string): MessageKey {
  const known = moderationActions.find((a) => a === action);
  return known ? `moderation.action.${known}` : "moderation.action.other";
}
