/**
 * db/calendars.ts and the time zone rule of db/rooms.ts, on both databases: an event keeps only a
 * zone the runtime knows, and a member has one feed however many are made at once.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { cast, refusedWith } from "./rooms_support.ts";
import { dayMs } from "./support.ts";
import { scheduleEvent, setInterest } from "../../db/rooms.ts";
import { calendarFeedEvents, newCalendarFeed } from "../../db/calendars.ts";

const jazz = { title: "Jazz", description: "", topics: ["jazz"], kind: "open" as const };

dbTest("an event is scheduled in a zone the runtime knows, else refused", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const startsAt = new Date(Date.now() + dayMs);
  await assert.rejects(
    scheduleEvent(sql, ada.id, { ...jazz, startsAt, timeZone: "Mars/Olympus", cohosts: [] }),
    refusedWith("invalid"),
  );
  const id = await scheduleEvent(sql, ada.id, {
    ...jazz,
    startsAt,
    timeZone: "Asia/Kolkata",
    cohosts: [],
  });
  const untold = await scheduleEvent(sql, ada.id, { ...jazz, startsAt, cohosts: [] });
  const rows = await sql`select id, time_zone from rooms order by id`;
  assert.deepEqual(rows.map((r) => [r.id, r.time_zone]), [[id, "Asia/Kolkata"], [untold, "UTC"]]);
});

dbTest("feeds made at once leave one, opened by one of their secrets only", async (sql) => {
  const { ada } = await cast(sql, "ada");
  const id = await scheduleEvent(sql, ada.id, {
    ...jazz,
    startsAt: new Date(Date.now() + dayMs),
    cohosts: [],
  });
  await setInterest(sql, ada.id, id, true);
  const secrets = await Promise.all([1, 2, 3, 4, 5].map(() => newCalendarFeed(sql, ada.id)));
  const [{ count }] = await sql`select count(*)::int as count from calendar_feeds`;
  assert.equal(count, 1);
  const opened = [];
  for (const secret of secrets) {
    if ((await calendarFeedEvents(sql, secret)) !== null) opened.push(secret);
  }
  assert.equal(opened.length, 1, "exactly one of the secrets made at once still works");
  assert.equal((await calendarFeedEvents(sql, opened[0]))?.[0].title, "Jazz");
});
