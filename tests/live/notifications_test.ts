/**
 * Notifications reach the bell sockets of the pages open: in one served process on both
 * databases, and from one Palabre process to a page whose socket is on another (LISTEN/NOTIFY).
 */
import assert from "node:assert/strict";
import { databaseKinds, freshDatabase, type TestDatabase } from "../support/databases.ts";
import { follow } from "../../db/profiles.ts";
import { startRoom } from "../../db/rooms.ts";
import { LiveSocket, seedRoom, serveHere, startProcess } from "./support.ts";

/** The unread count a bell frame shows, or 0 when it hides the count. */
function bellCount(html: string): number | undefined {
  if (!html.includes('id="bell-count"')) return undefined;
  const count = /<span aria-hidden="true">(\d+)<\/span>/.exec(html)?.[1];
  return count === undefined ? 0 : Number(count);
}

/** A toast in a frame: the room it links to and what it says. */
function toastOf(html: string): { href: string; text: string } | undefined {
  const found = /class="toast"[^>]*><a href="([^"]+)">([^<]+)<\/a>/.exec(html);
  return found ? { href: found[1], text: found[2] } : undefined;
}

async function startRoomOver(origin: string, cookie: string, title: string): Promise<string> {
  const response = await fetch(`${origin}/rooms`, {
    method: "POST",
    redirect: "manual",
    headers: {
      Origin: origin,
      Cookie: cookie,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ title, description: "", kind: "open", topics: "jazz" }),
  });
  await response.body?.cancel();
  assert.equal(response.status, 303);
  return response.headers.get("Location")!;
}

for (const kind of databaseKinds) {
  Deno.test({
    name: `a followed host's new room reaches the follower's bell socket [${kind}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db: TestDatabase = await freshDatabase(kind);
      const served = await serveHere(db);
      const origin = served.origin;
      let bell: LiveSocket | undefined;
      try {
        const { ids, adaCookie, graceCookie } = await seedRoom(db.sql, "First set");
        await follow(db.sql, ids.grace, "ada");
        bell = await LiveSocket.open(origin, "/notifications/live", graceCookie);
        await bell.waitFor((frame) => bellCount(frame) === 0);
        const room = await startRoomOver(origin, adaCookie, "Second set");
        const frame = await bell.waitFor((f) => toastOf(f) !== undefined);
        assert.deepEqual(toastOf(frame), { href: room, text: "Ada Lovelace started “Second set”" });
        assert.equal(bellCount(frame), 1);
        // Ada's own bell told her nothing; a stranger's room tells Grace nothing either.
        await startRoom(db.sql, ids.ada, {
          title: "Third",
          description: "",
          topics: ["jazz"],
          kind: "closed",
        });
        assert.equal(bell.frames.filter((f) => toastOf(f)).length, 1);
      } finally {
        bell?.close();
        await served.stop();
        await db.close();
      }
    },
  });
}

Deno.test({
  name: "a room started through one process toasts a bell socket on another [postgres]",
  ignore: !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const processes = [];
    let bell: LiveSocket | undefined;
    try {
      const { ids, adaCookie, graceCookie } = await seedRoom(db.sql, "Across processes");
      await follow(db.sql, ids.grace, "ada");
      const [one, two] = await Promise.all([startProcess(db.url!), startProcess(db.url!)]);
      processes.push(one, two);
      bell = await LiveSocket.open(one.origin, "/notifications/live", graceCookie);
      await bell.waitFor((frame) => bellCount(frame) === 0);
      const room = await startRoomOver(two.origin, adaCookie, "Second set");
      const frame = await bell.waitFor((f) => toastOf(f) !== undefined);
      assert.deepEqual(toastOf(frame), { href: room, text: "Ada Lovelace started “Second set”" });
      assert.equal(bellCount(frame), 1);
      // Reading them all through process two sets the bell on process one back to nothing.
      const seen = bell.frames.length;
      const read = await fetch(`${two.origin}/notifications/read-all`, {
        method: "POST",
        redirect: "manual",
        headers: { Origin: two.origin, Cookie: graceCookie },
      });
      await read.body?.cancel();
      assert.equal(read.status, 303);
      await bell.waitFor(() => bell!.frames.slice(seen).some((f) => bellCount(f) === 0));
    } finally {
      bell?.close();
      for (const p of processes) await p.stop();
      await db.close();
    }
  },
});
