/**
 * Passing a room or event on: "Copy link" (static/app.js copies the link, resolved against the
 * page's origin) and "Add to calendar" (the event as an .ics file). A closed room's cards carry no
 * link: its link is a secret its moderators pass on from the room's page.
 *
 * @example
 * <CopyLink href="/rooms/rQbZDUnRRoyXr-_PJrOrUA" title="Jazz" />
 * <AddToCalendar eventId="rQbZDUnRRoyXr-_PJrOrUA" title="Jazz" />
 */
import { useWords } from "../i18n/words_context.ts";

/**
 * A button that copies the room's link. Without scripts it does nothing; the card's title is a
 * link to the same page.
 *
 * @example
 * <CopyLink href="/rooms/rQbZDUnRRoyXr-_PJrOrUA" title="Jazz" />
 */
export function CopyLink(props: { href: string; title: string }) {
  const { t } = useWords();
  return (
    <button
      type="button"
      class="link copy-link"
      data-copy-link={props.href}
      aria-label={t("links.copy.label", { title: props.title })}
    >
      {t("links.copy")}
    </button>
  );
}

/**
 * A link that downloads the event as a calendar file.
 *
 * @example
 * <AddToCalendar eventId="rQbZDUnRRoyXr-_PJrOrUA" title="Jazz" />
 */
export function AddToCalendar(props: { eventId: string; title: string }) {
  const { t } = useWords();
  return (
    <a
      class="button secondary add-to-calendar"
      href={`/events/${props.eventId}/calendar.ics`}
      download
      aria-label={t("links.calendar.label", { title: props.title })}
    >
      {t("links.calendar")}
    </a>
  );
}

/**
 * The select of time zones an event is scheduled in. `chosen` is the zone the form was posted
 * with; without one, static/app.js selects the browser's own zone.
 *
 * @example
 * <TimeZoneField zones={["UTC", "Europe/Paris"]} error={undefined} />
 */
export function TimeZoneField(props: { zones: string[]; chosen?: string; error?: string }) {
  const { t } = useWords();
  const chosen = props.chosen || "UTC";
  return (
    <div class={props.error ? "field invalid" : "field"}>
      <label for="field-time_zone">{t("links.time_zone")}</label>
      <select
        id="field-time_zone"
        name="time_zone"
        data-time-zone={props.chosen ? "chosen" : "browser"}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error
          ? "field-time_zone-hint field-time_zone-error"
          : "field-time_zone-hint"}
      >
        {props.zones.map((zone) => <option value={zone} selected={zone === chosen}>{zone}</option>)}
      </select>
      <p class="hint" id="field-time_zone-hint">{t("links.time_zone.hint")}</p>
      {props.error && <p class="error" id="field-time_zone-error" role="alert">{props.error}</p>}
    </div>
  );
}
