/**
 * A live room in a real browser, over real sockets: a host starts a room; a listener joins and
 * raises a hand; the host invites them; they accept and appear on stage on every page without
 * a reload; the host mutes them, moves them down and ends the room; everyone sees it end, and
 * a fourth page, sitting on the hallway from before the room started, saw it appear and go.
 * One page also loses its network for a moment and must say "Reconnecting…", come back live
 * and catch up. Any console error, page error, failed request or unexpected 4xx/5xx fails the
 * test, except the refused socket reconnects of the page we took offline on purpose.
 * Screenshots go to `tests/browser/screenshots/`.
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
  type Person,
  phone,
  screenshot,
  startPalabre,
} from "./support.ts";

const ignore = browserTestsIgnored();

// The machine is shared and loaded: live updates get this long to show.
const liveWaitMs = 15_000;
const navigationWaitMs = 30_000;

const ada: Person = { handle: "ada", displayName: "Ada Lovelace", password: "analytical engine" };
const lin: Person = { handle: "lin", displayName: "Lin Yutang", password: "a moment in peking" };
const mae: Person = { handle: "mae", displayName: "Mae Jemison", password: "endeavour in orbit" };

const room = {
  title: "Late night jazz standards",
  description: "Which recordings of Round Midnight matter, and why.",
  topic: "Jazz",
};

function withTimeouts(page: Page): Page {
  page.setDefaultTimeout(liveWaitMs);
  page.setDefaultNavigationTimeout(navigationWaitMs);
  return page;
}

async function pickTopicsAndContinue(page: Page, origin: string, names: string[]) {
  await page.getByRole("heading", { name: "What do you like to hear about?" }).waitFor();
  for (const name of names) await page.locator("label.chip", { hasText: name }).click();
  await Promise.all([
    page.waitForURL(`${origin}/`),
    page.getByRole("button", { name: "Continue" }).click(),
  ]);
  await page.getByRole("heading", { name: "Hallway", level: 1 }).waitFor();
}

async function signUp(page: Page, origin: string, inviteLink: string, person: Person) {
  await page.goto(inviteLink);
  await page.getByRole("heading", { name: "You are invited" }).waitFor();
  await fillAccount(page, person);
  await Promise.all([
    page.waitForURL(`${origin}/topics`),
    page.getByRole("button", { name: "Join Palabre" }).click(),
  ]);
  await pickTopicsAndContinue(page, origin, ["Jazz", "Poetry", "Spanish"]);
}

async function signIn(page: Page, origin: string, person: Person) {
  await page.goto(`${origin}/signin`);
  await page.getByLabel("Handle").fill(person.handle);
  await page.getByLabel("Password").fill(person.password);
  await Promise.all([
    page.waitForURL(`${origin}/`),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
  await page.getByRole("heading", { name: "Hallway", level: 1 }).waitFor();
}

/** Waits until the page's socket is open: only then does it hear about changes. */
async function waitLive(page: Page): Promise<void> {
  await page.locator("#live-status[data-state=live]").waitFor();
}

/** The tile of `handle` in the room's `.stage` or `.audience`, optionally muted or not. */
function tile(page: Page, where: "stage" | "audience", handle: string, muted?: boolean) {
  const state = muted === undefined ? "" : muted ? ".muted" : ":not(.muted)";
  return page.locator(`#room-live .${where} li.person${state}[data-handle="${handle}"]`);
}

/** Waits for `what` on every page at once: the live update has to reach all of them. */
async function onEvery(pages: Page[], what: (page: Page) => ReturnType<Page["locator"]>) {
  await Promise.all(pages.map((page) => what(page).waitFor()));
}

/**
 * Opens the host's "Moderate @x" menu and clicks one of its items. A socket frame re-renders
 * the room (and closes the menu) whenever anything changes, so a click that finds the menu
 * closed again opens it once more instead of failing.
 */
async function moderate(page: Page, handle: string, label: string): Promise<void> {
  const tileOf = page.locator(`#room-live li.person[data-handle="${handle}"]`);
  const menu = tileOf.locator("details.moderator-menu");
  const item = tileOf.getByRole("button", { name: `${label}: @${handle}`, exact: true });
  const deadline = Date.now() + liveWaitMs;
  for (;;) {
    if (await menu.getAttribute("open") === null) {
      await tileOf.locator(`summary[aria-label="Moderate @${handle}"]`).click();
    }
    try {
      await item.click({ timeout: 2_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/**
 * A TCP relay in front of Palabre whose connections can be cut, as when a phone loses its
 * network. Chromium's `context.setOffline(true)` does not close a WebSocket that is already
 * open (tried: the page stayed "Live"), so a page that must see its socket drop goes through one.
 * Cookies do not depend on the port: the same session works on both origins.
 */
class CuttableLink {
  #listener: Deno.TcpListener;
  #target: number;
  #open = new Set<Deno.Conn>();
  #up = true;

  constructor(targetPort: number) {
    this.#target = targetPort;
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    this.#accept();
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#listener.addr.port}`;
  }

  /** Drops every open connection and refuses new ones until `restore`. */
  cut(): void {
    this.#up = false;
    for (const conn of this.#open) closeQuietly(conn);
    this.#open.clear();
  }

  restore(): void {
    this.#up = true;
  }

  close(): void {
    this.cut();
    this.#listener.close();
  }

  async #accept(): Promise<void> {
    try {
      for await (const client of this.#listener) {
        if (!this.#up) {
          closeQuietly(client);
          continue;
        }
        this.#relay(client);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }

  async #relay(client: Deno.Conn): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect({ hostname: "127.0.0.1", port: this.#target });
    } catch {
      // Palabre is gone (the test is ending): the browser sees a refused connection.
      closeQuietly(client);
      return;
    }
    this.#open.add(client);
    this.#open.add(server);
    // When either side ends, or the link is cut, both sides close.
    const end = () => {
      for (const conn of [client, server]) {
        this.#open.delete(conn);
        closeQuietly(conn);
      }
    };
    await Promise.allSettled([
      client.readable.pipeTo(server.writable).finally(end),
      server.readable.pipeTo(client.writable).finally(end),
    ]);
  }
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch (error) {
    // Closing twice is expected here: both pipes and `cut` close the same pair.
    if (!(error instanceof Deno.errors.BadResource)) throw error;
  }
}

/**
 * Cuts `page`'s connections (it must be served through `link`), runs `whileCut`, restores them
 * and waits for the page to be live again.
 */
async function withNetworkCut(
  watch: PageWatch,
  link: CuttableLink,
  page: Page,
  label: string,
  whileCut: () => Promise<void>,
): Promise<void> {
  // While cut, each reconnect attempt fails: Chromium logs "WebSocket connection to … failed"
  // and htmx logs the `htmx:ws:error` event it raises for it, both as console errors. The
  // page's live part and its bell (`/notifications/live`) both go through the cut link. Those,
  // on this page and in this window only, are the ones we caused; anything else stays a problem.
  const livePartIds = String.raw`room-live|hallway-lists|bell\.bell`;
  const caused = [
    String.raw`WebSocket connection to 'ws://[^']+/live' failed: `,
    String.raw`htmx: htmx:ws:error: .*\{elt: div#(${livePartIds}), detail: Object\}`,
  ].map((message) => new RegExp(String.raw`^\[${label}\] console error: ${message}`));
  await watch.excusing(caused, async () => {
    const cutAt = Date.now();
    link.cut();
    try {
      await page.locator("#live-status[data-state=reconnecting]").waitFor();
      assert.equal(await page.locator("#live-status").innerText(), "Reconnecting…");
      await whileCut();
    } finally {
      link.restore();
    }
    // htmx backs off between attempts (doubling from 0.5 s): the next one may be as far away as
    // the cut was long.
    const cutMs = Date.now() - cutAt;
    await page.locator("#live-status[data-state=live]").waitFor({
      timeout: liveWaitMs + 2 * cutMs,
    });
  });
}

async function liveRoom(
  browser: Browser,
  origin: string,
  link: CuttableLink,
  kind: DatabaseKind,
) {
  const watch = new PageWatch();
  const shot = (page: Page, step: string) => screenshot(page, `${kind}-rooms-${step}`);
  await watch.check(async () => {
    // Ada, the administrator and host, on a desktop, invites Lin and Mae.
    const host = withTimeouts(await watch.newPage(browser, "host", desktop));
    await host.goto(`${origin}/setup`);
    await fillAccount(host, ada);
    await Promise.all([
      host.waitForURL(`${origin}/topics`),
      host.getByRole("button", { name: "Create administrator" }).click(),
    ]);
    await pickTopicsAndContinue(host, origin, ["Jazz", "Chess", "Open Source"]);
    await host.goto(`${origin}/invites`);
    const createInvite = host.getByRole("button", { name: "Create an invite link" });
    const links = host.getByLabel("Invite link");
    await createInvite.click();
    await links.first().waitFor();
    await createInvite.click();
    await links.nth(1).waitFor();
    const [linLink, maeLink] = await Promise.all(
      [links.nth(0), links.nth(1)].map((l) => l.inputValue()),
    );
    assert.notEqual(linLink, maeLink);

    // Lin listens on a phone; Mae on a desktop, with a second window that stays on the hallway.
    const listener = withTimeouts(await watch.newPage(browser, "lin", phone));
    await signUp(listener, origin, linLink, lin);
    // Mae's room page goes through a link we can cut.
    const audience = withTimeouts(await watch.newPage(browser, "mae", desktop));
    await signUp(audience, link.origin, maeLink.replace(origin, link.origin), mae);
    const hallway = withTimeouts(await watch.newPage(browser, "mae-hallway", desktop));
    await signIn(hallway, origin, mae);

    await host.goto(`${origin}/`);
    for (const page of [host, listener, audience, hallway]) {
      await waitLive(page);
      assert.match(await page.locator("#hallway-lists").innerText(), /Live now \(0\)/);
    }
    await markDocument(hallway);
    await shot(hallway, "01-hallway-before");

    // The host starts an open room on Jazz.
    await Promise.all([
      host.waitForURL(`${origin}/rooms/new`),
      host.getByRole("link", { name: "Start a room" }).click(),
    ]);
    await host.getByLabel("Title").fill(room.title);
    await host.getByLabel("Description").fill(room.description);
    await host.getByRole("radio", { name: /^Open/ }).check();
    // Categories are open; typing narrows them to the topic sought.
    await host.getByLabel("Find a topic").fill(room.topic.toLowerCase());
    await host.locator("label.chip", { hasText: room.topic }).click();
    assert.equal(
      await host.getByRole("checkbox", { name: room.topic, exact: true }).isChecked(),
      true,
    );
    await shot(host, "02-host-new-room");
    await Promise.all([
      // The room's address carries its opaque public id, not a number one could count up.
      host.waitForURL(new RegExp(`^${origin.replaceAll(".", "\\.")}/rooms/[A-Za-z0-9_-]{22}$`)),
      host.getByRole("button", { name: "Start the room" }).click(),
    ]);
    const roomUrl = host.url();
    const roomId = new URL(roomUrl).pathname.split("/").pop()!;
    await host.getByRole("heading", { name: room.title, level: 1 }).waitFor();
    await waitLive(host);
    await markDocument(host);
    await tile(host, "stage", ada.handle).waitFor();
    assert.match(await host.locator(".room-meta").innerText(), /#Jazz/);
    await shot(host, "03-host-room-started");

    // The room appears on every hallway without a reload.
    const card = (page: Page) => page.locator(`#hallway-lists li.room-card[data-room="${roomId}"]`);
    await onEvery([hallway, listener, audience], card);
    await hallway.getByRole("heading", { name: "Live now (1)" }).waitFor();
    const cardText = await card(hallway).innerText();
    assert.match(cardText, new RegExp(room.title));
    assert.match(cardText, /#Jazz/);
    assert.match(cardText, new RegExp(ada.displayName));
    assert.equal(await documentKept(hallway), true, "the hallway reloaded to show the room");
    await shot(hallway, "04-hallway-room-appeared");

    // Lin and Mae open it from their hallways.
    const roomPath = new URL(roomUrl).pathname;
    for (const page of [listener, audience]) {
      await Promise.all([
        page.waitForURL((url) => url.pathname === roomPath),
        card(page).getByRole("link").click(),
      ]);
      await waitLive(page);
      await markDocument(page);
    }
    const roomPages = [host, listener, audience];
    await onEvery(roomPages, (page) => tile(page, "audience", lin.handle));
    await onEvery(roomPages, (page) => tile(page, "audience", mae.handle));
    await card(hallway).getByText("1 on stage · 2 listening").waitFor();
    await shot(listener, "05-listener-in-audience");

    // Lin raises a hand; the host's queue shows it live.
    await listener.getByRole("button", { name: "Raise hand" }).click();
    await listener.getByRole("button", { name: "Lower hand" }).waitFor();
    await host.getByRole("heading", { name: "Raised hands (1)" }).waitFor();
    await tile(audience, "audience", lin.handle).getByText("hand raised").waitFor();
    await shot(host, "06-host-raised-hands");

    // The host invites; Lin sees the invitation and joins the stage.
    await host.getByRole("button", { name: `Invite to speak: @${lin.handle}`, exact: true })
      .click();
    await listener.getByText("A moderator invited you to speak.").waitFor();
    await shot(listener, "07-listener-invited");
    await listener.getByRole("button", { name: "Join the stage" }).click();
    await onEvery(roomPages, (page) => tile(page, "stage", lin.handle, true));
    await host.getByRole("heading", { name: "Raised hands (0)" }).waitFor();
    assert.equal(await tile(audience, "audience", lin.handle).count(), 0);
    await listener.getByText("You are on stage as speaker, muted.").waitFor();
    await card(hallway).getByText("2 on stage · 1 listening").waitFor();
    await shot(listener, "08-listener-on-stage");
    await shot(host, "09-host-listener-on-stage");

    // Mae's network drops: her page says so, and catches up once it is back.
    await withNetworkCut(watch, link, audience, "mae", async () => {
      await shot(audience, "10-audience-reconnecting");
      await listener.getByRole("button", { name: "You are muted: tap to talk" }).click();
      await onEvery([host, listener], (page) => tile(page, "stage", lin.handle, false));
    });
    await tile(audience, "stage", lin.handle, false).waitFor();
    await shot(audience, "11-audience-back-live");

    // The host mutes Lin; every page, Mae's included, hears it live.
    await moderate(host, lin.handle, "Mute");
    await onEvery(roomPages, (page) => tile(page, "stage", lin.handle, true));
    await listener.getByText("You are on stage as speaker, muted by a moderator.").waitFor();
    await listener.getByRole("button", { name: "A moderator muted you: tap to talk" }).waitFor();
    await shot(listener, "12-listener-muted-by-host");

    // The host moves Lin back to the audience.
    await moderate(host, lin.handle, "Move to audience");
    await onEvery(roomPages, (page) => tile(page, "audience", lin.handle));
    for (const page of roomPages) assert.equal(await tile(page, "stage", lin.handle).count(), 0);
    await listener.getByText("You are listening.").waitFor();
    await listener.getByRole("button", { name: "Raise hand" }).waitFor();
    await shot(listener, "13-listener-moved-down");
    await shot(host, "14-host-listener-moved-down");

    // The host ends the room: every room page says so, and the hallway lets it go.
    await host.getByRole("button", { name: "End room" }).click();
    await onEvery(roomPages, (page) => page.getByRole("heading", { name: "This room has ended" }));
    await card(hallway).waitFor({ state: "detached" });
    await hallway.getByRole("heading", { name: "Live now (0)" }).waitFor();
    await hallway.getByText("No rooms are live right now").waitFor();
    await shot(host, "15-host-ended");
    await shot(listener, "16-listener-ended");
    await shot(hallway, "17-hallway-room-gone");

    for (const [page, who] of [[host, "host"], [listener, "lin"], [audience, "mae"]] as const) {
      assert.equal(new URL(page.url()).pathname, roomPath);
      assert.equal(await documentKept(page), true, `${who}'s room page reloaded`);
    }
    assert.equal(hallway.url(), `${origin}/`);
    assert.equal(await documentKept(hallway), true, "the hallway page reloaded");
  });
}

for (const kind of databaseKinds) {
  Deno.test({
    name: `a listener is invited on stage, muted, moved down and sees the room end, live [${kind}]`,
    ignore,
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const link = new CuttableLink(Number(new URL(palabre.origin).port));
      try {
        const browser = await launchChromium();
        try {
          await liveRoom(browser, palabre.origin, link, kind);
        } finally {
          await browser.close();
        }
      } finally {
        link.close();
        await palabre.close();
      }
    },
  });
}
