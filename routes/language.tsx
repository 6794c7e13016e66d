/**
 * The language each request is answered in: the member's own setting, else the language a
 * guest picked in the footer (a cookie), else the browser's `Accept-Language`, else the
 * site's language; and `POST /language`, the footer's switcher, which works without
 * JavaScript.
 *
 * @example
 * app.use(loadMember(), chooseWords());
 * app.route("/", language);
 */
import { Hono, type MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "./context.ts";
import { readForm, redirectAfterPost, text } from "./http.tsx";
import { isLanguage, type Language, languageFromHeader } from "../i18n/language.ts";
import { wordsFor } from "../i18n/translate.ts";

export const languageCookie = "palabre_language";

export function chooseWords(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const cookie = getCookie(c, languageCookie);
    const language: Language = c.get("member")?.language ??
      (isLanguage(cookie) ? cookie : null) ??
      languageFromHeader(c.req.header("Accept-Language")) ??
      await c.get("reads").siteLanguage();
    c.set("words", wordsFor(language));
    await next();
  };
}

export const language = new Hono<AppEnv>();

language.post("/language", async (c) => {
  const form = await readForm(c);
  const chosen = text(form, "language");
  if (isLanguage(chosen)) {
    setCookie(c, languageCookie, chosen, {
      sameSite: "Lax",
      secure: c.get("config").secureCookies,
      path: "/",
      maxAge: 365 * 24 * 60 * 60,
    });
  }
  return redirectAfterPost(c, safeReturnPath(text(form, "back")));
});

/** Only a path on this site ("/x", never "//host"), so the switcher cannot send anyone away. */
function safeReturnPath(back: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(back) ? back : "/";
}
