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
import { useWords } from "../i18n/words_context.ts";
import type { Translate } from "../i18n/translate.ts";
import { topicName } from "../i18n/topics.ts";
import { AddToCalendar, CopyLink } from "./links.tsx";

export function HallwayView(
  props: { hallway: RankedHallway; displayName: string; topics: string[] },
) {
  const { t } = useWords();
  return (
    <section class="hallway" aria-labelledby="hallway-title">
      <div class="hallway-head">
        <h1 id="hallway-title">{t("hallway.title")}</h1>
        <p class="actions">
          <a class="button" href="/rooms/new">{t("hallway.start_room")}</a>
          <a class="button secondary" href="/events/new">{t("hallway.schedule")}</a>
        </p>
      </div>
      <p class="welcome">
        {t("hallway.welcome", {
          name: props.displayName,
          topics: props.topics.join(", ") || t("hallway.no_topics"),
        })} <a href="/topics">{t("hallway.change_topics")}</a>
      </p>
      <p id="live-status" class="live-status" role="status" data-state="connecting">
        {t("live.connecting")}
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
  const { t } = useWords();
  return (
    <>
      <section aria-labelledby="live-title">
        <h2 id="live-title">
          {t("hallway.live")} <span class="count">({live.length})</span>
        </h2>
        {live.length === 0
          ? (
            <div class="empty" role="status">
              <p class="empty-title">{t("hallway.empty")}</p>
              <p>{t("hallway.empty.hint")}</p>
            </div>
          )
          : <ul class="room-list">{live.map((room) => <RoomCard room={room} />)}</ul>}
      </section>
      <section aria-labelledby="upcoming-title">
        <h2 id="upcoming-title">
          {t("hallway.upcoming")} <span class="count">({upcoming.length})</span>
        </h2>
        {upcoming.length === 0
          ? <p class="muted">{t("hallway.upcoming.empty")}</p>
          : <ul class="event-list">{upcoming.map((event) => <EventCard event={event} />)}</ul>}
      </section>
    </>
  );
}

const speakersShown = 3;

function RoomCard(props: { room: RankedRoom }) {
  const r = props.room;
  const speakers = r.stage.slice(0, speakersShown).map((p) => p.displayName);
  const { t } = useWords();
  return (
    <li class={r.notInterested ? "room-card dismissed" : "room-card"} data-room={r.publicId}>
      <a href={`/rooms/${r.publicId}`} class="room-card-link">
        <span class="room-card-topics">
          {r.topics.map((topic) => `#${topicName(t, topic)}`).join(" ")}
        </span>
        <strong class="room-card-title">{r.title}</strong>
        <span class="room-card-speakers">
          {speakers.join(", ")}
          {r.stage.length > speakersShown &&
            ` ${t("hallway.card.more", { count: r.stage.length - speakersShown })}`}
        </span>
        <span class="room-card-counts">
          {t("hallway.card.on_stage", { count: r.stage.length })} ·{" "}
          {t("hallway.card.listening", { count: r.listenerCount })}
          {r.kind !== "open" && ` · ${t(`room.kind.${r.kind}`)}`} ·{" "}
          <span class="room-card-language" data-language={r.language}>
            {t(`language.name.${r.language}`)}
          </span>
        </span>
      </a>
      <div class="room-card-why">
        <p class="room-card-reason" data-testid="reason">
          {r.notInterested
            ? t("hallway.dismissed")
            : reasonWords(t, r.rank, { topics: r.topics, people: r.stage }) ?? t("hallway.popular")}
        </p>
        <WhyThisRoom rank={r.rank} title={r.title} />
        {!r.notInterested && <NotInterestedButton roomId={r.publicId} title={r.title} />}
        {r.kind !== "closed" && <CopyLink href={`/rooms/${r.publicId}`} title={r.title} />}
      </div>
    </li>
  );
}

/** What a card says after its member said "not interested", until the hallway is next drawn. */
export function DismissedCard(props: { roomId: string; title: string }) {
  const { t } = useWords();
  return (
    <li class="room-card dismissed" data-room={props.roomId}>
      <p class="room-card-reason" role="status">
        {t("hallway.noted", { title: props.title })}
      </p>
    </li>
  );
}

function NotInterestedButton(props: { roomId: string; title: string }) {
  const action = `/rooms/${props.roomId}/not-interested`;
  const { t } = useWords();
  return (
    <form
      method="post"
      action={action}
      hx-post={action}
      hx-target="closest li"
      hx-swap="outerHTML"
      class="inline"
    >
      <button
        type="submit"
        class="link"
        aria-label={t("hallway.not_interested.label", { title: props.title })}
      >
        {t("hallway.not_interested")}
      </button>
    </form>
  );
}

/** The card's one-line reason, from the term that weighed most; null when none names anything. */
function reasonWords(
  t: Translate,
  rank: Ranking,
  named: { topics: HallwayTopic[]; people: HallwayPerson[] },
): string | null {
  const { topics, people } = named;
  const reason = rank.reason;
  const handle = (id: number) => people.find((p) => p.id === id)?.handle;
  // By the topic's name in the viewer's language, as the card's topics read, never its slug.
  const topic = (id: number) => {
    const found = topics.find((t) => t.id === id);
    return found && topicName(t, found);
  };
  if (reason.kind === "follows") {
    const who = handle(reason.personId);
    if (who) return t("hallway.reason.follows", { handle: who });
  } else if (reason.kind === "listens") {
    const name = reason.item.kind === "topic"
      ? topic(reason.item.id) && `#${topic(reason.item.id)}`
      : handle(reason.item.id) && `@${handle(reason.item.id)}`;
    if (name) return t("hallway.reason.listens", { name });
  } else if (reason.kind === "picked") {
    const name = topic(reason.topicId);
    if (name) return t("hallway.reason.picked", { topic: name });
  }
  return null;
}

/** Every term that counted, as a share of what lifted the room, in words. */
function WhyThisRoom(props: { rank: Ranking; title: string }) {
  const terms = props.rank.terms;
  const { t, number } = useWords();
  const lifts: [string, number][] = [
    [t("hallway.why.model"), terms.model],
    [t("hallway.why.follows"), terms.follows],
    [t("hallway.why.picked"), terms.picked],
    [t("hallway.why.popular"), terms.popular],
    [t("hallway.why.language"), terms.language],
  ];
  const shown = lifts.filter(([, value]) => value > 0);
  const total = shown.reduce((sum, [, value]) => sum + value, 0);
  return (
    <details class="why">
      {/* The name starts with the words shown (WCAG 2.5.3), then says which room, unseen. */}
      <summary>
        {t("hallway.why")}{" "}
        <span class="visually-hidden">{t("hallway.why.label", { title: props.title })}</span>
      </summary>
      <ul>
        {shown.map(([label, value]) => (
          <li>
            {t("hallway.why.share", { label })}{" "}
            <strong>
              {number(Math.round((value / total) * 100) / 100, { style: "percent" })}
            </strong>
          </li>
        ))}
        {terms.penalties > 0 && <li>{t("hallway.why.penalties")}</li>}
        {shown.length === 0 && <li>{t("hallway.why.nothing")}</li>}
      </ul>
    </details>
  );
}

function EventCard(props: { event: RankedEvent }) {
  const e = props.event;
  const iso = e.startsAt.toISOString();
  const { t } = useWords();
  return (
    <li class="event-card" data-event={e.publicId}>
      <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>
      <strong>{e.title}</strong>
      <span class="room-card-topics">
        {e.topics.map((topic) => `#${topicName(t, topic)}`).join(" ")}
      </span>
      <span class="muted">
        {t("hallway.event.with", { hosts: e.hosts.map((h) => h.displayName).join(", ") })} ·{" "}
        {t("hallway.event.interested_count", { count: e.interested })}
      </span>
      <p class="room-card-reason">
        {reasonWords(t, e.rank, { topics: e.topics, people: e.hosts }) ?? t("hallway.coming_up")}
      </p>
      <div class="actions">
        {e.viewerHosts && (
          <form method="post" action={`/events/${e.publicId}/open`}>
            <button type="submit">{t("hallway.event.open")}</button>
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
            aria-label={t("hallway.event.interested.label", { title: e.title })}
          >
            {e.viewerInterested
              ? t("hallway.event.interested_done")
              : t("hallway.event.interested")}
          </button>
        </form>
        <AddToCalendar eventId={e.publicId} title={e.title} />
        {e.kind !== "closed" && <CopyLink href={`/rooms/${e.publicId}`} title={e.title} />}
      </div>
    </li>
  );
}
