import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { adminBrowser, Browser, expectStatus, testApp } from "../support/app_client.ts";

const french = { "Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5" };

async function page(browser: Browser, path: string, headers: Record<string, string> = {}) {
  return await (await expectStatus(browser.get(path, headers), 200)).text();
}

dbTest("a guest whose browser asks for French reads the page in French", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const html = await page(new Browser(app), "/signin", french);
  assert.match(html, /^<!doctype html><html lang="fr">/);
  assert.match(html, /<h1>Se connecter<\/h1>/);
  assert.match(html, /<label for="field-handle">Pseudo<\/label>/);
});

dbTest("a guest whose browser asks for nothing we speak reads English", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const html = await page(new Browser(app), "/signin", { "Accept-Language": "de-DE, es;q=0.5" });
  assert.match(html, /^<!doctype html><html lang="en">/);
  assert.match(html, /<h1>Sign in<\/h1>/);
});

dbTest(
  "the footer switcher keeps a guest's choice in a cookie, over the browser's",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    await adminBrowser(app);
    const guest = new Browser(app);
    assert.match(await page(guest, "/waitlist"), /<form method="post" action="\/language"/);
    const switched = await expectStatus(
      guest.post("/language", { language: "fr", back: "/waitlist" }),
      303,
    );
    assert.equal(switched.headers.get("Location"), "/waitlist");
    const html = await page(guest, "/waitlist", { "Accept-Language": "en" });
    assert.match(html, /<html lang="fr">/);
    assert.match(html, /S’inscrire sur la liste d’attente/);
    await expectStatus(guest.post("/language", { language: "en", back: "/" }), 303);
    assert.match(await page(guest, "/waitlist", french), /<html lang="en">/);
  },
);

dbTest(
  "the switcher sends nobody off the site, and ignores a language we lack",
  async (sql, db) => {
    const app = await testApp(sql, db.events);
    await adminBrowser(app);
    const guest = new Browser(app);
    for (const back of ["//evil.example/x", "https://evil.example/", "/\\evil.example"]) {
      const r = await expectStatus(guest.post("/language", { language: "fr", back }), 303);
      assert.equal(r.headers.get("Location"), "/", back);
    }
    await expectStatus(guest.post("/language", { language: "de", back: "/signin" }), 303);
    assert.equal(guest.cookie("palabre_language"), "fr");
  },
);

dbTest("a member's own language wins over the browser's", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  assert.match(await page(ada, "/settings"), /<html lang="en">/);
  await expectStatus(ada.post("/settings/language", { language: "fr" }), 303);
  const html = await page(ada, "/settings", { "Accept-Language": "en" });
  assert.match(html, /<html lang="fr">/);
  assert.match(html, /<h1 id="settings-title">Réglages<\/h1>/);
  assert.match(html, /<option value="fr" selected>français<\/option>/);
  await expectStatus(ada.post("/settings/language", { language: "" }), 303);
  assert.match(await page(ada, "/settings", french), /<html lang="fr">/);
  assert.match(await page(ada, "/settings"), /<html lang="en">/);
});

dbTest("a member cannot choose a language we do not speak", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const r = await expectStatus(ada.post("/settings/language", { language: "de" }), 422);
  assert.match(await r.text(), /Pick a language from the list/);
});

dbTest("without a choice or a browser's wish, the site's language is used", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/admin/language", { site_language: "fr" }), 303);
  assert.match(await page(new Browser(app), "/signin"), /<html lang="fr">/);
  assert.match(await page(new Browser(app), "/signin", { "Accept-Language": "en" }), /lang="en"/);
  // Ada chose no language either: the refusal comes in the site's, now French.
  const r = await expectStatus(ada.post("/admin/language", { site_language: "xx" }), 422);
  assert.match(await r.text(), /Choisissez une langue dans la liste/);
});

dbTest("only an administrator sets the site's language", async (sql, db) => {
  const app = await testApp(sql, db.events);
  await adminBrowser(app);
  const guest = new Browser(app);
  await expectStatus(guest.post("/admin/language", { site_language: "fr" }), 401);
  assert.match(await page(new Browser(app), "/signin"), /<html lang="en">/);
});
