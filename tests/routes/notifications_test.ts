/**
 * Notifications through the served app: the inbox shows a followed host's room to their
 * followers only, mutes and settings posted as forms keep them quiet, pings past their limit
 * are a readable 429, reading one or all empties the count, and bad input is a 4xx.
 */
import assert from "node:assert/strict";
import type { Hono } from "hono";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  type Browser,
  expectStatus,
  memberBrowser,
  origin,
  testApp,
} from "../support/app_client.ts";
import type { AppEnv } from "../../routes/context.ts";

const htmx = { "HX-Request": "true" };
const jazz = { title: "Late jazz", description: "", kind: "open", topics: ["jazz"] };

/** Ada (the host) and members who sign up through her invites. */
async function community(
  app: Hono<AppEnv>,
  ...handles: string[]
): Promise<Record<string, Browser> & { ada: Browser }> {
  const ada = await adminBrowser(app);
  const members: Record<string, Browser> = {};
  for (const [i, handle] of handles.entries()) {
    members[handle] = await memberBrowser(app, ada, handle, `192.0.2.${30 + i}`);
  }
  return { ada, ...members };
}

/** Starts a room as `host`; returns its page's path. */
async function startRoom(host: Browser, input = jazz): Promise<string> {
  const started = await expectStatus(host.post("/rooms", input), 303);
  return started.headers.get("Location")!;
}

async function inboxOf(member: Browser): Promise<string> {
  return await (await expectStatus(member.get("/notifications"), 200)).text();
}

dbTest(
  "the inbox shows a followed host's new room, linked, and a stranger's shows none",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const { ada, grace, linus } = await community(app, "grace", "linus");
    await expectStatus(grace.post("/@ada/follow"), 303);
    const room = await startRoom(ada);
    const graces = await inboxOf(grace);
    assert.match(graces, /Ada Lovelace started “Late jazz”/);
    assert.ok(graces.includes(`href="${room}"`), "the notification links to the room");
    assert.doesNotMatch(await inboxOf(linus), /Late jazz/);
    assert.doesNotMatch(await inboxOf(ada), /Late jazz/);
  },
);

dbTest("a muted host and a kind turned off in settings tell nobody", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const { ada, grace, linus } = await community(app, "grace", "linus");
  await expectStatus(grace.post("/@ada/follow"), 303);
  await expectStatus(linus.post("/@ada/follow"), 303);
  await expectStatus(grace.post("/@ada/mute"), 303);
  await expectStatus(
    linus.post("/notifications/settings", { on: ["event_scheduled", "ping"] }),
    303,
  );
  await startRoom(ada);
  assert.doesNotMatch(await inboxOf(grace), /Late jazz/);
  assert.doesNotMatch(await inboxOf(linus), /Late jazz/);
  // Both choices show where they were made, and can be undone.
  assert.match(await (await grace.get("/@ada")).text(), /Unmute @ada/);
  const settings = await (await linus.get("/settings")).text();
  assert.match(settings, /id="notify-room_started" name="on" value="room_started"\s*\/?>/);
  assert.match(settings, /id="notify-ping" name="on" value="ping" checked/);
  assert.match(await (await grace.get("/settings")).text(), /Unmute @ada/);
  await expectStatus(grace.post("/@ada/unmute"), 303);
  await startRoom(ada, { ...jazz, title: "Second set" });
  assert.match(await inboxOf(grace), /started “Second set”/);
});

dbTest("a ping reaches a follower, and past the limit is a readable 429", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const { ada, grace } = await community(app, "grace");
  await expectStatus(grace.post("/@ada/follow"), 303);
  const room = await startRoom(ada);
  const page = await (await expectStatus(ada.get(room), 200)).text();
  assert.match(page, /<option value="grace">grace \(@grace\)<\/option>/);
  const sent = await expectStatus(ada.post(`${room}/ping`, { handle: "grace" }, htmx), 200);
  assert.match(await sent.text(), /Pinged @grace/);
  assert.match(await inboxOf(grace), /Ada Lovelace pinged you into “Late jazz”/);
  const again = await ada.post(`${room}/ping`, { handle: "grace" });
  assert.equal(again.status, 429);
  const body = await again.text();
  assert.match(body, /Too many attempts; try again in \d+ minutes?/);
  assert.doesNotMatch(body, /at \w+ \(|Error:/);
});

dbTest("reading one notification, then all, empties the unread ones", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const { ada, grace } = await community(app, "grace");
  await expectStatus(grace.post("/@ada/follow"), 303);
  await startRoom(ada);
  await startRoom(ada, { ...jazz, title: "Second set" });
  const ids = [...(await inboxOf(grace)).matchAll(/action="\/notifications\/(\d+)\/read"/g)]
    .map((m) => m[1]);
  assert.equal(ids.length, 2);
  // Ada cannot mark Grace's notification read: to her it does not exist.
  assert.equal((await ada.post(`/notifications/${ids[0]}/read`)).status, 404);
  await expectStatus(grace.post(`/notifications/${ids[0]}/read`), 303);
  assert.equal([...(await inboxOf(grace)).matchAll(/\/read"/g)].length, 1);
  await expectStatus(grace.post("/notifications/read-all"), 303);
  assert.doesNotMatch(await inboxOf(grace), /\/notifications\/\d+\/read/);
});

dbTest("bad input to notifications is a readable 4xx, never a 500", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const { ada, grace } = await community(app, "grace");
  const room = await startRoom(ada);
  const cases: [Promise<Response>, number, RegExp][] = [
    [grace.get("/notifications?before=soon"), 422, /Unknown page of notifications/],
    [grace.post("/notifications/abc/read"), 404, /No such notification/],
    [grace.post("/notifications/99999/read"), 404, /No such notification/],
    [grace.post("/notifications/settings", { on: ["spam"] }), 422, /Unknown kind/],
    [grace.post("/@grace/mute"), 422, /You cannot mute yourself/],
    [grace.post("/@nobody_here/mute"), 404, /./],
    [ada.post(`${room}/ping`, { handle: "" }), 422, /Choose someone to ping/],
    [ada.post(`${room}/ping`, { handle: "grace" }), 403, /follow you/],
    [grace.post(`${room}/ping`, { handle: "ada" }), 403, /./],
  ];
  for (const [response, status, message] of cases) {
    const r = await response;
    const body = await r.text();
    assert.equal(r.status, status, body.slice(0, 300));
    assert.match(body, message);
  }
});

dbTest("the bell's socket refuses another site and a guest", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const upgrade = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Version": "13" };
  const crossSite = await ada.get("/notifications/live", {
    ...upgrade,
    Origin: "https://elsewhere.example",
  });
  assert.equal(crossSite.status, 403);
  const guest = await app.request(`${origin}/notifications/live`, {
    headers: { ...upgrade, Origin: origin },
  });
  assert.equal(guest.status, 401);
});

dbTest("every signed-in page carries the bell; a guest's does not", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const path of ["/", "/settings", "/@ada", "/notifications"]) {
    const html = await (await expectStatus(ada.get(path), 200)).text();
    assert.match(html, /hx-ws:connect="\/notifications\/live"/, path);
    assert.match(html, /href="\/notifications"/, path);
  }
  const front = await (await app.request(`${origin}/`)).text();
  assert.doesNotMatch(front, /notifications\/live/);
});
