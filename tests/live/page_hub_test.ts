/**
 * The live hub's pages when the process stops.
 */
import assert from "node:assert/strict";
import { WSContext } from "hono/ws";
import { dbTest } from "../support/databases.ts";
import { loadConfig } from "../../config.ts";
import { LiveHub } from "../../live/live_hub.ts";
import type { LivePage } from "../../live/page_hub.ts";
import { english } from "../../i18n/translate.ts";

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
