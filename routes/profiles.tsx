/**
 * /@handle: profiles, for signed-in members only, and follow/unfollow (a fragment for htmx,
 * a redirect back to the profile without JavaScript).
 *
 * @example
 * app.route("/", profiles);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { type Ctx, isFragmentRequest, redirectAfterPost, render } from "./http.tsx";
import { requireMember } from "./session.tsx";
import { follow, profile, unfollow } from "../db/profiles.ts";
import { Refusal } from "../db/errors.ts";
import { FollowBlock, ProfileView } from "../views/profile.tsx";

export const profiles = new Hono<AppEnv>();

const handlePath = "/:at{@[A-Za-z0-9_]{1,30}}";

profiles.use(handlePath, requireMember());
profiles.use(`${handlePath}/*`, requireMember());

function handleOf(c: Ctx): string {
  return c.req.param("at")!.slice(1);
}

async function profileOrRefuse(c: Ctx) {
  const found = await profile(c.var.sql, c.var.member!.id, handleOf(c));
  if (!found) throw new Refusal("not_found", "No member has that handle");
  return found;
}

profiles.get(handlePath, async (c) => {
  const p = await profileOrRefuse(c);
  return render(c, { title: `${p.displayName} (@${p.handle})`, body: <ProfileView profile={p} /> });
});

async function afterFollowChange(c: Ctx) {
  const p = await profileOrRefuse(c);
  if (isFragmentRequest(c)) return c.html(<FollowBlock profile={p} />);
  return redirectAfterPost(c, `/@${p.handle}`);
}

profiles.post(`${handlePath}/follow`, async (c) => {
  await follow(c.var.sql, c.var.member!.id, handleOf(c));
  return await afterFollowChange(c);
});

profiles.post(`${handlePath}/unfollow`, async (c) => {
  await unfollow(c.var.sql, c.var.member!.id, handleOf(c));
  return await afterFollowChange(c);
});
