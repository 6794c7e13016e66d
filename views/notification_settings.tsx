/**
 * The notification part of /settings: a checkbox per kind (all on until turned off), the people
 * muted with a button each to unmute, how long notifications are kept; and the profile's mute
 * button.
 *
 * @example
 * <NotificationSettingsSection settings={settings} keepDays={90} saved={false} />
 */
import type { NotificationSettings } from "../db/notifications.ts";
import { useWords } from "../i18n/words_context.ts";
import { BrowserPermission } from "./notifications.tsx";

export function NotificationSettingsSection(
  props: { settings: NotificationSettings; keepDays: number; saved?: boolean },
) {
  const { t } = useWords();
  const { kinds, muted } = props.settings;
  return (
    <section id="notifications" aria-labelledby="notifications-title">
      <h2 id="notifications-title">{t("notify.settings.title")}</h2>
      {props.saved && <p class="notice" role="status">{t("notify.settings.saved")}</p>}
      <form method="post" action="/notifications/settings">
        <fieldset>
          <legend>{t("notify.settings.kinds")}</legend>
          {kinds.map(({ kind, on }) => (
            <div class="check">
              <input
                type="checkbox"
                id={`notify-${kind}`}
                name="on"
                value={kind}
                checked={on}
              />
              <label for={`notify-${kind}`}>{t(`notify.settings.kind.${kind}`)}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">{t("notify.settings.save")}</button>
      </form>
      <BrowserPermission />
      <h3>{t("notify.settings.muted")}</h3>
      {muted.length === 0
        ? <p class="muted">{t("notify.settings.muted.none")}</p>
        : (
          <ul class="muted-people">
            {muted.map((person) => (
              <li>
                <a href={`/@${person.handle}`}>{person.displayName}</a>{" "}
                <MuteForm handle={person.handle} muted />
              </li>
            ))}
          </ul>
        )}
      <p class="hint">{t("notify.settings.keep", { count: props.keepDays })}</p>
    </section>
  );
}

/**
 * Mute or unmute one person's notifications (a profile, the settings' list).
 *
 * @example
 * <MuteForm handle="ada" muted={false} />
 */
export function MuteForm(props: { handle: string; muted: boolean }) {
  const { t } = useWords();
  const action = `/@${props.handle}/${props.muted ? "unmute" : "mute"}`;
  return (
    <form method="post" action={action} class="inline mute-form">
      <button type="submit" class="secondary">
        {t(props.muted ? "notify.unmute" : "notify.mute", { handle: props.handle })}
      </button>
    </form>
  );
}
