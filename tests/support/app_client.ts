/**
 * Drives the real app through `app.request` the way a browser would: a cookie jar, our own
 * Origin on every post, forms encoded as a browser encodes them. Nothing of ours is mocked.
 *
 * @example
 * const ada = new Browser(app);
 * await ada.post("/setup", { handle: "ada", display_name: "Ada", password: "correct horse" });
 */
import type { Hono } from "hono";
import type { AppEnv } from "../../routes/context.ts";
import { buildApp } from "../../routes/app.tsx";
import { type Config, loadConfig } from "../../config.ts";
import type { Sql } from "../../db/client.ts";
import type { EventHub } from "../../db/events.ts";
import { CookieJar, formBody, type FormInput } from "./cookie_jar.ts";

export const origin = "http://palabre.test";

export type { FormInput } from "./cookie_jar.ts";

/** The app on `sql`; with `events`, pages read through the cache as in production. */
export async function testApp(sql: Sql, events?: EventHub): Promise<Hono<AppEnv>> {
  return buildApp({ sql, config: await testConfig(), events });
}

/** The configuration test apps run with: answering the test origin's host. */
function testConfig(): Promise<Config> {
  return loadConfig({
    SECRET_KEY: "test-secret",
    DATA_DIR: "/nonexistent",
    ALLOWED_HOSTS: new URL(origin).hostname,
  });
}

/** `testApp` with `configure` applied to its configuration first (e.g. limits a test needs). */
export async function configuredTestApp(
  sql: Sql,
  options: { events?: EventHub; configure: (config: Config) => void },
): Promise<Hono<AppEnv>> {
  const config = await testConfig();
  options.configure(config);
  return buildApp({ sql, config, events: options.events });
}

export class Browser {
  #app: Hono<AppEnv>;
  #cookies = new CookieJar();
  /** The client address the server sees (Deno.serve's remoteAddr). */
  address: string;

  constructor(app: Hono<AppEnv>, options: { address?: string } = {}) {
    this.#app = app;
    this.address = options.address ?? "192.0.2.1";
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return await this.request(path, { method: "GET", headers });
  }

  async post(
    path: string,
    form: FormInput = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return await this.request(path, {
      method: "POST",
      body: formBody(form),
      headers: {
        Origin: origin,
        "Content-Type": "application/x-www-form-urlencoded",
        ...headers,
      },
    });
  }

  async request(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.#cookies.header();
    if (cookie) headers.set("Cookie", cookie);
    const response = await this.#app.request(
      `${origin}${path}`,
      { ...init, headers },
      { remoteAddr: { hostname: this.address } },
    );
    this.#cookies.take(response);
    return response;
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }
}

/** Sets up the first administrator and onboards them; returns their browser. */
export async function adminBrowser(app: Hono<AppEnv>, handle = "ada"): Promise<Browser> {
  const browser = new Browser(app, { address: "192.0.2.10" });
  await expectStatus(
    browser.post("/setup", { handle, display_name: "Ada Lovelace", password: "correct horse 1" }),
    303,
  );
  await expectStatus(browser.post("/topics", { topic: ["jazz", "chess", "astronomy"] }), 303);
  return browser;
}

/** Creates an invite as `inviter` and returns its token. */
export async function inviteToken(inviter: Browser): Promise<string> {
  await expectStatus(inviter.post("/invites"), 303);
  const html = await (await inviter.get("/invites")).text();
  const token = html.match(/\/join\/([A-Za-z0-9_-]+)/)?.[1];
  if (!token) throw new Error("No invite link on /invites");
  return token;
}

/** Signs a new member up through an invite from `inviter` and onboards them. */
export async function memberBrowser(
  app: Hono<AppEnv>,
  inviter: Browser,
  handle: string,
  address = "192.0.2.20",
): Promise<Browser> {
  const token = await inviteToken(inviter);
  const browser = new Browser(app, { address });
  await expectStatus(
    browser.post(`/join/${token}`, {
      handle,
      display_name: handle,
      password: "correct horse 2",
    }),
    303,
  );
  await expectStatus(browser.post("/topics", { topic: ["jazz", "film", "running"] }), 303);
  return browser;
}

export async function expectStatus(response: Promise<Response>, status: number): Promise<Response> {
  const r = await response;
  if (r.status !== status) {
    throw new Error(`Expected ${status}, got ${r.status}: ${(await r.text()).slice(0, 500)}`);
  }
  return r;
}
