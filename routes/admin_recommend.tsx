/**
 * /admin/recommendations: train model versions, follow a training, apply a version or roll
 * back, and set the ranking weights. Administrators only: every db call checks it.
 *
 * Training is started here and runs in this process's Trainer (a Worker); the POST returns at
 * once. The page polls `/admin/recommendations/training` while a version trains, in whichever
 * process it runs, since progress is read from the database.
 *
 * @example
 * admin.route("/recommendations", recommendations);
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { MemberEnv } from "./session.tsx";
import {
  type Ctx,
  fieldErrors,
  type Form,
  idParam,
  isFragmentRequest,
  readForm,
  redirectAfterPost,
  refusalMessage,
  render,
  statusOf,
  text,
} from "./http.tsx";
import { Refusal } from "../db/errors.ts";
import {
  applyModel,
  modelKnobValues,
  type ModelParams,
  modelParamsOf,
  modelVersions,
  rollBackModel,
  rollBackTarget,
} from "../db/models.ts";
import { setRankWeights } from "../db/site_settings.ts";
import { latestTuning, offeredParams, tuningById } from "../db/tunings.ts";
import { tuningBudgetMinutes } from "../vocabulary/tunings.ts";
import { TuningCard } from "../views/admin_tuning.tsx";
import { rankWeights } from "../recommend/applied_model.ts";
import type { RankWeights } from "../recommend/rank.ts";
import { defaultModelParams } from "../recommend/training.ts";
import {
  type Knob,
  knobLimits,
  knobRangeWord,
  knobWord,
  type ModelKnob,
  type ModelKnobKey,
  modelKnobs,
  type RankKnob,
  rankKnobs,
  shownValue,
  storedValue,
} from "../vocabulary/knobs.ts";
import { defaultHoldoutMode, type HoldoutMode, holdoutModes } from "../vocabulary/holdouts.ts";
import type { FieldErrors } from "../views/form.tsx";
import {
  type HoldoutField,
  type KnobField,
  RecommendationsView,
  TrainingCard,
  VersionsCard,
} from "../views/admin_recommend.tsx";

export const recommendations = new Hono<MemberEnv>();

const pagePath = "/admin/recommendations";

const notices = ["applied", "rolled_back", "weights"] as const;

interface PageState {
  errors?: FieldErrors;
  status?: ContentfulStatusCode;
  notice?: typeof notices[number];
  /** The training form as posted, when it is shown again with its errors. */
  train?: Record<string, string>;
  /** The weights form as posted, likewise. */
  weights?: Record<string, string>;
  /** The tuning form as posted and its own errors, when it is shown again with them. */
  tune?: { holdout: string; budget: string; errors: FieldErrors };
}

async function page(c: Ctx<MemberEnv>, state: PageState = {}) {
  const { sql, member } = c.var;
  const versions = await modelVersions(sql, member.id);
  const selected = Number(c.req.query("version")) || null;
  const train = state.train ?? trainValues(versions[0]?.params ?? defaultModelParams);
  return render(c, {
    title: c.get("words").t("admin.section.recommend"),
    status: state.status,
    body: (
      <RecommendationsView
        versions={versions}
        rollBackTo={await rollBackTarget(sql)}
        selected={selected}
        train={trainFields(train)}
        holdout={holdoutField(train)}
        weights={weightFields(await rankWeights(sql), state.weights)}
        errors={state.errors ?? {}}
        notice={state.notice}
        tuning={
          <TuningCard
            tuning={await latestTuning(sql, member.id)}
            holdout={{ modes: holdoutModes, value: state.tune?.holdout ?? train.holdout }}
            budget={budgetField(state.tune?.budget)}
            errors={state.tune?.errors ?? {}}
          />
        }
      />
    ),
  });
}

recommendations.get("/", (c) => {
  const notice = notices.find((n) => n === c.req.query("done"));
  return page(c, { notice });
});

/**
 * The training card, polled while a version trains. Once none does, the versions card comes
 * along out of band so the finished version, its metrics and charts appear without a reload.
 */
recommendations.get("/training", async (c) => {
  if (!isFragmentRequest(c)) return c.redirect(pagePath, 303);
  const { sql, member } = c.var;
  const versions = await modelVersions(sql, member.id);
  const training = versions.some((v) => v.state === "training");
  const train = trainValues(versions[0]?.params ?? defaultModelParams);
  return render(c, {
    title: c.get("words").t("admin.section.recommend"),
    body: (
      <>
        <TrainingCard
          versions={versions}
          train={trainFields(train)}
          holdout={holdoutField(train)}
          errors={{}}
        />
        {!training && (
          <VersionsCard
            versions={versions}
            rollBackTo={await rollBackTarget(sql)}
            selected={null}
            oob
          />
        )}
      </>
    ),
  });
});

recommendations.post("/train", async (c) => {
  const form = await readForm(c);
  const values = trainForm(form);
  try {
    await c.get("trainer").train(c.get("member").id, modelParams(values));
  } catch (error) {
    if (!(error instanceof Refusal) || error.code === "forbidden") throw error;
    return await page(c, { errors: fieldErrors(c, error), status: statusOf(error), train: values });
  }
  return redirectAfterPost(c, pagePath);
});

/** The tuning card, polled while a tuning runs; once it ends, it shows every configuration. */
recommendations.get("/tuning", async (c) => {
  if (!isFragmentRequest(c)) return c.redirect(pagePath, 303);
  const { sql, member } = c.var;
  const versions = await modelVersions(sql, member.id);
  const train = trainValues(versions[0]?.params ?? defaultModelParams);
  return render(c, {
    title: c.get("words").t("admin.section.recommend"),
    body: (
      <TuningCard
        tuning={await latestTuning(sql, member.id)}
        holdout={{ modes: holdoutModes, value: train.holdout }}
        budget={budgetField()}
        errors={{}}
      />
    ),
  });
});

/**
 * Starts a tuning from the newest version's parameters (or the defaults): their signal weights
 * and iterations, measured on the holdout chosen here, within the budget asked (minutes).
 */
recommendations.post("/tune", async (c) => {
  const form = await readForm(c);
  const { sql, member } = c.var;
  const posted = { holdout: text(form, "holdout").trim(), budget: text(form, "budget").trim() };
  const [latest] = await modelVersions(sql, member.id, { limit: 1 });
  const params: ModelParams = {
    ...(latest?.params ?? defaultModelParams),
    holdout: (posted.holdout || undefined) as HoldoutMode | undefined,
  };
  try {
    await c.get("trainer").tune(member.id, { params, budgetMinutes: numberOf(posted.budget) });
  } catch (error) {
    if (!(error instanceof Refusal) || error.code === "forbidden") throw error;
    const errors = error.field ? fieldErrors(c, error) : { _form: refusalMessage(c, error) };
    return await page(c, { status: statusOf(error), tune: { ...posted, errors } });
  }
  return redirectAfterPost(c, `${pagePath}#tuning`);
});

/** Trains a new version with exactly the parameters a finished tuning offers; applies nothing. */
recommendations.post("/tunings/:id/train", async (c) => {
  const id = idParam(c, "id");
  const { sql, member } = c.var;
  try {
    const tuning = id === null ? null : await tuningById(sql, member.id, id);
    if (tuning === null) throw new Refusal("not_found", "refusal.tuning.unknown");
    await c.get("trainer").train(member.id, offeredParams(tuning));
  } catch (error) {
    if (!(error instanceof Refusal) || error.code === "forbidden") throw error;
    return await page(c, { errors: { _form: refusalMessage(c, error) }, status: statusOf(error) });
  }
  return redirectAfterPost(c, pagePath);
});

recommendations.post("/versions/:id/apply", async (c) => {
  const id = idParam(c, "id");
  if (id === null) throw new Refusal("not_found", "refusal.model.unknown");
  return await afterChange(c, "applied", () => applyModel(c.get("sql"), c.get("member").id, id));
});

recommendations.post(
  "/rollback",
  (c) => afterChange(c, "rolled_back", () => rollBackModel(c.get("sql"), c.get("member").id)),
);

recommendations.post("/weights", async (c) => {
  const form = await readForm(c);
  const posted: Record<string, string> = {};
  for (const knob of rankKnobs) posted[knob.field] = text(form, knob.field);
  try {
    await setRankWeights(c.get("sql"), c.get("member").id, rankWeightsFrom(posted));
  } catch (error) {
    if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
    return await page(c, {
      errors: fieldErrors(c, error),
      status: statusOf(error),
      weights: posted,
    });
  }
  return redirectAfterPost(c, `${pagePath}?done=weights`);
});

/** Runs an apply or roll back; a refusal other than "forbidden" is shown on the page. */
async function afterChange(c: Ctx<MemberEnv>, done: string, change: () => Promise<unknown>) {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof Refusal) || error.code === "forbidden") throw error;
    return await page(c, { errors: { _form: refusalMessage(c, error) }, status: statusOf(error) });
  }
  return redirectAfterPost(c, `${pagePath}?done=${done}`);
}

function trainForm(form: Form): Record<string, string> {
  return {
    ...Object.fromEntries(modelKnobs.map((k) => [k.field, text(form, k.field).trim()])),
    holdout: text(form, "holdout").trim(),
  };
}

/**
 * The posted numbers; anything that is not one becomes NaN, which db/models.ts refuses, as it
 * refuses a holdout that is not a mode (none posted means the default).
 */
function modelParams(values: Record<string, string>): ModelParams {
  const numbers = {} as Record<ModelKnobKey, number>;
  for (const knob of modelKnobs) numbers[knob.key] = numberOf(values[knob.field] ?? "");
  const holdout = values.holdout ? values.holdout as HoldoutMode : undefined;
  return { ...modelParamsOf(numbers), holdout };
}

function trainValues(params: ModelParams): Record<string, string> {
  const values = modelKnobValues(params);
  return {
    ...Object.fromEntries(modelKnobs.map((k) => [k.field, String(values[k.key])])),
    holdout: params.holdout ?? defaultHoldoutMode,
  };
}

/** The training form's choice of how to measure, with the value shown. */
function holdoutField(values: Record<string, string>): HoldoutField {
  return { modes: holdoutModes, value: values.holdout ?? defaultHoldoutMode };
}

/** The training form's fields: each knob's descriptor and value. */
function trainFields(values: Record<string, string>): KnobField<ModelKnob>[] {
  return modelKnobs.map((knob) => knobField(knob, values[knob.field] ?? ""));
}

/** A knob as the admin view shows it: its value, and the catalogue keys of its words. */
function knobField<K extends Knob>(knob: K, value: string): KnobField<K> {
  return {
    knob,
    value,
    words: {
      label: knobWord(knob, "label"),
      hint: knobWord(knob, "hint"),
      range: knobRangeWord(knob),
      ...knobLimits(knob),
    },
  };
}

/** The tuning form's budget field: as posted, or the default, with its limits (minutes). */
function budgetField(posted?: string) {
  const { min, max } = tuningBudgetMinutes;
  return { value: posted ?? String(tuningBudgetMinutes.default), min, max };
}

function numberOf(raw: string): number {
  return raw.trim() === "" ? NaN : Number(raw.trim());
}

/** The weights from the form, in their stored units (the half-life is asked in minutes). */
function rankWeightsFrom(posted: Record<string, string>): RankWeights {
  const weights = {} as RankWeights;
  for (const knob of rankKnobs) {
    weights[knob.key] = storedValue(knob, numberOf(posted[knob.field] ?? ""));
  }
  return weights;
}

/** The weights form's fields, with the values in use or, after a refusal, as posted. */
function weightFields(
  weights: RankWeights,
  posted?: Record<string, string>,
): KnobField<RankKnob>[] {
  return rankKnobs.map((knob) =>
    knobField(knob, posted?.[knob.field] ?? String(shownValue(knob, weights[knob.key])))
  );
}
