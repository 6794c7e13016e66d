/**
 * One voice's small queue between its peer connection and the room clock. Frames arrive in
 * bursts and late; the clock takes one frame per tick. The queue waits for `prebufferFrames`
 * before playing, plays silence when it runs dry (and waits again, which lets it absorb a
 * little more jitter), drops the oldest frames beyond `maxFrames`, and drops one frame when it
 * has held more than it needs for a whole window, so a burst never adds latency for good.
 *
 * @example
 * const queue = new JitterQueue();
 * queue.push(new Float32Array(480)); // any length: it is cut into 480-sample frames
 * queue.push(new Float32Array(480));
 * queue.take(); // a frame, or null for a missing one (silence)
 */
import { frameSamples } from "./pcm.ts";

export interface JitterOptions {
  /** Frames to hold before playing, after a start or a dry spell. */
  prebufferFrames: number;
  /** Frames held at most; older ones are dropped. */
  maxFrames: number;
  /** Ticks over which the queue's low point is watched before trimming one frame. */
  trimWindowFrames: number;
}

export const jitterDefaults: JitterOptions = {
  // The room mixes as frames arrive (RoomMedia), so one frame waiting is one too many.
  prebufferFrames: 1,
  maxFrames: 8,
  trimWindowFrames: 100,
};

export interface JitterCounts {
  /** Ticks that found the queue dry while playing. */
  underruns: number;
  /** Frames dropped because the queue was full. */
  overflows: number;
  /** Frames dropped to bring latency back down. */
  trimmed: number;
}

export class JitterQueue {
  #options: JitterOptions;
  #frames: Float32Array[] = [];
  #spare: Float32Array[] = [];
  #partial: Float32Array = new Float32Array(frameSamples);
  #partialLength = 0;
  #lent: Float32Array | null = null;
  #playing = false;
  #lowest = Infinity;
  #ticks = 0;
  readonly counts: JitterCounts = { underruns: 0, overflows: 0, trimmed: 0 };

  constructor(options: Partial<JitterOptions> = {}) {
    this.#options = { ...jitterDefaults, ...options };
  }

  /** Frames waiting. */
  get depth(): number {
    return this.#frames.length;
  }

  /** Whether the queue is playing (not waiting to fill after a start or a dry spell). */
  get playing(): boolean {
    return this.#playing;
  }

  /** Whether the next `take` gives a frame. */
  get ready(): boolean {
    return this.#frames.length >= (this.#playing ? 1 : this.#options.prebufferFrames);
  }

  /** Appends mono 48 kHz samples, completing 480-sample frames. */
  push(samples: Float32Array): void {
    let at = 0;
    while (at < samples.length) {
      const n = Math.min(frameSamples - this.#partialLength, samples.length - at);
      this.#partial.set(samples.subarray(at, at + n), this.#partialLength);
      this.#partialLength += n;
      at += n;
      if (this.#partialLength === frameSamples) {
        this.#frames.push(this.#partial);
        this.#partial = this.#spare.pop() ?? new Float32Array(frameSamples);
        this.#partialLength = 0;
        while (this.#frames.length > this.#options.maxFrames) {
          this.#recycle(this.#frames.shift()!);
          this.counts.overflows++;
        }
      }
    }
  }

  /** The next frame for this tick, valid until the next call; null means play silence. */
  take(): Float32Array | null {
    if (this.#lent) this.#recycle(this.#lent);
    this.#lent = null;
    if (!this.#playing) {
      if (this.#frames.length < this.#options.prebufferFrames) return null;
      this.#playing = true;
      this.#lowest = Infinity;
      this.#ticks = 0;
    }
    this.#lowest = Math.min(this.#lowest, this.#frames.length);
    if (++this.#ticks >= this.#options.trimWindowFrames) {
      if (this.#lowest > this.#options.prebufferFrames) {
        this.#recycle(this.#frames.shift()!);
        this.counts.trimmed++;
      }
      this.#lowest = Infinity;
      this.#ticks = 0;
    }
    const frame = this.#frames.shift();
    if (!frame) {
      this.#playing = false;
      this.counts.underruns++;
      return null;
    }
    this.#lent = frame;
    return frame;
  }

  /** Forgets everything queued (a voice that stops being heard starts afresh). */
  clear(): void {
    for (const frame of this.#frames) this.#recycle(frame);
    this.#frames = [];
    this.#partialLength = 0;
    this.#playing = false;
  }

  #recycle(frame: Float32Array): void {
    if (this.#spare.length < this.#options.maxFrames) this.#spare.push(frame);
  }
}
