/**
 * The URL tree reads from the files: each area is a sub-app whose own routes are relative to the
 * prefix it is mounted at, and the app mounts it there.
 */
import assert from "node:assert/strict";
import { loadConfig } from "../../config.ts";
import { buildApp } from "../../routes/app.tsx";
import { rooms } from "../../routes/rooms/index.tsx";
import { events } from "../../routes/events.tsx";
import { freshDatabase } from "../support/databases.ts";

function handled(routes: { method: string; path: string }[]): Set<string> {
  return new Set(routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`));
}

Deno.test("a room's page, actions and sockets are the rooms area's, under /rooms", async () => {
  const own = handled(rooms.routes);
  for (
    const route of [
      "GET /new",
      "POST /",
      "GET /:id",
      "POST /:id/act",
      "POST /:id/report",
      "GET /:id/live",
      "GET /:id/voice",
    ]
  ) {
    assert.ok(own.has(route), `${route} is not in routes/rooms/`);
  }
  assert.deepEqual([...handled(events.routes)].sort(), [
    "GET /:id/calendar.ics",
    "GET /new",
    "POST /",
    "POST /:id/open",
  ]);
  const db = await freshDatabase("pglite");
  try {
    const config = await loadConfig({ SECRET_KEY: "x", DATA_DIR: "/nonexistent" });
    const app = handled(buildApp({ sql: db.sql, config }).routes);
    for (
      const route of [
        "GET /rooms/:id",
        "GET /rooms/:id/live",
        "GET /rooms/:id/voice",
        "GET /events/:id/calendar.ics",
        "GET /calendar/:file",
      ]
    ) {
      assert.ok(app.has(route), `${route} is not mounted`);
    }
  } finally {
    await db.close();
  }
});
