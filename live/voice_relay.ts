/**
 * What the nodes of a Palabre say to each other about rooms' voice, on the bus (live/bus.ts).
 * A page's voice socket reaches one node (its edge); the room's media lives on one node (its home,
 * db/room_homes.ts), which may be the same. The edge asks the home (request/reply on the home
 * node's subject) and hears the room (its events and its stream, published once by the home on
 * subjects named by the placement's random key: no room or member id in a subject, and the stream
 * carries Opus batches only).
 *
 * @example
 * bus.request(homeSubject(home.nodeId), encodeMessage(request), relayTimeoutMs);
 * bus.subscribe(streamSubject(home.streamKey), (batch) => fanOut(batch));
 */
import type { SignalMessage } from "../media/room_media.ts";

/** Requests from an edge to a room's home. */
export type ToHome =
  | {
    op: "signal";
    room: number;
    key: string;
    session: string;
    member: number;
    message: SignalMessage;
  }
  /** How a listener hears the room: a WebRTC connection of their own, or the room's stream. */
  | { op: "listen"; room: number; key: string; session: string; member: number }
  | { op: "leave"; room: number; key: string; session: string }
  /** Whether the node still answers (an edge checks the homes it follows). */
  | { op: "ping" };

/** A home's answers. */
export type FromHome =
  | { ok: true; replies?: SignalMessage[]; listen?: "webrtc" | "stream" }
  | {
    ok: false;
    /** `not_home`: this node does not hold the room under that key (the edge looks again). */
    refused: "not_home" | "not_in_room" | "failed";
    message: string;
  };

/** What a home publishes to every edge with pages in the room. */
export type RoomEvent =
  /** Who is speaking now, by handle, sorted. */
  | { op: "speaking"; handles: string[] }
  /** The member of `session` took their voice to another page: that page is told. */
  | { op: "moved"; session: string }
  /** The room's media here ended (its media process died, or the lease was lost). */
  | { op: "lost" };

/** A node's requests arrive here. */
export function homeSubject(nodeId: string): string {
  return `palabre.home.${nodeId}`;
}

/** A room's events, under its placement's key. */
export function roomEventsSubject(streamKey: string): string {
  return `palabre.room.${streamKey}`;
}

/** A room's stream (Opus batches), under its placement's key. */
export function streamSubject(streamKey: string): string {
  return `palabre.stream.${streamKey}`;
}

/**
 * How long an edge waits for a home. An answer needs the home's ICE gathering (a few hundred ms
 * at most on host candidates); a home that takes longer is taken for gone.
 */
export const relayTimeoutMs = 10_000;
