import assert from "node:assert/strict";
import { syntheticCatalogue } from "../../synthetic/community.ts";
import { communitySignals } from "../../synthetic/community_signals.ts";
import { generateCommunity } from "../../synthetic/generator.ts";
import { evaluate } from "../../recommend/evaluate.ts";
import { defaultSignalWeights } from "../../recommend/signals.ts";

// The acceptance: on the community `deno task seed` makes (default size, fixed seed),
// ALS trained before T predicts who and what members listen to after T better than both
// baselines, measured by the same code.
Deno.test("on the seeded community ALS beats popularity and picked topics on recall@20", () => {
  const now = Date.UTC(2026, 10, 1);
  const community = generateCommunity({ topics: syntheticCatalogue(), now, seed: 1 });
  const signals = communitySignals(community);
  const splitAt = community.startAt + 0.8 * (now - community.startAt);
  const { results } = evaluate(signals, {
    // The acceptance was measured so: a time split, re-listening counted.
    holdout: { mode: "time", splitAt, keepSeen: true },
    k: 20,
    weights: defaultSignalWeights,
    als: { factors: 32, regularization: 0.1, alpha: 10, iterations: 8, seed: 1 },
  });
  const [als, popularity, picked] = results;
  assert.deepEqual(results.map((r) => r.name), ["als", "popularity", "picked topics"]);
  console.log(results.map((r) => `${r.name}: recall@20 ${r.recall.toFixed(3)}`).join(", "));
  assert.ok(als.recall > popularity.recall, `ALS ${als.recall} vs popularity ${popularity.recall}`);
  assert.ok(als.recall > picked.recall, `ALS ${als.recall} vs picked ${picked.recall}`);
  assert.ok(als.ndcg > popularity.ndcg && als.ndcg > picked.ndcg);
});
