/**
 * Implicit-feedback ALS (Hu, Koren, Volinsky 2008) over typed arrays, with the two terms of
 * Rendle, Krichene, Zhang and Koren's iALS ("Revisiting the Performance of iALS on Item
 * Recommendation Benchmarks", 2021/2022): the kernel the app trains with. Synchronous and pure,
 * so it can move to a Worker; progress goes through a callback.
 *
 * The objective, over every (member u, item i) pair, with pᵤᵢ = 1 on the matrix's entries:
 *
 *   Σ₍ᵤ,ᵢ₎ observed cᵤᵢ(1 − xᵤ·yᵢ)² + α₀ Σ₍ᵤ,ᵢ₎ absent (xᵤ·yᵢ)² + Σᵤ λᵤ‖xᵤ‖² + Σᵢ λᵢ‖yᵢ‖²
 *
 * with confidence cᵤᵢ = 1 + α·wᵤᵢ, α₀ the weight of an absent pair (`unobservedWeight`), and
 * frequency-scaled regularization λᵤ = λ·(|Iᵤ| + α₀·|I|)^ν, λᵢ = λ·(|Uᵢ| + α₀·|U|)^ν
 * (`regularizationExponent` ν; |Iᵤ| the member's entries, |I| all items, and likewise for an item).
 * α₀ = 1 and ν = 0 are Hu et al.'s objective, and give the model of before these terms bit for bit.
 * Rendle et al. put α₀ on all pairs, observed ones too (their observed pair weighs
 * (xᵤ·yᵢ − 1)² + α₀(xᵤ·yᵢ)²); we keep Hu et al.'s confidence on observed pairs and give α₀ to the
 * absent ones only, so that α₀ = 1 is the old model. Both lead to the same kind of row system.
 *
 * Setting the gradient in xᵤ to zero gives each half-step's system for row u:
 *
 *   (α₀·YᵀY + Yᵀ(Cᵤ − α₀I)Y + λᵤI) xᵤ = YᵀCᵤp(u)
 *
 * where Cᵤ is α₀ on absent items and cᵤᵢ on entries: α₀·YᵀY is computed once per half-step
 * (the paper's Gramian trick) and Cᵤ − α₀I is non-zero only on the row's entries. The per-row
 * system is solved exactly (Cholesky), approximately with a few conjugate-gradient steps
 * warm-started from the previous vector (Takács, Pilászy, Tikk 2011), or by one warm-started
 * sweep of block coordinate descent (Rendle, Krichene, Zhang, Koren's iALS++ subspace steps).
 * Conjugate gradient, the Gramians and the loss's sum over entries run in the WebAssembly kernel
 * (recommend/kernel/), on arrays kept in its memory (recommend/training_space.ts); the exact and
 * block solvers run here, on views of the same arrays.
 * `recommend/als_reference.ts` is the same algorithm written plainly with ml-matrix.
 *
 * @example
 * const model = train(interactions, { factors: 64, regularization: 0.1, alpha: 10, iterations: 10, seed: 1 });
 * const member = foldIn(model.itemFactors, model.factors, [{ item: 3, weight: 2 }], { regularization: 0.1, alpha: 10 });
 */
import type { Interactions } from "./signals.ts";
import { itemRows, memberRows, type SparseRows } from "./interactions.ts";
import { mulberry32 } from "./random.ts";
import { Kernel, Plan } from "./kernel/kernel.ts";
import { lossBlockRows, opposite, type Side, TrainingSpace } from "./training_space.ts";

/**
 * "cholesky" solves each row exactly; "cg" takes `cgSteps` conjugate-gradient steps; "block"
 * sweeps once over the row's dimensions `blockSize` at a time, solving each block exactly with
 * the others fixed (Rendle et al.'s subspace optimization, iALS++).
 */
export type Solver = "cholesky" | "cg" | "block";

/** What one row's solve needs besides the data. */
export interface SolveParams {
  /** λ: the weight of ‖x‖² for every member and item vector. */
  regularization: number;
  /** Confidence is `1 + alpha * weight`. */
  alpha: number;
  /** α₀, the weight of every absent (member, item) pair; 1 unless told (Hu et al.'s). */
  unobservedWeight?: number;
  /** ν: each row's λ is scaled by (its entries + α₀ × all columns)^ν; 0 (plain λ) unless told. */
  regularizationExponent?: number;
}

export interface TrainParams extends SolveParams {
  factors: number;
  iterations: number;
  /** Seeds the initial factors: equal seeds give equal models. */
  seed: number;
  /** "cg" unless told: as accurate for ranking, several times faster (see bench/recommend.ts). */
  solver?: Solver;
  /** Conjugate-gradient steps per row and half-step; 3 unless told. */
  cgSteps?: number;
  /** Dimensions solved together by the "block" solver; 8 unless told (all of them if fewer). */
  blockSize?: number;
}

export interface Progress {
  /** 1 for the first iteration. */
  iteration: number;
  /** The objective after this iteration (see `loss`). */
  loss: number;
  /** The seconds this iteration took: both half-steps and the loss. */
  seconds: number;
}

/** Factors in row-major order: member r's vector is `userFactors[r * factors .. (r + 1) * factors)`. */
export interface Model {
  userFactors: Float64Array;
  itemFactors: Float64Array;
  factors: number;
  /** The objective after each iteration. */
  loss: number[];
}

const defaultCgSteps = 3;
const defaultBlockSize = 8;

/** α₀ and ν as given, or Hu et al.'s (1 and 0) when absent. */
function ialsTerms(params: SolveParams): { unobserved: number; exponent: number } {
  return { unobserved: params.unobservedWeight ?? 1, exponent: params.regularizationExponent ?? 0 };
}

/**
 * λ for a row with `entries` observed columns out of `columns`: λ·(entries + α₀·columns)^ν,
 * Rendle et al.'s frequency-scaled regularization. With ν = 0 it is λ itself, exactly.
 *
 * @example
 * rowRegularization(2, 12, { regularization: 0.5, alpha: 1, unobservedWeight: 0.5, regularizationExponent: 1 }); // 4
 */
export function rowRegularization(entries: number, columns: number, params: SolveParams): number {
  const { unobserved, exponent } = ialsTerms(params);
  return params.regularization * Math.pow(entries + unobserved * columns, exponent);
}

/**
 * Trains member and item factors, alternating a member half-step and an item half-step per
 * iteration, starting from `randomFactors` seeded by `params.seed`.
 *
 * @example
 * const model = train(interactions, { factors: 64, regularization: 0.1, alpha: 10, iterations: 10, seed: 1 },
 *   (p) => console.log(`iteration ${p.iteration}: ${p.seconds.toFixed(1)} s`));
 */
export function train(
  interactions: Interactions,
  params: TrainParams,
  onProgress?: (progress: Progress) => void,
): Model {
  const k = params.factors;
  const space = TrainingSpace.create(memberRows(interactions), itemRows(interactions), {
    factors: k,
    threads: 1,
  });
  startTraining(space, params);
  const losses: number[] = [];
  const gramian = (side: Side) => {
    space.gram(side).fill(0);
    addGramianRows(space, side, { from: 0, to: k });
    mirrorLower(space.gram(side), k);
  };
  gramian("items");
  for (let iteration = 1; iteration <= params.iterations; iteration++) {
    const startedAt = performance.now();
    for (const side of ["members", "items"] as const) {
      prepareHalfStep(space, side, params);
      solveRows(space, side, params, { from: 0, to: space.count(side), thread: 0 });
      gramian(side);
    }
    addLossParts(space, params, { from: 0, to: space.layout.lossBlocks });
    const value = lossFromParts(space, params);
    losses.push(value);
    onProgress?.({ iteration, loss: value, seconds: (performance.now() - startedAt) / 1000 });
  }
  return {
    userFactors: space.vectors("members").slice(),
    itemFactors: space.vectors("items").slice(),
    factors: k,
    loss: losses,
  };
}

/** Rows per call into the kernel: V8 optimizes a WebAssembly function between its calls, not during one. */
const kernelRowsPerCall = 1_024;

/**
 * Sets a new training's start: each side's initial factors (`randomFactors`, seeded by
 * `params.seed` and `params.seed + 1`) and each row's λᵣ − λ.
 *
 * @example
 * startTraining(space, params); // then the first half-step
 */
export function startTraining(space: TrainingSpace, params: TrainParams): void {
  const k = params.factors;
  space.vectors("members").set(randomFactors(space.count("members"), k, params.seed));
  space.vectors("items").set(randomFactors(space.count("items"), k, params.seed + 1));
  setShifts(space, "members", params);
  setShifts(space, "items", params);
}

/** Each row's frequency-scaled λᵣ less λ: what its diagonal adds to the shared base. */
function setShifts(space: TrainingSpace, side: Side, params: SolveParams): void {
  const rows = space.rows(side);
  const shifts = space.shifts(side);
  for (let r = 0; r < shifts.length; r++) {
    const entries = rows.start[r + 1] - rows.start[r];
    shifts[r] = rowRegularization(entries, rows.columns, params) - params.regularization;
  }
}

/**
 * Sets the base α₀YᵀY + λI of a half-step of `side` from the other side's Gramian, which must be
 * current. One thread does it before the half-step's rows are solved, by one thread or several.
 *
 * @example
 * prepareHalfStep(space, "members", params); // then solveRows over the member rows
 */
export function prepareHalfStep(space: TrainingSpace, side: Side, params: SolveParams): void {
  const k = space.layout.factors;
  const { unobserved } = ialsTerms(params);
  const gram = space.gram(opposite(side));
  const base = space.base();
  for (let n = 0; n < base.length; n++) base[n] = unobserved * gram[n];
  for (let d = 0; d < k; d++) base[d * k + d] += params.regularization;
}

/**
 * Solves rows [from, to) of `side` against the other side's factors and writes their vectors:
 * the kernel's conjugate gradient (after `prepareHalfStep`), or `RowSystem`'s exact and block
 * solvers. `thread` picks the caller's scratch space.
 *
 * @example
 * solveRows(space, "items", params, { from: 0, to: space.count("items"), thread: 0 });
 */
export function solveRows(
  space: TrainingSpace,
  side: Side,
  params: SolveParams & { solver?: Solver; cgSteps?: number; blockSize?: number },
  { from, to, thread }: { from: number; to: number; thread: number },
): void {
  const k = space.layout.factors;
  const fixed = opposite(side);
  const solver = params.solver ?? "cg";
  if (solver === "cg") {
    const layout = space.layout;
    const at = {
      shifts: layout.shifts[side],
      fixed: layout.vectors[fixed],
      solved: layout.vectors[side],
      base: layout.base,
      scratch: layout.scratch[thread],
    };
    const task = {
      factors: k,
      alpha: params.alpha,
      extra: 1 - ialsTerms(params).unobserved,
      steps: params.cgSteps ?? defaultCgSteps,
    };
    for (let first = from; first < to; first += kernelRowsPerCall) {
      const last = Math.min(to, first + kernelRowsPerCall);
      space.kernel.solveRows(layout.rows[side], at, { ...task, from: first, to: last });
    }
    return;
  }
  const rows = space.rows(side);
  const fixedVectors = space.vectors(fixed);
  const solved = space.vectors(side);
  const system = new RowSystem(k, space.gram(fixed), params);
  if (solver === "cholesky") {
    for (let r = from; r < to; r++) system.solveExactly(rows, r, fixedVectors, solved, r * k);
  } else {
    const size = Math.min(k, params.blockSize ?? defaultBlockSize);
    for (let r = from; r < to; r++) {
      system.solveByBlocks(rows, r, fixedVectors, solved, r * k, size);
    }
  }
}

/**
 * Adds rows [from, to) of the lower triangle of `side`'s Gramian, over all its vectors, into
 * `space.gram(side)` (which the caller zeroes before and mirrors after, `mirrorLower`). Every
 * entry sums the vectors in row order, however the rows [from, to) are split between threads.
 *
 * @example
 * space.gram("items").fill(0);
 * addGramianRows(space, "items", { from: 0, to: k });
 * mirrorLower(space.gram("items"), k);
 */
export function addGramianRows(
  space: TrainingSpace,
  side: Side,
  { from, to }: { from: number; to: number },
): void {
  const k = space.layout.factors;
  space.kernel.addGramianRows({
    matrix: space.layout.vectors[side],
    rows: space.count(side),
    k,
    gram: space.layout.gram[side],
    from,
    to,
  });
}

/**
 * Sums the loss's terms of blocks [from, to) of `lossBlockRows` member rows into
 * `space.lossParts()`: block 0 also holds α₀⟨XᵀX, YᵀY⟩, the absent pairs' share before the
 * entries correct it (see `loss`). Both Gramians must be current.
 *
 * @example
 * addLossParts(space, params, { from: 0, to: space.layout.lossBlocks });
 * const value = lossFromParts(space, params);
 */
export function addLossParts(
  space: TrainingSpace,
  params: SolveParams,
  { from, to }: { from: number; to: number },
): void {
  const layout = space.layout;
  const { unobserved } = ialsTerms(params);
  const parts = space.lossParts();
  const members = space.count("members");
  for (let block = from; block < to; block++) {
    let total = 0;
    if (block === 0) {
      const userGram = space.gram("members");
      const itemGram = space.gram("items");
      for (let n = 0; n < userGram.length; n++) total += userGram[n] * itemGram[n];
      total *= unobserved;
    }
    parts[block] = space.kernel.entriesLoss(layout.rows.members, {
      members: layout.vectors.members,
      items: layout.vectors.items,
    }, {
      from: block * lossBlockRows,
      to: Math.min(members, (block + 1) * lossBlockRows),
      factors: layout.factors,
      alpha: params.alpha,
      unobserved,
      total,
    });
  }
}

/** The loss from its parts (`addLossParts`, added in block order) and the factors' norms. */
export function lossFromParts(space: TrainingSpace, params: SolveParams): number {
  const k = space.layout.factors;
  const parts = space.lossParts();
  let total = parts[0];
  for (let block = 1; block < parts.length; block++) total += parts[block];
  if (ialsTerms(params).exponent !== 0) {
    return total +
      scaledNorms(space.rows("members"), space.vectors("members"), k, params) +
      scaledNorms(space.rows("items"), space.vectors("items"), k, params);
  }
  // Every row's λ is λ: the Gramians' diagonals hold the squared lengths.
  const userGram = space.gram("members");
  const itemGram = space.gram("items");
  let norms = 0;
  for (let d = 0; d < k; d++) norms += userGram[d * k + d] + itemGram[d * k + d];
  return total + params.regularization * norms;
}

/**
 * The initial factors: uniform in [-0.05, 0.05), from a small seeded generator (mulberry32).
 * The reference implementation starts from the same ones.
 */
export function randomFactors(rows: number, factors: number, seed: number): Float64Array {
  const out = new Float64Array(rows * factors);
  const random = mulberry32(seed);
  for (let n = 0; n < out.length; n++) out[n] = (random() - 0.5) * 0.1;
  return out;
}

/** MᵀM for a row-major matrix of `factors` columns, as a full symmetric `factors²` array. */
export function gramian(matrix: Float64Array, factors: number): Float64Array {
  const plan = new Plan();
  const rows = matrix.length / factors;
  const at = { matrix: plan.f64(matrix.length), gram: plan.f64(factors * factors) };
  const kernel = Kernel.create(plan);
  kernel.f64(at.matrix, matrix.length).set(matrix);
  kernel.addGramianRows({ ...at, rows, k: factors, from: 0, to: factors });
  const gram = kernel.f64(at.gram, factors * factors).slice();
  mirrorLower(gram, factors);
  return gram;
}

/**
 * Copies the lower triangle of a symmetric k × k matrix onto its upper triangle.
 *
 * @example
 * mirrorLower(gram, k); // after addGramianRows over every row
 */
export function mirrorLower(matrix: Float64Array, k: number): void {
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) matrix[a * k + b] = matrix[b * k + a];
  }
}

/**
 * One half-step: solves every row of `rows` against the `fixed` factors and writes the vectors
 * into `solved` (whose old values are the warm start for "cg"). `fixedGram` is `gramian(fixed)`;
 * it is computed when not given. `train` does the same on arrays it keeps in its kernel memory;
 * this copies them there and back.
 *
 * @example
 * halfStep(memberRows(interactions), model.itemFactors, model.userFactors, params); // members
 */
export function halfStep(
  rows: SparseRows,
  fixed: Float64Array,
  solved: Float64Array,
  params: SolveParams & { factors: number; solver?: Solver; cgSteps?: number; blockSize?: number },
  fixedGram: Float64Array = gramian(fixed, params.factors),
): void {
  const space = halfStepSpace(rows, fixed, fixedGram, params);
  space.vectors("members").set(solved);
  solveRows(space, "members", params, { from: 0, to: space.count("members"), thread: 0 });
  solved.set(space.vectors("members"));
}

/**
 * A training space for member half-steps of `rows` against `fixed` alone, ready to solve: its
 * members are the rows, its items the fixed vectors (with no rows of their own). `halfStep` makes
 * one per call; a caller solving the same rows again and again makes one and reuses it.
 *
 * @example
 * const space = halfStepSpace(rows, itemFactors, gramian(itemFactors, k), params);
 * space.vectors("members").set(start);
 * solveRows(space, "members", params, { from: 0, to: space.count("members"), thread: 0 });
 */
export function halfStepSpace(
  rows: SparseRows,
  fixed: Float64Array,
  fixedGram: Float64Array,
  params: SolveParams & { factors: number },
): TrainingSpace {
  const none: SparseRows = {
    start: new Int32Array(rows.columns + 1),
    index: new Int32Array(0),
    weight: new Float64Array(0),
    columns: rows.start.length - 1,
  };
  const space = TrainingSpace.create(rows, none, { factors: params.factors, threads: 1 });
  space.vectors("items").set(fixed);
  space.gram("items").set(fixedGram);
  setShifts(space, "members", params);
  prepareHalfStep(space, "members", params);
  return space;
}

/**
 * One member's vector from their entries against fixed item factors: the member half-step for
 * a single row, solved exactly. Members with picks but no history get a vector at once. Give
 * each item at most once; `gram` (= `gramian(itemFactors)`) saves recomputing it per member.
 *
 * @example
 * const vector = foldIn(model.itemFactors, 64, [{ item: 12, weight: 2 }], { regularization: 0.1, alpha: 10 });
 */
export function foldIn(
  itemFactors: Float64Array,
  factors: number,
  entries: { item: number; weight: number }[],
  params: SolveParams & { gram?: Float64Array },
): Float64Array {
  const row: SparseRows = {
    start: Int32Array.of(0, entries.length),
    index: Int32Array.from(entries, (e) => e.item),
    weight: Float64Array.from(entries, (e) => e.weight),
    columns: itemFactors.length / factors,
  };
  const out = new Float64Array(factors);
  const gram = params.gram ?? gramian(itemFactors, factors);
  new RowSystem(factors, gram, params).solveExactly(row, 0, itemFactors, out, 0);
  return out;
}

/**
 * The objective of the file's opening: Σᵤᵢ cᵤᵢ(pᵤᵢ − xᵤ·yᵢ)² over all members and items, with
 * c = α₀ on absent pairs, plus Σᵤ λᵤ‖xᵤ‖² + Σᵢ λᵢ‖yᵢ‖². The sum over absent pairs (p = 0) is
 * α₀ Σᵤ xᵤᵀ(YᵀY)xᵤ = α₀⟨XᵀX, YᵀY⟩ less the entries' share, so the cost is
 * O((members + items)·k² + entries·k), not O(members·items·k). `train` reports it after each
 * iteration (`addLossParts`, `lossFromParts`).
 *
 * @example
 * loss(interactions, model.userFactors, model.itemFactors, { factors: 64, regularization: 0.1, alpha: 10 });
 */
export function loss(
  interactions: Interactions,
  userFactors: Float64Array,
  itemFactors: Float64Array,
  params: SolveParams & { factors: number },
): number {
  const k = params.factors;
  const space = TrainingSpace.create(memberRows(interactions), itemRows(interactions), {
    factors: k,
    threads: 1,
  });
  for (const [side, vectors] of [["members", userFactors], ["items", itemFactors]] as const) {
    space.vectors(side).set(vectors);
    addGramianRows(space, side, { from: 0, to: k });
    mirrorLower(space.gram(side), k);
  }
  addLossParts(space, params, { from: 0, to: space.layout.lossBlocks });
  return lossFromParts(space, params);
}

/** Σᵣ λᵣ‖vᵣ‖² over the rows of `rows`, each with its own frequency-scaled λᵣ. */
function scaledNorms(
  rows: SparseRows,
  vectors: Float64Array,
  k: number,
  params: SolveParams,
): number {
  let total = 0;
  const count = rows.start.length - 1;
  for (let r = 0; r < count; r++) {
    let squared = 0;
    for (let a = r * k; a < (r + 1) * k; a++) squared += vectors[a] * vectors[a];
    total += rowRegularization(rows.start[r + 1] - rows.start[r], rows.columns, params) * squared;
  }
  return total;
}

/** Scratch space and the shared α₀YᵀY + λI for solving one row after another. */
class RowSystem {
  #k: number;
  #params: SolveParams;
  #alpha: number;
  /** 1 − α₀: an entry's weight in Cᵤ − α₀I is this + α·w (so exactly α·w when α₀ = 1). */
  #observedExtra: number;
  /** α₀YᵀY + λI, full; a row whose λᵤ is not λ adds the difference on the diagonal. */
  #base: Float64Array;
  #matrix: Float64Array;
  #rhs: Float64Array;
  /** The block solver's previous values of the block being solved. */
  #previous: Float64Array;
  /** The block solver's xᵤ·yᵢ per entry of the row, kept current as blocks change. */
  #scores = new Float64Array(0);

  constructor(k: number, gram: Float64Array, params: SolveParams) {
    const { unobserved } = ialsTerms(params);
    this.#k = k;
    this.#params = params;
    this.#alpha = params.alpha;
    this.#observedExtra = 1 - unobserved;
    this.#base = gram.map((value) => unobserved * value);
    for (let d = 0; d < k; d++) this.#base[d * k + d] += params.regularization;
    this.#matrix = new Float64Array(k * k);
    this.#rhs = new Float64Array(k);
    this.#previous = new Float64Array(k);
  }

  /** λᵤ − λ for row r: what its diagonal adds to the shared base (0 when ν = 0). */
  #shift(rows: SparseRows, r: number): number {
    const entries = rows.start[r + 1] - rows.start[r];
    return rowRegularization(entries, rows.columns, this.#params) - this.#params.regularization;
  }

  /** Builds (α₀YᵀY + λᵤI + Yᵀ(Cᵤ − α₀I)Y) and YᵀCᵤp(u) for row r, then solves by Cholesky. */
  solveExactly(rows: SparseRows, r: number, fixed: Float64Array, out: Float64Array, at: number) {
    const k = this.#k;
    const alpha = this.#alpha;
    const a = this.#matrix;
    const b = this.#rhs;
    const begin = rows.start[r];
    const end = rows.start[r + 1];
    if (begin === end) {
      out.fill(0, at, at + k);
      return;
    }
    a.set(this.#base);
    const shift = this.#shift(rows, r);
    if (shift !== 0) { for (let d = 0; d < k; d++) a[d * k + d] += shift; }
    b.fill(0);
    for (let n = begin; n < end; n++) {
      const y = rows.index[n] * k;
      const confidence = 1 + alpha * rows.weight[n];
      const extra = this.#observedExtra + alpha * rows.weight[n];
      for (let i = 0; i < k; i++) {
        const yi = fixed[y + i];
        b[i] += confidence * yi;
        const scaled = extra * yi;
        const row = i * k;
        for (let j = 0; j <= i; j++) a[row + j] += scaled * fixed[y + j];
      }
    }
    choleskySolve(a, b, k);
    out.set(b, at);
  }

  /**
   * One sweep of block coordinate descent on row r's system from the vector already in `out`:
   * for each run of `size` dimensions B, the others fixed, it solves exactly
   *
   *   (α₀G_BB + λᵤI + Σ (cᵤᵢ − α₀) yᵢ_B yᵢ_Bᵀ) x_B = Σ (cᵤᵢ − (cᵤᵢ − α₀) rᵢ) yᵢ_B − α₀G_B,rest x_rest
   *
   * (G = YᵀY; sums over the row's entries; rᵢ = x_rest·yᵢ_rest), which is block Gauss–Seidel on
   * the same system the other solvers solve. Each entry's score xᵤ·yᵢ is kept current, so a block
   * costs O(entries·size² + k·size). With `size` = k it is the exact solve.
   */
  solveByBlocks(
    rows: SparseRows,
    r: number,
    fixed: Float64Array,
    out: Float64Array,
    at: number,
    size: number,
  ) {
    const k = this.#k;
    const alpha = this.#alpha;
    const base = this.#base;
    const begin = rows.start[r];
    const end = rows.start[r + 1];
    if (begin === end) {
      out.fill(0, at, at + k);
      return;
    }
    const shift = this.#shift(rows, r);
    if (this.#scores.length < end - begin) this.#scores = new Float64Array(end - begin);
    const scores = this.#scores;
    for (let n = begin; n < end; n++) {
      const y = rows.index[n] * k;
      let s = 0;
      for (let i = 0; i < k; i++) s += fixed[y + i] * out[at + i];
      scores[n - begin] = s;
    }
    const a = this.#matrix;
    const b = this.#rhs;
    const old = this.#previous;
    for (let first = 0; first < k; first += size) {
      const width = Math.min(size, k - first);
      // The block's matrix, width × width, and its right-hand side, in the scratch space.
      for (let i = 0; i < width; i++) {
        const row = (first + i) * k;
        let s = 0;
        for (let j = 0; j < k; j++) {
          if (j < first || j >= first + width) s += base[row + j] * out[at + j];
        }
        b[i] = -s;
        for (let j = 0; j <= i; j++) a[i * width + j] = base[row + first + j];
        a[i * width + i] += shift;
      }
      for (let n = begin; n < end; n++) {
        const y = rows.index[n] * k + first;
        const confidence = 1 + alpha * rows.weight[n];
        const extra = this.#observedExtra + alpha * rows.weight[n];
        let inBlock = 0;
        for (let i = 0; i < width; i++) inBlock += fixed[y + i] * out[at + first + i];
        const scale = confidence - extra * (scores[n - begin] - inBlock);
        for (let i = 0; i < width; i++) {
          const yi = fixed[y + i];
          b[i] += scale * yi;
          const scaled = extra * yi;
          for (let j = 0; j <= i; j++) a[i * width + j] += scaled * fixed[y + j];
        }
      }
      choleskySolve(a, b, width);
      for (let i = 0; i < width; i++) {
        old[i] = out[at + first + i];
        out[at + first + i] = b[i];
      }
      for (let n = begin; n < end; n++) {
        const y = rows.index[n] * k + first;
        let change = 0;
        for (let i = 0; i < width; i++) change += (b[i] - old[i]) * fixed[y + i];
        scores[n - begin] += change;
      }
    }
  }
}

/**
 * Solves A·x = b in place for symmetric positive definite A (only its lower triangle is read;
 * it is overwritten by the Cholesky factor L, and b by x).
 */
function choleskySolve(a: Float64Array, b: Float64Array, k: number): void {
  for (let j = 0; j < k; j++) {
    const rowJ = j * k;
    let d = a[rowJ + j];
    for (let p = 0; p < j; p++) d -= a[rowJ + p] * a[rowJ + p];
    if (!(d > 0)) throw new Error("Row system is not positive definite: is regularization > 0?");
    const pivot = Math.sqrt(d);
    a[rowJ + j] = pivot;
    for (let i = j + 1; i < k; i++) {
      const rowI = i * k;
      let s = a[rowI + j];
      for (let p = 0; p < j; p++) s -= a[rowI + p] * a[rowJ + p];
      a[rowI + j] = s / pivot;
    }
  }
  for (let i = 0; i < k; i++) {
    const row = i * k;
    let s = b[i];
    for (let p = 0; p < i; p++) s -= a[row + p] * b[p];
    b[i] = s / a[row + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i];
    for (let p = i + 1; p < k; p++) s -= a[p * k + i] * b[p];
    b[i] = s / a[i * k + i];
  }
}
