import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { adminBrowser, expectStatus, memberBrowser, testApp } from "../support/app_client.ts";

const jazzRoom = { title: "Late jazz", description: "", kind: "open", topics: ["jazz"] };

async function startRoom(browser: Awaited<ReturnType<typeof adminBrowser>>, form = jazzRoom) {
  const response = await expectStatus(browser.post("/rooms", form), 303);
  const roomId = response.headers.get("Location")?.match(/\/rooms\/([A-Za-z0-9_-]{22})$/)?.[1];
  assert.ok(roomId, "redirected to the new room");
  return roomId;
}

dbTest("starting a room leads its creator to it, on stage as moderator", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const roomId = await startRoom(ada);
  const page = await (await expectStatus(ada.get(`/rooms/${roomId}`), 200)).text();
  assert.match(page, /Late jazz/);
  assert.match(page, /on stage as moderator/);
  assert.match(page, new RegExp(`hx-ws:connect="/rooms/${roomId}/live"`));
});

dbTest("a bad room form comes back with messages next to its fields", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const noTitle = await expectStatus(ada.post("/rooms", { ...jazzRoom, title: " " }), 422);
  assert.match(await noTitle.text(), /Give the room a title/);
  const tooMany = await ada.post("/rooms", {
    ...jazzRoom,
    topics: ["jazz", "chess", "film", "running"],
  });
  assert.equal(tooMany.status, 422);
  assert.match(await tooMany.text(), /Pick one to 3 topics/);
  const badKind = await expectStatus(ada.post("/rooms", { ...jazzRoom, kind: "secret" }), 422);
  assert.match(await badKind.text(), /Choose open, social or closed/);
  const unknownTopic = await ada.post("/rooms", { ...jazzRoom, topics: ["no-such-topic"] });
  assert.equal(unknownTopic.status, 422);
  const [{ count }] = await sql`select count(*)::int as count from rooms`;
  assert.equal(count, 0, "no room was half-created");
});

dbTest("an unknown room is 404 and a malformed action is a readable 422", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.get("/rooms/999"), 404);
  await expectStatus(ada.get("/rooms/abc"), 404);
  await expectStatus(ada.get("/rooms/AAAAAAAAAAAAAAAAAAAAAA"), 404);
  const roomId = await startRoom(ada);
  const junk = await expectStatus(ada.post(`/rooms/${roomId}/act`, { action: "fly" }), 422);
  assert.match(await junk.text(), /Unknown action/);
  const noTarget = await expectStatus(ada.post(`/rooms/${roomId}/act`, { action: "mute" }), 422);
  assert.match(await noTarget.text(), /Say who the action is for/);
});

dbTest("a listener's moderator action is refused with 403 and a message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada);
  await expectStatus(grace.get(`/rooms/${roomId}`), 200);
  const end = await expectStatus(grace.post(`/rooms/${roomId}/act`, { action: "end" }), 403);
  assert.match(await end.text(), /Only moderators can do this/);
  // With htmx the message is aimed at the room's notice area, not the whole page.
  const viaHtmx = await grace.post(`/rooms/${roomId}/act`, { action: "end" }, {
    "HX-Request": "true",
  });
  assert.equal(viaHtmx.status, 403);
  assert.equal(viaHtmx.headers.get("HX-Retarget"), "#room-notice");
  assert.doesNotMatch(await viaHtmx.text(), /<html/);
});

dbTest("an htmx action returns the room's live fragment for the actor", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada);
  await grace.get(`/rooms/${roomId}`);
  const raised = await expectStatus(
    grace.post(`/rooms/${roomId}/act`, { action: "raise_hand" }, { "HX-Request": "true" }),
    200,
  );
  const html = await raised.text();
  assert.doesNotMatch(html, /<html/);
  assert.match(html, /Lower hand/);
  const plain = await expectStatus(
    grace.post(`/rooms/${roomId}/act`, { action: "lower_hand" }),
    303,
  );
  assert.equal(plain.headers.get("Location"), `/rooms/${roomId}`);
});

dbTest("leaving a room leads back to the hallway, with htmx too", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada);
  await grace.get(`/rooms/${roomId}`);
  const viaHtmx = await expectStatus(
    grace.post(`/rooms/${roomId}/act`, { action: "leave" }, { "HX-Request": "true" }),
    200,
  );
  assert.equal(viaHtmx.headers.get("HX-Redirect"), "/");
  await grace.get(`/rooms/${roomId}`);
  const plain = await expectStatus(grace.post(`/rooms/${roomId}/act`, { action: "leave" }), 303);
  assert.equal(plain.headers.get("Location"), "/");
});

dbTest("the host starts a room told the microphone is off, with a big toggle", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const roomId = await startRoom(ada);
  const muted = await (await expectStatus(ada.get(`/rooms/${roomId}`), 200)).text();
  assert.match(muted, /Your microphone is off: nobody hears you until you tap/);
  assert.match(muted, /class="mic-toggle" aria-pressed="false"/);
  assert.match(muted, /You are muted: tap to talk/);
  const live = await expectStatus(
    ada.post(`/rooms/${roomId}/act`, { action: "unmute_self" }, { "HX-Request": "true" }),
    200,
  );
  const html = await live.text();
  assert.match(html, /class="mic-toggle live" aria-pressed="true"/);
  assert.match(html, /You are live: tap to mute/);
  assert.doesNotMatch(html, /Your microphone is off/);
});

dbTest("an ended room shows that it ended", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada);
  await expectStatus(ada.post(`/rooms/${roomId}/act`, { action: "end" }), 303);
  const page = await expectStatus(grace.get(`/rooms/${roomId}`), 200);
  assert.match(await page.text(), /This room has ended/);
});

dbTest("a removed member gets a 403 with the reason when coming back", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada);
  await grace.get(`/rooms/${roomId}`);
  await expectStatus(ada.post(`/rooms/${roomId}/act`, { action: "remove", target: "grace" }), 303);
  const back = await expectStatus(grace.get(`/rooms/${roomId}`), 403);
  assert.match(await back.text(), /removed you from this room/);
});

dbTest("a closed room lets in only people with its link", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada, { ...jazzRoom, kind: "closed" });
  const hostPage = await (await ada.get(`/rooms/${roomId}`)).text();
  const link = hostPage.match(new RegExp(`/rooms/${roomId}\\?key=([A-Za-z0-9_-]+)`));
  assert.ok(link, "the host sees the room link to share");
  // Without the link the room is not there for them: the same 404 as a room that is not.
  await expectStatus(grace.get(`/rooms/${roomId}`), 404);
  await expectStatus(grace.get(`/rooms/${roomId}?key=wrong`), 404);
  await expectStatus(grace.get(`/rooms/${roomId}?key=${link[1]}`), 200);
  // Once let in, the plain address works for them.
  await expectStatus(grace.get(`/rooms/${roomId}`), 200);
});

dbTest(
  "an event is scheduled in the member's time zone and opened by its host",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const when = new Date(Date.now() + 2 * 86_400_000);
    // A member two hours behind UTC (getTimezoneOffset() = 120) types their local time.
    const local = new Date(when.getTime() - 120 * 60_000).toISOString().slice(0, 16);
    await expectStatus(
      ada.post("/events", {
        ...jazzRoom,
        title: "Friday jam",
        starts_at: local,
        timezone_offset: "120",
        cohosts: "@grace",
      }),
      303,
    );
    const [event] =
      await sql`select public_id, scheduled_for from rooms where title = 'Friday jam'`;
    assert.equal(event.scheduled_for.toISOString().slice(0, 16), when.toISOString().slice(0, 16));
    const hallway = await (await grace.get("/")).text();
    assert.match(hallway, /Friday jam/);
    assert.match(hallway, /Open the room/, "a co-host may open it");
    await expectStatus(
      grace.post(`/events/${event.public_id}/interest`, { interested: "on" }),
      303,
    );
    await expectStatus(grace.post(`/events/${event.public_id}/open`), 303);
    const room = await (await grace.get(`/rooms/${event.public_id}`)).text();
    assert.match(room, /on stage as moderator/);
  },
);

dbTest("a bad event form is refused with the field named", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const past = await expectStatus(
    ada.post("/events", { ...jazzRoom, starts_at: "2020-01-01T10:00", timezone_offset: "0" }),
    422,
  );
  assert.match(await past.text(), /The start time has passed/);
  const garbage = await expectStatus(
    ada.post("/events", { ...jazzRoom, starts_at: "soon", timezone_offset: "0" }),
    422,
  );
  assert.match(await garbage.text(), /Give a date and time/);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
  const nobody = await expectStatus(
    ada.post("/events", { ...jazzRoom, starts_at: tomorrow, cohosts: "@nobody_here" }),
    422,
  );
  assert.match(await nobody.text(), /No member is called @nobody_here/);
});

dbTest("room creation is rate-limited per member", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (let i = 0; i < 10; i++) await startRoom(ada, { ...jazzRoom, title: `Room ${i}` });
  const refused = await expectStatus(ada.post("/rooms", jazzRoom), 429);
  assert.match(await refused.text(), /Too many attempts/);
});

dbTest(
  "blocking keeps a member out of the blocker's rooms; reports reach admins",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
    await expectStatus(ada.post("/@grace/block"), 303);
    const roomId = await startRoom(ada);
    // A blocked member may not see the room at all: the same 404 as a room that is not there.
    await expectStatus(grace.get(`/rooms/${roomId}`), 404);
    assert.doesNotMatch(await (await grace.get("/")).text(), /Late jazz/);
    await expectStatus(grace.post(`/rooms/${roomId}/report`, { reason: "Spam room" }), 404);
    await expectStatus(grace.post("/@ada/report", { reason: "x" }), 422);
    await expectStatus(grace.post("/@ada/report", { reason: "Shouted at everyone" }), 200);
    await expectStatus(linus.post(`/rooms/${roomId}/report`, { reason: "Spam room" }), 200);
    await expectStatus(grace.get("/admin"), 403);
    const admin = await (await ada.get("/admin")).text();
    assert.match(admin, /Shouted at everyone/);
    assert.match(admin, /Spam room/);
  },
);
