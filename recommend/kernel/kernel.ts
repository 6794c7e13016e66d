/**
 * The ALS kernel (als_kernel.as.ts, compiled into als_kernel_wasm.ts) on one shared WebAssembly
 * memory: a `Plan` lays arrays out in it, a `Kernel` owns the memory, gives views of its arrays
 * and calls the kernel's loops on them by byte offset. The memory is a SharedArrayBuffer, so
 * Workers attached to it (with the same compiled module) work on the same arrays.
 *
 * @example
 * const plan = new Plan();
 * const matrix = plan.f64(rows * k), gram = plan.f64(k * k);
 * const kernel = Kernel.create(plan);
 * kernel.f64(matrix, rows * k).set(values);
 * kernel.addGramianRows({ matrix, rows, k, gram, from: 0, to: k });
 */
import { alsKernelBase64 } from "./als_kernel_wasm.ts";

const pageBytes = 65_536;
/** WebAssembly's 32-bit memories end at 4 GiB. */
const maxPages = 65_536;

let compiled: WebAssembly.Module | null = null;

/** The kernel, compiled once per thread; a Worker may be given it instead (it can be posted). */
export function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(
    Uint8Array.from(atob(alsKernelBase64), (c) => c.charCodeAt(0)),
  );
  return compiled;
}

/** What als_kernel.as.ts exports; every pointer is a byte offset into the memory. */
interface KernelExports {
  solveRows(
    start: number,
    index: number,
    weight: number,
    shifts: number,
    from: number,
    to: number,
    fixed: number,
    solved: number,
    base: number,
    scratch: number,
    k: number,
    alpha: number,
    extra: number,
    steps: number,
  ): void;
  addGramianRows(
    matrix: number,
    rows: number,
    k: number,
    gram: number,
    from: number,
    to: number,
  ): void;
  entriesLoss(
    start: number,
    index: number,
    weight: number,
    from: number,
    to: number,
    members: number,
    items: number,
    k: number,
    alpha: number,
    unobserved: number,
    total: number,
  ): number;
}

/** Byte offsets handed out one after the other, each 16-byte aligned for the kernel's SIMD loads. */
export class Plan {
  bytes = 0;

  /** Room for `count` doubles; returns its offset. */
  f64(count: number): number {
    return this.#take(count * 8);
  }

  /** Room for `count` 32-bit integers; returns its offset. */
  i32(count: number): number {
    return this.#take(count * 4);
  }

  #take(bytes: number): number {
    const at = this.bytes;
    this.bytes += Math.ceil(bytes / 16) * 16;
    return at;
  }
}

/** A sparse matrix's rows in kernel memory (see recommend/interactions.ts `SparseRows`). */
export interface RowsAt {
  /** Offsets of `start` (i32, rows + 1), `index` (i32) and `weight` (f64). */
  start: number;
  index: number;
  weight: number;
  rows: number;
  entries: number;
  columns: number;
}

/** A shared kernel memory and the kernel instantiated on it. */
export class Kernel {
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  #exports: KernelExports;

  private constructor(memory: WebAssembly.Memory, module: WebAssembly.Module) {
    this.memory = memory;
    this.module = module;
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.#exports = instance.exports as unknown as KernelExports;
  }

  /** A new memory of the plan's size, zeroed. */
  static create(plan: Plan): Kernel {
    const pages = Math.max(1, Math.ceil(plan.bytes / pageBytes));
    if (pages > maxPages) {
      throw new Error(
        `Training needs ${Math.ceil(plan.bytes / 2 ** 20)} MiB, more than the kernel's 4 GiB`,
      );
    }
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    return new Kernel(memory, kernelModule());
  }

  /** The kernel on a memory another thread created (a Worker's side of `create`). */
  static attach(memory: WebAssembly.Memory, module: WebAssembly.Module): Kernel {
    return new Kernel(memory, module);
  }

  f64(at: number, count: number): Float64Array {
    return new Float64Array(this.memory.buffer, at, count);
  }

  i32(at: number, count: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, count);
  }

  /** Room in `plan` for `rows`; `putRows` then copies them there. */
  static planRows(
    plan: Plan,
    rows: { start: Int32Array; index: Int32Array; columns: number },
  ): RowsAt {
    return {
      start: plan.i32(rows.start.length),
      index: plan.i32(rows.index.length),
      weight: plan.f64(rows.index.length),
      rows: rows.start.length - 1,
      entries: rows.index.length,
      columns: rows.columns,
    };
  }

  putRows(at: RowsAt, rows: { start: Int32Array; index: Int32Array; weight: Float64Array }): void {
    this.i32(at.start, at.rows + 1).set(rows.start);
    this.i32(at.index, at.entries).set(rows.index);
    this.f64(at.weight, at.entries).set(rows.weight);
  }

  /** Views of rows in this memory, as recommend/interactions.ts shapes them. */
  rows(
    at: RowsAt,
  ): { start: Int32Array; index: Int32Array; weight: Float64Array; columns: number } {
    return {
      start: this.i32(at.start, at.rows + 1),
      index: this.i32(at.index, at.entries),
      weight: this.f64(at.weight, at.entries),
      columns: at.columns,
    };
  }

  /**
   * Conjugate-gradient steps for rows [from, to) of `rows` (als_kernel.as.ts `solveRows`): `base`
   * holds α₀YᵀY + λI, `shifts` each row's λᵣ − λ, `scratch` 3·k doubles of this thread's own.
   */
  solveRows(
    rows: RowsAt,
    at: { shifts: number; fixed: number; solved: number; base: number; scratch: number },
    task: {
      from: number;
      to: number;
      factors: number;
      alpha: number;
      extra: number;
      steps: number;
    },
  ): void {
    this.#exports.solveRows(
      rows.start,
      rows.index,
      rows.weight,
      at.shifts,
      task.from,
      task.to,
      at.fixed,
      at.solved,
      at.base,
      at.scratch,
      task.factors,
      task.alpha,
      task.extra,
      task.steps,
    );
  }

  /** Adds rows [from, to) of MᵀM's lower triangle into `gram` (and some of its upper one). */
  addGramianRows(
    task: { matrix: number; rows: number; k: number; gram: number; from: number; to: number },
  ): void {
    this.#exports.addGramianRows(task.matrix, task.rows, task.k, task.gram, task.from, task.to);
  }

  /** `total` plus the loss's terms of the entries of member rows [from, to), in entry order. */
  entriesLoss(
    rows: RowsAt,
    at: { members: number; items: number },
    task: {
      from: number;
      to: number;
      factors: number;
      alpha: number;
      unobserved: number;
      total: number;
    },
  ): number {
    return this.#exports.entriesLoss(
      rows.start,
      rows.index,
      rows.weight,
      task.from,
      task.to,
      at.members,
      at.items,
      task.factors,
      task.alpha,
      task.unobserved,
      task.total,
    );
  }
}
