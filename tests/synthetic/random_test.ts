import assert from "node:assert/strict";
import { Random, WeightedChoice } from "../../synthetic/random.ts";

Deno.test("the same seed gives the same numbers, another seed others", () => {
  const numbers = (seed: number) => {
    const random = new Random(seed);
    return Array.from({ length: 5 }, () => random.next());
  };
  assert.deepEqual(numbers(1), numbers(1));
  assert.notDeepEqual(numbers(1), numbers(2));
  for (const n of numbers(3)) assert.ok(n >= 0 && n < 1);
});

Deno.test("weighted draws come up in proportion to their weights", () => {
  const random = new Random(7);
  const choice = new WeightedChoice([6, 3, 1, 0]);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 100_000; i++) counts[choice.draw(random)]++;
  assert.equal(counts[3], 0);
  for (const [i, share] of [0.6, 0.3, 0.1].entries()) {
    assert.ok(Math.abs(counts[i] / 100_000 - share) < 0.01, `${i}: ${counts[i]}`);
  }
});

Deno.test("weights that cannot be drawn from are refused", () => {
  assert.throws(() => new WeightedChoice([]), RangeError);
  assert.throws(() => new WeightedChoice([0, 0]), RangeError);
  assert.throws(() => new WeightedChoice([1, -1]), RangeError);
  assert.throws(() => new WeightedChoice([1, NaN]), RangeError);
});
