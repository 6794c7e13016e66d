import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { openDatabase, type Sql } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";
import { joinRoom } from "../../db/rooms.ts";
import { findVisibleRoom } from "../../db/rooms.ts";
import { act } from "../../db/room_actions.ts";
import {
  defaultRetention,
  retention,
  setRetention,
  sweepRetention,
  type SweepRun,
} from "../../db/retention.ts";
import { cast, openRoom, refusedWith } from "./rooms_support.ts";

const sweepOptions = { batchSize: 1_000, signInForgetAfterMs: 86_400_000 };

/** The rows a sweep removed, failing when it did not run. */
function removedBy(run: SweepRun) {
  if (!run.ran) assert.fail(`the sweep did not run: ${run.why}`);
  return run.removed;
}

/** A live room of ada's that grace listened to, ended `daysAgo` days ago, with its details. */
async function endedRoom(sql: Sql, daysAgo: number, title: string): Promise<number> {
  const [ada] = await sql`select id from users where handle = 'ada'`;
  const [grace] = await sql`select id from users where handle = 'grace'`;
  const roomId = await openRoom(sql, ada.id, { title, description: "About " + title });
  await joinRoom(sql, grace.id, roomId);
  await act(sql, ada.id, roomId, { type: "end" });
  // What an ended room holds besides its row: its hosts, who was let in, banned or interested,
  // a report resolved, a notification about it (the moderation log holds the "end").
  await sql`insert into room_hosts (room_id, user_id) values (${roomId}, ${ada.id})`;
  await sql`insert into room_access (room_id, user_id) values (${roomId}, ${grace.id})`;
  await sql`insert into room_bans (room_id, user_id) values (${roomId}, ${grace.id})`;
  await sql`insert into event_interest (room_id, user_id) values (${roomId}, ${grace.id})`;
  await sql`insert into reports (reporter_id, room_id, reason, resolved_at, resolved_by, resolution)
            values (${grace.id}, ${roomId}, 'Too loud', now(), ${ada.id}, 'dismissed')`;
  await sql`insert into notifications (member_id, kind, actor_id, room_id)
            values (${grace.id}, 'room_started', ${ada.id}, ${roomId})`;
  await sql`update rooms set ended_at = now() - ${daysAgo} * interval '1 day',
                             started_at = now() - ${daysAgo} * interval '1 day' - interval '1 hour'
            where id = ${roomId}`;
  // Its listening rows end with it; they are aged apart (see `ageListens`).
  return roomId;
}

/** Moves a room's listening rows `daysAgo` days into the past. */
async function ageListens(sql: Sql, roomId: number, daysAgo: number): Promise<void> {
  await sql`update listens set started_at = now() - ${daysAgo} * interval '1 day' - interval '1 hour',
                               ended_at = now() - ${daysAgo} * interval '1 day'
            where room_id = ${roomId}`;
}

/** How many rows each table holds about a room. */
async function detailsOf(sql: Sql, roomId: number) {
  const [row] = await sql`
    select r.title, r.description, r.details_forgotten_at is not null as forgotten,
      (select count(*)::int from moderation_log where room_id = r.id) as moderation,
      (select count(*)::int from room_hosts where room_id = r.id) as hosts,
      (select count(*)::int from room_access where room_id = r.id) as access,
      (select count(*)::int from room_bans where room_id = r.id) as bans,
      (select count(*)::int from event_interest where room_id = r.id) as interest,
      (select count(*)::int from reports where room_id = r.id) as reports,
      (select count(*)::int from notifications where room_id = r.id) as notifications,
      (select count(*)::int from room_topics where room_id = r.id) as topics,
      (select count(*)::int from listens where room_id = r.id) as listens
    from rooms r where r.id = ${roomId}`;
  return row;
}

/** Pretends the last sweep ran `hours` hours ago. */
async function lastSweptHoursAgo(sql: Sql, hours: number): Promise<void> {
  await sql`update settings
            set value = to_jsonb(now() - ${hours} * interval '1 hour')
            where key = 'retention_swept_at'`;
}

dbTest("retention is 365 days of listening and 90 of rooms until an administrator sets it", async (
  sql,
) => {
  assert.deepEqual(await retention(sql), { listeningDays: 365, roomDays: 90 });
  assert.deepEqual(defaultRetention, { listeningDays: 365, roomDays: 90 });
});

dbTest("an administrator sets retention and the audit log says so", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await setRetention(sql, ada.id, { listeningDays: 180, roomDays: 30 });
  assert.deepEqual(await retention(sql), { listeningDays: 180, roomDays: 30 });
  const log = await sql`select actor_id, action, details from admin_log`;
  assert.deepEqual(log.map((e) => ({ ...e })), [
    { actor_id: ada.id, action: "set_retention", details: { listeningDays: 180, roomDays: 30 } },
  ]);
});

dbTest("a member who is not an administrator cannot set retention", async (sql) => {
  const { grace } = await cast(sql, "ada", "grace");
  await assert.rejects(
    setRetention(sql, grace.id, { listeningDays: 2, roomDays: 2 }),
    (e) => e instanceof Refusal && e.code === "forbidden" && /Only administrators/.test(e.message),
  );
  assert.deepEqual(await retention(sql), defaultRetention);
  assert.equal((await sql`select 1 from admin_log`).length, 0);
});

dbTest("retention must be whole days from 1 to 3650, and the refusal names the field", async (
  sql,
) => {
  const { ada } = await cast(sql, "ada");
  const wrong = [
    [{ listeningDays: 0, roomDays: 90 }, "listening_days"],
    [{ listeningDays: 3651, roomDays: 90 }, "listening_days"],
    [{ listeningDays: 1.5, roomDays: 90 }, "listening_days"],
    [{ listeningDays: NaN, roomDays: 90 }, "listening_days"],
    [{ listeningDays: 365, roomDays: 0 }, "room_days"],
    [{ listeningDays: 365, roomDays: 4000 }, "room_days"],
  ] as const;
  for (const [days, field] of wrong) {
    await assert.rejects(
      setRetention(sql, ada.id, days),
      (e) =>
        e instanceof Refusal && e.code === "invalid" && e.field === field &&
        e.message === "Days kept must be a whole number from 1 to 3,650",
    );
  }
  assert.deepEqual(await retention(sql), defaultRetention);
  await setRetention(sql, ada.id, { listeningDays: 1, roomDays: 3650 });
  assert.deepEqual(await retention(sql), { listeningDays: 1, roomDays: 3650 });
});

dbTest("the sweep deletes listening rows ended before the retention and keeps the younger", async (
  sql,
) => {
  const { ada } = await cast(sql, "ada", "grace");
  await setRetention(sql, ada.id, { listeningDays: 30, roomDays: 3650 });
  const old = await endedRoom(sql, 1, "Old listens");
  await ageListens(sql, old, 31);
  const young = await endedRoom(sql, 1, "Young listens");
  await ageListens(sql, young, 29);
  // A listen under way is no history yet, however long ago it started.
  const live = await openRoom(sql, ada.id, { title: "Still on" });
  await sql`update listens set started_at = now() - interval '400 days' where room_id = ${live}`;

  const removed = removedBy(await sweepRetention(sql, sweepOptions));
  assert.equal(removed.listens, 2);
  assert.equal((await detailsOf(sql, old)).listens, 0);
  assert.equal((await detailsOf(sql, young)).listens, 2);
  assert.equal((await detailsOf(sql, live)).listens, 1);
});

dbTest(
  "the sweep forgets the details of rooms ended before the retention, not of younger ones",
  async (
    sql,
  ) => {
    const { ada } = await cast(sql, "ada", "grace");
    await setRetention(sql, ada.id, { listeningDays: 365, roomDays: 30 });
    const old = await endedRoom(sql, 31, "Old room");
    const young = await endedRoom(sql, 29, "Young room");
    const live = await openRoom(sql, ada.id, { title: "Live room" });
    await sql`update rooms set started_at = now() - interval '400 days' where id = ${live}`;

    const removed = removedBy(await sweepRetention(sql, sweepOptions));
    assert.equal(removed.roomsForgotten, 1);
    assert.equal(removed.roomsDeleted, 0);
    // The recommender still reads the old room's topics and who listened: those stay.
    assert.deepEqual(await detailsOf(sql, old), {
      title: "",
      description: "",
      forgotten: true,
      moderation: 0,
      hosts: 0,
      access: 0,
      bans: 0,
      interest: 0,
      reports: 0,
      notifications: 0,
      topics: 1,
      listens: 2,
    });
    assert.deepEqual(await detailsOf(sql, young), {
      title: "Young room",
      description: "About Young room",
      forgotten: false,
      moderation: 1,
      hosts: 1,
      access: 1,
      bans: 1,
      interest: 1,
      reports: 1,
      notifications: 1,
      topics: 1,
      listens: 2,
    });
    assert.equal((await detailsOf(sql, live)).title, "Live room");
  },
);

dbTest("a room reported and not yet resolved keeps its details past the retention", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const reported = await endedRoom(sql, 120, "Reported room");
  await sql`insert into reports (reporter_id, room_id, reason)
            values (${grace.id}, ${reported}, 'Still open')`;
  assert.equal(removedBy(await sweepRetention(sql, sweepOptions)).roomsForgotten, 0);
  assert.equal((await detailsOf(sql, reported)).title, "Reported room");

  await sql`update reports set resolved_at = now(), resolved_by = ${ada.id},
                               resolution = 'dismissed' where room_id = ${reported}`;
  await lastSweptHoursAgo(sql, 25);
  assert.equal(removedBy(await sweepRetention(sql, sweepOptions)).roomsForgotten, 1);
  assert.equal((await detailsOf(sql, reported)).reports, 0);
});

dbTest("a forgotten room is deleted once no listening row refers to it", async (sql) => {
  await cast(sql, "ada", "grace");
  const heard = await endedRoom(sql, 100, "Heard");
  const unheard = await endedRoom(sql, 100, "Unheard");
  await sql`delete from listens where room_id = ${unheard}`;

  const first = removedBy(await sweepRetention(sql, sweepOptions));
  assert.equal(first.roomsForgotten, 2);
  assert.equal(first.roomsDeleted, 1);
  assert.equal((await sql`select 1 from rooms where id = ${unheard}`).length, 0);
  assert.equal((await detailsOf(sql, heard)).forgotten, true);

  // A year on, its listening rows are past keeping too: the row goes with them.
  await ageListens(sql, heard, 366);
  await lastSweptHoursAgo(sql, 25);
  const later = removedBy(await sweepRetention(sql, sweepOptions));
  assert.equal(later.listens, 2);
  assert.equal(later.roomsDeleted, 1);
  assert.equal((await sql`select 1 from rooms where id = ${heard}`).length, 0);
});

dbTest("a forgotten room answers not found, even to its host", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  const roomId = await endedRoom(sql, 100, "Gone");
  const [{ public_id }] = await sql`select public_id from rooms where id = ${roomId}`;
  assert.equal((await findVisibleRoom(sql, public_id, ada.id)).id, roomId);
  await sweepRetention(sql, sweepOptions);
  await assert.rejects(findVisibleRoom(sql, public_id, ada.id), refusedWith("not_found"));
});

dbTest("the sweep frees reserved handles, expired sessions, old windows and old failures", async (
  sql,
) => {
  const { ada } = await cast(sql, "ada");
  await sql`insert into handle_reservations (handle, until) values
            ('gone', now() - interval '1 minute'), ('kept', now() + interval '1 day')`;
  await sql`insert into sessions (id_hash, user_id, expires_at) values
            ('expired', ${ada.id}, now() - interval '1 minute'),
            ('current', ${ada.id}, now() + interval '1 day')`;
  await sql`insert into rate_limits (bucket, key, window_start, hits) values
            ('search', 'old', now() - interval '25 hours', 3),
            ('search', 'new', now() - interval '23 hours', 3)`;
  await sql`insert into sign_in_failures (scope, key, failures, last_failed_at, blocked_until)
            values ('pair', 'old', 3, now() - interval '25 hours', now() - interval '24 hours'),
                   ('pair', 'recent', 3, now() - interval '23 hours', now() - interval '22 hours'),
                   ('address', 'blocked', 3, now() - interval '25 hours',
                    now() + interval '1 hour')`;

  const removed = removedBy(await sweepRetention(sql, sweepOptions));
  assert.deepEqual(
    [removed.handleReservations, removed.sessions, removed.rateLimitWindows],
    [1, 1, 1],
  );
  assert.equal(removed.signInFailures, 1);
  const left = await sql`
    select (select array_agg(handle order by handle) from handle_reservations) as handles,
      (select array_agg(id_hash order by id_hash) from sessions) as sessions,
      (select array_agg(key order by key) from rate_limits) as windows,
      (select array_agg(key order by key) from sign_in_failures) as failures`;
  assert.deepEqual({ ...left[0] }, {
    handles: ["kept"],
    sessions: ["current"],
    windows: ["new"],
    failures: ["blocked", "recent"],
  });
});

dbTest("the sweep works in batches and still removes everything past keeping", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await setRetention(sql, ada.id, { listeningDays: 10, roomDays: 10 });
  const rooms = [];
  for (let i = 0; i < 5; i++) {
    const roomId = await endedRoom(sql, 20, `Room ${i}`);
    await ageListens(sql, roomId, 20);
    rooms.push(roomId);
  }
  const removed = removedBy(await sweepRetention(sql, { ...sweepOptions, batchSize: 2 }));
  assert.equal(removed.listens, 10);
  assert.equal(removed.roomsForgotten, 5);
  assert.equal(removed.roomsDeleted, 5);
  assert.equal((await sql`select 1 from rooms where id = any(${rooms}::bigint[])`).length, 0);
});

dbTest("a sweep that already ran within a day does nothing", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await setRetention(sql, ada.id, { listeningDays: 30, roomDays: 30 });
  removedBy(await sweepRetention(sql, sweepOptions));
  const roomId = await endedRoom(sql, 40, "After the sweep");
  await ageListens(sql, roomId, 40);

  assert.deepEqual(await sweepRetention(sql, sweepOptions), { ran: false, why: "done" });
  await lastSweptHoursAgo(sql, 23);
  assert.deepEqual(await sweepRetention(sql, sweepOptions), { ran: false, why: "done" });
  assert.equal((await detailsOf(sql, roomId)).listens, 2);

  await lastSweptHoursAgo(sql, 25);
  const removed = removedBy(await sweepRetention(sql, sweepOptions));
  assert.equal(removed.listens, 2);
  assert.equal(removed.roomsDeleted, 1);
});

dbTest("sweeps started at once from two processes do the work once", async (sql, db) => {
  const { ada } = await cast(sql, "ada", "grace");
  await setRetention(sql, ada.id, { listeningDays: 30, roomDays: 30 });
  const roomId = await endedRoom(sql, 40, "Swept once");
  await ageListens(sql, roomId, 40);
  // On PostgreSQL a second pool stands for a second Palabre process; PGlite is one process,
  // whose sweeps queue on its one connection.
  const other = db.url ? await openDatabase({ url: db.url, max: 4 }) : undefined;
  try {
    const pools = [sql, other?.sql ?? sql];
    // Connections opened first, so that the sweeps start together rather than as each connects.
    await Promise.all(pools.flatMap((pool) => [1, 2, 3, 4].map(() => pool`select 1`)));
    const runs = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => sweepRetention(pools[i % 2], sweepOptions)),
    );
    assert.equal(runs.filter((run) => run.ran).length, 1);
    const done = runs.find((run) => run.ran);
    assert.equal(done && removedBy(done).listens, 2);
  } finally {
    await other?.close();
  }
});

dbTest("a sweep while another process holds the sweep's lock does nothing", async (sql, db) => {
  if (!db.url) return; // PGlite is one process: no other can hold the lock meanwhile.
  const { ada } = await cast(sql, "ada", "grace");
  await setRetention(sql, ada.id, { listeningDays: 30, roomDays: 30 });
  const roomId = await endedRoom(sql, 40, "Locked");
  await ageListens(sql, roomId, 40);
  const other = await openDatabase({ url: db.url, max: 1 });
  try {
    const run = await other.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(7246912)`;
      return await sweepRetention(sql, sweepOptions);
    });
    assert.deepEqual(run, { ran: false, why: "busy" });
    assert.equal((await detailsOf(sql, roomId)).listens, 2);
  } finally {
    await other.close();
  }
  assert.equal(removedBy(await sweepRetention(sql, sweepOptions)).listens, 2);
});
