import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  inviteToken,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import type { Sql } from "../../db/client.ts";
import { awayFromWindowEnd, rateLimits } from "../support/rate_limits.ts";

async function createInvites(browser: Browser, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await expectStatus(browser.post("/invites"), 303);
}

async function inviteIdsOf(sql: Sql, handle: string): Promise<number[]> {
  const rows = await sql`
    select i.id from invites i join users u on u.id = i.creator_id
    where u.handle = ${handle} order by i.id`;
  return rows.map((r) => r.id);
}

dbTest("a guest asking for the invites page is sent to sign in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).get("/invites"), 303);
  assert.equal(response.headers.get("Location"), "/signin?next=%2Finvites");
});

dbTest(
  "a member who has not picked topics is sent to pick them before inviting",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const token = await inviteToken(ada);
    const grace = new Browser(app);
    await expectStatus(
      grace.post(`/join/${token}`, {
        handle: "grace",
        display_name: "G",
        password: "correct horse 2",
      }),
      303,
    );
    const response = await expectStatus(grace.get("/invites"), 303);
    assert.equal(response.headers.get("Location"), "/topics");
    await expectStatus(grace.post("/invites"), 403);
  },
);

dbTest(
  "a new member holds five invites and the sixth is refused with a message",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const grace = await memberBrowser(app, await adminBrowser(app), "grace");
    await createInvites(grace, 5);
    const response = await expectStatus(grace.post("/invites"), 403);
    assert.match(await response.text(), /You have no invites left/);
    assert.equal((await inviteIdsOf(sql, "grace")).length, 5);
  },
);

dbTest("the invites page says how many invites are left", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  await createInvites(grace, 2);
  const html = await (await expectStatus(grace.get("/invites"), 200)).text();
  assert.match(html, /You have 3 invites left/);
});

dbTest("an administrator is not limited in invites", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await createInvites(ada, 7);
  assert.equal((await inviteIdsOf(sql, "ada")).length, 7);
  const html = await (await expectStatus(ada.get("/invites"), 200)).text();
  assert.match(html, /as many people as you like/);
});

dbTest("an administrator changing invites per member changes the limit", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const saved = await expectStatus(ada.post("/admin/settings", { invites_per_member: "2" }), 303);
  assert.equal(saved.headers.get("Location"), "/admin?done=settings");
  await createInvites(grace, 2);
  await expectStatus(grace.post("/invites"), 403);
  await expectStatus(ada.post("/admin/settings", { invites_per_member: "3" }), 303);
  await expectStatus(grace.post("/invites"), 303);
});

dbTest("invites per member must be a whole number in range", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const value of ["", "abc", "-1", "2.5", "101"]) {
    const response = await expectStatus(
      ada.post("/admin/settings", { invites_per_member: value }),
      422,
    );
    assert.match(
      await response.text(),
      /id="field-invites_per_member-error"[^>]*>Invites per member must be a whole number from 0 to 100</,
    );
  }
  const [{ value }] = await sql`select value from settings where key = 'invites_per_member'`;
  assert.equal(Number(value), 5);
});

dbTest("revoking an invite gives it back", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  await createInvites(grace, 5);
  const [first] = await inviteIdsOf(sql, "grace");
  await expectStatus(grace.post(`/invites/${first}/revoke`), 303);
  await expectStatus(grace.post("/invites"), 303);
  await expectStatus(grace.post("/invites"), 403);
});

dbTest("a used invite still counts against the member's invites", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/admin/settings", { invites_per_member: "1" }), 303);
  const grace = await memberBrowser(app, ada, "grace");
  await memberBrowser(app, grace, "linus", "192.0.2.21");
  const response = await expectStatus(grace.post("/invites"), 403);
  assert.match(await response.text(), /You have no invites left/);
});

dbTest("a used invite cannot be revoked", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const [used] = await inviteIdsOf(sql, "ada");
  const response = await expectStatus(ada.post(`/invites/${used}/revoke`), 409);
  assert.match(await response.text(), /already used/);
});

dbTest("a member sees only their own invites", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
  const token = await inviteToken(grace);
  const html = await (await expectStatus(linus.get("/invites"), 200)).text();
  assert.doesNotMatch(html, new RegExp(token));
  assert.match(html, /You have not created any invites yet/);
});

dbTest("revoking somebody else's invite is 404 and leaves it open", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const linus = await memberBrowser(app, ada, "linus", "192.0.2.21");
  const token = await inviteToken(grace);
  const [id] = await inviteIdsOf(sql, "grace");
  await expectStatus(linus.post(`/invites/${id}/revoke`), 404);
  await expectStatus(ada.post(`/invites/${id}/revoke`), 404);
  await expectStatus(new Browser(app).get(`/join/${token}`), 200);
});

dbTest("revoking an invite that does not exist is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/invites/999999/revoke"), 404);
});

dbTest("creating an invite with htmx returns the invites panel alone", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  const response = await expectStatus(grace.post("/invites", {}, { "HX-Request": "true" }), 200);
  const html = await response.text();
  assert.doesNotMatch(html, /<html/i);
  assert.match(html, /^<section id="invites"/);
  assert.match(html, /\/join\/[A-Za-z0-9_-]{22,}/);
  assert.match(html, /You have 4 invites left/);
});

dbTest("a refused invite with htmx returns the panel with the message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  await createInvites(grace, 5);
  const response = await expectStatus(grace.post("/invites", {}, { "HX-Request": "true" }), 403);
  const html = await response.text();
  assert.doesNotMatch(html, /<html/i);
  assert.match(html, /role="alert">You have no invites left</);
});

dbTest(
  "creating invites too fast is refused with 429 even for an administrator",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    await awayFromWindowEnd(rateLimits.invitesPerAccount.windowMs);
    await createInvites(ada, rateLimits.invitesPerAccount.max);
    const response = await expectStatus(ada.post("/invites"), 429);
    assert.match(await response.text(), /Too many attempts/);
    assert.equal((await inviteIdsOf(sql, "ada")).length, rateLimits.invitesPerAccount.max);
  },
);
