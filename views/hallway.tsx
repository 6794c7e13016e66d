/**
 * The hallway: live rooms the member may join and upcoming events. The lists live inside
 * `#hallway-lists`, which the page's socket replaces when rooms appear, grow or end.
 *
 * @example
 * <HallwayView hallway={{ live: [], upcoming: [] }} displayName="Ada" topics={["Jazz"]} />
 */
export interface HallwayRoomData {
  id: number;
  title: string;
  kind: "open" | "social" | "closed";
  topics: string[];
  speakers: string[];
  speakerCount: number;
  listenerCount: number;
  followedOnStage: number;
}

export interface HallwayEventData {
  id: number;
  title: string;
  startsAt: Date;
  topics: string[];
  hosts: string[];
  interested: number;
  viewerInterested: boolean;
  viewerHosts: boolean;
}

export interface HallwayData {
  live: HallwayRoomData[];
  upcoming: HallwayEventData[];
}

export function HallwayView(
  props: { hallway: HallwayData; displayName: string; topics: string[] },
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
export function HallwayLists(props: { hallway: HallwayData }) {
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

function RoomCard(props: { room: HallwayRoomData }) {
  const r = props.room;
  return (
    <li class="room-card" data-room={r.id}>
      <a href={`/rooms/${r.id}`} class="room-card-link">
        <span class="room-card-topics">{r.topics.map((t) => `#${t}`).join(" ")}</span>
        <strong class="room-card-title">{r.title}</strong>
        <span class="room-card-speakers">{r.speakers.join(", ")}</span>
        <span class="room-card-counts">
          {r.speakerCount} on stage · {r.listenerCount} listening
          {r.kind !== "open" && ` · ${r.kind}`}
        </span>
      </a>
    </li>
  );
}

function EventCard(props: { event: HallwayEventData }) {
  const e = props.event;
  const iso = e.startsAt.toISOString();
  return (
    <li class="event-card" data-event={e.id}>
      <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>
      <strong>{e.title}</strong>
      <span class="room-card-topics">{e.topics.map((t) => `#${t}`).join(" ")}</span>
      <span class="muted">with {e.hosts.join(", ")} · {e.interested} interested</span>
      <div class="actions">
        {e.viewerHosts && (
          <form method="post" action={`/events/${e.id}/open`}>
            <button type="submit">Open the room</button>
          </form>
        )}
        <form
          method="post"
          action={`/events/${e.id}/interest`}
          hx-post={`/events/${e.id}/interest`}
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
