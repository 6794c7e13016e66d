import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { seedSmallCommunity } from "../support/community.ts";
import { cast } from "../db/rooms_support.ts";
import { loadConfig } from "../../config.ts";
import type { Sql } from "../../db/client.ts";
import {
  appliedModel,
  applyModel,
  failStaleTrainings,
  type ModelParams,
  modelVersions,
  startTraining,
} from "../../db/models.ts";
import { readSignals } from "../../db/signals.ts";
import { train } from "../../recommend/als.ts";
import { buildInteractions } from "../../recommend/interactions.ts";
import { defaultModelParams, Trainer } from "../../recommend/training.ts";
import { latestTuning } from "../../db/tunings.ts";
import { refusedWith } from "../db/rooms_support.ts";

const params: ModelParams = { ...defaultModelParams, factors: 8, iterations: 4 };

async function trainer(
  sql: Sql,
  lines: string[] = [],
  options: { workers?: number; parallelFromNonZeros?: number; heartbeatMs?: number } = {},
): Promise<Trainer> {
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  return new Trainer(sql, { ...config.modelTraining, ...options, log: (line) => lines.push(line) });
}

dbTest("a training returns at once, then stores its factors, loss and metrics", async (sql) => {
  const { admin, community } = await seedSmallCommunity(sql);
  const lines: string[] = [];
  const training = await trainer(sql, lines);
  const id = await training.train(admin.id, params);
  const [started] = await modelVersions(sql, admin.id);
  assert.equal(started.id, id);
  assert.equal(started.state, "training", "train() does not wait for the training");
  await training.settled();

  const [version] = await modelVersions(sql, admin.id);
  assert.equal(version.state, "trained", version.error ?? "");
  assert.equal(version.iterationsDone, 4);
  assert.equal(version.loss.length, 4);
  assert.ok(version.loss[3] <= version.loss[0], "the loss goes down");
  const metrics = version.metrics!;
  assert.equal(metrics.k, 20);
  assert.deepEqual(metrics.results.map((m) => m.name), ["als", "popularity", "picked topics"]);
  assert.ok(metrics.results.every((m) => m.members > 0), "members were measured");
  assert.ok(metrics.members > 0 && metrics.members <= community.members.length);
  // Asked for nothing, it is measured on the default: a random fifth, seen items left out.
  assert.deepEqual(metrics.holdout, { mode: "random", share: 0.2, seed: 7, keepSeen: false });
  assert.ok(lines.some((l) => l.startsWith(`Model ${id}: iteration 4/4, loss `)));
  assert.ok(lines.some((l) => l.startsWith(`Model ${id}: trained in`)));

  await applyModel(sql, admin.id, id);
  const stored = await appliedModel(sql);
  assert.equal(stored?.memberIds.length, metrics.members);
  assert.equal(stored?.memberFactors.length, metrics.members * params.factors);
  assert.equal(stored?.itemFactors.length, metrics.items * params.factors);
  assert.ok(stored?.itemFactors.every(Number.isFinite));
});

/** Whether every value of `a` is within `share` of the same one in `b`. */
function near(a: number[], b: number[], share: number): boolean {
  return a.length === b.length && a.every((v, n) => Math.abs(v - b[n]) <= share * Math.abs(b[n]));
}

dbTest("a training solves with the weight of absences and the exponent asked", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const asked = { ...params, iterations: 2, unobservedWeight: 0.5, regularizationExponent: 1 };
  const training = await trainer(sql);
  await training.train(admin.id, asked);
  await training.settled();
  const [version] = await modelVersions(sql, admin.id);
  assert.equal(version.state, "trained", version.error ?? "");
  const interactions = buildInteractions(await readSignals(sql), asked.weights);
  // Every version starts from seed 1 (recommend/training.ts). Listening still under way in the
  // seeded rooms grows a little between the worker's read and this one: hence "near".
  const expected = train(interactions, { ...asked, seed: 1 }).loss;
  const plain = train(interactions, { ...params, iterations: 2, seed: 1 }).loss;
  assert.ok(near(version.loss, expected, 1e-4), `${version.loss} against ${expected}`);
  assert.ok(!near(version.loss, plain, 1e-2), `not the model without the terms: ${plain}`);
});

dbTest("a version asked to be measured on a time split says where it split", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const training = await trainer(sql);
  await training.train(admin.id, { ...params, holdout: "time" });
  await training.settled();
  const [version] = await modelVersions(sql, admin.id);
  assert.equal(version.state, "trained", version.error ?? "");
  const holdout = version.metrics!.holdout;
  assert.equal(holdout.mode, "time");
  assert.equal(holdout.keepSeen, false);
  // The last fifth of the history's span is held out.
  const times = (await readSignals(sql)).map((signal) => signal.at);
  const first = Math.min(...times), last = Math.max(...times);
  assert.ok(holdout.mode === "time");
  assert.ok(Math.abs(holdout.splitAt - (first + 0.8 * (last - first))) < 1e-3);
  assert.ok(version.metrics!.results.every((m) => m.members > 0), "members were measured");
});

dbTest("training on two workers stores the same model as on one thread", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  // Listening still going counts up to now: ended, the history stays the same for both.
  await sql`update listens set ended_at = statement_timestamp() where ended_at is null`;
  const trained = [];
  for (const workers of [1, 2]) {
    const lines: string[] = [];
    // The small community is below the default threshold: here every matrix is shared.
    const training = await trainer(sql, lines, { workers, parallelFromNonZeros: 0 });
    const id = await training.train(admin.id, params);
    await training.settled();
    const iterationLines = lines.filter((l) => l.startsWith(`Model ${id}: iteration `));
    assert.equal(iterationLines.length, 4);
    assert.ok(iterationLines.every((l) => l.endsWith(`workers: ${workers})`)), iterationLines[0]);
    await applyModel(sql, admin.id, id);
    const [version] = await modelVersions(sql, admin.id);
    assert.equal(version.state, "trained", version.error ?? "");
    trained.push({ version, stored: (await appliedModel(sql))! });
  }
  const [alone, shared] = trained;
  assert.deepEqual(shared.stored.memberIds, alone.stored.memberIds);
  assert.deepEqual(shared.stored.memberFactors, alone.stored.memberFactors);
  assert.deepEqual(shared.stored.itemFactors, alone.stored.itemFactors);
  shared.version.loss.forEach((value, n) =>
    assert.ok(Math.abs(value - alone.version.loss[n]) <= 1e-9, `loss ${n}`)
  );
});

dbTest("with too little history the version fails and says why", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const training = await trainer(sql);
  await training.train(ada.id, params);
  await training.settled();
  const [version] = await modelVersions(sql, ada.id);
  assert.equal(version.state, "failed");
  assert.match(version.error ?? "", /^Too little history to train: 0 members/);
});

dbTest("stopping the server marks its training failed and frees the next one", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const training = await trainer(sql);
  await training.train(admin.id, { ...params, factors: 256, iterations: 50 });
  await training.stop();
  const [version] = await modelVersions(sql, admin.id);
  assert.equal(version.state, "failed");
  assert.equal(version.error, "The server stopped while this model was training");
  const next = await training.train(admin.id, params);
  await training.settled();
  assert.equal((await modelVersions(sql, admin.id))[0].id, next);
  assert.equal((await modelVersions(sql, admin.id))[0].state, "trained");
});

dbTest(
  "a training marked failed elsewhere stops here and keeps the reason given there",
  async (sql) => {
    const { admin } = await seedSmallCommunity(sql);
    const lines: string[] = [];
    const training = await trainer(sql, lines, { heartbeatMs: 10 });
    const id = await training.train(admin.id, { ...params, factors: 64, iterations: 50 });
    // Another process's sweep finds its heartbeat too old (as when this process seemed dead).
    assert.deepEqual(await failStaleTrainings(sql, 0), [id]);
    await training.settled();
    const [version] = await modelVersions(sql, admin.id);
    assert.equal(version.state, "failed");
    assert.match(version.error ?? "", /stopped reporting/);
    assert.ok(
      lines.includes(`Model ${id}: stopped: it was marked failed elsewhere`),
      lines.join("\n"),
    );
    assert.ok(!lines.some((l) => l.includes("iteration 50/50")), "it stopped before its end");
    // The slot is free for the next one.
    await training.train(admin.id, params);
    await training.settled();
    assert.equal((await modelVersions(sql, admin.id))[0].state, "trained");
  },
);

dbTest("where no other process can train, a start-up fails what the last run left", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  // The last run of this process died while training version 1.
  await startTraining(sql, admin.id, params, { staleMs: 60_000 });
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  const training = new Trainer(sql, { ...config.modelTraining, soleProcess: true });
  training.start();
  try {
    const deadline = Date.now() + 10_000;
    while ((await modelVersions(sql, admin.id))[0].state === "training") {
      if (Date.now() > deadline) throw new Error("Version 1 is still training");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.match((await modelVersions(sql, admin.id))[0].error ?? "", /stopped reporting/);
  } finally {
    await training.stop();
  }
});

dbTest(
  "a tuning returns at once, then stores every configuration tried and the best",
  async (sql) => {
    const { admin } = await seedSmallCommunity(sql);
    const lines: string[] = [];
    const tuner = await trainer(sql, lines);
    const id = await tuner.tune(admin.id, { params, budgetMinutes: 1 });
    assert.equal((await latestTuning(sql, admin.id))?.state, "tuning", "tune() does not wait");
    await assert.rejects(tuner.train(admin.id, params), refusedWith("conflict"));
    await tuner.settled();

    const tuning = await latestTuning(sql, admin.id);
    assert.equal(tuning?.id, id);
    assert.equal(tuning?.state, "tuned", tuning?.error ?? "");
    const trials = tuning!.trials;
    assert.ok(trials.length > 1 && trials.length <= 40, "config.modelTraining.tuningTrainings");
    assert.equal(trials.length, tuning!.plan!.trainings);
    // The administrator's parameters are tried first, at the first rung's iterations.
    assert.equal(trials[0].params.factors, params.factors);
    assert.equal(trials.at(-1)!.iterations, params.iterations);
    const bestRecall = Math.max(...trials.map((t) => t.recall));
    assert.equal(tuning!.best?.recall, bestRecall);
    // One terminal line per configuration, and the outcome.
    assert.equal(lines.filter((l) => / rung \d+\/\d+: /.test(l)).length, trials.length);
    assert.ok(lines.some((l) => l.startsWith(`Tuning ${id}: tuned in`)));
    // Nothing was trained or applied by the tuning itself.
    assert.deepEqual(await modelVersions(sql, admin.id), []);
  },
);

dbTest("stopping the server marks its tuning failed and frees the next training", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const tuner = await trainer(sql);
  await tuner.tune(admin.id, { params: { ...params, iterations: 50 }, budgetMinutes: 30 });
  await tuner.stop();
  const tuning = await latestTuning(sql, admin.id);
  assert.equal(tuning?.state, "failed");
  assert.equal(tuning?.error, "The server stopped while this tuning ran");
  await tuner.train(admin.id, params);
  await tuner.settled();
  assert.equal((await modelVersions(sql, admin.id))[0].state, "trained");
});
