/**
 * /setup, /signin, /signout, /join/:token and /waitlist: how people get in; /account-deleted:
 * where they land after deleting their account (routes/member_settings.tsx).
 *
 * @example
 * app.route("/", auth);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import {
  addressKey,
  type Ctx,
  fieldErrors,
  readForm,
  redirectAfterPost,
  refusalPage,
  render,
  signInKeys,
  statusOf,
  text,
} from "./http.tsx";
import { forgetSessionCookie, requireMember, samePath, signIn } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { createFirstAdmin, needsSetup } from "../db/users.ts";
import { signInWithLimits } from "../db/sign_in_limits.ts";
import { endAllSessions, endSession } from "../db/sessions.ts";
import { inviteState, signUpWithInvite } from "../db/invites.ts";
import { joinWaitlist, validateWaitlistRequest } from "../db/waitlist.ts";
import { spendAttempt } from "../db/rate_limits.ts";
import { JoinView, SetupView, SignInView, WaitlistView } from "../views/auth.tsx";
import { ErrorView } from "../views/errors.tsx";
import { AccountEnded } from "../views/account_ended.tsx";

export const auth = new Hono<AppEnv>();

function setupGone(c: Ctx) {
  return render(c, {
    title: c.get("words").t("error.not_found.title"),
    status: 404,
    body: (
      <ErrorView
        title={c.get("words").t("error.not_found.title")}
        message={c.get("words").t("error.not_found.message")}
      />
    ),
  });
}

auth.get("/setup", async (c) => {
  if (!await needsSetup(c.get("sql"))) return setupGone(c);
  return render(c, {
    title: c.get("words").t("auth.setup.title"),
    body: <SetupView form={{}} errors={{}} />,
  });
});

auth.post("/setup", async (c) => {
  // Checked before the form is read: once set up, nothing posted here is even parsed.
  if (!await needsSetup(c.get("sql"))) return setupGone(c);
  const form = await readForm(c);
  const input = {
    handle: text(form, "handle"),
    displayName: text(form, "display_name"),
    password: text(form, "password"),
  };
  try {
    const admin = await createFirstAdmin(c.get("sql"), input);
    await signIn(c, admin.id);
    return redirectAfterPost(c, "/topics");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (error.code === "not_found") return setupGone(c);
    return render(c, {
      title: c.get("words").t("auth.setup.title"),
      status: statusOf(error),
      body: (
        <SetupView
          form={{ handle: input.handle, display_name: input.displayName }}
          errors={fieldErrors(c, error)}
        />
      ),
    });
  }
});

auth.get("/signin", (c) => {
  const next = samePath(c.req.query("next")) ?? undefined;
  if (c.get("member")) return c.redirect(next ?? "/", 303);
  return render(c, {
    title: c.get("words").t("auth.sign_in"),
    body: <SignInView errors={{}} next={next} />,
  });
});

auth.post("/signin", async (c) => {
  const form = await readForm(c);
  const handle = text(form, "handle").trim();
  const password = text(form, "password");
  // Only ever a path of this site: a link from elsewhere cannot send a member on after sign-in.
  const next = samePath(text(form, "next")) ?? undefined;
  try {
    if (handle === "" || password === "") {
      throw new Refusal("invalid", "refusal.sign_in.missing");
    }
    const member = await signInWithLimits(c.get("sql"), {
      handle,
      password,
      keys: await signInKeys(c, handle),
      limits: c.get("config").rateLimits.signIn,
    });
    await signIn(c, member.id);
    return redirectAfterPost(c, member.onboarded ? next ?? "/" : "/topics");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return render(c, {
      title: c.get("words").t("auth.sign_in"),
      status: statusOf(error),
      body: <SignInView handle={handle} errors={fieldErrors(c, error)} next={next} />,
    });
  }
});

auth.post("/signout", async (c) => {
  const token = c.get("sessionToken");
  if (token) await endSession(c.get("sql"), token);
  forgetSessionCookie(c);
  return redirectAfterPost(c, "/");
});

// Signed out by then: the page says what happened, to whoever opens it.
auth.get("/account-deleted", (c) =>
  render(c, {
    title: c.get("words").t("departure.deleted.title"),
    body: <AccountEnded why="deleted" />,
  }));

auth.post("/signout/everywhere", requireMember(), async (c) => {
  await endAllSessions(c.get("sql"), c.get("member").id);
  forgetSessionCookie(c);
  return redirectAfterPost(c, "/signin");
});

/** The page for a link that cannot be used; `null` when the invite is open. */
async function unusableInvite(c: Ctx, token: string) {
  const state = await inviteState(c.get("sql"), token);
  if (state === "open") return null;
  const messages = {
    unknown: c.get("words").t("join.unusable.unknown"),
    used: c.get("words").t("join.unusable.used"),
    revoked: c.get("words").t("join.unusable.revoked"),
    expired: c.get("words").t("join.unusable.expired"),
  };
  return render(c, {
    title: c.get("words").t("join.unusable"),
    status: state === "unknown" ? 404 : 410,
    body: <ErrorView title={c.get("words").t("join.unusable")} message={messages[state]} />,
  });
}

auth.get("/join/:token", async (c) => {
  const token = c.req.param("token");
  if (c.get("member")) {
    return render(c, {
      title: c.get("words").t("join.already"),
      body: (
        <ErrorView
          title={c.get("words").t("join.already")}
          message={c.get("words").t("join.already.message")}
        />
      ),
    });
  }
  return await unusableInvite(c, token) ??
    render(c, {
      title: c.get("words").t("auth.join.submit"),
      body: <JoinView token={token} form={{}} errors={{}} />,
    });
});

auth.post("/join/:token", async (c) => {
  const token = c.req.param("token");
  const unusable = await unusableInvite(c, token);
  if (unusable) return unusable;
  const form = await readForm(c);
  const input = {
    handle: text(form, "handle"),
    displayName: text(form, "display_name"),
    password: text(form, "password"),
  };
  try {
    await spendAttempt(c.get("sql"), {
      bucket: "sign_up_address",
      key: await addressKey(c),
      ...c.get("config").rateLimits.signUpPerAddress,
    });
    await spendAttempt(c.get("sql"), {
      bucket: "sign_up_invite",
      key: token.slice(0, 64),
      ...c.get("config").rateLimits.signUpPerInvite,
    });
    const member = await signUpWithInvite(c.get("sql"), token, input);
    await signIn(c, member.id);
    return redirectAfterPost(c, "/topics");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    // The invite went while this form was being filled in (used by someone else, revoked).
    if (error.code === "conflict" || error.code === "not_found") return refusalPage(c, error);
    return render(c, {
      title: c.get("words").t("auth.join.submit"),
      status: statusOf(error),
      body: (
        <JoinView
          token={token}
          form={{ handle: input.handle, display_name: input.displayName }}
          errors={fieldErrors(c, error)}
        />
      ),
    });
  }
});

auth.get("/waitlist", (c) => {
  return render(c, {
    title: c.get("words").t("nav.waitlist"),
    body: <WaitlistView form={{}} errors={{}} />,
  });
});

auth.post("/waitlist", async (c) => {
  const form = await readForm(c);
  const request = {
    name: text(form, "name"),
    contact: text(form, "contact"),
    reason: text(form, "reason"),
  };
  try {
    // Checked first: a form with an empty contact must not spend the limit of "no contact".
    validateWaitlistRequest(request);
    await spendAttempt(c.get("sql"), {
      bucket: "waitlist_address",
      key: await addressKey(c),
      ...c.get("config").rateLimits.waitlistPerAddress,
    });
    await spendAttempt(c.get("sql"), {
      bucket: "waitlist_contact",
      key: request.contact.trim().toLowerCase().slice(0, 200),
      ...c.get("config").rateLimits.waitlistPerContact,
    });
    await joinWaitlist(c.get("sql"), request);
    return render(c, {
      title: c.get("words").t("nav.waitlist"),
      body: <WaitlistView form={{}} errors={{}} done />,
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return render(c, {
      title: c.get("words").t("nav.waitlist"),
      status: statusOf(error),
      body: <WaitlistView form={request} errors={fieldErrors(c, error)} />,
    });
  }
});
