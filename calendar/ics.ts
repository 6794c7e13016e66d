/**
 * Writes iCalendar files (RFC 5545): one event for "Add to calendar", or a member's feed. Pure:
 * events in, text out. Lines end in CRLF and fold at 75 octets without splitting a character;
 * times are given in the event's zone, with a VTIMEZONE made from the runtime's zone data.
 *
 * @example
 * const text = calendarFile({ name: "Palabre", stampedAt: new Date(), events: [{
 *   uid: "rQbZDUnRRoyXr-_PJrOrUA@palabre.example", title: "Jazz", description: "",
 *   startsAt: new Date("2027-07-15T18:00:00Z"), endsAt: new Date("2027-07-15T19:00:00Z"),
 *   timeZone: "Europe/Paris", url: "https://palabre.example/rooms/rQbZDUnRRoyXr-_PJrOrUA",
 * }] });
 */
import { offsetMinutes, transitions, type WallTime, wallTime } from "./time_zones.ts";

/** One event as a calendar shows it. */
export interface CalendarEvent {
  /** Stable for the event across downloads, so a calendar updates it instead of adding one. */
  uid: string;
  title: string;
  description: string;
  startsAt: Date;
  endsAt: Date;
  /** An IANA zone name: the times are written in it. */
  timeZone: string;
  url: string;
}

const maxLineOctets = 75;
const encoder = new TextEncoder();

/**
 * A TEXT value with its special characters escaped: backslash, semicolon, comma and newline.
 *
 * @example
 * escapeText("Jazz, blues; more\nsoon"); // "Jazz\\, blues\\; more\\nsoon"
 */
export function escapeText(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * One content line folded at 75 octets: each continuation starts with a space, and no UTF-8
 * character is cut in two.
 *
 * @example
 * foldLine("SUMMARY:" + "é".repeat(40)).split("\r\n").length; // 2
 */
export function foldLine(line: string): string {
  const lines: string[] = [];
  let current = "";
  let octets = 0;
  for (const character of line) {
    const size = encoder.encode(character).length;
    if (octets + size > maxLineOctets) {
      lines.push(current);
      // The leading space of a continuation line counts toward its 75 octets.
      current = " ";
      octets = 1;
    }
    current += character;
    octets += size;
  }
  lines.push(current);
  return lines.join("\r\n");
}

function two(n: number): string {
  return String(n).padStart(2, "0");
}

function localStamp(w: WallTime): string {
  return `${w.year}${two(w.month)}${two(w.day)}T${two(w.hour)}${two(w.minute)}${two(w.second)}`;
}

function utcStamp(instant: Date): string {
  return `${localStamp(wallTime(instant, "UTC"))}Z`;
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const whole = Math.abs(minutes);
  return `${sign}${two(Math.floor(whole / 60))}${two(whole % 60)}`;
}

/** How far either side of a zone's events its VTIMEZONE describes the offsets. */
const zoneMarginMs = 366 * 86_400_000;

/**
 * The VTIMEZONE for `zone` over the span its events cover (and a year either side): the offset in
 * force at the span's start, then each change. A change to an offset above the span's lowest is
 * daylight time, any other standard time: Intl gives offsets, not names.
 */
function timeZoneLines(zone: string, events: CalendarEvent[]): string[] {
  const times = events.flatMap((e) => [e.startsAt.getTime(), e.endsAt.getTime()]);
  const from = new Date(Math.min(...times) - zoneMarginMs);
  const to = new Date(Math.max(...times) + zoneMarginMs);
  const changes = transitions(zone, from, to);
  const firstOffset = changes[0]?.fromMinutes ?? offsetMinutes(zone, from);
  const lowest = Math.min(firstOffset, ...changes.map((c) => c.toMinutes));
  const observance = (kind: string, start: WallTime, fromMinutes: number, toMinutes: number) => [
    `BEGIN:${kind}`,
    `DTSTART:${localStamp(start)}`,
    `TZOFFSETFROM:${offsetText(fromMinutes)}`,
    `TZOFFSETTO:${offsetText(toMinutes)}`,
    `END:${kind}`,
  ];
  const kindOf = (minutes: number) => minutes > lowest ? "DAYLIGHT" : "STANDARD";
  return [
    "BEGIN:VTIMEZONE",
    `TZID:${zone}`,
    ...observance(kindOf(firstOffset), wallTime(from, zone), firstOffset, firstOffset),
    // A change's DTSTART is the wall time it happens at, read with the offset before it.
    ...changes.flatMap((c) =>
      observance(
        kindOf(c.toMinutes),
        wallTime(new Date(c.at.getTime() + c.fromMinutes * 60_000), "UTC"),
        c.fromMinutes,
        c.toMinutes,
      )
    ),
    "END:VTIMEZONE",
  ];
}

/**
 * Whether the wall time `instant` shows in `zone` is shown twice that night (clocks going back).
 * RFC 5545 reads such a time as its first occurrence, and parsers differ: it is written in UTC.
 */
function livedTwice(instant: Date, zone: string): boolean {
  const w = wallTime(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const offsets = new Set(
    [-86_400_000, 0, 86_400_000].map((d) => offsetMinutes(zone, new Date(instant.getTime() + d))),
  );
  const occurrences = [...offsets].filter((offset) =>
    localStamp(wallTime(new Date(asUtc - offset * 60_000), zone)) === localStamp(w)
  );
  return occurrences.length > 1;
}

function timeLine(name: string, instant: Date, zone: string): string {
  return livedTwice(instant, zone)
    ? `${name}:${utcStamp(instant)}`
    : `${name};TZID=${zone}:${localStamp(wallTime(instant, zone))}`;
}

function eventLines(event: CalendarEvent, stampedAt: Date): string[] {
  const zone = event.timeZone;
  return [
    "BEGIN:VEVENT",
    `UID:${event.uid}`,
    `DTSTAMP:${utcStamp(stampedAt)}`,
    timeLine("DTSTART", event.startsAt, zone),
    timeLine("DTEND", event.endsAt, zone),
    `SUMMARY:${escapeText(event.title)}`,
    ...(event.description ? [`DESCRIPTION:${escapeText(event.description)}`] : []),
    `URL:${event.url}`,
    "END:VEVENT",
  ];
}

/**
 * A whole iCalendar file: one VTIMEZONE per zone its events use, then the events. `name` is the
 * calendar's name as a subscribing application shows it.
 *
 * @example
 * calendarFile({ name: "Palabre", stampedAt: new Date(), events: [] }).startsWith("BEGIN:VCALENDAR\r\n"); // true
 */
export function calendarFile(
  calendar: { name: string; stampedAt: Date; events: CalendarEvent[] },
): string {
  const zones = [...new Set(calendar.events.map((e) => e.timeZone))].sort();
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Palabre//Palabre//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(calendar.name)}`,
    ...zones.flatMap((zone) =>
      timeZoneLines(zone, calendar.events.filter((e) => e.timeZone === zone))
    ),
    ...calendar.events.flatMap((e) => eventLines(e, calendar.stampedAt)),
    "END:VCALENDAR",
  ];
  return lines.map(foldLine).join("\r\n") + "\r\n";
}
