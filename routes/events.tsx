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
import { calendarEntry } from "../db/calendars.ts";
import { instantOf, isTimeZone, timeZones } from "../calendar/time_zones.ts";
import { eventsCalendar, icsResponse } from "./calendar.tsx";
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
    body: (
      <NewEventView
        catalogue={await catalogue(c.get("sql"))}
        form={form}
        errors={errors}
        timeZones={timeZones()}
      />
    ),
  });
}

events.get("/new", (c) => newEventPage(c, {}, {}));

/**
 * A `datetime-local` value read in the zone the host chose (`time_zone`), or, from a client
 * without that field, with the browser's offset (minutes, as `getTimezoneOffset`).
 */
function startsAt(form: Form): Date {
  const local = text(form, "starts_at");
  const zone = text(form, "time_zone");
  const offset = Number(text(form, "timezone_offset") || "0");
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) || !Number.isInteger(offset) ||
    Math.abs(offset) > 900 || Number.isNaN(Date.parse(`${local}:00Z`))
  ) {
    throw new Refusal("invalid", "refusal.event.when_missing", "starts_at");
  }
  if (zone === "") return new Date(Date.parse(`${local}:00Z`) + offset * 60_000);
  if (!isTimeZone(zone)) throw new Refusal("invalid", "refusal.event.time_zone", "time_zone");
  return instantOf(local, zone);
}

events.post("/", async (c) => {
  const form = await readForm(c);
  try {
    await spendRoomCreation(c);
    await scheduleEvent(c.get("sql"), c.get("member").id, {
      ...roomInput(form),
      startsAt: startsAt(form),
      timeZone: text(form, "time_zone") || undefined,
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

/** "Add to calendar": the event as a file, its start in the zone its host scheduled it in. */
events.get("/:id/calendar.ics", visibleRoom(), async (c) => {
  const entry = await calendarEntry(c.get("sql"), c.get("room").id);
  if (!entry) throw new Refusal("not_found", "refusal.calendar.not_event");
  return icsResponse(c, eventsCalendar(c, [entry]), {
    filename: `${fileName(entry.title)}.ics`,
    disposition: "attachment",
  });
});

/** A title as a plain file name: letters and digits without accents, dashes between words. */
function fileName(title: string): string {
  const plain = title.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return plain || "event";
}
