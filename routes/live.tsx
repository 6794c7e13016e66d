/**
 * /hallway/live and /rooms/:id/live: the one WebSocket each live page opens (htmx's hx-ws).
 * An upgrade is a GET, which the cross-site check does not cover, so Origin and the session
 * are checked here before the socket is accepted, and the room is one the member may see.
 *
 * @example
 * app.route("/", live);
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { originOf } from "./http.tsx";
import { isSameOrigin } from "./security.ts";
import { Refusal } from "../db/errors.ts";
import { findVisibleRoom, isPublicRoomId, type VisibleRoom } from "../db/rooms.ts";
import { type LivePage, noticeFrame } from "./live_hub.tsx";

export const live = new Hono<AppEnv>();

/** Refuses an upgrade from another site or without a session, before it becomes a socket. */
export function checkUpgrade(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isSameOrigin(c.req.raw.headers, originOf(c))) {
      return c.text("Cross-site WebSocket refused", 403);
    }
    if (!c.get("member")) return c.text(c.get("words").t("refusal.title.unauthenticated"), 401);
    await next();
  };
}

live.get(
  "/hallway/live",
  checkUpgrade(),
  upgradeWebSocket((c) => {
    const hub = c.get("hub");
    const page: LivePage = {
      ws: undefined!,
      memberId: c.get("member")!.id,
      words: c.get("words"),
      roomId: null,
    };
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
 * Refuses an upgrade whose URL cannot name a room (not a public room id).
 *
 * @example
 * voice.get("/rooms/:id/voice", checkUpgrade(), requireRoomId(), upgradeWebSocket(...));
 */
export function requireRoomId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isPublicRoomId(c.req.param("id") ?? "")) {
      return c.text(c.get("words").t("refusal.room.unknown"), 404);
    }
    await next();
  };
}

/**
 * The room a socket's URL names, if the member may see it (db/ decides); null otherwise. Such
 * a socket is still accepted and then closed normally, with nothing about the room in it: a
 * refused upgrade would be retried, and would tell a room that exists from one that does not.
 *
 * @example
 * const room = await socketRoom(c);
 * if (!room) return { onOpen: (_event, ws) => ws.close(1000, "Not in this room") };
 */
export async function socketRoom(c: Context<AppEnv>): Promise<VisibleRoom | null> {
  try {
    return await findVisibleRoom(c.get("sql"), c.req.param("id") ?? "", c.get("member")!.id);
  } catch (error) {
    if (error instanceof Refusal) return null;
    throw error;
  }
}

live.get(
  "/rooms/:id/live",
  checkUpgrade(),
  requireRoomId(),
  upgradeWebSocket(async (c) => {
    const room = await socketRoom(c);
    if (!room) {
      return {
        onOpen: (_event, ws) => {
          ws.send(JSON.stringify(noticeFrame(c.get("words").t("live.not_in_room"))));
          ws.close(1000, "Not in this room");
        },
      };
    }
    const hub = c.get("hub");
    const page: LivePage = {
      ws: undefined!,
      memberId: c.get("member")!.id,
      words: c.get("words"),
      roomId: room.id,
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
