/**
 * Administrators' tools besides suspensions (db/suspensions.ts): revoking a member's unused
 * invites, ending any room, and making or unmaking administrators. Each checks the actor and
 * writes its audit entry in the transaction that acts.
 *
 * @example
 * await revokeInvitesOf(sql, ada.id, "mallory"); // 2, the invites revoked
 * await endRoomAsAdministrator(sql, ada.id, publicId, "Spam");
 * await setAdministrator(sql, ada.id, "grace", true);
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { recordAdminAction } from "./admin_log.ts";
import { endRoom } from "./room_actions.ts";
import { lockRoom } from "./rooms.ts";
import { keepAnAdministrator, lockAdministrators, memberByHandle } from "./suspensions.ts";
import { lockMember } from "./departures.ts";
import { requireAdmin } from "./users.ts";

export const adminNoteMaxLength = 500;

/**
 * Revokes every unused, unexpired invite the member made; returns how many.
 *
 * @example
 * await revokeInvitesOf(sql, ada.id, "mallory"); // 2
 */
export async function revokeInvitesOf(sql: Sql, actorId: number, handle: string): Promise<number> {
  return await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    const memberId = await memberByHandle(tx, handle);
    // The member's row lock: creating an invite takes it too, so none slips in meanwhile.
    await lockMember(tx, memberId);
    const revoked = await tx`
      update invites set revoked_at = statement_timestamp()
      where creator_id = ${memberId} and used_by is null and used_at is null
        and revoked_at is null and expires_at > now()
      returning id`;
    await recordAdminAction(tx, {
      actorId,
      action: "revoke_invites",
      memberId,
      details: { count: revoked.length },
    });
    return revoked.length;
  });
}

/**
 * Ends a live or scheduled room (by its public id), whoever runs it; its pages update live.
 *
 * @example
 * await endRoomAsAdministrator(sql, ada.id, "rQbZDUnRRoyXr-_PJrOrUA", "Spam");
 */
export async function endRoomAsAdministrator(
  sql: Sql,
  actorId: number,
  publicId: string,
  note = "",
): Promise<void> {
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    const [room] = await tx`select id from rooms where public_id = ${publicId}`;
    if (!room) throw new Refusal("not_found", "refusal.room.unknown");
    await endRoomIn(tx, actorId, Number(room.id), { note: checkedNote(note) });
  });
}

export interface RoomToEnd {
  publicId: string;
  title: string;
  state: "live" | "scheduled";
}

/**
 * Live rooms, then scheduled ones soonest first: what an administrator may end.
 *
 * @example
 * (await roomsToEnd(sql, ada.id))[0].state; // "live"
 */
export async function roomsToEnd(sql: Sql, actorId: number): Promise<RoomToEnd[]> {
  await requireAdmin(sql, actorId);
  const rows = await sql`
    select public_id, title, state from rooms where state <> 'ended'
    order by state = 'scheduled', coalesce(scheduled_for, started_at), id limit 200`;
  return rows.map((r) => ({ publicId: r.public_id, title: r.title, state: r.state }));
}

/**
 * `endRoomAsAdministrator` inside a transaction that has checked the actor.
 *
 * @example
 * await endRoomIn(tx, ada.id, roomId, { note: "Spam", reportId });
 */
export async function endRoomIn(
  tx: Tx,
  actorId: number,
  roomId: number,
  entry: { note: string; reportId?: number },
): Promise<void> {
  const room = await lockRoom(tx, roomId);
  if (room.state === "ended") throw new Refusal("conflict", "refusal.room.ended");
  await endRoom(tx, roomId);
  await notify(tx, { room: roomId, hallway: true });
  await recordAdminAction(tx, {
    actorId,
    action: "end_room",
    roomId,
    reportId: entry.reportId,
    note: entry.note,
    details: { was: room.state },
  });
}

/**
 * Makes the member an administrator, or not. Unmaking refuses to leave the community without
 * an administrator who can act: every administrator's row is locked first, so two
 * administrators unmaking each other at once go one after the other and the second is refused.
 *
 * @example
 * await setAdministrator(sql, ada.id, "grace", true);
 */
export async function setAdministrator(
  sql: Sql,
  actorId: number,
  handle: string,
  admin: boolean,
): Promise<void> {
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await lockAdministrators(tx);
    // Again under the lock: an administrator unmade meanwhile may no longer act.
    await requireAdmin(tx, actorId);
    const memberId = await memberByHandle(tx, handle);
    await lockMember(tx, memberId);
    const [target] = await tx`select is_admin, is_suspended(id) as suspended from users
                              where id = ${memberId}`;
    if (target.is_admin === admin) return;
    if (admin && target.suspended) throw new Refusal("conflict", "refusal.admin.suspended");
    if (!admin) await keepAnAdministrator(tx, memberId);
    await tx`update users set is_admin = ${admin} where id = ${memberId}`;
    // Cached sessions carry is_admin.
    await notify(tx, { members: [memberId] });
    await recordAdminAction(tx, {
      actorId,
      action: admin ? "make_admin" : "unmake_admin",
      memberId,
    });
  });
}

/**
 * An administrator's note, trimmed; refused (`invalid`) when longer than the log keeps.
 *
 * @example
 * checkedNote("  Off topic "); // "Off topic"
 */
export function checkedNote(text: string, field = "note"): string {
  const note = text.trim();
  if (note.length > adminNoteMaxLength) {
    throw new Refusal("invalid", "refusal.admin.note_too_long", {
      field,
      params: { count: adminNoteMaxLength },
    });
  }
  return note;
}
