/**
 * The embedded database's vacuum clock (db/vacuum.ts): main.ts starts it on PGlite only, where no
 * autovacuum runs. A run is due `everyMs` after the last one. PGlite answers on the same thread
 * that sends the rooms' streams, and each vacuum statement holds that thread: a due run therefore
 * waits while any room is live, for `mostWaitMs` at most. A run prints one line; a failed one is
 * logged and the next look tries again.
 *
 * @example
 * const sweep = new VacuumSweep({ sql, config: config.embeddedVacuum });
 * sweep.start();
 * await sweep.stop(); // waits for a run under way
 */
import type { EmbeddedVacuumConfig } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { anyRoomLive } from "../db/rooms.ts";
import { vacuumTables } from "../db/vacuum.ts";

export class VacuumSweep {
  #sql: Sql;
  #config: EmbeddedVacuumConfig;
  #log: (line: string) => void;
  #first: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> = Promise.resolve();
  /** When the last run ended (performance.now()); before any, `everyMs` before construction. */
  #lastRunAt: number;
  /** Whether the run that is due has already said it waits (it says so once). */
  #saidWaiting = false;

  constructor(deps: { sql: Sql; config: EmbeddedVacuumConfig; log?: (line: string) => void }) {
    this.#sql = deps.sql;
    this.#config = deps.config;
    this.#log = deps.log ?? console.log;
    // The first look finds a run due.
    this.#lastRunAt = performance.now() - this.#config.everyMs;
  }

  start(): void {
    const look = () => {
      this.#running = this.#running.then(() => this.look());
    };
    this.#first = setTimeout(() => {
      look();
      this.#timer = setInterval(look, this.#config.checkEveryMs);
    }, this.#config.firstAfterMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    await this.#running;
  }

  /** Runs the sweep if it is due and may run now; says what it did. */
  async look(): Promise<"not due" | "waits" | "ran" | "failed"> {
    const sinceLast = performance.now() - this.#lastRunAt;
    if (sinceLast < this.#config.everyMs) return "not due";
    const overdue = sinceLast - this.#config.everyMs >= this.#config.mostWaitMs;
    try {
      if (!overdue && await anyRoomLive(this.#sql)) {
        if (!this.#saidWaiting) this.#log("Vacuuming the embedded database waits: a room is live");
        this.#saidWaiting = true;
        return "waits";
      }
    } catch (error) {
      console.error("Vacuuming the embedded database failed:", error);
      return "failed";
    }
    if (!await this.sweep()) return "failed";
    this.#lastRunAt = performance.now();
    this.#saidWaiting = false;
    return "ran";
  }

  /** One run over every table; the tables' names, or undefined when it failed. */
  async sweep(): Promise<string[] | undefined> {
    const startedAt = performance.now();
    try {
      const tables = await vacuumTables(this.#sql);
      const seconds = (performance.now() - startedAt) / 1000;
      this.#log(
        `Vacuumed ${tables.length} tables of the embedded database in ${seconds.toFixed(1)} s`,
      );
      return tables;
    } catch (error) {
      console.error("Vacuuming the embedded database failed:", error);
      return undefined;
    }
  }
}
