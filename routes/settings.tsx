/**
 * /settings: a member's display name and bio.
 *
 * @example
 * app.route("/settings", settings);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { fieldErrors, readForm, redirectAfterPost, render, statusOf, text } from "./http.tsx";
import { requireMember } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { updateProfile } from "../db/users.ts";
import { profile } from "../db/profiles.ts";
import { SettingsView } from "../views/settings.tsx";

export const settings = new Hono<AppEnv>();

settings.use(requireMember());

settings.get("/", async (c) => {
  const member = c.var.member!;
  const mine = (await profile(c.var.sql, member.id, member.handle))!;
  return render(c, {
    title: "Settings",
    body: (
      <SettingsView
        form={{ display_name: mine.displayName, bio: mine.bio }}
        errors={{}}
        saved={c.req.query("saved") === "1"}
      />
    ),
  });
});

settings.post("/", async (c) => {
  const form = await readForm(c);
  const edit = { displayName: text(form, "display_name"), bio: text(form, "bio") };
  try {
    await updateProfile(c.var.sql, c.var.member!.id, edit);
    return redirectAfterPost(c, "/settings?saved=1");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return render(c, {
      title: "Settings",
      status: statusOf(error),
      body: (
        <SettingsView
          form={{ display_name: edit.displayName, bio: edit.bio }}
          errors={fieldErrors(error)}
        />
      ),
    });
  }
});
