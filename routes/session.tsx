/**
 * Sessions on the web side: the cookie, loading the member, and the guards that send a guest
 * to sign in and a new member to pick topics first.
 *
 * @example
 * app.use(loadMember());
 * area.use(requireMember());
 */
import type { MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "./context.ts";
import type { Member } from "../db/users.ts";
import type { Ctx } from "./http.tsx";
import { startSession } from "../db/sessions.ts";
import { render } from "./http.tsx";
import { ErrorView } from "../views/errors.tsx";

export const sessionCookie = "palabre_session";

export function loadMember(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, sessionCookie);
    c.set("sessionToken", token);
    c.set("member", await c.get("reads").sessionMember(token));
    await next();
  };
}

/** Starts a session for `memberId` and sets its cookie on the response. */
export async function signIn<E extends AppEnv>(c: Ctx<E>, memberId: number): Promise<void> {
  const { config } = c.var;
  const token = await startSession(c.get("sql"), memberId, { ttlMs: config.sessionTtlMs });
  setCookie(c, sessionCookie, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: config.secureCookies,
    path: "/",
    maxAge: Math.floor(config.sessionTtlMs / 1000),
  });
}

export function forgetSessionCookie<E extends AppEnv>(c: Ctx<E>): void {
  deleteCookie(c, sessionCookie, { path: "/", secure: c.get("config").secureCookies });
}

/**
 * What a handler behind `requireMember` reads: the same as `AppEnv`, with the member always
 * there. An area whose every route is behind it is a `Hono<MemberEnv>`, and its handlers read
 * `c.get("member").id` with no `!`.
 */
export type MemberEnv = AppEnv & { Variables: { member: Member } };

/**
 * Guests are sent to sign in (GET) or refused with 401 (anything else); past it, the member is
 * never null.
 *
 * @example
 * const area = new Hono<MemberEnv>();
 * area.use(requireMember());
 * area.get("/", (c) => c.text(c.get("member").handle));
 */
export function requireMember(): MiddlewareHandler<MemberEnv> {
  return async (c, next) => {
    // loadMember set null for a guest: past this line there is always a member.
    if ((c.get("member") as Member | null) !== null) return await next();
    if (c.req.method === "GET") return c.redirect(signInTo(c), 303);
    const { t } = c.get("words");
    return render(c, {
      title: t("refusal.title.unauthenticated"),
      status: 401,
      body: (
        <ErrorView
          title={t("refusal.title.unauthenticated")}
          message={t("error.sign_in_first.message")}
        />
      ),
    });
  };
}

/** The sign-in page, told to come back to the page asked for (not for an htmx fragment). */
function signInTo<E extends AppEnv>(c: Ctx<E>): string {
  const url = new URL(c.req.url);
  const asked = `${url.pathname}${url.search}`;
  if (asked === "/" || c.req.header("HX-Request") === "true") return "/signin";
  return `/signin?next=${encodeURIComponent(asked)}`;
}

/**
 * Where to go after signing in, if `next` names a page of this site: a path starting with one
 * `/`, with no backslash or control character (browsers read `/\evil.example` as another host);
 * anything else, an absolute or protocol-relative URL among them, is null.
 *
 * @example
 * samePath("/rooms/rQbZDUnRRoyXr-_PJrOrUA?key=abc"); // "/rooms/rQbZDUnRRoyXr-_PJrOrUA?key=abc"
 * samePath("//evil.example/"); // null
 */
export function samePath(next: string | undefined): string | null {
  if (!next || next.length > 2000 || !next.startsWith("/") || next.startsWith("//")) return null;
  const unsafe = (ch: string) =>
    ch === "\\" || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f;
  if ([...next].some(unsafe)) return null;
  const base = "http://palabre.invalid";
  const url = new URL(next, base);
  return url.origin === base ? `${url.pathname}${url.search}` : null;
}

/** Members who have not picked topics yet are sent to pick them. */
export function requireOnboarded<E extends AppEnv>(): MiddlewareHandler<E> {
  return async (c, next) => {
    if (c.get("member")?.onboarded) return await next();
    if (c.req.method === "GET") return c.redirect("/topics", 303);
    const { t } = c.get("words");
    return render(c, {
      title: t("error.pick_topics_first.title"),
      status: 403,
      body: (
        <ErrorView
          title={t("error.pick_topics_first.title")}
          message={t("error.pick_topics_first.message")}
        />
      ),
    });
  };
}
