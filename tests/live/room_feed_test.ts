/**
 * The room feed on its own: change notices in, reads and hallway changes handed to watchers.
 */
import assert from "node:assert/strict";
import { dbTest } from "../support/databases.ts";
import { EventHub } from "../../db/events.ts";
import { RoomFeed } from "../../live/room_feed.ts";

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
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
