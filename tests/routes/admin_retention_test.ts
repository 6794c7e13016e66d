import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import { retention } from "../../db/retention.ts";

dbTest("the admin page shows the retention in force", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const html = await (await expectStatus(ada.get("/admin"), 200)).text();
  assert.match(html, /name="listening_days"[^>]*value="365"/);
  assert.match(html, /name="room_days"[^>]*value="90"/);
});

dbTest("an administrator saving retention is told it is saved", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const response = await expectStatus(
    ada.post("/admin/retention", { listening_days: " 180 ", room_days: "30" }),
    303,
  );
  assert.equal(response.headers.get("Location"), "/admin?done=retention");
  const html = await (await expectStatus(ada.get("/admin?done=retention"), 200)).text();
  assert.match(html, /Retention saved\./);
  assert.match(html, /name="listening_days"[^>]*value="180"/);
  assert.match(html, /name="room_days"[^>]*value="30"/);
});

dbTest("retention out of bounds is refused next to its field, with a message", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (
    const [form, field] of [
      [{ listening_days: "0", room_days: "90" }, "listening_days"],
      [{ listening_days: "365", room_days: "3651" }, "room_days"],
      [{ listening_days: "two", room_days: "90" }, "listening_days"],
      [{ listening_days: "", room_days: "90" }, "listening_days"],
      [{ listening_days: "365", room_days: "1.5" }, "room_days"],
    ] as const
  ) {
    const html = await (await expectStatus(ada.post("/admin/retention", form), 422)).text();
    assert.match(
      html,
      new RegExp(
        `id="field-${field}-error" role="alert">Days kept must be a whole number from 1 to 3,650<`,
      ),
    );
  }
  assert.deepEqual(await retention(sql), { listeningDays: 365, roomDays: 90 });
});

dbTest("a member who is not an administrator cannot set retention", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const grace = await memberBrowser(app, await adminBrowser(app), "grace");
  const response = await expectStatus(
    grace.post("/admin/retention", { listening_days: "1", room_days: "1" }),
    403,
  );
  assert.match(await response.text(), /Only administrators may do this/);
  assert.deepEqual(await retention(sql), { listeningDays: 365, roomDays: 90 });
});

dbTest("a guest cannot set retention", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  await expectStatus(
    new Browser(app).post("/admin/retention", { listening_days: "1", room_days: "1" }),
    401,
  );
  assert.deepEqual(await retention(sql), { listeningDays: 365, roomDays: 90 });
});
