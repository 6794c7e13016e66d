/**
 * `/`: the front door for guests, the set-up page before anyone exists, the hallway for members;
 * `/hallway/live`, the hallway's socket; and the buttons on the hallway's cards, whose URLs name
 * the room or event they act on (`/rooms/:id/not-interested`, `/events/:id/interest`).
 *
 * @example
 * app.route("/", hallway);
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { AppEnv } from "./context.ts";
import {
  isFragmentRequest,
  readForm,
  redirectAfterPost,
  render,
  renderFrom,
  spoken,
  text,
} from "./http.tsx";
import { type MemberEnv, requireMember, requireOnboarded } from "./session.tsx";
import { checkUpgrade } from "./upgrade.ts";
import { visibleRoom } from "./visible_room.ts";
import { needsSetup } from "../db/users.ts";
import { setInterest } from "../db/rooms.ts";
import { markNotInterested } from "../db/listening.ts";
import type { LivePage } from "../live/page_hub.ts";
import { FrontDoorView } from "../views/auth.tsx";
import { DismissedCard, HallwayLists, HallwayView } from "../views/hallway.tsx";
import { byTopicName, topicName } from "../i18n/topics.ts";

export const hallway = new Hono<AppEnv>();

hallway.get("/", async (c) => {
  const member = c.get("member");
  if (!member) {
    if (await needsSetup(c.get("sql"))) return c.redirect("/setup", 303);
    return render(c, { title: c.get("words").t("auth.front.title"), body: <FrontDoorView /> });
  }
  if (!member.onboarded) return c.redirect("/topics", 303);
  const [lists, picked] = await Promise.all([
    c.get("reads").hallwayFor(member.id),
    c.get("reads").pickedTopics(member.id),
  ]);
  return renderFrom(c, [lists, picked], () => ({
    title: c.get("words").t("hallway.title"),
    body: (
      <HallwayView
        hallway={lists}
        displayName={member.displayName}
        topics={byTopicName(c.get("words"), picked).map((topic) =>
          topicName(c.get("words").t, topic)
        )}
      />
    ),
  }));
});

const cards = new Hono<MemberEnv>();

cards.get(
  "/hallway/live",
  checkUpgrade(),
  upgradeWebSocket((c) => {
    const hub = c.get("hub");
    const page: LivePage = {
      ws: undefined!,
      memberId: c.get("member").id,
      words: c.get("words"),
      roomId: null,
    };
    return {
      onOpen: (_event, ws) => {
        page.ws = ws;
        hub.open(page).catch((error: unknown) =>
          console.error("Hallway socket failed to open:", error)
        );
      },
      onMessage: (event) => hub.receive(page, event.data),
      onClose: () => hub.close(page),
    };
  }),
);

// Guarded route by route: a guard on "/rooms/*" here would run before the rooms' sockets.
const cardAction = [requireMember(), requireOnboarded<MemberEnv>(), visibleRoom()] as const;

cards.post("/events/:id/interest", ...cardAction, async (c) => {
  const member = c.get("member");
  const form = await readForm(c);
  await setInterest(c.get("sql"), member.id, c.get("room").id, text(form, "interested") === "on");
  if (isFragmentRequest(c)) {
    return c.html(spoken(c, <HallwayLists hallway={await c.get("reads").hallwayFor(member.id)} />));
  }
  return redirectAfterPost(c, "/");
});

cards.post("/rooms/:id/not-interested", ...cardAction, async (c) => {
  const room = c.get("room");
  const title = await markNotInterested(c.get("sql"), c.get("member").id, room.id);
  if (isFragmentRequest(c)) {
    return c.html(spoken(c, <DismissedCard roomId={room.publicId} title={title} />));
  }
  return redirectAfterPost(c, "/");
});

hallway.route("/", cards);
