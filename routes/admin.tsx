/**
 * /admin: invites per member, retention, the waitlist and the member list with who invited whom;
 * /admin/recommendations lives in admin_recommend.tsx.
 * Every handler's db call checks that the actor is an administrator.
 *
 * @example
 * app.route("/admin", admin);
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  type Ctx,
  fieldErrors,
  idParam,
  originOf,
  readForm,
  redirectAfterPost,
  render,
  statusOf,
  text,
} from "./http.tsx";
import { type MemberEnv, requireMember } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { members } from "../db/admin.ts";
import { reports } from "../db/safety.ts";
import { moderationLog } from "../db/room_actions.ts";
import { inviteFromWaitlist, waitlist } from "../db/waitlist.ts";
import {
  invitesPerMember,
  setInvitesPerMember,
  setSiteLanguage,
  siteLanguage,
} from "../db/site_settings.ts";
import { retention, setRetention } from "../db/retention.ts";
import type { FieldErrors } from "../views/form.tsx";
import { type AdminNotice, adminNotices, AdminView } from "../views/admin.tsx";
import { recommendations } from "./admin_recommend.tsx";
import { adminTools } from "./admin_tools.tsx";
import { roomsToEnd } from "../db/admin_tools.ts";
import { type AdminToolNotice, adminToolNotices } from "../views/admin_tools.tsx";

export const admin = new Hono<MemberEnv>();

admin.use(requireMember());
admin.route("/recommendations", recommendations);
admin.route("/", adminTools(adminPage));

async function adminPage(
  c: Ctx<MemberEnv>,
  view: {
    errors?: FieldErrors;
    status?: ContentfulStatusCode;
    notice?: AdminNotice | AdminToolNotice;
  } = {},
) {
  const { sql, member } = c.var;
  const [entries, people] = [await waitlist(sql, member.id), await members(sql, member.id)];
  return render(c, {
    title: c.get("words").t("admin.title"),
    status: view.status,
    body: (
      <AdminView
        reports={await reports(sql, member.id)}
        moderation={await moderationLog(sql, member.id)}
        invitesPerMember={await invitesPerMember(sql)}
        siteLanguage={await siteLanguage(sql)}
        retention={await retention(sql)}
        waitlist={entries}
        members={people}
        rooms={await roomsToEnd(sql, member.id)}
        origin={originOf(c)}
        errors={view.errors ?? {}}
        notice={view.notice}
      />
    ),
  });
}

admin.get("/", (c) => {
  const notice = [...adminNotices, ...adminToolNotices].find((n) => n === c.req.query("done"));
  return adminPage(c, { notice });
});

admin.post("/language", async (c) => {
  const form = await readForm(c);
  try {
    await setSiteLanguage(c.get("sql"), c.get("member").id, text(form, "site_language"));
    return redirectAfterPost(c, "/admin?done=settings");
  } catch (error) {
    if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
    return await adminPage(c, { errors: fieldErrors(c, error), status: statusOf(error) });
  }
});

admin.post("/settings", async (c) => {
  const form = await readForm(c);
  const raw = text(form, "invites_per_member").trim();
  try {
    await setInvitesPerMember(c.get("sql"), c.get("member").id, raw === "" ? NaN : Number(raw));
    return redirectAfterPost(c, "/admin?done=settings");
  } catch (error) {
    if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
    return await adminPage(c, { errors: fieldErrors(c, error), status: statusOf(error) });
  }
});

admin.post("/retention", async (c) => {
  const form = await readForm(c);
  const days = (name: string) => {
    const raw = text(form, name).trim();
    return raw === "" ? NaN : Number(raw);
  };
  try {
    await setRetention(c.get("sql"), c.get("member").id, {
      listeningDays: days("listening_days"),
      roomDays: days("room_days"),
    });
    return redirectAfterPost(c, "/admin?done=retention");
  } catch (error) {
    if (!(error instanceof Refusal) || error.code !== "invalid") throw error;
    return await adminPage(c, { errors: fieldErrors(c, error), status: statusOf(error) });
  }
});

admin.post("/waitlist/:id/invite", async (c) => {
  const id = idParam(c, "id");
  if (id === null) throw new Refusal("not_found", "refusal.waitlist.no_entry");
  await inviteFromWaitlist(c.get("sql"), c.get("member").id, id, {
    ttlMs: c.get("config").inviteTtlMs,
  });
  return redirectAfterPost(c, "/admin?done=invited");
});
