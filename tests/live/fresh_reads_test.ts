import assert from "node:assert/strict";
import { FreshReads } from "../../live/fresh_reads.ts";

/** A loader whose reads finish when the test says, counting how many were started. */
function controlledLoader() {
  const started: { key: string; finish: (value: string) => void; fail: (e: Error) => void }[] = [];
  const load = (key: string) =>
    new Promise<string>((resolve, reject) => {
      started.push({ key, finish: resolve, fail: reject });
    });
  return { started, load };
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

Deno.test("callers at the same moment share one read", async () => {
  const { started, load } = controlledLoader();
  const reads = new FreshReads(load);
  const first = reads.read("room");
  const second = reads.read("room");
  await settle();
  assert.equal(started.length, 1);
  started[0].finish("v1");
  assert.deepEqual(await Promise.all([first, second]), ["v1", "v1"]);
});

Deno.test("a caller during a read gets the next read, shared with others who came meanwhile", async () => {
  const { started, load } = controlledLoader();
  const reads = new FreshReads(load);
  const early = reads.read("room");
  await settle();
  const late1 = reads.read("room");
  const late2 = reads.read("room");
  await settle();
  assert.equal(started.length, 1, "the next read waits for the running one");
  started[0].finish("before");
  assert.equal(await early, "before");
  await settle();
  assert.equal(started.length, 2);
  started[1].finish("after");
  assert.deepEqual(await Promise.all([late1, late2]), ["after", "after"]);
});

Deno.test("a failed read fails its callers only, and keys do not wait for each other", async () => {
  const { started, load } = controlledLoader();
  const reads = new FreshReads(load);
  const a = reads.read("a");
  const b = reads.read("b");
  await settle();
  assert.equal(started.length, 2);
  started[0].fail(new Error("database gone"));
  started[1].finish("b1");
  await assert.rejects(a, /database gone/);
  assert.equal(await b, "b1");
  const again = reads.read("a");
  await settle();
  started[2].finish("a2");
  assert.equal(await again, "a2");
});
