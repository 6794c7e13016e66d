/**
 * Change events between processes: a change `notify`s inside its transaction (delivered on
 * commit), and every process's `Subscription` hears it. On PostgreSQL that is LISTEN/NOTIFY on
 * a dedicated connection. Embedded PGlite is one session in one process: its notifications come
 * back on the connection that committed, so `openDatabase` routes them to the same subscribers.
 *
 * @example
 * await notify(tx, { room: 12 });
 * db.events.subscribe((event) => console.log(event.room));
 */
import type { Tx } from "./client.ts";

export const channel = "palabre";

/**
 * What changed: a room's state (and with it the hallway), the hallway alone, members' own
 * data (sessions, profile, picks, follows, blocks) that cached reads depend on, and/or the
 * recommender's setup (the applied model version or the ranking weights).
 */
export interface ChangeEvent {
  room?: number;
  hallway?: true;
  members?: number[];
  /** Another recommendation model was applied, or the ranking weights changed. */
  model?: true;
  /** Notifications with ids in this range were made (db/notifications.ts): pages get toasts. */
  notices?: [number, number];
  /** These members' unread counts changed without a new notification (they read some). */
  bells?: number[];
  /**
   * These members' sessions were all ended by a suspension or a deletion (db/departures.ts):
   * every process tells their open pages why and closes their sockets.
   */
  signedOut?: { members: number[]; why: Departure };
  /** A member asked for an export of their data: a process's export worker may claim it. */
  dataExports?: true;
}

/** Why a member's pages were signed out while open. */
export type Departure = "suspended" | "deleted";

export async function notify(tx: Tx, event: ChangeEvent): Promise<void> {
  await tx`select pg_notify(${channel}, ${JSON.stringify(event)})`;
}

/** Fans one process's incoming notifications out to its listeners. */
export class EventHub {
  #listeners = new Set<(event: ChangeEvent) => void>();

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called with a raw notification payload. */
  deliver(payload: string): void {
    let event: ChangeEvent;
    try {
      event = JSON.parse(payload);
    } catch {
      console.error(`Ignored a malformed change notification: ${payload.slice(0, 100)}`);
      return;
    }
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error("A change listener failed:", error);
      }
    }
  }
}
