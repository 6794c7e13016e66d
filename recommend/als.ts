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
 * `recommend/als_reference.ts` is the same algorithm written plainly with ml-matrix.
 *
 * @example
 * const model = train(interactions, { factors: 64, regularization: 0.1, alpha: 10, iterations: 10, seed: 1 });
 * const member = foldIn(model.itemFactors, model.factors, [{ item: 3, weight: 2 }], { regularization: 0.1, alpha: 10 });
 */
import type { Interactions } from "./signals.ts";
import { itemRows, memberRows, type SparseRows } from "./interactions.ts";
import { mulberry32 } from "./random.ts";

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
const cgTolerance = 1e-20;

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
  const byMember = memberRows(interactions);
  const byItem = itemRows(interactions);
  const userFactors = randomFactors(interactions.users.length, k, params.seed);
  const itemFactors = randomFactors(interactions.items.length, k, params.seed + 1);
  const losses: number[] = [];
  let itemGram = gramian(itemFactors, k);
  for (let iteration = 1; iteration <= params.iterations; iteration++) {
    const startedAt = performance.now();
    halfStep(byMember, itemFactors, userFactors, params, itemGram);
    const userGram = gramian(userFactors, k);
    halfStep(byItem, userFactors, itemFactors, params, userGram);
    itemGram = gramian(itemFactors, k);
    const value = objective(byMember, byItem, userFactors, itemFactors, params, {
      userGram,
      itemGram,
    });
    losses.push(value);
    onProgress?.({ iteration, loss: value, seconds: (performance.now() - startedAt) / 1000 });
  }
  return { userFactors, itemFactors, factors: k, loss: losses };
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
  const gram = new Float64Array(factors * factors);
  addGramianRows(matrix, factors, { gram, from: 0, to: factors });
  mirrorLower(gram, factors);
  return gram;
}

/**
 * Adds rows `[from, to)` of MᵀM's lower triangle into `gram`: `gramian` takes them all, Workers
 * take some each (recommend/als_workers.ts), and every entry sums in the same order either way.
 *
 * @example
 * const gram = new Float64Array(k * k);
 * addGramianRows(itemFactors, k, { gram, from: 0, to: 45 }); // then 45..k, then mirrorLower
 */
export function addGramianRows(
  matrix: Float64Array,
  factors: number,
  { gram, from, to }: { gram: Float64Array; from: number; to: number },
): void {
  const k = factors;
  for (let off = 0; off < matrix.length; off += k) {
    for (let a = from; a < to; a++) {
      const va = matrix[off + a];
      if (va === 0) continue;
      const row = a * k;
      for (let b = 0; b <= a; b++) gram[row + b] += va * matrix[off + b];
    }
  }
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
 * it is computed when not given.
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
  const k = params.factors;
  const system = new RowSystem(k, fixedGram, params);
  const count = rows.start.length - 1;
  const solver = params.solver ?? "cg";
  if (solver === "cholesky") {
    for (let r = 0; r < count; r++) {
      system.solveExactly(rows, r, fixed, solved, r * k);
    }
  } else if (solver === "block") {
    const size = Math.min(k, params.blockSize ?? defaultBlockSize);
    for (let r = 0; r < count; r++) {
      system.solveByBlocks(rows, r, fixed, solved, r * k, size);
    }
  } else {
    const steps = params.cgSteps ?? defaultCgSteps;
    for (let r = 0; r < count; r++) {
      system.conjugateGradient(rows, r, fixed, solved, r * k, steps);
    }
  }
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
 * O((members + items)·k² + entries·k), not O(members·items·k).
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
  return objective(
    memberRows(interactions),
    itemRows(interactions),
    userFactors,
    itemFactors,
    params,
    {
      userGram: gramian(userFactors, k),
      itemGram: gramian(itemFactors, k),
    },
  );
}

/**
 * `loss` from the member rows and both Gramians already at hand: `train` has them after each
 * iteration, and so does `trainParallel` (recommend/als_workers.ts), which must sum alike.
 *
 * @example
 * objective(memberRows(interactions), userFactors, itemFactors, params, gramian(userFactors, k), gramian(itemFactors, k));
 */
export function objective(
  rows: SparseRows,
  byItem: SparseRows,
  userFactors: Float64Array,
  itemFactors: Float64Array,
  params: SolveParams & { factors: number },
  grams: { userGram: Float64Array; itemGram: Float64Array },
): number {
  const k = params.factors;
  const { userGram, itemGram } = grams;
  const { unobserved, exponent } = ialsTerms(params);
  let total = 0;
  for (let n = 0; n < userGram.length; n++) total += userGram[n] * itemGram[n];
  total *= unobserved;
  const count = rows.start.length - 1;
  for (let r = 0; r < count; r++) {
    const x = r * k;
    for (let n = rows.start[r]; n < rows.start[r + 1]; n++) {
      const y = rows.index[n] * k;
      let s = 0;
      for (let a = 0; a < k; a++) s += userFactors[x + a] * itemFactors[y + a];
      const c = 1 + params.alpha * rows.weight[n];
      total += c * (1 - s) * (1 - s) - unobserved * s * s;
    }
  }
  if (exponent !== 0) {
    return total + scaledNorms(rows, userFactors, k, params) +
      scaledNorms(byItem, itemFactors, k, params);
  }
  // Every row's λ is λ: the Gramians' diagonals hold the squared lengths.
  let norms = 0;
  for (let d = 0; d < k; d++) norms += userGram[d * k + d] + itemGram[d * k + d];
  return total + params.regularization * norms;
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
  #residual: Float64Array;
  #direction: Float64Array;
  #product: Float64Array;
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
    this.#residual = new Float64Array(k);
    this.#direction = new Float64Array(k);
    this.#product = new Float64Array(k);
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
    const old = this.#direction;
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

  /**
   * Takes `steps` conjugate-gradient steps on row r's system from the vector already in `out`.
   * The matrix is never formed: A·v = (α₀YᵀY + λᵤI)v + Σ (cᵤᵢ − α₀)(yᵢ·v)yᵢ over the row's
   * entries.
   */
  conjugateGradient(
    rows: SparseRows,
    r: number,
    fixed: Float64Array,
    out: Float64Array,
    at: number,
    steps: number,
  ) {
    const k = this.#k;
    const alpha = this.#alpha;
    const base = this.#base;
    const residual = this.#residual;
    const direction = this.#direction;
    const product = this.#product;
    const begin = rows.start[r];
    const end = rows.start[r + 1];
    if (begin === end) {
      out.fill(0, at, at + k);
      return;
    }
    const shift = this.#shift(rows, r);

    // residual = b − A·x = Σ (cᵤᵢ − (cᵤᵢ − α₀)(yᵢ·x)) yᵢ − (α₀YᵀY + λᵤI)x
    for (let i = 0; i < k; i++) {
      const row = i * k;
      let s = 0;
      for (let j = 0; j < k; j++) s += base[row + j] * out[at + j];
      residual[i] = shift === 0 ? -s : -(s + shift * out[at + i]);
    }
    for (let n = begin; n < end; n++) {
      const y = rows.index[n] * k;
      const confidence = 1 + alpha * rows.weight[n];
      const extra = this.#observedExtra + alpha * rows.weight[n];
      let dot = 0;
      for (let i = 0; i < k; i++) dot += fixed[y + i] * out[at + i];
      const scale = confidence - extra * dot;
      for (let i = 0; i < k; i++) residual[i] += scale * fixed[y + i];
    }
    direction.set(residual);
    let rsOld = 0;
    for (let i = 0; i < k; i++) rsOld += residual[i] * residual[i];

    for (let step = 0; step < steps && rsOld > cgTolerance; step++) {
      for (let i = 0; i < k; i++) {
        const row = i * k;
        let s = 0;
        for (let j = 0; j < k; j++) s += base[row + j] * direction[j];
        product[i] = shift === 0 ? s : s + shift * direction[i];
      }
      for (let n = begin; n < end; n++) {
        const y = rows.index[n] * k;
        let dot = 0;
        for (let i = 0; i < k; i++) dot += fixed[y + i] * direction[i];
        const scale = (this.#observedExtra + alpha * rows.weight[n]) * dot;
        for (let i = 0; i < k; i++) product[i] += scale * fixed[y + i];
      }
      let curvature = 0;
      for (let i = 0; i < k; i++) curvature += direction[i] * product[i];
      const stepSize = rsOld / curvature;
      let rsNew = 0;
      for (let i = 0; i < k; i++) {
        out[at + i] += stepSize * direction[i];
        residual[i] -= stepSize * product[i];
        rsNew += residual[i] * residual[i];
      }
      const ratio = rsNew / rsOld;
      for (let i = 0; i < k; i++) direction[i] = residual[i] + ratio * direction[i];
      rsOld = rsNew;
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
