/**
 * What the page hub sends down a live socket: frames htmx's hx-ws swaps into the page, each the
 * HTML of a view (the room's live part or the parts of it that changed, a notice, the hallway's
 * lists) and where it goes.
 *
 * @example
 * ws.send(JSON.stringify(roomChangeFrame(shown, renderRoom(snapshot, page))));
 */
import type { RoomSnapshot } from "../db/rooms.ts";
import type { Words } from "../i18n/translate.ts";
import { WordsContext } from "../i18n/words_context.ts";
import type { RankedHallway } from "../recommend/hallway.ts";
import { HallwayLists } from "../views/hallway.tsx";
import { roomLiveParts } from "../views/room.tsx";

/** A frame htmx's hx-ws swaps: `content` into `target`. */
export interface Frame {
  content: string;
  target: string;
  swap: string;
}

/** The room's live part as one viewer sees it, rendered: each part's id and HTML, in order. */
export type RenderedRoom = readonly { id: string; html: string }[];

/**
 * Renders the room's live part as `viewer` sees it, in the words they opened the page in, part by
 * part (views/room.tsx `roomLiveParts`), for `roomFrame` and `roomChangeFrame` to send.
 *
 * @example
 * const rendered = renderRoom(snapshot, { memberId: 7, words }); // [{ id: "room-self", ... }]
 */
export function renderRoom(
  snapshot: RoomSnapshot,
  viewer: { memberId: number; words: Words },
): RenderedRoom {
  return roomLiveParts({ data: snapshot, viewerId: viewer.memberId }).map((part) => ({
    id: part.id,
    html: String(
      <WordsContext.Provider value={viewer.words}>{part.view}</WordsContext.Provider>,
    ),
  }));
}

/**
 * The whole live part of the room, for a page that has nothing of it yet (it just connected)
 * or whose parts are not the ones it shows (the viewer went on stage, the room ended).
 *
 * @example
 * const frame = roomFrame(renderRoom(snapshot, page)); // { target: "#room-live", ... }
 */
export function roomFrame(rendered: RenderedRoom): Frame {
  return {
    content: rendered.map((part) => part.html).join(""),
    target: "#room-live",
    swap: "innerHTML",
  };
}

/**
 * What a page showing `before` needs to show `after`: only the parts whose HTML changed, each an
 * `<hx-partial>` that htmx swaps for the element of the same id; the whole live part when the
 * page shows other parts (or none yet); null when nothing changed.
 *
 * @example
 * roomChangeFrame(shown, renderRoom(snapshot, page)); // a hand raised: the hands and audience
 */
export function roomChangeFrame(
  before: RenderedRoom | undefined,
  after: RenderedRoom,
): Frame | null {
  if (!before || !sameParts(before, after)) return roomFrame(after);
  const changed = after.filter((part, i) => part.html !== before[i].html);
  if (changed.length === 0) return null;
  return {
    // Partials only: htmx swaps each into its target and leaves #room-live itself alone.
    content: changed.map((part) =>
      `<hx-partial hx-target="#${part.id}" hx-swap="outerHTML">${part.html}</hx-partial>`
    ).join(""),
    target: "#room-live",
    swap: "innerHTML",
  };
}

function sameParts(a: RenderedRoom, b: RenderedRoom): boolean {
  return a.length === b.length && a.every((part, i) => part.id === b[i].id);
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
