import assert from "node:assert/strict";
import { foldIn, halfStep, loss, train, type TrainParams } from "../../recommend/als.ts";
import { referenceLoss, toMatrix, trainReference } from "../../recommend/als_reference.ts";
import { memberRows } from "../../recommend/interactions.ts";
import { matrixOf, randomMatrix, seededRandom } from "./support.ts";

const exact: TrainParams = {
  factors: 6,
  regularization: 0.1,
  alpha: 5,
  iterations: 4,
  seed: 7,
  solver: "cholesky",
};

function maxDifference(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let n = 0; n < a.length; n++) worst = Math.max(worst, Math.abs(a[n] - b[n]));
  return worst;
}

Deno.test("the fast kernel equals the ml-matrix reference within 1e-6", () => {
  const interactions = randomMatrix(40, 25, 0.15, 3);
  const fast = train(interactions, exact);
  const reference = trainReference(interactions, exact);
  assert.ok(maxDifference(fast.userFactors, reference.userFactors) < 1e-6);
  assert.ok(maxDifference(fast.itemFactors, reference.itemFactors) < 1e-6);
  fast.loss.forEach((value, n) => assert.ok(Math.abs(value - reference.loss[n]) < 1e-6 * value));
});

Deno.test("the loss computed with the YᵀY trick equals the sum over every pair", () => {
  const interactions = randomMatrix(30, 20, 0.2, 4);
  const model = train(interactions, { ...exact, iterations: 2 });
  const fast = loss(interactions, model.userFactors, model.itemFactors, exact);
  const full = referenceLoss(
    memberRows(interactions),
    toMatrix(model.userFactors, 30, exact.factors),
    toMatrix(model.itemFactors, 20, exact.factors),
    exact,
  );
  assert.ok(Math.abs(fast - full) < 1e-9 * full);
  assert.equal(fast, model.loss[1]);
});

Deno.test("the loss never increases across iterations with the exact solver", () => {
  const model = train(randomMatrix(80, 50, 0.1, 5), { ...exact, iterations: 12 });
  for (let n = 1; n < model.loss.length; n++) {
    assert.ok(model.loss[n] <= model.loss[n - 1] * (1 + 1e-12), `iteration ${n + 1} went up`);
  }
});

Deno.test("the loss never increases across iterations with conjugate gradient", () => {
  const model = train(randomMatrix(80, 50, 0.1, 5), { ...exact, iterations: 12, solver: "cg" });
  for (let n = 1; n < model.loss.length; n++) {
    assert.ok(model.loss[n] <= model.loss[n - 1] * (1 + 1e-12), `iteration ${n + 1} went up`);
  }
});

Deno.test("conjugate gradient ends near the exact solution", () => {
  const interactions = randomMatrix(60, 40, 0.12, 6);
  const exactLoss = train(interactions, { ...exact, iterations: 15 }).loss.at(-1)!;
  const cgLoss = train(interactions, { ...exact, iterations: 15, solver: "cg" }).loss.at(-1)!;
  assert.ok(Math.abs(cgLoss - exactLoss) < 0.01 * exactLoss);
});

Deno.test("equal seeds train equal models", () => {
  const interactions = randomMatrix(30, 20, 0.2, 8);
  const params: TrainParams = { ...exact, solver: "cg" };
  assert.deepEqual(train(interactions, params), train(interactions, params));
});

Deno.test("foldIn equals the member half-step for that member", () => {
  const interactions = randomMatrix(50, 30, 0.15, 9);
  const model = train(interactions, exact);
  const solved = model.userFactors.slice();
  halfStep(memberRows(interactions), model.itemFactors, solved, exact);
  for (const member of [0, 17, 49]) {
    const entries = [];
    for (let n = interactions.rowStart[member]; n < interactions.rowStart[member + 1]; n++) {
      entries.push({ item: interactions.itemIndex[n], weight: interactions.weight[n] });
    }
    const vector = foldIn(model.itemFactors, exact.factors, entries, exact);
    const k = exact.factors;
    assert.ok(maxDifference(vector, solved.subarray(member * k, (member + 1) * k)) < 1e-12);
  }
});

Deno.test("a member with no entries folds in to the zero vector", () => {
  const model = train(randomMatrix(20, 10, 0.3, 10), exact);
  assert.deepEqual(foldIn(model.itemFactors, exact.factors, [], exact), new Float64Array(6));
});

Deno.test("ALS recovers planted tastes: held-out items rank high for their members", () => {
  // Four communities, each with its own twelve items; every member keeps 7 of their
  // community's items in training, 2 are held out, 3 they never saw. The planted rank is 4, and
  // so is the model's: the 5 own-community items left must be each member's top 5.
  const groups = 4, itemsPerGroup = 12, membersPerGroup = 30;
  const random = seededRandom(11);
  const entries: [number, number, number][] = [];
  const heldOut: number[][] = [];
  const training: Set<number>[] = [];
  for (let member = 0; member < groups * membersPerGroup; member++) {
    const group = member % groups;
    const items = Array.from({ length: itemsPerGroup }, (_, n) => group * itemsPerGroup + n);
    shuffle(items, random);
    heldOut.push(items.slice(7, 9));
    training.push(new Set(items.slice(0, 7)));
    for (const item of items.slice(0, 7)) entries.push([member, item, 1 + 3 * random()]);
  }
  const interactions = matrixOf(groups * membersPerGroup, groups * itemsPerGroup, entries);
  const k = 4;
  const model = train(interactions, {
    ...exact,
    factors: k,
    regularization: 1,
    iterations: 10,
    solver: "cg",
  });

  for (let member = 0; member < heldOut.length; member++) {
    const candidates = [];
    for (let item = 0; item < groups * itemsPerGroup; item++) {
      if (training[member].has(item)) continue;
      let score = 0;
      for (let d = 0; d < k; d++) {
        score += model.userFactors[member * k + d] * model.itemFactors[item * k + d];
      }
      candidates.push({ item, score });
    }
    candidates.sort((a, b) => b.score - a.score);
    const top = new Set(candidates.slice(0, itemsPerGroup - 7).map((c) => c.item));
    for (const item of heldOut[member]) assert.ok(top.has(item), `member ${member}, item ${item}`);
  }
});

function shuffle(values: number[], random: () => number): void {
  for (let n = values.length - 1; n > 0; n--) {
    const m = Math.floor(random() * (n + 1));
    [values[n], values[m]] = [values[m], values[n]];
  }
}
