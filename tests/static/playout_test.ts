import assert from "node:assert/strict";
import { PlayoutRules } from "../../static/playout.js";

// The worklet's units: samples at 48 kHz; 80 ms to start, 40 ms floor, 200 ms at most.
const inSamples = () => new PlayoutRules({ start: 3840, floor: 1920, max: 9600, perMs: 48 });

Deno.test("a buffer starts playing once it holds the start level", () => {
  const rules = inSamples();
  assert.equal(rules.canStart(3839), false);
  assert.equal(rules.canStart(3840), true);
});

Deno.test("a buffer may never hold more than the most", () => {
  const rules = inSamples();
  assert.equal(rules.overflows(9600), false);
  assert.equal(rules.overflows(9601), true);
});

Deno.test("a buffer that held too much all through a second drops down to the floor", () => {
  const rules = inSamples();
  rules.restart(0);
  let dropped = 0;
  for (let played = 128; played <= 48_000; played += 128) {
    dropped += rules.excess(played === 24_064 ? 4_000 : 6_000, played);
  }
  assert.equal(dropped, 4_000 - 1920, "the lowest level of the second, less the floor");
});

Deno.test("a buffer near the floor keeps what it holds: a late batch is normal", () => {
  const rules = inSamples();
  rules.restart(0);
  let dropped = 0;
  for (let played = 128; played <= 96_000; played += 128) {
    dropped += rules.excess(1920 + 960, played);
  }
  assert.equal(dropped, 0);
});

Deno.test("a new window starts after each second, so a drop needs a whole second again", () => {
  const rules = inSamples();
  rules.restart(0);
  assert.equal(rules.excess(6_000, 47_999), 0);
  assert.equal(rules.excess(6_000, 48_000), 6_000 - 1920);
  assert.equal(rules.excess(6_000, 95_999), 0);
  assert.equal(rules.excess(6_000, 96_000), 6_000 - 1920);
});
