/**
 * A member's settings: display name and bio, their password, their listening history (what
 * recommendations learn from: pause it, clear it), signing out of every device, and deleting
 * their account.
 *
 * @example
 * <SettingsView form={{ display_name: "Ada", bio: "" }} errors={{}} history={history} />
 */
import { CalendarFeed, type CalendarFeedData } from "./calendar_feed.tsx";
import { Field, type FieldErrors, FormError } from "./form.tsx";
import { useWords } from "../i18n/words_context.ts";
import { type Language, languages } from "../i18n/language.ts";
import type { NotificationSettings } from "../db/notifications.ts";
import { NotificationSettingsSection } from "./notification_settings.tsx";
import { DataExportSection } from "./data_export.tsx";

export interface HistoryData {
  paused: boolean;
  countedSeconds: number;
  rooms: number;
}

export function SettingsView(
  props: {
    form: { display_name: string; bio: string };
    errors: FieldErrors;
    saved?: boolean;
    /** The member's own language; null follows the browser. */
    language: Language | null;
    languageSaved?: boolean;
    history: HistoryData;
    /** What was just done to the history, to confirm it. */
    historyNotice?: "paused" | "resumed" | "cleared";
    /** The password was just changed (every other device signed out). */
    passwordChanged?: boolean;
    /** The member's notification settings (views/notification_settings.tsx). */
    notifications?: { settings: NotificationSettings; keepDays: number; saved?: boolean };
    calendar: CalendarFeedData;
    /** How long a deleted account's handle stays reserved, said before deleting. */
    handleReservedDays: number;
  },
) {
  const { t } = useWords();
  return (
    <section class="card narrow" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>
      {props.saved && <p class="notice" role="status">{t("settings.saved")}</p>}
      <form method="post" action="/settings" novalidate>
        <FormError errors={props.errors} />
        <Field
          name="display_name"
          label={t("auth.display_name")}
          value={props.form.display_name}
          errors={props.errors}
          maxlength={50}
        />
        <Field
          name="bio"
          label={t("settings.bio")}
          value={props.form.bio}
          errors={props.errors}
          required={false}
          maxlength={300}
          multiline
          hint={t("settings.bio.hint")}
        />
        <button type="submit">{t("settings.save")}</button>
      </form>
      <LanguageForm language={props.language} saved={props.languageSaved} />
      <PasswordForm errors={props.errors} changed={props.passwordChanged} />
      <ListeningHistory history={props.history} notice={props.historyNotice} />
      {props.notifications && <NotificationSettingsSection {...props.notifications} />}
      <CalendarFeed {...props.calendar} />
      <DataExportSection />
      <h2>{t("settings.sessions")}</h2>
      <p>{t("settings.sessions.intro")}</p>
      <form method="post" action="/signout/everywhere">
        <button type="submit" class="secondary">{t("settings.sessions.end")}</button>
      </form>
      <DeleteAccount errors={props.errors} handleReservedDays={props.handleReservedDays} />
    </section>
  );
}

/** Deleting the account for good: what goes, what stays, confirmed with the password. */
function DeleteAccount(props: { errors: FieldErrors; handleReservedDays: number }) {
  const { t } = useWords();
  return (
    <section id="delete-account" class="delete-account" aria-labelledby="delete-account-title">
      <h2 id="delete-account-title">{t("settings.delete")}</h2>
      <p>{t("settings.delete.intro")}</p>
      <p>{t("settings.delete.gone")}</p>
      <p>
        {t("settings.delete.kept")} {t("settings.delete.handle", {
          count: props.handleReservedDays,
        })}
      </p>
      <form method="post" action="/settings/delete" novalidate>
        <Field
          name="delete_password"
          label={t("settings.delete.password")}
          type="password"
          errors={props.errors}
          autocomplete="current-password"
        />
        <button type="submit" class="danger">{t("settings.delete.submit")}</button>
      </form>
    </section>
  );
}

/** The member's language: one of ours, or whatever the browser asks for. */
function LanguageForm(props: { language: Language | null; saved?: boolean }) {
  const { t } = useWords();
  return (
    <section id="language" aria-labelledby="language-title">
      <h2 id="language-title">{t("settings.language")}</h2>
      {props.saved && <p class="notice" role="status">{t("settings.language.saved")}</p>}
      <form method="post" action="/settings/language">
        <div class="field">
          <label for="field-language">{t("settings.language")}</label>
          <select id="field-language" name="language" aria-describedby="field-language-hint">
            <option value="" selected={props.language === null}>
              {t("settings.language.browser")}
            </option>
            {languages.map((language) => (
              <option value={language} selected={props.language === language}>
                {t(`language.name.${language}`)}
              </option>
            ))}
          </select>
          <p class="hint" id="field-language-hint">{t("settings.language.hint")}</p>
        </div>
        <button type="submit">{t("settings.language.save")}</button>
      </form>
    </section>
  );
}

function PasswordForm(props: { errors: FieldErrors; changed?: boolean }) {
  const { t } = useWords();
  return (
    <section id="password" aria-labelledby="password-title">
      <h2 id="password-title">{t("settings.password")}</h2>
      {props.changed && <p class="notice" role="status">{t("settings.password.changed")}</p>}
      <form method="post" action="/settings/password" novalidate>
        <Field
          name="current_password"
          label={t("settings.password.current")}
          type="password"
          errors={props.errors}
          autocomplete="current-password"
        />
        <Field
          name="new_password"
          label={t("settings.password.new")}
          type="password"
          errors={props.errors}
          autocomplete="new-password"
          minlength={10}
          hint={t("settings.password.hint")}
        />
        <button type="submit">{t("settings.password.submit")}</button>
      </form>
    </section>
  );
}

function ListeningHistory(
  props: { history: HistoryData; notice?: "paused" | "resumed" | "cleared" },
) {
  const h = props.history;
  const minutes = Math.round(h.countedSeconds / 60);
  const { t } = useWords();
  return (
    <section id="listening-history" aria-labelledby="history-title">
      <h2 id="history-title">{t("settings.history")}</h2>
      {props.notice && (
        <p class="notice" role="status">{t(`settings.history.notice.${props.notice}`)}</p>
      )}
      <p>
        {t("settings.history.known", {
          minutes: t("settings.history.minutes", { count: minutes }),
          rooms: t("settings.history.rooms", { count: h.rooms }),
        })} {h.paused ? t("settings.history.paused") : t("settings.history.private")}
      </p>
      <div class="actions">
        <form method="post" action="/settings/history/pause">
          <input type="hidden" name="paused" value={h.paused ? "off" : "on"} />
          <button type="submit" class="secondary" aria-pressed={h.paused ? "true" : "false"}>
            {h.paused ? t("settings.history.resume") : t("settings.history.pause")}
          </button>
        </form>
        <form method="post" action="/settings/history/clear">
          <label class="check">
            <input type="checkbox" name="confirm" value="yes" required />{" "}
            {t("settings.history.confirm")}
          </label>
          <button type="submit" class="secondary">{t("settings.history.clear")}</button>
        </form>
      </div>
    </section>
  );
}
