import assert from "node:assert/strict";
import { PagePlayout } from "../../bench/page_playout.ts";

/** 40 ms of sound at 48 kHz. */
const chunk = () => new Float32Array(1920);

Deno.test("a page plays the stream once it holds the start level, then without pause", () => {
  const playout = new PagePlayout(80);
  assert.deepEqual(playout.push(chunk(), 0), []);
  const started = playout.push(chunk(), 40);
  assert.deepEqual(started.map((p) => p.playsAt), [40, 80]);
  // Arriving on time, a batch plays when the sound before it has: 40 ms after it came.
  assert.deepEqual(playout.push(chunk(), 80).map((p) => p.playsAt), [120]);
  assert.deepEqual(playout.push(chunk(), 125).map((p) => p.playsAt), [160]);
});

Deno.test("a page that ran dry waits for the start level again", () => {
  const playout = new PagePlayout(80);
  playout.push(chunk(), 0);
  playout.push(chunk(), 40); // plays from 40 to 120
  assert.deepEqual(playout.push(chunk(), 130), [], "dry at 120: waits");
  assert.deepEqual(playout.push(chunk(), 150).map((p) => p.playsAt), [150, 190]);
});
