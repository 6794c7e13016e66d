/**
 * The live sockets themselves: who may open one, what a bad message gets back, and that a page
 * sees the room's changes and the hallway's without asking.
 */
import assert from "node:assert/strict";
import { databaseKinds, freshDatabase, type TestDatabase } from "../support/databases.ts";
import { publicRoomId, startRoom } from "../../db/rooms.ts";
import { act } from "../../db/room_actions.ts";
import { LiveSocket, type RoomWorld, seedRoom, serveHere } from "./support.ts";
import { setMemberLanguage } from "../../db/users.ts";

interface World extends RoomWorld {
  db: TestDatabase;
  origin: string;
}

/** Palabre in this process with a running live hub, a room by Ada, Grace in its audience. */
async function withWorld(kind: "pglite" | "postgres", fn: (world: World) => Promise<void>) {
  const db = await freshDatabase(kind);
  const served = await serveHere(db);
  try {
    const seeded = await seedRoom(db.sql, "Sockets");
    await fn({ db, origin: served.origin, ...seeded });
  } finally {
    await served.stop();
    await db.close();
  }
}

function liveTest(name: string, fn: (world: World) => Promise<void>) {
  for (const kind of databaseKinds) {
    Deno.test({
      name: `${name} [${kind}]`,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: () => withWorld(kind, fn),
    });
  }
}

async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    headers: {
      Connection: "Upgrade",
      Upgrade: "websocket",
      "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      ...headers,
    },
  });
  await response.body?.cancel();
  return response.status;
}

liveTest("a socket from another site or without a session is refused", async (w) => {
  const url = `${w.origin}/rooms/${w.publicId}/live`;
  assert.equal(
    await upgradeStatus(url, { Origin: "https://evil.example", Cookie: w.graceCookie }),
    403,
  );
  assert.equal(await upgradeStatus(url, { Cookie: w.graceCookie }), 403);
  assert.equal(await upgradeStatus(url, { Origin: w.origin }), 401);
  assert.equal(
    await upgradeStatus(`${w.origin}/hallway/live`, { Origin: "https://evil.example" }),
    403,
  );
  assert.equal(
    await upgradeStatus(`${w.origin}/rooms/999/live`, { Origin: w.origin, Cookie: w.graceCookie }),
    404,
  );
});

liveTest("a socket to a room the member may not see is closed like one to no room", async (w) => {
  const closed = await startRoom(w.db.sql, w.ids.ada, {
    title: "Behind doors",
    description: "",
    topics: ["chess"],
    kind: "closed",
  });
  const ended = await startRoom(w.db.sql, w.ids.ada, {
    title: "Over now",
    description: "",
    topics: ["chess"],
    kind: "closed",
  });
  await act(w.db.sql, w.ids.ada, ended, { type: "end" });
  /** Every frame Grace's socket gets before it is closed, and how it is closed. */
  const visit = async (publicId: string) => {
    const socket = await LiveSocket.open(w.origin, `/rooms/${publicId}/live`, w.graceCookie);
    const code = await socket.closed;
    return { code, frames: socket.frames };
  };
  const none = await visit("AAAAAAAAAAAAAAAAAAAAAA");
  // A normal close, which htmx does not retry, with nothing about the room.
  assert.equal(none.code, 1000);
  assert.equal(none.frames.length, 1);
  assert.match(none.frames[0], /You are not in this room/);
  for (const roomId of [closed, ended]) {
    assert.deepEqual(await visit(await publicRoomId(w.db.sql, roomId)), none);
  }
});

liveTest("a malformed socket message gets an error frame and the socket stays open", async (w) => {
  const grace = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  try {
    await grace.waitFor((html) => html.includes("Raise hand"));
    grace.send("this is not json");
    await grace.waitFor((html) => html.includes("not valid JSON"));
    grace.send({ action: "launch_rockets" });
    await grace.waitFor((html) => html.includes("Unknown action"));
    grace.send({ action: "end" });
    await grace.waitFor((html) => html.includes("Only moderators can do this"));
    // Still open: a good message works and comes back as the room's new state.
    grace.send({ action: "raise_hand" });
    await grace.waitFor((html) => html.includes("Lower hand"));
  } finally {
    grace.close();
  }
});

liveTest("every page in a room sees a change made by another member", async (w) => {
  const ada = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.adaCookie);
  const grace = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  try {
    await act(w.db.sql, w.ids.grace, w.roomId, { type: "raise_hand" });
    // Per viewer: the moderator's frame has controls the listener's does not (a change sends
    // only the parts it changed: here the raised hands, which only moderators see).
    const adaView = await ada.waitFor((html) =>
      /Raised hands <span class="count">\(1\)/.test(html)
    );
    assert.match(adaView, /Invite to speak: @grace/);
    const graceView = await grace.waitFor((html) => html.includes("Lower hand"));
    assert.doesNotMatch(graceView, /End room|Raised hands|Invite to speak: @grace/);
  } finally {
    ada.close();
    grace.close();
  }
});

liveTest("the hallway sees a room appear and end", async (w) => {
  const hallway = await LiveSocket.open(w.origin, "/hallway/live", w.graceCookie);
  try {
    await hallway.waitFor((html) => html.includes("Sockets"));
    const second = await startRoom(w.db.sql, w.ids.ada, {
      title: "Second room",
      description: "",
      topics: ["chess"],
      kind: "open",
    });
    await hallway.waitFor((html) => html.includes("Second room"));
    await act(w.db.sql, w.ids.ada, second, { type: "end" });
    await hallway.waitFor((html) => html.includes("Sockets") && !html.includes("Second room"));
  } finally {
    hallway.close();
  }
});

liveTest("a page that reconnects within the presence timeout keeps its place", async (w) => {
  const first = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  await first.waitFor((html) => html.includes("Raise hand"));
  first.close();
  // Gone for a while, but less than the timeout (30 s): the seat is still there.
  await w.db.sql`update participants set last_seen_at = now() - interval '20 seconds'
                 where user_id = ${w.ids.grace}`;
  const again = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  try {
    await again.waitFor((html) => html.includes("Raise hand"));
    const [seat] = await w.db.sql`select last_seen_at > now() - interval '5 seconds' as fresh
                                  from participants where user_id = ${w.ids.grace}`;
    assert.equal(seat.fresh, true);
  } finally {
    again.close();
  }
});

liveTest("a removed member's page is told and let go without reconnecting", async (w) => {
  const grace = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  await grace.waitFor((html) => html.includes("Raise hand"));
  await act(w.db.sql, w.ids.ada, w.roomId, { type: "remove", target: "grace" });
  await grace.waitFor((html) => html.includes("You are not in this room"));
  // 1000 is a normal close: htmx does not retry it.
  assert.equal(await grace.closed, 1000);
  // Coming back later gets the same answer, not a refused upgrade.
  const again = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  await again.waitFor((html) => html.includes("You are not in this room"));
  assert.equal(await again.closed, 1000);
});

liveTest("each page's frames speak its viewer's language, in one room", async (w) => {
  await setMemberLanguage(w.db.sql, w.ids.grace, "fr");
  const grace = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  const ada = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.adaCookie);
  try {
    await grace.waitFor((html) => html.includes("Lever la main"));
    grace.send({ action: "launch_rockets" });
    await grace.waitFor((html) => html.includes("Action inconnue"));
    // One change, rendered once per language: Grace reads French, Ada English.
    grace.send({ action: "raise_hand" });
    await grace.waitFor((html) => html.includes("Baisser la main"));
    await ada.waitFor((html) => html.includes('Raised hands <span class="count">(1)'));
    assert.ok(!ada.frames.some((frame) => frame.includes("Mains levées")));
  } finally {
    grace.close();
    ada.close();
  }
});

liveTest("viewers who see the same room in two languages get one rendering each", async (w) => {
  // The same listener twice, one page in English, one in French (the footer's cookie).
  const english = await LiveSocket.open(w.origin, `/rooms/${w.publicId}/live`, w.graceCookie);
  const french = await LiveSocket.open(
    w.origin,
    `/rooms/${w.publicId}/live`,
    `${w.graceCookie}; palabre_language=fr`,
  );
  try {
    await english.waitFor((html) => html.includes("Raise hand"));
    await french.waitFor((html) => html.includes("Lever la main"));
    await act(w.db.sql, w.ids.ada, w.roomId, { type: "hands", enabled: false });
    await english.waitFor((html) => html.includes("The moderators turned hands off."));
    await french.waitFor((html) => html.includes("Les modérateurs ont fermé les mains levées."));
  } finally {
    english.close();
    french.close();
  }
});
