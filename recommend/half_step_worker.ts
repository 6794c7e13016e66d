/**
 * A Worker that does its share of every half-step for `trainParallel` (recommend/als_workers.ts).
 * It is given, once, the training space's shared memory, the compiled kernel and the layout
 * (recommend/training_space.ts), and its share of the Gramians' rows and of the loss's blocks.
 * Then, when told, it solves rows of one side, claiming runs of them until none is left (writing
 * only their vectors), adds its rows of one side's Gramian (writing only those entries), or sums
 * its blocks of the loss, and says it is done.
 *
 * @example
 * const worker = new Worker(new URL("./half_step_worker.ts", import.meta.url), { type: "module" });
 * worker.postMessage(setup); // a HalfStepSetup
 * worker.postMessage({ solve: "members", rowsPerClaim: 512 }); // answered by a HalfStepReport
 */
import { addGramianRows, addLossParts, solveRows, type TrainParams } from "./als.ts";
import { type Side, type TrainingLayout, TrainingSpace } from "./training_space.ts";

/** The shared space, and the Gramian rows and loss blocks that are this worker's: `[from, to)`. */
export interface HalfStepSetup {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  layout: TrainingLayout;
  params: TrainParams;
  /** Which of the layout's scratch spaces is this worker's. */
  thread: number;
  own: { gram: [number, number]; loss: [number, number] };
}

/**
 * Solve one side's rows against the other's factors, `rowsPerClaim` at a time from the space's
 * next unclaimed row (which the coordinator sets to 0 first); add one side's Gramian; or sum the
 * loss.
 */
export type HalfStepTask =
  | { solve: Side; rowsPerClaim: number }
  | { gramian: Side }
  | { loss: true };

export type HalfStepReport = { type: "done" } | { type: "failed"; message: string };

// The worker's global scope; the project's types describe a window, so name what is used.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<HalfStepSetup | HalfStepTask>) => void) | null;
  postMessage(message: HalfStepReport): void;
};

let setup: Omit<HalfStepSetup, "memory" | "module" | "layout"> & { space: TrainingSpace } | null =
  null;

function work(task: HalfStepTask): void {
  if (!setup) throw new Error("The half-step worker was not set up");
  const { space, own, params, thread } = setup;
  if ("solve" in task) {
    // Rows cost unequally (their entries, and whether those fit in cache): claiming runs of rows
    // as they finish keeps every worker busy to the end.
    const count = space.count(task.solve);
    const next = space.nextRow();
    for (;;) {
      const from = Atomics.add(next, 0, task.rowsPerClaim);
      if (from >= count) break;
      const to = Math.min(count, from + task.rowsPerClaim);
      solveRows(space, task.solve, params, { from, to, thread });
    }
  } else if ("gramian" in task) {
    const [from, to] = own.gram;
    addGramianRows(space, task.gramian, { from, to });
  } else {
    const [from, to] = own.loss;
    addLossParts(space, params, { from, to });
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  if ("own" in message) {
    const { memory, module, layout, ...rest } = message;
    setup = { ...rest, space: TrainingSpace.attach(memory, module, layout) };
    return;
  }
  try {
    work(message);
    scope.postMessage({ type: "done" });
  } catch (error) {
    scope.postMessage({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
    });
  }
};
