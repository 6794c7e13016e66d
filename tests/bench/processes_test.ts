/**
 * The benchmarks' processes (bench/processes.ts): a benchmark killed by SIGKILL, which runs no
 * handler of its own, leaves none of the servers it started behind.
 */
import assert from "node:assert/strict";

/** Whether `pid` still runs: a zombie (ended, not yet reaped by whoever adopted it) does not. */
async function running(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

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
  assert.ok(await running(pid), "the server did not start");

  parent.kill("SIGKILL");
  await parent.status;
  await reader.cancel();
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && await running(pid)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const orphaned = await running(pid);
  if (orphaned) Deno.kill(pid, "SIGKILL");
  assert.equal(orphaned, false, "the server outlived the benchmark");
});
