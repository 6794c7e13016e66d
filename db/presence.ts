/**
 * Presence: who is still in a room is decided by the server. Each process refreshes
 * `last_seen_at` for the members whose room page has a live socket on it; anyone not seen for
 * the presence timeout leaves the room (with the usual succession rules). A page that
 * reconnects in time keeps its place. A crashed process stops refreshing, so its members go too.
 *
 * @example
 * await touchPresence(sql, [{ roomId: 3, userId: 7 }]);
 * await sweepAbsent(sql, { timeoutMs: 30_000 }); // [] while everyone is fresh
 */
import type { Sql } from "./client.ts";
import { notify } from "./events.ts";
import { leave } from "./room_actions.ts";
import { lockRoom } from "./rooms.ts";

export interface Seat {
  roomId: number;
  userId: number;
}

export async function touchPresence(sql: Sql, seats: Seat[]): Promise<void> {
  if (seats.length === 0) return;
  await sql`
    update participants p set last_seen_at = statement_timestamp()
    from (select unnest(${seats.map((s) => s.roomId)}::bigint[]) as room_id,
                 unnest(${seats.map((s) => s.userId)}::bigint[]) as user_id) seen
    where p.room_id = seen.room_id and p.user_id = seen.user_id`;
}

/** Takes out everyone not seen for `timeoutMs`; returns who left. */
export async function sweepAbsent(sql: Sql, options: { timeoutMs: number }): Promise<Seat[]> {
  const stale = await sql`
    select room_id, user_id from participants
    where last_seen_at < now() - ${options.timeoutMs} * interval '1 millisecond'
    limit 500`;
  const gone: Seat[] = [];
  for (const { room_id: roomId, user_id: userId } of stale) {
    const left = await sql.begin(async (tx) => {
      const room = await lockRoom(tx, roomId);
      // Re-checked under the room lock: a reconnect may have refreshed the seat meanwhile.
      const [still] = await tx`
        select 1 from participants where room_id = ${roomId} and user_id = ${userId}
          and last_seen_at < now() - ${options.timeoutMs} * interval '1 millisecond'`;
      if (!still) return false;
      await leave(tx, room, userId);
      await notify(tx, { room: roomId });
      return true;
    });
    if (left) gone.push({ roomId, userId });
  }
  return gone;
}
