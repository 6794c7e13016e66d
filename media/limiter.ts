/**
 * A soft limiter: a gain that drops at once to keep a frame's peak under the threshold and
 * recovers slowly, then a soft knee above the threshold so no sample ever reaches full scale.
 * Loud sums get quieter instead of clipping or wrapping around.
 *
 * @example
 * const limiter = new Limiter();
 * const out = new Int16Array(480);
 * limiter.process(new Float32Array(480).fill(3), out); // every sample under 32767
 */

export interface LimiterOptions {
  /** Peaks above this are turned down (dB relative to full scale). */
  thresholdDbfs: number;
  /** Time for the gain to recover most (1 - 1/e) of the way back to 1 after a loud peak. */
  releaseMs: number;
}

export const limiterDefaults: LimiterOptions = { thresholdDbfs: -1, releaseMs: 150 };

export class Limiter {
  #threshold: number;
  #release: number;
  #gain = 1;

  constructor(options: Partial<LimiterOptions> = {}, frameMs = 10) {
    const { thresholdDbfs, releaseMs } = { ...limiterDefaults, ...options };
    this.#threshold = 10 ** (thresholdDbfs / 20);
    this.#release = 1 - Math.exp(-frameMs / releaseMs);
  }

  /** The gain applied at the end of the last frame (1 = untouched). */
  get gain(): number {
    return this.#gain;
  }

  /** Limits `input` (floats, any level) into `output` (16-bit, same length). */
  process(input: Float32Array, output: Int16Array): void {
    let peak = 0;
    for (let i = 0; i < input.length; i++) {
      const a = Math.abs(input[i]);
      if (a > peak) peak = a;
    }
    const wanted = peak > this.#threshold ? this.#threshold / peak : 1;
    const from = this.#gain;
    const to = wanted < from ? wanted : from + (wanted - from) * this.#release;
    const step = (to - from) / input.length;
    for (let i = 0; i < input.length; i++) {
      const x = softKnee(input[i] * (from + step * (i + 1)), this.#threshold);
      output[i] = Math.round(x * 32767);
    }
    this.#gain = to;
  }
}

/** Identity below the knee; above it, tanh bends the rest into (knee, 1]. */
function softKnee(x: number, knee: number): number {
  const a = Math.abs(x);
  if (a <= knee) return x;
  const room = 1 - knee;
  const bent = knee + room * Math.tanh((a - knee) / room);
  return x < 0 ? -bent : bent;
}
