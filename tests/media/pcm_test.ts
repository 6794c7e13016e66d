import assert from "node:assert/strict";
import { toMono48k } from "../../media/pcm.ts";
import { Tone, toneAmplitude } from "./support/tones.ts";

Deno.test("stereo frames are averaged to mono", () => {
  const stereo = new Int16Array([1000, 3000, -2000, -4000]);
  const mono = toMono48k({ samples: stereo, sampleRate: 48_000, channelCount: 2 });
  assert.deepEqual([...mono].map((x) => Math.round(x * 32768)), [2000, -3000]);
});

Deno.test("16 kHz frames are resampled to 48 kHz, keeping their tone", () => {
  const samples = new Int16Array(160);
  for (let i = 0; i < 160; i++) {
    samples[i] = Math.round(10_000 * Math.sin(2 * Math.PI * 440 * i / 16_000));
  }
  const out = toMono48k({ samples, sampleRate: 16_000 });
  assert.equal(out.length, 480);
  const reference = new Tone(440, 10_000 / 32767).nextFloat();
  assert.ok(Math.abs(toneAmplitude(out, 440) - toneAmplitude(reference, 440)) < 0.02);
});
