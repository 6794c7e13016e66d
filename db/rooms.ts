/**
 * Rooms: starting one, scheduling an event and opening it, joining, and the snapshot every
 * page renders from. Actions inside a live room are in `room_actions.ts`; both lock the room
 * row first, so every change to one room happens one at a time.
 *
 * @example
 * const roomId = await startRoom(sql, ada.id, { title: "Jazz", description: "", topics: ["jazz"], kind: "open" });
 * await joinRoom(sql, grace.id, roomId);
 * (await roomSnapshot(sql, roomId)).participants.length; // 2
 */
import { isTimeZone } from "../calendar/time_zones.ts";
import { isLanguage } from "../i18n/language.ts";
import type { Sql, Tx } from "./client.ts";
import { Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { notifyFollowers } from "./notifications.ts";
import { base64url } from "./sessions.ts";
import { memberLanguage } from "./site_settings.ts";
import { holdPresentMember } from "./users.ts";

export type Role = "moderator" | "speaker" | "listener";
export type RoomKind = "open" | "social" | "closed";
export type RoomState = "scheduled" | "live" | "ended";

export const roomKinds: RoomKind[] = ["open", "social", "closed"];
export const roomLimits = { title: 80, description: 300, topics: 3, cohosts: 5 };

export interface NewRoom {
  title: string;
  description: string;
  /** Topic slugs, one to three. */
  topics: string[];
  kind: RoomKind;
  /**
   * The language spoken in the room (the hallway shows it and ranks by it); left out, the
   * creator's own language, else the site's.
   */
  language?: string;
}

export interface NewEvent extends NewRoom {
  startsAt: Date;
  /** The IANA zone the host scheduled in (calendar files give the start in it); left out, UTC. */
  timeZone?: string;
  /** Handles of the members who host with the creator. */
  cohosts: string[];
}

export interface RoomRow {
  /** The key inside the database; it appears on no page and in no URL. */
  id: number;
  /** The opaque random id every URL of the room carries (migration 008). */
  publicId: string;
  title: string;
  description: string;
  kind: RoomKind;
  state: RoomState;
  creatorId: number;
  linkKey: string;
  handsEnabled: boolean;
  scheduledFor: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface Participant {
  userId: number;
  handle: string;
  displayName: string;
  role: Role;
  muted: boolean;
  /** Muted by a moderator, not by themselves (false when not muted). */
  mutedByModerator: boolean;
  handRaisedAt: Date | null;
  /** 1 for the first hand up, 2 for the next...; null with no hand up. */
  handPosition: number | null;
  invited: boolean;
  joinedAt: Date;
  /** A listener someone on stage follows: shown in "followed by the speakers". */
  followedByStage: boolean;
}

export interface RoomSnapshot {
  room: RoomRow;
  topics: { slug: string; name: string }[];
  /** Stage first (moderators, then speakers, by arrival), then the audience by arrival. */
  participants: Participant[];
}

/**
 * Whether the room hears `person`: on stage (a moderator or a speaker) and not muted, by
 * themselves or by a moderator. A room's home applies it to each connection (live/voice_homes.ts).
 *
 * @example
 * isHeard({ role: "speaker", muted: false }); // true
 * isHeard({ role: "listener", muted: false }); // false
 */
export function isHeard(person: Pick<Participant, "role" | "muted">): boolean {
  return person.role !== "listener" && !person.muted;
}

/**
 * The link key of a closed room, if `memberId` may share its link: before it opens, the event's
 * hosts (`hostsEvent`); once it is live, its moderators; nobody for an open or social room.
 *
 * @example
 * const key = shareableLinkKey(snapshot, member.id, { hostsEvent: false });
 * const link = key && `${origin}/rooms/${snapshot.room.publicId}?key=${key}`;
 */
export function shareableLinkKey(
  snapshot: RoomSnapshot,
  memberId: number,
  viewer: { hostsEvent: boolean },
): string | null {
  const { room } = snapshot;
  if (room.kind !== "closed") return null;
  const mayShare = room.state === "scheduled"
    ? viewer.hostsEvent
    : snapshot.participants.some((p) => p.userId === memberId && p.role === "moderator");
  return mayShare ? room.linkKey : null;
}

function validateRoom(
  input: NewRoom,
): { title: string; description: string; slugs: string[]; language: string | null } {
  const title = input.title.trim();
  const description = input.description.trim();
  if (title.length === 0) throw new Refusal("invalid", "refusal.room.title_missing", "title");
  if (title.length > roomLimits.title) {
    throw new Refusal("invalid", "refusal.title.too_long", {
      field: "title",
      params: { count: roomLimits.title },
    });
  }
  if (description.length > roomLimits.description) {
    throw new Refusal("invalid", "refusal.description.too_long", {
      field: "description",
      params: { count: roomLimits.description },
    });
  }
  const slugs = [...new Set(input.topics.map((s) => s.trim()).filter(Boolean))];
  if (slugs.length < 1 || slugs.length > roomLimits.topics) {
    throw new Refusal("invalid", "refusal.room.topics", {
      field: "topics",
      params: { max: roomLimits.topics },
    });
  }
  if (!roomKinds.includes(input.kind)) {
    throw new Refusal("invalid", "refusal.room.kind_missing", "kind");
  }
  if (input.language !== undefined && !isLanguage(input.language)) {
    throw new Refusal("invalid", "refusal.room.language", "language");
  }
  return { title, description, slugs, language: input.language ?? null };
}

async function insertRoom(
  tx: Tx,
  creatorId: number,
  input: NewRoom,
  state: { live: boolean; scheduledFor: Date | null; timeZone?: string },
): Promise<number> {
  const { title, description, slugs, language } = validateRoom(input);
  const topics = await tx`select id from topics where slug in ${tx(slugs)}`;
  if (topics.length !== slugs.length) {
    throw new Refusal("invalid", "refusal.topics.unknown", "topics");
  }
  const [room] = await tx`
    insert into rooms (title, description, kind, state, creator_id, link_key, scheduled_for,
                       started_at, language, time_zone)
    values (${title}, ${description}, ${input.kind}, ${state.live ? "live" : "scheduled"},
            ${creatorId}, ${base64url(crypto.getRandomValues(new Uint8Array(18)))},
            ${state.scheduledFor}, ${state.live ? new Date() : null},
            ${language ?? await memberLanguage(tx, creatorId)}, ${state.timeZone ?? "UTC"})
    returning id`;
  await tx`insert into room_topics ${
    tx(topics.map((t) => ({ room_id: room.id, topic_id: t.id })))
  }`;
  return room.id;
}

/** Starts a live room now; its creator is its first moderator, on stage. */
export async function startRoom(sql: Sql, creatorId: number, input: NewRoom): Promise<number> {
  return await sql.begin(async (tx) => {
    await holdPresentMember(tx, creatorId);
    const roomId = await insertRoom(tx, creatorId, input, { live: true, scheduledFor: null });
    await enterRoom(tx, roomId, creatorId, "moderator");
    await notifyFollowers(tx, { roomId, hostId: creatorId, kind: "room_started" });
    await notify(tx, { room: roomId });
    return roomId;
  });
}

/** Schedules an event: a room that opens later, hosted by its creator and co-hosts. */
export async function scheduleEvent(sql: Sql, creatorId: number, input: NewEvent): Promise<number> {
  if (!(input.startsAt instanceof Date) || Number.isNaN(input.startsAt.getTime())) {
    throw new Refusal("invalid", "refusal.event.when_missing", "starts_at");
  }
  if (input.startsAt.getTime() < Date.now() - 60_000) {
    throw new Refusal("invalid", "refusal.event.past", "starts_at");
  }
  if (input.startsAt.getTime() > Date.now() + 366 * 86_400_000) {
    throw new Refusal("invalid", "refusal.event.too_far", "starts_at");
  }
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone)) {
    throw new Refusal("invalid", "refusal.event.time_zone", "time_zone");
  }
  const handles = [...new Set(input.cohosts.map((h) => h.trim().replace(/^@/, "").toLowerCase()))]
    .filter(Boolean);
  if (handles.length > roomLimits.cohosts) {
    throw new Refusal("invalid", "refusal.event.cohosts", {
      field: "cohosts",
      params: { count: roomLimits.cohosts },
    });
  }
  return await sql.begin(async (tx) => {
    const roomId = await insertRoom(tx, creatorId, input, {
      live: false,
      scheduledFor: input.startsAt,
      timeZone: input.timeZone,
    });
    const hosts = handles.length === 0
      ? []
      : await tx`select id, handle from users where lower(handle) in ${tx(handles)}`;
    if (hosts.length !== handles.length) {
      const found = new Set(hosts.map((h) => h.handle.toLowerCase()));
      const missing = handles.filter((h) => !found.has(h));
      throw new Refusal("invalid", "refusal.event.unknown_cohosts", {
        field: "cohosts",
        params: { handles: `@${missing.join(", @")}` },
      });
    }
    const ids = new Set([creatorId, ...hosts.map((h) => h.id as number)]);
    await tx`insert into room_hosts ${
      tx([...ids].map((id) => ({ room_id: roomId, user_id: id })))
    }`;
    await notifyFollowers(tx, { roomId, hostId: creatorId, kind: "event_scheduled" });
    await notify(tx, { hallway: true });
    return roomId;
  });
}

/** A host opens a scheduled event: the room goes live with them on stage as moderator. */
export async function openEvent(sql: Sql, hostId: number, roomId: number): Promise<void> {
  await sql.begin(async (tx) => {
    await holdPresentMember(tx, hostId);
    const room = await lockRoom(tx, roomId);
    if (room.state !== "scheduled") {
      throw new Refusal(
        "conflict",
        room.state === "live" ? "refusal.event.already_live" : "refusal.event.ended",
      );
    }
    const [host] =
      await tx`select 1 from room_hosts where room_id = ${roomId} and user_id = ${hostId}`;
    if (!host) throw new Refusal("forbidden", "refusal.event.hosts_only");
    await tx`update rooms set state = 'live', started_at = statement_timestamp() where id = ${roomId}`;
    await enterRoom(tx, roomId, hostId, "moderator");
    await notifyFollowers(tx, { roomId, hostId, kind: "room_started" });
    await notify(tx, { room: roomId });
  });
}

/** Marks or unmarks the member as interested in an upcoming event. */
export async function setInterest(
  sql: Sql,
  memberId: number,
  roomId: number,
  interested: boolean,
): Promise<void> {
  await sql.begin(async (tx) => {
    await holdPresentMember(tx, memberId);
    const room = await lockRoom(tx, roomId);
    if (room.state !== "scheduled") {
      throw new Refusal("conflict", "refusal.event.not_upcoming");
    }
    const [{ allowed }] = await tx`select may_join(${roomId}, ${memberId}) as allowed`;
    if (!allowed) throw noSuchRoom();
    if (interested) {
      await tx`insert into event_interest (room_id, user_id) values (${roomId}, ${memberId})
               on conflict do nothing`;
    } else {
      await tx`delete from event_interest where room_id = ${roomId} and user_id = ${memberId}`;
    }
    await notify(tx, { hallway: true });
  });
}

/**
 * Brings a member into a live room (as a listener; hosts as moderators). Joining again keeps
 * the place. `linkKey` is the secret of a closed room's link: it lets the member in for good.
 */
export async function joinRoom(
  sql: Sql,
  memberId: number,
  roomId: number,
  options: { linkKey?: string } = {},
): Promise<void> {
  await sql.begin(async (tx) => {
    await holdPresentMember(tx, memberId);
    const room = await lockRoom(tx, roomId);
    const [present] = await tx`
      update participants set last_seen_at = statement_timestamp()
      where room_id = ${roomId} and user_id = ${memberId} returning role`;
    if (present) return;
    refuseUnlessLive(room);
    const [{ banned }] = await tx`
      select exists (select 1 from room_bans where room_id = ${roomId} and user_id = ${memberId})
        as banned`;
    if (banned) throw new Refusal("forbidden", "refusal.room.removed");
    if (options.linkKey !== undefined) await admitByLink(tx, roomId, memberId, options.linkKey);
    const [{ allowed }] = await tx`select may_join(${roomId}, ${memberId}) as allowed`;
    if (!allowed) {
      throw new Refusal("forbidden", `refusal.room.may_not_join.${room.kind as RoomKind}`);
    }
    const [host] = await tx`
      select 1 from room_hosts where room_id = ${roomId} and user_id = ${memberId}`;
    await enterRoom(tx, roomId, memberId, host ? "moderator" : "listener");
    await notify(tx, { room: roomId });
  });
}

async function enterRoom(tx: Tx, roomId: number, memberId: number, role: Role): Promise<void> {
  await tx`
    insert into participants (room_id, user_id, role, on_stage_since)
    values (${roomId}, ${memberId}, ${role},
            case when ${role} = 'listener' then null else statement_timestamp() end)`;
  await startListen(tx, roomId, memberId, role);
}

/** Opens a listening-history row for the member's current role. */
export async function startListen(tx: Tx, roomId: number, memberId: number, role: Role) {
  await stopListen(tx, roomId, memberId);
  // A member who paused their listening history is still in the room, just not counted.
  await tx`insert into listens (room_id, user_id, role, counted)
           select ${roomId}, ${memberId}, ${role}, not listening_paused
           from users where id = ${memberId}`;
}

export async function stopListen(tx: Tx, roomId: number, memberId: number) {
  await tx`update listens set ended_at = statement_timestamp()
           where room_id = ${roomId} and user_id = ${memberId} and ended_at is null`;
}

/** Locks the room row for the rest of the transaction: changes to one room go one by one. */
export async function lockRoom(tx: Tx, roomId: number): Promise<RoomRow> {
  const [row] = await tx`select * from rooms where id = ${roomId} for update`;
  if (!row) throw noSuchRoom();
  return toRoom(row);
}

export function refuseUnlessLive(room: RoomRow): void {
  if (room.state === "ended") throw new Refusal("conflict", "refusal.room.ended");
  if (room.state === "scheduled") throw new Refusal("conflict", "refusal.event.not_started");
}

/** Everything a room page shows, read in one consistent snapshot. */
export async function roomSnapshot(sql: Sql, roomId: number): Promise<RoomSnapshot | null> {
  return await sql.begin("isolation level repeatable read read only", async (tx) => {
    const [row] = await tx`select * from rooms where id = ${roomId}`;
    if (!row) return null;
    const topics = await tx`
      select t.slug, t.name from room_topics rt join topics t on t.id = rt.topic_id
      where rt.room_id = ${roomId} order by t.name`;
    // Who the stage follows is gathered once: asked per participant, a room of 5,000 spent
    // most of its read on it.
    const people = await tx`
      with followed_by_stage as (
        select distinct f.followee_id as user_id
        from participants s join follows f on f.follower_id = s.user_id
        where s.room_id = ${roomId} and s.role <> 'listener')
      select p.user_id, u.handle, u.display_name, p.role, p.muted, p.muted_by_moderator,
             p.hand_raised_at,
             p.invited_at is not null as invited, p.joined_at,
             -- Timestamps have microseconds; JavaScript dates only milliseconds: order here.
             case when p.hand_raised_at is not null then
               row_number() over (partition by p.hand_raised_at is not null
                                  order by p.hand_order, p.user_id)
             end as hand_position,
             fs.user_id is not null as followed_by_stage
      from participants p join users u on u.id = p.user_id
           left join followed_by_stage fs on fs.user_id = p.user_id
      where p.room_id = ${roomId}
      order by case p.role when 'moderator' then 0 when 'speaker' then 1 else 2 end,
               p.joined_at, p.user_id`;
    return {
      room: toRoom(row),
      topics: topics.map((t) => ({ slug: t.slug, name: t.name })),
      participants: people.map((p) => ({
        userId: p.user_id,
        handle: p.handle,
        displayName: p.display_name,
        role: p.role,
        muted: p.muted,
        mutedByModerator: p.muted_by_moderator,
        handRaisedAt: p.hand_raised_at,
        handPosition: p.hand_position,
        invited: p.invited,
        joinedAt: p.joined_at,
        followedByStage: p.followed_by_stage,
      })),
    };
  });
}

/** What a member may know of a room once `findVisibleRoom` let them see it. */
export interface VisibleRoom {
  /** The key inside the database, for the calls that follow; never shown. */
  id: number;
  publicId: string;
  state: RoomState;
}

/**
 * Whether `text` can be a room's public id: 22 base64url characters (migration 008).
 *
 * @example
 * isPublicRoomId("rQbZDUnRRoyXr-_PJrOrUA"); // true
 * isPublicRoomId("42"); // false
 */
export function isPublicRoomId(text: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(text);
}

/**
 * Decides whether the member may see the room a URL names, before anything else about it is
 * read: every page, socket and action on a room asks this first. The rule is `may_see`
 * (migration 008). A room that does not exist and one the member may not see are refused
 * alike, so the answer tells nothing; only a member a moderator removed is told so, since they
 * were inside. `linkKey`, from a closed room's link, lets its holder in for good first (not
 * once the room has ended).
 *
 * @example
 * const room = await findVisibleRoom(sql, "rQbZDUnRRoyXr-_PJrOrUA", grace.id);
 * await joinRoom(sql, grace.id, room.id);
 */
export async function findVisibleRoom(
  sql: Sql,
  publicId: string,
  memberId: number,
  options: { linkKey?: string } = {},
): Promise<VisibleRoom> {
  if (!isPublicRoomId(publicId)) throw noSuchRoom();
  return await sql.begin(async (tx) => {
    if (options.linkKey !== undefined) {
      const [room] = await tx`select id from rooms where public_id = ${publicId}`;
      if (room) await admitByLink(tx, room.id, memberId, options.linkKey);
    }
    const [row] = await tx`
      select r.id, r.state, may_see(r.id, ${memberId}) as visible,
        exists (select 1 from room_bans b where b.room_id = r.id and b.user_id = ${memberId})
          as removed,
        r.details_forgotten_at is not null as forgotten
      from rooms r where r.public_id = ${publicId}`;
    // A room past retention (db/retention.ts) is gone for everyone, whatever its row keeps.
    if (row?.forgotten) throw noSuchRoom();
    if (row?.removed) throw new Refusal("forbidden", "refusal.room.removed");
    if (!row?.visible) throw noSuchRoom();
    return { id: row.id, publicId, state: row.state };
  });
}

/** The one refusal for a room that is not there and a room the member may not see. */
function noSuchRoom(): Refusal {
  return new Refusal("not_found", "refusal.room.unknown");
}

/** A closed room's link lets its holder in for good, while the room is live or to come. */
async function admitByLink(tx: Tx, roomId: number, memberId: number, linkKey: string) {
  await tx`insert into room_access (room_id, user_id)
           select id, ${memberId} from rooms
           where id = ${roomId} and kind = 'closed' and state <> 'ended' and link_key = ${linkKey}
           on conflict do nothing`;
}

/**
 * The id a room's URLs carry, for whoever just made the room (and tests).
 *
 * @example
 * const roomId = await startRoom(sql, ada.id, input);
 * redirect(`/rooms/${await publicRoomId(sql, roomId)}`);
 */
export async function publicRoomId(sql: Sql, roomId: number): Promise<string> {
  const [row] = await sql`select public_id from rooms where id = ${roomId}`;
  if (!row) throw noSuchRoom();
  return row.public_id;
}

export async function hostsEvent(sql: Sql, roomId: number, memberId: number): Promise<boolean> {
  const [row] =
    await sql`select 1 from room_hosts where room_id = ${roomId} and user_id = ${memberId}`;
  return row !== undefined;
}

/** May this member see and join the room (ignoring whether it is live)? */
export async function mayJoin(sql: Sql, roomId: number, memberId: number): Promise<boolean> {
  const [{ allowed }] = await sql`select may_join(${roomId}, ${memberId}) as allowed`;
  return allowed;
}

// deno-lint-ignore no-explicit-any
function toRoom(row: any): RoomRow {
  return {
    id: row.id,
    publicId: row.public_id,
    title: row.title,
    description: row.description,
    kind: row.kind,
    state: row.state,
    creatorId: row.creator_id,
    linkKey: row.link_key,
    handsEnabled: row.hands_enabled,
    scheduledFor: row.scheduled_for,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}

/** Is any room live on this Palabre? (The `rooms_live` index answers it.) */
export async function anyRoomLive(sql: Sql): Promise<boolean> {
  const [{ live }] = await sql`select exists (select 1 from rooms where state = 'live') as live`;
  return live;
}
