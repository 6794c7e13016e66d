import assert from "node:assert/strict";
import type { Hono } from "hono";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  configuredTestApp,
  expectStatus,
  memberBrowser,
  origin,
  testApp,
} from "../support/app_client.ts";
import type { AppEnv } from "../../routes/context.ts";
import { longSignInWaits, rateLimits, waitOutSignInWaits } from "../support/rate_limits.ts";

/** A GET carrying exactly this session cookie, as a stolen or stale cookie would be sent. */
async function getWithCookie(app: Hono<AppEnv>, path: string, token: string) {
  return await app.request(`${origin}${path}`, {
    headers: { Cookie: `palabre_session=${token}` },
  }, { remoteAddr: { hostname: "192.0.2.99" } });
}

async function signedIn(app: Hono<AppEnv>, handle: string, password: string, address?: string) {
  const browser = new Browser(app, { address });
  await expectStatus(browser.post("/signin", { handle, password }), 303);
  return browser;
}

dbTest("signing in with the right password starts a session", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const browser = new Browser(app);
  const response = await expectStatus(
    browser.post("/signin", { handle: "ada", password: "correct horse 1" }),
    303,
  );
  assert.equal(response.headers.get("Location"), "/");
  assert.ok(browser.cookie("palabre_session"));
  await expectStatus(browser.get("/settings"), 200);
});

dbTest("a wrong password is refused with 401, a message and no cookie", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const browser = new Browser(app);
  const response = await expectStatus(
    browser.post("/signin", { handle: "ada", password: "wrong horse 1" }),
    401,
  );
  assert.match(await response.text(), /Handle or password is wrong/);
  assert.deepEqual(response.headers.getSetCookie(), []);
  assert.equal(browser.cookie("palabre_session"), undefined);
});

dbTest("an unknown handle is refused exactly like a wrong password", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(
    new Browser(app).post("/signin", { handle: "nobody", password: "wrong horse 1" }),
    401,
  );
  assert.match(await response.text(), /Handle or password is wrong/);
});

dbTest("an empty sign-in form is refused with a readable message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).post("/signin", {}), 422);
  assert.match(await response.text(), /Enter your handle and password/);
});

dbTest("the handle is not case-sensitive at sign-in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const browser = await signedIn(app, "ADA", "correct horse 1");
  const page = await (await expectStatus(browser.get("/"), 200)).text();
  assert.match(page, /Welcome, Ada Lovelace/);
});

dbTest("a member who has not picked topics is sent to topics after sign-in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const admin = await adminBrowser(app);
  await expectStatus(admin.post("/invites"), 303);
  const [{ token }] = await sql`select token from invites`;
  await expectStatus(
    new Browser(app).post(`/join/${token}`, {
      handle: "grace",
      display_name: "Grace",
      password: "correct horse 2",
    }),
    303,
  );
  const response = await expectStatus(
    new Browser(app).post("/signin", { handle: "grace", password: "correct horse 2" }),
    303,
  );
  assert.equal(response.headers.get("Location"), "/topics");
});

dbTest("signing out ends the session: the old cookie no longer works", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const token = ada.cookie("palabre_session")!;
  await expectStatus(getWithCookie(app, "/settings", token), 200);
  await expectStatus(ada.post("/signout"), 303);
  assert.equal(ada.cookie("palabre_session"), undefined);
  const response = await expectStatus(getWithCookie(app, "/settings", token), 303);
  assert.equal(response.headers.get("Location"), "/signin?next=%2Fsettings");
});

dbTest("signing out everywhere ends the member's other sessions too", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const laptop = await signedIn(app, "ada", "correct horse 1");
  const phone = await signedIn(app, "ada", "correct horse 1");
  await expectStatus(phone.get("/settings"), 200);
  const response = await expectStatus(laptop.post("/signout/everywhere"), 303);
  assert.equal(response.headers.get("Location"), "/signin");
  const after = await expectStatus(phone.get("/settings"), 303);
  assert.equal(after.headers.get("Location"), "/signin?next=%2Fsettings");
  await expectStatus(laptop.get("/settings"), 303);
});

dbTest("signing out everywhere leaves other members signed in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(ada.post("/signout/everywhere"), 303);
  await expectStatus(grace.get("/settings"), 200);
});

dbTest("signing out everywhere needs a session", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(new Browser(app).post("/signout/everywhere"), 401);
});

/** The wait a "Too many failed sign-ins" page asks for, in seconds. */
async function askedWaitSeconds(response: Response): Promise<number> {
  const html = await response.text();
  const match = html.match(/Too many failed sign-ins; try again in (\d+) (s|min)</);
  assert.ok(match, html.slice(0, 300));
  return Number(match[1]) * (match[2] === "min" ? 60 : 1);
}

dbTest("an attacker's failures are refused with 429, each wait longer", async (sql, db) => {
  const app = await configuredTestApp(sql, { events: db.events, configure: longSignInWaits });
  await adminBrowser(app);
  const attacker = new Browser(app, { address: "198.51.100.1" });
  const guess = (i: number) => attacker.post("/signin", { handle: "ada", password: `guess ${i}` });
  // The first failure is free (a typo); the second starts the wait.
  await expectStatus(guess(1), 401);
  await expectStatus(guess(2), 401);
  const waits = [await askedWaitSeconds(await expectStatus(guess(3), 429))];
  for (let i = 4; i <= 6; i++) {
    await waitOutSignInWaits(sql);
    await expectStatus(guess(i), 401);
    waits.push(await askedWaitSeconds(await expectStatus(guess(i), 429)));
  }
  for (let i = 1; i < waits.length; i++) {
    assert.ok(waits[i] > waits[i - 1], `waits grow: ${waits.join(", ")}`);
  }
  // Refused before the password is looked at: not even the right one gets through from here.
  const right = await expectStatus(
    attacker.post("/signin", { handle: "ada", password: "correct horse 1" }),
    429,
  );
  assert.match(await right.text(), /Too many failed sign-ins; try again in \d+ (s|min)/);
  assert.equal(attacker.cookie("palabre_session"), undefined);
});

dbTest(
  "the owner signs in at once from another address while an attacker waits",
  async (sql, db) => {
    const app = await configuredTestApp(sql, { events: db.events, configure: longSignInWaits });
    await adminBrowser(app);
    const attacker = new Browser(app, { address: "198.51.100.1" });
    for (let i = 0; i < 12; i++) {
      await attacker.post("/signin", { handle: "ada", password: `guess ${i}` });
      await waitOutSignInWaits(sql);
    }
    await expectStatus(attacker.post("/signin", { handle: "ada", password: "guess x" }), 401);
    await expectStatus(attacker.post("/signin", { handle: "ada", password: "guess y" }), 429);
    const owner = new Browser(app, { address: "203.0.113.7" });
    await expectStatus(owner.post("/signin", { handle: "Ada", password: "correct horse 1" }), 303);
    assert.ok(owner.cookie("palabre_session"));
  },
);

dbTest("twenty-one correct sign-ins in a row from one address all succeed", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (let i = 0; i < 21; i++) await signedIn(app, "ada", "correct horse 1", "203.0.113.9");
});

dbTest("a correct sign-in clears the address's failures on that handle", async (sql, db) => {
  const app = await configuredTestApp(sql, { events: db.events, configure: longSignInWaits });
  await adminBrowser(app);
  const owner = new Browser(app, { address: "203.0.113.7" });
  for (let i = 0; i < 3; i++) {
    await expectStatus(owner.post("/signin", { handle: "ada", password: "correct horse 2" }), 401);
    await expectStatus(owner.post("/signin", { handle: "ada", password: "correct horse 1" }), 303);
  }
});

dbTest("failures from one address across many handles are refused with 429", async (sql, db) => {
  const app = await configuredTestApp(sql, { events: db.events, configure: longSignInWaits });
  await adminBrowser(app);
  const sprayer = new Browser(app, { address: "198.51.100.2" });
  for (let i = 0; i <= rateLimits.signIn.perAddress.freeFailures; i++) {
    await expectStatus(sprayer.post("/signin", { handle: `user${i}`, password: "password1" }), 401);
  }
  const response = await expectStatus(
    sprayer.post("/signin", { handle: "ada", password: "correct horse 1" }),
    429,
  );
  assert.match(await response.text(), /Too many failed sign-ins; try again in \d+ s/);
  // Somebody else's address is not affected.
  await signedIn(app, "ada", "correct horse 1", "203.0.113.8");
});

dbTest("failures of one handle from many addresses never refuse its owner", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  for (let i = 0; i < 15; i++) {
    const bot = new Browser(app, { address: `198.51.100.${100 + i}` });
    await expectStatus(bot.post("/signin", { handle: "ada", password: `guess ${i}` }), 401);
  }
  await signedIn(app, "ada", "correct horse 1", "203.0.113.7");
});

dbTest("sign-in counts keep no handle and no address, only keyed hashes", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const attacker = new Browser(app, { address: "198.51.100.1" });
  await expectStatus(attacker.post("/signin", { handle: "ada", password: "guess 1" }), 401);
  const rows = await sql`select scope, key from sign_in_failures order by scope`;
  assert.deepEqual(rows.map((r) => r.scope), ["address", "handle", "pair"]);
  for (const { key } of rows) {
    assert.doesNotMatch(key, /ada|198\.51/i);
    assert.match(key, /^[A-Za-z0-9+/]{22}==$/);
  }
});
