/**
 * /notifications: the member's inbox, newest first, a page at a time, each notification a link
 * to its room with a button to mark it read, and one to mark them all; a button asks this
 * browser to show them as its own notifications (static/notifications.js, only on a click).
 *
 * @example
 * <InboxView inbox={await inbox(sql, member.id)} />
 */
import type { InboxPage, Notice } from "../db/notifications.ts";
import { useWords } from "../i18n/words_context.ts";
import { noticeText } from "./bell.tsx";

export function InboxView(props: { inbox: InboxPage; paged: boolean }) {
  const { t } = useWords();
  const { notices, next } = props.inbox;
  return (
    <section class="card inbox" aria-labelledby="inbox-title">
      <h1 id="inbox-title">{t("notify.inbox.title")}</h1>
      <div class="actions">
        <form method="post" action="/notifications/read-all" class="inline">
          <button type="submit" class="secondary">{t("notify.inbox.mark_all")}</button>
        </form>{" "}
        <a href="/settings#notifications">{t("notify.inbox.settings")}</a>
      </div>
      <BrowserPermission />
      {notices.length === 0
        ? <p class="muted">{t("notify.inbox.empty")}</p>
        : (
          <ol class="inbox-list">
            {notices.map((notice) => <InboxItem notice={notice} />)}
          </ol>
        )}
      <p class="paging">
        {props.paged && <a href="/notifications">{t("notify.inbox.newest")}</a>}{" "}
        {next !== null && (
          <a href={`/notifications?before=${next}`} rel="next">{t("notify.inbox.older")}</a>
        )}
      </p>
    </section>
  );
}

function InboxItem(props: { notice: Notice }) {
  const { t } = useWords();
  const n = props.notice;
  const iso = n.createdAt.toISOString();
  return (
    <li class={n.read ? "notice-item" : "notice-item unread"} data-notice-id={n.id}>
      <a href={`/rooms/${n.room.publicId}`}>{noticeText(t, n)}</a>{" "}
      <time datetime={iso} data-local-time>{iso.slice(0, 16).replace("T", " ")} UTC</time>
      {!n.read && (
        <>
          {" "}
          <span class="badge">{t("notify.inbox.unread")}</span>
          <form method="post" action={`/notifications/${n.id}/read`} class="inline">
            <button type="submit" class="link">{t("notify.inbox.mark_read")}</button>
          </form>
        </>
      )}
    </li>
  );
}

/**
 * The button that asks for the browser's notification permission: hidden until
 * static/notifications.js finds the Notification API and no answer yet.
 */
export function BrowserPermission() {
  const { t } = useWords();
  return (
    <div class="browser-permission" data-notification-permission hidden>
      <button type="button" class="secondary">{t("notify.permission.ask")}</button>
      <p class="hint">{t("notify.permission.hint")}</p>
    </div>
  );
}
