/**
 * The benchmarks' processes (bench/processes.ts): a benchmark killed by SIGKILL, which runs no
 * handler of its own, leaves none of the servers it started behind.
 */
import assert from "node:assert/strict";
import { processRuns } from "../support/processes.ts";

Deno.test("a server a benchmark started stops when the benchmark is killed with SIGKILL", async () => {
  const script = new URL("./support/bench_parent.ts", import.meta.url).pathname;
  const parent = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = parent.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) break;
    text += value;
  }
  const { pid } = JSON.parse(text) as { pid: number };
  assert.ok(processRuns(pid), "the server did not start");

  parent.kill("SIGKILL");
  await parent.status;
  await reader.cancel();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && processRuns(pid)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const orphaned = processRuns(pid);
  if (orphaned) Deno.kill(pid, "SIGKILL");
  assert.equal(orphaned, false, "the server outlived the benchmark");
});
