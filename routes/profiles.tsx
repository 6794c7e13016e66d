/**
 * /@handle: profiles, for signed-in members only, and follow/unfollow (a fragment for htmx,
 * a redirect back to the profile without JavaScript).
 *
 * @example
 * app.route("/", profiles);
 */
import { Hono } from "hono";
import {
  type Ctx,
  isFragmentRequest,
  readForm,
  redirectAfterPost,
  render,
  renderFrom,
  spoken,
  text,
} from "./http.tsx";
import { type MemberEnv, requireMember } from "./session.tsx";
import { follow, unfollow } from "../db/profiles.ts";
import { Refusal } from "../db/errors.ts";
import { FollowBlock, ProfileView } from "../views/profile.tsx";
import { ErrorView } from "../views/errors.tsx";
import { block, report, unblock } from "../db/safety.ts";
import { spendAttempt } from "../db/rate_limits.ts";
import { mute, unmute } from "../db/notifications.ts";

export const profiles = new Hono<MemberEnv>();

const handlePath = "/:at{@[A-Za-z0-9_]{1,30}}";

profiles.use(handlePath, requireMember());
profiles.use(`${handlePath}/*`, requireMember());

function handleOf(c: Ctx<MemberEnv>): string {
  return c.req.param("at")!.slice(1);
}

async function profileOrRefuse(c: Ctx<MemberEnv>) {
  const found = await c.get("reads").profile(c.get("member").id, handleOf(c));
  if (!found) throw new Refusal("not_found", "refusal.member.no_handle");
  return found;
}

profiles.get(handlePath, async (c) => {
  const p = await profileOrRefuse(c);
  return renderFrom(c, [p], () => ({
    title: `${p.displayName} (@${p.handle})`,
    body: <ProfileView profile={p} />,
  }));
});

async function afterFollowChange(c: Ctx<MemberEnv>) {
  const p = await profileOrRefuse(c);
  if (isFragmentRequest(c)) return c.html(spoken(c, <FollowBlock profile={p} />));
  return redirectAfterPost(c, `/@${p.handle}`);
}

profiles.post(`${handlePath}/follow`, async (c) => {
  await follow(c.get("sql"), c.get("member").id, handleOf(c));
  return await afterFollowChange(c);
});

profiles.post(`${handlePath}/unfollow`, async (c) => {
  await unfollow(c.get("sql"), c.get("member").id, handleOf(c));
  return await afterFollowChange(c);
});

profiles.post(`${handlePath}/block`, async (c) => {
  await block(c.get("sql"), c.get("member").id, handleOf(c));
  return redirectAfterPost(c, `/@${handleOf(c)}`);
});

profiles.post(`${handlePath}/unblock`, async (c) => {
  await unblock(c.get("sql"), c.get("member").id, handleOf(c));
  return redirectAfterPost(c, `/@${handleOf(c)}`);
});

profiles.post(`${handlePath}/mute`, async (c) => {
  await mute(c.get("sql"), c.get("member").id, handleOf(c));
  return redirectAfterPost(c, `/@${handleOf(c)}`);
});

profiles.post(`${handlePath}/unmute`, async (c) => {
  await unmute(c.get("sql"), c.get("member").id, handleOf(c));
  return redirectAfterPost(c, `/@${handleOf(c)}`);
});

profiles.post(`${handlePath}/report`, async (c) => {
  const form = await readForm(c);
  await spendAttempt(c.get("sql"), {
    bucket: "report_account",
    key: String(c.get("member").id),
    ...c.get("config").rateLimits.reportsPerAccount,
  });
  await report(c.get("sql"), c.get("member").id, { member: handleOf(c) }, text(form, "reason"));
  return render(c, {
    title: c.get("words").t("report.done"),
    body: (
      <ErrorView
        title={c.get("words").t("report.done")}
        message={c.get("words").t("report.done.message")}
      />
    ),
  });
});
