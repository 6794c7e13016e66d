/**
 * The page hub of one process: the pages that have a live socket open here, what each shows, and
 * keeping them true. It watches the room feed: a fresh read of a room is rendered once per kind of
 * viewer, and each page showing it is sent only the parts of the room that changed for it (the
 * whole room when it just connected); a hallway change re-sends each hallway page its lists. A
 * page's messages are room actions, taken through `act`.
 *
 * @example
 * const pages = new PageHub({ sql, feed, ranker });
 * feed.watch(pages);
 * await pages.open({ ws, memberId, words, roomId });
 */
import type { WSContext } from "hono/ws";
import type { Words } from "../i18n/translate.ts";
import type { Sql } from "../db/client.ts";
import { Refusal } from "../db/errors.ts";
import { type Seat, touchPresence } from "../db/presence.ts";
import { act, parseRoomAction } from "../db/room_actions.ts";
import type { Participant, RoomSnapshot } from "../db/rooms.ts";
import type { HallwayRanker } from "../recommend/hallway.ts";
import {
  type Frame,
  hallwayFrame,
  noticeFrame,
  type RenderedRoom,
  renderRoom,
  roomChangeFrame,
  roomFrame,
} from "./frames.tsx";
import { viewerKeyOf } from "../views/room_viewer.ts";
import type { RoomFeed, RoomRead, RoomWatcher } from "./room_feed.ts";
import { closeQuietly, sendQuietly } from "./sockets.ts";

export interface LivePage {
  ws: WSContext;
  memberId: number;
  /** The words the page was opened in: its frames speak the same language. */
  words: Words;
  /** The room this page shows, or null for the hallway. */
  roomId: number | null;
  /** The newest room read this page was sent: an older read finishing later is not sent. */
  seenRead?: number;
  /** The room's parts as last sent to this page: a change sends only the parts that differ. */
  shown?: RenderedRoom;
}

const maxMessageBytes = 4096;

export class PageHub implements RoomWatcher {
  #sql: Sql;
  #feed: RoomFeed;
  #ranker: HallwayRanker;
  #pages = new Set<LivePage>();
  // Pages opening together (a whole audience after a restart) share one read of their room.
  #openingReads = new Map<number, Promise<RoomRead>>();
  // One read of a room is rendered once per kind of viewer, for the pages it reaches and those
  // that open on it; pages of one kind then hold the same parts, and comparing them is cheap.
  #renders = new WeakMap<RoomSnapshot, Map<string, RenderedRoom>>();
  // Each read's participants by member: a room of thousands is not searched once per page.
  #people = new WeakMap<RoomSnapshot, Map<number, Participant>>();
  // The whole room as a frame, once per rendering, for the pages that connect.
  #wholeFrames = new WeakMap<RenderedRoom, string>();

  constructor(deps: { sql: Sql; feed: RoomFeed; ranker: HallwayRanker }) {
    this.#sql = deps.sql;
    this.#feed = deps.feed;
    this.#ranker = deps.ranker;
  }

  get pageCount(): number {
    return this.#pages.size;
  }

  /** Where the room pages connected here sit, for presence. */
  seats(): Seat[] {
    return [...this.#pages].filter((p) => p.roomId !== null)
      .map((p) => ({ roomId: p.roomId!, userId: p.memberId }));
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
      read = this.#feed.read(roomId).finally(() => this.#openingReads.delete(roomId));
      this.#openingReads.set(roomId, read);
    }
    const { number, snapshot } = await read;
    if (!snapshot || !this.#isNewer(page, number)) return;
    // A page that (re)connects has nothing of the room yet, or something stale: all of it.
    const rendered = this.#rendered(snapshot, page);
    let frame = this.#wholeFrames.get(rendered);
    if (frame === undefined) {
      frame = JSON.stringify(roomFrame(rendered));
      this.#wholeFrames.set(rendered, frame);
    }
    this.#sendRaw(page, frame);
    page.shown = rendered;
    this.#letGoIfAbsent(page, snapshot);
  }

  /** The socket closed; presence lapses unless the page reconnects in time. */
  close(page: LivePage): void {
    this.#pages.delete(page);
  }

  /**
   * The members' sessions ended (suspended, deleted): their pages here stop hearing anything.
   * A normal close, so htmx does not try again; the bell's socket tells the page why.
   */
  signOut(memberIds: number[]): void {
    const gone = new Set(memberIds);
    for (const page of this.#pages) {
      if (!gone.has(page.memberId)) continue;
      this.#pages.delete(page);
      closeQuietly(page.ws, 1000, "Signed out");
    }
  }

  /** Closes every page's socket (the process is stopping). */
  closeAll(): void {
    for (const page of this.#pages) closeQuietly(page.ws, 1001, "Server going away");
    this.#pages.clear();
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

  /** Whether a page here shows `roomId`. */
  watches(roomId: number): boolean {
    for (const page of this.#pages) if (page.roomId === roomId) return true;
    return false;
  }

  /** A fresh read of a room: to every page showing it, the parts of the room that changed. */
  roomRead(roomId: number, snapshot: RoomSnapshot | null, number: number): void {
    if (!snapshot) return;
    const pages = [...this.#pages].filter((p) => p.roomId === roomId);
    // Pages that showed the same parts and now see the same ones get the same frame: a thousand
    // listeners, one render, one comparison, one frame.
    const frames = new Map<RenderedRoom, Map<RenderedRoom | undefined, string | null>>();
    for (const page of pages) {
      if (!this.#isNewer(page, number)) continue;
      const rendered = this.#rendered(snapshot, page);
      let fromShown = frames.get(rendered);
      if (!fromShown) {
        fromShown = new Map();
        frames.set(rendered, fromShown);
      }
      let frame = fromShown.get(page.shown);
      if (frame === undefined) {
        const change = roomChangeFrame(page.shown, rendered);
        frame = change && JSON.stringify(change);
        fromShown.set(page.shown, frame);
      }
      if (frame !== null) this.#sendRaw(page, frame);
      page.shown = rendered;
      this.#letGoIfAbsent(page, snapshot);
    }
  }

  /** The hallway changed: each hallway page gets its lists again, ranked for its member. */
  async hallwayChanged(): Promise<void> {
    for (const page of this.#pages) {
      if (page.roomId === null) await this.#sendHallway(page);
    }
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
    if (this.#peopleOf(snapshot).has(page.memberId)) return;
    this.#pages.delete(page);
    closeQuietly(page.ws, 1000, "Not in this room");
  }

  /** The room as `page`'s kind of viewer sees it in this read, rendered once for all of them. */
  #rendered(snapshot: RoomSnapshot, page: LivePage): RenderedRoom {
    let byViewer = this.#renders.get(snapshot);
    if (!byViewer) {
      byViewer = new Map();
      this.#renders.set(snapshot, byViewer);
    }
    const me = this.#peopleOf(snapshot).get(page.memberId);
    const key = `${page.words.language}:${viewerKeyOf(me)}`;
    let rendered = byViewer.get(key);
    if (!rendered) {
      rendered = renderRoom(snapshot, page);
      byViewer.set(key, rendered);
    }
    return rendered;
  }

  #peopleOf(snapshot: RoomSnapshot): Map<number, Participant> {
    let people = this.#people.get(snapshot);
    if (!people) {
      people = new Map(snapshot.participants.map((p) => [p.userId, p]));
      this.#people.set(snapshot, people);
    }
    return people;
  }

  async #sendHallway(page: LivePage): Promise<void> {
    this.#send(page, hallwayFrame(await this.#ranker.hallwayFor(page.memberId), page.words));
  }

  #send(page: LivePage, frame: Frame): void {
    this.#sendRaw(page, JSON.stringify(frame));
  }

  #sendRaw(page: LivePage, text: string): void {
    sendQuietly(page.ws, text);
  }
}
