/**
 * The room feed on its own: change notices in, reads and hallway changes handed to watchers.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { EventHub } from "../../db/events.ts";
import { RoomFeed } from "../../live/room_feed.ts";

/** Waits for `condition`; what never comes fails the test after 10 s instead of hanging it. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Still waiting for ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

dbTest(
  "a hallway update that fails while held back is logged, and later ones still go",
  async (sql) => {
    const events = new EventHub();
    const feed = new RoomFeed({ sql, events });
    let calls = 0;
    feed.watch({
      watches: () => false,
      roomRead() {},
      hallwayChanged() {
        calls++;
        // The second comes within the hallway's interval, so it is the held-back one.
        if (calls === 2) return Promise.reject(new Error("The hallway could not be read"));
        return Promise.resolve();
      },
    });
    const logged: unknown[][] = [];
    const error = console.error;
    console.error = (...args: unknown[]) => logged.push(args);
    feed.start();
    try {
      events.deliver(JSON.stringify({ hallway: true }));
      await until(() => calls === 1);
      events.deliver(JSON.stringify({ hallway: true }));
      await until(() => logged.length === 1);
      assert.match(String(logged[0][0]), /Live update failed/);
      events.deliver(JSON.stringify({ hallway: true }));
      await until(() => calls === 3);
    } finally {
      await feed.stop();
      console.error = error;
    }
  },
);

dbTest("a room change is read at once while the hallway waits for its turn", async (sql) => {
  const events = new EventHub();
  // The hallway's turn is an hour away: a room change that waited for it would never come.
  const feed = new RoomFeed({ sql, events, hallwayEveryMs: 3_600_000 });
  let roomReads = 0;
  let hallways = 0;
  feed.watch({
    watches: (roomId) => roomId === 1,
    roomRead() {
      roomReads++;
    },
    hallwayChanged() {
      hallways++;
      return Promise.resolve();
    },
  });
  feed.start();
  try {
    events.deliver(JSON.stringify({ hallway: true }));
    await until(() => hallways === 1);
    // Each room change also changes the hallway, whose next turn is now an hour away.
    events.deliver(JSON.stringify({ room: 1 }));
    await until(() => roomReads === 1);
    events.deliver(JSON.stringify({ room: 1 }));
    await until(() => roomReads === 2);
    assert.equal(hallways, 1);
  } finally {
    await feed.stop();
  }
});
