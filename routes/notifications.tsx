/**
 * /notifications: the inbox (`?before=` pages on), marking read (one, all), the notification
 * settings /settings shows (`/notifications/settings`), and `/notifications/live`, the socket
 * every signed-in page's bell opens. Every rule is db/notifications.ts's.
 *
 * @example
 * app.route("/notifications", notifications);
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { idParam, readForm, redirectAfterPost, render, texts } from "./http.tsx";
import { type MemberEnv, requireMember, requireOnboarded } from "./session.tsx";
import { checkUpgrade } from "./upgrade.ts";
import { Refusal } from "../db/errors.ts";
import { inbox, markAllRead, markRead, setKindsOn } from "../db/notifications.ts";
import type { BellPage } from "../live/bell_hub.ts";
import { InboxView } from "../views/notifications.tsx";

export const notifications = new Hono<MemberEnv>();

// The socket answers for itself first (a guest gets a 401, not the pages' redirect).
notifications.get(
  "/live",
  checkUpgrade(),
  upgradeWebSocket((c) => {
    const hub = c.get("hub");
    const page: BellPage = { ws: undefined!, memberId: c.get("member").id, words: c.get("words") };
    return {
      onOpen: (_event, ws) => {
        page.ws = ws;
        hub.openBell(page).catch((error: unknown) =>
          console.error("Bell socket failed to open:", error)
        );
      },
      onClose: () => hub.closeBell(page),
    };
  }),
);

notifications.use(requireMember(), requireOnboarded());

notifications.get("/", async (c) => {
  const raw = c.req.query("before");
  const before = raw === undefined ? undefined : Number(raw);
  if (before !== undefined && !(Number.isSafeInteger(before) && before > 0)) {
    throw new Refusal("invalid", "refusal.notice.page");
  }
  const page = await inbox(c.get("sql"), c.get("member").id, { before });
  return render(c, {
    title: c.get("words").t("notify.inbox.title"),
    body: <InboxView inbox={page} paged={before !== undefined} />,
  });
});

notifications.post("/read-all", async (c) => {
  await markAllRead(c.get("sql"), c.get("member").id);
  return redirectAfterPost(c, "/notifications");
});

notifications.post("/settings", async (c) => {
  const form = await readForm(c);
  await setKindsOn(c.get("sql"), c.get("member").id, texts(form, "on"));
  return redirectAfterPost(c, "/settings?notifications=saved#notifications");
});

notifications.post("/:id/read", async (c) => {
  const id = idParam(c, "id");
  if (id === null) throw new Refusal("not_found", "refusal.notice.unknown");
  await markRead(c.get("sql"), c.get("member").id, id);
  return redirectAfterPost(c, "/notifications");
});
