import assert from "node:assert/strict";
import { dbTest, type TestDatabase } from "../support/databases.ts";
import { seedSmallCommunity } from "../support/community.ts";
import { cast } from "../db/rooms_support.ts";
import { loadConfig } from "../../config.ts";
import { openDatabase, type Sql } from "../../db/client.ts";
import {
  applyModel,
  finishTraining,
  type ModelParams,
  rollBackModel,
  startTraining,
} from "../../db/models.ts";
import { setRankWeights } from "../../db/site_settings.ts";
import { AppliedModel } from "../../recommend/applied_model.ts";
import { foldIn } from "../../recommend/als.ts";
import { defaultRankWeights } from "../../recommend/rank.ts";
import { defaultModelParams, Trainer } from "../../recommend/training.ts";

const params = { ...defaultModelParams, factors: 2, regularization: 0.5 };

/** A hand-made version over topics 1-3 and person `memberIds[0]`, for members `memberIds`. */
async function handMadeVersion(
  sql: Sql,
  adminId: number,
  memberIds: number[],
  options: { scale?: number; params?: ModelParams } = {},
) {
  const scale = options.scale ?? 1;
  const id = await startTraining(sql, adminId, options.params ?? params, { staleMs: 60_000 });
  await finishTraining(sql, id, {
    factors: 2,
    memberIds,
    items: [
      { kind: "topic", id: 1 },
      { kind: "topic", id: 2 },
      { kind: "topic", id: 3 },
      { kind: "person", id: memberIds[0] },
    ],
    memberFactors: Float32Array.of(1, 0, 0, 1).map((v) => v * scale),
    itemFactors: Float32Array.of(0.9, 0.1, 0.1, 0.9, 0.5, 0.5, 0.25, -0.75),
    loss: [1],
    metrics: {
      k: 20,
      splitAt: 0,
      results: [],
      members: memberIds.length,
      items: 4,
      interactions: 4,
      seconds: 0,
    },
  });
  return id;
}

/** Another process's view of the same database: on PostgreSQL a pool and listener of its own. */
async function otherProcess(db: TestDatabase) {
  if (db.kind === "pglite") return { events: db.events, sql: db.sql, close: async () => {} };
  const other = await openDatabase({ url: db.url, max: 2 });
  return { events: other.events, sql: other.sql, close: () => other.close() };
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for a condition");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

dbTest("before any version is applied the hallway ranks without a model", async (sql, db) => {
  const applied = new AppliedModel(sql, { events: db.events });
  try {
    assert.deepEqual(await applied.current(), { model: null, weights: defaultRankWeights });
  } finally {
    applied.close();
  }
});

dbTest("a known member gets their trained vector, a new one a folded-in vector", async (sql) => {
  const { ada, grace, lin } = await cast(sql, "ada", "grace", "lin");
  await applyModel(sql, ada.id, await handMadeVersion(sql, ada.id, [ada.id, grace.id]));
  const { model } = await new AppliedModel(sql).current();
  assert.ok(model);
  assert.equal(model.knows(grace.id), true);
  assert.equal(model.knows(lin.id), false);
  assert.deepEqual(model.memberVector(grace.id), Float64Array.of(0, 1));
  assert.deepEqual([...model.vectors.topics.keys()], [1, 2, 3]);
  assert.deepEqual([...model.vectors.people.keys()], [ada.id]);

  const folded = model.memberVector(lin.id, { pickedTopics: [1, 1], follows: [ada.id] });
  // The factors as stored: float32.
  const items = Float64Array.from(Float32Array.of(0.9, 0.1, 0.1, 0.9, 0.5, 0.5, 0.25, -0.75));
  const expected = foldIn(items, 2, [{ item: 0, weight: 2 }, { item: 3, weight: 3 }], {
    regularization: 0.5,
    alpha: 10,
  });
  assert.deepEqual(folded, expected, "picks and follows weigh as the version was trained");
  assert.equal(model.memberVector(lin.id), undefined, "nothing known: no vector");
  assert.equal(model.memberVector(lin.id, { pickedTopics: [99] }), undefined);
  const listened = model.memberVector(lin.id, {
    listened: [{ item: { kind: "topic", id: 2 }, seconds: 600 }],
  });
  assert.ok(listened && listened[1] > listened[0], "listening to topic 2 leans towards it");
});

dbTest(
  "a new member folds in with the version's α₀ and ν, as training solved rows",
  async (sql) => {
    const { ada, grace, lin } = await cast(sql, "ada", "grace", "lin");
    const ials = { ...params, unobservedWeight: 0.2, regularizationExponent: 1 };
    const id = await handMadeVersion(sql, ada.id, [ada.id, grace.id], { params: ials });
    await applyModel(sql, ada.id, id);
    const { model } = await new AppliedModel(sql).current();
    const folded = model?.memberVector(lin.id, { pickedTopics: [1], follows: [ada.id] });
    const items = Float64Array.from(Float32Array.of(0.9, 0.1, 0.1, 0.9, 0.5, 0.5, 0.25, -0.75));
    const entries = [{ item: 0, weight: 2 }, { item: 3, weight: 3 }];
    const solve = { regularization: 0.5, alpha: 10 };
    const expected = foldIn(items, 2, entries, {
      ...solve,
      unobservedWeight: 0.2,
      regularizationExponent: 1,
    });
    assert.deepEqual(folded, expected);
    assert.notDeepEqual(folded, foldIn(items, 2, entries, solve), "the terms count");
  },
);

dbTest("a new member's picked topics rank high in their folded-in vector", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  const trainer = new Trainer(sql, config.modelTraining);
  const id = await trainer.train(admin.id, { ...defaultModelParams, factors: 16 });
  await trainer.settled();
  await applyModel(sql, admin.id, id);
  const { model } = await new AppliedModel(sql).current();
  assert.ok(model);
  const topics = [...model.vectors.topics];
  const picked = topics.slice(0, 3).map(([topicId]) => topicId);
  const vector = model.memberVector(1_000_000, { pickedTopics: picked })!;
  const score = (y: Float64Array) => y.reduce((sum, v, d) => sum + v * vector[d], 0);
  const ranked = topics.sort((a, b) => score(b[1]) - score(a[1])).map(([topicId]) => topicId);
  for (const topicId of picked) {
    assert.ok(
      ranked.indexOf(topicId) < 10,
      `picked topic ${topicId} ranks ${ranked.indexOf(topicId)}`,
    );
  }
});

dbTest("another process picks up an applied version and a roll back", async (sql, db) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const first = await handMadeVersion(sql, ada.id, [ada.id, grace.id]);
  const second = await handMadeVersion(sql, ada.id, [ada.id, grace.id], { scale: 2 });
  const other = await otherProcess(db);
  const applied = new AppliedModel(other.sql, { events: other.events });
  try {
    assert.equal((await applied.current()).model, null);
    await applyModel(sql, ada.id, first);
    await waitFor(async () => (await applied.current()).model?.id === first);
    await applyModel(sql, ada.id, second);
    await waitFor(async () => (await applied.current()).model?.id === second);
    assert.deepEqual((await applied.current()).model?.memberVector(ada.id), Float64Array.of(2, 0));
    await rollBackModel(sql, ada.id);
    await waitFor(async () => (await applied.current()).model?.id === first);
  } finally {
    applied.close();
    await other.close();
  }
});

dbTest("another process picks up new ranking weights, keeping its model", async (sql, db) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  await applyModel(sql, ada.id, await handMadeVersion(sql, ada.id, [ada.id, grace.id]));
  const other = await otherProcess(db);
  const applied = new AppliedModel(other.sql, { events: other.events });
  try {
    const before = await applied.current();
    await setRankWeights(sql, ada.id, { ...defaultRankWeights, size: 0.5 });
    await waitFor(async () => (await applied.current()).weights.size === 0.5);
    assert.equal((await applied.current()).model, before.model, "the same factors, not reloaded");
  } finally {
    applied.close();
    await other.close();
  }
});

dbTest("without change events each use sees the version applied now", async (sql) => {
  const { ada, grace } = await cast(sql, "ada", "grace");
  const applied = new AppliedModel(sql);
  assert.equal((await applied.current()).model, null);
  const id = await handMadeVersion(sql, ada.id, [ada.id, grace.id]);
  await applyModel(sql, ada.id, id);
  assert.equal((await applied.current()).model?.id, id);
});
