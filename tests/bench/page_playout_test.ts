import assert from "node:assert/strict";
import { PagePlayout } from "../../bench/page_playout.ts";

const format = { startMs: 80, floorMs: 40 };

/** 40 ms of sound at 48 kHz. */
const chunk = () => new Float32Array(1920);

Deno.test("a page plays the stream once it holds the start level, then without pause", () => {
  const playout = new PagePlayout(format);
  assert.deepEqual(playout.push(chunk(), 0), []);
  const started = playout.push(chunk(), 40);
  assert.deepEqual(started.map((p) => p.playsAt), [40, 80]);
  // Arriving on time, a batch plays when the sound before it has: 40 ms after it came.
  assert.deepEqual(playout.push(chunk(), 80).map((p) => p.playsAt), [120]);
  assert.deepEqual(playout.push(chunk(), 125).map((p) => p.playsAt), [160]);
});

Deno.test("a page that ran dry waits for the start level again", () => {
  const playout = new PagePlayout(format);
  playout.push(chunk(), 0);
  playout.push(chunk(), 40); // plays from 40 to 120
  assert.deepEqual(playout.push(chunk(), 130), [], "dry at 120: waits");
  assert.deepEqual(playout.push(chunk(), 150).map((p) => p.playsAt), [150, 190]);
});

Deno.test("a page that held too much for a whole second after a stall drops the excess", () => {
  const playout = new PagePlayout(format);
  playout.push(chunk(), 0);
  playout.push(chunk(), 40); // plays from 40 to 120, then runs dry
  // A stall: three batches come together, and the page starts with 120 ms instead of 80.
  playout.push(chunk(), 200);
  playout.push(chunk(), 200);
  const [{ playsAt: third }] = playout.push(chunk(), 200);
  assert.equal(third, 280);
  let arrived = 200;
  let playsAt = 0;
  let before = 0;
  for (let i = 0; i < 30; i++) {
    arrived += 40;
    [{ playsAt }] = playout.push(chunk(), arrived);
    if (i === 0) before = playsAt - arrived;
  }
  assert.equal(before, 80, "on time again, a batch first waits the stall's 80 ms");
  assert.equal(playsAt - arrived, 40, "a second later, only the floor's 40 ms");
});
