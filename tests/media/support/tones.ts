/**
 * Test audio: sine tones to send and a Goertzel detector that says how much of a frequency a
 * stretch of received PCM holds (it measures the audio itself, never metadata).
 *
 * @example
 * const tone = new Tone(440, 0.3);
 * const frame = tone.next(); // 480 samples of 440 Hz, phase-continuous across calls
 * toneAmplitude(frame, 440); // ~0.3
 */

const rateHz = 48_000;

/** A phase-continuous sine, 480 samples (10 ms) at a time. */
export class Tone {
  #phase = 0;
  constructor(readonly hz: number, readonly amplitude: number) {}

  /** The next 10 ms as 16-bit PCM. */
  next(samples = 480): Int16Array {
    const out = new Int16Array(samples);
    const step = 2 * Math.PI * this.hz / rateHz;
    for (let i = 0; i < samples; i++) {
      out[i] = Math.round(32767 * this.amplitude * Math.sin(this.#phase));
      this.#phase += step;
    }
    this.#phase %= 2 * Math.PI;
    return out;
  }

  /** The next 10 ms as floats. */
  nextFloat(samples = 480): Float32Array {
    return Float32Array.from(this.next(samples), (x) => x / 32768);
  }
}

/**
 * The amplitude (0..1 of full scale) of `hz` in `samples` (16-bit or floats in [-1, 1]),
 * through a Hann window so a tone 220 Hz away barely leaks in a 10 ms frame.
 */
export function toneAmplitude(samples: Int16Array | Float32Array, hz: number): number {
  const n = samples.length;
  const scale = samples instanceof Int16Array ? 1 / 32768 : 1;
  const coeff = 2 * Math.cos(2 * Math.PI * hz / rateHz);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / (n - 1));
    const s0 = samples[i] * scale * w + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 2 * Math.sqrt(Math.max(0, power)) / (n / 2);
}

/** Per 10 ms frame of `pcm`, the amplitude of `hz`. */
export function toneTrack(pcm: Int16Array, hz: number, frame = 480): number[] {
  const out: number[] = [];
  for (let at = 0; at + frame <= pcm.length; at += frame) {
    out.push(toneAmplitude(pcm.subarray(at, at + frame), hz));
  }
  return out;
}
