import assert from "node:assert/strict";
import { OneAtATime } from "../../media/one_at_a_time.ts";

function later(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("work runs one piece at a time, in the order given", async () => {
  const queue = new OneAtATime();
  const log: string[] = [];
  let running = 0;
  let most = 0;
  const piece = (name: string, ms: number) =>
    queue.run(async () => {
      running++;
      most = Math.max(most, running);
      log.push(`${name} starts`);
      await later(ms);
      log.push(`${name} ends`);
      running--;
      return name;
    });
  const results = await Promise.all([piece("a", 20), piece("b", 1), piece("c", 5)]);
  assert.deepEqual(results, ["a", "b", "c"]);
  assert.deepEqual(most, 1);
  assert.deepEqual(log, ["a starts", "a ends", "b starts", "b ends", "c starts", "c ends"]);
});

Deno.test("a failure goes to its caller and the queue goes on", async () => {
  const queue = new OneAtATime();
  const failing = queue.run(() => Promise.reject(new Error("refused")));
  const next = queue.run(() => Promise.resolve("after"));
  await assert.rejects(failing, /refused/);
  assert.deepEqual(await next, "after");
});
