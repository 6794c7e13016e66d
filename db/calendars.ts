/**
 * Events as calendars see them: one event for "Add to calendar", and each member's private feed
 * of the upcoming events they marked interested. The feed's URL carries a random secret; the
 * table keeps only its SHA-256, so reading the database does not give anyone a feed.
 *
 * @example
 * const secret = await newCalendarFeed(sql, ada.id);
 * (await calendarFeedEvents(sql, secret))?.length; // the events Ada marked interested
 * await revokeCalendarFeed(sql, ada.id); // the URL now finds nothing
 */
import type { Sql } from "./client.ts";
import { base64url, sha256 } from "./sessions.ts";

/** An event with what a calendar file says of it. */
export interface CalendarEntry {
  publicId: string;
  title: string;
  description: string;
  startsAt: Date;
  /** The IANA zone its host scheduled it in. */
  timeZone: string;
}

/** A feed lists at most this many events, the soonest first. */
const feedLimit = 200;

/**
 * The calendar entry of a room that was scheduled, or null for a room started live. The caller
 * has checked the member may see it (routes/visible_room.ts).
 *
 * @example
 * const entry = await calendarEntry(sql, room.id);
 */
export async function calendarEntry(sql: Sql, roomId: number): Promise<CalendarEntry | null> {
  const [row] = await sql`
    select public_id, title, description, scheduled_for, time_zone from rooms
    where id = ${roomId} and scheduled_for is not null`;
  return row ? toEntry(row) : null;
}

/**
 * Makes the member a new feed secret, replacing any earlier one (whose URL stops working), and
 * returns it: the only time it exists outside the member's calendar application.
 *
 * @example
 * const url = `webcal://palabre.example/calendar/${await newCalendarFeed(sql, ada.id)}.ics`;
 */
export async function newCalendarFeed(sql: Sql, memberId: number): Promise<string> {
  const secret = base64url(crypto.getRandomValues(new Uint8Array(32)));
  await sql`
    insert into calendar_feeds (user_id, secret_hash) values (${memberId}, ${await sha256(secret)})
    on conflict (user_id) do update set secret_hash = excluded.secret_hash, created_at = now()`;
  return secret;
}

/**
 * Ends the member's feed: its URL finds nothing from now on.
 *
 * @example
 * await revokeCalendarFeed(sql, ada.id);
 */
export async function revokeCalendarFeed(sql: Sql, memberId: number): Promise<void> {
  await sql`delete from calendar_feeds where user_id = ${memberId}`;
}

/**
 * When the member's current feed was made, or null when they have none.
 *
 * @example
 * const since = await calendarFeedSince(sql, ada.id);
 */
export async function calendarFeedSince(sql: Sql, memberId: number): Promise<Date | null> {
  const [row] = await sql`select created_at from calendar_feeds where user_id = ${memberId}`;
  return row?.created_at ?? null;
}

const secretShape = /^[A-Za-z0-9_-]{43}$/;

/**
 * The events of the feed `secret` opens: its member's upcoming events they marked interested and
 * may still see, soonest first; null for a secret that is unknown or revoked. A secret of the
 * wrong shape is hashed and looked up like any other, so every miss costs the same.
 *
 * @example
 * const events = await calendarFeedEvents(sql, secret); // null: answer 404
 */
export async function calendarFeedEvents(
  sql: Sql,
  secret: string,
): Promise<CalendarEntry[] | null> {
  const hash = await sha256(secretShape.test(secret) ? secret : `malformed\n${secret}`);
  const [feed] = await sql`select user_id from calendar_feeds where secret_hash = ${hash}`;
  if (!feed) return null;
  const rows = await sql`
    select r.public_id, r.title, r.description, r.scheduled_for, r.time_zone
    from event_interest i join rooms r on r.id = i.room_id
    where i.user_id = ${feed.user_id} and r.state = 'scheduled'
      and may_see(r.id, ${feed.user_id})
    order by r.scheduled_for, r.id
    limit ${feedLimit}`;
  return rows.map(toEntry);
}

function toEntry(row: Record<string, unknown>): CalendarEntry {
  return {
    publicId: row.public_id as string,
    title: row.title as string,
    description: row.description as string,
    startsAt: row.scheduled_for as Date,
    timeZone: row.time_zone as string,
  };
}
