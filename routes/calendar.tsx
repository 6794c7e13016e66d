/**
 * /calendar/<secret>.ics: a member's private calendar feed (webcal), read by calendar
 * applications with no session: the secret in the URL is the only key. Also how any event becomes
 * a calendar file (`eventsCalendar`), for the feed and for an event's "Add to calendar".
 *
 * @example
 * app.route("/calendar", calendar);
 */
import { Hono } from "hono";
import type { AppEnv } from "./context.ts";
import { addressKey, type Ctx, originOf } from "./http.tsx";
import { Refusal } from "../db/errors.ts";
import { spendAttempt } from "../db/rate_limits.ts";
import { type CalendarEntry, calendarFeedEvents } from "../db/calendars.ts";
import { calendarFile } from "../calendar/ics.ts";

export const calendar = new Hono<AppEnv>();

// Palabre's events have a start and no end; calendars want an end, so an event shows as an hour.
const shownEventLengthMs = 60 * 60_000;

/**
 * A calendar file of `entries`, with each event's link and a UID that stays the same for the
 * event on every download (its public id: a closed room's link key never goes in a file).
 *
 * @example
 * const text = eventsCalendar(c, [entry]);
 */
export function eventsCalendar<E extends AppEnv>(c: Ctx<E>, entries: CalendarEntry[]): string {
  const origin = originOf(c);
  const host = new URL(origin).host;
  return calendarFile({
    name: c.get("words").t("site.name"),
    stampedAt: new Date(),
    events: entries.map((e) => ({
      uid: `${e.publicId}@${host}`,
      title: e.title,
      description: e.description,
      startsAt: e.startsAt,
      endsAt: new Date(e.startsAt.getTime() + shownEventLengthMs),
      timeZone: e.timeZone,
      url: `${origin}/rooms/${e.publicId}`,
    })),
  });
}

/**
 * An iCalendar response: `inline` for a feed a calendar application reads, `attachment` for a
 * file to save and open.
 *
 * @example
 * return icsResponse(c, text, { filename: "palabre.ics", disposition: "inline" });
 */
export function icsResponse<E extends AppEnv>(
  c: Ctx<E>,
  text: string,
  file: { filename: string; disposition: "inline" | "attachment" },
): Response {
  c.header("Content-Type", "text/calendar; charset=utf-8");
  c.header("Content-Disposition", `${file.disposition}; filename="${file.filename}"`);
  return c.body(text);
}

const longestFeedName = 100;

calendar.get("/:file", async (c) => {
  const { sql, config } = c.var;
  await spendAttempt(sql, {
    bucket: "calendar_feed_address",
    key: await addressKey(c),
    ...config.rateLimits.calendarFeedPerAddress,
  });
  const file = c.req.param("file");
  const secret = file.endsWith(".ics") && file.length <= longestFeedName ? file.slice(0, -4) : "";
  const entries = await calendarFeedEvents(sql, secret);
  if (!entries) throw new Refusal("not_found", "refusal.calendar.unknown");
  return icsResponse(c, eventsCalendar(c, entries), {
    filename: "palabre.ics",
    disposition: "inline",
  });
});
