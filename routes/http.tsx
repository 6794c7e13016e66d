/**
 * Small helpers every area shares: page-or-fragment rendering, form reading, refusals to
 * HTTP statuses, redirects that work with and without htmx, and address keys for limits.
 *
 * @example
 * return render(c, { title: "Sign in", body: <SignInView errors={{}} /> });
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./context.ts";
import { Layout } from "../views/layout.tsx";
import { ErrorView } from "../views/errors.tsx";
import { Refusal, type RefusalCode } from "../db/errors.ts";
import type { FieldErrors } from "../views/form.tsx";
import type { SignInKeys } from "../db/sign_in_limits.ts";
import { english, type Words } from "../i18n/translate.ts";
import { WordsContext } from "../i18n/words_context.ts";

/**
 * A request's context. Helpers take any env built on `AppEnv`, so that areas behind
 * `requireMember` (`MemberEnv`) call them as guests' pages do.
 */
export type Ctx<E extends AppEnv = AppEnv> = Context<E>;

/** An htmx request that wants a piece of a page rather than a whole one. */
export function isFragmentRequest<E extends AppEnv>(c: Ctx<E>): boolean {
  return c.req.header("HX-Request") === "true" && c.req.header("HX-Request-Type") !== "full";
}

/** The whole page on a normal load; only `body` for an htmx request. */
export function render<E extends AppEnv>(
  c: Ctx<E>,
  view: { title: string; body: Child; status?: ContentfulStatusCode },
): Response | Promise<Response> {
  return c.html(pageHtml(c, view), view.status ?? 200);
}

function pageHtml<E extends AppEnv>(
  c: Ctx<E>,
  view: { title: string; body: Child },
): string {
  if (isFragmentRequest(c)) return String(spoken(c, view.body));
  return "<!doctype html>" + spoken(
    c,
    <Layout
      title={view.title}
      viewer={c.get("member")}
      path={c.req.path}
      warnings={c.get("warnings")}
    >
      {view.body}
    </Layout>,
  );
}

/**
 * `node` in the words of this request: every view that renders for a request goes through
 * here (or `render`), so it reads the viewer's language with `useWords()`.
 *
 * @example
 * return c.html(spoken(c, <FollowBlock profile={p} />));
 */
export function spoken<E extends AppEnv>(c: Ctx<E>, node: Child) {
  // A request answered before the words were chosen (a missing /static file) reads English.
  return <WordsContext.Provider value={wordsOf(c)}>{node}</WordsContext.Provider>;
}

/** This request's words, or English when they were not chosen yet. */
export function wordsOf<E extends AppEnv>(c: Ctx<E>): Words {
  return c.get("words") ?? english;
}

interface RenderedPage {
  sources: readonly object[];
  viewer: unknown;
  words: Words;
  path: string;
  fragment: boolean;
  warnings: unknown;
  html: string;
}

/** Pages rendered from cached reads, by the first of those reads (see `renderFrom`). */
const rendered = new WeakMap<object, RenderedPage>();

/**
 * `render` for a page made only from `sources`, the objects cached reads returned
 * (db/read_cache.ts): while the cache hands out the very same objects nothing has changed, so
 * the HTML made from them last time is sent again. A change gives new objects, and a page
 * read straight from the database never matches, so this cannot send a stale page.
 */
export function renderFrom<E extends AppEnv>(
  c: Ctx<E>,
  sources: readonly [object, ...object[]],
  view: () => { title: string; body: Child },
): Response | Promise<Response> {
  const fragment = isFragmentRequest(c);
  const path = c.req.path;
  const viewer = c.get("member");
  const words = wordsOf(c);
  const last = rendered.get(sources[0]);
  // A member's pending warnings are read per request: a page showing them is never reused.
  const warnings = c.get("warnings");
  if (
    last && last.viewer === viewer && last.words === words && last.path === path &&
    last.fragment === fragment && last.warnings === warnings &&
    last.sources.length === sources.length && last.sources.every((s, i) => s === sources[i])
  ) {
    return c.html(last.html);
  }
  const html = pageHtml(c, view());
  rendered.set(sources[0], { sources, viewer, words, path, fragment, warnings, html });
  return c.html(html);
}

/** After a successful form post: a 303 for browsers, `HX-Redirect` for htmx. */
export function redirectAfterPost<E extends AppEnv>(
  c: Ctx<E>,
  path: string,
): Response {
  if (c.req.header("HX-Request") === "true") {
    c.header("HX-Redirect", path);
    return c.body(null, 200);
  }
  return c.redirect(path, 303);
}

const statuses: Record<RefusalCode, ContentfulStatusCode> = {
  invalid: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

export function statusOf(refusal: Refusal): ContentfulStatusCode {
  return statuses[refusal.code];
}

/** A refusal as form errors: next to its field, or about the whole form, in the viewer's words. */
export function fieldErrors<E extends AppEnv>(c: Ctx<E>, refusal: Refusal): FieldErrors {
  return { [refusal.field ?? "_form"]: refusalMessage(c, refusal) };
}

/**
 * What a refusal says to the person who made the request, in their language.
 *
 * @example
 * return c.html(<p class="error" role="alert">{refusalMessage(c, error)}</p>, statusOf(error));
 */
export function refusalMessage<E extends AppEnv>(c: Ctx<E>, refusal: Refusal): string {
  return refusal.messageIn(wordsOf(c).t);
}

/** Renders a refusal that is not about a form field as its own page. */
export function refusalPage<E extends AppEnv>(
  c: Ctx<E>,
  refusal: Refusal,
): Response | Promise<Response> {
  const { t } = wordsOf(c);
  const title = t(`refusal.title.${refusal.code}`);
  return render(c, {
    title,
    status: statusOf(refusal),
    body: <ErrorView title={title} message={refusalMessage(c, refusal)} />,
  });
}

export type Form = Record<string, string | string[]>;

/** The posted form's text fields; a body that is not a form is an `invalid` refusal. */
export async function readForm<E extends AppEnv>(c: Ctx<E>): Promise<Form> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
    throw new Refusal("invalid", "refusal.form.not_form");
  }
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw new Refusal("invalid", "refusal.form.unreadable");
  }
  const form: Form = {};
  for (const [name, value] of Object.entries(body)) {
    const values = (Array.isArray(value) ? value : [value]).filter((v) => typeof v === "string");
    // PostgreSQL text cannot hold NUL; no field of ours has a use for it.
    if (values.some((v) => v.includes("\u0000"))) {
      throw new Refusal("invalid", "refusal.form.bad_character");
    }
    if (values.length > 0) form[name] = values.length === 1 ? values[0] : values;
  }
  return form;
}

/** One text field ("" when absent; the first when repeated). */
export function text(form: Form, name: string): string {
  const value = form[name];
  return Array.isArray(value) ? value[0] : value ?? "";
}

/** A repeated field, such as checkboxes. */
export function texts(form: Form, name: string): string[] {
  const value = form[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** A positive integer path parameter, or null. */
export function idParam<E extends AppEnv>(
  c: Ctx<E>,
  name: string,
): number | null {
  const raw = c.req.param(name) ?? "";
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : null;
}

/** The origin links should use: configured, or the one the request came to. */
export function originOf<E extends AppEnv>(c: Ctx<E>): string {
  return c.get("config").publicOrigin ?? new URL(c.req.url).origin;
}

/**
 * A key for rate limits per address: an HMAC of the client address, so addresses are counted
 * without being stored.
 */
export async function addressKey<E extends AppEnv>(c: Ctx<E>): Promise<string> {
  return await keyedHash(c, clientAddress(c));
}

/**
 * The keys sign-in limits count under (db/sign_in_limits.ts): the address, the handle, and the
 * two together, each an HMAC, so the table never holds an address or a handle.
 *
 * @example
 * const keys = await signInKeys(c, "ada");
 */
export async function signInKeys<E extends AppEnv>(
  c: Ctx<E>,
  handle: string,
): Promise<SignInKeys> {
  const address = clientAddress(c);
  const lower = handle.trim().toLowerCase();
  return {
    address: await keyedHash(c, address),
    // Prefixed, so that no handle's key can equal an address's.
    handle: await keyedHash(c, `handle\n${lower}`),
    pair: await keyedHash(c, `pair\n${lower}\n${address}`),
  };
}

function clientAddress<E extends AppEnv>(c: Ctx<E>): string {
  const forwarded = c.get("config").trustProxy
    ? c.req.header("X-Forwarded-For")?.split(",")[0]?.trim()
    : undefined;
  return forwarded || c.env?.remoteAddr?.hostname || "unknown";
}

async function keyedHash<E extends AppEnv>(
  c: Ctx<E>,
  text: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(c.get("config").secretKey),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(mac).slice(0, 16)));
}
