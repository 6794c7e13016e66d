import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";

const htmx = { "HX-Request": "true" };

function followers(html: string): number {
  const count = html.match(/data-testid="followers">(\d+)</)?.[1];
  assert.ok(count !== undefined, "no follower count in the page");
  return Number(count);
}

function following(html: string): number {
  const count = html.match(/<strong>(\d+)<\/strong> following/)?.[1];
  assert.ok(count !== undefined, "no following count in the page");
  return Number(count);
}

dbTest("a guest asking for a profile is sent to sign in, without the profile", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(
    ada.post("/settings", { display_name: "Ada Lovelace", bio: "Secret bio" }),
    303,
  );
  const response = await expectStatus(new Browser(app).get("/@ada"), 303);
  assert.equal(response.headers.get("Location"), "/signin?next=%2F%40ada");
  const body = await response.text();
  assert.doesNotMatch(body, /Secret bio|Ada Lovelace/);
});

dbTest(
  "a guest asking for a profile fragment with htmx gets no profile either",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    await expectStatus(
      ada.post("/settings", { display_name: "Ada Lovelace", bio: "Secret bio" }),
      303,
    );
    const response = await new Browser(app).get("/@ada", htmx);
    assert.ok(response.status >= 300 && response.status < 500, `got ${response.status}`);
    assert.doesNotMatch(await response.text(), /Secret bio/);
  },
);

dbTest("a member sees another member's profile", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const html = await (await expectStatus(grace.get("/@ada"), 200)).text();
  assert.match(html, /<h1 id="profile-name">Ada Lovelace<\/h1>/);
  assert.match(html, /@ada/);
});

dbTest("a profile address ignores the handle's case", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const html = await (await expectStatus(ada.get("/@ADA"), 200)).text();
  assert.match(html, /<p class="handle">@ada<\/p>/);
});

dbTest("a profile for an unknown handle is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(ada.get("/@nobody"), 404);
  assert.match(await response.text(), /No member has that handle/);
});

dbTest("a bio saved in settings shows on the profile", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const saved = await expectStatus(
    grace.post("/settings", { display_name: "Grace Hopper", bio: "Compilers and nanoseconds" }),
    303,
  );
  assert.equal(saved.headers.get("Location"), "/settings?saved=1");
  const html = await (await expectStatus(ada.get("/@grace"), 200)).text();
  assert.match(html, /<p class="bio">Compilers and nanoseconds<\/p>/);
  assert.match(html, /<h1 id="profile-name">Grace Hopper<\/h1>/);
});

dbTest("the settings page shows the saved bio back", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/settings", { display_name: "Ada", bio: "Engines" }), 303);
  const html = await (await expectStatus(ada.get("/settings?saved=1"), 200)).text();
  assert.match(html, /Your profile is saved/);
  assert.match(html, /<textarea[^>]*name="bio"[^>]*>Engines<\/textarea>/);
});

dbTest("markup in a bio is shown as text, never run", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(
    grace.post("/settings", { display_name: "Grace", bio: "<script>alert(1)</script>" }),
    303,
  );
  const html = await (await expectStatus(ada.get("/@grace"), 200)).text();
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script>alert/);
});

dbTest("markup in a display name is shown as text, never run", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/settings", { display_name: "<b>G</b>", bio: "" }), 303);
  const html = await (await expectStatus(ada.get("/@grace"), 200)).text();
  assert.match(html, /&lt;b&gt;G&lt;\/b&gt;/);
  assert.doesNotMatch(html, /<b>G<\/b>/);
});

dbTest("a bio over 300 characters is refused by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/settings", { display_name: "Ada", bio: "b".repeat(301) }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-bio-error"[^>]*>Bio must be at most 300 characters</,
  );
  const [{ bio }] = await sql`select bio from users where handle = 'ada'`;
  assert.equal(bio, "");
});

dbTest("a bio of exactly 300 characters is kept", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/settings", { display_name: "Ada", bio: "é".repeat(300) }), 303);
  const [{ bio }] = await sql`select bio from users where handle = 'ada'`;
  assert.equal(bio.length, 300);
});

dbTest("an empty display name in settings is refused by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(ada.post("/settings", { display_name: "", bio: "" }), 422);
  assert.match(
    await response.text(),
    /id="field-display_name-error"[^>]*>Display name is required</,
  );
});

dbTest("following with htmx returns the follow block alone with the new count", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const response = await expectStatus(grace.post("/@ada/follow", {}, htmx), 200);
  const html = await response.text();
  assert.doesNotMatch(html, /<html/i);
  assert.match(html, /^<div class="follow-block" id="follow-block">/);
  assert.equal(followers(html), 1);
  assert.match(html, /action="\/@ada\/unfollow"/);
});

dbTest("unfollowing with htmx returns the follow block with the new count", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/@ada/follow", {}, htmx), 200);
  const response = await expectStatus(grace.post("/@ada/unfollow", {}, htmx), 200);
  const html = await response.text();
  assert.doesNotMatch(html, /<html/i);
  assert.equal(followers(html), 0);
  assert.match(html, /action="\/@ada\/follow"/);
});

dbTest("following without htmx goes back to the profile", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const response = await expectStatus(grace.post("/@ADA/follow"), 303);
  assert.equal(response.headers.get("Location"), "/@ada");
  const html = await (await expectStatus(grace.get("/@ada"), 200)).text();
  assert.equal(followers(html), 1);
});

dbTest("unfollowing without htmx goes back to the profile", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/@ada/follow"), 303);
  const response = await expectStatus(grace.post("/@ada/unfollow"), 303);
  assert.equal(response.headers.get("Location"), "/@ada");
  assert.equal(followers(await (await grace.get("/@ada")).text()), 0);
});

dbTest("following oneself is refused", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await ada.post("/@ada/follow");
  assert.ok(response.status >= 400 && response.status < 500, `got ${response.status}`);
  assert.match(await response.text(), /You cannot follow yourself/);
  assert.equal((await sql`select count(*)::int as n from follows`)[0].n, 0);
});

dbTest("following someone who does not exist is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/@nobody/follow"), 404);
});

dbTest("a guest cannot follow anybody", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(new Browser(app).post("/@ada/follow"), 401);
  assert.equal((await sql`select count(*)::int as n from follows`)[0].n, 0);
});

dbTest("following twice counts once", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/@ada/follow"), 303);
  const html = await (await expectStatus(grace.post("/@ada/follow", {}, htmx), 200)).text();
  assert.equal(followers(html), 1);
});

dbTest("follower and following counts add up across members", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
  await expectStatus(grace.post("/@ada/follow"), 303);
  await expectStatus(linus.post("/@ada/follow"), 303);
  await expectStatus(linus.post("/@grace/follow"), 303);
  const adaProfile = await (await ada.get("/@ada")).text();
  assert.deepEqual([followers(adaProfile), following(adaProfile)], [2, 0]);
  const linusProfile = await (await ada.get("/@linus")).text();
  assert.deepEqual([followers(linusProfile), following(linusProfile)], [0, 2]);
  const graceProfile = await (await ada.get("/@grace")).text();
  assert.deepEqual([followers(graceProfile), following(graceProfile)], [1, 1]);
});

dbTest("follows and unfollows are appended to the signals", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/@ada/follow"), 303);
  await expectStatus(grace.post("/@ada/unfollow"), 303);
  const rows = await sql`
    select kind from signals where person_id is not null order by id`;
  assert.deepEqual(rows.map((r) => r.kind), ["followed", "unfollowed"]);
});

dbTest("a profile does not say who invited the member", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
  // The fragment leaves out the navigation, which links the viewer's own profile.
  const html = await (await expectStatus(linus.get("/@grace", htmx), 200)).text();
  assert.doesNotMatch(html, /ada/i);
  assert.doesNotMatch(html, /invited/i);
});

dbTest(
  "a page served from memory changes when someone else changes what it shows",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const ben = await memberBrowser(app, ada, "ben");
    const first = await (await expectStatus(grace.get("/@ada"), 200)).text();
    const again = await (await expectStatus(grace.get("/@ada"), 200)).text();
    assert.equal(again, first, "nothing changed, the same page");
    assert.equal(followers(first), 0);

    // Ben's follow reaches Grace's cached copy by the change notification, as it would reach
    // another process: wait for it rather than for a guessed time.
    const heard = new Promise<void>((resolve) => {
      const stop = db.events.subscribe((event) => {
        if (event.members?.length) {
          stop();
          resolve();
        }
      });
    });
    await expectStatus(ben.post("/@ada/follow", {}), 303);
    await heard;
    assert.equal(followers(await (await expectStatus(grace.get("/@ada"), 200)).text()), 1);

    await expectStatus(ada.post("/settings", { display_name: "Ada L.", bio: "" }), 303);
    const renamed = await (await expectStatus(grace.get("/@ada"), 200)).text();
    assert.match(renamed, /<h1 id="profile-name">Ada L\.<\/h1>/);
  },
);
