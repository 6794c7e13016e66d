/**
 * What members tell the recommender directly: a room they are not interested in, and control
 * over their listening history (pause it, clear it). Each change notifies the member, so their
 * hallway is ranked again at once (its fold-in reads the history as it now is); the next
 * training leaves out what they paused or cleared.
 *
 * @example
 * await markNotInterested(sql, grace.id, roomId);
 * await setListeningPaused(sql, grace.id, true);
 * await clearListeningHistory(sql, grace.id);
 */
import type { Sql } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { timeHeard } from "./time_heard.ts";
// Types only: db/ runs no code from other folders.
import type { ItemRef } from "../vocabulary/signals.ts";

/**
 * Marks a live room or upcoming event the member may see; marking twice is marking once.
 * Returns the room's title for the confirmation.
 */
export async function markNotInterested(
  sql: Sql,
  memberId: number,
  roomId: number,
): Promise<string> {
  return await sql.begin(async (tx) => {
    const [room] = await tx`select title from rooms
                            where id = ${roomId} and state <> 'ended' and may_join(id, ${memberId})`;
    if (!room) throw new Refusal("not_found", "refusal.room.unknown");
    // The lock makes two clicks at once one signal, not two.
    await tx`select 1 from users where id = ${memberId} for update`;
    const [already] = await tx`select 1 from signals where user_id = ${memberId}
                               and room_id = ${roomId} and kind = 'not_interested'`;
    if (!already) {
      await tx`insert into signals (user_id, kind, room_id)
               values (${memberId}, 'not_interested', ${roomId})`;
    }
    await notify(tx, { members: [memberId] });
    return room.title as string;
  });
}

export interface ListeningHistory {
  paused: boolean;
  /** Seconds of listening the recommender may use. */
  countedSeconds: number;
  rooms: number;
}

export async function listeningHistory(sql: Sql, memberId: number): Promise<ListeningHistory> {
  const [row] = await sql`
    select u.listening_paused as paused,
      coalesce((select sum(extract(epoch from coalesce(l.ended_at, now()) - l.started_at))
                from listens l where l.user_id = u.id and l.counted), 0)::float8 as seconds,
      (select count(distinct l.room_id)::int from listens l where l.user_id = u.id and l.counted)
        as rooms
    from users u where u.id = ${memberId}`;
  return { paused: row.paused, countedSeconds: Math.round(row.seconds), rooms: row.rooms };
}

/**
 * While paused, time in rooms is still recorded for the room itself but not counted for
 * recommendations, including the listening going on now.
 */
export async function setListeningPaused(sql: Sql, memberId: number, paused: boolean) {
  await sql.begin(async (tx) => {
    await tx`update users set listening_paused = ${paused} where id = ${memberId}`;
    if (paused) {
      await tx`update listens set counted = false where user_id = ${memberId} and ended_at is null`;
    }
    await notify(tx, { members: [memberId] });
  });
}

/**
 * Deletes the member's past listening. A room they are in now keeps its open row (presence
 * closes it), marked uncounted so not even its first minutes are used.
 */
export async function clearListeningHistory(sql: Sql, memberId: number) {
  await sql.begin(async (tx) => {
    await tx`delete from listens where user_id = ${memberId} and ended_at is not null`;
    await tx`update listens set counted = false where user_id = ${memberId}`;
    await notify(tx, { members: [memberId] });
  });
}

/**
 * Seconds of counted listening per topic and per person heard on stage, for one member: what
 * folding them into the applied model needs (`timeHeard`, the rule db/signals.ts applies to
 * everyone). Listening still going counts up to `now` (default: the database's now).
 */
export async function listenedSeconds(
  sql: Sql,
  memberId: number,
  options: { now?: Date } = {},
): Promise<{ item: ItemRef; seconds: number }[]> {
  const rows = await sql`
    select heard.item_kind as kind, heard.item_id as id, sum(heard.seconds)::float8 as seconds
    from (${timeHeard(sql, { memberId, now: options.now })}) heard
    group by heard.item_kind, heard.item_id`;
  return rows.map((r) => ({ item: { kind: r.kind, id: r.id } as ItemRef, seconds: r.seconds }));
}
