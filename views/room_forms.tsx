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

export interface RoomForm {
  title?: string;
  description?: string;
  topics?: string[];
  kind?: string;
  starts_at?: string;
  cohosts?: string;
  timezone_offset?: string;
}

function TopicChoice(
  props: { catalogue: CatalogueCategory[]; picked: string[]; errors: FieldErrors },
) {
  const error = props.errors.topics;
  return (
    <fieldset class="topic-group" aria-describedby={error ? "topics-error" : "topics-hint"}>
      <legend>Topics</legend>
      <p class="hint" id="topics-hint">One to three.</p>
      {error && <p class="error" id="topics-error" role="alert">{error}</p>}
      {props.catalogue.map((category) => (
        <details
          class="topic-category"
          open={category.topics.some((t) => props.picked.includes(t.slug))}
        >
          <summary>{category.name}</summary>
          <div class="chips">
            {category.topics.map((topic) => (
              <label class="chip">
                <input
                  type="checkbox"
                  name="topics"
                  value={topic.slug}
                  checked={props.picked.includes(topic.slug)}
                />
                <span>{topic.name}</span>
              </label>
            ))}
          </div>
        </details>
      ))}
    </fieldset>
  );
}

function KindChoice(props: { kind: string; errors: FieldErrors }) {
  const kinds = [
    ["open", "Open", "Any member can join"],
    ["social", "Social", "People you follow can join"],
    ["closed", "Closed", "Only people you share the link with"],
  ];
  return (
    <fieldset class="kind-choice">
      <legend>Who can join</legend>
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
  return (
    <>
      <FormError errors={props.errors} />
      <Field
        name="title"
        label="Title"
        value={props.form.title}
        errors={props.errors}
        maxlength={80}
      />
      {props.children}
      <Field
        name="description"
        label="Description"
        value={props.form.description}
        errors={props.errors}
        required={false}
        maxlength={300}
        multiline
      />
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
  return (
    <section class="card narrow" aria-labelledby="new-room-title">
      <h1 id="new-room-title">Start a room</h1>
      <form method="post" action="/rooms" novalidate>
        <RoomFields {...props} />
        <button type="submit">Start the room</button>
      </form>
    </section>
  );
}

export function NewEventView(props: FormProps) {
  return (
    <section class="card narrow" aria-labelledby="new-event-title">
      <h1 id="new-event-title">Schedule a room</h1>
      <form method="post" action="/events" novalidate>
        <RoomFields {...props}>
          <Field
            name="starts_at"
            label="Starts at (your local time)"
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
          <Field
            name="cohosts"
            label="Co-hosts"
            value={props.form.cohosts}
            errors={props.errors}
            required={false}
            hint="Handles separated by spaces or commas, e.g. @grace @linus"
          />
        </RoomFields>
        <button type="submit">Schedule</button>
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
    /** A closed event's link, shown to its hosts: who has it may see the event and join. */
    shareLink: string | null;
  },
) {
  const iso = props.startsAt.toISOString();
  return (
    <section class="card narrow" aria-labelledby="event-title">
      <h1 id="event-title">{props.title}</h1>
      <p>
        Starts <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>.
      </p>
      {props.shareLink && <ShareLink link={props.shareLink} />}
      {props.viewerHosts
        ? (
          <form method="post" action={`/events/${props.roomId}/open`}>
            <button type="submit">Open the room now</button>
          </form>
        )
        : <p class="muted">The room opens when a host starts it.</p>}
      <p>
        <a href="/">Back to the hallway</a>
      </p>
    </section>
  );
}
