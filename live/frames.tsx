/**
 * What the page hub sends down a live socket: frames htmx's hx-ws swaps into the page, each the
 * HTML of a view (the room's live part, a notice, the hallway's lists) and where it goes.
 *
 * @example
 * ws.send(JSON.stringify(roomFrame(snapshot, memberId)));
 */
import type { RoomSnapshot } from "../db/rooms.ts";
import type { RankedHallway } from "../recommend/hallway.ts";
import { HallwayLists } from "../views/hallway.tsx";
import { RoomLive } from "../views/room.tsx";

/** A frame htmx's hx-ws swaps: `content` into `target`. */
export interface Frame {
  content: string;
  target: string;
  swap: string;
}

/**
 * The room's live part as `viewerId` sees it.
 *
 * @example
 * const frame = roomFrame(snapshot, 7); // { target: "#room-live", ... }
 */
export function roomFrame(snapshot: RoomSnapshot, viewerId: number): Frame {
  return {
    content: String(<RoomLive data={snapshot} viewerId={viewerId} />),
    target: "#room-live",
    swap: "innerHTML",
  };
}

/**
 * A message where the room page shows notices (a refused action, a room the page may not see).
 *
 * @example
 * const frame = noticeFrame("You are not in this room");
 */
export function noticeFrame(message: string): Frame {
  return {
    content: String(<p class="error" role="alert">{message}</p>),
    target: "#room-notice",
    swap: "innerHTML",
  };
}

/**
 * A member's hallway lists, as ranked for them.
 *
 * @example
 * const frame = hallwayFrame(await ranker.hallwayFor(memberId));
 */
export function hallwayFrame(hallway: RankedHallway): Frame {
  return {
    content: String(<HallwayLists hallway={hallway} />),
    target: "#hallway-lists",
    swap: "innerHTML",
  };
}
