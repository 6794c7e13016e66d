/**
 * Search through its routes, on both databases: what a member finds and in which order, what
 * they never find (closed rooms, rooms they may not join, people they blocked or who blocked
 * them), the caps that keep anyone from listing the community, and refusals that read well.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  configuredTestApp,
  expectStatus,
  inviteToken,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import type { Sql } from "../../db/client.ts";

interface Found {
  people: string[];
  rooms: string[];
  topics: string[];
}

/** What the /search page lists for `query`, read from its results only (not the header). */
async function found(browser: Browser, query: string): Promise<Found> {
  const page = await (await expectStatus(
    browser.get(`/search?q=${encodeURIComponent(query)}`),
    200,
  )).text();
  return foundIn(page.slice(page.indexOf("<main")));
}

function foundIn(html: string): Found {
  return {
    people: [...html.matchAll(/href="\/@([A-Za-z0-9_]+)"/g)].map((m) => m[1]),
    rooms: [...html.matchAll(/href="\/rooms\/[A-Za-z0-9_-]{22}"><strong>([^<]+)</g)].map((m) =>
      m[1]
    ),
    topics: [...html.matchAll(/href="\/topics"><strong>([^<]+)</g)].map((m) => m[1]),
  };
}

const htmx = { "HX-Request": "true" };

async function startRoom(browser: Browser, form: Record<string, string | string[]>) {
  const response = await expectStatus(browser.post("/rooms", form), 303);
  const publicId = response.headers.get("Location")?.match(/^\/rooms\/([A-Za-z0-9_-]{22})$/)?.[1];
  assert.ok(publicId, "started the room");
  return publicId;
}

async function scheduleEvent(browser: Browser, form: Record<string, string | string[]>) {
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 16);
  await expectStatus(
    browser.post("/events", { ...form, starts_at: tomorrow, timezone_offset: "0" }),
    303,
  );
}

async function rename(sql: Sql, handle: string, displayName: string, bio = "") {
  await sql`update users set display_name = ${displayName}, bio = ${bio}
            where handle = ${handle}`;
}

dbTest("an exact handle comes first, then handles and names that contain it", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "adam");
  await memberBrowser(app, ada, "adalinda", "192.0.2.21");
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  await rename(sql, "adam", "Ada Adams");
  const { people } = await found(grace, "ada");
  assert.equal(people[0], "ada");
  assert.deepEqual([...people].sort(), ["ada", "adalinda", "adam"]);
  assert.equal((await found(grace, "ADAM")).people[0], "adam");
});

dbTest("names are found whatever their accents, and despite a typo", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "helene");
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  await rename(sql, "helene", "Hélène Dupré");
  assert.deepEqual((await found(grace, "helene dupre")).people, ["helene"]);
  assert.deepEqual((await found(grace, "Dupré")).people, ["helene"]);
  assert.deepEqual((await found(grace, "Hélene")).people, ["helene"]);
  // Trigrams forgive the typo: one letter wrong in "Lovelace".
  assert.deepEqual((await found(grace, "Lovelase")).people, ["ada"]);
  assert.deepEqual((await found(grace, "Duprè")).people, ["helene"]);
});

dbTest("a bio is searched by its words", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "linus");
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  await rename(sql, "linus", "Linus", "I maintain kernels and write about filesystems");
  assert.deepEqual((await found(grace, "filesystem")).people, ["linus"]);
});

dbTest("rooms are found by English and French stems of their words", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.23");
  await startRoom(ada, { title: "Stories of the sea", kind: "open", topics: ["books"] });
  await startRoom(grace, {
    title: "Les chevaux de course",
    description: "On parle d'élevage",
    kind: "open",
    topics: ["film"],
  });
  // "story" is no prefix of "stories", nor "cheval" of "chevaux": only stemming finds them.
  assert.deepEqual((await found(linus, "story")).rooms, ["Stories of the sea"]);
  assert.deepEqual((await found(linus, "cheval")).rooms, ["Les chevaux de course"]);
  // The description too, accents folded.
  assert.deepEqual((await found(linus, "elevage")).rooms, ["Les chevaux de course"]);
});

dbTest("topics and their rooms are found in the viewer's language, accents folded", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  await startRoom(ada, { title: "Openings we love", kind: "open", topics: ["chess"] });
  assert.deepEqual(await found(grace, "chess"), {
    people: [],
    rooms: ["Openings we love"],
    topics: ["Chess"],
  });
  await expectStatus(grace.post("/settings/language", { language: "fr" }), 303);
  assert.deepEqual(await found(grace, "echecs"), {
    people: [],
    rooms: ["Openings we love"],
    topics: ["Échecs"],
  });
  assert.deepEqual((await found(grace, "course a pied")).topics, ["Course à pied"]);
  // The English name still finds it for a French reader.
  assert.deepEqual((await found(grace, "chess")).topics, ["Échecs"]);
});

dbTest("a closed room is found only by those it is open to", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  await startRoom(ada, { title: "Quiet strategy", kind: "closed", topics: ["chess"] });
  await scheduleEvent(ada, { title: "Quiet tournament", kind: "closed", topics: ["chess"] });
  assert.deepEqual((await found(grace, "quiet")).rooms, []);
  assert.deepEqual((await found(grace, "chess")).rooms, []);
  assert.deepEqual((await found(ada, "quiet")).rooms.sort(), [
    "Quiet strategy",
    "Quiet tournament",
  ]);
});

dbTest("a social room is not found by a member it does not let in", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.23");
  await startRoom(ada, { title: "Friends of jazz", kind: "social", topics: ["jazz"] });
  await expectStatus(ada.post("/@grace/follow"), 303);
  assert.deepEqual((await found(grace, "friends jazz")).rooms, ["Friends of jazz"]);
  assert.deepEqual((await found(linus, "friends jazz")).rooms, []);
});

dbTest("an ended room is not found", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
  const room = await startRoom(ada, { title: "Night owls", kind: "open", topics: ["jazz"] });
  assert.deepEqual((await found(grace, "owls")).rooms, ["Night owls"]);
  await expectStatus(ada.post(`/rooms/${room}/act`, { action: "end" }), 303);
  assert.deepEqual((await found(grace, "owls")).rooms, []);
});

dbTest(
  "people who blocked one another never find each other or each other's rooms",
  async (sql) => {
    const app = await testApp(sql);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace", "192.0.2.22");
    const linus = await memberBrowser(app, ada, "linus", "192.0.2.23");
    await startRoom(grace, { title: "Grace on compilers", kind: "open", topics: ["jazz"] });
    await scheduleEvent(grace, { title: "Grace on debuggers", kind: "open", topics: ["jazz"] });
    assert.deepEqual((await found(linus, "grace")).people, ["grace"]);
    assert.deepEqual((await found(linus, "grace")).rooms.sort(), [
      "Grace on compilers",
      "Grace on debuggers",
    ]);

    // Linus blocks Grace: neither finds the other, nor the other's rooms.
    await expectStatus(linus.post("/@grace/block"), 303);
    assert.deepEqual(await found(linus, "grace"), { people: [], rooms: [], topics: [] });
    assert.deepEqual((await found(grace, "linus")).people, []);
    // Ada, who blocked nobody, still finds both.
    assert.deepEqual((await found(ada, "grace")).people, ["grace"]);
    assert.deepEqual((await found(ada, "linus")).people, ["linus"]);
    await expectStatus(linus.post("/@grace/unblock"), 303);

    // Grace blocks Linus: the same, the other way round.
    await expectStatus(grace.post("/@linus/block"), 303);
    assert.deepEqual(await found(linus, "grace"), { people: [], rooms: [], topics: [] });
    assert.deepEqual((await found(grace, "linus")).people, []);
  },
);

dbTest(
  "a page lists at most 20 of a kind and the header's panel 5, with a link to all",
  async (sql) => {
    const app = await testApp(sql);
    const ada = await adminBrowser(app);
    await sql`
    insert into users (handle, display_name, password_hash, onboarded_at)
    select 'jazzfan' || i, 'Jazz fan ' || i, 'x', now() from generate_series(1, 30) as i`;
    const page = await found(ada, "jazzfan");
    assert.equal(page.people.length, 20);
    const panel = await (await expectStatus(ada.get("/search?q=jazzfan", htmx), 200)).text();
    assert.doesNotMatch(panel, /<html/);
    assert.equal(foundIn(panel).people.length, 5);
    assert.match(panel, /href="\/search\?q=jazzfan">See all results for “jazzfan”/);
  },
);

dbTest("an empty or one-letter query lists nothing and says why", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "aa_member");
  for (const query of ["", " ", "a", "a%", "_", "%%"]) {
    const page = await (await expectStatus(
      ada.get(`/search?q=${encodeURIComponent(query)}`),
      200,
    )).text();
    assert.deepEqual(foundIn(page.slice(page.indexOf("<main"))).people, [], `"${query}"`);
  }
  const hint = await (await expectStatus(ada.get("/search?q=a", htmx), 200)).text();
  assert.match(hint, /Type at least 2 letters to search/);
  // An empty query gives the panel nothing, so it closes.
  assert.equal(await (await expectStatus(ada.get("/search?q=", htmx), 200)).text(), "");
});

dbTest(
  "searching past the allowance is a readable 429, as a page and in the panel",
  async (sql) => {
    const app = await configuredTestApp(sql, {
      configure: (config) => {
        config.rateLimits.searchesPerAccount = { max: 3, windowMs: 3_600_000 };
      },
    });
    const ada = await adminBrowser(app);
    for (const query of ["ada", "jazz", "chess"]) {
      await expectStatus(ada.get(`/search?q=${query}`), 200);
    }
    // Queries too short to search cost nothing.
    await expectStatus(ada.get("/search?q=a"), 200);
    const page = await (await expectStatus(ada.get("/search?q=ada"), 429)).text();
    assert.match(page, /Too many attempts; try again in \d+ minutes?/);
    const panel = await (await expectStatus(ada.get("/search?q=ada", htmx), 429)).text();
    assert.doesNotMatch(panel, /<html/);
    assert.match(panel, /Too many attempts/);
  },
);

dbTest("guests are sent to sign in, new members to pick topics first", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const guest = new Browser(app);
  const answer = await expectStatus(guest.get("/search?q=ada"), 303);
  // Signing in goes on to the search asked for (routes/session.tsx).
  assert.equal(answer.headers.get("Location"), "/signin?next=%2Fsearch%3Fq%3Dada");
  const panel = await expectStatus(guest.get("/search?q=ada", htmx), 303);
  assert.equal(panel.headers.get("Location"), "/signin");
  const home = await (await expectStatus(guest.get("/signin"), 200)).text();
  assert.doesNotMatch(home, /role="search"/);

  const newcomer = new Browser(app, { address: "192.0.2.30" });
  await expectStatus(
    newcomer.post(`/join/${await inviteToken(ada)}`, {
      handle: "newcomer",
      display_name: "Newcomer",
      password: "correct horse 3",
    }),
    303,
  );
  const toTopics = await expectStatus(newcomer.get("/search?q=ada"), 303);
  assert.equal(toTopics.headers.get("Location"), "/topics");
  const topicsPage = await (await expectStatus(newcomer.get("/topics"), 200)).text();
  assert.doesNotMatch(topicsPage, /role="search"/);
});

dbTest("a query too long or holding a control character is a readable 4xx", async (sql) => {
  const app = await testApp(sql);
  const ada = await adminBrowser(app);
  const long = await expectStatus(ada.get(`/search?q=${"a".repeat(101)}`), 422);
  assert.match(await long.text(), /Search for at most 100 characters/);
  const control = await expectStatus(ada.get("/search?q=ada%00"), 422);
  assert.match(await control.text(), /The search contains a character that is not allowed/);
  // A query of exactly the limit is searched.
  await expectStatus(ada.get(`/search?q=${"a".repeat(100)}`), 200);
});

dbTest(
  "the header holds the search box for members, a form that works without JavaScript",
  async (sql) => {
    const app = await testApp(sql);
    const ada = await adminBrowser(app);
    const hallway = await (await expectStatus(ada.get("/"), 200)).text();
    assert.match(hallway, /<form role="search" method="get" action="\/search"/);
    assert.match(hallway, /hx-trigger="input changed delay:300ms"/);
    assert.match(hallway, /<label for="search-box-q"[^>]*>Search people, rooms and topics</);
  },
);
