import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import type { Sql } from "../../db/client.ts";
import { awayFromWindowEnd, rateLimits } from "../support/rate_limits.ts";

const lin = { name: "Lin", contact: "lin@example.org", reason: "I host a jazz club" };

async function entryId(sql: Sql, name: string): Promise<number> {
  const [row] = await sql`select id from waitlist where name = ${name}`;
  return row.id;
}

function waitlistLink(html: string): string | undefined {
  return html.match(/value="http:\/\/palabre\.test\/join\/([A-Za-z0-9_-]+)"/)?.[1];
}

dbTest("a guest can open the waitlist form", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).get("/waitlist"), 200);
  assert.match(await response.text(), /Join the waitlist/);
});

dbTest("a valid waitlist entry is thanked and kept", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(new Browser(app).post("/waitlist", lin), 200);
  assert.match(await response.text(), /You are on the list/);
  const [row] = await sql`select name, contact, reason from waitlist`;
  assert.deepEqual({ ...row }, lin);
});

dbTest("a waitlist entry without a name is refused by the name field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(
    new Browser(app).post("/waitlist", { ...lin, name: " " }),
    422,
  );
  assert.match(await response.text(), /id="field-name-error"[^>]*>Name is required</);
  assert.equal((await sql`select count(*)::int as n from waitlist`)[0].n, 0);
});

dbTest("a waitlist entry without a contact is refused by the contact field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(
    new Browser(app).post("/waitlist", { name: "Lin", reason: "" }),
    422,
  );
  const html = await response.text();
  assert.match(html, /id="field-contact-error"[^>]*>Say how we can reach you/);
  // What was typed is kept.
  assert.match(html, /name="name"[^>]*value="Lin"/);
});

dbTest("a waitlist name that is too long is refused by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(
    new Browser(app).post("/waitlist", { ...lin, name: "L".repeat(81) }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-name-error"[^>]*>Name must be at most 80 characters</,
  );
});

dbTest("a waitlist contact that is too long is refused by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(
    new Browser(app).post("/waitlist", { ...lin, contact: "c".repeat(201) }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-contact-error"[^>]*>Contact must be at most 200 characters</,
  );
});

dbTest("a waitlist reason that is too long is refused by the field", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const response = await expectStatus(
    new Browser(app).post("/waitlist", { ...lin, reason: "r".repeat(301) }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-reason-error"[^>]*>Reason must be at most 300 characters</,
  );
});

dbTest("too many waitlist entries from one address are refused with 429", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const guest = new Browser(app, { address: "198.51.100.3" });
  await awayFromWindowEnd(rateLimits.waitlistPerAddress.windowMs);
  for (let i = 0; i < rateLimits.waitlistPerAddress.max; i++) {
    await expectStatus(guest.post("/waitlist", { ...lin, contact: `lin${i}@example.org` }), 200);
  }
  const response = await expectStatus(guest.post("/waitlist", lin), 429);
  assert.match(await response.text(), /Too many attempts/);
  await expectStatus(new Browser(app, { address: "203.0.113.9" }).post("/waitlist", lin), 200);
  assert.equal(
    (await sql`select count(*)::int as n from waitlist`)[0].n,
    rateLimits.waitlistPerAddress.max + 1,
  );
});

dbTest("one contact cannot be put on the waitlist more often than allowed", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await awayFromWindowEnd(rateLimits.waitlistPerContact.windowMs);
  for (let i = 0; i < rateLimits.waitlistPerContact.max; i++) {
    const guest = new Browser(app, { address: `198.51.100.${10 + i}` });
    await expectStatus(guest.post("/waitlist", lin), 200);
  }
  const other = new Browser(app, { address: "198.51.100.99" });
  await expectStatus(other.post("/waitlist", { ...lin, contact: " LIN@example.org " }), 429);
  assert.equal(
    (await sql`select count(*)::int as n from waitlist`)[0].n,
    rateLimits.waitlistPerContact.max,
  );
});

dbTest(
  "forgetting the contact is told so, however many others forgot it today",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    await adminBrowser(app);
    for (let i = 0; i <= rateLimits.waitlistPerContact.max; i++) {
      const guest = new Browser(app, { address: `198.51.100.${20 + i}` });
      const response = await expectStatus(guest.post("/waitlist", { name: `Guest ${i}` }), 422);
      assert.match(await response.text(), /id="field-contact-error"[^>]*>Say how we can reach you/);
    }
  },
);

dbTest("an administrator sees waitlist entries on the admin page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(new Browser(app).post("/waitlist", lin), 200);
  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(html, /Waitlist \(1\)/);
  // Each cell names its column: on a phone the table reads as cards (static/css/admin.css).
  assert.match(
    html,
    /<td data-label="Name">Lin<\/td><td data-label="Contact">lin@example\.org<\/td><td data-label="Why">I host a jazz club<\/td>/,
  );
  assert.match(html, /Create invite for Lin/);
});

dbTest("waitlist entries are shown escaped to the administrator", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(
    new Browser(app).post("/waitlist", { ...lin, name: "<img src=x onerror=alert(1)>" }),
    200,
  );
  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.doesNotMatch(html, /<img src=x/);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

dbTest("an administrator turns a waitlist entry into an invite link", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(new Browser(app).post("/waitlist", lin), 200);
  const id = await entryId(sql, "Lin");
  const response = await expectStatus(ada.post(`/admin/waitlist/${id}/invite`), 303);
  assert.equal(response.headers.get("Location"), "/admin?done=invited");
  const html = await (await expectStatus(ada.get("/admin?done=invited"), 200)).text();
  assert.match(html, /Invite created/);
  assert.ok(waitlistLink(html), "no invite link on /admin");
  assert.doesNotMatch(html, /Create invite for Lin/);
});

dbTest("a second click on a waitlist entry's invite is refused with 409", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(new Browser(app).post("/waitlist", lin), 200);
  const id = await entryId(sql, "Lin");
  await expectStatus(ada.post(`/admin/waitlist/${id}/invite`), 303);
  const response = await expectStatus(ada.post(`/admin/waitlist/${id}/invite`), 409);
  assert.match(await response.text(), /already has an invite/);
  assert.equal((await sql`select count(*)::int as n from invites`)[0].n, 1);
});

dbTest("an invite for a waitlist entry that does not exist is 404", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/admin/waitlist/424242/invite"), 404);
  await expectStatus(ada.post("/admin/waitlist/abc/invite"), 404);
});

dbTest("a member who is not an administrator cannot invite from the waitlist", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  await expectStatus(new Browser(app).post("/waitlist", lin), 200);
  const id = await entryId(sql, "Lin");
  await expectStatus(grace.post(`/admin/waitlist/${id}/invite`), 403);
  assert.equal(
    (await sql`select count(*)::int as n from invites where waitlist_id is not null`)[0].n,
    0,
  );
});

dbTest("the invite made from the waitlist lets the person sign up", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(new Browser(app).post("/waitlist", lin), 200);
  await expectStatus(ada.post(`/admin/waitlist/${await entryId(sql, "Lin")}/invite`), 303);
  const token = waitlistLink(await (await ada.get("/admin")).text())!;
  const newcomer = new Browser(app, { address: "198.51.100.4" });
  await expectStatus(
    newcomer.post(`/join/${token}`, {
      handle: "lin",
      display_name: "Lin",
      password: "correct horse 3",
    }),
    303,
  );
  const html = await (await ada.get("/admin")).text();
  assert.match(html, /<span class="state[^"]*">used<\/span>/);
});
