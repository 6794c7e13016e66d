import assert from "node:assert/strict";
import type { Hono } from "hono";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  inviteToken,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import type { AppEnv } from "../../routes/context.ts";
import type { Sql } from "../../db/client.ts";

/** A member who has just signed up and not picked any topic yet. */
async function newcomer(app: Hono<AppEnv>, inviter: Browser): Promise<Browser> {
  const token = await inviteToken(inviter);
  const browser = new Browser(app, { address: "192.0.2.40" });
  await expectStatus(
    browser.post(`/join/${token}`, {
      handle: "grace",
      display_name: "Grace",
      password: "correct horse 2",
    }),
    303,
  );
  return browser;
}

async function signalsOf(sql: Sql, handle: string): Promise<string[]> {
  const rows = await sql`
    select s.kind, t.slug from signals s join users u on u.id = s.user_id
    join topics t on t.id = s.topic_id
    where u.handle = ${handle} order by s.id`;
  return rows.map((r) => `${r.kind} ${r.slug}`);
}

dbTest("a new member is sent from the hallway to pick topics", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  const response = await expectStatus(grace.get("/"), 303);
  assert.equal(response.headers.get("Location"), "/topics");
});

dbTest("a new member who picked topics lands in the hallway", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  const picked = await expectStatus(
    grace.post("/topics", { topic: ["jazz", "chess", "film"] }),
    303,
  );
  assert.equal(picked.headers.get("Location"), "/");
  const hallway = await expectStatus(grace.get("/"), 200);
  assert.match(await hallway.text(), /Your topics: Chess, Film, Jazz/);
});

dbTest("picking fewer than three topics is refused with a message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  const response = await expectStatus(grace.post("/topics", { topic: ["jazz", "chess"] }), 422);
  const html = await response.text();
  assert.match(html, /id="topics-error"[^>]*>Pick at least 3 topics</);
  // What was ticked stays ticked.
  assert.match(html, /value="jazz" checked/);
  await expectStatus(grace.get("/"), 303);
});

dbTest("picking no topic at all is refused with a message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  const response = await expectStatus(grace.post("/topics", {}), 422);
  assert.match(await response.text(), /Pick at least 3 topics/);
});

dbTest("the same topic ticked three times counts once", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  await expectStatus(grace.post("/topics", { topic: ["jazz", "jazz", "jazz"] }), 422);
});

dbTest("picking a topic that does not exist is refused with a message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  const response = await expectStatus(
    grace.post("/topics", { topic: ["jazz", "chess", "knitting"] }),
    422,
  );
  assert.match(await response.text(), /id="topics-error"[^>]*>Some of those topics do not exist</);
  assert.deepEqual(await signalsOf(sql, "grace"), []);
});

dbTest("picking more than twenty topics is refused with a message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  const slugs = (await sql`select slug from topics order by id limit 21`).map((r) => r.slug);
  const response = await expectStatus(grace.post("/topics", { topic: slugs }), 422);
  assert.match(await response.text(), /Pick at most 20 topics/);
});

dbTest("picked topics are ticked on the topics page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  const html = await (await expectStatus(grace.get("/topics"), 200)).text();
  const ticked = [...html.matchAll(/value="([a-z0-9-]+)" checked/g)].map((m) => m[1]).sort();
  assert.deepEqual(ticked, ["film", "jazz", "running"]);
});

dbTest("picked topics are shown on the member's profile", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const html = await (await expectStatus(ada.get("/@grace"), 200)).text();
  const chips = [...html.matchAll(/<li class="chip">([^<]+)<\/li>/g)].map((m) => m[1]);
  assert.deepEqual(chips, ["Film", "Jazz", "Running"]);
});

dbTest("a member can change their topics later", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const response = await expectStatus(
    grace.post("/topics", { topic: ["jazz", "poetry", "tokyo"] }),
    303,
  );
  assert.equal(response.headers.get("Location"), "/topics?saved=1");
  const saved = await (await expectStatus(grace.get("/topics?saved=1"), 200)).text();
  assert.match(saved, /Your topics are saved/);
  const profile = await (await expectStatus(ada.get("/@grace"), 200)).text();
  const chips = [...profile.matchAll(/<li class="chip">([^<]+)<\/li>/g)].map((m) => m[1]);
  assert.deepEqual(chips, ["Jazz", "Poetry", "Tokyo"]);
});

dbTest("every pick and unpick is appended to the signals", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await newcomer(app, await adminBrowser(app));
  await expectStatus(grace.post("/topics", { topic: ["jazz", "chess", "film"] }), 303);
  await expectStatus(grace.post("/topics", { topic: ["jazz", "chess", "poetry"] }), 303);
  await expectStatus(grace.post("/topics", { topic: ["jazz", "chess", "poetry"] }), 303);
  const signals = await signalsOf(sql, "grace");
  assert.deepEqual(signals.slice(0, 3).sort(), [
    "topic_picked chess",
    "topic_picked film",
    "topic_picked jazz",
  ]);
  assert.deepEqual(signals.slice(3).sort(), ["topic_picked poetry", "topic_unpicked film"]);
  const kinds = await sql`
    select kind from signals where user_id = (select id from users where handle = 'grace')`;
  assert.equal(kinds.length, 5, "saving the same picks again appends nothing");
});

dbTest("a guest asking for topics is sent to sign in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).get("/topics"), 303);
  // Signing in brings them back to the page they asked for.
  assert.equal(response.headers.get("Location"), "/signin?next=%2Ftopics");
  await expectStatus(new Browser(app).post("/topics", { topic: ["jazz", "chess", "film"] }), 401);
});

/** The topic names one category lists, in page order. */
function namesIn(html: string, category: string, opening: "legend" | "summary"): string[] {
  const from = html.indexOf(`<${opening}>${category}</${opening}>`);
  assert.ok(from >= 0, `${category} is listed`);
  const to = html.indexOf(opening === "legend" ? "</fieldset>" : "</details>", from);
  return [...html.slice(from, to).matchAll(/<span>([^<]*)<\/span>/g)].map((m) => m[1]);
}

dbTest(
  "topics within a category are in the order of their names in the page's language",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const french = { "Accept-Language": "fr" };
    const english = await (await expectStatus(ada.get("/topics"), 200)).text();
    assert.deepEqual(namesIn(english, "Languages", "legend"), [
      "Arabic",
      "French",
      "German",
      "Japanese",
      "Language Exchange",
      "Mandarin",
      "Portuguese",
      "Spanish",
    ]);
    // « Échange » sorts with the E's, as a French reader looks for it, not after the Z's.
    const inFrench = [
      "Allemand",
      "Arabe",
      "Échange linguistique",
      "Espagnol",
      "Français",
      "Japonais",
      "Mandarin",
      "Portugais",
    ];
    const topics = await (await expectStatus(ada.get("/topics", french), 200)).text();
    assert.deepEqual(namesIn(topics, "Langues", "legend"), inFrench);
    const newRoom = await (await expectStatus(ada.get("/rooms/new", french), 200)).text();
    assert.deepEqual(namesIn(newRoom, "Langues", "summary"), inFrench);
  },
);

dbTest(
  "a member's own topics read in the order of their names in the page's language",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace"); // picked jazz, film, running
    const french = { "Accept-Language": "fr" };
    const hallway = await (await expectStatus(grace.get("/"), 200)).text();
    assert.match(hallway, /Your topics: Film, Jazz, Running\./);
    const couloir = await (await expectStatus(grace.get("/", french), 200)).text();
    assert.match(couloir, /Vos sujets\u00a0: Cinéma, Course à pied, Jazz\./);
    const profile = await (await expectStatus(ada.get("/@grace", french), 200)).text();
    const chips = [...profile.matchAll(/<li class="chip">([^<]*)<\/li>/g)].map((m) => m[1]);
    assert.deepEqual(chips, ["Cinéma", "Course à pied", "Jazz"]);
  },
);
