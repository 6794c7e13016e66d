/**
 * /rooms/:id/live: the WebSocket a room page opens (htmx's hx-ws), handed to the live hub. A
 * room the member may not see gets one notice and a normal close (routes/upgrade.ts says why).
 *
 * @example
 * rooms.route("/", roomLive);
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { MemberEnv } from "../session.tsx";
import { checkUpgrade, requireRoomId, socketRoom } from "../upgrade.ts";
import { noticeFrame } from "../../live/frames.tsx";
import type { LivePage } from "../../live/page_hub.ts";

export const roomLive = new Hono<MemberEnv>();

roomLive.get(
  "/:id/live",
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
      memberId: c.get("member").id,
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
