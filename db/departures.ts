/**
 * A member leaving the community against their pages' will: suspended by an administrator or
 * deleting their own account. Both end every session at once, tell the open pages why, and take
 * the member out of every live room the way leaving does (a host's room passes to the
 * longest-present speaker, or ends). Called inside the transaction that suspends or deletes.
 *
 * @example
 * await sql.begin(async (tx) => {
 *   await lockMember(tx, mallory.id);
 *   await leaveEveryRoom(tx, mallory.id);
 *   await signOutEverywhere(tx, mallory.id, "suspended");
 * });
 */
import type { Tx } from "./client.ts";
import { type Departure, notify } from "./events.ts";
import { leave } from "./room_actions.ts";
import { lockRoom } from "./rooms.ts";

/**
 * Locks the member's row until the transaction ends: joining a room takes the same row lock
 * (for share), so nobody slips into a room between `leaveEveryRoom` and the commit.
 */
export async function lockMember(tx: Tx, memberId: number): Promise<void> {
  await tx`select id from users where id = ${memberId} for update`;
}

/**
 * Takes the member out of every room they are in, each under its room's lock and in room id
 * order (two departures never wait on each other in a circle); returns the rooms changed.
 */
export async function leaveEveryRoom(tx: Tx, memberId: number): Promise<number[]> {
  const seats = await tx`select room_id from participants where user_id = ${memberId}
                         order by room_id`;
  const left: number[] = [];
  for (const { room_id: roomId } of seats) {
    const room = await lockRoom(tx, roomId);
    const [still] = await tx`select 1 from participants
                             where room_id = ${roomId} and user_id = ${memberId}`;
    if (!still) continue;
    await leave(tx, room, memberId);
    await notify(tx, { room: roomId });
    left.push(roomId);
  }
  return left;
}

/** Ends every session of the member, and every process tells their open pages `why`. */
export async function signOutEverywhere(tx: Tx, memberId: number, why: Departure): Promise<void> {
  await tx`delete from sessions where user_id = ${memberId}`;
  await notify(tx, { members: [memberId], signedOut: { members: [memberId], why } });
}
