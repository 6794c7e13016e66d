/**
 * The room feed of one process: change notices from every process (database notifications)
 * turned into fresh room snapshots, handed to whoever keeps up with rooms here (the page hub,
 * voice). Changes arriving within a few milliseconds are read once, and only rooms someone here
 * watches are read; hallway changes are passed on at most every `hallwayEveryMs` (250 ms), and
 * a room change never waits for that.
 *
 * @example
 * const feed = new RoomFeed({ sql, events: db.events });
 * feed.watch(voice);
 * feed.start();
 */
import type { Sql } from "../db/client.ts";
import type { ChangeEvent, EventHub } from "../db/events.ts";
import { type RoomSnapshot, roomSnapshot } from "../db/rooms.ts";

/** One read of a room. */
export interface RoomRead {
  /** Reads are numbered as they start; a later one sees the room at least as new. */
  number: number;
  snapshot: RoomSnapshot | null;
}

/** Someone who keeps up with rooms from the feed's reads (the page hub, voice). */
export interface RoomWatcher {
  /** Whether `roomId` should be read on a change. */
  watches(roomId: number): boolean;
  /** A fresh read of `roomId` (null when the room is gone), numbered as `RoomRead` says. */
  roomRead(roomId: number, snapshot: RoomSnapshot | null, number: number): void;
  /** The hallway may have changed (rooms, a new model or weights). */
  hallwayChanged?(): Promise<void>;
}

// Changes arriving within this window are rendered once.
const coalesceMs = 15;
// The hallway of every member is re-read per member: at most this often.
const defaultHallwayEveryMs = 250;

export class RoomFeed {
  #sql: Sql;
  #events: EventHub | undefined;
  #watchers: RoomWatcher[] = [];
  #dirtyRooms = new Set<number>();
  #hallwayDirty = false;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  // Its own timer: a room change must not wait for the hallway's turn.
  #hallwayTimer: ReturnType<typeof setTimeout> | undefined;
  #hallwayEveryMs: number;
  #lastHallwayAt = 0;
  #unsubscribe: (() => void) | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #reads = 0;

  constructor(deps: { sql: Sql; events?: EventHub; hallwayEveryMs?: number }) {
    this.#sql = deps.sql;
    this.#events = deps.events;
    this.#hallwayEveryMs = deps.hallwayEveryMs ?? defaultHallwayEveryMs;
  }

  /** Listens for changes; without it the feed only reads what it is asked. */
  start(): void {
    this.#unsubscribe = this.#events?.subscribe((event) => this.#changed(event));
  }

  /** Stops listening and waits for the reads under way to be handed on. */
  async stop(): Promise<void> {
    this.#unsubscribe?.();
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#hallwayTimer);
    await this.#flushing;
  }

  /** Hands every room read after a change to `watcher` as well. */
  watch(watcher: RoomWatcher): void {
    this.#watchers.push(watcher);
  }

  /**
   * Reads `roomId` now, numbered among the feed's reads.
   *
   * @example
   * const { number, snapshot } = await feed.read(roomId);
   */
  async read(roomId: number): Promise<RoomRead> {
    const number = ++this.#reads;
    return { number, snapshot: await roomSnapshot(this.#sql, roomId) };
  }

  #changed(event: ChangeEvent): void {
    // Members' own data is not live; a new model or weights reorder the hallways.
    if (event.room === undefined && !event.hallway && !event.model) return;
    if (event.room !== undefined) this.#dirtyRooms.add(event.room);
    this.#hallwayDirty = true;
    this.#flushIn(coalesceMs);
  }

  /**
   * Runs a flush after `delayMs`, unless one is already due. A failed flush is logged and the
   * chain goes on: a rejected chain would skip every later flush, make `stop` throw, and as an
   * unhandled rejection end the process.
   */
  #flushIn(delayMs: number): void {
    if (this.#flushTimer !== undefined) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      this.#flushing = this.#flushing.then(() => this.#flush()).catch((error) =>
        console.error("Live update failed:", error)
      );
    }, delayMs);
  }

  async #flush(): Promise<void> {
    const rooms = [...this.#dirtyRooms];
    this.#dirtyRooms.clear();
    for (const roomId of rooms) await this.#readChanged(roomId);
    if (this.#hallwayDirty) {
      const wait = this.#lastHallwayAt + this.#hallwayEveryMs - Date.now();
      if (wait > 0) {
        // Come back when the hallway may be re-read; room changes meanwhile still go at once.
        this.#hallwayIn(wait);
        return;
      }
      this.#hallwayDirty = false;
      this.#lastHallwayAt = Date.now();
      for (const watcher of this.#watchers) await watcher.hallwayChanged?.();
    }
  }

  /** Flushes again once the hallway may be re-read, unless that is already arranged. */
  #hallwayIn(delayMs: number): void {
    if (this.#hallwayTimer !== undefined) return;
    this.#hallwayTimer = setTimeout(() => {
      this.#hallwayTimer = undefined;
      this.#flushIn(0);
    }, delayMs);
  }

  async #readChanged(roomId: number): Promise<void> {
    if (!this.#watchers.some((watcher) => watcher.watches(roomId))) return;
    const { number, snapshot } = await this.read(roomId);
    for (const watcher of this.#watchers) watcher.roomRead(roomId, snapshot, number);
  }
}
