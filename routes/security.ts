/**
 * Security by default: a strict Content-Security-Policy and friends on every response, and an
 * Origin check on every state-changing request (WebSocket upgrades are checked where they
 * are accepted, since they are GETs).
 *
 * @example
 * app.use(securityHeaders(), refuseCrossSite());
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./context.ts";

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      mediaSrc: ["'self'", "blob:"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    // Invite tokens live in URLs: never hand them to another site in a Referer.
    referrerPolicy: "same-origin",
    permissionsPolicy: { microphone: ["self"], camera: [], geolocation: [] },
    crossOriginEmbedderPolicy: false,
    // Headers for browsers long gone (IE's download prompt, Flash, the XSS auditor): every
    // response would carry them for nothing.
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
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
