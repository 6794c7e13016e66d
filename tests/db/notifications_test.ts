/**
 * Who is notified of what (db/notifications.ts): a host's followers when they start a room or
 * schedule an event, and nobody who muted them, turned the kind off, may not see the room or
 * is blocked either way; pings to followers, limited; invitations to speak while away; event
 * reminders once, even from two sweeps at once; unread counts, marking read, the inbox's pages.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, openRoom, refusedWith, twoProcesses } from "./rooms_support.ts";
import type { Sql } from "../../db/client.ts";
import type { ChangeEvent } from "../../db/events.ts";
import {
  forgetOldNotifications,
  inbox,
  inboxPageSize,
  markAllRead,
  markRead,
  mute,
  noticesIn,
  notificationSettings,
  ping,
  pingable,
  sendReminders,
  setKindsOn,
  unmute,
  unreadCount,
} from "../../db/notifications.ts";
import { follow } from "../../db/profiles.ts";
import { joinRoom, openEvent, scheduleEvent, setInterest } from "../../db/rooms.ts";
import { act } from "../../db/room_actions.ts";
import { block } from "../../db/safety.ts";

const limits = {
  pingsPerMember: { max: 3, windowMs: 3_600_000 },
  pingsPerPair: { max: 1, windowMs: 3_600_000 },
};

/** Who holds a notification of `kind`, by handle, sorted. */
async function told(sql: Sql, kind: string): Promise<string[]> {
  const rows = await sql`
    select u.handle from notifications n join users u on u.id = n.member_id
    where n.kind = ${kind} order by u.handle`;
  return rows.map((r) => r.handle);
}

dbTest("a room started tells the host's followers and nobody else", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  await follow(sql, grace.id, "ada");
  await openRoom(sql, ada.id);
  assert.deepEqual(await told(sql, "room_started"), ["grace"]);
  assert.equal(await unreadCount(sql, grace.id), 1);
  assert.equal(await unreadCount(sql, linus.id), 0);
  assert.equal(await unreadCount(sql, ada.id), 0);
});

dbTest("a follower who muted the host, or turned the kind off, is not told", async (sql) => {
  const { ada, grace, linus, ken } = await cast(sql, "ada", "grace", "linus", "ken");
  for (const member of [grace, linus, ken]) await follow(sql, member.id, "ada");
  await mute(sql, grace.id, "ada");
  await setKindsOn(sql, linus.id, ["event_scheduled", "ping"]);
  await openRoom(sql, ada.id);
  assert.deepEqual(await told(sql, "room_started"), ["ken"]);
  // Linus kept events on: scheduling one tells him, and still not Grace.
  await scheduleEvent(sql, ada.id, {
    title: "Tomorrow",
    description: "",
    topics: ["jazz"],
    kind: "open",
    startsAt: new Date(Date.now() + 86_400_000),
    cohosts: [],
  });
  assert.deepEqual(await told(sql, "event_scheduled"), ["ken", "linus"]);
  // Unmuted, Grace hears of the next room.
  await unmute(sql, grace.id, "ada");
  await openRoom(sql, ada.id, { title: "Again" });
  assert.deepEqual(await told(sql, "room_started"), ["grace", "ken", "ken"]);
});

dbTest(
  "a closed room tells only followers allowed in, and blocks stop it either way",
  async (sql) => {
    const { ada, grace, linus, ken } = await cast(sql, "ada", "grace", "linus", "ken");
    for (const member of [grace, linus, ken]) await follow(sql, member.id, "ada");
    await openRoom(sql, ada.id, { kind: "closed" });
    assert.deepEqual(await told(sql, "room_started"), []);
    await block(sql, ada.id, "linus");
    await block(sql, ken.id, "ada");
    await openRoom(sql, ada.id, { kind: "open", title: "Open" });
    assert.deepEqual(await told(sql, "room_started"), ["grace"]);
  },
);

dbTest("a new room announces the ids it made to every process", async (sql, db) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await follow(sql, grace.id, "ada");
  const heard: ChangeEvent[] = [];
  const stop = db.events.subscribe((event) => event.notices && heard.push(event));
  try {
    await openRoom(sql, ada.id);
    // Up to 10 s: a loaded machine delivers NOTIFY late, never not at all.
    for (let i = 0; i < 500 && heard.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    stop();
  }
  assert.equal(heard.length, 1);
  const fresh = await noticesIn(sql, heard[0].notices!, [grace.id]);
  assert.deepEqual(fresh.map((n) => [n.kind, n.actor.handle, n.room.title, n.unread]), [
    ["room_started", "ada", "Late jazz", 1],
  ]);
});

dbTest("only a follower of the pinger, not in the room, may be pinged", async (sql) => {
  const { ada, grace, linus, ken } = await cast(sql, "ada", "grace", "linus", "ken");
  await follow(sql, grace.id, "ada");
  await follow(sql, ken.id, "ada");
  // Ada follows Linus; Linus does not follow her: she may not summon him.
  await follow(sql, ada.id, "linus");
  const roomId = await openRoom(sql, ada.id);
  await joinRoom(sql, ken.id, roomId);
  await sql`delete from notifications`;
  assert.deepEqual((await pingable(sql, ada.id, roomId)).map((m) => m.handle), ["grace"]);
  await ping(sql, { pingerId: ada.id, roomId, handle: "grace", limits });
  assert.deepEqual(await told(sql, "ping"), ["grace"]);
  for (const handle of ["linus", "ken"]) {
    await assert.rejects(
      ping(sql, { pingerId: ada.id, roomId, handle, limits }),
      refusedWith("forbidden"),
    );
  }
  await assert.rejects(
    ping(sql, { pingerId: ada.id, roomId, handle: "nobody_here", limits }),
    refusedWith("not_found"),
  );
  await assert.rejects(
    ping(sql, { pingerId: ada.id, roomId, handle: "<script>", limits }),
    refusedWith("invalid"),
  );
  // Someone outside the room pings nobody into it.
  await assert.rejects(
    ping(sql, { pingerId: linus.id, roomId, handle: "ada", limits }),
    refusedWith("forbidden"),
  );
  assert.deepEqual(await told(sql, "ping"), ["grace"]);
});

dbTest("pings are limited per pair and per pinger", async (sql) => {
  const { ada, grace, linus, ken, joan } = await cast(sql, "ada", "grace", "linus", "ken", "joan");
  for (const member of [grace, linus, ken, joan]) await follow(sql, member.id, "ada");
  const roomId = await openRoom(sql, ada.id);
  await ping(sql, { pingerId: ada.id, roomId, handle: "grace", limits });
  await assert.rejects(
    ping(sql, { pingerId: ada.id, roomId, handle: "grace", limits }),
    refusedWith("rate_limited"),
  );
  await ping(sql, { pingerId: ada.id, roomId, handle: "linus", limits });
  await ping(sql, { pingerId: ada.id, roomId, handle: "ken", limits });
  await assert.rejects(
    ping(sql, { pingerId: ada.id, roomId, handle: "joan", limits }),
    refusedWith("rate_limited"),
  );
  assert.deepEqual(await told(sql, "ping"), ["grace", "ken", "linus"]);
});

dbTest("a ping to someone who muted the pinger is taken and tells nobody", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  await follow(sql, grace.id, "ada");
  await follow(sql, linus.id, "ada");
  await mute(sql, grace.id, "ada");
  await setKindsOn(sql, linus.id, ["room_started"]);
  const roomId = await openRoom(sql, ada.id);
  await ping(sql, { pingerId: ada.id, roomId, handle: "grace", limits });
  await ping(sql, { pingerId: ada.id, roomId, handle: "linus", limits });
  assert.deepEqual(await told(sql, "ping"), []);
});

dbTest("an invitation to speak tells a listener only while their page is away", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, ada.id);
  await joinRoom(sql, grace.id, roomId);
  await joinRoom(sql, linus.id, roomId);
  // Linus's page has not marked him seen for a minute: no page of his shows the room.
  await sql`update participants set last_seen_at = now() - interval '1 minute'
            where user_id = ${linus.id}`;
  await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "grace" });
  await act(sql, ada.id, roomId, { type: "invite_to_speak", target: "linus" });
  assert.deepEqual(await told(sql, "invited_to_speak"), ["linus"]);
});

dbTest(
  "an event's reminder goes once to each interested member, even from two sweeps at once",
  async (sql, db) => {
    const { ada, grace, linus, ken } = await cast(sql, "ada", "grace", "linus", "ken");
    const event = (startsInMs: number, title: string) =>
      scheduleEvent(sql, ada.id, {
        title,
        description: "",
        topics: ["jazz"],
        kind: "open",
        startsAt: new Date(Date.now() + startsInMs),
        cohosts: [],
      });
    const soon = await event(5 * 60_000, "Soon");
    const later = await event(3 * 3_600_000, "Later");
    for (const member of [grace, linus]) {
      await setInterest(sql, member.id, soon, true);
      await setInterest(sql, member.id, later, true);
    }
    await setInterest(sql, ken.id, soon, true);
    await setKindsOn(sql, ken.id, ["room_started"]);
    const pools = await twoProcesses(sql, db);
    try {
      const counts = await Promise.all([
        sendReminders(pools.first, { leadMs: 10 * 60_000 }),
        sendReminders(pools.second, { leadMs: 10 * 60_000 }),
        sendReminders(pools.second, { leadMs: 10 * 60_000 }),
      ]);
      assert.equal(counts.reduce((a, b) => a + b, 0), 2);
    } finally {
      await pools.close();
    }
    assert.equal(await sendReminders(sql, { leadMs: 10 * 60_000 }), 0);
    assert.deepEqual(await told(sql, "event_starting"), ["grace", "linus"]);
  },
);

dbTest("unread counts fall as notifications are read, one or all", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  await follow(sql, grace.id, "ada");
  await follow(sql, linus.id, "ada");
  for (const title of ["One", "Two", "Three"]) await openRoom(sql, ada.id, { title });
  assert.equal(await unreadCount(sql, grace.id), 3);
  const [newest] = (await inbox(sql, grace.id)).notices;
  assert.equal(newest.room.title, "Three");
  await markRead(sql, grace.id, newest.id);
  assert.equal(await unreadCount(sql, grace.id), 2);
  // Another member's notification is as unknown as a missing one.
  await assert.rejects(markRead(sql, linus.id, newest.id), refusedWith("not_found"));
  await markAllRead(sql, grace.id);
  assert.equal(await unreadCount(sql, grace.id), 0);
  assert.equal(await unreadCount(sql, linus.id), 3);
});

dbTest("the inbox pages newest first", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await follow(sql, grace.id, "ada");
  const rooms = inboxPageSize + 2;
  for (let i = 0; i < rooms; i++) await openRoom(sql, ada.id, { title: `Room ${i}` });
  const first = await inbox(sql, grace.id);
  assert.equal(first.notices.length, inboxPageSize);
  assert.equal(first.notices[0].room.title, `Room ${rooms - 1}`);
  assert.notEqual(first.next, null);
  const second = await inbox(sql, grace.id, { before: first.next! });
  assert.deepEqual(second.notices.map((n) => n.room.title), ["Room 1", "Room 0"]);
  assert.equal(second.next, null);
});

dbTest(
  "settings list every kind and the muted; unknown kinds and self-mutes are refused",
  async (sql) => {
    const { grace } = await cast(sql, "ada", "grace");
    await mute(sql, grace.id, "ada");
    await setKindsOn(sql, grace.id, ["room_started"]);
    const settings = await notificationSettings(sql, grace.id);
    assert.deepEqual(settings.kinds.filter((k) => k.on).map((k) => k.kind), ["room_started"]);
    assert.deepEqual(settings.muted.map((m) => m.handle), ["ada"]);
    await assert.rejects(setKindsOn(sql, grace.id, ["spam"]), refusedWith("invalid"));
    await assert.rejects(mute(sql, grace.id, "grace"), refusedWith("invalid"));
    await assert.rejects(mute(sql, grace.id, "nobody_here"), refusedWith("not_found"));
  },
);

dbTest("opening a scheduled event tells the host's followers it started", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await follow(sql, grace.id, "ada");
  const eventId = await scheduleEvent(sql, ada.id, {
    title: "Later",
    description: "",
    topics: ["jazz"],
    kind: "open",
    startsAt: new Date(Date.now() + 3_600_000),
    cohosts: [],
  });
  assert.deepEqual(await told(sql, "room_started"), []);
  await openEvent(sql, ada.id, eventId);
  assert.deepEqual(await told(sql, "room_started"), ["grace"]);
});

dbTest("notifications older than the keeping time are deleted, newer ones kept", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await follow(sql, grace.id, "ada");
  await openRoom(sql, ada.id, { title: "Long ago" });
  await sql`update notifications set created_at = now() - interval '91 days'`;
  await openRoom(sql, ada.id, { title: "Today" });
  assert.equal(await forgetOldNotifications(sql, { keepMs: 90 * 86_400_000 }), 1);
  assert.deepEqual((await inbox(sql, grace.id)).notices.map((n) => n.room.title), ["Today"]);
});
