import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, openRoom, refusedWith, roomViolations, twoProcesses } from "./rooms_support.ts";
import { dayMs } from "./support.ts";
import { joinRoom, publicRoomId, scheduleEvent } from "../../db/rooms.ts";
import { createInvite, signUpWithInvite } from "../../db/invites.ts";
import type { ChangeEvent } from "../../db/events.ts";
import { Refusal } from "../../db/errors.ts";
import { endRoomAsAdministrator, revokeInvitesOf, setAdministrator } from "../../db/admin_tools.ts";
import { suspend } from "../../db/suspensions.ts";

dbTest(
  "revoking a member's invites revokes the unused ones only, and logs how many",
  async (sql) => {
    const { ada, grace } = await cast(sql, "ada", "grace");
    const used = await createInvite(sql, grace.id, { ttlMs: dayMs });
    await signUpWithInvite(sql, used.token, {
      handle: "linus",
      displayName: "Linus",
      password: "correct horse battery",
    });
    await createInvite(sql, grace.id, { ttlMs: dayMs });
    await createInvite(sql, grace.id, { ttlMs: dayMs });
    await createInvite(sql, ada.id, { ttlMs: dayMs });
    assert.equal(await revokeInvitesOf(sql, ada.id, "grace"), 2);
    const states =
      await sql`select creator_id, revoked_at is not null as revoked, used_by is not null as used
                           from invites order by id`;
    assert.deepEqual(states.map((r) => [Number(r.creator_id), r.revoked, r.used]), [
      [grace.id, false, true],
      [grace.id, true, false],
      [grace.id, true, false],
      [ada.id, false, false],
    ]);
    const [log] = await sql`select action, member_id, details from admin_log`;
    assert.deepEqual([log.action, Number(log.member_id), log.details], [
      "revoke_invites",
      grace.id,
      { count: 2 },
    ]);
  },
);

dbTest("only administrators revoke a member's invites", async (sql) => {
  const { grace } = await cast(sql, "ada", "grace", "linus");
  await assert.rejects(revokeInvitesOf(sql, grace.id, "linus"), refusedWith("forbidden"));
  const [{ count }] = await sql`select count(*)::int as count from admin_log`;
  assert.equal(count, 0);
});

dbTest(
  "an administrator ends a live room they are not in, and its pages hear it",
  async (sql, db) => {
    const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
    const roomId = await openRoom(sql, grace.id);
    await joinRoom(sql, linus.id, roomId);
    const heard: ChangeEvent[] = [];
    const stop = db.events.subscribe((event) => event.room === roomId && heard.push(event));
    try {
      await endRoomAsAdministrator(sql, ada.id, await publicRoomId(sql, roomId), "Spam stream");
      // Up to 10 s: a loaded machine delivers NOTIFY late, never not at all.
      for (let i = 0; i < 500 && heard.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      stop();
    }
    const [room] = await sql`select state from rooms where id = ${roomId}`;
    assert.equal(room.state, "ended");
    const [{ seats }] =
      await sql`select count(*)::int as seats from participants where room_id = ${roomId}`;
    assert.equal(seats, 0);
    assert.equal(heard.length, 1);
    const [log] = await sql`select action, room_id, note, details from admin_log`;
    assert.deepEqual([log.action, Number(log.room_id), log.note, log.details], [
      "end_room",
      roomId,
      "Spam stream",
      { was: "live" },
    ]);
    assert.deepEqual(await roomViolations(sql), []);
  },
);

dbTest("an administrator ends a scheduled event, and not twice", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const eventId = await scheduleEvent(sql, grace.id, {
    title: "Later",
    description: "",
    topics: ["jazz"],
    kind: "open",
    startsAt: new Date(Date.now() + dayMs),
    cohosts: [],
  });
  const publicId = await publicRoomId(sql, eventId);
  await endRoomAsAdministrator(sql, ada.id, publicId);
  const [room] = await sql`select state from rooms where id = ${eventId}`;
  assert.equal(room.state, "ended");
  await assert.rejects(endRoomAsAdministrator(sql, ada.id, publicId), refusedWith("conflict"));
  await assert.rejects(
    endRoomAsAdministrator(sql, ada.id, "nosuchroom1"),
    refusedWith("not_found"),
  );
});

dbTest("only administrators end someone else's room", async (sql) => {
  const { grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, grace.id);
  await assert.rejects(
    endRoomAsAdministrator(sql, linus.id, await publicRoomId(sql, roomId)),
    refusedWith("forbidden"),
  );
  const [room] = await sql`select state from rooms where id = ${roomId}`;
  assert.equal(room.state, "live");
});

dbTest("making and unmaking an administrator is logged", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await setAdministrator(sql, ada.id, "grace", true);
  await setAdministrator(sql, grace.id, "ada", false);
  const admins = await sql`select handle from users where is_admin`;
  assert.deepEqual(admins.map((r) => r.handle), ["grace"]);
  const log = await sql`select actor_id, action, member_id from admin_log order by id`;
  assert.deepEqual(log.map((r) => [Number(r.actor_id), r.action, Number(r.member_id)]), [
    [ada.id, "make_admin", grace.id],
    [grace.id, "unmake_admin", ada.id],
  ]);
});

dbTest("the last administrator cannot unmake themselves", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await assert.rejects(
    setAdministrator(sql, ada.id, "ada", false),
    (e) => refusedWith("conflict")(e) && (e as Refusal).key === "refusal.admin.last",
  );
});

dbTest("a suspended administrator does not count as one who can act", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await setAdministrator(sql, ada.id, "grace", true);
  await suspend(sql, ada.id, "grace", { reason: "Cooling off", endsAt: null });
  await assert.rejects(setAdministrator(sql, ada.id, "ada", false), refusedWith("conflict"));
});

dbTest("a suspended member is not made an administrator", async (sql) => {
  const { ada } = await cast(sql, "ada", "grace");
  await suspend(sql, ada.id, "grace", { reason: "Cooling off", endsAt: null });
  await assert.rejects(setAdministrator(sql, ada.id, "grace", true), refusedWith("conflict"));
});

dbTest("only administrators make administrators", async (sql) => {
  const { grace } = await cast(sql, "ada", "grace");
  await assert.rejects(setAdministrator(sql, grace.id, "grace", true), refusedWith("forbidden"));
  await assert.rejects(setAdministrator(sql, grace.id, "ada", false), refusedWith("forbidden"));
});

dbTest(
  "two administrators unmaking each other at once leave one administrator",
  async (sql, db) => {
    const { ada, grace } = await cast(sql, "ada", "grace");
    await setAdministrator(sql, ada.id, "grace", true);
    const { first, second, close } = await twoProcesses(sql, db);
    try {
      for (let round = 0; round < 5; round++) {
        const results = await Promise.allSettled([
          setAdministrator(first, ada.id, "grace", false),
          setAdministrator(second, grace.id, "ada", false),
        ]);
        const refused = results.filter((r) => r.status === "rejected");
        assert.equal(refused.length, 1, JSON.stringify(results));
        refusedWith("forbidden", "conflict")((refused[0] as PromiseRejectedResult).reason);
        const admins = await sql`select id from users where is_admin`;
        assert.equal(admins.length, 1);
        // Both administrators again for the next round.
        const [left] = admins;
        await setAdministrator(
          sql,
          Number(left.id),
          Number(left.id) === ada.id ? "grace" : "ada",
          true,
        );
      }
    } finally {
      await close();
    }
  },
);
