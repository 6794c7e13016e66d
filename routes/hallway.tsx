/**
 * `/`: the front door for guests, the set-up page before anyone exists, the hallway for members.
 *
 * @example
 * app.route("/", hallway);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { render, renderFrom } from "./http.tsx";
import { needsSetup } from "../db/users.ts";
import { FrontDoorView } from "../views/auth.tsx";
import { HallwayView } from "../views/hallway.tsx";
import { topicName } from "../i18n/topics.ts";

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
        topics={picked.map((topic) => topicName(c.get("words").t, topic))}
      />
    ),
  }));
});
