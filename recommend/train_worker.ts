/**
 * The Worker that trains a model version off the request path: the whole signal log in (as
 * transferred columns), the final model's factors and its offline metrics out, with a report
 * after every iteration. It holds no database connection; recommend/training.ts does the I/O.
 *
 * The final model trains on all the history, its half-steps shared by `parallel.workers` Workers
 * it starts (recommend/als_workers.ts) once the matrix is large enough to gain from them. The
 * metrics come from a second model trained the same way, in this Worker alone, on the history
 * less a holdout, measured against popularity and picked topics (recommend/evaluate.ts): a random
 * `share` of each member's items (seeded), or the last `share` of the history's time span. The
 * result says which, so the page can.
 *
 * @example
 * const worker = new Worker(new URL("./train_worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(request, columnBuffers(request.signals));
 * worker.onmessage = (event: MessageEvent<WorkerReport>) => console.log(event.data.type);
 */
import type { Progress, TrainParams } from "./als.ts";
import { trainParallel, workersFor } from "./als_workers.ts";
import { evaluate, type HoldoutSpec, type Metrics } from "./evaluate.ts";
import { buildInteractions } from "./interactions.ts";
import { holdoutSpec } from "./holdout_spec.ts";
import { type SignalColumns, signalsFromColumns } from "./signal_columns.ts";
import type { ItemRef, SignalWeights } from "./signals.ts";
import type { HoldoutMode } from "../vocabulary/holdouts.ts";

export interface TrainingRequest {
  signals: SignalColumns;
  als: TrainParams;
  weights: SignalWeights;
  /** Workers sharing each half-step of the final model, from this many non-zeros. */
  parallel: { workers: number; fromNonZeros: number };
  evaluation: {
    mode: HoldoutMode;
    /** In (0, 1): of each member's items (random), or of the history's time span, at its end (time). */
    share: number;
    /** Draws the random holdout. */
    seed: number;
    /** Keep items a member already had in the truth and the rankings (left out by default). */
    keepSeen: boolean;
    k: number;
    maxMembers: number;
  };
}

export interface TrainingResult {
  memberIds: number[];
  items: ItemRef[];
  factors: number;
  /** Transferred: a buffer of its own. */
  memberFactors: Float32Array<ArrayBuffer>;
  itemFactors: Float32Array<ArrayBuffer>;
  loss: number[];
  interactions: number;
  k: number;
  /** How the metrics were measured. */
  holdout: HoldoutSpec;
  metrics: Metrics[];
}

/**
 * "training" is the final model, "measuring" the holdout model's training; `workers` is how
 * many Workers share its half-steps (1: this Worker alone).
 */
export type WorkerReport =
  | {
    type: "progress";
    phase: "training" | "measuring";
    iterations: number;
    workers: number;
  } & Progress
  | { type: "trained"; result: TrainingResult }
  | { type: "failed"; message: string };

/** At least this many members and items, or there is nothing to factorize. */
const minimumRows = 2;

/** Trains and measures; `report` hears every iteration. Throws a readable Error on too little data. */
export async function trainAndMeasure(
  request: TrainingRequest,
  report: (progress: WorkerReport & { type: "progress" }) => void,
): Promise<TrainingResult> {
  const signals = signalsFromColumns(request.signals);
  const interactions = buildInteractions(signals, request.weights);
  if (interactions.users.length < minimumRows || interactions.items.length < minimumRows) {
    throw new Error(
      `Too little history to train: ${interactions.users.length} members and ` +
        `${interactions.items.length} topics or people have signals (at least ${minimumRows} of each are needed)`,
    );
  }
  const iterations = request.als.iterations;
  const workers = workersFor(interactions, request.parallel);
  const model = await trainParallel(interactions, request.als, {
    ...request.parallel,
    onProgress: (p) => report({ type: "progress", phase: "training", iterations, workers, ...p }),
  });

  const { k, maxMembers } = request.evaluation;
  const { holdout, results } = evaluate(signals, {
    holdout: holdoutSpec(signals, request.evaluation),
    k,
    maxMembers,
    weights: request.weights,
    als: request.als,
    onProgress: (p) =>
      report({ type: "progress", phase: "measuring", iterations, workers: 1, ...p }),
  });
  return {
    memberIds: interactions.users,
    items: interactions.items,
    factors: model.factors,
    memberFactors: Float32Array.from(model.userFactors),
    itemFactors: Float32Array.from(model.itemFactors),
    loss: model.loss,
    interactions: interactions.itemIndex.length,
    k,
    holdout: holdout.spec,
    metrics: results,
  };
}

// The worker's global scope; the project's types describe a window, so name what is used.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<TrainingRequest>) => Promise<void>) | null;
  postMessage(message: WorkerReport, transfer?: Transferable[]): void;
};

scope.onmessage = async (event) => {
  let report: WorkerReport;
  try {
    const result = await trainAndMeasure(event.data, (progress) => scope.postMessage(progress));
    report = { type: "trained", result };
    scope.postMessage(report, [result.memberFactors.buffer, result.itemFactors.buffer]);
  } catch (error) {
    report = { type: "failed", message: error instanceof Error ? error.message : String(error) };
    scope.postMessage(report);
  }
};
