/**
 * Administrators' tools seen live: a room an administrator ends from the admin page, which they
 * are not in, ends on the open pages of the people in it and leaves the hallway, without a reload.
 */
import { databaseKinds, freshDatabase } from "../support/databases.ts";
import { LiveSocket, seedRoom, serveHere } from "./support.ts";
import type { Sql } from "../../db/client.ts";
import { setPicks } from "../../db/topics.ts";
import { startSession } from "../../db/sessions.ts";
import { endRoomAsAdministrator } from "../../db/admin_tools.ts";

for (const kind of databaseKinds) {
  Deno.test({
    name: `a room an administrator ends ends on its pages and leaves the hallway [${kind}]`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const db = await freshDatabase(kind);
      const served = await serveHere(db);
      const origin = served.origin;
      const sockets: LiveSocket[] = [];
      try {
        // Ada is the first member, so the administrator; the world's room is hers. Another
        // administrator, Olga, ends it.
        const world = await seedRoom(db.sql, "Late jazz");
        await db.sql`update users set is_admin = false where id = ${world.ids.ada}`;
        const olga = await firstAdminAnyway(db.sql);
        await setPicks(db.sql, olga, ["jazz", "chess", "film"]);
        const olgaCookie = `palabre_session=${await startSession(db.sql, olga, { ttlMs: 60_000 })}`;
        const grace = await LiveSocket.open(
          origin,
          `/rooms/${world.publicId}/live`,
          world.graceCookie,
        );
        const hallway = await LiveSocket.open(origin, "/hallway/live", olgaCookie);
        sockets.push(grace, hallway);
        await grace.waitFor((html) => html.includes("Raise hand"));
        await hallway.waitFor((html) => html.includes("Late jazz"));
        await endRoomAsAdministrator(db.sql, olga, world.publicId, "Off topic");
        await grace.waitFor((html) => html.includes("This room has ended"));
        // The hallway opened with the room in it: a frame without it is one sent since.
        await hallway.waitFor((html) => html.includes("No rooms are live right now"));
      } finally {
        for (const socket of sockets) socket.close();
        await served.stop();
        await db.close();
      }
    },
  });
}

/** An administrator made in SQL: the set-up page makes only the first. */
async function firstAdminAnyway(sql: Sql): Promise<number> {
  const [row] = await sql`
    insert into users (handle, display_name, password_hash, is_admin)
    select 'olga', 'Olga', password_hash, true from users where handle = 'ada'
    returning id`;
  return Number(row.id);
}
