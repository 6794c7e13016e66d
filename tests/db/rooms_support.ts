/**
 * Shortcuts for room tests: a cast of members made through `insertMember` (one password hash
 * per file, so a test with eight people does not spend eight argon2 runs), rooms started the
 * way the app starts them, a room's roles at a glance, and the invariants every room keeps.
 *
 * @example
 * const { ada, grace } = await cast(sql, "ada", "grace");
 * const roomId = await openRoom(sql, ada.id);
 * await joinRoom(sql, grace.id, roomId);
 * assert.deepEqual(await roles(sql, roomId), { ada: "moderator", grace: "listener" });
 * assert.deepEqual(await roomViolations(sql), []);
 */
import { type Database, openDatabase, type Sql } from "../../db/client.ts";
import { Refusal, type RefusalCode } from "../../db/errors.ts";
import { hashPassword } from "../../db/passwords.ts";
import { type NewRoom, roomSnapshot, startRoom } from "../../db/rooms.ts";
import { insertMember, type Member } from "../../db/users.ts";
import type { TestDatabase } from "../support/databases.ts";
import { password } from "./support.ts";

let passwordHash: Promise<string> | undefined;

/** Members with these handles; the first one is an administrator. */
export async function cast(sql: Sql, ...handles: string[]): Promise<Record<string, Member>> {
  passwordHash ??= hashPassword(password);
  const hash = await passwordHash;
  const members: Record<string, Member> = {};
  for (const [i, handle] of handles.entries()) {
    members[handle] = await sql.begin((tx) =>
      insertMember(tx, { handle, displayName: displayName(handle), password }, hash, {
        isAdmin: i === 0,
        invitedBy: null,
      })
    );
  }
  return members;
}

/** "grace" -> "Grace": display names differ from handles so views of both can be told apart. */
export function displayName(handle: string): string {
  return handle[0].toUpperCase() + handle.slice(1);
}

/** Starts a live room with sensible defaults; `input` overrides any of them. */
export async function openRoom(
  sql: Sql,
  creatorId: number,
  input: Partial<NewRoom> = {},
): Promise<number> {
  return await startRoom(sql, creatorId, {
    title: "Late jazz",
    description: "",
    topics: ["jazz"],
    kind: "open",
    ...input,
  });
}

/**
 * An assertion predicate: the error is a Refusal with one of these codes. Anything else is
 * rethrown as it is, so a failing test shows the real error (a constraint, a deadlock).
 */
export function refusedWith(...codes: RefusalCode[]): (e: unknown) => boolean {
  return (e) => {
    if (e instanceof Refusal && codes.includes(e.code)) return true;
    if (e instanceof Refusal) {
      throw new Error(`Refused with ${e.code} (${e.message}), not ${codes.join(" or ")}`);
    }
    throw e;
  };
}

/** Handle -> role for everyone in the room. */
export async function roles(sql: Sql, roomId: number): Promise<Record<string, string>> {
  const snapshot = await roomSnapshot(sql, roomId);
  return Object.fromEntries((snapshot?.participants ?? []).map((p) => [p.handle, p.role]));
}

/** One participant's row as the room page sees it. */
export async function seat(sql: Sql, roomId: number, handle: string) {
  const snapshot = await roomSnapshot(sql, roomId);
  return snapshot?.participants.find((p) => p.handle === handle);
}

/**
 * Every broken rule across all rooms, as readable lines; `[]` when the database is consistent.
 * One statement, so the randomized test can afford it after every step.
 */
export async function roomViolations(sql: Sql): Promise<string[]> {
  const rows = await sql`
    select 'room ' || r.id || ' is live without a moderator' as problem
      from rooms r
      where r.state = 'live'
        and not exists (select 1 from participants p where p.room_id = r.id and p.role = 'moderator')
    union all
    select 'room ' || p.room_id || ' is ' || r.state || ' but user ' || p.user_id || ' is in it'
      from participants p join rooms r on r.id = p.room_id
      where r.state <> 'live'
    union all
    select 'user ' || p.user_id || ' has role ' || p.role || ' in room ' || p.room_id
      from participants p where p.role not in ('moderator', 'speaker', 'listener')
    union all
    select 'user ' || p.user_id || ' was removed from room ' || p.room_id || ' but is in it'
      from participants p join room_bans b on b.room_id = p.room_id and b.user_id = p.user_id
    union all
    select 'user ' || p.user_id || ' has a hand up as ' || p.role || ' in room ' || p.room_id
      from participants p where p.hand_raised_at is not null and p.role <> 'listener'
    union all
    select 'user ' || p.user_id || ' has a hand up in room ' || p.room_id || ' with hands off'
      from participants p join rooms r on r.id = p.room_id
      where p.hand_raised_at is not null and not r.hands_enabled
    union all
    select 'user ' || p.user_id || ' is invited as ' || p.role || ' in room ' || p.room_id
      from participants p where p.invited_at is not null and p.role <> 'listener'
    union all
    select 'user ' || p.user_id || ' is ' || p.role || ' with on_stage_since '
           || coalesce(p.on_stage_since::text, 'null') || ' in room ' || p.room_id
      from participants p where (p.role = 'listener') <> (p.on_stage_since is null)
    union all
    select 'user ' || l.user_id || ' has an open listen in room ' || l.room_id
           || ' without being in it'
      from listens l
      where l.ended_at is null
        and not exists (select 1 from participants p
                        where p.room_id = l.room_id and p.user_id = l.user_id)
    union all
    select 'user ' || p.user_id || ' in room ' || p.room_id || ' as ' || p.role || ' has '
           || (select count(*) from listens l where l.room_id = p.room_id
                 and l.user_id = p.user_id and l.ended_at is null)
           || ' open listens, as ' || coalesce((select string_agg(l.role, ',') from listens l
                 where l.room_id = p.room_id and l.user_id = p.user_id and l.ended_at is null),
               'nothing')
      from participants p
      where (select count(*) from listens l where l.room_id = p.room_id
               and l.user_id = p.user_id and l.ended_at is null and l.role = p.role) <> 1
         or (select count(*) from listens l where l.room_id = p.room_id
               and l.user_id = p.user_id and l.ended_at is null) <> 1
    union all
    select 'listen ' || l.id || ' ends before it starts'
      from listens l where l.ended_at < l.started_at`;
  return rows.map((r) => r.problem as string);
}

/**
 * The pools concurrent tests race on: the test's own, and on PostgreSQL a second pool on the
 * same schema, standing in for a second Palabre process. PGlite has one session, so there
 * both are the test's pool.
 */
export async function twoProcesses(sql: Sql, db: TestDatabase): Promise<{
  first: Sql;
  second: Sql;
  close(): Promise<void>;
}> {
  if (!db.url) return { first: sql, second: sql, close: async () => {} };
  const other: Database = await openDatabase({ url: db.url, max: 4 });
  return { first: sql, second: other.sql, close: () => other.close() };
}
