/**
 * What every live socket checks at its upgrade. An upgrade is a GET, which the cross-site check
 * does not cover, so Origin and the session are checked here before the socket is accepted; a
 * room's socket also names a room the member may see.
 *
 * @example
 * area.get("/:id/live", checkUpgrade(), requireRoomId(), upgradeWebSocket(async (c) => ...));
 */
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "./context.ts";
import { originOf } from "./http.tsx";
import { isSameOrigin } from "./security.ts";
import type { MemberEnv } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { findVisibleRoom, isPublicRoomId, type VisibleRoom } from "../db/rooms.ts";

/**
 * Refuses an upgrade from another site or without a session, before it becomes a socket; past
 * it, the member is never null.
 *
 * @example
 * hallway.get("/hallway/live", checkUpgrade(), upgradeWebSocket((c) => ...));
 */
export function checkUpgrade(): MiddlewareHandler<MemberEnv> {
  return async (c, next) => {
    if (!isSameOrigin(c.req.raw.headers, originOf(c))) {
      return c.text("Cross-site WebSocket refused", 403);
    }
    if ((c.get("member") as AppEnv["Variables"]["member"]) === null) {
      return c.text(c.get("words").t("refusal.title.unauthenticated"), 401);
    }
    await next();
  };
}

/**
 * Refuses an upgrade whose URL cannot name a room (not a public room id).
 *
 * @example
 * voice.get("/:id/voice", checkUpgrade(), requireRoomId(), upgradeWebSocket(...));
 */
export function requireRoomId(): MiddlewareHandler<MemberEnv> {
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
export async function socketRoom(c: Context<MemberEnv>): Promise<VisibleRoom | null> {
  try {
    return await findVisibleRoom(c.get("sql"), c.req.param("id") ?? "", c.get("member").id);
  } catch (error) {
    if (error instanceof Refusal) return null;
    throw error;
  }
}
