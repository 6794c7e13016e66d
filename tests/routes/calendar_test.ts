/**
 * Links and calendars through the app, on both databases: "Add to calendar" files that a
 * maintained parser (ical.js, a test-only dependency) reads back to the right instants, the private
 * webcal feed, sign-in that returns to the page asked for, and who sees which "Copy link".
 */
import assert from "node:assert/strict";
import ICAL from "ical.js";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  configuredTestApp,
  expectStatus,
  memberBrowser,
  origin,
  testApp,
} from "../support/app_client.ts";
import type { Sql } from "../../db/client.ts";

const openEvent = { description: "", kind: "open", topics: ["jazz"] };

/** The next 15th of `month` at least two days away: always within the year events may be ahead. */
function next15th(month: number): number {
  const now = Date.now();
  const year = new Date(now).getUTCFullYear();
  return Date.UTC(year, month - 1, 15) > now + 2 * 86_400_000 ? year : year + 1;
}

/** Schedules an event through the form and returns its public id. */
async function schedule(
  sql: Sql,
  host: Browser,
  form: Record<string, string>,
): Promise<string> {
  await expectStatus(host.post("/events", { ...openEvent, ...form }), 303);
  const [row] = await sql`select public_id from rooms where title = ${form.title}`;
  return row.public_id;
}

interface ParsedEvent {
  summary: string;
  description: string;
  start: Date;
  zone: string;
  uid: string;
  url: string;
}

/** Reads an iCalendar text with ical.js, its VTIMEZONEs registered as a calendar application does. */
function parse(text: string): ParsedEvent[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  // Registered for this parse only; ical.js's own UTC stays as it is.
  const zones = calendar.getAllSubcomponents("vtimezone")
    .map((zone) => ({ zone, tzid: String(zone.getFirstPropertyValue("tzid")) }))
    .filter(({ tzid }) => !ICAL.TimezoneService.has(tzid));
  for (const { zone } of zones) ICAL.TimezoneService.register(zone);
  try {
    return calendar.getAllSubcomponents("vevent").map((component) => {
      const event = new ICAL.Event(component);
      return {
        summary: event.summary,
        description: event.description,
        start: event.startDate.toJSDate(),
        zone: String(event.startDate.zone?.tzid),
        uid: event.uid,
        url: String(component.getFirstPropertyValue("url")),
      };
    });
  } finally {
    for (const { tzid } of zones) ICAL.TimezoneService.remove(tzid);
  }
}

async function icsOf(browser: Browser, eventId: string): Promise<string> {
  const response = await expectStatus(browser.get(`/events/${eventId}/calendar.ics`), 200);
  assert.equal(response.headers.get("Content-Type"), "text/calendar; charset=utf-8");
  assert.match(
    response.headers.get("Content-Disposition") ?? "",
    /^attachment; filename="[a-z0-9-]+\.ics"$/,
  );
  return await response.text();
}

dbTest(
  "an event's calendar file starts at the right instant in Paris and New York, summer and winter",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const winter = next15th(1);
    const summer = next15th(7);
    // 20:00 on the wall: Paris is UTC+1 in January and UTC+2 in July, New York UTC-5 and UTC-4.
    const cases = [
      { zone: "Europe/Paris", year: winter, month: 1, utcHour: 19 },
      { zone: "Europe/Paris", year: summer, month: 7, utcHour: 18 },
      { zone: "America/New_York", year: winter, month: 1, utcHour: 25 },
      { zone: "America/New_York", year: summer, month: 7, utcHour: 24 },
    ];
    for (const [i, c] of cases.entries()) {
      const month = String(c.month).padStart(2, "0");
      const id = await schedule(sql, ada, {
        title: `Evening ${i}`,
        starts_at: `${c.year}-${month}-15T20:00`,
        time_zone: c.zone,
      });
      const expected = new Date(Date.UTC(c.year, c.month - 1, 15, c.utcHour));
      const [row] = await sql`select scheduled_for, time_zone from rooms where public_id = ${id}`;
      assert.equal(row.scheduled_for.toISOString(), expected.toISOString(), `stored, ${c.zone}`);
      assert.equal(row.time_zone, c.zone);

      // Another member who may see the event downloads it.
      const text = await icsOf(grace, id);
      assert.ok(text.includes(`DTSTART;TZID=${c.zone}:${c.year}${month}15T200000\r\n`), text);
      assert.ok(text.includes(`BEGIN:VTIMEZONE\r\nTZID:${c.zone}\r\n`));
      const [event] = parse(text);
      assert.equal(event.zone, c.zone);
      assert.equal(event.start.toISOString(), expected.toISOString(), `${c.zone} ${c.month}`);
      assert.equal(event.summary, `Evening ${i}`);
      assert.equal(event.uid, `${id}@${new URL(origin).host}`);
      assert.equal(event.url, `${origin}/rooms/${id}`);
    }
  },
);

dbTest("a long French title is escaped and folded at 75 octets", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const title = "Soirée « jazz », chansons; café, crème brûlée et l’été à écouter \\ ensemble";
  const description = "Première ligne, avec virgule;\nseconde ligne à la française";
  const id = await schedule(sql, ada, {
    title,
    description,
    starts_at: `${next15th(7)}-07-15T20:00`,
    time_zone: "Europe/Paris",
  });
  const text = await icsOf(ada, id);
  assert.doesNotMatch(text, /[^\r]\n/, "every line ends in CRLF");
  const encoder = new TextEncoder();
  const lines = text.split("\r\n");
  for (const line of lines) {
    assert.ok(encoder.encode(line).length <= 75, `longer than 75 octets: ${line}`);
  }
  assert.ok(!text.includes("\uFFFD"), "no character was cut in two");
  const unfolded = text.replace(/\r\n /g, "");
  assert.ok(
    unfolded.includes(
      "SUMMARY:Soirée « jazz »\\, chansons\\; café\\, crème brûlée et l’été à écouter \\\\ ensemble\r\n",
    ),
    unfolded,
  );
  assert.ok(lines.some((l) => l.startsWith(" ")), "the summary is folded");
  const [event] = parse(text);
  assert.equal(event.summary, title);
  assert.equal(event.description, description);
});

dbTest("a time zone not on the list is refused beside its field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const refused = await expectStatus(
    ada.post("/events", {
      ...openEvent,
      title: "Nowhere",
      starts_at: `${next15th(7)}-07-15T20:00`,
      time_zone: "Mars/Olympus",
    }),
    422,
  );
  assert.match(await refused.text(), /Choose a time zone from the list/);
  const form = await (await expectStatus(ada.get("/events/new"), 200)).text();
  assert.match(form, /<option value="America\/New_York"\s*>America\/New_York<\/option>/);
  assert.match(form, /data-time-zone="browser"/);
});

/** Makes a feed on the settings page and returns its address, as the member copies it. */
async function newFeed(member: Browser): Promise<string> {
  const page = await (await expectStatus(member.post("/settings/calendar"), 200)).text();
  const url = page.match(/value="(webcal:\/\/[^"]+)"/)?.[1];
  assert.ok(url, "the settings page shows the new feed's address");
  return url;
}

/** Fetches a feed as a calendar application does: no cookie. */
async function feed(app: Awaited<ReturnType<typeof testApp>>, url: string): Promise<Response> {
  assert.ok(url.startsWith(`webcal://${new URL(origin).host}/calendar/`), url);
  return await new Browser(app).get(new URL(url.replace(/^webcal:/, "http:")).pathname);
}

async function feedTitles(app: Awaited<ReturnType<typeof testApp>>, url: string) {
  const response = await expectStatus(feed(app, url), 200);
  assert.equal(response.headers.get("Content-Type"), "text/calendar; charset=utf-8");
  return parse(await response.text()).map((e) => e.summary).sort();
}

dbTest(
  "a member's feed lists only their interested events they may still see",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const alan = await memberBrowser(app, ada, "alan", "192.0.2.30");
    const when = `${next15th(7)}-07-15T20:00`;
    const marked = await schedule(sql, alan, { title: "Marked", starts_at: when });
    await schedule(sql, alan, { title: "Not marked", starts_at: when });
    const alans = await schedule(sql, alan, { title: "Alan's", starts_at: when });
    const closed = await schedule(sql, ada, {
      title: "Closed circle",
      kind: "closed",
      starts_at: when,
      time_zone: "America/New_York",
    });
    // Grace is let into the closed event by its link, as its host passes it on.
    const page = await (await expectStatus(ada.get(`/rooms/${closed}`), 200)).text();
    const key = page.match(new RegExp(`/rooms/${closed}\\?key=([A-Za-z0-9_-]+)`))?.[1];
    assert.ok(key);
    await expectStatus(grace.get(`/rooms/${closed}?key=${key}`), 200);
    for (const id of [marked, closed]) {
      await expectStatus(grace.post(`/events/${id}/interest`, { interested: "on" }), 303);
    }
    await expectStatus(alan.post(`/events/${alans}/interest`, { interested: "on" }), 303);

    const url = await newFeed(grace);
    assert.deepEqual(await feedTitles(app, url), ["Closed circle", "Marked"]);

    // Blocked by the closed event's host, Grace may no longer see it: it leaves her feed.
    await expectStatus(ada.post("/@grace/block"), 303);
    assert.deepEqual(await feedTitles(app, url), ["Marked"]);
    const [{ count }] = await sql`select count(*)::int as count from calendar_feeds`;
    assert.equal(count, 1);
    const [stored] = await sql`select secret_hash from calendar_feeds`;
    assert.ok(!url.includes(stored.secret_hash), "the table keeps a hash, not the secret");
  },
);

dbTest("a revoked feed is a 404 like an unknown one, and a new one works", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const id = await schedule(sql, ada, { title: "Marked", starts_at: `${next15th(7)}-07-15T20:00` });
  await expectStatus(ada.post(`/events/${id}/interest`, { interested: "on" }), 303);
  const first = await newFeed(ada);
  assert.deepEqual(await feedTitles(app, first), ["Marked"]);

  const second = await newFeed(ada);
  assert.notEqual(second, first);
  await expectStatus(feed(app, first), 404);
  assert.deepEqual(await feedTitles(app, second), ["Marked"]);

  await expectStatus(ada.post("/settings/calendar/revoke"), 303);
  const settings = await (await expectStatus(ada.get("/settings?calendar=revoked"), 200)).text();
  assert.match(settings, /Your calendar feed is revoked/);
  const revoked = await (await expectStatus(feed(app, second), 404)).text();
  const unknown = await (await expectStatus(
    new Browser(app).get(`/calendar/${"A".repeat(43)}.ics`),
    404,
  )).text();
  // The same page but for the address it was asked at (the language switcher's way back).
  assert.equal(
    revoked.replaceAll(new URL(second.replace(/^webcal:/, "http:")).pathname, "/calendar/?.ics"),
    unknown.replaceAll(`/calendar/${"A".repeat(43)}.ics`, "/calendar/?.ics"),
    "a revoked feed says no more than an unknown one",
  );
  await expectStatus(new Browser(app).get("/calendar/not-a-feed"), 404);
  assert.deepEqual(await feedTitles(app, await newFeed(ada)), ["Marked"]);
});

dbTest("feed fetches are rate-limited per address", async (sql, db) => {
  const app = await configuredTestApp(sql, {
    events: db.events,
    configure: (config) => {
      config.rateLimits.calendarFeedPerAddress = { max: 3, windowMs: 3_600_000 };
    },
  });
  const ada = await adminBrowser(app);
  const url = await newFeed(ada);
  for (let i = 0; i < 3; i++) await expectStatus(feed(app, url), 200);
  await expectStatus(feed(app, url), 429);
  const elsewhere = new Browser(app, { address: "198.51.100.7" });
  await expectStatus(elsewhere.get(new URL(url.replace(/^webcal:/, "http:")).pathname), 200);
});

dbTest("an open room's link opens it after sign-in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const created = await expectStatus(
    ada.post("/rooms", { ...openEvent, title: "Late jazz" }),
    303,
  );
  const roomPath = created.headers.get("Location")!;
  const guest = new Browser(app, { address: "198.51.100.20" });
  const asked = await expectStatus(guest.get(roomPath), 303);
  const signInUrl = asked.headers.get("Location")!;
  assert.equal(signInUrl, `/signin?next=${encodeURIComponent(roomPath)}`);
  const form = await (await expectStatus(guest.get(signInUrl), 200)).text();
  assert.ok(
    form.includes(`<input type="hidden" name="next" value="${roomPath}"`),
    "kept in the form",
  );
  const signedIn = await expectStatus(
    guest.post("/signin", { handle: "grace", password: "correct horse 2", next: roomPath }),
    303,
  );
  assert.equal(signedIn.headers.get("Location"), roomPath);
  assert.match(await (await expectStatus(guest.get(roomPath), 200)).text(), /Late jazz/);
});

dbTest(
  "a closed room's link followed signed out lets its holder in after sign-in",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    await memberBrowser(app, ada, "grace");
    const room = (await expectStatus(
      ada.post("/rooms", { ...openEvent, kind: "closed", title: "Closed circle" }),
      303,
    )).headers.get("Location")!;
    const page = await (await expectStatus(ada.get(room), 200)).text();
    const link = page.match(new RegExp(`${origin}(${room}\\?key=[A-Za-z0-9_-]+)`))?.[1];
    assert.ok(link, "the moderator's page shows the room's link");
    const guest = new Browser(app, { address: "198.51.100.21" });
    const asked = await expectStatus(guest.get(link), 303);
    assert.equal(asked.headers.get("Location"), `/signin?next=${encodeURIComponent(link)}`);
    const signedIn = await expectStatus(
      guest.post("/signin", { handle: "grace", password: "correct horse 2", next: link }),
      303,
    );
    assert.equal(signedIn.headers.get("Location"), link);
    assert.match(await (await expectStatus(guest.get(link), 200)).text(), /Closed circle/);
    // Let in by the link for good: the room's plain address opens now too.
    await expectStatus(guest.get(room), 200);
  },
);

dbTest("sign-in goes on only to a path of this site", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (
    const next of [
      "//evil.example/rooms",
      "https://evil.example/",
      "/\\evil.example",
      "javascript:alert(1)",
      "/rooms\r\nLocation: https://evil.example",
      "rooms",
    ]
  ) {
    const browser = new Browser(app, { address: "198.51.100.30" });
    const page = await (await expectStatus(
      browser.get(`/signin?next=${encodeURIComponent(next)}`),
      200,
    )).text();
    assert.ok(!page.includes('name="next"'), `the form kept ${next}`);
    const response = await expectStatus(
      browser.post("/signin", { handle: "ada", password: "correct horse 1", next }),
      303,
    );
    assert.equal(response.headers.get("Location"), "/", `${next} led elsewhere`);
  }
});

dbTest(
  "Copy link shows an open room's address to all, and a closed room's secret link only to its moderators",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const open = (await expectStatus(ada.post("/rooms", { ...openEvent, title: "Open jam" }), 303))
      .headers.get("Location")!;
    const closed = (await expectStatus(
      ada.post("/rooms", { ...openEvent, kind: "closed", title: "Closed circle" }),
      303,
    )).headers.get("Location")!;
    const event = await schedule(sql, ada, {
      title: "Open later",
      starts_at: `${next15th(7)}-07-15T20:00`,
    });

    const hallway = await (await expectStatus(grace.get("/"), 200)).text();
    assert.ok(hallway.includes(`data-copy-link="${open}"`), "the open room's card");
    assert.ok(hallway.includes(`data-copy-link="/rooms/${event}"`), "the event's card");
    assert.ok(hallway.includes(`href="/events/${event}/calendar.ics"`), "Add to calendar");
    assert.match(hallway, />Copy link</);
    const openPage = await (await expectStatus(grace.get(open), 200)).text();
    assert.ok(openPage.includes(`value="${origin}${open}"`), "the open room's page");
    assert.match(openPage, /data-copy="#room-link">Copy link</);
    const eventPage = await (await expectStatus(grace.get(`/rooms/${event}`), 200)).text();
    assert.ok(eventPage.includes(`value="${origin}/rooms/${event}"`), "the event's page");
    assert.ok(eventPage.includes(`href="/events/${event}/calendar.ics"`));

    // Ada, the closed room's moderator, sees its secret link; Grace, let in by it, does not.
    const adaPage = await (await expectStatus(ada.get(closed), 200)).text();
    const key = adaPage.match(new RegExp(`${closed}\\?key=([A-Za-z0-9_-]+)`))?.[1];
    assert.ok(key, "the moderator sees the closed room's link");
    const gracePage = await (await expectStatus(grace.get(`${closed}?key=${key}`), 200)).text();
    assert.match(gracePage, /Closed circle/);
    assert.ok(!gracePage.includes(key), "a listener never sees the closed room's key");
    assert.ok(!gracePage.includes('id="room-link"'), "nor a Copy link for it");

    // The same for a closed event: its hosts pass its link on from its page, nobody from a card.
    const closedEvent = await schedule(sql, ada, {
      title: "Closed later",
      kind: "closed",
      starts_at: `${next15th(7)}-07-15T20:00`,
    });
    const hostPage = await (await expectStatus(ada.get(`/rooms/${closedEvent}`), 200)).text();
    const eventKey = hostPage.match(new RegExp(`${closedEvent}\\?key=([A-Za-z0-9_-]+)`))?.[1];
    assert.ok(eventKey, "the host sees the closed event's link");
    const guestEvent = await (await expectStatus(
      grace.get(`/rooms/${closedEvent}?key=${eventKey}`),
      200,
    )).text();
    assert.ok(!guestEvent.includes(eventKey), "a guest of the event never sees its key");
    assert.ok(guestEvent.includes(`href="/events/${closedEvent}/calendar.ics"`));

    const graceHallway = await (await expectStatus(grace.get("/"), 200)).text();
    assert.ok(graceHallway.includes("Closed circle"), "the closed room is on her hallway");
    assert.ok(graceHallway.includes("Closed later"), "the closed event too");
    assert.ok(!graceHallway.includes(`data-copy-link="${closed}"`), "with no link to copy");
    assert.ok(!graceHallway.includes(`data-copy-link="/rooms/${closedEvent}"`));
    assert.ok(!graceHallway.includes(key) && !graceHallway.includes(eventKey));
  },
);
