/**
 * The recommender's history as the database holds it, in the recommender's terms
 * (vocabulary/signals.ts): picks and follows from `signals`; listening from `listens`, where
 * each row gives its room's topics its seconds and each other member on stage meanwhile the
 * seconds they overlapped (worked out in SQL, `timeHeard` in time_heard.ts). Listens still going count up to now. Listening
 * a member did while their history was paused (`listens.counted = false`) is left out.
 *
 * @example
 * const signals = await readSignals(sql);
 * signals.filter((s) => s.kind === "listen" && s.item.kind === "person"); // time heard, by speaker
 */
import type { Sql } from "./client.ts";
import { timeHeard } from "./time_heard.ts";
// Types only: signals are plain data, and db/ runs no code from other folders.
import type { ItemRef, Signal } from "../vocabulary/signals.ts";

export interface ReadSignalsOptions {
  /** Count listens still going up to this time (ms since the epoch); default: the database's now. */
  now?: number;
}

const cursorRows = 50_000;

/** Every signal, in time order (ties by member). */
export async function readSignals(sql: Sql, options: ReadSignalsOptions = {}): Promise<Signal[]> {
  const now = options.now === undefined ? undefined : new Date(options.now);
  const topics = new Map<number, ItemRef>();
  const people = new Map<number, ItemRef>();
  // One shared object per item: millions of signals name a few thousand items.
  const item = (kind: string, id: number): ItemRef => {
    const known = kind === "topic" ? topics : people;
    let ref = known.get(id);
    if (!ref) {
      ref = kind === "topic" ? { kind: "topic", id } : { kind: "person", id };
      known.set(id, ref);
    }
    return ref;
  };
  const signals: Signal[] = [];
  await sql.begin("isolation level repeatable read read only", async (tx) => {
    const rows = tx`
      select kind, user_id, item_kind, item_id, floor(date_part('epoch', at) * 1000) as at_ms,
             seconds
      from (
        select case s.kind when 'topic_picked' then 'pick' when 'topic_unpicked' then 'unpick'
                           when 'followed' then 'follow' else 'unfollow' end as kind,
               s.user_id,
               case when s.topic_id is null then 'person' else 'topic' end as item_kind,
               coalesce(s.topic_id, s.person_id) as item_id,
               s.at,
               null::float8 as seconds
        from signals s
        -- "Not interested" is about one room, not a durable item: the hallway reads it itself.
        where s.kind in ('topic_picked', 'topic_unpicked', 'followed', 'unfollowed')
        union all
        select 'listen', heard.user_id, heard.item_kind, heard.item_id, heard.from_at,
               heard.seconds
        from (${timeHeard(tx, { now })}) heard
      ) history
      -- The timestamp itself sorts far faster than a number worked out from it.
      order by history.at, user_id`;
    // Rows as arrays, not objects: parsing millions of rows is most of the time this takes.
    for await (const batch of rows.values().cursor(cursorRows)) {
      for (const [kind, user, itemKind, itemId, at, seconds] of batch) {
        const ref = item(itemKind, itemId);
        signals.push(
          kind === "listen"
            ? { kind, user, item: ref, at, seconds }
            : { kind, user, item: ref, at },
        );
      }
    }
  });
  return signals;
}
