/**
 * A browser's side of a running Palabre over real HTTP: a cookie jar, the server's own Origin on
 * every post, forms encoded as a browser encodes them, redirects left for the test to read
 * (app_client.ts does the same through `app.request`, without a server).
 *
 * @example
 * const ada = new HttpBrowser("http://127.0.0.1:8123");
 * const done = await ada.post("/setup", { handle: "ada", display_name: "Ada", password: "..." });
 * done.headers.get("Location"); // "/topics"
 */
import { CookieJar, formBody, type FormInput } from "./cookie_jar.ts";

export class HttpBrowser {
  readonly origin: string;
  #cookies = new CookieJar();

  constructor(origin: string) {
    this.origin = origin;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: "GET", headers });
  }

  post(
    path: string,
    form: FormInput = {},
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.request(path, {
      method: "POST",
      body: formBody(form),
      headers: { Origin: this.origin, ...headers },
    });
  }

  async request(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.#cookies.header();
    if (cookie) headers.set("Cookie", cookie);
    const response = await fetch(`${this.origin}${path}`, {
      ...init,
      headers,
      redirect: "manual",
    });
    this.#cookies.take(response);
    return response;
  }

  /** The jar as a `Cookie` header, for a socket opened elsewhere. */
  cookieHeader(): string {
    return this.#cookies.header();
  }
}

/** `response` if it has `status`, else an error with the start of its body. */
export async function expectHttpStatus(
  response: Promise<Response>,
  status: number,
): Promise<Response> {
  const r = await response;
  if (r.status !== status) {
    throw new Error(`Expected ${status}, got ${r.status}: ${(await r.text()).slice(0, 500)}`);
  }
  return r;
}
