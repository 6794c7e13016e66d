/**
 * What the page hub sends down a live socket: frames htmx's hx-ws swaps into the page, each the
 * HTML of a view (the room's live part, a notice, the hallway's lists) and where it goes.
 *
 * @example
 * ws.send(JSON.stringify(roomFrame(snapshot, page)));
 */
import type { RoomSnapshot } from "../db/rooms.ts";
import type { Words } from "../i18n/translate.ts";
import { WordsContext } from "../i18n/words_context.ts";
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
 * The room's live part as `viewer` sees it, in the words they opened the page in.
 *
 * @example
 * const frame = roomFrame(snapshot, { memberId: 7, words }); // { target: "#room-live", ... }
 */
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

/**
 * A message where the room page shows notices (a refused action, a room the page may not see).
 *
 * @example
 * const frame = noticeFrame(words.t("live.not_in_room"));
 */
export function noticeFrame(message: string): Frame {
  return {
    content: String(<p class="error" role="alert">{message}</p>),
    target: "#room-notice",
    swap: "innerHTML",
  };
}

/**
 * A member's hallway lists, as ranked for them, in their page's words.
 *
 * @example
 * const frame = hallwayFrame(await ranker.hallwayFor(memberId), page.words);
 */
export function hallwayFrame(hallway: RankedHallway, words: Words): Frame {
  return {
    content: String(
      <WordsContext.Provider value={words}>
        <HallwayLists hallway={hallway} />
      </WordsContext.Provider>,
    ),
    target: "#hallway-lists",
    swap: "innerHTML",
  };
}
