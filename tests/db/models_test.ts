import { defaultHoldoutMode } from "../../vocabulary/holdouts.ts";
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, refusedWith } from "./rooms_support.ts";
import type { Sql } from "../../db/client.ts";
import { Refusal } from "../../db/errors.ts";
import {
  appliedModel,
  appliedModelId,
  applyModel,
  failStaleTrainings,
  failTraining,
  finishTraining,
  type ModelParams,
  modelVersions,
  recordProgress,
  rollBackModel,
  startTraining,
  type TrainedModel,
} from "../../db/models.ts";
import { savedRankWeights, setRankWeights } from "../../db/site_settings.ts";
import { knobAccepts, rankKnobs } from "../../vocabulary/knobs.ts";
import { defaultRankWeights } from "../../recommend/rank.ts";

const params: ModelParams = {
  factors: 2,
  regularization: 0.1,
  alpha: 10,
  unobservedWeight: 0.5,
  regularizationExponent: 1,
  iterations: 3,
  weights: { pick: 2, follow: 3, listen: 1 },
};
const staleMs = 120_000;

/** A small finished model: two members, three items, two factors. */
function trainedModel(memberIds: number[], scale = 1): TrainedModel {
  return {
    factors: 2,
    memberIds,
    items: [{ kind: "topic", id: 1 }, { kind: "topic", id: 2 }, {
      kind: "person",
      id: memberIds[0],
    }],
    memberFactors: Float32Array.of(0.5, -0.25, 1.5, 2).map((v) => v * scale),
    itemFactors: Float32Array.of(0.125, 3, -1, 0.75, 2.5, -0.5).map((v) => v * scale),
    loss: [30, 20, 15],
    metrics: {
      k: 20,
      splitAt: Date.parse("2026-01-01"),
      results: [
        { name: "als", recall: 0.6, ndcg: 0.5, members: 2 },
        { name: "popularity", recall: 0.3, ndcg: 0.2, members: 2 },
        { name: "picked topics", recall: 0.35, ndcg: 0.4, members: 2 },
      ],
      members: 2,
      items: 3,
      interactions: 5,
      seconds: 0.5,
    },
  };
}

/** Starts and finishes a version as `actorId`; returns its id. */
async function trainedVersion(sql: Sql, actorId: number, scale = 1): Promise<number> {
  const id = await startTraining(sql, actorId, params, { staleMs });
  assert.ok(await finishTraining(sql, id, trainedModel([actorId, actorId + 1], scale)));
  return id;
}

async function versionCount(sql: Sql): Promise<number> {
  const [{ count }] = await sql`select count(*)::int as count from model_versions`;
  return count;
}

dbTest("training parameters out of range are refused with the field that is wrong", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const cases: [Partial<ModelParams>, string][] = [
    [{ factors: 1 }, "factors"],
    [{ factors: 257 }, "factors"],
    [{ factors: 2.5 }, "factors"],
    [{ factors: NaN }, "factors"],
    [{ regularization: 0 }, "regularization"],
    [{ regularization: Infinity }, "regularization"],
    [{ alpha: -1 }, "alpha"],
    [{ unobservedWeight: 0 }, "unobserved_weight"],
    [{ unobservedWeight: 101 }, "unobserved_weight"],
    [{ regularizationExponent: -0.5 }, "regularization_exponent"],
    [{ regularizationExponent: 2.5 }, "regularization_exponent"],
    [{ regularizationExponent: NaN }, "regularization_exponent"],
    [{ iterations: 0 }, "iterations"],
    [{ iterations: 51 }, "iterations"],
    [{ weights: { pick: -1, follow: 3, listen: 1 } }, "weight_pick"],
    [{ weights: { pick: 2, follow: NaN, listen: 1 } }, "weight_follow"],
    [{ weights: { pick: 0, follow: 0, listen: 0 } }, "weight_pick"],
    [{ holdout: "weekly" as ModelParams["holdout"] }, "holdout"],
    [{ holdout: "" as ModelParams["holdout"] }, "holdout"],
  ];
  for (const [change, field] of cases) {
    await assert.rejects(
      startTraining(sql, ada.id, { ...params, ...change }, { staleMs }),
      (e) => e instanceof Refusal && e.code === "invalid" && e.field === field,
      `${JSON.stringify(change)} should be refused on ${field}`,
    );
  }
  assert.equal(await versionCount(sql), 0);
});

dbTest("the smallest and largest parameters are accepted", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await startTraining(sql, ada.id, {
    factors: 256,
    regularization: 0.001,
    alpha: 0.5,
    unobservedWeight: 100,
    regularizationExponent: 2,
    iterations: 50,
    weights: { pick: 0, follow: 0, listen: 1 },
  }, { staleMs });
  await failTraining(sql, id, "not needed");
  await startTraining(sql, ada.id, { ...params, factors: 2, iterations: 1 }, { staleMs });
  assert.equal(await versionCount(sql), 2);
});

dbTest("a member who is not an administrator cannot train, list or apply models", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const id = await trainedVersion(sql, ada.id);
  await assert.rejects(startTraining(sql, grace.id, params, { staleMs }), refusedWith("forbidden"));
  await assert.rejects(modelVersions(sql, grace.id), refusedWith("forbidden"));
  await assert.rejects(applyModel(sql, grace.id, id), refusedWith("forbidden"));
  await applyModel(sql, ada.id, id);
  await assert.rejects(rollBackModel(sql, grace.id), refusedWith("forbidden"));
  assert.equal(await versionCount(sql), 1);
  const [{ count }] = await sql`select count(*)::int as count from model_applications`;
  assert.equal(count, 1);
});

dbTest("two administrators starting together get one training, not two", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await sql`update users set is_admin = true where id = ${grace.id}`;
  const results = await Promise.allSettled([
    startTraining(sql, ada.id, params, { staleMs }),
    startTraining(sql, grace.id, params, { staleMs }),
    startTraining(sql, ada.id, params, { staleMs }),
  ]);
  const started = results.filter((r) => r.status === "fulfilled");
  const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason);
  assert.equal(started.length, 1);
  assert.equal(refused.length, 2);
  for (const reason of refused) refusedWith("conflict")(reason);
  assert.equal(await versionCount(sql), 1);
});

dbTest("a new training may start once the last one finished or failed", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const first = await startTraining(sql, ada.id, params, { staleMs });
  await assert.rejects(startTraining(sql, ada.id, params, { staleMs }), refusedWith("conflict"));
  await failTraining(sql, first, "Too little history to train");
  const second = await startTraining(sql, ada.id, params, { staleMs });
  assert.ok(await finishTraining(sql, second, trainedModel([ada.id, ada.id + 1])));
  await startTraining(sql, ada.id, params, { staleMs });
  const states = (await modelVersions(sql, ada.id)).map((v) => [v.id, v.state, v.error]);
  assert.deepEqual(states.reverse(), [
    [first, "failed", "Too little history to train"],
    [second, "trained", null],
    [second + 1, "training", null],
  ]);
});

dbTest("a training whose process stopped reporting is failed and blocks nobody", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const abandoned = await startTraining(sql, ada.id, params, { staleMs });
  assert.deepEqual(await failStaleTrainings(sql, staleMs), [], "a fresh training is not stale");
  // Its process died three minutes ago: it stopped touching the row then.
  await sql`update model_versions set heartbeat_at = now() - interval '3 minutes'
            where id = ${abandoned}`;
  const next = await startTraining(sql, ada.id, params, { staleMs });
  const [latest, old] = await modelVersions(sql, ada.id);
  assert.equal(latest.id, next);
  assert.equal(old.state, "failed");
  assert.match(old.error ?? "", /stopped reporting progress/);
  // Should the old process wake up after all, it learns it must stop and cannot store a model.
  assert.equal(
    await recordProgress(sql, abandoned, { phase: "training", done: 1, total: 3 }, [1]),
    false,
  );
  assert.equal(await finishTraining(sql, abandoned, trainedModel([ada.id, ada.id + 1])), false);
  assert.equal((await modelVersions(sql, ada.id))[1].state, "failed");
});

dbTest("a stale training is failed by the sweep even when nobody starts another", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await startTraining(sql, ada.id, params, { staleMs });
  await sql`update model_versions set heartbeat_at = now() - interval '3 minutes'`;
  assert.deepEqual(await failStaleTrainings(sql, staleMs), [id]);
  assert.deepEqual(await failStaleTrainings(sql, staleMs), []);
});

dbTest("progress, loss and the finished model are stored and read back exactly", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const id = await startTraining(sql, ada.id, params, { staleMs });
  let [version] = await modelVersions(sql, ada.id);
  assert.deepEqual(version.progress, { phase: "reading", done: 0, total: 1 });
  assert.equal(version.createdBy, "ada");
  // Asked for no holdout, the version is measured on the default one, and says so.
  assert.deepEqual(version.params, { ...params, holdout: "random" });

  assert.ok(await recordProgress(sql, id, { phase: "training", done: 2, total: 3 }, [30.5, 20.25]));
  [version] = await modelVersions(sql, ada.id);
  assert.equal(version.iterationsDone, 2);
  assert.deepEqual(version.loss, [30.5, 20.25]);
  assert.deepEqual(version.progress, { phase: "training", done: 2, total: 3 });
  assert.ok(await recordProgress(sql, id, { phase: "measuring", done: 1, total: 3 }));
  [version] = await modelVersions(sql, ada.id);
  assert.deepEqual(version.loss, [30.5, 20.25], "measuring leaves the loss as it was");

  const trained = trainedModel([ada.id, grace.id]);
  assert.ok(await finishTraining(sql, id, trained));
  [version] = await modelVersions(sql, ada.id);
  assert.equal(version.state, "trained");
  assert.equal(version.progress, null);
  assert.deepEqual(version.loss, trained.loss);
  // Metrics stored without their holdout, as before it was recorded, read as what they were.
  assert.deepEqual(version.metrics, {
    ...trained.metrics,
    holdout: { mode: "time", splitAt: trained.metrics.splitAt, keepSeen: true },
  });
  assert.ok(version.finishedAt instanceof Date);
  assert.equal(version.applied, false);

  assert.equal(await appliedModel(sql), null);
  await applyModel(sql, ada.id, id);
  const stored = await appliedModel(sql);
  assert.equal(stored?.id, id);
  assert.deepEqual(stored?.memberIds, [ada.id, grace.id]);
  assert.deepEqual(stored?.items, trained.items);
  assert.deepEqual(stored?.memberFactors, trained.memberFactors);
  assert.deepEqual(stored?.itemFactors, trained.itemFactors);
  assert.deepEqual(stored?.params, { ...params, holdout: "random" });
  assert.equal((await modelVersions(sql, ada.id))[0].applied, true);
});

dbTest("a version stored before α₀ and ν existed reads with their defaults", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await trainedVersion(sql, ada.id);
  await sql`
    update model_versions set params = params - 'unobservedWeight' - 'regularizationExponent'
    where id = ${id}`;
  const [{ params: raw }] = await sql`select params from model_versions where id = ${id}`;
  assert.equal("unobservedWeight" in raw, false, "stored as an old version was");
  // The holdout asked for is stored with every version since it existed (the default here).
  const old = {
    ...params,
    holdout: defaultHoldoutMode,
    unobservedWeight: 1,
    regularizationExponent: 0,
  };
  assert.deepEqual((await modelVersions(sql, ada.id))[0].params, old);
  await applyModel(sql, ada.id, id);
  assert.deepEqual((await appliedModel(sql))?.params, old);
});

dbTest("a version keeps the holdout it was asked for and the one its metrics used", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const id = await startTraining(sql, ada.id, { ...params, holdout: "time" }, { staleMs });
  const holdout = { mode: "time" as const, splitAt: Date.parse("2026-02-01"), keepSeen: false };
  const trained = trainedModel([ada.id, grace.id]);
  const { splitAt: _, ...metrics } = trained.metrics;
  assert.ok(await finishTraining(sql, id, { ...trained, metrics: { ...metrics, holdout } }));
  const [version] = await modelVersions(sql, ada.id);
  assert.equal(version.params.holdout, "time");
  assert.deepEqual(version.metrics, { ...metrics, holdout });

  const random = await startTraining(sql, ada.id, { ...params, holdout: "random" }, { staleMs });
  const drawn = { mode: "random" as const, share: 0.2, seed: 7, keepSeen: false };
  assert.ok(
    await finishTraining(sql, random, { ...trained, metrics: { ...metrics, holdout: drawn } }),
  );
  assert.deepEqual((await modelVersions(sql, ada.id))[0].metrics?.holdout, drawn);
});

dbTest("only a trained version can be applied", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const failed = await startTraining(sql, ada.id, params, { staleMs });
  await failTraining(sql, failed, "Too little history to train");
  const training = await startTraining(sql, ada.id, params, { staleMs });
  await assert.rejects(applyModel(sql, ada.id, failed), refusedWith("conflict"));
  await assert.rejects(applyModel(sql, ada.id, training), refusedWith("conflict"));
  await assert.rejects(applyModel(sql, ada.id, training + 100), refusedWith("not_found"));
  assert.equal(await appliedModelId(sql), null);
});

dbTest("rolling back applies the version in use before the current one", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const first = await trainedVersion(sql, ada.id);
  const second = await trainedVersion(sql, ada.id, 2);
  const third = await trainedVersion(sql, ada.id, 3);
  await assert.rejects(rollBackModel(sql, ada.id), refusedWith("conflict"), "nothing applied");
  await applyModel(sql, ada.id, first);
  await assert.rejects(rollBackModel(sql, ada.id), refusedWith("conflict"), "nothing before");
  await applyModel(sql, ada.id, second);
  await applyModel(sql, ada.id, second);
  await applyModel(sql, ada.id, third);
  assert.equal(await rollBackModel(sql, ada.id), second);
  assert.equal(await appliedModelId(sql), second);
  assert.equal(await rollBackModel(sql, ada.id), third, "a second roll back undoes the first");
  assert.equal((await appliedModel(sql))?.itemFactors[0], 0.125 * 3);
  const applied = (await modelVersions(sql, ada.id)).filter((v) => v.applied).map((v) => v.id);
  assert.deepEqual(applied, [third]);
});

dbTest("applying and rolling back notify every process", async (sql, db) => {
  const { ada } = await cast(sql, "ada");
  const first = await trainedVersion(sql, ada.id);
  const second = await trainedVersion(sql, ada.id, 2);
  const heard: unknown[] = [];
  const stop = db.events.subscribe((event) => {
    if (event.model) heard.push(event);
  });
  try {
    await applyModel(sql, ada.id, first);
    await applyModel(sql, ada.id, second);
    await rollBackModel(sql, ada.id);
    await waitFor(() => heard.length === 3);
    assert.deepEqual(heard[0], { model: true, hallway: true });
  } finally {
    stop();
  }
});

dbTest("ranking weights are saved whole and read back; out of range is refused", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  assert.deepEqual(await savedRankWeights(sql), {});
  const weights = { ...defaultRankWeights, size: 0.2, freshnessHalfLifeMs: 60 * 60_000 };
  await setRankWeights(sql, ada.id, weights);
  assert.deepEqual(await savedRankWeights(sql), weights);
  const refusals: [Partial<typeof weights>, string][] = [
    [{ topicShare: 1.5 }, "rank_topic_share"],
    [{ size: -0.1 }, "rank_size"],
    [{ model: NaN }, "rank_model"],
    [{ freshnessHalfLifeMs: 1000 }, "rank_freshness_half_life"],
    [{ notInterested: 101 }, "rank_not_interested"],
  ];
  for (const [change, field] of refusals) {
    await assert.rejects(
      setRankWeights(sql, ada.id, { ...weights, ...change }),
      (e) => e instanceof Refusal && e.code === "invalid" && e.field === field,
      `${JSON.stringify(change)} should be refused on ${field}`,
    );
  }
  await assert.rejects(setRankWeights(sql, grace.id, defaultRankWeights), refusedWith("forbidden"));
  assert.deepEqual(await savedRankWeights(sql), weights);
});

Deno.test("every ranking weight has limits that hold its default", () => {
  for (const [key, value] of Object.entries(defaultRankWeights)) {
    const knob = rankKnobs.find((k) => k.key === key);
    assert.ok(knob, `no limits for ${key}`);
    assert.ok(knobAccepts(knob, value), `${key}'s default is out of range`);
  }
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

dbTest(
  "a ranking weight saved by an earlier version and since removed is not read back",
  async (sql) => {
    await sql`insert into settings (key, value)
            values ('rank_weights', ${sql.json({ ...defaultRankWeights, blockedOnStage: 7 })})`;
    assert.deepEqual(await savedRankWeights(sql), defaultRankWeights);
  },
);
