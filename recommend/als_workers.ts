/**
 * `train` on several cores: the same iterations, with each half-step's rows split between
 * Workers (recommend/half_step_worker.ts) that share one training space (recommend/
 * training_space.ts: the matrix, the factors, the Gramians, in one shared WebAssembly memory).
 * During a half-step the fixed side and its Gramian (computed once, before) are only read, and
 * the Workers claim runs of rows of the solved side until none is left, each writing only the
 * rows it claimed; each Gramian is split between them by its rows, and the loss by its blocks of
 * members. A row's solve, a Gramian's entry and a
 * loss block depend only on their inputs and run the same code in the same order as in one
 * thread, so the model and the losses are the same, bit for bit. The Workers end when training
 * does.
 *
 * @example
 * const model = await trainParallel(interactions, params, { workers: 2, onProgress: console.log });
 */
import {
  lossFromParts,
  mirrorLower,
  type Model,
  prepareHalfStep,
  type Progress,
  startTraining,
  train,
  type TrainParams,
} from "./als.ts";
import { itemRows, memberRows } from "./interactions.ts";
import type { Interactions } from "./signals.ts";
import type { HalfStepReport, HalfStepSetup, HalfStepTask } from "./half_step_worker.ts";
import { type Side, TrainingSpace } from "./training_space.ts";

export interface ParallelOptions {
  /** Workers sharing each half-step; 1 trains in this thread, with `train`. */
  workers: number;
  /** Fewer non-zeros than this train in this thread: starting Workers would cost more. */
  fromNonZeros?: number;
  onProgress?: (progress: Progress) => void;
}

/**
 * How many Workers `trainParallel` uses on this matrix: `options.workers`, or 1 (this thread)
 * when the matrix has fewer than `options.fromNonZeros` non-zeros or too few rows to split.
 *
 * @example
 * workersFor(interactions, { workers: 2, fromNonZeros: 50_000 }); // 1 for a tiny matrix
 */
export function workersFor(interactions: Interactions, options: ParallelOptions): number {
  const fewest = Math.min(interactions.users.length, interactions.items.length);
  if (interactions.weight.length < (options.fromNonZeros ?? 0)) return 1;
  return Math.max(1, Math.min(Math.floor(options.workers), fewest));
}

/**
 * Trains as `train` does, equal to it, with `workersFor` Workers sharing each half-step. Blocks
 * no thread while they work: the caller's event loop goes on (a training Worker's messages).
 *
 * @example
 * const model = await trainParallel(interactions, { factors: 64, regularization: 0.1, alpha: 10, iterations: 10, seed: 1 }, { workers: 2 });
 */
export async function trainParallel(
  interactions: Interactions,
  params: TrainParams,
  options: ParallelOptions,
): Promise<Model> {
  const workers = workersFor(interactions, options);
  if (workers === 1) return train(interactions, params, options.onProgress);

  const k = params.factors;
  const space = TrainingSpace.create(memberRows(interactions), itemRows(interactions), {
    factors: k,
    threads: workers,
  });
  startTraining(space, params);
  const cuts = {
    gram: splitGramian(k, workers),
    loss: splitBlocks(space.layout.lossBlocks, workers),
  };
  const pool = new HalfStepWorkers(
    Array.from({ length: workers }, (_, n) => ({
      memory: space.kernel.memory,
      module: space.kernel.module,
      layout: space.layout,
      params,
      thread: n,
      own: {
        gram: [cuts.gram[n], cuts.gram[n + 1]],
        loss: [cuts.loss[n], cuts.loss[n + 1]],
      },
    })),
  );
  const gramian = async (side: Side) => {
    space.gram(side).fill(0);
    await pool.run({ gramian: side });
    mirrorLower(space.gram(side), k);
  };
  try {
    const losses: number[] = [];
    // The same steps as `train`'s loop, with the rows' solves, the Gramians and the loss's blocks
    // on the Workers.
    await gramian("items");
    for (let iteration = 1; iteration <= params.iterations; iteration++) {
      const startedAt = performance.now();
      for (const side of ["members", "items"] as const) {
        prepareHalfStep(space, side, params);
        space.nextRow()[0] = 0;
        await pool.run({ solve: side, rowsPerClaim: rowsPerClaim(space.count(side), workers) });
        await gramian(side);
      }
      await pool.run({ loss: true });
      const value = lossFromParts(space, params);
      losses.push(value);
      const seconds = (performance.now() - startedAt) / 1000;
      options.onProgress?.({ iteration, loss: value, seconds });
    }
    // Copies in plain buffers, which callers may transfer.
    return {
      userFactors: space.vectors("members").slice(),
      itemFactors: space.vectors("items").slice(),
      factors: k,
      loss: losses,
    };
  } finally {
    pool.close();
  }
}

/**
 * How many rows a Worker claims at a time in a half-step of `rows` rows: about 64 claims per
 * Worker, so the last claims are small next to the whole, and never more than the rows.
 *
 * @example
 * rowsPerClaim(100_000, 2); // 782
 */
export function rowsPerClaim(rows: number, workers: number): number {
  return Math.max(1, Math.ceil(rows / (workers * claimsPerWorker)));
}

const claimsPerWorker = 64;

/**
 * Where to cut a k × k Gramian's lower triangle into `parts` ranges of rows of about equal work:
 * row a has a + 1 entries, so the cuts fall at k·√(n / parts).
 *
 * @example
 * splitGramian(64, 2); // Int32Array [0, 45, 64]
 */
export function splitGramian(k: number, parts: number): Int32Array {
  return Int32Array.from({ length: parts + 1 }, (_, n) => Math.round(k * Math.sqrt(n / parts)));
}

/**
 * Where to cut the loss's `blocks` (recommend/training_space.ts `lossBlockRows` members each) into
 * `parts` runs of about as many blocks.
 *
 * @example
 * splitBlocks(25, 2); // Int32Array [0, 13, 25]
 */
export function splitBlocks(blocks: number, parts: number): Int32Array {
  return Int32Array.from({ length: parts + 1 }, (_, n) => Math.round(blocks * n / parts));
}

/** The Workers of one training, each told its setup once and then each task to do. */
class HalfStepWorkers {
  #workers: Worker[] = [];
  #waiting: (PromiseWithResolvers<void> | null)[] = [];
  #failure: Error | null = null;

  constructor(setups: HalfStepSetup[]) {
    for (const setup of setups) {
      const n = this.#workers.length;
      const worker = new Worker(new URL("./half_step_worker.ts", import.meta.url), {
        type: "module",
      });
      worker.onmessage = (event: MessageEvent<HalfStepReport>) => {
        const report = event.data;
        this.#settle(n, report.type === "done" ? null : new Error(report.message));
      };
      worker.onerror = (event) => {
        // Handled here: unhandled, a Worker's error would end the whole process.
        event.preventDefault();
        this.#settle(n, new Error(`A half-step worker crashed: ${event.message}`));
      };
      worker.postMessage(setup);
      this.#workers.push(worker);
      this.#waiting.push(null);
    }
  }

  /** Every Worker does its share of `task`; throws the first failure. */
  async run(task: HalfStepTask): Promise<void> {
    if (this.#failure) throw this.#failure;
    const done = this.#workers.map((worker, n) => {
      const waiting = Promise.withResolvers<void>();
      this.#waiting[n] = waiting;
      worker.postMessage(task);
      return waiting.promise;
    });
    // Every answer is awaited, so a second failure is never left unhandled.
    const failed = (await Promise.allSettled(done)).find((d) => d.status === "rejected");
    if (failed) throw failed.reason;
  }

  close(): void {
    for (const worker of this.#workers) worker.terminate();
  }

  #settle(n: number, failure: Error | null): void {
    const waiting = this.#waiting[n];
    this.#waiting[n] = null;
    if (failure) this.#failure ??= failure;
    if (!waiting) return;
    if (failure) waiting.reject(failure);
    else waiting.resolve();
  }
}
