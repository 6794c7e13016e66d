/**
 * /settings: a member's own settings (display name and bio, password, listening history,
 * deleting the account); the site-wide settings an administrator changes are
 * db/site_settings.ts, under /admin.
 *
 * @example
 * app.route("/settings", memberSettings);
 */
import { Hono } from "hono";
import {
  type Ctx,
  fieldErrors,
  originOf,
  readForm,
  redirectAfterPost,
  render,
  signInKeys,
  statusOf,
  text,
} from "./http.tsx";
import { forgetSessionCookie, type MemberEnv, requireMember, signIn } from "./session.tsx";
import { deleteAccount, deletionPasswordField } from "../db/account_deletion.ts";
import { changePassword } from "../db/password_change.ts";
import { Refusal } from "../db/errors.ts";
import { setMemberLanguage, updateProfile } from "../db/users.ts";
import { isLanguage } from "../i18n/language.ts";
import { profile } from "../db/profiles.ts";
import { SettingsView } from "../views/member_settings.tsx";
import { calendarFeedSince, newCalendarFeed, revokeCalendarFeed } from "../db/calendars.ts";
import { clearListeningHistory, listeningHistory, setListeningPaused } from "../db/listening.ts";
import { notificationSettings } from "../db/notifications.ts";

export const memberSettings = new Hono<MemberEnv>();

memberSettings.use(requireMember());

const historyNotices = ["paused", "resumed", "cleared"] as const;

/**
 * The settings page; `calendarUrl`: the address of the calendar feed just made; `refusal`: why
 * deleting the account was refused, shown in its section.
 */
async function settingsPage(
  c: Ctx<MemberEnv>,
  extra: { calendarUrl?: string; refusal?: Refusal } = {},
) {
  const { calendarUrl, refusal } = extra;
  const member = c.get("member");
  const mine = (await profile(c.get("sql"), member.id, member.handle))!;
  const notice = historyNotices.find((n) => n === c.req.query("history"));
  return render(c, {
    title: c.get("words").t("settings.title"),
    status: refusal ? statusOf(refusal) : undefined,
    body: (
      <SettingsView
        form={{ display_name: mine.displayName, bio: mine.bio }}
        errors={refusal ? fieldErrors(c, refusal) : {}}
        saved={c.req.query("saved") === "1"}
        language={member.language}
        languageSaved={c.req.query("language") === "saved"}
        history={await listeningHistory(c.get("sql"), member.id)}
        historyNotice={notice}
        passwordChanged={c.req.query("password") === "changed"}
        notifications={{
          settings: await notificationSettings(c.get("sql"), member.id),
          keepDays: Math.round(c.get("config").notifications.keepMs / 86_400_000),
          saved: c.req.query("notifications") === "saved",
        }}
        calendar={{
          since: await calendarFeedSince(c.get("sql"), member.id),
          revoked: c.req.query("calendar") === "revoked",
          url: calendarUrl,
        }}
        handleReservedDays={reservedDays(c)}
      />
    ),
  });
}

function reservedDays(c: Ctx<MemberEnv>): number {
  return Math.round(c.get("config").deletedHandleReservedMs / 86_400_000);
}

memberSettings.get("/", (c) => settingsPage(c));

// Deleting the account: every session ends with it, this browser's cookie too.
memberSettings.post("/delete", async (c) => {
  const form = await readForm(c);
  const member = c.get("member");
  try {
    await deleteAccount(c.get("sql"), {
      memberId: member.id,
      handle: member.handle,
      password: text(form, deletionPasswordField),
      keys: await signInKeys(c, member.handle),
      limits: c.get("config").rateLimits.signIn,
      handleReservedMs: c.get("config").deletedHandleReservedMs,
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    // Every refusal (the last administrator too) is said in the section that asked.
    return await settingsPage(c, { refusal: error.onField(deletionPasswordField) });
  }
  forgetSessionCookie(c);
  return redirectAfterPost(c, "/account-deleted");
});

// Answered with the page itself, not a redirect: the address exists only in this response.
memberSettings.post("/calendar", async (c) => {
  const secret = await newCalendarFeed(c.get("sql"), c.get("member").id);
  const origin = originOf(c).replace(/^https?:/, "webcal:");
  return await settingsPage(c, { calendarUrl: `${origin}/calendar/${secret}.ics` });
});

memberSettings.post("/calendar/revoke", async (c) => {
  await revokeCalendarFeed(c.get("sql"), c.get("member").id);
  return redirectAfterPost(c, "/settings?calendar=revoked#calendar");
});

memberSettings.post("/language", async (c) => {
  const form = await readForm(c);
  const chosen = text(form, "language");
  if (chosen !== "" && !isLanguage(chosen)) {
    throw new Refusal("invalid", "refusal.language.unknown", "language");
  }
  await setMemberLanguage(c.get("sql"), c.get("member").id, chosen === "" ? null : chosen);
  return redirectAfterPost(c, "/settings?language=saved#language");
});

memberSettings.post("/password", async (c) => {
  const form = await readForm(c);
  const member = c.get("member");
  try {
    await changePassword(c.get("sql"), {
      memberId: member.id,
      handle: member.handle,
      current: text(form, "current_password"),
      next: text(form, "new_password"),
      keys: await signInKeys(c, member.handle),
      limits: c.get("config").rateLimits.signIn,
    });
    // Every session ended with the change; this device goes on in a fresh one.
    await signIn(c, member.id);
    return redirectAfterPost(c, "/settings?password=changed#password");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const mine = (await profile(c.get("sql"), member.id, member.handle))!;
    return render(c, {
      title: c.get("words").t("settings.title"),
      status: statusOf(error),
      body: (
        <SettingsView
          form={{ display_name: mine.displayName, bio: mine.bio }}
          errors={fieldErrors(c, error)}
          language={member.language}
          history={await listeningHistory(c.get("sql"), member.id)}
          calendar={{ since: await calendarFeedSince(c.get("sql"), member.id) }}
          handleReservedDays={reservedDays(c)}
        />
      ),
    });
  }
});

memberSettings.post("/history/pause", async (c) => {
  const form = await readForm(c);
  const choice = text(form, "paused");
  if (choice !== "on" && choice !== "off") {
    throw new Refusal("invalid", "refusal.history.pause_choice");
  }
  await setListeningPaused(c.get("sql"), c.get("member").id, choice === "on");
  return redirectAfterPost(
    c,
    `/settings?history=${choice === "on" ? "paused" : "resumed"}#listening-history`,
  );
});

memberSettings.post("/history/clear", async (c) => {
  const form = await readForm(c);
  if (text(form, "confirm") !== "yes") {
    throw new Refusal("invalid", "refusal.history.confirm_clear");
  }
  await clearListeningHistory(c.get("sql"), c.get("member").id);
  return redirectAfterPost(c, "/settings?history=cleared#listening-history");
});

memberSettings.post("/", async (c) => {
  const form = await readForm(c);
  const edit = { displayName: text(form, "display_name"), bio: text(form, "bio") };
  try {
    await updateProfile(c.get("sql"), c.get("member").id, edit);
    return redirectAfterPost(c, "/settings?saved=1");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return render(c, {
      title: c.get("words").t("settings.title"),
      status: statusOf(error),
      body: (
        <SettingsView
          form={{ display_name: edit.displayName, bio: edit.bio }}
          errors={fieldErrors(c, error)}
          language={c.get("member").language}
          history={await listeningHistory(c.get("sql"), c.get("member").id)}
          calendar={{ since: await calendarFeedSince(c.get("sql"), c.get("member").id) }}
          handleReservedDays={reservedDays(c)}
        />
      ),
    });
  }
});
