/**
 * The voice of every live room in this process: the pages' voice sockets, one `RoomMedia` per
 * room (made on the first offer, closed when the room ends or nobody is connected to it), and
 * the map from each socket's opaque media id to its member, which never leaves this module.
 * Who is heard comes from the database only: the room feed (live/room_feed.ts) hands over every
 * fresh read of a room (`roomRead`), and roles and mutes are applied from it.
 *
 * Frames to a page, as JSON text: `{type:"answer",sdp}`, `{type:"state",stage,muted,
 * mutedByModerator}` (the member's own place), `{type:"speaking",handles}` (on every change),
 * `{type:"moved"}` (another page of the member's took their voice in this room),
 * `{type:"stream",codec,sampleRate,channels,packetMs,startMs,maxMs}` or `{type:"webrtc"}` (the answer to a
 * listener's `{type:"listen"}`), `{type:"error",message}`; and, to a page listening by stream,
 * binary batches of Opus packets (media/broadcast.ts).
 *
 * How a listener hears the room: by a WebRTC connection of their own while the room has fewer
 * than `webrtcListenersPerRoom` of them (the lowest latency), by the room's stream after that
 * (encoded once for all of them: a send per listener per batch, every 40 ms, instead of an
 * encoder each).
 * People on stage always have a connection: they must send.
 *
 * @example
 * const voice = new VoiceRooms({ sql, createMedia: (o) => new RoomMedia({ ...o, iceServers }) });
 * hub.watchRooms(voice);
 */
import type { Words } from "../i18n/translate.ts";
import type { WSContext } from "hono/ws";
import type { Sql } from "../db/client.ts";
import { isHeard, type RoomSnapshot, roomSnapshot } from "../db/rooms.ts";
import { MediaError } from "../media/errors.ts";
import { Refusal } from "../db/errors.ts";
import { streamFormat } from "../media/stream_format.ts";
import { FreshReads } from "./fresh_reads.ts";
import type { RoomWatcher } from "./room_feed.ts";
import { closeQuietly, sendQuietly } from "./sockets.ts";
import { defaultWebrtcListenersPerRoom } from "../config.ts";
import type { Role, SignalMessage } from "../media/room_media.ts";

/** The part of `RoomMedia` voice uses (wrtc is loaded only by whoever makes one). */
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

/** One page's voice socket. */
export interface VoiceSocket {
  ws: WSContext;
  memberId: number;
  /** The page's words: its error frames speak the page's language. */
  words: Words;
  roomId: number;
  /** Random, per socket: the only name the media layer knows this page by. */
  mediaId: string;
  /** Set from the room's read: the member's handle, role, mute, and whether the room hears them. */
  place?: {
    handle: string;
    role: Role;
    muted: boolean;
    mutedByModerator: boolean;
    heard: boolean;
  };
  /** Whether this socket has a connection in the room's media (it sent an offer). */
  inMedia: boolean;
  /** Whether this page hears the room by its stream (it asked to listen and was given it). */
  streaming?: boolean;
  sentState?: string;
}

interface VoiceRoom {
  sockets: Set<VoiceSocket>;
  media: RoomMediaLike | null;
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

/** What a stream listener's page is told it will receive (media/stream_format.ts). */
const streamFormatText = JSON.stringify(streamFormat);

export class VoiceRooms implements RoomWatcher {
  #createMedia: MediaFactory;
  #webrtcListenersPerRoom: number;
  #rooms = new Map<number, VoiceRoom>();
  // Pages opening together (a room's start, a server restart) share their first read.
  #snapshots: FreshReads<number, RoomSnapshot | null>;
  // A socket's first read of its room: an offer sent at once (a reconnect) waits for it.
  #opening = new WeakMap<VoiceSocket, Promise<void>>();

  constructor(
    deps: { sql: Sql; createMedia: MediaFactory; webrtcListenersPerRoom?: number },
  ) {
    this.#createMedia = deps.createMedia;
    this.#webrtcListenersPerRoom = deps.webrtcListenersPerRoom ?? defaultWebrtcListenersPerRoom;
    this.#snapshots = new FreshReads((roomId) => roomSnapshot(deps.sql, roomId));
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
      if (!room.media) {
        const media: RoomMediaLike = this.#createMedia({
          onSpeaking: (ids) => this.#speaking(socket.roomId, ids),
          onAudio: (batch) => this.#stream(socket.roomId, batch),
          onLost: () => this.#mediaLost(socket.roomId, media),
        });
        room.media = media;
      }
      if (message.type === "listen") return this.#listen(room, socket);
      if (socket.streaming) {
        // Invited on stage (or asked for a connection): the stream is no longer needed.
        socket.streaming = false;
        this.#updateBroadcast(room);
      }
      if (!socket.inMedia) {
        takeOverVoice(room, socket);
        socket.inMedia = true;
        applyPlace(room.media, socket);
      }
      for (const reply of await room.media.handleSignal(socket.mediaId, message)) {
        send(socket, reply);
      }
    } catch (error) {
      // What the page sent wrong is said in its words; media/ speaks to operators, so its detail
      // goes to the log and the page gets words of its own.
      if (error instanceof Refusal) {
        send(socket, { type: "error", message: error.messageIn(socket.words.t) });
        return;
      }
      if (error instanceof MediaError) console.warn("A voice message was refused:", error.message);
      else console.error("A voice message failed:", error);
      send(socket, { type: "error", message: socket.words.t("voice.failed") });
    }
  }

  /** The socket closed: its connection leaves the room's media. */
  close(socket: VoiceSocket): void {
    const room = this.#rooms.get(socket.roomId);
    if (!room?.sockets.delete(socket)) return;
    if (socket.inMedia) room.media?.leave(socket.mediaId);
    socket.inMedia = false;
    if (socket.streaming) {
      socket.streaming = false;
      this.#updateBroadcast(room);
    }
    if (![...room.sockets].some((s) => s.inMedia || s.streaming)) {
      room.media?.close();
      room.media = null;
      room.speaking = [];
    }
    if (room.sockets.size === 0) this.#rooms.delete(socket.roomId);
  }

  /** Closes every room's media (the process is stopping). */
  stop(): void {
    for (const room of this.#rooms.values()) {
      for (const socket of room.sockets) closeQuietly(socket.ws, 1001, "Server going away");
      room.media?.close();
    }
    this.#rooms.clear();
  }

  /** Whether the room feed should read `roomId` on a change (this process has its voice). */
  watches(roomId: number): boolean {
    return this.#rooms.has(roomId);
  }

  /** A fresh read of the room: apply roles and mutes, let go of whoever is not in it. */
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
        heard: isHeard(me),
      };
      if (socket.inMedia && room.media) applyPlace(room.media, socket);
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
      room = { sockets: new Set(), media: null, speaking: [] };
      this.#rooms.set(roomId, room);
    }
    return room;
  }

  /** Pages whose connection was in lost media reconnect (not 1000), and offer to fresh media. */
  #mediaLost(roomId: number, media: RoomMediaLike): void {
    const room = this.#rooms.get(roomId);
    if (room?.media !== media) return;
    room.media = null;
    room.speaking = [];
    for (const socket of room.sockets) {
      if (!socket.inMedia && !socket.streaming) continue;
      socket.inMedia = false;
      socket.streaming = false;
      closeQuietly(socket.ws, 1012, "Voice restarted");
    }
  }

  /** A listener's page asks how to hear the room: its own connection, or the room's stream. */
  #listen(room: VoiceRoom, socket: VoiceSocket): void {
    const connections =
      [...room.sockets].filter((s) => s.inMedia && s.place?.role === "listener").length;
    if (
      socket.place!.role === "speaker" || socket.inMedia ||
      connections < this.#webrtcListenersPerRoom
    ) {
      return send(socket, { type: "webrtc" });
    }
    socket.streaming = true;
    this.#updateBroadcast(room);
    sendQuietly(socket.ws, streamFormatText);
  }

  #updateBroadcast(room: VoiceRoom): void {
    room.media?.setBroadcast([...room.sockets].some((s) => s.streaming));
  }

  /** One batch of the room's stream to every page listening by stream, unless it lags. */
  #stream(roomId: number, batch: Uint8Array<ArrayBuffer>): void {
    const room = this.#rooms.get(roomId);
    if (!room) return;
    // One ArrayBuffer for every socket: Deno's send checks and converts a view each time, and
    // takes a buffer as it is (0.8 against 1.6 µs of JavaScript a send, measured on a bare
    // Deno.serve sending to 2,000 sockets).
    const bytes = batch.byteLength === batch.buffer.byteLength
      ? batch.buffer
      : batch.slice().buffer;
    for (const socket of room.sockets) {
      if (!socket.streaming) continue;
      const raw = socket.ws.raw as WebSocket | undefined;
      if ((raw?.bufferedAmount ?? 0) > maxBufferedBytes) continue;
      sendQuietly(socket.ws, bytes);
    }
  }

  #speaking(roomId: number, mediaIds: string[]): void {
    const room = this.#rooms.get(roomId);
    if (!room) return;
    const ids = new Set(mediaIds);
    const handles = new Set<string>();
    for (const socket of room.sockets) {
      if (ids.has(socket.mediaId) && socket.place) handles.add(socket.place.handle);
    }
    room.speaking = [...handles].sort();
    const text = JSON.stringify({ type: "speaking", handles: room.speaking });
    for (const socket of room.sockets) sendQuietly(socket.ws, text);
  }
}

/**
 * A member is heard from one page at a time: a newer page that joins audio takes the voice from
 * their other pages in the room, which are told and keep their socket (so they can take it back).
 */
function takeOverVoice(room: VoiceRoom, socket: VoiceSocket): void {
  for (const other of room.sockets) {
    if (other === socket || other.memberId !== socket.memberId || !other.inMedia) continue;
    room.media?.leave(other.mediaId);
    other.inMedia = false;
    send(other, { type: "moved" });
  }
}

function applyPlace(media: RoomMediaLike, socket: VoiceSocket): void {
  const place = socket.place!;
  media.setRole(socket.mediaId, place.role);
  media.setHeard(socket.mediaId, place.heard);
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
