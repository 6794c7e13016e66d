/**
 * One training's arrays in one kernel memory (recommend/kernel/kernel.ts): each side's rows, λ
 * shifts, factors and Gramian, the α₀YᵀY + λI of the half-step under way, the loss's partial sums,
 * and scratch space for each thread. `train` makes one for itself; `trainParallel` makes one and
 * its Workers attach to it from its layout, so all of them read and write the same arrays.
 *
 * @example
 * const space = TrainingSpace.create(memberRows(interactions), itemRows(interactions), { factors: 64, threads: 1 });
 * space.vectors("members").set(randomFactors(interactions.users.length, 64, 1));
 */
import type { SparseRows } from "./interactions.ts";
import { Kernel, Plan, type RowsAt } from "./kernel/kernel.ts";

/** The members' side (rows by member, the members' factors) or the items'. */
export type Side = "members" | "items";

/** The side a half-step of `side` holds fixed. */
export function opposite(side: Side): Side {
  return side === "members" ? "items" : "members";
}

/** Member rows per partial sum of the loss: the sums, added in order, make the same loss however many threads compute them. */
export const lossBlockRows = 4_096;

/** Where a training's arrays are, as byte offsets into its memory: plain data, posted to Workers. */
export interface TrainingLayout {
  factors: number;
  rows: Record<Side, RowsAt>;
  /** Each row's λᵣ − λ (f64, one per row). */
  shifts: Record<Side, number>;
  /** Each side's factors, row-major: member r's vector is doubles r·k .. (r + 1)·k. */
  vectors: Record<Side, number>;
  gram: Record<Side, number>;
  /** α₀YᵀY + λI for the half-step under way. */
  base: number;
  /** One partial sum of the loss per `lossBlockRows` member rows. */
  lossParts: number;
  lossBlocks: number;
  /** 3·k doubles per thread. */
  scratch: number[];
  /** The next row of a half-step that no Worker has claimed yet (i32). */
  nextRow: number;
}

export class TrainingSpace {
  readonly kernel: Kernel;
  readonly layout: TrainingLayout;

  private constructor(kernel: Kernel, layout: TrainingLayout) {
    this.kernel = kernel;
    this.layout = layout;
  }

  /** A new memory holding both sides' rows (copied), room for the rest, and zeroed factors. */
  static create(
    byMember: SparseRows,
    byItem: SparseRows,
    { factors, threads }: { factors: number; threads: number },
  ): TrainingSpace {
    const plan = new Plan();
    const rows = { members: Kernel.planRows(plan, byMember), items: Kernel.planRows(plan, byItem) };
    const lossBlocks = Math.max(1, Math.ceil(rows.members.rows / lossBlockRows));
    const layout: TrainingLayout = {
      factors,
      rows,
      shifts: { members: plan.f64(rows.members.rows), items: plan.f64(rows.items.rows) },
      vectors: {
        members: plan.f64(rows.members.rows * factors),
        items: plan.f64(rows.items.rows * factors),
      },
      gram: { members: plan.f64(factors * factors), items: plan.f64(factors * factors) },
      base: plan.f64(factors * factors),
      lossParts: plan.f64(lossBlocks),
      lossBlocks,
      scratch: Array.from({ length: threads }, () => plan.f64(3 * factors)),
      nextRow: plan.i32(1),
    };
    const kernel = Kernel.create(plan);
    kernel.putRows(rows.members, byMember);
    kernel.putRows(rows.items, byItem);
    return new TrainingSpace(kernel, layout);
  }

  /** The space another thread created, from its memory, compiled kernel and layout. */
  static attach(
    memory: WebAssembly.Memory,
    module: WebAssembly.Module,
    layout: TrainingLayout,
  ): TrainingSpace {
    return new TrainingSpace(Kernel.attach(memory, module), layout);
  }

  /** The side's rows, as views. */
  rows(side: Side): SparseRows {
    return this.kernel.rows(this.layout.rows[side]);
  }

  /** The side's factors, as a view. */
  vectors(side: Side): Float64Array {
    return this.kernel.f64(this.layout.vectors[side], this.count(side) * this.layout.factors);
  }

  gram(side: Side): Float64Array {
    return this.kernel.f64(this.layout.gram[side], this.layout.factors ** 2);
  }

  shifts(side: Side): Float64Array {
    return this.kernel.f64(this.layout.shifts[side], this.count(side));
  }

  base(): Float64Array {
    return this.kernel.f64(this.layout.base, this.layout.factors ** 2);
  }

  lossParts(): Float64Array {
    return this.kernel.f64(this.layout.lossParts, this.layout.lossBlocks);
  }

  /** The next unclaimed row of the half-step under way, for `Atomics` (the memory is shared). */
  nextRow(): Int32Array {
    return this.kernel.i32(this.layout.nextRow, 1);
  }

  /** The side's number of rows. */
  count(side: Side): number {
    return this.layout.rows[side].rows;
  }
}
