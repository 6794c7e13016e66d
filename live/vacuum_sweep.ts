/**
 * The embedded database's vacuum clock (db/vacuum.ts): main.ts starts it on PGlite only, where no
 * autovacuum runs. A run prints one line; a failed one is logged and the next tries again.
 *
 * @example
 * const sweep = new VacuumSweep({ sql, config: config.embeddedVacuum });
 * sweep.start();
 * await sweep.stop(); // waits for a run under way
 */
import type { EmbeddedVacuumConfig } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { vacuumTables } from "../db/vacuum.ts";

export class VacuumSweep {
  #sql: Sql;
  #config: EmbeddedVacuumConfig;
  #first: ReturnType<typeof setTimeout> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<unknown> = Promise.resolve();

  constructor(deps: { sql: Sql; config: EmbeddedVacuumConfig }) {
    this.#sql = deps.sql;
    this.#config = deps.config;
  }

  start(): void {
    const run = () => {
      this.#running = this.#running.then(() => this.sweep());
    };
    this.#first = setTimeout(run, this.#config.firstAfterMs);
    this.#timer = setInterval(run, this.#config.everyMs);
  }

  async stop(): Promise<void> {
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One run over every table; the tables' names, or undefined when it failed. */
  async sweep(): Promise<string[] | undefined> {
    const startedAt = performance.now();
    try {
      const tables = await vacuumTables(this.#sql);
      const seconds = (performance.now() - startedAt) / 1000;
      console.log(
        `Vacuumed ${tables.length} tables of the embedded database in ${seconds.toFixed(1)} s`,
      );
      return tables;
    } catch (error) {
      console.error("Vacuuming the embedded database failed:", error);
      return undefined;
    }
  }
}
