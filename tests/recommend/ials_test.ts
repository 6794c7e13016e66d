/**
 * Rendle et al.'s iALS terms in recommend/als.ts: α₀ (`unobservedWeight`) on absent pairs and
 * frequency-scaled regularization (`regularizationExponent` ν), checked against the objective
 * written out pair by pair, and the defaults against the model trained before the terms existed.
 */
import assert from "node:assert/strict";
import {
  foldIn,
  halfStep,
  loss,
  randomFactors,
  type SolveParams,
  train,
  type TrainParams,
} from "../../recommend/als.ts";
import { trainReference } from "../../recommend/als_reference.ts";
import { itemRows, memberRows } from "../../recommend/interactions.ts";
import type { Interactions } from "../../recommend/signals.ts";
import { matrixOf, randomMatrix } from "./support.ts";

/** Four members, five items; item 4 has one member, member 3 one item. */
const small = matrixOf(4, 5, [
  [0, 0, 2],
  [0, 2, 1],
  [0, 3, 0.5],
  [1, 0, 1],
  [1, 1, 3],
  [2, 1, 1],
  [2, 2, 2],
  [2, 4, 4],
  [3, 3, 1],
]);

const ials: TrainParams = {
  factors: 3,
  regularization: 0.05,
  alpha: 4,
  unobservedWeight: 0.3,
  regularizationExponent: 0.7,
  iterations: 3,
  seed: 5,
  solver: "cholesky",
};

/** The weight of member u's entry for item i, or undefined when the pair is absent. */
function entryWeight(m: Interactions, u: number, i: number): number | undefined {
  for (let n = m.rowStart[u]; n < m.rowStart[u + 1]; n++) {
    if (m.itemIndex[n] === i) return m.weight[n];
  }
  return undefined;
}

function dot(x: Float64Array, u: number, y: Float64Array, i: number, k: number): number {
  let s = 0;
  for (let d = 0; d < k; d++) s += x[u * k + d] * y[i * k + d];
  return s;
}

function squaredLength(v: Float64Array, row: number, k: number): number {
  let s = 0;
  for (let d = 0; d < k; d++) s += v[row * k + d] ** 2;
  return s;
}

/** How many entries member u has, and how many item i has. */
function counts(m: Interactions) {
  const users = m.users.length, items = m.items.length;
  const ofMember = Array.from({ length: users }, (_, u) => m.rowStart[u + 1] - m.rowStart[u]);
  const ofItem = new Array<number>(items).fill(0);
  for (const i of m.itemIndex) ofItem[i]++;
  return { users, items, ofMember, ofItem };
}

/**
 * The paper's objective, plainly: every pair, observed ones with confidence 1 + α·w and
 * preference 1, absent ones with weight α₀ and preference 0, then
 * λ·(|Iᵤ| + α₀·|I|)^ν‖xᵤ‖² per member and λ·(|Uᵢ| + α₀·|U|)^ν‖yᵢ‖² per item.
 */
function directLoss(
  m: Interactions,
  x: Float64Array,
  y: Float64Array,
  k: number,
  p: SolveParams,
): number {
  const a0 = p.unobservedWeight!, nu = p.regularizationExponent!;
  const { users, items, ofMember, ofItem } = counts(m);
  let total = 0;
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      const s = dot(x, u, y, i, k);
      const w = entryWeight(m, u, i);
      total += w === undefined ? a0 * s * s : (1 + p.alpha * w) * (1 - s) ** 2;
    }
  }
  for (let u = 0; u < users; u++) {
    total += p.regularization * (ofMember[u] + a0 * items) ** nu * squaredLength(x, u, k);
  }
  for (let i = 0; i < items; i++) {
    total += p.regularization * (ofItem[i] + a0 * users) ** nu * squaredLength(y, i, k);
  }
  return total;
}

/** The largest |∂ directLoss / ∂xᵤ| component over every member u, items fixed. */
function largestMemberGradient(
  m: Interactions,
  x: Float64Array,
  y: Float64Array,
  k: number,
  p: SolveParams,
): number {
  const a0 = p.unobservedWeight!, nu = p.regularizationExponent!;
  const { users, items, ofMember } = counts(m);
  let worst = 0;
  for (let u = 0; u < users; u++) {
    const lambda = p.regularization * (ofMember[u] + a0 * items) ** nu;
    for (let d = 0; d < k; d++) {
      let g = 2 * lambda * x[u * k + d];
      for (let i = 0; i < items; i++) {
        const s = dot(x, u, y, i, k);
        const w = entryWeight(m, u, i);
        g += w === undefined ? 2 * a0 * s * y[i * k + d] : 2 * (1 + p.alpha * w) * (s - 1) *
          y[i * k + d];
      }
      worst = Math.max(worst, Math.abs(g));
    }
  }
  return worst;
}

/** The same for every item i, members fixed. */
function largestItemGradient(
  m: Interactions,
  x: Float64Array,
  y: Float64Array,
  k: number,
  p: SolveParams,
): number {
  const a0 = p.unobservedWeight!, nu = p.regularizationExponent!;
  const { users, items, ofItem } = counts(m);
  let worst = 0;
  for (let i = 0; i < items; i++) {
    const lambda = p.regularization * (ofItem[i] + a0 * users) ** nu;
    for (let d = 0; d < k; d++) {
      let g = 2 * lambda * y[i * k + d];
      for (let u = 0; u < users; u++) {
        const s = dot(x, u, y, i, k);
        const w = entryWeight(m, u, i);
        g += w === undefined ? 2 * a0 * s * x[u * k + d] : 2 * (1 + p.alpha * w) * (s - 1) *
          x[u * k + d];
      }
      worst = Math.max(worst, Math.abs(g));
    }
  }
  return worst;
}

function maxDifference(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let n = 0; n < a.length; n++) worst = Math.max(worst, Math.abs(a[n] - b[n]));
  return worst;
}

// What train() gave on this matrix before α₀ and ν existed (commit 489864b), to the last bit.
const todays = {
  cholesky: {
    userFactors: [
      0.028559084608564975,
      -0.4799236974377135,
      0.6364304411286594,
      -0.6802370648639321,
      -0.6284523910780122,
      -0.6139519588584328,
      -0.4217155669926714,
      -0.5616129639194015,
      0.5254589633888974,
      -0.7352214358051785,
      -0.24077149585846444,
      -0.6813774794318816,
    ],
    itemFactors: [
      -0.8780782172337158,
      -0.5729993453587326,
      0.22801524972084974,
      -0.8415075825282097,
      -0.3795821579575945,
      -1.1748224524532096,
      0.8533319658231141,
      -0.5888031174191255,
      -0.7686753244164134,
      -0.70422669541152,
    ],
    loss: [12.13537653066935, 6.549343641081974, 6.2499768638705],
  },
  cg: {
    userFactors: [
      0.028674789548251877,
      -0.4700719848046246,
      0.49216585862590984,
      -0.6390436687513226,
      -0.6957784206419239,
      -0.5910099464835761,
      -0.6095604735836051,
      -0.5170527379229366,
      0.5457163440807198,
      -0.6955008356691279,
      -0.4598492644017549,
      -0.6002324591039696,
    ],
    itemFactors: [
      -0.8185351121641853,
      -0.46029274650447227,
      0.05387502546164294,
      -0.8745660807273725,
      -0.26063629320196813,
      -1.2460832607014913,
      0.7807333376269089,
      -0.749654584230498,
      -0.7529181246166422,
      -0.6332537506642864,
    ],
    loss: [12.202646414914774, 7.126642792162733, 6.452353687093012],
  },
};

Deno.test("without α₀ and ν, training gives today's factors and loss bit for bit", () => {
  const interactions = randomMatrix(6, 5, 0.4, 21);
  for (const solver of ["cholesky", "cg"] as const) {
    const params: TrainParams = {
      factors: 2,
      regularization: 0.1,
      alpha: 0.37,
      iterations: 3,
      seed: 7,
      solver,
      cgSteps: 1,
    };
    const model = train(interactions, params);
    assert.deepEqual(
      {
        userFactors: [...model.userFactors],
        itemFactors: [...model.itemFactors],
        loss: model.loss,
      },
      todays[solver],
      solver,
    );
    const stated = train(interactions, {
      ...params,
      unobservedWeight: 1,
      regularizationExponent: 0,
    });
    assert.deepEqual(stated, model, `${solver}: α₀ = 1 and ν = 0 are the defaults`);
  }
});

Deno.test("the loss with α₀ and ν is the sum over every pair written out", () => {
  const model = train(small, ials);
  const k = ials.factors;
  const direct = directLoss(small, model.userFactors, model.itemFactors, k, ials);
  const fast = loss(small, model.userFactors, model.itemFactors, ials);
  assert.ok(Math.abs(fast - direct) < 1e-12 * direct, `${fast} against ${direct}`);
  assert.ok(Math.abs(model.loss.at(-1)! - direct) < 1e-12 * direct, "as training reports it");
  const reference = trainReference(small, ials).loss.at(-1)!;
  assert.ok(Math.abs(reference - direct) < 1e-9 * direct, `reference ${reference}`);
});

Deno.test("one exact half-step with α₀ and ν minimises the loss over each row", () => {
  const k = ials.factors;
  const x = randomFactors(4, k, 1);
  const y = randomFactors(5, k, 2).map((v) => v * 20);
  assert.ok(largestMemberGradient(small, x, y, k, ials) > 1e-3, "random factors are not a minimum");
  halfStep(memberRows(small), y, x, ials);
  assert.ok(largestMemberGradient(small, x, y, k, ials) < 1e-10);
  halfStep(itemRows(small), x, y, ials);
  assert.ok(largestItemGradient(small, x, y, k, ials) < 1e-10);
});

Deno.test("the fast kernel equals the reference within 1e-6 with α₀ and ν", () => {
  const interactions = randomMatrix(40, 25, 0.15, 3);
  const params: TrainParams = { ...ials, factors: 6, iterations: 4, unobservedWeight: 2.5 };
  const fast = train(interactions, params);
  const reference = trainReference(interactions, params);
  assert.ok(maxDifference(fast.userFactors, reference.userFactors) < 1e-6);
  assert.ok(maxDifference(fast.itemFactors, reference.itemFactors) < 1e-6);
  fast.loss.forEach((value, n) => assert.ok(Math.abs(value - reference.loss[n]) < 1e-6 * value));
  const plain = train(interactions, {
    ...params,
    unobservedWeight: undefined,
    regularizationExponent: undefined,
  });
  assert.ok(maxDifference(fast.userFactors, plain.userFactors) > 1e-3, "the terms count");
});

Deno.test("conjugate gradient with α₀ and ν ends near the exact solution", () => {
  const interactions = randomMatrix(60, 40, 0.12, 6);
  const params: TrainParams = { ...ials, factors: 6, iterations: 15 };
  const exact = train(interactions, params);
  const cg = train(interactions, { ...params, solver: "cg" });
  const cgLoss = directLoss(interactions, cg.userFactors, cg.itemFactors, 6, params);
  const exactLoss = exact.loss.at(-1)!;
  assert.ok(Math.abs(cgLoss - cg.loss.at(-1)!) < 1e-9 * cgLoss);
  assert.ok(Math.abs(cgLoss - exactLoss) < 0.01 * exactLoss, `${cgLoss} against ${exactLoss}`);
});

Deno.test("foldIn with α₀ and ν solves the member's row as training does", () => {
  const k = ials.factors;
  const model = train(small, ials);
  const solved = model.userFactors.slice();
  halfStep(memberRows(small), model.itemFactors, solved, ials);
  assert.ok(largestMemberGradient(small, solved, model.itemFactors, k, ials) < 1e-10);
  for (let member = 0; member < 4; member++) {
    const entries = [];
    for (let n = small.rowStart[member]; n < small.rowStart[member + 1]; n++) {
      entries.push({ item: small.itemIndex[n], weight: small.weight[n] });
    }
    const vector = foldIn(model.itemFactors, k, entries, ials);
    assert.ok(maxDifference(vector, solved.subarray(member * k, (member + 1) * k)) < 1e-12);
  }
});

Deno.test("the block solver with one block of every dimension is the exact solve", () => {
  const interactions = randomMatrix(30, 20, 0.2, 12);
  const params: TrainParams = { ...ials, factors: 5 };
  const items = randomFactors(20, 5, 3);
  const exact = randomFactors(30, 5, 4);
  const blocks = exact.slice();
  halfStep(memberRows(interactions), items, exact, params);
  halfStep(memberRows(interactions), items, blocks, { ...params, solver: "block", blockSize: 5 });
  assert.ok(maxDifference(exact, blocks) < 1e-12);
});

Deno.test("sweeps of smaller blocks converge to the exact solve of each row", () => {
  const interactions = randomMatrix(30, 20, 0.2, 12);
  const params: TrainParams = { ...ials, factors: 5 };
  const items = randomFactors(20, 5, 3).map((v) => v * 10);
  const exact = randomFactors(30, 5, 4);
  const blocks = exact.slice();
  halfStep(memberRows(interactions), items, exact, params);
  const sweep = { ...params, solver: "block" as const, blockSize: 2 };
  halfStep(memberRows(interactions), items, blocks, sweep);
  assert.ok(maxDifference(exact, blocks) > 1e-6, "one sweep of blocks of 2 is not exact");
  for (let n = 0; n < 300; n++) halfStep(memberRows(interactions), items, blocks, sweep);
  assert.ok(maxDifference(exact, blocks) < 1e-9, `${maxDifference(exact, blocks)}`);
});

Deno.test("the block solver's loss never increases and ends near the exact solution", () => {
  const interactions = randomMatrix(60, 40, 0.12, 6);
  const params: TrainParams = { ...ials, factors: 6, iterations: 15 };
  const exactLoss = train(interactions, params).loss.at(-1)!;
  const blocks = train(interactions, { ...params, solver: "block", blockSize: 2 });
  for (let n = 1; n < blocks.loss.length; n++) {
    assert.ok(blocks.loss[n] <= blocks.loss[n - 1] * (1 + 1e-12), `iteration ${n + 1} went up`);
  }
  const blockLoss = blocks.loss.at(-1)!;
  // Alternating steps need not meet at the same point: as low as the exact solver's, within 2%.
  assert.ok(blockLoss < 1.02 * exactLoss, `${blockLoss} against ${exactLoss}`);
  const direct = directLoss(interactions, blocks.userFactors, blocks.itemFactors, 6, params);
  assert.ok(Math.abs(direct - blockLoss) < 1e-9 * direct);
});
