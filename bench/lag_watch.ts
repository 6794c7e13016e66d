/**
 * How late a benchmark's client process runs: a timer due every 5 ms notes the longest it waited
 * beyond that. While the process is busy, the arrivals and clicks it notes are noted late, so a
 * listener's latency includes the process's own backlog, not only Palabre's.
 *
 * @example
 * const lag = new LagWatch();
 * const worstMs = lag.take(); // since the last take
 * lag.stop();
 */
export class LagWatch {
  #everyMs = 5;
  #last = performance.now();
  #worstMs = 0;
  #timer = setInterval(() => {
    const now = performance.now();
    this.#worstMs = Math.max(this.#worstMs, now - this.#last - this.#everyMs);
    this.#last = now;
  }, this.#everyMs);

  /** The longest lateness since the last call, ms. */
  take(): number {
    const worst = this.#worstMs;
    this.#worstMs = 0;
    return worst;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
