/**
 * Two Palabre processes on one PostgreSQL stay in step: a change made through one reaches a
 * page whose socket is on the other, through LISTEN/NOTIFY alone.
 */
import assert from "node:assert/strict";
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { LiveSocket, seedRoom, startProcess } from "./support.ts";

/** The count in the moderators' "Raised hands (n)" heading of a room frame. */
function handsCount(html: string): number | undefined {
  const count = /Raised hands <span class="count">\((\d+)\)/.exec(html)?.[1];
  return count === undefined ? undefined : Number(count);
}

Deno.test({
  name: "a change through one process reaches a socket on another [postgres]",
  ignore: !databaseKinds.includes("postgres"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const db = await freshDatabase("postgres");
    const processes = [];
    const sockets: LiveSocket[] = [];
    try {
      const { publicId, adaCookie, graceCookie } = await seedRoom(db.sql, "Across processes");

      const [one, two] = await Promise.all([startProcess(db.url!), startProcess(db.url!)]);
      processes.push(one, two);

      // Ada watches the room through process one.
      const adaSocket = await LiveSocket.open(one.origin, `/rooms/${publicId}/live`, adaCookie);
      sockets.push(adaSocket);
      await adaSocket.waitFor((frame) => handsCount(frame) === 0);

      // Grace raises her hand through process two, over plain HTTP.
      const response = await fetch(`${two.origin}/rooms/${publicId}/act`, {
        method: "POST",
        redirect: "manual",
        headers: {
          Origin: two.origin,
          Cookie: graceCookie,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: "action=raise_hand",
      });
      await response.body?.cancel();
      assert.equal(response.status, 303);

      const frame = await adaSocket.waitFor((f) => handsCount(f) === 1);
      assert.match(frame, /class="hand-queue".*Invite to speak: @grace/s);
    } finally {
      for (const socket of sockets) socket.close();
      for (const p of processes) await p.stop();
      await db.close();
    }
  },
});

if (!databaseKinds.includes("postgres")) {
  console.warn(
    "\n!!! TEST_DATABASE_URL is not set: the two-process live test is SKIPPED !!!\n",
  );
}
