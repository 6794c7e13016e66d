/**
 * /rooms/:id/voice: a room page's voice socket, for WebRTC signalling and speaking rings.
 * Checked like the live socket (Origin, session, a room the member may see); whether the member
 * is in the room is read when it opens, and a page that is not gets a normal close.
 *
 * @example
 * rooms.route("/", roomVoice);
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { MemberEnv } from "../session.tsx";
import { checkUpgrade, requireRoomId, socketRoom } from "../upgrade.ts";
import type { VoiceSocket } from "../../live/voice_rooms.ts";

export const roomVoice = new Hono<MemberEnv>();

roomVoice.get(
  "/:id/voice",
  checkUpgrade(),
  requireRoomId(),
  async (c, next) => {
    if (!c.get("voice")) return c.text(c.get("words").t("voice.unavailable"), 503);
    await next();
  },
  upgradeWebSocket(async (c) => {
    const room = await socketRoom(c);
    if (!room) return { onOpen: (_event, ws) => ws.close(1000, "Not in this room") };
    const rooms = c.get("voice")!;
    const socket: VoiceSocket = {
      ws: undefined!,
      memberId: c.get("member").id,
      words: c.get("words"),
      roomId: room.id,
      mediaId: crypto.randomUUID(),
      inMedia: false,
    };
    return {
      onOpen: (_event, ws) => {
        socket.ws = ws;
        rooms.open(socket).catch((error: unknown) =>
          console.error("Voice socket failed to open:", error)
        );
      },
      onMessage: (event) => rooms.receive(socket, event.data),
      onClose: () => rooms.close(socket),
    };
  }),
);
