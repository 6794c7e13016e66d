/**
 * What search found: the /search page (its own form, for browsers without JavaScript) and the
 * list of results it shares with the header box's panel (views/search_box.tsx).
 *
 * @example
 * <SearchPage results={found} />
 * <SearchResults results={found} seeAll />
 */
import { useWords } from "../i18n/words_context.ts";
import { topicName } from "../i18n/topics.ts";
import type { FoundEvent, FoundRoom, FoundTopic, SearchResults } from "../db/search.ts";
import type { Child } from "hono/jsx";

export function SearchPage(props: { results: SearchResults }) {
  const { t } = useWords();
  return (
    <section class="card search-page" aria-labelledby="search-title">
      <h1 id="search-title">{t("search.title")}</h1>
      <form role="search" method="get" action="/search" class="search-form">
        <label for="search-page-q">{t("search.label")}</label>
        <div class="search-row">
          <input
            type="search"
            id="search-page-q"
            name="q"
            value={props.results.query}
            maxlength={props.results.limits.maxCharacters}
            autocomplete="off"
          />
          <button type="submit">{t("search.submit")}</button>
        </div>
      </form>
      <SearchResultList results={props.results} />
    </section>
  );
}

/**
 * The results, grouped by kind. In the header's panel (`seeAll`) a link leads to the whole
 * page; an empty query shows nothing at all, so the panel closes.
 */
export function SearchResultList(props: { results: SearchResults; seeAll?: boolean }) {
  const { t } = useWords();
  const { results } = props;
  if (results.query === "") return null;
  if (results.tooShort) {
    return (
      <p role="status" class="search-status">
        {t("search.too_short", { count: results.limits.minCharacters })}
      </p>
    );
  }
  const count = results.people.length + results.live.length + results.upcoming.length +
    results.topics.length;
  const query = results.query;
  const prefix = props.seeAll ? "search-panel" : "search-page";
  return (
    <div class="search-results">
      <p role="status" class="search-status">
        {count === 0 ? t("search.nothing", { query }) : t("search.found", { count, query })}
      </p>
      <Kind id={`${prefix}-people`} title={t("search.people")} shown={results.people.length}>
        {results.people.map((person) => (
          <li>
            <a href={`/@${person.handle}`}>
              <strong>{person.displayName}</strong> <span class="muted">@{person.handle}</span>
            </a>
          </li>
        ))}
      </Kind>
      <Kind id={`${prefix}-live`} title={t("search.live")} shown={results.live.length}>
        {results.live.map((room) => <RoomItem room={room} />)}
      </Kind>
      <Kind id={`${prefix}-upcoming`} title={t("search.upcoming")} shown={results.upcoming.length}>
        {results.upcoming.map((event) => <RoomItem room={event} />)}
      </Kind>
      <Kind id={`${prefix}-topics`} title={t("search.topics")} shown={results.topics.length}>
        {results.topics.map((topic) => (
          <li>
            <a href="/topics">
              <strong>{topicName(t, topic)}</strong>{" "}
              <span class="muted">{t("search.topic.pick")}</span>
            </a>
          </li>
        ))}
      </Kind>
      {props.seeAll && count > 0 && (
        <p class="search-all">
          <a href={`/search?q=${encodeURIComponent(query)}`}>{t("search.see_all", { query })}</a>
        </p>
      )}
    </div>
  );
}

/** One kind of result under its name; nothing when none was found. */
function Kind(props: { id: string; title: string; shown: number; children: Child }) {
  if (props.shown === 0) return null;
  return (
    <section class="search-kind" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <ul>{props.children}</ul>
    </section>
  );
}

function RoomItem(props: { room: FoundRoom | FoundEvent }) {
  const { t } = useWords();
  const { room } = props;
  const startsAt = "startsAt" in room ? room.startsAt.toISOString() : undefined;
  return (
    <li>
      <a href={`/rooms/${room.publicId}`}>
        <strong>{room.title}</strong> {startsAt && (
          <time datetime={startsAt} data-local-time>
            {startsAt.slice(0, 16).replace("T", " ")} UTC
          </time>
        )}{" "}
        <span class="muted">
          {room.topics.map((topic: FoundTopic) => `#${topicName(t, topic)}`).join(" ")}
        </span>
      </a>
    </li>
  );
}
