/**
 * A tuning's words that db/, recommend/ and the page share: the hyper-parameters searched, one
 * configuration tried, the plan of the search, and the limits of its time budget. Plain data:
 * this module imports nothing.
 *
 * @example
 * const trial: Trial = { rung: 0, params, iterations: 2, recall: 0.21, ndcg: 0.14, seconds: 0.8 };
 * tuningBudgetAccepts(2); // true: minutes
 */

/** The hyper-parameters the tuner searches; the signal weights stay as the administrator set them. */
export interface TunedParams {
  factors: number;
  regularization: number;
  alpha: number;
  unobservedWeight: number;
  regularizationExponent: number;
}

/** One configuration trained and measured at one rung of successive halving. */
export interface Trial {
  /** 0 for the first rung. */
  rung: number;
  params: TunedParams;
  iterations: number;
  /** recall@k and NDCG@k on the holdout. */
  recall: number;
  ndcg: number;
  /** Training and measuring. */
  seconds: number;
}

/** How many configurations start, and the iterations of each rung. */
export interface TuningPlan {
  configurations: number;
  rungIterations: number[];
  /** Trainings the whole plan takes. */
  trainings: number;
}

/** The time an administrator may give a tuning, in whole minutes. */
export const tuningBudgetMinutes = { default: 2, min: 1, max: 30 } as const;

/** Whether `minutes` is a budget a tuning accepts. */
export function tuningBudgetAccepts(minutes: number): boolean {
  return Number.isInteger(minutes) && minutes >= tuningBudgetMinutes.min &&
    minutes <= tuningBudgetMinutes.max;
}
