/**
 * A Worker that does its share of every half-step for `trainParallel` (recommend/als_workers.ts).
 * It is given, once, the matrix by member and by item, both sides' factors and their Gramians,
 * all in SharedArrayBuffers, and which rows are its own. Then, when told, it solves its rows of
 * one side with `halfStep` (writing only their vectors), or adds its rows of one side's Gramian
 * (writing only those entries), and says it is done.
 *
 * @example
 * const worker = new Worker(new URL("./half_step_worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(setup); // a HalfStepSetup
 * worker.postMessage({ solve: "members" }); // answered by a HalfStepReport
 */
import { addGramianRows, halfStep, type TrainParams } from "./als.ts";
import type { SparseRows } from "./interactions.ts";

/** The members' side (their rows, their factors) or the items'. */
export type Side = "members" | "items";

/** Everything a worker reads or writes, shared, and which rows are its own: `[from, to)`. */
export interface HalfStepSetup {
  rows: Record<Side, SparseRows>;
  factors: Record<Side, Float64Array>;
  /** Each side's Gramian: zeroed by the coordinator, its rows added by the workers. */
  gram: Record<Side, Float64Array>;
  params: TrainParams;
  own: Record<Side, [number, number]> & { gram: [number, number] };
}

/** Solve one side's rows against the other's factors, or compute one side's Gramian. */
export type HalfStepTask = { solve: Side } | { gramian: Side };

export type HalfStepReport = { type: "done" } | { type: "failed"; message: string };

/** Solves its rows of one side; their vectors are the only ones it writes. */
function solveOwnRows(setup: HalfStepSetup, side: Side): void {
  const k = setup.params.factors;
  const [from, to] = setup.own[side];
  const rows = setup.rows[side];
  // A view whose row 0 is row `from`: `start` holds offsets into the whole index and weight.
  const own: SparseRows = { ...rows, start: rows.start.subarray(from, to + 1) };
  const fixed = side === "members" ? "items" : "members";
  const solved = setup.factors[side].subarray(from * k, to * k);
  halfStep(own, setup.factors[fixed], solved, setup.params, setup.gram[fixed]);
}

// The worker's global scope; the project's types describe a window, so name what is used.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<HalfStepSetup | HalfStepTask>) => void) | null;
  postMessage(message: HalfStepReport): void;
};

let setup: HalfStepSetup | null = null;

scope.onmessage = (event) => {
  const task = event.data;
  if ("own" in task) {
    setup = task;
    return;
  }
  try {
    if (!setup) throw new Error("The half-step worker was not set up");
    if ("solve" in task) {
      solveOwnRows(setup, task.solve);
    } else {
      const [from, to] = setup.own.gram;
      const gram = setup.gram[task.gramian];
      addGramianRows(setup.factors[task.gramian], setup.params.factors, { gram, from, to });
    }
    scope.postMessage({ type: "done" });
  } catch (error) {
    scope.postMessage({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
