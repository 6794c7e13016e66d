/**
 * Implicit ALS written the way Hu, Koren and Volinsky (2008) state it, with ml-matrix: for each
 * member u, `xᵤ = (YᵀCᵤY + λI)⁻¹ YᵀCᵤp(u)` with Cᵤ over every item, and likewise for items.
 * Readable and slow (O(items·k²) per member): it exists so the fast kernel in `als.ts` can be
 * checked against it. Same initial factors as `train`.
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

/** xᵤ = (YᵀCᵤY + λI)⁻¹ YᵀCᵤp(u), with Cᵤ and p(u) spelled out over every column. */
export function solveRow(
  rows: SparseRows,
  r: number,
  fixed: Matrix,
  params: SolveParams,
): number[] {
  const { confidence, preference } = rowVectors(rows, r, params);
  const cy = fixed.clone().mulColumnVector(confidence); // CᵤY: row i of Y times cᵤᵢ
  const a = fixed.transpose().mmul(cy).add(Matrix.eye(fixed.columns).mul(params.regularization));
  const b = cy.transpose().mmul(Matrix.columnVector(preference)); // YᵀCᵤp(u)
  return solve(a, b).getColumn(0);
}

/** The objective Σᵤᵢ cᵤᵢ(pᵤᵢ − xᵤ·yᵢ)² + λ(‖X‖² + ‖Y‖²), summed over every pair. */
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
  return total + params.regularization * (x.norm() ** 2 + y.norm() ** 2);
}

function rowVectors(rows: SparseRows, r: number, params: SolveParams) {
  const confidence = new Array<number>(rows.columns).fill(1);
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
