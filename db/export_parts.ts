/**
 * What a member's data export reads: one reader per section and table, for every column of
 * db/member_columns.ts whose `export` names a section. `exportParts()` pairs the list with
 * the readers and fails when they disagree, so a column added to the list without a reader
 * here stops every export (and the export test) rather than leaving its rows out in silence.
 *
 * Each reader pages by a cursor of its own (a key it never hands out) and names other people
 * by handle only where the member already saw them: whom they follow, block, mute or acted on,
 * who follows them or notified them. Never who blocked, muted or reported them, nor who invited
 * whom (administrators' alone), and never a secret (session or calendar hashes, passwords,
 * invite tokens, closed rooms' link keys).
 *
 * @example
 * for (const part of exportParts()) {
 *   const rows = await part.read(sql, mallory.id, null, 500);
 * }
 */
import type { Sql } from "./client.ts";
import { memberColumns } from "./member_columns.ts";

/** One row of an export: values as JSON holds them (dates become ISO 8601 text). */
export type ExportRow = Record<string, unknown>;

/** A page of rows, each with `cursor`: the key the next page starts after (dropped on write). */
export type PartReader = (
  sql: Sql,
  memberId: number,
  after: string | null,
  limit: number,
) => Promise<ExportRow[]>;

export interface ExportPart {
  /** The export's section (db/member_columns.ts `export`). */
  section: string;
  /** The table read, which also names the list within the section. */
  table: string;
  read: PartReader;
}

const readers: Record<string, PartReader> = {
  "profile.users": (sql, id, after, limit) =>
    sql`
    select u.id::text as cursor, u.handle, u.display_name, u.bio, u.language, u.is_admin,
           u.listening_paused, u.onboarded_at, u.created_at
    from users u
    where u.id = ${id} and (${after}::bigint is null or u.id > ${after}::bigint)
    order by u.id limit ${limit}`,
  "sessions.sessions": (sql, id, after, limit) =>
    sql`
    select s.id_hash as cursor, s.created_at, s.expires_at
    from sessions s
    where s.user_id = ${id} and (${after}::text is null or s.id_hash > ${after}::text)
    order by s.id_hash limit ${limit}`,
  "invites_made.invites": (sql, id, after, limit) =>
    sql`
    select i.id::text as cursor,
           case when i.used_at is not null then 'used'
                when i.revoked_at is not null then 'revoked'
                when i.expires_at <= now() then 'expired'
                else 'open' end as state,
           i.created_at, i.expires_at, i.revoked_at, i.used_at
    from invites i
    where i.creator_id = ${id} and (${after}::bigint is null or i.id > ${after}::bigint)
    order by i.id limit ${limit}`,
  // Who invited whom is for administrators only (README): the member learns when someone joined
  // with their invite, and when they joined with someone's, never whose.
  "invites_made.users": (sql, id, after, limit) =>
    sql`
    select u.id::text as cursor, u.created_at as joined_at
    from users u
    where u.invited_by = ${id} and (${after}::bigint is null or u.id > ${after}::bigint)
    order by u.id limit ${limit}`,
  "invite_used.invites": (sql, id, after, limit) =>
    sql`
    select i.id::text as cursor, i.created_at, i.used_at
    from invites i
    where i.used_by = ${id} and (${after}::bigint is null or i.id > ${after}::bigint)
    order by i.id limit ${limit}`,
  "follows.follows": (sql, id, after, limit) =>
    sql`
    select f.followee_id::text as cursor, u.handle, f.created_at as since
    from follows f join users u on u.id = f.followee_id
    where f.follower_id = ${id}
      and (${after}::bigint is null or f.followee_id > ${after}::bigint)
    order by f.followee_id limit ${limit}`,
  "followers.follows": (sql, id, after, limit) =>
    sql`
    select f.follower_id::text as cursor, u.handle, f.created_at as since
    from follows f join users u on u.id = f.follower_id
    where f.followee_id = ${id}
      and (${after}::bigint is null or f.follower_id > ${after}::bigint)
    order by f.follower_id limit ${limit}`,
  "picks.user_topics": (sql, id, after, limit) =>
    sql`
    select p.topic_id::text as cursor, t.slug as topic, t.name as topic_name, p.picked_at
    from user_topics p join topics t on t.id = p.topic_id
    where p.user_id = ${id} and (${after}::bigint is null or p.topic_id > ${after}::bigint)
    order by p.topic_id limit ${limit}`,
  "signals.signals": (sql, id, after, limit) =>
    sql`
    select s.id::text as cursor, s.kind, t.slug as topic, p.handle as person,
           r.public_id as room, r.title as room_title, s.at
    from signals s
    left join topics t on t.id = s.topic_id
    left join users p on p.id = s.person_id
    left join rooms r on r.id = s.room_id
    where s.user_id = ${id} and (${after}::bigint is null or s.id > ${after}::bigint)
    order by s.id limit ${limit}`,
  "rooms_hosted.rooms": (sql, id, after, limit) =>
    sql`
    select r.id::text as cursor, r.public_id as room, r.title, r.description, r.kind, r.state,
           r.language, r.scheduled_for, r.started_at, r.ended_at, r.created_at
    from rooms r
    where r.creator_id = ${id} and (${after}::bigint is null or r.id > ${after}::bigint)
    order by r.id limit ${limit}`,
  "rooms_hosted.room_hosts": (sql, id, after, limit) =>
    sql`
    select h.room_id::text as cursor, r.public_id as room, r.title as room_title, r.state,
           r.scheduled_for
    from room_hosts h join rooms r on r.id = h.room_id
    where h.user_id = ${id} and (${after}::bigint is null or h.room_id > ${after}::bigint)
    order by h.room_id limit ${limit}`,
  "events_interested.event_interest": (sql, id, after, limit) =>
    sql`
    select e.room_id::text as cursor, r.public_id as room, r.title as room_title,
           r.scheduled_for, e.at, e.reminded_at
    from event_interest e join rooms r on r.id = e.room_id
    where e.user_id = ${id} and (${after}::bigint is null or e.room_id > ${after}::bigint)
    order by e.room_id limit ${limit}`,
  "rooms_joined.participants": (sql, id, after, limit) =>
    sql`
    select p.room_id::text as cursor, r.public_id as room, r.title as room_title, p.role,
           p.joined_at, p.on_stage_since
    from participants p join rooms r on r.id = p.room_id
    where p.user_id = ${id} and (${after}::bigint is null or p.room_id > ${after}::bigint)
    order by p.room_id limit ${limit}`,
  "rooms_joined.room_access": (sql, id, after, limit) =>
    sql`
    select a.room_id::text as cursor, r.public_id as room, r.title as room_title
    from room_access a join rooms r on r.id = a.room_id
    where a.user_id = ${id} and (${after}::bigint is null or a.room_id > ${after}::bigint)
    order by a.room_id limit ${limit}`,
  "rooms_removed_from.room_bans": (sql, id, after, limit) =>
    sql`
    select b.room_id::text as cursor, r.public_id as room, r.title as room_title, b.at
    from room_bans b join rooms r on r.id = b.room_id
    where b.user_id = ${id} and (${after}::bigint is null or b.room_id > ${after}::bigint)
    order by b.room_id limit ${limit}`,
  "moderation.moderation_log": (sql, id, after, limit) =>
    sql`
    select m.id::text as cursor, r.public_id as room, r.title as room_title, m.action,
           a.handle as actor, t.handle as target, m.at
    from moderation_log m
    join rooms r on r.id = m.room_id
    left join users a on a.id = m.actor_id
    left join users t on t.id = m.target_id
    where (m.actor_id = ${id} or m.target_id = ${id})
      and (${after}::bigint is null or m.id > ${after}::bigint)
    order by m.id limit ${limit}`,
  "blocks.blocks": (sql, id, after, limit) =>
    sql`
    select b.blocked_id::text as cursor, u.handle, b.at
    from blocks b join users u on u.id = b.blocked_id
    where b.blocker_id = ${id} and (${after}::bigint is null or b.blocked_id > ${after}::bigint)
    order by b.blocked_id limit ${limit}`,
  "reports_made.reports": (sql, id, after, limit) =>
    sql`
    select p.id::text as cursor, u.handle as member, r.public_id as room, r.title as room_title,
           p.reason, p.at, p.resolved_at, p.resolution
    from reports p
    left join users u on u.id = p.member_id
    left join rooms r on r.id = p.room_id
    where p.reporter_id = ${id} and (${after}::bigint is null or p.id > ${after}::bigint)
    order by p.id limit ${limit}`,
  "admin_actions.reports": (sql, id, after, limit) =>
    sql`
    select p.id::text as cursor, p.id as report, u.handle as member, r.public_id as room,
           r.title as room_title, p.reason, p.at, p.resolved_at, p.resolution, p.resolution_note
    from reports p
    left join users u on u.id = p.member_id
    left join rooms r on r.id = p.room_id
    where p.resolved_by = ${id} and (${after}::bigint is null or p.id > ${after}::bigint)
    order by p.id limit ${limit}`,
  "admin_actions.model_versions": (sql, id, after, limit) =>
    sql`
    select v.id::text as cursor, v.id as model, v.state, v.created_at, v.finished_at
    from model_versions v
    where v.created_by = ${id} and (${after}::bigint is null or v.id > ${after}::bigint)
    order by v.id limit ${limit}`,
  "admin_actions.model_applications": (sql, id, after, limit) =>
    sql`
    select a.id::text as cursor, a.model_id as model, a.applied_at
    from model_applications a
    where a.applied_by = ${id} and (${after}::bigint is null or a.id > ${after}::bigint)
    order by a.id limit ${limit}`,
  "admin_actions.tunings": (sql, id, after, limit) =>
    sql`
    select t.id::text as cursor, t.id as tuning, t.state, t.budget_seconds, t.created_at,
           t.finished_at
    from tunings t
    where t.created_by = ${id} and (${after}::bigint is null or t.id > ${after}::bigint)
    order by t.id limit ${limit}`,
  "admin_actions.suspensions": (sql, id, after, limit) =>
    sql`
    select s.id::text as cursor, u.handle as member, s.reason, s.starts_at, s.ends_at,
           s.lifted_at, coalesce(s.by_id = ${id}, false) as suspended_by_you,
           coalesce(s.lifted_by = ${id}, false) as lifted_by_you
    from suspensions s left join users u on u.id = s.member_id
    where (s.by_id = ${id} or s.lifted_by = ${id})
      and (${after}::bigint is null or s.id > ${after}::bigint)
    order by s.id limit ${limit}`,
  "admin_actions.admin_log": (sql, id, after, limit) =>
    sql`
    select l.id::text as cursor, l.action, u.handle as member, r.public_id as room,
           r.title as room_title, l.report_id as report, l.note, l.details, l.at
    from admin_log l
    left join users u on u.id = l.member_id
    left join rooms r on r.id = l.room_id
    where l.actor_id = ${id} and (${after}::bigint is null or l.id > ${after}::bigint)
    order by l.id limit ${limit}`,
  // Which administrator acted is left out: the member sees what was done, as at sign-in.
  "admin_actions_about.admin_log": (sql, id, after, limit) =>
    sql`
    select l.id::text as cursor, l.action, r.public_id as room, r.title as room_title, l.note,
           l.details, l.at
    from admin_log l left join rooms r on r.id = l.room_id
    where l.member_id = ${id} and (${after}::bigint is null or l.id > ${after}::bigint)
    order by l.id limit ${limit}`,
  "listening.listens": (sql, id, after, limit) =>
    sql`
    select l.id::text as cursor, r.public_id as room, r.title as room_title, l.role,
           l.started_at, l.ended_at, l.counted
    from listens l join rooms r on r.id = l.room_id
    where l.user_id = ${id} and (${after}::bigint is null or l.id > ${after}::bigint)
    order by l.id limit ${limit}`,
  "notifications.notifications": (sql, id, after, limit) =>
    sql`
    select n.id::text as cursor, n.kind, a.handle as actor, r.public_id as room,
           r.title as room_title, n.created_at, n.read_at
    from notifications n
    join rooms r on r.id = n.room_id
    left join users a on a.id = n.actor_id
    where n.member_id = ${id} and (${after}::bigint is null or n.id > ${after}::bigint)
    order by n.id limit ${limit}`,
  "notification_settings.notification_kinds_off": (sql, id, after, limit) =>
    sql`
    select o.kind as cursor, o.kind
    from notification_kinds_off o
    where o.member_id = ${id} and (${after}::text is null or o.kind > ${after}::text)
    order by o.kind limit ${limit}`,
  "notification_settings.notification_mutes": (sql, id, after, limit) =>
    sql`
    select m.muted_id::text as cursor, u.handle, m.at
    from notification_mutes m join users u on u.id = m.muted_id
    where m.member_id = ${id} and (${after}::bigint is null or m.muted_id > ${after}::bigint)
    order by m.muted_id limit ${limit}`,
  // That a feed exists and since when: its address is a secret, kept only as a hash.
  "calendar_feed.calendar_feeds": (sql, id, after, limit) =>
    sql`
    select c.user_id::text as cursor, c.created_at
    from calendar_feeds c
    where c.user_id = ${id} and (${after}::bigint is null or c.user_id > ${after}::bigint)
    limit ${limit}`,
  // Who suspended the member is left out, as it is at sign-in; the reason is theirs to read.
  // Warnings an administrator gave the member (db/warnings.ts): what they read, not who wrote it.
  "warnings.member_warnings": (sql, id, after, limit) =>
    sql`
    select w.id::text as cursor, w.message, w.at, w.dismissed_at
    from member_warnings w
    where w.member_id = ${id} and (${after}::bigint is null or w.id > ${after}::bigint)
    order by w.id limit ${limit}`,
  "admin_actions.member_warnings": (sql, id, after, limit) =>
    sql`
    select w.id::text as cursor, u.handle as member, w.message, w.at, w.dismissed_at
    from member_warnings w left join users u on u.id = w.member_id
    where w.by_id = ${id} and (${after}::bigint is null or w.id > ${after}::bigint)
    order by w.id limit ${limit}`,
  "suspensions.suspensions": (sql, id, after, limit) =>
    sql`
    select s.id::text as cursor, s.reason, s.starts_at, s.ends_at, s.lifted_at
    from suspensions s
    where s.member_id = ${id} and (${after}::bigint is null or s.id > ${after}::bigint)
    order by s.id limit ${limit}`,
};

let paired: ExportPart[] | undefined;

/**
 * The export's parts in the list's order (sections in the order they first appear). Throws
 * when db/member_columns.ts and the readers here disagree: a column's section and table
 * without a reader, or a reader nothing in the list asks for.
 *
 * @example
 * exportParts().map((p) => `${p.section}.${p.table}`); // ["profile.users", "sessions.sessions", ...]
 */
export function exportParts(): ExportPart[] {
  if (paired) return paired;
  const wanted = [
    ...new Set(
      memberColumns.filter((c) => c.export !== null).map((c) => `${c.export}.${c.table}`),
    ),
  ];
  const missing = wanted.filter((name) => !(name in readers));
  const unasked = Object.keys(readers).filter((name) => !wanted.includes(name));
  if (missing.length > 0 || unasked.length > 0) {
    throw new Error(
      `db/member_columns.ts and db/export_parts.ts disagree: no reader for ${
        missing.join(", ") || "none"
      }; readers nothing asks for: ${unasked.join(", ") || "none"}`,
    );
  }
  paired = wanted.map((name) => {
    const [section, table] = name.split(".");
    return { section, table, read: readers[name] };
  });
  return paired;
}

/**
 * The export's sections, in order: the distinct `export` names of db/member_columns.ts.
 *
 * @example
 * exportSections()[0]; // "profile"
 */
export function exportSections(): string[] {
  return [...new Set(exportParts().map((p) => p.section))];
}
