/**
 * Wherever identity matters, a member's @handle stands next to their display name: names can
 * look alike, handles cannot be shared.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { adminBrowser, expectStatus, memberBrowser, testApp } from "../support/app_client.ts";

const jazzRoom = { title: "Late jazz", description: "", kind: "open", topics: ["jazz"] };

/** The `<li>` of one person on a room page. */
function tileOf(page: string, handle: string): string {
  const tile = page.match(new RegExp(`<li[^>]*data-handle="${handle}"[^>]*>[\\s\\S]*?</li>`));
  assert.ok(tile, `no tile for @${handle}`);
  return tile[0];
}

dbTest("stage and audience tiles and the moderation menu show the @handle", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  await expectStatus(grace.post("/settings", { display_name: "Grace Hopper", bio: "" }), 303);
  const started = await expectStatus(ada.post("/rooms", jazzRoom), 303);
  const room = started.headers.get("Location")!;
  await expectStatus(grace.get(room), 200);

  const hostPage = await (await expectStatus(ada.get(room), 200)).text();
  const host = tileOf(hostPage, "ada");
  assert.match(host, /Ada Lovelace<\/span>\s*<span class="person-handle">@ada<\/span>/);
  const listener = tileOf(hostPage, "grace");
  assert.match(listener, /Grace Hopper<\/span>\s*<span class="person-handle">@grace<\/span>/);
  assert.match(listener, /<p class="menu-who">Grace Hopper <span class="person-handle">@grace/);

  const listenerPage = await (await expectStatus(grace.get(room), 200)).text();
  assert.match(tileOf(listenerPage, "ada"), /<span class="person-handle">@ada<\/span>/);
});
