/**
 * A one-line progress bar on stderr for long commands (`deno task seed`): what is being done,
 * the bar, percent, rate and time left, redrawn at most ten times a second. When stderr is not
 * a terminal (a log file, CI) it writes one plain line per phase instead.
 *
 * @example
 * const bar = new ProgressBar();
 * bar.show("listens", 500_000, 2_000_000, "rows"); // listens  [#####...]  25%  180,000 rows/s  ETA 0:08
 * bar.done();
 */
const redrawEveryMs = 100;
const barWidth = 24;
const minRateSeconds = 0.3;

export class ProgressBar {
  #terminal: boolean;
  #label = "";
  #total = 0;
  #since = 0;
  #doneSince = 0;
  #drawnAt = 0;

  constructor(options: { terminal?: boolean } = {}) {
    this.#terminal = options.terminal ?? Deno.stderr.isTerminal();
  }

  /**
   * `done` of `total` so far. Rate and time left count from when `total` last changed, so one
   * total across several labels (tables) measures the whole stage.
   */
  show(label: string, done: number, total: number, unit = ""): void {
    const now = performance.now();
    if (total !== this.#total || done < this.#doneSince) {
      this.#total = total;
      this.#since = now;
      this.#doneSince = done;
    }
    const newLabel = label !== this.#label;
    this.#label = label;
    if (!this.#terminal) {
      if (newLabel) this.#write(`  ${label}\n`);
      return;
    }
    if (!newLabel && done < total && now - this.#drawnAt < redrawEveryMs) return;
    this.#drawnAt = now;
    const share = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(share * barWidth);
    const elapsed = (now - this.#since) / 1000;
    const perSecond = (done - this.#doneSince) / elapsed;
    // Too early for a rate to mean anything: leave it out.
    const speed = elapsed < minRateSeconds || perSecond <= 0
      ? ""
      : `  ${Math.round(perSecond).toLocaleString("en-US")} ${unit ? `${unit}/s` : "/s"}  ETA ${
        clock((total - done) / perSecond)
      }`;
    this.#write(
      `\r\x1b[K  ${label.padEnd(15)} [${"#".repeat(filled)}${".".repeat(barWidth - filled)}] ` +
        `${String(Math.floor(share * 100)).padStart(3)}%${speed}`,
    );
  }

  /** Ends the current bar: the next `show` starts a new line. */
  done(): void {
    if (this.#terminal && this.#label !== "") this.#write("\n");
    this.#label = "";
    this.#total = 0;
  }

  #write(text: string): void {
    const bytes = new TextEncoder().encode(text);
    for (let sent = 0; sent < bytes.length;) sent += Deno.stderr.writeSync(bytes.subarray(sent));
  }
}

function clock(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
