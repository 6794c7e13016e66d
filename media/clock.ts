/**
 * A 10 ms clock that does not drift: each tick is scheduled for `start + n * frameMs`, not
 * `frameMs` after the last one, so timer lateness never accumulates. A late wake-up runs the
 * frames it missed (a short burst the far side's jitter buffer absorbs); past `maxCatchUpFrames`
 * behind (a stalled process), it skips ahead instead of bursting.
 *
 * A caller with a steadier clock of its own can lead: `runNow` runs a frame at once, and the
 * timer then waits `frameMs + leadSlackMs`, taking over on its own cadence only if the leader
 * falls silent.
 *
 * @example
 * const clock = new FrameClock(() => room.tick());
 * clock.start();
 * clock.stop(); // no timer is left behind
 */

export interface FrameClockOptions {
  frameMs: number;
  /** Missed frames run on the next wake-up, up to this many; beyond it they are skipped. */
  maxCatchUpFrames: number;
  /** After `runNow`, how much later than a frame the timer waits for the next one. */
  leadSlackMs: number;
  now: () => number;
}

export const frameClockDefaults: FrameClockOptions = {
  frameMs: 10,
  maxCatchUpFrames: 5,
  leadSlackMs: 5,
  now: () => performance.now(),
};

export class FrameClock {
  #onFrame: () => void;
  #options: FrameClockOptions;
  #next = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Frames run since the start. */
  frames = 0;
  /** Frames skipped because the process fell too far behind. */
  skipped = 0;

  constructor(onFrame: () => void, options: Partial<FrameClockOptions> = {}) {
    this.#onFrame = onFrame;
    this.#options = { ...frameClockDefaults, ...options };
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.#next = this.#options.now() + this.#options.frameMs;
    this.#schedule();
  }

  /** Runs a frame now; the timer waits a frame and `leadSlackMs` for the next `runNow`. */
  runNow(): void {
    if (!this.running) return;
    clearTimeout(this.#timer);
    this.frames++;
    this.#onFrame();
    if (!this.running) return;
    const { now, frameMs, leadSlackMs } = this.#options;
    this.#next = now() + frameMs + leadSlackMs;
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    const delay = Math.max(0, this.#next - this.#options.now());
    this.#timer = setTimeout(() => this.#wake(), delay);
  }

  #wake(): void {
    const { frameMs, maxCatchUpFrames, now } = this.#options;
    while (this.running) {
      const late = now() - this.#next;
      if (late < 0) break;
      const behind = Math.floor(late / frameMs);
      if (behind > maxCatchUpFrames) {
        this.skipped += behind;
        this.#next += behind * frameMs;
      }
      this.#next += frameMs;
      this.frames++;
      this.#onFrame();
    }
    if (this.running) this.#schedule();
  }
}
