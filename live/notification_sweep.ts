/**
 * The notification sweep every process runs: reminders of events about to start (each sent
 * once across processes: db/notifications.ts `sendReminders` says how) and notifications past
 * keeping deleted. A failed sweep is logged and the next one tries again.
 *
 * @example
 * const sweep = new NotificationSweep({ sql, config: config.notifications });
 * sweep.start();
 */
import type { NotificationConfig } from "../config.ts";
import type { Sql } from "../db/client.ts";
import { forgetOldNotifications, sendReminders } from "../db/notifications.ts";

export class NotificationSweep {
  #sql: Sql;
  #config: NotificationConfig;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(deps: { sql: Sql; config: NotificationConfig }) {
    this.#sql = deps.sql;
    this.#config = deps.config;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#running = this.sweep();
    }, this.#config.sweepEveryMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * One sweep now.
   *
   * @example
   * await sweep.sweep();
   */
  async sweep(): Promise<void> {
    try {
      await sendReminders(this.#sql, { leadMs: this.#config.reminderLeadMs });
      await forgetOldNotifications(this.#sql, { keepMs: this.#config.keepMs });
    } catch (error) {
      console.error("Notification sweep failed:", error);
    }
  }
}
