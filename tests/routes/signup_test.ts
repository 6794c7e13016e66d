import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  inviteToken,
  testApp,
} from "../support/app_client.ts";
import type { Sql } from "../../db/client.ts";
import { awayFromWindowEnd, rateLimits } from "../support/rate_limits.ts";

const grace = { handle: "grace", display_name: "Grace Hopper", password: "correct horse 2" };

async function memberCount(sql: Sql): Promise<number> {
  return (await sql`select count(*)::int as n from users`)[0].n;
}

async function inviteStateOf(sql: Sql, token: string): Promise<string> {
  const [row] = await sql`
    select case when used_at is not null then 'used' when revoked_at is not null then 'revoked'
                else 'open' end as state
    from invites where token = ${token}`;
  return row.state;
}

dbTest("an open invite shows the join form", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const response = await expectStatus(new Browser(app).get(`/join/${token}`), 200);
  assert.match(await response.text(), /You are invited/);
});

dbTest("signing up with an invite creates the member, invited by its creator", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const browser = new Browser(app);
  const response = await expectStatus(browser.post(`/join/${token}`, grace), 303);
  assert.equal(response.headers.get("Location"), "/topics");
  assert.ok(browser.cookie("palabre_session"));
  const [row] = await sql`
    select u.handle, i.handle as inviter from users u join users i on i.id = u.invited_by
    where u.handle = 'grace'`;
  assert.deepEqual({ ...row }, { handle: "grace", inviter: "ada" });
});

dbTest("a used invite is refused with 410 and lets no second person in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  await expectStatus(new Browser(app).post(`/join/${token}`, grace), 303);
  const second = new Browser(app, { address: "192.0.2.21" });
  const response = await expectStatus(
    second.post(`/join/${token}`, { ...grace, handle: "mallory" }),
    410,
  );
  assert.match(await response.text(), /already been used/);
  assert.equal(second.cookie("palabre_session"), undefined);
  assert.equal(await memberCount(sql), 2);
});

dbTest("opening a used invite link says it was used", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  await expectStatus(new Browser(app).post(`/join/${token}`, grace), 303);
  const response = await expectStatus(new Browser(app).get(`/join/${token}`), 410);
  assert.match(await response.text(), /already been used/);
});

dbTest("an expired invite is refused with 410", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  await sql`update invites set expires_at = now() - interval '1 minute' where token = ${token}`;
  const response = await expectStatus(new Browser(app).post(`/join/${token}`, grace), 410);
  assert.match(await response.text(), /expired/);
  assert.equal(await memberCount(sql), 1);
});

dbTest("a revoked invite is refused with 410", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const token = await inviteToken(ada);
  const [{ id }] = await sql`select id from invites where token = ${token}`;
  await expectStatus(ada.post(`/invites/${id}/revoke`), 303);
  const response = await expectStatus(new Browser(app).post(`/join/${token}`, grace), 410);
  assert.match(await response.text(), /revoked/);
  assert.equal(await memberCount(sql), 1);
});

dbTest("an unknown invite token is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const madeUp = "A".repeat(32);
  await expectStatus(new Browser(app).get(`/join/${madeUp}`), 404);
  await expectStatus(new Browser(app).post(`/join/${madeUp}`, grace), 404);
  await expectStatus(new Browser(app).post("/join/short", grace), 404);
  assert.equal(await memberCount(sql), 1);
});

dbTest(
  "a handle taken in another case is refused by the field and the invite stays open",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const token = await inviteToken(await adminBrowser(app));
    const browser = new Browser(app);
    const response = await expectStatus(
      browser.post(`/join/${token}`, { ...grace, handle: "Ada" }),
      422,
    );
    assert.match(await response.text(), /id="field-handle-error"[^>]*>That handle is taken</);
    assert.equal(browser.cookie("palabre_session"), undefined);
    assert.equal(await memberCount(sql), 1);
    assert.equal(await inviteStateOf(sql, token), "open");
    await expectStatus(browser.post(`/join/${token}`, grace), 303);
  },
);

dbTest("an invalid handle is refused with a readable message by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  for (const handle of ["ab", "has space", "é_accent", "x".repeat(21)]) {
    const response = await expectStatus(
      new Browser(app).post(`/join/${token}`, { ...grace, handle }),
      422,
    );
    assert.match(
      await response.text(),
      /id="field-handle-error"[^>]*>Handle must be 3 to 20 letters, digits or underscores</,
    );
  }
  assert.equal(await inviteStateOf(sql, token), "open");
});

dbTest("a reserved handle is refused by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const response = await expectStatus(
    new Browser(app).post(`/join/${token}`, { ...grace, handle: "Admin" }),
    422,
  );
  assert.match(await response.text(), /id="field-handle-error"[^>]*>That handle is reserved</);
});

dbTest("a short password is refused with a readable message by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const response = await expectStatus(
    new Browser(app).post(`/join/${token}`, { ...grace, password: "123456789" }),
    422,
  );
  const html = await response.text();
  assert.match(html, /id="field-password-error"[^>]*>Password must be at least 10 characters</);
  // What was typed comes back, except the password.
  assert.match(html, /name="handle"[^>]*value="grace"/);
  assert.doesNotMatch(html, /123456789/);
  assert.equal(await inviteStateOf(sql, token), "open");
});

dbTest(
  "a password containing the handle is refused with the reason by the field",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const token = await inviteToken(await adminBrowser(app));
    const response = await expectStatus(
      new Browser(app).post(`/join/${token}`, { ...grace, password: "GraceHopper1906" }),
      422,
    );
    assert.match(
      await response.text(),
      /id="field-password-error"[^>]*>Password must not contain your handle</,
    );
    assert.equal(await memberCount(sql), 1);
    assert.equal(await inviteStateOf(sql, token), "open");
  },
);

dbTest("a common leaked password is refused with the reason by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const response = await expectStatus(
    new Browser(app).post(`/join/${token}`, { ...grace, password: "QWERTYUIOP" }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-password-error"[^>]*>This password is among the most common leaked passwords/,
  );
  assert.equal(await inviteStateOf(sql, token), "open");
});

dbTest("a 64-character passphrase is accepted and signs in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const password = "Tea at four, then the long walk past the lighthouse to the pier!";
  assert.equal([...password].length, 64);
  await expectStatus(new Browser(app).post(`/join/${token}`, { ...grace, password }), 303);
  await expectStatus(new Browser(app).post("/signin", { handle: "grace", password }), 303);
});

dbTest("an empty display name is refused with a readable message by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const response = await expectStatus(
    new Browser(app).post(`/join/${token}`, { ...grace, display_name: "   " }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-display_name-error"[^>]*>Display name is required</,
  );
  assert.equal(await memberCount(sql), 1);
});

dbTest(
  "a signed-in member opening an invite is told they are already a member",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const token = await inviteToken(ada);
    const response = await expectStatus(ada.get(`/join/${token}`), 200);
    assert.match(await response.text(), /You are already a member/);
    assert.equal(await inviteStateOf(sql, token), "open");
  },
);

dbTest("two sign-ups racing for one invite let exactly one person in", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  const responses = await Promise.all([
    new Browser(app, { address: "192.0.2.31" }).post(`/join/${token}`, grace),
    new Browser(app, { address: "192.0.2.32" }).post(`/join/${token}`, {
      ...grace,
      handle: "linus",
    }),
  ]);
  const [winner, loser] = responses.map((r) => r.status).sort();
  assert.equal(winner, 303);
  // The loser is refused either before its transaction (410) or inside it (409).
  assert.ok([409, 410].includes(loser), `loser got ${loser}`);
  assert.equal(await memberCount(sql), 2);
});

dbTest("too many sign-up attempts from one address are refused with 429", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const guest = new Browser(app, { address: "198.51.100.5" });
  await awayFromWindowEnd(rateLimits.signUpPerAddress.windowMs);
  for (let i = 0; i < rateLimits.signUpPerAddress.max; i++) {
    const token = await inviteToken(ada);
    await expectStatus(guest.post(`/join/${token}`, { ...grace, password: "short" }), 422);
  }
  const token = await inviteToken(ada);
  const response = await expectStatus(guest.post(`/join/${token}`, grace), 429);
  assert.match(await response.text(), /Too many attempts/);
  assert.equal(await memberCount(sql), 1);
  await expectStatus(
    new Browser(app, { address: "203.0.113.10" }).post(`/join/${token}`, grace),
    303,
  );
});

dbTest("too many sign-up attempts on one invite are refused with 429", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const token = await inviteToken(await adminBrowser(app));
  await awayFromWindowEnd(rateLimits.signUpPerInvite.windowMs);
  for (let i = 0; i < rateLimits.signUpPerInvite.max; i++) {
    const guest = new Browser(app, { address: `198.51.100.${30 + i}` });
    await expectStatus(guest.post(`/join/${token}`, { ...grace, password: "short" }), 422);
  }
  const late = new Browser(app, { address: "203.0.113.11" });
  await expectStatus(late.post(`/join/${token}`, grace), 429);
  assert.equal(await memberCount(sql), 1);
});

dbTest("two sign-ups racing for one handle let exactly one person have it", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const [first, second] = [await inviteToken(ada), await inviteToken(ada)];
  const responses = await Promise.all([
    new Browser(app, { address: "192.0.2.33" }).post(`/join/${first}`, grace),
    new Browser(app, { address: "192.0.2.34" }).post(`/join/${second}`, {
      ...grace,
      handle: "GRACE",
    }),
  ]);
  assert.deepEqual(responses.map((r) => r.status).sort(), [303, 422]);
  assert.equal(await memberCount(sql), 2);
  const states = [await inviteStateOf(sql, first), await inviteStateOf(sql, second)].sort();
  assert.deepEqual(states, ["open", "used"]);
});
