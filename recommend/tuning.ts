/**
 * The tuner: successive halving over a grid of ALS hyper-parameters, measured on a holdout of the
 * community's own history. Every configuration of the first rung trains for a few iterations;
 * the better half by recall@k goes on to the next rung with about twice the iterations (at least
 * one), until one is left, trained for the most iterations asked. The budget counts trainings (the plan is sized so
 * it fits) and, optionally, seconds: when the clock runs out, the search stops and offers the
 * best configuration measured so far. Pure: no database, no Worker.
 *
 * @example
 * const split = randomMatrixSplit(matrix, { share: 0.2, seed: 7 });
 * const { best } = tune(split, { space: defaultTuningSpace, maxIterations: 16, k: 20, seed: 1,
 *   budget: { trainings: 30 } });
 * best?.params; // { factors: 32, regularization: 0.1, alpha: 1, ... }
 */
import { train } from "./als.ts";
import { alsScorer, measure, type Split } from "./evaluate.ts";
import { mulberry32 } from "./random.ts";
import type { Trial, TunedParams, TuningPlan } from "../vocabulary/tunings.ts";

export type { Trial, TunedParams, TuningPlan } from "../vocabulary/tunings.ts";

/** The values tried for each hyper-parameter: the grid is every combination. */
export type TuningSpace = { [Key in keyof TunedParams]: readonly number[] };

/**
 * A small grid around Palabre's defaults, a decade or more each way where it matters, with Hu et
 * al.'s α₀ = 1 and ν = 0 among Rendle et al.'s alternatives: 108 configurations, of which the plan
 * draws as many as its budget allows (the administrator's own first).
 */
export const defaultTuningSpace: TuningSpace = {
  factors: [16, 32, 64],
  regularization: [0.01, 0.1, 1],
  alpha: [1, 3, 10],
  unobservedWeight: [0.1, 1],
  regularizationExponent: [0, 1],
};

/** What the tuner may spend: at most `trainings` trainings, and at most `seconds` when given. */
export interface TuningBudget {
  trainings: number;
  seconds?: number;
}

export interface TuneOptions {
  space: TuningSpace;
  /** The iterations of the last rung. */
  maxIterations: number;
  budget: TuningBudget;
  k: number;
  /** Seeds the initial factors of every training, and which configurations are drawn. */
  seed: number;
  /** Measure at most this many members (all when absent). */
  maxMembers?: number;
  /** Always among the configurations tried (the current parameters), when given. */
  include?: TunedParams;
  /** Milliseconds, for the `seconds` budget; `performance.now` unless given. */
  now?: () => number;
  /** Hears each trial as it ends, with the plan's size. */
  onTrial?: (trial: Trial, plan: TuningPlan) => void;
}

export interface TuningResult {
  plan: TuningPlan;
  trials: Trial[];
  /** The trial with the best recall@k (the earliest on a tie); null when none ran. */
  best: Trial | null;
  /** The `seconds` budget ran out before the plan's end. */
  outOfTime: boolean;
}

/**
 * Runs successive halving on `split`'s training matrix, measuring each trial on its holdout.
 *
 * @example
 * tune(split, { space, maxIterations: 8, k: 20, seed: 1, budget: { trainings: 20, seconds: 120 } });
 */
export function tune(split: Split, options: TuneOptions): TuningResult {
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const grid = gridOf(options.space);
  const candidates = drawConfigurations(grid, options);
  const plan = tuningPlan(candidates.length, options);
  let survivors = candidates.slice(0, plan.configurations);
  const trials: Trial[] = [];
  const members = [...split.truth.keys()];
  const measured = options.maxMembers === undefined || members.length <= options.maxMembers
    ? members
    : Array.from(
      { length: options.maxMembers },
      (_, n) => members[Math.floor((n * members.length) / options.maxMembers!)],
    );
  const outOfTime = () =>
    options.budget.seconds !== undefined && now() - startedAt >= options.budget.seconds * 1000;
  let stopped = false;
  for (let rung = 0; rung < plan.rungIterations.length && !stopped; rung++) {
    const iterations = plan.rungIterations[rung];
    const rungTrials: Trial[] = [];
    for (const params of survivors) {
      if (outOfTime()) {
        stopped = true;
        break;
      }
      const trialStart = now();
      const als = { ...params, iterations, seed: options.seed };
      const model = train(split.training, als);
      const metrics = measure(split, alsScorer(split, model, als), options.k, measured);
      const trial: Trial = {
        rung,
        params,
        iterations,
        recall: metrics.recall,
        ndcg: metrics.ndcg,
        seconds: (now() - trialStart) / 1000,
      };
      rungTrials.push(trial);
      trials.push(trial);
      options.onTrial?.(trial, plan);
    }
    survivors = betterHalf(rungTrials).map((t) => t.params);
  }
  return { plan, trials, best: bestTrial(trials), outOfTime: stopped };
}

/**
 * The largest plan that fits `budget.trainings`: n configurations (at most `available`), then
 * ⌈n/2⌉, … down to one, the last rung at `maxIterations` and each earlier one at half the next
 * (at least one iteration).
 *
 * @example
 * tuningPlan(108, { maxIterations: 16, budget: { trainings: 30 } });
 * // { configurations: 15, rungIterations: [1, 2, 4, 8, 16], trainings: 30 } (15, 8, 4, 2, 1)
 */
export function tuningPlan(
  available: number,
  options: { maxIterations: number; budget: TuningBudget },
): TuningPlan {
  let best: TuningPlan | null = null;
  for (let n = 1; n <= available; n++) {
    const sizes = rungSizes(n);
    const trainings = sizes.reduce((a, b) => a + b, 0);
    if (trainings > options.budget.trainings) break;
    const rungIterations = sizes.map((_, r) =>
      Math.max(1, Math.round(options.maxIterations / 2 ** (sizes.length - 1 - r)))
    );
    best = { configurations: n, rungIterations, trainings };
  }
  return best ?? { configurations: 0, rungIterations: [], trainings: 0 };
}

/** The number of configurations at each rung, from n down to one. */
function rungSizes(n: number): number[] {
  const sizes = [n];
  while (sizes[sizes.length - 1] > 1) sizes.push(Math.ceil(sizes[sizes.length - 1] / 2));
  return sizes;
}

/** The better half (rounded up) by recall, in the order they ranked; ties keep the earlier. */
export function betterHalf(trials: Trial[]): Trial[] {
  const ranked = [...trials].sort((a, b) => b.recall - a.recall);
  return ranked.slice(0, Math.ceil(trials.length / 2));
}

function bestTrial(trials: Trial[]): Trial | null {
  let best: Trial | null = null;
  for (const trial of trials) {
    if (best === null || trial.recall > best.recall) best = trial;
  }
  return best;
}

/** Every combination of the space's values. */
function gridOf(space: TuningSpace): TunedParams[] {
  let grid: Partial<TunedParams>[] = [{}];
  for (const key of Object.keys(space) as (keyof TunedParams)[]) {
    grid = grid.flatMap((partial) => space[key].map((value) => ({ ...partial, [key]: value })));
  }
  return grid as TunedParams[];
}

/** The grid in a seeded order, `include` first when given (and not twice). */
function drawConfigurations(
  grid: TunedParams[],
  options: { seed: number; include?: TunedParams },
): TunedParams[] {
  const random = mulberry32(options.seed);
  const shuffled = [...grid];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const same = (a: TunedParams, b: TunedParams) =>
    (Object.keys(a) as (keyof TunedParams)[]).every((key) => a[key] === b[key]);
  const include = options.include;
  const rest = include ? shuffled.filter((p) => !same(p, include)) : shuffled;
  return [...(include ? [include] : []), ...rest];
}
