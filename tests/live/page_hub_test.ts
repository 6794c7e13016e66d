/**
 * The page hub: a room change sends each page only the parts of the room that changed for it,
 * a page that connects gets the whole room, and the hub's pages when the process stops.
 */
import assert from "node:assert/strict";
import { WSContext } from "hono/ws";
import { dbTest } from "../support/databases.ts";
import { loadConfig } from "../../config.ts";
import { LiveHub } from "../../live/live_hub.ts";
import type { LivePage } from "../../live/page_hub.ts";
import { english } from "../../i18n/translate.ts";
import { PageHub } from "../../live/page_hub.ts";
import { RoomFeed } from "../../live/room_feed.ts";
import { HallwayRanker } from "../../recommend/hallway.ts";
import { act } from "../../db/room_actions.ts";
import { joinRoom } from "../../db/rooms.ts";
import type { Sql } from "../../db/client.ts";
import { invitedMember } from "../db/support.ts";
import { seedRoom } from "./support.ts";

/** A socket as hono/ws hands it over, recording how it was closed. */
function socket(close: (code?: number) => void): WSContext {
  return new WSContext({ send() {}, close, readyState: 1 });
}

dbTest("stopping closes every page even when one socket is already gone", async (sql) => {
  const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
  const hub = new LiveHub({ sql, config });
  const closed: (number | undefined)[] = [];
  const gone: LivePage = {
    words: english,
    ws: socket(() => {
      throw new Error("The socket is already closed");
    }),
    memberId: 1,
    roomId: null,
  };
  const open: LivePage = {
    ws: socket((code) => closed.push(code)),
    memberId: 2,
    words: english,
    roomId: null,
  };
  await hub.open(gone);
  await hub.open(open);
  await hub.stop();
  assert.deepEqual(closed, [1001]);
  assert.equal(hub.pageCount, 0);
});

/** A room page's socket in this process: every frame the hub sent it, as htmx would read it. */
class RecordedPage {
  readonly frames: { content: string; target: string; swap: string }[] = [];
  readonly bytes: number[] = [];
  readonly page: LivePage;

  constructor(memberId: number, roomId: number) {
    const ws = new WSContext({
      send: (data) => {
        this.bytes.push(String(data).length);
        this.frames.push(JSON.parse(String(data)));
      },
      close() {},
      readyState: 1,
    });
    this.page = { ws, memberId, words: english, roomId };
  }

  /** The ids of the parts the last frame swapped, or "whole" when it replaced the live part. */
  lastSwapped(): string[] | "whole" {
    const content = this.frames.at(-1)!.content;
    const partials = [...content.matchAll(/<hx-partial hx-target="#([a-z-]+)"/g)].map((m) => m[1]);
    return partials.length === 0 ? "whole" : partials;
  }
}

/** A page hub on `sql` and a room by Ada with Grace and Lin listening, each with a page open. */
async function roomWithPages(sql: Sql) {
  const world = await seedRoom(sql, "Partials");
  const lin = await invitedMember(sql, world.ids.ada, "lin");
  await joinRoom(sql, lin.id, world.roomId);
  const feed = new RoomFeed({ sql });
  const hub = new PageHub({ sql, feed, ranker: new HallwayRanker(sql) });
  const pages = {
    ada: new RecordedPage(world.ids.ada, world.roomId),
    grace: new RecordedPage(world.ids.grace, world.roomId),
    lin: new RecordedPage(lin.id, world.roomId),
  };
  for (const page of Object.values(pages)) await hub.open(page.page);
  /** What the room feed does after a change: one read, handed to the hub. */
  const changed = async () => {
    const { number, snapshot } = await feed.read(world.roomId);
    hub.roomRead(world.roomId, snapshot, number);
  };
  return { world, lin, hub, pages, changed };
}

dbTest("a raised hand sends each page only the parts of the room it changed", async (sql) => {
  const { world, pages, changed } = await roomWithPages(sql);
  for (const page of Object.values(pages)) assert.equal(page.lastSwapped(), "whole");
  await act(sql, world.ids.grace, world.roomId, { type: "raise_hand" });
  await changed();
  // The moderator's queue and everyone's audience changed; Grace's own controls too.
  assert.deepEqual(pages.ada.lastSwapped(), ["room-hands", "room-audience"]);
  assert.deepEqual(pages.grace.lastSwapped(), ["room-self", "room-audience"]);
  assert.deepEqual(pages.lin.lastSwapped(), ["room-audience"]);
  assert.match(pages.ada.frames.at(-1)!.content, /Raised hands <span class="count">\(1\)/);
  assert.match(pages.grace.frames.at(-1)!.content, /Lower hand/);
  // Nothing changed since: a read of the same room sends nothing.
  const sent = Object.values(pages).map((page) => page.frames.length);
  await changed();
  assert.deepEqual(Object.values(pages).map((page) => page.frames.length), sent);
});

dbTest(
  "hands turned off send listeners their own controls, a fraction of the room",
  async (sql) => {
    const { world, hub, pages, changed } = await roomWithPages(sql);
    // A room of some size: ten more listeners, whose tiles the whole room carries.
    for (let i = 0; i < 10; i++) {
      const member = await invitedMember(sql, world.ids.ada, `listener${i}`);
      await joinRoom(sql, member.id, world.roomId);
    }
    await changed();
    assert.deepEqual(pages.lin.lastSwapped(), ["room-audience"]);
    await act(sql, world.ids.ada, world.roomId, { type: "hands", enabled: false });
    await changed();
    assert.deepEqual(pages.lin.lastSwapped(), ["room-self"]);
    assert.match(pages.lin.frames.at(-1)!.content, /The moderators turned hands off\./);
    assert.deepEqual(pages.ada.lastSwapped(), ["room-hands", "room-controls"]);
    // The whole room as Lin sees it now, as a page of hers opening now would get it.
    const whole = new RecordedPage(pages.lin.page.memberId, world.roomId);
    await hub.open(whole.page);
    const [sent, room] = [pages.lin.bytes.at(-1)!, whole.bytes[0]];
    assert.ok(sent * 4 < room, `the change took ${sent} bytes, the whole room is ${room}`);
  },
);

dbTest("a page that reconnects gets the whole room as it is now", async (sql) => {
  const { world, hub, pages, changed } = await roomWithPages(sql);
  hub.close(pages.lin.page);
  await act(sql, world.ids.grace, world.roomId, { type: "raise_hand" });
  await changed();
  const again = new RecordedPage(pages.lin.page.memberId, world.roomId);
  await hub.open(again.page);
  assert.equal(again.lastSwapped(), "whole");
  const whole = again.frames[0];
  assert.equal(whole.target, "#room-live");
  assert.equal(whole.swap, "innerHTML");
  for (const id of ["room-self", "room-stage", "room-audience"]) {
    assert.match(whole.content, new RegExp(`<section id="${id}"`));
  }
  assert.match(whole.content, /hand raised/);
});

dbTest(
  "a viewer made a moderator gets the whole room, now with a moderator's parts",
  async (sql) => {
    const { world, pages, changed } = await roomWithPages(sql);
    await act(sql, world.ids.grace, world.roomId, { type: "raise_hand" });
    await act(sql, world.ids.ada, world.roomId, { type: "invite_to_speak", target: "grace" });
    await act(sql, world.ids.grace, world.roomId, { type: "accept_invite" });
    await changed();
    assert.deepEqual(pages.grace.lastSwapped(), ["room-self", "room-stage", "room-audience"]);
    await act(sql, world.ids.ada, world.roomId, { type: "make_moderator", target: "grace" });
    await changed();
    assert.equal(pages.grace.lastSwapped(), "whole");
    assert.match(pages.grace.frames.at(-1)!.content, /<section id="room-hands"/);
    assert.deepEqual(pages.lin.lastSwapped(), ["room-stage"]);
  },
);
