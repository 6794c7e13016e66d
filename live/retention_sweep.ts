/**
 * The retention sweep's clock, in every process: it looks every hour whether today's sweep is
 * due, and db/retention.ts `sweepRetention` makes sure only one process a day runs it. A run
 * prints one line of what it removed; a failed one is logged and the next look tries again.
 *
 * @example
 * const sweep = new RetentionSweep({ sql, config: config.retention, signInForgetAfterMs });
 * sweep.start();
 */
import type { RetentionConfig } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { type Removed, sweepRetention, type SweepRun } from "../db/retention.ts";

export class RetentionSweep {
  #sql: Sql;
  #config: RetentionConfig;
  #signInForgetAfterMs: number;
  #first: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: { sql: Sql; config: RetentionConfig; signInForgetAfterMs: number }) {
    this.#sql = deps.sql;
    this.#config = deps.config;
    this.#signInForgetAfterMs = deps.signInForgetAfterMs;
  }

  start(): void {
    const look = () => {
      this.#running = this.sweep();
    };
    this.#first = setTimeout(look, this.#config.firstCheckAfterMs);
    this.#timer = setInterval(look, this.#config.checkEveryMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * Today's sweep, if it is due and no other process is at it; undefined when it failed.
   *
   * @example
   * await sweep.sweep(); // { ran: false, why: "done" } when one ran within a day
   */
  async sweep(): Promise<SweepRun | undefined> {
    try {
      const run = await sweepRetention(this.#sql, {
        batchSize: this.#config.batchSize,
        signInForgetAfterMs: this.#signInForgetAfterMs,
      });
      if (run.ran) console.log(sweepLine(run.removed));
      return run;
    } catch (error) {
      console.error("Retention sweep failed:", error);
      return undefined;
    }
  }
}

/**
 * The line an operator reads in the terminal after a run.
 *
 * @example
 * sweepLine(removed); // "Retention sweep removed: 12 listens, 3 ended rooms' details, ..."
 */
export function sweepLine(removed: Removed): string {
  return `Retention sweep removed: ${removed.listens} listens, ` +
    `${removed.roomsForgotten} ended rooms' details, ${removed.roomsDeleted} ended rooms, ` +
    `${removed.handleReservations} handle reservations, ${removed.sessions} expired sessions, ` +
    `${removed.rateLimitWindows} rate-limit windows, ${removed.signInFailures} sign-in failure counts`;
}
