/**
 * Search: people by handle, display name and bio; live rooms and upcoming events by title,
 * description and topics; topics by name, in English and in the member's language. Every rule
 * is here, in SQL: who may be found (blocks either way, `may_find` for rooms), how much one
 * query lists, the shortest query that lists anything, the ranking, and the allowance of
 * queries per member that keeps anyone from listing the community by searching.
 *
 * @example
 * const found = await search(sql, grace.id, "lovelase", { topicNames, allowances });
 * found.people[0].handle; // "ada"
 */
import type { Sql } from "./client.ts";
import type { RateLimit } from "../config.ts";
import { Refusal } from "./errors.ts";
import { spendAttempt } from "./rate_limits.ts";

export const searchLimits = {
  /** A query with fewer letters or digits than this lists nothing (and costs nothing). */
  minCharacters: 2,
  /** Longer queries are refused: no name, title or topic is found by a paragraph. */
  maxCharacters: 100,
  /** Results of one kind one query lists at most: there is no next page. */
  perKind: 20,
};

/**
 * People each way of matching proposes at most before ranking: bounds the cost of a word many
 * share, at the price of ranking only these among its many matches. Measured on the benchmark's
 * 100,000 members: with 50, PostgreSQL's planner read every member for some queries, expecting
 * to meet 50 matches early.
 */
const peoplePerWay = 100;
/** The same for rooms, of each state; 100 cost twice as much on a topic with hundreds of rooms. */
const roomsPerWay = 50;

export interface FoundPerson {
  handle: string;
  displayName: string;
}

export interface FoundTopic {
  slug: string;
  /** The catalogue's (English) name; views show it in the viewer's words. */
  name: string;
}

export interface FoundRoom {
  publicId: string;
  title: string;
  topics: FoundTopic[];
}

export interface FoundEvent extends FoundRoom {
  startsAt: Date;
}

export interface SearchResults {
  /** The query as searched: trimmed, spaces collapsed. */
  query: string;
  /** True when the query was too short to list anything. */
  tooShort: boolean;
  people: FoundPerson[];
  live: FoundRoom[];
  upcoming: FoundEvent[];
  topics: FoundTopic[];
  /** The limits searched under, for the page to say. */
  limits: typeof searchLimits;
}

export interface SearchOptions {
  /** Every topic's name in the member's language, by slug (English ones are in the database). */
  topicNames: Record<string, string>;
  /** Allowances, by name, that each query listing anything spends one attempt of. */
  allowances: Record<string, RateLimit>;
  /** Results per kind, at most `searchLimits.perKind`. */
  perKind?: number;
}

/**
 * The query as it will be searched, or a refusal when it is too long or not text.
 *
 * @example
 * searchQuery("  Ada   Lovelace "); // "Ada Lovelace"
 */
export function searchQuery(raw: string): string {
  // PostgreSQL text cannot hold NUL, and no name has control characters.
  if (/\p{Cc}/u.test(raw.replace(/[\t\n\r]/g, " "))) {
    throw new Refusal("invalid", "refusal.search.bad_character", "q");
  }
  const query = raw.trim().replace(/\s+/g, " ");
  if (query.length > searchLimits.maxCharacters) {
    throw new Refusal("invalid", "refusal.search.too_long", {
      field: "q",
      params: { count: searchLimits.maxCharacters },
    });
  }
  return query;
}

/** The query's words: runs of letters and digits (a handle's underscore splits words too). */
function wordsOf(query: string): string[] {
  return query.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * What `memberId` finds with `raw`, best first; nothing for a query under
 * `searchLimits.minCharacters` letters or digits. Spends one of the member's search attempts
 * (a `rate_limited` refusal past them) before reading anything.
 */
export async function search(
  sql: Sql,
  memberId: number,
  raw: string,
  options: SearchOptions,
): Promise<SearchResults> {
  const query = searchQuery(raw);
  const words = wordsOf(query);
  const empty = { query, people: [], live: [], upcoming: [], topics: [], limits: searchLimits };
  if (words.join("").length < searchLimits.minCharacters) return { ...empty, tooShort: true };
  for (const [name, allowance] of Object.entries(options.allowances)) {
    await spendAttempt(sql, { bucket: `search_${name}`, key: String(memberId), ...allowance });
  }
  const limit = Math.min(options.perKind ?? searchLimits.perKind, searchLimits.perKind);
  const needle = { query, words };
  const topics = await findTopics(sql, needle, options.topicNames);
  const topicIds = topics.map((topic) => topic.id);
  const people = await findPeople(sql, memberId, needle, limit);
  const rooms = await findRooms(sql, memberId, needle, { limit, topicIds });
  return {
    ...empty,
    tooShort: false,
    people,
    ...rooms,
    topics: topics.slice(0, limit).map(({ slug, name }) => ({ slug, name })),
  };
}

interface Needle {
  query: string;
  words: string[];
}

/**
 * The query's words as a full-text query, each word a prefix (people search as they type),
 * stemmed in English or in French: `chevaux` is found by `cheval`, `stories` by `story`. Built of
 * immutable functions of one parameter, so the planner sees the query itself and chooses the
 * index when few rows match (from a subquery it could not, and PGlite read every row).
 */
function fullText(sql: Sql, words: string[]) {
  // Folding may leave other characters than letters and digits: only those make the query.
  const prefixes = sql`coalesce(nullif(
    regexp_replace(btrim(regexp_replace(search_fold(${
    words.join(" ")
  }), '[^[:alnum:]]+', ' ', 'g')),
                   ' ', ':* & ', 'g') || ':*', ':*'), '')`;
  return sql`(to_tsquery('english', ${prefixes}) || to_tsquery('french', ${prefixes}))`;
}

/**
 * People the member may see: never one of two who blocked the other. An exact handle first,
 * then by how much of the query the handle or the accent-folded name contains (trigram word
 * similarity, which forgives typos), plus full-text relevance of name and bio.
 */
async function findPeople(
  sql: Sql,
  memberId: number,
  needle: Needle,
  limit: number,
): Promise<FoundPerson[]> {
  const lowered = needle.query.toLowerCase();
  // Each way of matching proposes a bounded number of people, so that a word half the
  // community uses costs no more than a rare one; the best of them are then ranked.
  // Every condition compares with the query itself, not a value read from a subquery, so the
  // planner can weigh each index against how many rows the query will match.
  const rows = await sql`
    with candidates as (
      (select u.id from users u where lower(u.handle) = ${lowered})
      union
      -- In the byte order of users_handle_prefix, which then gives the range and the order:
      -- ordered by the collation, the planner walked the unique index from "a" to the prefix.
      (select u.id from users u
       where lower(u.handle) operator(pg_catalog.~>=~) ${lowered}
         and lower(u.handle) operator(pg_catalog.~<~) ${lowered + "\u{10ffff}"}
       order by lower(u.handle) using operator(pg_catalog.~<~)
       limit ${peoplePerWay})
      union
      (select u.id from users u
       where ${lowered}::text operator(public.<%) lower(u.handle) limit ${peoplePerWay})
      union
      (select u.id from users u
       where search_fold(${needle.query}) operator(public.<%) search_fold(u.display_name)
       limit ${peoplePerWay})
      union
      (select u.id from users u
       where u.search_words @@ ${fullText(sql, needle.words)} limit ${peoplePerWay})
    )
    select u.handle, u.display_name
    from candidates c join users u on u.id = c.id
    where not exists (
        select 1 from blocks b
        where (b.blocker_id = ${memberId} and b.blocked_id = u.id)
           or (b.blocked_id = ${memberId} and b.blocker_id = u.id))
    order by lower(u.handle) = ${lowered} desc,
      starts_with(lower(u.handle), ${lowered}) desc,
      greatest(public.word_similarity(${lowered}, lower(u.handle)),
               public.word_similarity(search_fold(${needle.query}), search_fold(u.display_name)))
        + ts_rank(u.search_words, ${fullText(sql, needle.words)}) desc,
      u.handle
    limit ${limit}`;
  return rows.map((r) => ({ handle: r.handle, displayName: r.display_name }));
}

/**
 * Topics whose English name or name in the member's language matches, closest first: every one
 * of them, since rooms are found by them too (there are few).
 */
async function findTopics(
  sql: Sql,
  needle: Needle,
  topicNames: Record<string, string>,
): Promise<(FoundTopic & { id: number })[]> {
  const rows = await sql`
    select t.id, t.slug, t.name
    from topics t
    left join unnest(${Object.keys(topicNames)}::text[], ${Object.values(topicNames)}::text[])
      as l (slug, name) on l.slug = t.slug
    where search_words(t.name || ' ' || coalesce(l.name, '')) @@ ${fullText(sql, needle.words)}
       or search_fold(${needle.query}) operator(public.<%) search_fold(t.name)
       or search_fold(${needle.query}) operator(public.<%) search_fold(coalesce(l.name, t.name))
    order by greatest(
        public.word_similarity(search_fold(${needle.query}), search_fold(t.name)),
        public.word_similarity(search_fold(${needle.query}), search_fold(coalesce(l.name, t.name))))
      desc, t.name`;
  return rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name }));
}

/**
 * Live rooms and upcoming events the member would find in their hallway, by full-text
 * relevance of title and description, a matching topic counting as a good match; then the
 * soonest event and the latest live room.
 */
async function findRooms(
  sql: Sql,
  memberId: number,
  needle: Needle,
  options: { limit: number; topicIds: number[] },
): Promise<{ live: FoundRoom[]; upcoming: FoundEvent[] }> {
  const [live, upcoming] = [
    await findRoomsIn(sql, "live", { memberId, needle, ...options }),
    await findRoomsIn(sql, "scheduled", { memberId, needle, ...options }),
  ];
  return {
    live: live.map(({ startsAt: _, ...room }) => room),
    upcoming: upcoming.map((event) => ({ ...event, startsAt: event.startsAt! })),
  };
}

/**
 * Rooms in one state the member finds. Text matches and topic matches each propose a bounded
 * number, ranked; then, best first, only those the member may find are kept, until there are
 * enough: who may find a room is asked of a few rooms, not of every match.
 *
 * Who finds a room: what their hallway would list (db/hallway.ts). A live room or an upcoming
 * event they may join (`may_join`), without rooms where someone on stage or a host and the
 * member have blocked one another, either way.
 */
async function findRoomsIn(
  sql: Sql,
  state: "live" | "scheduled",
  options: { memberId: number; needle: Needle; limit: number; topicIds: number[] },
): Promise<(FoundRoom & { startsAt?: Date })[]> {
  const { memberId, needle } = options;
  const rows = await sql`
    with n as (select ${fullText(sql, needle.words)} as words),
    candidates as (
      (select r.id from rooms r
       where r.state <> 'ended' and r.state = ${state}
         and r.search_words @@ ${fullText(sql, needle.words)}
       limit ${roomsPerWay})
      union
      (select r.id from rooms r join room_topics rt on rt.room_id = r.id
       where rt.topic_id = any(${options.topicIds}::int[]) and r.state = ${state}
       limit ${roomsPerWay})
    ),
    ranked as (
      select r.*
      from candidates c join rooms r on r.id = c.id, n
      order by ts_rank(r.search_words, n.words)
          + case when exists (select 1 from room_topics rt
                              where rt.room_id = r.id
                                and rt.topic_id = any(${options.topicIds}::int[]))
                 then 0.5 else 0 end desc,
        r.scheduled_for, r.started_at desc, r.id
      -- Keeps the order: the check below runs on the best first and stops at the limit.
      offset 0
    )
    select r.public_id, r.title, r.scheduled_for,
      coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name) order by t.name)
                from room_topics rt join topics t on t.id = rt.topic_id
                where rt.room_id = r.id), '[]') as topics
    from ranked r
    where (r.state = 'live' or r.scheduled_for > now() - interval '6 hours')
      and may_join(r.id, ${memberId})
      and not exists (
        select 1
        from (select p.user_id from participants p
              where p.room_id = r.id and p.role <> 'listener'
              union all
              select h.user_id from room_hosts h where h.room_id = r.id) as shown
        -- Two lookups by index rather than one OR, which would read every block.
        where exists (select 1 from blocks b
                      where b.blocker_id = ${memberId} and b.blocked_id = shown.user_id)
           or exists (select 1 from blocks b
                      where b.blocked_id = ${memberId} and b.blocker_id = shown.user_id))
    limit ${options.limit}`;
  return rows.map((r) => ({
    publicId: r.public_id,
    title: r.title,
    topics: r.topics,
    startsAt: r.scheduled_for ?? undefined,
  }));
}
