import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { adminBrowser, expectStatus, memberBrowser, testApp } from "../support/app_client.ts";

const room = { title: "Jazz talk", description: "", kind: "open", topics: ["jazz"] };

async function startRoom(browser: Awaited<ReturnType<typeof adminBrowser>>, form: object) {
  const response = await expectStatus(browser.post("/rooms", { ...room, ...form }), 303);
  return response.headers.get("Location")!.split("/").at(-1)!;
}

function cardOf(html: string, roomId: string): string {
  const start = html.indexOf(`data-room="${roomId}"`);
  assert.ok(start >= 0, `card of ${roomId}`);
  const next = html.indexOf("data-room=", start + 1);
  return html.slice(start, next < 0 ? undefined : next);
}

dbTest("a room's card says the language spoken in it, in the viewer's words", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const roomId = await startRoom(ada, { language: "fr" });
  const english = await (await expectStatus(grace.get("/"), 200)).text();
  assert.match(cardOf(english, roomId), /data-language="fr">French</);
  const french = await (await expectStatus(grace.get("/", { "Accept-Language": "fr" }), 200))
    .text();
  assert.match(cardOf(french, roomId), /data-language="fr">français</);
});

dbTest("a room started without a language takes its host's", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/settings/language", { language: "fr" }), 303);
  const roomId = await startRoom(ada, {});
  const [row] = await sql`select language from rooms where public_id = ${roomId}`;
  assert.equal(row.language, "fr");
});

dbTest("the start form offers the page's language first", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const html = await (await expectStatus(ada.get("/rooms/new", { "Accept-Language": "fr" }), 200))
    .text();
  assert.match(html, /<option value="fr" selected>français<\/option>/);
});

dbTest("a language we do not speak is refused with a readable message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const r = await expectStatus(ada.post("/rooms", { ...room, language: "tlh" }), 422);
  assert.match(await r.text(), /Choose the language spoken in the room/);
  const [{ count }] = await sql`select count(*)::int as count from rooms`;
  assert.equal(count, 0);
});

dbTest("rooms in the member's language rank above others, and say so", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  await expectStatus(grace.post("/settings/language", { language: "fr" }), 303);
  // The French room is the older one: without the language term, freshness puts it second.
  const french = await startRoom(ada, { language: "fr" });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const english = await startRoom(linus, { language: "en" });
  const html = await (await expectStatus(grace.get("/"), 200)).text();
  assert.ok(html.indexOf(`data-room="${french}"`) < html.indexOf(`data-room="${english}"`));
  assert.match(cardOf(html, french), /Votre langue/);
  assert.doesNotMatch(cardOf(html, english), /Votre langue/);
});

dbTest("a member without a language of their own ranks by the site's, at once", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  const english = await startRoom(ada, { language: "en" });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const french = await startRoom(linus, { language: "fr" });
  const order = async () => {
    const html = await (await expectStatus(grace.get("/"), 200)).text();
    return html.indexOf(`data-room="${french}"`) < html.indexOf(`data-room="${english}"`)
      ? "french first"
      : "english first";
  };
  assert.equal(await order(), "english first");
  // Other members' cached hallways are dropped when the change is heard (on PostgreSQL, a NOTIFY
  // on another connection): the next page after that ranks by the new language.
  const heard = new Promise<void>((resolve) => {
    const stop = db.events.subscribe((event) => {
      if (event.hallway) {
        stop();
        resolve();
      }
    });
  });
  await expectStatus(ada.post("/admin/language", { site_language: "fr" }), 303);
  await heard;
  assert.equal(await order(), "french first");
});
