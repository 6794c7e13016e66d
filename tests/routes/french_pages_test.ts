import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import {
  adminBrowser,
  Browser,
  expectStatus,
  inviteToken,
  memberBrowser,
  testApp,
} from "../support/app_client.ts";
import { en } from "../../i18n/en.ts";
import { fr } from "../../i18n/fr.ts";

const french = { "Accept-Language": "fr" };

/** English sentences of the catalogue that French says differently (no placeholders). */
const englishOnly = Object.entries(en)
  .filter(([key, text]) =>
    typeof text === "string" && !text.includes("{") && /\s/.test(text) &&
    fr[key as keyof typeof en] !== text
  )
  .map(([, text]) => (text as string).replaceAll("'", "&#39;"));

function assertSpeaks(html: string, language: "en" | "fr", path: string, heading: RegExp) {
  assert.match(html, new RegExp(`^<!doctype html><html lang="${language}">`), path);
  assert.match(html, heading, path);
  if (language === "fr") {
    const left = englishOnly.filter((text) => html.includes(`>${text}<`));
    assert.deepEqual(left, [], `${path} still reads English`);
  }
}

async function page(browser: Browser, path: string, headers: Record<string, string> = {}) {
  return await (await expectStatus(browser.get(path, headers), 200)).text();
}

const memberPages: [string, RegExp, RegExp][] = [
  ["/", /<h1 id="hallway-title">Hallway</, /<h1 id="hallway-title">Couloir</],
  ["/topics", /Your topics/, /Vos sujets/],
  ["/settings", />Settings</, />Réglages</],
  ["/invites", />Invites<\/h1>/, />Invitations<\/h1>/],
  ["/@ada", /Edit your profile/, /Modifier votre profil/],
  ["/admin", /People and invites/, /Membres et invitations/],
  ["/admin/recommendations", /Train a new model/, /Entraîner un nouveau modèle/],
  ["/admin/log", /Download these entries as CSV/, /Télécharger ces entrées en CSV/],
  ["/rooms/new", /Start the room/, /Ouvrir le salon/],
  ["/events/new", /Schedule a room/, /Programmer un salon/],
];

dbTest("each member's page renders in English and, asked for, in French", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  for (const [path, english, inFrench] of memberPages) {
    assertSpeaks(await page(ada, path), "en", path, english);
    assertSpeaks(await page(ada, path, french), "fr", path, inFrench);
  }
});

dbTest("a member who chose French reads every page in French", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  await expectStatus(ada.post("/settings/language", { language: "fr" }), 303);
  for (const [path, , inFrench] of memberPages) {
    assertSpeaks(await page(ada, path, { "Accept-Language": "en" }), "fr", path, inFrench);
  }
});

dbTest("a room page renders in English and in French", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const grace = await memberBrowser(app, ada, "grace");
  const started = await expectStatus(
    ada.post("/rooms", { title: "Jazz", description: "", kind: "open", topics: ["jazz"] }),
    303,
  );
  const path = started.headers.get("Location")!;
  assertSpeaks(await page(grace, path), "en", path, /Raise hand/);
  const html = await page(grace, path, french);
  assertSpeaks(html, "fr", path, /Lever la main/);
  assert.match(html, /Vous êtes auditeur\./);
  assertSpeaks(await page(ada, path, french), "fr", path, /Terminer le salon/);
});

dbTest("the guest pages render in English and in French", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const token = await inviteToken(ada);
  const guestPages: [string, RegExp, RegExp][] = [
    ["/", /Live audio rooms/, /Des salons audio en direct/],
    ["/signin", /<h1>Sign in</, /<h1>Se connecter</],
    ["/waitlist", /Join the waitlist/, /liste d’attente/],
    [`/join/${token}`, /You are invited/, /Vous êtes invité/],
    ["/nowhere", /Not found/, /Introuvable/],
  ];
  for (const [path, english, inFrench] of guestPages) {
    const status = path === "/nowhere" ? 404 : 200;
    const guest = new Browser(app);
    const en = await (await expectStatus(guest.get(path), status)).text();
    assertSpeaks(en, "en", path, english);
    const fr = await (await expectStatus(guest.get(path, french), status)).text();
    assertSpeaks(fr, "fr", path, inFrench);
  }
});

dbTest("a refusal reads in the viewer's language", async (sql, db) => {
  const app = await testApp(sql, db.events);
  const ada = await adminBrowser(app);
  const r = await expectStatus(
    ada.post("/rooms", { title: " ", description: "", kind: "open", topics: ["jazz"] }, french),
    422,
  );
  assert.match(await r.text(), /Donnez un titre au salon/);
});
