import assert from "node:assert/strict";
import { buildKernel } from "../../recommend/kernel/build.ts";
import { alsKernelBase64 } from "../../recommend/kernel/als_kernel_wasm.ts";
import { Kernel, Plan } from "../../recommend/kernel/kernel.ts";
import { halfStep, randomFactors } from "../../recommend/als.ts";
import { memberRows } from "../../recommend/interactions.ts";
import { randomMatrix } from "./support.ts";

Deno.test("the kernel Palabre runs is the one its source builds to (else: deno task kernel)", async () => {
  const running = Uint8Array.from(atob(alsKernelBase64), (c) => c.charCodeAt(0));
  assert.deepEqual(await buildKernel(), running);
});

/** MᵀM's lower triangle summed as a plain loop does: matrix row after matrix row. */
function plainGramian(matrix: Float64Array, k: number): Float64Array {
  const gram = new Float64Array(k * k);
  for (let off = 0; off < matrix.length; off += k) {
    for (let a = 0; a < k; a++) {
      for (let b = 0; b <= a; b++) gram[a * k + b] += matrix[off + a] * matrix[off + b];
    }
  }
  return gram;
}

for (const [rows, k] of [[7, 1], [10, 5], [33, 12], [501, 64]]) {
  Deno.test(`the kernel's Gramian is a plain loop's, bit for bit (${rows} rows, ${k} factors)`, () => {
    const matrix = randomFactors(rows, k, rows + k);
    const plan = new Plan();
    const at = { matrix: plan.f64(matrix.length), gram: plan.f64(k * k) };
    const kernel = Kernel.create(plan);
    kernel.f64(at.matrix, matrix.length).set(matrix);
    kernel.addGramianRows({ ...at, rows, k, from: 0, to: k });
    const gram = kernel.f64(at.gram, k * k);
    const plain = plainGramian(matrix, k);
    for (let a = 0; a < k; a++) {
      for (let b = 0; b <= a; b++) assert.equal(gram[a * k + b], plain[a * k + b], `(${a}, ${b})`);
    }
  });
}

for (const k of [1, 3, 5, 12, 64]) {
  Deno.test(`the kernel's conjugate gradient reaches the exact solve (${k} factors)`, () => {
    // Enough steps to converge: the SIMD loops, their pairs and their odd tails, all take part.
    const interactions = randomMatrix(40, 90, 0.2, k);
    const rows = memberRows(interactions);
    const items = randomFactors(90, k, 3);
    const params = { factors: k, regularization: 0.5, alpha: 2, unobservedWeight: 0.7 };
    const exact = randomFactors(40, k, 4);
    const cg = exact.slice();
    halfStep(rows, items, exact, { ...params, solver: "cholesky" });
    halfStep(rows, items, cg, { ...params, solver: "cg", cgSteps: 4 * k + 10 });
    for (let n = 0; n < exact.length; n++) {
      assert.ok(Math.abs(cg[n] - exact[n]) < 1e-9, `${n}: ${cg[n]} against ${exact[n]}`);
    }
  });
}
