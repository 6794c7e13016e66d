/**
 * The foundation in a real browser: an administrator sets Palabre up and creates an invite;
 * a second person signs up with it on a phone, picks topics, follows the administrator and
 * lands on the hallway. Any console error (a CSP violation is one), page error, failed request
 * or unexpected 4xx/5xx fails the test. Screenshots go to `tests/browser/screenshots/`.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { type DatabaseKind, databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  desktop,
  documentKept,
  fillAccount,
  launchChromium,
  markDocument,
  PageWatch,
  phone,
  screenshot,
  startPalabre,
} from "./support.ts";

const ignore = browserTestsIgnored();

const ada = { handle: "ada", displayName: "Ada Lovelace", password: "analytical engine" };
const grace = { handle: "grace", displayName: "Grace Hopper", password: "compilers all the way" };

/** Ticks topics by clicking their chips, as a person would. */
async function pickTopics(page: Page, names: string[]): Promise<void> {
  await page.getByRole("heading", { name: "What do you like to hear about?" }).waitFor();
  for (const name of names) {
    await page.locator("label.chip", { hasText: name }).click();
    assert.equal(await page.getByRole("checkbox", { name, exact: true }).isChecked(), true);
  }
}

async function continueToHallway(page: Page, origin: string): Promise<void> {
  await Promise.all([
    page.waitForURL(`${origin}/`),
    page.getByRole("button", { name: "Continue" }).click(),
  ]);
  await page.getByRole("heading", { name: "Hallway", level: 1 }).waitFor();
}

async function waitForHtmx(page: Page): Promise<void> {
  await page.waitForFunction("typeof window.htmx === 'object' && window.htmx !== null");
}

/** The whole story, on one database, in one browser; any problem the browser saw fails it. */
async function inviteAndJoin(browser: Browser, origin: string, kind: DatabaseKind) {
  const watch = new PageWatch();
  const shot = (page: Page, step: string) => screenshot(page, `${kind}-${step}`);
  await watch.check(async () => {
    // Ada, on a desktop: first run sends her to set-up.
    const a = await watch.newPage(browser, "ada", desktop);
    await a.goto(`${origin}/`);
    assert.equal(a.url(), `${origin}/setup`);
    await a.getByRole("heading", { name: "Set up Palabre" }).waitFor();
    await fillAccount(a, ada);
    await shot(a, "a1-setup");
    await Promise.all([
      a.waitForURL(`${origin}/topics`),
      a.getByRole("button", { name: "Create administrator" }).click(),
    ]);

    await pickTopics(a, ["Jazz", "Chess", "Open Source"]);
    await shot(a, "a2-topics");
    await continueToHallway(a, origin);
    const hallwayText = await a.locator("main").innerText();
    assert.match(hallwayText, /Welcome, Ada Lovelace/);
    for (const topic of ["Jazz", "Chess", "Open Source"]) {
      assert.match(hallwayText, new RegExp(topic));
    }
    await shot(a, "a3-hallway");

    // The invite panel swaps itself in place (htmx), no page load.
    await Promise.all([
      a.waitForURL(`${origin}/invites`),
      a.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invites" })
        .click(),
    ]);
    await a.getByRole("heading", { name: "Invites", level: 1 }).waitFor();
    await a.getByText("You have not created any invites yet.").waitFor();
    await waitForHtmx(a);
    await markDocument(a);
    await a.getByRole("button", { name: "Create an invite link" }).click();
    const linkField = a.getByLabel("Invite link");
    await linkField.waitFor();
    assert.equal(await documentKept(a), true, "creating an invite reloaded the page");
    assert.equal(a.url(), `${origin}/invites`);
    assert.equal(await linkField.getAttribute("readonly"), "");
    const inviteLink = await linkField.inputValue();
    assert.match(inviteLink, new RegExp(`^${origin.replaceAll(".", "\\.")}/join/[^/]+$`));
    await shot(a, "a4-invite-created");

    // Grace, on a phone, in a context of her own (no cookies of Ada's).
    const b = await watch.newPage(browser, "grace", phone);
    await b.goto(inviteLink);
    await b.getByRole("heading", { name: "You are invited" }).waitFor();
    await fillAccount(b, grace);
    await shot(b, "b1-join");
    await Promise.all([
      b.waitForURL(`${origin}/topics`),
      b.getByRole("button", { name: "Join Palabre" }).click(),
    ]);
    await pickTopics(b, ["Jazz", "Poetry", "Running", "Spanish"]);
    await shot(b, "b2-topics");
    await continueToHallway(b, origin);
    assert.match(await b.locator("main").innerText(), /Welcome, Grace Hopper/);
    await shot(b, "b3-hallway");

    // Following swaps the follow block in place.
    await b.goto(`${origin}/@${ada.handle}`);
    await b.getByRole("heading", { name: ada.displayName, level: 1 }).waitFor();
    const followers = b.getByTestId("followers");
    assert.equal(await followers.innerText(), "0");
    await shot(b, "b4-profile");
    await waitForHtmx(b);
    await markDocument(b);
    await b.getByRole("button", { name: `Follow @${ada.handle}` }).click();
    const unfollow = b.getByRole("button", { name: `Following @${ada.handle}` });
    await unfollow.waitFor();
    assert.equal(await unfollow.innerText(), "Following");
    assert.equal(await followers.innerText(), "1");
    assert.match(await b.locator(".counts").innerText(), /^1 follower(?!s)/);
    assert.equal(await documentKept(b), true, "following reloaded the page");
    assert.equal(b.url(), `${origin}/@${ada.handle}`);
    await shot(b, "b5-following");

    await b.reload();
    assert.equal(await documentKept(b), false);
    assert.equal(
      await b.getByRole("button", { name: `Following @${ada.handle}` }).innerText(),
      "Following",
    );
    assert.equal(await b.getByTestId("followers").innerText(), "1");

    // Someone signed out is sent to sign in, and sees nothing of the profile.
    const c = await watch.newPage(browser, "guest", phone);
    await c.goto(`${origin}/@${ada.handle}`);
    assert.equal(c.url(), `${origin}/signin?next=%2F%40${ada.handle}`);
    await c.getByRole("heading", { name: "Sign in", level: 1 }).waitFor();
    assert.doesNotMatch(await c.content(), /Ada Lovelace/);
    await shot(c, "c1-guest-profile");

    await Promise.all([
      b.waitForURL(`${origin}/`),
      b.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Hallway" })
        .click(),
    ]);
    await b.getByRole("heading", { name: "Hallway", level: 1 }).waitFor();
    await shot(b, "b6-hallway");
  });
}

for (const kind of databaseKinds) {
  Deno.test({
    name:
      `an administrator invites someone who joins, follows them and reaches the hallway [${kind}]`,
    ignore,
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      try {
        const browser = await launchChromium();
        try {
          await inviteAndJoin(browser, palabre.origin, kind);
        } finally {
          await browser.close();
        }
      } finally {
        await palabre.close();
      }
    },
  });
}
