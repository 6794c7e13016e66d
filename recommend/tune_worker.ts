/**
 * The Worker that tunes off the request path: the signal log in (as transferred columns), every
 * configuration tried out, one report per trial. It splits the history as the request's holdout
 * says and runs `tune` (recommend/tuning.ts) on it; recommend/training.ts does the I/O.
 *
 * @example
 * const worker = new Worker(new URL("./tune_worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(request, columnBuffers(request.signals));
 * worker.onmessage = (event: MessageEvent<TuneReport>) => console.log(event.data.type);
 */
import { splitSignals } from "./evaluate.ts";
import { type SignalColumns, signalsFromColumns } from "./signal_columns.ts";
import type { SignalWeights } from "./signals.ts";
import { tune, type TunedParams, type TuningResult, type TuningSpace } from "./tuning.ts";
import type { Trial, TuningPlan } from "../vocabulary/tunings.ts";
import type { TrainingRequest } from "./train_worker.ts";
import { holdoutSpec } from "./holdout_spec.ts";

export interface TuningRequest {
  signals: SignalColumns;
  weights: SignalWeights;
  space: TuningSpace;
  /** Tried first: the parameters the administrator has now. */
  include: TunedParams;
  maxIterations: number;
  budget: { trainings: number; seconds: number };
  seed: number;
  /** The holdout, as a training measures: the tuning compares with the versions. */
  evaluation: TrainingRequest["evaluation"];
}

export type TuneReport =
  | { type: "trial"; trial: Trial; plan: TuningPlan }
  | { type: "tuned"; result: TuningResult }
  | { type: "failed"; message: string };

/** Splits and tunes; `report` hears every trial. Throws a readable Error on too little data. */
export function tuneOnHistory(
  request: TuningRequest,
  report: (trial: Trial, plan: TuningPlan) => void,
): TuningResult {
  const signals = signalsFromColumns(request.signals);
  const split = splitSignals(signals, holdoutSpec(signals, request.evaluation), request.weights);
  if (split.truth.size === 0) {
    throw new Error(
      "Too little history to tune: no member has enough signals to hold some out and measure",
    );
  }
  return tune(split, {
    space: request.space,
    include: request.include,
    maxIterations: request.maxIterations,
    budget: request.budget,
    k: request.evaluation.k,
    maxMembers: request.evaluation.maxMembers,
    seed: request.seed,
    onTrial: report,
  });
}

// The worker's global scope; the project's types describe a window, so name what is used.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<TuningRequest>) => void) | null;
  postMessage(message: TuneReport): void;
};

scope.onmessage = (event) => {
  try {
    const result = tuneOnHistory(
      event.data,
      (trial, plan) => scope.postMessage({ type: "trial", trial, plan }),
    );
    scope.postMessage({ type: "tuned", result });
  } catch (error) {
    scope.postMessage({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
