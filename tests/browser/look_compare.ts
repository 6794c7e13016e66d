/**
 * Compares the look of Palabre's main pages under two stylesheets: the one the server serves now
 * and an older one given as a file. Each page is opened once, screenshotted, then given the older
 * stylesheet in place (same DOM, same data) and screenshotted again; the two pictures are
 * compared pixel by pixel in Chromium itself (no PNG package). Run after a CSS refactor:
 *
 * @example
 * git show HEAD~3:static/app.css > /tmp/old.css
 * deno run --allow-all tests/browser/look_compare.ts /tmp/old.css
 */
import type { Browser, Page } from "playwright-core";
import { joinRoom, scheduleEvent, startRoom } from "../../db/rooms.ts";
import { createInvite } from "../../db/invites.ts";
import { act } from "../../db/room_actions.ts";
import { seededPassword, seedSmallCommunity } from "../support/community.ts";
import { desktop, launchChromium, phone, startPalabre } from "./support.ts";

const oldCss = await Deno.readTextFile(Deno.args[0]);
const outDir = Deno.args[1] ?? "/tmp/look";
await Deno.mkdir(outDir, { recursive: true });

const palabre = await startPalabre("pglite");
const { admin, community } = await seedSmallCommunity(palabre.sql, { members: 40, listens: 400 });
const topics = await palabre.sql`select slug from topics order by id limit 2`;
const roomId = await startRoom(palabre.sql, admin.id, {
  title: "Late night jazz",
  description: "Standards, and what makes them last.",
  topics: topics.map((t) => t.slug),
  kind: "open",
});
const guests = community.members.filter((m) => m.id !== admin.id).slice(0, 9);
for (const guest of guests) await joinRoom(palabre.sql, guest.id, roomId);
for (const guest of guests.slice(0, 3)) {
  await act(palabre.sql, guest.id, roomId, { type: "raise_hand" });
}
await act(palabre.sql, admin.id, roomId, { type: "invite_to_speak", target: guests[0].handle });
await act(palabre.sql, guests[0].id, roomId, { type: "accept_invite" });
await act(palabre.sql, admin.id, roomId, { type: "invite_to_speak", target: guests[1].handle });
// The guests have no page open to keep their seats: seen a day ahead, no sweep takes them out.
await palabre.sql`
  update participants set last_seen_at = now() + interval '1 day' where room_id = ${roomId}`;
const closedId = await startRoom(palabre.sql, admin.id, {
  title: "Closed rehearsal",
  description: "By link only.",
  topics: [topics[0].slug],
  kind: "closed",
});
const endedId = await startRoom(palabre.sql, admin.id, {
  title: "Yesterday's talk",
  description: "Over.",
  topics: [topics[0].slug],
  kind: "open",
});
await act(palabre.sql, admin.id, endedId, { type: "end" });
await scheduleEvent(palabre.sql, admin.id, {
  title: "Tomorrow's session",
  description: "Scheduled.",
  topics: [topics[1].slug],
  kind: "open",
  startsAt: new Date(Date.now() + 86_400_000),
  cohosts: [],
});
await createInvite(palabre.sql, admin.id, { ttlMs: 86_400_000 });
const publicId = async (id: number) =>
  (await palabre.sql`select public_id from rooms where id = ${id}`)[0].public_id as string;
const roomPath = await publicId(roomId);

const pages = [
  ["signin", "/signin", false],
  ["hallway", "/", true],
  ["room", `/rooms/${roomPath}`, true],
  ["profile", `/@${guests[0].handle}`, true],
  ["settings", "/settings", true],
  ["admin", "/admin", true],
  ["recommendations", "/admin/recommendations", true],
  ["room-menu", `/rooms/${roomPath}#menu`, true],
  ["closed-room", `/rooms/${await publicId(closedId)}`, true],
  ["ended-room", `/rooms/${await publicId(endedId)}`, true],
  ["invites", "/invites", true],
  ["new-room", "/rooms/new", true],
  ["topics", "/topics", true],
] as const;

const phone390 = { ...phone, viewport: { width: 390, height: 844 } };
const looks = [
  ["390-light", { ...phone390, colorScheme: "light" }],
  ["390-dark", { ...phone390, colorScheme: "dark" }],
  ["1280-light", { ...desktop, colorScheme: "light" }],
  ["1280-dark", { ...desktop, colorScheme: "dark" }],
  ["1280-forced", { ...desktop, forcedColors: "active" }],
] as const;

const browser = await launchChromium();
let differing = 0;
try {
  await compareLooks(pages);
  // Then a hallway with nothing live: its empty state.
  // Ended behind the rules' back: the host's seat may be gone already, and nothing listens.
  await palabre.sql`update rooms set state = 'ended', ended_at = now() where state = 'live'`;
  await compareLooks([["hallway-empty", "/", true]]);
} finally {
  await browser.close();
  await palabre.close();
}
console.log(differing === 0 ? "Same look on every page" : `${differing} pages differ visibly`);
Deno.exit(differing === 0 ? 0 : 1);

/** Compares each of `list` in every look, signed in as the administrator where it needs to be. */
async function compareLooks(list: ReadonlyArray<readonly [string, string, boolean]>) {
  for (const [look, options] of looks) {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    await page.route(
      "**/static/old-look.css",
      (route) => route.fulfill({ body: oldCss, contentType: "text/css" }),
    );
    let signedIn = false;
    for (const [name, path, needsMember] of list) {
      if (needsMember && !signedIn) {
        await signIn(page, admin.handle);
        signedIn = true;
      }
      const label = `${name}-${look}`;
      const result = await compare(browser, page, `${palabre.origin}${path}`, label);
      if (result.visibly > 0) differing++;
      console.log(
        `${label.padEnd(30)} ${result.width}x${result.height} ` +
          `${result.differ} px differ, ${result.visibly} by more than 2 levels` +
          `${result.domChanged ? " (DOM changed between shots)" : ""}`,
      );
    }
    await context.close();
  }
}

async function signIn(page: Page, handle: string): Promise<void> {
  await page.goto(`${palabre.origin}/signin`);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Password").fill(seededPassword);
  await Promise.all([
    page.waitForURL(`${palabre.origin}/`),
    page.getByRole("button", { name: "Sign in" }).click(),
  ]);
}

/** Screenshots `url` under the served stylesheets, then under the old one only. */
async function compare(browser: Browser, page: Page, url: string, label: string) {
  await page.goto(url);
  // The room with a moderator's menu open over the audience.
  if (url.endsWith("#menu")) {
    await page.locator(".audience .moderator-menu > summary").first().click();
  }
  // No hover, no scroll: a sticky bar and a hovered link are placed alike in both shots.
  await page.mouse.move(0, 0);
  await page.waitForLoadState("networkidle").catch(() => {});
  const served = await page.evaluate(
    "[...document.querySelectorAll('link[rel=stylesheet]')].map((link) => link.href)",
  ) as string[];
  // Both shots are taken after the same swap, so loading a stylesheet late is no difference.
  await useStylesheets(page, served);
  const domBefore = await bodyHtml(page);
  const now = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide" });
  await useStylesheets(page, ["/static/old-look.css"]);
  const old = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide" });
  const domAfter = await bodyHtml(page);
  if (domBefore !== domAfter) {
    await Deno.writeTextFile(`${outDir}/${label}-before.html`, domBefore);
    await Deno.writeTextFile(`${outDir}/${label}-after.html`, domAfter);
  }
  await Deno.writeFile(`${outDir}/${label}-new.png`, now);
  await Deno.writeFile(`${outDir}/${label}-old.png`, old);
  const counts = await countDiffering(browser, now, old);
  return { ...counts, domChanged: domBefore !== domAfter };
}

/** The page's body, less the empty style attributes screenshots leave on inputs. */
async function bodyHtml(page: Page): Promise<string> {
  const html = await page.evaluate("document.body.outerHTML") as string;
  return html.replaceAll(' style=""', "");
}

/** Replaces the page's stylesheets with `hrefs`, and lets it settle (images in masks decode late). */
async function useStylesheets(page: Page, hrefs: string[]): Promise<void> {
  // Run in the page (a string: this file is checked without the DOM's types).
  await page.evaluate(`(async (hrefs) => {
    for (const link of document.querySelectorAll("link[rel=stylesheet]")) link.remove();
    await Promise.all(hrefs.map((href) => new Promise((resolve, reject) => {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      link.onload = resolve;
      link.onerror = reject;
      document.head.append(link);
    })));
    await document.fonts.ready;
    scrollTo(0, 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  })(${JSON.stringify(hrefs)})`);
}

/**
 * Decodes both PNGs on a canvas and counts the pixels that differ at all, and those that differ
 * by more than 2 levels in a channel (a raster's rounding is 1 level here and there; sizes
 * differing count all).
 */
async function countDiffering(browser: Browser, a: Uint8Array, b: Uint8Array) {
  const page = await browser.newPage();
  try {
    const toUrl = (png: Uint8Array) => {
      let binary = "";
      for (let i = 0; i < png.length; i += 0x8000) {
        binary += String.fromCharCode(...png.subarray(i, i + 0x8000));
      }
      return `data:image/png;base64,${btoa(binary)}`;
    };
    return await page.evaluate(`(async ([a, b]) => {
      const load = async (src) => {
        const image = new Image();
        image.src = src;
        await image.decode();
        const canvas = new OffscreenCanvas(image.width, image.height);
        const context = canvas.getContext("2d");
        context.drawImage(image, 0, 0);
        return context.getImageData(0, 0, image.width, image.height);
      };
      const [x, y] = [await load(a), await load(b)];
      if (x.width !== y.width || x.height !== y.height) {
        const all = Math.max(x.width * x.height, y.width * y.height);
        return { width: x.width, height: x.height, differ: all, visibly: all };
      }
      let differ = 0;
      let visibly = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        const most = Math.max(...[0, 1, 2, 3].map((c) => Math.abs(x.data[i + c] - y.data[i + c])));
        if (most > 2) visibly++;
        if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] ||
          x.data[i + 2] !== y.data[i + 2] || x.data[i + 3] !== y.data[i + 3]) differ++;
      }
      return { width: x.width, height: x.height, differ, visibly };
    })(${JSON.stringify([toUrl(a), toUrl(b)])})`) as {
      width: number;
      height: number;
      differ: number;
      visibly: number;
    };
  } finally {
    await page.close();
  }
}
