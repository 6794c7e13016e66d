/**
 * /topics: picking interests, first at onboarding and whenever a member wants to change them.
 *
 * @example
 * app.route("/topics", topics);
 */
import { Hono } from "hono";
import {
  type Ctx,
  fieldErrors,
  readForm,
  redirectAfterPost,
  render,
  statusOf,
  texts,
} from "./http.tsx";
import { type MemberEnv, requireMember } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { catalogue, minTopicPicks, pickedTopics, setPicks } from "../db/topics.ts";
import type { FieldErrors } from "../views/form.tsx";
import { TopicsView } from "../views/topics.tsx";

export const topics = new Hono<MemberEnv>();

topics.use(requireMember());

async function topicsPage(
  c: Ctx<MemberEnv>,
  view: { picked: Set<string>; errors: FieldErrors; saved?: boolean; status?: 200 | 422 },
) {
  const member = c.get("member");
  return render(c, {
    title: c.get("words").t("nav.topics"),
    status: view.status,
    body: (
      <TopicsView
        catalogue={await catalogue(c.get("sql"))}
        picked={view.picked}
        onboarding={!member.onboarded}
        minPicks={minTopicPicks}
        errors={view.errors}
        saved={view.saved}
      />
    ),
  });
}

topics.get("/", async (c) => {
  const picked = await pickedTopics(c.get("sql"), c.get("member").id);
  return await topicsPage(c, {
    picked: new Set(picked.map((t) => t.slug)),
    errors: {},
    saved: c.req.query("saved") === "1",
  });
});

topics.post("/", async (c) => {
  const member = c.get("member");
  const slugs = texts(await readForm(c), "topic");
  try {
    await setPicks(c.get("sql"), member.id, slugs);
    return redirectAfterPost(c, member.onboarded ? "/topics?saved=1" : "/");
  } catch (error) {
    if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
    return await topicsPage(c, {
      picked: new Set(slugs),
      errors: fieldErrors(c, error),
      status: statusOf(error) as 422,
    });
  }
});
