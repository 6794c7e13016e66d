/**
 * When a page would play each packet of the room's stream: the playout rules the page's jitter
 * buffer plays by (static/playout.js, imported by static/voice_worklet.js too) run on arrival
 * times, in ms, so the benchmark can time clicks at the ear of a stream listener and not only on
 * arrival. The buffer waits for `startMs` of sound, then plays without pause until it runs dry,
 * and waits again; when it held more than `floorMs` and the slack all through a window, it drops
 * the excess. Left out: the trimming past the format's `maxMs`,
 * which only ever plays sound sooner, and the browser's output device, as for WebRTC listeners.
 * Sound dropped by the rule above keeps the time it was given before.
 *
 * @example
 * const playout = new PagePlayout(streamFormat);
 * for (const { pcm, playsAt } of playout.push(decoded, wallClockMs())) ear.hear(pcm, playsAt);
 */
import { sampleRateHz } from "../media/pcm.ts";
import { PlayoutRules } from "../static/playout.js";

export interface Played {
  pcm: Float32Array;
  /** When its first sample plays, in the arrival times' clock (ms). */
  playsAt: number;
}

export class PagePlayout {
  #rules: PlayoutRules;
  #waiting: Float32Array[] = [];
  #waitingMs = 0;
  /** While playing: when what is buffered will have played out. */
  #dryAt = -Infinity;

  constructor(format: { startMs: number; floorMs: number }) {
    this.#rules = new PlayoutRules({ start: format.startMs, floor: format.floorMs, perMs: 1 });
  }

  /** Takes sound that arrived at `arrivedAt`; returns whatever now has a time to play. */
  push(pcm: Float32Array, arrivedAt: number): Played[] {
    const ms = pcm.length * 1000 / sampleRateHz;
    if (arrivedAt < this.#dryAt) {
      // Held just before this arrival: what is buffered plays out by `#dryAt`.
      this.#dryAt -= this.#rules.excess(this.#dryAt - arrivedAt, arrivedAt);
      const playsAt = this.#dryAt;
      this.#dryAt += ms;
      return [{ pcm, playsAt }];
    }
    // Dry (or never started): fill up to the start level, then play it all from now.
    this.#waiting.push(pcm);
    this.#waitingMs += ms;
    if (!this.#rules.canStart(this.#waitingMs)) return [];
    const played: Played[] = [];
    let at = arrivedAt;
    for (const waiting of this.#waiting) {
      played.push({ pcm: waiting, playsAt: at });
      at += waiting.length * 1000 / sampleRateHz;
    }
    this.#dryAt = at;
    this.#waiting = [];
    this.#waitingMs = 0;
    this.#rules.restart(arrivedAt);
    return played;
  }
}
