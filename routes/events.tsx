/**
 * /events: schedule a room for later, and open it when its time comes (its page is the room's,
 * /rooms/:id). Every rule is checked in db/; these handlers read input and render.
 *
 * @example
 * app.route("/events", events);
 */
import { Hono } from "hono";
import {
  type Ctx,
  fieldErrors,
  type Form,
  readForm,
  redirectAfterPost,
  render,
  statusOf,
  text,
} from "./http.tsx";
import { type MemberEnv, requireMember, requireOnboarded } from "./session.tsx";
import { visibleRoom } from "./visible_room.ts";
import { formEcho, roomInput, spendRoomCreation } from "./rooms/forms.ts";
import { Refusal } from "../db/errors.ts";
import { catalogue } from "../db/topics.ts";
import { openEvent, scheduleEvent } from "../db/rooms.ts";
import type { FieldErrors } from "../views/form.tsx";
import { NewEventView, type RoomForm } from "../views/room_forms.tsx";

export const events = new Hono<MemberEnv>();

events.use(requireMember(), requireOnboarded());

async function newEventPage(
  c: Ctx<MemberEnv>,
  form: RoomForm,
  errors: FieldErrors,
  status?: 422 | 429,
) {
  return render(c, {
    title: c.get("words").t("room_form.schedule.title"),
    status,
    body: <NewEventView catalogue={await catalogue(c.get("sql"))} form={form} errors={errors} />,
  });
}

events.get("/new", (c) => newEventPage(c, {}, {}));

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

events.post("/", async (c) => {
  const form = await readForm(c);
  try {
    await spendRoomCreation(c);
    await scheduleEvent(c.get("sql"), c.get("member").id, {
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

events.post("/:id/open", visibleRoom(), async (c) => {
  const room = c.get("room");
  await openEvent(c.get("sql"), c.get("member").id, room.id);
  return redirectAfterPost(c, `/rooms/${room.publicId}`);
});
