/**
 * The header's bell: a link to the inbox with the unread count, the socket that keeps it live
 * on every signed-in page (`/notifications/live`, htmx's hx-ws), and the toasts that socket
 * adds. The count starts empty: the socket's first frame fills it, so rendering a page asks the
 * database nothing more. Toasts are links to the room; static/notifications.js dismisses them
 * and, in a hidden tab with permission given, shows the browser's own notification.
 *
 * @example
 * {viewer.onboarded && <Bell />}
 */
import type { Notice } from "../db/notifications.ts";
import type { Translate } from "../i18n/translate.ts";
import { useWords } from "../i18n/words_context.ts";

export function Bell() {
  const { t } = useWords();
  return (
    <div class="bell" id="bell" hx-ws:connect="/notifications/live">
      <a class="bell-link" href="/notifications">
        <BellIcon />
        <span class="bell-label">{t("notify.bell")}</span> <BellCount count={0} />
      </a>
      <div id="bell-live" hidden></div>
      <div id="toasts" class="toasts" role="region" aria-label={t("notify.toasts")}>
        <div id="toast-list" aria-live="polite"></div>
      </div>
    </div>
  );
}

/**
 * The unread count inside the bell's link: nothing shown at zero. `live`: sent by the socket
 * (the page's first render knows no count yet).
 */
export function BellCount(props: { count: number; live?: boolean }) {
  const { t, number } = useWords();
  const live = props.live ? "" : undefined;
  if (props.count === 0) {
    return <span id="bell-count" class="bell-count" data-live={live} hidden></span>;
  }
  return (
    <span id="bell-count" class="bell-count" data-live={live}>
      <span aria-hidden="true">{number(props.count)}</span>
      <span class="visually-hidden">{t("notify.bell.unread", { count: props.count })}</span>
    </span>
  );
}

/** A new notification on an open page: a link to its room, and a button to dismiss it. */
export function Toast(props: { notice: Notice }) {
  const { t } = useWords();
  const text = noticeText(t, props.notice);
  return (
    <div class="toast" id={`toast-${props.notice.id}`} data-notice={text}>
      <a href={`/rooms/${props.notice.room.publicId}`}>{text}</a>
      <button type="button" class="link" data-dismiss-toast aria-label={t("notify.dismiss")}>
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" stroke-width="2" />
        </svg>
      </button>
    </div>
  );
}

/**
 * What a notification says, in the viewer's words.
 *
 * @example
 * noticeText(t, notice); // "Ada started “Late jazz”"
 */
export function noticeText(t: Translate, notice: Notice): string {
  return t(`notify.kind.${notice.kind}`, {
    name: notice.actor.displayName,
    title: notice.room.title,
  });
}

function BellIcon() {
  return (
    <svg class="bell-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
      <path
        fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z"
      />
    </svg>
  );
}
