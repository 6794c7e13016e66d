/**
 * Forms to start a room now or schedule an event, and the page of an event not yet open.
 *
 * @example
 * <NewRoomView catalogue={categories} form={{}} errors={{}} />
 */
import type { Child } from "hono/jsx";
import { Field, type FieldErrors, FormError } from "./form.tsx";
import type { CatalogueCategory } from "./topics.tsx";
import { ShareLink } from "./room.tsx";
import { TopicFilter } from "./topic_filter.tsx";
import { AddToCalendar, TimeZoneField } from "./links.tsx";
import { useWords } from "../i18n/words_context.ts";
import { byTopicName, categoryName, topicName } from "../i18n/topics.ts";
import { languages } from "../i18n/language.ts";

export interface RoomForm {
  title?: string;
  description?: string;
  topics?: string[];
  kind?: string;
  starts_at?: string;
  cohosts?: string;
  timezone_offset?: string;
  /** The IANA zone `starts_at` is read in. */
  time_zone?: string;
  /** The language the room is held in; the form starts on the member's. */
  language?: string;
}

function TopicChoice(
  props: { catalogue: CatalogueCategory[]; picked: string[]; errors: FieldErrors },
) {
  const error = props.errors.topics;
  const words = useWords();
  const { t } = words;
  return (
    <fieldset class="topic-group" aria-describedby={error ? "topics-error" : "topics-hint"}>
      <legend>{t("room_form.topics")}</legend>
      <p class="hint" id="topics-hint">{t("room_form.topics.hint")}</p>
      {error && <p class="error" id="topics-error" role="alert">{error}</p>}
      <TopicFilter id="topic-filter" picked={props.picked.length} />
      {/* Open from the start: finding a topic is reading, not unfolding nine categories. */}
      {props.catalogue.map((category) => (
        <details class="topic-category" data-topic-group open>
          <summary>{categoryName(t, category)}</summary>
          <div class="chips">
            {byTopicName(words, category.topics).map((topic) => (
              <label class="chip" data-topic-chip>
                <input
                  type="checkbox"
                  name="topics"
                  value={topic.slug}
                  checked={props.picked.includes(topic.slug)}
                />
                <span>{topicName(t, topic)}</span>
              </label>
            ))}
          </div>
        </details>
      ))}
    </fieldset>
  );
}

function KindChoice(props: { kind: string; errors: FieldErrors }) {
  const { t } = useWords();
  const kinds = (["open", "social", "closed"] as const).map((kind) => [
    kind,
    t(`room_form.kind.${kind}`),
    t(`room_form.kind.${kind}.hint`),
  ]);
  return (
    <fieldset class="kind-choice">
      <legend>{t("room_form.kind")}</legend>
      {props.errors.kind && <p class="error" role="alert">{props.errors.kind}</p>}
      {kinds.map(([value, label, hint]) => (
        <label class="radio">
          <input type="radio" name="kind" value={value} checked={props.kind === value} />
          <span>
            <strong>{label}</strong> <span class="hint">{hint}</span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

type FormProps = { catalogue: CatalogueCategory[]; form: RoomForm; errors: FieldErrors };

/** What starting and scheduling a room ask alike: title, description, who can join, topics. */
function RoomFields(props: FormProps & { children?: Child }) {
  const { t, language } = useWords();
  const chosen = props.form.language ?? language;
  const languageError = props.errors.language;
  return (
    <>
      <FormError errors={props.errors} />
      <Field
        name="title"
        label={t("room_form.title")}
        value={props.form.title}
        errors={props.errors}
        maxlength={80}
      />
      {props.children}
      <Field
        name="description"
        label={t("room_form.description")}
        value={props.form.description}
        errors={props.errors}
        required={false}
        maxlength={300}
        multiline
      />
      <div class={languageError ? "field invalid" : "field"}>
        <label for="field-language">{t("room_form.language")}</label>
        <select id="field-language" name="language">
          {languages.map((option) => (
            <option value={option} selected={chosen === option}>
              {t(`language.name.${option}`)}
            </option>
          ))}
        </select>
        {languageError && <p class="error" role="alert">{languageError}</p>}
      </div>
      <KindChoice kind={props.form.kind ?? "open"} errors={props.errors} />
      <TopicChoice
        catalogue={props.catalogue}
        picked={props.form.topics ?? []}
        errors={props.errors}
      />
    </>
  );
}

export function NewRoomView(props: FormProps) {
  const { t } = useWords();
  return (
    <section class="card narrow" aria-labelledby="new-room-title">
      <h1 id="new-room-title">{t("hallway.start_room")}</h1>
      <form method="post" action="/rooms" novalidate>
        <RoomFields {...props} />
        <button type="submit">{t("room_form.start")}</button>
      </form>
    </section>
  );
}

export function NewEventView(props: FormProps & { timeZones: string[] }) {
  const { t } = useWords();
  return (
    <section class="card narrow" aria-labelledby="new-event-title">
      <h1 id="new-event-title">{t("room_form.schedule.title")}</h1>
      <form method="post" action="/events" novalidate>
        <RoomFields {...props}>
          <Field
            name="starts_at"
            label={t("room_form.starts_at")}
            type="datetime-local"
            value={props.form.starts_at}
            errors={props.errors}
          />
          {/* Set by static/app.js to the browser's offset: the time means what the member meant. */}
          <input
            type="hidden"
            name="timezone_offset"
            value={props.form.timezone_offset ?? "0"}
            data-timezone-offset
          />
          <TimeZoneField
            zones={props.timeZones}
            chosen={props.form.time_zone}
            error={props.errors.time_zone}
          />
          <Field
            name="cohosts"
            label={t("room_form.cohosts")}
            value={props.form.cohosts}
            errors={props.errors}
            required={false}
            hint={t("room_form.cohosts.hint")}
          />
        </RoomFields>
        <button type="submit">{t("hallway.schedule")}</button>
      </form>
    </section>
  );
}

export function EventView(
  props: {
    title: string;
    startsAt: Date;
    roomId: string;
    viewerHosts: boolean;
    /**
     * The event's link: its URL, or a closed event's secret link for its hosts (who has it may
     * see the event and join); null for whoever may not pass a closed event on.
     */
    shareLink: string | null;
  },
) {
  const iso = props.startsAt.toISOString();
  const { t } = useWords();
  return (
    <section class="card narrow" aria-labelledby="event-title">
      <h1 id="event-title">{props.title}</h1>
      <p>
        {t("event.starts")}{" "}
        <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>.
      </p>
      {props.shareLink && <ShareLink link={props.shareLink} />}
      <p>
        <AddToCalendar eventId={props.roomId} title={props.title} />
      </p>
      {props.viewerHosts
        ? (
          <form method="post" action={`/events/${props.roomId}/open`}>
            <button type="submit">{t("event.open_now")}</button>
          </form>
        )
        : <p class="muted">{t("event.opens_later")}</p>}
      <p>
        <a href="/">{t("room.back")}</a>
      </p>
    </section>
  );
}
