/**
 * Seeded randomness for the synthetic community: the same seed gives the same numbers on every
 * machine, and nothing here touches `Math.random`.
 *
 * @example
 * const random = new Random(42);
 * random.next(); // the same number in [0, 1) every time for seed 42
 * const hosts = new WeightedChoice([5, 1, 1]);
 * hosts.draw(random); // 0 about five times in seven
 */

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), seeded through splitmix32. */
export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    let state = seed | 0;
    // splitmix32 spreads even small, similar seeds (1, 2, 3...) over the whole state.
    const mix = () => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.#a = mix();
    this.#b = mix();
    this.#c = mix();
    this.#d = mix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.#a + this.#b) | 0) + this.#d) | 0;
    this.#d = (this.#d + 1) | 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) | 0;
    this.#c = (this.#c << 21) | (this.#c >>> 11);
    this.#c = (this.#c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** A whole number in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A whole number in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A standard normal number (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

/**
 * Draws index i with probability weights[i] / sum in constant time (Vose's alias method), for
 * the millions of weighted draws a large community needs.
 */
export class WeightedChoice {
  readonly size: number;
  #threshold: Float64Array;
  #alias: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      if (!(weights[i] >= 0) || !Number.isFinite(weights[i])) {
        throw new RangeError("Weights must be finite and not negative");
      }
      total += weights[i];
    }
    if (n === 0 || total <= 0) throw new RangeError("Give at least one positive weight");
    this.size = n;
    this.#threshold = new Float64Array(n);
    this.#alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      (scaled[i] < 1 ? small : large).push(i);
    }
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.#threshold[s] = scaled[s];
      this.#alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      (scaled[l] < 1 ? small : large).push(l);
    }
    // What is left is 1 up to rounding.
    for (const i of [...small, ...large]) {
      this.#threshold[i] = 1;
      this.#alias[i] = i;
    }
  }

  draw(random: Random): number {
    const u = random.next() * this.size;
    const i = Math.floor(u);
    return u - i < this.#threshold[i] ? i : this.#alias[i];
  }
}
