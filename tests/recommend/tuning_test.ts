import assert from "node:assert/strict";
import { randomMatrixSplit } from "../../recommend/evaluate.ts";
import { type Trial, tune, tuningPlan, type TuningSpace } from "../../recommend/tuning.ts";
import { matrixOf, randomMatrix, seededRandom } from "./support.ts";

/**
 * Members in `clusters` groups, each listening to items of its own group only: a rank-`clusters`
 * matrix with a little noise, so enough factors to tell the groups apart clearly win.
 */
function clusteredMatrix(clusters: number, seed: number) {
  const random = seededRandom(seed);
  const itemsPerCluster = 12, membersPerCluster = 30;
  const entries: [number, number, number][] = [];
  for (let c = 0; c < clusters; c++) {
    for (let m = 0; m < membersPerCluster; m++) {
      const member = c * membersPerCluster + m;
      for (let i = 0; i < itemsPerCluster; i++) {
        if (random() < 0.6) entries.push([member, c * itemsPerCluster + i, 1 + random()]);
      }
    }
  }
  return matrixOf(clusters * membersPerCluster, clusters * itemsPerCluster, entries);
}

const smallSpace: TuningSpace = {
  factors: [2, 4, 8],
  regularization: [0.1, 1],
  alpha: [1, 10],
  unobservedWeight: [1],
  regularizationExponent: [0],
};

Deno.test("the tuner finds the planted number of factors on a rank-8 matrix", () => {
  const split = randomMatrixSplit(clusteredMatrix(8, 3), { share: 0.2, seed: 7 });
  const result = tune(split, {
    space: smallSpace,
    maxIterations: 8,
    k: 20,
    seed: 1,
    budget: { trainings: 100 },
  });
  assert.equal(result.plan.configurations, 12);
  assert.equal(result.best?.params.factors, 8);
  const twoFactors = result.trials.filter((t) => t.params.factors === 2);
  assert.ok(twoFactors.every((t) => t.recall < result.best!.recall - 0.05));
});

Deno.test("each rung keeps the better half of the one before, with twice the iterations", () => {
  const split = randomMatrixSplit(randomMatrix(80, 60, 0.15, 5), { share: 0.2, seed: 7 });
  const heard: Trial[] = [];
  const result = tune(split, {
    space: smallSpace,
    maxIterations: 8,
    k: 10,
    seed: 2,
    budget: { trainings: 100 },
    onTrial: (trial) => heard.push(trial),
  });
  assert.deepEqual(heard, result.trials);
  const rungs = Math.max(...result.trials.map((t) => t.rung)) + 1;
  // 12 configurations, then 6, 3, 2 and 1: five rungs ending at the most iterations asked.
  assert.equal(rungs, 5);
  assert.deepEqual(result.plan.rungIterations, [1, 1, 2, 4, 8]);
  for (let rung = 1; rung < rungs; rung++) {
    const before = result.trials.filter((t) => t.rung === rung - 1);
    const now = result.trials.filter((t) => t.rung === rung);
    assert.equal(now.length, Math.ceil(before.length / 2));
    // Every survivor measured at least as well as every configuration dropped.
    const kept = new Set(now.map((t) => JSON.stringify(t.params)));
    const dropped = before.filter((t) => !kept.has(JSON.stringify(t.params)));
    const survived = before.filter((t) => kept.has(JSON.stringify(t.params)));
    assert.equal(survived.length, now.length);
    assert.ok(
      Math.min(...survived.map((t) => t.recall)) >= Math.max(...dropped.map((t) => t.recall)),
    );
    assert.ok(now.every((t) => t.iterations === result.plan.rungIterations[rung]));
  }
  assert.equal(result.trials.filter((t) => t.rung === rungs - 1).length, 1);
});

Deno.test("the tuner never trains more often than the budget allows", () => {
  const split = randomMatrixSplit(randomMatrix(40, 30, 0.2, 9), { share: 0.2, seed: 7 });
  for (const trainings of [1, 4, 10, 23]) {
    const result = tune(split, {
      space: smallSpace,
      maxIterations: 4,
      k: 10,
      seed: 1,
      budget: { trainings },
    });
    assert.ok(result.trials.length <= trainings, `${result.trials.length} > ${trainings}`);
    assert.equal(result.trials.length, result.plan.trainings);
    // The plan is the largest that fits: one more configuration would not.
    const more = tuningPlan(result.plan.configurations + 1, {
      maxIterations: 4,
      budget: { trainings: 1000 },
    });
    assert.ok(more.trainings > trainings);
  }
});

Deno.test("when the time budget runs out the tuner stops and offers the best so far", () => {
  const split = randomMatrixSplit(randomMatrix(40, 30, 0.2, 9), { share: 0.2, seed: 7 });
  // A clock that moves one second each time it is read: no real time is measured.
  let clock = 0;
  const result = tune(split, {
    space: smallSpace,
    maxIterations: 4,
    k: 10,
    seed: 1,
    budget: { trainings: 100, seconds: 10 },
    now: () => (clock += 1000),
  });
  assert.ok(result.outOfTime);
  assert.ok(result.trials.length > 0 && result.trials.length < result.plan.trainings);
  const bestRecall = Math.max(...result.trials.map((t) => t.recall));
  assert.equal(result.best?.recall, bestRecall);
});

Deno.test("the configuration to include is tried first, and not twice", () => {
  const split = randomMatrixSplit(randomMatrix(40, 30, 0.2, 9), { share: 0.2, seed: 7 });
  const include = {
    factors: 4,
    regularization: 1,
    alpha: 10,
    unobservedWeight: 1,
    regularizationExponent: 0,
  };
  const result = tune(split, {
    space: smallSpace,
    maxIterations: 2,
    k: 10,
    seed: 1,
    budget: { trainings: 100 },
    include,
  });
  assert.deepEqual(result.trials[0].params, include);
  const firstRung = result.trials.filter((t) => t.rung === 0);
  assert.equal(firstRung.length, 12);
  assert.equal(
    firstRung.filter((t) => JSON.stringify(t.params) === JSON.stringify(include)).length,
    1,
  );
});
