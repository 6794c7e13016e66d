/**
 * `deno task bench`: runs every benchmark in `bench/`, one after another, and rewrites
 * BENCHMARKS.md with their figures and the machine they were measured on. Given names, it runs
 * only those and prints their sections without touching BENCHMARKS.md.
 *
 * A new benchmark is a module exporting `run(): Promise<BenchSection>`, added to `benchmarks`.
 *
 * @example
 * deno task bench        # everything, rewrites BENCHMARKS.md
 * deno task bench http   # only bench/http.ts, printed
 */
import * as audio from "./audio.ts";
import * as http from "./http.ts";
import * as live from "./live.ts";
import * as nodes from "./nodes.ts";
import * as notify from "./notify.ts";
import * as recommend from "./recommend.ts";
import * as search from "./search.ts";
import { describeMachine, type Machine, speedCheck, type SpeedCheckMs } from "./machine.ts";
import { type Benchmark, type BenchSection, runBenchmark } from "./report.ts";
import { cleanUpEverything } from "./processes.ts";

const benchmarks: Record<string, Benchmark> = {
  http,
  live,
  audio,
  nodes,
  recommend,
  notify,
  search,
};

const reportPath = new URL("../BENCHMARKS.md", import.meta.url);
const denoVersion = "2.9.6";

async function main(names: string[]): Promise<number> {
  const unknown = names.filter((n) => !(n in benchmarks));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark ${unknown.join(", ")}; known: ${Object.keys(benchmarks)}`);
    return 2;
  }
  const chosen = names.length > 0 ? names : Object.keys(benchmarks);
  const machine = await describeMachine();
  console.log(`Benchmarking on ${machine.cpu}, ${machine.cores} cores, Deno ${Deno.version.deno}`);

  const sections: BenchSection[] = [];
  const speedChecks: SpeedCheck[] = [];
  for (const name of chosen) {
    speedChecks.push({ when: `before ${name}`, ms: speedCheck() });
    const startedAt = performance.now();
    sections.push(await runBenchmark(name, benchmarks[name]));
    console.log(`[${name}] done in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
  }
  speedChecks.push({ when: "at the end", ms: speedCheck() });

  const report = render(machine, speedChecks, sections);
  if (names.length === 0) {
    await Deno.writeTextFile(reportPath, report);
    await formatReport();
    console.log(`\nWrote ${reportPath.pathname}`);
  } else {
    console.log("\n" + report);
  }
  console.log("\nSummary:");
  for (const s of sections) console.log(`- ${s.title}: ${s.summary}`);
  const problems = sections.flatMap((s) => s.problems.map((p) => `${s.title}: ${p}`));
  if (problems.length > 0) {
    console.error("\n!!! THESE FIGURES ARE NOT VALID !!!");
    for (const p of problems) console.error(`!!! ${p}`);
    return 1;
  }
  return 0;
}

/** The machine's speed at one moment of the run (machine.ts `speedCheck`). */
interface SpeedCheck {
  when: string;
  ms: SpeedCheckMs;
}

function render(machine: Machine, speedChecks: SpeedCheck[], sections: BenchSection[]): string {
  const problems = sections.flatMap((s) => s.problems.map((p) => `- ${s.title}: ${p}`));
  return [
    "# Benchmarks",
    "",
    "Written by `deno task bench` (bench/run.ts); edits by hand are lost on the next run. Every",
    "comparison below is a ratio between figures measured in the same run on this machine.",
    "",
    ...(problems.length > 0 ? ["**The figures below are not valid:**", "", ...problems, ""] : []),
    `Measured on ${machine.date}:`,
    "",
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- Memory: ${machine.memoryGiB.toFixed(1)} GiB`,
    `- OS: ${machine.os}`,
    `- Deno: ${machine.deno}`,
    `- Commit: ${machine.commit}`,
    "- Speed checks (the same fixed work each time, ms, best of 3; lower is faster; compare " +
    "them between runs): " +
    speedChecks.map(({ when, ms }) =>
      `${when} ${ms.compute.toFixed(0)} compute / ${ms.memory.toFixed(0)} memory`
    ).join(", "),
    "",
    "## Summary",
    "",
    ...sections.map((s) => `- ${s.title}: ${s.summary}`),
    "",
    ...sections.flatMap((s) => [`## ${s.title}`, "", s.body, ""]),
    "## Reproduce",
    "",
    "On a machine with nothing else busy, from the repository root:",
    "",
    "```sh",
    `npx --yes deno@${denoVersion} task bench`,
    "```",
    "",
    "It starts its own servers on 127.0.0.1 with a fresh embedded database and removes them",
    "afterwards; set `BENCH_DATABASE_URL` to an empty PostgreSQL database to measure on that",
    "instead. The three-node section needs PostgreSQL and nats-server: `BENCH_POSTGRES_URL` (or",
    "`TEST_DATABASE_URL`) names a server where it creates, then drops, a database of its own.",
    "",
  ].join("\n");
}

/** `deno fmt` has the last word on line wrapping, so the file always passes `fmt --check`. */
async function formatReport(): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--quiet", reportPath.pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) console.error("deno fmt could not format BENCHMARKS.md");
}

if (import.meta.main) {
  // Ctrl-C must not leave servers behind: `await using` does not run when the process is killed.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      console.error(`\n${signal}: stopping servers, removing temporary files`);
      await cleanUpEverything();
      Deno.exit(130);
    });
  }
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    await cleanUpEverything();
    console.error("Benchmark failed:", error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
