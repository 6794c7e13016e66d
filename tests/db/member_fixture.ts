/**
 * A member who has left a trace in every column of db/member_columns.ts: the subject of the
 * deletion and export tests. `unfilledColumns` says which columns the fixture left empty, so a
 * column added to the list without a line here fails those tests instead of passing vacuously.
 *
 * Made through the app's own functions; a few rows whose functions belong to other modules'
 * tests (a resolved report, a suspension, a model version, a tuning) are written in SQL, as named below.
 *
 * @example
 * const { mallory, ada } = await memberInEveryColumn(sql);
 * assert.deepEqual(await unfilledColumns(sql, mallory.id), []);
 */
import type { Sql } from "../../db/client.ts";
import { recordAdminAction } from "../../db/admin_log.ts";
import { newCalendarFeed } from "../../db/calendars.ts";
import { createInvite, signUpWithInvite } from "../../db/invites.ts";
import { memberColumns } from "../../db/member_columns.ts";
import { mute, setKindsOn } from "../../db/notifications.ts";
import { follow } from "../../db/profiles.ts";
import { act } from "../../db/room_actions.ts";
import { joinRoom, scheduleEvent, setInterest } from "../../db/rooms.ts";
import { block, report } from "../../db/safety.ts";
import { startSession } from "../../db/sessions.ts";
import { setPicks } from "../../db/topics.ts";
import type { Member } from "../../db/users.ts";
import { markNotInterested } from "../../db/listening.ts";
import { requestExport } from "../../db/data_exports.ts";
import { cast, openRoom } from "./rooms_support.ts";
import { dayMs, password } from "./support.ts";

export interface FixtureCast {
  /** The member in every column; an administrator, invited by Ada. */
  mallory: Member;
  /** The first administrator. */
  ada: Member;
  /** Follows Mallory and is followed by her; hosts a room Mallory was removed from. */
  grace: Member;
  /** Blocks and reports Mallory, and is blocked, reported and suspended by her. */
  olga: Member;
  /** Invited by Mallory; follows her. */
  ivan: Member;
  /** Mallory's live room, where she hosts and Grace speaks. */
  malloryRoom: number;
  /** Mallory's event to come. */
  malloryEvent: number;
}

export async function memberInEveryColumn(sql: Sql): Promise<FixtureCast> {
  const { ada, grace, olga } = await cast(sql, "ada", "grace", "olga");
  const invite = await createInvite(sql, ada.id, { ttlMs: dayMs });
  const mallory = await signUpWithInvite(sql, invite.token, {
    handle: "mallory",
    displayName: "Mallory",
    password,
  });
  await sql`update users set is_admin = true where id = ${mallory.id}`;
  const ivanInvite = await createInvite(sql, mallory.id, { ttlMs: dayMs });
  const ivan = await signUpWithInvite(sql, ivanInvite.token, {
    handle: "ivan",
    displayName: "Ivan",
    password,
  });
  await createInvite(sql, mallory.id, { ttlMs: dayMs }); // one not used yet
  await startSession(sql, mallory.id, { ttlMs: dayMs });
  await setPicks(sql, mallory.id, ["jazz", "history", "poetry"]);
  await follow(sql, grace.id, "mallory");
  await follow(sql, mallory.id, "grace");
  await follow(sql, ivan.id, "mallory"); // Grace muted her: Ivan is who hears of her rooms
  await setKindsOn(sql, mallory.id, ["room_started"]);
  await mute(sql, mallory.id, "olga");
  await mute(sql, grace.id, "mallory");
  await block(sql, mallory.id, "olga");
  await block(sql, olga.id, "mallory");
  await newCalendarFeed(sql, mallory.id);

  // Grace's room: Mallory is notified of it, joins, pings, and is removed (banned, logged).
  const graceRoom = await openRoom(sql, grace.id, { title: "Grace's room" });
  await joinRoom(sql, mallory.id, graceRoom);
  await markNotInterested(sql, mallory.id, graceRoom);
  await act(sql, grace.id, graceRoom, { type: "remove", target: "mallory" });
  // A closed room Mallory is let into by its link.
  const closed = await openRoom(sql, grace.id, { kind: "closed", title: "Closed" });
  const [{ link_key: linkKey }] = await sql`select link_key from rooms where id = ${closed}`;
  await joinRoom(sql, mallory.id, closed, { linkKey });

  // Mallory's live room (Grace is notified of it) with Grace invited up, and her event.
  const malloryRoom = await openRoom(sql, mallory.id, { title: "Mallory's room" });
  await joinRoom(sql, grace.id, malloryRoom);
  await act(sql, mallory.id, malloryRoom, { type: "invite_to_speak", target: "grace" });
  await act(sql, grace.id, malloryRoom, { type: "accept_invite" });
  const malloryEvent = await scheduleEvent(sql, mallory.id, {
    title: "Mallory's event",
    description: "",
    topics: ["jazz"],
    kind: "open",
    startsAt: new Date(Date.now() + dayMs),
    cohosts: [],
  });
  const graceEvent = await scheduleEvent(sql, grace.id, {
    title: "Grace's event",
    description: "",
    topics: ["jazz"],
    kind: "open",
    startsAt: new Date(Date.now() + dayMs),
    cohosts: [],
  });
  await setInterest(sql, mallory.id, graceEvent, true);

  await report(sql, mallory.id, { member: "olga" }, "Shouting over everyone");
  await report(sql, olga.id, { member: "mallory" }, "Mean to me");
  // Written in SQL: db/ functions for these are tested in their own modules' tests.
  await sql`update reports set resolved_at = now(), resolved_by = ${mallory.id},
              resolution = 'dismissed' where reporter_id = ${olga.id}`;
  await sql`insert into suspensions (member_id, by_id, reason, lifted_at, lifted_by)
            values (${mallory.id}, ${ada.id}, 'Cooling off', now(), ${ada.id}),
                   (${olga.id}, ${mallory.id}, 'Cooling off', now(), ${mallory.id})`;
  await sql`insert into member_warnings (member_id, by_id, message)
            values (${mallory.id}, ${ada.id}, 'Be kind'), (${olga.id}, ${mallory.id}, 'Be kind')`;
  await sql.begin(async (tx) => {
    await recordAdminAction(tx, { actorId: mallory.id, action: "suspend", memberId: olga.id });
    await recordAdminAction(tx, { actorId: ada.id, action: "suspend", memberId: mallory.id });
  });
  const [model] = await sql`
    insert into model_versions (state, params, created_by, member_ids, error)
    values ('failed', '{}', ${mallory.id}, ${[ada.id, mallory.id]}, 'fixture') returning id`;
  await sql`insert into model_applications (model_id, applied_by)
            values (${model.id}, ${mallory.id})`;
  await sql`
    insert into tunings (state, params, budget_seconds, created_by, error)
    values ('failed', '{}', 60, ${mallory.id}, 'fixture')`;
  // Asked for, not built: the export tests build it.
  await requestExport(sql, mallory.id, {
    perMember: { max: 3, windowMs: dayMs },
    keepMs: 7 * dayMs,
  });
  return { mallory, ada, grace, olga, ivan, malloryRoom, malloryEvent };
}

/** How many rows name the member in each listed column (arrays: contain them), by `table.column`. */
export async function rowsNaming(sql: Sql, memberId: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { table, column } of memberColumns) {
    const [{ array }] = await sql`
      select data_type = 'ARRAY' as array from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} and column_name = ${column}`;
    const test = array ? `$1 = any(${column})` : `${column} = $1`;
    const [{ count }] = await sql.unsafe(
      `select count(*)::int as count from ${table} where ${test}`,
      [memberId],
    );
    counts.set(`${table}.${column}`, count);
  }
  return counts;
}

/** The columns of db/member_columns.ts with no row naming `memberId` (arrays: containing it). */
export async function unfilledColumns(sql: Sql, memberId: number): Promise<string[]> {
  return [...await rowsNaming(sql, memberId)].filter(([, count]) => count === 0)
    .map(([column]) => column);
}
