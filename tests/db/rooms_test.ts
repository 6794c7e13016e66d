import assert from "node:assert/strict";
import { databaseKinds, dbTest, freshDatabase } from "../support/databases.ts";
import { dayMs } from "./support.ts";
import {
  cast,
  openRoom,
  refusedWith,
  roles,
  roomViolations,
  seat,
  twoProcesses,
} from "./rooms_support.ts";
import {
  hostsEvent,
  joinRoom,
  lockRoom,
  mayJoin,
  type NewEvent,
  openEvent,
  publicRoomId,
  roomSnapshot,
  scheduleEvent,
  setInterest,
} from "../../db/rooms.ts";
import {
  act,
  leave,
  moderationLog,
  type ModeratorAction,
  parseRoomAction,
  type RoomAction,
} from "../../db/room_actions.ts";
import { sweepAbsent, touchPresence } from "../../db/presence.ts";
import { block, report, reports, unblock } from "../../db/safety.ts";
import { hallwayFor } from "../../db/hallway.ts";
import { follow } from "../../db/profiles.ts";
import type { Sql, Tx } from "../../db/client.ts";
import type { RefusalCode } from "../../db/errors.ts";
import type { Member } from "../../db/users.ts";

const hourMs = 3_600_000;

function event(input: Partial<NewEvent> = {}): NewEvent {
  return {
    title: "Tokyo jazz night",
    description: "Records from the seventies",
    topics: ["jazz", "tokyo"],
    kind: "open",
    startsAt: new Date(Date.now() + dayMs),
    cohosts: [],
    ...input,
  };
}

async function count(sql: Sql, table: string): Promise<number> {
  const [{ n }] = await sql.unsafe(`select count(*)::int as n from ${table}`);
  return n;
}

/** A room with a moderator (ada), a speaker (grace) and listeners (the rest), joined in order. */
async function stagedRoom(
  sql: Sql,
  ...listeners: string[]
): Promise<Record<string, Member> & { roomId: number }> {
  const people = await cast(sql, "ada", "grace", ...listeners);
  const roomId = await openRoom(sql, people.ada.id);
  await joinRoom(sql, people.grace.id, roomId);
  await act(sql, people.ada.id, roomId, { type: "invite_to_speak", target: "grace" });
  await act(sql, people.grace.id, roomId, { type: "accept_invite" });
  for (const handle of listeners) await joinRoom(sql, people[handle].id, roomId);
  // The index signature cannot say "except roomId": the intersection type above does.
  return Object.assign(people, { roomId });
}

// Starting a room

dbTest("starting a room makes its creator a moderator on stage", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const roomId = await openRoom(sql, ada.id, {
    title: "  Late jazz  ",
    description: "Bring records",
    topics: ["jazz", "tokyo"],
    kind: "social",
  });
  const snapshot = await roomSnapshot(sql, roomId);
  assert.equal(snapshot?.room.title, "Late jazz");
  assert.equal(snapshot?.room.description, "Bring records");
  assert.equal(snapshot?.room.kind, "social");
  assert.equal(snapshot?.room.state, "live");
  assert.equal(snapshot?.room.creatorId, ada.id);
  assert.deepEqual(snapshot?.topics.map((t) => t.slug), ["jazz", "tokyo"]);
  assert.equal(snapshot?.participants.length, 1);
  assert.equal(snapshot?.participants[0].handle, "ada");
  assert.equal(snapshot?.participants[0].role, "moderator");
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("a room needs a title of at most 80 characters", async (sql) => {
  const { ada } = await cast(sql, "ada");
  for (const title of ["", "   ", "x".repeat(81)]) {
    await assert.rejects(openRoom(sql, ada.id, { title }), (e) => {
      assert.ok(refusedWith("invalid")(e));
      assert.equal((e as { field?: string }).field, "title");
      return true;
    });
  }
  assert.equal(await count(sql, "rooms"), 0);
  await openRoom(sql, ada.id, { title: "x".repeat(80) });
  assert.equal(await count(sql, "rooms"), 1);
});

dbTest("a room description is at most 300 characters", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await assert.rejects(
    openRoom(sql, ada.id, { description: "d".repeat(301) }),
    refusedWith("invalid"),
  );
  await openRoom(sql, ada.id, { description: "d".repeat(300) });
  assert.equal(await count(sql, "rooms"), 1);
});

dbTest("a room has one to three known topics", async (sql) => {
  const { ada } = await cast(sql, "ada");
  for (const topics of [[], [" "], ["jazz", "tokyo", "chess", "books"], ["jazz", "no-such"]]) {
    await assert.rejects(openRoom(sql, ada.id, { topics }), refusedWith("invalid"));
  }
  assert.equal(await count(sql, "rooms"), 0);
  assert.equal(await count(sql, "participants"), 0);
  // The same topic twice is one topic.
  const roomId = await openRoom(sql, ada.id, { topics: ["jazz", "jazz", "tokyo", "books"] });
  assert.deepEqual((await roomSnapshot(sql, roomId))?.topics.map((t) => t.slug), [
    "books",
    "jazz",
    "tokyo",
  ]);
});

dbTest("a room is open, social or closed", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    openRoom(sql, ada.id, { kind: "secret" as any }),
    refusedWith("invalid"),
  );
  for (const kind of ["open", "social", "closed"] as const) {
    const roomId = await openRoom(sql, ada.id, { kind });
    assert.equal((await roomSnapshot(sql, roomId))?.room.kind, kind);
  }
});

// Events

dbTest("an event is scheduled with its co-hosts named by handle", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await scheduleEvent(sql, ada.id, event({ cohosts: ["@Grace", "grace", " "] }));
  const snapshot = await roomSnapshot(sql, roomId);
  assert.equal(snapshot?.room.state, "scheduled");
  assert.deepEqual(snapshot?.participants, []);
  assert.equal(await hostsEvent(sql, roomId, ada.id), true);
  assert.equal(await hostsEvent(sql, roomId, grace.id), true);
  assert.equal(await hostsEvent(sql, roomId, linus.id), false);
  const [upcoming] = (await hallwayFor(sql, linus.id)).upcoming;
  assert.equal(upcoming.id, roomId);
  assert.deepEqual(upcoming.hosts.map((h) => h.displayName), ["Ada", "Grace"]);
  assert.deepEqual(upcoming.topics.map((t) => t.name), ["Jazz", "Tokyo"]);
});

dbTest("an event in the past or more than a year ahead is refused", async (sql) => {
  const { ada } = await cast(sql, "ada");
  for (
    const startsAt of [
      new Date(Date.now() - hourMs),
      new Date(Date.now() + 367 * dayMs),
      new Date("not a date"),
    ]
  ) {
    await assert.rejects(scheduleEvent(sql, ada.id, event({ startsAt })), (e) => {
      assert.ok(refusedWith("invalid")(e));
      assert.equal((e as { field?: string }).field, "starts_at");
      return true;
    });
  }
  assert.equal(await count(sql, "rooms"), 0);
  await scheduleEvent(sql, ada.id, event({ startsAt: new Date(Date.now() + 360 * dayMs) }));
  assert.equal(await count(sql, "rooms"), 1);
});

dbTest("an event naming an unknown co-host is refused and saves nothing", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await assert.rejects(
    scheduleEvent(sql, ada.id, event({ cohosts: ["grace", "nobody"] })),
    (e) => {
      assert.ok(refusedWith("invalid")(e));
      assert.match((e as Error).message, /@nobody/);
      return true;
    },
  );
  assert.equal(await count(sql, "rooms"), 0);
  assert.equal(await count(sql, "room_hosts"), 0);
});

dbTest("an event has at most five co-hosts", async (sql) => {
  const people = await cast(sql, "ada", "bob", "cyd", "dan", "eve", "fay", "gus");
  const cohosts = Object.keys(people).slice(1);
  await assert.rejects(
    scheduleEvent(sql, people.ada.id, event({ cohosts })),
    refusedWith("invalid"),
  );
  await scheduleEvent(sql, people.ada.id, event({ cohosts: cohosts.slice(0, 5) }));
  assert.equal(await count(sql, "room_hosts"), 6);
});

dbTest("interest in an upcoming event toggles and is counted once", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await scheduleEvent(sql, ada.id, event());
  await setInterest(sql, grace.id, roomId, true);
  await setInterest(sql, grace.id, roomId, true);
  await setInterest(sql, linus.id, roomId, true);
  let [upcoming] = (await hallwayFor(sql, grace.id)).upcoming;
  assert.equal(upcoming.interested, 2);
  assert.equal(upcoming.viewerInterested, true);
  assert.equal(upcoming.viewerHosts, false);
  await setInterest(sql, grace.id, roomId, false);
  [upcoming] = (await hallwayFor(sql, grace.id)).upcoming;
  assert.equal(upcoming.interested, 1);
  assert.equal(upcoming.viewerInterested, false);
  assert.equal((await hallwayFor(sql, ada.id)).upcoming[0].viewerHosts, true);
});

dbTest("interest is refused once an event is live or for an unknown event", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const roomId = await scheduleEvent(sql, ada.id, event());
  await openEvent(sql, ada.id, roomId);
  await assert.rejects(setInterest(sql, grace.id, roomId, true), refusedWith("conflict"));
  await assert.rejects(setInterest(sql, grace.id, roomId + 100, true), refusedWith("not_found"));
});

dbTest("only a host opens an event, and it goes live with that host as moderator", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await scheduleEvent(sql, ada.id, event({ cohosts: ["grace"] }));
  await assert.rejects(joinRoom(sql, linus.id, roomId), refusedWith("conflict"));
  await assert.rejects(openEvent(sql, linus.id, roomId), refusedWith("forbidden"));
  assert.equal((await roomSnapshot(sql, roomId))?.room.state, "scheduled");
  await openEvent(sql, grace.id, roomId);
  const snapshot = await roomSnapshot(sql, roomId);
  assert.equal(snapshot?.room.state, "live");
  assert.ok(snapshot?.room.startedAt instanceof Date);
  assert.deepEqual(await roles(sql, roomId), { grace: "moderator" });
  await assert.rejects(openEvent(sql, ada.id, roomId), refusedWith("conflict"));
  await assert.rejects(openEvent(sql, ada.id, roomId + 100), refusedWith("not_found"));
  assert.deepEqual((await hallwayFor(sql, linus.id)).upcoming, []);
});

dbTest("a co-host joining a live event becomes a moderator, others listeners", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await scheduleEvent(sql, ada.id, event({ cohosts: ["grace"] }));
  await openEvent(sql, ada.id, roomId);
  await joinRoom(sql, linus.id, roomId);
  await joinRoom(sql, grace.id, roomId);
  assert.deepEqual(await roles(sql, roomId), {
    ada: "moderator",
    grace: "moderator",
    linus: "listener",
  });
  assert.deepEqual(await roomViolations(sql), []);
});

// Roles

dbTest("every participant holds exactly one role, and joining again keeps it", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql, "linus");
  await joinRoom(sql, grace.id, roomId);
  await joinRoom(sql, ada.id, roomId);
  assert.deepEqual(await roles(sql, roomId), {
    ada: "moderator",
    grace: "speaker",
    linus: "listener",
  });
  const [{ rows }] = await sql`
    select count(*)::int as rows from participants where room_id = ${roomId} and user_id = ${grace.id}`;
  assert.equal(rows, 1);
  await assert.rejects(
    sql`insert into participants (room_id, user_id, role) values (${roomId}, ${grace.id}, 'listener')`,
    (e: { code?: string }) => e.code === "23505",
  );
  await assert.rejects(
    sql`update participants set role = 'host' where room_id = ${roomId} and user_id = ${grace.id}`,
    (e: { code?: string }) => e.code === "23514",
  );
});

// Hands

dbTest("only listeners raise their hands", async (sql) => {
  const { ada, grace, linus, roomId } = await stagedRoom(sql, "linus");
  await assert.rejects(act(sql, ada.id, roomId, { type: "raise_hand" }), refusedWith("conflict"));
  await assert.rejects(act(sql, grace.id, roomId, { type: "raise_hand" }), refusedWith("conflict"));
  await act(sql, linus.id, roomId, { type: "raise_hand" });
  assert.ok((await seat(sql, roomId, "linus"))?.handRaisedAt instanceof Date);
});

dbTest("hands are listed in the order they were raised", async (sql) => {
  const people = await cast(sql, "ada", "cyd", "bob", "dan");
  const roomId = await openRoom(sql, people.ada.id);
  for (const h of ["cyd", "bob", "dan"]) await joinRoom(sql, people[h].id, roomId);
  for (const h of ["dan", "bob", "cyd"]) {
    await act(sql, people[h].id, roomId, { type: "raise_hand" });
  }
  // Raising again keeps the place in line.
  await act(sql, people.dan.id, roomId, { type: "raise_hand" });
  const hands = (await roomSnapshot(sql, roomId))!.participants
    .filter((p) => p.handPosition !== null)
    .sort((a, b) => a.handPosition! - b.handPosition!)
    .map((p) => p.handle);
  assert.deepEqual(hands, ["dan", "bob", "cyd"]);
});

dbTest("hands raised within one clock tick keep the order they went up in", async (sql) => {
  const people = await cast(sql, "ada", "cyd", "bob", "dan");
  const roomId = await openRoom(sql, people.ada.id);
  for (const h of ["cyd", "bob", "dan"]) await joinRoom(sql, people[h].id, roomId);
  for (const h of ["dan", "bob", "cyd"]) {
    await act(sql, people[h].id, roomId, { type: "raise_hand" });
  }
  // PGlite's clock can read the same millisecond for raises in a row: make it so.
  await sql`update participants set hand_raised_at = '2026-01-01T12:00:00Z'
            where room_id = ${roomId} and hand_raised_at is not null`;
  const hands = (await roomSnapshot(sql, roomId))!.participants
    .filter((p) => p.handPosition !== null)
    .sort((a, b) => a.handPosition! - b.handPosition!)
    .map((p) => p.handle);
  assert.deepEqual(hands, ["dan", "bob", "cyd"]);
});

dbTest("a listener lowers their own hand", async (sql) => {
  const { linus, roomId } = await stagedRoom(sql, "linus");
  await act(sql, linus.id, roomId, { type: "raise_hand" });
  await act(sql, linus.id, roomId, { type: "lower_hand" });
  assert.equal((await seat(sql, roomId, "linus"))?.handRaisedAt, null);
});

dbTest("moderators turning hands off clears them and refuses raising", async (sql) => {
  const { ada, grace, linus, mary, roomId } = await stagedRoom(sql, "linus", "mary");
  await act(sql, linus.id, roomId, { type: "raise_hand" });
  await act(sql, mary.id, roomId, { type: "raise_hand" });
  await assert.rejects(
    act(sql, grace.id, roomId, { type: "hands", enabled: false }),
    refusedWith("forbidden"),
  );
  await act(sql, ada.id, roomId, { type: "hands", enabled: false });
  const snapshot = await roomSnapshot(sql, roomId);
  assert.equal(snapshot?.room.handsEnabled, false);
  assert.ok(snapshot?.participants.every((p) => p.handRaisedAt === null));
  await assert.rejects(act(sql, linus.id, roomId, { type: "raise_hand" }), refusedWith("conflict"));
  await act(sql, ada.id, roomId, { type: "hands", enabled: true });
  await act(sql, linus.id, roomId, { type: "raise_hand" });
  assert.ok((await seat(sql, roomId, "linus"))?.handRaisedAt instanceof Date);
});

// Moderation

dbTest("an invited listener who accepts goes on stage muted", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus");
  await act(sql, linus.id, roomId, { type: "raise_hand" });
  await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "Linus" });
  assert.equal((await seat(sql, roomId, "linus"))?.invited, true);
  assert.equal((await seat(sql, roomId, "linus"))?.role, "listener");
  await act(sql, linus.id, roomId, { type: "accept_invite" });
  const linusSeat = await seat(sql, roomId, "linus");
  assert.equal(linusSeat?.role, "speaker");
  assert.equal(linusSeat?.muted, true);
  assert.equal(linusSeat?.invited, false);
  assert.equal(linusSeat?.handRaisedAt, null);
  const history = await sql`
    select role, ended_at is null as open from listens
    where room_id = ${roomId} and user_id = ${linus.id} order by id`;
  assert.deepEqual(history.map((l) => [l.role, l.open]), [["listener", false], ["speaker", true]]);
});

dbTest("an invited listener who declines stays in the audience", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus");
  await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "linus" });
  await act(sql, linus.id, roomId, { type: "decline_invite" });
  assert.equal((await seat(sql, roomId, "linus"))?.invited, false);
  await assert.rejects(
    act(sql, linus.id, roomId, { type: "accept_invite" }),
    refusedWith("conflict"),
  );
  assert.equal((await seat(sql, roomId, "linus"))?.role, "listener");
});

dbTest("only listeners in the room are invited to speak", async (sql) => {
  const { ada, roomId } = await stagedRoom(sql, "linus");
  await cast(sql, "outsider");
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "invite_to_speak", target: "grace" }),
    refusedWith("conflict"),
  );
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "invite_to_speak", target: "outsider" }),
    refusedWith("conflict"),
  );
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "invite_to_speak", target: "nobody" }),
    refusedWith("conflict"),
  );
});

dbTest("a speaker moved to the audience becomes a listener", async (sql) => {
  const { ada, roomId } = await stagedRoom(sql, "linus");
  await act(sql, ada.id, roomId, { type: "move_to_audience", target: "grace" });
  assert.equal((await seat(sql, roomId, "grace"))?.role, "listener");
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "move_to_audience", target: "linus" }),
    refusedWith("conflict"),
  );
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("a speaker muted by a moderator may unmute themselves", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql);
  await act(sql, grace.id, roomId, { type: "unmute_self" });
  assert.equal((await seat(sql, roomId, "grace"))?.muted, false);
  await act(sql, ada.id, roomId, { type: "mute", target: "grace" });
  assert.equal((await seat(sql, roomId, "grace"))?.muted, true);
  await act(sql, grace.id, roomId, { type: "unmute_self" });
  assert.equal((await seat(sql, roomId, "grace"))?.muted, false);
  await act(sql, grace.id, roomId, { type: "mute_self" });
  assert.equal((await seat(sql, roomId, "grace"))?.muted, true);
});

dbTest("only a moderator's mute of someone else counts as muted by a moderator", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql);
  const mutedByModerator = async (handle: string) =>
    (await seat(sql, roomId, handle))?.mutedByModerator;
  // Coming on stage muted is the speaker's own state.
  assert.equal(await mutedByModerator("grace"), false);
  await act(sql, grace.id, roomId, { type: "unmute_self" });
  await act(sql, ada.id, roomId, { type: "mute", target: "grace" });
  assert.equal(await mutedByModerator("grace"), true);
  await act(sql, grace.id, roomId, { type: "unmute_self" });
  assert.equal(await mutedByModerator("grace"), false);
  await act(sql, grace.id, roomId, { type: "mute_self" });
  assert.equal(await mutedByModerator("grace"), false);
  await act(sql, ada.id, roomId, { type: "mute", target: "grace" });
  assert.equal(await mutedByModerator("grace"), true);
  await act(sql, ada.id, roomId, { type: "move_to_audience", target: "grace" });
  assert.equal(await mutedByModerator("grace"), false);
  // A moderator muting themselves is muting themselves.
  await act(sql, ada.id, roomId, { type: "unmute_self" });
  await act(sql, ada.id, roomId, { type: "mute", target: "ada" });
  assert.equal(await mutedByModerator("ada"), false);
});

dbTest("a listener cannot unmute themselves", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus");
  await assert.rejects(
    act(sql, linus.id, roomId, { type: "unmute_self" }),
    refusedWith("conflict"),
  );
  assert.equal((await seat(sql, roomId, "linus"))?.muted, true);
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "mute", target: "linus" }),
    refusedWith("conflict"),
  );
});

dbTest("moderators make and unmake moderators but never the last one", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql, "linus");
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "make_moderator", target: "linus" }),
    refusedWith("conflict"),
  );
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "unmake_moderator", target: "ada" }),
    refusedWith("conflict"),
  );
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "move_to_audience", target: "ada" }),
    refusedWith("conflict"),
  );
  await act(sql, ada.id, roomId, { type: "make_moderator", target: "grace" });
  assert.equal((await seat(sql, roomId, "grace"))?.role, "moderator");
  await act(sql, grace.id, roomId, { type: "unmake_moderator", target: "ada" });
  assert.deepEqual(await roles(sql, roomId), {
    grace: "moderator",
    ada: "speaker",
    linus: "listener",
  });
  await assert.rejects(
    act(sql, grace.id, roomId, { type: "unmake_moderator", target: "grace" }),
    refusedWith("conflict"),
  );
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("a removed member cannot rejoin the room", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus");
  await act(sql, ada.id, roomId, { type: "remove", target: "linus" });
  assert.equal(await seat(sql, roomId, "linus"), undefined);
  await assert.rejects(joinRoom(sql, linus.id, roomId), refusedWith("forbidden"));
  assert.equal(await mayJoin(sql, roomId, linus.id), false);
  assert.deepEqual((await hallwayFor(sql, linus.id)).live, []);
  // Only that room: another one is open to them.
  const otherId = await openRoom(sql, ada.id, { title: "Chess" });
  await joinRoom(sql, linus.id, otherId);
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("a removed speaker's place on stage and listening are closed", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql);
  await act(sql, ada.id, roomId, { type: "remove", target: "grace" });
  await assert.rejects(joinRoom(sql, grace.id, roomId), refusedWith("forbidden"));
  const [{ open }] = await sql`
    select count(*)::int as open from listens
    where room_id = ${roomId} and user_id = ${grace.id} and ended_at is null`;
  assert.equal(open, 0);
});

dbTest("a moderator cannot remove themselves", async (sql) => {
  const { ada, roomId } = await stagedRoom(sql);
  await assert.rejects(
    act(sql, ada.id, roomId, { type: "remove", target: "ada" }),
    refusedWith("conflict"),
  );
  assert.equal((await seat(sql, roomId, "ada"))?.role, "moderator");
});

dbTest("ending a room sends everyone out and refuses joining", async (sql) => {
  const { ada, grace, linus, roomId } = await stagedRoom(sql, "linus");
  await assert.rejects(act(sql, grace.id, roomId, { type: "end" }), refusedWith("forbidden"));
  await act(sql, ada.id, roomId, { type: "end" });
  const snapshot = await roomSnapshot(sql, roomId);
  assert.equal(snapshot?.room.state, "ended");
  assert.ok(snapshot?.room.endedAt instanceof Date);
  assert.deepEqual(snapshot?.participants, []);
  for (const member of [ada, grace, linus]) {
    await assert.rejects(joinRoom(sql, member.id, roomId), refusedWith("conflict"));
  }
  const [{ open }] = await sql`
    select count(*)::int as open from listens where room_id = ${roomId} and ended_at is null`;
  assert.equal(open, 0);
  assert.deepEqual((await hallwayFor(sql, linus.id)).live, []);
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("anyone may leave a room", async (sql) => {
  const { ada, grace, linus, roomId } = await stagedRoom(sql, "linus");
  await act(sql, linus.id, roomId, { type: "leave" });
  await act(sql, grace.id, roomId, { type: "leave" });
  assert.deepEqual(await roles(sql, roomId), { ada: "moderator" });
  await joinRoom(sql, grace.id, roomId);
  assert.deepEqual(await roles(sql, roomId), { ada: "moderator", grace: "listener" });
  await act(sql, ada.id, roomId, { type: "leave" });
  assert.equal((await roomSnapshot(sql, roomId))?.room.state, "ended");
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("when the last moderator leaves the longest-present speaker moderates", async (sql) => {
  const people = await cast(sql, "ada", "grace", "hopper", "linus");
  const { ada, grace, hopper } = people;
  const roomId = await openRoom(sql, ada.id);
  for (const m of [grace, hopper, people.linus]) await joinRoom(sql, m.id, roomId);
  // Hopper reaches the stage first, but Grace has been in the room longer.
  for (const handle of ["hopper", "grace"]) {
    await act(sql, ada.id, roomId, { type: "invite_to_speak", target: handle });
    await act(sql, people[handle].id, roomId, { type: "accept_invite" });
  }
  await act(sql, ada.id, roomId, { type: "leave" });
  assert.deepEqual(await roles(sql, roomId), {
    grace: "moderator",
    hopper: "speaker",
    linus: "listener",
  });
  await act(sql, grace.id, roomId, { type: "leave" });
  assert.deepEqual(await roles(sql, roomId), { hopper: "moderator", linus: "listener" });
  const log = await sql`select actor_id, action, target_id from moderation_log
                        where action = 'succeed_moderator' order by id`;
  assert.deepEqual(log.map((l) => [l.actor_id, l.target_id]), [[null, grace.id], [
    null,
    hopper.id,
  ]]);
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("when the last person on stage leaves only listeners the room ends", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus");
  await act(sql, ada.id, roomId, { type: "move_to_audience", target: "grace" });
  await act(sql, ada.id, roomId, { type: "leave" });
  const snapshot = await roomSnapshot(sql, roomId);
  assert.equal(snapshot?.room.state, "ended");
  assert.deepEqual(snapshot?.participants, []);
  await assert.rejects(joinRoom(sql, linus.id, roomId), refusedWith("conflict"));
  const [entry] = await sql`select action from moderation_log where action = 'end_unattended'`;
  assert.ok(entry);
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("every moderation action is logged with who, what, whom and when", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql, "linus", "mary");
  const started = Date.now();
  const steps: [RoomAction, string | null][] = [
    [{ type: "invite_to_speak", target: "linus" }, "linus"],
    [{ type: "mute", target: "grace" }, "grace"],
    [{ type: "make_moderator", target: "grace" }, "grace"],
    [{ type: "unmake_moderator", target: "grace" }, "grace"],
    [{ type: "move_to_audience", target: "grace" }, "grace"],
    [{ type: "remove", target: "mary" }, "mary"],
    [{ type: "hands", enabled: false }, null],
    [{ type: "hands", enabled: true }, null],
    [{ type: "end" }, null],
  ];
  for (const [action] of steps) await act(sql, ada.id, roomId, action);
  // Oldest first, after the invitation that put Grace on stage.
  const log = (await moderationLog(sql, ada.id)).reverse().slice(1);
  assert.deepEqual(
    log.map((e) => [e.actor, e.action, e.target]),
    steps.map(([action, target]) => [
      "ada",
      action.type === "hands" ? (action.enabled ? "hands_on" : "hands_off") : action.type,
      target,
    ]),
  );
  assert.ok(log.every((e) => e.roomId === roomId && e.roomTitle === "Late jazz"));
  assert.ok(log.every((e) => Math.abs(e.at.getTime() - started) < 60_000));
  await assert.rejects(moderationLog(sql, grace.id), refusedWith("forbidden"));
});

dbTest("members who are not moderators are refused every moderator action", async (sql) => {
  const { grace, linus, roomId } = await stagedRoom(sql, "linus", "mary");
  const { outsider } = await cast(sql, "outsider");
  const before = await roomSnapshot(sql, roomId);
  const logged = await count(sql, "moderation_log");
  const actions: RoomAction[] = [
    { type: "invite_to_speak", target: "mary" },
    { type: "move_to_audience", target: "ada" },
    { type: "mute", target: "ada" },
    { type: "make_moderator", target: "grace" },
    { type: "unmake_moderator", target: "ada" },
    { type: "remove", target: "mary" },
    { type: "end" },
    { type: "hands", enabled: false },
  ];
  for (const member of [grace, linus, outsider]) {
    for (const action of actions) {
      await assert.rejects(act(sql, member.id, roomId, action), refusedWith("forbidden"));
    }
  }
  assert.deepEqual(await roomSnapshot(sql, roomId), before);
  assert.equal(await count(sql, "moderation_log"), logged);
});

dbTest("every action in an ended room is refused as a conflict", async (sql) => {
  const { ada, grace, roomId } = await stagedRoom(sql, "linus");
  await act(sql, ada.id, roomId, { type: "end" });
  const actions: RoomAction[] = [
    { type: "raise_hand" },
    { type: "lower_hand" },
    { type: "accept_invite" },
    { type: "decline_invite" },
    { type: "mute_self" },
    { type: "unmute_self" },
    { type: "leave" },
    { type: "invite_to_speak", target: "linus" },
    { type: "move_to_audience", target: "grace" },
    { type: "mute", target: "grace" },
    { type: "make_moderator", target: "grace" },
    { type: "unmake_moderator", target: "ada" },
    { type: "remove", target: "linus" },
    { type: "end" },
    { type: "hands", enabled: false },
  ];
  for (const member of [ada, grace]) {
    for (const action of actions) {
      await assert.rejects(act(sql, member.id, roomId, action), refusedWith("conflict"));
    }
  }
  assert.equal((await roomSnapshot(sql, roomId))?.room.state, "ended");
});

dbTest("every action on an unknown room is refused as not found", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const actions: RoomAction[] = [
    { type: "raise_hand" },
    { type: "leave" },
    { type: "invite_to_speak", target: "ada" },
    { type: "end" },
    { type: "hands", enabled: true },
  ];
  for (const action of actions) {
    await assert.rejects(act(sql, ada.id, 4242, action), refusedWith("not_found"));
  }
  await assert.rejects(joinRoom(sql, ada.id, 4242), refusedWith("not_found"));
  assert.equal(await roomSnapshot(sql, 4242), null);
});

dbTest("room actions are read from form fields and anything else is refused", () => {
  assert.deepEqual(parseRoomAction({ action: "raise_hand" }), { type: "raise_hand" });
  assert.deepEqual(parseRoomAction({ action: "remove", target: "@grace" }), {
    type: "remove",
    target: "grace",
  });
  assert.deepEqual(parseRoomAction({ action: "hands", enabled: "off" }), {
    type: "hands",
    enabled: false,
  });
  assert.deepEqual(parseRoomAction({ action: "hands", enabled: true }), {
    type: "hands",
    enabled: true,
  });
  assert.deepEqual(parseRoomAction({ action: "end", target: "x" }), { type: "end" });
  for (
    const fields of [
      {},
      { action: 3 },
      { action: "dance" },
      { action: "remove" },
      { action: "remove", target: "grace; drop table" },
      { action: "mute", target: "x".repeat(31) },
      { action: "hands" },
      { action: "hands", enabled: "yes" },
    ]
  ) {
    assert.throws(() => parseRoomAction(fields), refusedWith("invalid"));
  }
  return Promise.resolve();
});

// Blocks, kinds of rooms and reports

dbTest("a blocked member cannot join rooms the blocker moderates", async (sql) => {
  const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
  const roomId = await openRoom(sql, ada.id);
  await block(sql, ada.id, "Mallory");
  await assert.rejects(joinRoom(sql, mallory.id, roomId), refusedWith("forbidden"));
  assert.equal(await mayJoin(sql, roomId, mallory.id), false);
  // Blocking by someone who only listens keeps nobody out.
  const graceRoom = await openRoom(sql, grace.id);
  await joinRoom(sql, ada.id, graceRoom);
  await joinRoom(sql, mallory.id, graceRoom);
  await unblock(sql, ada.id, "mallory");
  await joinRoom(sql, mallory.id, roomId);
  assert.equal((await seat(sql, roomId, "mallory"))?.role, "listener");
});

dbTest("a member blocked by an event host cannot join the event", async (sql) => {
  const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
  const roomId = await scheduleEvent(sql, ada.id, event({ cohosts: ["grace"] }));
  await block(sql, grace.id, "mallory");
  assert.deepEqual((await hallwayFor(sql, mallory.id)).upcoming, []);
  await assert.rejects(setInterest(sql, mallory.id, roomId, true), refusedWith("not_found"));
  await openEvent(sql, ada.id, roomId);
  await assert.rejects(joinRoom(sql, mallory.id, roomId), refusedWith("forbidden"));
});

dbTest("blocking oneself or an unknown handle is refused", async (sql) => {
  const { ada } = await cast(sql, "ada");
  await assert.rejects(block(sql, ada.id, "ADA"), refusedWith("invalid"));
  await assert.rejects(block(sql, ada.id, "nobody"), refusedWith("not_found"));
});

dbTest("blocker and blocked do not see rooms where the other is on stage", async (sql) => {
  const { ada, grace, mallory, linus } = await cast(sql, "ada", "grace", "mallory", "linus");
  await block(sql, ada.id, "mallory");
  await openRoom(sql, mallory.id, { title: "Mallory talks" });
  await openRoom(sql, ada.id, { title: "Ada talks" });
  const graceRoom = await openRoom(sql, grace.id, { title: "Grace talks" });
  await joinRoom(sql, mallory.id, graceRoom);
  const titles = async (id: number) => (await hallwayFor(sql, id)).live.map((r) => r.title).sort();
  // Mallory only listens in Grace's room: both still see it.
  assert.deepEqual(await titles(ada.id), ["Ada talks", "Grace talks"]);
  assert.deepEqual(await titles(mallory.id), ["Grace talks", "Mallory talks"]);
  assert.deepEqual(await titles(linus.id), ["Ada talks", "Grace talks", "Mallory talks"]);
  await act(sql, grace.id, graceRoom, { type: "invite_to_speak", target: "mallory" });
  await act(sql, mallory.id, graceRoom, { type: "accept_invite" });
  assert.deepEqual(await titles(ada.id), ["Ada talks"]);
  assert.deepEqual(await titles(mallory.id), ["Grace talks", "Mallory talks"]);
  await joinRoom(sql, ada.id, graceRoom);
  await act(sql, grace.id, graceRoom, { type: "invite_to_speak", target: "ada" });
  await act(sql, ada.id, graceRoom, { type: "accept_invite" });
  assert.deepEqual(await titles(mallory.id), ["Mallory talks"]);
});

dbTest("a social room is open to the people its moderators follow", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, ada.id, { kind: "social" });
  await follow(sql, linus.id, "ada");
  await assert.rejects(joinRoom(sql, linus.id, roomId), refusedWith("forbidden"));
  assert.deepEqual((await hallwayFor(sql, linus.id)).live, []);
  await follow(sql, ada.id, "grace");
  assert.deepEqual((await hallwayFor(sql, grace.id)).live.map((r) => r.id), [roomId]);
  await joinRoom(sql, grace.id, roomId);
  assert.deepEqual(await roles(sql, roomId), { ada: "moderator", grace: "listener" });
});

dbTest(
  "a closed room lets in members with its link, who then come back without it",
  async (sql) => {
    const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
    const roomId = await openRoom(sql, ada.id, { kind: "closed" });
    const { linkKey } = (await roomSnapshot(sql, roomId))!.room;
    assert.ok(linkKey.length >= 16);
    await assert.rejects(joinRoom(sql, grace.id, roomId), refusedWith("forbidden"));
    await assert.rejects(
      joinRoom(sql, grace.id, roomId, { linkKey: linkKey + "x" }),
      refusedWith("forbidden"),
    );
    assert.deepEqual((await hallwayFor(sql, grace.id)).live, []);
    await joinRoom(sql, grace.id, roomId, { linkKey });
    await act(sql, grace.id, roomId, { type: "leave" });
    await joinRoom(sql, grace.id, roomId);
    assert.equal((await seat(sql, roomId, "grace"))?.role, "listener");
    assert.deepEqual((await hallwayFor(sql, grace.id)).live.map((r) => r.id), [roomId]);
    assert.deepEqual((await hallwayFor(sql, linus.id)).live, []);
  },
);

dbTest("a member or a room is reported with a reason that administrators read", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "mallory");
  const roomId = await openRoom(sql, ada.id, { title: "Loud room" });
  await report(sql, grace.id, { member: "mallory" }, "  Shouting over everyone ");
  await report(sql, grace.id, { roomId }, "Spam links");
  const seen = await reports(sql, ada.id);
  assert.deepEqual(
    seen.map((r) => [r.reporter, r.member, r.roomPublicId, r.roomTitle, r.reason]).sort(),
    [
      ["grace", "mallory", null, null, "Shouting over everyone"],
      ["grace", null, await publicRoomId(sql, roomId), "Loud room", "Spam links"],
    ].sort(),
  );
  await assert.rejects(reports(sql, grace.id), refusedWith("forbidden"));
});

dbTest("a report needs a reason and exactly one member or room", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace", "mallory");
  const roomId = await openRoom(sql, ada.id);
  const refusals: [Parameters<typeof report>[2], string, RefusalCode][] = [
    [{ member: "mallory" }, " no ", "invalid"],
    [{ member: "mallory" }, "x".repeat(501), "invalid"],
    [{}, "Something happened", "invalid"],
    [{ member: "mallory", roomId }, "Something happened", "invalid"],
    [{ member: "nobody" }, "Something happened", "not_found"],
    [{ roomId: roomId + 100 }, "Something happened", "not_found"],
  ];
  for (const [about, reason, code] of refusals) {
    await assert.rejects(report(sql, grace.id, about, reason), refusedWith(code));
  }
  assert.equal(await count(sql, "reports"), 0);
});

// Hallway

dbTest("the hallway shows live rooms with topics, speakers and counts", async (sql) => {
  const { grace, roomId, viewer } = await stagedRoom(sql, "linus", "mary", "viewer");
  await act(sql, viewer.id, roomId, { type: "leave" });
  const { live } = await hallwayFor(sql, grace.id);
  assert.equal(live.length, 1);
  const { startedAt, ...room } = live[0];
  assert.ok(startedAt instanceof Date);
  assert.deepEqual(room, {
    id: roomId,
    publicId: await publicRoomId(sql, roomId),
    title: "Late jazz",
    kind: "open",
    topics: [{ id: room.topics[0].id, slug: "jazz", name: "Jazz" }],
    stage: [
      { id: room.stage[0].id, handle: "ada", displayName: "Ada" },
      { id: grace.id, handle: "grace", displayName: "Grace" },
    ],
    listenerCount: 2,
    followedOnStage: 0,
    notInterested: false,
    // Its host chose no language and the site has none set: English.
    language: "en",
  });
});

dbTest(
  "the hallway puts rooms with followed people on stage first, then bigger rooms",
  async (sql) => {
    const people = await cast(sql, "ada", "bob", "cyd", "dan", "eve", "viewer");
    const small = await openRoom(sql, people.ada.id, { title: "Small" });
    const big = await openRoom(sql, people.bob.id, { title: "Big" });
    const middle = await openRoom(sql, people.cyd.id, { title: "Middle" });
    for (const h of ["dan", "eve"]) await joinRoom(sql, people[h].id, big);
    await joinRoom(sql, people.dan.id, middle);
    const titles = async () => (await hallwayFor(sql, people.viewer.id)).live.map((r) => r.title);
    assert.deepEqual(await titles(), ["Big", "Middle", "Small"]);
    await follow(sql, people.viewer.id, "ada");
    // Following a listener does not lift a room.
    await follow(sql, people.viewer.id, "dan");
    assert.deepEqual(await titles(), ["Small", "Big", "Middle"]);
    assert.equal((await hallwayFor(sql, people.viewer.id)).live[0].followedOnStage, 1);
    assert.equal(small + big + middle > 0, true);
  },
);

dbTest("the hallway lists upcoming events in time order with interest", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const later = await scheduleEvent(
    sql,
    ada.id,
    event({ title: "Later", startsAt: new Date(Date.now() + 2 * dayMs) }),
  );
  const sooner = await scheduleEvent(sql, ada.id, event({ title: "Sooner" }));
  await setInterest(sql, grace.id, later, true);
  const { upcoming } = await hallwayFor(sql, grace.id);
  assert.deepEqual(upcoming.map((e) => [e.id, e.title, e.interested, e.viewerInterested]), [
    [sooner, "Sooner", 0, false],
    [later, "Later", 1, true],
  ]);
});

// Presence

async function ageSeat(sql: Sql, roomId: number, userId: number, ms: number): Promise<void> {
  await sql`update participants set last_seen_at = now() - ${ms} * interval '1 millisecond'
            where room_id = ${roomId} and user_id = ${userId}`;
}

dbTest("a member whose presence is refreshed keeps their seat", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus");
  await ageSeat(sql, roomId, linus.id, 60_000);
  await touchPresence(sql, [{ roomId, userId: linus.id }, { roomId, userId: ada.id }]);
  assert.deepEqual(await sweepAbsent(sql, { timeoutMs: 30_000 }), []);
  assert.equal((await seat(sql, roomId, "linus"))?.role, "listener");
});

dbTest("joining again refreshes presence", async (sql) => {
  const { linus, roomId } = await stagedRoom(sql, "linus");
  await ageSeat(sql, roomId, linus.id, 60_000);
  await joinRoom(sql, linus.id, roomId);
  assert.deepEqual(await sweepAbsent(sql, { timeoutMs: 30_000 }), []);
});

dbTest("sweeping takes out only stale seats and passes moderation on", async (sql) => {
  const { ada, linus, roomId } = await stagedRoom(sql, "linus", "mary");
  await ageSeat(sql, roomId, ada.id, 60_000);
  await ageSeat(sql, roomId, linus.id, 45_000);
  const gone = await sweepAbsent(sql, { timeoutMs: 30_000 });
  assert.deepEqual(
    gone.map((g) => g.userId).sort((a, b) => a - b),
    [ada.id, linus.id].sort((a, b) => a - b),
  );
  assert.deepEqual(await roles(sql, roomId), { grace: "moderator", mary: "listener" });
  assert.deepEqual(await roomViolations(sql), []);
});

dbTest("a sweep that empties the stage ends the room", async (sql) => {
  const { ada, grace, linus, roomId } = await stagedRoom(sql, "linus");
  await ageSeat(sql, roomId, ada.id, 60_000);
  await ageSeat(sql, roomId, grace.id, 60_000);
  await sweepAbsent(sql, { timeoutMs: 30_000 });
  assert.equal((await roomSnapshot(sql, roomId))?.room.state, "ended");
  await assert.rejects(joinRoom(sql, linus.id, roomId), refusedWith("conflict"));
  assert.deepEqual(await roomViolations(sql), []);
});

// Concurrency

const rounds = 6;

dbTest("two moderators inviting one listener at once make one invitation", async (sql, db) => {
  const { first, second, close } = await twoProcesses(sql, db);
  try {
    const { ada, grace, roomId } = await stagedRoom(sql);
    await act(sql, ada.id, roomId, { type: "make_moderator", target: "grace" });
    const listeners = await cast(sql, ...Array.from({ length: rounds }, (_, i) => `listener${i}`));
    for (const [handle, member] of Object.entries(listeners)) {
      await joinRoom(sql, member.id, roomId);
      const results = await Promise.allSettled([
        act(first, ada.id, roomId, { type: "invite_to_speak", target: handle }),
        act(second, grace.id, roomId, { type: "invite_to_speak", target: handle }),
      ]);
      for (const r of results) if (r.status === "rejected") refusedWith("conflict")(r.reason);
      assert.equal((await seat(sql, roomId, handle))?.invited, true);
      await act(sql, member.id, roomId, { type: "accept_invite" });
      assert.equal((await seat(sql, roomId, handle))?.role, "speaker");
      assert.deepEqual(await roomViolations(sql), []);
    }
  } finally {
    await close();
  }
});

dbTest("a hand lowered while its owner is invited leaves a consistent room", async (sql, db) => {
  const { first, second, close } = await twoProcesses(sql, db);
  try {
    const { ada, linus, roomId } = await stagedRoom(sql, "linus");
    for (let i = 0; i < rounds; i++) {
      await act(sql, linus.id, roomId, { type: "raise_hand" });
      const results = await Promise.allSettled([
        act(first, ada.id, roomId, { type: "invite_to_speak", target: "linus" }),
        act(second, linus.id, roomId, { type: "lower_hand" }),
        act(second, linus.id, roomId, { type: "accept_invite" }),
      ]);
      for (const r of results) if (r.status === "rejected") refusedWith("conflict")(r.reason);
      assert.deepEqual(await roomViolations(sql), []);
      const linusSeat = await seat(sql, roomId, "linus");
      if (linusSeat?.role === "speaker") {
        await act(sql, ada.id, roomId, { type: "move_to_audience", target: "linus" });
      } else {
        await act(sql, linus.id, roomId, { type: "decline_invite" });
      }
      assert.deepEqual(await roomViolations(sql), []);
    }
  } finally {
    await close();
  }
});

dbTest(
  "the last moderator leaving while someone joins never leaves a room unmoderated",
  async (sql, db) => {
    const { first, second, close } = await twoProcesses(sql, db);
    try {
      const { ada, linus, mary } = await cast(sql, "ada", "linus", "mary");
      for (let i = 0; i < rounds; i++) {
        const roomId = await openRoom(sql, ada.id);
        // In even rounds a speaker is there to take over; in odd ones only listeners are.
        if (i % 2 === 0) {
          await joinRoom(sql, mary.id, roomId);
          await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "mary" });
          await act(sql, mary.id, roomId, { type: "accept_invite" });
        }
        const results = await Promise.allSettled([
          act(first, ada.id, roomId, { type: "leave" }),
          joinRoom(second, linus.id, roomId),
        ]);
        for (const r of results) if (r.status === "rejected") refusedWith("conflict")(r.reason);
        assert.deepEqual(await roomViolations(sql), []);
        const snapshot = await roomSnapshot(sql, roomId);
        if (i % 2 === 0) {
          assert.equal(snapshot?.room.state, "live");
          assert.equal((await seat(sql, roomId, "mary"))?.role, "moderator");
        } else {
          assert.equal(snapshot?.room.state, "ended");
        }
      }
    } finally {
      await close();
    }
  },
);

dbTest("two moderators moving or removing one speaker at once agree", async (sql, db) => {
  const { first, second, close } = await twoProcesses(sql, db);
  try {
    const { ada, grace, roomId } = await stagedRoom(sql);
    await act(sql, ada.id, roomId, { type: "make_moderator", target: "grace" });
    const races: [ModeratorAction, ModeratorAction][] = [
      ["move_to_audience", "move_to_audience"],
      ["remove", "remove"],
      ["move_to_audience", "remove"],
      ["remove", "move_to_audience"],
    ];
    for (const [i, race] of races.entries()) {
      // A fresh speaker each round: a removed one cannot come back.
      const target = `speaker${i}`;
      const { [target]: speaker } = await cast(sql, target);
      await joinRoom(sql, speaker.id, roomId);
      await act(sql, ada.id, roomId, { type: "invite_to_speak", target });
      await act(sql, speaker.id, roomId, { type: "accept_invite" });
      const results = await Promise.allSettled([
        act(first, ada.id, roomId, { type: race[0], target }),
        act(second, grace.id, roomId, { type: race[1], target }),
      ]);
      for (const r of results) if (r.status === "rejected") refusedWith("conflict")(r.reason);
      assert.ok(results.some((r) => r.status === "fulfilled"));
      assert.deepEqual(await roomViolations(sql), []);
      const removed = results.some((r, j) => r.status === "fulfilled" && race[j] === "remove");
      assert.equal((await seat(sql, roomId, target))?.role, removed ? undefined : "listener");
    }
  } finally {
    await close();
  }
});

dbTest(
  "one member's role changes from two processes keep listening history ordered",
  async (sql, db) => {
    const { first, second, close } = await twoProcesses(sql, db);
    try {
      const { ada, linus, roomId } = await stagedRoom(sql, "linus");
      for (let i = 0; i < 3 * rounds; i++) {
        await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "linus" });
        const results = await Promise.allSettled([
          act(first, linus.id, roomId, { type: "accept_invite" }),
          act(second, linus.id, roomId, { type: "leave" }),
        ]);
        for (const r of results) {
          if (r.status === "rejected") refusedWith("conflict", "forbidden")(r.reason);
        }
        assert.deepEqual(await roomViolations(sql), []);
        await joinRoom(sql, linus.id, roomId);
        if ((await seat(sql, roomId, "linus"))?.role === "speaker") {
          await act(sql, ada.id, roomId, { type: "move_to_audience", target: "linus" });
        }
      }
    } finally {
      await close();
    }
  },
);

// PostgreSQL only: a transaction that began before another but takes the room lock after it.
// PGlite has one session, so its transactions cannot overlap like this.
Deno.test({
  name: "a leave that began before a competing accept still ends the listen in order [postgres]",
  ignore: !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    try {
      const { sql } = db;
      const { ada, linus, roomId } = await stagedRoom(sql, "linus");
      await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "linus" });
      // Linus's "leave" reaches PostgreSQL first: its transaction begins (now() is fixed)...
      const early = await sql.reserve();
      try {
        await early`begin`;
        // ...but his "accept" from another tab takes the room lock first and commits.
        await act(sql, linus.id, roomId, { type: "accept_invite" });
        // Then the leave goes on exactly as `act` runs it: lock the room, leave.
        const tx = early as unknown as Tx;
        try {
          await leave(tx, await lockRoom(tx, roomId), linus.id);
          await early`commit`;
        } catch (error) {
          await early`rollback`;
          throw error;
        }
      } finally {
        early.release();
      }
      assert.equal(await seat(sql, roomId, "linus"), undefined);
      assert.deepEqual(await roomViolations(sql), []);
    } finally {
      await db.close();
    }
  },
});
