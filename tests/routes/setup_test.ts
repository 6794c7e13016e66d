import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { adminBrowser, Browser, expectStatus, testApp } from "../support/app_client.ts";

const firstAdmin = { handle: "ada", display_name: "Ada Lovelace", password: "correct horse 1" };

dbTest("the front door sends a guest to set-up while nobody has an account", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const response = await expectStatus(new Browser(app).get("/"), 303);
  assert.equal(response.headers.get("Location"), "/setup");
});

dbTest("the set-up page is offered while nobody has an account", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const response = await expectStatus(new Browser(app).get("/setup"), 200);
  assert.match(await response.text(), /Create administrator/);
});

dbTest("set-up creates the first administrator and signs them in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const browser = new Browser(app);
  const response = await expectStatus(browser.post("/setup", firstAdmin), 303);
  assert.equal(response.headers.get("Location"), "/topics");
  const [admin] = await sql`select handle, is_admin from users`;
  assert.deepEqual({ ...admin }, { handle: "ada", is_admin: true });
  await expectStatus(browser.get("/admin"), 200);
});

dbTest("the session cookie from set-up is HttpOnly and SameSite=Lax", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const response = await expectStatus(new Browser(app).post("/setup", firstAdmin), 303);
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("palabre_session="));
  assert.ok(cookie, "no session cookie set");
  assert.match(cookie, /;\s*HttpOnly/i);
  assert.match(cookie, /;\s*SameSite=Lax/i);
});

dbTest("set-up with a short password is refused with the message by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const response = await expectStatus(
    new Browser(app).post("/setup", { ...firstAdmin, password: "short" }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-password-error"[^>]*>Password must be at least 10/,
  );
  assert.equal((await sql`select count(*)::int as n from users`)[0].n, 0);
});

dbTest(
  "set-up with aaaaaaaaaa or a common leaked password says why by the field",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const reasons = {
      aaaaaaaaaa: "Password must not be one character repeated",
      Password123: "This password is among the most common leaked passwords; choose another",
      "ada lovelace 1815": "Password must not contain your handle",
    };
    for (const [password, reason] of Object.entries(reasons)) {
      const response = await expectStatus(
        new Browser(app).post("/setup", { ...firstAdmin, password }),
        422,
      );
      const html = await response.text();
      assert.ok(html.includes(`id="field-password-error" role="alert">${reason}<`), password);
      assert.ok(!html.includes(password), "the password is not sent back");
    }
    assert.equal((await sql`select count(*)::int as n from users`)[0].n, 0);
  },
);

dbTest("after set-up the set-up page no longer exists", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(new Browser(app).get("/setup"), 404);
});

dbTest("after set-up a valid set-up form is refused with 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(
    new Browser(app).post("/setup", {
      handle: "mallory",
      display_name: "M",
      password: "x".repeat(12),
    }),
    404,
  );
  const handles = (await sql`select handle from users`).map((r) => r.handle);
  assert.deepEqual(handles, ["ada"]);
});

dbTest("after set-up a garbage set-up post is refused with 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const browser = new Browser(app);
  await expectStatus(browser.post("/setup", { junk: "\u0000".repeat(10) }), 404);
  await expectStatus(
    browser.request("/setup", {
      method: "POST",
      body: "{not json",
      headers: { Origin: "http://palabre.test", "Content-Type": "application/json" },
    }),
    404,
  );
  assert.equal((await sql`select count(*)::int as n from users`)[0].n, 1);
});

dbTest("two set-ups at the same moment create exactly one account", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const responses = await Promise.all([
    new Browser(app).post("/setup", firstAdmin),
    new Browser(app).post("/setup", { ...firstAdmin, handle: "grace" }),
  ]);
  assert.deepEqual(responses.map((r) => r.status).sort(), [303, 404]);
  assert.equal((await sql`select count(*)::int as n from users`)[0].n, 1);
});
