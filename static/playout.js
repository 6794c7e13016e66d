// @ts-self-types="./playout.d.ts"
// The stream's playout rules, in one place: the page's jitter buffer (voice_worklet.js, on the
// audio thread) plays by them, and the benchmark (bench/page_playout.ts) times what a stream
// listener hears by them. Amounts are in one unit of the caller's choosing (samples, or ms),
// given as `perMs` units per millisecond. A plain module with no imports, so an AudioWorklet
// can import it from /static.

/** Held above the floor by less than this, the buffer keeps it: a late batch is normal. */
export const slackMs = 20;
/** How long the buffer watches its lowest level before dropping the excess. */
export const windowMs = 1000;

/**
 * When a stream listener's buffer starts playing, and what it drops. It waits for `start`
 * before playing (and again after running dry); when it held more than `floor` plus the slack
 * all through a window of playing, it drops the excess, so a late batch or a burst after a
 * stall adds no latency for good; and it never holds more than `max`.
 *
 * @example
 * const rules = new PlayoutRules({ start: 3840, floor: 1920, max: 9600, perMs: 48 });
 * if (!playing && rules.canStart(held)) rules.restart(played);
 * const excess = rules.excess(held, played); // usually 0
 */
export class PlayoutRules {
  #start;
  #floor;
  #max;
  #slack;
  #window;
  #lowest = Infinity;
  #from = 0;

  /** @param {{ start: number; floor: number; max?: number; perMs: number }} levels */
  constructor({ start, floor, max = Infinity, perMs }) {
    this.#start = start;
    this.#floor = floor;
    this.#max = max;
    this.#slack = slackMs * perMs;
    this.#window = windowMs * perMs;
  }

  /** Whether a buffer that is not playing, holding `held`, may start. */
  canStart(held) {
    return held >= this.#start;
  }

  /** Whether holding `held` is more than the buffer may ever hold. */
  overflows(held) {
    return held > this.#max;
  }

  /** Starts a new window at `at` (the position in playing time): on start, and after a drop. */
  restart(at) {
    this.#from = at;
    this.#lowest = Infinity;
  }

  /**
   * Notes that the buffer held `held` at `at` while playing; at the end of a window, returns
   * how much of the oldest audio to drop (0 otherwise, or when the window stayed near the floor).
   */
  excess(held, at) {
    this.#lowest = Math.min(this.#lowest, held);
    if (at - this.#from < this.#window) return 0;
    const lowest = this.#lowest;
    this.restart(at);
    return lowest > this.#floor + this.#slack ? lowest - this.#floor : 0;
  }
}
