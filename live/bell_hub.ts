/**
 * The bell hub of one process: the bell sockets open here (one per signed-in page), by member.
 * It hears every process's notifications through the change events (db/events.ts): a range of
 * new notification ids is read once, for the members with a bell here, and each of their pages
 * gets the new count and a toast; a member who read some gets the new count. A page that opens
 * gets its count.
 *
 * @example
 * const bells = new BellHub({ sql, events: db.events });
 * bells.start();
 * await bells.open({ ws, memberId: 7, words });
 */
import type { WSContext } from "hono/ws";
import type { Sql } from "../db/client.ts";
import type { ChangeEvent, EventHub } from "../db/events.ts";
import { noticesIn, unreadCount, unreadCounts } from "../db/notifications.ts";
import type { Words } from "../i18n/translate.ts";
import { accountEndedFrame, bellFrame } from "./bell_frames.tsx";
import { closeQuietly, sendQuietly } from "./sockets.ts";

export interface BellPage {
  ws: WSContext;
  memberId: number;
  words: Words;
  /** Notices this page was sent a toast for: ranges announced twice never toast twice. */
  toasted?: Set<number>;
}

const rememberedToasts = 50;

export class BellHub {
  #sql: Sql;
  #events: EventHub | undefined;
  #pages = new Map<number, Set<BellPage>>();
  #unsubscribe: (() => void) | undefined;
  // Events are handled one after another: a count read later is never sent before an older one.
  #work: Promise<void> = Promise.resolve();

  constructor(deps: { sql: Sql; events?: EventHub }) {
    this.#sql = deps.sql;
    this.#events = deps.events;
  }

  /** Listens for notifications; without it the hub only sends counts to pages that open. */
  start(): void {
    this.#unsubscribe = this.#events?.subscribe((event) => this.#changed(event));
  }

  /** Stops listening, lets the updates under way finish and closes the bells (going away). */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    await this.#work;
    for (const pages of this.#pages.values()) {
      for (const page of pages) closeQuietly(page.ws, 1001, "Server going away");
    }
    this.#pages.clear();
  }

  get pageCount(): number {
    let count = 0;
    for (const pages of this.#pages.values()) count += pages.size;
    return count;
  }

  /** A bell's socket opened: it gets its member's unread count. */
  async open(page: BellPage): Promise<void> {
    let pages = this.#pages.get(page.memberId);
    if (!pages) {
      pages = new Set();
      this.#pages.set(page.memberId, pages);
    }
    pages.add(page);
    const count = await unreadCount(this.#sql, page.memberId);
    sendQuietly(page.ws, JSON.stringify(bellFrame({ count, words: page.words })));
  }

  close(page: BellPage): void {
    const pages = this.#pages.get(page.memberId);
    pages?.delete(page);
    if (pages?.size === 0) this.#pages.delete(page.memberId);
  }

  #changed(event: ChangeEvent): void {
    // At once, not behind counts being read: the member may not see another frame.
    if (event.signedOut) this.#signOut(event.signedOut);
    if (!event.notices && !event.bells) return;
    this.#work = this.#work.then(async () => {
      if (event.notices) await this.#sendNotices(event.notices);
      if (event.bells) await this.#sendCounts(event.bells);
    }).catch((error) => console.error("Bell update failed:", error));
  }

  /**
   * The members' sessions ended (suspended, deleted): each of their pages here is told why and
   * its bell closed normally, which htmx does not reconnect.
   */
  #signOut(what: NonNullable<ChangeEvent["signedOut"]>): void {
    for (const memberId of what.members) {
      for (const page of this.#pages.get(memberId) ?? []) {
        sendQuietly(
          page.ws,
          JSON.stringify(accountEndedFrame({ words: page.words, why: what.why })),
        );
        closeQuietly(page.ws, 1000, "Signed out");
      }
      this.#pages.delete(memberId);
    }
  }

  async #sendNotices(range: [number, number]): Promise<void> {
    const members = [...this.#pages.keys()];
    if (members.length === 0) return;
    for (const notice of await noticesIn(this.#sql, range, members)) {
      for (const page of this.#pages.get(notice.memberId) ?? []) {
        page.toasted ??= new Set();
        if (page.toasted.has(notice.id)) continue;
        page.toasted.add(notice.id);
        if (page.toasted.size > rememberedToasts) {
          page.toasted.delete(page.toasted.values().next().value!);
        }
        const frame = bellFrame({ count: notice.unread, words: page.words, notice });
        sendQuietly(page.ws, JSON.stringify(frame));
      }
    }
  }

  async #sendCounts(memberIds: number[]): Promise<void> {
    const here = memberIds.filter((id) => this.#pages.has(id));
    if (here.length === 0) return;
    const counts = await unreadCounts(this.#sql, here);
    for (const [memberId, count] of counts) {
      for (const page of this.#pages.get(memberId) ?? []) {
        sendQuietly(page.ws, JSON.stringify(bellFrame({ count, words: page.words })));
      }
    }
  }
}
