import assert from "node:assert/strict";
import { Mixer } from "../../media/mixer.ts";
import { frameSamples } from "../../media/pcm.ts";
import { Tone, toneAmplitude } from "./support/tones.ts";

function constant(value: number): Float32Array {
  return new Float32Array(frameSamples).fill(value);
}

/** A mixer whose queues play the first frame pushed (the default), for exact frame counts. */
function plainMixer(): Mixer {
  return new Mixer();
}

Deno.test("the mix is the sum of the heard voices", () => {
  const mixer = plainMixer();
  mixer.setHeard("a", true);
  mixer.setHeard("b", true);
  mixer.push("a", constant(0.1));
  mixer.push("b", constant(0.2));
  const { full } = mixer.mix();
  assert.ok(full.every((x) => Math.abs(x - 0.3 * 32767) <= 2), `got ${full[0]}`);
});

Deno.test("a voice outside the heard set is never mixed, whatever it sends", () => {
  const mixer = plainMixer();
  mixer.setHeard("a", true);
  for (let i = 0; i < 5; i++) {
    mixer.push("a", constant(0.1));
    assert.equal(mixer.push("listener", constant(0.5)), false);
    const { full } = mixer.mix();
    assert.ok(full.every((x) => Math.abs(x - 0.1 * 32767) <= 2));
  }
});

Deno.test("leaving the heard set silences a voice from the next frame, queued frames included", () => {
  const mixer = plainMixer();
  mixer.setHeard("a", true);
  for (let i = 0; i < 4; i++) mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x > 0));
  mixer.setHeard("a", false);
  mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x === 0));
});

Deno.test("joining the heard set takes effect with the first frame sent after it", () => {
  const mixer = plainMixer();
  mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x === 0));
  mixer.setHeard("a", true);
  mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x > 0));
});

Deno.test("each speaker gets the mix without their own voice; listeners get all of it", () => {
  const mixer = plainMixer();
  const a = new Tone(440, 0.3);
  const b = new Tone(660, 0.3);
  for (const id of ["a", "b"]) {
    mixer.setHeard(id, true);
    mixer.addOutput(id);
  }
  for (let i = 0; i < 3; i++) {
    mixer.push("a", a.nextFloat());
    mixer.push("b", b.nextFloat());
    const { full, minus } = mixer.mix();
    assert.ok(toneAmplitude(full, 440) > 0.25 && toneAmplitude(full, 660) > 0.25);
    const forA = minus.get("a")!;
    assert.ok(toneAmplitude(forA, 660) > 0.25, "a hears b");
    assert.ok(toneAmplitude(forA, 440) < 0.01, "a does not hear a");
    const forB = minus.get("b")!;
    assert.ok(toneAmplitude(forB, 440) > 0.25, "b hears a");
    assert.ok(toneAmplitude(forB, 660) < 0.01, "b does not hear b");
  }
});

Deno.test("a muted speaker's output is the whole mix (nothing of theirs is in it)", () => {
  const mixer = plainMixer();
  mixer.setHeard("b", true);
  mixer.addOutput("a");
  mixer.push("a", constant(0.5));
  mixer.push("b", constant(0.2));
  const { full, minus } = mixer.mix();
  assert.deepEqual(minus.get("a"), full);
  assert.ok(full.every((x) => Math.abs(x - 0.2 * 32767) <= 2));
});

Deno.test("loud sums are limited softly: no sample clips or wraps around", () => {
  const mixer = plainMixer();
  const tones = [new Tone(440, 0.9), new Tone(440, 0.9), new Tone(440, 0.9), new Tone(440, 0.9)];
  tones.forEach((_, i) => mixer.setHeard(`v${i}`, true));
  const reference = new Tone(440, 1);
  for (let frame = 0; frame < 50; frame++) {
    tones.forEach((tone, i) => mixer.push(`v${i}`, tone.nextFloat()));
    const { full } = mixer.mix();
    const sign = reference.next();
    for (let i = 0; i < frameSamples; i++) {
      assert.ok(Math.abs(full[i]) <= 32767);
      if (Math.abs(sign[i]) > 3000) assert.equal(Math.sign(full[i]), Math.sign(sign[i]), "wrapped");
    }
    if (frame > 0) assert.ok(Math.max(...full.map(Math.abs)) <= 0.9 * 32767, "limited");
  }
});

Deno.test("after a loud burst the limiter gives quiet voices back their level", () => {
  const mixer = plainMixer();
  mixer.setHeard("a", true);
  for (let i = 0; i < 10; i++) {
    mixer.push("a", constant(i % 2 ? 3 : -3));
    mixer.mix();
  }
  let last = 0;
  for (let i = 0; i < 100; i++) {
    mixer.push("a", constant(0.1));
    last = mixer.mix().full[0];
  }
  assert.ok(Math.abs(last - 0.1 * 32767) < 0.02 * 32767, `level ${last}`);
});

Deno.test("a missing frame plays as silence and the voice carries on", () => {
  const mixer = new Mixer({ jitter: { prebufferFrames: 2 } });
  mixer.setHeard("a", true);
  mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x === 0), "waits for two frames");
  mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x > 0));
  assert.ok(mixer.mix().full.every((x) => x > 0));
  assert.ok(mixer.mix().full.every((x) => x === 0), "dry: silence");
  assert.equal(mixer.jitter("a")!.underruns, 1);
  mixer.push("a", constant(0.1));
  mixer.push("a", constant(0.1));
  assert.ok(mixer.mix().full.every((x) => x > 0), "back");
});

Deno.test("the mixer is ready once every voice playing has its frame, and never waits for one filling", () => {
  const mixer = plainMixer();
  assert.equal(mixer.ready(), false, "nobody to mix");
  mixer.setHeard("a", true);
  mixer.setHeard("b", true);
  mixer.push("a", constant(0.1));
  assert.equal(mixer.ready(), true, "b has not started: a goes alone");
  mixer.mix();
  mixer.push("b", constant(0.1));
  mixer.mix();
  // Both are playing now: a frame from one of them is not enough.
  mixer.push("a", constant(0.1));
  assert.equal(mixer.ready(), false, "waits for b");
  mixer.push("b", constant(0.1));
  assert.equal(mixer.ready(), true);
  mixer.mix();
  assert.equal(mixer.ready(), false, "each frame is mixed once");
  // b falls silent: one mix without it, then a no longer waits for it.
  mixer.push("a", constant(0.1));
  mixer.mix();
  mixer.push("a", constant(0.1));
  assert.equal(mixer.ready(), true);
});

Deno.test("a burst of frames does not grow latency for good", () => {
  const mixer = new Mixer({ jitter: { prebufferFrames: 2, maxFrames: 8, trimWindowFrames: 20 } });
  mixer.setHeard("a", true);
  // Each frame carries its own number as its level, so the output says how old it is.
  const label = (n: number) => constant(n / 10_000);
  const played = () => Math.round(mixer.mix().full[0] / 32767 * 10_000);
  let sent = 0;
  while (sent < 40) mixer.push("a", label(sent++));
  assert.ok(sent - 1 - played() < 8, "only the newest frames were kept");
  let lag = Infinity;
  for (let tick = 0; tick < 200; tick++) {
    mixer.push("a", label(sent++));
    lag = sent - 1 - played();
  }
  assert.ok(lag <= 2, `still ${lag} frames behind`);
  assert.ok(mixer.jitter("a")!.trimmed >= 4);
});

Deno.test("speaking shows after a few loud frames, holds through short gaps, fades after a quiet spell", () => {
  const mixer = plainMixer();
  mixer.setHeard("a", true);
  const tone = new Tone(300, 0.1);
  const changes: number[] = [];
  for (let frame = 0; frame < 200; frame++) {
    const loud = frame < 100 && frame % 10 !== 9; // a 10 ms gap every 100 ms
    mixer.push("a", loud ? tone.nextFloat() : new Float32Array(frameSamples));
    if (mixer.mix().speakingChanged) changes.push(frame);
  }
  assert.equal(changes.length, 2, `changes at ${changes}`);
  assert.ok(changes[0] <= 5, "on within 60 ms");
  assert.ok(changes[1] > 100 && changes[1] <= 150, "off within half a second of silence");
});

Deno.test("a voice taken out of the heard set stops speaking at once", () => {
  const mixer = plainMixer();
  mixer.setHeard("a", true);
  const tone = new Tone(300, 0.1);
  for (let frame = 0; frame < 10; frame++) {
    mixer.push("a", tone.nextFloat());
    mixer.mix();
  }
  assert.deepEqual([...mixer.speaking], ["a"]);
  mixer.setHeard("a", false);
  assert.equal(mixer.mix().speakingChanged, true);
  assert.deepEqual([...mixer.speaking], []);
  assert.equal(mixer.mix().speakingChanged, false);
});
