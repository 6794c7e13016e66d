/**
 * A benchmark cut short, for tests/bench/processes_test.ts: starts a server as the benchmarks do
 * (bench/processes.ts `startServer`), prints its process id as one JSON line, then waits to be
 * killed.
 *
 * @example
 * deno run -A tests/bench/support/bench_parent.ts
 */
import { startServer } from "../../../bench/processes.ts";

const server = await startServer({
  name: "hello",
  args: ["run", "--allow-net", "--allow-env", "bench/hello_server.ts"],
  cwd: new URL("../../../", import.meta.url).pathname,
});
console.log(JSON.stringify({ pid: server.pid }));
// Until killed.
setInterval(() => {}, 60_000);
