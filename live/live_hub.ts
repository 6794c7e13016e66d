/**
 * The live part of one process, wired together: the room feed (change notices from any process
 * -> room snapshots), the page hub (the pages with a socket open here, kept true by the feed)
 * and presence (their members marked as seen, the absent swept out). Voice watches the same feed.
 * The bell hub keeps every signed-in page's notification bell live, and the notification sweep
 * sends event reminders. The retention sweep forgets, once a day, what is kept no longer.
 *
 * @example
 * const hub = new LiveHub({ sql, config, events: db.events });
 * hub.start();
 * hub.watchRooms(voice);
 */
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { EventHub } from "../db/events.ts";
import { HallwayRanker } from "../recommend/hallway.ts";
import { BellHub, type BellPage } from "./bell_hub.ts";
import { NotificationSweep } from "./notification_sweep.ts";
import { type LivePage, PageHub } from "./page_hub.ts";
import { RetentionSweep } from "./retention_sweep.ts";
import { Presence } from "./presence.ts";
import { RoomFeed, type RoomWatcher } from "./room_feed.ts";

export class LiveHub {
  #feed: RoomFeed;
  #pages: PageHub;
  #presence: Presence;
  #bells: BellHub;
  #sweep: NotificationSweep;
  #retention: RetentionSweep;
  #events: EventHub | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(deps: { sql: Sql; config: Config; events?: EventHub; ranker?: HallwayRanker }) {
    this.#feed = new RoomFeed({ sql: deps.sql, events: deps.events });
    this.#pages = new PageHub({
      sql: deps.sql,
      feed: this.#feed,
      ranker: deps.ranker ?? new HallwayRanker(deps.sql),
    });
    this.#feed.watch(this.#pages);
    this.#presence = new Presence({
      sql: deps.sql,
      config: deps.config,
      seats: () => this.#pages.seats(),
    });
    this.#bells = new BellHub({ sql: deps.sql, events: deps.events });
    this.#sweep = new NotificationSweep({ sql: deps.sql, config: deps.config.notifications });
    this.#retention = new RetentionSweep({
      sql: deps.sql,
      config: deps.config.retention,
      signInForgetAfterMs: deps.config.rateLimits.signIn.forgetAfterMs,
    });
    this.#events = deps.events;
  }

  /** Listens for changes and runs presence; without it the hub only serves what it is asked. */
  start(): void {
    this.#feed.start();
    this.#presence.start();
    this.#bells.start();
    this.#sweep.start();
    this.#retention.start();
    // Suspended or deleted members' room and hallway sockets close here; their bells say why.
    this.#unsubscribe = this.#events?.subscribe((event) => {
      if (event.signedOut) this.#pages.signOut(event.signedOut.members);
    });
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    this.#presence.stop();
    await this.#sweep.stop();
    await this.#retention.stop();
    await this.#bells.stop();
    await this.#feed.stop();
    this.#pages.closeAll();
  }

  /** Hands every room read after a change to `watcher` as well (voice). */
  watchRooms(watcher: RoomWatcher): void {
    this.#feed.watch(watcher);
  }

  get pageCount(): number {
    return this.#pages.pageCount;
  }

  /** A page's socket opened: mark it present and send it the current state. */
  open(page: LivePage): Promise<void> {
    return this.#pages.open(page);
  }

  /** The socket closed; presence lapses unless the page reconnects in time. */
  close(page: LivePage): void {
    this.#pages.close(page);
  }

  /** A message from a page: a room action, or an error frame back. */
  receive(page: LivePage, data: unknown): Promise<void> {
    return this.#pages.receive(page, data);
  }

  /** A bell's socket opened (any signed-in page): it gets its member's unread count. */
  openBell(page: BellPage): Promise<void> {
    return this.#bells.open(page);
  }

  closeBell(page: BellPage): void {
    this.#bells.close(page);
  }

  get bellCount(): number {
    return this.#bells.pageCount;
  }
}
