/**
 * A member signed out by a suspension or a deletion (db/departures.ts): their open pages are told
 * why on the bell's socket and every socket of theirs closes normally, on the process that made
 * the change and on another one (LISTEN/NOTIFY); the room they were in goes on without them.
 */
import assert from "node:assert/strict";
import { databaseKinds, freshDatabase, type TestDatabase } from "../support/databases.ts";
import type { Sql } from "../../db/client.ts";
import { leaveEveryRoom, lockMember, signOutEverywhere } from "../../db/departures.ts";
import type { Departure } from "../../db/events.ts";
import { LiveSocket, seedRoom, serveHere, startProcess } from "./support.ts";

async function depart(sql: Sql, memberId: number, why: Departure): Promise<void> {
  await sql.begin(async (tx) => {
    await lockMember(tx, memberId);
    await leaveEveryRoom(tx, memberId);
    await signOutEverywhere(tx, memberId, why);
  });
}

for (const kind of databaseKinds) {
  Deno.test({
    name: `a suspended listener's bell says so and all their sockets close [${kind}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db: TestDatabase = await freshDatabase(kind);
      const served = await serveHere(db);
      const origin = served.origin;
      const sockets: LiveSocket[] = [];
      try {
        const { ids, publicId, adaCookie, graceCookie } = await seedRoom(db.sql, "First set");
        const open = async (path: string, cookie: string) => {
          const socket = await LiveSocket.open(origin, path, cookie);
          sockets.push(socket);
          return socket;
        };
        const bell = await open("/notifications/live", graceCookie);
        const room = await open(`/rooms/${publicId}/live`, graceCookie);
        const hallway = await open("/hallway/live", graceCookie);
        const host = await open(`/rooms/${publicId}/live`, adaCookie);
        await host.waitFor((f) => f.includes("@grace"));
        const hostFrames = host.frames.length;
        await depart(db.sql, ids.grace, "suspended");
        const told = await bell.waitFor((f) => f.includes("account-ended"));
        assert.match(told, /Your account is suspended/);
        assert.match(told, /hx-target="#main"/);
        assert.deepEqual(
          await Promise.all([bell.closed, room.closed, hallway.closed]),
          [1000, 1000, 1000],
        );
        // The host's page hears the room without Grace; Ada's own bell was told nothing.
        const audience = /id="room-audience"[\s\S]*?<\/section>/;
        await host.waitFor(() =>
          host.frames.slice(hostFrames).some((f) => audience.test(f) && !f.includes("@grace"))
        );
        const adaBell = await open("/notifications/live", adaCookie);
        await adaBell.waitFor((f) => f.includes("bell-count"));
        assert.ok(!adaBell.frames.some((f) => f.includes("account-ended")));
        // Grace's cookie no longer opens a socket.
        const refused = await fetch(`${origin}/notifications/live`, {
          headers: { Origin: origin, Cookie: graceCookie, Upgrade: "websocket" },
        });
        await refused.body?.cancel();
        assert.equal(refused.status, 401);
      } finally {
        for (const socket of sockets) socket.close();
        await served.stop();
        await db.close();
      }
    },
  });
}

Deno.test({
  name: "a deletion made through one process tells the member's page on another [postgres]",
  ignore: !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const processes = [];
    let bell: LiveSocket | undefined;
    try {
      const { ids, graceCookie } = await seedRoom(db.sql, "Across processes");
      const one = await startProcess(db.url!);
      processes.push(one);
      bell = await LiveSocket.open(one.origin, "/notifications/live", graceCookie);
      await bell.waitFor((frame) => frame.includes("bell-count"));
      // The test's own connection is "another process": the change reaches process one by NOTIFY.
      await depart(db.sql, ids.grace, "deleted");
      const told = await bell.waitFor((f) => f.includes("account-ended"));
      assert.match(told, /Your account was deleted/);
      assert.equal(await bell.closed, 1000);
    } finally {
      bell?.close();
      for (const p of processes) await p.stop();
      await db.close();
    }
  },
});
