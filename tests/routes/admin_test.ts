import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";

/** The "Invited by" cell of `handle`'s row in the members table. */
function invitedBy(html: string, handle: string): string | undefined {
  const row = new RegExp(
    `<a href="/@${handle}">@${handle}</a>.*?</td><td data-label="Invited by">([^<]*)</td>`,
  );
  return html.match(row)?.[1];
}

dbTest("a guest asking for the admin page is sent to sign in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).get("/admin"), 303);
  assert.equal(response.headers.get("Location"), "/signin?next=%2Fadmin");
});

dbTest("a member who is not an administrator is refused the admin page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  const response = await expectStatus(grace.get("/admin"), 403);
  const html = await response.text();
  assert.match(html, /Only administrators may do this/);
  assert.doesNotMatch(html, /Invited by/);
});

dbTest("the admin page shows who invited whom", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await memberBrowser(app, grace, "linus", "192.0.2.21");
  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(html, /Members \(3\)/);
  assert.equal(invitedBy(html, "ada"), "—");
  assert.equal(invitedBy(html, "grace"), "@ada");
  assert.equal(invitedBy(html, "linus"), "@grace");
});

dbTest("the admin page shows the current invites per member", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(html, /name="invites_per_member"[^>]*value="5"/);
});

dbTest("an administrator saving invites per member is told it is saved", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/admin/settings", { invites_per_member: " 8 " }), 303);
  const html = await (await expectStatus(ada.get("/admin?done=settings"), 200)).text();
  assert.match(html, /Settings saved\./);
  assert.match(html, /name="invites_per_member"[^>]*value="8"/);
});

dbTest("a member who is not an administrator cannot change the settings", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  await expectStatus(grace.post("/admin/settings", { invites_per_member: "100" }), 403);
  const [{ value }] = await sql`select value from settings where key = 'invites_per_member'`;
  assert.equal(Number(value), 5);
});

dbTest("a guest cannot change the settings", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(new Browser(app).post("/admin/settings", { invites_per_member: "100" }), 401);
});

dbTest("with zero invites per member nobody but administrators can invite", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(ada.post("/admin/settings", { invites_per_member: "0" }), 303);
  await expectStatus(grace.post("/invites"), 403);
  await expectStatus(ada.post("/invites"), 303);
});

dbTest(
  "the administrator's navigation links the admin page, a member's does not",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    assert.match(await (await ada.get("/")).text(), /href="\/admin"/);
    assert.doesNotMatch(await (await grace.get("/")).text(), /href="\/admin"/);
  },
);
