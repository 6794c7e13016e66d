/**
 * Everything that happens inside a live room, as one function: `act`. Each action locks the
 * room row, re-reads the actor's and the target's roles, checks the rule, changes the state,
 * records moderation, and notifies, all in one transaction. Concurrent actions on one room
 * therefore apply one after another, each against the state the previous one left.
 *
 * @example
 * await act(sql, grace.id, roomId, { type: "raise_hand" });
 * await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "grace" });
 * await act(sql, grace.id, roomId, { type: "accept_invite" });
 */
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { notifyInvitedAway } from "./notifications.ts";
import { awayFromRoomAfterMs } from "../config.ts";
import { requireAdmin } from "./users.ts";
import {
  lockRoom,
  refuseUnlessLive,
  type Role,
  type RoomRow,
  startListen,
  stopListen,
} from "./rooms.ts";

/** Actions on oneself. */
export type SelfAction =
  | "raise_hand"
  | "lower_hand"
  | "accept_invite"
  | "decline_invite"
  | "mute_self"
  | "unmute_self"
  | "leave";

/** Moderator actions on another participant, named by handle. */
export type ModeratorAction =
  | "invite_to_speak"
  | "move_to_audience"
  | "mute"
  | "make_moderator"
  | "unmake_moderator"
  | "remove";

export type RoomAction =
  | { type: SelfAction }
  | { type: ModeratorAction; target: string }
  | { type: "end" }
  | { type: "hands"; enabled: boolean };

const selfActions = new Set<string>([
  "raise_hand",
  "lower_hand",
  "accept_invite",
  "decline_invite",
  "mute_self",
  "unmute_self",
  "leave",
]);
const moderatorActions = new Set<string>([
  "invite_to_speak",
  "move_to_audience",
  "mute",
  "make_moderator",
  "unmake_moderator",
  "remove",
]);

/** Reads an action from untrusted fields (a form or a socket message); refuses anything else. */
export function parseRoomAction(fields: Record<string, unknown>): RoomAction {
  const type = fields.action;
  if (typeof type !== "string") throw new Refusal("invalid", "refusal.action.missing");
  if (selfActions.has(type)) return { type: type as SelfAction };
  if (moderatorActions.has(type)) {
    const target = fields.target;
    if (typeof target !== "string" || !/^@?[A-Za-z0-9_]{1,30}$/.test(target)) {
      throw new Refusal("invalid", "refusal.action.target_missing");
    }
    return { type: type as ModeratorAction, target: target.replace(/^@/, "") };
  }
  if (type === "end") return { type };
  if (type === "hands") {
    const enabled = fields.enabled;
    if (enabled !== "on" && enabled !== "off" && typeof enabled !== "boolean") {
      throw new Refusal("invalid", "refusal.action.hands_missing");
    }
    return { type, enabled: enabled === true || enabled === "on" };
  }
  throw new Refusal("invalid", "refusal.action.unknown", { params: { action: type.slice(0, 30) } });
}

interface Seat {
  userId: number;
  handle: string;
  role: Role;
  handRaisedAt: Date | null;
  invited: boolean;
  muted: boolean;
}

async function seatOf(tx: Tx, roomId: number, userId: number): Promise<Seat | null> {
  const [row] = await tx`
    select p.user_id, u.handle, p.role, p.hand_raised_at, p.invited_at is not null as invited,
           p.muted
    from participants p join users u on u.id = p.user_id
    where p.room_id = ${roomId} and p.user_id = ${userId}`;
  return row ? toSeat(row) : null;
}

async function seatByHandle(tx: Tx, roomId: number, handle: string): Promise<Seat> {
  const [row] = await tx`
    select p.user_id, u.handle, p.role, p.hand_raised_at, p.invited_at is not null as invited,
           p.muted
    from participants p join users u on u.id = p.user_id
    where p.room_id = ${roomId} and lower(u.handle) = lower(${handle})`;
  if (!row) throw new Refusal("conflict", "refusal.room.not_in_room", { params: { handle } });
  return toSeat(row);
}

// deno-lint-ignore no-explicit-any
function toSeat(row: any): Seat {
  return {
    userId: row.user_id,
    handle: row.handle,
    role: row.role,
    handRaisedAt: row.hand_raised_at,
    invited: row.invited,
    muted: row.muted,
  };
}

/** Performs one action in a live room, as `actorId`, or refuses it without changing anything. */
export async function act(
  sql: Sql,
  actorId: number,
  roomId: number,
  action: RoomAction,
): Promise<void> {
  await sql.begin(async (tx) => {
    const room = await lockRoom(tx, roomId);
    refuseUnlessLive(room);
    const actor = await seatOf(tx, roomId, actorId);
    if (!actor) throw new Refusal("forbidden", "refusal.room.join_first");
    if (selfActions.has(action.type)) {
      await actOnSelf(tx, room, actor, action.type as SelfAction);
    } else {
      if (actor.role !== "moderator") {
        throw new Refusal("forbidden", "refusal.room.moderators_only");
      }
      await moderate(tx, room, actor, action);
    }
    await notify(tx, { room: roomId });
  });
}

async function actOnSelf(tx: Tx, room: RoomRow, me: Seat, type: SelfAction): Promise<void> {
  const onStage = me.role !== "listener";
  const where = tx`room_id = ${room.id} and user_id = ${me.userId}`;
  switch (type) {
    case "raise_hand":
      if (onStage) throw new Refusal("conflict", "refusal.room.already_on_stage");
      if (!room.handsEnabled) throw new Refusal("conflict", "refusal.room.hands_off");
      // A hand already up keeps its place in line; a new one takes the next (migration 011).
      await tx`update participants
               set hand_order = case when hand_raised_at is null
                                     then nextval('hand_raise_order') else hand_order end,
                   hand_raised_at = coalesce(hand_raised_at, statement_timestamp())
               where ${where}`;
      return;
    case "lower_hand":
      if (onStage) return;
      await tx`update participants set hand_raised_at = null where ${where}`;
      return;
    case "accept_invite":
      if (!me.invited) throw new Refusal("conflict", "refusal.room.not_invited");
      await tx`update participants set role = 'speaker', invited_at = null,
               hand_raised_at = null, muted = true, muted_by_moderator = false,
               on_stage_since = statement_timestamp() where ${where}`;
      await startListen(tx, room.id, me.userId, "speaker");
      return;
    case "decline_invite":
      await tx`update participants set invited_at = null where ${where}`;
      return;
    case "mute_self":
    case "unmute_self":
      if (!onStage) throw new Refusal("conflict", "refusal.room.no_microphone");
      await tx`update participants set muted = ${type === "mute_self"}, muted_by_moderator = false
               where ${where}`;
      return;
    case "leave":
      await leave(tx, room, me.userId);
      return;
  }
}

async function moderate(tx: Tx, room: RoomRow, me: Seat, action: RoomAction): Promise<void> {
  if (action.type === "end") {
    await endRoom(tx, room.id);
    await record(tx, room.id, me.userId, "end", null);
    return;
  }
  if (action.type === "hands") {
    await tx`update rooms set hands_enabled = ${action.enabled} where id = ${room.id}`;
    if (!action.enabled) {
      await tx`update participants set hand_raised_at = null where room_id = ${room.id}`;
    }
    await record(tx, room.id, me.userId, action.enabled ? "hands_on" : "hands_off", null);
    return;
  }
  if (!("target" in action)) return;
  const target = await seatByHandle(tx, room.id, action.target);
  const where = tx`room_id = ${room.id} and user_id = ${target.userId}`;
  const onStage = target.role !== "listener";
  switch (action.type) {
    case "invite_to_speak":
      if (onStage) {
        throw new Refusal("conflict", "refusal.room.target_on_stage", {
          params: { handle: target.handle },
        });
      }
      // A second moderator inviting the same listener changes nothing.
      if (target.invited) return;
      await tx`update participants set invited_at = statement_timestamp() where ${where}`;
      await notifyInvitedAway(tx, {
        roomId: room.id,
        moderatorId: me.userId,
        listenerId: target.userId,
        awayMs: awayFromRoomAfterMs,
      });
      break;
    case "move_to_audience":
      if (!onStage) {
        throw new Refusal("conflict", "refusal.room.target_in_audience", {
          params: { handle: target.handle },
        });
      }
      if (target.role === "moderator") await keepAModerator(tx, room.id, target);
      await tx`update participants set role = 'listener', muted = true, muted_by_moderator = false,
               on_stage_since = null where ${where}`;
      await startListen(tx, room.id, target.userId, "listener");
      break;
    case "mute":
      if (!onStage) {
        throw new Refusal("conflict", "refusal.room.target_not_on_stage", {
          params: { handle: target.handle },
        });
      }
      // A moderator muting themselves is muting themselves.
      await tx`update participants set muted = true,
               muted_by_moderator = ${target.userId !== me.userId} where ${where}`;
      break;
    case "make_moderator":
      if (target.role === "moderator") return;
      if (!onStage) {
        throw new Refusal("conflict", "refusal.room.invite_first", {
          params: { handle: target.handle },
        });
      }
      await tx`update participants set role = 'moderator' where ${where}`;
      await startListen(tx, room.id, target.userId, "moderator");
      break;
    case "unmake_moderator":
      if (target.role !== "moderator") return;
      await keepAModerator(tx, room.id, target);
      await tx`update participants set role = 'speaker' where ${where}`;
      await startListen(tx, room.id, target.userId, "speaker");
      break;
    case "remove":
      if (target.userId === me.userId) throw new Refusal("conflict", "refusal.room.leave_instead");
      await tx`insert into room_bans (room_id, user_id) values (${room.id}, ${target.userId})
               on conflict do nothing`;
      await leave(tx, room, target.userId);
      break;
  }
  await record(tx, room.id, me.userId, action.type, target.userId);
}

async function keepAModerator(tx: Tx, roomId: number, leaving: Seat): Promise<void> {
  const [{ others }] = await tx`
    select count(*)::int as others from participants
    where room_id = ${roomId} and role = 'moderator' and user_id <> ${leaving.userId}`;
  if (others === 0) {
    throw new Refusal("conflict", "refusal.room.needs_moderator");
  }
}

async function record(
  tx: Tx,
  roomId: number,
  actorId: number | null,
  action: string,
  targetId: number | null,
): Promise<void> {
  await tx`insert into moderation_log (room_id, actor_id, action, target_id)
           values (${roomId}, ${actorId}, ${action}, ${targetId})`;
}

/**
 * Takes a member out of a room (leaving, removed, or gone stale). When the last moderator goes,
 * the longest-present speaker becomes moderator; with nobody left on stage the room ends.
 */
export async function leave(tx: Tx, room: RoomRow, memberId: number): Promise<void> {
  await tx`delete from participants where room_id = ${room.id} and user_id = ${memberId}`;
  await stopListen(tx, room.id, memberId);
  const [{ moderators }] = await tx`
    select count(*)::int as moderators from participants
    where room_id = ${room.id} and role = 'moderator'`;
  if (moderators > 0) return;
  const [next] = await tx`
    select user_id from participants where room_id = ${room.id} and role = 'speaker'
    order by joined_at, user_id limit 1`;
  if (next) {
    await tx`update participants set role = 'moderator'
             where room_id = ${room.id} and user_id = ${next.user_id}`;
    await startListen(tx, room.id, next.user_id, "moderator");
    await record(tx, room.id, null, "succeed_moderator", next.user_id);
    return;
  }
  await endRoom(tx, room.id);
  await record(tx, room.id, null, "end_unattended", null);
}

/** Ends the room (live or scheduled): everyone out, every listen closed. Under the room's lock. */
export async function endRoom(tx: Tx, roomId: number): Promise<void> {
  await tx`update rooms set state = 'ended', ended_at = statement_timestamp() where id = ${roomId}`;
  await tx`update listens set ended_at = statement_timestamp() where room_id = ${roomId} and ended_at is null`;
  await tx`delete from participants where room_id = ${roomId}`;
}

export interface ModerationEntry {
  roomId: number;
  roomTitle: string;
  /** Null for the site itself (a room ended unattended), or an account since deleted. */
  actor: string | null;
  /** The actor's account was deleted: shown as "a deleted member". */
  actorDeleted: boolean;
  action: string;
  target: string | null;
  targetDeleted: boolean;
  at: Date;
}

/** The latest moderation actions everywhere, for administrators. */
export async function moderationLog(sql: Sql, actorId: number): Promise<ModerationEntry[]> {
  await requireAdmin(sql, actorId);
  const rows = await sql`
    select m.room_id, r.title, a.handle as actor, m.action, t.handle as target, m.at,
           a.deleted_at is not null as actor_deleted, t.deleted_at is not null as target_deleted
    from moderation_log m join rooms r on r.id = m.room_id
    left join users a on a.id = m.actor_id left join users t on t.id = m.target_id
    order by m.at desc, m.id desc limit 200`;
  return rows.map((r) => ({
    roomId: r.room_id,
    roomTitle: r.title,
    actor: r.actor,
    actorDeleted: r.actor_deleted === true,
    action: r.action,
    target: r.target,
    targetDeleted: r.target_deleted === true,
    at: r.at,
  }));
}
