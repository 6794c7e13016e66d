import assert from "node:assert/strict";
import {
  evaluate,
  type Holdout,
  measure,
  pickedTopicsScorer,
  popularityScorer,
  type Scorer,
  timeSplit,
} from "../../recommend/evaluate.ts";
import { defaultSignalWeights, type ItemRef, type Signal } from "../../recommend/signals.ts";
import { seededRandom } from "./support.ts";

const splitAt = 100;
const topic = (id: number): ItemRef => ({ kind: "topic", id });
const listen = (user: number, item: ItemRef, at: number): Signal => ({
  kind: "listen",
  user,
  item,
  at,
  seconds: 300,
});

// Member 1 heard topics 1-5 before T, then 1 and 2 again; member 2 picked topic 3, heard topic 5
// twice before T, then topic 4 and a person the training never saw; member 3 went quiet.
const signals: Signal[] = [
  ...[1, 2, 3, 4, 5].map((id) => listen(1, topic(id), 10)),
  { kind: "pick", user: 2, item: topic(3), at: 5 },
  listen(2, topic(5), 20),
  listen(3, topic(5), 30),
  listen(1, topic(1), 150),
  listen(1, topic(2), 160),
  listen(2, topic(4), 170),
  listen(2, { kind: "person", id: 99 }, 180),
];

/** Ranks items by a fixed order of training indices, best first. */
function fixedOrder(name: string, order: number[]): Scorer {
  return {
    name,
    score: (_user, scores) => order.forEach((item, rank) => scores[item] = order.length - rank),
  };
}

/** Knows the answer: every truth item above every other item. */
function oracle(holdout: Holdout): Scorer {
  return {
    name: "oracle",
    score(user, scores) {
      scores.fill(0);
      for (const item of holdout.truth.get(user)?.known ?? []) scores[item] = 1;
    },
  };
}

Deno.test("a scorer that knows the answer scores 1", () => {
  const holdout = timeSplit(signals, splitAt, defaultSignalWeights, { keepSeen: true });
  const metrics = measure(holdout, oracle(holdout), 2, [1]);
  assert.deepEqual(metrics, { name: "oracle", recall: 1, ndcg: 1, members: 1 });
});

Deno.test("a reversed ranking scores 0 at k=2 and its known NDCG at k=5", () => {
  const holdout = timeSplit(signals, splitAt, defaultSignalWeights, { keepSeen: true });
  const reversed = fixedOrder("reversed", [4, 3, 2, 1, 0]);
  assert.equal(measure(holdout, reversed, 2, [1]).recall, 0);
  assert.equal(measure(holdout, reversed, 2, [1]).ndcg, 0);
  const atFive = measure(holdout, reversed, 5, [1]);
  assert.equal(atFive.recall, 1);
  const ndcg = (1 / Math.log2(5) + 1 / Math.log2(6)) / (1 + 1 / Math.log2(3));
  assert.ok(Math.abs(atFive.ndcg - ndcg) < 1e-12);
});

Deno.test("items unknown before T count as misses no scorer can avoid", () => {
  const holdout = timeSplit(signals, splitAt, defaultSignalWeights, { keepSeen: true });
  assert.deepEqual(holdout.truth.get(2), { known: Int32Array.of(3), size: 2 });
  const metrics = measure(holdout, oracle(holdout), 2, [2]);
  assert.equal(metrics.recall, 0.5);
  assert.ok(Math.abs(metrics.ndcg - 1 / (1 + 1 / Math.log2(3))) < 1e-12);
});

Deno.test("members with no listens after T are skipped", () => {
  const holdout = timeSplit(signals, splitAt, defaultSignalWeights, { keepSeen: true });
  assert.deepEqual([...holdout.truth.keys()], [1, 2]);
  assert.equal(measure(holdout, oracle(holdout), 2).members, 2);
});

Deno.test("by default the time split keeps only discoveries in the truth and the rankings", () => {
  const holdout = timeSplit(signals, splitAt, defaultSignalWeights);
  assert.deepEqual([...holdout.truth.keys()], [2]);
  // Member 2 saw topics 3 and 5 (indices 2, 4): skipped, so topic 4 comes first.
  const metrics = measure(holdout, fixedOrder("seen first", [4, 2, 3, 1, 0]), 1);
  assert.equal(metrics.recall, 1);
});

Deno.test("popularity ranks by listeners before T; picked topics puts picks first", () => {
  const holdout = timeSplit(signals, splitAt, defaultSignalWeights);
  const scores = new Float64Array(5);
  popularityScorer(holdout).score(2, scores);
  assert.deepEqual([...scores], [1, 1, 1, 1, 3]);
  pickedTopicsScorer(holdout).score(2, scores);
  assert.deepEqual([...scores], [1 / 3, 1 / 3, 1 + 1 / 3, 1 / 3, 1]);
});

/**
 * Three groups of 40 members, each with its own 10 topics (popularity equal within a group);
 * before T and after it, members listen within their group.
 */
function sharedTastes(): Signal[] {
  const random = seededRandom(21);
  const community: Signal[] = [];
  for (let user = 1; user <= 120; user++) {
    const group = user % 3;
    const someTopic = () => topic(group * 10 + 1 + Math.floor(random() * 10));
    community.push({ kind: "pick", user, item: someTopic(), at: 0 });
    for (let n = 0; n < 6; n++) community.push(listen(user, someTopic(), 1 + random() * 98));
    for (let n = 0; n < 3; n++) community.push(listen(user, someTopic(), 101 + random() * 98));
  }
  return community;
}

const sharedAls = { factors: 3, regularization: 1, alpha: 10, iterations: 8, seed: 1 };

Deno.test("on a community with shared tastes ALS beats popularity and picked topics", () => {
  const { results } = evaluate(sharedTastes(), {
    holdout: { mode: "time", splitAt, keepSeen: true },
    k: 5,
    weights: defaultSignalWeights,
    als: sharedAls,
  });
  const [model, popularity, picked] = results;
  assert.deepEqual(results.map((r) => r.name), ["als", "popularity", "picked topics"]);
  assert.ok(model.recall > popularity.recall && model.recall > picked.recall);
  assert.ok(model.ndcg > popularity.ndcg && model.ndcg > picked.ndcg);
});

Deno.test("the time split with seen items kept gives the numbers it gave before random holdouts", () => {
  // Figures the evaluation printed on this community before the random holdout existed.
  const { results } = evaluate(sharedTastes(), {
    holdout: { mode: "time", splitAt, keepSeen: true },
    k: 5,
    weights: defaultSignalWeights,
    als: sharedAls,
  });
  const before = [
    { name: "als", recall: 0.5138888888888886, ndcg: 0.42356198303672593, members: 120 },
    { name: "popularity", recall: 0.15694444444444444, ndcg: 0.12428489701420761, members: 120 },
    { name: "picked topics", recall: 0.20555555555555544, ndcg: 0.20479827435068276, members: 120 },
  ];
  assert.deepEqual(results.map((r) => [r.name, r.members]), before.map((r) => [r.name, r.members]));
  results.forEach((r, n) => {
    assert.ok(Math.abs(r.recall - before[n].recall) < 1e-12, `${r.name} recall ${r.recall}`);
    assert.ok(Math.abs(r.ndcg - before[n].ndcg) < 1e-12, `${r.name} NDCG ${r.ndcg}`);
  });
});

Deno.test("measure on a hand-built holdout gives hand-computed recall@k and NDCG@k", () => {
  // Six items. Member 10 must find items 1 and 4 and already has item 0; member 20 must find
  // item 5 (and one item no scorer knows) and has nothing to leave out.
  const holdout: Holdout = {
    items: 6,
    truth: new Map([
      [10, { known: Int32Array.of(1, 4), size: 2 }],
      [20, { known: Int32Array.of(5), size: 2 }],
    ]),
    exclude: new Map([[10, Int32Array.of(0)]]),
  };
  // Everyone gets the order 0, 1, 2, 3, 4, 5; member 10 never sees item 0 ranked.
  const ranking = fixedOrder("fixed", [0, 1, 2, 3, 4, 5]);
  const at3 = measure(holdout, ranking, 3);
  // Member 10: ranks 1, 2, 3 are items 1, 2, 3: one hit at rank 1 of two → recall 1/2,
  // DCG 1, ideal 1 + 1/log2(3). Member 20: items 0, 1, 2: no hit.
  const ideal = 1 + 1 / Math.log2(3);
  assert.equal(at3.members, 2);
  assert.ok(Math.abs(at3.recall - (0.5 + 0) / 2) < 1e-12);
  assert.ok(Math.abs(at3.ndcg - (1 / ideal + 0) / 2) < 1e-12);
  const at6 = measure(holdout, ranking, 6);
  // Member 10: items 1..5 in ranks 1..5: hits at ranks 1 and 4 → recall 1, DCG 1 + 1/log2(5).
  // Member 20: items 0..5: a hit at rank 6 of two truths → recall 1/2, DCG 1/log2(7).
  assert.ok(Math.abs(at6.recall - (1 + 0.5) / 2) < 1e-12);
  const ndcg10 = (1 + 1 / Math.log2(5)) / ideal;
  const ndcg20 = (1 / Math.log2(7)) / ideal;
  assert.ok(Math.abs(at6.ndcg - (ndcg10 + ndcg20) / 2) < 1e-12);
});
