/**
 * `train` on several cores: the same iterations, with each half-step's rows split between
 * Workers (recommend/half_step_worker.ts) that share the matrix and the factors through
 * SharedArrayBuffers. During a half-step the fixed side and its Gramian (computed once, before)
 * are only read, and each Worker writes only its own rows of the solved side; each Gramian is
 * split between them by its rows too. A row's solve, and a Gramian's entry, depends only on its
 * inputs and runs the same code in the same order as in one thread, so the model is the same,
 * bit for bit. The loss is summed here, in `train`'s order. The Workers end when training does.
 *
 * @example
 * const model = await trainParallel(interactions, params, { workers: 2, onProgress: console.log });
 */
import {
  mirrorLower,
  type Model,
  objective,
  type Progress,
  randomFactors,
  train,
  type TrainParams,
} from "./als.ts";
import { itemRows, memberRows, type SparseRows } from "./interactions.ts";
import type { Interactions } from "./signals.ts";
import type { HalfStepReport, HalfStepSetup, HalfStepTask, Side } from "./half_step_worker.ts";

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
  const byMember = sharedRows(memberRows(interactions));
  const byItem = sharedRows(itemRows(interactions));
  const userFactors = shared(randomFactors(interactions.users.length, k, params.seed));
  const itemFactors = shared(randomFactors(interactions.items.length, k, params.seed + 1));
  const setup: Omit<HalfStepSetup, "own"> = {
    rows: { members: byMember, items: byItem },
    factors: { members: userFactors, items: itemFactors },
    gram: { members: shared(new Float64Array(k * k)), items: shared(new Float64Array(k * k)) },
    params,
  };
  const rowWeight = k / 2;
  const cuts = {
    members: splitRows(byMember, workers, rowWeight),
    items: splitRows(byItem, workers, rowWeight),
    gram: splitGramian(k, workers),
  };
  const pool = new HalfStepWorkers(
    Array.from({ length: workers }, (_, n) => ({
      ...setup,
      own: {
        members: [cuts.members[n], cuts.members[n + 1]],
        items: [cuts.items[n], cuts.items[n + 1]],
        gram: [cuts.gram[n], cuts.gram[n + 1]],
      },
    })),
  );
  const gramian = async (side: Side) => {
    const gram = setup.gram[side];
    gram.fill(0);
    await pool.run({ gramian: side });
    mirrorLower(gram, k);
    return gram;
  };
  try {
    const losses: number[] = [];
    // The same steps as `train`'s loop, with the rows' solves and the Gramians on the Workers.
    await gramian("items");
    for (let iteration = 1; iteration <= params.iterations; iteration++) {
      const startedAt = performance.now();
      await pool.run({ solve: "members" });
      const userGram = await gramian("members");
      await pool.run({ solve: "items" });
      const itemGram = await gramian("items");
      const value = objective(byMember, byItem, userFactors, itemFactors, params, {
        userGram,
        itemGram,
      });
      losses.push(value);
      const seconds = (performance.now() - startedAt) / 1000;
      options.onProgress?.({ iteration, loss: value, seconds });
    }
    // Copies in plain buffers, which callers may transfer.
    return {
      userFactors: userFactors.slice(),
      itemFactors: itemFactors.slice(),
      factors: k,
      loss: losses,
    };
  } finally {
    pool.close();
  }
}

/**
 * Where to cut the rows into `parts` ranges of about equal work: part n is rows
 * `[cuts[n], cuts[n + 1])`. A row weighs its non-zeros plus `rowWeight`, the work every row has
 * whatever its length (the k² products with the Gramian) counted in non-zeros; by row count
 * alone, a few long rows (rows are power-law) would leave one Worker waiting for the other.
 *
 * @example
 * splitRows(memberRows(interactions), 2, 32); // Int32Array [0, cut, rows]
 */
export function splitRows(rows: SparseRows, parts: number, rowWeight: number): Int32Array {
  const count = rows.start.length - 1;
  const work = (r: number) => rows.start[r] + r * rowWeight; // Of rows [0, r).
  const cuts = new Int32Array(parts + 1);
  cuts[parts] = count;
  for (let n = 1; n < parts; n++) {
    const target = work(count) * n / parts;
    let low = cuts[n - 1], high = count;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (work(mid) < target) low = mid + 1;
      else high = mid;
    }
    // `low` is the first cut at or past the target; the one before may be nearer.
    if (low > cuts[n - 1] && target - work(low - 1) < work(low) - target) low--;
    cuts[n] = low;
  }
  return cuts;
}

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

function sharedRows(rows: SparseRows): SparseRows {
  return {
    start: shared(rows.start),
    index: shared(rows.index),
    weight: shared(rows.weight),
    columns: rows.columns,
  };
}

/** A copy in a SharedArrayBuffer, which Workers read and write in place. */
function shared<T extends Float64Array | Int32Array>(values: T): T {
  const copy = new (values.constructor as new (buffer: SharedArrayBuffer) => T)(
    new SharedArrayBuffer(values.byteLength),
  );
  copy.set(values);
  return copy;
}
