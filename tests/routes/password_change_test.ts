import assert from "node:assert/strict";
import type { Hono } from "hono";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  configuredTestApp,
  expectStatus,
  testApp,
} from "../support/app_client.ts";
import { longSignInWaits } from "../support/rate_limits.ts";
import type { AppEnv } from "../../routes/context.ts";

const oldPassword = "correct horse 1";
const newPassword = "a brand new saddle";

async function signInStatus(app: Hono<AppEnv>, password: string): Promise<number> {
  const response = await new Browser(app, { address: "203.0.113.50" }).post("/signin", {
    handle: "ada",
    password,
  });
  await response.body?.cancel();
  return response.status;
}

dbTest("settings offers a form to change one's password", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const html = await (await expectStatus(ada.get("/settings"), 200)).text();
  assert.match(html, /<form method="post" action="\/settings\/password"/);
  assert.match(html, /name="current_password"[^>]*autocomplete="current-password"/);
  assert.match(html, /name="new_password"[^>]*autocomplete="new-password"/);
});

dbTest("after a change the new password signs in and the old one does not", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/settings/password", { current_password: oldPassword, new_password: newPassword }),
    303,
  );
  assert.equal(response.headers.get("Location"), "/settings?password=changed#password");
  const page = await (await expectStatus(ada.get("/settings?password=changed"), 200)).text();
  assert.match(page, /Your password is changed. Every other device is signed out./);
  assert.equal(await signInStatus(app, newPassword), 303);
  assert.equal(await signInStatus(app, oldPassword), 401);
});

dbTest("a change signs out every other device and keeps this one signed in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const laptop = await adminBrowser(app);
  const phone = new Browser(app, { address: "203.0.113.60" });
  await expectStatus(phone.post("/signin", { handle: "ada", password: oldPassword }), 303);
  await expectStatus(phone.get("/settings"), 200);
  const before = laptop.cookie("palabre_session");
  await expectStatus(
    laptop.post("/settings/password", { current_password: oldPassword, new_password: newPassword }),
    303,
  );
  const after = await expectStatus(phone.get("/settings"), 303);
  assert.equal(after.headers.get("Location"), "/signin?next=%2Fsettings");
  await expectStatus(laptop.get("/settings"), 200);
  // This device goes on in a fresh session: the one from before the change is over too.
  assert.notEqual(laptop.cookie("palabre_session"), before);
  const [{ n }] = await sql`select count(*)::int as n from sessions`;
  assert.equal(n, 1);
});

dbTest("a wrong current password is refused by its field and changes nothing", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/settings/password", {
      current_password: "not my password",
      new_password: newPassword,
    }),
    422,
  );
  const html = await response.text();
  assert.match(html, /id="field-current_password-error"[^>]*>Current password is wrong</);
  assert.ok(!html.includes(newPassword), "no password is sent back");
  assert.equal(await signInStatus(app, oldPassword), 303);
  assert.equal(await signInStatus(app, newPassword), 401);
});

dbTest("a weak new password is refused with the reason by its field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const reasons = {
    "": "Password must be at least 10 characters",
    aaaaaaaaaa: "Password must not be one character repeated",
    "1qaz2wsx3edc": "This password is among the most common leaked passwords; choose another",
    "call me ADA please": "Password must not contain your handle",
  };
  for (const [weak, reason] of Object.entries(reasons)) {
    const response = await expectStatus(
      ada.post("/settings/password", { current_password: oldPassword, new_password: weak }),
      422,
    );
    const html = await response.text();
    assert.ok(html.includes(`id="field-new_password-error" role="alert">${reason}<`), weak);
  }
  assert.equal(await signInStatus(app, oldPassword), 303);
});

dbTest("guessing the current password in settings is throttled like sign-in", async (sql, db) => {
  const app = await configuredTestApp(sql, { events: db.events, configure: longSignInWaits });
  const ada = await adminBrowser(app);
  const guess = (i: number) =>
    ada.post("/settings/password", { current_password: `guess ${i}`, new_password: newPassword });
  await expectStatus(guess(1), 422);
  await expectStatus(guess(2), 422);
  const refused = await expectStatus(guess(3), 429);
  assert.match(
    await refused.text(),
    /id="field-current_password-error"[^>]*>Too many failed sign-ins; try again in \d+ s</,
  );
  // The right one is refused too until the wait has passed: nothing is checked meanwhile.
  await expectStatus(
    ada.post("/settings/password", { current_password: oldPassword, new_password: newPassword }),
    429,
  );
  assert.equal(await signInStatus(app, newPassword), 401);
});

dbTest("changing a password needs a session", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(
    new Browser(app).post("/settings/password", {
      current_password: oldPassword,
      new_password: newPassword,
    }),
    401,
  );
  assert.equal(await signInStatus(app, oldPassword), 303);
});
