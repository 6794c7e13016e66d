/**
 * /rooms and /events: start a room, schedule an event and open it, be in a room, act in it,
 * report it. Every rule is checked in db/; these handlers read input and render.
 *
 * @example
 * app.route("/", rooms);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import {
  type Ctx,
  fieldErrors,
  type Form,
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
  texts,
} from "./http.tsx";
import { requireMember, requireOnboarded } from "./session.tsx";
import { Refusal } from "../db/errors.ts";
import { spendAttempt } from "../db/rate_limits.ts";
import { catalogue } from "../db/topics.ts";
import {
  findVisibleRoom,
  hostsEvent,
  joinRoom,
  type NewRoom,
  openEvent,
  publicRoomId,
  type RoomKind,
  roomSnapshot,
  scheduleEvent,
  setInterest,
  startRoom,
  type VisibleRoom,
} from "../db/rooms.ts";
import { act, parseRoomAction } from "../db/room_actions.ts";
import { report } from "../db/safety.ts";
import type { FieldErrors } from "../views/form.tsx";
import { EventView, NewEventView, NewRoomView, type RoomForm } from "../views/room_forms.tsx";
import { RoomLive, RoomPage } from "../views/room.tsx";
import { DismissedCard, HallwayLists } from "../views/hallway.tsx";
import { markNotInterested } from "../db/listening.ts";
import { ErrorView } from "../views/errors.tsx";

export const rooms = new Hono<AppEnv>();

for (const path of ["/rooms/*", "/events/*"]) rooms.use(path, requireMember(), requireOnboarded());

/**
 * The room the URL's `:id` names, if the member may see it (db/ decides, before anything else
 * is read); otherwise the same 404 whether it exists or not.
 */
function visibleRoom(c: Ctx, options: { linkKey?: string } = {}): Promise<VisibleRoom> {
  return findVisibleRoom(c.get("sql"), c.req.param("id") ?? "", c.get("member")!.id, options);
}

function roomInput(form: Form): NewRoom {
  return {
    title: text(form, "title"),
    description: text(form, "description"),
    topics: texts(form, "topics"),
    kind: text(form, "kind") as RoomKind,
    // Absent (a client without the field): db/rooms.ts takes the host's language.
    language: text(form, "language") || undefined,
  };
}

function formEcho(form: Form): RoomForm {
  return {
    title: text(form, "title"),
    description: text(form, "description"),
    topics: texts(form, "topics"),
    kind: text(form, "kind"),
    starts_at: text(form, "starts_at"),
    cohosts: text(form, "cohosts"),
    timezone_offset: text(form, "timezone_offset"),
    language: text(form, "language") || undefined,
  };
}

async function newRoomPage(c: Ctx, form: RoomForm, errors: FieldErrors, status?: 422 | 429) {
  return render(c, {
    title: c.get("words").t("hallway.start_room"),
    status,
    body: <NewRoomView catalogue={await catalogue(c.get("sql"))} form={form} errors={errors} />,
  });
}

async function newEventPage(c: Ctx, form: RoomForm, errors: FieldErrors, status?: 422 | 429) {
  return render(c, {
    title: c.get("words").t("room_form.schedule.title"),
    status,
    body: <NewEventView catalogue={await catalogue(c.get("sql"))} form={form} errors={errors} />,
  });
}

rooms.get("/rooms/new", (c) => newRoomPage(c, {}, {}));

/** Starting a room and scheduling one share one allowance per member. */
async function spendRoomCreation(c: Ctx): Promise<void> {
  await spendAttempt(c.get("sql"), {
    bucket: "room_account",
    key: String(c.get("member")!.id),
    ...c.get("config").rateLimits.roomsPerAccount,
  });
}

rooms.post("/rooms", requireMember(), requireOnboarded(), async (c) => {
  const form = await readForm(c);
  try {
    await spendRoomCreation(c);
    const roomId = await startRoom(c.get("sql"), c.get("member")!.id, roomInput(form));
    return redirectAfterPost(c, `/rooms/${await publicRoomId(c.get("sql"), roomId)}`);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return await newRoomPage(c, formEcho(form), fieldErrors(c, error), statusOf(error) as 422);
  }
});

rooms.get("/events/new", (c) => newEventPage(c, {}, {}));

/** A `datetime-local` value plus the browser's offset (minutes, as `getTimezoneOffset`). */
function startsAt(form: Form): Date {
  const local = text(form, "starts_at");
  const offset = Number(text(form, "timezone_offset") || "0");
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) || !Number.isInteger(offset) ||
    Math.abs(offset) > 900
  ) {
    throw new Refusal("invalid", "refusal.event.when_missing", "starts_at");
  }
  return new Date(Date.parse(`${local}:00Z`) + offset * 60_000);
}

rooms.post("/events", requireMember(), requireOnboarded(), async (c) => {
  const form = await readForm(c);
  try {
    await spendRoomCreation(c);
    await scheduleEvent(c.get("sql"), c.get("member")!.id, {
      ...roomInput(form),
      startsAt: startsAt(form),
      cohosts: text(form, "cohosts").split(/[\s,]+/),
    });
    return redirectAfterPost(c, "/");
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return await newEventPage(c, formEcho(form), fieldErrors(c, error), statusOf(error) as 422);
  }
});

rooms.post("/events/:id/interest", async (c) => {
  const room = await visibleRoom(c);
  const form = await readForm(c);
  await setInterest(c.get("sql"), c.get("member")!.id, room.id, text(form, "interested") === "on");
  if (isFragmentRequest(c)) {
    return c.html(
      spoken(c, <HallwayLists hallway={await c.get("reads").hallwayFor(c.get("member")!.id)} />),
    );
  }
  return redirectAfterPost(c, "/");
});

rooms.post("/rooms/:id/not-interested", async (c) => {
  const room = await visibleRoom(c);
  const title = await markNotInterested(c.get("sql"), c.get("member")!.id, room.id);
  if (isFragmentRequest(c)) {
    return c.html(spoken(c, <DismissedCard roomId={room.publicId} title={title} />));
  }
  return redirectAfterPost(c, "/");
});

rooms.post("/events/:id/open", async (c) => {
  const room = await visibleRoom(c);
  await openEvent(c.get("sql"), c.get("member")!.id, room.id);
  return redirectAfterPost(c, `/rooms/${room.publicId}`);
});

rooms.get("/rooms/:id", async (c) => {
  const member = c.get("member")!;
  const { id: roomId } = await visibleRoom(c, { linkKey: c.req.query("key") });
  try {
    await joinRoom(c.get("sql"), member.id, roomId);
  } catch (error) {
    // An ended room or an event not yet open still has a page; anything else is refused.
    if (!(error instanceof Refusal) || error.code !== "conflict") throw error;
  }
  const snapshot = await roomSnapshot(c.get("sql"), roomId);
  if (!snapshot) throw new Refusal("not_found", "refusal.room.unknown");
  const { room } = snapshot;
  const link = room.kind === "closed"
    ? `${originOf(c)}/rooms/${room.publicId}?key=${room.linkKey}`
    : null;
  if (room.state === "scheduled") {
    const viewerHosts = await hostsEvent(c.get("sql"), roomId, member.id);
    return render(c, {
      title: room.title,
      body: (
        <EventView
          title={room.title}
          startsAt={room.scheduledFor!}
          roomId={room.publicId}
          viewerHosts={viewerHosts}
          shareLink={viewerHosts ? link : null}
        />
      ),
    });
  }
  const me = snapshot.participants.find((p) => p.userId === member.id);
  const shareLink = me?.role === "moderator" ? link : null;
  return render(c, {
    title: room.title,
    body: (
      <RoomPage
        data={snapshot}
        viewerId={member.id}
        shareLink={shareLink}
        voice={c.get("voice") && { iceServers: c.get("config").iceServers }}
      />
    ),
  });
});

rooms.post("/rooms/:id/act", async (c) => {
  const form = await readForm(c);
  const member = c.get("member")!;
  let room: VisibleRoom;
  try {
    // A room the member may no longer see is refused like any action: as a notice with htmx.
    room = await visibleRoom(c);
    await act(c.get("sql"), member.id, room.id, parseRoomAction(form));
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    if (!isFragmentRequest(c)) return refusalPage(c, error);
    // With htmx the message goes where the room shows notices, and the room stays as it is.
    c.header("HX-Retarget", "#room-notice");
    return c.html(<p class="error" role="alert">{refusalMessage(c, error)}</p>, statusOf(error));
  }
  if (!isFragmentRequest(c)) {
    const left = form.action === "leave" || form.action === "end";
    return redirectAfterPost(c, left ? "/" : `/rooms/${room.publicId}`);
  }
  const snapshot = await roomSnapshot(c.get("sql"), room.id);
  return c.html(spoken(c, <RoomLive data={snapshot!} viewerId={member.id} />));
});

rooms.post("/rooms/:id/report", async (c) => {
  const { id: roomId } = await visibleRoom(c);
  const form = await readForm(c);
  await spendAttempt(c.get("sql"), {
    bucket: "report_account",
    key: String(c.get("member")!.id),
    ...c.get("config").rateLimits.reportsPerAccount,
  });
  await report(c.get("sql"), c.get("member")!.id, { roomId }, text(form, "reason"));
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
