/**
 * The settings section of a member's private calendar feed: make one, see its webcal address once
 * (only its hash is kept), make a new one, or revoke it.
 *
 * @example
 * <CalendarFeed since={null} />
 * <CalendarFeed since={new Date()} url="webcal://palabre.example/calendar/....ics" />
 */
import { useWords } from "../i18n/words_context.ts";

export interface CalendarFeedData {
  /** When the member's feed was made; null with none. */
  since: Date | null;
  /** The feed's address, just made: shown this once. */
  url?: string;
  /** The feed was just revoked. */
  revoked?: boolean;
}

export function CalendarFeed(props: CalendarFeedData) {
  const { t } = useWords();
  const iso = props.since?.toISOString();
  return (
    <section id="calendar" aria-labelledby="calendar-title">
      <h2 id="calendar-title">{t("calendar.title")}</h2>
      <p>{t("calendar.intro")}</p>
      {props.revoked && <p class="notice" role="status">{t("calendar.revoked")}</p>}
      {props.url && (
        <>
          <p class="notice" role="status">{t("calendar.made")}</p>
          <p class="share">
            <label for="calendar-url">{t("calendar.url")}</label>
            <input id="calendar-url" class="invite-link" type="text" readonly value={props.url} />
            <button type="button" class="secondary" data-copy="#calendar-url">
              {t("links.copy")}
            </button>
          </p>
        </>
      )}
      {iso && !props.url && (
        <p>
          {t("calendar.since")}{" "}
          <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>
        </p>
      )}
      <div class="actions">
        <form method="post" action="/settings/calendar">
          <button type="submit">{t(props.since ? "calendar.renew" : "calendar.new")}</button>
        </form>
        {props.since && (
          <form method="post" action="/settings/calendar/revoke">
            <button type="submit" class="danger">{t("calendar.revoke")}</button>
          </form>
        )}
      </div>
    </section>
  );
}
