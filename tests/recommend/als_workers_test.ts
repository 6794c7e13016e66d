import assert from "node:assert/strict";
import {
  gramian,
  mirrorLower,
  type Model,
  randomFactors,
  train,
  type TrainParams,
} from "../../recommend/als.ts";
import {
  rowsPerClaim,
  splitGramian,
  trainParallel,
  workersFor,
} from "../../recommend/als_workers.ts";
import { Kernel, Plan } from "../../recommend/kernel/kernel.ts";
import { matrixOf, randomMatrix } from "./support.ts";

const params: TrainParams = {
  factors: 8,
  regularization: 0.1,
  alpha: 5,
  iterations: 4,
  seed: 11,
};

function assertSameModel(parallel: Model, alone: Model): void {
  for (const side of ["userFactors", "itemFactors"] as const) {
    assert.equal(parallel[side].length, alone[side].length);
    for (let n = 0; n < alone[side].length; n++) {
      assert.ok(Math.abs(parallel[side][n] - alone[side][n]) <= 1e-9, `${side}[${n}] differs`);
    }
  }
  assert.equal(parallel.loss.length, alone.loss.length);
  parallel.loss.forEach((value, n) => assert.ok(Math.abs(value - alone.loss[n]) <= 1e-9));
}

/** 101 members: the first has every one of the 400 items, the others 4 each. */
function oneHeavyMember() {
  const entries: [number, number, number][] = [];
  for (let i = 0; i < 400; i++) entries.push([0, i, 1 + (i % 7)]);
  for (let u = 1; u <= 100; u++) {
    for (let n = 0; n < 4; n++) entries.push([u, (u * 37 + n * 101) % 400, 2]);
  }
  return matrixOf(101, 400, entries);
}

for (const solver of ["cg", "cholesky"] as const) {
  Deno.test(`two workers train the same model as one thread (${solver})`, async () => {
    const interactions = randomMatrix(120, 80, 0.1, 21);
    const both = { ...params, solver };
    assert.equal(workersFor(interactions, { workers: 2 }), 2);
    assertSameModel(
      await trainParallel(interactions, both, { workers: 2 }),
      train(interactions, both),
    );
  });
}

Deno.test("with iALS's α₀ and ν, two workers still train the same model", async () => {
  // Each worker solves a view of its rows: its rows' regularization must still count the whole
  // other side (Rendle et al.'s λ·(|Iᵤ| + α₀·|I|)^ν), and the loss both sides' rows.
  const interactions = randomMatrix(120, 80, 0.1, 23);
  for (const solver of ["cg", "cholesky"] as const) {
    const both = { ...params, solver, unobservedWeight: 0.3, regularizationExponent: 0.7 };
    const alone = train(interactions, both);
    assertSameModel(await trainParallel(interactions, both, { workers: 2 }), alone);
    // And the terms took effect: not the model without them.
    assert.notDeepEqual(alone.loss, train(interactions, { ...params, solver }).loss);
  }
});

Deno.test("a member with half the non-zeros: two workers still train the same model", async () => {
  const interactions = oneHeavyMember();
  for (const solver of ["cg", "cholesky"] as const) {
    const both = { ...params, solver };
    assertSameModel(
      await trainParallel(interactions, both, { workers: 2 }),
      train(interactions, both),
    );
  }
});

Deno.test("workers claim rows in runs of about a 64th of their share", () => {
  assert.equal(rowsPerClaim(100_000, 2), 782);
  // Never none: a Worker that claimed none would never reach the end.
  assert.equal(rowsPerClaim(5, 2), 1);
  assert.equal(rowsPerClaim(0, 2), 1);
});

Deno.test("a Gramian split by its rows' entries sums to the same bits as whole", () => {
  const k = 64;
  const matrix = randomFactors(500, k, 5);
  assert.deepEqual([...splitGramian(k, 2)], [0, 45, 64]);
  const plan = new Plan();
  const at = { matrix: plan.f64(matrix.length), gram: plan.f64(k * k) };
  const kernel = Kernel.create(plan);
  kernel.f64(at.matrix, matrix.length).set(matrix);
  const cuts = splitGramian(k, 3);
  for (let n = 0; n < 3; n++) {
    kernel.addGramianRows({ ...at, rows: 500, k, from: cuts[n], to: cuts[n + 1] });
  }
  const gram = kernel.f64(at.gram, k * k).slice();
  mirrorLower(gram, k);
  assert.deepEqual(gram, gramian(matrix, k));
});

Deno.test("a matrix with fewer non-zeros than the threshold trains in this thread", () => {
  const interactions = randomMatrix(20, 10, 0.2, 3);
  assert.equal(workersFor(interactions, { workers: 2, fromNonZeros: 1_000 }), 1);
  assert.equal(workersFor(interactions, { workers: 2, fromNonZeros: 10 }), 2);
  assert.equal(workersFor(matrixOf(1, 3, [[0, 1, 1]]), { workers: 2 }), 1);
});

Deno.test("progress comes after every iteration, as from train", async () => {
  const interactions = randomMatrix(60, 40, 0.1, 8);
  const heard: number[] = [];
  const model = await trainParallel(interactions, params, {
    workers: 2,
    onProgress: (p) => heard.push(p.iteration),
  });
  assert.deepEqual(heard, [1, 2, 3, 4]);
  assert.equal(model.loss.length, 4);
});

Deno.test("a half-step failing in a worker fails the training with its reason", async () => {
  const interactions = randomMatrix(60, 40, 0.1, 9);
  await assert.rejects(
    trainParallel(interactions, { ...params, solver: "cholesky", regularization: -100 }, {
      workers: 2,
    }),
    /not positive definite/,
  );
});

Deno.test("the workers end with the training, finished or failed", async () => {
  // A live Worker keeps its process running, so a process that trains and then ends by itself
  // has none left. The guard only stops a process that would otherwise never end.
  const module = new URL("../../recommend/als_workers.ts", import.meta.url).href;
  const support = new URL("./support.ts", import.meta.url).href;
  const code = `
    import { trainParallel } from "${module}";
    import { randomMatrix } from "${support}";
    const interactions = randomMatrix(60, 40, 0.1, 8);
    const params = { factors: 4, regularization: 0.1, alpha: 5, iterations: 2, seed: 1 };
    await trainParallel(interactions, params, { workers: 2 });
    const failing = { ...params, solver: "cholesky", regularization: -100 };
    await trainParallel(interactions, failing, { workers: 2 }).catch(() => console.log("failed"));
    console.log("trained");
  `;
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    signal: AbortSignal.timeout(60_000),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(child.signal, null, "the process had to be stopped: a Worker outlived training");
  assert.equal(child.code, 0);
  assert.equal(new TextDecoder().decode(child.stdout), "failed\ntrained\n");
});

Deno.test("stopping a training Worker mid-training ends the Workers it started", async () => {
  // As Trainer.stop does: the training Worker is terminated while two Workers of its own train.
  const trainWorker = new URL("../../recommend/train_worker.ts", import.meta.url).href;
  const columns = new URL("../../recommend/signal_columns.ts", import.meta.url).href;
  const data = new URL("../../bench/recommend_data.ts", import.meta.url).href;
  const code = `
    import { columnBuffers, signalColumns } from "${columns}";
    import { syntheticSignals } from "${data}";
    const signals = signalColumns([...syntheticSignals({
      members: 3_000, topics: 50, people: 450, listens: 60_000, seed: 1,
    })]);
    const worker = new Worker("${trainWorker}", { type: "module" });
    const training = new Promise((resolve) => worker.onmessage = (event) => {
      if (event.data.type === "progress") resolve(event.data.workers);
    });
    worker.postMessage({
      signals,
      als: { factors: 64, regularization: 0.1, alpha: 10, iterations: 1000, seed: 1 },
      weights: { pick: 1, follow: 1, listen: 1 },
      parallel: { workers: 2, fromNonZeros: 0 },
      evaluation: { holdoutShare: 0.2, k: 20, maxMembers: 100 },
    }, columnBuffers(signals));
    console.log("training on", await training);
    worker.terminate();
  `;
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    signal: AbortSignal.timeout(60_000),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(child.signal, null, "the process had to be stopped: a Worker outlived training");
  assert.equal(child.code, 0);
  assert.equal(new TextDecoder().decode(child.stdout), "training on 2\n");
});

Deno.test("with the loss in several blocks, two workers give the same losses bit for bit", async () => {
  // 9,000 members: three blocks of the loss (recommend/training_space.ts `lossBlockRows`).
  const interactions = randomMatrix(9_000, 30, 0.05, 31);
  const both = { ...params, iterations: 2 };
  const alone = train(interactions, both);
  const parallel = await trainParallel(interactions, both, { workers: 2 });
  assert.deepEqual(parallel.loss, alone.loss);
  assert.deepEqual(parallel.userFactors, alone.userFactors);
});
