/**
 * A Worker that solves its share of every half-step for `trainParallel` (recommend/als_workers.ts).
 * It is given, once, the matrix by member and by item, both sides' factors and the Gramian, all
 * in SharedArrayBuffers, and the rows that are its own on each side. Then, for each half-step,
 * it solves its rows with `halfStep`, writing only their vectors, and says it is done.
 *
 * @example
 * const worker = new Worker(new URL("./half_step_worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(setup); // a HalfStepSetup
 * worker.postMessage({ side: "members" }); // answered by a HalfStepReport
 */
import { halfStep, type TrainParams } from "./als.ts";
import type { SparseRows } from "./interactions.ts";

/** Which half-step: members solved against the item factors, or items against the members'. */
export type Side = "members" | "items";

/** Everything a worker reads or writes, shared, and which rows are its own: `[from, to)` per side. */
export interface HalfStepSetup {
  rows: Record<Side, SparseRows>;
  userFactors: Float64Array;
  itemFactors: Float64Array;
  /** The fixed side's Gramian, written by the coordinator before each half-step. */
  gram: Float64Array;
  params: TrainParams;
  own: Record<Side, [number, number]>;
}

export type HalfStepReport = { type: "solved" } | { type: "failed"; message: string };

/** Solves rows `[from, to)` of one side; their vectors are the only ones it writes. */
function solveOwnRows(setup: HalfStepSetup, side: Side): void {
  const k = setup.params.factors;
  const [from, to] = setup.own[side];
  const rows = setup.rows[side];
  // A view whose row 0 is row `from`: `start` holds offsets into the whole index and weight.
  const own: SparseRows = { ...rows, start: rows.start.subarray(from, to + 1) };
  const [fixed, solved] = side === "members"
    ? [setup.itemFactors, setup.userFactors]
    : [setup.userFactors, setup.itemFactors];
  halfStep(own, fixed, solved.subarray(from * k, to * k), setup.params, setup.gram);
}

// The worker's global scope; the project's types describe a window, so name what is used.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<HalfStepSetup | { side: Side }>) => void) | null;
  postMessage(message: HalfStepReport): void;
};

let setup: HalfStepSetup | null = null;

scope.onmessage = (event) => {
  const message = event.data;
  if (!("side" in message)) {
    setup = message;
    return;
  }
  try {
    if (!setup) throw new Error("The half-step worker was not set up");
    solveOwnRows(setup, message.side);
    scope.postMessage({ type: "solved" });
  } catch (error) {
    scope.postMessage({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
