/**
 * The timed clicks of bench/audio.ts, shared by its two client processes. Speakers (one
 * process, like ten browsers whose timing nothing else disturbs) put a quiet tone and, once a
 * second each in its own tenth of the second, a loud 30 ms click at a pitch of their own into
 * their sources, and note when each click went in. Every receiver (the speakers themselves, and
 * the listeners in the other process) notes when and whose click came out of its sink. Both use
 * the wall clock of this machine (`performance.timeOrigin + performance.now()`), so the bench
 * matches clicks heard to clicks sent after the run, across the processes.
 *
 * @example
 * const ear = new Ear(null);
 * sink.ondata = (data) => ear.hear(toMono48k(data));
 * latencies(clickLatencies(ear.heard, clicksSent));
 */
import { frameSamples, measure, sampleRateHz } from "../media/pcm.ts";
import { toneAmplitude } from "../tests/media/support/tones.ts";

export const speakerCount = 10;
export const clickPeriodFrames = 100; // each speaker clicks once a second...
const clickSlotFrames = clickPeriodFrames / speakerCount; // ...in its own tenth of it
const clickFrames = 3;
const clickAmplitude = 0.5;
const bedAmplitude = 0.01;
const onsetRms = 0.12;
const quietRms = 0.05;
/** A click heard later than this is taken for a stray, not a measurement. */
const maxLatencyMs = 900;

/** A click that went into speaker `speaker`'s source, or came out of someone's sink, at `at`. */
export interface Click {
  speaker: number;
  /** Milliseconds since the epoch, fractional. */
  at: number;
}

export interface Latencies {
  p50: number;
  p95: number;
  max: number;
  count: number;
}

/** This machine's wall clock with sub-millisecond resolution, comparable across processes. */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Speaker `i` clicks at this pitch, so a receiver knows whose click it heard. */
function clickHz(i: number): number {
  return 600 + 200 * i;
}

/** Speaker `i`'s quiet bed under the clicks: the encoder always has voice-like work. */
function bedHz(i: number): number {
  return 130 + 17 * i;
}

/** The ten speakers' next 10 ms, frame after frame; `sent` gets every click as it starts. */
export class ClickTrack {
  #phases = new Float64Array(speakerCount);
  #clickPhases = new Float64Array(speakerCount);
  #frame = 0;
  readonly sent: Click[] = [];

  /** One frame per speaker, in speaker order. */
  next(): Int16Array[] {
    const slot = this.#frame % clickPeriodFrames;
    const frames: Int16Array[] = [];
    for (let i = 0; i < speakerCount; i++) {
      const intoClick = slot - i * clickSlotFrames;
      const clicking = intoClick >= 0 && intoClick < clickFrames;
      const samples = new Int16Array(frameSamples);
      const bedStep = 2 * Math.PI * bedHz(i) / sampleRateHz;
      const clickStep = 2 * Math.PI * clickHz(i) / sampleRateHz;
      for (let n = 0; n < frameSamples; n++) {
        let x = bedAmplitude * Math.sin(this.#phases[i]);
        this.#phases[i] += bedStep;
        if (clicking) {
          x += clickAmplitude * Math.sin(this.#clickPhases[i]);
          this.#clickPhases[i] += clickStep;
        }
        samples[n] = Math.round(x * 32767);
      }
      this.#phases[i] %= 2 * Math.PI;
      this.#clickPhases[i] %= 2 * Math.PI;
      if (intoClick === 0) this.sent.push({ speaker: i, at: wallClockMs() });
      frames.push(samples);
    }
    this.#frame++;
    return frames;
  }
}

/**
 * What one peer heard: the onset of every click, and whose it was by its pitch. The onset frame
 * may hold only the click's first samples, where a 10 ms window cannot tell pitches 200 Hz apart
 * (that once showed clicks 100 and 200 ms late: the neighbours' clicks, misnamed); the pitch is
 * read from the next frame, which the 30 ms click fills, and the time is the onset's.
 */
export class Ear {
  heard: Click[] = [];
  #loud = false;
  /** When the click whose pitch the next frame tells began, if one did. */
  #onsetAt: number | null = null;
  #pending = new Float32Array(0);

  /** `own`: the speaker this ear belongs to (their own click is never counted), or null. */
  constructor(readonly own: number | null) {}

  /** `playsAt`: when `mono` starts to play, if not now (a page's stream buffer plays later). */
  hear(mono: Float32Array, playsAt?: number): void {
    const pending = this.#pending.length;
    let buffered = mono;
    if (pending > 0) {
      buffered = new Float32Array(pending + mono.length);
      buffered.set(this.#pending);
      buffered.set(mono, pending);
    }
    let at = 0;
    for (; at + frameSamples <= buffered.length; at += frameSamples) {
      const frameAt = playsAt === undefined
        ? wallClockMs()
        : playsAt + (at - pending) * 1000 / sampleRateHz;
      this.#frame(buffered.subarray(at, at + frameSamples), frameAt);
    }
    this.#pending = buffered.slice(at);
  }

  /** Hands over what was heard since the last call. */
  take(): Click[] {
    return this.heard.splice(0);
  }

  #frame(frame: Float32Array, at: number): void {
    const { rms } = measure(frame);
    if (this.#onsetAt !== null) {
      const speaker = loudestClick(frame);
      if (speaker !== this.own) this.heard.push({ speaker, at: this.#onsetAt });
      this.#onsetAt = null;
    }
    if (this.#loud) {
      if (rms < quietRms) this.#loud = false;
      return;
    }
    if (rms < onsetRms) return;
    this.#loud = true;
    this.#onsetAt = at;
  }
}

/** The speaker whose click pitch is loudest in `frame`. */
function loudestClick(frame: Float32Array): number {
  let loudest = -1;
  let best = 0;
  for (let i = 0; i < speakerCount; i++) {
    const amplitude = toneAmplitude(frame, clickHz(i));
    if (amplitude > best) [best, loudest] = [amplitude, i];
  }
  return loudest;
}

/**
 * Each click heard, less the latest click of that speaker sent before it: milliseconds from
 * mouth to ear. Clicks heard with no click sent in the `maxLatencyMs` before are strays.
 */
export function clickLatencies(heard: Click[], sent: Click[]): number[] {
  const bySpeaker = new Map<number, number[]>();
  for (const click of sent) {
    const times = bySpeaker.get(click.speaker) ?? [];
    times.push(click.at);
    bySpeaker.set(click.speaker, times);
  }
  for (const times of bySpeaker.values()) times.sort((a, b) => a - b);
  const result: number[] = [];
  for (const click of heard) {
    const times = bySpeaker.get(click.speaker);
    if (!times) continue;
    let lo = 0;
    let hi = times.length; // first index whose time is after the click was heard
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= click.at) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) continue;
    const latency = click.at - times[lo - 1];
    if (latency < maxLatencyMs) result.push(latency);
  }
  return result;
}

export function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN, count: sorted.length };
}
