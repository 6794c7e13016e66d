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
const memberPages = ["/", "/topics", "/settings", "/invites", "/@ada", "/admin"];
const guestPages = ["/signin", "/waitlist"];

function assertFragment(html: string, path: string): void {
  // The layout's own parts: a view may have a <nav> of its own (the admin sections do).
  assert.doesNotMatch(
    html,
    /<html|<!doctype|<head>|<header class="top"|class="skip"/i,
    `${path} sent a whole page`,
  );
  assert.ok(html.trim().length > 0, `${path} sent nothing`);
}

function assertWholePage(html: string, path: string): void {
  assert.match(html, /^<!doctype html><html lang="en">/, `${path} is not a whole page`);
  assert.match(html, /<main id="main"/, `${path} has no main`);
}

dbTest("an htmx request for a member's page gets the fragment alone", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const path of memberPages) {
    const html = await (await expectStatus(ada.get(path, htmx), 200)).text();
    assertFragment(html, path);
  }
});

dbTest("an htmx request for a guest's page gets the fragment alone", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (const path of guestPages) {
    const html = await (await expectStatus(new Browser(app).get(path, htmx), 200)).text();
    assertFragment(html, path);
    assert.match(html, /<form method="post"/);
  }
});

dbTest("a normal request for a member's page gets the whole page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const path of memberPages) {
    const html = await (await expectStatus(ada.get(path), 200)).text();
    assertWholePage(html, path);
  }
});

dbTest("a normal request for a guest's page gets the whole page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (const path of ["/", ...guestPages]) {
    const html = await (await expectStatus(new Browser(app).get(path), 200)).text();
    assertWholePage(html, path);
  }
});

dbTest("an htmx request that asks for a full page gets the whole page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.get("/invites", { "HX-Request": "true", "HX-Request-Type": "full" }),
    200,
  );
  assertWholePage(await response.text(), "/invites");
});

dbTest("a page is sent as HTML in UTF-8", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).get("/signin"), 200);
  assert.match(response.headers.get("Content-Type") ?? "", /^text\/html; charset=UTF-8$/i);
});

dbTest("a missing page is a 404 page, or its fragment for htmx", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const page = await (await expectStatus(ada.get("/no/such/page"), 404)).text();
  assertWholePage(page, "404");
  assert.match(page, /There is nothing at this address/);
  const fragment = await (await expectStatus(ada.get("/no/such/page", htmx), 404)).text();
  assertFragment(fragment, "404");
  assert.match(fragment, /There is nothing at this address/);
});

dbTest("a refusal is a readable page, or its fragment for htmx", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  const page = await (await expectStatus(grace.get("/admin"), 403)).text();
  assertWholePage(page, "/admin");
  assert.match(page, /<h1>Not allowed<\/h1>/);
  const fragment = await (await expectStatus(grace.get("/admin", htmx), 403)).text();
  assertFragment(fragment, "/admin");
  assert.match(fragment, /<h1>Not allowed<\/h1>/);
});

dbTest("a guest sees the front door with sign-in and the waitlist", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const html = await (await expectStatus(new Browser(app).get("/"), 200)).text();
  assert.match(html, /Palabre is invite-only/);
  assert.match(html, /href="\/signin"/);
  assert.match(html, /href="\/waitlist"/);
});

dbTest("a signed-in member asking for sign-in is sent to the hallway", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(ada.get("/signin"), 303);
  assert.equal(response.headers.get("Location"), "/");
});

dbTest("a form post from htmx is redirected with HX-Redirect", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/settings", { display_name: "Ada", bio: "" }, htmx),
    200,
  );
  assert.equal(response.headers.get("HX-Redirect"), "/settings?saved=1");
});

dbTest("the static assets are served from our own origin", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const guest = new Browser(app);
  for (
    const [path, type] of [
      ["/static/app.css", "text/css"],
      ["/static/app.js", "text/javascript"],
      ["/static/htmx.min.js", "text/javascript"],
    ]
  ) {
    const response = await expectStatus(guest.get(path), 200);
    assert.match(response.headers.get("Content-Type") ?? "", new RegExp(`^${type}`), path);
    await response.body?.cancel();
  }
  await expectStatus(guest.get("/static/secret.key"), 404);
});
