/**
 * "Export my data" through the app, on both databases: Settings leads to it; asking queues an
 * export whose page polls its progress; the worker (the one main.ts runs) builds it; the member
 * downloads it as JSON and as a self-contained page in their language; a fourth export in a day
 * is a readable 429; someone else's export is a 404 at every address.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  configuredTestApp,
  expectStatus,
  memberBrowser,
} from "../support/app_client.ts";
import type { Sql } from "../../db/client.ts";
import type { Config } from "../../config.ts";
import { ExportWorker } from "../../live/export_worker.ts";
import { memberColumns } from "../../db/member_columns.ts";

async function exportApp(sql: Sql) {
  let config: Config | undefined;
  const app = await configuredTestApp(sql, { configure: (c) => void (config = c) });
  const worker = new ExportWorker({ sql, config: config!.dataExports });
  return { app, worker };
}

/** Asks for an export as `member`; returns its id, read from where the answer sends them. */
async function askForExport(member: Browser): Promise<number> {
  const response = await expectStatus(member.post("/settings/export"), 303);
  const id = response.headers.get("Location")?.match(/^\/settings\/export#export-(\d+)$/)?.[1];
  assert.ok(id, `sent to ${response.headers.get("Location")}`);
  return Number(id);
}

const fragment = { "HX-Request": "true" };

dbTest("a member asks for an export, sees it prepared, and downloads it as JSON", async (sql) => {
  const { app, worker } = await exportApp(sql);
  const ada = await adminBrowser(app);
  const settings = await (await expectStatus(ada.get("/settings"), 200)).text();
  assert.match(settings, /<a href="\/settings\/export">Export my data<\/a>/);
  const id = await askForExport(ada);

  const waiting = await (await expectStatus(ada.get(`/settings/export/${id}`, fragment), 200))
    .text();
  assert.match(waiting, /^<li id="export-\d+"/);
  assert.match(waiting, /hx-trigger="every 1s"/);
  assert.match(waiting, /Waiting to be prepared/);
  assert.doesNotMatch(waiting, /palabre-export\.json/);

  await worker.work();
  const ready = await (await expectStatus(ada.get(`/settings/export/${id}`, fragment), 200))
    .text();
  assert.doesNotMatch(ready, /hx-trigger/, "a finished export stops polling");
  assert.match(ready, new RegExp(`href="/settings/export/${id}/palabre-export.json"`));
  assert.match(ready, new RegExp(`href="/settings/export/${id}/palabre-export.html"`));

  const json = await expectStatus(ada.get(`/settings/export/${id}/palabre-export.json`), 200);
  assert.match(json.headers.get("Content-Type") ?? "", /^application\/json/);
  assert.match(
    json.headers.get("Content-Disposition") ?? "",
    /^attachment; filename="palabre-export-ada-\d{4}-\d{2}-\d{2}\.json"$/,
  );
  const document = JSON.parse(await json.text());
  assert.equal(document.format, "palabre-export");
  assert.equal(document.version, 1);
  const sections = [...new Set(memberColumns.flatMap((c) => c.export ? [c.export] : []))];
  assert.deepEqual(Object.keys(document.sections), sections);
  assert.equal(document.sections.profile.users[0].handle, "ada");
  assert.equal(document.sections.picks.user_topics.length, 3);
});

dbTest("the exported page is self-contained, escaped and in the member's language", async (sql) => {
  const { app, worker } = await exportApp(sql);
  const ada = await adminBrowser(app);
  await expectStatus(
    ada.post("/settings", { display_name: "Ada Lovelace", bio: "<script>alert(1)</script>" }),
    303,
  );
  await expectStatus(ada.post("/settings/language", { language: "fr" }), 303);
  const id = await askForExport(ada);
  await worker.work();
  const response = await expectStatus(ada.get(`/settings/export/${id}/palabre-export.html`), 200);
  assert.match(response.headers.get("Content-Type") ?? "", /^text\/html/);
  assert.match(
    response.headers.get("Content-Disposition") ?? "",
    /^attachment; filename="palabre-export-ada-\d{4}-\d{2}-\d{2}\.html"$/,
  );
  const html = await response.text();
  assert.match(html, /^<!doctype html><html lang="fr">/);
  assert.match(html, /<title>Vos données sur Palabre<\/title>/);
  assert.match(html, /<h2 id="picks-title">Vos sujets<\/h2>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  // Nothing to fetch: no script, style sheet, image or frame; and no word left untranslated.
  assert.doesNotMatch(html, /<script|<link|<img|<iframe|<style|\sstyle=|\ssrc=/);
  assert.doesNotMatch(html, /export\.(field|section|part)\./);
});

dbTest("a fourth export in a day is refused with a readable 429", async (sql) => {
  const { app, worker } = await exportApp(sql);
  const ada = await adminBrowser(app);
  for (let i = 0; i < 3; i++) {
    await askForExport(ada);
    await worker.work();
  }
  const refused = await expectStatus(ada.post("/settings/export"), 429);
  const html = await refused.text();
  // The wait is to the end of a UTC day's window: past 1,000 minutes (before 07:20 UTC) the
  // number is written with a thousands separator.
  assert.match(html, /You can ask for 3 exports a day; try again in \d{1,3}(,\d{3})? minutes?/);
  assert.doesNotMatch(html, /at \w+ \(|Refusal:/, "no stack");
});

dbTest("someone else's export is a 404 at every address", async (sql) => {
  const { app, worker } = await exportApp(sql);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const id = await askForExport(ada);
  await worker.work();
  for (const path of ["", "/palabre-export.json", "/palabre-export.html"]) {
    await expectStatus(ada.get(`/settings/export/${id}${path}`), 200);
    const refused = await expectStatus(grace.get(`/settings/export/${id}${path}`), 404);
    assert.match(await refused.text(), /No such export/);
    await expectStatus(grace.get(`/settings/export/${id}${path}`, fragment), 404);
  }
  await expectStatus(ada.get("/settings/export/99999/palabre-export.json"), 404);
  await expectStatus(ada.get("/settings/export/not-a-number/palabre-export.json"), 404);
  // A guest is sent to sign in, and learns nothing of the export.
  const guest = new Browser(app);
  const asked = await guest.get(`/settings/export/${id}/palabre-export.json`);
  assert.notEqual(asked.status, 200);
});
