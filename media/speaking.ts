/**
 * Who is speaking, from one source's frame levels: on after a few loud frames, off only after a
 * longer quiet, with a lower threshold to switch off than to switch on, so rings do not flicker
 * between syllables.
 *
 * @example
 * const speaking = new SpeakingDetector();
 * speaking.update(-20); // true once attackMs of frames above onDbfs have been seen
 */

export interface SpeakingOptions {
  /** A frame at least this loud (RMS, dBFS) counts toward speaking. */
  onDbfs: number;
  /** A frame quieter than this counts toward silence; between the two, nothing changes. */
  offDbfs: number;
  /** Loud time needed to show the speaking ring. */
  attackMs: number;
  /** Quiet time needed to take it away. */
  releaseMs: number;
}

export const speakingDefaults: SpeakingOptions = {
  onDbfs: -45,
  offDbfs: -55,
  attackMs: 40,
  releaseMs: 400,
};

export class SpeakingDetector {
  #options: SpeakingOptions;
  #attackFrames: number;
  #releaseFrames: number;
  #loud = 0;
  #quiet = 0;
  #speaking = false;

  constructor(options: Partial<SpeakingOptions> = {}, frameMs = 10) {
    this.#options = { ...speakingDefaults, ...options };
    this.#attackFrames = Math.max(1, Math.round(this.#options.attackMs / frameMs));
    this.#releaseFrames = Math.max(1, Math.round(this.#options.releaseMs / frameMs));
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Takes one frame's level (dBFS, `-Infinity` for a missing frame); returns the new state. */
  update(levelDbfs: number): boolean {
    if (levelDbfs >= this.#options.onDbfs) this.#loud++;
    else this.#loud = 0;
    if (levelDbfs < this.#options.offDbfs) this.#quiet++;
    else this.#quiet = 0;
    if (!this.#speaking && this.#loud >= this.#attackFrames) this.#speaking = true;
    if (this.#speaking && this.#quiet >= this.#releaseFrames) this.#speaking = false;
    return this.#speaking;
  }
}
