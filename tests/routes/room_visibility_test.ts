/**
 * Rooms cannot be walked or peeked at through their URLs: every URL names a room by its opaque
 * public id, and a room the member may not see answers exactly as a room that is not there.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  type Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";

const unknownRoom = "AAAAAAAAAAAAAAAAAAAAAA";
const closedRoom = {
  title: "Quiet strategy",
  description: "Only for the chess club",
  kind: "closed",
  topics: ["chess"],
};

async function startRoom(browser: Browser, form: Record<string, string | string[]>) {
  const response = await expectStatus(browser.post("/rooms", form), 303);
  const publicId = response.headers.get("Location")?.match(/^\/rooms\/([A-Za-z0-9_-]{22})$/)?.[1];
  assert.ok(
    publicId,
    `redirected to the room by its public id: ${response.headers.get("Location")}`,
  );
  return publicId;
}

/** The secret of a closed room's link, as its moderator or host sees it on the page. */
async function linkKey(host: Browser, publicId: string): Promise<string> {
  const page = await (await expectStatus(host.get(`/rooms/${publicId}`), 200)).text();
  const key = page.match(new RegExp(`/rooms/${publicId}\\?key=([A-Za-z0-9_-]+)`))?.[1];
  assert.ok(key, "the host sees the room's link");
  return key;
}

/** What `browser` gets for a room it may not see: a 404 whose body tells nothing. */
async function notThere(browser: Browser, path: string): Promise<string> {
  return await (await expectStatus(browser.get(path), 404)).text();
}

dbTest(
  "an ended closed room is the same 404 as no room to members who were not in it",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
    const room = await startRoom(ada, closedRoom);
    const key = await linkKey(ada, room);
    await expectStatus(grace.get(`/rooms/${room}?key=${key}`), 200);
    await expectStatus(ada.post(`/rooms/${room}/act`, { action: "end" }), 303);

    const hidden = await notThere(linus, `/rooms/${room}`);
    assert.equal(hidden, await notThere(linus, `/rooms/${unknownRoom}`));
    assert.doesNotMatch(hidden, /Quiet strategy|chess club|ended/);
    // The link no longer opens it, and does not tell it apart either.
    assert.equal(await notThere(linus, `/rooms/${room}?key=${key}`), hidden);

    for (const member of [ada, grace]) {
      const page = await (await expectStatus(member.get(`/rooms/${room}`), 200)).text();
      assert.match(page, /Quiet strategy/);
      assert.match(page, /This room has ended/);
    }
  },
);

dbTest(
  "a scheduled closed event is the same 404 as no room, but to its hosts and link holders",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
    await expectStatus(
      ada.post("/events", { ...closedRoom, starts_at: tomorrow, timezone_offset: "0" }),
      303,
    );
    const hallway = await (await ada.get("/")).text();
    const event = hallway.match(/data-event="([A-Za-z0-9_-]{22})"/)?.[1];
    assert.ok(event, "the host's hallway lists the event by its public id");
    assert.doesNotMatch(await (await grace.get("/")).text(), /Quiet strategy/);

    const hidden = await notThere(grace, `/rooms/${event}`);
    assert.equal(hidden, await notThere(grace, `/rooms/${unknownRoom}`));
    assert.doesNotMatch(hidden, /Quiet strategy|chess club|Starts/);
    const interest = await expectStatus(grace.post(`/events/${event}/interest`), 404);
    assert.doesNotMatch(await interest.text(), /Quiet strategy/);
    await expectStatus(grace.post(`/events/${event}/open`), 404);

    const key = await linkKey(ada, event);
    const invited = await (await expectStatus(grace.get(`/rooms/${event}?key=${key}`), 200))
      .text();
    assert.match(invited, /Quiet strategy/);
    assert.match(invited, /Starts/);
    // Let in by the link: the plain address and her hallway show it now; not to Linus.
    await expectStatus(grace.get(`/rooms/${event}`), 200);
    assert.match(await (await grace.get("/")).text(), /Quiet strategy/);
    await expectStatus(grace.post(`/events/${event}/interest`, { interested: "on" }), 303);
    assert.equal(await notThere(linus, `/rooms/${event}`), await notThere(linus, `/rooms/x`));
  },
);

dbTest(
  "acting on, reporting or dismissing a hidden room is the same 404 as no room",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
    const room = await startRoom(ada, closedRoom);
    for (
      const [path, form] of [
        ["act", { action: "raise_hand" }],
        ["report", { reason: "What is this room about?" }],
        ["not-interested", {}],
      ] as const
    ) {
      const hidden = await expectStatus(linus.post(`/rooms/${room}/${path}`, form), 404);
      const none = await expectStatus(linus.post(`/rooms/${unknownRoom}/${path}`, form), 404);
      assert.equal(await hidden.text(), await none.text(), path);
    }
    const [{ count }] = await sql`select count(*)::int as count from reports`;
    assert.equal(count, 0, "no report on a room the reporter cannot see");
  },
);

dbTest("pages carry rooms' public ids, never their numbers", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const open = await startRoom(ada, {
    title: "Late jazz",
    description: "",
    kind: "open",
    topics: ["jazz"],
  });
  const closed = await startRoom(ada, closedRoom);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
  await expectStatus(
    ada.post("/events", {
      ...closedRoom,
      title: "Friday jam",
      starts_at: tomorrow,
      cohosts: "grace",
    }),
    303,
  );
  await expectStatus(grace.get(`/rooms/${open}`), 200);
  await expectStatus(grace.post(`/rooms/${open}/act`, { action: "raise_hand" }), 303);
  await expectStatus(grace.post(`/rooms/${open}/report`, { reason: "Too much saxophone" }), 200);
  const event = (await (await grace.get("/")).text()).match(/data-event="([^"]+)"/)?.[1];

  const pages = {
    hallway: await (await grace.get("/")).text(),
    "moderator's room": await (await ada.get(`/rooms/${open}`)).text(),
    "listener's room": await (await grace.get(`/rooms/${open}`)).text(),
    "closed room": await (await ada.get(`/rooms/${closed}`)).text(),
    event: await (await grace.get(`/rooms/${event}`)).text(),
    "htmx fragment": await (await grace.post(`/rooms/${open}/act`, { action: "lower_hand" }, {
      "HX-Request": "true",
    })).text(),
    dismissed: await (await grace.post(`/rooms/${open}/not-interested`, {}, {
      "HX-Request": "true",
    })).text(),
    admin: await (await ada.get("/admin")).text(),
  };
  for (const [name, html] of Object.entries(pages)) {
    assert.doesNotMatch(html, /\/(rooms|events)\/\d+(?![\w-])/, `${name}: a numeric room URL`);
    assert.doesNotMatch(html, /data-(room|event|room-id)="\d+"/, `${name}: a numeric room id`);
    const named = [...html.matchAll(/\/(?:rooms|events)\/([\w-]+)/g)].map((m) => m[1]);
    for (const id of named) {
      assert.ok(id === "new" || /^[A-Za-z0-9_-]{22}$/.test(id), `${name}: /rooms/${id}`);
    }
  }
  assert.match(pages.hallway, new RegExp(`href="/rooms/${open}"`));
  assert.match(pages["moderator's room"], new RegExp(`hx-ws:connect="/rooms/${open}/live"`));
  assert.match(pages["moderator's room"], new RegExp(`action="/rooms/${open}/act"`));
  assert.match(pages["closed room"], new RegExp(`/rooms/${closed}\\?key=`));
  assert.match(pages.event, new RegExp(`action="/events/${event}/open"`));
  assert.match(pages.admin, new RegExp(`href="/rooms/${open}"`));
});

dbTest(
  "a removed member's action over htmx is refused as a notice in the room",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const room = await startRoom(ada, {
      title: "Late jazz",
      description: "",
      kind: "open",
      topics: ["jazz"],
    });
    await expectStatus(grace.get(`/rooms/${room}`), 200);
    await expectStatus(ada.post(`/rooms/${room}/act`, { action: "remove", target: "grace" }), 303);
    const refused = await expectStatus(
      grace.post(`/rooms/${room}/act`, { action: "raise_hand" }, { "HX-Request": "true" }),
      403,
    );
    assert.equal(refused.headers.get("HX-Retarget"), "#room-notice");
    const notice = await refused.text();
    assert.match(notice, /A moderator removed you from this room/);
    assert.doesNotMatch(notice, /<html/);
  },
);
