import assert from "node:assert/strict";
import { FrameClock } from "../../media/clock.ts";

Deno.test("the frame clock keeps to 100 frames a second without drifting", async () => {
  const started = performance.now();
  const clock = new FrameClock(() => {});
  clock.start();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  clock.stop();
  const expected = (performance.now() - started) / 10;
  assert.ok(Math.abs(clock.frames + clock.skipped - expected) <= 3, `${clock.frames} frames`);
});

Deno.test("after a long stall the frame clock skips ahead instead of bursting", async () => {
  const started = performance.now();
  let ran = 0;
  const clock = new FrameClock(() => {
    if (++ran === 20) busyWait(200);
  });
  clock.start();
  await new Promise((resolve) => setTimeout(resolve, 600));
  clock.stop();
  const expected = (performance.now() - started) / 10;
  assert.ok(clock.skipped >= 15, `skipped ${clock.skipped}`);
  assert.ok(Math.abs(clock.frames + clock.skipped - expected) <= 3);
});

Deno.test("a leader's frames run at once, and the timer takes over on its cadence when they stop", async () => {
  const clock = new FrameClock(() => {});
  clock.start();
  for (let i = 0; i < 50; i++) clock.runNow();
  assert.equal(clock.frames, 50, "each runNow is a frame");
  const led = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 500));
  clock.stop();
  // The timer waits a frame and the slack (15 ms) after the last runNow, then one per 10 ms.
  const expected = 50 + (performance.now() - led - 15) / 10 + 1;
  assert.ok(Math.abs(clock.frames + clock.skipped - expected) <= 3, `${clock.frames} frames`);
});

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* a stalled process */ }
}
