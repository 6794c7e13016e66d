/**
 * /admin/log: the administrators' audit log (who, what, whom, when, and the note), filtered by
 * action, actor, member and dates, fifty entries a page, with a link to the same entries as CSV.
 *
 * @example
 * <AdminLogView actions={adminActions} entries={entries} query={{ action: "suspend" }}
 *   page={1} more={false} errors={{}} />
 */
import type { AdminAction, AdminLogEntry } from "../db/admin_log.ts";
import { AdminSections } from "./admin.tsx";
import type { FieldErrors } from "./form.tsx";
import { useWords } from "../i18n/words_context.ts";
import type { MessageKey, Translate } from "../i18n/translate.ts";

export function AdminLogView(props: {
  /** Every action the filter offers (db/admin_log.ts `adminActions`). */
  actions: readonly AdminAction[];
  entries: AdminLogEntry[];
  query: Record<string, string>;
  page: number;
  more: boolean;
  errors: FieldErrors;
}) {
  const { t } = useWords();
  const q = props.query;
  const filterQuery = new URLSearchParams(
    Object.entries(q).filter(([key, value]) =>
      ["action", "actor", "member", "from", "to"].includes(key) && value !== ""
    ),
  );
  const pageLink = (page: number) => {
    const params = new URLSearchParams(filterQuery);
    params.set("page", String(page));
    return `/admin/log?${params}`;
  };
  const csv = `/admin/log.csv${filterQuery.size > 0 ? `?${filterQuery}` : ""}`;
  return (
    <section class="admin" aria-labelledby="admin-log-title">
      <h1 id="admin-log-title">{t("admin.log.title")}</h1>
      <AdminSections current="log" />
      {props.errors._form && <p class="error" role="alert">{props.errors._form}</p>}
      <form method="get" action="/admin/log" class="card log-filter">
        <div class="field">
          <label for="log-action">{t("admin.log.action")}</label>
          <select id="log-action" name="action">
            <option value="">{t("admin.log.any")}</option>
            {props.actions.map((action) => (
              <option value={action} selected={q.action === action}>
                {t(adminActionKey(action))}
              </option>
            ))}
          </select>
          <FilterError name="action" errors={props.errors} />
        </div>
        <FilterField
          name="actor"
          label={t("admin.log.actor")}
          value={q.actor}
          errors={props.errors}
        />
        <FilterField
          name="member"
          label={t("admin.log.member")}
          value={q.member}
          errors={props.errors}
        />
        <FilterField
          name="from"
          label={t("admin.log.from")}
          value={q.from}
          errors={props.errors}
          type="date"
        />
        <FilterField
          name="to"
          label={t("admin.log.to")}
          value={q.to}
          errors={props.errors}
          type="date"
        />
        <button type="submit">{t("admin.log.filter")}</button>
      </form>
      <p>
        <a href={csv} download>{t("admin.log.csv")}</a>
      </p>
      {props.entries.length === 0
        ? <p class="muted">{t("admin.log.empty")}</p>
        : (
          <div class="table-wrap">
            <table class="stacked">
              <thead>
                <tr>
                  <th scope="col">{t("admin.when")}</th>
                  <th scope="col">{t("admin.log.who")}</th>
                  <th scope="col">{t("admin.log.what")}</th>
                  <th scope="col">{t("admin.log.whom")}</th>
                  <th scope="col">{t("admin.log.note")}</th>
                </tr>
              </thead>
              <tbody>
                {props.entries.map((e) => (
                  <tr>
                    <td data-label={t("admin.when")}>
                      <time datetime={e.at.toISOString()} data-local-time>
                        {e.at.toISOString().slice(0, 16).replace("T", " ")} UTC
                      </time>
                    </td>
                    <td data-label={t("admin.log.who")}>{logMember(e.actor, e.actorDeleted, t)}</td>
                    <td data-label={t("admin.log.what")}>{t(adminActionKey(e.action))}</td>
                    <td data-label={t("admin.log.whom")}>
                      {e.roomTitle && e.roomPublicId
                        ? <a href={`/rooms/${e.roomPublicId}`}>{e.roomTitle}</a>
                        : e.roomForgotten
                        ? t("admin.log.forgotten_room")
                        : logMember(e.member, e.memberDeleted, t) || "—"}
                    </td>
                    <td data-label={t("admin.log.note")}>{e.note || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      <nav class="pager" aria-label={t("admin.log.pages")}>
        {props.page > 1 && <a href={pageLink(props.page - 1)} rel="prev">{t("admin.log.newer")}</a>}
        {props.more && <a href={pageLink(props.page + 1)} rel="next">{t("admin.log.older")}</a>}
      </nav>
    </section>
  );
}

function FilterField(props: {
  name: string;
  label: string;
  value: string | undefined;
  errors: FieldErrors;
  type?: string;
}) {
  const id = `log-${props.name}`;
  const error = props.errors[props.name];
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.value ?? ""}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      <FilterError name={props.name} errors={props.errors} />
    </div>
  );
}

function FilterError(props: { name: string; errors: FieldErrors }) {
  const error = props.errors[props.name];
  return error ? <p class="error" id={`log-${props.name}-error`} role="alert">{error}</p> : null;
}

/**
 * "@ada", "a deleted member", or "" when the entry names nobody.
 *
 * @example
 * logMember(null, true, t); // "a deleted member"
 */
export function logMember(handle: string | null, deleted: boolean, t: Translate): string {
  if (handle) return `@${handle}`;
  return deleted ? t("admin.log.deleted_member") : "";
}

/**
 * @example
 * adminActionKey("suspend"); // "admin.log.action.suspend"
 */
export function adminActionKey(action: AdminAction): MessageKey {
  return `admin.log.action.${action}`;
}
