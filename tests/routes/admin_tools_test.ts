import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import { openRoom } from "../db/rooms_support.ts";
import { publicRoomId } from "../../db/rooms.ts";
import { report } from "../../db/safety.ts";
import { sweepRetention } from "../../db/retention.ts";

const forGood = { reason: "Shouting over everyone", length: "for_good", amount: "", until: "" };

dbTest("every administrators' tool refuses a member with a readable 403", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const [{ id: adaId }] = await sql`select id from users where handle = 'ada'`;
  const roomId = await openRoom(sql, Number(adaId));
  const publicId = await publicRoomId(sql, roomId);
  await report(sql, Number(adaId), { member: "grace" }, "Testing reports");
  const [{ id: reportId }] = await sql`select id from reports`;
  const posts: [string, Record<string, string>][] = [
    ["/admin/members/ada/suspend", forGood],
    ["/admin/members/ada/lift", {}],
    ["/admin/members/ada/revoke-invites", {}],
    ["/admin/members/grace/admin", { admin: "yes" }],
    ["/admin/members/ada/admin", { admin: "no" }],
    [`/admin/rooms/${publicId}/end`, { note: "" }],
    [`/admin/reports/${reportId}/resolve`, { resolution: "dismissed", note: "" }],
  ];
  for (const [path, form] of posts) {
    const response = await expectStatus(grace.post(path, form), 403);
    assert.match(await response.text(), /Only administrators may do this/, path);
  }
  for (const path of ["/admin/log", "/admin/log.csv"]) {
    const response = await expectStatus(grace.get(path), 403);
    assert.match(await response.text(), /Only administrators may do this/, path);
  }
  const [{ count }] = await sql`select count(*)::int as count from admin_log`;
  assert.equal(count, 0);
  const [state] = await sql`select state from rooms where id = ${roomId}`;
  assert.equal(state.state, "live");
});

dbTest("a guest posting to an administrators' tool is refused", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(new Browser(app).post("/admin/members/ada/suspend", forGood), 401);
});

dbTest(
  "a member suspended from the admin page is signed out and told why at sign-in",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const done = await expectStatus(ada.post("/admin/members/grace/suspend", forGood), 303);
    assert.equal(done.headers.get("Location"), "/admin?done=suspended");
    const page = await (await expectStatus(ada.get("/admin?done=suspended"), 200)).text();
    assert.match(page, /Member suspended/);
    assert.match(page, /Suspended for good/);
    await expectStatus(grace.get("/settings"), 303);
    const refused = await expectStatus(
      grace.post("/signin", { handle: "grace", password: "correct horse 2" }),
      403,
    );
    assert.match(
      await refused.text(),
      /Your account is suspended for good\. Reason: Shouting over everyone/,
    );
    const wrong = await expectStatus(
      new Browser(app, { address: "192.0.2.99" }).post("/signin", {
        handle: "grace",
        password: "not her password",
      }),
      401,
    );
    assert.doesNotMatch(await wrong.text(), /suspended/);
  },
);

dbTest("a suspension the form cannot make is refused with its reason", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const cases: [string, Record<string, string>, number, RegExp][] = [
    ["grace", { ...forGood, reason: "no" }, 422, /Give a reason of 3 to 500 characters/],
    ["grace", { ...forGood, length: "weeks" }, 422, /Choose hours, days, a date, or for good/],
    ["grace", { ...forGood, length: "days", amount: "-2" }, 422, /Give a whole number of hours/],
    ["grace", { ...forGood, length: "until", until: "2001-01-01" }, 422, /must end in the future/],
    ["nobody", forGood, 404, /No member has that handle|no member/i],
    ["ada", forGood, 409, /You cannot suspend yourself/],
  ];
  for (const [handle, form, status, message] of cases) {
    const response = await expectStatus(ada.post(`/admin/members/${handle}/suspend`, form), status);
    assert.match(await response.text(), message);
  }
  const [{ count }] = await sql`select count(*)::int as count from suspensions`;
  assert.equal(count, 0);
});

dbTest(
  "lifting, revoking and making administrators answer from the admin page",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    await expectStatus(grace.post("/invites"), 303);
    await expectStatus(ada.post("/admin/members/grace/revoke-invites"), 303);
    const [invite] = await sql`select revoked_at from invites order by id desc limit 1`;
    assert.notEqual(invite.revoked_at, null);
    await expectStatus(ada.post("/admin/members/grace/lift"), 409);
    await expectStatus(ada.post("/admin/members/grace/admin", { admin: "maybe" }), 422);
    const last = await expectStatus(ada.post("/admin/members/ada/admin", { admin: "no" }), 409);
    assert.match(await last.text(), /at least one administrator/);
    await expectStatus(ada.post("/admin/members/grace/admin", { admin: "yes" }), 303);
    const html = await (await expectStatus(grace.get("/admin"), 200)).text();
    assert.match(html, /Remove administrator @ada/);
  },
);

dbTest("an administrator ends a room from the admin page", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const [{ id: graceId }] = await sql`select id from users where handle = 'grace'`;
  const roomId = await openRoom(sql, Number(graceId), { title: "Grace's jazz" });
  const publicId = await publicRoomId(sql, roomId);
  const page = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(page, /End room \(administrator\) “Grace(&#39;|')s jazz”/);
  await expectStatus(ada.post(`/admin/rooms/${publicId}/end`, { note: "Off topic" }), 303);
  const [room] = await sql`select state from rooms where id = ${roomId}`;
  assert.equal(room.state, "ended");
  const again = await expectStatus(ada.post(`/admin/rooms/${publicId}/end`, { note: "" }), 409);
  assert.match(await again.text(), /ended/i);
  await expectStatus(ada.post("/admin/rooms/nosuchroomx/end", { note: "" }), 404);
  const long = await expectStatus(
    ada.post(`/admin/rooms/${publicId}/end`, { note: "x".repeat(501) }),
    422,
  );
  assert.match(await long.text(), /Keep the note under 500 characters/);
});

dbTest("a report is resolved once; the second try is told it already was", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const [{ id: adaId }] = await sql`select id from users where handle = 'ada'`;
  await report(sql, Number(adaId), { member: "grace" }, "Rude in the jazz room");
  const [{ id }] = await sql`select id from reports`;
  const page = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(page, new RegExp(`action="/admin/reports/${id}/resolve"`));
  const bad = await expectStatus(
    ada.post(`/admin/reports/${id}/resolve`, { resolution: "ignore", note: "" }),
    422,
  );
  assert.match(await bad.text(), /Choose how to resolve the report/);
  await expectStatus(ada.post("/admin/reports/999999/resolve", { resolution: "dismissed" }), 404);
  await expectStatus(ada.post("/admin/reports/abc/resolve", { resolution: "dismissed" }), 404);
  await expectStatus(
    ada.post(`/admin/reports/${id}/resolve`, { resolution: "dismissed", note: "Fine" }),
    303,
  );
  const twice = await expectStatus(
    ada.post(`/admin/reports/${id}/resolve`, { resolution: "dismissed", note: "Fine" }),
    409,
  );
  assert.match(await twice.text(), /Another administrator already resolved this report/);
});

dbTest(
  "a warned member sees the warning on their next page until they dismiss it",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const grace = await memberBrowser(app, ada, "grace");
    const linus = await memberBrowser(app, ada, "linus", "192.0.2.30");
    const [{ id: adaId }] = await sql`select id from users where handle = 'ada'`;
    await report(sql, Number(adaId), { member: "grace" }, "Rude");
    const [{ id }] = await sql`select id from reports`;
    await expectStatus(
      ada.post(`/admin/reports/${id}/resolve`, {
        resolution: "warned",
        note: "Please let others finish",
      }),
      303,
    );
    const page = await (await expectStatus(grace.get("/settings"), 200)).text();
    assert.match(page, /A warning from the administrators/);
    assert.match(page, /Please let others finish/);
    const [{ id: warningId }] = await sql`select id from member_warnings`;
    await expectStatus(linus.post(`/warnings/${warningId}/dismiss`, { back: "/" }), 404);
    const dismissed = await expectStatus(
      grace.post(`/warnings/${warningId}/dismiss`, { back: "/settings" }),
      303,
    );
    assert.equal(dismissed.headers.get("Location"), "/settings");
    const after = await (await expectStatus(grace.get("/settings"), 200)).text();
    assert.doesNotMatch(after, /Please let others finish/);
  },
);

dbTest("the audit log page filters, and refuses a filter it cannot read", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  await memberBrowser(app, ada, "linus", "192.0.2.30");
  await expectStatus(ada.post("/admin/members/grace/suspend", forGood), 303);
  await expectStatus(ada.post("/admin/members/linus/revoke-invites"), 303);
  const all = await (await expectStatus(ada.get("/admin/log"), 200)).text();
  assert.match(all, /Suspended/);
  assert.match(all, /Revoked invites/);
  assert.match(all, /href="\/admin\/log\.csv"/);
  const some = await (await expectStatus(ada.get("/admin/log?member=grace"), 200)).text();
  assert.match(some, /Shouting over everyone/);
  assert.doesNotMatch(some, /<td[^>]*>Revoked invites/);
  assert.match(some, /href="\/admin\/log\.csv\?member=grace"/);
  const bad = await expectStatus(ada.get("/admin/log?from=last+week"), 422);
  assert.match(await bad.text(), /Give a date as YYYY-MM-DD/);
  const badCsv = await expectStatus(ada.get("/admin/log.csv?action=drop"), 422);
  assert.match(await badCsv.text(), /Choose an action from the list/);
});

dbTest("the audit log downloads as CSV, quoted and safe to open", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  await expectStatus(
    ada.post("/admin/members/grace/suspend", { ...forGood, reason: '=cmd|"/c calc"!A1' }),
    303,
  );
  const response = await expectStatus(ada.get("/admin/log.csv?action=suspend"), 200);
  assert.equal(response.headers.get("Content-Type"), "text/csv; charset=utf-8");
  assert.match(
    response.headers.get("Content-Disposition") ?? "",
    /^attachment; filename="[^"]+\.csv"$/,
  );
  const lines = (await response.text()).split("\r\n");
  assert.equal(lines[0], '"When (UTC)","Who","What","Whom","Room","Report","Note","Details"');
  assert.match(
    lines[1],
    /^"[0-9T:.Z-]+","ada","Suspended","grace","","","'=cmd\|""\/c calc""!A1",/,
  );
  assert.equal(lines.length, 3);
  assert.equal(lines[2], "");
});

dbTest("resolving a report with a suspension reads the suspension's fields", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  const [{ id: adaId }] = await sql`select id from users where handle = 'ada'`;
  await report(sql, Number(adaId), { member: "grace" }, "Spam in every room");
  const [{ id }] = await sql`select id from reports`;
  const form = { resolution: "suspended", note: "Third report", length: "hours", until: "" };
  const short = await expectStatus(
    ada.post(`/admin/reports/${id}/resolve`, { ...form, reason: "x", amount: "12" }),
    422,
  );
  assert.match(await short.text(), /Give a reason of 3 to 500 characters/);
  await expectStatus(
    ada.post(`/admin/reports/${id}/resolve`, { ...form, reason: "Spamming", amount: "12" }),
    303,
  );
  const [suspension] = await sql`select reason, ends_at - starts_at as length from suspensions`;
  assert.equal(suspension.reason, "Spamming");
  const [resolved] = await sql`select resolution, resolution_note from reports`;
  assert.deepEqual([resolved.resolution, resolved.resolution_note], ["suspended", "Third report"]);
});

dbTest("a deleted member is not listed among the members to act on", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await memberBrowser(app, ada, "grace");
  await sql`update users set handle = null, display_name = null, password_hash = null,
            deleted_at = now() where handle = 'grace'`;
  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(html, /Members \(1\)/);
  assert.doesNotMatch(html, /\/admin\/members\/null\//);
});

dbTest(
  "a room retention forgot stays in the log as a forgotten room, with no title or link",
  async (
    sql,
    db,
  ) => {
    const app = await testApp(sql, db.events);
    const ada = await adminBrowser(app);
    const [{ id: adaId }] = await sql`select id from users where handle = 'ada'`;
    const roomId = await openRoom(sql, Number(adaId), { title: "Late jazz" });
    const publicId = await publicRoomId(sql, roomId);
    await expectStatus(ada.post(`/admin/rooms/${publicId}/end`, { note: "Closing time" }), 303);
    const before = await (await expectStatus(ada.get("/admin/log"), 200)).text();
    assert.match(before, new RegExp(`<a href="/rooms/${publicId}">Late jazz</a>`));

    // Ended 100 days ago: past the default 90 days that rooms' details are kept.
    await sql`update rooms set ended_at = now() - interval '100 days',
                             started_at = now() - interval '100 days 1 hour'
            where id = ${roomId}`;
    const swept = await sweepRetention(sql, { batchSize: 1_000, signInForgetAfterMs: 86_400_000 });
    assert.equal(swept.ran, true);
    const after = await (await expectStatus(ada.get("/admin/log"), 200)).text();
    assert.match(after, /Ended a room/);
    assert.match(after, /a room since forgotten \(retention\)/);
    assert.doesNotMatch(after, new RegExp(publicId));
    assert.doesNotMatch(after, /Late jazz/);
    const csv = await (await expectStatus(ada.get("/admin/log.csv"), 200)).text();
    assert.match(csv, /"Ended a room","","a room since forgotten \(retention\)","","Closing time"/);
  },
);
