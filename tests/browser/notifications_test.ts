/**
 * Notifications in a real browser: a member follows a host from the host's profile, goes to the
 * hallway, and when the host starts a room the open hallway shows a toast linking to the room
 * and the bell's count, without a reload; dismissing the toast takes it away. In a hidden tab
 * whose browser allowed notifications, the toast is the browser's own notification too.
 */
import assert from "node:assert/strict";
import { publicRoomId, startRoom } from "../../db/rooms.ts";
import { seedRoom } from "../live/support.ts";
import { follow } from "../../db/profiles.ts";
import { databaseKinds } from "../support/databases.ts";
import {
  browserTestsIgnored,
  desktop,
  documentKept,
  launchChromium,
  markDocument,
  PageWatch,
  screenshot,
  signInWith,
  startPalabre,
} from "./support.ts";

const liveWaitMs = 15_000;

for (const kind of databaseKinds) {
  Deno.test({
    name:
      `a followed host's new room toasts the follower's open hallway and counts on the bell [${kind}]`,
    ignore: browserTestsIgnored(),
    // postgres.js and Chromium's pipe keep sockets and timers open by design.
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const browser = await launchChromium();
      const watch = new PageWatch();
      try {
        const world = await seedRoom(palabre.sql, "Warm-up");
        await watch.check(async () => {
          const grace = await watch.newPage(browser, "grace", desktop);
          grace.setDefaultTimeout(liveWaitMs);
          await signInWith(grace, palabre.origin, world.graceCookie);
          await grace.goto(`${palabre.origin}/@ada`);
          await grace.getByRole("button", { name: "Follow @ada" }).click();
          await grace.getByRole("button", { name: "Following @ada" }).waitFor();

          await grace.goto(`${palabre.origin}/`);
          await grace.locator("#live-status[data-state=live]").waitFor();
          // The bell's socket has sent its first count (none yet) before the room starts.
          await grace.locator("#bell-count[data-live]").waitFor({ state: "attached" });
          await markDocument(grace);

          const roomId = await startRoom(palabre.sql, world.ids.ada, {
            title: "Night owls",
            description: "",
            topics: ["jazz"],
            kind: "open",
          });
          const publicId = await publicRoomId(palabre.sql, roomId);

          const toast = grace.locator("#toast-list .toast a");
          await toast.waitFor();
          assert.equal(await toast.textContent(), "Ada Lovelace started “Night owls”");
          assert.equal(await toast.getAttribute("href"), `/rooms/${publicId}`);
          const bell = grace.getByRole("link", { name: /Notifications\s*1 unread/ });
          await bell.waitFor();
          assert.equal((await grace.locator("#bell-count").textContent())?.startsWith("1"), true);
          assert.ok(await documentKept(grace), "the hallway was not reloaded");
          // The hallway's own socket still tells its state: the bell's is not what it shows.
          assert.equal(await grace.locator("#live-status").getAttribute("data-state"), "live");
          await screenshot(grace, "notifications-toast");

          await grace.getByRole("button", { name: "Dismiss" }).click();
          await toast.waitFor({ state: "detached" });
        });
      } finally {
        await browser.close();
        await palabre.close();
      }
    },
  });
}

// Chromium cannot hide a headless tab: the page is told it is hidden, and the browser's real
// Notification constructor is watched by a subclass, before any of the page's scripts run.
const hiddenTabWithWatchedNotifications = `
  Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
  window.__notified = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notified.push(title);
    }
  };
`;

for (const kind of databaseKinds) {
  Deno.test({
    name:
      `in a hidden tab with notifications allowed, a toast is the browser's notification too [${kind}]`,
    ignore: browserTestsIgnored(),
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const palabre = await startPalabre(kind);
      const browser = await launchChromium();
      const watch = new PageWatch();
      try {
        const world = await seedRoom(palabre.sql, "Warm-up");
        await follow(palabre.sql, world.ids.grace, "ada");
        await watch.check(async () => {
          const grace = await watch.newPage(browser, "grace", desktop);
          grace.setDefaultTimeout(liveWaitMs);
          await grace.context().grantPermissions(["notifications"], { origin: palabre.origin });
          await grace.addInitScript(hiddenTabWithWatchedNotifications);
          await signInWith(grace, palabre.origin, world.graceCookie);
          await grace.goto(`${palabre.origin}/notifications`);
          await grace.locator("#bell-count[data-live]").waitFor({ state: "attached" });
          // Permission is already given: the button that asks for it stays hidden.
          assert.equal(await grace.locator("[data-notification-permission]").isHidden(), true);
          await startRoom(palabre.sql, world.ids.ada, {
            title: "Night owls",
            description: "",
            topics: ["jazz"],
            kind: "open",
          });
          await grace.locator("#toast-list .toast").waitFor();
          assert.deepEqual(await grace.evaluate("window.__notified"), [
            "Ada Lovelace started “Night owls”",
          ]);
        });
      } finally {
        await browser.close();
        await palabre.close();
      }
    },
  });
}
