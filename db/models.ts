/**
 * Model versions: one training run each, then its factors, and which version is applied.
 * The database holds every rule: hyper-parameters are validated here, administrators alone
 * start, apply and roll back, a partial unique index (migration 005) lets one version train at
 * a time across every process, and a training whose process stopped touching it is marked
 * failed so it never blocks the next one.
 *
 * Factors are stored as little-endian float32 rows (`float32Bytes`), in the order of the
 * version's `member_ids` and `items`, so any process can load the applied one.
 *
 * @example
 * const id = await startTraining(sql, admin.id, params, { staleMs: 120_000 });
 * await recordProgress(sql, id, { phase: "training", done: 1, total: 10 }, [812.5]);
 * await finishTraining(sql, id, trained);
 * await applyModel(sql, admin.id, id); // every process hears { model: true } and loads it
 */
import type { JSONValue } from "postgres";
import type { Sql, Tx } from "./client.ts";
import { isUniqueViolation, Refusal } from "./errors.ts";
import { notify } from "./events.ts";
import { requireAdmin } from "./users.ts";
import { claimTrainingSlot, failStaleTrainingsIn } from "./training_slot.ts";
// Types only: model data is plain, and db/ runs no code from other folders but vocabulary/'s.
import type { ItemRef, SignalWeights } from "../vocabulary/signals.ts";
import {
  defaultHoldoutMode,
  type HoldoutMode,
  type HoldoutSpec,
  isHoldoutMode,
} from "../vocabulary/holdouts.ts";
import {
  knobAccepts,
  knobDefaults,
  knobLimits,
  knobWord,
  type ModelKnobKey,
  modelKnobs,
} from "../vocabulary/knobs.ts";

/** What an administrator chooses for one training run. */
export interface ModelParams {
  factors: number;
  /** λ, the weight of every vector's squared length. */
  regularization: number;
  /** Confidence is 1 + alpha × weight. */
  alpha: number;
  /** α₀, the weight of every absent (member, item) pair (Rendle et al.); 1 is Hu et al.'s. */
  unobservedWeight: number;
  /** ν: each vector's λ is scaled by (its entries + α₀ × the other side's count)^ν; 0 is plain λ. */
  regularizationExponent: number;
  iterations: number;
  /** How much picks, follows and listening count (recommend/signals.ts). */
  weights: SignalWeights;
  /** How the version is measured; `defaultHoldoutMode` when absent (vocabulary/holdouts.ts). */
  holdout?: HoldoutMode;
}

export type TrainingPhase = "reading" | "training" | "measuring";

/** Where a training is: reading the history, training iteration `done` of `total`, measuring. */
export interface TrainingProgress {
  phase: TrainingPhase;
  done: number;
  total: number;
}

/** One scorer's offline metrics on the version's holdout (recommend/evaluate.ts). */
export interface ScorerMetrics {
  name: string;
  recall: number;
  ndcg: number;
  members: number;
}

export interface ModelMetrics {
  /** The cut-off of recall@k and NDCG@k. */
  k: number;
  /**
   * How the metrics were measured. Versions stored before it was recorded have none and were
   * measured on a time split with seen items kept: `modelVersions` reads them so.
   */
  holdout?: HoldoutSpec;
  /** A time split's moment (ms): trained on history before it, measured on listening after it. */
  splitAt?: number;
  /** ALS first, then the baselines. */
  results: ScorerMetrics[];
  /** The final model's matrix. */
  members: number;
  items: number;
  interactions: number;
  /** Wall time of the whole run, reading included. */
  seconds: number;
}

/** A finished training's output, as `finishTraining` stores it. */
export interface TrainedModel {
  factors: number;
  memberIds: number[];
  items: ItemRef[];
  /** Row-major, `memberIds.length × factors`. */
  memberFactors: Float32Array;
  /** Row-major, `items.length × factors`. */
  itemFactors: Float32Array;
  loss: number[];
  metrics: ModelMetrics;
}

export type ModelState = "training" | "trained" | "failed";

/** A version as the admin page lists it: everything but the factors. */
export interface ModelVersion {
  id: number;
  state: ModelState;
  params: ModelParams;
  iterationsDone: number;
  loss: number[];
  progress: TrainingProgress | null;
  /** Always with its holdout (`holdoutOf`). */
  metrics: (ModelMetrics & { holdout: HoldoutSpec }) | null;
  error: string | null;
  createdBy: string | null;
  /** The administrator who trained it deleted their account since. */
  createdByDeleted: boolean;
  createdAt: Date;
  finishedAt: Date | null;
  /** True for the version in use now. */
  applied: boolean;
}

/** The applied version with its factors, as every process loads it. */
export interface StoredModel {
  id: number;
  params: ModelParams;
  factors: number;
  memberIds: number[];
  items: ItemRef[];
  memberFactors: Float32Array;
  itemFactors: Float32Array;
}

const readingProgress: TrainingProgress = { phase: "reading", done: 0, total: 1 };

// Any constant works; it only has to be the same in every process. Serializes apply and roll back.
const applyLockKey = 7_246_914;

/** Training parameters from one number per knob (vocabulary/knobs.ts). */
export function modelParamsOf(values: Record<ModelKnobKey, number>): ModelParams {
  return {
    factors: values.factors,
    regularization: values.regularization,
    alpha: values.alpha,
    unobservedWeight: values.unobservedWeight,
    regularizationExponent: values.regularizationExponent,
    iterations: values.iterations,
    weights: { pick: values.pickWeight, follow: values.followWeight, listen: values.listenWeight },
  };
}

/** One number per knob, from training parameters: `modelParamsOf` undone. */
export function modelKnobValues(params: ModelParams): Record<ModelKnobKey, number> {
  return {
    factors: params.factors,
    regularization: params.regularization,
    alpha: params.alpha,
    unobservedWeight: params.unobservedWeight,
    regularizationExponent: params.regularizationExponent,
    iterations: params.iterations,
    pickWeight: params.weights.pick,
    followWeight: params.weights.follow,
    listenWeight: params.weights.listen,
  };
}

/**
 * Throws an `invalid` refusal naming the first field that is wrong (form field names), by the
 * knobs' limits.
 */
export function validateModelParams(params: ModelParams): void {
  const values = modelKnobValues(params);
  for (const knob of modelKnobs) {
    if (!knobAccepts(knob, values[knob.key])) {
      throw new Refusal("invalid", knobWord(knob, "refusal"), {
        field: knob.field,
        params: knobLimits(knob),
      });
    }
  }
  const weights = params.weights;
  if (weights.pick === 0 && weights.follow === 0 && weights.listen === 0) {
    throw new Refusal(
      "invalid",
      "refusal.model.no_weight",
      "weight_pick",
    );
  }
  if (params.holdout !== undefined && !isHoldoutMode(params.holdout)) {
    throw new Refusal("invalid", "refusal.model.holdout", "holdout");
  }
}

/**
 * How a version's metrics were measured; versions stored before it was recorded were measured
 * on a time split with seen items kept.
 *
 * @example
 * holdoutOf({ k: 20, splitAt: 1767225600000, results: [], ... }); // { mode: "time", splitAt: 1767225600000, keepSeen: true }
 */
export function holdoutOf(metrics: ModelMetrics): HoldoutSpec {
  return metrics.holdout ?? { mode: "time", splitAt: metrics.splitAt ?? 0, keepSeen: true };
}

/**
 * Starts a version in state `training` and returns its id. Administrators only; refused with
 * `conflict` while another version trains or a tuning runs, in this process or any other.
 * Trainings and tunings whose process has not touched them for `staleMs` are marked failed
 * first, so they do not block.
 */
export async function startTraining(
  sql: Sql,
  actorId: number,
  params: ModelParams,
  options: { staleMs: number },
): Promise<number> {
  validateModelParams(params);
  const stored: ModelParams = {
    factors: params.factors,
    regularization: params.regularization,
    alpha: params.alpha,
    unobservedWeight: params.unobservedWeight,
    regularizationExponent: params.regularizationExponent,
    iterations: params.iterations,
    weights: {
      pick: params.weights.pick,
      follow: params.weights.follow,
      listen: params.weights.listen,
    },
    holdout: params.holdout ?? defaultHoldoutMode,
  };
  try {
    return await sql.begin(async (tx) => {
      await requireAdmin(tx, actorId);
      // A tuning trains too, on the same cores: one at a time (db/training_slot.ts).
      const running = await claimTrainingSlot(tx, options.staleMs);
      if (running.tuning) throw new Refusal("conflict", "refusal.model.tuning");
      const [row] = await tx`
        insert into model_versions (state, params, created_by, progress)
        values ('training', ${tx.json(asJson(stored))}, ${actorId},
                ${tx.json(asJson(readingProgress))})
        returning id`;
      return row.id as number;
    });
  } catch (error) {
    if (isUniqueViolation(error, "model_versions_one_training")) {
      throw new Refusal("conflict", "refusal.model.training");
    }
    throw error;
  }
}

/** Marks failed every training not touched for `staleMs`; returns their ids. */
export async function failStaleTrainings(sql: Sql, staleMs: number): Promise<number[]> {
  return await sql.begin((tx) => failStaleTrainingsIn(tx, staleMs));
}

/**
 * Records where a training is (and, in the training phase, the loss after each iteration
 * so far). Returns false when the version is no longer training (marked failed as stale):
 * its process should stop.
 */
export async function recordProgress(
  sql: Sql,
  modelId: number,
  progress: TrainingProgress,
  loss?: number[],
): Promise<boolean> {
  const rows = loss === undefined
    ? await sql`
      update model_versions set progress = ${sql.json(asJson(progress))}, heartbeat_at = now()
      where id = ${modelId} and state = 'training' returning id`
    : await sql`
      update model_versions
      set progress = ${sql.json(asJson(progress))}, heartbeat_at = now(),
          iterations_done = ${loss.length}, loss = ${loss}::float8[]
      where id = ${modelId} and state = 'training' returning id`;
  return rows.length > 0;
}

/** Tells other processes this training is alive; false when it is no longer training. */
export async function touchTraining(sql: Sql, modelId: number): Promise<boolean> {
  const rows = await sql`
    update model_versions set heartbeat_at = now()
    where id = ${modelId} and state = 'training' returning id`;
  return rows.length > 0;
}

/** Stores a finished training; false (nothing stored) when it is no longer training. */
export async function finishTraining(
  sql: Sql,
  modelId: number,
  trained: TrainedModel,
): Promise<boolean> {
  const rows = await sql`
    update model_versions
    set state = 'trained', finished_at = now(), progress = null,
        iterations_done = ${trained.loss.length}, loss = ${trained.loss}::float8[],
        metrics = ${sql.json(asJson(trained.metrics))},
        factors = ${trained.factors}, member_ids = ${trained.memberIds}::bigint[],
        items = ${sql.json(trained.items.map((i) => ({ kind: i.kind, id: i.id })))},
        member_factors = ${float32Bytes(trained.memberFactors)},
        item_factors = ${float32Bytes(trained.itemFactors)}
    where id = ${modelId} and state = 'training'
    returning id`;
  return rows.length > 0;
}

/** Marks a training failed with a reason an administrator can read. */
export async function failTraining(sql: Sql, modelId: number, error: string): Promise<void> {
  await sql`
    update model_versions set state = 'failed', finished_at = now(), progress = null,
                              error = ${error.slice(0, 2000)}
    where id = ${modelId} and state = 'training'`;
}

/** The newest versions first, without their factors. Administrators only. */
export async function modelVersions(
  sql: Sql,
  actorId: number,
  options: { limit?: number } = {},
): Promise<ModelVersion[]> {
  await requireAdmin(sql, actorId);
  const rows = await sql`
    select v.id, v.state, v.params, v.iterations_done, v.loss, v.progress, v.metrics, v.error,
           u.handle as created_by, u.deleted_at is not null as created_by_deleted,
           v.created_at, v.finished_at,
           v.id = (select model_id from model_applications order by id desc limit 1) as applied
    from model_versions v left join users u on u.id = v.created_by
    order by v.id desc limit ${options.limit ?? 30}`;
  return rows.map((r) => ({
    id: r.id,
    state: r.state,
    params: paramsRead(r.params),
    iterationsDone: r.iterations_done,
    loss: r.loss,
    progress: r.progress,
    metrics: r.metrics && { ...r.metrics, holdout: holdoutOf(r.metrics) },
    error: r.error,
    createdBy: r.created_by,
    createdByDeleted: r.created_by_deleted === true,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    applied: r.applied === true,
  }));
}

/**
 * Makes a trained version the one in use, for every process (`{ model: true }`).
 * Administrators only; a version still training or failed is refused with `conflict`.
 */
export async function applyModel(sql: Sql, actorId: number, modelId: number): Promise<void> {
  await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`select pg_advisory_xact_lock(${applyLockKey})`;
    await applyIn(tx, actorId, modelId);
  });
}

/**
 * Applies again the version that was in use before the current one (the newest application
 * of another version) and returns its id. Rolling back twice therefore returns to where it
 * started; any older version can be applied directly. Refused with `conflict` when no other
 * version was ever applied.
 */
export async function rollBackModel(sql: Sql, actorId: number): Promise<number> {
  return await sql.begin(async (tx) => {
    await requireAdmin(tx, actorId);
    await tx`select pg_advisory_xact_lock(${applyLockKey})`;
    const previous = await rollBackTarget(tx);
    if (previous === null) throw new Refusal("conflict", "refusal.model.no_earlier");
    await applyIn(tx, actorId, previous);
    return previous;
  });
}

/** The version a roll back would apply: the newest applied one other than the current one. */
export async function rollBackTarget(sql: Sql | Tx): Promise<number | null> {
  const [previous] = await sql`
    select model_id from model_applications
    where model_id <> coalesce(
      (select model_id from model_applications order by id desc limit 1), 0)
    order by id desc limit 1`;
  return previous ? previous.model_id : null;
}

async function applyIn(tx: Tx, actorId: number, modelId: number): Promise<void> {
  const [version] = await tx`select state from model_versions where id = ${modelId} for share`;
  if (!version) throw new Refusal("not_found", "refusal.model.unknown");
  if (version.state !== "trained") {
    throw new Refusal(
      "conflict",
      version.state === "training" ? "refusal.model.still_training" : "refusal.model.failed",
      { params: { id: modelId } },
    );
  }
  await tx`insert into model_applications (model_id, applied_by) values (${modelId}, ${actorId})`;
  // Every hallway's order may change with the model.
  await notify(tx, { model: true, hallway: true });
}

/** The id of the version in use, or null before any was applied. */
export async function appliedModelId(sql: Sql | Tx): Promise<number | null> {
  const [row] = await sql`select model_id from model_applications order by id desc limit 1`;
  return row ? row.model_id : null;
}

/** The version in use with its factors, or null before any was applied. */
export async function appliedModel(sql: Sql): Promise<StoredModel | null> {
  const [row] = await sql`
    select v.id, v.params, v.factors, v.member_ids, v.items, v.member_factors, v.item_factors
    from model_versions v
    where v.id = (select model_id from model_applications order by id desc limit 1)`;
  if (!row) return null;
  return {
    id: row.id,
    params: paramsRead(row.params),
    factors: row.factors,
    memberIds: row.member_ids,
    items: row.items,
    memberFactors: float32FromBytes(row.member_factors),
    itemFactors: float32FromBytes(row.item_factors),
  };
}

/**
 * Stored parameters as a `ModelParams`: a version trained before a knob existed was trained as
 * its default says (α₀ = 1 and ν = 0 are the model of before them), so it reads as the default.
 */
function paramsRead(stored: Partial<ModelParams>): ModelParams {
  const defaults = knobDefaults(modelKnobs);
  return {
    unobservedWeight: defaults.unobservedWeight,
    regularizationExponent: defaults.regularizationExponent,
    ...stored,
  } as ModelParams;
}

/** Our plain-data interfaces are JSON; their types only lack the index signature to say so. */
function asJson(value: object): JSONValue {
  return value as JSONValue;
}

const littleEndian = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/** Float32 values as little-endian bytes, the `bytea` format of model factors. */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, n) => view.setFloat32(n * 4, v, true));
  return bytes;
}

/** The inverse of `float32Bytes`; copies, since a driver's buffer need not be 4-byte aligned. */
export function float32FromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.length % 4 !== 0) throw new Error("Stored factors are not whole float32 values");
  if (littleEndian) return new Float32Array(new Uint8Array(bytes).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, n) => view.getFloat32(n * 4, true));
}
