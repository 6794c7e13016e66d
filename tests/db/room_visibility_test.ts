/**
 * Who may see a room, decided once by `findVisibleRoom` (the `may_see` rule) for live,
 * scheduled and ended rooms alike, and the opaque public ids rooms are found by.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, openRoom } from "./rooms_support.ts";
import {
  findVisibleRoom,
  joinRoom,
  publicRoomId,
  roomSnapshot,
  scheduleEvent,
} from "../../db/rooms.ts";
import { act } from "../../db/room_actions.ts";
import { block } from "../../db/safety.ts";
import { clearListeningHistory } from "../../db/listening.ts";
import { hallwayFor } from "../../db/hallway.ts";
import { follow } from "../../db/profiles.ts";
import { migrate } from "../../db/migrate.ts";
import type { Sql } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";

const dayMs = 86_400_000;

/** How `findVisibleRoom` answers: "seen", or the refusal's code and message. */
async function answer(
  sql: Sql,
  publicId: string,
  memberId: number,
  linkKey?: string,
): Promise<string> {
  try {
    const room = await findVisibleRoom(sql, publicId, memberId, { linkKey });
    assert.equal(room.publicId, publicId);
    return "seen";
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return `${error.code}: ${error.message}`;
  }
}

const hidden = "not_found: No such room";

async function linkKeyOf(sql: Sql, roomId: number): Promise<string> {
  return (await roomSnapshot(sql, roomId))!.room.linkKey;
}

dbTest("every room gets its own opaque public id, unrelated to its key", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await publicRoomId(sql, await openRoom(sql, ada.id)));
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) {
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    assert.doesNotMatch(id, /^\d+$/);
  }
  // 122 random bits each: the ids of consecutive rooms share no common prefix to count from.
  const prefixes = new Set(ids.map((id) => id.slice(0, 4)));
  assert.ok(prefixes.size > 15, `only ${prefixes.size} distinct prefixes`);
});

dbTest("rooms made before public ids existed each get one when migrating", async (sql) => {
  await sql.unsafe(`
    drop function may_see(bigint, bigint);
    alter table rooms drop column public_id;
    delete from migrations where name = '008_room_public_ids.sql'`);
  const { ada } = await cast(sql, "ada");
  const before = await sql`
    insert into rooms (title, kind, state, creator_id, link_key, started_at)
    select 'Old room ' || n, 'open', 'live', ${ada.id}, 'key', now()
    from generate_series(1, 3) n returning id`;
  assert.deepEqual(await migrate(sql), ["008_room_public_ids.sql"]);
  const rows = await sql`select public_id from rooms where id in ${sql(before.map((r) => r.id))}`;
  assert.equal(new Set(rows.map((r) => r.public_id)).size, 3);
  for (const r of rows) assert.match(r.public_id, /^[A-Za-z0-9_-]{22}$/);
});

dbTest("a malformed id, an unknown id and a hidden room are refused alike", async (sql) => {
  const { ada, linus } = await cast(sql, "ada", "linus");
  const closed = await publicRoomId(sql, await openRoom(sql, ada.id, { kind: "closed" }));
  assert.equal(await answer(sql, closed, linus.id), hidden);
  assert.equal(await answer(sql, "AAAAAAAAAAAAAAAAAAAAAA", linus.id), hidden);
  assert.equal(await answer(sql, "1", linus.id), hidden);
  assert.equal(await answer(sql, "' or 1=1 --", linus.id), hidden);
  assert.equal(await answer(sql, closed, ada.id), "seen");
});

dbTest("a live closed room is seen through its link, and only the right link", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, ada.id, { kind: "closed" });
  const other = await openRoom(sql, ada.id, { kind: "closed", title: "Other" });
  const publicId = await publicRoomId(sql, roomId);
  assert.equal(await answer(sql, publicId, grace.id, await linkKeyOf(sql, other)), hidden);
  assert.equal(await answer(sql, publicId, grace.id, "wrong"), hidden);
  assert.equal(await answer(sql, publicId, grace.id, await linkKeyOf(sql, roomId)), "seen");
  // The link let her in for good: the plain address works now, for her alone.
  assert.equal(await answer(sql, publicId, grace.id), "seen");
  assert.equal(await answer(sql, publicId, linus.id), hidden);
});

dbTest("an ended closed room is seen only by those who took part in it", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, ada.id, { kind: "closed" });
  const publicId = await publicRoomId(sql, roomId);
  const linkKey = await linkKeyOf(sql, roomId);
  await joinRoom(sql, grace.id, roomId, { linkKey });
  await act(sql, ada.id, roomId, { type: "end" });
  assert.equal(await answer(sql, publicId, ada.id), "seen");
  assert.equal(await answer(sql, publicId, grace.id), "seen");
  assert.equal(await answer(sql, publicId, linus.id), hidden);
  // Its link no longer lets anyone in once it has ended.
  assert.equal(await answer(sql, publicId, linus.id, linkKey), hidden);
  assert.equal(await answer(sql, publicId, linus.id), hidden);
  // Clearing one's listening history forgets having been there, this room's page included.
  await clearListeningHistory(sql, grace.id);
  assert.equal(await answer(sql, publicId, grace.id), hidden);
});

dbTest("a scheduled closed event is seen by its hosts and link holders only", async (sql) => {
  const { ada, grace, linus, mary } = await cast(sql, "ada", "grace", "linus", "mary");
  const roomId = await scheduleEvent(sql, ada.id, {
    title: "Secret jam",
    description: "Not for everyone",
    topics: ["jazz"],
    kind: "closed",
    startsAt: new Date(Date.now() + dayMs),
    cohosts: ["grace"],
  });
  const publicId = await publicRoomId(sql, roomId);
  assert.equal(await answer(sql, publicId, ada.id), "seen");
  assert.equal(await answer(sql, publicId, grace.id), "seen");
  assert.equal(await answer(sql, publicId, linus.id), hidden);
  assert.deepEqual((await hallwayFor(sql, linus.id)).upcoming, []);
  assert.equal(await answer(sql, publicId, linus.id, await linkKeyOf(sql, roomId)), "seen");
  assert.equal(await answer(sql, publicId, linus.id), "seen");
  assert.deepEqual((await hallwayFor(sql, linus.id)).upcoming.map((e) => e.title), [
    "Secret jam",
  ]);
  assert.equal(await answer(sql, publicId, mary.id), hidden);
});

dbTest("an ended open room is seen by members, not by those its creator blocked", async (sql) => {
  const { ada, grace, mallory } = await cast(sql, "ada", "grace", "mallory");
  await block(sql, ada.id, "mallory");
  const roomId = await openRoom(sql, ada.id);
  const publicId = await publicRoomId(sql, roomId);
  assert.equal(await answer(sql, publicId, mallory.id), hidden);
  await act(sql, ada.id, roomId, { type: "end" });
  assert.equal(await answer(sql, publicId, grace.id), "seen");
  assert.equal(await answer(sql, publicId, mallory.id), hidden);
});

dbTest("a member the creator blocks no longer sees the ended room they were in", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const roomId = await openRoom(sql, ada.id, { kind: "closed" });
  const publicId = await publicRoomId(sql, roomId);
  await joinRoom(sql, grace.id, roomId, { linkKey: await linkKeyOf(sql, roomId) });
  await act(sql, ada.id, roomId, { type: "end" });
  assert.equal(await answer(sql, publicId, grace.id), "seen");
  await block(sql, ada.id, "grace");
  assert.equal(await answer(sql, publicId, grace.id), hidden);
});

dbTest("an ended social room is seen only by those who took part in it", async (sql) => {
  const { ada, grace, linus } = await cast(sql, "ada", "grace", "linus");
  const roomId = await openRoom(sql, ada.id, { kind: "social" });
  const publicId = await publicRoomId(sql, roomId);
  await follow(sql, ada.id, "grace");
  await joinRoom(sql, grace.id, roomId);
  await act(sql, ada.id, roomId, { type: "end" });
  assert.equal(await answer(sql, publicId, grace.id), "seen");
  assert.equal(await answer(sql, publicId, linus.id), hidden);
});

dbTest("a removed member is told so, while the room is live and after it ended", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const roomId = await openRoom(sql, ada.id);
  const publicId = await publicRoomId(sql, roomId);
  await joinRoom(sql, grace.id, roomId);
  await act(sql, ada.id, roomId, { type: "remove", target: "grace" });
  const removed = "forbidden: A moderator removed you from this room";
  assert.equal(await answer(sql, publicId, grace.id), removed);
  await act(sql, ada.id, roomId, { type: "end" });
  assert.equal(await answer(sql, publicId, grace.id), removed);
});
