/**
 * /rooms: start a room, be in one, act in it, report it, and its two sockets (`/:id/live`,
 * `/:id/voice`). Every rule is checked in db/; these handlers read input and render.
 *
 * @example
 * app.route("/rooms", rooms);
 */
import { Hono } from "hono";
import {
  type Ctx,
  fieldErrors,
  isFragmentRequest,
  originOf,
  readForm,
  redirectAfterPost,
  refusalMessage,
  refusalPage,
  render,
  spoken,
  statusOf,
  text,
} from "../http.tsx";
import { type MemberEnv, requireMember, requireOnboarded } from "../session.tsx";
import { visibleRoom } from "../visible_room.ts";
import { formEcho, roomInput, spendRoomCreation } from "./forms.ts";
import { roomLive } from "./live.ts";
import { roomVoice } from "./voice.ts";
import { Refusal } from "../../db/errors.ts";
import { spendAttempt } from "../../db/rate_limits.ts";
import { catalogue } from "../../db/topics.ts";
import {
  hostsEvent,
  joinRoom,
  publicRoomId,
  roomSnapshot,
  shareableLinkKey,
  startRoom,
} from "../../db/rooms.ts";
import { act, parseRoomAction } from "../../db/room_actions.ts";
import { report } from "../../db/safety.ts";
import { ping, pingable } from "../../db/notifications.ts";
import { PingSent } from "../../views/ping.tsx";
import type { FieldErrors } from "../../views/form.tsx";
import { EventView, NewRoomView, type RoomForm } from "../../views/room_forms.tsx";
import { RoomLive, RoomPage } from "../../views/room.tsx";
import { ErrorView } from "../../views/errors.tsx";

export const rooms = new Hono<MemberEnv>();

// The sockets come first and answer for themselves (a guest gets a 401, not the pages' redirect;
// a room out of sight is accepted and closed, not a 404): an upgrade ends the chain there.
rooms.route("/", roomLive);
rooms.route("/", roomVoice);
rooms.use(requireMember(), requireOnboarded());

async function newRoomPage(
  c: Ctx<MemberEnv>,
  form: RoomForm,
  errors: FieldErrors,
  status?: 422 | 429,
) {
  return render(c, {
    title: c.get("words").t("hallway.start_room"),
    status,
    body: <NewRoomView catalogue={await catalogue(c.get("sql"))} form={form} errors={errors} />,
  });
}

rooms.get("/new", (c) => newRoomPage(c, {}, {}));

rooms.post("/", async (c) => {
  const form = await readForm(c);
  try {
    await spendRoomCreation(c);
    const roomId = await startRoom(c.get("sql"), c.get("member").id, roomInput(form));
    return redirectAfterPost(c, `/rooms/${await publicRoomId(c.get("sql"), roomId)}`);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return await newRoomPage(c, formEcho(form), fieldErrors(c, error), statusOf(error) as 422);
  }
});

rooms.get("/:id", visibleRoom({ withLink: true }), async (c) => {
  const member = c.get("member");
  const roomId = c.get("room").id;
  try {
    await joinRoom(c.get("sql"), member.id, roomId);
  } catch (error) {
    // An ended room or an event not yet open still has a page; anything else is refused.
    if (!(error instanceof Refusal) || error.code !== "conflict") throw error;
  }
  const snapshot = await roomSnapshot(c.get("sql"), roomId);
  if (!snapshot) throw new Refusal("not_found", "refusal.room.unknown");
  const { room } = snapshot;
  const viewerHosts = room.state === "scheduled" &&
    await hostsEvent(c.get("sql"), roomId, member.id);
  const linkKey = shareableLinkKey(snapshot, member.id, { hostsEvent: viewerHosts });
  // A closed room's link is its secret (for those who may pass it on); any other room's, its URL.
  const shareLink = room.kind === "closed"
    ? linkKey && `${originOf(c)}/rooms/${room.publicId}?key=${linkKey}`
    : `${originOf(c)}/rooms/${room.publicId}`;
  if (room.state === "scheduled") {
    return render(c, {
      title: room.title,
      body: (
        <EventView
          title={room.title}
          startsAt={room.scheduledFor!}
          roomId={room.publicId}
          viewerHosts={viewerHosts}
          shareLink={shareLink}
        />
      ),
    });
  }
  return render(c, {
    title: room.title,
    body: (
      <RoomPage
        data={snapshot}
        viewerId={member.id}
        shareLink={shareLink}
        voice={c.get("voice") && { iceServers: c.get("config").iceServers }}
        pingable={room.state === "live"
          ? await pingable(c.get("sql"), member.id, roomId)
          : undefined}
      />
    ),
  });
});

/**
 * A refused room action: with htmx the message goes where the room shows notices, and the room
 * stays as it is; without, the refusal's page.
 */
function actionRefused<E extends MemberEnv>(c: Ctx<E>, error: Refusal) {
  if (!isFragmentRequest(c)) return refusalPage(c, error);
  c.header("HX-Retarget", "#room-notice");
  return c.html(<p class="error" role="alert">{refusalMessage(c, error)}</p>, statusOf(error));
}

// A room the member may no longer see is refused like any action: as a notice with htmx.
rooms.post("/:id/act", visibleRoom({ refused: actionRefused }), async (c) => {
  const form = await readForm(c);
  const member = c.get("member");
  const room = c.get("room");
  try {
    await act(c.get("sql"), member.id, room.id, parseRoomAction(form));
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return actionRefused(c, error);
  }
  // Leaving goes back to the hallway, with htmx too (HX-Redirect): the room page is no place to
  // stay once out of the room, and leaving it stops the voice.
  if (form.action === "leave") return redirectAfterPost(c, "/");
  if (!isFragmentRequest(c)) {
    return redirectAfterPost(c, form.action === "end" ? "/" : `/rooms/${room.publicId}`);
  }
  const snapshot = await roomSnapshot(c.get("sql"), room.id);
  return c.html(spoken(c, <RoomLive data={snapshot!} viewerId={member.id} />));
});

rooms.post("/:id/ping", visibleRoom({ refused: actionRefused }), async (c) => {
  const form = await readForm(c);
  const room = c.get("room");
  const handle = text(form, "handle");
  try {
    await ping(c.get("sql"), {
      pingerId: c.get("member").id,
      roomId: room.id,
      handle,
      limits: c.get("config").notifications,
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return actionRefused(c, error);
  }
  if (isFragmentRequest(c)) return c.html(spoken(c, <PingSent handle={handle} />));
  return redirectAfterPost(c, `/rooms/${room.publicId}`);
});

rooms.post("/:id/report", visibleRoom(), async (c) => {
  const form = await readForm(c);
  await spendAttempt(c.get("sql"), {
    bucket: "report_account",
    key: String(c.get("member").id),
    ...c.get("config").rateLimits.reportsPerAccount,
  });
  await report(
    c.get("sql"),
    c.get("member").id,
    { roomId: c.get("room").id },
    text(form, "reason"),
  );
  return render(c, {
    title: c.get("words").t("report.done"),
    body: (
      <ErrorView
        title={c.get("words").t("report.done")}
        message={c.get("words").t("report.done.message")}
      />
    ),
  });
});
