/**
 * Implicit ALS written the way Hu, Koren and Volinsky (2008) state it, with ml-matrix: for each
 * member u, `xᵤ = (YᵀCᵤY + λᵤI)⁻¹ YᵀCᵤp(u)` with Cᵤ over every item, and likewise for items.
 * Rendle et al.'s terms are spelled out too: an absent pair's confidence is α₀
 * (`unobservedWeight`, 1 unless told) and λᵤ = λ·(|Iᵤ| + α₀·|I|)^ν (`regularizationExponent`,
 * 0 unless told). Readable and slow (O(items·k²) per member): it exists so the fast kernel in
 * `als.ts` can be checked against it. Same initial factors as `train`.
 *
 * @example
 * const model = trainReference(interactions, { factors: 4, regularization: 0.1, alpha: 10, iterations: 3, seed: 1 });
 */
import { Matrix, solve } from "ml-matrix";
import type { Interactions } from "./signals.ts";
import { randomFactors, type SolveParams, type TrainParams } from "./als.ts";
import { itemRows, memberRows, type SparseRows } from "./interactions.ts";

/** The same as `train` (solver ignored: every row is solved exactly), without progress. */
export function trainReference(
  interactions: Interactions,
  params: TrainParams,
): { userFactors: Float64Array; itemFactors: Float64Array; factors: number; loss: number[] } {
  const k = params.factors;
  const users = interactions.users.length;
  const items = interactions.items.length;
  let x = toMatrix(randomFactors(users, k, params.seed), users, k);
  let y = toMatrix(randomFactors(items, k, params.seed + 1), items, k);
  const byMember = memberRows(interactions);
  const byItem = itemRows(interactions);
  const losses: number[] = [];
  for (let iteration = 0; iteration < params.iterations; iteration++) {
    x = solveAll(byMember, y, params);
    y = solveAll(byItem, x, params);
    losses.push(referenceLoss(byMember, x, y, params));
  }
  return {
    userFactors: Float64Array.from(x.to1DArray()),
    itemFactors: Float64Array.from(y.to1DArray()),
    factors: k,
    loss: losses,
  };
}

/** Solves every row of `rows` against `fixed` (one row per item or member), as the paper does. */
export function solveAll(rows: SparseRows, fixed: Matrix, params: SolveParams): Matrix {
  const count = rows.start.length - 1;
  const solved = new Matrix(count, fixed.columns);
  for (let r = 0; r < count; r++) solved.setRow(r, solveRow(rows, r, fixed, params));
  return solved;
}

/** xᵤ = (YᵀCᵤY + λᵤI)⁻¹ YᵀCᵤp(u), with Cᵤ and p(u) spelled out over every column. */
export function solveRow(
  rows: SparseRows,
  r: number,
  fixed: Matrix,
  params: SolveParams,
): number[] {
  const { confidence, preference } = rowVectors(rows, r, params);
  const cy = fixed.clone().mulColumnVector(confidence); // CᵤY: row i of Y times cᵤᵢ
  const lambda = regularizationOf(rows, r, params);
  const a = fixed.transpose().mmul(cy).add(Matrix.eye(fixed.columns).mul(lambda));
  const b = cy.transpose().mmul(Matrix.columnVector(preference)); // YᵀCᵤp(u)
  return solve(a, b).getColumn(0);
}

/** The objective Σᵤᵢ cᵤᵢ(pᵤᵢ − xᵤ·yᵢ)² + Σᵤ λᵤ‖xᵤ‖² + Σᵢ λᵢ‖yᵢ‖², summed over every pair. */
export function referenceLoss(
  rows: SparseRows,
  x: Matrix,
  y: Matrix,
  params: SolveParams,
): number {
  const scores = x.mmul(y.transpose());
  let total = 0;
  for (let r = 0; r < x.rows; r++) {
    const { confidence, preference } = rowVectors(rows, r, params);
    for (let i = 0; i < y.rows; i++) {
      total += confidence[i] * (preference[i] - scores.get(r, i)) ** 2;
    }
  }
  // An item's λᵢ counts its members: the entries naming it in the members' rows.
  const members = new Array<number>(y.rows).fill(0);
  for (let n = 0; n < rows.start[x.rows]; n++) members[rows.index[n]]++;
  for (let r = 0; r < x.rows; r++) {
    total += regularizationOf(rows, r, params) * x.getRowVector(r).norm() ** 2;
  }
  for (let i = 0; i < y.rows; i++) {
    const lambda = params.regularization *
      (members[i] + (params.unobservedWeight ?? 1) * x.rows) **
        (params.regularizationExponent ?? 0);
    total += lambda * y.getRowVector(i).norm() ** 2;
  }
  return total;
}

/** λᵣ = λ·(the row's entries + α₀·all its columns)^ν. */
function regularizationOf(rows: SparseRows, r: number, params: SolveParams): number {
  const entries = rows.start[r + 1] - rows.start[r];
  const unobserved = params.unobservedWeight ?? 1;
  return params.regularization *
    (entries + unobserved * rows.columns) ** (params.regularizationExponent ?? 0);
}

function rowVectors(rows: SparseRows, r: number, params: SolveParams) {
  const confidence = new Array<number>(rows.columns).fill(params.unobservedWeight ?? 1);
  const preference = new Array<number>(rows.columns).fill(0);
  for (let n = rows.start[r]; n < rows.start[r + 1]; n++) {
    confidence[rows.index[n]] = 1 + params.alpha * rows.weight[n];
    preference[rows.index[n]] = 1;
  }
  return { confidence, preference };
}

/** A row-major Float64Array as an ml-matrix Matrix. */
export function toMatrix(values: Float64Array, rows: number, columns: number): Matrix {
  const matrix = new Matrix(rows, columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) matrix.set(r, c, values[r * columns + c]);
  }
  return matrix;
}
