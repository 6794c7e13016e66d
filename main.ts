/**
 * Palabre's composition root: configuration, database, migrations, the web app, the server.
 *
 * @example
 * deno task start   # http://localhost:8000 on embedded PGlite in ./data
 */
import { loadConfig } from "./config.ts";
import { openDatabase } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { buildApp } from "./routes/app.tsx";
import { LiveHub } from "./routes/live_hub.tsx";

const config = await loadConfig(Deno.env.toObject());
const db = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
const applied = await migrate(db.sql);
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);

const hub = new LiveHub({ sql: db.sql, config, events: db.events });
hub.start();
const app = buildApp({ sql: db.sql, config, hub, events: db.events });
const server = Deno.serve({
  port: config.port,
  hostname: config.hostname,
  onListen: ({ hostname, port }) =>
    console.log(
      `Palabre is listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}` +
        ` (database: ${
          db.kind === "pglite" ? `embedded PGlite in ${config.dataDir}` : "PostgreSQL"
        })`,
    ),
}, (request, info) => app.fetch(request, info));

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await hub.stop();
    // Draining requests gets a few seconds; a stuck client does not hold the process.
    await Promise.race([server.shutdown(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    await db.close();
    Deno.exit(0);
  });
}
