/**
 * The media plane's one audio format: 48 kHz mono, in 10 ms frames of 480 samples, as floats in
 * [-1, 1] inside the mixer and as 16-bit integers at the edges (wrtc sinks and sources).
 *
 * @example
 * const frame = toMono48k({ samples: new Int16Array(480), sampleRate: 48_000 });
 * frame.length; // 480
 */

export const sampleRateHz = 48_000;
export const frameMs = 10;
export const frameSamples = sampleRateHz * frameMs / 1000;

/** PCM as wrtc's `RTCAudioSink` hands it over and `RTCAudioSource` takes it. */
export interface Pcm16 {
  samples: Int16Array;
  sampleRate: number;
  channelCount?: number;
}

/**
 * Interleaved 16-bit PCM at any rate and channel count -> mono floats at 48 kHz. Channels are
 * averaged; other rates are resampled linearly (wrtc hands out 16 kHz silence before the first
 * packet, and 48 kHz once Opus flows).
 */
export function toMono48k(pcm: Pcm16): Float32Array {
  const channels = Math.max(1, pcm.channelCount ?? 1);
  const inFrames = Math.floor(pcm.samples.length / channels);
  const mono = new Float32Array(inFrames);
  for (let i = 0; i < inFrames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm.samples[i * channels + c];
    mono[i] = sum / channels / 32768;
  }
  if (pcm.sampleRate === sampleRateHz || inFrames === 0) return mono;
  const outFrames = Math.round(inFrames * sampleRateHz / pcm.sampleRate);
  const out = new Float32Array(outFrames);
  const step = pcm.sampleRate / sampleRateHz;
  for (let i = 0; i < outFrames; i++) {
    const at = i * step;
    const j = Math.floor(at);
    const next = Math.min(j + 1, inFrames - 1);
    const t = at - j;
    out[i] = mono[j] * (1 - t) + mono[next] * t;
  }
  return out;
}

/** Root mean square and peak of a frame of floats. */
export function measure(frame: Float32Array): { rms: number; peak: number } {
  let energy = 0;
  let peak = 0;
  for (let i = 0; i < frame.length; i++) {
    const x = frame[i];
    energy += x * x;
    const a = Math.abs(x);
    if (a > peak) peak = a;
  }
  return { rms: Math.sqrt(energy / Math.max(1, frame.length)), peak };
}

/** A level in dB relative to full scale; silence is `-Infinity`. */
export function toDbfs(level: number): number {
  return 20 * Math.log10(level);
}
