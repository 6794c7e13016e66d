/**
 * What a benchmark hands back to `bench/run.ts`, and the markdown helpers that build it.
 *
 * @example
 * export async function run(): Promise<BenchSection> {
 *   return { title: "Audio mixing", summary: "...", body: markdownTable(header, rows), problems: [] };
 * }
 */

/** One section of BENCHMARKS.md. */
export interface BenchSection {
  /** The section's heading. */
  title: string;
  /** One line for the summary at the top of BENCHMARKS.md and the end of the terminal output. */
  summary: string;
  /** Markdown under the heading: figures, settings, notes. */
  body: string;
  /** What makes this run's figures untrustworthy (e.g. errors under load); empty when valid. */
  problems: string[];
}

/** A benchmark module: `bench/run.ts` calls `run()` and writes what it returns. */
export interface Benchmark {
  run(): Promise<BenchSection>;
}

/**
 * Runs one benchmark; one that fails gives a section that says so, with the error as its
 * problem, so that the run goes on to the next and still reports what the others measured.
 *
 * @example
 * sections.push(await runBenchmark("audio", audio));
 */
export async function runBenchmark(name: string, benchmark: Benchmark): Promise<BenchSection> {
  try {
    return await benchmark.run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`[${name}] failed: ${message}`);
    return {
      title: `${name} (failed)`,
      summary: `failed: ${message}`,
      body: `This benchmark failed before it had its figures: ${message}`,
      problems: [`failed: ${message}`],
    };
  }
}

export type Alignment = "left" | "right";

/** A markdown table padded the way `deno fmt` pads it, so the file passes `fmt --check`. */
export function markdownTable(
  header: string[],
  rows: string[][],
  align: Alignment[] = [],
): string {
  const widths = header.map((h, i) =>
    Math.max(3, h.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: string[]) =>
    "| " + widths.map((w, i) => {
      const cell = cells[i] ?? "";
      return align[i] === "right" ? cell.padStart(w) : cell.padEnd(w);
    }).join(" | ") + " |";
  const rule = "| " +
    widths.map((w, i) => align[i] === "right" ? "-".repeat(w - 1) + ":" : "-".repeat(w))
      .join(" | ") +
    " |";
  return [line(header), rule, ...rows.map(line)].join("\n");
}

/** Prints a line of progress in the terminal. */
export function progress(benchmark: string, message: string): void {
  console.log(`[${benchmark}] ${message}`);
}

/** A whole number with thousands separators: 41234.5 -> "41,235". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Milliseconds with precision that suits their size: 0.4321 -> "0.43", 12.34 -> "12.3". */
export function ms(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  return n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0);
}

/** A ratio as a percentage: 0.3456 -> "34.6%". */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
