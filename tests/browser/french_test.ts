/**
 * Palabre in French in a real browser (Chromium asking for fr-FR): an administrator sets it up
 * and starts a room; a second person signs up with an invite, picks topics, finds the room in
 * the hallway with its language on its card, joins it and raises a hand. Every step is read
 * through French labels; any console error, page error or failed request fails the test.
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { type DatabaseKind, databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  desktop,
  launchChromium,
  PageWatch,
  phone,
  screenshot,
  startPalabre,
} from "./support.ts";

const ignore = browserTestsIgnored();
const inFrench: BrowserContextOptions = { locale: "fr-FR" };

const ada = { handle: "ada", displayName: "Ada Lovelace", password: "analytical engine" };
const grace = { handle: "grace", displayName: "Grace Hopper", password: "compilers all the way" };

async function fillAccount(page: Page, person: typeof ada): Promise<void> {
  await page.getByLabel("Pseudo").fill(person.handle);
  await page.getByLabel("Nom affiché").fill(person.displayName);
  await page.getByLabel("Mot de passe").fill(person.password);
}

async function pickTopics(page: Page, origin: string, names: string[]): Promise<void> {
  await page.getByRole("heading", { name: "De quoi aimez-vous entendre parler ?" }).waitFor();
  for (const name of names) await page.locator("label.chip", { hasText: name }).click();
  await Promise.all([
    page.waitForURL(`${origin}/`),
    page.getByRole("button", { name: "Continuer" }).click(),
  ]);
  await page.getByRole("heading", { name: "Couloir", level: 1 }).waitFor();
}

async function walk(browser: Browser, origin: string, kind: DatabaseKind) {
  const watch = new PageWatch();
  const shot = (page: Page, step: string) => screenshot(page, `${kind}-fr-${step}`);
  await watch.check(async () => {
    const a = await watch.newPage(browser, "ada", { ...desktop, ...inFrench });
    await a.goto(`${origin}/`);
    assert.equal(await a.getAttribute("html", "lang"), "fr");
    await a.getByRole("heading", { name: "Installer Palabre" }).waitFor();
    await fillAccount(a, ada);
    await Promise.all([
      a.waitForURL(`${origin}/topics`),
      a.getByRole("button", { name: "Créer l’administrateur" }).click(),
    ]);
    await pickTopics(a, origin, ["Jazz", "Échecs", "Cinéma"]);
    assert.match(await a.locator("main").innerText(), /Bienvenue, Ada Lovelace/);
    assert.match(await a.locator("main").innerText(), /Aucun salon n’est en direct/);

    await a.goto(`${origin}/invites`);
    await a.getByRole("button", { name: "Créer un lien d’invitation" }).click();
    const link = a.getByLabel("Lien d’invitation");
    await link.waitFor();
    const inviteLink = await link.inputValue();

    await a.goto(`${origin}/rooms/new`);
    await a.getByLabel("Titre").fill("Jazz du soir");
    assert.equal(await a.getByLabel("Langue parlée dans le salon").inputValue(), "fr");
    // Categories are open: Jazz is there to tick without unfolding Musique.
    await a.locator("label.chip", { hasText: "Jazz" }).click();
    await a.getByRole("button", { name: "Ouvrir le salon" }).click();
    await a.getByRole("heading", { name: "Jazz du soir", level: 1 }).waitFor();
    await a.locator("#live-status[data-state=live]").waitFor();
    assert.equal(await a.locator("#live-status").innerText(), "En direct");
    assert.match(await a.locator(".you").innerText(), /Vous êtes sur scène en tant que modérateur/);
    await shot(a, "a-room");

    const g = await watch.newPage(browser, "grace", { ...phone, ...inFrench });
    await g.goto(inviteLink);
    await g.getByRole("heading", { name: "Vous êtes invité" }).waitFor();
    await fillAccount(g, grace);
    await Promise.all([
      g.waitForURL(`${origin}/topics`),
      g.getByRole("button", { name: "Rejoindre Palabre" }).click(),
    ]);
    await pickTopics(g, origin, ["Jazz", "Poésie", "Course à pied"]);
    const card = g.locator(".room-card", { hasText: "Jazz du soir" });
    await card.waitFor();
    assert.match(await card.innerText(), /1 sur scène · 0 auditeur ·\s+français/);
    await shot(g, "g-hallway");
    await Promise.all([
      g.waitForURL(/\/rooms\//),
      card.getByRole("link").click(),
    ]);
    await g.locator("#live-status[data-state=live]").waitFor();
    await g.getByRole("button", { name: "Lever la main" }).click();
    await g.getByRole("button", { name: "Baisser la main" }).waitFor();
    assert.match(await g.locator(".you").innerText(), /Vous êtes auditeur, main levée\./);
    await shot(g, "g-hand");

    // The moderator's page hears of the hand, in French.
    await a.getByRole("heading", { name: /Mains levées/ }).waitFor();
    await a.getByRole("button", { name: "Inviter sur scène : @grace" }).waitFor();
  });
}

for (const kind of databaseKinds) {
  Deno.test({
    name: `a person signs up, reaches the hallway and raises a hand in a room, in French [${kind}]`,
    ignore,
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      try {
        const browser = await launchChromium();
        try {
          await walk(browser, palabre.origin, kind);
        } finally {
          await browser.close();
        }
      } finally {
        await palabre.close();
      }
    },
  });
}
