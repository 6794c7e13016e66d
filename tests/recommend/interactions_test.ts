import assert from "node:assert/strict";
import { buildInteractions, itemRows, memberRows } from "../../recommend/interactions.ts";
import { defaultSignalWeights, type Signal } from "../../recommend/signals.ts";

const jazz = { kind: "topic", id: 1 } as const;
const chess = { kind: "topic", id: 2 } as const;
const ada = { kind: "person", id: 10 } as const;
const weights = { pick: 2, follow: 3, listen: 1 };

function entries(signals: Signal[], before?: number): string[] {
  const m = buildInteractions(signals, weights, { before });
  const out: string[] = [];
  m.users.forEach((user, r) => {
    for (let n = m.rowStart[r]; n < m.rowStart[r + 1]; n++) {
      const item = m.items[m.itemIndex[n]];
      out.push(`${user} ${item.kind}:${item.id} ${m.weight[n].toFixed(6)}`);
    }
  });
  return out;
}

Deno.test("an unpick cancels the earlier pick, and a later pick restores it", () => {
  assert.deepEqual(
    entries([
      { kind: "pick", user: 1, item: jazz, at: 1 },
      { kind: "unpick", user: 1, item: jazz, at: 2 },
      { kind: "pick", user: 1, item: chess, at: 1 },
      { kind: "unpick", user: 1, item: chess, at: 2 },
      { kind: "pick", user: 1, item: chess, at: 3 },
    ]),
    ["1 topic:2 2.000000"],
  );
});

Deno.test("cancellation goes by time, not by the order signals arrive in", () => {
  assert.deepEqual(
    entries([
      { kind: "unfollow", user: 1, item: ada, at: 5 },
      { kind: "follow", user: 1, item: ada, at: 4 },
      { kind: "follow", user: 2, item: ada, at: 6 },
      { kind: "unfollow", user: 2, item: ada, at: 5 },
    ]),
    ["2 person:10 3.000000"],
  );
});

Deno.test("listened seconds add up per pair, then count as log1p of minutes", () => {
  assert.deepEqual(
    entries([
      { kind: "listen", user: 1, item: jazz, at: 1, seconds: 90 },
      { kind: "listen", user: 1, item: jazz, at: 2, seconds: 30 },
      { kind: "listen", user: 1, item: ada, at: 2, seconds: 600 },
      { kind: "follow", user: 1, item: ada, at: 3 },
    ]),
    [`1 topic:1 ${Math.log1p(2).toFixed(6)}`, `1 person:10 ${(3 + Math.log1p(10)).toFixed(6)}`],
  );
});

Deno.test("only events before the cut count", () => {
  const signals: Signal[] = [
    { kind: "pick", user: 1, item: jazz, at: 10 },
    { kind: "unpick", user: 1, item: jazz, at: 20 },
    { kind: "listen", user: 2, item: chess, at: 19, seconds: 60 },
    { kind: "listen", user: 2, item: chess, at: 20, seconds: 6000 },
  ];
  assert.deepEqual(entries(signals, 20), [
    "1 topic:1 2.000000",
    `2 topic:2 ${Math.log1p(1).toFixed(6)}`,
  ]);
  assert.deepEqual(entries(signals, 10), []);
});

Deno.test("members and items with nothing left are left out; both sorted by id", () => {
  const m = buildInteractions([
    { kind: "listen", user: 9, item: ada, at: 1, seconds: 60 },
    { kind: "pick", user: 4, item: chess, at: 1 },
    { kind: "pick", user: 7, item: jazz, at: 1 },
    { kind: "unpick", user: 7, item: jazz, at: 2 },
    { kind: "listen", user: 4, item: jazz, at: 1, seconds: 0 },
    { kind: "pick", user: 9, item: jazz, at: 1 },
  ], defaultSignalWeights);
  assert.deepEqual(m.users, [4, 9]);
  assert.deepEqual(m.items, [jazz, chess, ada]);
  assert.deepEqual([...m.rowStart], [0, 1, 3]);
  assert.deepEqual([...m.itemIndex], [1, 0, 2]);
});

Deno.test("the item view lists each item's members with the same weights", () => {
  const m = buildInteractions([
    { kind: "listen", user: 1, item: jazz, at: 1, seconds: 60 },
    { kind: "pick", user: 2, item: jazz, at: 1 },
    { kind: "pick", user: 2, item: chess, at: 1 },
  ], weights);
  const byItem = itemRows(m);
  assert.deepEqual([...byItem.start], [0, 2, 3]);
  assert.deepEqual([...byItem.index], [0, 1, 1]);
  assert.deepEqual([...byItem.weight], [Math.log1p(1), 2, 2]);
  assert.equal(byItem.columns, 2);
  assert.equal(memberRows(m).columns, 2);
});
