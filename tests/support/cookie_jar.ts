/**
 * What a browser keeps between requests: cookies set by responses, sent back on the next ones,
 * and forms encoded as a browser encodes them. Shared by the in-process client (app_client.ts)
 * and the one over real HTTP (http_browser.ts).
 *
 * @example
 * const jar = new CookieJar();
 * jar.take(response);
 * headers.set("Cookie", jar.header());
 */
export type FormInput = Record<string, string | string[]>;

export class CookieJar {
  #cookies = new Map<string, string>();

  /** Keeps what `response` sets, and forgets what it expires. */
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const [name, value] = pair.split("=");
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim()));
      if (expired || value === "") this.#cookies.delete(name.trim());
      else this.#cookies.set(name.trim(), value);
    }
  }

  /** The jar as a `Cookie` header ("" when empty). */
  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }
}

/** A form as `application/x-www-form-urlencoded`, repeated names for lists. */
export function formBody(form: FormInput): URLSearchParams {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return body;
}
