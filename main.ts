/**
 * Palabre's composition root: configuration, database, migrations, the live hub, voice, the
 * model trainer and the applied model, the web app, the server.
 *
 * @example
 * deno task start   # http://localhost:8000 on embedded PGlite in ./data
 */
import { loadConfig, originNotice } from "./config.ts";
import { openDatabase } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { buildApp } from "./routes/app.tsx";
import { LiveHub } from "./live/live_hub.ts";
import { VoiceRooms } from "./live/voice_rooms.ts";
import { VoiceHomes } from "./live/voice_homes.ts";
import { type Bus, LocalBus } from "./live/bus.ts";
import { NatsBus } from "./live/nats_bus.ts";
import { forgetNode, markNodeSeen, randomKey } from "./db/room_homes.ts";
import { MediaProcesses } from "./media/media_processes.ts";
import { VacuumSweep } from "./live/vacuum_sweep.ts";
import { ExportWorker } from "./live/export_worker.ts";
import { AppliedModel } from "./recommend/applied_model.ts";
import { Trainer } from "./recommend/training.ts";
import { HallwayRanker } from "./recommend/hallway.ts";
import { refuseUnlistenablePort, StartupError, startupStep } from "./startup.ts";
import { endWithFirstProcess, isOtherWebProcess, startOtherWebProcesses } from "./web_processes.ts";

// What stops the start is said in one line. DATA_DIR's lock (taken with the database) comes before
// the port, so a second Palabre on the same data hears that; a busy port then closes it cleanly.
const config = await startupStep(() => loadConfig(Deno.env.toObject()));
const db = await startupStep(() =>
  openDatabase({ url: config.databaseUrl, dataDir: config.dataDir })
);
// Other web processes of this machine share the port the first one checked and listens on.
const firstProcess = !isOtherWebProcess();
if (firstProcess) await startupStep(() => refuseUnlistenablePort(config), () => db.close());
else endWithFirstProcess();
const applied = await migrate(db.sql);
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(", ")}`);
// This process is one node of the Palabre: a random name, and the bus to the other nodes (NATS),
// or an in-process bus when it is the whole Palabre.
const nodeId = randomKey();
const bus = await startupStep<Bus>(
  () => config.natsUrl ? NatsBus.connect(config.natsUrl, `palabre-${nodeId}`) : new LocalBus(),
  () => db.close(),
);
await markNodeSeen(db.sql, nodeId);

const trainer = new Trainer(db.sql, {
  ...config.modelTraining,
  log: console.log,
  soleProcess: db.kind === "pglite",
});
trainer.start();
const appliedModel = new AppliedModel(db.sql, { events: db.events, log: console.log });
// Loaded now, so the first hallway does not wait for the factors.
await appliedModel.current();
// Pages and live hallway updates rank with the same model and weights.
const ranker = new HallwayRanker(db.sql, { setup: () => appliedModel.current() });
const hub = new LiveHub({ sql: db.sql, config, events: db.events, ranker });
hub.start();
// Members' exports of their data are built here, off the request path, each by one process.
const exportWorker = new ExportWorker({
  sql: db.sql,
  events: db.events,
  config: config.dataExports,
  log: console.log,
});
exportWorker.start();
// Embedded PGlite has no autovacuum: its one process vacuums it (db/vacuum.ts).
const vacuum = db.kind === "pglite"
  ? new VacuumSweep({ sql: db.sql, config: config.embeddedVacuum })
  : null;
vacuum?.start();
// Rooms' media runs in processes of its own: Opus encoding per connection must not hold up pages.
const media = new MediaProcesses({
  processes: config.mediaProcesses,
  iceServers: config.iceServers,
});
// The rooms whose media lives here, for pages on any node; and this node's pages' voice sockets.
const homes = new VoiceHomes({
  sql: db.sql,
  bus,
  nodeId,
  leaseMs: config.homeLeaseMs,
  createMedia: (options) => media.openRoom(options),
  webrtcListenersPerRoom: config.webrtcListenersPerRoom,
});
homes.start();
hub.watchRooms(homes);
const voice = new VoiceRooms({ sql: db.sql, bus, nodeId, leaseMs: config.homeLeaseMs });
voice.start();
hub.watchRooms(voice);
const app = buildApp({
  sql: db.sql,
  config,
  hub,
  voice,
  events: db.events,
  trainer,
  appliedModel,
  ranker,
});
const server = await startupStep(() => serve(), () => db.close());
// The other web processes start once this one listens and has migrated the database.
const others = firstProcess && config.webProcesses > 1
  ? startOtherWebProcesses(config.webProcesses - 1)
  : null;

function serve(): Deno.HttpServer {
  const reusePort = config.webProcesses > 1;
  try {
    return Deno.serve({
      port: config.port,
      hostname: config.hostname,
      reusePort,
      onListen,
    }, (request, info) => app.fetch(request, info));
  } catch (error) {
    if (reusePort && /unstable-net/.test(String(error))) {
      throw new StartupError(
        "WEB_PROCESSES above 1 needs deno run --unstable-net (deno task start passes it)",
      );
    }
    throw error;
  }
}

function onListen({ hostname, port }: Deno.NetAddr): void {
  if (!firstProcess) {
    console.log(
      `Web process ${Deno.env.get("PALABRE_WEB_PROCESS")} shares port ${port} as node ${nodeId}`,
    );
    return;
  }
  console.log(
    `Palabre is listening on http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}` +
      ` (database: ${
        db.kind === "pglite" ? `embedded PGlite in ${config.dataDir}` : "PostgreSQL"
      })`,
  );
  // Which node holds which room is in room_homes by this name: operators (and benchmarks) read it.
  console.log(`Node ${nodeId}${config.natsUrl ? ", joined to the others by NATS" : ""}`);
  const origin = originNotice(config);
  console.log(origin.line);
  if (origin.warning) console.warn(origin.warning);
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    await others?.stop();
    await hub.stop();
    await exportWorker.stop();
    await vacuum?.stop();
    voice.stop();
    await homes.stop();
    await media.stop();
    // Its rooms go elsewhere at once rather than when their leases run out.
    await forgetNode(db.sql, nodeId).catch(() => {});
    await bus.close();
    // A training cut short is marked failed now, not after other processes find it stale.
    await trainer.stop();
    appliedModel.close();
    // Draining requests gets a few seconds; a stuck client does not hold the process.
    await Promise.race([server.shutdown(), new Promise((resolve) => setTimeout(resolve, 5000))]);
    await db.close();
    Deno.exit(0);
  });
}
