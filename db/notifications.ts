/**
 * Notifications: every rule about who is told what, each in the transaction that makes the
 * change. A room started or an event scheduled tells the host's followers in one set-based
 * insert; a ping tells one follower of the pinger; an invitation to speak tells a listener whose
 * page is away from the room; a sweep tells interested members an event starts soon. Who may be
 * told at all is the database's `notifiable` (migration 014): kinds turned off, muted people,
 * blocks either way and rooms they may not see tell nobody. Each insert `notify`s the range of
 * ids it made, so every process's bell hub sends them to the pages open there.
 *
 * @example
 * await notifyFollowers(tx, { roomId, hostId: ada.id, kind: "room_started" });
 * await unreadCount(sql, grace.id); // 1
 * await markAllRead(sql, grace.id);
 */
import type { RateLimit } from "../config.ts";
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { spendAttempt } from "./rate_limits.ts";
import type { RoomState } from "./rooms.ts";

export type NoticeKind =
  | "room_started"
  | "event_scheduled"
  | "ping"
  | "invited_to_speak"
  | "event_starting";

export const noticeKinds: readonly NoticeKind[] = [
  "room_started",
  "event_scheduled",
  "ping",
  "invited_to_speak",
  "event_starting",
];

/** One notification as the inbox, a toast and the browser's notification show it. */
export interface Notice {
  id: number;
  memberId: number;
  kind: NoticeKind;
  actor: { handle: string; displayName: string };
  room: { publicId: string; title: string; state: RoomState; scheduledFor: Date | null };
  createdAt: Date;
  read: boolean;
}

/** A notice on its way to a member's open pages, with their unread count after it. */
export interface FreshNotice extends Notice {
  unread: number;
}

export interface InboxPage {
  notices: Notice[];
  /** The id to page on from (`before`), or null on the last page. */
  next: number | null;
}

export interface NotificationSettings {
  /** Every kind, in the order settings list them, and whether the member has it on. */
  kinds: { kind: NoticeKind; on: boolean }[];
  muted: { handle: string; displayName: string }[];
}

export const inboxPageSize = 20;

/** How many notifications one insert made, and the range of their ids (for the live hubs). */
async function announce(tx: Tx, made: { first: number | null; last: number | null }) {
  if (made.first === null || made.last === null) return;
  await notify(tx, { notices: [Number(made.first), Number(made.last)] });
}

/**
 * Tells the followers of `hostId` that they started a room or scheduled an event: one row per
 * follower `notifiable` lets through, in one statement. Returns how many were told.
 *
 * @example
 * await notifyFollowers(tx, { roomId, hostId: ada.id, kind: "room_started" }); // 2
 */
export async function notifyFollowers(
  tx: Tx,
  what: { roomId: number; hostId: number; kind: "room_started" | "event_scheduled" },
): Promise<number> {
  const [made] = await tx`
    with made as (
      insert into notifications (member_id, kind, actor_id, room_id)
      select m, ${what.kind}, ${what.hostId}, ${what.roomId}
      from notifiable(${what.kind}, ${what.hostId}, ${what.roomId},
                      array(select follower_id from follows where followee_id = ${what.hostId})) m
      returning id)
    select min(id) as first, max(id) as last, count(*)::int as told from made`;
  await announce(tx, made as { first: number | null; last: number | null });
  return made.told;
}

/**
 * Tells a listener a moderator invited them to speak, when no page of theirs has shown the room
 * for `awayMs` (config.ts `awayFromRoomAfterMs` says why presence tells that): a page looking at
 * the room already shows the invitation.
 *
 * @example
 * await notifyInvitedAway(tx, { roomId, moderatorId: ada.id, listenerId: grace.id, awayMs: 12_000 });
 */
export async function notifyInvitedAway(
  tx: Tx,
  what: { roomId: number; moderatorId: number; listenerId: number; awayMs: number },
): Promise<boolean> {
  const [made] = await tx`
    with made as (
      insert into notifications (member_id, kind, actor_id, room_id)
      select m, 'invited_to_speak', ${what.moderatorId}, ${what.roomId}
      from notifiable('invited_to_speak', ${what.moderatorId}, ${what.roomId}, array(
        select p.user_id from participants p
        where p.room_id = ${what.roomId} and p.user_id = ${what.listenerId}
          and p.last_seen_at < statement_timestamp() - ${what.awayMs} * interval '1 millisecond'
      )) m
      returning id)
    select min(id) as first, max(id) as last, count(*)::int as told from made`;
  await announce(tx, made as { first: number | null; last: number | null });
  return made.told > 0;
}

/**
 * Who `pingerId` may ping into a live room they are in: the members who follow them (they chose
 * to hear from the pinger; following someone does not let you summon them), who may see the
 * room and are not in it, and with no block either way. A member who muted the pinger or turned
 * pings off is listed too, so the list does not tell the pinger so; they are just not told.
 *
 * @example
 * (await pingable(sql, ada.id, roomId)).map((m) => m.handle); // ["grace"]
 */
export async function pingable(
  sql: Sql | Tx,
  pingerId: number,
  roomId: number,
): Promise<{ handle: string; displayName: string }[]> {
  // The room is live (pings are about live rooms), where seeing it is joining it.
  const rows = await sql`
    select u.handle, u.display_name
    from members_may_join(${roomId},
                          array(select follower_id from follows where followee_id = ${pingerId})) m
    join users u on u.id = m
    where exists (select 1 from participants p
                  where p.room_id = ${roomId} and p.user_id = ${pingerId})
      and not exists (select 1 from participants p where p.room_id = ${roomId} and p.user_id = m)
      and not exists (select 1 from blocks b
                      where (b.blocker_id = m and b.blocked_id = ${pingerId})
                         or (b.blocker_id = ${pingerId} and b.blocked_id = m))
    order by lower(u.display_name), u.id
    limit 200`;
  return rows.map((r) => ({ handle: r.handle, displayName: r.display_name }));
}

/**
 * `pingerId`, in the live room `roomId`, pings the member with `handle` into it (Clubhouse's
 * ping). Refused unless they may (`pingable`), and past the limits per pinger and per pair
 * (429). Counted only once the ping is allowed: a refused ping spends nothing.
 *
 * @example
 * await ping(sql, { pingerId: ada.id, roomId, handle: "grace", limits: config.notifications });
 */
export async function ping(
  sql: Sql,
  what: {
    pingerId: number;
    roomId: number;
    handle: string;
    limits: { pingsPerMember: RateLimit; pingsPerPair: RateLimit };
  },
): Promise<void> {
  const handle = what.handle.trim().replace(/^@/, "");
  if (!/^[A-Za-z0-9_]{1,30}$/.test(handle)) {
    throw new Refusal("invalid", "refusal.ping.handle", "handle");
  }
  await sql.begin(async (tx) => {
    const [room] = await tx`select state from rooms where id = ${what.roomId}`;
    if (!room || room.state !== "live") throw new Refusal("conflict", "refusal.ping.not_live");
    const [me] = await tx`
      select 1 from participants where room_id = ${what.roomId} and user_id = ${what.pingerId}`;
    if (!me) throw new Refusal("forbidden", "refusal.ping.not_in_room");
    const [target] = await tx`select id from users where lower(handle) = lower(${handle})
                              for key share`;
    if (!target) throw new Refusal("not_found", "refusal.member.unknown", "handle");
    const allowed = (await pingable(tx, what.pingerId, what.roomId))
      .some((m) => m.handle.toLowerCase() === handle.toLowerCase());
    if (!allowed) throw new Refusal("forbidden", "refusal.ping.not_pingable", "handle");
    await spendAttempt(tx, {
      bucket: "ping_member",
      key: String(what.pingerId),
      ...what.limits.pingsPerMember,
    });
    await spendAttempt(tx, {
      bucket: "ping_pair",
      key: `${what.pingerId}:${target.id}`,
      ...what.limits.pingsPerPair,
    });
    const [made] = await tx`
      with made as (
        insert into notifications (member_id, kind, actor_id, room_id)
        select m, 'ping', ${what.pingerId}, ${what.roomId}
        from notifiable('ping', ${what.pingerId}, ${what.roomId}, array[${target.id}::bigint]) m
        returning id)
      select min(id) as first, max(id) as last from made`;
    await announce(tx, made as { first: number | null; last: number | null });
  });
}

/**
 * Tells each interested member of an event starting within `leadMs` (and not yet started or
 * past) that it is about to: each reminder once, even with every process sweeping at once. The
 * UPDATE marks the interest reminded and returns only rows it changed; a sweep running at the
 * same moment waits on those rows, finds them reminded, and skips them. Returns how many were told.
 *
 * @example
 * await sendReminders(sql, { leadMs: 600_000 }); // 3
 */
export async function sendReminders(sql: Sql, options: { leadMs: number }): Promise<number> {
  return await sql.begin(async (tx) => {
    const [made] = await tx`
      with due as (
        update event_interest i set reminded_at = statement_timestamp()
        from rooms r
        where r.id = i.room_id and i.reminded_at is null and r.state = 'scheduled'
          and r.scheduled_for <= statement_timestamp() + ${options.leadMs} * interval '1 millisecond'
          and r.scheduled_for > statement_timestamp() - interval '1 hour'
        returning i.room_id, i.user_id, r.creator_id),
      made as (
        insert into notifications (member_id, kind, actor_id, room_id)
        select m, 'event_starting', due.creator_id, due.room_id
        from due, lateral notifiable('event_starting', due.creator_id, due.room_id,
                                     array[due.user_id]) m
        returning id)
      select min(id) as first, max(id) as last, count(*)::int as told from made`;
    await announce(tx, made as { first: number | null; last: number | null });
    return made.told;
  });
}

/**
 * Deletes notifications older than `keepMs`: the inbox is bounded by age (90 days by default).
 *
 * @example
 * await forgetOldNotifications(sql, { keepMs: 90 * 86_400_000 });
 */
export async function forgetOldNotifications(
  sql: Sql,
  options: { keepMs: number },
): Promise<number> {
  const gone = await sql`
    delete from notifications
    where created_at < statement_timestamp() - ${options.keepMs} * interval '1 millisecond'`;
  return gone.count;
}

const noticeColumns = (sql: Sql | Tx) =>
  sql`n.id, n.member_id, n.kind, n.created_at, n.read_at, a.handle, a.display_name,
      r.public_id, r.title, r.state, r.scheduled_for`;
const noticeJoins = (sql: Sql | Tx) =>
  sql`from notifications n join users a on a.id = n.actor_id join rooms r on r.id = n.room_id`;

// deno-lint-ignore no-explicit-any
function toNotice(row: any): Notice {
  return {
    id: Number(row.id),
    memberId: Number(row.member_id),
    kind: row.kind,
    actor: { handle: row.handle, displayName: row.display_name },
    room: {
      publicId: row.public_id,
      title: row.title,
      state: row.state,
      scheduledFor: row.scheduled_for,
    },
    createdAt: row.created_at,
    read: row.read_at !== null,
  };
}

/**
 * The member's notifications, newest first, `inboxPageSize` at a time; `before` pages on.
 *
 * @example
 * const first = await inbox(sql, grace.id);
 * const second = first.next ? await inbox(sql, grace.id, { before: first.next }) : null;
 */
export async function inbox(
  sql: Sql,
  memberId: number,
  options: { before?: number } = {},
): Promise<InboxPage> {
  const rows = await sql`
    select ${noticeColumns(sql)} ${noticeJoins(sql)}
    where n.member_id = ${memberId}
      ${options.before === undefined ? sql`` : sql`and n.id < ${options.before}`}
    order by n.id desc
    limit ${inboxPageSize + 1}`;
  const notices = rows.slice(0, inboxPageSize).map(toNotice);
  return {
    notices,
    next: rows.length > inboxPageSize ? notices[notices.length - 1].id : null,
  };
}

/**
 * The notices with ids in `range` (one insert's, as `notify` announced it) for the members in
 * `memberIds` (those with a page open in this process), each with its member's unread count.
 *
 * @example
 * const fresh = await noticesIn(sql, [41, 60], [7, 9]);
 */
export async function noticesIn(
  sql: Sql,
  range: [number, number],
  memberIds: number[],
): Promise<FreshNotice[]> {
  if (memberIds.length === 0) return [];
  const rows = await sql`
    select ${noticeColumns(sql)},
      (select count(*)::int from notifications u
       where u.member_id = n.member_id and u.read_at is null) as unread
    ${noticeJoins(sql)}
    where n.id between ${range[0]} and ${range[1]}
      and n.member_id in (select unnest(${memberIds}::bigint[]))
    order by n.id`;
  return rows.map((row) => ({ ...toNotice(row), unread: row.unread }));
}

/**
 * How many of the member's notifications they have not read.
 *
 * @example
 * await unreadCount(sql, grace.id); // 0
 */
export async function unreadCount(sql: Sql, memberId: number): Promise<number> {
  const [row] = await sql`
    select count(*)::int as unread from notifications
    where member_id = ${memberId} and read_at is null`;
  return row.unread;
}

/**
 * Unread counts of several members at once (the pages open in one process).
 *
 * @example
 * (await unreadCounts(sql, [7, 9])).get(7); // 2
 */
export async function unreadCounts(sql: Sql, memberIds: number[]): Promise<Map<number, number>> {
  const counts = new Map(memberIds.map((id) => [id, 0]));
  if (memberIds.length === 0) return counts;
  const rows = await sql`
    select member_id, count(*)::int as unread from notifications
    where member_id in (select unnest(${memberIds}::bigint[])) and read_at is null
    group by member_id`;
  for (const row of rows) counts.set(Number(row.member_id), row.unread);
  return counts;
}

/**
 * Marks one of the member's notifications read; another member's id is as unknown as a missing one.
 *
 * @example
 * await markRead(sql, grace.id, noticeId);
 */
export async function markRead(sql: Sql, memberId: number, noticeId: number): Promise<void> {
  await sql.begin(async (tx) => {
    const [row] = await tx`
      update notifications set read_at = coalesce(read_at, statement_timestamp())
      where id = ${noticeId} and member_id = ${memberId} returning id`;
    if (!row) throw new Refusal("not_found", "refusal.notice.unknown");
    await notify(tx, { bells: [memberId] });
  });
}

/**
 * Marks every notification of the member read.
 *
 * @example
 * await markAllRead(sql, grace.id);
 */
export async function markAllRead(sql: Sql, memberId: number): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`update notifications set read_at = statement_timestamp()
             where member_id = ${memberId} and read_at is null`;
    await notify(tx, { bells: [memberId] });
  });
}

/**
 * The kinds the member turned off and the people they muted.
 *
 * @example
 * (await notificationSettings(sql, grace.id)).kinds[2]; // { kind: "ping", on: false }
 */
export async function notificationSettings(
  sql: Sql,
  memberId: number,
): Promise<NotificationSettings> {
  const [off, muted] = await Promise.all([
    sql`select kind from notification_kinds_off where member_id = ${memberId}`,
    sql`select u.handle, u.display_name from notification_mutes m join users u on u.id = m.muted_id
        where m.member_id = ${memberId} order by lower(u.display_name), u.id`,
  ]);
  return {
    kinds: noticeKinds.map((kind) => ({ kind, on: !off.some((row) => row.kind === kind) })),
    muted: muted.map((r) => ({ handle: r.handle, displayName: r.display_name })),
  };
}

/**
 * Turns on exactly the kinds in `on`, and off every other.
 *
 * @example
 * await setKindsOn(sql, grace.id, ["room_started", "ping"]);
 */
export async function setKindsOn(sql: Sql, memberId: number, on: string[]): Promise<void> {
  const unknown = on.filter((kind) => !noticeKinds.includes(kind as NoticeKind));
  if (unknown.length > 0) throw new Refusal("invalid", "refusal.notice.kind");
  const off = noticeKinds.filter((kind) => !on.includes(kind));
  await sql.begin(async (tx) => {
    await tx`delete from notification_kinds_off where member_id = ${memberId}`;
    if (off.length > 0) {
      await tx`insert into notification_kinds_off ${
        tx(off.map((kind) => ({ member_id: memberId, kind })))
      }`;
    }
  });
}

/**
 * Mutes the member with `handle`: their rooms, events and pings no longer notify `memberId`.
 * Muting twice is the same as once.
 *
 * @example
 * await mute(sql, grace.id, "ada");
 */
export async function mute(sql: Sql, memberId: number, handle: string): Promise<void> {
  await sql.begin(async (tx) => {
    const mutedId = await memberIdOf(tx, handle);
    if (mutedId === memberId) throw new Refusal("invalid", "refusal.mute.self");
    await tx`insert into notification_mutes (member_id, muted_id) values (${memberId}, ${mutedId})
             on conflict do nothing`;
    // The member's profile pages show the mute: cached reads of them are dropped.
    await notify(tx, { members: [memberId] });
  });
}

/**
 * Unmutes the member with `handle`.
 *
 * @example
 * await unmute(sql, grace.id, "ada");
 */
export async function unmute(sql: Sql, memberId: number, handle: string): Promise<void> {
  await sql.begin(async (tx) => {
    const mutedId = await memberIdOf(tx, handle);
    await tx`delete from notification_mutes where member_id = ${memberId} and muted_id = ${mutedId}`;
    await notify(tx, { members: [memberId] });
  });
}

/** Held for key share, as db/profiles.ts's `idOf`: a deletion under way finishes first. */
async function memberIdOf(tx: Tx, handle: string): Promise<number> {
  const [row] = await tx`select id from users where lower(handle) = lower(${handle})
                         for key share`;
  if (!row) throw new Refusal("not_found", "refusal.member.unknown");
  return Number(row.id);
}
