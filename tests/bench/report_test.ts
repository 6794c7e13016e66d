import assert from "node:assert/strict";
import { runBenchmark } from "../../bench/report.ts";

Deno.test("a benchmark that fails gives a section saying so, and the run goes on", async () => {
  const failing = {
    run(): Promise<never> {
      return Promise.reject(new Error("No answer frame"));
    },
  };
  const section = await runBenchmark("audio", failing);
  assert.equal(section.title, "audio (failed)");
  assert.deepEqual(section.problems, ["failed: No answer frame"]);
  assert.match(section.body, /No answer frame/);
});

Deno.test("a benchmark that succeeds gives its own section", async () => {
  const section = { title: "Hello", summary: "fast", body: "", problems: [] };
  assert.deepEqual(await runBenchmark("hello", { run: () => Promise.resolve(section) }), section);
});
