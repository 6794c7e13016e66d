/**
 * The live hub of one process: the pages that have a socket open here, what each shows, and
 * the loop that keeps them true. A change anywhere (any process) arrives as a database
 * notification; the hub re-reads the room once, renders it per kind of viewer, and pushes the
 * fragment to every page showing it. It also keeps presence: it marks its connected members
 * as seen, and sweeps out anyone no process has seen for the presence timeout.
 *
 * @example
 * const hub = new LiveHub({ sql, config, events: db.events });
 * hub.start();
 */
import type { Words } from "../i18n/translate.ts";
import { WordsContext } from "../i18n/words_context.ts";
import type { WSContext } from "hono/ws";
import type { Config } from "../config.ts";
import type { Sql } from "../db/client.ts";
import type { ChangeEvent, EventHub } from "../db/events.ts";
import { Refusal } from "../db/errors.ts";
import { HallwayRanker } from "../recommend/hallway.ts";
import { sweepAbsent, touchPresence } from "../db/presence.ts";
import { act, parseRoomAction } from "../db/room_actions.ts";
import { type RoomSnapshot, roomSnapshot } from "../db/rooms.ts";
import { HallwayLists } from "../views/hallway.tsx";
import { RoomLive } from "../views/room.tsx";

export interface LivePage {
  ws: WSContext;
  memberId: number;
  /** The words the page was opened in: its frames speak the same language. */
  words: Words;
  /** The room this page shows, or null for the hallway. */
  roomId: number | null;
  /** The newest room read this page was sent: an older read finishing later is not sent. */
  seenRead?: number;
}

interface RoomRead {
  /** Reads are numbered as they start; a later one sees the room at least as new. */
  number: number;
  snapshot: RoomSnapshot | null;
}

/** Someone else who keeps up with rooms from the hub's reads (voice, routes/voice_rooms.ts). */
export interface RoomWatcher {
  /** Whether `roomId` should be read on a change even when no page here shows it. */
  watches(roomId: number): boolean;
  /** A fresh read of `roomId`; null when the room is gone. */
  roomRead(roomId: number, snapshot: RoomSnapshot | null): void;
}

/** A frame htmx's hx-ws swaps: `content` into `target`. */
export interface Frame {
  content: string;
  target: string;
  swap: string;
}

const maxMessageBytes = 4096;
// Changes arriving within this window are rendered once.
const coalesceMs = 15;
// The hallway of every member is re-read per member: at most this often.
const hallwayEveryMs = 250;

export class LiveHub {
  #sql: Sql;
  #config: Config;
  #events: EventHub | undefined;
  #pages = new Set<LivePage>();
  #dirtyRooms = new Set<number>();
  #hallwayDirty = false;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #lastHallwayAt = 0;
  #timers: ReturnType<typeof setInterval>[] = [];
  #unsubscribe: (() => void) | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #reads = 0;
  // Pages opening together (a whole audience after a restart) share one read of their room.
  #openingReads = new Map<number, Promise<RoomRead>>();

  #ranker: HallwayRanker;
  #watcher: RoomWatcher | undefined;

  constructor(deps: { sql: Sql; config: Config; events?: EventHub; ranker?: HallwayRanker }) {
    this.#sql = deps.sql;
    this.#config = deps.config;
    this.#events = deps.events;
    this.#ranker = deps.ranker ?? new HallwayRanker(deps.sql);
  }

  /** Listens for changes and runs presence; without it the hub only serves what it is asked. */
  start(): void {
    this.#unsubscribe = this.#events?.subscribe((event) => this.#changed(event));
    this.#timers.push(setInterval(() => this.#refreshPresence(), this.#config.presenceRefreshMs));
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    for (const timer of this.#timers) clearInterval(timer);
    clearTimeout(this.#flushTimer);
    await this.#flushing;
    for (const page of this.#pages) page.ws.close(1001, "Server going away");
    this.#pages.clear();
  }

  /** Hands every room read after a change to `watcher` as well. */
  watchRooms(watcher: RoomWatcher): void {
    this.#watcher = watcher;
  }

  get pageCount(): number {
    return this.#pages.size;
  }

  /** A page's socket opened: mark it present and send it the current state. */
  async open(page: LivePage): Promise<void> {
    this.#pages.add(page);
    if (page.roomId === null) {
      await this.#sendHallway(page);
      return;
    }
    await touchPresence(this.#sql, [{ roomId: page.roomId, userId: page.memberId }]);
    let read = this.#openingReads.get(page.roomId);
    if (!read) {
      const roomId = page.roomId;
      read = this.#readRoom(roomId).finally(() => this.#openingReads.delete(roomId));
      this.#openingReads.set(roomId, read);
    }
    const { number, snapshot } = await read;
    if (!snapshot || !this.#isNewer(page, number)) return;
    this.#send(page, roomFrame(snapshot, page));
    this.#letGoIfAbsent(page, snapshot);
  }

  async #readRoom(roomId: number): Promise<RoomRead> {
    const number = ++this.#reads;
    return { number, snapshot: await roomSnapshot(this.#sql, roomId) };
  }

  /** Records that `page` gets read `number`, unless it already got a newer one. */
  #isNewer(page: LivePage, number: number): boolean {
    if ((page.seenRead ?? 0) > number) return false;
    page.seenRead = number;
    return true;
  }

  /**
   * A page whose member is not in the room (left, removed, timed out, room ended) has nothing
   * more to watch: a normal close tells htmx not to reconnect; "Rejoin" reloads the page.
   */
  #letGoIfAbsent(page: LivePage, snapshot: RoomSnapshot): void {
    if (snapshot.participants.some((p) => p.userId === page.memberId)) return;
    this.#pages.delete(page);
    try {
      page.ws.close(1000, "Not in this room");
    } catch {
      // Already closed.
    }
  }

  /** The socket closed; presence lapses unless the page reconnects in time. */
  close(page: LivePage): void {
    this.#pages.delete(page);
  }

  /** A message from a page: a room action, or an error frame back. The socket stays open. */
  async receive(page: LivePage, data: unknown): Promise<void> {
    try {
      if (typeof data !== "string" || data.length > maxMessageBytes) {
        throw new Refusal("invalid", "refusal.message.too_long");
      }
      if (page.roomId === null) throw new Refusal("invalid", "refusal.message.hallway");
      let fields: unknown;
      try {
        fields = JSON.parse(data);
      } catch {
        throw new Refusal("invalid", "refusal.message.not_json");
      }
      if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
        throw new Refusal("invalid", "refusal.message.not_object");
      }
      const action = parseRoomAction(fields as Record<string, unknown>);
      await act(this.#sql, page.memberId, page.roomId, action);
    } catch (error) {
      if (error instanceof Refusal) {
        this.#send(page, noticeFrame(error.messageIn(page.words.t)));
        return;
      }
      console.error("A live message failed:", error);
      this.#send(page, noticeFrame(page.words.t("live.failed")));
    }
  }

  #changed(event: ChangeEvent): void {
    // Members' own data is not live; a new model or weights reorder the hallways.
    if (event.room === undefined && !event.hallway && !event.model) return;
    if (event.room !== undefined) this.#dirtyRooms.add(event.room);
    this.#hallwayDirty = true;
    if (this.#flushTimer === undefined) {
      this.#flushTimer = setTimeout(() => {
        this.#flushTimer = undefined;
        this.#flushing = this.#flushing.then(() => this.#flush()).catch((error) =>
          console.error("Live update failed:", error)
        );
      }, coalesceMs);
    }
  }

  async #flush(): Promise<void> {
    const rooms = [...this.#dirtyRooms];
    this.#dirtyRooms.clear();
    for (const roomId of rooms) await this.#pushRoom(roomId);
    if (this.#hallwayDirty) {
      const wait = this.#lastHallwayAt + hallwayEveryMs - Date.now();
      if (wait > 0) {
        // Come back when the hallway may be re-read; room changes meanwhile still go at once.
        this.#flushTimer ??= setTimeout(() => {
          this.#flushTimer = undefined;
          this.#flushing = this.#flushing.then(() => this.#flush());
        }, wait);
        return;
      }
      this.#hallwayDirty = false;
      this.#lastHallwayAt = Date.now();
      for (const page of this.#pages) {
        if (page.roomId === null) await this.#sendHallway(page);
      }
    }
  }

  async #pushRoom(roomId: number): Promise<void> {
    const pages = [...this.#pages].filter((p) => p.roomId === roomId);
    if (pages.length === 0 && !this.#watcher?.watches(roomId)) return;
    const { number, snapshot } = await this.#readRoom(roomId);
    this.#watcher?.roomRead(roomId, snapshot);
    if (!snapshot) return;
    // Viewers who would see the same thing share one rendering: a thousand listeners, one render.
    const rendered = new Map<string, string>();
    for (const page of pages) {
      if (!this.#isNewer(page, number)) continue;
      const key = `${page.words.language}:${viewerKey(snapshot, page.memberId)}`;
      let frame = rendered.get(key);
      if (frame === undefined) {
        frame = JSON.stringify(roomFrame(snapshot, page));
        rendered.set(key, frame);
      }
      this.#sendRaw(page, frame);
      this.#letGoIfAbsent(page, snapshot);
    }
  }

  async #sendHallway(page: LivePage): Promise<void> {
    const hallway = await this.#ranker.hallwayFor(page.memberId);
    this.#send(page, {
      content: String(
        <WordsContext.Provider value={page.words}>
          <HallwayLists hallway={hallway} />
        </WordsContext.Provider>,
      ),
      target: "#hallway-lists",
      swap: "innerHTML",
    });
  }

  async #refreshPresence(): Promise<void> {
    try {
      const seats = [...this.#pages].filter((p) => p.roomId !== null)
        .map((p) => ({ roomId: p.roomId!, userId: p.memberId }));
      await touchPresence(this.#sql, seats);
      await sweepAbsent(this.#sql, { timeoutMs: this.#config.presenceTimeoutMs });
    } catch (error) {
      console.error("Presence refresh failed:", error);
    }
  }

  #send(page: LivePage, frame: Frame): void {
    this.#sendRaw(page, JSON.stringify(frame));
  }

  #sendRaw(page: LivePage, text: string): void {
    try {
      page.ws.send(text);
    } catch {
      // The socket closed under us; its close handler removes the page.
    }
  }
}

/** The live part of a room as `viewer` sees it, in the words they opened the page in. */
export function roomFrame(
  snapshot: RoomSnapshot,
  viewer: { memberId: number; words: Words },
): Frame {
  return {
    content: String(
      <WordsContext.Provider value={viewer.words}>
        <RoomLive data={snapshot} viewerId={viewer.memberId} />
      </WordsContext.Provider>,
    ),
    target: "#room-live",
    swap: "innerHTML",
  };
}

export function noticeFrame(message: string): Frame {
  return {
    content: String(<p class="error" role="alert">{message}</p>),
    target: "#room-notice",
    swap: "innerHTML",
  };
}

/** What makes one viewer's rendering differ from another's. */
function viewerKey(snapshot: RoomSnapshot, viewerId: number): string {
  const me = snapshot.participants.find((p) => p.userId === viewerId);
  if (!me) return "absent";
  // Moderators see menus on everyone but themselves: theirs is personal.
  if (me.role === "moderator") return `moderator:${viewerId}`;
  return `${me.role}:${me.muted}:${me.mutedByModerator}:${me.invited}:${me.handRaisedAt !== null}`;
}
