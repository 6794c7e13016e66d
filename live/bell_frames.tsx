/**
 * What a bell's socket receives: the unread count, and with a new notification its toast, as
 * `<hx-partial>`s htmx swaps into the bell (views/bell.tsx).
 *
 * @example
 * ws.send(JSON.stringify(bellFrame({ count: 2, words, notice })));
 */
import type { Departure } from "../db/events.ts";
import type { Notice } from "../db/notifications.ts";
import type { Words } from "../i18n/translate.ts";
import { WordsContext } from "../i18n/words_context.ts";
import { AccountEnded } from "../views/account_ended.tsx";
import { BellCount, Toast } from "../views/bell.tsx";
import type { Frame } from "./frames.tsx";

/**
 * The bell's new count, and `notice`'s toast added to the page's toasts when there is one.
 *
 * @example
 * bellFrame({ count: 0, words }); // the count only: the member read everything
 */
export function bellFrame(what: { count: number; words: Words; notice?: Notice }): Frame {
  const count = String(
    <WordsContext.Provider value={what.words}>
      <BellCount count={what.count} live />
    </WordsContext.Provider>,
  );
  let content = `<hx-partial hx-target="#bell-count" hx-swap="outerHTML">${count}</hx-partial>`;
  if (what.notice) {
    const toast = String(
      <WordsContext.Provider value={what.words}>
        <Toast notice={what.notice} />
      </WordsContext.Provider>,
    );
    content += `<hx-partial hx-target="#toast-list" hx-swap="beforeend">${toast}</hx-partial>`;
  }
  return { content, target: "#bell-live", swap: "innerHTML" };
}

/**
 * The page's member was signed out by a suspension or a deletion: the page's main content becomes
 * the notice, and with it go the room or hallway it showed and their sockets.
 *
 * @example
 * accountEndedFrame({ words, why: "suspended" });
 */
export function accountEndedFrame(what: { words: Words; why: Departure }): Frame {
  const notice = String(
    <WordsContext.Provider value={what.words}>
      <AccountEnded why={what.why} />
    </WordsContext.Provider>,
  );
  return {
    content: `<hx-partial hx-target="#main" hx-swap="innerHTML">${notice}</hx-partial>`,
    target: "#bell-live",
    swap: "innerHTML",
  };
}
