/**
 * A room's mixer, one 10 ms frame per `mix()`: sums the voices that may be heard now, gives each
 * speaker the sum without their own voice and everyone else the whole sum, limits every output
 * softly, and tracks who is speaking. Pure: no clock, no I/O; the room drives it.
 *
 * Only ids in the heard set are mixed. Frames pushed for anyone else are dropped on arrival,
 * and taking someone out of the set drops what they had queued, so the change holds from the
 * very next frame whatever their browser keeps sending.
 *
 * @example
 * const mixer = new Mixer();
 * mixer.setHeard("a", true);
 * mixer.addOutput("a"); // "a" is on stage: give them a mix without their own voice
 * mixer.push("a", frameOfA);
 * const { full, minus } = mixer.mix(); // full: for listeners; minus.get("a"): for "a"
 */
import { type JitterCounts, type JitterOptions, JitterQueue } from "./jitter.ts";
import { Limiter, type LimiterOptions } from "./limiter.ts";
import { frameMs, frameSamples, measure, toDbfs } from "./pcm.ts";
import { SpeakingDetector, type SpeakingOptions } from "./speaking.ts";

export interface MixerOptions {
  jitter?: Partial<JitterOptions>;
  limiter?: Partial<LimiterOptions>;
  speaking?: Partial<SpeakingOptions>;
}

export interface Level {
  /** RMS of the last frame, dBFS (`-Infinity` when the frame was missing). */
  rmsDbfs: number;
  /** Peak of the last frame, 0..1 of full scale. */
  peak: number;
}

export interface MixedFrame {
  /** The whole mix, for listeners. */
  full: Int16Array;
  /** Per id with an output: the mix without that id's voice. */
  minus: ReadonlyMap<string, Int16Array>;
  /** True when the set of speaking ids differs from the previous frame's. */
  speakingChanged: boolean;
}

interface Voice {
  queue: JitterQueue;
  detector: SpeakingDetector;
  frame: Float32Array | null;
  level: Level;
}

interface Output {
  limiter: Limiter;
  pcm: Int16Array;
}

export class Mixer {
  #options: MixerOptions;
  #voices = new Map<string, Voice>();
  #outputs = new Map<string, Output>();
  #minus = new Map<string, Int16Array>();
  #full: Output;
  #sum = new Float32Array(frameSamples);
  #scratch = new Float32Array(frameSamples);
  #speaking = new Set<string>();
  #speakingChanged = false;

  constructor(options: MixerOptions = {}) {
    this.#options = options;
    this.#full = this.#newOutput();
  }

  /** Puts `id` in or out of the heard set; out drops whatever they had queued. */
  setHeard(id: string, heard: boolean): void {
    if (heard && !this.#voices.has(id)) {
      this.#voices.set(id, {
        queue: new JitterQueue(this.#options.jitter),
        detector: new SpeakingDetector(this.#options.speaking, frameMs),
        frame: null,
        level: { rmsDbfs: -Infinity, peak: 0 },
      });
    } else if (!heard && this.#voices.delete(id) && this.#speaking.delete(id)) {
      this.#speakingChanged = true;
    }
  }

  isHeard(id: string): boolean {
    return this.#voices.has(id);
  }

  /** The ids that may be heard now. */
  get heard(): string[] {
    return [...this.#voices.keys()];
  }

  /** Gives `id` a mix-minus output (the mix without their own voice). */
  addOutput(id: string): void {
    if (this.#outputs.has(id)) return;
    const output = this.#newOutput();
    this.#outputs.set(id, output);
    this.#minus.set(id, output.pcm);
  }

  removeOutput(id: string): void {
    this.#outputs.delete(id);
    this.#minus.delete(id);
  }

  /** Forgets `id` entirely. */
  remove(id: string): void {
    this.setHeard(id, false);
    this.removeOutput(id);
  }

  /** Queues mono 48 kHz samples from `id`; returns false (and drops them) if `id` is not heard. */
  push(id: string, samples: Float32Array): boolean {
    const voice = this.#voices.get(id);
    if (!voice) return false;
    voice.queue.push(samples);
    return true;
  }

  /**
   * Whether a mix now would miss nobody: some voice has a frame waiting, and every voice that is
   * playing does (a voice still filling after a start or a dry spell is not waited for).
   */
  ready(): boolean {
    let some = false;
    for (const voice of this.#voices.values()) {
      if (voice.queue.ready) some = true;
      else if (voice.queue.playing) return false;
    }
    return some;
  }

  /** Mixes one frame. The returned arrays are reused by the next call. */
  mix(): MixedFrame {
    const sum = this.#sum;
    sum.fill(0);
    for (const [id, voice] of this.#voices) {
      const frame = voice.queue.take();
      voice.frame = frame;
      if (frame) {
        for (let i = 0; i < frameSamples; i++) sum[i] += frame[i];
        const { rms, peak } = measure(frame);
        voice.level.rmsDbfs = toDbfs(rms);
        voice.level.peak = peak;
      } else {
        voice.level.rmsDbfs = -Infinity;
        voice.level.peak = 0;
      }
      const speaking = voice.detector.update(voice.level.rmsDbfs);
      if (speaking !== this.#speaking.has(id)) {
        if (speaking) this.#speaking.add(id);
        else this.#speaking.delete(id);
        this.#speakingChanged = true;
      }
    }
    for (const [id, output] of this.#outputs) {
      const own = this.#voices.get(id)?.frame;
      if (own) {
        const rest = this.#scratch;
        for (let i = 0; i < frameSamples; i++) rest[i] = sum[i] - own[i];
        output.limiter.process(rest, output.pcm);
      } else {
        output.limiter.process(sum, output.pcm);
      }
    }
    this.#full.limiter.process(sum, this.#full.pcm);
    const speakingChanged = this.#speakingChanged;
    this.#speakingChanged = false;
    return { full: this.#full.pcm, minus: this.#minus, speakingChanged };
  }

  /** The ids speaking as of the last frame. */
  get speaking(): ReadonlySet<string> {
    return this.#speaking;
  }

  /** `id`'s level in the last frame, if heard. */
  level(id: string): Level | undefined {
    const voice = this.#voices.get(id);
    return voice && { ...voice.level };
  }

  /** `id`'s queue counters, if heard. */
  jitter(id: string): JitterCounts | undefined {
    const voice = this.#voices.get(id);
    return voice && { ...voice.queue.counts };
  }

  #newOutput(): Output {
    return {
      limiter: new Limiter(this.#options.limiter, frameMs),
      pcm: new Int16Array(frameSamples),
    };
  }
}
