import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { adminBrowser, expectStatus, memberBrowser, testApp } from "../support/app_client.ts";

const htmx = { "HX-Request": "true" };

async function startRoom(
  browser: Awaited<ReturnType<typeof adminBrowser>>,
  title: string,
  topics: string[],
): Promise<string> {
  const response = await expectStatus(
    browser.post("/rooms", { title, description: "", kind: "open", topics }),
    303,
  );
  return response.headers.get("Location")!.match(/\/rooms\/([A-Za-z0-9_-]{22})$/)![1];
}

/** The hallway's live room titles in order, each with its reason line. */
async function hallway(
  browser: Awaited<ReturnType<typeof adminBrowser>>,
  headers: Record<string, string> = {},
) {
  const html = await (await expectStatus(browser.get("/", headers), 200)).text();
  return [...html.matchAll(
    /class="room-card-title">([^<]*)<[\s\S]*?data-testid="reason">([^<]*)</g,
  )].map((m) => `${m[1]}: ${m[2]}`);
}

dbTest("every live room says why it is in the hallway, in the member's order", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace"); // picked jazz, film, running
  const linus = await memberBrowser(app, ada, "linus");
  await startRoom(ada, "Rust in prod", ["software-engineering"]);
  await startRoom(linus, "Night runs", ["running"]);
  await expectStatus(grace.post("/@ada/follow", {}), 303);
  assert.deepEqual(await hallway(grace), [
    "Rust in prod: Because you follow @ada",
    "Night runs: Because you picked #Running",
  ]);
  // The reason names the topic as the card does, in the member's language.
  assert.deepEqual(await hallway(grace, { "Accept-Language": "fr" }), [
    "Rust in prod: Parce que vous suivez @ada",
    "Night runs: Parce que vous avez choisi #Course à pied",
  ]);
  // Nothing personal for Ada about Linus's room: it is simply live.
  assert.equal(
    (await hallway(ada)).find((r) => r.startsWith("Night runs")),
    "Night runs: Popular now",
  );
  const page = await (await grace.get("/")).text();
  assert.match(page, /Why this room\?/);
  assert.match(page, /People you follow on stage: <strong>\d+%<\/strong>/);
});

dbTest("not interested moves a room to the end, with and without htmx", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const linus = await memberBrowser(app, ada, "linus");
  const stars = await startRoom(linus, "Stargazing", ["astronomy"]);
  await startRoom(ada, "Film club", ["film"]);
  await expectStatus(grace.post("/@linus/follow", {}), 303);
  assert.equal((await hallway(grace))[0], "Stargazing: Because you follow @linus");

  const fragment = await expectStatus(grace.post(`/rooms/${stars}/not-interested`, {}, htmx), 200);
  const card = await fragment.text();
  assert.match(card, /fewer rooms like “Stargazing”/);
  assert.doesNotMatch(card, /<html/);
  assert.deepEqual(await hallway(grace), [
    "Film club: Because you picked #Film",
    "Stargazing: You said you are not interested",
  ]);
  // Again, without JavaScript: the same single signal, and back to the hallway.
  const again = await expectStatus(grace.post(`/rooms/${stars}/not-interested`), 303);
  assert.equal(again.headers.get("Location"), "/");
  const [{ count }] = await sql`select count(*)::int as count from signals
                                where kind = 'not_interested'`;
  assert.equal(count, 1);
  // Only Grace's hallway changed.
  assert.match((await hallway(ada)).join("\n"), /Stargazing: (Popular now|Because)/);
});

dbTest("not interested in a room one cannot see, or that is not there, is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/rooms/999/not-interested"), 404);
  await expectStatus(grace.post("/rooms/AAAAAAAAAAAAAAAAAAAAAA/not-interested"), 404);
  await expectStatus(grace.post("/rooms/abc/not-interested"), 404);
  const closed = await expectStatus(
    ada.post("/rooms", { title: "Board", description: "", kind: "closed", topics: ["chess"] }),
    303,
  );
  const closedId = closed.headers.get("Location")!.match(/([A-Za-z0-9_-]{22})$/)![1];
  await expectStatus(grace.post(`/rooms/${closedId}/not-interested`), 404);
});

dbTest("a member pauses, resumes and clears their listening history", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada, "Late jazz", ["jazz"]);
  await expectStatus(grace.get(`/rooms/${roomId}`), 200);
  await expectStatus(grace.post(`/rooms/${roomId}/act`, { action: "leave" }), 303);
  await expectStatus(grace.get(`/rooms/${roomId}`), 200); // in the room again, listening

  let page = await (await expectStatus(grace.get("/settings"), 200)).text();
  assert.match(page, /in 1 room\./);
  assert.match(page, /Pause listening history/);

  const paused = await expectStatus(grace.post("/settings/history/pause", { paused: "on" }), 303);
  assert.match(paused.headers.get("Location")!, /history=paused/);
  page = await (await grace.get("/settings?history=paused")).text();
  assert.match(page, /Listening history paused\./);
  assert.match(page, /Recording is paused/);
  const [open] = await sql`select counted from listens l join users u on u.id = l.user_id
                           where u.handle = 'grace' and l.ended_at is null`;
  assert.equal(open.counted, false, "the listening going on now stops counting at once");

  await expectStatus(grace.post("/settings/history/pause", { paused: "off" }), 303);
  assert.match(await (await grace.get("/settings")).text(), /Pause listening history/);

  await expectStatus(grace.post("/settings/history/clear", {}), 422);
  await expectStatus(grace.post("/settings/history/pause", { paused: "maybe" }), 422);
  await expectStatus(grace.post("/settings/history/clear", { confirm: "yes" }), 303);
  page = await (await grace.get("/settings")).text();
  assert.match(page, /It knows 0 minutes in 0 rooms\./);
  const [{ count }] = await sql`select count(*)::int as count from listens l
                                join users u on u.id = l.user_id
                                where u.handle = 'grace' and l.ended_at is not null`;
  assert.equal(count, 0, "past listening is deleted");
});
