/**
 * The tunable knobs, each described once: db/ refuses by their limits, with their words by key,
 * recommend/ starts from their defaults.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast } from "../db/rooms_support.ts";
import { Refusal } from "../../db/errors.ts";
import { modelKnobValues, modelParamsOf, validateModelParams } from "../../db/models.ts";
import { savedRankWeights, setRankWeights } from "../../db/site_settings.ts";
import { defaultRankWeights } from "../../recommend/rank.ts";
import { defaultSignalWeights } from "../../recommend/signals.ts";
import { defaultModelParams } from "../../recommend/training.ts";
import { english, wordsFor } from "../../i18n/translate.ts";
import { en } from "../../i18n/en.ts";
import { fr } from "../../i18n/fr.ts";
import {
  type Knob,
  knobAccepts,
  knobLimits,
  knobRangeWord,
  knobWord,
  modelKnobs,
  rankKnobs,
} from "../../vocabulary/knobs.ts";

/** The refusal a knob's limits give, in English. */
function knobRefusal(knob: Knob): string {
  return english.t(knobWord(knob, "refusal"), knobLimits(knob));
}

/** Just past each end of the knob's range, in its stored unit. */
function justOutside(knob: Knob): number[] {
  const step = knob.whole ? 1 : Math.max((knob.max - knob.min) / 1000, 1e-9);
  return [knob.aboveMin ? knob.min : knob.min - step, knob.max + step];
}

Deno.test("each knob has a stable key, its own field, and a default within its limits", () => {
  const knobs: Knob[] = [...modelKnobs, ...rankKnobs];
  assert.equal(new Set(knobs.map((k) => k.field)).size, knobs.length);
  assert.equal(new Set(rankKnobs.map((k) => k.key)).size, rankKnobs.length);
  assert.equal(new Set(modelKnobs.map((k) => k.key)).size, modelKnobs.length);
  for (const knob of knobs) {
    assert.match(knob.key, /^[a-z][A-Za-z]+$/);
    assert.ok(knobAccepts(knob, knob.default), `${knob.key}'s default is out of range`);
    for (const word of ["label", "hint", "refusal"] as const) {
      const key = knobWord(knob, word);
      assert.ok(en[key].length > 0 && String(fr[key]).length > 0, key);
      assert.notEqual(fr[key], en[key], `${key} is not in French`);
    }
  }
});

Deno.test("the recommender starts from the knobs' defaults", () => {
  for (const knob of rankKnobs) assert.equal(defaultRankWeights[knob.key], knob.default);
  assert.deepEqual(Object.keys(defaultRankWeights).sort(), rankKnobs.map((k) => k.key).sort());
  const model = modelKnobValues(defaultModelParams);
  for (const knob of modelKnobs) assert.equal(model[knob.key], knob.default);
  assert.deepEqual(defaultModelParams.weights, defaultSignalWeights);
});

Deno.test("training parameters are refused just outside each knob's range, by its field", () => {
  for (const knob of modelKnobs) {
    for (const value of [...justOutside(knob), NaN]) {
      const params = modelParamsOf({ ...modelKnobValues(defaultModelParams), [knob.key]: value });
      assert.throws(
        () => validateModelParams(params),
        (e) =>
          e instanceof Refusal && e.field === knob.field &&
          e.key === knobWord(knob, "refusal") && e.message === knobRefusal(knob),
        `${knob.key} = ${value}`,
      );
    }
    const params = modelParamsOf({ ...modelKnobValues(defaultModelParams), [knob.key]: knob.max });
    validateModelParams(params);
  }
});

dbTest("ranking weights are refused just outside each knob's range, by its field", async (sql) => {
  const { ada } = await cast(sql, "ada");
  for (const knob of rankKnobs) {
    for (const value of justOutside(knob)) {
      await assert.rejects(
        setRankWeights(sql, ada.id, { ...defaultRankWeights, [knob.key]: value }),
        (e) =>
          e instanceof Refusal && e.field === knob.field &&
          e.key === knobWord(knob, "refusal") && e.message === knobRefusal(knob),
        `${knob.key} = ${value}`,
      );
    }
  }
  const edges = Object.fromEntries(rankKnobs.map((k) => [k.key, k.min]));
  await setRankWeights(sql, ada.id, { ...defaultRankWeights, ...edges });
  assert.deepEqual(await savedRankWeights(sql), { ...defaultRankWeights, ...edges });
});

Deno.test("a range reads in the unit the page shows, in English and in French", () => {
  const range = (knob: Knob, language: "en" | "fr") =>
    wordsFor(language).t(knobRangeWord(knob), knobLimits(knob));
  const halfLife = rankKnobs.find((k) => k.key === "freshnessHalfLifeMs")!;
  assert.equal(range(halfLife, "en"), "1 to 10080 minutes");
  assert.equal(range(halfLife, "fr"), "De 1 à 10080 minutes");
  assert.equal(knobRefusal(halfLife), "Freshness half-life must be from 1 to 10080 minutes");
  const alpha = modelKnobs.find((k) => k.key === "alpha")!;
  assert.equal(range(alpha, "en"), "Above 0, at most 10000");
  assert.equal(range(alpha, "fr"), "Au-dessus de 0, au plus 10000");
  const factors = modelKnobs.find((k) => k.key === "factors")!;
  assert.equal(
    wordsFor("fr").t(knobWord(factors, "refusal"), knobLimits(factors)),
    "Le nombre de facteurs doit être un entier de 2 à 256",
  );
});
