/**
 * The room a URL's `:id` names, resolved once per request before anything else about it is read:
 * `findVisibleRoom` (db/rooms.ts) decides whether the member may see it, and answers the same
 * 404 whether it exists or not. Handlers behind it read `c.get("room")`.
 *
 * @example
 * rooms.post("/:id/report", visibleRoom(), (c) => report(sql, member.id, c.get("room").id));
 */
import type { MiddlewareHandler } from "hono";
import { Refusal } from "../db/errors.ts";
import { findVisibleRoom, type VisibleRoom } from "../db/rooms.ts";
import type { Ctx } from "./http.tsx";
import type { MemberEnv } from "./session.tsx";

/** What a handler behind `visibleRoom` reads: a member, and the room they may see. */
export type RoomEnv = MemberEnv & { Variables: { room: VisibleRoom } };

/**
 * Resolves `:id` to a room the member may see, or refuses. `withLink`: the request may carry a
 * closed room's `?key=` (the room's page, where the link leads). `refused`: answers a refusal
 * itself (an action over htmx shows it as a notice), instead of the refusal page.
 *
 * @example
 * rooms.get("/:id", visibleRoom({ withLink: true }), (c) => c.text(c.get("room").publicId));
 */
export function visibleRoom(
  options: {
    withLink?: boolean;
    refused?: <E extends MemberEnv>(c: Ctx<E>, refusal: Refusal) => Response | Promise<Response>;
  } = {},
): MiddlewareHandler<RoomEnv> {
  return async (c, next) => {
    let room: VisibleRoom;
    try {
      room = await findVisibleRoom(c.get("sql"), c.req.param("id") ?? "", c.get("member").id, {
        linkKey: options.withLink ? c.req.query("key") : undefined,
      });
    } catch (error) {
      if (!options.refused || !(error instanceof Refusal)) throw error;
      return await options.refused(c, error);
    }
    c.set("room", room);
    await next();
  };
}
