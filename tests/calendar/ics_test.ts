/**
 * The iCalendar writer and the time zones under it, on their own: the edges routes do not reach
 * (clocks going forward and back, a zone without summer time, one south of the equator, characters
 * of four octets at a fold), each read back by ical.js where a calendar application would read it.
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { type CalendarEvent, calendarFile, foldLine } from "../../calendar/ics.ts";
import { instantOf, isTimeZone, offsetMinutes, transitions } from "../../calendar/time_zones.ts";

function event(startsAt: Date, timeZone: string): CalendarEvent {
  return {
    uid: "rQbZDUnRRoyXr-_PJrOrUA@palabre.test",
    title: "Jazz",
    description: "",
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3_600_000),
    timeZone,
    url: "http://palabre.test/rooms/rQbZDUnRRoyXr-_PJrOrUA",
  };
}

/** The start ical.js reads from the file, with the file's own VTIMEZONE. */
function startRead(text: string): Date {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const zone = calendar.getFirstSubcomponent("vtimezone")!;
  const tzid = String(zone.getFirstPropertyValue("tzid"));
  ICAL.TimezoneService.register(zone);
  try {
    const start = new ICAL.Event(calendar.getFirstSubcomponent("vevent")!).startDate;
    return start.toJSDate();
  } finally {
    ICAL.TimezoneService.remove(tzid);
  }
}

Deno.test("a wall time skipped when clocks go forward lands after the change", () => {
  // Paris, last Sunday of March 2027: 02:00 CET becomes 03:00 CEST; 02:30 never happens.
  assert.equal(
    instantOf("2027-03-28T02:30", "Europe/Paris").toISOString(),
    "2027-03-28T01:30:00.000Z",
  );
  assert.equal(
    instantOf("2027-03-28T01:30", "Europe/Paris").toISOString(),
    "2027-03-28T00:30:00.000Z",
  );
  assert.equal(
    instantOf("2027-03-28T03:30", "Europe/Paris").toISOString(),
    "2027-03-28T01:30:00.000Z",
  );
});

Deno.test("a wall time lived twice when clocks go back is its first occurrence", () => {
  // New York, first Sunday of November 2027: 01:30 happens in EDT, then again in EST.
  assert.equal(
    instantOf("2027-11-07T01:30", "America/New_York").toISOString(),
    "2027-11-07T05:30:00.000Z",
  );
});

Deno.test("transitions are found to the minute, in both hemispheres and none where there are none", () => {
  const year = [new Date("2027-01-01T00:00:00Z"), new Date("2028-01-01T00:00:00Z")] as const;
  assert.deepEqual(transitions("Europe/Paris", ...year), [
    { at: new Date("2027-03-28T01:00:00Z"), fromMinutes: 60, toMinutes: 120 },
    { at: new Date("2027-10-31T01:00:00Z"), fromMinutes: 120, toMinutes: 60 },
  ]);
  // Sydney goes back in April and forward in October.
  assert.deepEqual(transitions("Australia/Sydney", ...year), [
    { at: new Date("2027-04-03T16:00:00Z"), fromMinutes: 660, toMinutes: 600 },
    { at: new Date("2027-10-02T16:00:00Z"), fromMinutes: 600, toMinutes: 660 },
  ]);
  assert.deepEqual(transitions("Asia/Kolkata", ...year), []);
  assert.equal(offsetMinutes("Asia/Kolkata", year[0]), 330);
});

Deno.test("ical.js reads each start back to its instant, whatever the zone", () => {
  for (
    const [zone, instant] of [
      ["Australia/Sydney", "2027-07-15T10:00:00.000Z"],
      ["Australia/Sydney", "2027-01-15T09:00:00.000Z"],
      ["Asia/Kolkata", "2027-07-15T14:30:00.000Z"],
      ["America/New_York", "2027-11-07T05:30:00.000Z"],
      ["America/New_York", "2027-11-07T06:30:00.000Z"],
      ["America/New_York", "2027-11-07T07:30:00.000Z"],
      ["UTC", "2027-07-15T20:00:00.000Z"],
    ]
  ) {
    const text = calendarFile({
      name: "Palabre",
      stampedAt: new Date(),
      events: [event(new Date(instant), zone)],
    });
    assert.equal(startRead(text).toISOString(), instant, zone);
  }
});

Deno.test("a start at a wall time lived twice is written in UTC, and others in their zone", () => {
  const stampedAt = new Date();
  // 01:30 in New York on 7 November 2027 happens in EDT (05:30Z), then again in EST (06:30Z).
  for (const instant of ["2027-11-07T05:30:00Z", "2027-11-07T06:30:00Z"]) {
    const text = calendarFile({
      name: "Palabre",
      stampedAt,
      events: [event(new Date(instant), "America/New_York")],
    });
    assert.ok(text.includes(`DTSTART:${instant.replace(/[-:]/g, "")}\r\n`), text);
  }
  const text = calendarFile({
    name: "Palabre",
    stampedAt,
    events: [event(new Date("2027-11-07T04:30:00Z"), "America/New_York")],
  });
  assert.ok(text.includes("DTSTART;TZID=America/New_York:20271107T003000\r\n"), text);
});

Deno.test("a fold never cuts a character of four octets", () => {
  const line = `SUMMARY:${"🎷".repeat(40)}`;
  const folded = foldLine(line).split("\r\n");
  const encoder = new TextEncoder();
  for (const part of folded) {
    assert.ok(encoder.encode(part).length <= 75, part);
    assert.ok(!part.includes("\uFFFD"));
  }
  assert.equal(folded.map((part, i) => i === 0 ? part : part.slice(1)).join(""), line);
});

Deno.test("a zone is known by any of its names, and only a name is a zone", () => {
  for (const zone of ["Europe/Paris", "Asia/Kolkata", "Asia/Calcutta", "UTC", "Europe/Kyiv"]) {
    assert.ok(isTimeZone(zone), zone);
  }
  for (const zone of ["Mars/Olympus", "+05:00", "", "Europe/Paris/../x", "x".repeat(65)]) {
    assert.ok(!isTimeZone(zone), zone);
  }
});
