/**
 * The rooms whose media lives on this node (their home, db/room_homes.ts): one `RoomMedia` per
 * room (in a media process), and every session connected to it from any node. Edges relay their
 * pages' signalling here (live/voice_relay.ts); the home decides what holds room-wide: who is
 * heard (from the room's database reads: the room feed hands them over), how many listeners get
 * a WebRTC connection of their own before the rest hear the stream, and one voice per member. It
 * publishes who is speaking and the room's stream once, for every edge to fan out.
 *
 * The home renews its lease on its rooms every fifth of a lease; a room whose lease it lost (it
 * was taken for dead) is closed here and its edges are told, so a room never has two homes for
 * long. A room nobody is connected to is given up at once.
 *
 * @example
 * const homes = new VoiceHomes({ sql, bus, nodeId, leaseMs: 5000, createMedia, webrtcListenersPerRoom: 10 });
 * homes.start();
 * feed.watch(homes);
 */
import type { Sql } from "../db/client.ts";
import { isHeard, type Participant, type RoomSnapshot, roomSnapshot } from "../db/rooms.ts";
import { holdsHome, releaseHome, renewHomes } from "../db/room_homes.ts";
import { MediaError } from "../media/errors.ts";
import type { Role, SignalMessage } from "../media/room_media.ts";
import { type Bus, decodeMessage, encodeMessage } from "./bus.ts";
import type { RoomWatcher } from "./room_feed.ts";
import {
  type FromHome,
  homeSubject,
  type RoomEvent,
  roomEventsSubject,
  streamSubject,
  type ToHome,
} from "./voice_relay.ts";

/** The part of `RoomMedia` a home uses (wrtc is loaded only by whoever makes one). */
export interface RoomMediaLike {
  handleSignal(sessionId: string, message: SignalMessage): Promise<SignalMessage[]>;
  setRole(sessionId: string, role: Role): void;
  setHeard(sessionId: string, heard: boolean): void;
  leave(sessionId: string): void;
  /** Starts or stops encoding the room mix once for stream listeners. */
  setBroadcast(on: boolean): void;
  close(): void;
}

export type MediaFactory = (options: {
  onSpeaking: (ids: string[]) => void;
  /** A batch of the room's stream, to send as is to every stream listener. */
  onAudio: (batch: Uint8Array<ArrayBuffer>) => void;
  /** The room's media is gone (its media process ended): every connection in it too. */
  onLost: () => void;
}) => RoomMediaLike;

interface Session {
  member: number;
  /** `media`: a WebRTC connection in the room's media; `stream`: hears the room's stream. */
  kind: "media" | "stream";
}

interface Home {
  roomId: number;
  key: string;
  media: RoomMediaLike;
  sessions: Map<string, Session>;
  snapshot: RoomSnapshot | null;
  speaking: string;
}

export interface VoiceHomesOptions {
  sql: Sql;
  bus: Bus;
  nodeId: string;
  leaseMs: number;
  createMedia: MediaFactory;
  webrtcListenersPerRoom: number;
}

export class VoiceHomes implements RoomWatcher {
  #options: VoiceHomesOptions;
  #homes = new Map<number, Home>();
  // Rooms being opened here: a second request waits for the first's media.
  #opening = new Map<number, Promise<Home | null>>();
  #stopReplying: (() => void) | undefined;
  #renewTimer: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> = Promise.resolve();

  constructor(options: VoiceHomesOptions) {
    this.#options = options;
  }

  /** Answers edges' requests, and renews leases every fifth of a lease. */
  start(): void {
    const { bus, nodeId, leaseMs } = this.#options;
    this.#stopReplying = bus.reply(homeSubject(nodeId), async (data) => {
      return encodeMessage(await this.#answer(decodeMessage<ToHome>(data)));
    });
    this.#renewTimer = setInterval(() => {
      this.#renewing = this.#renewing.then(() => this.#renew()).catch((error) =>
        console.error("Renewing room leases failed:", error)
      );
    }, leaseMs / 5);
  }

  /** Closes every room's media here (the node is stopping). */
  async stop(): Promise<void> {
    this.#stopReplying?.();
    clearInterval(this.#renewTimer);
    await this.#renewing;
    for (const home of [...this.#homes.values()]) this.#drop(home, { lost: true });
  }

  watches(roomId: number): boolean {
    return this.#homes.has(roomId);
  }

  /** A fresh read of a room homed here: apply roles and mutes, let go of who left. */
  roomRead(roomId: number, snapshot: RoomSnapshot | null): void {
    const home = this.#homes.get(roomId);
    if (!home) return;
    if (snapshot?.room.state !== "live") return this.#drop(home, { lost: false });
    home.snapshot = snapshot;
    for (const [sessionId, session] of home.sessions) {
      const me = participant(home, session.member);
      if (!me) {
        this.#leave(home, sessionId);
        continue;
      }
      if (session.kind === "media") applyPlace(home.media, sessionId, me);
    }
    this.#giveUpIfEmpty(home);
  }

  async #answer(request: ToHome): Promise<FromHome> {
    try {
      if (request.op === "ping") return { ok: true };
      if (request.op === "leave") {
        const home = this.#homes.get(request.room);
        if (home?.key === request.key) {
          this.#leave(home, request.session);
          this.#giveUpIfEmpty(home);
        }
        return { ok: true };
      }
      const home = await this.#open(request.room, request.key);
      if (!home) return { ok: false, refused: "not_home", message: "Not this room's home" };
      let me = participant(home, request.member);
      if (!me) {
        // The member may have joined after the home's last read.
        home.snapshot = await roomSnapshot(this.#options.sql, home.roomId);
        me = participant(home, request.member);
      }
      if (!me) {
        if (home.sessions.size === 0) this.#drop(home, { lost: false });
        return { ok: false, refused: "not_in_room", message: "Not in this room" };
      }
      if (request.op === "listen") return { ok: true, listen: this.#listen(home, request, me) };
      return { ok: true, replies: await this.#signal(home, request, me) };
    } catch (error) {
      if (error instanceof MediaError) console.warn("A voice message was refused:", error.message);
      else console.error("A voice message failed:", error);
      return { ok: false, refused: "failed", message: (error as Error).message };
    }
  }

  /** A listener hears by a connection of their own while the room has few, else by stream. */
  #listen(home: Home, request: ToHome & { op: "listen" }, me: Participant): "webrtc" | "stream" {
    const current = home.sessions.get(request.session);
    if (me.role !== "listener" || current?.kind === "media") return "webrtc";
    let connections = 0;
    for (const session of home.sessions.values()) {
      if (session.kind === "media" && participant(home, session.member)?.role === "listener") {
        connections++;
      }
    }
    if (connections < this.#options.webrtcListenersPerRoom) return "webrtc";
    home.sessions.set(request.session, { member: request.member, kind: "stream" });
    this.#updateBroadcast(home);
    return "stream";
  }

  #signal(
    home: Home,
    request: ToHome & { op: "signal" },
    me: Participant,
  ): Promise<SignalMessage[]> {
    const current = home.sessions.get(request.session);
    if (current?.kind !== "media") {
      if (request.message.type === "candidate") {
        throw new MediaError("bad_signal", "A candidate came before its offer");
      }
      this.#takeOverVoice(home, request.session, request.member);
      home.sessions.set(request.session, { member: request.member, kind: "media" });
      // Invited on stage (or asked for a connection): the stream is no longer needed.
      if (current?.kind === "stream") this.#updateBroadcast(home);
      applyPlace(home.media, request.session, me);
    }
    return home.media.handleSignal(request.session, request.message);
  }

  /**
   * A member is heard from one page at a time, on whichever node: a newer page that joins audio
   * takes the voice from their other pages in the room, which are told and keep their socket.
   */
  #takeOverVoice(home: Home, sessionId: string, member: number): void {
    for (const [otherId, other] of home.sessions) {
      if (otherId === sessionId || other.member !== member || other.kind !== "media") continue;
      home.media.leave(otherId);
      home.sessions.delete(otherId);
      this.#publish(home, { op: "moved", session: otherId });
    }
  }

  /** The room's home, opened here if this node holds its lease under `key`. */
  #open(roomId: number, key: string): Promise<Home | null> {
    const home = this.#homes.get(roomId);
    if (home) return Promise.resolve(home.key === key ? home : null);
    let opening = this.#opening.get(roomId);
    if (!opening) {
      const created = this.#create(roomId, key).finally(() => this.#opening.delete(roomId));
      this.#opening.set(roomId, created);
      opening = created;
    }
    return opening.then((opened) => opened?.key === key ? opened : null);
  }

  async #create(roomId: number, key: string): Promise<Home | null> {
    const { sql, nodeId } = this.#options;
    if (!(await holdsHome(sql, roomId, key, nodeId))) return null;
    const snapshot = await roomSnapshot(sql, roomId);
    const home: Home = {
      roomId,
      key,
      media: undefined!,
      sessions: new Map(),
      snapshot,
      speaking: "[]",
    };
    home.media = this.#options.createMedia({
      onSpeaking: (ids) => this.#speaking(home, ids),
      onAudio: (batch) => this.#options.bus.publish(streamSubject(key), batch),
      onLost: () => this.#drop(home, { lost: true }),
    });
    this.#homes.set(roomId, home);
    return home;
  }

  #leave(home: Home, sessionId: string): void {
    const session = home.sessions.get(sessionId);
    if (!session) return;
    home.sessions.delete(sessionId);
    if (session.kind === "media") home.media.leave(sessionId);
    else this.#updateBroadcast(home);
  }

  #giveUpIfEmpty(home: Home): void {
    if (home.sessions.size === 0) this.#drop(home, { lost: false });
  }

  /**
   * The room's media here ends. `lost`: it ended under its sessions (the media process died, the
   * lease went elsewhere, the node stops), so edges are told to reconnect their pages.
   */
  #drop(home: Home, how: { lost: boolean }): void {
    if (this.#homes.get(home.roomId) !== home) return;
    this.#homes.delete(home.roomId);
    home.media.close();
    if (how.lost) this.#publish(home, { op: "lost" });
    // The next page to join places the room again without waiting for the lease.
    releaseHome(this.#options.sql, home.roomId, home.key).catch((error) =>
      console.error("Giving up a room's home failed:", error)
    );
  }

  async #renew(): Promise<void> {
    const held = [...this.#homes.values()].map((home) => ({
      roomId: home.roomId,
      streamKey: home.key,
    }));
    const kept = await renewHomes(this.#options.sql, held, this.#options);
    for (const { roomId, streamKey } of held) {
      const home = this.#homes.get(roomId);
      if (home?.key !== streamKey) continue;
      if (!kept.has(roomId)) {
        console.warn("A room's lease went to another node; its media here stops");
        this.#drop(home, { lost: true });
      } else if (home.sessions.size === 0) {
        // Asked how to listen, answered "by WebRTC", and no offer followed within a renewal.
        this.#drop(home, { lost: false });
      }
    }
  }

  #updateBroadcast(home: Home): void {
    home.media.setBroadcast([...home.sessions.values()].some((s) => s.kind === "stream"));
  }

  #speaking(home: Home, sessionIds: string[]): void {
    const handles = new Set<string>();
    for (const sessionId of sessionIds) {
      const session = home.sessions.get(sessionId);
      const me = session && participant(home, session.member);
      if (me) handles.add(me.handle);
    }
    const text = JSON.stringify([...handles].sort());
    if (text === home.speaking) return;
    home.speaking = text;
    this.#publish(home, { op: "speaking", handles: JSON.parse(text) });
  }

  #publish(home: Home, event: RoomEvent): void {
    this.#options.bus.publish(roomEventsSubject(home.key), encodeMessage(event));
  }
}

function participant(home: Home, member: number): Participant | undefined {
  if (home.snapshot?.room.state !== "live") return undefined;
  return home.snapshot.participants.find((p) => p.userId === member);
}

function applyPlace(media: RoomMediaLike, sessionId: string, me: Participant): void {
  media.setRole(sessionId, me.role === "listener" ? "listener" : "speaker");
  media.setHeard(sessionId, isHeard(me));
}
