import assert from "node:assert/strict";
import { startRoom } from "../../db/rooms.ts";
import {
  currentHomes,
  forgetNode,
  holdsHome,
  markNodeSeen,
  placeHome,
  releaseHome,
  renewHomes,
} from "../../db/room_homes.ts";
import type { Sql } from "../../db/client.ts";
import { dbTest } from "../support/databases.ts";
import { firstAdmin } from "./support.ts";

const leaseMs = 5000;

async function rooms(sql: Sql, count: number): Promise<number[]> {
  const ada = await firstAdmin(sql);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(
      await startRoom(sql, ada.id, {
        title: `Room ${i}`,
        description: "",
        topics: ["jazz"],
        kind: "open",
      }),
    );
  }
  return ids;
}

dbTest(
  "a room goes to the live node with the fewest rooms, the asking one among equals",
  async (sql) => {
    const [r1, r2, r3] = await rooms(sql, 3);
    for (const node of ["a", "b"]) await markNodeSeen(sql, node);
    // A node not seen within a lease is given nothing.
    await sql`insert into nodes (id, seen_at) values ('gone', now() - interval '1 minute')`;

    const first = await placeHome(sql, r1, { nodeId: "a", leaseMs });
    assert.equal(first.nodeId, "a", "equals: the asking node");
    assert.match(first.streamKey, /^[A-Za-z0-9_-]{22}$/);
    const second = await placeHome(sql, r2, { nodeId: "a", leaseMs });
    assert.equal(second.nodeId, "b", "a holds one room, b none");
    assert.notEqual(second.streamKey, first.streamKey);
    const third = await placeHome(sql, r3, { nodeId: "gone", leaseMs });
    assert.notEqual(third.nodeId, "gone");

    // Asked again, a placed room keeps its home and key.
    assert.deepEqual(await placeHome(sql, r1, { nodeId: "b", leaseMs }), first);
  },
);

dbTest("two nodes placing one room at once agree on its home", async (sql) => {
  const [room] = await rooms(sql, 1);
  const nodes = ["a", "b", "c", "d"];
  for (const node of nodes) await markNodeSeen(sql, node);
  const placed = await Promise.all(
    nodes.map((nodeId) => placeHome(sql, room, { nodeId, leaseMs })),
  );
  assert.equal(new Set(placed.map((home) => home.streamKey)).size, 1);
});

dbTest("a home past its lease is replaced, and then cannot renew what it lost", async (sql) => {
  const [room] = await rooms(sql, 1);
  for (const node of ["a", "b"]) await markNodeSeen(sql, node);
  const old = await placeHome(sql, room, { nodeId: "a", leaseMs });
  await sql`update room_homes set lease_until = now() - interval '1 second'`;
  assert.equal((await currentHomes(sql, [room])).get(room)?.live, false);

  // Nobody placed it again: the late home renews its own lease (the key fences it).
  const kept = await renewHomes(sql, [{ roomId: room, streamKey: old.streamKey }], {
    nodeId: "a",
    leaseMs,
  });
  assert.deepEqual([...kept], [room]);
  assert.equal((await currentHomes(sql, [room])).get(room)?.live, true);

  // Now it lapses and b places the room: a new key, and a's renewal no longer holds it.
  await sql`update room_homes set lease_until = now() - interval '1 second'`;
  const taken = await placeHome(sql, room, { nodeId: "b", leaseMs });
  assert.notEqual(taken.streamKey, old.streamKey);
  const lost = await renewHomes(sql, [{ roomId: room, streamKey: old.streamKey }], {
    nodeId: "a",
    leaseMs,
  });
  assert.equal(lost.size, 0);
  assert.equal(await holdsHome(sql, room, old.streamKey, "a"), false);
  assert.equal(await holdsHome(sql, room, taken.streamKey, taken.nodeId), true);
});

dbTest("a released room or a forgotten node's rooms are placed afresh at once", async (sql) => {
  const [r1, r2] = await rooms(sql, 2);
  for (const node of ["a", "b"]) await markNodeSeen(sql, node);
  const one = await placeHome(sql, r1, { nodeId: "a", leaseMs });
  await releaseHome(sql, r1, one.streamKey);
  assert.equal((await currentHomes(sql, [r1])).size, 0);

  const two = await placeHome(sql, r2, { nodeId: "a", leaseMs });
  assert.equal(two.nodeId, "a");
  await forgetNode(sql, "a");
  const again = await placeHome(sql, r2, { nodeId: "b", leaseMs });
  assert.equal(again.nodeId, "b");
});
