/**
 * /invites: a member's invite links: create, copy, revoke. With htmx the panel swaps itself.
 *
 * @example
 * app.route("/invites", invites);
 */
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  addressKey,
  type Ctx,
  idParam,
  isFragmentRequest,
  originOf,
  redirectAfterPost,
  render,
  statusOf,
} from "./http.tsx";
import { type MemberEnv, requireMember, requireOnboarded } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { createInvite, inviteBook, revokeInvite } from "../db/invites.ts";
import { spendAttempt } from "../db/rate_limits.ts";
import type { FieldErrors } from "../views/form.tsx";
import { InvitesView } from "../views/invites.tsx";

export const invites = new Hono<MemberEnv>();

invites.use(requireMember(), requireOnboarded());

async function invitesPage(
  c: Ctx<MemberEnv>,
  errors: FieldErrors = {},
  status: ContentfulStatusCode = 200,
) {
  const book = await inviteBook(c.get("sql"), c.get("member").id);
  return render(c, {
    title: c.get("words").t("nav.invites"),
    status,
    body: (
      <InvitesView invites={book.invites} left={book.left} origin={originOf(c)} errors={errors} />
    ),
  });
}

/** After a change: the panel for htmx, a redirect for a plain form, the refusal beside it. */
async function afterChange(c: Ctx<MemberEnv>, change: () => Promise<unknown>) {
  try {
    await change();
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return await invitesPage(c, { _form: error.message }, statusOf(error));
  }
  return isFragmentRequest(c) ? await invitesPage(c) : redirectAfterPost(c, "/invites");
}

invites.get("/", (c) => invitesPage(c));

invites.post("/", (c) =>
  afterChange(c, async () => {
    const { sql, config, member } = c.var;
    await spendAttempt(sql, {
      bucket: "invite_account",
      key: String(member.id),
      ...config.rateLimits.invitesPerAccount,
    });
    await spendAttempt(sql, {
      bucket: "invite_address",
      key: await addressKey(c),
      ...config.rateLimits.invitesPerAddress,
    });
    await createInvite(sql, member.id, { ttlMs: config.inviteTtlMs });
  }));

invites.post("/:id/revoke", (c) =>
  afterChange(c, async () => {
    const id = idParam(c, "id");
    if (id === null) throw new Refusal("not_found", "refusal.invite.unknown");
    await revokeInvite(c.get("sql"), c.get("member").id, id);
  }));
