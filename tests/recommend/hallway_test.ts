import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { seedSmallCommunity } from "../support/community.ts";
import { loadConfig } from "../../config.ts";
import { applyModel } from "../../db/models.ts";
import { clearListeningHistory } from "../../db/listening.ts";
import { AppliedModel } from "../../recommend/applied_model.ts";
import { HallwayRanker } from "../../recommend/hallway.ts";
import { defaultModelParams, Trainer } from "../../recommend/training.ts";

dbTest("with a model applied, the hallway ranks by what the member listens to", async (sql) => {
  const { admin } = await seedSmallCommunity(sql);
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  const trainer = new Trainer(sql, config.modelTraining);
  const modelId = await trainer.train(admin.id, defaultModelParams);
  await trainer.settled();
  const unranked = await new HallwayRanker(sql).hallwayFor(admin.id);
  assert.ok(unranked.live.length > 0, "the seeded community has live rooms");
  assert.ok(unranked.live.every((room) => room.rank.terms.model === 0), "no model, no model term");

  await applyModel(sql, admin.id, modelId);
  const applied = new AppliedModel(sql);
  const ranker = new HallwayRanker(sql, { setup: () => applied.current() });
  const hallway = await ranker.hallwayFor(admin.id);
  const modelTerms = hallway.live.map((room) => room.rank.terms.model);
  assert.ok(modelTerms.some((term) => term > 0), `model terms ${modelTerms}`);

  // Cleared history counts at once: the member is folded in from picks and follows alone.
  await clearListeningHistory(sql, admin.id);
  const after = await ranker.hallwayFor(admin.id);
  assert.notDeepEqual(after.live.map((room) => room.rank.terms.model), modelTerms);
});
