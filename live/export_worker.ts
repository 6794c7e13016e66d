/**
 * Builds members' exports of their data off the request path, in every process: a request
 * wakes each process's worker (a change event), and a slow poll finds what a missed event or a
 * stopped process left. Each export is built once, by the worker whose claim took it
 * (db/data_exports.ts `claimExport`). Large builds log their progress; expired exports are
 * deleted on each poll.
 *
 * @example
 * const worker = new ExportWorker({ sql, events: db.events, config: config.dataExports });
 * worker.start();
 * await worker.stop();
 */
import type { DataExportConfig } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { buildExport, claimExport, forgetExpiredExports } from "../db/data_exports.ts";
import type { EventHub } from "../db/events.ts";

export class ExportWorker {
  #sql: Sql;
  #events: EventHub | undefined;
  #config: DataExportConfig;
  #log: (line: string) => void;
  #timer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => void) | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  /** Aborted by `stop`: a build under way hands its export back rather than hold the process. */
  #stopping = new AbortController();

  constructor(
    deps: {
      sql: Sql;
      events?: EventHub;
      config: DataExportConfig;
      log?: (line: string) => void;
    },
  ) {
    this.#sql = deps.sql;
    this.#events = deps.events;
    this.#config = deps.config;
    this.#log = deps.log ?? (() => {});
  }

  start(): void {
    this.#unsubscribe = this.#events?.subscribe((event) => {
      if (event.dataExports) this.#wake();
    });
    // What waited through a restart is found by the first poll.
    this.#timer = setInterval(() => this.#wake(), this.#config.pollEveryMs);
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#unsubscribe?.();
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * Builds every export waiting now, one after another, and deletes expired ones; resolves
   * with how many it claimed when none is left to claim. A failed export is logged and marked
   * failed.
   *
   * @example
   * await worker.work(); // 1
   */
  async work(): Promise<number> {
    await forgetExpiredExports(this.#sql);
    let claimed = 0;
    while (!this.#stopping.signal.aborted) {
      const claim = await claimExport(this.#sql, { staleMs: this.#config.staleMs });
      if (!claim) break;
      claimed++;
      let logged = 0;
      const built = await buildExport(this.#sql, claim, {
        batchRows: this.#config.batchRows,
        keepMs: this.#config.keepMs,
        signal: this.#stopping.signal,
        onBatch: ({ partsDone, partsTotal, rowsDone }) => {
          if (rowsDone - logged < this.#config.logEveryRows) return;
          logged = rowsDone;
          this.#log(
            `Data export ${claim.id}: ${rowsDone} rows so far, ${partsDone} of ${partsTotal} parts`,
          );
        },
      }).catch((error) => {
        console.error(`Data export ${claim.id} failed:`, error);
        return false;
      });
      if (built && logged > 0) this.#log(`Data export ${claim.id} is ready`);
    }
    return claimed;
  }

  /** Runs `work` now, or once more right after the run under way (never two at once). */
  #wake(): void {
    if (this.#stopping.signal.aborted) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.work()
      .then(() => {})
      .catch((error) => console.error("Data export worker failed:", error))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.#wake();
        }
      });
  }
}
