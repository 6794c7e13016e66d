/**
 * The hallway: live rooms the member may join and upcoming events. The lists live inside
 * `#hallway-lists`, which the page's socket replaces when rooms appear, grow or end.
 *
 * @example
 * <HallwayView hallway={rankedHallway} displayName="Ada" topics={["Jazz"]} />
 */
import type { HallwayPerson, HallwayTopic } from "../db/hallway.ts";
import type { RankedHallway, Ranking } from "../recommend/hallway.ts";

type RankedRoom = RankedHallway["live"][number];
type RankedEvent = RankedHallway["upcoming"][number];

export function HallwayView(
  props: { hallway: RankedHallway; displayName: string; topics: string[] },
) {
  return (
    <section class="hallway" aria-labelledby="hallway-title">
      <div class="hallway-head">
        <h1 id="hallway-title">Hallway</h1>
        <p class="actions">
          <a class="button" href="/rooms/new">Start a room</a>
          <a class="button secondary" href="/events/new">Schedule</a>
        </p>
      </div>
      <p class="welcome">
        Welcome, {props.displayName}. Your topics: {props.topics.join(", ") || "none yet"}.{" "}
        <a href="/topics">Change your topics</a>
      </p>
      <p id="live-status" class="live-status" role="status" data-state="connecting">
        Connecting…
      </p>
      <div
        id="hallway-lists"
        hx-ws:connect="/hallway/live"
        hx-target="#hallway-lists"
        hx-swap="innerHTML"
      >
        <HallwayLists hallway={props.hallway} />
      </div>
    </section>
  );
}

/** The part of the hallway that live updates replace. */
export function HallwayLists(props: { hallway: RankedHallway }) {
  const { live, upcoming } = props.hallway;
  return (
    <>
      <section aria-labelledby="live-title">
        <h2 id="live-title">
          Live now <span class="count">({live.length})</span>
        </h2>
        {live.length === 0
          ? (
            <div class="empty" role="status">
              <p class="empty-title">No rooms are live right now</p>
              <p>Start one, or invite people who would.</p>
            </div>
          )
          : <ul class="room-list">{live.map((room) => <RoomCard room={room} />)}</ul>}
      </section>
      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">
          Upcoming <span class="count">({upcoming.length})</span>
        </h2>
        {upcoming.length === 0
          ? <p class="muted">No events scheduled.</p>
          : <ul class="event-list">{upcoming.map((event) => <EventCard event={event} />)}</ul>}
      </section>
    </>
  );
}

const speakersShown = 3;

function RoomCard(props: { room: RankedRoom }) {
  const r = props.room;
  const speakers = r.stage.slice(0, speakersShown).map((p) => p.displayName);
  return (
    <li class={r.notInterested ? "room-card dismissed" : "room-card"} data-room={r.publicId}>
      <a href={`/rooms/${r.publicId}`} class="room-card-link">
        <span class="room-card-topics">{r.topics.map((t) => `#${t.name}`).join(" ")}</span>
        <strong class="room-card-title">{r.title}</strong>
        <span class="room-card-speakers">
          {speakers.join(", ")}
          {r.stage.length > speakersShown && ` and ${r.stage.length - speakersShown} more`}
        </span>
        <span class="room-card-counts">
          {r.stage.length} on stage · {r.listenerCount} listening
          {r.kind !== "open" && ` · ${r.kind}`}
        </span>
      </a>
      <div class="room-card-why">
        <p class="room-card-reason" data-testid="reason">
          {r.notInterested
            ? "You said you are not interested"
            : reasonWords(r.rank, r.topics, r.stage, "Popular now")}
        </p>
        <WhyThisRoom rank={r.rank} title={r.title} />
        {!r.notInterested && <NotInterestedButton roomId={r.publicId} title={r.title} />}
      </div>
    </li>
  );
}

/** What a card says after its member said "not interested", until the hallway is next drawn. */
export function DismissedCard(props: { roomId: string; title: string }) {
  return (
    <li class="room-card dismissed" data-room={props.roomId}>
      <p class="room-card-reason" role="status">
        Noted: fewer rooms like “{props.title}”. It moves to the end of your hallway.
      </p>
    </li>
  );
}

function NotInterestedButton(props: { roomId: string; title: string }) {
  const action = `/rooms/${props.roomId}/not-interested`;
  return (
    <form
      method="post"
      action={action}
      hx-post={action}
      hx-target="closest li"
      hx-swap="outerHTML"
      class="inline"
    >
      <button type="submit" class="link" aria-label={`Not interested in ${props.title}`}>
        Not interested
      </button>
    </form>
  );
}

/** The card's one-line reason, from the term that weighed most. */
function reasonWords(
  rank: Ranking,
  topics: HallwayTopic[],
  people: HallwayPerson[],
  popular: string,
): string {
  const reason = rank.reason;
  const handle = (id: number) => people.find((p) => p.id === id)?.handle;
  const slug = (id: number) => topics.find((t) => t.id === id)?.slug;
  if (reason.kind === "follows") {
    const who = handle(reason.personId);
    if (who) return `Because you follow @${who}`;
  } else if (reason.kind === "listens") {
    const name = reason.item.kind === "topic"
      ? slug(reason.item.id) && `#${slug(reason.item.id)}`
      : handle(reason.item.id) && `@${handle(reason.item.id)}`;
    if (name) return `Because you listen to ${name}`;
  } else if (reason.kind === "picked") {
    const name = slug(reason.topicId);
    if (name) return `Because you picked #${name}`;
  }
  return popular;
}

/** Every term that counted, as a share of what lifted the room, in words. */
function WhyThisRoom(props: { rank: Ranking; title: string }) {
  const t = props.rank.terms;
  const lifts: [string, number][] = [
    ["What you listen to", t.model],
    ["People you follow on stage", t.follows],
    ["Topics you picked", t.picked],
    ["How many listen, and how recent it is", t.popular],
    ["Your language", t.language],
  ];
  const shown = lifts.filter(([, value]) => value > 0);
  const total = shown.reduce((sum, [, value]) => sum + value, 0);
  return (
    <details class="why">
      <summary aria-label={`Why “${props.title}” is in your hallway`}>Why this room?</summary>
      <ul>
        {shown.map(([label, value]) => (
          <li>
            {label}: <strong>{Math.round((value / total) * 100)}%</strong>
          </li>
        ))}
        {t.penalties > 0 && <li>Moved down: you said you are not interested</li>}
        {shown.length === 0 && <li>Nothing in particular: it is live now</li>}
      </ul>
    </details>
  );
}

function EventCard(props: { event: RankedEvent }) {
  const e = props.event;
  const iso = e.startsAt.toISOString();
  return (
    <li class="event-card" data-event={e.publicId}>
      <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>
      <strong>{e.title}</strong>
      <span class="room-card-topics">{e.topics.map((t) => `#${t.name}`).join(" ")}</span>
      <span class="muted">
        with {e.hosts.map((h) => h.displayName).join(", ")} · {e.interested} interested
      </span>
      <p class="room-card-reason">
        {reasonWords(e.rank, e.topics, e.hosts, "Coming up")}
      </p>
      <div class="actions">
        {e.viewerHosts && (
          <form method="post" action={`/events/${e.publicId}/open`}>
            <button type="submit">Open the room</button>
          </form>
        )}
        <form
          method="post"
          action={`/events/${e.publicId}/interest`}
          hx-post={`/events/${e.publicId}/interest`}
          hx-target="#hallway-lists"
          hx-swap="innerHTML"
        >
          <input type="hidden" name="interested" value={e.viewerInterested ? "off" : "on"} />
          <button
            type="submit"
            class="secondary"
            aria-pressed={e.viewerInterested ? "true" : "false"}
            aria-label={`Interested in ${e.title}`}
          >
            {e.viewerInterested ? "Interested ✓" : "Interested"}
          </button>
        </form>
      </div>
    </li>
  );
}
