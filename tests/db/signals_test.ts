import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, openRoom } from "./rooms_support.ts";
import { joinRoom } from "../../db/rooms.ts";
import { readSignals } from "../../db/signals.ts";
import { listenedSeconds } from "../../db/listening.ts";
import { seedSmallCommunity } from "../support/community.ts";

dbTest("listening while a member's history is paused is not read as a signal", async (sql) => {
  const { ada, grace, lin } = await cast(sql, "ada", "grace", "lin");
  const roomId = await openRoom(sql, ada.id);
  // Lin paused their listening history before joining (the setting the hallway offers).
  await sql`update users set listening_paused = true where id = ${lin.id}`;
  await joinRoom(sql, grace.id, roomId);
  await joinRoom(sql, lin.id, roomId);
  const signals = await readSignals(sql, { now: Date.now() + 60_000 });
  const listeners = new Set(signals.filter((s) => s.kind === "listen").map((s) => s.user));
  assert.ok(listeners.has(grace.id), "counted listening is read");
  assert.ok(!listeners.has(lin.id), "paused listening is left out");
  // What Lin does still counts towards others: Grace heard Ada, whatever Lin paused.
  assert.ok(
    signals.some((s) => s.kind === "listen" && s.user === grace.id && s.item.id === ada.id),
  );
});

dbTest("a room marked not interested is not read as a signal about an item", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const roomId = await openRoom(sql, ada.id);
  await sql`insert into signals (user_id, kind, room_id) values (${grace.id}, 'not_interested',
                                                                 ${roomId})`;
  const signals = await readSignals(sql);
  assert.deepEqual(signals.filter((s) => s.user === grace.id), []);
  assert.ok(signals.every((s) => Number.isInteger(s.item.id)));
});

dbTest(
  "a member's fold-in evidence is their listening in the history, summed per item",
  async (sql) => {
    const { community } = await seedSmallCommunity(sql, { members: 60, listens: 1500 });
    const now = new Date(community.now + 3_600_000);
    const history = await readSignals(sql, { now: now.getTime() });
    const members = [...new Set(history.filter((s) => s.kind === "listen").map((s) => s.user))];
    assert.ok(members.length > 20);
    for (const member of members) {
      const summed = new Map<string, number>();
      for (const s of history) {
        if (s.kind !== "listen" || s.user !== member) continue;
        const key = `${s.item.kind} ${s.item.id}`;
        summed.set(key, (summed.get(key) ?? 0) + s.seconds);
      }
      const evidence = await listenedSeconds(sql, member, { now });
      assert.equal(evidence.length, summed.size, `member ${member}`);
      for (const e of evidence) {
        const expected = summed.get(`${e.item.kind} ${e.item.id}`);
        assert.ok(
          expected !== undefined && Math.abs(e.seconds - expected) < 1e-6,
          `member ${member}`,
        );
      }
    }
  },
);
