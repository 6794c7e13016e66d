/**
 * Every page a guest, a member and an administrator can reach, on a 390 px phone, in English,
 * the main ones in French (whose words are longer) and some in dark mode: none may scroll
 * sideways, have an element sticking out of the screen, or a scroller of its own inside (an
 * admin table once had), and axe-core must find no serious or critical violation. The phone's tab bar and its
 * "More" menu reach every place, and the topic picker narrows as one types, accents aside.
 * A full-page screenshot of each page is kept at `tests/browser/screenshots/phone-<page>.png`
 * (committed, so a reviewer sees the pages without running anything).
 */
import assert from "node:assert/strict";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import {
  browserTestsIgnored,
  fillAccount,
  launchChromium,
  PageWatch,
  type Person,
  phone,
  screenshotDir,
  startPalabre,
} from "./support.ts";

const ignore = browserTestsIgnored();

// Screenshots at one pixel per CSS pixel keep the committed files small.
const smallPhone: BrowserContextOptions = { ...phone, deviceScaleFactor: 1 };
const inFrench: BrowserContextOptions = { ...smallPhone, locale: "fr-FR" };
const inTheDark: BrowserContextOptions = { ...smallPhone, colorScheme: "dark" };
const waitMs = 15_000;
const navigationWaitMs = 30_000;

const ada: Person = { handle: "ada", displayName: "Ada Lovelace", password: "analytical engine" };
const grace: Person = {
  handle: "grace",
  displayName: "Grace Brewster Murray Hopper",
  password: "compilers all the way",
};
const lin: Person = { handle: "lin", displayName: "Lin Yutang", password: "a moment in peking" };

/**
 * Runs in the page: what sticks out of a 390 px screen. The document wider than the screen;
 * an element reaching past either edge that no ancestor clips; an element that scrolls
 * sideways inside the page (form fields aside: their text scrolls by nature).
 */
const sidewaysProblems = `(() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const scrollWidth = document.documentElement.scrollWidth;
  if (scrollWidth > width) problems.push("the page is " + (scrollWidth - width) + "px too wide");
  const describe = (element) => element.tagName.toLowerCase() +
    (element.id ? "#" + element.id : "") +
    (element.classList.length ? "." + [...element.classList].join(".") : "") +
    ' "' + (element.textContent || "").trim().slice(0, 40) + '"';
  const clipped = (element) => {
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX !== "visible" || style.position === "fixed") {
        const box = up.getBoundingClientRect();
        if (box.left >= -1 && box.right <= width + 1) return true;
      }
    }
    return false;
  };
  for (const element of document.body.querySelectorAll("*")) {
    if (element.closest("input, textarea, select")) continue;
    const style = getComputedStyle(element);
    if (["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1) {
      problems.push(describe(element) + " scrolls sideways by " +
        (element.scrollWidth - element.clientWidth) + "px");
    }
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if ((box.right > width + 1 || box.left < -1) && !clipped(element)) {
      problems.push(describe(element) + " sticks out: " + Math.round(box.left) + " to " +
        Math.round(box.right) + " of " + width);
    }
  }
  return problems;
})()`;

/**
 * Checks the page `page` shows now as `name`: nothing sideways, nothing axe finds serious,
 * and keeps its full-page screenshot as `phone-<name>.png`.
 */
async function checkPage(watch: PageWatch, page: Page, name: string): Promise<void> {
  await page.waitForLoadState("load");
  const problems = await page.evaluate(sidewaysProblems) as string[];
  assert.deepEqual(problems, [], `${name} (${page.url()}) at 390 px`);
  await watch.audit(page, name);
  await Deno.mkdir(screenshotDir, { recursive: true });
  // A screen as tall as the page: the tab bar is drawn at the page's foot, where a reader
  // scrolling down would see it, not halfway down a stitched picture.
  const screen = page.viewportSize()!;
  const height = await page.evaluate("document.documentElement.scrollHeight") as number;
  await page.setViewportSize({ width: screen.width, height: Math.max(height, screen.height) });
  await page.screenshot({ path: new URL(`phone-${name}.png`, screenshotDir).pathname });
  await page.setViewportSize(screen);
}

function withTimeouts(page: Page): Page {
  page.setDefaultTimeout(waitMs);
  page.setDefaultNavigationTimeout(navigationWaitMs);
  return page;
}

/** The chips a topic picker shows now, by their words. */
async function shownTopics(page: Page): Promise<string[]> {
  return (await page.locator("label.chip:visible").allInnerTexts()).map((text) => text.trim());
}

async function pickTopics(page: Page, names: string[], button: string): Promise<void> {
  for (const name of names) await page.locator("label.chip", { hasText: name }).click();
  await Promise.all([page.waitForURL(/\/$/), page.getByRole("button", { name: button }).click()]);
}

async function tour(browser: Browser, origin: string): Promise<void> {
  const watch = new PageWatch();
  const unknownRoom = "/rooms/AAAAAAAAAAAAAAAAAAAAAA";
  watch.expectStatus(404, unknownRoom);
  await watch.check(async () => {
    // The administrator sets Palabre up on a phone.
    const a = withTimeouts(await watch.newPage(browser, "ada", smallPhone));
    await a.goto(`${origin}/`);
    await a.getByRole("heading", { name: "Set up Palabre" }).waitFor();
    await checkPage(watch, a, "setup");
    await fillAccount(a, ada);
    await Promise.all([
      a.waitForURL(`${origin}/topics`),
      a.getByRole("button", { name: "Create administrator" }).click(),
    ]);
    await a.getByRole("heading", { name: "What do you like to hear about?" }).waitFor();
    // Every category is there to read; typing narrows them to what matches.
    const everyTopic = await shownTopics(a);
    assert.ok(everyTopic.includes("Jazz") && everyTopic.includes("Theatre"));
    await checkPage(watch, a, "topics-onboarding");
    await a.getByLabel("Find a topic").fill("THÉÂTRE");
    assert.deepEqual(await shownTopics(a), ["Theatre"]);
    await a.getByLabel("Find a topic").fill("music");
    const music = await shownTopics(a);
    assert.ok(music.includes("Jazz") && !music.includes("Theatre"), `music: ${music}`);
    await a.getByLabel("Find a topic").fill("zzz");
    await a.getByText("No topic matches. Try fewer letters.").waitFor();
    await a.getByLabel("Find a topic").fill("");
    assert.deepEqual(await shownTopics(a), everyTopic);
    await a.locator("label.chip", { hasText: "Theatre" }).click();
    assert.equal(await a.locator("[data-topic-count]").innerText(), "1");
    await pickTopics(a, ["Jazz", "Chess"], "Continue");
    await a.getByRole("heading", { name: "Hallway", level: 1 }).waitFor();
    await checkPage(watch, a, "hallway-empty");

    // The tab bar holds the places one goes to; "More" holds the rest.
    const nav = a.getByRole("navigation", { name: "Main" });
    for (const tab of ["Hallway", "Invites", "Topics", "Profile"]) {
      assert.ok(await nav.getByRole("link", { name: tab, exact: true }).isVisible(), tab);
    }
    for (const hidden of ["Settings", "Admin"]) {
      assert.equal(await nav.getByRole("link", { name: hidden }).count(), 0, hidden);
    }
    await nav.getByText("More", { exact: true }).click();
    for (const link of ["Settings", "Admin"]) {
      const box = await nav.getByRole("link", { name: link }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${link} within the screen`);
    }
    await nav.getByRole("button", { name: "Sign out" }).waitFor();
    await checkPage(watch, a, "more-menu");
    // A menu closes as menus do: Escape gives the focus back to its button; a tap elsewhere.
    const more = nav.locator(".nav-more details");
    await a.keyboard.press("Escape");
    assert.equal(await more.getAttribute("open"), null, "Escape closes More");
    assert.equal(await a.evaluate("document.activeElement.textContent"), "More");
    await a.keyboard.press("Enter");
    assert.equal(await more.getAttribute("open"), "", "Enter on More opens it");
    await a.getByRole("heading", { name: "Hallway", level: 1 }).click();
    assert.equal(await more.getAttribute("open"), null, "a tap elsewhere closes More");
    await nav.getByText("More", { exact: true }).click();
    await Promise.all([
      a.waitForURL(`${origin}/settings`),
      nav.getByRole("link", { name: "Settings" }).click(),
    ]);
    await checkPage(watch, a, "settings");
    assert.equal(await nav.locator("summary.current").count(), 1, "More says it holds the page");

    await a.goto(`${origin}/invites`);
    const createInvite = a.getByRole("button", { name: "Create an invite link" });
    const links = a.getByLabel("Invite link");
    await createInvite.click();
    await links.first().waitFor();
    await createInvite.click();
    await links.nth(1).waitFor();
    const [graceLink, linLink] = await Promise.all([0, 1].map((i) => links.nth(i).inputValue()));
    await checkPage(watch, a, "invites");

    await a.goto(`${origin}/@${ada.handle}`);
    await checkPage(watch, a, "profile");
    await a.goto(`${origin}/events/new`);
    await checkPage(watch, a, "event-schedule");

    await a.goto(`${origin}/rooms/new`);
    await a.getByLabel("Title").fill("Late night jazz standards");
    await a.getByLabel("Find a topic").fill("jazz");
    await a.locator("label.chip", { hasText: "Jazz" }).click();
    await checkPage(watch, a, "room-start");
    await Promise.all([
      a.waitForURL(/\/rooms\/[A-Za-z0-9_-]{22}$/),
      a.getByRole("button", { name: "Start the room" }).click(),
    ]);
    await a.locator("#live-status[data-state=live]").waitFor();
    await checkPage(watch, a, "room-host");

    // A guest: sign-in, the waitlist, an unknown room, and joining by invite.
    const g = withTimeouts(await watch.newPage(browser, "grace", smallPhone));
    await g.goto(`${origin}/signin`);
    await checkPage(watch, g, "signin");
    await g.goto(`${origin}/waitlist`);
    await checkPage(watch, g, "waitlist");
    await g.getByLabel("Your name").fill("Katherine Johnson");
    await g.getByLabel("How to reach you").fill("katherine@example.org");
    await g.getByLabel("Why you would like to join").fill("Orbital mechanics, read aloud.");
    await g.getByRole("button", { name: "Join the waitlist" }).click();
    await g.getByRole("heading", { name: "You are on the list" }).waitFor();
    await checkPage(watch, g, "waitlist-done");
    await g.goto(`${origin}${unknownRoom}`);
    await checkPage(watch, g, "error");
    await g.goto(graceLink);
    await g.getByRole("heading", { name: "You are invited" }).waitFor();
    await checkPage(watch, g, "join");
    await fillAccount(g, grace);
    await Promise.all([
      g.waitForURL(`${origin}/topics`),
      g.getByRole("button", { name: "Join Palabre" }).click(),
    ]);
    await pickTopics(g, ["Jazz", "Poetry", "Running"], "Continue");
    const card = g.locator(".room-card", { hasText: "Late night jazz standards" });
    await card.waitFor();
    await card.locator("details.why summary").click();
    await checkPage(watch, g, "hallway");
    await Promise.all([g.waitForURL(/\/rooms\//), card.getByRole("link").first().click()]);
    await g.locator("#live-status[data-state=live]").waitFor();
    await checkPage(watch, g, "room-listener");
    await g.goto(`${origin}/@${ada.handle}`);
    await checkPage(watch, g, "profile-other");
    await g.goto(`${origin}/topics`);
    await checkPage(watch, g, "topics");
    await g.goto(`${origin}/search?q=jazz`);
    await g.locator("main").getByRole("link", { name: /Late night jazz standards/ }).waitFor();
    await checkPage(watch, g, "search");
    await g.goto(`${origin}/notifications`);
    await checkPage(watch, g, "notifications");

    // The administrator's pages, with a waitlist entry and members in their tables.
    await a.goto(`${origin}/admin`);
    await a.getByText("Katherine Johnson").waitFor();
    await checkPage(watch, a, "admin");
    await a.goto(`${origin}/admin/recommendations`);
    await checkPage(watch, a, "admin-recommendations");
    await a.goto(`${origin}/admin/log`);
    await checkPage(watch, a, "admin-log");

    // In French, whose words run longer.
    const l = withTimeouts(await watch.newPage(browser, "lin", inFrench));
    await l.goto(`${origin}/signin`);
    await checkPage(watch, l, "fr-signin");
    await l.goto(`${origin}/waitlist`);
    await checkPage(watch, l, "fr-waitlist");
    await l.goto(linLink);
    await l.getByLabel("Pseudo").fill(lin.handle);
    await l.getByLabel("Nom affiché").fill(lin.displayName);
    await l.getByLabel("Mot de passe").fill(lin.password);
    await checkPage(watch, l, "fr-join");
    await Promise.all([
      l.waitForURL(`${origin}/topics`),
      l.getByRole("button", { name: "Rejoindre Palabre" }).click(),
    ]);
    // Typed without accents, the French name is found.
    await l.getByLabel("Trouver un sujet").fill("theatre");
    assert.deepEqual(await shownTopics(l), ["Théâtre"]);
    await checkPage(watch, l, "fr-topics-filtered");
    await l.getByLabel("Trouver un sujet").fill("");
    await pickTopics(l, ["Théâtre", "Jazz", "Poésie"], "Continuer");
    await l.locator(".room-card", { hasText: "Late night jazz standards" }).waitFor();
    await checkPage(watch, l, "fr-hallway");
    const frNav = l.getByRole("navigation", { name: "Principale" });
    await frNav.getByText("Plus", { exact: true }).click();
    await checkPage(watch, l, "fr-more-menu");
    await Promise.all([
      l.waitForURL(`${origin}/settings`),
      frNav.getByRole("link", { name: "Réglages" }).click(),
    ]);
    await checkPage(watch, l, "fr-settings");
    await l.goto(`${origin}/@${lin.handle}`);
    await checkPage(watch, l, "fr-profile");
    await l.goto(`${origin}/invites`);
    await checkPage(watch, l, "fr-invites");
    await l.goto(`${origin}/rooms/new`);
    await checkPage(watch, l, "fr-room-start");
    await l.goto(`${origin}/search?q=jazz`);
    await checkPage(watch, l, "fr-search");
    await l.goto(`${origin}/notifications`);
    await checkPage(watch, l, "fr-notifications");
    await l.goto(`${origin}/`);
    await Promise.all([
      l.waitForURL(/\/rooms\//),
      l.locator(".room-card", { hasText: "Late night jazz standards" }).getByRole("link").first()
        .click(),
    ]);
    await l.locator("#live-status[data-state=live]").waitFor();
    await checkPage(watch, l, "fr-room-listener");

    // In dark mode, where every colour pair is another one.
    const d = withTimeouts(await watch.newPage(browser, "ada-dark", inTheDark));
    await d.goto(`${origin}/signin`);
    await checkPage(watch, d, "dark-signin");
    await d.getByLabel("Handle").fill(ada.handle);
    await d.getByLabel("Password").fill(ada.password);
    await Promise.all([
      d.waitForURL(`${origin}/`),
      d.getByRole("button", { name: "Sign in" }).click(),
    ]);
    await d.getByRole("navigation", { name: "Main" }).getByText("More", { exact: true }).click();
    await checkPage(watch, d, "dark-hallway");
    const darkPages = [["/topics", "topics"], ["/admin", "admin"], ["/admin/log", "admin-log"]];
    for (const [path, name] of darkPages) {
      await d.goto(`${origin}${path}`);
      await checkPage(watch, d, `dark-${name}`);
    }
    await d.goto(`${origin}/rooms/new`);
    await d.getByLabel("Find a topic").fill("jazz");
    await checkPage(watch, d, "dark-room-start");
  });
}

Deno.test({
  name: "every page fits a 390 px phone, without a serious accessibility fault, in two languages",
  ignore,
  // postgres.js and Chromium's pipe keep sockets and timers open by design.
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // The pages' shape does not depend on the database: PGlite alone.
    const palabre = await startPalabre("pglite");
    try {
      const browser = await launchChromium();
      try {
        await tour(browser, palabre.origin);
      } finally {
        await browser.close();
      }
    } finally {
      await palabre.close();
    }
  },
});
