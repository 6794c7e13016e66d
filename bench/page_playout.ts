/**
 * When a page would play each packet of the room's stream: the rules of its jitter buffer
 * (static/voice_worklet.js) run on arrival times, so the benchmark can time clicks at the ear of
 * a stream listener and not only on arrival. The buffer waits for `startMs` of sound, then plays
 * without pause until it runs dry, and waits again; when it held more than `floorMs` and 20 ms
 * all through a second, it drops the excess. Left out: the trimming past the format's `maxMs`,
 * which only ever plays sound sooner, and the browser's output device, as for WebRTC listeners.
 * Sound dropped by the rule above keeps the time it was given before.
 *
 * @example
 * const playout = new PagePlayout(streamFormat);
 * for (const { pcm, playsAt } of playout.push(decoded, wallClockMs())) ear.hear(pcm, playsAt);
 */
import { sampleRateHz } from "../media/pcm.ts";

export interface Played {
  pcm: Float32Array;
  /** When its first sample plays, in the arrival times' clock (ms). */
  playsAt: number;
}

const slackMs = 20;
const windowMs = 1000;

export class PagePlayout {
  #startMs: number;
  #floorMs: number;
  #waiting: Float32Array[] = [];
  #waitingMs = 0;
  /** While playing: when what is buffered will have played out. */
  #dryAt = -Infinity;
  /** The least held just before an arrival, since `#windowFrom`. */
  #lowestMs = Infinity;
  #windowFrom = 0;

  constructor(format: { startMs: number; floorMs: number }) {
    this.#startMs = format.startMs;
    this.#floorMs = format.floorMs;
  }

  /** Takes sound that arrived at `arrivedAt`; returns whatever now has a time to play. */
  push(pcm: Float32Array, arrivedAt: number): Played[] {
    const ms = pcm.length * 1000 / sampleRateHz;
    if (arrivedAt < this.#dryAt) {
      this.#lowestMs = Math.min(this.#lowestMs, this.#dryAt - arrivedAt);
      if (arrivedAt - this.#windowFrom >= windowMs) {
        if (this.#lowestMs > this.#floorMs + slackMs) this.#dryAt -= this.#lowestMs - this.#floorMs;
        this.#windowFrom = arrivedAt;
        this.#lowestMs = Infinity;
      }
      const playsAt = this.#dryAt;
      this.#dryAt += ms;
      return [{ pcm, playsAt }];
    }
    // Dry (or never started): fill up to the start level, then play it all from now.
    this.#waiting.push(pcm);
    this.#waitingMs += ms;
    if (this.#waitingMs < this.#startMs) return [];
    const played: Played[] = [];
    let at = arrivedAt;
    for (const waiting of this.#waiting) {
      played.push({ pcm: waiting, playsAt: at });
      at += waiting.length * 1000 / sampleRateHz;
    }
    this.#dryAt = at;
    this.#waiting = [];
    this.#waitingMs = 0;
    this.#windowFrom = arrivedAt;
    this.#lowestMs = Infinity;
    return played;
  }
}
