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

function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* a stalled process */ }
}
