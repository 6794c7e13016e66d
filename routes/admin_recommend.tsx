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
import type { AppEnv } from "./context.ts";
import {
  type Ctx,
  fieldErrors,
  type Form,
  idParam,
  isFragmentRequest,
  readForm,
  redirectAfterPost,
  render,
  statusOf,
  text,
} from "./http.tsx";
import { Refusal } from "../db/errors.ts";
import {
  applyModel,
  type ModelParams,
  modelVersions,
  rollBackModel,
  rollBackTarget,
} from "../db/models.ts";
import { rankWeightLimits, setRankWeights } from "../db/settings.ts";
import { rankWeights } from "../recommend/applied_model.ts";
import type { RankWeights } from "../recommend/rank.ts";
import { defaultModelParams } from "../recommend/training.ts";
import type { FieldErrors } from "../views/form.tsx";
import {
  RecommendationsView,
  TrainingCard,
  type TrainValues,
  VersionsCard,
  type WeightField,
} from "../views/admin_recommend.tsx";

export const recommendations = new Hono<AppEnv>();

const pagePath = "/admin/recommendations";

const notices = ["applied", "rolled_back", "weights"] as const;

interface PageState {
  errors?: FieldErrors;
  status?: ContentfulStatusCode;
  notice?: typeof notices[number];
  /** The training form as posted, when it is shown again with its errors. */
  train?: TrainValues;
  /** The weights form as posted, likewise. */
  weights?: Record<string, string>;
}

async function page(c: Ctx, state: PageState = {}) {
  const { sql, member } = c.var;
  const versions = await modelVersions(sql, member!.id);
  const selected = Number(c.req.query("version")) || null;
  return render(c, {
    title: c.get("words").t("admin.section.recommend"),
    status: state.status,
    body: (
      <RecommendationsView
        versions={versions}
        rollBackTo={await rollBackTarget(sql)}
        selected={selected}
        train={state.train ?? trainValues(versions[0]?.params ?? defaultModelParams)}
        weights={weightFields(await rankWeights(sql), state.weights)}
        errors={state.errors ?? {}}
        notice={state.notice}
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
  const versions = await modelVersions(sql, member!.id);
  const training = versions.some((v) => v.state === "training");
  return render(c, {
    title: c.get("words").t("admin.section.recommend"),
    body: (
      <>
        <TrainingCard
          versions={versions}
          train={trainValues(versions[0]?.params ?? defaultModelParams)}
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
    await c.get("trainer").train(c.get("member")!.id, modelParams(values));
  } catch (error) {
    if (!(error instanceof Refusal) || error.code === "forbidden") throw error;
    return await page(c, { errors: fieldErrors(c, error), status: statusOf(error), train: values });
  }
  return redirectAfterPost(c, pagePath);
});

recommendations.post("/versions/:id/apply", async (c) => {
  const id = idParam(c, "id");
  if (id === null) throw new Refusal("not_found", "refusal.model.unknown");
  return await afterChange(c, "applied", () => applyModel(c.get("sql"), c.get("member")!.id, id));
});

recommendations.post(
  "/rollback",
  (c) => afterChange(c, "rolled_back", () => rollBackModel(c.get("sql"), c.get("member")!.id)),
);

recommendations.post("/weights", async (c) => {
  const form = await readForm(c);
  const posted: Record<string, string> = {};
  for (const limit of Object.values(rankWeightLimits)) {
    posted[limit.field] = text(form, limit.field);
  }
  try {
    await setRankWeights(c.get("sql"), c.get("member")!.id, rankWeightsFrom(posted));
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
async function afterChange(c: Ctx, done: string, change: () => Promise<unknown>) {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof Refusal) || error.code === "forbidden") throw error;
    return await page(c, { errors: { _form: error.message }, status: statusOf(error) });
  }
  return redirectAfterPost(c, `${pagePath}?done=${done}`);
}

function trainForm(form: Form): TrainValues {
  const names = [
    "factors",
    "regularization",
    "alpha",
    "iterations",
    "weight_pick",
    "weight_follow",
    "weight_listen",
  ] as const;
  return Object.fromEntries(names.map((name) => [name, text(form, name).trim()])) as TrainValues;
}

/** The posted numbers; anything that is not one becomes NaN, which db/models.ts refuses. */
function modelParams(values: TrainValues): ModelParams {
  return {
    factors: numberOf(values.factors),
    regularization: numberOf(values.regularization),
    alpha: numberOf(values.alpha),
    iterations: numberOf(values.iterations),
    weights: {
      pick: numberOf(values.weight_pick),
      follow: numberOf(values.weight_follow),
      listen: numberOf(values.weight_listen),
    },
  };
}

function trainValues(params: ModelParams): TrainValues {
  return {
    factors: String(params.factors),
    regularization: String(params.regularization),
    alpha: String(params.alpha),
    iterations: String(params.iterations),
    weight_pick: String(params.weights.pick),
    weight_follow: String(params.weights.follow),
    weight_listen: String(params.weights.listen),
  };
}

function numberOf(raw: string): number {
  return raw.trim() === "" ? NaN : Number(raw.trim());
}

const minuteMs = 60_000;

/** The weights from the form; the half-life is asked in minutes. */
function rankWeightsFrom(posted: Record<string, string>): RankWeights {
  const weights = {} as RankWeights;
  for (const [key, limit] of Object.entries(rankWeightLimits)) {
    const value = numberOf(posted[limit.field] ?? "");
    weights[key as keyof RankWeights] = key === "freshnessHalfLifeMs" ? value * minuteMs : value;
  }
  return weights;
}

const weightWords: Record<keyof RankWeights, { hint: string; group: WeightField["group"] }> = {
  model: { hint: "Multiplies the model's score of a room.", group: "model" },
  topicShare: {
    hint: "0 to 1: how much a room's topics count against the people on its stage.",
    group: "model",
  },
  followedOnStage: { hint: "Per person on stage the member follows.", group: "boosts" },
  pickedTopic: { hint: "When a room has a topic the member picked.", group: "boosts" },
  size: { hint: "Times log(1 + listeners).", group: "boosts" },
  freshness: { hint: "Halves every half-life after a room starts.", group: "boosts" },
  freshnessHalfLifeMs: { hint: "In minutes.", group: "boosts" },
  language: { hint: "When the room's language is one the member speaks.", group: "boosts" },
  blockedOnStage: { hint: "When someone the member blocked is on stage.", group: "penalties" },
  notInterested: { hint: "When the member said they are not interested.", group: "penalties" },
  repeatedTopic: {
    hint: "Per room placed above with the same main topic (keeps variety).",
    group: "penalties",
  },
};

function weightFields(weights: RankWeights, posted?: Record<string, string>): WeightField[] {
  return (Object.keys(rankWeightLimits) as (keyof RankWeights)[]).map((key) => {
    const limit = rankWeightLimits[key];
    const value = key === "freshnessHalfLifeMs" ? weights[key] / minuteMs : weights[key];
    return {
      name: limit.field,
      label: limit.label,
      value: posted?.[limit.field] ?? String(value),
      hint: weightWords[key].hint,
      group: weightWords[key].group,
    };
  });
}
