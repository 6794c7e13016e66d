/**
 * The voice sockets of pages connected to this node (its edge of every room they are in). A
 * room's media lives on one node, its home (live/voice_homes.ts, placed by db/room_homes.ts),
 * maybe this one: a page's offer, candidates and "how do I listen" are relayed to the home over
 * the bus, the home's answers come back, and the page's WebRTC goes straight to the home's own
 * addresses. The edge hears the room's events (who is speaking, a voice moved to another page,
 * the media lost) and its stream once, and fans them out to its own pages. The map from each
 * socket's opaque media id to its member never leaves this node and the home's web process.
 *
 * Frames to a page, as JSON text: `{type:"answer",sdp}`, `{type:"state",stage,muted,
 * mutedByModerator}` (the member's own place), `{type:"speaking",handles}` (on every change),
 * `{type:"moved"}` (another page of the member's took their voice in this room),
 * `{type:"stream",codec,sampleRate,channels,packetMs,startMs,maxMs}` or `{type:"webrtc"}` (the
 * answer to a listener's `{type:"listen"}`), `{type:"error",message}`; and, to a page listening
 * by stream, binary batches of Opus packets (media/broadcast.ts).
 *
 * A home that is gone (nothing answers on the bus, or its lease ran out) closes its rooms' media
 * sockets here with 1012: the pages reconnect, and their next offer places the room again.
 *
 * @example
 * const voice = new VoiceRooms({ sql, bus, nodeId, leaseMs: 5000 });
 * voice.start();
 * hub.watchRooms(voice);
 */
import type { Words } from "../i18n/translate.ts";
import type { WSContext } from "hono/ws";
import type { Sql } from "../db/client.ts";
import { type RoomSnapshot, roomSnapshot } from "../db/rooms.ts";
import { currentHomes, placeHome, releaseHome, type RoomHome } from "../db/room_homes.ts";
import { Refusal } from "../db/errors.ts";
import { streamFormat } from "../media/stream_format.ts";
import type { Role, SignalMessage } from "../media/room_media.ts";
import { type Bus, BusError, decodeMessage, encodeMessage } from "./bus.ts";
import { FreshReads } from "./fresh_reads.ts";
import type { RoomWatcher } from "./room_feed.ts";
import { closeQuietly, sendQuietly } from "./sockets.ts";
import {
  type FromHome,
  homeSubject,
  relayTimeoutMs,
  type RoomEvent,
  roomEventsSubject,
  streamSubject,
  type ToHome,
} from "./voice_relay.ts";

/** One page's voice socket. */
export interface VoiceSocket {
  ws: WSContext;
  memberId: number;
  /** The page's words: its error frames speak the page's language. */
  words: Words;
  roomId: number;
  /** Random, per socket: the only name the media layer knows this page by. */
  mediaId: string;
  /** Set from the room's read: the member's handle, role and mute. */
  place?: {
    handle: string;
    role: Role;
    muted: boolean;
    mutedByModerator: boolean;
  };
  /** Whether this socket has a connection in the room's media (it sent an offer). */
  inMedia: boolean;
  /** Whether this page hears the room by its stream (it asked to listen and was given it). */
  streaming?: boolean;
  /** Since when this page has been too far behind the stream to be sent more of it. */
  behindSince?: number;
  sentState?: string;
}

interface VoiceRoom {
  sockets: Set<VoiceSocket>;
  /** The room's home as this node last found it, and what it hears of the room through it. */
  home: RoomHome | null;
  unsubscribeEvents?: () => void;
  unsubscribeStream?: () => void;
  speaking: string[];
}

const maxMessageChars = 80 * 1024;
/**
 * A stream listener with this much unsent (about a second of the 32 kbit/s stream: a slow
 * network) misses batches rather than hear the room later and later.
 */
const maxBufferedBytes = 4 * 1024;

/** What a page may send on its voice socket. */
export type VoiceMessage = SignalMessage | { type: "listen" };

const pingMessage = encodeMessage({ op: "ping" } satisfies ToHome);

/** What a stream listener's page is told it will receive (media/stream_format.ts). */
const streamFormatText = JSON.stringify(streamFormat);

export interface VoiceRoomsOptions {
  sql: Sql;
  bus: Bus;
  /** This node's name (db/room_homes.ts). */
  nodeId: string;
  leaseMs: number;
  /** A stream listener this long behind is let go (default 10 s). */
  stuckStreamMs?: number;
}

export class VoiceRooms implements RoomWatcher {
  #options: VoiceRoomsOptions;
  #rooms = new Map<number, VoiceRoom>();
  // Pages opening together (a room's start, a server restart) share their first read.
  #snapshots: FreshReads<number, RoomSnapshot | null>;
  // A socket's first read of its room: an offer sent at once (a reconnect) waits for it.
  #opening = new WeakMap<VoiceSocket, Promise<void>>();
  #checkTimer: ReturnType<typeof setInterval> | undefined;
  #checking: Promise<void> = Promise.resolve();
  #stuckStreamMs: number;

  constructor(options: VoiceRoomsOptions) {
    this.#options = options;
    this.#stuckStreamMs = options.stuckStreamMs ?? 10_000;
    this.#snapshots = new FreshReads((roomId) => roomSnapshot(options.sql, roomId));
  }

  /** Follows where this node's rooms' homes are, every fifth of a lease. */
  start(): void {
    this.#checkTimer = setInterval(() => {
      this.#checking = this.#checking.then(() => this.#checkHomes()).catch((error) =>
        console.error("Checking rooms' homes failed:", error)
      );
    }, this.#options.leaseMs / 5);
  }

  /** A voice socket opened: read the room, tell the page its place and who is speaking. */
  open(socket: VoiceSocket): Promise<void> {
    const room = this.#room(socket.roomId);
    room.sockets.add(socket);
    const opening = this.#snapshots.read(socket.roomId).then((snapshot) => {
      this.roomRead(socket.roomId, snapshot);
      if (room.sockets.has(socket)) send(socket, { type: "speaking", handles: room.speaking });
    });
    this.#opening.set(socket, opening.catch(() => {}));
    return opening;
  }

  /** A message from a page: an offer or a candidate, answered; anything else, an error frame. */
  async receive(socket: VoiceSocket, data: unknown): Promise<void> {
    try {
      const message = parseSignal(data);
      await this.#opening.get(socket);
      const room = this.#rooms.get(socket.roomId);
      if (!room?.sockets.has(socket) || !socket.place) {
        throw new Refusal("forbidden", "live.not_in_room");
      }
      if (message.type === "candidate" && !socket.inMedia) {
        throw new Refusal("invalid", "voice.candidate_before_offer");
      }
      if (message.type === "listen") return await this.#listen(room, socket);
      const answer = await this.#ask(room, socket, {
        op: "signal",
        session: socket.mediaId,
        member: socket.memberId,
        message,
      });
      if (!answer || !room.sockets.has(socket)) return;
      if (socket.streaming) {
        // Invited on stage (or asked for a connection): the home stopped its stream for it.
        socket.streaming = false;
        this.#followStream(room);
      }
      socket.inMedia = true;
      for (const reply of answer.replies ?? []) send(socket, reply);
    } catch (error) {
      // What the page sent wrong is said in its words; the relay and media speak to operators,
      // so their detail goes to the log and the page gets words of its own.
      if (error instanceof Refusal) {
        send(socket, { type: "error", message: error.messageIn(socket.words.t) });
        return;
      }
      console.error("A voice message failed:", error);
      send(socket, { type: "error", message: socket.words.t("voice.failed") });
    }
  }

  /** The socket closed: its connection leaves the room's media. */
  close(socket: VoiceSocket): void {
    const room = this.#rooms.get(socket.roomId);
    if (!room?.sockets.delete(socket)) return;
    if ((socket.inMedia || socket.streaming) && room.home) {
      const home = room.home;
      this.#options.bus.request(
        homeSubject(home.nodeId),
        encodeMessage(
          {
            op: "leave",
            room: socket.roomId,
            key: home.streamKey,
            session: socket.mediaId,
          } satisfies ToHome,
        ),
        relayTimeoutMs,
      ).catch(() => {/* a home that is gone has let go of everyone */});
    }
    socket.inMedia = false;
    if (socket.streaming) {
      socket.streaming = false;
      this.#followStream(room);
    }
    if (room.sockets.size === 0) {
      this.#unfollow(room);
      this.#rooms.delete(socket.roomId);
    }
  }

  /** Closes every voice socket here (the node is stopping). */
  stop(): void {
    clearInterval(this.#checkTimer);
    for (const room of this.#rooms.values()) {
      for (const socket of room.sockets) closeQuietly(socket.ws, 1001, "Server going away");
      this.#unfollow(room);
    }
    this.#rooms.clear();
  }

  /** Whether the room feed should read `roomId` on a change (pages here have its voice). */
  watches(roomId: number): boolean {
    return this.#rooms.has(roomId);
  }

  /** A fresh read of the room: tell each page its place, let go of whoever is not in it. */
  roomRead(roomId: number, snapshot: RoomSnapshot | null): void {
    const room = this.#rooms.get(roomId);
    if (!room) return;
    const live = snapshot?.room.state === "live";
    for (const socket of [...room.sockets]) {
      const me = live ? snapshot!.participants.find((p) => p.userId === socket.memberId) : null;
      if (!me) {
        // A normal close: the page does not reconnect to a room it is not in.
        this.close(socket);
        closeQuietly(socket.ws, 1000, live ? "Not in this room" : "Room has ended");
        continue;
      }
      socket.place = {
        handle: me.handle,
        role: me.role === "listener" ? "listener" : "speaker",
        muted: me.muted,
        mutedByModerator: me.mutedByModerator,
      };
      const state = {
        type: "state",
        stage: socket.place.role === "speaker",
        muted: me.muted,
        mutedByModerator: me.mutedByModerator,
      };
      const text = JSON.stringify(state);
      if (text !== socket.sentState) {
        socket.sentState = text;
        sendQuietly(socket.ws, text);
      }
    }
  }

  #room(roomId: number): VoiceRoom {
    let room = this.#rooms.get(roomId);
    if (!room) {
      room = { sockets: new Set(), home: null, speaking: [] };
      this.#rooms.set(roomId, room);
    }
    return room;
  }

  /** A listener's page asks how to hear the room: its own connection, or the room's stream. */
  async #listen(room: VoiceRoom, socket: VoiceSocket): Promise<void> {
    if (socket.place!.role === "speaker" || socket.inMedia) {
      return send(socket, { type: "webrtc" });
    }
    const answer = await this.#ask(room, socket, {
      op: "listen",
      session: socket.mediaId,
      member: socket.memberId,
    });
    if (!answer || !room.sockets.has(socket)) return;
    if (answer.listen !== "stream") return send(socket, { type: "webrtc" });
    socket.streaming = true;
    this.#followStream(room);
    sendQuietly(socket.ws, streamFormatText);
  }

  /**
   * Asks the room's home, placing the room first if it has none. A home that answers "not me"
   * (its lease went elsewhere) is looked up once more; one that is gone closes the room's media
   * sockets here (null).
   */
  async #ask(
    room: VoiceRoom,
    socket: VoiceSocket,
    request: Omit<ToHome & { op: "signal" | "listen" }, "room" | "key"> & Partial<ToHome>,
  ): Promise<(FromHome & { ok: true }) | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const home = await this.#home(room, socket.roomId);
      if (!room.sockets.has(socket)) return null;
      let answer: FromHome;
      try {
        const data = await this.#options.bus.request(
          homeSubject(home.nodeId),
          encodeMessage({ ...request, room: socket.roomId, key: home.streamKey } as ToHome),
          relayTimeoutMs,
        );
        answer = decodeMessage<FromHome>(data);
      } catch (error) {
        if (!(error instanceof BusError)) throw error;
        console.warn(`A room's home did not answer (${error.code}); its pages reconnect`);
        // Nothing listens on the home's subject: its process is gone, so is the room's media
        // there. Its lease is let go now, so the pages' next offers place the room at once.
        if (error.code === "no_responders") {
          await releaseHome(this.#options.sql, socket.roomId, home.streamKey);
        }
        this.#homeLost(socket.roomId, home);
        closeQuietly(socket.ws, 1012, "Voice restarted");
        return null;
      }
      if (answer.ok) return answer;
      if (answer.refused === "not_home") {
        if (room.home?.streamKey === home.streamKey) this.#unfollow(room);
        continue;
      }
      if (answer.refused === "not_in_room") throw new Refusal("forbidden", "live.not_in_room");
      throw new Error(`The room's home refused: ${answer.message}`);
    }
    throw new Error("The room's home moved twice while asked");
  }

  /** Where the room's media lives, placing it if it has no home; follows its events. */
  async #home(room: VoiceRoom, roomId: number): Promise<RoomHome> {
    if (room.home) return room.home;
    const home = await placeHome(this.#options.sql, roomId, this.#options);
    if (!room.home) this.#follow(room, home);
    return room.home!;
  }

  /** Hears the events of the room's home (and its stream, when pages here need it). */
  #follow(room: VoiceRoom, home: RoomHome): void {
    this.#unfollow(room);
    room.home = home;
    room.unsubscribeEvents = this.#options.bus.subscribe(
      roomEventsSubject(home.streamKey),
      (data) => this.#event(room, home, decodeMessage<RoomEvent>(data)),
    );
    this.#followStream(room);
  }

  #unfollow(room: VoiceRoom): void {
    room.unsubscribeEvents?.();
    room.unsubscribeStream?.();
    room.unsubscribeEvents = room.unsubscribeStream = undefined;
    room.home = null;
    room.speaking = [];
  }

  /** Subscribes to the room's stream once while a page here hears it, and only then. */
  #followStream(room: VoiceRoom): void {
    const wanted = room.home !== null && [...room.sockets].some((s) => s.streaming);
    if (wanted && !room.unsubscribeStream) {
      room.unsubscribeStream = this.#options.bus.subscribe(
        streamSubject(room.home!.streamKey),
        (batch) => this.#stream(room, batch),
      );
    } else if (!wanted && room.unsubscribeStream) {
      room.unsubscribeStream();
      room.unsubscribeStream = undefined;
    }
  }

  #event(room: VoiceRoom, home: RoomHome, event: RoomEvent): void {
    if (room.home !== home) return;
    switch (event.op) {
      case "speaking": {
        room.speaking = event.handles;
        const text = JSON.stringify({ type: "speaking", handles: event.handles });
        for (const socket of room.sockets) sendQuietly(socket.ws, text);
        return;
      }
      case "moved":
        for (const socket of room.sockets) {
          if (socket.mediaId !== event.session || !socket.inMedia) continue;
          socket.inMedia = false;
          send(socket, { type: "moved" });
        }
        return;
      case "lost":
        for (const [roomId, r] of this.#rooms) if (r === room) this.#homeLost(roomId, home);
        return;
    }
  }

  /** The room's media is gone: pages whose voice was in it reconnect (not 1000) and offer again. */
  #homeLost(roomId: number, home: RoomHome): void {
    const room = this.#rooms.get(roomId);
    if (!room || room.home?.streamKey !== home.streamKey) return;
    this.#unfollow(room);
    for (const socket of room.sockets) {
      if (!socket.inMedia && !socket.streaming) continue;
      socket.inMedia = false;
      socket.streaming = false;
      closeQuietly(socket.ws, 1012, "Voice restarted");
    }
    for (const socket of room.sockets) send(socket, { type: "speaking", handles: [] });
  }

  /**
   * Where this node's rooms' homes are now: a home replaced, or on another node and past its
   * lease (its node died or stalled), loses its pages here; a room that got a home elsewhere is
   * followed (its speaking rings show here).
   */
  async #checkHomes(): Promise<void> {
    await this.#pingHomes();
    const roomIds = [...this.#rooms.keys()];
    const homes = await currentHomes(this.#options.sql, roomIds);
    for (const roomId of roomIds) {
      const room = this.#rooms.get(roomId);
      if (!room) continue;
      const now = homes.get(roomId);
      const home = room.home;
      // Replaced or given up; or, held by another node, silent past its lease (a machine gone or
      // stalled). This node's own lease, late to renew under load, is still its own.
      const gone = now?.streamKey !== home?.streamKey ||
        (now?.live === false && home?.nodeId !== this.#options.nodeId);
      if (home && gone) this.#homeLost(roomId, home);
      if (now?.live && !room.home) {
        this.#follow(room, { nodeId: now.nodeId, streamKey: now.streamKey });
      }
    }
  }

  /**
   * Asks each other node that homes a room followed here whether it still answers. A process that
   * died has no subscription left on the bus, so the answer is "no responders" at once: its rooms'
   * leases are let go and their pages here reconnect, without waiting for the leases to run out.
   */
  async #pingHomes(): Promise<void> {
    const { bus, nodeId, sql } = this.#options;
    const byNode = new Map<string, { roomId: number; home: RoomHome }[]>();
    for (const [roomId, room] of this.#rooms) {
      if (!room.home || room.home.nodeId === nodeId) continue;
      const rooms = byNode.get(room.home.nodeId) ?? [];
      rooms.push({ roomId, home: room.home });
      byNode.set(room.home.nodeId, rooms);
    }
    await Promise.all([...byNode].map(async ([homeNode, rooms]) => {
      try {
        await bus.request(homeSubject(homeNode), pingMessage, this.#options.leaseMs / 5);
      } catch (error) {
        if (!(error instanceof BusError) || error.code !== "no_responders") return;
        console.warn("A node that homes rooms is gone; their pages here reconnect");
        for (const { roomId, home } of rooms) {
          await releaseHome(sql, roomId, home.streamKey);
          this.#homeLost(roomId, home);
        }
      }
    }));
  }

  /**
   * One batch of the room's stream to every page here listening by stream. A page more than a
   * second behind skips batches, and hears the live edge once it catches up; one that has not
   * caught up for `stuckStreamMs` (a frozen phone, a dead link the kernel still buffers for) is
   * closed with 1013, so its page, if alive, reconnects, and the server stops holding its backlog.
   */
  #stream(room: VoiceRoom, batch: Uint8Array): void {
    // One ArrayBuffer for every socket: Deno's send checks and converts a view each time, and
    // takes a buffer as it is (0.8 against 1.6 µs of JavaScript a send, measured on a bare
    // Deno.serve sending to 2,000 sockets).
    // (`new Uint8Array`, not `slice`: a Node Buffer's `slice` is a view of its whole pool.)
    const bytes = batch.byteOffset === 0 && batch.byteLength === batch.buffer.byteLength
      ? batch.buffer as ArrayBuffer
      : new Uint8Array(batch).buffer;
    const now = Date.now();
    for (const socket of room.sockets) {
      if (!socket.streaming) continue;
      const raw = socket.ws.raw as WebSocket | undefined;
      if ((raw?.bufferedAmount ?? 0) > maxBufferedBytes) {
        socket.behindSince ??= now;
        if (now - socket.behindSince > this.#stuckStreamMs) {
          this.close(socket);
          closeQuietly(socket.ws, 1013, "Too far behind the room");
        }
        continue;
      }
      socket.behindSince = undefined;
      sendQuietly(socket.ws, bytes);
    }
  }
}

/** A page's message, checked field by field. */
export function parseSignal(data: unknown): VoiceMessage {
  if (typeof data !== "string" || data.length > maxMessageChars) {
    throw new Refusal("invalid", "voice.message.too_long");
  }
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(data);
  } catch {
    throw new Refusal("invalid", "refusal.message.not_json");
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw new Refusal("invalid", "refusal.message.not_object");
  }
  if (fields.type === "listen") return { type: "listen" };
  if (fields.type === "offer" && typeof fields.sdp === "string") {
    return { type: "offer", sdp: fields.sdp };
  }
  if (fields.type === "candidate") {
    const candidate = fields.candidate as Record<string, unknown> | null | undefined;
    if (candidate === null) return { type: "candidate", candidate: null };
    if (
      typeof candidate === "object" && candidate !== undefined &&
      typeof candidate.candidate === "string" &&
      (candidate.sdpMid == null || typeof candidate.sdpMid === "string") &&
      (candidate.sdpMLineIndex == null || Number.isInteger(candidate.sdpMLineIndex))
    ) {
      return {
        type: "candidate",
        candidate: {
          candidate: candidate.candidate,
          sdpMid: (candidate.sdpMid as string | undefined) ?? null,
          sdpMLineIndex: (candidate.sdpMLineIndex as number | undefined) ?? null,
        },
      };
    }
  }
  throw new Refusal("invalid", "voice.message.unknown");
}

function send(socket: VoiceSocket, frame: unknown): void {
  sendQuietly(socket.ws, JSON.stringify(frame));
}
