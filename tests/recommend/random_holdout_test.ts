import assert from "node:assert/strict";
import {
  measure,
  randomMatrixSplit,
  randomSplit,
  type Scorer,
  type Split,
} from "../../recommend/evaluate.ts";
import { buildInteractions } from "../../recommend/interactions.ts";
import { defaultSignalWeights, type Signal } from "../../recommend/signals.ts";
import { matrixOf, randomMatrix, seededRandom } from "./support.ts";

/** Each member's items in a split's training matrix, by member id. */
function trainingItems(split: Split): Map<number, number[]> {
  const { training } = split;
  return new Map(training.users.map((user, r) => [
    user,
    [...training.itemIndex.subarray(training.rowStart[r], training.rowStart[r + 1])],
  ]));
}

/** Each member's held-out items, by member id. */
function heldOut(split: Split): Map<number, number[]> {
  return new Map([...split.truth].map(([user, truth]) => [user, [...truth.known]]));
}

Deno.test("the same seed holds out the same items; another seed holds out others", () => {
  const matrix = randomMatrix(60, 40, 0.3, 5);
  const first = randomMatrixSplit(matrix, { share: 0.2, seed: 7 });
  const again = randomMatrixSplit(matrix, { share: 0.2, seed: 7 });
  const other = randomMatrixSplit(matrix, { share: 0.2, seed: 8 });
  assert.deepEqual(heldOut(again), heldOut(first));
  assert.deepEqual(again.training, first.training);
  assert.notDeepEqual(heldOut(other), heldOut(first));
  assert.deepEqual(first.spec, { mode: "random", share: 0.2, seed: 7, keepSeen: false });
});

Deno.test("a member's held-out items do not move when other members join", () => {
  const matrix = randomMatrix(30, 20, 0.4, 11);
  const before = randomMatrixSplit(matrix, { share: 0.2, seed: 7 });
  const withNewcomer = randomMatrixSplit(
    matrixOf(31, 20, [
      ...rowsOf(matrix),
      [30, 0, 1],
      [30, 1, 1],
      [30, 2, 1],
      [30, 3, 1],
      [30, 4, 1],
    ]),
    { share: 0.2, seed: 7 },
  );
  const newcomerId = 31;
  const kept = new Map([...heldOut(withNewcomer)].filter(([user]) => user !== newcomerId));
  assert.deepEqual(kept, heldOut(before));
  assert.ok(heldOut(withNewcomer).has(newcomerId));
});

/** A matrix's entries as `[row, item, weight]` triples. */
function rowsOf(matrix: ReturnType<typeof randomMatrix>): [number, number, number][] {
  const entries: [number, number, number][] = [];
  for (let r = 0; r < matrix.users.length; r++) {
    for (let n = matrix.rowStart[r]; n < matrix.rowStart[r + 1]; n++) {
      entries.push([r, matrix.itemIndex[n], matrix.weight[n]]);
    }
  }
  return entries;
}

Deno.test("a fifth of each member's items is held out, at least one; few items train only", () => {
  // Members 1-4 (rows 0-3) have 3, 5, 9 and 12 items of 12.
  const sizes = [3, 5, 9, 12];
  const matrix = matrixOf(
    4,
    12,
    sizes.flatMap((size, row) =>
      Array.from({ length: size }, (_, item) => [row, item, 1 + item] as [number, number, number])
    ),
  );
  const split = randomMatrixSplit(matrix, { share: 0.2, seed: 3 });
  // round(0.2 × 5) = 1, round(0.2 × 9) = 2, round(0.2 × 12) = 2; member 1 has fewer than 5.
  assert.deepEqual([...split.truth.keys()], [2, 3, 4]);
  assert.deepEqual([...split.truth.values()].map((t) => t.size), [1, 2, 2]);
  const training = trainingItems(split);
  for (const [row, size] of sizes.entries()) {
    const user = row + 1;
    const held = split.truth.get(user)?.known ?? Int32Array.of();
    const kept = training.get(user)!;
    assert.deepEqual(
      [...kept, ...held].sort((a, b) => a - b),
      Array.from({ length: size }, (_, item) => item),
      `member ${user}'s items are split between training and truth`,
    );
    assert.ok(held.every((item) => !kept.includes(item)));
  }
  assert.deepEqual(split.training.users, matrix.users);
  assert.deepEqual(split.training.items, matrix.items);
  // Weights follow their items into training.
  const row = split.training.rowStart[3];
  assert.equal(split.training.weight[row], 1 + split.training.itemIndex[row]);
});

Deno.test("seen items are never ranked by default: a scorer that puts them first loses nothing", () => {
  const split = randomMatrixSplit(randomMatrix(40, 30, 0.3, 9), { share: 0.2, seed: 7 });
  const training = trainingItems(split);
  // Seen items score 2, held-out ones 1, the rest 0.
  const seenFirst: Scorer = {
    name: "seen first",
    score(user, scores) {
      scores.fill(0);
      for (const item of split.truth.get(user)!.known) scores[item] = 1;
      for (const item of training.get(user) ?? []) scores[item] = 2;
    },
  };
  const k = 3;
  const left = measure(split, seenFirst, k);
  assert.equal(left.members, split.truth.size);
  assert.equal(left.recall, 1, "with seen items left out, the held-out ones come first");
  assert.equal(left.ndcg, 1);
  assert.ok([...training.values()].every((items) => items.length >= k));
  const kept = randomMatrixSplit(randomMatrix(40, 30, 0.3, 9), {
    share: 0.2,
    seed: 7,
    keepSeen: true,
  });
  assert.equal(kept.exclude.size, 0);
  const seenKept = measure(kept, seenFirst, k);
  assert.equal(seenKept.recall, 0, "kept, the seen items fill the top and score nothing");
});

Deno.test("a random holdout of signals holds out whole pairs, every signal about them", () => {
  const random = seededRandom(4);
  const signals: Signal[] = [];
  for (let user = 1; user <= 30; user++) {
    for (let id = 1; id <= 12; id++) {
      if (random() < 0.5) continue;
      const item = { kind: "topic" as const, id };
      signals.push({ kind: "listen", user, item, at: id, seconds: 60 + 60 * id });
      if (random() < 0.3) signals.push({ kind: "pick", user, item, at: id });
    }
  }
  const split = randomSplit(signals, defaultSignalWeights, { share: 0.2, seed: 7 });
  const again = randomSplit(signals, defaultSignalWeights, { share: 0.2, seed: 7 });
  assert.deepEqual(heldOut(again), heldOut(split));
  assert.notDeepEqual(
    heldOut(randomSplit(signals, defaultSignalWeights, { share: 0.2, seed: 70 })),
    heldOut(split),
  );

  const all = buildInteractions(signals, defaultSignalWeights);
  const training = trainingItems(split);
  const name = (items: typeof all.items, i: number) => items[i].id;
  all.users.forEach((user, r) => {
    const every = [...all.itemIndex.subarray(all.rowStart[r], all.rowStart[r + 1])]
      .map((i) => name(all.items, i));
    const kept = (training.get(user) ?? []).map((i) => name(split.training.items, i));
    const held = [...split.truth.get(user)?.known ?? []].map((i) => name(split.training.items, i));
    assert.equal(kept.length + (split.truth.get(user)?.size ?? 0), every.length);
    assert.ok([...kept, ...held].every((id) => every.includes(id)));
    assert.ok(held.every((id) => !kept.includes(id)), `member ${user}: a held-out item trains`);
  });
  // Nothing about a held-out pair is left in the evidence the baselines read.
  const { evidence } = split;
  evidence.users.forEach((user, r) => {
    const held = new Set(
      [...split.truth.get(user)?.known ?? []].map((i) => name(split.training.items, i)),
    );
    for (let n = evidence.rowStart[r]; n < evidence.rowStart[r + 1]; n++) {
      assert.ok(!held.has(evidence.items[evidence.itemIndex[n]].id));
    }
  });
  assert.ok(split.truth.size > 20, "most members have five items or more");
});

Deno.test("a held-out share outside (0, 1) is refused", () => {
  const matrix = randomMatrix(5, 5, 0.5, 1);
  assert.throws(() => randomMatrixSplit(matrix, { share: 0, seed: 1 }), RangeError);
  assert.throws(() => randomMatrixSplit(matrix, { share: 1, seed: 1 }), RangeError);
});
