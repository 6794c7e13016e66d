/**
 * A tiny seeded generator for the recommender's initial factors, the benchmark's synthetic matrix
 * and the recommender's tests: the same seed gives the same numbers on every machine. (The
 * synthetic community draws from synthetic/random.ts's `Random`.)
 *
 * @example
 * const random = mulberry32(42);
 * random(); // the same number in [0, 1) every time for seed 42
 */

/** mulberry32: numbers in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
