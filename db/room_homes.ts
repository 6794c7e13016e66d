/**
 * Where each live room's media lives. Every Palabre process is a node: it names itself with a
 * random id, and marks itself seen while it runs. A room's media has one home, a node, recorded
 * here under a lease the home renews (`renewHomes`); a room without a home, or whose home let its
 * lease run out (its process died), goes to the live node holding the fewest rooms. Every rule
 * runs in one statement, so two nodes placing the same room at once agree on one home.
 *
 * @example
 * await markNodeSeen(sql, nodeId);
 * const home = await placeHome(sql, roomId, { nodeId, leaseMs: 5000 }); // { nodeId, streamKey }
 */
import type { Sql } from "./client.ts";

export interface RoomHome {
  nodeId: string;
  /** Opaque and random per placement: names the room's subjects on the bus. */
  streamKey: string;
}

export interface Lease {
  /** The node asking. */
  nodeId: string;
  leaseMs: number;
}

/**
 * The node is running: it may be given rooms. Called at start and with each renewal.
 *
 * @example
 * await markNodeSeen(sql, nodeId);
 */
export async function markNodeSeen(sql: Sql, nodeId: string): Promise<void> {
  await sql`
    insert into nodes (id, seen_at) values (${nodeId}, statement_timestamp())
    on conflict (id) do update set seen_at = excluded.seen_at`;
}

/**
 * The room's home: the one holding a lease, else a new one, the live node (seen within a lease)
 * with the fewest homes, this node first among equals. A home whose lease ran out is replaced.
 *
 * @example
 * const { nodeId, streamKey } = await placeHome(sql, roomId, { nodeId: me, leaseMs: 5000 });
 */
export async function placeHome(sql: Sql, roomId: number, lease: Lease): Promise<RoomHome> {
  const streamKey = randomKey();
  // The conflict clause locks an existing row: of two nodes replacing an expired home at once,
  // the second finds the first's fresh lease and returns nothing, then reads it below.
  const [placed] = await sql`
    with live as (
      select n.id, (select count(*) from room_homes h
                    where h.node_id = n.id and h.lease_until > statement_timestamp()) as homes
      from nodes n
      where n.seen_at > statement_timestamp() - ${lease.leaseMs} * interval '1 millisecond'
    ), chosen as (
      select coalesce(
        (select id from live order by homes, id = ${lease.nodeId} desc, id limit 1),
        ${lease.nodeId}
      ) as id
    )
    insert into room_homes (room_id, node_id, stream_key, lease_until)
    select ${roomId}, chosen.id, ${streamKey},
           statement_timestamp() + ${lease.leaseMs} * interval '1 millisecond'
    from chosen
    on conflict (room_id) do update
      set node_id = excluded.node_id, stream_key = excluded.stream_key,
          lease_until = excluded.lease_until
      where room_homes.lease_until <= statement_timestamp()
    returning node_id, stream_key`;
  if (placed) return { nodeId: placed.node_id, streamKey: placed.stream_key };
  const [held] = await sql`
    select node_id, stream_key from room_homes where room_id = ${roomId}`;
  return { nodeId: held.node_id, streamKey: held.stream_key };
}

/**
 * The homes of `roomIds`, by room id, each with whether its lease still holds.
 *
 * @example
 * const homes = await currentHomes(sql, [3, 4]); // Map { 3 => { nodeId, streamKey, live: true } }
 */
export async function currentHomes(
  sql: Sql,
  roomIds: number[],
): Promise<Map<number, RoomHome & { live: boolean }>> {
  if (roomIds.length === 0) return new Map();
  const rows = await sql`
    select room_id, node_id, stream_key, lease_until > statement_timestamp() as live
    from room_homes where room_id = any(${roomIds}::bigint[])`;
  return new Map(
    rows.map((row) => [
      Number(row.room_id),
      { nodeId: row.node_id, streamKey: row.stream_key, live: row.live },
    ]),
  );
}

/**
 * The home renews its lease on the rooms it holds and marks itself seen; returns the rooms it
 * still holds. A lease that ran out while nobody placed the room again is still this node's (the
 * random key fences it: a busy event loop late to renew does not lose its rooms). One missing
 * from the answer was given to another node (this one was taken for dead): its media here must
 * stop.
 *
 * @example
 * const kept = await renewHomes(sql, [{ roomId: 3, streamKey }], { nodeId: me, leaseMs: 5000 });
 */
export async function renewHomes(
  sql: Sql,
  homes: { roomId: number; streamKey: string }[],
  lease: Lease,
): Promise<Set<number>> {
  await markNodeSeen(sql, lease.nodeId);
  if (homes.length === 0) return new Set();
  const rows = await sql`
    update room_homes h
    set lease_until = statement_timestamp() + ${lease.leaseMs} * interval '1 millisecond'
    from (select unnest(${homes.map((h) => h.roomId)}::bigint[]) as room_id,
                 unnest(${homes.map((h) => h.streamKey)}::text[]) as stream_key) held
    where h.room_id = held.room_id and h.stream_key = held.stream_key
      and h.node_id = ${lease.nodeId}
    returning h.room_id`;
  return new Set(rows.map((row) => Number(row.room_id)));
}

/**
 * Whether this node holds the room under `streamKey` now (a request reached it as the home).
 *
 * @example
 * if (!(await holdsHome(sql, roomId, streamKey, me))) refuse();
 */
export async function holdsHome(
  sql: Sql,
  roomId: number,
  streamKey: string,
  nodeId: string,
): Promise<boolean> {
  const [row] = await sql`
    select 1 from room_homes where room_id = ${roomId} and stream_key = ${streamKey}
      and node_id = ${nodeId} and lease_until > statement_timestamp()`;
  return row !== undefined;
}

/**
 * The home gives the room up (nobody is connected to its media any more), or another node found
 * it gone (nothing answers on the bus): the next page to join places the room again at once.
 *
 * @example
 * await releaseHome(sql, roomId, streamKey);
 */
export async function releaseHome(sql: Sql, roomId: number, streamKey: string): Promise<void> {
  await sql`delete from room_homes where room_id = ${roomId} and stream_key = ${streamKey}`;
}

/**
 * The node is stopping: its rooms go elsewhere without waiting for their leases.
 *
 * @example
 * await forgetNode(sql, nodeId);
 */
export async function forgetNode(sql: Sql, nodeId: string): Promise<void> {
  await sql`delete from room_homes where node_id = ${nodeId}`;
  await sql`delete from nodes where id = ${nodeId}`;
}

/** A node's name, or a placement's key: 128 random bits, base64url (safe in bus subjects). */
export function randomKey(): string {
  return crypto.getRandomValues(new Uint8Array(16)).toBase64({ alphabet: "base64url" })
    .replace(/=+$/, "");
}
