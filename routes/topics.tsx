/**
 * /topics: picking interests, first at onboarding and whenever a member wants to change them.
 *
 * @example
 * app.route("/topics", topics);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import {
  type Ctx,
  fieldErrors,
  readForm,
  redirectAfterPost,
  render,
  statusOf,
  texts,
} from "./http.tsx";
import { requireMember } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { catalogue, minTopicPicks, pickedTopics, setPicks } from "../db/topics.ts";
import type { FieldErrors } from "../views/form.tsx";
import { TopicsView } from "../views/topics.tsx";

export const topics = new Hono<AppEnv>();

topics.use(requireMember());

async function topicsPage(
  c: Ctx,
  view: { picked: Set<string>; errors: FieldErrors; saved?: boolean; status?: 200 | 422 },
) {
  const member = c.var.member!;
  return render(c, {
    title: "Topics",
    status: view.status,
    body: (
      <TopicsView
        catalogue={await catalogue(c.var.sql)}
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
  const picked = await pickedTopics(c.var.sql, c.var.member!.id);
  return await topicsPage(c, {
    picked: new Set(picked.map((t) => t.slug)),
    errors: {},
    saved: c.req.query("saved") === "1",
  });
});

topics.post("/", async (c) => {
  const member = c.var.member!;
  const slugs = texts(await readForm(c), "topic");
  try {
    await setPicks(c.var.sql, member.id, slugs);
    return redirectAfterPost(c, member.onboarded ? "/topics?saved=1" : "/");
  } catch (error) {
    if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
    return await topicsPage(c, {
      picked: new Set(slugs),
      errors: fieldErrors(error),
      status: statusOf(error) as 422,
    });
  }
});
