/**
 * /hallway/live and /rooms/:id/live: the one WebSocket each live page opens (htmx's hx-ws).
 * An upgrade is a GET, which the cross-site check does not cover, so Origin and the session
 * are checked here before the socket is accepted.
 *
 * @example
 * app.route("/", live);
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { idParam, originOf } from "./http.tsx";
import { isSameOrigin } from "./security.ts";
import { roomExists } from "../db/rooms.ts";
import type { LivePage } from "./live_hub.tsx";

export const live = new Hono<AppEnv>();

/** Refuses an upgrade from another site or without a session, before it becomes a socket. */
export function checkUpgrade(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isSameOrigin(c.req.raw.headers, originOf(c))) {
      return c.text("Cross-site WebSocket refused", 403);
    }
    if (!c.get("member")) return c.text("Sign in first", 401);
    await next();
  };
}

live.get(
  "/hallway/live",
  checkUpgrade(),
  upgradeWebSocket((c) => {
    const hub = c.get("hub");
    const page: LivePage = { ws: undefined!, memberId: c.get("member")!.id, roomId: null };
    return {
      onOpen: (_event, ws) => {
        page.ws = ws;
        hub.open(page).catch((error: unknown) =>
          console.error("Hallway socket failed to open:", error)
        );
      },
      onMessage: (event) => hub.receive(page, event.data),
      onClose: () => hub.close(page),
    };
  }),
);

/**
 * Refuses an upgrade to a room that does not exist. A member who may not be in the room still
 * gets a socket: it says so and closes normally, where a refused upgrade would be retried.
 */
export function requireRoom(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const roomId = idParam(c, "id");
    if (roomId === null || !await roomExists(c.get("sql"), roomId)) {
      return c.text("No such room", 404);
    }
    await next();
  };
}

live.get(
  "/rooms/:id/live",
  checkUpgrade(),
  requireRoom(),
  upgradeWebSocket((c) => {
    const hub = c.get("hub");
    const page: LivePage = {
      ws: undefined!,
      memberId: c.get("member")!.id,
      roomId: idParam(c, "id"),
    };
    return {
      onOpen: (_event, ws) => {
        page.ws = ws;
        hub.open(page).catch((error: unknown) =>
          console.error("Room socket failed to open:", error)
        );
      },
      onMessage: (event) => hub.receive(page, event.data),
      onClose: () => hub.close(page),
    };
  }),
);
