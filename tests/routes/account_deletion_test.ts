/**
 * "Delete my account" in Settings: confirmed with the password, refused from another site, and
 * then the browser signed out, the profile gone and administrators' pages naming "a deleted
 * member" where the account was.
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
  origin,
  testApp,
} from "../support/app_client.ts";
import { act } from "../../db/room_actions.ts";
import { joinRoom, startRoom } from "../../db/rooms.ts";
import { report } from "../../db/safety.ts";
import type { Sql } from "../../db/client.ts";
import { longSignInWaits } from "../support/rate_limits.ts";
import { failTraining, startTraining } from "../../db/models.ts";
import { defaultModelParams } from "../../recommend/training.ts";

const gracePassword = "correct horse 2";

async function idOf(sql: Sql, handle: string): Promise<number> {
  const [row] = await sql`select id from users where handle = ${handle}`;
  return row.id;
}

dbTest("settings has a section to delete one's account, said in full", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  const html = await (await expectStatus(grace.get("/settings"), 200)).text();
  assert.match(html, /<h2 id="delete-account-title">Delete my account<\/h2>/);
  assert.match(html, /<form method="post" action="\/settings\/delete"/);
  assert.match(html, /name="delete_password"[^>]*autocomplete="current-password"/);
  assert.match(html, /<button type="submit" class="danger">Delete my account for good<\/button>/);
  assert.match(html, /Nobody else can take your handle for 30 days./);
  assert.match(html, /What stays, shown as “a deleted member”/);
});

dbTest("a wrong password is refused in the section and deletes nothing", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const response = await expectStatus(
    grace.post("/settings/delete", { delete_password: "not my password" }),
    422,
  );
  assert.match(
    await response.text(),
    /id="field-delete_password-error"[^>]*>Password is wrong: your account was not deleted</,
  );
  await expectStatus(grace.get("/settings"), 200);
  await expectStatus(ada.get("/@grace"), 200);
});

dbTest("the right password deletes the account and signs the browser out", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const session = grace.cookie("palabre_session");
  assert.ok(session);
  const response = await expectStatus(
    grace.post("/settings/delete", { delete_password: gracePassword }),
    303,
  );
  assert.equal(response.headers.get("Location"), "/account-deleted");
  assert.equal(grace.cookie("palabre_session"), undefined, "the cookie is cleared");
  const landing = await (await expectStatus(grace.get("/account-deleted"), 200)).text();
  assert.match(landing, /Your account was deleted/);
  await expectStatus(ada.get("/@grace"), 404);
  // The old cookie, sent again, signs nobody in.
  const replayed = await expectStatus(
    Promise.resolve(
      app.request(`${origin}/settings`, { headers: { Cookie: `palabre_session=${session}` } }),
    ),
    303,
  );
  assert.equal(replayed.headers.get("Location"), "/signin?next=%2Fsettings");
  await expectStatus(grace.post("/signin", { handle: "grace", password: gracePassword }), 401);
});

dbTest("the last administrator is told why their account cannot go", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/settings/delete", { delete_password: "correct horse 1" }),
    409,
  );
  assert.match(await response.text(), /You are the last administrator: make another member/);
  await expectStatus(ada.get("/settings"), 200);
});

dbTest("a deletion asked from another site, or by a GET, deletes nothing", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(
    grace.post("/settings/delete", { delete_password: gracePassword }, {
      Origin: "https://evil.example",
    }),
    403,
  );
  await expectStatus(grace.get("/settings/delete"), 404);
  await expectStatus(grace.get("/settings"), 200);
  await expectStatus(ada.get("/@grace"), 200);
});

dbTest("administrators' pages name a deleted member where the account was", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await memberBrowser(app, grace, "ivan", "192.0.2.21");
  await expectStatus(grace.post("/@ivan/report", { reason: "Shouting over everyone" }), 200);
  const [graceId, ivanId] = [await idOf(sql, "grace"), await idOf(sql, "ivan")];
  const roomId = await startRoom(sql, graceId, {
    title: "Grace's room",
    description: "",
    topics: ["jazz"],
    kind: "open",
  });
  await joinRoom(sql, ivanId, roomId);
  await act(sql, graceId, roomId, { type: "remove", target: "ivan" });
  // And the other way round: Ivan removes Grace from his room and reports her.
  const ivanRoom = await startRoom(sql, ivanId, {
    title: "Ivan's room",
    description: "",
    topics: ["jazz"],
    kind: "open",
  });
  await joinRoom(sql, graceId, ivanRoom);
  await act(sql, ivanId, ivanRoom, { type: "remove", target: "grace" });
  await report(sql, ivanId, { member: "grace" }, "Removed for shouting");
  // Grace, an administrator too, trained a model, which failed.
  await sql`update users set is_admin = true where id = ${graceId}`;
  const modelId = await startTraining(sql, graceId, defaultModelParams, { staleMs: 60_000 });
  await failTraining(sql, modelId, "Stopped by the test");
  await expectStatus(grace.post("/settings/delete", { delete_password: gracePassword }), 303);

  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.doesNotMatch(html, /@null|@undefined|href="\/@"/);
  const deleted = '<span class="deleted-member">a deleted member</span>';
  assert.ok(html.includes(`<td data-label="From">${deleted}</td>`), "the reporter");
  assert.ok(html.includes(`<td data-label="Who">${deleted}</td>`), "the moderator");
  assert.ok(html.includes(`<td data-label="About">${deleted}</td>`), "the reported member");
  assert.ok(html.includes(`<td data-label="Whom">${deleted}</td>`), "the member removed");
  assert.ok(html.includes(`<td data-label="Invited by">${deleted}</td>`), "Ivan's inviter");
  assert.doesNotMatch(html, /@grace/, "the deleted account is not listed");
  const models = await (await expectStatus(ada.get("/admin/recommendations"), 200)).text();
  assert.doesNotMatch(models, /@null|@undefined/);
  assert.ok(models.includes(`${deleted},`), "who trained the model");
});

dbTest(
  "signing up with a deleted member's handle is refused by the handle field",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    await expectStatus(grace.post("/settings/delete", { delete_password: gracePassword }), 303);
    const token = await inviteToken(ada);
    const response = await expectStatus(
      new Browser(app, { address: "192.0.2.30" }).post(`/join/${token}`, {
        handle: "Grace",
        display_name: "Another Grace",
        password: "correct horse 3",
      }),
      422,
    );
    assert.match(
      await response.text(),
      /id="field-handle-error"[^>]*>This handle was recently used by an account since deleted/,
    );
  },
);

dbTest(
  "guessing the password to delete an account is throttled like signing in",
  async (sql, db) => {
    const app = await configuredTestApp(sql, { events: db.events, configure: longSignInWaits });
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const guess = (password: string) =>
      grace.post("/settings/delete", { delete_password: password });
    await expectStatus(guess("guess 1"), 422);
    await expectStatus(guess("guess 2"), 422);
    // The right one is refused too until the wait has passed: nothing is checked meanwhile.
    const refused = await expectStatus(guess(gracePassword), 429);
    assert.match(
      await refused.text(),
      /id="field-delete_password-error"[^>]*>Too many failed sign-ins; try again in \d+ s</,
    );
    await expectStatus(ada.get("/@grace"), 200);
  },
);
