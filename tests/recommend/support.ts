/** Small matrices for the recommender's tests, built without the signal log. */
import type { Interactions } from "../../recommend/signals.ts";
import { mulberry32 } from "../../recommend/random.ts";

/** A member x item matrix from `[member row, item column, weight]` triples. */
export function matrixOf(
  users: number,
  items: number,
  entries: [number, number, number][],
): Interactions {
  const sorted = [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const rowStart = new Int32Array(users + 1);
  for (const [u] of sorted) rowStart[u + 1]++;
  for (let u = 0; u < users; u++) rowStart[u + 1] += rowStart[u];
  return {
    users: Array.from({ length: users }, (_, u) => u + 1),
    items: Array.from({ length: items }, (_, i) => ({ kind: "topic" as const, id: i + 1 })),
    rowStart,
    itemIndex: Int32Array.from(sorted, (e) => e[1]),
    weight: Float64Array.from(sorted, (e) => e[2]),
  };
}

/** A seeded generator of numbers in [0, 1), so random cases repeat: the benchmark's own. */
export const seededRandom = mulberry32;

/** Roughly `density` of all pairs, with weights in [0.5, 5). */
export function randomMatrix(
  users: number,
  items: number,
  density: number,
  seed: number,
): Interactions {
  const random = seededRandom(seed);
  const entries: [number, number, number][] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (random() < density) entries.push([u, i, 0.5 + 4.5 * random()]);
    }
  }
  return matrixOf(users, items, entries);
}
