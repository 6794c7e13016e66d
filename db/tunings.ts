/**
 * Tunings: searches of the model's hyper-parameters, stored with their state, budget, progress
 * and every configuration tried, so any process's admin page can follow one. The rules live
 * here: administrators only, a budget within its limits, and one training or tuning at a time
 * across processes (db/training_slot.ts, which `startTraining` claims too). A tuning's process
 * touches its row while it works; one left untouched for `staleMs` is marked failed, as
 * trainings are.
 *
 * @example
 * const id = await startTuning(sql, admin.id, { params, budgetMinutes: 2 }, { staleMs });
 * await recordTrial(sql, id, plan, trials);
 * await finishTuning(sql, id, { plan, trials, best, k: 20, outOfTime: false });
 */
import type { JSONValue } from "postgres";
import type { Sql } from "./client.ts";
import { isUniqueViolation, Refusal } from "./errors.ts";
import { requireAdmin } from "./users.ts";
import { type ModelParams, validateModelParams } from "./models.ts";
import { claimTrainingSlot, failStaleTuningsIn } from "./training_slot.ts";
import { defaultHoldoutMode } from "../vocabulary/holdouts.ts";
import {
  type Trial,
  tuningBudgetAccepts,
  tuningBudgetMinutes,
  type TuningPlan,
} from "../vocabulary/tunings.ts";

export type TuningState = "tuning" | "tuned" | "failed";

/** A tuning as the admin page shows it. */
export interface Tuning {
  id: number;
  state: TuningState;
  /** What the search started from; the best trial replaces its five hyper-parameters. */
  params: ModelParams;
  budgetSeconds: number;
  plan: TuningPlan | null;
  trials: Trial[];
  best: Trial | null;
  k: number | null;
  /** The budget's time ran out before the plan's end. */
  outOfTime: boolean;
  error: string | null;
  createdBy: string | null;
  createdByDeleted: boolean;
  createdAt: Date;
  finishedAt: Date | null;
}

/** What a finished search stores. */
export interface TuningOutcome {
  plan: TuningPlan;
  trials: Trial[];
  best: Trial | null;
  k: number;
  outOfTime: boolean;
}

/**
 * Starts a tuning in state `tuning` and returns its id. Administrators only; the budget is whole
 * minutes within `tuningBudgetMinutes` (`invalid`, field `budget`); refused with `conflict`
 * while a training or another tuning runs anywhere. Stale ones are marked failed first.
 */
export async function startTuning(
  sql: Sql,
  actorId: number,
  asked: { params: ModelParams; budgetMinutes: number },
  options: { staleMs: number },
): Promise<number> {
  await requireAdmin(sql, actorId);
  if (!tuningBudgetAccepts(asked.budgetMinutes)) {
    throw new Refusal("invalid", "refusal.tuning.budget", {
      field: "budget",
      params: { min: tuningBudgetMinutes.min, max: tuningBudgetMinutes.max },
    });
  }
  validateModelParams(asked.params);
  const params: ModelParams = {
    ...asked.params,
    weights: { ...asked.params.weights },
    holdout: asked.params.holdout ?? defaultHoldoutMode,
  };
  try {
    return await sql.begin(async (tx) => {
      await requireAdmin(tx, actorId);
      const running = await claimTrainingSlot(tx, options.staleMs);
      if (running.training) throw new Refusal("conflict", "refusal.tuning.training");
      const [row] = await tx`
        insert into tunings (state, params, budget_seconds, created_by)
        values ('tuning', ${tx.json(asJson(params))}, ${asked.budgetMinutes * 60}, ${actorId})
        returning id`;
      return row.id as number;
    });
  } catch (error) {
    if (isUniqueViolation(error, "tunings_one_tuning")) {
      throw new Refusal("conflict", "refusal.tuning.tuning");
    }
    throw error;
  }
}

/** Marks failed every tuning not touched for `staleMs`; returns their ids. */
export async function failStaleTunings(sql: Sql, staleMs: number): Promise<number[]> {
  return await sql.begin((tx) => failStaleTuningsIn(tx, staleMs));
}

/** Records the plan and the trials so far; false when the tuning is no longer running. */
export async function recordTrials(
  sql: Sql,
  tuningId: number,
  plan: TuningPlan,
  trials: Trial[],
): Promise<boolean> {
  const rows = await sql`
    update tunings set plan = ${sql.json(asJson(plan))}, trials = ${sql.json(asJson(trials))},
                       heartbeat_at = now()
    where id = ${tuningId} and state = 'tuning' returning id`;
  return rows.length > 0;
}

/** Tells other processes this tuning is alive; false when it is no longer running. */
export async function touchTuning(sql: Sql, tuningId: number): Promise<boolean> {
  const rows = await sql`
    update tunings set heartbeat_at = now()
    where id = ${tuningId} and state = 'tuning' returning id`;
  return rows.length > 0;
}

/** Stores a finished search; false (nothing stored) when it is no longer running. */
export async function finishTuning(
  sql: Sql,
  tuningId: number,
  outcome: TuningOutcome,
): Promise<boolean> {
  const rows = await sql`
    update tunings
    set state = 'tuned', finished_at = now(), plan = ${sql.json(asJson(outcome.plan))},
        trials = ${sql.json(asJson(outcome.trials))},
        best = ${outcome.best ? sql.json(asJson(outcome.best)) : null},
        k = ${outcome.k}, out_of_time = ${outcome.outOfTime}
    where id = ${tuningId} and state = 'tuning' returning id`;
  return rows.length > 0;
}

/** Marks a tuning failed with a reason an administrator can read. */
export async function failTuning(sql: Sql, tuningId: number, error: string): Promise<void> {
  await sql`
    update tunings set state = 'failed', finished_at = now(), error = ${error.slice(0, 2000)}
    where id = ${tuningId} and state = 'tuning'`;
}

/** The newest tuning, or null before any. Administrators only. */
export async function latestTuning(sql: Sql, actorId: number): Promise<Tuning | null> {
  await requireAdmin(sql, actorId);
  const [row] = await sql`
    select t.*, u.handle as created_by_handle, u.deleted_at is not null as created_by_deleted
    from tunings t left join users u on u.id = t.created_by
    order by t.id desc limit 1`;
  return row ? tuningRead(row) : null;
}

/** One tuning by id, or null. Administrators only. */
export async function tuningById(sql: Sql, actorId: number, id: number): Promise<Tuning | null> {
  await requireAdmin(sql, actorId);
  const [row] = await sql`
    select t.*, u.handle as created_by_handle, u.deleted_at is not null as created_by_deleted
    from tunings t left join users u on u.id = t.created_by
    where t.id = ${id}`;
  return row ? tuningRead(row) : null;
}

/**
 * The parameters a tuning offers: what it started from with its best trial's hyper-parameters
 * and iterations. Refused with `conflict` until the tuning has ended with a best trial.
 */
export function offeredParams(tuning: Tuning): ModelParams {
  if (tuning.state !== "tuned" || tuning.best === null) {
    throw new Refusal("conflict", "refusal.tuning.no_best");
  }
  return { ...tuning.params, ...tuning.best.params, iterations: tuning.best.iterations };
}

function tuningRead(row: Record<string, unknown>): Tuning {
  return {
    id: Number(row.id),
    state: row.state as TuningState,
    params: row.params as ModelParams,
    budgetSeconds: row.budget_seconds as number,
    plan: row.plan as TuningPlan | null,
    trials: row.trials as Trial[],
    best: row.best as Trial | null,
    k: row.k as number | null,
    outOfTime: row.out_of_time === true,
    error: row.error as string | null,
    createdBy: row.created_by_handle as string | null,
    createdByDeleted: row.created_by_deleted === true,
    createdAt: row.created_at as Date,
    finishedAt: row.finished_at as Date | null,
  };
}

/** Our plain-data interfaces are JSON; their types only lack the index signature to say so. */
function asJson(value: object): JSONValue {
  return value as JSONValue;
}
