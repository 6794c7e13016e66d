/**
 * The one rule for what listening teaches the recommender: each counted `listens` row gives each
 * of its room's topics its seconds, and each other member on stage meanwhile (host or speaker)
 * the seconds the two overlapped. Rows still going count up to `now`. `readSignals` (everyone's
 * history, db/signals.ts) and `listenedSeconds` (one member's fold-in, db/listening.ts) both
 * select from it.
 *
 * @example
 * const rows = await sql`select item_kind, item_id, seconds
 *                        from (${timeHeard(sql, { memberId: 7 })}) heard`;
 */
import type { Sql, Tx } from "./client.ts";

export interface TimeHeardOptions {
  /** Count rows still going up to this time; default: the database's now. */
  now?: Date;
  /** Only this member's listening; default: everyone's. */
  memberId?: number;
}

/**
 * A query fragment of rows `(user_id, item_kind, item_id, from_at, seconds)`, one per listen and
 * topic and one per listen and person heard, each with positive seconds.
 */
export function timeHeard(sql: Sql | Tx, options: TimeHeardOptions = {}) {
  const now = options.now ?? null;
  const member = options.memberId === undefined ? sql`` : sql`and l.user_id = ${options.memberId}`;
  return sql`
    select l.user_id, 'topic' as item_kind, rt.topic_id as item_id, l.started_at as from_at,
           date_part('epoch', coalesce(l.ended_at, c.now) - l.started_at) as seconds
    from listens l
      join room_topics rt on rt.room_id = l.room_id
      cross join (select coalesce(${now}::timestamptz, now()) as now) c
    where l.counted and coalesce(l.ended_at, c.now) > l.started_at ${member}
    union all
    select l.user_id, 'person', o.user_id, heard.from_at,
           date_part('epoch', heard.to_at - heard.from_at)
    from listens l
      join listens o on o.room_id = l.room_id and o.user_id <> l.user_id
                    and o.role <> 'listener'
      cross join (select coalesce(${now}::timestamptz, now()) as now) c
      cross join lateral (
        select greatest(l.started_at, o.started_at) as from_at,
               least(coalesce(l.ended_at, c.now), coalesce(o.ended_at, c.now)) as to_at
      ) heard
    where l.counted and heard.to_at > heard.from_at ${member}`;
}
