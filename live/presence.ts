/**
 * Presence kept by one process: every `presenceRefreshMs` it marks the members whose room page
 * has a socket here as seen, and sweeps out of their rooms anyone no process has seen for
 * `presenceTimeoutMs` (db/presence.ts holds the rule; this is its clock).
 *
 * @example
 * const presence = new Presence({ sql, config, seats: () => pages.seats() });
 * presence.start();
 */
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { type Seat, sweepAbsent, touchPresence } from "../db/presence.ts";

export class Presence {
  #sql: Sql;
  #config: Pick<Config, "presenceRefreshMs" | "presenceTimeoutMs">;
  #seats: () => Seat[];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(deps: {
    sql: Sql;
    config: Pick<Config, "presenceRefreshMs" | "presenceTimeoutMs">;
    /** The seats of the pages connected here now. */
    seats: () => Seat[];
  }) {
    this.#sql = deps.sql;
    this.#config = deps.config;
    this.#seats = deps.seats;
  }

  start(): void {
    this.#timer = setInterval(() => this.refresh(), this.#config.presenceRefreshMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * Marks this process's seats as seen and sweeps out the absent; a failure is logged, and the
   * next refresh tries again.
   *
   * @example
   * await presence.refresh();
   */
  async refresh(): Promise<void> {
    try {
      await touchPresence(this.#sql, this.#seats());
      await sweepAbsent(this.#sql, { timeoutMs: this.#config.presenceTimeoutMs });
    } catch (error) {
      console.error("Presence refresh failed:", error);
    }
  }
}
