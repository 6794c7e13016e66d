/**
 * Security by default: a strict Content-Security-Policy and friends on every response, and an
 * Origin check on every state-changing request (WebSocket upgrades are checked where they
 * are accepted, since they are GETs).
 *
 * @example
 * app.use(securityHeaders(), refuseCrossSite());
 */
import type { MiddlewareHandler } from "hono";
import { type Config, isLoopbackHost } from "../config.ts";
import type { AppEnv } from "./context.ts";

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * Hono's secureHeaders defaults with our policy, minus headers for browsers long gone (IE's
 * download prompt, Flash, the XSS auditor), which every response would carry for nothing.
 */
const headers: readonly (readonly [string, string])[] = [
  ["Cross-Origin-Resource-Policy", "same-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  // Invite tokens live in URLs: never hand them to another site in a Referer.
  ["Referrer-Policy", "same-origin"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["Content-Security-Policy", contentSecurityPolicy],
  ["Permissions-Policy", "microphone=(self), camera=(), geolocation=()"],
];

/**
 * Adds the security headers to whatever response the request ends with. Added to the finished
 * response, not before the handler: Deno prepares a response made with several headers for
 * sending as it is constructed, and changing its headers afterwards throws that work away.
 */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const responseHeaders = c.res.headers;
    for (const [name, value] of headers) responseHeaders.set(name, value);
  };
}

/** True when a request naming `hostname` in its Host is one Palabre answers. */
export function isAnsweredHost(config: Config, hostname: string): boolean {
  const name = hostname.toLowerCase();
  return isLoopbackHost(name) || config.allowedHosts.includes(name) ||
    config.machineAddresses.includes(name);
}

/**
 * Refuses every request, socket upgrades included, whose Host Palabre was not told to answer.
 * Without it a forged Host (or a DNS-rebinding page at evil.example) would become the origin
 * the cross-site check expects when `PUBLIC_ORIGIN` is unset.
 */
export function refuseUnknownHost(config: Config): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const hostname = new URL(c.req.url).hostname;
    if (!isAnsweredHost(config, hostname)) {
      return c.text(
        `This Palabre does not answer to the host "${hostname}": its operator can add it to ` +
          "ALLOWED_HOSTS or set PUBLIC_ORIGIN",
        421,
      );
    }
    await next();
  };
}

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);

/** True when the request's Origin (or, lacking it, Referer) is our own origin. */
export function isSameOrigin(headers: Headers, expected: string): boolean {
  const origin = headers.get("Origin");
  if (origin) return origin === expected;
  const referer = headers.get("Referer");
  if (!referer) return false;
  try {
    return new URL(referer).origin === expected;
  } catch {
    return false;
  }
}

/** Refuses unsafe requests that do not come from our own pages. */
export function refuseCrossSite(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) return await next();
    const expected = c.get("config").publicOrigin ?? new URL(c.req.url).origin;
    if (!isSameOrigin(c.req.raw.headers, expected)) {
      return c.text(
        "Cross-site request refused: this form must be sent from Palabre's own pages",
        403,
      );
    }
    await next();
  };
}
